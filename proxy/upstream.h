/*
 * upstream: the daemon's HTTP client towards the legacy services
 * (DESIGN.md, step 6 "upstream call").
 *
 * One struct upstream_pool per worker thread, driven by that worker's
 * libevent event_base, so many calls run at once on one thread without
 * blocking it. A call goes to plainhttp (plain http://, no NTLM, no
 * proxy in the environment: our own HTTP/1.1 client) or else to the
 * pool's libcurl multi handle (https, mTLS, NTLM, proxies); both keep
 * connections open between calls for the next call to the same host,
 * the pool size capping them. This interface is the same for both.
 *
 * Threads: a pool and its calls belong to the thread that runs its
 * event_base; nothing here takes a lock. (libcurl may still resolve host
 * names on a helper thread of its own; that is inside libcurl.)
 *
 * Process set-up: the module does NOT call curl_global_init(); main()
 * calls it once before any worker starts (and tests in their setup).
 * Proxies: libcurl's usual environment variables (http_proxy,
 * https_proxy, all_proxy, no_proxy) apply; with http_proxy or all_proxy
 * set, plain http:// calls go through libcurl too.
 */
#ifndef SB_UPSTREAM_H
#define SB_UPSTREAM_H

#include <stddef.h>

#include <event2/event.h>

#include "error.h"

struct upstream_pool;
struct upstream_call;

/* Defaults for the zero values of struct upstream_target. */
#define UPSTREAM_DEFAULT_CONNECT_TIMEOUT_MS 2000
#define UPSTREAM_DEFAULT_TIMEOUT_MS 30000
#define UPSTREAM_DEFAULT_MAX_RESPONSE_BYTES (16u * 1024 * 1024)
/* Default for a pool size <= 0. */
#define UPSTREAM_DEFAULT_MAX_CONNECTIONS 16

enum upstream_auth {
    UPSTREAM_AUTH_NONE,
    UPSTREAM_AUTH_BASIC,
    UPSTREAM_AUTH_NTLM,     /* needs a libcurl built with NTLM */
};

/* One legacy service: where it is and how to reach it. Built once with
 * the configuration and only read afterwards, so one target may serve
 * every worker. libcurl copies the strings when a call starts: the
 * target only has to live until upstream_call_start returns. */
struct upstream_target {
    const char *url;                /* http:// or https:// only */
    long connect_timeout_ms;        /* 0 = UPSTREAM_DEFAULT_CONNECT_... */
    long timeout_ms;                /* the whole call from its start,
                                       waiting for a free connection
                                       included; 0 = default */
    const char *ca_file;            /* verify the server against this CA
                                       (PEM); NULL = the system's CAs */
    const char *cert_file;          /* mTLS client certificate (PEM) */
    const char *key_file;           /* its private key; NULL = in cert_file */
    int insecure;                   /* skip server verification: for tests
                                       only, never in production */
    enum upstream_auth auth;
    const char *username, *password;
    size_t max_response_bytes;      /* 0 = UPSTREAM_DEFAULT_MAX_... */
};

/* One HTTP request. With a body it is a POST, without (body NULL) a GET
 * (the /readyz probe). headers are "Name: value" strings, NULL-terminated
 * (headers may be NULL); they are copied. The body is NOT copied: it must
 * stay valid until the done callback has run or the call is cancelled.
 * No "Expect: 100-continue" is sent, redirects are not followed (a 3xx
 * comes back as it is), only http and https are allowed. */
struct upstream_request {
    const struct upstream_target *target;
    const char *const *headers;
    const char *body;
    size_t body_len;
};

enum upstream_outcome {
    UPSTREAM_OK,            /* an HTTP answer, whatever its status: a 500
                               with a SOAP fault is OK, the caller parses */
    UPSTREAM_UNAVAILABLE,   /* refused, unknown host, or the connection
                               closed or reset before any answer */
    UPSTREAM_TIMEOUT,       /* connect timeout or total timeout */
    UPSTREAM_TOO_LARGE,     /* the answer exceeded max_response_bytes */
    UPSTREAM_TLS,           /* handshake or certificate problem, or a
                               TLS alert from the server (a refused
                               client certificate, with TLS 1.3) */
    UPSTREAM_ERROR,         /* any other transport error (message says) */
};

/* What came back. Everything it points to is valid only during the done
 * callback; copy what must outlive it. */
struct upstream_response {
    enum upstream_outcome outcome;
    long http_status;           /* 0 when no answer arrived */
    const char *content_type;   /* NULL when the answer had none */
    const char *body;           /* never NULL, NUL-terminated ("" if none) */
    size_t body_len;            /* bytes received, also when not OK */
    double connect_ms;          /* 0 when a kept-alive connection was used */
    double total_ms;            /* from upstream_call_start, waiting for
                                   a free connection included */
    int reused_connection;      /* 1: answered on a kept-alive connection */
    char message[256];          /* why, when not OK (curl's words or
                                   ours); "" when OK */
};

/* Runs once per started call that is not cancelled, always from the
 * event loop, never inside upstream_call_start. The call handle is gone
 * once it runs (do not cancel it). It may start new calls, cancel other
 * calls of the pool, and even free the pool. */
typedef void (*upstream_done_fn)(const struct upstream_response *res,
                                 void *arg);

struct upstream_pool_stats {
    size_t in_flight;           /* started, neither delivered nor cancelled */
    size_t connections_opened;  /* new connections, counted as calls end */
    size_t calls_completed;     /* done callbacks run */
};

/* A pool on `base` (which must outlive it). max_per_host caps the
 * connections open to one host at once (more calls wait in line for one
 * to be free; <= 0 means UPSTREAM_DEFAULT_MAX_CONNECTIONS); max_cached
 * caps the idle connections kept for reuse, over all hosts (at least
 * max_per_host). Caller owns the pool (upstream_pool_free). NULL with err
 * set ("internal") on failure. */
struct upstream_pool *upstream_pool_new(struct event_base *base,
                                        long max_per_host, long max_cached,
                                        struct sb_error *err);

/* Abort every call still running, without calling its callback, close
 * the kept connections and free the pool. NULL is a no-op. */
void upstream_pool_free(struct upstream_pool *pool);

/* Start one call; `done(res, arg)` runs later from the event loop. The
 * returned handle belongs to the pool: it is only for
 * upstream_call_cancel, and is invalid once done has started. NULL with
 * err set ("internal") when the call cannot even start (no URL, out of
 * memory, NTLM without libcurl support); done is then never called. */
struct upstream_call *upstream_call_start(struct upstream_pool *pool,
                                          const struct upstream_request *req,
                                          upstream_done_fn done, void *arg,
                                          struct sb_error *err);

/* Stop a call whose callback has not run yet (the client went away):
 * its callback never runs, its memory is freed, and a connection left in
 * mid-exchange is closed. NULL is a no-op. */
void upstream_call_cancel(struct upstream_call *call);

/* The pool's figures for /metrics. */
void upstream_pool_stats(const struct upstream_pool *pool,
                         struct upstream_pool_stats *out);

/* "ok", "unavailable", "timeout", "too_large", "tls", "error". */
const char *upstream_outcome_name(enum upstream_outcome outcome);

#endif
