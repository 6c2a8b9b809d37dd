/*
 * server: listeners, worker threads and the shared state (see server.h).
 */
#include "server.h"

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "api.h"
#include "strbuf.h"
#include "watch.h"

#define LISTEN_BACKLOG 1024
#define CLIENT_IDLE_SECONDS 60      /* keep-alive connections without a
                                       request are closed after this */
#define CLIENT_MAX_HEAD_BYTES 65536 /* request line and headers */
#define STOP_GRACE_EXTRA_MS 3000     /* past request_timeout_ms, for the
                                       last replies to be written */
#define WATCH_SETTLE_MS 300         /* a burst of file changes is one
                                       reload this long after the last */

struct listener {
    char url[300];          /* "http://127.0.0.1:8080" */
    char address[300];      /* as configured: "127.0.0.1:0" */
    SSL_CTX *tls;           /* NULL for plain HTTP */
    int *fds;               /* one bound socket per worker */
    struct httpserv_group *group;   /* the workers' httpservs */
};

/* What only a restart changes (see fixedValue). */
enum { FIXED_LISTEN, FIXED_WORKERS, FIXED_POOLS, FIXED_ACCESS_LOG, N_FIXED };

struct server {
    struct server_shared shared;
    struct snapshot *current;   /* the newest configuration (one hold) */
    struct snapshot *retired;   /* replaced ones, freed once not held */
    char *fixed[N_FIXED];       /* as they were at the start */
    struct listener *listeners;
    size_t n_listeners;
    struct worker *workers;
    size_t n_workers;
};

unsigned long long worker_random(struct worker *w)
{
    /* splitmix64: fast, and seeded per worker from getrandom(2) */
    unsigned long long z = (w->random_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* ---- snapshots ---- */

struct snapshot *snapshot_hold(struct snapshot *s)
{
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

void snapshot_drop(struct snapshot *s)
{
    /* release: what this thread did with it happens before the free */
    atomic_fetch_sub_explicit(&s->refs, 1, memory_order_release);
}

/* ---- routes ---- */

static long smaller(long a, long b)
{
    return a > 0 && (b <= 0 || a < b) ? a : b;
}

/* Where and how a capability's upstream is reached: the configured
 * upstream of its service (soapbridge.yaml or --endpoint) wins over the
 * mapping's endpoint, which wins over the WSDL's soap:address. */
static int resolveRoute(struct route *r, const struct capability *cap,
                        const struct serveconf *conf, struct metrics *metrics,
                        struct sb_error *err)
{
    const struct serveconf_upstream *up =
        serveconf_upstream(conf, cap->service->name);
    const char *url = up->url ? up->url : cap->endpoint;
    size_t len = strlen(cap->service->name) + strlen(cap->operation->name) + 2;
    r->cap = cap;
    if (!url)
        return error_set(err, "config", "%s: no endpoint: the WSDL has no "
                         "soap:address and no upstream url is configured for "
                         "%s", cap->name, cap->service->name);
    if (!(r->source = malloc(len)) || !(r->target.url = strdup(url)))
        return error_set(err, "internal", "out of memory");
    snprintf(r->source, len, "%s.%s", cap->service->name, cap->operation->name);
    r->target.connect_timeout_ms = up->connect_timeout_ms;
    r->target.timeout_ms = smaller(up->timeout_ms,
                                   conf->limits.request_timeout_ms);
    r->target.ca_file = up->tls_ca;
    r->target.cert_file = up->tls_certificate;
    r->target.key_file = up->tls_key;
    r->target.insecure = up->tls_insecure;
    r->target.auth = up->auth == SERVECONF_AUTH_BASIC ? UPSTREAM_AUTH_BASIC
                   : up->auth == SERVECONF_AUTH_NTLM  ? UPSTREAM_AUTH_NTLM
                                                      : UPSTREAM_AUTH_NONE;
    r->target.username = up->username;
    r->target.password = up->password;
    r->target.max_response_bytes = conf->limits.max_response_bytes;
    if (up->ws_username) {
        r->security.username = up->ws_username;
        r->security.password = up->ws_password;
        r->security.password_type = up->ws_digest ? ENVELOPE_PASSWORD_DIGEST
                                                  : ENVELOPE_PASSWORD_TEXT;
    }
    r->metric_capability = metrics_add_capability(metrics, cap->name);
    r->metric_operation = metrics_add_operation(metrics, r->source);
    if (r->metric_capability < 0 || r->metric_operation < 0)
        return error_set(err, "config", "%s: the metrics have no room left "
                         "for another capability or operation name (they "
                         "make room at start for as many again and 64 "
                         "more); restart to serve it", cap->name);
    return 0;
}

static int resolveRoutes(struct route **routes, size_t *n,
                         const struct capability *caps, size_t n_caps,
                         const struct serveconf *conf, struct metrics *metrics,
                         struct sb_error *err)
{
    if (!(*routes = calloc(n_caps + 1, sizeof(**routes))))
        return error_set(err, "internal", "out of memory");
    for (*n = 0; *n < n_caps; (*n)++)
        if (resolveRoute(&(*routes)[*n], &caps[*n], conf, metrics, err) < 0) {
            (*n)++;     /* so that its strings are freed */
            return -1;
        }
    return 0;
}

static void freeRoutes(struct route *routes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(routes[i].source);
        free((char *)routes[i].target.url);
    }
    free(routes);
}

/* One target per distinct URL, for /readyz. */
static int collectTargets(struct snapshot *s, struct sb_error *err)
{
    size_t max = s->n_routes + s->n_operations;
    if (!(s->upstream_targets = calloc(max + 1, sizeof(*s->upstream_targets))))
        return error_set(err, "internal", "out of memory");
    for (size_t i = 0; i < max; i++) {
        const struct route *r = i < s->n_routes ? &s->routes[i]
                                               : &s->operations[i - s->n_routes];
        size_t j = 0;
        while (j < s->n_upstream_targets &&
               strcmp(s->upstream_targets[j]->url, r->target.url) != 0)
            j++;
        if (j == s->n_upstream_targets)
            s->upstream_targets[s->n_upstream_targets++] = &r->target;
    }
    return 0;
}

static void freeSnapshot(struct snapshot *s)
{
    if (!s)
        return;
    api_free_documents(s);
    freeRoutes(s->routes, s->n_routes);
    freeRoutes(s->operations, s->n_operations);
    free(s->upstream_targets);
    for (size_t i = 0; i < s->n_tls; i++)
        if (s->tls[i])
            SSL_CTX_free(s->tls[i]);
    free(s->tls);
    confdir_free(s->cd);
    serveconf_free(s->conf);
    free(s);
}

/* A snapshot of conf and cd (taken: freed here on failure), its route
 * names added to the metrics. */
static struct snapshot *newSnapshot(struct serveconf *conf, struct confdir *cd,
                                    struct metrics *metrics,
                                    struct sb_error *err)
{
    struct snapshot *s = calloc(1, sizeof(*s));
    if (!s) {
        confdir_free(cd);
        serveconf_free(conf);
        error_set(err, "internal", "out of memory");
        return NULL;
    }
    atomic_init(&s->refs, 0);
    s->conf = conf;
    s->cd = cd;
    s->limits.json.max_bytes = conf->limits.max_body_bytes;
    s->limits.json.max_depth = conf->limits.max_json_depth;
    s->limits.xml.max_bytes = conf->limits.max_response_bytes;
    if (resolveRoutes(&s->routes, &s->n_routes, cd->capabilities,
                      cd->n_capabilities, conf, metrics, err) < 0 ||
        (conf->zero_config &&
         resolveRoutes(&s->operations, &s->n_operations, cd->operations,
                       cd->n_operations, conf, metrics, err) < 0) ||
        collectTargets(s, err) < 0 || api_build_documents(s, err) < 0) {
        freeSnapshot(s);
        return NULL;
    }
    return s;
}

/* ---- listeners ---- */

static SSL_CTX *newTlsContext(const char *cert, const char *key,
                              struct sb_error *err)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        error_set(err, "tls", "cannot create a TLS context");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        char reason[256];
        ERR_error_string_n(ERR_get_error(), reason, sizeof(reason));
        error_set(err, "tls", "TLS certificate %s / key %s: %s", cert, key,
                  reason);
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* A listening socket on host:port with SO_REUSEPORT, so that every
 * worker binds its own and the kernel balances connections. *port is
 * replaced by the bound port (the kernel's choice for 0). */
static int bindSocket(const char *host, int *port, struct sb_error *err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    char service[16];
    snprintf(service, sizeof(service), "%d", *port);
    int gai = getaddrinfo(host, service, &hints, &ai);
    if (gai != 0)
        return error_set(err, "listen", "%s:%d: %s", host, *port,
                         gai_strerror(gai));
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
                             sizeof(one)) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
        listen(fd, LISTEN_BACKLOG) < 0) {
        error_set(err, "listen", "cannot listen on %s:%d: %s", host, *port,
                  strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(ai);
        return -1;
    }
    freeaddrinfo(ai);
    struct sockaddr_storage addr;
    socklen_t len = sizeof(addr);
    if (getsockname(fd, (struct sockaddr *)&addr, &len) == 0)
        *port = ntohs(addr.ss_family == AF_INET6
                          ? ((struct sockaddr_in6 *)&addr)->sin6_port
                          : ((struct sockaddr_in *)&addr)->sin_port);
    return fd;
}

static int openListener(struct listener *l, const struct serveconf_listen *cfg,
                        size_t n_workers, struct sb_error *err)
{
    int port = cfg->port;
    if (!(l->fds = malloc(n_workers * sizeof(int))))
        return error_set(err, "internal", "out of memory");
    for (size_t i = 0; i < n_workers; i++)
        l->fds[i] = -1;
    if (cfg->tls_certificate &&
        !(l->tls = newTlsContext(cfg->tls_certificate, cfg->tls_key, err)))
        return -1;
    for (size_t i = 0; i < n_workers; i++)
        if ((l->fds[i] = bindSocket(cfg->host, &port, err)) < 0)
            return -1;
    if (!(l->group = httpserv_group_new(n_workers)))
        return error_set(err, "listen", "%s:%d: cannot share connections "
                         "between the workers: %s", cfg->host, port,
                         strerror(errno));
    snprintf(l->address, sizeof(l->address), "%s:%d", cfg->host, cfg->port);
    snprintf(l->url, sizeof(l->url), "%s://%s%s%s:%d", l->tls ? "https" : "http",
             strchr(cfg->host, ':') ? "[" : "", cfg->host,
             strchr(cfg->host, ':') ? "]" : "", port);
    return 0;
}

static void closeListener(struct listener *l, size_t n_workers)
{
    for (size_t i = 0; l->fds && i < n_workers; i++)
        if (l->fds[i] >= 0)
            close(l->fds[i]);
    free(l->fds);
    httpserv_group_free(l->group);
    if (l->tls)
        SSL_CTX_free(l->tls);
}

/* ---- workers ---- */

/* How long a stop waits for the requests that came: the longest one
 * may take, and the linger after its reply. */
static long stopGraceMs(const struct serveconf *conf)
{
    return conf->limits.request_timeout_ms + STOP_GRACE_EXTRA_MS;
}

/* Add one to an eventfd the main thread counts. */
static void tellMain(int fd, const char *what)
{
    uint64_t one = 1;
    if (write(fd, &one, sizeof(one)) < 0)
        fprintf(stderr, "soapbridge: error: telling the main thread %s: "
                "%s\n", what, strerror(errno));
}

/* Every connection of the worker's servers has closed. */
static void onDrained(void *arg)
{
    struct worker *w = arg;
    if (--w->undrained == 0)
        event_base_loopbreak(w->base);
}

static void onGrace(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    size_t open = 0;
    (void)fd;
    (void)what;
    for (size_t i = 0; i < w->n_servers; i++)
        open += httpserv_connections(w->servers[i]);
    fprintf(stderr, "soapbridge: warning: worker %zu: %zu connection(s) "
            "still open after the grace period; closing them\n", w->index,
            open);
    event_base_loopbreak(w->base);
}

/* SIGINT or SIGTERM: the first time, take no more connections and finish
 * the requests that have come (for at most the longest a request may
 * take, and the linger after its reply); the second time, stop now. */
static void onStop(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    (void)fd;
    (void)what;
    if (w->stopping++) {
        event_base_loopbreak(w->base);
        return;
    }
    long ms = stopGraceMs(w->snap->conf);
    struct timeval grace = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(w->grace, &grace);
    w->undrained = w->n_servers;
    for (size_t i = 0; i < w->n_servers; i++)
        httpserv_drain(w->servers[i], onDrained, w);
    if (w->n_servers == 0)
        event_base_loopbreak(w->base);
    tellMain(w->shared->drains, "a worker drains");   /* listeners closed */
}

/* What the client side may use, from a configuration: the listener's
 * group spreads connections evenly over the workers, so each takes its
 * share of max_connections. */
static struct httpserv_limits clientLimits(const struct serveconf *conf,
                                           size_t n_workers)
{
    struct httpserv_limits limits = {
        .max_body = conf->limits.max_body_bytes,
        .max_head = CLIENT_MAX_HEAD_BYTES,
        .idle_ms = CLIENT_IDLE_SECONDS * 1000,
        .max_conns = (conf->limits.max_connections + n_workers - 1) /
                     n_workers,
    };
    return limits;
}

/* A reload handed this worker a new snapshot: requests that arrive from
 * now on are served by it; those running keep theirs. */
static void onReload(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    (void)fd;
    (void)what;
    struct snapshot *next = atomic_exchange(&w->next, NULL);
    if (!next)
        return;
    struct httpserv_limits limits =
        clientLimits(next->conf, w->shared->n_workers);
    for (size_t i = 0; i < w->n_servers; i++) {
        httpserv_set_limits(w->servers[i], &limits);
        if (i < next->n_tls)
            httpserv_set_tls(w->servers[i], next->tls[i]);
    }
    snapshot_drop(w->snap);
    w->snap = next;
}

static void onPoolGauge(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    struct upstream_pool_stats st;
    (void)fd;
    (void)what;
    upstream_pool_stats(w->upstreams, &st);
    metrics_upstream_pool(w->metrics, st.in_flight, st.connections_opened);
}

/* curl caps connections per host, not per service: the cap is the
 * largest pool_size any service asks for. */
static long largestPool(const struct serveconf *conf)
{
    long n = conf->defaults.pool_size;
    for (size_t i = 0; i < conf->n_upstreams; i++)
        if (conf->upstreams[i].pool_size > n)
            n = conf->upstreams[i].pool_size;
    return n;
}

/* A worker's loop. With the epoll changelist, interest that changes and
 * changes back within one loop iteration (a keep-alive connection going
 * from writing to reading, curl handing a socket back and forth) costs
 * one epoll_ctl instead of several; no descriptor here is dup()ed, the
 * one case the changelist gets wrong. */
static struct event_base *newBase(void)
{
    struct event_config *cfg = event_config_new();
    if (!cfg)
        return NULL;
    event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    struct event_base *base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    return base;
}

/* Everything a worker runs with, made on the main thread so that any
 * failure is reported before serving starts. The httpserv takes over the
 * listening socket (it closes it when freed). */
static int prepareWorker(struct server *sv, size_t index, struct sb_error *err)
{
    struct worker *w = &sv->workers[index];
    const struct serveconf *conf = sv->current->conf;
    struct timeval second = {1, 0};
    struct httpserv_limits limits = clientLimits(conf, sv->n_workers);
    w->index = index;
    w->shared = &sv->shared;
    w->snap = snapshot_hold(sv->current);
    atomic_init(&w->next, NULL);
    w->metrics = metrics_worker(sv->shared.metrics, index);
    if (getrandom(&w->random_state, sizeof(w->random_state), 0) < 0)
        w->random_state = (unsigned long long)getpid() * 2654435761u + index;
    if (!(w->base = newBase()) ||
        !(w->servers = calloc(sv->n_listeners, sizeof(*w->servers))) ||
        !(w->stop = event_new(w->base, -1, 0, onStop, w)) ||
        !(w->grace = evtimer_new(w->base, onGrace, w)) ||
        !(w->reload = event_new(w->base, -1, 0, onReload, w)) ||
        !(w->pool_gauge = event_new(w->base, -1, EV_PERSIST, onPoolGauge, w)))
        return error_set(err, "internal", "out of memory");
    event_add(w->pool_gauge, &second);
    if (!(w->upstreams = upstream_pool_new(w->base, largestPool(conf),
                                           conf->upstream_pool_size, err)))
        return -1;
    for (size_t i = 0; i < sv->n_listeners; i++) {
        struct httpserv *hs = httpserv_new(w->base, sv->listeners[i].fds[index],
                                           sv->listeners[i].tls, &limits,
                                           api_handle, w);
        if (!hs)
            return error_set(err, "listen", "%s: cannot accept connections",
                             sv->listeners[i].url);
        w->servers[w->n_servers++] = hs;
        sv->listeners[i].fds[index] = -1;   /* the httpserv owns it now */
        if (httpserv_join(hs, sv->listeners[i].group, index) < 0)
            return error_set(err, "internal", "out of memory");
    }
    return 0;
}

static void freeWorker(struct worker *w)
{
    for (size_t i = 0; i < w->n_servers; i++)
        httpserv_free(w->servers[i]);
    free(w->servers);
    upstream_pool_free(w->upstreams);
    struct snapshot *next = atomic_exchange(&w->next, NULL);
    if (next)
        snapshot_drop(next);
    if (w->snap)
        snapshot_drop(w->snap);
    if (w->stop)
        event_free(w->stop);
    if (w->grace)
        event_free(w->grace);
    if (w->reload)
        event_free(w->reload);
    if (w->pool_gauge)
        event_free(w->pool_gauge);
    if (w->base)
        event_base_free(w->base);
}

static void *runWorker(void *arg)
{
    struct worker *w = arg;
    event_base_dispatch(w->base);
    tellMain(w->shared->exits, "a worker ended");
    return NULL;
}

/* ---- the server ---- */

/* Descriptors for max_connections clients, the upstream pools and the
 * files: the soft limit is raised toward the hard one, and a hard limit
 * too low for them is said at start (past it, new connections wait). */
static void raiseDescriptorLimit(const struct serveconf *conf)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)conf->limits.max_connections +
                  (rlim_t)conf->upstream_pool_size * 2 + 256;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want
                      ? rl.rlim_max : want;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < want)
        fprintf(stderr, "soapbridge: warning: at most %llu descriptors may "
                "be open (ulimit -Hn), fewer than limits.max_connections "
                "(%zu) and the upstream connections need; past that, new "
                "connections wait\n", (unsigned long long)rl.rlim_cur,
                conf->limits.max_connections);
}

/* What only a restart changes. */
static const char *const fixedNames[N_FIXED] = {
    "listen", "workers", "the upstream pool sizes", "logging.access_log",
};

/* A setting of fixedNames as text, to compare; NULL when out of memory. */
static char *fixedValue(const struct serveconf *conf, int which)
{
    struct strbuf out;
    strbuf_init(&out);
    switch (which) {
    case FIXED_LISTEN:
        for (size_t i = 0; i < conf->n_listen; i++) {
            const struct serveconf_listen *l = &conf->listen[i];
            strbuf_printf(&out, "%s:%d %s;", l->host, l->port,
                          l->tls_certificate ? "tls" : "plain");
        }
        break;
    case FIXED_WORKERS:
        strbuf_printf(&out, "%d", conf->workers);
        break;
    case FIXED_POOLS:
        strbuf_printf(&out, "%ld %d", largestPool(conf),
                      conf->upstream_pool_size);
        break;
    default:
        strbuf_puts(&out, conf->logging.access_log ? conf->logging.access_log
                                                   : "-");
    }
    if (!out.len)
        strbuf_puts(&out, "-");
    return strbuf_detach(&out, NULL);
}

struct server *server_new(struct serveconf *conf, struct confdir *cd,
                          struct sb_error *err)
{
    /* room for a reload to name as many capabilities again, and 64 */
    size_t spare = 2 * (cd->n_capabilities + cd->n_operations) + 64;
    struct server *sv = calloc(1, sizeof(*sv));
    if (sv) {
        sv->n_workers = conf->workers > 0 ? (size_t)conf->workers : 1;
        sv->shared.exits = sv->shared.drains = -1;
    }
    if (!sv || !(sv->shared.metrics =
                     metrics_new(sv->n_workers, NULL, 0, NULL, 0, spare))) {
        error_set(err, "internal", "out of memory");
        confdir_free(cd);
        serveconf_free(conf);
        goto fail;
    }
    if (!(sv->current = newSnapshot(conf, cd, sv->shared.metrics, err)))
        goto fail;
    snapshot_hold(sv->current);
    sv->current->generation = 1;
    raiseDescriptorLimit(conf);
    for (int i = 0; i < N_FIXED; i++)
        if (!(sv->fixed[i] = fixedValue(conf, i))) {
            error_set(err, "internal", "out of memory");
            goto fail;
        }
    if (!(sv->shared.log = accesslog_open(conf->logging.access_log, err)))
        goto fail;
    if (!(sv->listeners = calloc(conf->n_listen + 1, sizeof(*sv->listeners))) ||
        !(sv->workers = calloc(sv->n_workers, sizeof(*sv->workers)))) {
        error_set(err, "internal", "out of memory");
        goto fail;
    }
    sv->shared.n_workers = sv->n_workers;
    if ((sv->shared.exits = eventfd(0, EFD_CLOEXEC)) < 0 ||
        (sv->shared.drains = eventfd(0, EFD_CLOEXEC)) < 0) {
        error_set(err, "internal", "cannot make an eventfd: %s",
                  strerror(errno));
        goto fail;
    }
    if (!(sv->shared.client_groups = calloc(conf->n_listen + 1,
                                            sizeof(*sv->shared.client_groups)))) {
        error_set(err, "internal", "out of memory");
        goto fail;
    }
    for (; sv->n_listeners < conf->n_listen; sv->n_listeners++) {
        if (openListener(&sv->listeners[sv->n_listeners],
                         &conf->listen[sv->n_listeners], sv->n_workers,
                         err) < 0) {
            sv->n_listeners++;
            goto fail;
        }
        sv->shared.client_groups[sv->n_listeners] =
            sv->listeners[sv->n_listeners].group;
    }
    sv->shared.n_client_groups = sv->n_listeners;
    if (!(sv->current->tls = calloc(sv->n_listeners + 1,
                                    sizeof(*sv->current->tls)))) {
        error_set(err, "internal", "out of memory");
        goto fail;
    }
    for (; sv->current->n_tls < sv->n_listeners; sv->current->n_tls++) {
        SSL_CTX *tls = sv->listeners[sv->current->n_tls].tls;
        if (tls)
            SSL_CTX_up_ref(tls);
        sv->current->tls[sv->current->n_tls] = tls;
    }
    for (size_t i = 0; i < sv->n_workers; i++)
        if (prepareWorker(sv, i, err) < 0)
            goto fail;
    return sv;
fail:
    server_free(sv);
    return NULL;
}

const char *server_url(const struct server *server, size_t listener)
{
    return listener < server->n_listeners ? server->listeners[listener].url
                                          : NULL;
}

size_t server_listener_count(const struct server *server)
{
    return server->n_listeners;
}

/* Free the replaced snapshots nobody holds any more. */
static void collectRetired(struct server *sv)
{
    struct snapshot **at = &sv->retired;
    while (*at) {
        struct snapshot *s = *at;
        if (atomic_load_explicit(&s->refs, memory_order_acquire) == 0) {
            *at = s->next_retired;
            freeSnapshot(s);
        } else
            at = &s->next_retired;
    }
}

/* The TLS contexts of a reload: a TLS listener whose address the new
 * configuration keeps (and keeps TLS) reads its certificate and key
 * again, so that rotated files take effect; the others keep theirs. */
static int reloadTls(const struct server *sv, struct snapshot *s,
                     struct sb_error *err)
{
    const struct snapshot *old = sv->current;
    if (!(s->tls = calloc(old->n_tls + 1, sizeof(*s->tls))))
        return error_set(err, "internal", "out of memory");
    for (; s->n_tls < old->n_tls; s->n_tls++) {
        size_t i = s->n_tls;
        const struct serveconf_listen *l =
            i < s->conf->n_listen ? &s->conf->listen[i] : NULL;
        char address[300];
        if (l)
            snprintf(address, sizeof(address), "%s:%d", l->host, l->port);
        if (old->tls[i] && l && l->tls_certificate &&
            strcmp(address, sv->listeners[i].address) == 0) {
            if (!(s->tls[i] = newTlsContext(l->tls_certificate, l->tls_key,
                                            err)))
                return -1;
            continue;
        }
        if ((s->tls[i] = old->tls[i]) != NULL)
            SSL_CTX_up_ref(s->tls[i]);
    }
    return 0;
}

int server_reload(struct server *sv, struct serveconf *conf,
                  struct confdir *cd, struct sb_error *err)
{
    struct snapshot *s = newSnapshot(conf, cd, sv->shared.metrics, err);
    if (!s)
        return -1;
    if (reloadTls(sv, s, err) < 0) {
        freeSnapshot(s);
        return -1;
    }
    for (int i = 0; i < N_FIXED; i++) {
        char *value = fixedValue(s->conf, i);
        if (value && strcmp(value, sv->fixed[i]) != 0)
            fprintf(stderr, "soapbridge: warning: reload: %s changed; it "
                    "keeps its value until a restart\n", fixedNames[i]);
        free(value);
    }
    s->generation = sv->current->generation + 1;
    /* one hold for the server, one for each worker */
    atomic_store(&s->refs, 1 + sv->n_workers);
    for (size_t i = 0; i < sv->n_workers; i++) {
        struct worker *w = &sv->workers[i];
        struct snapshot *untaken = atomic_exchange(&w->next, s);
        if (untaken)    /* an earlier reload the worker has not taken in */
            snapshot_drop(untaken);
        event_active(w->reload, EV_READ, 0);
    }
    sv->current->next_retired = sv->retired;
    sv->retired = sv->current;
    snapshot_drop(sv->current);
    sv->current = s;
    collectRetired(sv);
    return 0;
}

/* The watch the current configuration asks for: none when it is off, or
 * when it cannot be set up (said on stderr). */
static struct watch *watchFor(const struct snapshot *s)
{
    struct sb_error err;
    char line[1024];
    if (!s->conf->watch)
        return NULL;
    struct watch *w = watch_new(s->cd->dir, s->conf->file != NULL, &err);
    if (!w)
        fprintf(stderr, "soapbridge: warning: %s; reload with SIGHUP\n",
                error_format(&err, line, sizeof(line)));
    return w;
}

/* Load and serve the configuration again (why: "SIGHUP", or the file
 * that changed), saying so on stderr and in the metrics. When it serves,
 * *watch is replaced by the watch it asks for (folders may have come or
 * gone) before the reload is said to be done. */
static void reloadWith(struct server *sv, server_loader *load, void *arg,
                       const char *why, struct watch **watch)
{
    struct serveconf *conf;
    struct confdir *cd;
    struct sb_error err;
    char line[1024];
    unsigned generation = sv->current->generation;
    fprintf(stderr, "soapbridge: %s: reloading the configuration\n", why);
    /* whatever the configuration, so that log rotation can signal */
    if (accesslog_reopen(sv->shared.log, &err) < 0)
        fprintf(stderr, "soapbridge: warning: %s\n",
                error_format(&err, line, sizeof(line)));
    int rc = load(arg, &conf, &cd);
    if (rc == 0 && (rc = server_reload(sv, conf, cd, &err)) < 0)
        fprintf(stderr, "soapbridge: %s\n",
                error_format(&err, line, sizeof(line)));
    metrics_config_reload(sv->shared.metrics, rc == 0);
    if (rc == 0) {
        watch_free(*watch);
        *watch = watchFor(sv->current);
        fprintf(stderr, "soapbridge: reloaded: configuration %u serves "
                "(%zu capabilities, %zu operations)\n",
                sv->current->generation, sv->current->n_routes,
                sv->current->n_operations);
    } else
        fprintf(stderr, "soapbridge: reload failed; configuration %u still "
                "serves\n", generation);
    fflush(stderr);
}

static double monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The main thread between start and stop: the signals (through sfd), the
 * watched folder, and the replaced snapshots to free (looked at every
 * second while there are any). A burst of file changes, as an editor or
 * a deployment writes them, is one reload WATCH_SETTLE_MS after the last
 * one. */
static int mainLoop(struct server *sv, int sfd, server_loader *load,
                    void *arg)
{
    int stop = 0;
    struct watch *watch = load ? watchFor(sv->current) : NULL;
    char changed[PATH_MAX + 16] = "";
    double settle = 0;  /* when to reload for changed */
    for (;;) {
        struct pollfd p[2] = {{.fd = sfd, .events = POLLIN},
                              {.fd = watch ? watch_fd(watch) : -1,
                               .events = POLLIN}};
        int timeout = sv->retired ? 1000 : -1;
        if (changed[0]) {
            double left = (settle - monotonic()) * 1000.0;
            timeout = left > 0 ? (int)left + 1 : 0;
        }
        int n = poll(p, 2, timeout);
        collectRetired(sv);
        if (n < 0)
            continue;   /* EINTR */
        char what[PATH_MAX];
        int rc = watch && (p[1].revents & POLLIN)
                     ? watch_read(watch, what, sizeof(what)) : 0;
        if (rc > 0) {
            snprintf(changed, sizeof(changed), "%s changed", what);
            settle = monotonic() + WATCH_SETTLE_MS / 1000.0;
        } else if (rc < 0) {
            fprintf(stderr, "soapbridge: warning: watching the "
                    "configuration failed (%s); reload with SIGHUP\n",
                    strerror(errno));
            watch_free(watch);
            watch = NULL;
        }
        struct signalfd_siginfo si;
        const char *why = NULL;
        if ((p[0].revents & POLLIN) &&
            read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
            if (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM) {
                stop = (int)si.ssi_signo;
                break;
            }
            if (load)
                why = "SIGHUP";
        } else if (changed[0] && monotonic() >= settle)
            why = changed;
        if (why) {
            reloadWith(sv, load, arg, why, &watch);
            changed[0] = 0;
        }
    }
    watch_free(watch);
    return stop;
}

static const char *signalName(int sig)
{
    return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "signal";
}

/* The number an eventfd has counted since it was last read (0 when it
 * was not ready). */
static size_t takeCount(int fd, short revents)
{
    uint64_t n;
    if (!(revents & POLLIN) || read(fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
        return 0;
    return (size_t)n;
}

/* Tell each worker that started to stop (onStop); their number. */
static size_t activateStops(struct server *sv)
{
    size_t started = 0;
    for (size_t i = 0; i < sv->n_workers; i++)
        if (sv->workers[i].started) {
            event_active(sv->workers[i].stop, EV_READ, 0);
            started++;
        }
    return started;
}

/* Stop the workers that started: each drains (onStop), which is said
 * once every listening socket is closed (sig: the signal that stopped
 * the server; 0 says nothing); a second SIGINT or SIGTERM meanwhile
 * makes them stop at once. */
static void stopWorkers(struct server *sv, int sfd, int sig)
{
    size_t started = activateStops(sv), draining = 0, ended = 0;
    while (ended < started) {
        struct pollfd p[3] = {{.fd = sfd, .events = POLLIN},
                              {.fd = sv->shared.exits, .events = POLLIN},
                              {.fd = sv->shared.drains, .events = POLLIN}};
        if (poll(p, 3, -1) < 0)
            continue;   /* EINTR */
        ended += takeCount(sv->shared.exits, p[1].revents);
        size_t now = takeCount(sv->shared.drains, p[2].revents);
        if (now && (draining += now) == started && sig) {
            fprintf(stderr, "soapbridge: %s: stopping: no new connections; "
                    "finishing the requests that came (at most %ld ms; "
                    "another SIGINT or SIGTERM stops at once)\n",
                    signalName(sig), stopGraceMs(sv->current->conf));
            fflush(stderr);
        }
        struct signalfd_siginfo si;
        if ((p[0].revents & POLLIN) &&
            read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si) &&
            si.ssi_signo != SIGHUP) {
            fprintf(stderr, "soapbridge: %s while stopping: stopping now\n",
                    signalName((int)si.ssi_signo));
            activateStops(sv);
        }
    }
    for (size_t i = 0; i < sv->n_workers; i++)
        if (sv->workers[i].started) {
            pthread_join(sv->workers[i].thread, NULL);
            sv->workers[i].started = 0;
        }
}

int server_run(struct server *sv, server_loader *load, void *arg,
               struct sb_error *err)
{
    sigset_t set, old;
    int rc = 0;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    /* Workers inherit the mask: only this thread takes the signals. */
    pthread_sigmask(SIG_BLOCK, &set, &old);
    signal(SIGPIPE, SIG_IGN);
    /* Blocked now: read from sfd, not taken by a handler (an ignored
     * signal would be dropped, not left pending). */
    signal(SIGHUP, SIG_DFL);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC);
    if (sfd < 0)
        rc = error_set(err, "internal", "cannot take signals: %s",
                       strerror(errno));
    for (size_t i = 0; rc == 0 && i < sv->n_workers; i++) {
        if (pthread_create(&sv->workers[i].thread, NULL, runWorker,
                           &sv->workers[i]) != 0) {
            rc = error_set(err, "internal", "cannot start worker %zu: %s", i,
                           strerror(errno));
            break;
        }
        sv->workers[i].started = 1;
    }
    stopWorkers(sv, sfd, rc == 0 ? mainLoop(sv, sfd, load, arg) : 0);
    if (sfd >= 0)
        close(sfd);
    signal(SIGHUP, SIG_IGN);    /* one sent while stopping does not kill */
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

void server_free(struct server *sv)
{
    if (!sv)
        return;
    for (size_t i = 0; sv->workers && i < sv->n_workers; i++)
        freeWorker(&sv->workers[i]);
    free(sv->workers);
    for (size_t i = 0; i < sv->n_listeners; i++)
        closeListener(&sv->listeners[i], sv->n_workers);
    free(sv->listeners);
    /* The workers are gone: whatever still holds a snapshot (a request
     * cut off by the stop) never runs again. */
    while (sv->retired) {
        struct snapshot *s = sv->retired;
        sv->retired = s->next_retired;
        freeSnapshot(s);
    }
    freeSnapshot(sv->current);
    for (int i = 0; i < N_FIXED; i++)
        free(sv->fixed[i]);
    free(sv->shared.client_groups);
    if (sv->shared.exits >= 0)
        close(sv->shared.exits);
    if (sv->shared.drains >= 0)
        close(sv->shared.drains);
    metrics_free(sv->shared.metrics);
    accesslog_close(sv->shared.log);
    free(sv);
}
