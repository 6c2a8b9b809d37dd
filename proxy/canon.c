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

void canon_gen_string(void *gen, const char *s)
{
    yajl_gen g = gen;
    size_t len = strlen(s);
    if (yajl_gen_string(g, (const unsigned char *)s, len) !=
        yajl_gen_invalid_string)
        return;
    struct strbuf clean;
    strbuf_init(&clean);
    for (size_t i = 0; i < len;) {
        size_t n = strbuf_utf8_length((const unsigned char *)s + i, len - i);
        if (n)
            strbuf_append(&clean, s + i, n);
        else
            strbuf_puts(&clean, "\xEF\xBF\xBD");
        i += n ? n : 1;
    }
    yajl_gen_string(g, (const unsigned char *)(clean.data ? clean.data : ""),
                    clean.len);
    strbuf_free(&clean);
}

/* yajl has no call for embedding JSON text that is already valid; its
 * number call writes its argument verbatim with the right separators,
 * which is exactly that. */
static void genRaw(yajl_gen g, const char *json, size_t len)
{
    yajl_gen_number(g, json, len);
}

static yajl_gen newGen(void)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    if (g)
        yajl_gen_config(g, yajl_gen_validate_utf8, 1);
    return g;
}

static void genMeta(yajl_gen g, const struct canon_meta *meta)
{
    char number[32];
    canon_gen_string(g, "meta");
    yajl_gen_map_open(g);
    canon_gen_string(g, "request_id");
    canon_gen_string(g, meta->request_id ? meta->request_id : "");
    canon_gen_string(g, "duration_ms");
    int n = snprintf(number, sizeof(number), "%.3f", meta->duration_ms);
    genRaw(g, number, (size_t)n);
    canon_gen_string(g, "sources");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < meta->n_sources; i++)
        canon_gen_string(g, meta->sources[i]);
    yajl_gen_array_close(g);
    canon_gen_string(g, "cached");
    yajl_gen_bool(g, meta->cached);
    if (meta->n_warnings) {
        canon_gen_string(g, "warnings");
        yajl_gen_array_open(g);
        for (size_t i = 0; i < meta->n_warnings; i++)
            canon_gen_string(g, meta->warnings[i]);
        yajl_gen_array_close(g);
    }
    yajl_gen_map_close(g);
}

static int finish(yajl_gen g, struct strbuf *out)
{
    const unsigned char *buf;
    size_t len;
    yajl_gen_map_close(g);
    int ok = yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok;
    if (ok)
        strbuf_append(out, (const char *)buf, len);
    yajl_gen_free(g);
    return ok && !strbuf_failed(out) ? 0 : -1;
}

int canon_success(struct strbuf *out, const char *capability,
                  const char *data, size_t len, const struct canon_meta *meta)
{
    yajl_gen g = newGen();
    if (!g)
        return -1;
    yajl_gen_map_open(g);
    canon_gen_string(g, "ok");
    yajl_gen_bool(g, 1);
    if (capability) {
        canon_gen_string(g, "capability");
        canon_gen_string(g, capability);
    }
    canon_gen_string(g, "data");
    genRaw(g, data, len);
    genMeta(g, meta);
    return finish(g, out);
}

int canon_error(struct strbuf *out, const char *capability,
                const struct sb_error *err, const char *fault,
                const struct canon_meta *meta)
{
    yajl_gen g = newGen();
    if (!g)
        return -1;
    yajl_gen_map_open(g);
    canon_gen_string(g, "ok");
    yajl_gen_bool(g, 0);
    if (capability) {
        canon_gen_string(g, "capability");
        canon_gen_string(g, capability);
    }
    canon_gen_string(g, "error");
    yajl_gen_map_open(g);
    canon_gen_string(g, "code");
    canon_gen_string(g, err->code[0] ? err->code : "internal");
    canon_gen_string(g, "message");
    canon_gen_string(g, err->message);
    if (err->field[0]) {
        canon_gen_string(g, "field");
        canon_gen_string(g, err->field);
    }
    canon_gen_string(g, "retryable");
    yajl_gen_bool(g, canon_retryable(err->code));
    if (fault) {
        canon_gen_string(g, "fault");
        genRaw(g, fault, strlen(fault));
    }
    yajl_gen_map_close(g);
    genMeta(g, meta);
    return finish(g, out);
}
