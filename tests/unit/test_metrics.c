/* Unit tests of metrics: per-worker counters and the Prometheus text. */
#include <check.h>
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "metrics.h"
#include "suites.h"

static const char *const caps[] = {"get_order_status",
                                   "ShippingService.GetOrderStatus"};
static const char *const ops[] = {"ShippingService.GetOrderStatus",
                                  "BillingService.GetInvoice"};

static struct metrics *newMetrics(size_t workers)
{
    struct metrics *m = metrics_new(workers, caps, 2, ops, 2, 2);
    ck_assert_ptr_nonnull(m);
    return m;
}

/* Render into a malloc'ed string the caller frees. */
static char *render(const struct metrics *m, const size_t *clients)
{
    struct strbuf out;
    strbuf_init(&out);
    ck_assert_int_eq(metrics_render(m, clients, &out), 0);
    char *text = strbuf_detach(&out, NULL);
    ck_assert_ptr_nonnull(text);
    return text;
}

/* The value of the sample line that starts with `series` and a space;
 * -1 when there is none. */
static double valueOf(const char *text, const char *series)
{
    size_t n = strlen(series);
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        if (strncmp(line, series, n) == 0 && line[n] == ' ')
            return strtod(line + n + 1, NULL);
        if (!end)
            break;
        line = end + 1;
    }
    return -1;
}

/* ---- a small checker of the text format (exposition format 0.0.4) ---- */

#define MAX_FAMILIES 64
#define MAX_SERIES 4096

struct exposition {
    char families[MAX_FAMILIES][96];
    char types[MAX_FAMILIES][16];
    size_t n_families;
    char *series[MAX_SERIES]; /* "name{labels}", malloc'ed */
    size_t n_series;
};

static void freeExposition(struct exposition *x)
{
    for (size_t i = 0; i < x->n_series; i++)
        free(x->series[i]);
}

static int findFamily(const struct exposition *x, const char *name)
{
    for (size_t i = 0; i < x->n_families; i++)
        if (strcmp(x->families[i], name) == 0)
            return (int)i;
    return -1;
}

/* Skip a metric or label name: [a-zA-Z_:][a-zA-Z0-9_:]* (no ':' in label
 * names). NULL when there is none. */
static const char *skipName(const char *s, int colon)
{
    if (!(isalpha((unsigned char)*s) || *s == '_' || (colon && *s == ':')))
        return NULL;
    while (isalnum((unsigned char)*s) || *s == '_' || (colon && *s == ':'))
        s++;
    return s;
}

/* Skip {name="value",...}; NULL when malformed. */
static const char *skipLabels(const char *s)
{
    if (*s != '{')
        return s;
    s++;
    while (*s != '}') {
        if (!(s = skipName(s, 0)) || *s++ != '=' || *s++ != '"')
            return NULL;
        for (; *s != '"'; s++) {
            if (*s == '\n' || !*s)
                return NULL;
            if (*s == '\\' && !strchr("\\\"n", *++s))
                return NULL;
        }
        s++;
        if (*s == ',')
            s++;
        else if (*s != '}')
            return NULL;
    }
    return s + 1;
}

/* The family a sample belongs to: its name, or for a histogram's
 * _bucket, _sum and _count the name without the suffix. */
static int familyOf(const struct exposition *x, const char *name)
{
    static const char *const suffixes[] = {"_bucket", "_sum", "_count"};
    int f = findFamily(x, name);
    if (f >= 0)
        return strcmp(x->types[f], "histogram") == 0 ? -1 : f;
    for (size_t i = 0; i < 3; i++) {
        char base[96];
        size_t n = strlen(name), k = strlen(suffixes[i]);
        if (n <= k || n - k >= sizeof(base) ||
            strcmp(name + n - k, suffixes[i]) != 0)
            continue;
        memcpy(base, name, n - k);
        base[n - k] = 0;
        f = findFamily(x, base);
        if (f >= 0 && strcmp(x->types[f], "histogram") == 0)
            return f;
    }
    return -1;
}

static int reject(char *why, size_t size, const char *fmt, const char *arg)
{
    snprintf(why, size, fmt, arg);
    return -1;
}

static int checkComment(struct exposition *x, const char *line, char *why,
                        size_t size)
{
    char name[96], type[16];
    if (strncmp(line, "# HELP ", 7) == 0)
        return 0;
    if (sscanf(line, "# TYPE %95s %15s", name, type) != 2)
        return reject(why, size, "bad comment: %s", line);
    if (!strstr(" counter gauge histogram summary untyped ", type))
        return reject(why, size, "bad type: %s", line);
    if (findFamily(x, name) >= 0)
        return reject(why, size, "family declared twice: %s", name);
    if (x->n_families == MAX_FAMILIES)
        return reject(why, size, "%s", "too many families");
    snprintf(x->families[x->n_families], sizeof(x->families[0]), "%s", name);
    snprintf(x->types[x->n_families++], sizeof(x->types[0]), "%s", type);
    return 0;
}

static int checkSample(struct exposition *x, const char *line, char *why,
                       size_t size)
{
    char name[96], *end;
    const char *s = skipName(line, 1);
    if (!s || (size_t)(s - line) >= sizeof(name))
        return reject(why, size, "bad name: %s", line);
    memcpy(name, line, (size_t)(s - line));
    name[s - line] = 0;
    if (!(s = skipLabels(s)) || *s++ != ' ')
        return reject(why, size, "bad labels: %s", line);
    if (strcmp(s, "+Inf") != 0 && strcmp(s, "-Inf") != 0 &&
        strcmp(s, "NaN") != 0 && (strtod(s, &end), end == s || *end))
        return reject(why, size, "bad value: %s", line);
    if (familyOf(x, name) < 0)
        return reject(why, size, "sample before its TYPE: %s", line);
    if (strcmp(x->types[familyOf(x, name)], "counter") == 0 &&
        (strlen(name) < 6 || strcmp(name + strlen(name) - 6, "_total")))
        return reject(why, size, "counter without _total: %s", name);
    char *key = strndup(line, (size_t)(s - 1 - line));
    ck_assert_ptr_nonnull(key);
    for (size_t i = 0; i < x->n_series; i++)
        if (strcmp(x->series[i], key) == 0) {
            reject(why, size, "duplicate series: %s", key);
            free(key);
            return -1;
        }
    if (x->n_series == MAX_SERIES) {
        free(key);
        return reject(why, size, "%s", "too many series");
    }
    x->series[x->n_series++] = key;
    return 0;
}

/* 0 when text is well-formed; else -1 with the reason in why. */
static int checkExposition(const char *text, char *why, size_t size)
{
    struct exposition x;
    int rc = 0;
    memset(&x, 0, sizeof(x));
    why[0] = 0;
    while (*text && rc == 0) {
        const char *nl = strchr(text, '\n');
        if (!nl)
            return reject(why, size, "%s", "last line without newline");
        char *line = strndup(text, (size_t)(nl - text));
        ck_assert_ptr_nonnull(line);
        rc = line[0] == '#' ? checkComment(&x, line, why, size)
                            : checkSample(&x, line, why, size);
        free(line);
        text = nl + 1;
    }
    freeExposition(&x);
    return rc;
}

static void assertWellFormed(const char *text)
{
    char why[512];
    if (checkExposition(text, why, sizeof(why)) != 0)
        ck_abort_msg("%s\n--- in ---\n%s", why, text);
}

/* ---- tests ---- */

START_TEST(checker_rejects_bad_text)
{
    static const char *const bad[] = {
        "x_total 1\n",                                    /* no TYPE */
        "# TYPE x_total counter\nx_total 1\nx_total 2\n", /* twice */
        "# TYPE x_total counter\nx_total{a=\"1} 1\n",
        "# TYPE x_total counter\nx_total{a=\"\\t\"} 1\n", /* escape */
        "# TYPE x_total counter\nx_total one\n",
        "# TYPE x counter\nx 1\n", /* _total */
        "# TYPE x_total counter\n# TYPE x_total counter\n",
        "# TYPE h histogram\nh 1\n",
        "# TYPE g gauge\ng 1", /* newline */
    };
    char why[512];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(checkExposition(bad[i], why, sizeof(why)) == -1,
                      "accepted: %s", bad[i]);
    ck_assert_int_eq(checkExposition("# HELP h_count x\n# TYPE h histogram\n"
                                     "h_bucket{le=\"+Inf\"} 1\nh_sum 0.5\n"
                                     "h_count 1\n",
                                     why, sizeof(why)),
                     0);
}
END_TEST

START_TEST(every_family_is_declared_from_the_start)
{
    static const char *const families[] = {
        "soapbridge_requests_total counter",
        "soapbridge_request_duration_seconds histogram",
        "soapbridge_request_bytes_total counter",
        "soapbridge_response_bytes_total counter",
        "soapbridge_errors_total counter",
        "soapbridge_in_flight_requests gauge",
        "soapbridge_translation_warnings_total counter",
        "soapbridge_upstream_requests_total counter",
        "soapbridge_upstream_duration_seconds histogram",
        "soapbridge_client_connections gauge",
        "soapbridge_upstream_in_flight gauge",
        "soapbridge_upstream_connections_opened_total counter",
        "soapbridge_config_reloads_total counter",
        "soapbridge_config_last_reload_successful gauge",
    };
    struct metrics *m = newMetrics(2);
    char *text = render(m, NULL);
    assertWellFormed(text);
    for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
        char type[128];
        snprintf(type, sizeof(type), "# TYPE %s\n", families[i]);
        ck_assert_msg(strstr(text, type) != NULL, "missing %s", type);
    }
    /* Nothing has happened: only the gauges have samples. */
    ck_assert_ptr_null(strstr(text, "soapbridge_requests_total{"));
    ck_assert_ptr_null(strstr(text, "_bucket{"));
    ck_assert_double_eq(valueOf(text, "soapbridge_in_flight_requests"), 0);
    ck_assert_double_eq(
        valueOf(text, "soapbridge_upstream_in_flight{worker=\"1\"}"), 0);
    ck_assert_double_eq(
        valueOf(text, "soapbridge_client_connections{worker=\"1\"}"), 0);
    ck_assert_double_eq(
        valueOf(text, "soapbridge_config_reloads_total{outcome=\"ok\"}"), 0);
    ck_assert_double_eq(
        valueOf(text, "soapbridge_config_last_reload_successful"), 1);
    free(text);
    metrics_free(m);
}
END_TEST

/* A reload names capabilities the start did not know: they take the room
 * made at the start, and what was counted before stays. */
START_TEST(names_added_later_keep_counting)
{
    struct metrics *m = newMetrics(2);  /* room for 2 names more */
    struct metrics_worker *w0 = metrics_worker(m, 0);
    struct metrics_worker *w1 = metrics_worker(m, 1);
    ck_assert_int_eq(metrics_add_capability(m, "get_order_status"), 0);
    metrics_request_done(w0, 0, METRICS_OUTCOME_OK, 0.01, 1, 1);
    ck_assert_int_eq(metrics_add_capability(m, "create_ticket"), 2);
    ck_assert_int_eq(metrics_add_operation(m, "TicketService.CreateTicket"),
                     2);
    metrics_request_done(w1, 2, METRICS_OUTCOME_OK, 0.01, 10, 20);
    metrics_upstream_done(w1, 2, "ok", 0.01);
    metrics_request_done(w1, -1, metrics_outcome_index("not_found"), 0.01, 0,
                         5);
    metrics_request_done(w1, 99, metrics_outcome_index("not_found"), 0.01, 0,
                         5);
    ck_assert_int_eq(metrics_add_capability(m, "third"), 3);
    ck_assert_int_eq(metrics_add_capability(m, "fourth"), -1);   /* full */
    ck_assert_int_eq(metrics_add_capability(m, "third"), 3);
    metrics_config_reload(m, 1);
    metrics_config_reload(m, 0);
    char *text = render(m, NULL);
    assertWellFormed(text);
    ck_assert_double_eq(valueOf(text, "soapbridge_requests_total{capability="
                                      "\"get_order_status\",outcome=\"ok\"}"),
                        1);
    ck_assert_double_eq(valueOf(text, "soapbridge_requests_total{capability="
                                      "\"create_ticket\",outcome=\"ok\"}"),
                        1);
    ck_assert_double_eq(valueOf(text, "soapbridge_response_bytes_total{"
                                      "capability=\"create_ticket\"}"),
                        20);
    ck_assert_double_eq(valueOf(text, "soapbridge_requests_total{capability="
                                      "\"\",outcome=\"not_found\"}"),
                        2);
    ck_assert_double_eq(valueOf(text, "soapbridge_upstream_requests_total{"
                                      "operation=\"TicketService."
                                      "CreateTicket\",outcome=\"ok\"}"),
                        1);
    /* a name with nothing counted yet has no series */
    ck_assert_ptr_null(strstr(text, "capability=\"third\""));
    ck_assert_double_eq(valueOf(text, "soapbridge_errors_total{code="
                                      "\"not_found\"}"),
                        2);
    ck_assert_double_eq(
        valueOf(text, "soapbridge_config_reloads_total{outcome=\"ok\"}"), 1);
    ck_assert_double_eq(
        valueOf(text, "soapbridge_config_reloads_total{outcome=\"failed\"}"),
        1);
    ck_assert_double_eq(
        valueOf(text, "soapbridge_config_last_reload_successful"), 0);
    free(text);
    metrics_free(m);
}
END_TEST

/* What three workers counted between them (-1: no such series). */
static const struct {
    const char *series;
    double want;
} sums[] = {
    {"soapbridge_requests_total{capability=\"get_order_status\","
     "outcome=\"ok\"}",
     6},
    {"soapbridge_requests_total{capability=\"ShippingService.GetOrderStatus\","
     "outcome=\"invalid_input\"}",
     3},
    {"soapbridge_requests_total{capability=\"\",outcome=\"not_found\"}", 3},
    {"soapbridge_errors_total{code=\"invalid_input\"}", 3},
    {"soapbridge_errors_total{code=\"not_found\"}", 3},
    {"soapbridge_errors_total{code=\"ok\"}", -1},
    {"soapbridge_request_bytes_total{capability=\"get_order_status\"}", 60},
    {"soapbridge_response_bytes_total{capability=\"get_order_status\"}", 600},
    {"soapbridge_response_bytes_total{capability=\"\"}", 21},
    /* No request body on the 404s: a zero counter is left out. */
    {"soapbridge_request_bytes_total{capability=\"\"}", -1},
    {"soapbridge_request_duration_seconds_count{capability="
     "\"get_order_status\"}",
     6},
    {"soapbridge_request_duration_seconds_count{capability=\"\"}", 3},
    {"soapbridge_translation_warnings_total{capability="
     "\"get_order_status\"}",
     3},
    {"soapbridge_in_flight_requests", 2},
    {"soapbridge_upstream_requests_total{operation="
     "\"ShippingService.GetOrderStatus\",outcome=\"ok\"}",
     3},
    {"soapbridge_upstream_requests_total{operation="
     "\"BillingService.GetInvoice\",outcome=\"timeout\"}",
     3},
    /* An outcome name the table lacks counts as "error". */
    {"soapbridge_upstream_requests_total{operation="
     "\"BillingService.GetInvoice\",outcome=\"error\"}",
     3},
    {"soapbridge_upstream_duration_seconds_bucket{operation="
     "\"BillingService.GetInvoice\",le=\"30\"}",
     3},
    {"soapbridge_upstream_duration_seconds_bucket{operation="
     "\"BillingService.GetInvoice\",le=\"+Inf\"}",
     6},
    {"soapbridge_upstream_in_flight{worker=\"2\"}", 2},
    {"soapbridge_client_connections{worker=\"0\"}", 4},
    {"soapbridge_client_connections{worker=\"2\"}", 6},
    {"soapbridge_upstream_connections_opened_total{worker=\"1\"}", 10},
};

START_TEST(counts_from_several_workers_add_up)
{
    struct metrics *m = newMetrics(3);
    for (size_t i = 0; i < 3; i++) {
        struct metrics_worker *w = metrics_worker(m, i);
        ck_assert_ptr_nonnull(w);
        for (size_t k = 0; k <= i; k++) /* 1 + 2 + 3 */
            metrics_request_done(w, 0, METRICS_OUTCOME_OK, 0.002, 10, 100);
        metrics_request_done(w, 1, metrics_outcome_index("invalid_input"),
                             0.001, 5, 50);
        metrics_request_done(w, -1, metrics_outcome_index("not_found"), 0.0001,
                             0, 7);
        metrics_upstream_done(w, 0, "ok", 0.0015);
        metrics_upstream_done(w, 1, "timeout", 31);
        metrics_upstream_done(w, 1, "no such outcome", 0.2);
        metrics_warning(w, 0);
        metrics_in_flight(w, 1);
        metrics_upstream_pool(w, i, 10 * i);
    }
    metrics_in_flight(metrics_worker(m, 0), -1);
    static const size_t clients[] = {4, 5, 6};
    char *text = render(m, clients);
    assertWellFormed(text);
    for (size_t i = 0; i < sizeof(sums) / sizeof(sums[0]); i++) {
        double got = valueOf(text, sums[i].series);
        ck_assert_msg(got == sums[i].want, "%s: %g, want %g", sums[i].series,
                      got, sums[i].want);
    }
    free(text);
    metrics_free(m);
}
END_TEST

/* Bucket le="x" holds every observation <= x. */
START_TEST(histogram_buckets_are_cumulative)
{
    static const struct {
        const char *le;
        double want;
    } wants[] = {
        {"0.0005", 4}, /* -1 and NaN count as 0; 0.0001; 0.0005 itself */
        {"0.001", 4},  {"0.0025", 4}, {"0.005", 5}, {"0.01", 5}, {"0.025", 5},
        {"0.05", 5},   {"0.1", 5},    {"0.25", 5},  {"0.5", 5},  {"1", 6},
        {"2.5", 6},    {"5", 6},      {"10", 6},    {"30", 7},   {"+Inf", 8},
    };
    static const double seconds[] = {-1,    NAN, 0.0001, 0.0005,
                                     0.003, 1,   29.5,   31};
    struct metrics *m = newMetrics(2);
    for (size_t i = 0; i < sizeof(seconds) / sizeof(seconds[0]); i++)
        metrics_request_done(metrics_worker(m, i % 2), 0, METRICS_OUTCOME_OK,
                             seconds[i], 0, 0);
    char *text = render(m, NULL);
    assertWellFormed(text);
    double previous = 0;
    for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
        char series[256];
        snprintf(series, sizeof(series),
                 "soapbridge_request_duration_seconds_bucket{capability="
                 "\"get_order_status\",le=\"%s\"}",
                 wants[i].le);
        double got = valueOf(text, series);
        ck_assert_msg(got == wants[i].want, "%s: %g, want %g", series, got,
                      wants[i].want);
        ck_assert(got >= previous);
        previous = got;
    }
    ck_assert_double_eq(valueOf(text,
                                "soapbridge_request_duration_seconds_count"
                                "{capability=\"get_order_status\"}"),
                        previous);
    ck_assert_double_eq_tol(valueOf(text,
                                    "soapbridge_request_duration_seconds_sum"
                                    "{capability=\"get_order_status\"}"),
                            0.0001 + 0.0005 + 0.003 + 1 + 29.5 + 31, 1e-9);
    /* Only the capability that was called has a histogram. */
    ck_assert_ptr_null(strstr(text, "_bucket{capability=\"\""));
    free(text);
    metrics_free(m);
}
END_TEST

START_TEST(label_values_are_escaped)
{
    static const char *const odd[] = {"say \"hi\"", "back\\slash",
                                      "two\nlines"};
    static const char *const noOps[] = {"a\"b"};
    struct metrics *m = metrics_new(1, odd, 3, noOps, 1, 0);
    ck_assert_ptr_nonnull(m);
    struct metrics_worker *w = metrics_worker(m, 0);
    for (int i = 0; i < 3; i++) {
        metrics_request_done(w, i, METRICS_OUTCOME_OK, 0.01, 1, 1);
        metrics_warning(w, i);
    }
    metrics_upstream_done(w, 0, "fault", 0.01);
    char *text = render(m, NULL);
    assertWellFormed(text);
    ck_assert_double_eq(valueOf(text, "soapbridge_requests_total{capability="
                                      "\"say \\\"hi\\\"\",outcome=\"ok\"}"),
                        1);
    ck_assert_double_eq(valueOf(text, "soapbridge_translation_warnings_total{"
                                      "capability=\"back\\\\slash\"}"),
                        1);
    ck_assert_double_eq(valueOf(text, "soapbridge_request_duration_seconds_"
                                      "bucket{capability=\"two\\nlines\","
                                      "le=\"+Inf\"}"),
                        1);
    ck_assert_double_eq(valueOf(text,
                                "soapbridge_upstream_requests_total{"
                                "operation=\"a\\\"b\",outcome=\"fault\"}"),
                        1);
    free(text);
    metrics_free(m);
}
END_TEST

START_TEST(outcome_table_lookups)
{
    static const char *const codes[] = {
        "ok",
        "invalid_json",
        "invalid_input",
        "unknown_capability",
        "method_not_allowed",
        "body_too_large",
        "unsupported_media_type",
        "upstream_fault",
        "upstream_bad_response",
        "upstream_unavailable",
        "upstream_timeout",
        "internal",
        "not_found",
    };
    ck_assert_int_eq(metrics_outcome_index("ok"), METRICS_OUTCOME_OK);
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        int index = metrics_outcome_index(codes[i]);
        ck_assert_int_ge(index, 0);
        ck_assert_str_eq(metrics_outcome_name(index), codes[i]);
    }
    for (size_t i = 0; i < metrics_outcome_count(); i++)
        ck_assert_int_eq(metrics_outcome_index(metrics_outcome_name((int)i)),
                         (int)i);
    ck_assert_int_eq(metrics_outcome_index("OK"), -1);
    ck_assert_int_eq(metrics_outcome_index(NULL), -1);
    ck_assert_ptr_null(metrics_outcome_name(-1));
    ck_assert_ptr_null(metrics_outcome_name((int)metrics_outcome_count()));

    /* A code the table lacks counts as internal; so does a bad index. */
    struct metrics *m = newMetrics(1);
    struct metrics_worker *w = metrics_worker(m, 0);
    metrics_request_done(w, 0, metrics_outcome_index("no_such_code"), 0, 0, 0);
    metrics_request_done(w, 0, 999, 0, 0, 0);
    metrics_request_done(w, 99, METRICS_OUTCOME_OK, 0, 0, 0); /* -> "" */
    char *text = render(m, NULL);
    ck_assert_double_eq(valueOf(text, "soapbridge_errors_total{code="
                                      "\"internal\"}"),
                        2);
    ck_assert_double_eq(valueOf(text, "soapbridge_requests_total{capability="
                                      "\"\",outcome=\"ok\"}"),
                        1);
    free(text);
    metrics_free(m);
}
END_TEST

START_TEST(bounds_and_null_workers)
{
    static const char *const twice[] = {"a", "a"};
    ck_assert_ptr_null(metrics_new(0, caps, 2, ops, 2, 0));
    ck_assert_ptr_null(
        metrics_new(METRICS_MAX_WORKERS + 1, caps, 2, ops, 2, 0));
    ck_assert_ptr_null(metrics_new(1, caps, METRICS_MAX_LABELS + 1, ops, 2, 0));
    ck_assert_ptr_null(metrics_new(1, caps, 2, ops, 2, METRICS_MAX_LABELS));
    ck_assert_ptr_null(metrics_new(1, twice, 2, ops, 2, 0));
    ck_assert_int_eq(metrics_add_capability(NULL, "a"), -1);
    metrics_config_reload(NULL, 1);
    struct metrics *m = metrics_new(1, NULL, 0, NULL, 0, 0);
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_null(metrics_worker(m, 1));
    ck_assert_ptr_null(metrics_worker(NULL, 0));
    /* Counting on no worker, or an operation that does not exist, is a
     * no-op rather than a crash. */
    metrics_request_done(NULL, 0, 0, 1, 1, 1);
    metrics_upstream_done(NULL, 0, "ok", 1);
    metrics_upstream_done(metrics_worker(m, 0), 0, "ok", 1);
    metrics_in_flight(NULL, 1);
    metrics_warning(NULL, 0);
    metrics_upstream_pool(NULL, 1, 1);
    metrics_request_done(metrics_worker(m, 0), 0, 0, 1, 1, 1);
    char *text = render(m, NULL);
    assertWellFormed(text);
    ck_assert_double_eq(valueOf(text, "soapbridge_requests_total{capability="
                                      "\"\",outcome=\"ok\"}"),
                        1);
    ck_assert_ptr_null(strstr(text, "soapbridge_upstream_requests_total{"));
    free(text);
    metrics_free(m);
    metrics_free(NULL);
}
END_TEST

/* ---- several threads counting while another renders ---- */

#define HAMMER_THREADS 4
#define HAMMER_ROUNDS 20000

struct hammer {
    struct metrics_worker *w;
    atomic_int *running;
};

static void *hammerWorker(void *arg)
{
    struct hammer *h = arg;
    int invalid = metrics_outcome_index("invalid_input");
    for (int i = 0; i < HAMMER_ROUNDS; i++) {
        metrics_in_flight(h->w, 1);
        metrics_upstream_done(h->w, i % 2, i % 3 ? "ok" : "fault", 0.001);
        metrics_request_done(h->w, i % 3 - 1,
                             i % 5 ? METRICS_OUTCOME_OK : invalid,
                             (i % 100) / 1000.0, 3, 5);
        if (i % 7 == 0)
            metrics_warning(h->w, 0);
        metrics_upstream_pool(h->w, (size_t)(i % 4), (size_t)i);
        metrics_in_flight(h->w, -1);
    }
    atomic_fetch_sub(h->running, 1);
    return NULL;
}

/* The sum of every sample of a family's series starting with prefix. */
static double sumOf(const char *text, const char *prefix)
{
    double sum = 0;
    size_t n = strlen(prefix);
    for (const char *line = text; *line;) {
        if (strncmp(line, prefix, n) == 0)
            sum += strtod(strchr(line, ' ') + 1, NULL);
        const char *nl = strchr(line, '\n');
        if (!nl)
            break;
        line = nl + 1;
    }
    return sum;
}

START_TEST(render_while_workers_count)
{
    struct metrics *m = newMetrics(HAMMER_THREADS);
    struct hammer hammers[HAMMER_THREADS];
    pthread_t threads[HAMMER_THREADS];
    atomic_int running = HAMMER_THREADS;
    for (int i = 0; i < HAMMER_THREADS; i++) {
        hammers[i].w = metrics_worker(m, (size_t)i);
        hammers[i].running = &running;
        ck_assert_int_eq(
            pthread_create(&threads[i], NULL, hammerWorker, &hammers[i]), 0);
    }
    /* Render until every worker is done: each text is well formed and
     * the totals never go down. */
    double last = 0;
    int renders = 0;
    do {
        char *text = render(m, NULL);
        assertWellFormed(text);
        double now = sumOf(text, "soapbridge_requests_total{");
        ck_assert(now >= last);
        last = now;
        free(text);
        renders++;
    } while (atomic_load(&running) > 0 || renders < 2);
    for (int i = 0; i < HAMMER_THREADS; i++)
        ck_assert_int_eq(pthread_join(threads[i], NULL), 0);

    char *text = render(m, NULL);
    assertWellFormed(text);
    double all = (double)HAMMER_THREADS * HAMMER_ROUNDS;
    ck_assert_double_eq(sumOf(text, "soapbridge_requests_total{"), all);
    ck_assert_double_eq(sumOf(text, "soapbridge_errors_total{"),
                        HAMMER_THREADS * (HAMMER_ROUNDS / 5));
    ck_assert_double_eq(
        sumOf(text, "soapbridge_request_duration_seconds_count"), all);
    ck_assert_double_eq(sumOf(text, "soapbridge_request_bytes_total"), 3 * all);
    ck_assert_double_eq(sumOf(text, "soapbridge_response_bytes_total"),
                        5 * all);
    ck_assert_double_eq(sumOf(text, "soapbridge_upstream_requests_total"), all);
    ck_assert_double_eq(sumOf(text, "soapbridge_translation_warnings_total"),
                        HAMMER_THREADS * ((HAMMER_ROUNDS + 6) / 7));
    ck_assert_double_eq(valueOf(text, "soapbridge_in_flight_requests"), 0);
    ck_assert_double_eq(
        sumOf(text, "soapbridge_upstream_connections_opened_total{"),
        HAMMER_THREADS * (HAMMER_ROUNDS - 1));
    free(text);
    metrics_free(m);
}
END_TEST

/* A request's outcome is its error code: each one has its own series
 * (none is counted as "internal" for want of a name). */
START_TEST(every_error_code_is_an_outcome)
{
    const char *code;
    for (size_t i = 0; (code = canon_error_code(i)) != NULL; i++)
        ck_assert_msg(metrics_outcome_index(code) >= 0,
                      "error code %s is no metrics outcome", code);
    ck_assert_int_ge(metrics_outcome_index("ok"), 0);
}
END_TEST

Suite *metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, checker_rejects_bad_text);
    tcase_add_test(tc, every_family_is_declared_from_the_start);
    tcase_add_test(tc, counts_from_several_workers_add_up);
    tcase_add_test(tc, histogram_buckets_are_cumulative);
    tcase_add_test(tc, label_values_are_escaped);
    tcase_add_test(tc, outcome_table_lookups);
    tcase_add_test(tc, every_error_code_is_an_outcome);
    tcase_add_test(tc, bounds_and_null_workers);
    tcase_add_test(tc, names_added_later_keep_counting);
    suite_add_tcase(s, tc);

    /* Threads under valgrind and the sanitizers take a while. */
    TCase *threads = tcase_create("threads");
    tcase_set_timeout(threads, 120);
    tcase_add_test(threads, render_while_workers_count);
    suite_add_tcase(s, threads);
    return s;
}
