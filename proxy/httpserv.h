/*
 * httpserv: the HTTP/1.1 server side of a worker's client connections.
 *
 * One httpserv accepts the connections of one listening socket on one
 * worker's event loop and reads HTTP/1.1 (and 1.0) requests from them:
 * Content-Length and chunked bodies, Expect: 100-continue, keep-alive and
 * pipelining (one request handled at a time per connection, the next
 * read once the reply is written), TLS through OpenSSL when given a
 * context. Each request goes to the handler, which answers it exactly
 * once with httpserv_reply, at once or later from the loop.
 *
 * A request the server cannot take (malformed, a body or head over the
 * limits, an unknown transfer coding, another HTTP version) still goes to
 * the handler, with httpserv_problem saying what is wrong, so that every
 * refusal is the daemon's own canonical reply; the connection closes
 * after it.
 *
 * Plain connections are read and written with recv and sendmsg
 * straight from and to the request's own buffer, and keep their read
 * event for their whole life: a request costs one recv, one sendmsg and
 * no epoll_ctl (libevent's HTTP server made three more system calls a
 * request).
 */
#ifndef SB_HTTPSERV_H
#define SB_HTTPSERV_H

#include <stddef.h>

#include <event2/event.h>
#include <openssl/ssl.h>

struct httpserv;
struct httpserv_request;

struct httpserv_limits {
    size_t max_body;        /* larger bodies are not read (body_too_large) */
    size_t max_head;        /* request line and headers (header_too_large) */
    int idle_ms;            /* a connection with no request, or a reply
                               nobody reads, is closed after this */
    size_t max_conns;       /* open at once; more wait in the listen
                               queue until one closes */
};

/* Called for every request; the request is the handler's until it calls
 * httpserv_reply. */
typedef void (*httpserv_handler)(struct httpserv_request *req, void *arg);

/* Serve the listening socket fd (non-blocking; the httpserv closes it
 * when freed) on base; tls NULL for plain HTTP (else the httpserv holds a
 * reference to it). NULL when out of memory. */
struct httpserv *httpserv_new(struct event_base *base, evutil_socket_t fd,
                              SSL_CTX *tls,
                              const struct httpserv_limits *limits,
                              httpserv_handler handler, void *arg);

/* Close every connection and the listening socket. A request still
 * being handled has its close callback called first (see
 * httpserv_on_close). */
void httpserv_free(struct httpserv *hs);

/* New limits for what comes from now on (a reload): bodies and heads
 * not yet read, connections not yet accepted. idle_ms keeps the value
 * the httpserv was made with. Call on the httpserv's loop. */
void httpserv_set_limits(struct httpserv *hs,
                         const struct httpserv_limits *limits);

/*
 * Stop gracefully: the listening socket closes at once (new connections
 * are refused), idle keep-alive connections close, and every other
 * connection closes once the request it is reading or handling has been
 * answered (with Connection: close). done(arg) is called once no
 * connection is left: from the loop, or from this call when none is
 * open; it must not free hs. A second call does nothing. httpserv_free
 * still ends whatever is left.
 */
void httpserv_drain(struct httpserv *hs, void (*done)(void *), void *arg);

/* The TLS context of the connections accepted from now on (a reload
 * with a rotated certificate; it takes a reference). Those open keep
 * theirs. Nothing for a plain-HTTP httpserv or a NULL tls. Call on the
 * httpserv's loop. */
void httpserv_set_tls(struct httpserv *hs, SSL_CTX *tls);

/* The client connections it has open. */
size_t httpserv_connections(const struct httpserv *hs);

/*
 * A group: the httpservs of one listen address, one per worker, sharing
 * out their connections. The kernel splits SO_REUSEPORT connections by
 * a hash, 64 connections often 36 to 28, and the worker with more
 * answers each of them later. In a group, a member that accepts a
 * connection while another holds fewer hands it over (through a pipe, to
 * the other's loop), so that the members hold as many as each other to
 * within one. Handing over costs a write and a read per connection,
 * nothing per request.
 */
struct httpserv_group;

/* A group of n members; NULL when out of memory or descriptors. */
struct httpserv_group *httpserv_group_new(size_t n);

/* Free the group once every member is freed; connections still on their
 * way to a member are closed. */
void httpserv_group_free(struct httpserv_group *g);

/* Make hs the group's member number `member` (< n), before its loop
 * runs; -1 when out of memory. */
int httpserv_join(struct httpserv *hs, struct httpserv_group *g,
                  size_t member);

/* The client connections member holds, counting those on their way to
 * it; safe from any thread. */
size_t httpserv_group_connections(const struct httpserv_group *g,
                                  size_t member);

/* What is wrong with the request, as a canonical error code
 * ("bad_request", "body_too_large", "header_too_large",
 * "not_implemented", "http_version_not_supported") and a message naming
 * the part; NULL when nothing is. */
const char *httpserv_problem(const struct httpserv_request *req,
                             const char **message);

/* The method ("GET"), the request target as sent ("/v1/x?y"; "" when the
 * request line could not be read), the peer ("127.0.0.1:5000"). */
const char *httpserv_method(const struct httpserv_request *req);
const char *httpserv_target(const struct httpserv_request *req);
const char *httpserv_peer(const struct httpserv_request *req);

/* The first header of that name (case-insensitive), NULL if none. */
const char *httpserv_header(const struct httpserv_request *req,
                            const char *name);

/* The body (chunks decoded; NUL-terminated) and its length. */
const char *httpserv_body(const struct httpserv_request *req, size_t *len);

/* What to call if the client closes the connection before the reply (at
 * most once; the handler must still reply, and the reply is dropped);
 * NULL to clear. */
void httpserv_on_close(struct httpserv_request *req, void (*cb)(void *),
                       void *arg);

/* Add a header to the reply. Name and value are not copied: they must
 * live until httpserv_reply. At most HTTPSERV_MAX_REPLY_HEADERS. */
#define HTTPSERV_MAX_REPLY_HEADERS 8
void httpserv_add_header(struct httpserv_request *req, const char *name,
                         const char *value);

/* Answer the request and give it back: status, the headers added,
 * Content-Length, Date and Connection, then the body (none for HEAD). req
 * is gone when this returns. */
void httpserv_reply(struct httpserv_request *req, int status,
                    const char *body, size_t len);

#endif
