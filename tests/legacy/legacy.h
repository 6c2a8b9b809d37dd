/*
 * legacy: what the four demo legacy services in tests/legacy share.
 *
 * Each service is one gSOAP binary generated from a WSDL in wsdl/ and a
 * small C file with its operations, its data file's record loaders and a
 * struct legacy_program. This module is the rest: main itself
 * (legacy_main), the command line (--port, --data), the seed data reader
 * and its record helpers, a string pool that owns the in-memory database,
 * the demo clock, and the server loop (bind to 127.0.0.1, print
 * "ready 127.0.0.1:PORT", a thread per connection, SIGTERM/SIGINT ends it
 * cleanly).
 *
 * Nothing here knows a WSDL: the generated code differs per service and is
 * reached only through the function pointers of struct legacy_service
 * (and LEGACY_ATTACH_DETAIL, a macro expanded in the service's own file).
 */
#ifndef LEGACY_H
#define LEGACY_H

#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include "stdsoap2.h"

/* Bounds of what comes from outside (data file, requests). */
#define LEGACY_MAX_LINE 8192      /* bytes of one data file record */
#define LEGACY_MAX_FIELDS 32      /* fields of one data file record */
#define LEGACY_MAX_WORKERS 128    /* connections served at the same time */
#define LEGACY_IO_TIMEOUT 30      /* seconds a connection may idle */
#define LEGACY_MAX_DELAY_MS 60000 /* longest DelayMs a request may ask */
#define LEGACY_MAX_BODY 1048576   /* bytes of one request */

struct legacy_error {
    char message[512];
};

/* ---- command line ---------------------------------------------------- */

struct legacy_options {
    int port;         /* 0: any free port (printed in the ready line) */
    const char *data; /* seed data file */
};

/* Parse `NAME --port PORT [--data FILE]`; default_data is used without
 * --data. Returns 0, 1 for --help (usage in err), or -1 with err. */
int legacy_options_parse(int argc, char **argv, const char *default_data,
                         struct legacy_options *opts, struct legacy_error *err);

/* ---- string pool ------------------------------------------------------ */

/* Owns every string and record array of a service's database; freed in
 * one call at exit. Writes take new strings from it too, so it has a
 * byte limit: a write that would pass it fails (the service answers with
 * a fault) instead of growing without bound. */
struct legacy_pool;

struct legacy_pool *legacy_pool_new(size_t limit);
void legacy_pool_free(struct legacy_pool *pool);
/* A copy of s owned by the pool; NULL for s == NULL or when full. */
char *legacy_pool_strdup(struct legacy_pool *pool, const char *s);
/* n zeroed bytes owned by the pool; NULL when full. */
void *legacy_pool_alloc(struct legacy_pool *pool, size_t n);
/* Whether an allocation ever failed (sticky). */
int legacy_pool_failed(const struct legacy_pool *pool);

/* A pool-owned list of strings, such as a service's customer numbers. */
struct legacy_strings {
    char **items;
    int count, cap;
};

/* ---- seed data -------------------------------------------------------- */

/* One record of a data file: `TYPE|field|field|...`. An empty field is
 * NULL (an absent optional element); `\n`, `\|` and `\\` are escapes.
 * Lines starting with # and blank lines are skipped. */
struct legacy_record {
    const char *file;
    int line;
    int count;                      /* fields, the type included */
    char *field[LEGACY_MAX_FIELDS]; /* field[0] is the type */
};

/* Called for every record; returns 0, or -1 with err filled. */
typedef int (*legacy_record_fn)(void *ctx, const struct legacy_record *rec,
                                struct legacy_error *err);

/* Read `path` record by record. The record's strings live only during the
 * call: copy what you keep into a pool. Returns 0 or -1 with err
 * ("FILE:LINE: message"). */
int legacy_data_load(const char *path, legacy_record_fn fn, void *ctx,
                     struct legacy_error *err);
/* legacy_data_load into a database whose strings live in `pool` (which
 * may be NULL: out of memory); fails when the pool ran full. */
int legacy_load(struct legacy_pool *pool, const char *path, legacy_record_fn fn,
                void *ctx, struct legacy_error *err);
/* Fill err with "FILE:LINE: message" for rec. Returns -1. */
int legacy_record_fail(const struct legacy_record *rec,
                       struct legacy_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Check the record has exactly `want` fields (type included). */
int legacy_record_expect(const struct legacy_record *rec, int want,
                         struct legacy_error *err);
/* Field i as an int; -1 with err when it is not a number. */
int legacy_record_int(const struct legacy_record *rec, int i, int *out,
                      struct legacy_error *err);
/* Grow a pool-owned array by one zeroed element of `size` bytes; *items
 * and *cap are updated, the new element is returned (NULL when full). */
void *legacy_array_push(struct legacy_pool *pool, void **items, int *count,
                        int *cap, size_t size);
/* A pool copy of field i (NULL stays NULL). A full pool is sticky and
 * checked once after loading (legacy_load), so NULL needs no check. */
char *legacy_record_keep(struct legacy_pool *pool,
                         const struct legacy_record *rec, int i);
/* legacy_array_push for the record rec: NULL with "database full" in err
 * when the pool is full. */
void *legacy_record_append(struct legacy_pool *pool,
                           const struct legacy_record *rec, void **items,
                           int *count, int *cap, size_t size,
                           struct legacy_error *err);
/* Append a pool copy of field i to list; -1 with "database full" in err
 * when the pool is full. */
int legacy_record_add_string(struct legacy_pool *pool,
                             const struct legacy_record *rec, int i,
                             struct legacy_strings *list,
                             struct legacy_error *err);
/* Field i as a J/N flag (1/0); -1 with err when it is neither. */
int legacy_record_flag(const struct legacy_record *rec, int i, int *out,
                       struct legacy_error *err);
/* Field i as a one-letter code out of `allowed`; -1 with err otherwise. */
int legacy_record_code(const struct legacy_record *rec, int i,
                       const char *allowed, char *out,
                       struct legacy_error *err);

/* The loader of one record type (field[0]) of a data file. */
struct legacy_record_kind {
    const char *type;
    legacy_record_fn load;
};

/* Hand rec to the loader of its type among kinds[0..count); a type not
 * there fails with "unknown record type". */
int legacy_record_dispatch(const struct legacy_record_kind *kinds, size_t count,
                           void *ctx, const struct legacy_record *rec,
                           struct legacy_error *err);

/* ---- amounts ------------------------------------------------------------ */

/* Amounts are exact decimals: "1500.00" is 150000 with places = 2. */
/* Parse text with at most `places` fraction digits. 0, or -1 when it is
 * not such a number. */
int legacy_decimal_parse(const char *text, int places, long *out);
/* The text of value with `places` fraction digits, owned by soap. */
char *legacy_decimal_text(struct soap *soap, long value, int places);
/* num / den rounded half away from zero (den > 0). */
long legacy_round_div(long num, long den);

/* ---- demo clock ------------------------------------------------------- */

/* The services write local Europe/Berlin wall-clock time. A data file may
 * stop the clock (`UHR|YYYYMMDDhhmmss`) so that answers are reproducible
 * (the recorded fixtures were taken at 25.11.2026 08:12:30); without
 * that, the real time is used. */
struct legacy_clock {
    int stopped;
    struct tm at; /* when stopped */
};

#define LEGACY_ZONE "Europe/Berlin"

/* Parse `YYYYMMDDhhmmss` into a stopped clock. -1 when malformed. */
int legacy_clock_stop(struct legacy_clock *clock, const char *stamp);
/* The settings records of a data file with a demo clock and a number
 * counter: `UHR|YYYYMMDDhhmmss` stops *clock, `NUMMER|name|next` sets
 * *next. Returns 0, or -1 with err. */
int legacy_record_setting(const struct legacy_record *rec,
                          struct legacy_clock *clock, int *next,
                          struct legacy_error *err);
/* The current local time of the demo instance. */
void legacy_clock_now(const struct legacy_clock *clock, struct tm *out);

/* ---- lookups ------------------------------------------------------------ */

/* Whether s is exactly n decimal digits. */
int legacy_is_digits(const char *s, size_t n);
/* Whether s (may be NULL: no) is in list. */
int legacy_strings_contain(const struct legacy_strings *list, const char *s);
/* The first of the count items (each `size` bytes) of an array whose
 * string member at key_offset equals key; NULL when there is none or key
 * is NULL. Like bsearch, it returns a pointer into the caller's array. */
void *legacy_find(const void *items, int count, size_t size, size_t key_offset,
                  const char *key);

/* ---- SOAP helpers ----------------------------------------------------- */

/* soap_strdup, but NULL stays NULL. */
char *legacy_dup(struct soap *soap, const char *s);
/* A printf into a string owned by the soap context. */
char *legacy_printf(struct soap *soap, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* strftime into a string owned by the soap context. */
char *legacy_strftime(struct soap *soap, const char *fmt, const struct tm *tm);
/* An int owned by the soap context. */
int *legacy_int(struct soap *soap, int value);
/* Set a sender (client) fault with its reason; the caller adds the
 * declared detail. SOAP 1.2 reasons carry xml:lang="de". */
int legacy_sender_fault(struct soap *soap, const char *reason);
/* A receiver (server) fault for a broken demo database (pool full). */
int legacy_receiver_fault(struct soap *soap, const char *reason);
/* Attach detail (a struct SOAP_ENV__Detail *) to the fault just set on
 * soap, in the member its SOAP version writes. A macro, not a function:
 * struct SOAP_ENV__Fault is generated per service, so only a service's
 * own file can name its members. */
#define LEGACY_ATTACH_DETAIL(soap, detail)                                     \
    (*((soap)->version == 2 ? &(soap)->fault->SOAP_ENV__Detail                 \
                            : &(soap)->fault->detail) = (detail))
/* Make the connection answer in ISO-8859-1 (see legacy.c); call it from
 * legacy_service.prepare. */
void legacy_answer_latin1(struct soap *soap);
/* Check what every operation checks first: the request came in the
 * service's SOAP version (1 or 2; gSOAP's generated code takes either and
 * answers in the same, which the systems these services stand in for never
 * did), and its SOAPAction (or SOAP 1.2 action parameter) does not name
 * another operation (an absent one is accepted; expected NULL: no check).
 * Returns SOAP_OK or a fault (VersionMismatch, or a client fault). */
int legacy_check_request(struct soap *soap, int version, const char *expected);

/* ---- the server ------------------------------------------------------- */

struct legacy_server;

/* What an operation reaches through soap->user. */
struct legacy_call {
    void *db;                     /* the service's database */
    pthread_mutex_t *lock;        /* guards db */
    struct legacy_server *server; /* for legacy_sleep_ms */
    /* gSOAP's own HTTP header writer, when legacy_answer_latin1 wraps it */
    int (*post_header)(struct soap *soap, const char *key, const char *val);
};

struct legacy_service {
    int (*serve)(struct soap *soap); /* soapcpp2's soap_serve */
    /* Optional: set up each connection's context (hooks, encoding). */
    void (*prepare)(struct soap *soap);
    void *db;
};

/* Bind 127.0.0.1:opts->port, print the ready line, serve until SIGTERM or
 * SIGINT. Returns 0 after a clean stop, -1 with err. */
int legacy_serve(const struct legacy_service *service,
                 const struct legacy_options *opts, struct legacy_error *err);

/* Wait ms milliseconds, or less when the server is stopping. */
void legacy_sleep_ms(struct soap *soap, int ms);

/* Lock and unlock the service's database for the current request. */
void *legacy_lock(struct soap *soap);
void legacy_unlock(struct soap *soap);

/* Once, first thing in main: the zone the services write local time in. */
void legacy_init_zone(void);

/* ---- main ------------------------------------------------------------- */

/* What tells one service's main from another's. */
struct legacy_program {
    const char *name;         /* in error messages: "NAME: message" */
    const char *default_data; /* seed data file without --data */
    size_t pool_limit;        /* bytes the database's pool may hold */
    const struct legacy_record_kind *kinds; /* the data file's records */
    size_t nkinds;
    struct legacy_service service; /* service.db is the loaders' ctx */
    struct legacy_pool **pool;     /* where service.db keeps its pool */
};

/* The whole of a service's main: set the zone, parse the command line,
 * make the database's pool (stored in *program->pool), load the seed
 * data, serve, free the pool. Returns the exit status: 0 (also after
 * --help, usage on stdout), 2 for a bad command line, 1 when loading or
 * serving failed (the message on stderr). */
int legacy_main(int argc, char **argv, const struct legacy_program *program);

#endif
