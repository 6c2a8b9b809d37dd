/*
 * plainhttp: HTTP/1.1 exchanges on pooled TCP connections (see
 * plainhttp.h).
 *
 * Per host (name and port) the pool keeps its connections and a line of
 * exchanges waiting for one. dispatch() pairs them: an idle connection
 * takes the first in line, else a new connection opens while the host
 * has fewer than max_per_host. A connection that has carried an answer
 * goes back to the line's next exchange, or idles.
 *
 * A connection keeps its read event for its whole life, idle or busy, so
 * a call costs no epoll_ctl: the request is written at once (the write
 * event is only armed while connecting or when the socket is full), and
 * the answer is read when it comes. An idle connection that becomes
 * readable was closed by the server (or sent what nobody asked for) and
 * is closed.
 *
 * An exchange ends through finish(): *res filled, its done callback run
 * from an event of its own, so never inside plainhttp_start and never in
 * the middle of this file's work.
 */
#include "plainhttp.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event_struct.h>
#include <event2/util.h>
#include <openssl/evp.h>

#include "strbuf.h"

#define MAX_HEAD_BYTES (64 * 1024)
#define MAX_CHUNK_LINE 1024
#define READ_SIZE 16384
#define KEEPALIVE_SECONDS 60

enum conn_state { CONN_RESOLVING, CONN_CONNECTING, CONN_BUSY, CONN_IDLE };
enum exchange_state { X_WAITING, X_RUNNING, X_DONE };
enum framing { BY_LENGTH, BY_CHUNKS, BY_CLOSE, NO_BODY };
enum chunk_state { CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, CHUNK_TRAILER };

struct host;
struct conn;

/* The resolver lives as long as a lookup needs it: libevent delivers a
 * cancelled lookup's callback later, from the loop, and that callback
 * still reads the evdns_base. */
struct resolver {
    struct evdns_base *dns;
    size_t pending;
    int orphaned;               /* the pool is gone */
};

struct lookup {
    struct resolver *resolver;
    struct conn *conn;          /* NULL once the connection gave up */
    struct evdns_getaddrinfo_request *request;
};

struct plainhttp_exchange {
    struct host *host;
    struct conn *conn;
    struct plainhttp_exchange *prev, *next;   /* the host's line */
    enum exchange_state state;
    struct strbuf head;         /* the request up to its body */
    const char *body;
    size_t body_len;
    size_t sent;                /* of head and body */
    size_t max_bytes;
    long connect_timeout_ms;
    int reused;                 /* on a connection that answered before */
    int retried;
    /* The answer, as read; its body is decoded in place. */
    char *buf;
    size_t len, cap;
    size_t scanned;             /* where to look for the head's end */
    size_t body_at;             /* 0 until the head is read */
    size_t content_type_at;     /* its value's offset, 0 when none */
    enum framing framing;
    size_t content_length;
    int keep_alive;
    enum chunk_state chunk;
    size_t chunk_left;
    size_t body_len_in;         /* decoded body bytes (chunks) */
    struct upstream_response *res;
    plainhttp_done_fn done;
    void *arg;
    struct event later;
};

struct conn {
    struct host *host;
    struct conn *prev, *next;   /* the host's connections */
    enum conn_state state;
    evutil_socket_t fd;
    struct event readable;      /* for the connection's whole life */
    struct event writable;      /* connecting, or a request not all sent */
    struct event timer;         /* the connect timeout */
    struct lookup *lookup;
    struct evutil_addrinfo *addrs, *next_addr;
    struct plainhttp_exchange *x;
    unsigned long answers;
    long connect_timeout_ms;
    struct timespec opened;
    double connect_ms;          /* for the first exchange only */
    int fresh;
    int last_errno;
};

struct host {
    struct plainhttp_pool *pool;
    struct host *next;
    char *name;                 /* as in the URL, without [] */
    unsigned port;
    struct conn *conns;
    size_t n_conns, n_opening;
    struct plainhttp_exchange *first, *last;  /* the line */
    size_t n_waiting;
};

struct plainhttp_pool {
    struct event_base *base;
    struct resolver *resolver;  /* made at the first host name */
    struct host *hosts;
    size_t max_per_host, max_idle, n_idle;
    size_t opened;
    int env_proxy;
};

/* ---- the URL ---- */

struct url {
    const char *host;           /* without [] */
    size_t host_len;
    const char *authority;      /* host[:port] as written: the Host header */
    size_t authority_len;
    unsigned port;
    const char *path;
    size_t path_len;            /* 0: "/" */
};

static int hostChar(int c, int bracketed)
{
    if (bracketed)
        return isxdigit(c) || c == ':' || c == '.';
    return isalnum(c) || c == '.' || c == '-' || c == '_';
}

/* http://HOST[:PORT][/PATH][#...], nothing else. */
static int parseUrl(const char *url, struct url *u)
{
    if (strncasecmp(url, "http://", 7) != 0)
        return -1;
    const char *p = url + 7;
    int bracketed = *p == '[';
    u->authority = p;
    u->host = p + bracketed;
    const char *q = u->host;
    while (*q && hostChar((unsigned char)*q, bracketed))
        q++;
    u->host_len = (size_t)(q - u->host);
    if (!u->host_len || (bracketed && *q++ != ']'))
        return -1;
    u->port = 80;
    if (*q == ':') {
        unsigned long port = 0;
        const char *digits = ++q;
        while (isdigit((unsigned char)*q) && port <= 65535)
            port = port * 10 + (unsigned long)(*q++ - '0');
        if (q == digits || port == 0 || port > 65535)
            return -1;
        u->port = (unsigned)port;
    }
    u->authority_len = (size_t)(q - u->authority);
    if (*q && *q != '/' && *q != '#')
        return -1;
    u->path = q;
    while (*q && *q != '#') {
        if ((unsigned char)*q <= ' ' || *q == 0x7f)
            return -1;
        q++;
    }
    u->path_len = (size_t)(q - u->path);
    return 0;
}

int plainhttp_takes(const struct plainhttp_pool *pool,
                    const struct upstream_target *t)
{
    struct url u;
    return !pool->env_proxy && t->url && parseUrl(t->url, &u) == 0 &&
           (t->auth == UPSTREAM_AUTH_NONE || t->auth == UPSTREAM_AUTH_BASIC);
}

/* ---- the pool's lists ---- */

static void enqueue(struct host *h, struct plainhttp_exchange *x, int front)
{
    if (front) {
        x->next = h->first;
        if (h->first)
            h->first->prev = x;
        else
            h->last = x;
        h->first = x;
    } else {
        x->prev = h->last;
        if (h->last)
            h->last->next = x;
        else
            h->first = x;
        h->last = x;
    }
    h->n_waiting++;
}

static void dequeue(struct plainhttp_exchange *x)
{
    struct host *h = x->host;
    if (x->prev)
        x->prev->next = x->next;
    else
        h->first = x->next;
    if (x->next)
        x->next->prev = x->prev;
    else
        h->last = x->prev;
    x->prev = x->next = NULL;
    h->n_waiting--;
}

static void linkConn(struct host *h, struct conn *c)
{
    c->next = h->conns;
    if (h->conns)
        h->conns->prev = c;
    h->conns = c;
    h->n_conns++;
}

static void unlinkConn(struct conn *c)
{
    struct host *h = c->host;
    if (c->prev)
        c->prev->next = c->next;
    else
        h->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    h->n_conns--;
}

/* The one place a connection changes state (STYLE.md habit 14); it keeps
 * the counts of opening and idle connections. */
static void setConnState(struct conn *c, enum conn_state next)
{
    struct host *h = c->host;
    int was_opening = c->state == CONN_RESOLVING ||
                      c->state == CONN_CONNECTING;
    int opening = next == CONN_RESOLVING || next == CONN_CONNECTING;
    h->n_opening += (size_t)opening - (size_t)was_opening;
    h->pool->n_idle += (size_t)(next == CONN_IDLE) -
                       (size_t)(c->state == CONN_IDLE);
    c->state = next;
}

static double millisecondsSince(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) * 1000.0 +
           (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

/* ---- ending an exchange ---- */

static void onLater(evutil_socket_t fd, short what, void *arg)
{
    struct plainhttp_exchange *x = arg;
    (void)fd;
    (void)what;
    x->done(x->arg);
}

/* The exchange is over, whatever *res says: its callback runs from the
 * loop, and it no longer holds a connection or a place in line. */
static void finish(struct plainhttp_exchange *x)
{
    x->res->content_type = x->content_type_at ? x->buf + x->content_type_at
                                              : NULL;
    x->state = X_DONE;
    x->conn = NULL;
    event_active(&x->later, EV_TIMEOUT, 1);
}

static void fail(struct plainhttp_exchange *x, enum upstream_outcome outcome,
                 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(struct plainhttp_exchange *x, enum upstream_outcome outcome,
                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->res->message, sizeof(x->res->message), fmt, ap);
    va_end(ap);
    x->res->outcome = outcome;
    x->res->body = "";
    x->res->body_len = 0;
    finish(x);
}

/* ---- connections ---- */

static void closeConn(struct conn *c)
{
    if (c->lookup) {             /* still out: its answer will find no one */
        c->lookup->conn = NULL;
        evdns_getaddrinfo_cancel(c->lookup->request);
    }
    event_del(&c->timer);
    if (c->fd >= 0) {
        event_del(&c->readable);
        event_del(&c->writable);
        evutil_closesocket(c->fd);
    }
    if (c->addrs)
        evutil_freeaddrinfo(c->addrs);
    setConnState(c, CONN_BUSY);     /* leaves the counts */
    unlinkConn(c);
    free(c);
}

/* A connection could not open: the first exchange in line fails with
 * what happened (it is the one that asked for a connection, or one
 * that came after and is as unlucky). */
static void failOpening(struct conn *c, enum upstream_outcome outcome,
                        const char *fmt, const char *detail)
{
    struct host *h = c->host;
    struct plainhttp_exchange *x = h->first;
    if (x) {
        dequeue(x);
        fail(x, outcome, fmt, h->name, h->port, detail);
    }
    closeConn(c);
}

static void sendRequest(struct plainhttp_exchange *x);
static void dispatch(struct host *h);
static void onReadable(evutil_socket_t fd, short what, void *arg);
static void onWritable(evutil_socket_t fd, short what, void *arg);

/* Connection c carries x from now on. */
static void assign(struct conn *c, struct plainhttp_exchange *x)
{
    dequeue(x);
    setConnState(c, CONN_BUSY);
    c->x = x;
    x->conn = c;
    x->state = X_RUNNING;
    x->reused = c->answers > 0;
    x->res->connect_ms = c->fresh ? c->connect_ms : 0;
    c->fresh = 0;
    sendRequest(x);
}

/* A connection is free: the next in line takes it, or it idles (or
 * closes, over max_idle). */
static void release(struct conn *c)
{
    struct host *h = c->host;
    c->x = NULL;
    if (h->first)
        assign(c, h->first);
    else if (h->pool->n_idle < h->pool->max_idle)
        setConnState(c, CONN_IDLE);
    else
        closeConn(c);
}

static void setSocketOptions(evutil_socket_t fd)
{
    int on = 1, idle = KEEPALIVE_SECONDS;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &idle, sizeof(idle));
}

static void connected(struct conn *c)
{
    struct plainhttp_pool *pool = c->host->pool;
    event_del(&c->timer);
    event_del(&c->writable);
    c->connect_ms = millisecondsSince(&c->opened);
    c->fresh = 1;
    pool->opened++;
    event_add(&c->readable, NULL);
    setConnState(c, CONN_BUSY);
    release(c);
}

/* Try the addresses left, in order; the last failure is the one told. */
static void connectNext(struct conn *c)
{
    struct plainhttp_pool *pool = c->host->pool;
    for (; c->next_addr; c->next_addr = c->next_addr->ai_next) {
        struct evutil_addrinfo *ai = c->next_addr;
        evutil_socket_t fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK
                                    | SOCK_CLOEXEC, IPPROTO_TCP);
        if (fd < 0) {
            c->last_errno = errno;
            continue;
        }
        setSocketOptions(fd);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 &&
            errno != EINPROGRESS) {
            c->last_errno = errno;
            evutil_closesocket(fd);
            continue;
        }
        c->fd = fd;
        c->next_addr = ai->ai_next;
        event_assign(&c->readable, pool->base, fd, EV_READ | EV_PERSIST,
                     onReadable, c);
        event_assign(&c->writable, pool->base, fd, EV_WRITE | EV_PERSIST,
                     onWritable, c);
        setConnState(c, CONN_CONNECTING);
        event_add(&c->writable, NULL);
        return;
    }
    failOpening(c, UPSTREAM_UNAVAILABLE,
                "Failed to connect to %s port %u: %s",
                strerror(c->last_errno ? c->last_errno : ECONNREFUSED));
}

static void onConnectTimeout(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    struct host *h = c->host;
    char detail[64];
    (void)fd;
    (void)what;
    snprintf(detail, sizeof(detail), "no connection within %ld ms",
             c->connect_timeout_ms);
    failOpening(c, UPSTREAM_TIMEOUT, "Failed to connect to %s port %u: %s",
                detail);
    dispatch(h);
}

static void onResolved(int result, struct evutil_addrinfo *addrs, void *arg)
{
    struct lookup *lookup = arg;
    struct resolver *r = lookup->resolver;
    struct conn *c = lookup->conn;
    if (!c) {                           /* the connection gave up */
        if (addrs)
            evutil_freeaddrinfo(addrs);
        free(lookup);
        if (--r->pending == 0 && r->orphaned) {
            evdns_base_free(r->dns, 0);
            free(r);
        }
        return;
    }
    r->pending--;
    c->lookup = NULL;
    free(lookup);
    if (result != 0) {
        failOpening(c, UPSTREAM_UNAVAILABLE,
                    "Could not resolve host %s (port %u): %s",
                    evutil_gai_strerror(result));
        return;
    }
    c->addrs = c->next_addr = addrs;
    connectNext(c);
}

static struct resolver *resolverOf(struct plainhttp_pool *pool)
{
    if (pool->resolver)
        return pool->resolver;
    struct resolver *r = calloc(1, sizeof(*r));
    if (r && !(r->dns = evdns_base_new(pool->base,
                                       EVDNS_BASE_INITIALIZE_NAMESERVERS |
                                       EVDNS_BASE_DISABLE_WHEN_INACTIVE))) {
        free(r);
        r = NULL;
    }
    return pool->resolver = r;
}

/* Hints for a TCP address of the host; its port as text in port. */
static struct evutil_addrinfo tcpHints(const struct host *h, int flags,
                                       char port[8])
{
    struct evutil_addrinfo hints = {0};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = flags;
    snprintf(port, 8, "%u", h->port);
    return hints;
}

/* A numeric address needs no lookup. */
static struct evutil_addrinfo *numericAddress(const struct host *h)
{
    struct evutil_addrinfo *ai = NULL;
    char port[8];
    struct evutil_addrinfo hints =
        tcpHints(h, EVUTIL_AI_NUMERICHOST | EVUTIL_AI_NUMERICSERV, port);
    if (evutil_getaddrinfo(h->name, port, &hints, &ai) != 0)
        return NULL;
    return ai;
}

/* Start resolving h->name for c; the answer may come at once. */
static void resolve(struct conn *c)
{
    struct host *h = c->host;
    struct resolver *r = resolverOf(h->pool);
    struct lookup *lookup = r ? calloc(1, sizeof(*lookup)) : NULL;
    if (!lookup) {
        failOpening(c, UPSTREAM_UNAVAILABLE,
                    "Could not resolve host %s (port %u): %s",
                    "no resolver (out of memory)");
        return;
    }
    char port[8];
    struct evutil_addrinfo hints = tcpHints(h, EVUTIL_AI_ADDRCONFIG, port);
    lookup->resolver = r;
    lookup->conn = c;
    c->lookup = lookup;
    r->pending++;
    struct evdns_getaddrinfo_request *request =
        evdns_getaddrinfo(r->dns, h->name, port, &hints, onResolved, lookup);
    /* NULL: answered already (and lookup freed); else still out. */
    if (request)
        lookup->request = request;
}

/* A new connection for the host's line; on failure the first in line
 * has its answer and the connection is gone. */
static void openConn(struct host *h, long connect_timeout_ms)
{
    struct plainhttp_pool *pool = h->pool;
    struct conn *c = calloc(1, sizeof(*c));
    if (!c) {
        struct plainhttp_exchange *x = h->first;
        dequeue(x);
        fail(x, UPSTREAM_ERROR, "out of memory");
        return;
    }
    c->host = h;
    c->fd = -1;
    c->state = CONN_BUSY;
    c->connect_timeout_ms = connect_timeout_ms;
    clock_gettime(CLOCK_MONOTONIC, &c->opened);
    linkConn(h, c);
    setConnState(c, CONN_RESOLVING);
    evtimer_assign(&c->timer, pool->base, onConnectTimeout, c);
    struct timeval tv = {connect_timeout_ms / 1000,
                         (connect_timeout_ms % 1000) * 1000};
    evtimer_add(&c->timer, &tv);
    struct evutil_addrinfo *numeric = numericAddress(h);
    if (numeric) {
        c->addrs = c->next_addr = numeric;
        connectNext(c);
    } else {
        resolve(c);
    }
}

/* Pair the line with connections: idle ones first, then new ones while
 * the host has room. Never calls itself; what fails at once takes its
 * exchange out of line, so the loop ends. */
static void dispatch(struct host *h)
{
    while (h->first) {
        struct conn *idle = NULL;
        for (struct conn *c = h->conns; c && !idle; c = c->next)
            if (c->state == CONN_IDLE)
                idle = c;
        if (idle) {
            assign(idle, h->first);
            continue;
        }
        if (h->n_opening >= h->n_waiting ||
            h->n_conns >= h->pool->max_per_host)
            return;
        openConn(h, h->first->connect_timeout_ms);
    }
}

/* ---- sending ---- */

static void connectionLost(struct conn *c, int err);

/* Write what is left of the request; the write event waits for room. */
static void sendRequest(struct plainhttp_exchange *x)
{
    struct conn *c = x->conn;
    size_t head_len = x->head.len, total = head_len + x->body_len;
    while (x->sent < total) {
        struct iovec iov[2];
        size_t n = 0;
        if (x->sent < head_len) {
            iov[n].iov_base = x->head.data + x->sent;
            iov[n++].iov_len = head_len - x->sent;
        }
        size_t body_sent = x->sent > head_len ? x->sent - head_len : 0;
        if (x->body_len > body_sent) {
            iov[n].iov_base = (char *)x->body + body_sent;
            iov[n++].iov_len = x->body_len - body_sent;
        }
        struct msghdr msg = {.msg_iov = iov, .msg_iovlen = n};
        ssize_t sent = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            event_add(&c->writable, NULL);
            return;
        }
        if (sent < 0) {
            connectionLost(c, errno);
            return;
        }
        x->sent += (size_t)sent;
    }
    event_del(&c->writable);
}

static void onWritable(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    struct host *h = c->host;
    (void)what;
    if (c->state == CONN_BUSY) {
        sendRequest(c->x);
    } else {
        int err = 0;
        socklen_t len = sizeof(err);
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
            err = errno;
        if (err) {
            c->last_errno = err;
            event_del(&c->writable);
            evutil_closesocket(c->fd);
            c->fd = -1;
            connectNext(c);
        } else {
            connected(c);
        }
    }
    dispatch(h);
}

/* ---- reading the answer ---- */

static void resetAnswer(struct plainhttp_exchange *x)
{
    x->len = x->scanned = x->body_at = x->content_type_at = 0;
    x->body_len_in = x->chunk_left = 0;
    x->chunk = CHUNK_SIZE;
    x->keep_alive = 0;
}

/* The connection broke before the whole answer: a kept-alive one that
 * said nothing was most likely closed by the server while idle, so the
 * request goes once more, first in line. */
static void connectionLost(struct conn *c, int err)
{
    struct plainhttp_exchange *x = c->x;
    struct host *h = c->host;
    c->x = NULL;
    closeConn(c);
    if (x->len == 0 && x->reused && !x->retried) {
        x->retried = 1;
        x->sent = 0;
        x->conn = NULL;
        x->state = X_WAITING;
        resetAnswer(x);
        enqueue(h, x, 1);
        return;
    }
    if (x->len == 0)
        fail(x, UPSTREAM_UNAVAILABLE, "%s port %u closed the connection "
             "without an answer%s%s", h->name, h->port, err ? ": " : "",
             err ? strerror(err) : "");
    else
        fail(x, UPSTREAM_ERROR, "the connection closed in the middle of "
             "the answer (after %zu bytes)%s%s", x->len, err ? ": " : "",
             err ? strerror(err) : "");
}

/* Printable start of the answer for messages. */
static const char *firstBytes(const struct plainhttp_exchange *x, char *out,
                              size_t size)
{
    size_t n = 0;
    for (size_t i = 0; i < x->len && n + 1 < size && i < 40; i++)
        out[n++] = isprint((unsigned char)x->buf[i]) ? x->buf[i] : '.';
    out[n] = '\0';
    return out;
}

static int notHttp(struct plainhttp_exchange *x)
{
    char start[48];
    fail(x, UPSTREAM_ERROR, "the answer is not HTTP/1 (first bytes: %s)",
         firstBytes(x, start, sizeof(start)));
    return -1;
}

static int tokenIn(const char *value, size_t len, const char *token)
{
    size_t n = strlen(token);
    for (size_t i = 0; i + n <= len; i++)
        if (strncasecmp(value + i, token, n) == 0 &&
            (i == 0 || value[i - 1] == ',' || value[i - 1] == ' ') &&
            (i + n == len || value[i + n] == ',' || value[i + n] == ' ' ||
             value[i + n] == ';'))
            return 1;
    return 0;
}

struct headFields {
    int minor, status;
    int close, keep_alive, chunked;
    int has_length;
    size_t length;
    const char *content_type;
};

static int headerIs(const char *line, size_t name_len, const char *name)
{
    return strlen(name) == name_len && strncasecmp(line, name, name_len) == 0;
}

/* One header line [line, end), its terminator at *end. */
static int readHeader(struct plainhttp_exchange *x, char *line, char *end,
                      struct headFields *f)
{
    char *colon = memchr(line, ':', (size_t)(end - line));
    if (!colon)
        return 0;               /* not a header: ignored, like curl */
    size_t name_len = (size_t)(colon - line);
    char *v = colon + 1;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    char *v_end = end;
    while (v_end > v && (v_end[-1] == ' ' || v_end[-1] == '\t'))
        v_end--;
    size_t v_len = (size_t)(v_end - v);
    if (headerIs(line, name_len, "Content-Length")) {
        size_t n = 0, i = 0;
        for (; i < v_len && isdigit((unsigned char)v[i]); i++) {
            if (n > (SIZE_MAX - 9) / 10)
                break;
            n = n * 10 + (size_t)(v[i] - '0');
        }
        if (i == 0 || i != v_len || (f->has_length && f->length != n)) {
            fail(x, UPSTREAM_ERROR, "the answer has a bad Content-Length");
            return -1;
        }
        f->has_length = 1;
        f->length = n;
    } else if (headerIs(line, name_len, "Transfer-Encoding")) {
        if (!tokenIn(v, v_len, "chunked") || v_len < 7 ||
            strncasecmp(v_end - 7, "chunked", 7) != 0) {
            fail(x, UPSTREAM_ERROR, "the answer's transfer coding is not "
                 "supported: %.*s", (int)(v_len > 64 ? 64 : v_len), v);
            return -1;
        }
        f->chunked = 1;
    } else if (headerIs(line, name_len, "Connection")) {
        f->close |= tokenIn(v, v_len, "close");
        f->keep_alive |= tokenIn(v, v_len, "keep-alive");
    } else if (headerIs(line, name_len, "Content-Type")) {
        *v_end = '\0';
        f->content_type = v;
    }
    return 0;
}

/* The head [0, end): status line and headers. 1 read, -1 failed. */
static int readFields(struct plainhttp_exchange *x, size_t end,
                      struct headFields *f)
{
    char *p = x->buf, *stop = x->buf + end;
    if (end < 13 || memcmp(p, "HTTP/1.", 7) != 0 ||
        !isdigit((unsigned char)p[7]) || p[8] != ' ' ||
        !isdigit((unsigned char)p[9]) || !isdigit((unsigned char)p[10]) ||
        !isdigit((unsigned char)p[11]) ||
        (p[12] != ' ' && p[12] != '\r' && p[12] != '\n'))
        return notHttp(x);
    f->minor = p[7] - '0';
    f->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    char *line = memchr(p, '\n', end) + 1;
    while (line < stop) {
        char *nl = memchr(line, '\n', (size_t)(stop - line));
        char *line_end = nl > line && nl[-1] == '\r' ? nl - 1 : nl;
        if (line_end == line)
            break;
        if (readHeader(x, line, line_end, f) < 0)
            return -1;
        line = nl + 1;
    }
    return 1;
}

/* Where the head ends (just past its empty line), 0 when not yet. */
static size_t headEnd(struct plainhttp_exchange *x)
{
    size_t i = x->scanned;
    while (i < x->len) {
        char *nl = memchr(x->buf + i, '\n', x->len - i);
        if (!nl) {
            i = x->len;
            break;
        }
        i = (size_t)(nl - x->buf);
        if (i + 1 < x->len && x->buf[i + 1] == '\n')
            return i + 2;
        if (i + 2 < x->len && x->buf[i + 1] == '\r' && x->buf[i + 2] == '\n')
            return i + 3;
        if (i + 2 >= x->len)
            break;
        i++;
    }
    x->scanned = i;
    return 0;
}

/* 1 the head is read, 0 more to come, -1 failed. */
static int readHead(struct plainhttp_exchange *x)
{
    for (;;) {
        if (x->len >= 5 && memcmp(x->buf, "HTTP/", 5) != 0)
            return notHttp(x);
        size_t end = headEnd(x);
        if (!end) {
            if (x->len <= MAX_HEAD_BYTES)
                return 0;
            fail(x, UPSTREAM_ERROR, "the answer's header is longer than "
                 "%d bytes", MAX_HEAD_BYTES);
            return -1;
        }
        struct headFields f = {0};
        if (readFields(x, end, &f) < 0)
            return -1;
        if (f.status == 101) {  /* nobody asked it to switch */
            fail(x, UPSTREAM_ERROR, "the server switched protocols (101)");
            return -1;
        }
        if (f.status >= 100 && f.status < 200) {
            /* 100 Continue and the like: the answer comes after it. */
            memmove(x->buf, x->buf + end, x->len - end);
            x->len -= end;
            x->buf[x->len] = '\0';
            x->scanned = 0;
            continue;
        }
        x->res->http_status = f.status;
        /* an offset: the buffer may move as the body comes */
        x->content_type_at = f.content_type
                                 ? (size_t)(f.content_type - x->buf) : 0;
        x->keep_alive = f.minor >= 1 ? !f.close : f.keep_alive && !f.close;
        x->body_at = end;
        if (f.status == 204 || f.status == 304) {
            x->framing = NO_BODY;
        } else if (f.chunked) {
            x->framing = BY_CHUNKS;
        } else if (f.has_length) {
            x->framing = BY_LENGTH;
            x->content_length = f.length;
            if (f.length > x->max_bytes)
                goto too_large;
        } else {
            x->framing = BY_CLOSE;
            x->keep_alive = 0;
        }
        return 1;
    }
too_large:
    fail(x, UPSTREAM_TOO_LARGE, "the answer is larger than "
         "max_response_bytes (%zu bytes)", x->max_bytes);
    return -1;
}

static int chunkError(struct plainhttp_exchange *x, const char *what)
{
    fail(x, UPSTREAM_ERROR, "the answer's chunked coding is broken: %s",
         what);
    return -1;
}

static int hexValue(int c)
{
    return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* One chunk-size line [p, p + line). */
static int readChunkSize(struct plainhttp_exchange *x, const char *p,
                         size_t line)
{
    size_t size = 0, k = 0;
    for (; k < line && isxdigit((unsigned char)p[k]); k++) {
        if (size > (SIZE_MAX >> 4))
            return chunkError(x, "a chunk size out of range");
        size = size * 16 + (size_t)hexValue((unsigned char)p[k]);
    }
    if (k == 0)
        return chunkError(x, "a chunk size that is not hexadecimal");
    if (size == 0) {
        x->chunk = CHUNK_TRAILER;
    } else if (size > x->max_bytes - x->body_len_in) {
        fail(x, UPSTREAM_TOO_LARGE, "the answer is larger than "
             "max_response_bytes (%zu bytes)", x->max_bytes);
        return -1;
    } else {
        x->chunk_left = size;
        x->chunk = CHUNK_DATA;
    }
    return 0;
}

/* Decode the chunks read so far in place, right after the body decoded
 * before; the undecoded rest moves up behind it. 1 the last chunk and
 * the trailer are read, 0 more to come, -1 failed. */
static int readChunks(struct plainhttp_exchange *x)
{
    size_t wr = x->body_at + x->body_len_in, rd = wr;
    int done = 0;
    while (rd < x->len && !done) {
        char *p = x->buf + rd;
        size_t avail = x->len - rd;
        if (x->chunk == CHUNK_DATA) {
            size_t n = avail < x->chunk_left ? avail : x->chunk_left;
            memmove(x->buf + wr, p, n);
            wr += n;
            rd += n;
            x->body_len_in += n;
            if (!(x->chunk_left -= n))
                x->chunk = CHUNK_DATA_END;
        } else if (x->chunk == CHUNK_DATA_END) {
            size_t crlf = p[0] == '\n' ? 1 : p[0] == '\r' ? 2 : 0;
            if (!crlf || (crlf == 2 && avail >= 2 && p[1] != '\n'))
                return chunkError(x, "a chunk longer than its size");
            if (crlf > avail)
                break;
            rd += crlf;
            x->chunk = CHUNK_SIZE;
        } else {
            char *nl = memchr(p, '\n', avail);
            if (!nl) {
                if (avail > MAX_CHUNK_LINE)
                    return chunkError(x, "a line longer than 1024 bytes");
                break;
            }
            size_t line = (size_t)(nl - p);
            rd += line + 1;
            if (x->chunk == CHUNK_TRAILER)
                done = line == 0 || (line == 1 && p[0] == '\r');
            else if (readChunkSize(x, p, line) < 0)
                return -1;
        }
    }
    memmove(x->buf + wr, x->buf + rd, x->len - rd);
    x->len = wr + (x->len - rd);
    x->buf[x->len] = '\0';
    if (done && x->len > wr)
        x->keep_alive = 0;      /* bytes nobody asked for */
    return done;
}

/* 1 the whole answer is read, 0 more to come, -1 failed. */
static int readAnswer(struct plainhttp_exchange *x)
{
    if (!x->body_at) {
        int r = readHead(x);
        if (r <= 0)
            return r;
    }
    size_t have = x->len - x->body_at;
    switch (x->framing) {
    case NO_BODY:
        x->body_len_in = 0;
        x->keep_alive &= have == 0;
        return 1;
    case BY_LENGTH:
        if (have < x->content_length)
            return 0;
        x->keep_alive &= have == x->content_length;
        x->body_len_in = x->content_length;
        return 1;
    case BY_CHUNKS:
        return readChunks(x);
    case BY_CLOSE:
        x->body_len_in = have;
        if (have <= x->max_bytes)
            return 0;
        fail(x, UPSTREAM_TOO_LARGE, "the answer is larger than "
             "max_response_bytes (%zu bytes)", x->max_bytes);
        return -1;
    }
    return -1;
}

/* The answer is complete: hand it over, and the connection to the next
 * in line (unless it must close). */
static void succeed(struct conn *c)
{
    struct plainhttp_exchange *x = c->x;
    struct upstream_response *res = x->res;
    int keep = x->keep_alive && x->sent == x->head.len + x->body_len;
    x->buf[x->body_at + x->body_len_in] = '\0';
    res->outcome = UPSTREAM_OK;
    res->body = x->buf + x->body_at;
    res->body_len = x->body_len_in;
    res->reused_connection = x->reused;
    res->message[0] = '\0';
    c->answers++;
    finish(x);
    if (keep) {
        release(c);
    } else {
        c->x = NULL;
        closeConn(c);
    }
}

static int makeRoom(struct plainhttp_exchange *x)
{
    if (x->cap - x->len > READ_SIZE / 4)
        return 0;
    size_t cap = x->cap ? x->cap * 2 : READ_SIZE;
    char *grown = realloc(x->buf, cap);
    if (!grown)
        return -1;
    x->buf = grown;
    x->cap = cap;
    return 0;
}

static void onReadable(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    struct host *h = c->host;
    struct plainhttp_exchange *x = c->x;
    (void)what;
    if (!x) {                   /* idle: closed by the server, or noise */
        closeConn(c);
        return;
    }
    if (makeRoom(x) < 0) {
        c->x = NULL;
        closeConn(c);
        fail(x, UPSTREAM_ERROR, "out of memory while reading the answer");
        dispatch(h);
        return;
    }
    ssize_t n = recv(fd, x->buf + x->len, x->cap - x->len - 1, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n > 0) {
        x->len += (size_t)n;
        x->buf[x->len] = '\0';
    }
    int r = n > 0 ? readAnswer(x) : 0;
    if (r == 0 && n > 0)
        return;
    if (r > 0 || (n == 0 && x->body_at && x->framing == BY_CLOSE)) {
        succeed(c);
    } else if (n <= 0) {
        connectionLost(c, n < 0 ? errno : 0);
    } else {
        c->x = NULL;
        closeConn(c);
    }
    dispatch(h);
}

/* ---- the request ---- */

static void appendNumber(struct strbuf *sb, size_t n)
{
    char digits[24];
    size_t i = sizeof(digits);
    do {
        digits[--i] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    strbuf_append(sb, digits + i, sizeof(digits) - i);
}

static void appendBasicAuth(struct strbuf *sb, const struct upstream_target *t)
{
    const char *user = t->username ? t->username : "";
    const char *password = t->password ? t->password : "";
    size_t n = strlen(user) + 1 + strlen(password);
    char *plain = malloc(n + 1);
    char *coded = malloc(4 * ((n + 2) / 3) + 1);
    if (plain && coded) {
        snprintf(plain, n + 1, "%s:%s", user, password);
        EVP_EncodeBlock((unsigned char *)coded, (unsigned char *)plain,
                        (int)n);
        strbuf_puts(sb, "Authorization: Basic ");
        strbuf_puts(sb, coded);
        strbuf_puts(sb, "\r\n");
    } else {
        sb->failed = 1;
    }
    if (plain)
        explicit_bzero(plain, n);
    free(plain);
    free(coded);
}

/* A header with nothing after its colon is left out, as libcurl does. */
static int emptyHeader(const char *header)
{
    const char *colon = strchr(header, ':');
    if (!colon)
        return 0;
    for (colon++; *colon == ' ' || *colon == '\t'; colon++)
        ;
    return *colon == '\0';
}

static void buildHead(struct plainhttp_exchange *x,
                      const struct upstream_request *req, const struct url *u)
{
    struct strbuf *sb = &x->head;
    strbuf_puts(sb, req->body ? "POST " : "GET ");
    if (u->path_len)
        strbuf_append(sb, u->path, u->path_len);
    else
        strbuf_puts(sb, "/");
    strbuf_puts(sb, " HTTP/1.1\r\nHost: ");
    strbuf_append(sb, u->authority, u->authority_len);
    strbuf_puts(sb, "\r\nUser-Agent: soapbridge\r\nAccept: */*\r\n");
    if (req->target->auth == UPSTREAM_AUTH_BASIC)
        appendBasicAuth(sb, req->target);
    if (req->body) {
        strbuf_puts(sb, "Content-Length: ");
        appendNumber(sb, req->body_len);
        strbuf_puts(sb, "\r\n");
    }
    for (size_t i = 0; req->headers && req->headers[i]; i++) {
        if (emptyHeader(req->headers[i]))
            continue;
        strbuf_puts(sb, req->headers[i]);
        strbuf_puts(sb, "\r\n");
    }
    strbuf_puts(sb, "\r\n");
}

static struct host *findHost(struct plainhttp_pool *pool, const struct url *u)
{
    for (struct host *h = pool->hosts; h; h = h->next)
        if (h->port == u->port && strlen(h->name) == u->host_len &&
            strncasecmp(h->name, u->host, u->host_len) == 0)
            return h;
    struct host *h = calloc(1, sizeof(*h));
    if (!h || !(h->name = strndup(u->host, u->host_len))) {
        free(h);
        return NULL;
    }
    h->pool = pool;
    h->port = u->port;
    h->next = pool->hosts;
    pool->hosts = h;
    return h;
}

static int lineBreakIn(const char *const *headers)
{
    for (size_t i = 0; headers && headers[i]; i++)
        if (strpbrk(headers[i], "\r\n"))
            return 1;
    return 0;
}

struct plainhttp_exchange *plainhttp_start(struct plainhttp_pool *pool,
                                           const struct upstream_request *req,
                                           size_t max_bytes,
                                           struct upstream_response *res,
                                           plainhttp_done_fn done, void *arg)
{
    const struct upstream_target *t = req->target;
    struct url u;
    struct host *h;
    struct plainhttp_exchange *x;
    if (parseUrl(t->url, &u) < 0) {
        snprintf(res->message, sizeof(res->message),
                 "not a plain http:// URL");
        return NULL;
    }
    if (lineBreakIn(req->headers)) {
        snprintf(res->message, sizeof(res->message),
                 "a request header holds a line break");
        return NULL;
    }
    if (!(h = findHost(pool, &u)) || !(x = calloc(1, sizeof(*x)))) {
        snprintf(res->message, sizeof(res->message), "out of memory");
        return NULL;
    }
    x->host = h;
    x->res = res;
    x->done = done;
    x->arg = arg;
    x->max_bytes = max_bytes;
    x->connect_timeout_ms = t->connect_timeout_ms > 0
                                ? t->connect_timeout_ms
                                : UPSTREAM_DEFAULT_CONNECT_TIMEOUT_MS;
    x->body = req->body;
    x->body_len = req->body ? req->body_len : 0;
    event_assign(&x->later, pool->base, -1, 0, onLater, x);
    strbuf_init(&x->head);
    buildHead(x, req, &u);
    if (strbuf_failed(&x->head)) {
        strbuf_free(&x->head);
        free(x);
        snprintf(res->message, sizeof(res->message), "out of memory");
        return NULL;
    }
    enqueue(h, x, 0);
    dispatch(h);
    return x;
}

void plainhttp_release(struct plainhttp_exchange *x)
{
    if (!x)
        return;
    event_del(&x->later);
    if (x->state == X_WAITING) {
        dequeue(x);
    } else if (x->state == X_RUNNING) {
        struct host *h = x->host;
        x->conn->x = NULL;
        closeConn(x->conn);
        dispatch(h);
    }
    strbuf_free(&x->head);
    free(x->buf);
    free(x);
}

/* ---- the pool ---- */

static int proxyInEnvironment(void)
{
    static const char *const names[] = {"http_proxy", "all_proxy",
                                        "ALL_PROXY"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *v = getenv(names[i]);
        if (v && *v)
            return 1;
    }
    return 0;
}

struct plainhttp_pool *plainhttp_pool_new(struct event_base *base,
                                          long max_per_host, long max_idle)
{
    struct plainhttp_pool *pool = calloc(1, sizeof(*pool));
    if (!pool)
        return NULL;
    pool->base = base;
    pool->max_per_host = max_per_host > 0
                             ? (size_t)max_per_host
                             : UPSTREAM_DEFAULT_MAX_CONNECTIONS;
    pool->max_idle = max_idle > 0 ? (size_t)max_idle : pool->max_per_host;
    pool->env_proxy = proxyInEnvironment();
    return pool;
}

void plainhttp_pool_free(struct plainhttp_pool *pool)
{
    if (!pool)
        return;
    while (pool->hosts) {
        struct host *h = pool->hosts;
        while (h->conns)
            closeConn(h->conns);
        pool->hosts = h->next;
        free(h->name);
        free(h);
    }
    struct resolver *r = pool->resolver;
    if (r && r->pending) {
        r->orphaned = 1;        /* the last cancelled lookup frees it */
    } else if (r) {
        evdns_base_free(r->dns, 0);
        free(r);
    }
    free(pool);
}

size_t plainhttp_connections_opened(const struct plainhttp_pool *pool)
{
    return pool ? pool->opened : 0;
}
