/*
 * exchange: one HTTP request to the daemon, from arrival to reply.
 *
 * The exchange owns everything made for its request (STYLE.md habit 3)
 * and ends in exactly one place, exchange_reply: the reply is sent with
 * its X-Request-Id, the access-log line is written, the metrics are
 * counted and the exchange is freed. If the client goes away first, the
 * cancel callback its owner registered stops the pending work, and the
 * owner still ends the exchange through exchange_reply (whose reply is
 * then dropped).
 */
#ifndef SB_EXCHANGE_H
#define SB_EXCHANGE_H

#include <stddef.h>

#include "error.h"
#include "httpserv.h"
#include "server.h"

#define EXCHANGE_MAX_UPSTREAM 8     /* upstream calls one exchange logs */
#define EXCHANGE_ID_MAX 129         /* request id, NUL included */

struct exchange {
    struct worker *worker;
    struct snapshot *snap;           /* the configuration it runs on,
                                        held until the reply */
    struct httpserv_request *req;
    char id[EXCHANGE_ID_MAX];        /* from X-Request-Id, or made */
    char trace_id[33];               /* W3C trace id (32 hex) */
    char trace_flags[3];
    double started;                  /* monotonic seconds */
    struct timespec started_at;      /* wall clock, for the log */
    const struct route *route;       /* set once a capability is named */
    struct accesslog_upstream upstream[EXCHANGE_MAX_UPSTREAM];
    size_t n_upstream;
    size_t n_warnings;
    size_t bytes_in;
    void (*cancel)(void *arg);       /* stops pending work on close */
    void *cancel_arg;
    int client_gone;
};

/* Start an exchange for a request handed to worker w. Out of memory, it
 * replies 500 itself and returns NULL, so the caller just returns. */
struct exchange *exchange_new(struct worker *w, struct httpserv_request *req);

/* The request body (NUL-terminated; owned by the request) and its size. */
const char *exchange_body(struct exchange *ex, size_t *len);

/* Register what to call when the client closes the connection before
 * the reply; NULL to clear. */
void exchange_on_close(struct exchange *ex, void (*cancel)(void *), void *arg);

/* Send `body` with `status`, then log, count and free the exchange.
 * error_code is the canonical error code of a failure (NULL on success). */
void exchange_reply(struct exchange *ex, int status, const char *content_type,
                    const char *body, size_t len, const char *error_code);

/* The canonical success document around `data` (JSON text), then
 * exchange_reply. */
void exchange_succeed(struct exchange *ex, const char *data, size_t len,
                      char *const *warnings, size_t n_warnings);

/* The canonical failure document for err (its status from the code;
 * `fault` the SOAP fault JSON of an upstream_fault, else NULL), then
 * exchange_reply. */
void exchange_fail(struct exchange *ex, const struct sb_error *err,
                   const char *fault);

/* Format a W3C traceparent for a call to an upstream into buf: this
 * exchange's trace id, a new span id. */
#define EXCHANGE_TRACEPARENT_SIZE 56    /* NUL included */
const char *exchange_traceparent(struct exchange *ex,
                                 char buf[EXCHANGE_TRACEPARENT_SIZE]);

/* Write one line "soapbridge: LEVEL REQUEST-ID: message" to stderr when
 * logging.level lets `level` through (SERVECONF_LOG_ERROR .. _DEBUG). */
void exchange_log(struct exchange *ex, enum serveconf_log_level level,
                  const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Seconds on the monotonic clock. */
double exchange_now(void);

#endif
