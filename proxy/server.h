/*
 * server: the daemon's process structure (DESIGN.md, "Runtime
 * structure").
 *
 * N worker threads, each with its own event_base, its own httpserv per
 * listen address on a socket of its own bound with SO_REUSEPORT (the
 * kernel spreads new connections over the workers, and the address's
 * httpserv group evens out the split), its own upstream
 * pool (a libcurl multi handle on that loop) and its own metrics
 * counters. Everything the workers share -- the configuration, the
 * compiled snapshot, the routes, the listing documents -- is built before
 * the first thread starts and only read afterwards: nothing on the
 * request path takes a lock.
 */
#ifndef SB_SERVER_H
#define SB_SERVER_H

#include <pthread.h>
#include <stddef.h>

#include <event2/event.h>

#include "accesslog.h"
#include "confdir.h"
#include "envelope.h"
#include "error.h"
#include "httpserv.h"
#include "metrics.h"
#include "serveconf.h"
#include "translate.h"
#include "upstream.h"

/* What serving one capability (or zero-config operation) needs, resolved
 * once at start: where its upstream is and how to reach it. */
struct route {
    const struct capability *cap;
    char *source;                       /* "ShippingService.GetOrderStatus" */
    struct upstream_target target;      /* url owned by the route */
    struct envelope_security security;  /* username NULL: no WS-Security */
    int metric_capability;              /* indexes into the metrics labels */
    int metric_operation;
};

/* The state every worker reads and nobody writes after server_new. */
struct server_shared {
    const struct serveconf *conf;
    const struct confdir *cd;
    struct route *routes;               /* mapped capabilities, by name */
    size_t n_routes;
    struct route *operations;           /* zero-config operations; none
                                           when zero_config is off */
    size_t n_operations;
    char *capabilities_doc;             /* GET /v1/capabilities */
    size_t capabilities_len;
    char **capability_docs;             /* GET /v1/capabilities/{name},
                                           parallel to routes */
    size_t *capability_lens;
    char *services_doc;                 /* GET /v1/services */
    size_t services_len;
    const struct upstream_target **upstream_targets;  /* one per distinct
                                                         URL, for /readyz */
    size_t n_upstream_targets;
    struct translate_limits limits;
    size_t n_workers;
    const struct httpserv_group **client_groups;  /* one per listen
                                                     address, for /metrics */
    size_t n_client_groups;
    struct metrics *metrics;
    struct accesslog *log;
};

/* One worker thread's own state; only that thread touches it (but for
 * the stop event, which libevent lets other threads activate). */
struct worker {
    size_t index;
    const struct server_shared *shared;
    struct event_base *base;
    struct httpserv **servers;          /* one per listen address */
    size_t n_servers;
    struct upstream_pool *upstreams;
    struct metrics_worker *metrics;
    struct event *stop;
    struct event *pool_gauge;           /* refreshes the pool metrics */
    unsigned long long random_state;    /* request and span ids */
    pthread_t thread;
    int started;
};

struct server;

/*
 * Resolve the routes, build the listing documents, open the access log,
 * make the metrics and bind every listen address for every worker, so
 * that a port in use or a bad certificate is reported before anything
 * runs. conf and cd must outlive the server. Returns NULL with err.
 */
struct server *server_new(const struct serveconf *conf,
                          const struct confdir *cd, struct sb_error *err);

/* The address the first listener is bound to ("http://127.0.0.1:8080"),
 * with the port the kernel chose when the configuration said 0. */
const char *server_url(const struct server *server, size_t listener);
size_t server_listener_count(const struct server *server);

/* Start the workers and serve until SIGINT or SIGTERM; then stop
 * accepting, stop the workers and return 0 (-1 with err when a worker
 * could not start). Call from the main thread, once. */
int server_run(struct server *server, struct sb_error *err);

void server_free(struct server *server);

/* A random 64-bit number from the worker's own generator. */
unsigned long long worker_random(struct worker *w);

#endif
