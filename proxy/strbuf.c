/*
 * strbuf: growable strings (see strbuf.h).
 */
#include "strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(struct strbuf *sb)
{
    memset(sb, 0, sizeof(*sb));
}

void strbuf_free(struct strbuf *sb)
{
    free(sb->data);
    strbuf_init(sb);
}

/* After a failure cap is 0, so that every later append goes to grow. */
void strbuf_fail(struct strbuf *sb)
{
    sb->failed = 1;
    sb->cap = 0;
}

/* Room for extra more bytes and the NUL, when reserve has none. */
static __attribute__((noinline)) int grow(struct strbuf *sb, size_t extra)
{
    if (sb->failed)
        return -1;
    size_t cap = sb->cap ? sb->cap : 1024;
    while (cap < sb->len + extra + 1)
        cap *= 2;
    char *data = realloc(sb->data, cap);
    if (!data) {
        strbuf_fail(sb);
        return -1;
    }
    sb->data = data;
    sb->cap = cap;
    return 0;
}

/* Inlined: most appends are a few bytes into room there is. */
static inline int reserve(struct strbuf *sb, size_t extra)
{
    return sb->len + extra < sb->cap ? 0 : grow(sb, extra);
}

void strbuf_append(struct strbuf *sb, const char *s, size_t n)
{
    if (reserve(sb, n) < 0)
        return;
    if (n)                  /* s may be NULL when there is nothing */
        memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = 0;
}

void strbuf_puts(struct strbuf *sb, const char *s)
{
    strbuf_append(sb, s, strlen(s));
}

void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(sb, (size_t)n) < 0) {
        strbuf_fail(sb);
        return;
    }
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

/* s with the characters XML markup needs escaped: &, < and > always;
 * quotes for attribute values; CR in text, which a parser would
 * otherwise read back as LF. */
static void putEscaped(struct strbuf *sb, const char *s, int attribute)
{
    const char *run = s;
    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = attribute ? "&quot;" : NULL; break;
        case '\'': rep = attribute ? "&apos;" : NULL; break;
        case '\r': rep = attribute ? NULL : "&#13;"; break;
        default: continue;
        }
        if (!rep)
            continue;
        strbuf_append(sb, run, (size_t)(s - run));
        strbuf_puts(sb, rep);
        run = s + 1;
    }
    strbuf_append(sb, run, (size_t)(s - run));
}

void strbuf_put_xml(struct strbuf *sb, const char *s)
{
    putEscaped(sb, s, 1);
}

void strbuf_put_xml_text(struct strbuf *sb, const char *s)
{
    putEscaped(sb, s, 0);
}

int strbuf_failed(const struct strbuf *sb)
{
    return sb->failed;
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
    if (sb->failed || !sb->data) {
        int failed = sb->failed;
        strbuf_free(sb);
        if (failed)
            return NULL;
        char *empty = calloc(1, 1);
        if (len)
            *len = 0;
        return empty;
    }
    char *data = sb->data;
    if (len)
        *len = sb->len;
    strbuf_init(sb);
    return data;
}

char *strbuf_read_file(const char *path, size_t max_bytes, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct strbuf sb;
    char chunk[8192];
    size_t got;
    strbuf_init(&sb);
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0 &&
           sb.len <= max_bytes)
        strbuf_append(&sb, chunk, got);
    int error = ferror(f) ? EIO : sb.len > max_bytes ? EFBIG : 0;
    fclose(f);
    if (error || strbuf_failed(&sb)) {
        strbuf_free(&sb);
        errno = error ? error : ENOMEM;
        return NULL;
    }
    return strbuf_detach(&sb, len);
}

/* What a byte needs in a JSON string: 0 nothing, 1 an escape, 2 a look
 * at the UTF-8 sequence it starts. */
static const unsigned char jsonByte[256] = {
    [0 ... 0x1F] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xFF] = 2,
};

int strbuf_json_string(struct strbuf *sb, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t escapes = 0;
    for (size_t i = 0; i < len;) {
        unsigned char k = jsonByte[u[i]];
        if (k == 0) {
            while (++i < len && !jsonByte[u[i]])
                ;
            continue;
        }
        if (k == 1) {
            escapes++;
            i++;
            continue;
        }
        size_t n = strbuf_utf8_length(u + i, len - i);
        if (!n)
            return -1;
        i += n;
    }
    if (reserve(sb, len + 2 + escapes * 6) < 0)
        return 0;
    char *out = sb->data + sb->len;
    *out++ = '"';
    if (!escapes) {
        memcpy(out, s, len);
        out += len;
    } else
        for (size_t i = 0; i < len; i++) {
            unsigned char c = u[i];
            if (jsonByte[c] != 1) {
                *out++ = (char)c;
                continue;
            }
            *out++ = '\\';
            switch (c) {
            case '"': *out++ = '"'; break;
            case '\\': *out++ = '\\'; break;
            case '\n': *out++ = 'n'; break;
            case '\r': *out++ = 'r'; break;
            case '\t': *out++ = 't'; break;
            case '\f': *out++ = 'f'; break;
            case '\b': *out++ = 'b'; break;
            default:
                memcpy(out, "u00", 3);
                out[3] = "0123456789ABCDEF"[c >> 4];
                out[4] = "0123456789ABCDEF"[c & 15];
                out += 5;
            }
        }
    *out++ = '"';
    *out = '\0';
    sb->len = (size_t)(out - sb->data);
    return 0;
}

size_t strbuf_utf8_length(const unsigned char *s, size_t len)
{
    size_t n = s[0] < 0x80                   ? 1
               : s[0] >= 0xC2 && s[0] < 0xE0 ? 2
               : s[0] >= 0xE0 && s[0] < 0xF0 ? 3
               : s[0] >= 0xF0 && s[0] < 0xF5 ? 4
                                             : 0;
    if (n == 0 || n > len)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0) ||
        (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90))
        return 0;
    return n;
}
