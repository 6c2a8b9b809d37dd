/*
 * api: routing and the listing documents (see api.h).
 */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yajl/yajl_gen.h>

#include "call.h"
#include "canon.h"
#include "exchange.h"
#include "jsonschema.h"
#include "strbuf.h"

#define JSON_TYPE "application/json; charset=utf-8"

/* ---- the listing documents ---- */

static int genCapability(yajl_gen g, const struct route *r, int zero_config,
                         struct sb_error *err)
{
    const struct capability *cap = r->cap;
    char path[512];
    yajl_gen_map_open(g);
    canon_gen_string(g, "name");
    canon_gen_string(g, zero_config ? cap->operation->name : cap->name);
    if (zero_config) {
        snprintf(path, sizeof(path), "/v1/services/%s/%s", cap->service->name,
                 cap->operation->name);
    } else {
        canon_gen_string(g, "description");
        canon_gen_string(g, cap->mapping->description ? cap->mapping->description
                                               : "");
        canon_gen_string(g, "access");
        canon_gen_string(g, cap->mapping->access == MAPPING_WRITE ? "write" : "read");
        snprintf(path, sizeof(path), "/v1/capabilities/%s", cap->name);
    }
    canon_gen_string(g, "path");
    canon_gen_string(g, path);
    canon_gen_string(g, "source");
    canon_gen_string(g, r->source);
    canon_gen_string(g, "soap_version");
    canon_gen_string(g, cap->soap_version == 12 ? "1.2" : "1.1");
    canon_gen_string(g, "input_schema");
    if (jsonschema_gen_input(g, cap, err) < 0)
        return -1;
    canon_gen_string(g, "output_schema");
    if (jsonschema_gen_output(g, cap, err) < 0)
        return -1;
    yajl_gen_map_close(g);
    return 0;
}

/* Copy the generator's text out and reset it for the next document. */
static char *takeText(yajl_gen g, size_t *len)
{
    const unsigned char *buf;
    size_t n;
    if (yajl_gen_get_buf(g, &buf, &n) != yajl_gen_status_ok)
        return NULL;
    char *text = malloc(n + 1);
    if (text) {
        memcpy(text, buf, n);
        text[n] = '\0';
        *len = n;
    }
    yajl_gen_reset(g, NULL);
    yajl_gen_clear(g);
    return text;
}

static int buildCapabilityDocs(struct snapshot *s, yajl_gen g,
                               struct sb_error *err)
{
    s->capability_docs = calloc(s->n_routes + 1, sizeof(char *));
    s->capability_lens = calloc(s->n_routes + 1, sizeof(size_t));
    if (!s->capability_docs || !s->capability_lens)
        return error_set(err, "internal", "out of memory");
    for (size_t i = 0; i < s->n_routes; i++) {
        if (genCapability(g, &s->routes[i], 0, err) < 0)
            return -1;
        if (!(s->capability_docs[i] = takeText(g, &s->capability_lens[i])))
            return error_set(err, "internal", "out of memory");
    }
    yajl_gen_map_open(g);
    canon_gen_string(g, "capabilities");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < s->n_routes; i++)
        if (genCapability(g, &s->routes[i], 0, err) < 0)
            return -1;
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    if (!(s->capabilities_doc = takeText(g, &s->capabilities_len)))
        return error_set(err, "internal", "out of memory");
    return 0;
}

/* A file of the configuration folder by its name inside the folder, as
 * the mappings name it ("wsdl/shipping.wsdl"). */
static const char *relativeName(const char *file, const char *dir)
{
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    if (strncmp(file, dir, len) == 0 && file[len] == '/')
        return file + len + 1;
    return file;
}

/* {"services":[{"name":..,"wsdl":..,"operations":[..]}]}; operations are
 * sorted by "Service.Operation", so each service's are together. */
static int buildServicesDoc(struct snapshot *s, yajl_gen g,
                            struct sb_error *err)
{
    yajl_gen_map_open(g);
    canon_gen_string(g, "services");
    yajl_gen_array_open(g);
    const struct wsdl_service *open = NULL;
    for (size_t i = 0; i < s->n_operations; i++) {
        const struct capability *cap = s->operations[i].cap;
        if (cap->service != open) {
            if (open) {
                yajl_gen_array_close(g);
                yajl_gen_map_close(g);
            }
            open = cap->service;
            yajl_gen_map_open(g);
            canon_gen_string(g, "name");
            canon_gen_string(g, cap->service->name);
            canon_gen_string(g, "wsdl");
            canon_gen_string(g, relativeName(cap->wsdl->file, s->cd->dir));
            canon_gen_string(g, "endpoint");
            canon_gen_string(g, s->operations[i].target.url);
            canon_gen_string(g, "operations");
            yajl_gen_array_open(g);
        }
        if (genCapability(g, &s->operations[i], 1, err) < 0)
            return -1;
    }
    if (open) {
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    if (!(s->services_doc = takeText(g, &s->services_len)))
        return error_set(err, "internal", "out of memory");
    return 0;
}

int api_build_documents(struct snapshot *snap, struct sb_error *err)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return error_set(err, "internal", "out of memory");
    int rc = buildCapabilityDocs(snap, g, err);
    if (rc == 0)
        rc = buildServicesDoc(snap, g, err);
    yajl_gen_free(g);
    return rc;
}

void api_free_documents(struct snapshot *snap)
{
    for (size_t i = 0; snap->capability_docs && i < snap->n_routes; i++)
        free(snap->capability_docs[i]);
    free(snap->capability_docs);
    free(snap->capability_lens);
    free(snap->capabilities_doc);
    free(snap->services_doc);
    snap->capability_docs = NULL;
    snap->capability_lens = NULL;
    snap->capabilities_doc = snap->services_doc = NULL;
}

/* ---- small replies ---- */

static void failWith(struct exchange *ex, const char *code, const char *fmt,
                     const char *arg)
{
    struct sb_error err;
    error_set(&err, code, fmt, arg);
    exchange_fail(ex, &err, NULL);
}

static void methodNotAllowed(struct exchange *ex, const char *allow)
{
    httpserv_add_header(ex->req, "Allow", allow);
    failWith(ex, "method_not_allowed", "use %s", allow);
}

static void replyJson(struct exchange *ex, const char *doc, size_t len)
{
    exchange_reply(ex, 200, JSON_TYPE, doc, len, NULL);
}

static void replyMetrics(struct exchange *ex)
{
    struct strbuf out;
    struct upstream_pool_stats st;
    upstream_pool_stats(ex->worker->upstreams, &st);
    metrics_upstream_pool(ex->worker->metrics, st.in_flight,
                          st.connections_opened);
    const struct server_shared *sh = ex->worker->shared;
    size_t *clients = calloc(sh->n_workers, sizeof(*clients));
    for (size_t g = 0; clients && g < sh->n_client_groups; g++)
        for (size_t i = 0; i < sh->n_workers; i++)
            clients[i] += httpserv_group_connections(sh->client_groups[g], i);
    strbuf_init(&out);
    if (!clients)
        strbuf_fail(&out);
    metrics_render(sh->metrics, clients, &out);
    free(clients);
    if (strbuf_failed(&out))
        failWith(ex, "internal", "%s", "out of memory");
    else
        exchange_reply(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                       out.data ? out.data : "", out.len, NULL);
    strbuf_free(&out);
}

/* ---- /readyz: one probe per distinct upstream URL ---- */

struct probe {
    struct readiness *rd;
    struct upstream_call *call;
    struct upstream_target target;
    int reachable;
    long http_status;
    char message[SB_ERROR_MESSAGE_MAX + 64];
};

struct readiness {
    struct exchange *ex;
    size_t pending;
    struct probe *probes;   /* one per snap->upstream_targets */
};

static void finishReadiness(struct readiness *rd)
{
    const struct snapshot *s = rd->ex->snap;
    int ready = 1;
    yajl_gen g = yajl_gen_alloc(NULL);
    for (size_t i = 0; i < s->n_upstream_targets; i++)
        ready &= rd->probes[i].reachable;
    yajl_gen_map_open(g);
    canon_gen_string(g, "ready");
    yajl_gen_bool(g, ready);
    canon_gen_string(g, "capabilities");
    yajl_gen_integer(g, (long long)s->n_routes);
    canon_gen_string(g, "operations");
    yajl_gen_integer(g, (long long)s->n_operations);
    canon_gen_string(g, "upstreams");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < s->n_upstream_targets; i++) {
        const struct probe *p = &rd->probes[i];
        yajl_gen_map_open(g);
        canon_gen_string(g, "url");
        canon_gen_string(g, s->upstream_targets[i]->url);
        canon_gen_string(g, "reachable");
        yajl_gen_bool(g, p->reachable);
        if (p->reachable) {
            canon_gen_string(g, "http_status");
            yajl_gen_integer(g, p->http_status);
        } else {
            canon_gen_string(g, "error");
            canon_gen_string(g, p->message);
        }
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    const unsigned char *buf = NULL;
    size_t len = 0;
    yajl_gen_get_buf(g, &buf, &len);
    exchange_reply(rd->ex, ready ? 200 : 503, JSON_TYPE, (const char *)buf, len,
                   ready ? NULL : "not_ready");
    yajl_gen_free(g);
    free(rd->probes);
    free(rd);
}

static void onProbeDone(const struct upstream_response *res, void *arg)
{
    struct probe *p = arg;
    p->call = NULL;
    p->reachable = res->outcome == UPSTREAM_OK;
    p->http_status = res->http_status;
    snprintf(p->message, sizeof(p->message), "%s: %s",
             upstream_outcome_name(res->outcome), res->message);
    if (--p->rd->pending == 0)
        finishReadiness(p->rd);
}

static void cancelReadiness(void *arg)
{
    struct readiness *rd = arg;
    const struct snapshot *s = rd->ex->snap;
    for (size_t i = 0; i < s->n_upstream_targets; i++)
        if (rd->probes[i].call) {
            upstream_call_cancel(rd->probes[i].call);
            rd->probes[i].call = NULL;
            snprintf(rd->probes[i].message, sizeof(rd->probes[i].message),
                     "the client closed the connection");
        }
    finishReadiness(rd);
}

/* Reachable means the URL answered HTTP at all (a GET on a SOAP endpoint
 * usually answers 405 or a fault); refused, timed out or TLS failures
 * are not. */
static void replyReadiness(struct exchange *ex)
{
    const struct snapshot *s = ex->snap;
    size_t n = s->n_upstream_targets;
    struct readiness *rd = calloc(1, sizeof(*rd));
    if (!rd || !(rd->probes = calloc(n + 1, sizeof(*rd->probes)))) {
        free(rd);
        failWith(ex, "internal", "%s", "out of memory");
        return;
    }
    rd->ex = ex;
    rd->pending = n + 1;    /* +1 held until every probe has started */
    for (size_t i = 0; i < n; i++) {
        struct probe *p = &rd->probes[i];
        struct sb_error err;
        p->rd = rd;
        p->target = *s->upstream_targets[i];
        p->target.connect_timeout_ms = 1000;
        p->target.timeout_ms = 2000;
        struct upstream_request req = {.target = &p->target};
        if (!(p->call = upstream_call_start(ex->worker->upstreams, &req,
                                            onProbeDone, p, &err))) {
            snprintf(p->message, sizeof(p->message), "%s", err.message);
            rd->pending--;
        }
    }
    if (--rd->pending == 0) {
        finishReadiness(rd);
        return;
    }
    exchange_on_close(ex, cancelReadiness, rd);
}

/* ---- routing ---- */

static const struct route *findRoute(const struct route *routes, size_t n,
                                     const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(name, routes[mid].cap->name);
        if (c == 0)
            return &routes[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* application/json, or any type with a +json suffix; parameters such as
 * charset are allowed. A request without Content-Type is taken as JSON
 * (curl -d users forget it less often than they forget -H). */
static int isJsonType(const char *type)
{
    if (!type)
        return 1;
    size_t len = strcspn(type, ";");
    while (len && (type[len - 1] == ' ' || type[len - 1] == '\t'))
        len--;
    if (len == 16 && strncasecmp(type, "application/json", 16) == 0)
        return 1;
    return len > 5 && strncasecmp(type + len - 5, "+json", 5) == 0;
}

static void postCall(struct exchange *ex, const struct route *route)
{
    const char *type = httpserv_header(ex->req, "Content-Type");
    ex->route = route;
    if (!isJsonType(type)) {
        failWith(ex, "unsupported_media_type",
                 "the request body must be JSON (Content-Type: "
                 "application/json), not %s", type);
        return;
    }
    call_start(ex, route);
}

static void routeCapability(struct exchange *ex, const char *name,
                            const char *method)
{
    const struct snapshot *s = ex->snap;
    const struct route *r = findRoute(s->routes, s->n_routes, name);
    if (!r) {
        failWith(ex, "unknown_capability",
                 "no capability named '%s' (GET /v1/capabilities lists them)",
                 name);
        return;
    }
    if (strcmp(method, "POST") == 0)
        postCall(ex, r);
    else if (strcmp(method, "GET") == 0) {
        size_t i = (size_t)(r - s->routes);
        replyJson(ex, s->capability_docs[i], s->capability_lens[i]);
    } else
        methodNotAllowed(ex, "GET, POST");
}

static void routeService(struct exchange *ex, const char *rest,
                         const char *method)
{
    const struct snapshot *s = ex->snap;
    char name[512];
    const char *slash = strchr(rest, '/');
    if (!slash || strchr(slash + 1, '/') ||
        snprintf(name, sizeof(name), "%.*s.%s", (int)(slash - rest), rest,
                 slash + 1) >= (int)sizeof(name)) {
        failWith(ex, "not_found", "no such path: use /v1/services/%s",
                 "SERVICE/OPERATION");
        return;
    }
    const struct route *r = findRoute(s->operations, s->n_operations, name);
    if (!r) {
        failWith(ex, "unknown_capability",
                 "no operation '%s' (GET /v1/services lists them)", name);
        return;
    }
    if (strcmp(method, "POST") != 0) {
        methodNotAllowed(ex, "POST");
        return;
    }
    postCall(ex, r);
}

static void routeGet(struct exchange *ex, const char *method,
                     const char *doc, size_t len)
{
    if (strcmp(method, "GET") == 0)
        replyJson(ex, doc, len);
    else
        methodNotAllowed(ex, "GET");
}

static void route(struct exchange *ex, const char *path)
{
    const struct snapshot *s = ex->snap;
    const char *method = httpserv_method(ex->req);
    static const char caps[] = "/v1/capabilities/";
    static const char svcs[] = "/v1/services/";
    if (strncmp(path, caps, sizeof(caps) - 1) == 0 && path[sizeof(caps) - 1])
        routeCapability(ex, path + sizeof(caps) - 1, method);
    else if (strcmp(path, "/v1/capabilities") == 0)
        routeGet(ex, method, s->capabilities_doc, s->capabilities_len);
    else if (s->conf->zero_config && strcmp(path, "/v1/services") == 0)
        routeGet(ex, method, s->services_doc, s->services_len);
    else if (s->conf->zero_config &&
             strncmp(path, svcs, sizeof(svcs) - 1) == 0)
        routeService(ex, path + sizeof(svcs) - 1, method);
    else if (strcmp(path, "/healthz") == 0)
        routeGet(ex, method, "{\"status\":\"ok\"}", 15);
    else if ((strcmp(path, "/readyz") == 0 || strcmp(path, "/metrics") == 0) &&
             strcmp(method, "GET") != 0)
        methodNotAllowed(ex, "GET");
    else if (strcmp(path, "/readyz") == 0)
        replyReadiness(ex);
    else if (strcmp(path, "/metrics") == 0)
        replyMetrics(ex);
    else
        failWith(ex, "not_found", "no such path: %s", path);
}

static int hexValue(char ch)
{
    return ch >= '0' && ch <= '9'   ? ch - '0'
           : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
           : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                    : -1;
}

/* The path of a request target, %XX decoded (query and fragment
 * dropped; an absolute-form target gives its path). NULL when out of
 * memory or when it decodes to a NUL. */
static char *targetPath(const char *target)
{
    const char *scheme = strstr(target, "://");
    if (target[0] != '/' && scheme) {
        target = strchr(scheme + 3, '/');
        if (!target)
            target = "/";
    }
    size_t len = strcspn(target, "?#");
    char *path = malloc(len + 1), *out = path;
    if (!path)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        int hi, lo;
        if (target[i] == '%' && i + 2 < len &&
            (hi = hexValue(target[i + 1])) >= 0 &&
            (lo = hexValue(target[i + 2])) >= 0) {
            *out++ = (char)(hi * 16 + lo);
            i += 2;
        } else
            *out++ = target[i];
    }
    *out = '\0';
    if ((size_t)(out - path) != strlen(path)) {
        free(path);
        return NULL;
    }
    return path;
}

void api_handle(struct httpserv_request *req, void *arg)
{
    struct exchange *ex = exchange_new(arg, req);
    if (!ex)
        return;
    const char *message;
    const char *problem = httpserv_problem(req, &message);
    size_t max_body = ex->snap->conf->limits.max_body_bytes;
    char *path = problem ? NULL : targetPath(httpserv_target(req));
    if (problem && strcmp(problem, "body_too_large") != 0)
        failWith(ex, problem, "%s", message);
    else if (problem) {
        char limit[32];
        snprintf(limit, sizeof(limit), "%zu", max_body);
        failWith(ex, "body_too_large",
                 "the request body is larger than the limit of %s bytes "
                 "(limits.max_body_bytes)", limit);
    } else if (!path)
        failWith(ex, "not_found", "no such path: %s", httpserv_target(req));
    else
        route(ex, path);
    free(path);
}
