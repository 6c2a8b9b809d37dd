/*
 * error: the one error value every soapbridge module fills.
 *
 * Functions return 0 / -1 (or a pointer / NULL) and, on failure, fill a
 * caller-owned struct sb_error that can be shown to the user unchanged:
 * a stable machine code ("invalid_input", "wsdl_load", ...), a human
 * message, and where known the file and line or the JSON field at fault.
 */
#ifndef SB_ERROR_H
#define SB_ERROR_H

#include <stddef.h>

#define SB_ERROR_CODE_MAX 48
#define SB_ERROR_MESSAGE_MAX 512
#define SB_ERROR_FILE_MAX 256
#define SB_ERROR_FIELD_MAX 256

struct sb_error {
    char code[SB_ERROR_CODE_MAX];       /* "" when no error was set */
    char message[SB_ERROR_MESSAGE_MAX];
    char file[SB_ERROR_FILE_MAX];       /* "" when not about a file */
    int line;                           /* 0 when unknown */
    char field[SB_ERROR_FIELD_MAX];     /* "" when not about a field */
};

/* Clear every member. */
void error_clear(struct sb_error *err);

/* Set code and printf-style message; file/field are cleared, line is 0.
 * err may be NULL (the error is then dropped). Always returns -1 so that
 * callers can write `return error_set(err, ...);`. */
int error_set(struct sb_error *err, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like error_set, also naming the file and line at fault. */
int error_set_at(struct sb_error *err, const char *code, const char *file,
                 int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Like error_set, also naming the JSON field at fault (a dotted path such
 * as "lines[2].sku"). */
int error_set_field(struct sb_error *err, const char *code, const char *field,
                    const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Format "file:line: message" (or "field: message", or "message") into
 * buf, always NUL-terminated. Returns buf. */
const char *error_format(const struct sb_error *err, char *buf, size_t size);

#endif
