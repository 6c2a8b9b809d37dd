/*
 * translate_bench: in-process translation speed and memory.
 *
 *   1. the ~1 KB order round trip: request JSON -> SOAP envelope, and
 *      the recorded ~1 KB response -> JSON, everything compiled once;
 *      prints microseconds per round trip (median of 7 runs).
 *   2. a ~1 MB response (the same order with thousands of lines) -> JSON:
 *      prints MB/s (median of 5), and in a child process the peak RSS
 *      growth while converting it, as a multiple of the response size.
 *
 * Each is measured twice in the same run: with the configuration as it
 * is served (the output table's native plan, native.h) and with every
 * conversion through its stylesheets, in alternating runs.
 *
 * usage: translate_bench [SRCDIR] [ITERATIONS]
 * Uses SRCDIR/tests/data/config (capability get_order) and the case
 * tests/data/cases/get_order_ok.
 */
#include <stdio.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "strbuf.h"
#include "translate.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One order response with `lines` order lines. */
static char *makeResponse(int lines, size_t *len)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_puts(&sb,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/"
        "envelope/\"><soap:Body><o:GetOrderStatusResponse xmlns:o=\"urn:"
        "example:orders\"><o:Order currency=\"EUR\"><o:OrderId>A1001"
        "</o:OrderId><o:CustomerCode>00123</o:CustomerCode><o:Status>SHP"
        "</o:Status><o:OrderDate>2026-11-02</o:OrderDate><o:Total>1500.00"
        "</o:Total><o:Priority>1</o:Priority><o:ShipTo><o:Street>"
        "K\xc3\xb6nigstra\xc3\x9f" "e 12</o:Street><o:City>M\xc3\xbcnchen"
        "</o:City><o:PostalCode>80331</o:PostalCode></o:ShipTo>");
    for (int i = 1; i <= lines; i++)
        strbuf_printf(&sb, "<o:Line lineNo=\"%d\"><o:Sku>SKU-%06d</o:Sku>"
                           "<o:Quantity>%d</o:Quantity><o:UnitPrice>%d.50"
                           "</o:UnitPrice></o:Line>", i, i, i % 9 + 1, i);
    strbuf_puts(&sb, "</o:Order></o:GetOrderStatusResponse></soap:Body>"
                     "</soap:Envelope>");
    return strbuf_detach(&sb, len);
}

static int compareDoubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

__attribute__((noinline)) static int roundTrip(const struct confdir *cd, const struct capability *cap,
                     const char *json, const char *xml, size_t xml_len)
{
    struct sb_error err;
    struct translate_result result;
    size_t len;
    char *envelope = translate_request(cd, cap, json, strlen(json), NULL,
                                       NULL, &len, &err);
    if (!envelope)
        return fprintf(stderr, "request: %s\n", err.message), -1;
    free(envelope);
    if (translate_response(cd, cap, xml, xml_len, NULL, NULL, &result,
                           &err) < 0)
        return fprintf(stderr, "response: %s\n", err.message), -1;
    translate_result_clear(&result);
    return 0;
}

/* A field of /proc/self/status in kB ("VmRSS", "VmHWM"); -1 if absent. */
static long statusKb(const char *field)
{
    char line[256];
    long kb = -1;
    size_t n = strlen(field);
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, field, n) == 0 && line[n] == ':')
            kb = strtol(line + n + 1, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

/* Reset the peak RSS (VmHWM) to the current RSS (Linux clear_refs). */
static int resetPeak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (!f)
        return -1;
    int ok = fputs("5", f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* The peak RSS growth while converting `xml`, in a child process so that
 * nothing else of this run counts. */
static void measurePeak(const struct confdir *cd, const struct capability *cap,
                        const char *label, const char *xml, size_t len)
{
    pid_t pid = fork();
    if (pid == 0) {
        struct translate_result result;
        struct sb_error err;
        struct translate_limits limits = {.xml = {.max_bytes = 64u << 20}};
        malloc_trim(0);   /* give back what earlier runs freed */
        if (resetPeak() < 0) {
            printf("large response peak memory: not measurable here "
                   "(/proc/self/clear_refs)\n");
            fflush(stdout);
            _exit(0);
        }
        long before = statusKb("VmRSS");
        if (translate_response(cd, cap, xml, len, NULL, &limits, &result,
                               &err) < 0)
            _exit(1);
        long peak = statusKb("VmHWM");
        printf("large response peak memory, %s: +%.1f MB RSS for a %.2f MB "
               "response (%.1fx)\n", label, (peak - before) / 1024.0,
               len / 1048576.0, (peak - before) * 1024.0 / len);
        translate_result_clear(&result);
        fflush(stdout);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
}

static struct confdir *loadConfig(const char *path, int native)
{
    struct confdir_options opt = {.operations = 1,
                                  .stylesheets_only = !native};
    struct confdir_problems problems;
    struct confdir *cd = confdir_load(path, &opt, &problems);
    confdir_problems_clear(&problems);
    return cd;
}

/* Microseconds per round trip: one run of `iterations`. */
static double roundTrips(const struct confdir *cd, const char *json,
                         const char *xml, size_t len, int iterations)
{
    const struct capability *cap = confdir_find(cd, "get_order");
    double t0 = now();
    for (int i = 0; i < iterations; i++)
        if (roundTrip(cd, cap, json, xml, len) < 0)
            exit(1);
    return (now() - t0) / iterations * 1e6;
}

/* Seconds per conversion of the large response by capability `name`
 * (median of `runs`). */
static double largeResponse(const struct confdir *cd, const char *name,
                            const char *xml, size_t len, int runs)
{
    const struct capability *cap = confdir_find(cd, name);
    struct translate_limits limits = {.xml = {.max_bytes = 64u << 20}};
    double times[16];
    for (int i = 0; i < runs; i++) {
        struct translate_result result;
        struct sb_error err;
        double t0 = now();
        if (translate_response(cd, cap, xml, len, NULL, &limits, &result,
                               &err) < 0) {
            fprintf(stderr, "large: %s\n", err.message);
            exit(1);
        }
        times[i] = now() - t0;
        translate_result_clear(&result);
    }
    qsort(times, (size_t)runs, sizeof(times[0]), compareDoubles);
    return times[runs / 2];
}

int main(int argc, char **argv)
{
    const char *src = argc > 1 ? argv[1] : ".";
    int iterations = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 20000;
    char path[4096];
    xmlInitParser();
    if (confdir_init() < 0)
        return fprintf(stderr, "translate_bench: init failed\n"), 1;
    snprintf(path, sizeof(path), "%s/tests/data/config", src);
    /* [0]: the configuration as served (native plans where a table has
     * one); [1]: every conversion through its stylesheets. */
    struct confdir *cds[2] = {loadConfig(path, 1), loadConfig(path, 0)};
    static const char *const labels[2] = {"native plan", "stylesheets"};
    if (!cds[0] || !cds[1] || !confdir_find(cds[0], "get_order") ||
        !confdir_find(cds[1], "get_order"))
        return fprintf(stderr, "translate_bench: cannot load %s\n", path), 1;
    size_t small_len, large_len;
    const char *json = "{\"order_id\":\"A1001\"}";
    char *small = makeResponse(3, &small_len);
    char *large = makeResponse(9000, &large_len);

    /* The two configurations in alternating runs, so that both see the
     * same machine. */
    double runs[2][7];
    for (int r = 0; r < 7; r++)
        for (int k = 0; k < 2; k++)
            runs[k][r] = roundTrips(cds[k], json, small, small_len,
                                    iterations);
    for (int k = 0; k < 2; k++) {
        qsort(runs[k], 7, sizeof(runs[k][0]), compareDoubles);
        printf("order round trip (%zu-byte response), %s: %.1f us median, "
               "%.1f us best of 7 x %d\n", small_len, labels[k], runs[k][3],
               runs[k][0], iterations);
    }
    /* The table, and the schema default of the same operation (the
     * zero-config OrderService.GetOrderStatus). */
    static const char *const capabilities[2] = {"get_order",
                                                "OrderService.GetOrderStatus"};
    for (int c = 0; c < 2; c++)
        for (int k = 0; k < 2; k++) {
            double secs = largeResponse(cds[k], capabilities[c], large,
                                        large_len, 5);
            printf("large response to JSON, %s, %s: %.2f MB in %.1f ms = "
                   "%.1f MB/s\n", capabilities[c], labels[k],
                   large_len / 1048576.0, secs * 1e3,
                   large_len / 1048576.0 / secs);
        }
    fflush(stdout);
    for (int k = 0; k < 2; k++)
        measurePeak(cds[k], confdir_find(cds[k], "get_order"), labels[k],
                    large, large_len);
    free(small);
    free(large);
    confdir_free(cds[0]);
    confdir_free(cds[1]);
    return 0;
}
