/*
 * call: one capability call (see call.h).
 */
#include "call.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

enum call_state { CALL_TRANSLATING, CALL_UPSTREAM, CALL_DONE };

struct call {
    enum call_state state;
    struct exchange *ex;
    const struct route *route;
    char *envelope;
    size_t envelope_len;
    struct upstream_call *upstream;
    double upstream_started;
    /* From here on written before use (buildHeaders), so a new call
     * clears only the fields above: the ~3 KB below cost more to clear
     * than the rest of starting a call. */
    char content_type[512];
    char headers_text[4][600];
    const char *headers[5];
};

static const char *const stateNames[] = {"translating", "upstream", "done"};

/* The one place a call changes state (STYLE.md habit 14). */
static void setState(struct call *c, enum call_state next)
{
    exchange_log(c->ex, SERVECONF_LOG_DEBUG, "%s: %s -> %s",
                 c->route->cap->name, stateNames[c->state], stateNames[next]);
    c->state = next;
}

static void freeCall(struct call *c)
{
    free(c->envelope);
    free(c);
}

static void failCall(struct call *c, const struct sb_error *err,
                     const char *fault)
{
    /* The upstream's trouble is the operator's business; the client's
     * own mistakes are only in the access log. */
    if (strncmp(err->code, "upstream_", 9) == 0 ||
        strcmp(err->code, "internal") == 0)
        exchange_log(c->ex, strcmp(err->code, "internal") == 0
                                ? SERVECONF_LOG_ERROR : SERVECONF_LOG_WARN,
                     "%s: %s: %s", c->route->cap->name, err->code,
                     err->message);
    setState(c, CALL_DONE);
    exchange_fail(c->ex, err, fault);
    freeCall(c);
}

/* The client went away: stop the upstream call; the exchange still ends
 * through exchange_fail, whose reply libevent then drops. */
static void cancelCall(void *arg)
{
    struct call *c = arg;
    if (c->state != CALL_UPSTREAM)
        return;
    upstream_call_cancel(c->upstream);
    c->upstream = NULL;
    struct sb_error err;
    error_set(&err, "client_closed", "the client closed the connection");
    failCall(c, &err, NULL);
}

/* The fault's reason, for error.message ("Unknown order Z9999"). */
static void faultReason(const char *fault, char *buf, size_t size)
{
    snprintf(buf, size, "the service answered with a SOAP fault");
    yajl_val root = yajl_tree_parse(fault, NULL, 0);
    const char *path[] = {"reason", NULL};
    yajl_val reason = root ? yajl_tree_get(root, path, yajl_t_string) : NULL;
    if (reason)
        snprintf(buf, size, "%s", YAJL_GET_STRING(reason));
    yajl_tree_free(root);
}

static void logUpstream(struct call *c, const char *outcome, double seconds)
{
    struct exchange *ex = c->ex;
    if (ex->n_upstream < EXCHANGE_MAX_UPSTREAM) {
        struct accesslog_upstream *u = &ex->upstream[ex->n_upstream++];
        u->operation = c->route->source;
        u->outcome = outcome;
        u->duration_ms = seconds * 1000.0;
    }
    metrics_upstream_done(ex->worker->metrics, c->route->metric_operation,
                          outcome, seconds);
}

static void transportError(struct call *c, const struct upstream_response *res)
{
    struct sb_error err;
    const char *svc = c->route->cap->service->name;
    const char *url = c->route->target.url;
    switch (res->outcome) {
    case UPSTREAM_TIMEOUT:
        logUpstream(c, "timeout", res->total_ms / 1000.0);
        error_set(&err, "upstream_timeout",
                  "%s did not answer within %ld ms (%s)", svc,
                  c->route->target.timeout_ms, url);
        break;
    case UPSTREAM_TOO_LARGE:
        logUpstream(c, "bad_response", res->total_ms / 1000.0);
        error_set(&err, "upstream_bad_response",
                  "%s answered with more than %zu bytes (%s)", svc,
                  c->ex->snap->limits.xml.max_bytes, url);
        break;
    case UPSTREAM_UNAVAILABLE:
    case UPSTREAM_TLS:
        logUpstream(c, "unavailable", res->total_ms / 1000.0);
        error_set(&err, "upstream_unavailable", "%s is unavailable (%s): %s",
                  svc, url, res->message);
        break;
    default:
        logUpstream(c, "error", res->total_ms / 1000.0);
        error_set(&err, "upstream_bad_response", "%s (%s): %s", svc, url,
                  res->message);
        break;
    }
    failCall(c, &err, NULL);
}

static void onUpstreamDone(const struct upstream_response *res, void *arg)
{
    struct call *c = arg;
    c->upstream = NULL;
    if (res->outcome != UPSTREAM_OK) {
        transportError(c, res);
        return;
    }
    const struct snapshot *snap = c->ex->snap;
    struct translate_result result;
    struct sb_error err;
    if (translate_response(snap->cd, c->route->cap, res->body, res->body_len,
                           res->content_type, &snap->limits, &result,
                           &err) < 0) {
        logUpstream(c, "bad_response", res->total_ms / 1000.0);
        struct sb_error why = err;
        error_set(&err, "upstream_bad_response", "%s answered HTTP %ld (%s): %s",
                  c->route->cap->service->name, res->http_status,
                  res->content_type ? res->content_type : "no content type",
                  why.message);
        failCall(c, &err, NULL);
        return;
    }
    if (result.fault) {
        logUpstream(c, "fault", res->total_ms / 1000.0);
        error_set(&err, "upstream_fault", "%s: ", c->route->cap->service->name);
        size_t used = strlen(err.message);
        faultReason(result.json, err.message + used,
                    sizeof(err.message) - used);
        failCall(c, &err, result.json);
    } else if (res->http_status < 200 || res->http_status >= 300) {
        logUpstream(c, "bad_response", res->total_ms / 1000.0);
        error_set(&err, "upstream_bad_response",
                  "%s answered HTTP %ld without a SOAP fault",
                  c->route->cap->service->name, res->http_status);
        failCall(c, &err, NULL);
    } else {
        logUpstream(c, "ok", res->total_ms / 1000.0);
        setState(c, CALL_DONE);
        exchange_succeed(c->ex, result.json, result.len, result.warnings,
                         result.n_warnings);
        freeCall(c);
    }
    translate_result_clear(&result);
}

/* prefix, value and suffix into buf, cut to size as snprintf cuts. */
static const char *joinHeader(char *buf, size_t size, const char *prefix,
                              const char *value, const char *suffix)
{
    const char *parts[] = {prefix, value, suffix};
    size_t at = 0;
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(parts[i]);
        if (n > size - 1 - at)
            n = size - 1 - at;
        memcpy(buf + at, parts[i], n);
        at += n;
    }
    buf[at] = 0;
    return buf;
}

/* Content-Type, SOAPAction (SOAP 1.1 only; 1.2 carries the action in the
 * content type), traceparent and X-Request-Id for the upstream call. */
static void buildHeaders(struct call *c)
{
    struct envelope_request er =
        translate_envelope_request(c->route->cap, NULL);
    char traceparent[EXCHANGE_TRACEPARENT_SIZE];
    size_t n = 0;
    envelope_content_type(&er, c->content_type, sizeof(c->content_type));
    c->headers[n++] = joinHeader(c->headers_text[0], sizeof(c->headers_text[0]),
                                 "Content-Type: ", c->content_type, "");
    if (er.version == ENVELOPE_SOAP11)
        c->headers[n++] =
            joinHeader(c->headers_text[1], sizeof(c->headers_text[1]),
                       "SOAPAction: \"", er.soap_action, "\"");
    c->headers[n++] = joinHeader(c->headers_text[2], sizeof(c->headers_text[2]),
                                 "traceparent: ",
                                 exchange_traceparent(c->ex, traceparent), "");
    c->headers[n++] = joinHeader(c->headers_text[3], sizeof(c->headers_text[3]),
                                 "X-Request-Id: ", c->ex->id, "");
    c->headers[n] = NULL;
}

void call_start(struct exchange *ex, const struct route *route)
{
    struct sb_error err;
    struct call *c = malloc(sizeof(*c));
    if (!c) {
        error_set(&err, "internal", "out of memory");
        exchange_fail(ex, &err, NULL);
        return;
    }
    memset(c, 0, offsetof(struct call, content_type));
    c->ex = ex;
    c->route = route;
    const struct snapshot *snap = ex->snap;
    size_t len;
    const char *body = exchange_body(ex, &len);
    c->envelope = translate_request(snap->cd, route->cap, body, len,
                                    &snap->limits,
                                    route->security.username
                                        ? &route->security : NULL,
                                    &c->envelope_len, &err);
    if (!c->envelope) {
        failCall(c, &err, NULL);
        return;
    }
    buildHeaders(c);
    struct upstream_request req = {
        .target = &route->target,
        .headers = c->headers,
        .body = c->envelope,
        .body_len = c->envelope_len,
    };
    setState(c, CALL_UPSTREAM);
    c->upstream = upstream_call_start(ex->worker->upstreams, &req,
                                      onUpstreamDone, c, &err);
    if (!c->upstream) {
        failCall(c, &err, NULL);
        return;
    }
    exchange_on_close(ex, cancelCall, c);
}
