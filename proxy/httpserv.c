/*
 * httpserv: the server side of client connections (see httpserv.h).
 *
 * A connection reads into one buffer. Once a request is complete (or
 * refused), the buffer becomes the request's: its strings are offsets
 * into it, NUL-terminated in place, and a chunked body is decoded in
 * place. Whatever follows the request (pipelining) moves to a new
 * buffer. So an idle connection holds no buffer, and a request costs one
 * allocation.
 *
 * Lifetimes: a connection closes (its socket at once) when the client
 * goes, on a timeout, or after a reply that ends it; its memory is freed
 * only once no request of it is with the handler and no callback of it
 * is running (`busy`), so that a handler may reply from anywhere,
 * including from inside the close callback.
 */
#define _GNU_SOURCE     /* accept4, pipe2 */
#include "httpserv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>

#define MAX_HEADERS 100          /* more is header_too_large */
#define FIRST_READ 4096          /* a new request's buffer */
#define ACCEPTS_PER_WAKE 64
#define LINGER_MS 2000           /* reading what the client still sends */
#define LINGER_BYTES (1 << 20)   /* after a reply that closes */
#define MAX_LINE 4096            /* a chunk-size or trailer line */
#define HANDOFFS_PER_WAKE 64

/* A header as offsets into the request's buffer. */
struct field {
    uint32_t name, value;
};

enum chunkPhase { CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, CHUNK_TRAILER };

/* Where the reading of a request is; all zero for the next one. */
struct reading {
    size_t scanned;                 /* head: searched for its end so far */
    size_t head_len;                /* 0 until the head is read */
    size_t content_length;
    int chunked;
    enum chunkPhase phase;
    size_t chunk_left, raw;         /* chunked: data left, next raw byte */
    int sent_continue;
};

/* The request being read, then the one with the handler. The fields up
 * to `fields` are cleared for each request. */
struct httpserv_request {
    char *buf;                      /* owned once handed to the handler */
    int line_ok;                    /* method and target are set */
    uint32_t method, target;        /* offsets into buf */
    size_t n_fields;
    size_t body, body_len;          /* offset and length in buf */
    int minor;                      /* HTTP/1.minor */
    int keep_alive;
    int head_only;                  /* HEAD: the reply has no body */
    const char *problem;            /* canonical error code, or NULL */
    void (*on_close)(void *);
    void *on_close_arg;
    size_t n_out;
    struct field fields[MAX_HEADERS];
    const char *out[HTTPSERV_MAX_REPLY_HEADERS][2];
    char message[160];
};

struct conn {
    struct httpserv *hs;
    struct conn *prev, *next;       /* the server's connections */
    evutil_socket_t fd;             /* plain; -1 once closed */
    struct event *readable;         /* plain: for the connection's life */
    struct event *writable;         /* plain: while `out` has bytes */
    struct bufferevent *tls;        /* TLS connections */
    char peer[64];
    /* the request being read */
    char *in;
    size_t in_len, in_cap;
    struct reading rd;
    /* the request with the handler, and its reply */
    struct httpserv_request req;
    int active;
    char *out;
    size_t out_len, out_off;
    int writing;                    /* a reply is on its way */
    int closing;                    /* close once the reply is written */
    int lingering;                  /* written and shut: reading to the end */
    size_t lingered;
    int paused;                     /* reading stopped: buffer full */
    int processing;                 /* inside processInput */
    int dead;                       /* closed; freed when idle */
    int busy;                       /* callbacks of it running */
};

struct httpserv {
    struct event_base *base;
    evutil_socket_t fd;
    struct event *accepting;
    struct event *resume;           /* accepting again after EMFILE */
    SSL_CTX *tls;
    struct httpserv_limits limits;
    const struct timeval *idle;     /* a common timeout of the base */
    const struct timeval *linger;
    httpserv_handler handler;
    void *arg;
    struct conn *conns;
    size_t n_conns;
    int full;                       /* not accepting: max_conns open */
    int draining;                   /* httpserv_drain: no connection
                                       is kept after its reply */
    void (*drained)(void *);        /* ... and this is called once none
                                       is left */
    void *drained_arg;
    struct httpserv_group *group;   /* NULL when alone */
    size_t member;                  /* its place in the group */
    struct event *handed;           /* connections handed to it */
    time_t date_at;                 /* the Date header, made once a second */
    char date[40];
};

/* A connection on its way from the member that accepted it to another. */
struct handoff {
    int fd;
    struct sockaddr_storage peer;
};

struct httpserv_group {
    size_t n;
    _Atomic size_t *open;   /* each member's connections, counting those
                               on their way to it */
    int (*pipes)[2];        /* each member's handoffs: read end, write end */
};

static void processInput(struct conn *c);
static void closeConn(struct conn *c);

/* ---- lifetimes ---- */

static void freeConn(struct conn *c)
{
    struct httpserv *hs = c->hs;
    hs->n_conns--;
    if (hs->group)
        atomic_fetch_sub_explicit(&hs->group->open[hs->member], 1,
                                  memory_order_relaxed);
    if (hs->full && hs->accepting) {    /* there is room again */
        hs->full = 0;
        event_add(hs->accepting, NULL);
    }
    if (c->prev)
        c->prev->next = c->next;
    else
        hs->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    free(c->in);
    free(c->out);
    free(c);
    if (hs->draining && hs->n_conns == 0 && hs->drained) {
        void (*done)(void *) = hs->drained;
        hs->drained = NULL;
        done(hs->drained_arg);
    }
}

static void enter(struct conn *c)
{
    c->busy++;
}

static void leave(struct conn *c)
{
    if (--c->busy == 0 && c->dead && !c->active)
        freeConn(c);
}

/* The request is given back: its buffer freed, its fields cleared. */
static void releaseRequest(struct conn *c)
{
    free(c->req.buf);
    memset(&c->req, 0, offsetof(struct httpserv_request, fields));
    c->active = 0;
    c->writing = 0;
}

/* Close the socket now; a request with the handler hears of it through
 * its close callback, and its reply will be dropped. */
static void closeConn(struct conn *c)
{
    if (c->dead)
        return;
    c->dead = 1;
    if (c->tls) {
        bufferevent_free(c->tls);
        c->tls = NULL;
    } else {
        event_free(c->readable);
        if (c->writable)
            event_free(c->writable);
        close(c->fd);
    }
    c->fd = -1;
    if (c->writing) {           /* the handler is done with it */
        releaseRequest(c);
        return;
    }
    if (c->active && c->req.on_close) {
        void (*cb)(void *) = c->req.on_close;
        c->req.on_close = NULL;
        cb(c->req.on_close_arg);
    }
}

/* ---- reading a request ---- */

static int problem(struct conn *c, const char *code, const char *fmt,
                   const char *arg)
{
    c->req.problem = code;
    snprintf(c->req.message, sizeof(c->req.message), fmt, arg);
    return 1;
}

static int isTchar(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9') || (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/* The end of the line starting at p (its '\n'), NULL if none before end. */
static char *lineEnd(char *p, char *end)
{
    return memchr(p, '\n', (size_t)(end - p));
}

/* Cut the line p..nl: NUL at its end (dropping a '\r'). */
static void cutLine(char *p, char *nl)
{
    if (nl > p && nl[-1] == '\r')
        nl--;
    *nl = '\0';
}

/* Whether the comma-separated list s holds token (case-insensitive). */
static int hasToken(const char *s, const char *token)
{
    size_t n = strlen(token);
    while (*s) {
        s += strspn(s, " \t,");
        size_t len = strcspn(s, ",");
        size_t trim = len;
        while (trim && (s[trim - 1] == ' ' || s[trim - 1] == '\t'))
            trim--;
        if (trim == n && strncasecmp(s, token, n) == 0)
            return 1;
        s += len;
    }
    return 0;
}

/* "METHOD SP target SP HTTP/1.x"; returns 1 with a problem set when it
 * is not that. */
static int parseRequestLine(struct conn *c, char *line)
{
    struct httpserv_request *r = &c->req;
    char *p = line;
    while (isTchar((unsigned char)*p))
        p++;
    if (p == line || *p != ' ')
        return problem(c, "bad_request", "%s",
                       "the request line is not METHOD TARGET HTTP/1.1");
    *p++ = '\0';
    char *target = p;
    while ((unsigned char)*p > ' ' && *p != 0x7f)
        p++;
    if (p == target || *p != ' ')
        return problem(c, "bad_request", "%s",
                       "the request line is not METHOD TARGET HTTP/1.1");
    *p++ = '\0';
    r->method = (uint32_t)(line - c->in);
    r->target = (uint32_t)(target - c->in);
    r->line_ok = 1;
    if (strncmp(p, "HTTP/", 5) != 0 || p[5] < '0' || p[5] > '9' ||
        p[6] != '.' || p[7] < '0' || p[7] > '9' || p[8])
        return problem(c, "bad_request", "%s",
                       "the request line does not end in HTTP/1.1 or "
                       "HTTP/1.0");
    if (p[5] != '1')
        return problem(c, "http_version_not_supported",
                       "%s is not supported: use HTTP/1.1", p);
    r->minor = p[7] - '0';
    r->head_only = strcmp(line, "HEAD") == 0;
    return 0;
}

/* Content-Length: digits only, the same in every copy. */
static int takeContentLength(struct conn *c, const char *v, int *seen)
{
    size_t n = 0;
    if (!*v || strspn(v, "0123456789") != strlen(v))
        return problem(c, "bad_request",
                       "Content-Length '%s' is not a number", v);
    for (; *v; v++) {
        if (n > (SIZE_MAX - 9) / 10)
            return problem(c, "body_too_large", "%s", "");
        n = n * 10 + (size_t)(*v - '0');
    }
    if (*seen && n != c->rd.content_length)
        return problem(c, "bad_request", "%s",
                       "two different Content-Length headers");
    *seen = 1;
    c->rd.content_length = n;
    return 0;
}

/* The header lines: "name: value", cut in place. */
static int parseFields(struct conn *c, char *p, char *end)
{
    struct httpserv_request *r = &c->req;
    int seen_length = 0;
    const char *coding = NULL, *connection = NULL;
    while (p < end) {
        char *nl = lineEnd(p, end);
        cutLine(p, nl);
        if (!*p)
            break;
        if (*p == ' ' || *p == '\t')
            return problem(c, "bad_request", "%s",
                           "a header line starts with white space "
                           "(obsolete line folding)");
        char *colon = p;
        while (isTchar((unsigned char)*colon))
            colon++;
        if (colon == p || *colon != ':')
            return problem(c, "bad_request",
                           "the header line '%.60s' is not NAME: VALUE", p);
        if (r->n_fields == MAX_HEADERS)
            return problem(c, "header_too_large",
                           "more than %s headers", "100");
        *colon = '\0';
        char *v = colon + 1;
        v += strspn(v, " \t");
        char *ve = v + strlen(v);
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        *ve = '\0';
        for (char *q = v; q < ve; q++)
            if ((unsigned char)*q < ' ' && *q != '\t')
                return problem(c, "bad_request",
                               "the header %s holds a control character", p);
        r->fields[r->n_fields].name = (uint32_t)(p - c->in);
        r->fields[r->n_fields++].value = (uint32_t)(v - c->in);
        if (strcasecmp(p, "Content-Length") == 0) {
            if (takeContentLength(c, v, &seen_length))
                return 1;
        } else if (strcasecmp(p, "Transfer-Encoding") == 0)
            coding = v;
        else if (strcasecmp(p, "Connection") == 0)
            connection = v;
        p = nl + 1;
    }
    if (coding && seen_length)
        return problem(c, "bad_request", "%s",
                       "both Content-Length and Transfer-Encoding");
    if (coding && strcasecmp(coding, "chunked") != 0)
        return problem(c, "not_implemented",
                       "the transfer coding '%.60s' is not supported "
                       "(only chunked)", coding);
    c->rd.chunked = coding != NULL;
    if (c->rd.chunked && r->minor == 0)
        return problem(c, "bad_request", "%s",
                       "chunked coding in an HTTP/1.0 request");
    r->keep_alive = r->minor == 0
                        ? connection && hasToken(connection, "keep-alive")
                        : !(connection && hasToken(connection, "close"));
    return 0;
}

/* Find the end of the head: the first empty line. Returns its length
 * (with the empty line), 0 while it is incomplete. */
static size_t headEnd(struct conn *c)
{
    char *end = c->in + c->in_len;
    char *p = c->in + c->rd.scanned;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        p++;
        if (p < end && *p == '\n')
            return (size_t)(p + 1 - c->in);
        if (p + 1 < end && p[0] == '\r' && p[1] == '\n')
            return (size_t)(p + 2 - c->in);
        if (p + 1 >= end)
            break;
    }
    c->rd.scanned = c->in_len > 2 ? c->in_len - 2 : 0;
    return 0;
}

/* Parse the complete head. Returns 1 when the request is refused. */
static int parseHead(struct conn *c, size_t len)
{
    char *p = c->in, *end = c->in + len;
    char *nl = lineEnd(p, end);
    cutLine(p, nl);
    c->rd.head_len = len;
    if (parseRequestLine(c, p))
        return 1;
    if (parseFields(c, nl + 1, end))
        return 1;
    if (!c->rd.chunked && c->rd.content_length > c->hs->limits.max_body)
        return problem(c, "body_too_large", "%s", "");
    return 0;
}

/* Decode the chunks read so far in place. Returns 1 once the body is
 * complete or refused, 0 while more is needed. */
static int decodeChunks(struct conn *c)
{
    size_t max = c->hs->limits.max_body;
    char *end = c->in + c->in_len;
    for (;;) {
        char *p = c->in + c->rd.raw, *nl;
        switch (c->rd.phase) {
        case CHUNK_SIZE:
        case CHUNK_TRAILER:
            if (!(nl = lineEnd(p, end))) {
                if ((size_t)(end - p) > MAX_LINE)
                    return problem(c, "bad_request", "%s",
                                   "a chunk-size or trailer line is too "
                                   "long");
                return 0;
            }
            c->rd.raw = (size_t)(nl + 1 - c->in);
            cutLine(p, nl);
            if (c->rd.phase == CHUNK_TRAILER) {
                if (!*p)
                    return 1;
                break;
            }
            size_t size = 0, digits = strspn(p, "0123456789abcdefABCDEF");
            if (digits == 0 || digits > 15 ||
                (p[digits] && p[digits] != ';' && p[digits] != ' ' &&
                 p[digits] != '\t'))
                return problem(c, "bad_request",
                               "the chunk size '%.40s' is not hexadecimal", p);
            size = strtoull(p, NULL, 16);
            if (size > max - c->req.body_len)
                return problem(c, "body_too_large", "%s", "");
            c->rd.chunk_left = size;
            c->rd.phase = size ? CHUNK_DATA : CHUNK_TRAILER;
            break;
        case CHUNK_DATA: {
            size_t n = (size_t)(end - p);
            if (n > c->rd.chunk_left)
                n = c->rd.chunk_left;
            memmove(c->in + c->req.body + c->req.body_len, p, n);
            c->req.body_len += n;
            c->rd.raw += n;
            c->rd.chunk_left -= n;
            if (c->rd.chunk_left)
                return 0;
            c->rd.phase = CHUNK_DATA_END;
            break;
        }
        case CHUNK_DATA_END:
            if (p < end && *p == '\n')
                c->rd.raw++;
            else if (p + 1 < end && p[0] == '\r' && p[1] == '\n')
                c->rd.raw += 2;
            else if (end - p >= 2 || (p < end && *p != '\r'))
                return problem(c, "bad_request", "%s",
                               "a chunk is longer than its size");
            else
                return 0;
            c->rd.phase = CHUNK_SIZE;
            break;
        }
    }
}

static void sendContinue(struct conn *c)
{
    static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
    const char *expect = httpserv_header(&c->req, "Expect");
    c->rd.sent_continue = 1;
    if (!expect || strcasecmp(expect, "100-continue") != 0)
        return;
    if (c->tls)
        bufferevent_write(c->tls, cont, sizeof(cont) - 1);
    else if (send(c->fd, cont, sizeof(cont) - 1, MSG_NOSIGNAL) < 0 &&
             errno != EAGAIN && errno != EWOULDBLOCK)
        closeConn(c);
}

static int headTooLarge(struct conn *c)
{
    char limit[24];
    snprintf(limit, sizeof(limit), "%zu", c->hs->limits.max_head);
    return problem(c, "header_too_large",
                   "the request line and headers are larger than %s bytes",
                   limit);
}

/* Whether a whole request (or a refusal) is in the buffer; the end of
 * a whole one is *used. */
static int requestReady(struct conn *c, size_t *used)
{
    if (c->req.problem)
        return 1;
    if (!c->rd.head_len) {
        size_t skip = 0;        /* empty lines before a request: RFC 9112 2.2 */
        while (skip < c->in_len && (c->in[skip] == '\r' || c->in[skip] == '\n'))
            skip++;
        if (skip) {
            memmove(c->in, c->in + skip, c->in_len - skip);
            c->in_len -= skip;
            if (!c->in_len)
                return 0;
        }
        size_t len = headEnd(c);
        if (!len) {
            if (c->in_len <= c->hs->limits.max_head)
                return 0;
            len = c->in_len;
        }
        if (len > c->hs->limits.max_head)
            return headTooLarge(c);
        if (parseHead(c, len))
            return 1;
        c->req.body = len;
        c->rd.raw = len;
    }
    if (c->rd.chunked) {
        if (decodeChunks(c)) {
            *used = c->rd.raw;
            return 1;
        }
    } else if (c->in_len - c->rd.head_len >= c->rd.content_length) {
        c->req.body_len = c->rd.content_length;
        *used = c->rd.head_len + c->rd.content_length;
        return 1;
    }
    if (!c->rd.sent_continue)
        sendContinue(c);
    return 0;
}

/* Hand the request to the handler: the buffer becomes the request's,
 * and the bytes after `used` move to a new one (a refused request's
 * connection ends with the reply: nothing moves). */
static void dispatch(struct conn *c, size_t used)
{
    struct httpserv_request *r = &c->req;
    size_t rest = r->problem ? 0 : c->in_len - used;
    size_t cap = rest ? (rest > FIRST_READ ? rest + 1 : FIRST_READ) : 0;
    char *next = NULL;
    if (r->problem) {
        r->body_len = 0;
        r->keep_alive = 0;
        c->closing = 1;
    } else if (rest) {
        if (!(next = malloc(cap))) {
            closeConn(c);
            return;
        }
        memcpy(next, c->in + used, rest);
    }
    r->buf = c->in;
    if (!r->problem)    /* the body's end <= used < in_cap (see reserve) */
        r->buf[r->body + r->body_len] = '\0';
    c->in = next;
    c->in_len = rest;
    c->in_cap = cap;
    memset(&c->rd, 0, sizeof(c->rd));
    c->active = 1;
    c->hs->handler(r, c->hs->arg);
}

/* Hand over every request the buffer holds, one at a time: the next
 * once the previous is answered (a reply given inside the handler comes
 * back here instead of recursing). */
static void processInput(struct conn *c)
{
    if (c->processing)
        return;
    c->processing = 1;
    size_t used = 0;
    while (!c->dead && !c->active && !c->closing && c->in_len > 0 &&
           requestReady(c, &used))
        dispatch(c, used);
    c->processing = 0;
}

/* Room to read into, keeping 1 byte past the data for the NUL that
 * ends the body: 0 when the buffer may not grow, -1 when out of memory.
 * A request being read may take its head, its body, and chunk framing;
 * while one is with the handler, the next head at most is read ahead. */
static ssize_t reserve(struct conn *c)
{
    const struct httpserv_limits *l = &c->hs->limits;
    size_t need = c->in_len + 1024;
    size_t most = c->active ? l->max_head
                            : l->max_head + 2 * l->max_body + 2 * MAX_LINE;
    if (c->rd.head_len && !c->rd.chunked)
        need = c->rd.head_len + c->rd.content_length + 1;
    if (need > most + 1)
        need = most + 1;
    if (c->in_cap < need) {
        size_t want = c->in_cap ? c->in_cap : FIRST_READ;
        while (want < need)
            want *= 2;
        if (want > most + 1)
            want = most + 1;
        char *grown = realloc(c->in, want);
        if (!grown)
            return -1;
        c->in = grown;
        c->in_cap = want;
    }
    return c->in_cap > c->in_len + 1 ? (ssize_t)(c->in_cap - c->in_len - 1)
                                     : 0;
}

static void stopReading(struct conn *c)
{
    c->paused = 1;
    if (c->tls)
        bufferevent_disable(c->tls, EV_READ);
    else
        event_del(c->readable);
}

static void startReading(struct conn *c)
{
    c->paused = 0;
    if (c->tls)
        bufferevent_enable(c->tls, EV_READ);
    else
        event_add(c->readable, c->hs->idle);
}

/* Returns the room to read into; 0 when there is none now: a request
 * with the handler waits for its reply (reading stops until then), one
 * being read is too large. */
static size_t room(struct conn *c)
{
    ssize_t n = reserve(c);
    if (n > 0)
        return (size_t)n;
    if (n < 0)
        closeConn(c);
    else if (c->active)
        stopReading(c);
    else {
        if (c->rd.head_len)
            problem(c, "body_too_large", "%s", "");
        else
            headTooLarge(c);
        processInput(c);
    }
    return 0;
}

/* A closing connection reads what the client still sends, so that the
 * close does not reset a reply it has not read yet. */
static void linger(struct conn *c)
{
    if (c->tls) {
        closeConn(c);
        return;
    }
    c->lingering = 1;
    shutdown(c->fd, SHUT_WR);
    event_add(c->readable, c->hs->linger);
}

static void readPlain(struct conn *c)
{
    if (c->lingering) {
        char sink[4096];
        ssize_t n = recv(c->fd, sink, sizeof(sink), 0);
        if (n > 0 && (c->lingered += (size_t)n) < LINGER_BYTES)
            return;
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        closeConn(c);
        return;
    }
    size_t space = room(c);
    if (!space)
        return;
    ssize_t n = recv(c->fd, c->in + c->in_len, space, 0);
    if (n > 0) {
        c->in_len += (size_t)n;
        processInput(c);
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR))
        closeConn(c);
}

/* Move what TLS has decrypted into the buffer, and handle it. */
static void readTls(struct conn *c)
{
    struct evbuffer *input = bufferevent_get_input(c->tls);
    while (!c->dead && !c->closing && evbuffer_get_length(input) > 0) {
        size_t space = room(c);
        if (!space)
            break;
        int n = evbuffer_remove(input, c->in + c->in_len, space);
        if (n <= 0)
            break;
        c->in_len += (size_t)n;
        processInput(c);
    }
}

/* The idle timeout: nothing read for idle_ms. A request with the handler
 * waits for it; a reply being written has a timeout of its own. */
static void onTimeout(struct conn *c)
{
    if (!c->active && !c->writing)
        closeConn(c);
}

static void onReadable(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    (void)fd;
    enter(c);
    if (what & EV_TIMEOUT) {
        if (c->lingering)
            closeConn(c);
        else
            onTimeout(c);
    } else
        readPlain(c);
    leave(c);
}

/* ---- replying ---- */

/* The reply is written: give the request back, then close or go on
 * with what the client sent meanwhile. */
static void requestDone(struct conn *c)
{
    releaseRequest(c);
    if (c->closing) {
        linger(c);
        return;
    }
    if (c->paused)
        startReading(c);
    if (c->tls)
        readTls(c);
    processInput(c);
}

static void onWritable(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    (void)fd;
    enter(c);
    if (what & EV_TIMEOUT) {
        closeConn(c);
        leave(c);
        return;
    }
    ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
                     MSG_NOSIGNAL);
    if (n > 0 && (c->out_off += (size_t)n) == c->out_len) {
        free(c->out);
        c->out = NULL;
        event_del(c->writable);
        requestDone(c);
    } else if (n < 0 && errno != EAGAIN && errno != EINTR)
        closeConn(c);
    leave(c);
}

/* Keep what the socket did not take of head+body, and write it when the
 * socket has room. Returns -1 when out of memory. */
static int keepRest(struct conn *c, const char *head, size_t hlen,
                    const char *body, size_t blen, size_t sent)
{
    size_t rest = hlen + blen - sent;
    if (!(c->out = malloc(rest)))
        return -1;
    if (sent < hlen) {
        memcpy(c->out, head + sent, hlen - sent);
        memcpy(c->out + hlen - sent, body, blen);
    } else
        memcpy(c->out, body + (sent - hlen), rest);
    c->out_len = rest;
    c->out_off = 0;
    if (!c->writable &&
        !(c->writable = event_new(c->hs->base, c->fd, EV_WRITE | EV_PERSIST,
                                  onWritable, c)))
        return -1;
    return event_add(c->writable, c->hs->idle);
}

/* Write the reply: plain in one sendmsg (what does not fit waits for the
 * socket), TLS through its bufferevent. Returns 1 when it is all
 * written (else the write callback, or the close, ends the request). */
static int writeReply(struct conn *c, const char *head, size_t hlen,
                      const char *body, size_t blen)
{
    c->writing = 1;
    if (c->tls) {
        if (bufferevent_write(c->tls, head, hlen) < 0 ||
            (blen && bufferevent_write(c->tls, body, blen) < 0))
            closeConn(c);
        return 0;       /* done once its output drains (onTlsWritten) */
    }
    struct iovec iov[2] = {{(void *)head, hlen}, {(void *)body, blen}};
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = blen ? 2 : 1};
    ssize_t n;
    do
        n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        closeConn(c);
        return 0;
    }
    size_t sent = n > 0 ? (size_t)n : 0;
    if (sent == hlen + blen)
        return 1;
    if (keepRest(c, head, hlen, body, blen, sent) < 0)
        closeConn(c);
    return 0;
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 431: return "Request Header Fields Too Large";
    case 499: return "Client Closed Request";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    }
    return status < 400 ? "OK" : status < 500 ? "Client Error"
                                              : "Server Error";
}

/* The reply's head, written into a fixed buffer. */
struct head {
    char *p, *end;
    int overflow;
};

static void put(struct head *h, const char *s, size_t n)
{
    if ((size_t)(h->end - h->p) < n) {
        h->overflow = 1;
        return;
    }
    memcpy(h->p, s, n);
    h->p += n;
}

static void puts0(struct head *h, const char *s)
{
    put(h, s, strlen(s));
}

static void putNumber(struct head *h, size_t v)
{
    char digits[24];
    size_t i = sizeof(digits);
    do
        digits[--i] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    put(h, digits + i, sizeof(digits) - i);
}

static const char *dateHeader(struct httpserv *hs)
{
    time_t now = time(NULL);
    if (now != hs->date_at) {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(hs->date, sizeof(hs->date),
                 "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
        hs->date_at = now;
    }
    return hs->date;
}

/* The status line and headers into buf; 0 when they do not fit. */
static size_t formatHead(struct conn *c, int status, size_t len, char *buf,
                         size_t size)
{
    const struct httpserv_request *r = &c->req;
    struct head h = {buf, buf + size, 0};
    puts0(&h, "HTTP/1.1 ");
    putNumber(&h, (size_t)status);
    puts0(&h, " ");
    puts0(&h, reason(status));
    puts0(&h, "\r\n");
    for (size_t i = 0; i < r->n_out; i++) {
        puts0(&h, r->out[i][0]);
        puts0(&h, ": ");
        puts0(&h, r->out[i][1]);
        puts0(&h, "\r\n");
    }
    puts0(&h, "Content-Length: ");
    putNumber(&h, len);
    puts0(&h, "\r\n");
    puts0(&h, dateHeader(c->hs));
    if (!r->keep_alive)
        puts0(&h, "Connection: close\r\n");
    else if (r->minor == 0)
        puts0(&h, "Connection: keep-alive\r\n");
    puts0(&h, "\r\n");
    return h.overflow ? 0 : (size_t)(h.p - buf);
}

static struct conn *connOf(const struct httpserv_request *req)
{
    return (struct conn *)((const char *)req - offsetof(struct conn, req));
}

void httpserv_reply(struct httpserv_request *req, int status,
                    const char *body, size_t len)
{
    static const char bare[] = "HTTP/1.1 500 Internal Server Error\r\n"
                               "Content-Length: 0\r\n"
                               "Connection: close\r\n\r\n";
    struct conn *c = connOf(req);
    char head[4096];
    enter(c);
    if (c->dead) {              /* the client left: nobody to tell */
        releaseRequest(c);
        leave(c);
        return;
    }
    req->on_close = NULL;
    if (c->hs->draining)
        req->keep_alive = 0;    /* said in the reply: Connection: close */
    if (!req->keep_alive)
        c->closing = 1;
    size_t hlen = formatHead(c, status, len, head, sizeof(head));
    if (!hlen) {                /* our own headers are short: a bug */
        memcpy(head, bare, sizeof(bare) - 1);
        hlen = sizeof(bare) - 1;
        len = 0;
        c->closing = 1;
    }
    if (writeReply(c, head, hlen, body, req->head_only ? 0 : len))
        requestDone(c);
    leave(c);
}

/* ---- TLS connections ---- */

static void onTlsRead(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    (void)bev;
    enter(c);
    readTls(c);
    leave(c);
}

static void onTlsWritten(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    (void)bev;
    enter(c);
    if (c->writing)
        requestDone(c);
    leave(c);
}

static void onTlsEvent(struct bufferevent *bev, short what, void *arg)
{
    struct conn *c = arg;
    enter(c);
    if ((what & BEV_EVENT_TIMEOUT) && (what & BEV_EVENT_READING) &&
        (c->active || c->writing))
        bufferevent_enable(bev, EV_READ);   /* the handler is working */
    else if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
        closeConn(c);
    leave(c);
}

/* ---- accepting ---- */

static void peerName(const struct sockaddr_storage *ss, char *out,
                     size_t size)
{
    char host[INET6_ADDRSTRLEN] = "";
    unsigned port = 0;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
        port = ntohs(in->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
        port = ntohs(in6->sin6_port);
    }
    snprintf(out, size, "%s:%u", host, port);
}

static int startConn(struct httpserv *hs, struct conn *c)
{
    int one = 1;
    /* A reply is one write: nothing to gain from Nagle, and a pipelined
     * reply would wait for the client's delayed ACK. */
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (hs->tls) {
        SSL *ssl = SSL_new(hs->tls);
        if (!ssl ||
            !(c->tls = bufferevent_openssl_socket_new(
                  hs->base, c->fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
                  BEV_OPT_CLOSE_ON_FREE))) {
            if (ssl)
                SSL_free(ssl);
            return -1;
        }
        bufferevent_setcb(c->tls, onTlsRead, onTlsWritten, onTlsEvent, c);
        bufferevent_set_timeouts(c->tls, hs->idle, hs->idle);
        return bufferevent_enable(c->tls, EV_READ);
    }
    if (!(c->readable = event_new(hs->base, c->fd, EV_READ | EV_PERSIST,
                                  onReadable, c)))
        return -1;
    return event_add(c->readable, hs->idle);
}

/* Serve a connection; counted: already in the group's count (handed). */
static void newConn(struct httpserv *hs, evutil_socket_t fd,
                    const struct sockaddr_storage *ss, int counted)
{
    if (hs->group && !counted)
        atomic_fetch_add_explicit(&hs->group->open[hs->member], 1,
                                  memory_order_relaxed);
    struct conn *c = calloc(1, sizeof(*c));
    if (!c) {
        if (hs->group)
            atomic_fetch_sub_explicit(&hs->group->open[hs->member], 1,
                                      memory_order_relaxed);
        close(fd);
        return;
    }
    c->hs = hs;
    c->fd = fd;
    hs->n_conns++;
    peerName(ss, c->peer, sizeof(c->peer));
    c->next = hs->conns;
    if (hs->conns)
        hs->conns->prev = c;
    hs->conns = c;
    if (startConn(hs, c) < 0) {
        if (c->tls)
            bufferevent_free(c->tls);
        else {
            if (c->readable)
                event_free(c->readable);
            close(fd);
        }
        c->dead = 1;
        freeConn(c);
    }
}

/* Hand a connection just accepted to the member of the group holding
 * the fewest, if that is fewer than this one holds; 1 when handed. */
static int handOff(struct httpserv *hs, int fd,
                   const struct sockaddr_storage *ss)
{
    struct httpserv_group *g = hs->group;
    if (!g)
        return 0;
    size_t to = hs->member;
    size_t least = atomic_load_explicit(&g->open[to], memory_order_relaxed);
    for (size_t i = 0; i < g->n; i++) {
        size_t n = atomic_load_explicit(&g->open[i], memory_order_relaxed);
        if (n < least) {
            least = n;
            to = i;
        }
    }
    if (to == hs->member || least >= hs->limits.max_conns)
        return 0;
    struct handoff h;
    memset(&h, 0, sizeof(h));      /* the padding goes through the pipe */
    h.fd = fd;
    h.peer = *ss;
    atomic_fetch_add_explicit(&g->open[to], 1, memory_order_relaxed);
    if (write(g->pipes[to][1], &h, sizeof(h)) == (ssize_t)sizeof(h))
        return 1;
    atomic_fetch_sub_explicit(&g->open[to], 1, memory_order_relaxed);
    return 0;       /* its pipe is full: served here */
}

/* Connections handed to this member. A handoff is one write of less
 * than PIPE_BUF bytes, so a read gets a whole one or none. */
static void onHanded(evutil_socket_t fd, short what, void *arg)
{
    struct httpserv *hs = arg;
    struct handoff h;
    (void)what;
    for (int i = 0; i < HANDOFFS_PER_WAKE &&
                    read(fd, &h, sizeof(h)) == (ssize_t)sizeof(h);
         i++)
        newConn(hs, h.fd, &h.peer, 1);
}

static void onResume(evutil_socket_t fd, short what, void *arg)
{
    struct httpserv *hs = arg;
    (void)fd;
    (void)what;
    if (hs->accepting)
        event_add(hs->accepting, NULL);
}

static void onAccept(evutil_socket_t fd, short what, void *arg)
{
    struct httpserv *hs = arg;
    (void)what;
    for (int i = 0; i < ACCEPTS_PER_WAKE; i++) {
        if (hs->n_conns >= hs->limits.max_conns) {
            hs->full = 1;       /* freeConn accepts again */
            event_del(hs->accepting);
            break;
        }
        struct sockaddr_storage ss = {0};  /* whole: it may be handed on */
        socklen_t len = sizeof(ss);
        int cfd = accept4(fd, (struct sockaddr *)&ss, &len,
                          SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd >= 0) {
            if (!handOff(hs, cfd, &ss))
                newConn(hs, cfd, &ss, 0);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
            errno == ENOMEM) {
            struct timeval second = {1, 0};
            fprintf(stderr, "soapbridge: error: cannot accept a client "
                    "connection: %s; accepting again in a second\n",
                    strerror(errno));
            event_del(hs->accepting);
            evtimer_add(hs->resume, &second);
        }
        break;
    }
}

/* ---- the server ---- */

struct httpserv *httpserv_new(struct event_base *base, evutil_socket_t fd,
                              SSL_CTX *tls,
                              const struct httpserv_limits *limits,
                              httpserv_handler handler, void *arg)
{
    struct httpserv *hs = calloc(1, sizeof(*hs));
    if (!hs)
        return NULL;
    struct timeval idle = {limits->idle_ms / 1000,
                           (limits->idle_ms % 1000) * 1000};
    struct timeval linger = {LINGER_MS / 1000, (LINGER_MS % 1000) * 1000};
    hs->base = base;
    hs->fd = fd;
    hs->limits = *limits;
    hs->handler = handler;
    hs->arg = arg;
    if (!(hs->idle = event_base_init_common_timeout(base, &idle)) ||
        !(hs->linger = event_base_init_common_timeout(base, &linger)) ||
        !(hs->accepting = event_new(base, fd, EV_READ | EV_PERSIST, onAccept,
                                    hs)) ||
        !(hs->resume = evtimer_new(base, onResume, hs)) ||
        event_add(hs->accepting, NULL) < 0) {
        hs->fd = -1;            /* the caller still owns it */
        httpserv_free(hs);
        return NULL;
    }
    if (tls) {
        SSL_CTX_up_ref(tls);
        hs->tls = tls;
    }
    return hs;
}

void httpserv_set_limits(struct httpserv *hs,
                         const struct httpserv_limits *limits)
{
    int idle_ms = hs->limits.idle_ms;
    hs->limits = *limits;
    hs->limits.idle_ms = idle_ms;
}

void httpserv_set_tls(struct httpserv *hs, SSL_CTX *tls)
{
    if (!hs->tls || !tls || tls == hs->tls)
        return;
    SSL_CTX_up_ref(tls);
    SSL_CTX_free(hs->tls);
    hs->tls = tls;
}

void httpserv_free(struct httpserv *hs)
{
    if (!hs)
        return;
    hs->drained = NULL;
    for (struct conn *c = hs->conns; c; c = c->next) {
        enter(c);
        closeConn(c);
    }
    while (hs->conns) {
        struct conn *c = hs->conns;
        c->active = 0;          /* a handler that never replied: its loop
                                   has stopped, nothing can reply now */
        free(c->req.buf);
        freeConn(c);
    }
    if (hs->accepting)
        event_free(hs->accepting);
    if (hs->handed)
        event_free(hs->handed);
    if (hs->resume)
        event_free(hs->resume);
    if (hs->fd >= 0)
        close(hs->fd);
    if (hs->tls)
        SSL_CTX_free(hs->tls);
    free(hs);
}

void httpserv_drain(struct httpserv *hs, void (*done)(void *), void *arg)
{
    if (hs->draining)
        return;
    hs->draining = 1;
    hs->drained = done;
    hs->drained_arg = arg;
    if (hs->accepting) {
        event_free(hs->accepting);
        hs->accepting = NULL;
    }
    evtimer_del(hs->resume);
    if (hs->fd >= 0)
        close(hs->fd);
    hs->fd = -1;
    /* Idle connections close now; the others after their reply. */
    for (struct conn *c = hs->conns, *next; c; c = next) {
        next = c->next;
        if (c->active || c->writing || c->lingering || c->in_len > 0)
            continue;
        enter(c);
        closeConn(c);
        leave(c);       /* frees it, and may call done */
    }
    if (hs->n_conns == 0 && hs->drained) {
        hs->drained = NULL;
        done(arg);
    }
}

size_t httpserv_connections(const struct httpserv *hs)
{
    return hs->n_conns;
}

/* ---- groups ---- */

struct httpserv_group *httpserv_group_new(size_t n)
{
    struct httpserv_group *g = calloc(1, sizeof(*g));
    if (!g)
        return NULL;
    g->open = calloc(n, sizeof(*g->open));
    g->pipes = malloc(n * sizeof(*g->pipes));
    if (!g->open || !g->pipes) {
        httpserv_group_free(g);
        return NULL;
    }
    for (; g->n < n; g->n++) {
        atomic_init(&g->open[g->n], 0);
        if (pipe2(g->pipes[g->n], O_NONBLOCK | O_CLOEXEC) < 0) {
            httpserv_group_free(g);
            return NULL;
        }
    }
    return g;
}

void httpserv_group_free(struct httpserv_group *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++) {
        struct handoff h;       /* on their way to a member now gone */
        while (read(g->pipes[i][0], &h, sizeof(h)) == (ssize_t)sizeof(h))
            close(h.fd);
        close(g->pipes[i][0]);
        close(g->pipes[i][1]);
    }
    free(g->open);
    free(g->pipes);
    free(g);
}

int httpserv_join(struct httpserv *hs, struct httpserv_group *g,
                  size_t member)
{
    if (member >= g->n ||
        !(hs->handed = event_new(hs->base, g->pipes[member][0],
                                 EV_READ | EV_PERSIST, onHanded, hs)) ||
        event_add(hs->handed, NULL) < 0)
        return -1;
    hs->group = g;
    hs->member = member;
    atomic_fetch_add_explicit(&g->open[member], hs->n_conns,
                              memory_order_relaxed);
    return 0;
}

size_t httpserv_group_connections(const struct httpserv_group *g,
                                  size_t member)
{
    return atomic_load_explicit(&g->open[member], memory_order_relaxed);
}

/* ---- the request ---- */

const char *httpserv_problem(const struct httpserv_request *req,
                             const char **message)
{
    if (message)
        *message = req->message;
    return req->problem;
}

const char *httpserv_method(const struct httpserv_request *req)
{
    return req->line_ok ? req->buf + req->method : "";
}

const char *httpserv_target(const struct httpserv_request *req)
{
    return req->line_ok ? req->buf + req->target : "";
}

const char *httpserv_peer(const struct httpserv_request *req)
{
    return connOf(req)->peer;
}

const char *httpserv_header(const struct httpserv_request *req,
                            const char *name)
{
    /* Before it is handed over, a request's bytes are the connection's. */
    const char *buf = req->buf ? req->buf : connOf(req)->in;
    for (size_t i = 0; i < req->n_fields; i++)
        if (strcasecmp(buf + req->fields[i].name, name) == 0)
            return buf + req->fields[i].value;
    return NULL;
}

const char *httpserv_body(const struct httpserv_request *req, size_t *len)
{
    *len = req->body_len;
    return req->body_len ? req->buf + req->body : "";
}

void httpserv_on_close(struct httpserv_request *req, void (*cb)(void *),
                       void *arg)
{
    req->on_close = cb;
    req->on_close_arg = arg;
}

void httpserv_add_header(struct httpserv_request *req, const char *name,
                         const char *value)
{
    if (req->n_out < HTTPSERV_MAX_REPLY_HEADERS) {
        req->out[req->n_out][0] = name;
        req->out[req->n_out++][1] = value;
    }
}
