/*
 * plainhttp: the daemon's own HTTP/1.1 client for plain-text http://
 * upstreams (DESIGN.md, step 6 "upstream call"; the README's design note
 * "Our own client for plain HTTP" says why it exists beside libcurl).
 *
 * upstream.c hands it every call that plainhttp_takes() accepts and keeps
 * libcurl for the rest (https, NTLM, a proxy from the environment, URLs
 * of unusual form). It speaks just what a SOAP call needs: one request at
 * a time per connection (no pipelining), answers framed by
 * Content-Length, chunked transfer coding or the end of the connection,
 * 1xx answers skipped, kept-alive connections reused, and a request sent
 * again once, on another connection, when a kept-alive connection turns
 * out to be closed before any byte of the answer (what libcurl does too).
 *
 * One pool per worker thread, on that worker's event_base; nothing here
 * takes a lock. Host names are resolved with libevent's asynchronous
 * resolver (/etc/hosts, then the servers of /etc/resolv.conf) when a
 * connection opens; numeric addresses need no lookup.
 */
#ifndef SB_PLAINHTTP_H
#define SB_PLAINHTTP_H

#include <stddef.h>

#include <event2/event.h>

#include "upstream.h"

struct plainhttp_pool;
struct plainhttp_exchange;

/* A pool on `base` (which must outlive it): at most max_per_host
 * connections open to one host at once (more exchanges wait in line),
 * at most max_idle idle connections kept over all hosts. NULL when out
 * of memory. The caller owns it (plainhttp_pool_free). */
struct plainhttp_pool *plainhttp_pool_new(struct event_base *base,
                                          long max_per_host, long max_idle);

/* Close every connection and free the pool. Every exchange still
 * waiting or running must have been released first; finished ones may
 * still be released afterwards. NULL is a no-op. */
void plainhttp_pool_free(struct plainhttp_pool *pool);

/* 1 when this module can carry calls to `t`: an http://HOST[:PORT][/PATH]
 * URL without user info, authentication none or Basic, and no proxy in
 * the environment (http_proxy, all_proxy, ALL_PROXY) when the pool was
 * made. 0: libcurl's turn. */
int plainhttp_takes(const struct plainhttp_pool *pool,
                    const struct upstream_target *t);

typedef void (*plainhttp_done_fn)(void *arg);

/* Start one exchange of `req` (its target accepted by plainhttp_takes;
 * headers copied, body not: it must stay valid until the exchange is
 * released). When it ends, *res is filled (all but total_ms) and
 * done(arg) runs, from the event loop, never inside this function; what
 * *res points to stays valid until plainhttp_release. Answers over
 * max_bytes end as UPSTREAM_TOO_LARGE. NULL, with a message in
 * res->message, when it cannot start (out of memory, a header with a
 * line break). The caller owns the exchange (plainhttp_release). */
struct plainhttp_exchange *plainhttp_start(struct plainhttp_pool *pool,
                                           const struct upstream_request *req,
                                           size_t max_bytes,
                                           struct upstream_response *res,
                                           plainhttp_done_fn done, void *arg);

/* Free the exchange. One still running is stopped first: its done never
 * runs, and a connection left in mid-exchange is closed. NULL is a
 * no-op. */
void plainhttp_release(struct plainhttp_exchange *x);

/* Connections opened so far (for /metrics). */
size_t plainhttp_connections_opened(const struct plainhttp_pool *pool);

#endif
