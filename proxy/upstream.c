/*
 * upstream: plainhttp, or libcurl multi on a libevent loop (see
 * upstream.h).
 *
 * A plainhttp call is started, timed out (call->deadline) and delivered
 * here; plainhttp does the rest. Everything else below is libcurl's.
 *
 * curl tells us which sockets to watch (onCurlSocket) and when to wake it
 * (onCurlTimer); libevent tells curl when a socket is ready or the timer
 * expired (curl_multi_socket_action), and then we collect the finished
 * transfers (curl_multi_info_read). The pattern is curl's own
 * docs/examples/hiperfifo.c.
 *
 * A finished transfer is not handed to its caller right away: its done
 * callback runs from an event of its own (call->deliver), so it never
 * runs inside upstream_call_start nor inside a curl callback. That is what
 * lets a done callback start, cancel or free anything, and lets this file
 * free easy handles only from the loop, never from inside libcurl.
 *
 * A call has two states: CALL_RUNNING (the easy handle is in the multi
 * handle) and CALL_FINISHED (out of the multi handle, response filled,
 * deliver event active). Every call is on the pool's list until its
 * callback starts or it is cancelled.
 *
 * Easy handles outlive their calls: a finished call gives its handle
 * back to the pool, and the next call takes it (curl_easy_reset), which
 * costs a fraction of creating one. The pool keeps at most max_cached of
 * them, the most calls it has run at once.
 *
 * The total timeout is also kept by a timer of our own (call->deadline):
 * curl does not count it while a call waits in line for a free
 * connection (the per-host cap), so without it a call queued behind slow
 * calls with a longer timeout would wait for theirs instead of its own.
 */
#include "upstream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <event2/event_struct.h>

#include "plainhttp.h"
#include "strbuf.h"

enum call_state { CALL_RUNNING, CALL_FINISHED };

struct upstream_call {
    struct upstream_pool *pool;
    struct upstream_call *prev, *next;  /* the pool's list */
    enum call_state state;
    struct plainhttp_exchange *plain;   /* carried by plainhttp, or */
    CURL *easy;                         /* by libcurl */
    struct curl_slist *headers;
    upstream_done_fn done;
    void *arg;
    size_t max_bytes;
    int too_large;              /* onBody refused the answer */
    struct strbuf body;
    long timeout_ms;
    struct timespec started;    /* CLOCK_MONOTONIC */
    struct event deadline;      /* timeout_ms after the start */
    struct event deliver;
    struct upstream_response res;
    char errbuf[CURL_ERROR_SIZE];
};

/* One socket curl asked us to watch; curl keeps the pointer for us
 * (curl_multi_assign) and says when to forget it (CURL_POLL_REMOVE). */
struct watchedSocket {
    struct upstream_pool *pool;
    struct watchedSocket *prev, *next;  /* the pool's list */
    struct event ev;
};

struct upstream_pool {
    struct event_base *base;
    struct plainhttp_pool *plain;
    CURLM *multi;
    struct event timer;
    struct upstream_call *calls;
    struct watchedSocket *sockets;
    CURL **idle;                        /* easy handles for the next calls */
    size_t n_idle, max_idle;
    struct upstream_call *delivering;   /* its done callback is running */
    struct upstream_pool_stats stats;
};

static const char *const outcomeNames[] = {
    [UPSTREAM_OK] = "ok",
    [UPSTREAM_UNAVAILABLE] = "unavailable",
    [UPSTREAM_TIMEOUT] = "timeout",
    [UPSTREAM_TOO_LARGE] = "too_large",
    [UPSTREAM_TLS] = "tls",
    [UPSTREAM_ERROR] = "error",
};

const char *upstream_outcome_name(enum upstream_outcome outcome)
{
    if ((size_t)outcome >= sizeof(outcomeNames) / sizeof(outcomeNames[0]))
        return "error";
    return outcomeNames[outcome];
}

/* ---- the pool's lists ---- */

static void linkCall(struct upstream_pool *pool, struct upstream_call *call)
{
    call->next = pool->calls;
    if (pool->calls)
        pool->calls->prev = call;
    pool->calls = call;
    pool->stats.in_flight++;
}

static void unlinkCall(struct upstream_call *call)
{
    struct upstream_pool *pool = call->pool;
    if (call->prev)
        call->prev->next = call->next;
    else
        pool->calls = call->next;
    if (call->next)
        call->next->prev = call->prev;
    call->prev = call->next = NULL;
    pool->stats.in_flight--;
}

static void freeSocket(struct watchedSocket *s)
{
    struct upstream_pool *pool = s->pool;
    event_del(&s->ev);
    if (s->prev)
        s->prev->next = s->next;
    else
        pool->sockets = s->next;
    if (s->next)
        s->next->prev = s->prev;
    free(s);
}

/* ---- a call's life ---- */

/* The one place a call changes state (STYLE.md habit 14). */
static void setState(struct upstream_call *call, enum call_state next)
{
    call->state = next;
}

/* A reset easy handle: one the pool kept, else a new one. */
static CURL *takeEasy(struct upstream_pool *pool)
{
    if (!pool->n_idle)
        return curl_easy_init();
    CURL *easy = pool->idle[--pool->n_idle];
    curl_easy_reset(easy);
    return easy;
}

/* Only from the loop, never from inside a curl callback; the easy handle
 * is out of the multi handle by then. call->pool is NULL when a done
 * callback has freed the pool: the handle then goes with the call. */
static void freeCall(struct upstream_call *call)
{
    struct upstream_pool *pool = call->pool;
    plainhttp_release(call->plain);
    if (pool && call->easy && pool->n_idle < pool->max_idle)
        pool->idle[pool->n_idle++] = call->easy;
    else if (call->easy)
        curl_easy_cleanup(call->easy);
    curl_slist_free_all(call->headers);
    strbuf_free(&call->body);
    free(call);
}

/* New connections this transfer made; they count for the pool once the
 * transfer is over. */
static long countConnections(struct upstream_call *call)
{
    long n = 0;
    if (curl_easy_getinfo(call->easy, CURLINFO_NUM_CONNECTS, &n) != CURLE_OK)
        n = 0;
    call->pool->stats.connections_opened += (size_t)n;
    return n;
}

/* A TLS alert from the server read after the handshake: with TLS 1.3 a
 * server that rejects the client certificate says so only after the
 * client has finished its side of the handshake (RFC 8446, 4.4.2.4), so
 * curl sees it as a failed read. Its message is all that tells. */
static int tlsAlert(CURLcode rc, const char *message)
{
    return (rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR) &&
           strstr(message, "alert") != NULL;
}

static enum upstream_outcome outcomeOf(CURLcode rc, int too_large,
                                       long http_status, const char *message)
{
    if (!http_status && tlsAlert(rc, message))
        return UPSTREAM_TLS;
    switch (rc) {
    case CURLE_OK:
        return UPSTREAM_OK;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
        return UPSTREAM_UNAVAILABLE;
    /* Closed or reset before any answer; curl has already retried once
     * on a fresh connection when a kept-alive one had gone stale. */
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
        return http_status ? UPSTREAM_ERROR : UPSTREAM_UNAVAILABLE;
    case CURLE_OPERATION_TIMEDOUT:
        return UPSTREAM_TIMEOUT;
    case CURLE_FILESIZE_EXCEEDED:       /* Content-Length over the limit */
        return UPSTREAM_TOO_LARGE;
    case CURLE_WRITE_ERROR:             /* onBody refused */
        return too_large ? UPSTREAM_TOO_LARGE : UPSTREAM_ERROR;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED:
#if LIBCURL_VERSION_NUM >= 0x074d00
    case CURLE_SSL_CLIENTCERT:
#endif
        return UPSTREAM_TLS;
    default:
        return UPSTREAM_ERROR;
    }
}

static double milliseconds(CURL *easy, CURLINFO info)
{
    curl_off_t us = 0;
    if (curl_easy_getinfo(easy, info, &us) != CURLE_OK)
        return 0;
    return (double)us / 1000.0;
}

/* Includes any time spent waiting in line for a connection, which
 * curl's own total time does not. */
static double millisecondsSince(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) * 1000.0 +
           (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

static void fillResponse(struct upstream_call *call, CURLcode rc)
{
    struct upstream_response *res = &call->res;
    char *content_type = NULL;
    long connections = countConnections(call);
    curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &res->http_status);
    curl_easy_getinfo(call->easy, CURLINFO_CONTENT_TYPE, &content_type);
    res->content_type = content_type;   /* curl's, freed with the handle */
    res->outcome = outcomeOf(rc, call->too_large, res->http_status,
                             call->errbuf);
    res->connect_ms = milliseconds(call->easy, CURLINFO_CONNECT_TIME_T);
    res->total_ms = millisecondsSince(&call->started);
    res->reused_connection = res->outcome == UPSTREAM_OK && connections == 0;
    res->body = call->body.data ? call->body.data : "";
    res->body_len = call->body.len;
    if (res->outcome == UPSTREAM_TOO_LARGE)
        snprintf(res->message, sizeof(res->message),
                 "the answer is larger than max_response_bytes (%zu bytes)",
                 call->max_bytes);
    else if (strbuf_failed(&call->body))
        snprintf(res->message, sizeof(res->message),
                 "out of memory while reading the answer");
    else if (rc != CURLE_OK)
        snprintf(res->message, sizeof(res->message), "%s",
                 call->errbuf[0] ? call->errbuf : curl_easy_strerror(rc));
}

/* Called from the loop (onSocketEvent, onTimer) after curl has run, so
 * taking the handle out of the multi handle is allowed here. */
static void finishTransfer(struct upstream_call *call, CURLcode rc)
{
    evtimer_del(&call->deadline);
    curl_multi_remove_handle(call->pool->multi, call->easy);
    fillResponse(call, rc);
    setState(call, CALL_FINISHED);
    event_active(&call->deliver, EV_TIMEOUT, 1);
}

static void onDeliver(evutil_socket_t fd, short what, void *arg);

/* plainhttp has filled call->res, from an event of its own: deliver
 * right away. */
static void onPlainDone(void *arg)
{
    struct upstream_call *call = arg;
    evtimer_del(&call->deadline);
    call->res.total_ms = millisecondsSince(&call->started);
    setState(call, CALL_FINISHED);
    onDeliver(-1, 0, call);
}

/* The call's total timeout passed: curl had not reported it (the call
 * was waiting for a connection), or plainhttp, which leaves the total
 * timeout to this timer. */
static void onDeadline(evutil_socket_t fd, short what, void *arg)
{
    struct upstream_call *call = arg;
    (void)fd;
    (void)what;
    snprintf(call->errbuf, sizeof(call->errbuf),
             "no answer within %ld ms", call->timeout_ms);
    if (call->easy) {
        finishTransfer(call, CURLE_OPERATION_TIMEDOUT);
        return;
    }
    plainhttp_release(call->plain);     /* closes its connection */
    call->plain = NULL;
    call->res = (struct upstream_response){.outcome = UPSTREAM_TIMEOUT,
                                           .body = ""};
    snprintf(call->res.message, sizeof(call->res.message), "%s",
             call->errbuf);
    call->res.total_ms = millisecondsSince(&call->started);
    setState(call, CALL_FINISHED);
    event_active(&call->deliver, EV_TIMEOUT, 1);
}

/* The call's own event: hand the response over, then free the call. The
 * call leaves the pool's list before the callback runs, so that the
 * callback may cancel other calls or free the pool without touching this
 * one (upstream_pool_free then clears call->pool). */
static void onDeliver(evutil_socket_t fd, short what, void *arg)
{
    struct upstream_call *call = arg;
    (void)fd;
    (void)what;
    unlinkCall(call);
    call->pool->stats.calls_completed++;
    call->pool->delivering = call;
    call->done(&call->res, call->arg);
    if (call->pool)
        call->pool->delivering = NULL;
    freeCall(call);
}

static void readCompletions(struct upstream_pool *pool)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(pool->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        /* msg is invalid once the handle leaves the multi handle. */
        CURLcode rc = msg->data.result;
        char *priv = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
        finishTransfer((struct upstream_call *)priv, rc);
    }
}

/* ---- curl <-> libevent ---- */

static struct timeval timevalOf(long ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    return tv;
}

static void onSocketEvent(evutil_socket_t fd, short what, void *arg)
{
    struct watchedSocket *s = arg;
    struct upstream_pool *pool = s->pool;   /* s may be freed below */
    int flags = (what & EV_READ ? CURL_CSELECT_IN : 0) |
                (what & EV_WRITE ? CURL_CSELECT_OUT : 0);
    int running;
    curl_multi_socket_action(pool->multi, fd, flags, &running);
    readCompletions(pool);
}

static void onTimer(evutil_socket_t fd, short what, void *arg)
{
    struct upstream_pool *pool = arg;
    int running;
    (void)fd;
    (void)what;
    curl_multi_socket_action(pool->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    readCompletions(pool);
}

/* CURLMOPT_SOCKETFUNCTION: watch fd for what curl wants now. */
static int onCurlSocket(CURL *easy, curl_socket_t fd, int what, void *arg,
                        void *socketp)
{
    struct upstream_pool *pool = arg;
    struct watchedSocket *s = socketp;
    (void)easy;
    if (what == CURL_POLL_REMOVE) {
        if (s)
            freeSocket(s);
        return 0;
    }
    if (!s) {
        if (!(s = calloc(1, sizeof(*s))))
            return -1;
        s->pool = pool;
        s->next = pool->sockets;
        if (pool->sockets)
            pool->sockets->prev = s;
        pool->sockets = s;
        curl_multi_assign(pool->multi, fd, s);
    } else {
        event_del(&s->ev);
    }
    short events = EV_PERSIST | (what & CURL_POLL_IN ? EV_READ : 0) |
                   (what & CURL_POLL_OUT ? EV_WRITE : 0);
    event_assign(&s->ev, pool->base, fd, events, onSocketEvent, s);
    event_add(&s->ev, NULL);
    return 0;
}

/* CURLMOPT_TIMERFUNCTION: curl wants to be woken after timeout_ms (-1:
 * never). Calling curl from here is not allowed; the timer does it. */
static int onCurlTimer(CURLM *multi, long timeout_ms, void *arg)
{
    struct upstream_pool *pool = arg;
    (void)multi;
    if (timeout_ms < 0) {
        evtimer_del(&pool->timer);
        return 0;
    }
    struct timeval tv = timevalOf(timeout_ms);
    evtimer_add(&pool->timer, &tv);
    return 0;
}

/* ---- the pool ---- */

struct upstream_pool *upstream_pool_new(struct event_base *base,
                                        long max_per_host, long max_cached,
                                        struct sb_error *err)
{
    if (max_per_host <= 0)
        max_per_host = UPSTREAM_DEFAULT_MAX_CONNECTIONS;
    if (max_cached < max_per_host)
        max_cached = max_per_host;
    struct upstream_pool *pool = calloc(1, sizeof(*pool));
    if (!pool || !(pool->idle = calloc((size_t)max_cached, sizeof(CURL *))) ||
        !(pool->plain = plainhttp_pool_new(base, max_per_host, max_cached)) ||
        !(pool->multi = curl_multi_init())) {
        if (pool) {
            free(pool->idle);
            plainhttp_pool_free(pool->plain);
        }
        free(pool);
        error_set(err, "internal", "cannot create the upstream pool: "
                  "out of memory");
        return NULL;
    }
    pool->max_idle = (size_t)max_cached;
    pool->base = base;
    evtimer_assign(&pool->timer, base, onTimer, pool);
    CURLM *m = pool->multi;
    curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, onCurlSocket);
    curl_multi_setopt(m, CURLMOPT_SOCKETDATA, pool);
    curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, onCurlTimer);
    curl_multi_setopt(m, CURLMOPT_TIMERDATA, pool);
    curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, max_per_host);
    curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, max_cached);
    return pool;
}

void upstream_pool_free(struct upstream_pool *pool)
{
    if (!pool)
        return;
    while (pool->calls) {
        struct upstream_call *call = pool->calls;
        upstream_call_cancel(call);
    }
    if (pool->delivering)   /* freed from its done callback */
        pool->delivering->pool = NULL;
    plainhttp_pool_free(pool->plain);
    curl_multi_cleanup(pool->multi);    /* closes the kept connections */
    while (pool->sockets)               /* any curl did not remove */
        freeSocket(pool->sockets);
    evtimer_del(&pool->timer);
    while (pool->n_idle)
        curl_easy_cleanup(pool->idle[--pool->n_idle]);
    free(pool->idle);
    free(pool);
}

void upstream_pool_stats(const struct upstream_pool *pool,
                         struct upstream_pool_stats *out)
{
    if (!pool) {
        memset(out, 0, sizeof(*out));
        return;
    }
    *out = pool->stats;
    out->connections_opened += plainhttp_connections_opened(pool->plain);
}

/* ---- starting and cancelling ---- */

/* CURLOPT_WRITEFUNCTION: keep the answer, at most max_bytes of it
 * (returning less than given makes curl stop with CURLE_WRITE_ERROR). */
static size_t onBody(char *data, size_t size, size_t n, void *arg)
{
    struct upstream_call *call = arg;
    size_t len = size * n;
    if (len > call->max_bytes - call->body.len) {
        call->too_large = 1;
        return 0;
    }
    strbuf_append(&call->body, data, len);
    return strbuf_failed(&call->body) ? 0 : len;
}

/* The caller's headers, after an empty "Expect:" that keeps curl from
 * sending "Expect: 100-continue" and waiting for a 100 that legacy
 * servers often never send. */
static int buildHeaders(struct upstream_call *call, const char *const *headers)
{
    struct curl_slist *list = curl_slist_append(NULL, "Expect:");
    for (size_t i = 0; list && headers && headers[i]; i++) {
        struct curl_slist *grown = curl_slist_append(list, headers[i]);
        if (!grown) {
            curl_slist_free_all(list);
            list = NULL;
        }
        list = grown;
    }
    call->headers = list;
    return list ? 0 : -1;
}

static int setTls(CURL *e, const struct upstream_target *t)
{
    int ok = 1;
    if (t->ca_file)
        ok &= curl_easy_setopt(e, CURLOPT_CAINFO, t->ca_file) == CURLE_OK;
    if (t->cert_file)
        ok &= curl_easy_setopt(e, CURLOPT_SSLCERT, t->cert_file) == CURLE_OK;
    if (t->key_file)
        ok &= curl_easy_setopt(e, CURLOPT_SSLKEY, t->key_file) == CURLE_OK;
    if (t->insecure) {
        ok &= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L) == CURLE_OK;
        ok &= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L) == CURLE_OK;
    }
    return ok ? 0 : -1;
}

static int setAuth(CURL *e, const struct upstream_target *t)
{
    int ok = 1;
    if (t->auth == UPSTREAM_AUTH_NONE)
        return 0;
    ok &= curl_easy_setopt(e, CURLOPT_HTTPAUTH,
                           t->auth == UPSTREAM_AUTH_NTLM ? CURLAUTH_NTLM
                                                         : CURLAUTH_BASIC)
          == CURLE_OK;
    ok &= curl_easy_setopt(e, CURLOPT_USERNAME,
                           t->username ? t->username : "") == CURLE_OK;
    ok &= curl_easy_setopt(e, CURLOPT_PASSWORD,
                           t->password ? t->password : "") == CURLE_OK;
    return ok ? 0 : -1;
}

static int setBody(CURL *e, const struct upstream_request *req)
{
    int ok = 1;
    if (!req->body)
        return curl_easy_setopt(e, CURLOPT_HTTPGET, 1L) == CURLE_OK ? 0 : -1;
    ok &= curl_easy_setopt(e, CURLOPT_POST, 1L) == CURLE_OK;
    ok &= curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                           (curl_off_t)req->body_len) == CURLE_OK;
    /* Not copied: the caller keeps the body until the call ends. */
    ok &= curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body) == CURLE_OK;
    return ok ? 0 : -1;
}

static long orDefault(long value, long fallback)
{
    return value > 0 ? value : fallback;
}

/* Every option of one call. Redirects are not followed (the default;
 * a 3xx comes back to the caller) and only http/https may be spoken. */
static int configureEasy(struct upstream_call *call,
                         const struct upstream_request *req)
{
    const struct upstream_target *t = req->target;
    CURL *e = call->easy;
    int ok = 1;
    ok &= curl_easy_setopt(e, CURLOPT_URL, t->url) == CURLE_OK;
#if LIBCURL_VERSION_NUM >= 0x075500
    ok &= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
#else
    ok &= curl_easy_setopt(e, CURLOPT_PROTOCOLS,
                           (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS))
          == CURLE_OK;
#endif
    ok &= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
    /* Signals are the daemon's; curl must not raise or catch any. */
    ok &= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
    /* HTTP/1.1 only: no multiplexing, so the pool size is the number of
     * calls a legacy service sees at once. */
    ok &= curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
                           (long)CURL_HTTP_VERSION_1_1) == CURLE_OK;
    ok &= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                           orDefault(t->connect_timeout_ms,
                                     UPSTREAM_DEFAULT_CONNECT_TIMEOUT_MS))
          == CURLE_OK;
    ok &= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, call->timeout_ms)
          == CURLE_OK;
    ok &= curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L) == CURLE_OK;
    ok &= curl_easy_setopt(e, CURLOPT_USERAGENT, "soapbridge") == CURLE_OK;
    ok &= curl_easy_setopt(e, CURLOPT_HTTPHEADER, call->headers) == CURLE_OK;
    /* A declared Content-Length over the limit fails before any body. */
    ok &= curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
                           (curl_off_t)call->max_bytes) == CURLE_OK;
    ok &= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, onBody) == CURLE_OK;
    ok &= curl_easy_setopt(e, CURLOPT_WRITEDATA, call) == CURLE_OK;
    ok &= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, call->errbuf) == CURLE_OK;
    ok &= curl_easy_setopt(e, CURLOPT_PRIVATE, call) == CURLE_OK;
    if (!ok || setBody(e, req) < 0 || setTls(e, t) < 0 || setAuth(e, t) < 0)
        return -1;
    return 0;
}

static int ntlmAvailable(void)
{
    const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    return info && (info->features & CURL_VERSION_NTLM);
}

/* libcurl carries the call: https, NTLM, a proxy, an unusual URL. */
static int startCurl(struct upstream_call *call,
                     const struct upstream_request *req, struct sb_error *err)
{
    const struct upstream_target *t = req->target;
    if (t->auth == UPSTREAM_AUTH_NTLM && !ntlmAvailable())
        return error_set(err, "internal", "%s: NTLM authentication is "
                         "configured but this libcurl was built without "
                         "NTLM", t->url);
    if (!(call->easy = takeEasy(call->pool)) ||
        buildHeaders(call, req->headers) < 0 ||
        configureEasy(call, req) < 0 ||
        curl_multi_add_handle(call->pool->multi, call->easy) != CURLM_OK)
        return error_set(err, "internal", "%s: cannot start the call "
                         "(out of memory)", t->url);
    return 0;
}

static int startPlain(struct upstream_call *call,
                      const struct upstream_request *req, struct sb_error *err)
{
    call->plain = plainhttp_start(call->pool->plain, req, call->max_bytes,
                                  &call->res, onPlainDone, call);
    if (!call->plain)
        return error_set(err, "internal", "%s: cannot start the call (%s)",
                         req->target->url, call->res.message);
    return 0;
}

struct upstream_call *upstream_call_start(struct upstream_pool *pool,
                                          const struct upstream_request *req,
                                          upstream_done_fn done, void *arg,
                                          struct sb_error *err)
{
    const struct upstream_target *t = req->target;
    if (!t || !t->url || !t->url[0]) {
        error_set(err, "internal", "upstream call without a URL");
        return NULL;
    }
    struct upstream_call *call = calloc(1, sizeof(*call));
    if (!call) {
        error_set(err, "internal", "%s: out of memory", t->url);
        return NULL;
    }
    call->pool = pool;
    call->done = done;
    call->arg = arg;
    call->max_bytes = t->max_response_bytes ? t->max_response_bytes
                                            : UPSTREAM_DEFAULT_MAX_RESPONSE_BYTES;
    call->timeout_ms = orDefault(t->timeout_ms, UPSTREAM_DEFAULT_TIMEOUT_MS);
    clock_gettime(CLOCK_MONOTONIC, &call->started);
    strbuf_init(&call->body);
    setState(call, CALL_RUNNING);
    evtimer_assign(&call->deadline, pool->base, onDeadline, call);
    event_assign(&call->deliver, pool->base, -1, 0, onDeliver, call);
    int plain = plainhttp_takes(pool->plain, t);
    if ((plain ? startPlain(call, req, err) : startCurl(call, req, err)) < 0) {
        freeCall(call);
        return NULL;
    }
    struct timeval tv = timevalOf(call->timeout_ms);
    evtimer_add(&call->deadline, &tv);
    linkCall(pool, call);
    /* curl has asked for a timer of 0 ms to start the transfer; start it
     * now instead, which saves a turn of the loop. Whatever finishes is
     * still delivered from its own event, never from here. */
    if (!plain)
        onTimer(-1, 0, pool);
    return call;
}

void upstream_call_cancel(struct upstream_call *call)
{
    if (!call)
        return;
    if (call->state == CALL_RUNNING) {
        /* Closes its connection: a half-done exchange cannot be reused. */
        evtimer_del(&call->deadline);
        if (call->easy) {
            curl_multi_remove_handle(call->pool->multi, call->easy);
            countConnections(call);
        }
    } else {
        event_del(&call->deliver);
    }
    unlinkCall(call);
    freeCall(call);     /* releases a plainhttp exchange */
}
