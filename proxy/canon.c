/*
 * canon: the canonical JSON documents (see canon.h).
 */
#include "canon.h"

#include <stdio.h>
#include <string.h>

#include <yajl/yajl_gen.h>

static const struct {
    const char *code;
    int status;
    int retryable;
} errorCodes[] = {
    {"bad_request", 400, 0},
    {"invalid_json", 400, 0},
    {"invalid_input", 400, 0},
    {"limit_exceeded", 400, 0},
    {"not_found", 404, 0},
    {"unknown_capability", 404, 0},
    {"method_not_allowed", 405, 0},
    {"body_too_large", 413, 0},
    {"unsupported_media_type", 415, 0},
    {"header_too_large", 431, 0},
    {"upstream_fault", 502, 0},
    {"upstream_bad_response", 502, 0},
    {"upstream_unavailable", 503, 1},
    {"not_ready", 503, 1},
    {"upstream_timeout", 504, 1},
    {"internal", 500, 0},
    {"not_implemented", 501, 0},
    {"http_version_not_supported", 505, 0},
    /* nginx's convention for a request whose client left first; only
     * the access log and the metrics ever see it. */
    {"client_closed", 499, 0},
};

int canon_http_status(const char *code)
{
    for (size_t i = 0; i < sizeof(errorCodes) / sizeof(errorCodes[0]); i++)
        if (strcmp(errorCodes[i].code, code) == 0)
            return errorCodes[i].status;
    return 500;
}

const char *canon_error_code(size_t i)
{
    return i < sizeof(errorCodes) / sizeof(errorCodes[0]) ? errorCodes[i].code
                                                          : NULL;
}

int canon_retryable(const char *code)
{
    for (size_t i = 0; i < sizeof(errorCodes) / sizeof(errorCodes[0]); i++)
        if (strcmp(errorCodes[i].code, code) == 0)
            return errorCodes[i].retryable;
    return 0;
}

/* s (len bytes) with every byte that starts no UTF-8 sequence written
 * as U+FFFD. */
static void replaceInvalid(struct strbuf *clean, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t n = strbuf_utf8_length((const unsigned char *)s + i, len - i);
        if (n)
            strbuf_append(clean, s + i, n);
        else
            strbuf_puts(clean, "\xEF\xBF\xBD");
        i += n ? n : 1;
    }
}

void canon_gen_string(void *gen, const char *s)
{
    yajl_gen g = gen;
    size_t len = strlen(s);
    if (yajl_gen_string(g, (const unsigned char *)s, len) !=
        yajl_gen_invalid_string)
        return;
    struct strbuf clean;
    strbuf_init(&clean);
    replaceInvalid(&clean, s, len);
    yajl_gen_string(g, (const unsigned char *)(clean.data ? clean.data : ""),
                    clean.len);
    strbuf_free(&clean);
}

/* s as a JSON string, with whatever is not UTF-8 written as U+FFFD. */
static void putString(struct strbuf *out, const char *s)
{
    size_t len = strlen(s);
    if (strbuf_json_string(out, s, len) == 0)
        return;
    struct strbuf clean;
    strbuf_init(&clean);
    replaceInvalid(&clean, s, len);
    if (strbuf_failed(&clean))
        strbuf_fail(out);
    else
        strbuf_json_string(out, clean.data ? clean.data : "", clean.len);
    strbuf_free(&clean);
}

/* ms with three decimals, as "%.3f" writes it; by hand in the range a
 * duration has, since printf's floating point is a sizeable part of a
 * small call. */
static void putMilliseconds(struct strbuf *out, double ms)
{
    if (!(ms >= 0 && ms < 1e12)) {
        strbuf_printf(out, "%.3f", ms);
        return;
    }
    unsigned long long micros = (unsigned long long)(ms * 1000.0 + 0.5);
    char digits[32];
    char *p = digits + sizeof(digits);
    for (int i = 0; i < 3; i++, micros /= 10)
        *--p = (char)('0' + micros % 10);
    *--p = '.';
    do {
        *--p = (char)('0' + micros % 10);
        micros /= 10;
    } while (micros);
    strbuf_append(out, p, (size_t)(digits + sizeof(digits) - p));
}

/* key (",\"sources\":[") then the strings of items and "]" */
static void putStrings(struct strbuf *out, const char *key,
                       const char *const *items, size_t n)
{
    strbuf_puts(out, key);
    for (size_t i = 0; i < n; i++) {
        if (i)
            strbuf_append(out, ",", 1);
        putString(out, items[i]);
    }
    strbuf_append(out, "]", 1);
}

static void putMeta(struct strbuf *out, const struct canon_meta *meta)
{
    strbuf_puts(out, ",\"meta\":{\"request_id\":");
    putString(out, meta->request_id ? meta->request_id : "");
    strbuf_puts(out, ",\"duration_ms\":");
    putMilliseconds(out, meta->duration_ms);
    putStrings(out, ",\"sources\":[", meta->sources, meta->n_sources);
    strbuf_puts(out, meta->cached ? ",\"cached\":true" : ",\"cached\":false");
    if (meta->n_warnings)
        putStrings(out, ",\"warnings\":[",
                   (const char *const *)meta->warnings, meta->n_warnings);
    strbuf_puts(out, "}}");
}

static void putHead(struct strbuf *out, int ok, const char *capability)
{
    strbuf_puts(out, ok ? "{\"ok\":true" : "{\"ok\":false");
    if (capability) {
        strbuf_puts(out, ",\"capability\":");
        putString(out, capability);
    }
}

int canon_success(struct strbuf *out, const char *capability,
                  const char *data, size_t len, const struct canon_meta *meta)
{
    putHead(out, 1, capability);
    strbuf_puts(out, ",\"data\":");
    strbuf_append(out, data, len);
    putMeta(out, meta);
    return strbuf_failed(out) ? -1 : 0;
}

int canon_error(struct strbuf *out, const char *capability,
                const struct sb_error *err, const char *fault,
                const struct canon_meta *meta)
{
    putHead(out, 0, capability);
    strbuf_puts(out, ",\"error\":{\"code\":");
    putString(out, err->code[0] ? err->code : "internal");
    strbuf_puts(out, ",\"message\":");
    putString(out, err->message);
    if (err->field[0]) {
        strbuf_puts(out, ",\"field\":");
        putString(out, err->field);
    }
    strbuf_puts(out, canon_retryable(err->code) ? ",\"retryable\":true"
                                                : ",\"retryable\":false");
    if (fault) {
        strbuf_puts(out, ",\"fault\":");
        strbuf_puts(out, fault);
    }
    strbuf_append(out, "}", 1);
    putMeta(out, meta);
    return strbuf_failed(out) ? -1 : 0;
}
