/* Unit tests of accesslog: JSON lines, whole under concurrent writers. */
#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "accesslog.h"
#include "strbuf.h"
#include "suites.h"

/* A fresh empty file in TMPDIR; the caller unlinks it. */
static void tempPath(char *path, size_t size)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, size, "%s/sb-accesslog-XXXXXX",
             dir && *dir ? dir : P_tmpdir);
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
}

static struct accesslog *openLog(const char *path)
{
    struct sb_error err;
    error_clear(&err);
    struct accesslog *log = accesslog_open(path, &err);
    ck_assert_msg(log != NULL, "%s", err.message);
    return log;
}

/* The lines of a file: malloc'ed text split in place at each newline;
 * every line must end with one. */
struct lines {
    char *text;
    char *line[8192];
    size_t n;
};

static void readLines(const char *path, struct lines *ls)
{
    size_t len = 0;
    ls->text = strbuf_read_file(path, 64u << 20, &len);
    ck_assert_ptr_nonnull(ls->text);
    ls->n = 0;
    ck_assert(len == 0 || ls->text[len - 1] == '\n');
    for (char *s = ls->text; s < ls->text + len;) {
        char *nl = memchr(s, '\n', (size_t)(ls->text + len - s));
        *nl = 0;
        ck_assert_uint_lt(ls->n, sizeof(ls->line) / sizeof(ls->line[0]));
        ls->line[ls->n++] = s;
        s = nl + 1;
    }
}

static yajl_val parseLine(const char *line)
{
    char why[256];
    yajl_val v = yajl_tree_parse(line, why, sizeof(why));
    ck_assert_msg(v != NULL, "not JSON (%s): %s", why, line);
    ck_assert(YAJL_IS_OBJECT(v));
    return v;
}

static yajl_val member(yajl_val obj, const char *key)
{
    const char *path[] = {key, NULL};
    return yajl_tree_get(obj, path, yajl_t_any);
}

static void assertString(yajl_val obj, const char *key, const char *want)
{
    yajl_val v = member(obj, key);
    ck_assert_msg(v != NULL, "no %s", key);
    if (!want) {
        ck_assert_msg(YAJL_IS_NULL(v), "%s is not null", key);
        return;
    }
    ck_assert_msg(YAJL_IS_STRING(v), "%s is not a string", key);
    ck_assert_str_eq(YAJL_GET_STRING(v), want);
}

/* Numbers are compared as the text the line holds. */
static void assertNumber(yajl_val obj, const char *key, const char *want)
{
    yajl_val v = member(obj, key);
    ck_assert_msg(v != NULL && YAJL_IS_NUMBER(v), "%s is not a number", key);
    ck_assert_str_eq(YAJL_GET_NUMBER(v), want);
}

static const struct accesslog_upstream twoCalls[] = {
    {"ShippingService.GetOrderStatus", "ok", 2.5},
    {"BillingService.GetInvoice", "timeout", 1000.0004},
};

START_TEST(every_field_is_written)
{
    char path[PATH_MAX];
    struct lines ls;
    tempPath(path, sizeof(path));
    struct accesslog *log = openLog(path);
    struct accesslog_entry ok = {
        .time = {1714566896, 789999999},
        .request_id = "4bf92f3577b34da6",
        .method = "POST",
        .path = "/v1/capabilities/get_order_status",
        .capability = "get_order_status",
        .status = 200,
        .duration_ms = 3.12549,
        .upstream = twoCalls,
        .n_upstream = 2,
        .bytes_in = 21,
        .bytes_out = 180,
        .client = "127.0.0.1:53122",
        .warnings = 2,
    };
    struct accesslog_entry failed = {
        .time = {0, 0},
        .request_id = "r2",
        .method = "GET",
        .path = "/nope",
        .status = 404,
        .error_code = "not_found",
        .duration_ms = -5, /* nonsense is written as 0 */
        .client = "[::1]:1",
    };
    accesslog_write(log, &ok);
    accesslog_write(log, &failed);
    ck_assert_uint_eq(accesslog_failures(log), 0);
    accesslog_close(log);

    readLines(path, &ls);
    ck_assert_uint_eq(ls.n, 2);
    yajl_val v = parseLine(ls.line[0]);
    assertString(v, "time", "2024-05-01T12:34:56.789Z");
    assertString(v, "request_id", "4bf92f3577b34da6");
    assertString(v, "method", "POST");
    assertString(v, "path", "/v1/capabilities/get_order_status");
    assertString(v, "capability", "get_order_status");
    assertNumber(v, "status", "200");
    assertString(v, "error_code", NULL);
    assertNumber(v, "duration_ms", "3.125");
    assertNumber(v, "bytes_in", "21");
    assertNumber(v, "bytes_out", "180");
    assertString(v, "client", "127.0.0.1:53122");
    assertNumber(v, "warnings", "2");
    ck_assert_ptr_null(member(v, "truncated"));
    yajl_val up = member(v, "upstream");
    ck_assert(YAJL_IS_ARRAY(up));
    ck_assert_uint_eq(up->u.array.len, 2);
    assertString(up->u.array.values[0], "operation",
                 "ShippingService.GetOrderStatus");
    assertString(up->u.array.values[0], "outcome", "ok");
    assertNumber(up->u.array.values[0], "duration_ms", "2.500");
    assertString(up->u.array.values[1], "operation",
                 "BillingService.GetInvoice");
    assertString(up->u.array.values[1], "outcome", "timeout");
    assertNumber(up->u.array.values[1], "duration_ms", "1000.000");
    ck_assert_uint_eq(v->u.object.len, 13);
    yajl_tree_free(v);

    v = parseLine(ls.line[1]);
    assertString(v, "time", "1970-01-01T00:00:00.000Z");
    assertString(v, "capability", NULL);
    assertNumber(v, "status", "404");
    assertString(v, "error_code", "not_found");
    assertNumber(v, "duration_ms", "0.000");
    assertString(v, "client", "[::1]:1");
    ck_assert_uint_eq(member(v, "upstream")->u.array.len, 0);
    yajl_tree_free(v);
    free(ls.text);
    unlink(path);
}
END_TEST

START_TEST(missing_strings_are_null)
{
    char path[PATH_MAX];
    struct lines ls;
    tempPath(path, sizeof(path));
    struct accesslog *log = openLog(path);
    struct accesslog_entry e = {.status = 500, .n_upstream = 3};
    accesslog_write(log, &e);   /* n_upstream without an array: none */
    accesslog_write(log, NULL); /* nothing */
    accesslog_write(NULL, &e);  /* nothing */
    accesslog_close(log);
    readLines(path, &ls);
    ck_assert_uint_eq(ls.n, 1);
    yajl_val v = parseLine(ls.line[0]);
    static const char *const strings[] = {"request_id", "method",     "path",
                                          "capability", "error_code", "client"};
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        assertString(v, strings[i], NULL);
    ck_assert_uint_eq(member(v, "upstream")->u.array.len, 0);
    yajl_tree_free(v);
    free(ls.text);
    unlink(path);
}
END_TEST

/* Quotes, backslashes, control bytes and bytes that are not UTF-8: the
 * line stays JSON, and each bad byte reads back as U+FFFD. */
START_TEST(odd_bytes_stay_valid_json)
{
    char path[PATH_MAX];
    struct lines ls;
    tempPath(path, sizeof(path));
    struct accesslog *log = openLog(path);
    struct accesslog_entry e = {
        .request_id = "id\"\\",
        .method = "G\x01T",
        .path = "/v1/x\"y\\z\n\r\t\x01\x1f\x7f/\xc3\xbc\xff\xc0\xaf"
                "\xed\xa0\x80(\xe2\x82",
        .capability = "caf\xc3\xa9",
        .status = 400,
        .client = "\xf4\x90\x80\x80",
    };
    accesslog_write(log, &e);
    accesslog_close(log);
    readLines(path, &ls);
    ck_assert_uint_eq(ls.n, 1);
    yajl_val v = parseLine(ls.line[0]);
#define R "\xef\xbf\xbd"
    assertString(v, "path",
                 "/v1/x\"y\\z\n\r\t\x01\x1f\x7f/\xc3\xbc" R R R R R R "(" R R);
    assertString(v, "request_id", "id\"\\");
    assertString(v, "method", "G\x01T");
    assertString(v, "capability", "caf\xc3\xa9");
    assertString(v, "client", R R R R);
#undef R
    ck_assert_ptr_null(member(v, "truncated"));
    yajl_tree_free(v);
    free(ls.text);
    unlink(path);
}
END_TEST

static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    ck_assert_ptr_nonnull(s);
    memset(s, c, n);
    s[n] = 0;
    return s;
}

/* Long values are cut so that a line never passes ACCESSLOG_LINE_MAX,
 * and the line says so. */
START_TEST(long_values_are_cut_to_fit_one_write)
{
    char path[PATH_MAX];
    struct lines ls;
    struct accesslog_upstream many[ACCESSLOG_UPSTREAM_MAX + 4];
    for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++)
        many[i] = twoCalls[0];
    char *letters = repeat('a', 10000);
    char *controls = repeat('\x01', 3000);
    char *euro = malloc(3 * 1000 + 1); /* U+20AC, three bytes each */
    ck_assert_ptr_nonnull(euro);
    for (int i = 0; i < 1000; i++)
        memcpy(euro + 3 * i, "\xe2\x82\xac", 3);
    euro[3000] = 0;
    tempPath(path, sizeof(path));
    struct accesslog *log = openLog(path);
    struct accesslog_entry e = {.path = letters, .status = 200};
    accesslog_write(log, &e);
    e.path = controls;
    accesslog_write(log, &e);
    e.path = euro;
    accesslog_write(log, &e);
    e.path = "/short";
    e.upstream = many;
    e.n_upstream = sizeof(many) / sizeof(many[0]);
    accesslog_write(log, &e);
    /* The worst case: every string and every upstream call all control
     * bytes, every number as long as it gets. */
    struct accesslog_upstream worst[ACCESSLOG_UPSTREAM_MAX + 4];
    for (size_t i = 0; i < sizeof(worst) / sizeof(worst[0]); i++)
        worst[i] = (struct accesslog_upstream){controls, controls, 1e300};
    e.upstream = worst;
    e.n_upstream = sizeof(worst) / sizeof(worst[0]);
    e.status = INT_MIN;
    e.duration_ms = 1e300;
    e.bytes_in = e.bytes_out = e.warnings = SIZE_MAX;
    e.time.tv_sec = 253402300799; /* 9999-12-31T23:59:59Z */
    e.time.tv_nsec = 999999999;
    e.request_id = controls;
    e.method = controls;
    e.capability = controls;
    e.error_code = controls;
    e.client = controls;
    e.path = controls;
    accesslog_write(log, &e);
    ck_assert_uint_eq(accesslog_failures(log), 0);
    accesslog_close(log);

    readLines(path, &ls);
    ck_assert_uint_eq(ls.n, 5);
    for (size_t i = 0; i < ls.n; i++) {
        ck_assert_uint_lt(strlen(ls.line[i]), ACCESSLOG_LINE_MAX);
        yajl_val v = parseLine(ls.line[i]);
        ck_assert_msg(YAJL_IS_TRUE(member(v, "truncated")), "line %zu", i);
        const char *got = YAJL_GET_STRING(member(v, "path"));
        if (i == 0) {
            ck_assert_uint_eq(strlen(got), ACCESSLOG_PATH_MAX);
            ck_assert(strncmp(got, letters, ACCESSLOG_PATH_MAX) == 0);
        } else if (i == 1 || i == 4) { /* cut harder: 6 bytes each */
            ck_assert_uint_gt(strlen(got), 0);
            ck_assert(strncmp(got, controls, strlen(got)) == 0);
        } else if (i == 2) { /* cut between characters */
            ck_assert_uint_eq(strlen(got) % 3, 0);
            ck_assert(strncmp(got, euro, strlen(got)) == 0);
        } else {
            ck_assert_uint_eq(member(v, "upstream")->u.array.len,
                              ACCESSLOG_UPSTREAM_MAX);
        }
        yajl_tree_free(v);
    }
    free(ls.text);
    free(letters);
    free(controls);
    free(euro);
    unlink(path);
}
END_TEST

/* ---- several threads writing at once ---- */

#define WRITER_THREADS 4
#define WRITER_LINES 1000

struct writer {
    struct accesslog *log;
    int index;
    const char *path;
};

static void *writeMany(void *arg)
{
    struct writer *w = arg;
    for (int i = 0; i < WRITER_LINES; i++) {
        char id[32];
        snprintf(id, sizeof(id), "t%d-%d", w->index, i);
        struct accesslog_entry e = {
            .request_id = id,
            .method = "POST",
            .path = w->path,
            .status = 200,
            .upstream = twoCalls,
            .n_upstream = 2,
        };
        accesslog_write(w->log, &e);
    }
    return NULL;
}

START_TEST(concurrent_writers_never_interleave)
{
    char path[PATH_MAX];
    struct lines ls;
    static unsigned char seen[WRITER_THREADS][WRITER_LINES];
    pthread_t threads[WRITER_THREADS];
    struct writer writers[WRITER_THREADS];
    /* Long lines (about 2 KiB) make an interleaving likely if writes were
     * not whole. */
    char *long_path = repeat('p', 1800);
    memset(seen, 0, sizeof(seen));
    tempPath(path, sizeof(path));
    struct accesslog *log = openLog(path);
    for (int i = 0; i < WRITER_THREADS; i++) {
        writers[i] = (struct writer){log, i, long_path};
        ck_assert_int_eq(
            pthread_create(&threads[i], NULL, writeMany, &writers[i]), 0);
    }
    for (int i = 0; i < WRITER_THREADS; i++)
        ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
    ck_assert_uint_eq(accesslog_failures(log), 0);
    accesslog_close(log);

    readLines(path, &ls);
    ck_assert_uint_eq(ls.n, WRITER_THREADS * WRITER_LINES);
    for (size_t i = 0; i < ls.n; i++) {
        int t, k;
        yajl_val v = parseLine(ls.line[i]);
        const char *id = YAJL_GET_STRING(member(v, "request_id"));
        ck_assert_int_eq(sscanf(id, "t%d-%d", &t, &k), 2);
        ck_assert(t >= 0 && t < WRITER_THREADS && k >= 0 && k < WRITER_LINES);
        ck_assert_msg(!seen[t][k], "%s twice", id);
        seen[t][k] = 1;
        assertString(v, "path", long_path);
        yajl_tree_free(v);
    }
    free(ls.text);
    free(long_path);
    unlink(path);
}
END_TEST

START_TEST(off_writes_nothing)
{
    struct accesslog_entry e = {.path = "/", .status = 200};
    ck_assert_int_ne(access("off", F_OK), 0);
    struct accesslog *log = openLog("off");
    accesslog_write(log, &e);
    ck_assert_uint_eq(accesslog_failures(log), 0);
    accesslog_close(log);
    ck_assert_int_ne(access("off", F_OK), 0); /* no file named off */
    log = openLog(NULL);
    accesslog_write(log, &e);
    accesslog_close(log);
    accesslog_close(NULL);
}
END_TEST

/* "-" writes to standard output and leaves it open. */
START_TEST(dash_is_stdout)
{
    char path[PATH_MAX];
    struct lines ls;
    tempPath(path, sizeof(path));
    int fd = open(path, O_WRONLY | O_APPEND);
    ck_assert_int_ge(fd, 0);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(dup2(fd, STDOUT_FILENO), 0);
    close(fd);
    struct accesslog *log = openLog("-");
    struct accesslog_entry e = {.request_id = "to-stdout", .status = 204};
    accesslog_write(log, &e);
    accesslog_close(log);
    int still_open = fcntl(STDOUT_FILENO, F_GETFD) != -1;
    dup2(saved, STDOUT_FILENO);
    close(saved);
    ck_assert(still_open);
    readLines(path, &ls);
    ck_assert_uint_eq(ls.n, 1);
    yajl_val v = parseLine(ls.line[0]);
    assertString(v, "request_id", "to-stdout");
    yajl_tree_free(v);
    free(ls.text);
    unlink(path);
}
END_TEST

START_TEST(open_failure_names_the_file)
{
    char path[PATH_MAX], bad[PATH_MAX + 32];
    struct sb_error err;
    tempPath(path, sizeof(path));
    /* A file cannot be a folder. */
    snprintf(bad, sizeof(bad), "%s/access.log", path);
    error_clear(&err);
    ck_assert_ptr_null(accesslog_open(bad, &err));
    ck_assert_str_eq(err.code, "access_log");
    ck_assert_ptr_nonnull(strstr(err.message, bad));
    unlink(path);
}
END_TEST

/* Rotation: after a rename, reopen makes a new file of the name and
 * the lines go there; a reopen that fails keeps writing to the old
 * file. stdout and off have nothing to reopen. */
START_TEST(reopen_follows_a_rotation)
{
    char path[PATH_MAX], rotated[PATH_MAX + 8], dir[PATH_MAX];
    struct sb_error err;
    struct lines ls;
    tempPath(path, sizeof(path));
    snprintf(rotated, sizeof(rotated), "%s.1", path);
    struct accesslog *log = openLog(path);
    struct accesslog_entry e = {.request_id = "before", .status = 200};
    accesslog_write(log, &e);
    ck_assert_int_eq(rename(path, rotated), 0);
    e.request_id = "rotated-late";
    accesslog_write(log, &e);   /* still the old file */
    error_clear(&err);
    ck_assert_int_eq(accesslog_reopen(log, &err), 0);
    e.request_id = "after";
    accesslog_write(log, &e);
    readLines(rotated, &ls);
    ck_assert_uint_eq(ls.n, 2);
    ck_assert_ptr_nonnull(strstr(ls.line[1], "\"rotated-late\""));
    free(ls.text);
    readLines(path, &ls);
    ck_assert_uint_eq(ls.n, 1);
    ck_assert_ptr_nonnull(strstr(ls.line[0], "\"after\""));
    free(ls.text);
    unlink(rotated);
    unlink(path);
    accesslog_close(log);

    /* in a folder that goes away: the reopen fails, naming the file */
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/sb-accesslog-dir-XXXXXX",
             tmp && *tmp ? tmp : P_tmpdir);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_lt(snprintf(path, sizeof(path), "%s/access.log", dir),
                     (int)sizeof(path));
    log = openLog(path);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(rmdir(dir), 0);
    error_clear(&err);
    ck_assert_int_eq(accesslog_reopen(log, &err), -1);
    ck_assert_str_eq(err.code, "access_log");
    ck_assert_ptr_nonnull(strstr(err.message, path));
    accesslog_write(log, &e);   /* to the old, unlinked file: no failure */
    ck_assert_uint_eq(accesslog_failures(log), 0);
    accesslog_close(log);

    log = openLog("-");
    ck_assert_int_eq(accesslog_reopen(log, &err), 0);
    accesslog_close(log);
    log = openLog("off");
    ck_assert_int_eq(accesslog_reopen(log, &err), 0);
    accesslog_close(log);
    ck_assert_int_eq(accesslog_reopen(NULL, &err), 0);
}
END_TEST

/* A write that fails is counted, not reported. */
START_TEST(failed_writes_are_counted)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    ck_assert_int_ge(saved, 0);
    /* A pipe's write end with the read end closed fails with EPIPE
     * (SIGPIPE is ignored for the test, as the daemon does). */
    close(fds[0]);
    ck_assert_int_ge(dup2(fds[1], STDOUT_FILENO), 0);
    close(fds[1]);
    void (*previous)(int) = signal(SIGPIPE, SIG_IGN);
    struct accesslog *log = openLog("-");
    struct accesslog_entry e = {.status = 200};
    accesslog_write(log, &e);
    accesslog_write(log, &e);
    unsigned long long failures = accesslog_failures(log);
    accesslog_close(log);
    signal(SIGPIPE, previous);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    ck_assert_uint_eq(failures, 2);
}
END_TEST

Suite *accesslog_suite(void)
{
    Suite *s = suite_create("accesslog");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, every_field_is_written);
    tcase_add_test(tc, missing_strings_are_null);
    tcase_add_test(tc, odd_bytes_stay_valid_json);
    tcase_add_test(tc, long_values_are_cut_to_fit_one_write);
    tcase_add_test(tc, off_writes_nothing);
    tcase_add_test(tc, dash_is_stdout);
    tcase_add_test(tc, open_failure_names_the_file);
    tcase_add_test(tc, reopen_follows_a_rotation);
    tcase_add_test(tc, failed_writes_are_counted);
    suite_add_tcase(s, tc);

    TCase *threads = tcase_create("threads");
    tcase_set_timeout(threads, 120);
    tcase_add_test(threads, concurrent_writers_never_interleave);
    suite_add_tcase(s, threads);
    return s;
}
