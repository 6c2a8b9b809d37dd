/*
 * strbuf: a growable byte string, used wherever text is generated
 * (stylesheets, reports). Allocation failure is sticky: every append
 * after a failed one is a no-op and strbuf_failed() says so, so callers
 * check once at the end instead of after every append.
 */
#ifndef SB_STRBUF_H
#define SB_STRBUF_H

#include <stddef.h>

struct strbuf {
    char *data;     /* NUL-terminated when len > 0; owned */
    size_t len;
    size_t cap;
    int failed;
};

void strbuf_init(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);
void strbuf_append(struct strbuf *sb, const char *s, size_t n);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append s with the five XML special characters escaped (text and
 * attribute values alike). */
void strbuf_put_xml(struct strbuf *sb, const char *s);
/* Append s as character data, escaped as libxml2 serializes a text node:
 * &, < and >, and CR as "&#13;"; quotes stay as they are. */
void strbuf_put_xml_text(struct strbuf *sb, const char *s);
int strbuf_failed(const struct strbuf *sb);
/* Make the buffer failed, as a failed allocation does: for text the
 * caller could not make. */
void strbuf_fail(struct strbuf *sb);
/* Read the whole file `path` (at most max_bytes) and return it as a
 * malloc'ed NUL-terminated string (length in *len if not NULL); NULL
 * with errno set when it cannot be read, or EFBIG when it is larger. */
char *strbuf_read_file(const char *path, size_t max_bytes, size_t *len);
/* Bytes of the well-formed UTF-8 sequence at s (at most len bytes), 0
 * when none starts there (RFC 3629: no overlong forms, no surrogates,
 * nothing past U+10FFFF). */
size_t strbuf_utf8_length(const unsigned char *s, size_t len);
/* Append s (len bytes) as a JSON string: quoted, with '"', '\\' and the
 * control characters escaped as yajl escapes them (\n, \r, \t, \f, \b,
 * else \u00XX), everything else as it is. Returns -1, appending
 * nothing, when s is not well-formed UTF-8. */
int strbuf_json_string(struct strbuf *sb, const char *s, size_t len);
/* Hand the string over to the caller (free() it); the buffer is reset.
 * NULL if an append failed (the buffer is freed then). */
char *strbuf_detach(struct strbuf *sb, size_t *len);

#endif
