/*
 * legacy: main, command line, seed data reader, string pool, demo clock
 * and the threaded server loop shared by the demo legacy services. See
 * legacy.h.
 *
 * The server: the main thread accepts connections on 127.0.0.1 and hands
 * each to a detached worker thread with its own gSOAP context (soap_copy),
 * at most LEGACY_MAX_WORKERS at a time. SIGINT/SIGTERM are blocked in
 * every thread and taken by one signal thread (sigwait), which marks the
 * server stopping, wakes sleeping requests, and shuts the listening and
 * the connection sockets down so that accept() and idle reads return.
 * The main thread then waits for the workers and frees everything.
 */
#include "legacy.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- errors ------------------------------------------------------------ */

static int failWith(struct legacy_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int failWith(struct legacy_error *err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- command line ------------------------------------------------------ */

/* The usage text, naming the program and its default data file. */
static void writeUsage(struct legacy_error *err, const char *program,
                       const char *default_data)
{
    const char *slash = strrchr(program, '/');

    snprintf(err->message, sizeof err->message,
             "usage: %s --port PORT [--data FILE]\n"
             "  Serve on 127.0.0.1:PORT (0: any free port); print\n"
             "  \"ready 127.0.0.1:PORT\" once listening; SIGTERM ends it.\n"
             "  --data FILE  seed data (default: %s)\n",
             slash ? slash + 1 : program, default_data);
}

static int parsePort(const char *text, int *port)
{
    char *end;
    long value;

    errno = 0;
    value = strtol(text, &end, 10);
    if (errno || end == text || *end || value < 0 || value > 65535)
        return -1;
    *port = (int)value;
    return 0;
}

int legacy_options_parse(int argc, char **argv, const char *default_data,
                         struct legacy_options *opts, struct legacy_error *err)
{
    int i, have_port = 0;

    opts->port = 0;
    opts->data = default_data;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            writeUsage(err, argv[0], default_data);
            return 1;
        }
        if (i + 1 >= argc)
            return failWith(err, "%s: missing value", argv[i]);
        if (!strcmp(argv[i], "--port")) {
            if (parsePort(argv[++i], &opts->port))
                return failWith(err, "--port: not a port: %s", argv[i]);
            have_port = 1;
        } else if (!strcmp(argv[i], "--data")) {
            opts->data = argv[++i];
        } else {
            return failWith(err, "unknown option %s", argv[i]);
        }
    }
    if (!have_port)
        return failWith(err, "--port is required");
    return 0;
}

/* ---- string pool --------------------------------------------------------- */

struct pool_block {
    struct pool_block *next;
    /* the allocation follows, aligned like max_align_t */
};

struct legacy_pool {
    struct pool_block *blocks;
    size_t used;
    size_t limit;
    int failed;
};

struct legacy_pool *legacy_pool_new(size_t limit)
{
    struct legacy_pool *pool = calloc(1, sizeof *pool);

    if (pool)
        pool->limit = limit;
    return pool;
}

void legacy_pool_free(struct legacy_pool *pool)
{
    struct pool_block *b, *next;

    if (!pool)
        return;
    for (b = pool->blocks; b; b = next) {
        next = b->next;
        free(b);
    }
    free(pool);
}

/* One malloc per allocation keeps this trivially correct; the databases
 * hold a few hundred strings. */
void *legacy_pool_alloc(struct legacy_pool *pool, size_t n)
{
    const size_t head = sizeof(max_align_t);
    struct pool_block *b;

    b = n > pool->limit - pool->used ? NULL : calloc(1, head + n);
    if (!b) {
        pool->failed = 1;
        return NULL;
    }
    b->next = pool->blocks;
    pool->blocks = b;
    pool->used += n;
    return (char *)b + head;
}

int legacy_pool_failed(const struct legacy_pool *pool)
{
    return pool->failed;
}

char *legacy_pool_strdup(struct legacy_pool *pool, const char *s)
{
    size_t n;
    char *copy;

    if (!s)
        return NULL;
    n = strlen(s) + 1;
    copy = legacy_pool_alloc(pool, n);
    if (copy)
        memcpy(copy, s, n);
    return copy;
}

void *legacy_array_push(struct legacy_pool *pool, void **items, int *count,
                        int *cap, size_t size)
{
    char *grown;

    if (*count == *cap) {
        int want = *cap ? *cap * 2 : 8;

        /* The old array stays in the pool until exit: arrays only grow
         * by writes, which are few. */
        grown = legacy_pool_alloc(pool, (size_t)want * size);
        if (!grown)
            return NULL;
        if (*count)
            memcpy(grown, *items, (size_t)*count * size);
        *items = grown;
        *cap = want;
    }
    grown = (char *)*items + (size_t)(*count)++ * size;
    memset(grown, 0, size);
    return grown;
}

/* ---- seed data ----------------------------------------------------------- */

int legacy_record_fail(const struct legacy_record *rec,
                       struct legacy_error *err, const char *fmt, ...)
{
    char text[384];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return failWith(err, "%s:%d: %s", rec->file, rec->line, text);
}

int legacy_record_expect(const struct legacy_record *rec, int want,
                         struct legacy_error *err)
{
    if (rec->count != want)
        return legacy_record_fail(rec, err, "%s: %d field(s), want %d",
                                  rec->field[0], rec->count - 1, want - 1);
    return 0;
}

int legacy_record_int(const struct legacy_record *rec, int i, int *out,
                      struct legacy_error *err)
{
    char *end;
    long value;

    if (i >= rec->count || !rec->field[i])
        return legacy_record_fail(rec, err, "field %d: number missing", i);
    errno = 0;
    value = strtol(rec->field[i], &end, 10);
    if (errno || *end || value < INT_MIN || value > INT_MAX)
        return legacy_record_fail(rec, err, "field %d: not a number: %s", i,
                                  rec->field[i]);
    *out = (int)value;
    return 0;
}

char *legacy_record_keep(struct legacy_pool *pool,
                         const struct legacy_record *rec, int i)
{
    return legacy_pool_strdup(pool, rec->field[i]);
}

void *legacy_record_append(struct legacy_pool *pool,
                           const struct legacy_record *rec, void **items,
                           int *count, int *cap, size_t size,
                           struct legacy_error *err)
{
    void *item = legacy_array_push(pool, items, count, cap, size);

    if (!item)
        legacy_record_fail(rec, err, "database full");
    return item;
}

int legacy_record_add_string(struct legacy_pool *pool,
                             const struct legacy_record *rec, int i,
                             struct legacy_strings *list,
                             struct legacy_error *err)
{
    char **slot =
        legacy_record_append(pool, rec, (void **)&list->items, &list->count,
                             &list->cap, sizeof *slot, err);

    if (!slot)
        return -1;
    *slot = legacy_record_keep(pool, rec, i);
    return 0;
}

int legacy_record_flag(const struct legacy_record *rec, int i, int *out,
                       struct legacy_error *err)
{
    const char *s = rec->field[i];

    if (!s || (strcmp(s, "J") && strcmp(s, "N")))
        return legacy_record_fail(rec, err, "field %d: J or N", i);
    *out = !strcmp(s, "J");
    return 0;
}

int legacy_record_code(const struct legacy_record *rec, int i,
                       const char *allowed, char *out, struct legacy_error *err)
{
    const char *s = rec->field[i];

    if (!s || strlen(s) != 1 || !strchr(allowed, s[0]))
        return legacy_record_fail(rec, err, "field %d: one of %s", i, allowed);
    *out = s[0];
    return 0;
}

int legacy_record_dispatch(const struct legacy_record_kind *kinds, size_t count,
                           void *ctx, const struct legacy_record *rec,
                           struct legacy_error *err)
{
    for (size_t i = 0; i < count; i++)
        if (!strcmp(rec->field[0], kinds[i].type))
            return kinds[i].load(ctx, rec, err);
    return legacy_record_fail(rec, err, "unknown record type %s",
                              rec->field[0]);
}

/* Split `line` in place at unescaped '|' and undo the escapes. */
static int splitRecord(char *line, struct legacy_record *rec,
                       struct legacy_error *err)
{
    char *in = line, *out = line;

    rec->count = 1;
    rec->field[0] = line;
    for (;; in++) {
        if (*in == '\\' && in[1]) {
            in++;
            *out++ = *in == 'n' ? '\n' : *in;
            continue;
        }
        if (*in == '|' || !*in) {
            int end = !*in;

            *out++ = '\0';
            if (end)
                break;
            if (rec->count == LEGACY_MAX_FIELDS)
                return legacy_record_fail(rec, err, "more than %d fields",
                                          LEGACY_MAX_FIELDS);
            rec->field[rec->count++] = out;
            continue;
        }
        *out++ = *in;
    }
    for (int i = 0; i < rec->count; i++)
        if (!*rec->field[i])
            rec->field[i] = NULL;
    if (!rec->field[0])
        return legacy_record_fail(rec, err, "record without a type");
    return 0;
}

static int readRecords(FILE *f, const char *path, legacy_record_fn fn,
                       void *ctx, struct legacy_error *err)
{
    char line[LEGACY_MAX_LINE];
    struct legacy_record rec = {.file = path};

    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line);

        rec.line++;
        if (n == sizeof line - 1 && line[n - 1] != '\n')
            return legacy_record_fail(&rec, err, "line longer than %d bytes",
                                      LEGACY_MAX_LINE - 2);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (!n || line[0] == '#')
            continue;
        if (splitRecord(line, &rec, err) || fn(ctx, &rec, err))
            return -1;
    }
    if (ferror(f))
        return failWith(err, "%s: %s", path, strerror(errno));
    return 0;
}

int legacy_data_load(const char *path, legacy_record_fn fn, void *ctx,
                     struct legacy_error *err)
{
    FILE *f = fopen(path, "r");
    int rc;

    if (!f)
        return failWith(err, "%s: %s", path, strerror(errno));
    rc = readRecords(f, path, fn, ctx, err);
    fclose(f);
    return rc;
}

int legacy_load(struct legacy_pool *pool, const char *path, legacy_record_fn fn,
                void *ctx, struct legacy_error *err)
{
    if (!pool)
        return failWith(err, "out of memory");
    if (legacy_data_load(path, fn, ctx, err))
        return -1;
    if (legacy_pool_failed(pool))
        return failWith(err, "%s: the data does not fit in memory", path);
    return 0;
}

/* ---- amounts ----------------------------------------------------------- */

int legacy_decimal_parse(const char *text, int places, long *out)
{
    const char *s = text;
    long value = 0;
    int negative = 0, digits = 0, fraction = -1;

    if (!s)
        return -1;
    if (*s == '-')
        negative = 1, s++;
    for (; *s; s++) {
        if (*s == '.' && fraction < 0) {
            fraction = 0;
            continue;
        }
        if (*s < '0' || *s > '9' || value > LONG_MAX / 100 ||
            (fraction >= 0 && ++fraction > places))
            return -1;
        value = value * 10 + (*s - '0');
        digits++;
    }
    if (!digits)
        return -1;
    for (int i = fraction < 0 ? 0 : fraction; i < places; i++)
        value *= 10;
    *out = negative ? -value : value;
    return 0;
}

char *legacy_decimal_text(struct soap *soap, long value, int places)
{
    long scale = 1;
    unsigned long magnitude =
        value < 0 ? 0UL - (unsigned long)value : (unsigned long)value;

    for (int i = 0; i < places; i++)
        scale *= 10;
    if (!places)
        return legacy_printf(soap, "%ld", value);
    return legacy_printf(soap, "%s%lu.%0*lu", value < 0 ? "-" : "",
                         magnitude / (unsigned long)scale, places,
                         magnitude % (unsigned long)scale);
}

long legacy_round_div(long num, long den)
{
    long half = den / 2;

    return num >= 0 ? (num + half) / den : -((-num + half) / den);
}

/* ---- demo clock ---------------------------------------------------------- */

void legacy_init_zone(void)
{
    setenv("TZ", LEGACY_ZONE, 1);
    tzset();
}

int legacy_clock_stop(struct legacy_clock *clock, const char *stamp)
{
    struct tm tm = {0};
    char rest;

    if (!stamp || strlen(stamp) != 14 ||
        sscanf(stamp, "%4d%2d%2d%2d%2d%2d%c", &tm.tm_year, &tm.tm_mon,
               &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &rest) != 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_isdst = -1;
    if (mktime(&tm) == (time_t)-1)
        return -1;
    clock->stopped = 1;
    clock->at = tm;
    return 0;
}

int legacy_record_setting(const struct legacy_record *rec,
                          struct legacy_clock *clock, int *next,
                          struct legacy_error *err)
{
    if (!strcmp(rec->field[0], "UHR")) {
        if (legacy_record_expect(rec, 2, err))
            return -1;
        if (legacy_clock_stop(clock, rec->field[1]))
            return legacy_record_fail(rec, err, "UHR: YYYYMMDDhhmmss");
        return 0;
    }
    if (legacy_record_expect(rec, 3, err))
        return -1;
    return legacy_record_int(rec, 2, next, err);
}

void legacy_clock_now(const struct legacy_clock *clock, struct tm *out)
{
    time_t now;

    if (clock->stopped) {
        *out = clock->at;
        return;
    }
    now = time(NULL);
    localtime_r(&now, out);
}

/* ---- lookups ------------------------------------------------------------ */

int legacy_is_digits(const char *s, size_t n)
{
    return s && strlen(s) == n && strspn(s, "0123456789") == n;
}

int legacy_strings_contain(const struct legacy_strings *list, const char *s)
{
    for (int i = 0; s && i < list->count; i++)
        if (!strcmp(list->items[i], s))
            return 1;
    return 0;
}

void *legacy_find(const void *items, int count, size_t size, size_t key_offset,
                  const char *key)
{
    const char *item = items;

    for (int i = 0; key && i < count; i++, item += size) {
        const char *const *member = (const char *const *)(item + key_offset);

        if (!strcmp(*member, key))
            return (void *)item;
    }
    return NULL;
}

/* ---- SOAP helpers -------------------------------------------------------- */

char *legacy_dup(struct soap *soap, const char *s)
{
    return s ? soap_strdup(soap, s) : NULL;
}

char *legacy_printf(struct soap *soap, const char *fmt, ...)
{
    char text[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return soap_strdup(soap, text);
}

char *legacy_strftime(struct soap *soap, const char *fmt, const struct tm *tm)
{
    char text[64];

    if (!strftime(text, sizeof text, fmt, tm))
        return NULL;
    return soap_strdup(soap, text);
}

int *legacy_int(struct soap *soap, int value)
{
    int *p = soap_malloc(soap, sizeof *p);

    if (p)
        *p = value;
    return p;
}

int legacy_sender_fault(struct soap *soap, const char *reason)
{
    soap->lang = "de";
    return soap_sender_fault(soap, legacy_dup(soap, reason), NULL);
}

int legacy_receiver_fault(struct soap *soap, const char *reason)
{
    soap->lang = "de";
    return soap_receiver_fault(soap, legacy_dup(soap, reason), NULL);
}

/* Decode one UTF-8 character at s (n bytes left); its length in *len.
 * A malformed or cut sequence decodes as '?' of length 1. */
static unsigned long decodeUtf8(const unsigned char *s, size_t n, size_t *len)
{
    unsigned long c = s[0];
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;

    *len = 1;
    if (c < 0x80)
        return c;
    if (need == 1 || need > n)
        return '?';
    c &= 0x3F >> (need - 1);
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return '?';
        c = c << 6 | (s[i] & 0x3F);
    }
    *len = need;
    return c;
}

/* gSOAP writes UTF-8 only. This send filter turns every byte gSOAP sends
 * into ISO-8859-1: characters up to U+00FF become one byte, the others a
 * character reference (&#8211; for the en dash of a plan name). gSOAP runs
 * the filter in its counting pass too, so Content-Length is that of the
 * Latin-1 text; it cuts its output only at ASCII characters, so a UTF-8
 * sequence is never split between two calls. */
static int sendLatin1(struct soap *soap, const char **s, size_t *n)
{
    const unsigned char *in = (const unsigned char *)*s;
    size_t i, len, out = 0, size = *n * 3 + 1; /* 3 bytes -> at most 8 */
    char *buf;

    for (i = 0; i < *n && in[i] < 0x80; i++)
        ;
    if (i == *n)
        return SOAP_OK;
    buf = soap_malloc(soap, size);
    if (!buf)
        return SOAP_EOM;
    for (i = 0; i < *n; i += len) {
        unsigned long c = decodeUtf8(in + i, *n - i, &len);

        if (c <= 0xFF)
            buf[out++] = (char)c;
        else
            out += (size_t)snprintf(buf + out, size - out, "&#%lu;", c);
    }
    *s = buf;
    *n = out;
    return SOAP_OK;
}

/* gSOAP labels every SOAP answer "charset=utf-8" (it uses http_content
 * only for non-SOAP answers); relabel the XML ones. */
static int postLatin1Header(struct soap *soap, const char *key, const char *val)
{
    struct legacy_call *call = soap->user;

    if (key && val && !strcasecmp(key, "Content-Type") &&
        !strncmp(val, "text/xml", 8))
        val = "text/xml; charset=ISO-8859-1";
    return call->post_header(soap, key, val);
}

void legacy_answer_latin1(struct soap *soap)
{
    struct legacy_call *call = soap->user;

    call->post_header = soap->fposthdr;
    soap->fposthdr = postLatin1Header;
    soap->ffiltersend = sendLatin1;
    soap->prolog = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n";
}

int legacy_check_request(struct soap *soap, int version, const char *expected)
{
    if (soap->version != version)
        return soap->error = SOAP_VERSIONMISMATCH;
    if (!expected || !soap->action || !*soap->action ||
        !strcmp(soap->action, expected))
        return SOAP_OK;
    return legacy_sender_fault(
        soap, legacy_printf(soap, "SOAPAction %s passt nicht zu %s",
                            soap->action, expected));
}

/* ---- the server ---------------------------------------------------------- */

struct legacy_server {
    const struct legacy_service *service;
    struct soap *master;
    pthread_mutex_t db_lock; /* guards service->db */
    pthread_mutex_t lock;    /* guards the fields below */
    pthread_cond_t changed;  /* a worker ended, or stopping began */
    int stopping;
    int active;
    SOAP_SOCKET sockets[LEGACY_MAX_WORKERS]; /* busy slots */
};

struct legacy_worker {
    struct legacy_server *server;
    struct soap *soap;
    int slot;
    struct legacy_call call;
};

static void stopServer(struct legacy_server *server)
{
    pthread_mutex_lock(&server->lock);
    server->stopping = 1;
    /* SHUT_RD ends idle keep-alive reads; an answer being written still
     * goes out. */
    for (int i = 0; i < LEGACY_MAX_WORKERS; i++)
        if (soap_valid_socket(server->sockets[i]))
            shutdown(server->sockets[i], SHUT_RD);
    pthread_cond_broadcast(&server->changed);
    pthread_mutex_unlock(&server->lock);
    /* Linux: makes a blocked accept() on the listening socket return. */
    shutdown(server->master->master, SHUT_RDWR);
}

static void *watchSignals(void *arg)
{
    struct legacy_server *server = arg;
    sigset_t set;
    int sig;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigwait(&set, &sig);
    stopServer(server);
    return NULL;
}

static void *serveConnection(void *arg)
{
    struct legacy_worker *w = arg;
    struct legacy_server *server = w->server;

    server->service->serve(w->soap);
    /* Leave the slot before the socket is closed, so that stopServer
     * never shuts down a descriptor number that was reused. */
    pthread_mutex_lock(&server->lock);
    server->sockets[w->slot] = SOAP_INVALID_SOCKET;
    pthread_mutex_unlock(&server->lock);
    soap_destroy(w->soap);
    soap_end(w->soap);
    soap_free(w->soap);
    free(w);
    pthread_mutex_lock(&server->lock);
    server->active--;
    pthread_cond_broadcast(&server->changed);
    pthread_mutex_unlock(&server->lock);
    return NULL;
}

/* Wait for a free worker slot; -1 when stopping. */
static int takeSlot(struct legacy_server *server)
{
    int slot = -1;

    pthread_mutex_lock(&server->lock);
    while (!server->stopping && server->active == LEGACY_MAX_WORKERS)
        pthread_cond_wait(&server->changed, &server->lock);
    if (!server->stopping) {
        for (slot = 0; soap_valid_socket(server->sockets[slot]); slot++)
            ;
        server->active++;
    }
    pthread_mutex_unlock(&server->lock);
    return slot;
}

static void giveSlotBack(struct legacy_server *server, int slot)
{
    pthread_mutex_lock(&server->lock);
    server->sockets[slot] = SOAP_INVALID_SOCKET;
    server->active--;
    pthread_cond_broadcast(&server->changed);
    pthread_mutex_unlock(&server->lock);
}

static struct legacy_worker *newWorker(struct legacy_server *server, int slot)
{
    struct legacy_worker *w = calloc(1, sizeof *w);

    if (!w)
        return NULL;
    w->soap = soap_copy(server->master);
    if (!w->soap) {
        free(w);
        return NULL;
    }
    w->server = server;
    w->slot = slot;
    w->call.db = server->service->db;
    w->call.lock = &server->db_lock;
    w->call.server = server;
    w->soap->user = &w->call;
    if (server->service->prepare)
        server->service->prepare(w->soap);
    return w;
}

/* Start a worker for the connection just accepted. */
static void startWorker(struct legacy_server *server, int slot)
{
    SOAP_SOCKET sock = server->master->socket;
    struct legacy_worker *w;
    pthread_attr_t attr;
    pthread_t thread;
    int rc = -1;

    pthread_mutex_lock(&server->lock);
    server->sockets[slot] = sock;
    if (server->stopping) /* accepted just before stopServer looked */
        shutdown(sock, SHUT_RD);
    pthread_mutex_unlock(&server->lock);
    w = newWorker(server, slot);
    if (w) {
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        rc = pthread_create(&thread, &attr, serveConnection, w);
        pthread_attr_destroy(&attr);
    }
    /* The copy owns the socket now; the master must not close it. */
    server->master->socket = SOAP_INVALID_SOCKET;
    if (rc == 0)
        return;
    if (w) {
        soap_free(w->soap); /* closes the connection */
        free(w);
    } else {
        close(sock);
    }
    giveSlotBack(server, slot);
}

static void acceptLoop(struct legacy_server *server)
{
    for (;;) {
        int slot = takeSlot(server);

        if (slot < 0)
            return;
        if (!soap_valid_socket(soap_accept(server->master))) {
            giveSlotBack(server, slot);
            pthread_mutex_lock(&server->lock);
            int stopping = server->stopping;
            pthread_mutex_unlock(&server->lock);
            if (stopping)
                return;
            continue; /* a client that went away at once */
        }
        startWorker(server, slot);
    }
}

static void waitForWorkers(struct legacy_server *server)
{
    pthread_mutex_lock(&server->lock);
    while (server->active > 0)
        pthread_cond_wait(&server->changed, &server->lock);
    pthread_mutex_unlock(&server->lock);
}

/* gSOAP's keep-alive loop serves request after request on one context;
 * free each request's data when its answer is out. */
static int endRequest(struct soap *soap)
{
    soap_destroy(soap);
    soap_end(soap);
    return SOAP_OK;
}

static struct soap *newMaster(void)
{
    struct soap *soap =
        soap_new2(SOAP_IO_KEEPALIVE | SOAP_C_UTFSTRING,
                  SOAP_IO_KEEPALIVE | SOAP_C_UTFSTRING | SOAP_XML_INDENT);

    if (!soap)
        return NULL;
    soap->bind_flags = SO_REUSEADDR;
    soap->send_timeout = LEGACY_IO_TIMEOUT;
    soap->recv_timeout = LEGACY_IO_TIMEOUT;
    soap->recv_maxlength = LEGACY_MAX_BODY;
    soap->maxlevel = 64;
    soap->maxoccurs = 10000;
    soap->fserveloop = endRequest;
    return soap;
}

static int boundPort(struct soap *master, int *port)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;

    if (getsockname(master->master, (struct sockaddr *)&addr, &len))
        return -1;
    *port = ntohs(addr.sin_port);
    return 0;
}

static int listenOn(struct legacy_server *server, int port,
                    struct legacy_error *err)
{
    if (soap_valid_socket(soap_bind(server->master, "127.0.0.1", port, 128)) &&
        !boundPort(server->master, &port)) {
        printf("ready 127.0.0.1:%d\n", port);
        fflush(stdout);
        return 0;
    }
    return failWith(err, "cannot listen on 127.0.0.1:%d: %s", port,
                    server->master->errnum ? strerror(server->master->errnum)
                                           : "bind failed");
}

static int initServer(struct legacy_server *server,
                      const struct legacy_service *service,
                      struct legacy_error *err)
{
    memset(server, 0, sizeof *server);
    server->service = service;
    for (int i = 0; i < LEGACY_MAX_WORKERS; i++)
        server->sockets[i] = SOAP_INVALID_SOCKET;
    server->master = newMaster();
    if (!server->master)
        return failWith(err, "out of memory");
    pthread_mutex_init(&server->db_lock, NULL);
    pthread_mutex_init(&server->lock, NULL);
    pthread_cond_init(&server->changed, NULL);
    return 0;
}

static void freeServer(struct legacy_server *server)
{
    soap_destroy(server->master);
    soap_end(server->master);
    soap_free(server->master);
    pthread_cond_destroy(&server->changed);
    pthread_mutex_destroy(&server->lock);
    pthread_mutex_destroy(&server->db_lock);
}

int legacy_serve(const struct legacy_service *service,
                 const struct legacy_options *opts, struct legacy_error *err)
{
    struct legacy_server server;
    pthread_t signals;
    sigset_t set;
    int rc;

    if (initServer(&server, service, err))
        return -1;
    /* Block the signals before any thread exists: only the signal thread
     * takes them. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    rc = listenOn(&server, opts->port, err);
    if (rc == 0 && pthread_create(&signals, NULL, watchSignals, &server)) {
        rc = failWith(err, "cannot start the signal thread");
    } else if (rc == 0) {
        acceptLoop(&server);
        pthread_kill(signals, SIGTERM); /* ends sigwait if still waiting */
        pthread_join(signals, NULL);
        waitForWorkers(&server);
    }
    freeServer(&server);
    return rc;
}

void legacy_sleep_ms(struct soap *soap, int ms)
{
    struct legacy_call *call = soap->user;
    struct legacy_server *server = call->server;
    struct timespec until;

    if (ms <= 0)
        return;
    if (ms > LEGACY_MAX_DELAY_MS)
        ms = LEGACY_MAX_DELAY_MS;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&server->lock);
    while (!server->stopping &&
           pthread_cond_timedwait(&server->changed, &server->lock, &until) !=
               ETIMEDOUT)
        ;
    pthread_mutex_unlock(&server->lock);
}

void *legacy_lock(struct soap *soap)
{
    struct legacy_call *call = soap->user;

    pthread_mutex_lock(call->lock);
    return call->db;
}

void legacy_unlock(struct soap *soap)
{
    struct legacy_call *call = soap->user;

    pthread_mutex_unlock(call->lock);
}

/* ---- main ---------------------------------------------------------------- */

/* What legacy_main hands the data file reader as its ctx. */
struct program_records {
    const struct legacy_record_kind *kinds;
    size_t count;
    void *db;
};

static int loadProgramRecord(void *ctx, const struct legacy_record *rec,
                             struct legacy_error *err)
{
    const struct program_records *records = ctx;

    return legacy_record_dispatch(records->kinds, records->count, records->db,
                                  rec, err);
}

int legacy_main(int argc, char **argv, const struct legacy_program *program)
{
    struct program_records records = {
        .kinds = program->kinds,
        .count = program->nkinds,
        .db = program->service.db,
    };
    struct legacy_options opts;
    struct legacy_error err;
    int rc;

    legacy_init_zone();
    rc = legacy_options_parse(argc, argv, program->default_data, &opts, &err);
    if (rc) {
        fprintf(rc > 0 ? stdout : stderr, "%s%s", err.message,
                rc > 0 ? "" : "\n");
        return rc > 0 ? 0 : 2;
    }
    *program->pool = legacy_pool_new(program->pool_limit);
    rc = legacy_load(*program->pool, opts.data, loadProgramRecord, &records,
                     &err);
    if (rc == 0)
        rc = legacy_serve(&program->service, &opts, &err);
    legacy_pool_free(*program->pool);
    if (rc)
        fprintf(stderr, "%s: %s\n", program->name, err.message);
    return rc ? 1 : 0;
}
