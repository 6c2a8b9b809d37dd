/*
 * server: the daemon's process structure (DESIGN.md, "Runtime
 * structure").
 *
 * N worker threads, each with its own event_base, its own httpserv per
 * listen address on a socket of its own bound with SO_REUSEPORT (the
 * kernel spreads new connections over the workers, and the address's
 * httpserv group evens out the split), its own upstream
 * pool (a libcurl multi handle on that loop) and its own metrics
 * counters. What the workers share is built on the main thread and only
 * read afterwards: nothing on the request path takes a lock.
 *
 * The configuration they serve is a snapshot: soapbridge.yaml, the
 * compiled folders, the routes and the listing documents, never changed
 * once built. SIGHUP makes the main thread load the configuration again
 * into a new snapshot and hand it to each worker (an event on the
 * worker's loop); a request holds the snapshot it started with until it
 * is answered, and the main thread frees a replaced snapshot once no
 * worker and no request holds it. A configuration that fails to load
 * changes nothing.
 */
#ifndef SB_SERVER_H
#define SB_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include <event2/event.h>
#include <openssl/ssl.h>

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

/* One configuration as served. refs counts the workers serving it, the
 * requests running on it, and the server while it is the newest; the
 * rest is only read once built. */
struct snapshot {
    atomic_size_t refs;
    unsigned generation;                /* 1 at start, +1 a reload */
    struct serveconf *conf;
    struct confdir *cd;
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
    SSL_CTX **tls;                      /* per listen address: its TLS
                                           context (a reference), NULL
                                           for plain HTTP */
    size_t n_tls;
    struct snapshot *next_retired;      /* the main thread's list */
};

/* Take and drop a hold on a snapshot (any thread). The last drop does
 * not free it: the main thread does, off the request path. */
struct snapshot *snapshot_hold(struct snapshot *s);
void snapshot_drop(struct snapshot *s);

/* The process-wide state every worker reads and nobody writes after
 * server_new (the metrics and connection counters are atomics). */
struct server_shared {
    size_t n_workers;
    const struct httpserv_group **client_groups;  /* one per listen
                                                     address, for /metrics */
    size_t n_client_groups;
    struct metrics *metrics;
    struct accesslog *log;
    int drains;                         /* eventfds the workers count */
    int exits;                          /* on: draining, and ended */
};

/* One worker thread's own state; only that thread touches it (but for
 * next, and the stop and reload events, which libevent lets other
 * threads activate). */
struct worker {
    size_t index;
    const struct server_shared *shared;
    struct snapshot *snap;              /* the configuration it serves */
    _Atomic(struct snapshot *) next;    /* handed over by a reload */
    struct event *reload;               /* takes next in */
    struct event_base *base;
    struct httpserv **servers;          /* one per listen address */
    size_t n_servers;
    struct upstream_pool *upstreams;
    struct metrics_worker *metrics;
    struct event *stop;                 /* once: drain; twice: now */
    int stopping;
    size_t undrained;                   /* servers with connections left */
    struct event *grace;                /* the drain's time limit */
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
 * runs. Takes conf and cd (freed with their snapshot, or at once on
 * failure). Returns NULL with err.
 */
struct server *server_new(struct serveconf *conf, struct confdir *cd,
                          struct sb_error *err);

/* Load the configuration again, for a reload: 0 with *conf and *cd (the
 * caller's to give to the server), or -1 after saying what is wrong on
 * stderr. */
typedef int server_loader(void *arg, struct serveconf **conf,
                          struct confdir **cd);

/* The address the first listener is bound to ("http://127.0.0.1:8080"),
 * with the port the kernel chose when the configuration said 0. */
const char *server_url(const struct server *server, size_t listener);
size_t server_listener_count(const struct server *server);

/* Start the workers and serve until SIGINT or SIGTERM; then stop
 * accepting, finish the requests that came (for at most
 * limits.request_timeout_ms and 3 s; a second signal cuts this short),
 * stop the workers and return 0 (-1 with err when a worker could not
 * start). On SIGHUP, or a change of a watched file (watch: true),
 * load(arg, ...) and serve what it loaded (server_reload); load NULL
 * ignores both. Call from the main thread, once. */
int server_run(struct server *server, server_loader *load, void *arg,
               struct sb_error *err);

/* Serve conf and cd (taken, as by server_new) from now on: every request
 * that arrives once a worker has taken them in. What only a restart
 * changes (listen addresses, workers, pool sizes, the access log
 * file) keeps its old value, with a warning on stderr for each that
 * differs. The certificate and key of each TLS listener are read again
 * (rotated files), for the connections accepted from then on. -1 with err
 * when the configuration cannot be served (the old one goes on). Call
 * from the main thread. */
int server_reload(struct server *server, struct serveconf *conf,
                  struct confdir *cd, struct sb_error *err);

void server_free(struct server *server);

/* A random 64-bit number from the worker's own generator. */
unsigned long long worker_random(struct worker *w);

#endif
