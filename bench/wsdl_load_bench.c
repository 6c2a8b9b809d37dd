/*
 * wsdl_load_bench: how long wsdl_load() takes on the large WSDL fixtures
 * of tests/realwsdl/ (the numbers in the README's benchmark section).
 * Configuration snapshots load every WSDL on reload, so this bounds how
 * fast a reload can be; it is not on the request path.
 *
 *   wsdl_load_bench [-n LOADS] [SOURCE_DIR]
 *
 * Loads each fixture LOADS times (default 50) from SOURCE_DIR (default
 * ".", the top of the source tree) and prints the mean milliseconds per
 * load. Build (from the top of the tree):
 *
 *   gcc -std=gnu11 -O2 -Iproxy $(pkg-config --cflags libxml-2.0) \
 *       -o wsdl_load_bench bench/wsdl_load_bench.c proxy/error.c \
 *       proxy/catalog.c proxy/xsd.c proxy/wsdl.c \
 *       $(pkg-config --libs libxml-2.0)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>

#include "error.h"
#include "wsdl.h"

#define MAX_LOADS 100000

static const struct fixture {
    const char *label;
    const char *rel;
} fixtures[] = {
    {"Exchange-style, 3 files, doc/literal",
     "tests/realwsdl/mailbox/services.wsdl"},
    {"Salesforce-partner-style, 1 file",
     "tests/realwsdl/crmpartner/partner.wsdl"},
    {"ONVIF-style SOAP 1.2, 4 files",
     "tests/realwsdl/camera/devicemgmt.wsdl"},
    {"Axis-1-style rpc/encoded",
     "tests/realwsdl/legacyrpc/InventoryKeeper.wsdl"},
};

static double nowMs(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int parseLoads(const char *text, long *loads)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || *end || v < 1 || v > MAX_LOADS)
        return -1;
    *loads = v;
    return 0;
}

/* Load one fixture `loads` times; prints one result line. The first load
 * also reports the model's size so the line says what was measured. */
static int benchOne(const struct fixture *f, const char *dir, long loads)
{
    char path[4096], msg[1200];
    struct sb_error err;
    size_t ops = 0, types = 0;
    snprintf(path, sizeof(path), "%s/%s", dir, f->rel);
    double start = nowMs();
    for (long i = 0; i < loads; i++) {
        struct wsdl *w = wsdl_load(path, &err);
        if (!w) {
            fprintf(stderr, "%s\n", error_format(&err, msg, sizeof(msg)));
            return -1;
        }
        if (i == 0) {
            for (size_t b = 0; b < w->n_bindings; b++)
                ops += w->bindings[b].n_operations;
            types = xsd_count_types(w->schemas);
        }
        wsdl_free(w);
    }
    double per = (nowMs() - start) / (double)loads;
    printf("%-40s %4zu ops %5zu types  %8.3f ms/load\n", f->label, ops,
           types, per);
    return 0;
}

int main(int argc, char **argv)
{
    long loads = 50;
    const char *dir = ".";
    int a = 1;
    if (a + 1 < argc && strcmp(argv[a], "-n") == 0) {
        if (parseLoads(argv[a + 1], &loads) < 0) {
            fprintf(stderr, "-n wants 1..%d\n", MAX_LOADS);
            return 2;
        }
        a += 2;
    }
    if (a < argc)
        dir = argv[a++];
    if (a < argc) {
        fprintf(stderr, "usage: %s [-n LOADS] [SOURCE_DIR]\n", argv[0]);
        return 2;
    }
    xmlInitParser();
    int rc = 0;
    for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++)
        if (benchOne(&fixtures[i], dir, loads) < 0)
            rc = 1;
    xmlCleanupParser();
    return rc;
}
