/* Unit tests of xsltfunc: the date helpers as C, and the sb:* functions in
 * real libxslt transformations (tests/data/xsltfunc/). */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxslt/transform.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/xsltutils.h>

#include "suites.h"
#include "testutil.h"
#include "xsltfunc.h"

static struct tz_set *loadZones(void)
{
    struct sb_error err;
    struct tz_set *zones = tz_set_new();
    ck_assert_int_eq(tz_set_add(zones, NULL, "Europe/Berlin", &err), 0);
    ck_assert_int_eq(tz_set_add(zones, NULL, "America/New_York", &err), 0);
    return zones;
}

static struct tables *loadTables(void)
{
    char dir[PATH_MAX];
    struct sb_error err;
    struct tables *tables = tables_new();
    test_path(dir, sizeof(dir), "tests/data/tables");
    ck_assert_int_eq(tables_load_dir(tables, dir, &err), 0);
    return tables;
}

/* ---- the date helpers as C ---- */

static const struct {
    const char *value, *format, *zone;
    const char *want;           /* the ISO text, or the error message */
    int ok;
} toIso[] = {
    {"20261125", "YYYYMMDD", NULL, "2026-11-25", 1},
    {"25.11.2026", "DD.MM.YYYY", NULL, "2026-11-25", 1},
    {"25.11.2026", "DD.MM.YYYY", "Europe/Berlin", "2026-11-25", 1},
    {"20240229", "YYYYMMDD", NULL, "2024-02-29", 1},
    {"20001231", "YYYYMMDD", NULL, "2000-12-31", 1},
    {"20261125060000", "YYYYMMDDhhmmss", "Europe/Berlin",
     "2026-11-25T05:00:00Z", 1},
    {"20260715060000", "YYYYMMDDhhmmss", "Europe/Berlin",
     "2026-07-15T04:00:00Z", 1},
    {"20261125060000", "YYYYMMDDhhmmss", NULL, "2026-11-25T06:00:00Z", 1},
    {"20261125060000", "YYYYMMDDhhmmss", "", "2026-11-25T06:00:00Z", 1},
    {"20261125060000", "YYYYMMDDhhmmss", "UTC", "2026-11-25T06:00:00Z", 1},
    {"20260101003000", "YYYYMMDDhhmmss", "Europe/Berlin",
     "2025-12-31T23:30:00Z", 1},
    {"20260715020000", "YYYYMMDDhhmmss", "America/New_York",
     "2026-07-15T06:00:00Z", 1},
    {"25.11.2026 06:00", "DD.MM.YYYY hh:mm", "Europe/Berlin",
     "2026-11-25T05:00:00Z", 1},
    {"25.11.2026 23:59", "DD.MM.YYYY hh:mm", NULL, "2026-11-25T23:59:00Z", 1},
    {"2026-11-25 07", "YYYY-MM-DD hh", "Europe/Berlin",
     "2026-11-25T06:00:00Z", 1},
    /* The spring gap and the autumn overlap (see tz.h). */
    {"29.03.2026 02:30", "DD.MM.YYYY hh:mm", "Europe/Berlin",
     "2026-03-29T01:30:00Z", 1},
    {"25.10.2026 02:30", "DD.MM.YYYY hh:mm", "Europe/Berlin",
     "2026-10-25T00:30:00Z", 1},
    {"00000101", "YYYYMMDD", NULL, "0000-01-01", 1},
    {"20260230", "YYYYMMDD", NULL,
     "date '20260230' is not a valid date for format 'YYYYMMDD'", 0},
    {"20250229", "YYYYMMDD", NULL,
     "date '20250229' is not a valid date for format 'YYYYMMDD'", 0},
    {"19000229", "YYYYMMDD", NULL,
     "date '19000229' is not a valid date for format 'YYYYMMDD'", 0},
    {"20261301", "YYYYMMDD", NULL,
     "date '20261301' is not a valid date for format 'YYYYMMDD'", 0},
    {"20260001", "YYYYMMDD", NULL,
     "date '20260001' is not a valid date for format 'YYYYMMDD'", 0},
    {"20260100", "YYYYMMDD", NULL,
     "date '20260100' is not a valid date for format 'YYYYMMDD'", 0},
    {"20261125240000", "YYYYMMDDhhmmss", NULL,
     "date '20261125240000' is not a valid date for format 'YYYYMMDDhhmmss'",
     0},
    {"20261125236000", "YYYYMMDDhhmmss", NULL,
     "date '20261125236000' is not a valid date for format 'YYYYMMDDhhmmss'",
     0},
    {"20261125235960", "YYYYMMDDhhmmss", NULL,
     "date '20261125235960' is not a valid date for format 'YYYYMMDDhhmmss'",
     0},
    {"2026112", "YYYYMMDD", NULL,
     "date '2026112' does not match format 'YYYYMMDD'", 0},
    {"202611250", "YYYYMMDD", NULL,
     "date '202611250' does not match format 'YYYYMMDD'", 0},
    {"2026-11-25", "YYYYMMDD", NULL,
     "date '2026-11-25' does not match format 'YYYYMMDD'", 0},
    {"25/11/2026", "DD.MM.YYYY", NULL,
     "date '25/11/2026' does not match format 'DD.MM.YYYY'", 0},
    {"2026 1125", "YYYYMMDD", NULL,
     "date '2026 1125' does not match format 'YYYYMMDD'", 0},
    {"+0261125", "YYYYMMDD", NULL,
     "date '+0261125' does not match format 'YYYYMMDD'", 0},
    {"", "YYYYMMDD", NULL, "date '' does not match format 'YYYYMMDD'", 0},
    {"25.11.2026 6:00", "DD.MM.YYYY hh:mm", NULL,
     "date '25.11.2026 6:00' does not match format 'DD.MM.YYYY hh:mm'", 0},
    {"20261125060000", "YYYYMMDDhhmmss", "Mars/Olympus",
     "time zone 'Mars/Olympus' is not loaded", 0},
    {"20261125", "MMDD", NULL, "date format 'MMDD' needs YYYY, MM and DD (and"
     " hh before mm before ss)", 0},
    {"2026112511", "YYYYMMDDmm", NULL, "date format 'YYYYMMDDmm' needs YYYY,"
     " MM and DD (and hh before mm before ss)", 0},
    {"2026112511", "YYYYMMDDDD", NULL,
     "date format 'YYYYMMDDDD' repeats DD", 0},
    /* A wrong format is named as such whether the value fits it or not. */
    {"x", "YYYYMMDDDD", NULL, "date format 'YYYYMMDDDD' repeats DD", 0},
    {"2026112511", "YYYYMMDD-----------------------------------------"
     "-----------------", NULL, "date format missing or longer than 64 "
     "characters", 0},
};

START_TEST(date_to_iso)
{
    struct tz_set *zones = loadZones();
    struct sb_error err;
    char out[64] = "";
    error_clear(&err);
    int rc = xsltfunc_date_to_iso(zones, toIso[_i].value, toIso[_i].format,
                                  toIso[_i].zone, out, sizeof(out), &err);
    if (toIso[_i].ok) {
        ck_assert_msg(rc == 0, "%s: %s", toIso[_i].value, err.message);
        ck_assert_str_eq(out, toIso[_i].want);
    } else {
        ck_assert_int_eq(rc, -1);
        ck_assert_str_eq(err.message, toIso[_i].want);
        ck_assert_str_eq(err.code, strstr(toIso[_i].want, "zone")
                                       ? "unknown_zone" : "invalid_date");
    }
    tz_set_free(zones);
}
END_TEST

static const struct {
    const char *value, *format, *zone;
    const char *want;
    int ok;
} fromIso[] = {
    {"2026-11-25", "YYYYMMDD", NULL, "20261125", 1},
    {"2026-11-25", "DD.MM.YYYY", "Europe/Berlin", "25.11.2026", 1},
    /* A date is not an instant: midnight, no zone conversion. */
    {"2026-11-25", "DD.MM.YYYY hh:mm", "Europe/Berlin", "25.11.2026 00:00",
     1},
    {"2026-11-25T05:00:00Z", "YYYYMMDDhhmmss", "Europe/Berlin",
     "20261125060000", 1},
    {"2026-11-25T06:00:00+01:00", "YYYYMMDDhhmmss", "Europe/Berlin",
     "20261125060000", 1},
    {"2026-11-25T06:00:00+01:00", "YYYYMMDDhhmmss", NULL, "20261125050000",
     1},
    {"2026-07-15T04:00:00Z", "YYYYMMDDhhmmss", "Europe/Berlin",
     "20260715060000", 1},
    {"2026-11-25T05:00:00.123Z", "DD.MM.YYYY hh:mm", "Europe/Berlin",
     "25.11.2026 06:00", 1},
    {"2026-11-25T05:00:59.999999999Z", "YYYYMMDDhhmmss", NULL,
     "20261125050059", 1},
    {"2026-11-25T05:00:00,5-05:00", "YYYYMMDDhhmmss", NULL, "20261125100000",
     1},
    {"2026-11-25T05:00:00+0530", "YYYYMMDDhhmmss", NULL, "20261124233000",
     1},
    {"2026-11-25T05:00:00+05", "YYYYMMDDhhmmss", NULL, "20261125000000", 1},
    {"2026-11-25t05:00z", "YYYYMMDDhhmmss", NULL, "20261125050000", 1},
    {"2026-11-25 05:00:00", "YYYYMMDDhhmmss", NULL, "20261125050000", 1},
    {"2026-11-25T23:30:00Z", "YYYYMMDD", "Europe/Berlin", "20261126", 1},
    {"2026-11-25T23:30:00Z", "YYYYMMDD", NULL, "20261125", 1},
    {"2026-12-31T23:30:00Z", "DD.MM.YYYY hh:mm", "Europe/Berlin",
     "01.01.2027 00:30", 1},
    {"2026-07-15T06:00:00Z", "YYYY-MM-DD hh:mm:ss", "America/New_York",
     "2026-07-15 02:00:00", 1},
    {"2026-11-25T05:00:00Z", "YYYYMMDD hh", "UTC", "20261125 05", 1},
    {"2026-02-30", "YYYYMMDD", NULL,
     "date '2026-02-30' is not a valid date for format 'ISO 8601'", 0},
    {"2026-11-25T24:00:00Z", "YYYYMMDD", NULL,
     "date '2026-11-25T24:00:00Z' is not a valid date for format 'ISO 8601'",
     0},
    {"2026-11", "YYYYMMDD", NULL,
     "date '2026-11' does not match format 'ISO 8601'", 0},
    {"20261125", "YYYYMMDD", NULL,
     "date '20261125' does not match format 'ISO 8601'", 0},
    {"2026-11-25T05", "YYYYMMDD", NULL,
     "date '2026-11-25T05' does not match format 'ISO 8601'", 0},
    {"2026-11-25T05:00:00.Z", "YYYYMMDD", NULL,
     "date '2026-11-25T05:00:00.Z' does not match format 'ISO 8601'", 0},
    {"2026-11-25T05:00:00+25:00", "YYYYMMDD", NULL,
     "date '2026-11-25T05:00:00+25:00' does not match format 'ISO 8601'", 0},
    {"2026-11-25T05:00:00+01:", "YYYYMMDD", NULL,
     "date '2026-11-25T05:00:00+01:' does not match format 'ISO 8601'", 0},
    {"2026-11-25T05:00:00+01:60", "YYYYMMDD", NULL,
     "date '2026-11-25T05:00:00+01:60' does not match format 'ISO 8601'", 0},
    {"2026-11-25T05:00:00Zx", "YYYYMMDD", NULL,
     "date '2026-11-25T05:00:00Zx' does not match format 'ISO 8601'", 0},
    {"2026-11-25x", "YYYYMMDD", NULL,
     "date '2026-11-25x' does not match format 'ISO 8601'", 0},
    {"0000-01-01T00:30:00+01:00", "YYYYMMDDhhmmss", NULL,
     "date '0000-01-01T00:30:00+01:00' is out of range for format"
     " 'YYYYMMDDhhmmss'", 0},
    {"2026-11-25T05:00:00Z", "YYYYMMDD", "Asia/Tokyo",
     "time zone 'Asia/Tokyo' is not loaded", 0},
};

START_TEST(date_from_iso)
{
    struct tz_set *zones = loadZones();
    struct sb_error err;
    char out[64] = "";
    error_clear(&err);
    int rc = xsltfunc_date_from_iso(zones, fromIso[_i].value,
                                    fromIso[_i].format, fromIso[_i].zone,
                                    out, sizeof(out), &err);
    if (fromIso[_i].ok) {
        ck_assert_msg(rc == 0, "%s: %s", fromIso[_i].value, err.message);
        ck_assert_str_eq(out, fromIso[_i].want);
    } else {
        ck_assert_int_eq(rc, -1);
        ck_assert_str_eq(err.message, fromIso[_i].want);
    }
    tz_set_free(zones);
}
END_TEST

/* Legacy value -> ISO -> legacy value gives the value back (outside the
 * spring gap, where the wall-clock time does not exist). */
START_TEST(round_trips)
{
    static const struct {
        const char *value, *format, *zone;
    } cases[] = {
        {"20261125", "YYYYMMDD", NULL},
        {"29.02.2024", "DD.MM.YYYY", "Europe/Berlin"},
        {"20261125060000", "YYYYMMDDhhmmss", "Europe/Berlin"},
        {"20260715235959", "YYYYMMDDhhmmss", "Europe/Berlin"},
        {"20260329013000", "YYYYMMDDhhmmss", "Europe/Berlin"},
        {"20260329030000", "YYYYMMDDhhmmss", "Europe/Berlin"},
        {"20261025023000", "YYYYMMDDhhmmss", "Europe/Berlin"},
        {"20900815120000", "YYYYMMDDhhmmss", "Europe/Berlin"},
        {"01.01.2027 00:15", "DD.MM.YYYY hh:mm", "America/New_York"},
        {"31.12.9999 23:59", "DD.MM.YYYY hh:mm", NULL},
    };
    struct tz_set *zones = loadZones();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char iso[64], back[64];
        struct sb_error err;
        ck_assert_int_eq(xsltfunc_date_to_iso(zones, cases[i].value,
                                              cases[i].format, cases[i].zone,
                                              iso, sizeof(iso), &err), 0);
        ck_assert_int_eq(xsltfunc_date_from_iso(zones, iso, cases[i].format,
                                                cases[i].zone, back,
                                                sizeof(back), &err), 0);
        ck_assert_str_eq(back, cases[i].value);
    }
    tz_set_free(zones);
}
END_TEST

START_TEST(small_output_buffer)
{
    struct sb_error err;
    char out[11];
    ck_assert_int_eq(xsltfunc_date_to_iso(NULL, "20261125", "YYYYMMDD", NULL,
                                          out, sizeof(out), &err), 0);
    ck_assert_int_eq(xsltfunc_date_to_iso(NULL, "20261125", "YYYYMMDD", NULL,
                                          out, 10, &err), -1);
    ck_assert_str_eq(err.message, "output buffer too small");
    ck_assert_int_eq(xsltfunc_date_from_iso(NULL, "2026-11-25", "YYYYMMDD",
                                            NULL, out, 8, &err), -1);
    ck_assert_str_eq(err.message, "output buffer too small");
}
END_TEST

/* ---- the functions in transformations ---- */

static void setup(void)
{
    xmlInitParser();
    ck_assert_int_eq(xsltfunc_register(), 0);
}

static void silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static xmlDocPtr parse(const char *text)
{
    xmlDocPtr doc = xmlReadMemory(text, (int)strlen(text), "test.xml", NULL,
                                  XML_PARSE_NONET);
    ck_assert_ptr_nonnull(doc);
    return doc;
}

/*
 * Run stylesheet text on document text with `ctx` attached (unless NULL);
 * the serialised result, malloc'ed, or NULL if the transformation failed.
 */
static char *transform(const char *xsl, const char *xml,
                       struct xsltfunc_context *ctx)
{
    xsltStylesheetPtr style = xsltParseStylesheetDoc(parse(xsl));
    ck_assert_ptr_nonnull(style);
    xmlDocPtr input = parse(xml);
    xsltTransformContextPtr t = xsltNewTransformContext(style, input);
    ck_assert_ptr_nonnull(t);
    if (ctx)
        xsltfunc_attach(t, ctx);
    xmlDocPtr result = xsltApplyStylesheetUser(style, input, NULL, NULL,
                                               NULL, t);
    char *text = NULL;
    if (result && t->state == XSLT_STATE_OK) {
        xmlChar *buf = NULL;
        int len = 0;
        ck_assert_int_eq(xsltSaveResultToString(&buf, &len, result, style),
                         0);
        /* An empty result serialises to no buffer at all. */
        text = buf ? strndup((const char *)buf, (size_t)len) : strdup("");
        xmlFree(buf);
    }
    xmlFreeDoc(result);
    xsltFreeTransformContext(t);
    xmlFreeDoc(input);
    xsltFreeStylesheet(style);
    return text;
}

static char *joinWarnings(const struct xsltfunc_context *ctx)
{
    size_t len = 1;
    for (size_t i = 0; i < ctx->n_warnings; i++)
        len += strlen(ctx->warnings[i]) + 1;
    char *all = calloc(1, len), *p = all;
    for (size_t i = 0; i < ctx->n_warnings; i++) {
        size_t n = strlen(ctx->warnings[i]);
        memcpy(p, ctx->warnings[i], n);
        p[n] = '\n';
        p += n + 1;
    }
    return all;
}

START_TEST(stylesheet_calls_every_function)
{
    const char *dir = "tests/data/xsltfunc/all-functions/";
    char rel[256];
    struct tables *tables = loadTables();
    struct tz_set *zones = loadZones();
    struct xsltfunc_context ctx = {.tables = tables, .zones = zones};
    snprintf(rel, sizeof(rel), "%sstylesheet.xsl", dir);
    char *xsl = test_read(rel, NULL);
    snprintf(rel, sizeof(rel), "%sinput.xml", dir);
    char *xml = test_read(rel, NULL);
    ck_assert_ptr_nonnull(xsl);
    ck_assert_ptr_nonnull(xml);

    char *out = transform(xsl, xml, &ctx);
    ck_assert_ptr_nonnull(out);
    snprintf(rel, sizeof(rel), "%soutput.xml", dir);
    ck_assert(test_golden(rel, out, strlen(out)));
    char *warnings = joinWarnings(&ctx);
    snprintf(rel, sizeof(rel), "%swarnings.txt", dir);
    ck_assert(test_golden(rel, warnings, strlen(warnings)));
    ck_assert_uint_eq(ctx.n_dropped, 0);

    xsltfunc_context_clear(&ctx);
    ck_assert_uint_eq(ctx.n_warnings, 0);
    ck_assert_ptr_eq(ctx.tables, tables);
    free(warnings);
    free(out);
    free(xml);
    free(xsl);
    tables_free(tables);
    tz_set_free(zones);
}
END_TEST

#define XSL_HEAD "<xsl:stylesheet version='1.0' " \
    "xmlns:xsl='http://www.w3.org/1999/XSL/Transform' " \
    "xmlns:sb='urn:soapbridge:xslt'>" \
    "<xsl:output method='text'/><xsl:template match='/'>"
#define XSL_TAIL "</xsl:template></xsl:stylesheet>"

START_TEST(warnings_are_bounded)
{
    /* 40 warnings from 40 nodes; the first 32 kept, 8 counted. */
    char xml[1024] = "<r>";
    for (int i = 0; i < 40; i++) {
        size_t n = strlen(xml);
        snprintf(xml + n, sizeof(xml) - n, "<w>%d</w>", i);
    }
    strncat(xml, "</r>", sizeof(xml) - strlen(xml) - 1);
    struct xsltfunc_context ctx = {0};
    char *out = transform(XSL_HEAD "<xsl:for-each select='r/w'>"
                          "<xsl:value-of select='sb:warn(.)'/>."
                          "</xsl:for-each>" XSL_TAIL, xml, &ctx);
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_eq(strlen(out), 40);
    ck_assert_uint_eq(ctx.n_warnings, XSLTFUNC_MAX_WARNINGS);
    ck_assert_uint_eq(ctx.n_dropped, 8);
    ck_assert_str_eq(ctx.warnings[0], "0");
    ck_assert_str_eq(ctx.warnings[31], "31");
    xsltfunc_context_clear(&ctx);
    ck_assert_uint_eq(ctx.n_warnings, 0);
    ck_assert_uint_eq(ctx.n_dropped, 0);
    ck_assert_ptr_null(ctx.warnings[0]);
    free(out);
}
END_TEST

START_TEST(long_warning_is_cut_on_a_character)
{
    /* "xy" and 300 two-byte characters: cut below 512 bytes, before the
     * character that does not fit whole. */
    char xml[1024] = "<r>";
    for (int i = 0; i < 300; i++)
        strncat(xml, "\xc3\xa9", sizeof(xml) - strlen(xml) - 1);
    strncat(xml, "</r>", sizeof(xml) - strlen(xml) - 1);
    struct xsltfunc_context ctx = {0};
    char *out = transform(XSL_HEAD "<xsl:value-of select=\"sb:warn("
                          "concat('xy', r))\"/>" XSL_TAIL, xml, &ctx);
    ck_assert_str_eq(out, "");
    ck_assert_uint_eq(ctx.n_warnings, 1);
    ck_assert_uint_eq(strlen(ctx.warnings[0]), 510);
    ck_assert_int_eq(xmlCheckUTF8((const xmlChar *)ctx.warnings[0]), 1);
    xsltfunc_context_clear(&ctx);
    free(out);
}
END_TEST

START_TEST(no_tables_and_no_zones)
{
    struct xsltfunc_context ctx = {0};
    char *out = transform(XSL_HEAD
                          "<xsl:value-of select=\"concat("
                          "sb:lookup('order-status', 'SHP'), '|',"
                          "sb:reverse-lookup('order-status', 'open', 'status'),"
                          "'|', sb:date-to-iso('20261125060000', "
                          "'YYYYMMDDhhmmss', 'UTC'), '|',"
                          "sb:date-to-iso('20261125060000', "
                          "'YYYYMMDDhhmmss', 'Europe/Berlin'), '|',"
                          "sb:date-from-iso(/r, 'DD.MM.YYYY'))\"/>" XSL_TAIL,
                          "<r>2026-11-25</r>", &ctx);
    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(out, "||2026-11-25T06:00:00Z||25.11.2026");
    ck_assert_uint_eq(ctx.n_warnings, 3);
    ck_assert_str_eq(ctx.warnings[0],
                     "lookup table 'order-status' does not exist");
    ck_assert_str_eq(ctx.warnings[1],
                     "lookup table 'order-status' does not exist");
    ck_assert_str_eq(ctx.warnings[2],
                     "time zone 'Europe/Berlin' is not loaded");
    xsltfunc_context_clear(&ctx);
    free(out);
}
END_TEST

/* A wrong number of arguments, and a transformation that was never
 * attached, stop the transformation with an XPath error. */
START_TEST(errors_stop_the_transformation)
{
    static const char *const calls[] = {
        "sb:lookup('order-status')",
        "sb:lookup('a', 'b', 'c', 'd')",
        "sb:reverse-lookup('a')",
        "sb:date-to-iso('20261125')",
        "sb:date-from-iso('a', 'b', 'c', 'd')",
        "sb:warn()",
        "sb:warn('a', 'b')",
    };
    char xsl[512];
    struct xsltfunc_context ctx = {0};
    xmlSetGenericErrorFunc(NULL, silent);
    xsltSetGenericErrorFunc(NULL, silent);
    for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
        snprintf(xsl, sizeof(xsl), XSL_HEAD "<xsl:value-of select=\"%s\"/>"
                 XSL_TAIL, calls[i]);
        char *out = transform(xsl, "<r/>", &ctx);
        ck_assert_msg(out == NULL, "%s gave '%s'", calls[i], out);
    }
    ck_assert_uint_eq(ctx.n_warnings, 0);
    snprintf(xsl, sizeof(xsl), XSL_HEAD "<xsl:value-of select=\"%s\"/>"
             XSL_TAIL, "sb:warn('unattached')");
    ck_assert_ptr_null(transform(xsl, "<r/>", NULL));
    xmlSetGenericErrorFunc(NULL, NULL);
    xsltSetGenericErrorFunc(NULL, NULL);
}
END_TEST

Suite *xsltfunc_suite(void)
{
    Suite *s = suite_create("xsltfunc");
    TCase *dates = tcase_create("dates");
    tcase_add_loop_test(dates, date_to_iso, 0,
                        sizeof(toIso) / sizeof(toIso[0]));
    tcase_add_loop_test(dates, date_from_iso, 0,
                        sizeof(fromIso) / sizeof(fromIso[0]));
    tcase_add_test(dates, round_trips);
    tcase_add_test(dates, small_output_buffer);
    suite_add_tcase(s, dates);

    TCase *xslt = tcase_create("xslt");
    tcase_add_unchecked_fixture(xslt, setup, NULL);
    tcase_add_test(xslt, stylesheet_calls_every_function);
    tcase_add_test(xslt, warnings_are_bounded);
    tcase_add_test(xslt, long_warning_is_cut_on_a_character);
    tcase_add_test(xslt, no_tables_and_no_zones);
    tcase_add_test(xslt, errors_stop_the_transformation);
    suite_add_tcase(s, xslt);
    return s;
}
