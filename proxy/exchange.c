/*
 * exchange: one HTTP request to the daemon (see exchange.h).
 */
#include "exchange.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "canon.h"
#include "strbuf.h"

double exchange_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Ids are made a call (snprintf's cost showed): 16 lowercase hex
 * digits of v at out. */
static void putHex64(char *out, unsigned long long v)
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--, v >>= 4)
        out[i] = digits[v & 15];
}

/* 32 random lowercase hex digits and a NUL at out. */
static void randomHex32(struct worker *w, char *out)
{
    putHex64(out, worker_random(w));
    putHex64(out + 16, worker_random(w));
    out[32] = '\0';
}

/* A request id the client sent is kept when it is short printable ASCII
 * without spaces or quotes (it ends up in headers and logs). */
static int acceptableId(const char *id)
{
    size_t len = strlen(id);
    if (len == 0 || len >= EXCHANGE_ID_MAX)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (id[i] <= ' ' || id[i] > '~' || id[i] == '"' || id[i] == '\\')
            return 0;
    return 1;
}

static int isLowerHex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* W3C Trace Context: version 00 "00-<trace 32>-<parent 16>-<flags 2>";
 * an all-zero trace id is invalid. Keep the trace, or start one. */
static void takeTrace(struct exchange *ex, const char *tp)
{
    if (tp && strlen(tp) >= 55 && strncmp(tp, "00-", 3) == 0 &&
        tp[35] == '-' && tp[52] == '-' && isLowerHex(tp + 3, 32) &&
        isLowerHex(tp + 36, 16) && isLowerHex(tp + 53, 2) &&
        strspn(tp + 3, "0") < 32) {
        memcpy(ex->trace_id, tp + 3, 32);
        ex->trace_id[32] = '\0';
        memcpy(ex->trace_flags, tp + 53, 2);
        ex->trace_flags[2] = '\0';
        return;
    }
    randomHex32(ex->worker, ex->trace_id);
    strcpy(ex->trace_flags, "00");
}

static void onClose(void *arg)
{
    struct exchange *ex = arg;
    ex->client_gone = 1;
    if (ex->cancel)
        ex->cancel(ex->cancel_arg);
}

struct exchange *exchange_new(struct worker *w, struct httpserv_request *req)
{
    struct exchange *ex = calloc(1, sizeof(*ex));
    if (!ex) {
        static const char oom[] = "{\"ok\":false,\"error\":{\"code\":"
                                  "\"internal\",\"message\":\"out of "
                                  "memory\",\"retryable\":false}}";
        httpserv_add_header(req, "Content-Type",
                            "application/json; charset=utf-8");
        httpserv_reply(req, 500, oom, sizeof(oom) - 1);
        return NULL;
    }
    ex->worker = w;
    ex->snap = snapshot_hold(w->snap);
    ex->req = req;
    ex->started = exchange_now();
    clock_gettime(CLOCK_REALTIME, &ex->started_at);
    const char *id = httpserv_header(req, "X-Request-Id");
    if (id && acceptableId(id))
        snprintf(ex->id, sizeof(ex->id), "%s", id);
    else
        randomHex32(w, ex->id);
    takeTrace(ex, httpserv_header(req, "traceparent"));
    httpserv_body(req, &ex->bytes_in);
    metrics_in_flight(w->metrics, 1);
    return ex;
}

const char *exchange_body(struct exchange *ex, size_t *len)
{
    return httpserv_body(ex->req, len);
}

void exchange_on_close(struct exchange *ex, void (*cancel)(void *), void *arg)
{
    ex->cancel = cancel;
    ex->cancel_arg = arg;
    httpserv_on_close(ex->req, cancel ? onClose : NULL, cancel ? ex : NULL);
}

static void writeLog(struct exchange *ex, int status, const char *error_code,
                     size_t bytes_out, double duration)
{
    const struct server_shared *shared = ex->worker->shared;
    struct accesslog_entry e = {
        .time = ex->started_at,
        .request_id = ex->id,
        .method = httpserv_method(ex->req),
        .path = httpserv_target(ex->req),
        .capability = ex->route ? ex->route->cap->name : NULL,
        .status = status,
        .error_code = error_code,
        .duration_ms = duration * 1000.0,
        .upstream = ex->upstream,
        .n_upstream = ex->n_upstream,
        .bytes_in = ex->bytes_in,
        .bytes_out = bytes_out,
        .client = httpserv_peer(ex->req),
        .warnings = ex->n_warnings,
    };
    accesslog_write(shared->log, &e);
}

void exchange_reply(struct exchange *ex, int status, const char *content_type,
                    const char *body, size_t len, const char *error_code)
{
    struct worker *w = ex->worker;
    double duration = exchange_now() - ex->started;
    int cap = ex->route ? ex->route->metric_capability : -1;
    metrics_request_done(w->metrics, cap, metrics_outcome_index(
                             error_code ? error_code : "ok"),
                         duration, ex->bytes_in, len);
    metrics_in_flight(w->metrics, -1);
    /* Logged first: the request's strings go with the reply. */
    writeLog(ex, status, error_code, len, duration);
    httpserv_add_header(ex->req, "Content-Type", content_type);
    httpserv_add_header(ex->req, "X-Request-Id", ex->id);
    httpserv_add_header(ex->req, "Cache-Control", "no-store");
    /* With the client gone, the reply is dropped. */
    httpserv_reply(ex->req, status, body, len);
    snapshot_drop(ex->snap);
    free(ex);
}

static void fillMeta(struct exchange *ex, struct canon_meta *meta,
                     const char **source)
{
    memset(meta, 0, sizeof(*meta));
    meta->request_id = ex->id;
    meta->duration_ms = (exchange_now() - ex->started) * 1000.0;
    if (ex->n_upstream) {
        *source = ex->route->source;
        meta->sources = source;
        meta->n_sources = 1;
    }
}

void exchange_succeed(struct exchange *ex, const char *data, size_t len,
                      char *const *warnings, size_t n_warnings)
{
    struct canon_meta meta;
    const char *source = NULL;
    struct strbuf out;
    fillMeta(ex, &meta, &source);
    meta.warnings = warnings;
    meta.n_warnings = n_warnings;
    ex->n_warnings = n_warnings;
    for (size_t i = 0; i < n_warnings; i++) {
        metrics_warning(ex->worker->metrics, ex->route->metric_capability);
        exchange_log(ex, SERVECONF_LOG_WARN, "%s: %s", ex->route->cap->name,
                     warnings[i]);
    }
    strbuf_init(&out);
    if (canon_success(&out, ex->route ? ex->route->cap->name : NULL, data,
                      len, &meta) < 0) {
        strbuf_free(&out);
        struct sb_error err;
        error_set(&err, "internal", "out of memory");
        exchange_fail(ex, &err, NULL);
        return;
    }
    exchange_reply(ex, 200, "application/json; charset=utf-8", out.data,
                   out.len, NULL);
    strbuf_free(&out);
}

void exchange_fail(struct exchange *ex, const struct sb_error *err,
                   const char *fault)
{
    static const char fallback[] =
        "{\"ok\":false,\"error\":{\"code\":\"internal\","
        "\"message\":\"out of memory\",\"retryable\":false}}";
    struct canon_meta meta;
    const char *source = NULL;
    struct strbuf out;
    const char *code = err->code[0] ? err->code : "internal";
    fillMeta(ex, &meta, &source);
    strbuf_init(&out);
    if (canon_error(&out, ex->route ? ex->route->cap->name : NULL, err, fault,
                    &meta) < 0)
        exchange_reply(ex, 500, "application/json; charset=utf-8", fallback,
                       sizeof(fallback) - 1, "internal");
    else
        exchange_reply(ex, canon_http_status(code),
                       "application/json; charset=utf-8", out.data, out.len,
                       code);
    strbuf_free(&out);
}

void exchange_log(struct exchange *ex, enum serveconf_log_level level,
                  const char *fmt, ...)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    char message[1024];
    va_list ap;
    if (level > ex->snap->conf->logging.level)
        return;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    /* One fprintf: stdio locks the stream, so lines stay whole. */
    fprintf(stderr, "soapbridge: %s %s: %s\n", names[level], ex->id, message);
}

const char *exchange_traceparent(struct exchange *ex,
                                 char buf[EXCHANGE_TRACEPARENT_SIZE])
{
    memcpy(buf, "00-", 3);
    memcpy(buf + 3, ex->trace_id, 32);
    buf[35] = '-';
    putHex64(buf + 36, worker_random(ex->worker) | 1);
    buf[52] = '-';
    memcpy(buf + 53, ex->trace_flags, 3);
    return buf;
}
