/*
 * error: filling and formatting struct sb_error (see error.h).
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void error_clear(struct sb_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
}

static void copyString(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static int errorSetV(struct sb_error *err, const char *code, const char *file,
                     int line, const char *field, const char *fmt, va_list ap)
{
    if (!err)
        return -1;
    copyString(err->code, sizeof(err->code), code);
    copyString(err->file, sizeof(err->file), file);
    copyString(err->field, sizeof(err->field), field);
    err->line = line;
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    return -1;
}

int error_set(struct sb_error *err, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    errorSetV(err, code, NULL, 0, NULL, fmt, ap);
    va_end(ap);
    return -1;
}

int error_set_at(struct sb_error *err, const char *code, const char *file,
                 int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    errorSetV(err, code, file, line, NULL, fmt, ap);
    va_end(ap);
    return -1;
}

int error_set_field(struct sb_error *err, const char *code, const char *field,
                    const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    errorSetV(err, code, NULL, 0, field, fmt, ap);
    va_end(ap);
    return -1;
}

const char *error_format(const struct sb_error *err, char *buf, size_t size)
{
    if (err->file[0] && err->line > 0)
        snprintf(buf, size, "%s:%d: %s", err->file, err->line, err->message);
    else if (err->file[0])
        snprintf(buf, size, "%s: %s", err->file, err->message);
    else
        snprintf(buf, size, "%s", err->message);
    return buf;
}
