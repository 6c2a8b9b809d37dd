/*
 * accesslog: JSON lines, one write(2) each (see accesslog.h).
 */
#include "accesslog.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>

#include "strbuf.h"

#ifdef PIPE_BUF
/* One write(2) of at most PIPE_BUF bytes to a pipe is never split
 * (POSIX, write(): "Write requests of {PIPE_BUF} bytes or less shall not
 * be interleaved with data from other processes"). */
_Static_assert(ACCESSLOG_LINE_MAX <= PIPE_BUF, "a line must fit in PIPE_BUF");
#endif

struct accesslog {
    int fd;                 /* -1: off */
    int owns_fd;            /* 0 for stdout */
    char *path;             /* the file's; NULL for stdout or off */
    atomic_ullong failures; /* the one member threads share: counted
                               with an atomic add */
};

/* How much of each value a line keeps. The first try keeps the most;
 * when the line does not fit in ACCESSLOG_LINE_MAX, the second keeps so
 * little that even values of nothing but control bytes (six bytes each
 * once escaped) fit: 128 * 6 for the path, 5 * 32 * 6 for the other
 * strings, 2 * (2 * 32 * 6 + 60) for the upstream calls and about 400 for
 * the keys, the time and the numbers come to about 3000 (2915 measured;
 * the test long_values_are_cut_to_fit_one_write writes that line). */
struct keep {
    size_t path;
    size_t field;
    size_t upstream;
};

static const struct keep keepMost = {ACCESSLOG_PATH_MAX, ACCESSLOG_FIELD_MAX,
                                     ACCESSLOG_UPSTREAM_MAX};
static const struct keep keepLeast = {128, 32, 2};

/* A line being formatted, on the writer's stack. */
struct line {
    char data[ACCESSLOG_LINE_MAX];
    size_t len;
    int overflow;
    int truncated; /* some value was cut */
    struct keep keep;
};

static int openFile(const char *path, struct sb_error *err)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY,
                  0640);
    if (fd < 0)
        error_set(err, "access_log", "cannot open access log %s: %s", path,
                  strerror(errno));
    return fd;
}

struct accesslog *accesslog_open(const char *target, struct sb_error *err)
{
    struct accesslog *log = calloc(1, sizeof(*log));
    if (!log) {
        error_set(err, "access_log", "out of memory");
        return NULL;
    }
    atomic_init(&log->failures, 0);
    log->fd = -1;
    if (!target || strcmp(target, "off") == 0)
        return log;
    if (strcmp(target, "-") == 0) {
        log->fd = STDOUT_FILENO;
        return log;
    }
    if (!(log->path = strdup(target))) {
        error_set(err, "access_log", "out of memory");
        free(log);
        return NULL;
    }
    if ((log->fd = openFile(target, err)) < 0) {
        free(log->path);
        free(log);
        return NULL;
    }
    log->owns_fd = 1;
    return log;
}

int accesslog_reopen(struct accesslog *log, struct sb_error *err)
{
    if (!log || !log->path)
        return 0;
    int fd = openFile(log->path, err);
    if (fd < 0)
        return -1;
    /* One step for the writers: a write either went to the old file or
     * goes to the new one. */
    int rc = dup2(fd, log->fd) < 0 ? -1 : 0;
    if (rc < 0)
        error_set(err, "access_log", "cannot reopen access log %s: %s",
                  log->path, strerror(errno));
    close(fd);
    return rc;
}

void accesslog_close(struct accesslog *log)
{
    if (!log)
        return;
    if (log->owns_fd)
        close(log->fd);
    free(log->path);
    free(log);
}

unsigned long long accesslog_failures(const struct accesslog *log)
{
    return log ? atomic_load_explicit(&log->failures, memory_order_relaxed) : 0;
}

/* yajl's print callback: append to the line, or mark it too long. One
 * byte is kept for the newline. */
static void collect(void *ctx, const char *s, size_t n)
{
    struct line *line = ctx;
    if (line->overflow || n > sizeof(line->data) - 1 - line->len) {
        line->overflow = 1;
        return;
    }
    memcpy(line->data + line->len, s, n);
    line->len += n;
}

/* Write s as a JSON string of at most `keep` bytes of well-formed UTF-8
 * (each byte that starts no well-formed sequence becomes U+FFFD), cut at
 * a character boundary; NULL is written as null. */
static void putString(yajl_gen g, struct line *line, const char *s, size_t keep)
{
    char buf[ACCESSLOG_PATH_MAX > ACCESSLOG_FIELD_MAX ? ACCESSLOG_PATH_MAX
                                                      : ACCESSLOG_FIELD_MAX];
    const unsigned char *p = (const unsigned char *)s;
    size_t len = 0, left;
    if (!s) {
        yajl_gen_null(g);
        return;
    }
    if (keep > sizeof(buf))
        keep = sizeof(buf);
    for (left = strlen(s); left > 0;) {
        size_t n = strbuf_utf8_length(p, left);
        const char *from = n ? (const char *)p : "\xEF\xBF\xBD";
        size_t out = n ? n : 3;
        if (len + out > keep) {
            line->truncated = 1;
            break;
        }
        memcpy(buf + len, from, out);
        len += out;
        p += n ? n : 1;
        left -= n ? n : 1;
    }
    yajl_gen_string(g, (const unsigned char *)buf, len);
}

static void putKey(yajl_gen g, const char *key)
{
    yajl_gen_string(g, (const unsigned char *)key, strlen(key));
}

static void putCount(yajl_gen g, size_t n)
{
    yajl_gen_integer(g, n > LLONG_MAX ? LLONG_MAX : (long long)n);
}

/* Milliseconds with 3 decimals; anything not a sane duration as 0. */
static void putMilliseconds(yajl_gen g, double ms)
{
    char text[32];
    if (!isfinite(ms) || ms < 0)
        ms = 0;
    if (ms > 1e12)
        ms = 1e12;
    int n = snprintf(text, sizeof(text), "%.3f", ms);
    yajl_gen_number(g, text, (size_t)n);
}

/* RFC 3339 in UTC with milliseconds: 2024-05-01T12:34:56.789Z. */
static void putTime(yajl_gen g, const struct timespec *ts)
{
    struct tm tm;
    char text[64];
    time_t sec = ts->tv_sec;
    long ms = ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000L
                  ? ts->tv_nsec / 1000000L
                  : 0;
    if (!gmtime_r(&sec, &tm))
        memset(&tm, 0, sizeof(tm));
    int n = snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec, ms);
    yajl_gen_string(g, (const unsigned char *)text, (size_t)n);
}

static void putUpstream(yajl_gen g, struct line *line,
                        const struct accesslog_entry *e)
{
    size_t n = e->upstream ? e->n_upstream : 0;
    if (n > line->keep.upstream) {
        n = line->keep.upstream;
        line->truncated = 1;
    }
    putKey(g, "upstream");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < n; i++) {
        const struct accesslog_upstream *u = &e->upstream[i];
        yajl_gen_map_open(g);
        putKey(g, "operation");
        putString(g, line, u->operation, line->keep.field);
        putKey(g, "outcome");
        putString(g, line, u->outcome, line->keep.field);
        putKey(g, "duration_ms");
        putMilliseconds(g, u->duration_ms);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
}

static void putEntry(yajl_gen g, struct line *line,
                     const struct accesslog_entry *e)
{
    size_t field = line->keep.field;
    yajl_gen_map_open(g);
    putKey(g, "time");
    putTime(g, &e->time);
    putKey(g, "request_id");
    putString(g, line, e->request_id, field);
    putKey(g, "method");
    putString(g, line, e->method, field);
    putKey(g, "path");
    putString(g, line, e->path, line->keep.path);
    putKey(g, "capability");
    putString(g, line, e->capability, field);
    putKey(g, "status");
    yajl_gen_integer(g, e->status);
    putKey(g, "error_code");
    putString(g, line, e->error_code, field);
    putKey(g, "duration_ms");
    putMilliseconds(g, e->duration_ms);
    putUpstream(g, line, e);
    putKey(g, "bytes_in");
    putCount(g, e->bytes_in);
    putKey(g, "bytes_out");
    putCount(g, e->bytes_out);
    putKey(g, "client");
    putString(g, line, e->client, field);
    putKey(g, "warnings");
    putCount(g, e->warnings);
    if (line->truncated) {
        putKey(g, "truncated");
        yajl_gen_bool(g, 1);
    }
    yajl_gen_map_close(g);
}

/* Format e into line with the limits `keep`, newline included. Returns 0,
 * or -1 when it does not fit or yajl is out of memory. */
static int formatLine(struct line *line, const struct accesslog_entry *e,
                      const struct keep *keep)
{
    line->len = 0;
    line->overflow = 0;
    line->truncated = 0;
    line->keep = *keep;
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return -1;
    yajl_gen_config(g, yajl_gen_print_callback, collect, line);
    putEntry(g, line, e);
    yajl_gen_free(g);
    if (line->overflow)
        return -1;
    line->data[line->len++] = '\n';
    return 0;
}

void accesslog_write(struct accesslog *log, const struct accesslog_entry *e)
{
    struct line line;
    if (!log || log->fd < 0 || !e)
        return;
    if (formatLine(&line, e, &keepMost) < 0 &&
        formatLine(&line, e, &keepLeast) < 0) {
        atomic_fetch_add_explicit(&log->failures, 1, memory_order_relaxed);
        return;
    }
    ssize_t n;
    do
        n = write(log->fd, line.data, line.len);
    while (n < 0 && errno == EINTR);
    /* The rest of a short write is not retried: written later it could
     * land inside another worker's line. */
    if (n != (ssize_t)line.len)
        atomic_fetch_add_explicit(&log->failures, 1, memory_order_relaxed);
}
