/*
 * accesslog: one JSON line per answered request (DESIGN.md, "One request,
 * end to end", step 8), written by exchange_reply on the worker thread
 * that answered.
 *
 *   {"time":"2024-05-01T12:34:56.789Z","request_id":"...","method":"POST",
 *    "path":"/v1/capabilities/get_order_status",
 *    "capability":"get_order_status","status":200,"error_code":null,
 *    "duration_ms":3.125,"upstream":[{"operation":
 *    "ShippingService.GetOrderStatus","outcome":"ok","duration_ms":2.500}],
 *    "bytes_in":21,"bytes_out":180,"client":"127.0.0.1:53122",
 *    "warnings":0}
 *
 * The keys are the member names of struct accesslog_entry and always all
 * present; "capability" and "error_code" are null when not set, and a
 * "truncated":true member is added when a value was cut to fit (below).
 *
 * Lock-free and safe from any number of threads: each line is formatted
 * in a buffer on the caller's stack and handed to the kernel with one
 * write(2) on a descriptor opened with O_APPEND, so lines from several
 * workers never interleave. A line is at most ACCESSLOG_LINE_MAX bytes,
 * which is PIPE_BUF on Linux, so that one write stays whole even when
 * stdout is a pipe (a container's log collector); longer values are cut
 * to fit. (Standard output redirected to a file without O_APPEND, `>`
 * rather than `>>`, still gets whole lines on Linux, where a write holds
 * the file position for its whole length.)
 *
 * Any bytes are safe: JSON escaping by yajl, and bytes that are not UTF-8
 * (a client's raw path) written as U+FFFD.
 */
#ifndef SB_ACCESSLOG_H
#define SB_ACCESSLOG_H

#include <stddef.h>
#include <time.h>

#include "error.h"

#define ACCESSLOG_LINE_MAX 4096   /* bytes, the newline included */
#define ACCESSLOG_PATH_MAX 2048   /* bytes of the path kept at most */
#define ACCESSLOG_FIELD_MAX 256   /* bytes of any other string kept */
#define ACCESSLOG_UPSTREAM_MAX 16 /* upstream calls listed at most */

/* One upstream SOAP call of a request. */
struct accesslog_upstream {
    const char *operation; /* "ShippingService.GetOrderStatus" */
    const char *outcome;   /* "ok", "fault", "timeout", ... */
    double duration_ms;
};

/* One answered request; every string may be NULL (written as null), and
 * nothing is kept after accesslog_write returns. */
struct accesslog_entry {
    struct timespec time; /* wall clock at arrival (CLOCK_REALTIME) */
    const char *request_id;
    const char *method;
    const char *path;       /* as the client sent it */
    const char *capability; /* NULL: none named */
    int status;             /* HTTP status */
    const char *error_code; /* NULL on success */
    double duration_ms;     /* written with 3 decimals */
    const struct accesslog_upstream *upstream;
    size_t n_upstream;
    size_t bytes_in;    /* request body */
    size_t bytes_out;   /* response body */
    const char *client; /* "address:port" */
    size_t warnings;    /* translation warnings */
};

struct accesslog;

/*
 * Open the access log `target`: "-" for stdout (never closed here), "off"
 * (or NULL) for none, else a file path, opened O_APPEND|O_CREAT (mode
 * 0640) so that rotation by copy-and-truncate works. Returns the log
 * (free with accesslog_close), or NULL with err (code "access_log") when
 * the file cannot be opened or out of memory.
 */
struct accesslog *accesslog_open(const char *target, struct sb_error *err);

/* Write the line of e. Nothing is reported: a failed or short write is
 * counted (accesslog_failures) and the request goes on. log NULL or
 * "off": nothing is written. */
void accesslog_write(struct accesslog *log, const struct accesslog_entry *e);

/* Open the file again, for log rotation (rename, then SIGHUP): lines
 * from then on go to a file of that name, made if missing. Safe while
 * threads write (the new file takes the old one's descriptor with one
 * dup2). 0, also for stdout and off; -1 with err when the file cannot be
 * opened, and the lines go on to the old file. */
int accesslog_reopen(struct accesslog *log, struct sb_error *err);

/* How many lines could not be written whole since the log was opened. */
unsigned long long accesslog_failures(const struct accesslog *log);

/* Close the file (not stdout) and free log; NULL is a no-op. No thread
 * may still be writing. */
void accesslog_close(struct accesslog *log);

#endif
