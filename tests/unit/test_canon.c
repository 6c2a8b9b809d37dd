#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "suites.h"

static const char *const sources[] = {"ShippingService.GetOrderStatus"};

/* The document canon_success writes, in a buffer the test frees. */
static char *success(const char *capability, const char *data,
                     const struct canon_meta *meta)
{
    struct strbuf out;
    strbuf_init(&out);
    ck_assert_int_eq(canon_success(&out, capability, data, strlen(data), meta),
                     0);
    return strbuf_detach(&out, NULL);
}

static char *failure(const struct sb_error *err, const char *fault,
                     const struct canon_meta *meta)
{
    struct strbuf out;
    strbuf_init(&out);
    ck_assert_int_eq(canon_error(&out, "create_ticket", err, fault, meta), 0);
    return strbuf_detach(&out, NULL);
}

START_TEST(writes_the_success_document)
{
    struct canon_meta meta = {
        .request_id = "r-1", .duration_ms = 12.3456,
        .sources = sources, .n_sources = 1,
    };
    char *doc = success("get_order_status", "{\"status\":\"shipped\"}", &meta);
    ck_assert_str_eq(doc,
                     "{\"ok\":true,\"capability\":\"get_order_status\","
                     "\"data\":{\"status\":\"shipped\"},\"meta\":{"
                     "\"request_id\":\"r-1\",\"duration_ms\":12.346,"
                     "\"sources\":[\"ShippingService.GetOrderStatus\"],"
                     "\"cached\":false}}");
    free(doc);

    /* a listing: no capability, no source, cached, with warnings */
    char *warnings[] = {"a \"b\"\n", "c"};
    struct canon_meta listing = {
        .duration_ms = 0, .cached = 1, .warnings = warnings, .n_warnings = 2,
    };
    doc = success(NULL, "[1,2]", &listing);
    ck_assert_str_eq(doc,
                     "{\"ok\":true,\"data\":[1,2],\"meta\":{\"request_id\":\"\","
                     "\"duration_ms\":0.000,\"sources\":[],\"cached\":true,"
                     "\"warnings\":[\"a \\\"b\\\"\\n\",\"c\"]}}");
    free(doc);
}
END_TEST

START_TEST(writes_the_error_document)
{
    struct canon_meta meta = {.request_id = "r-2", .duration_ms = 1000.5};
    struct sb_error err;
    error_set(&err, "invalid_input", "subject: expected a string");
    snprintf(err.field, sizeof(err.field), "subject");
    char *doc = failure(&err, NULL, &meta);
    ck_assert_str_eq(doc,
                     "{\"ok\":false,\"capability\":\"create_ticket\","
                     "\"error\":{\"code\":\"invalid_input\",\"message\":"
                     "\"subject: expected a string\",\"field\":\"subject\","
                     "\"retryable\":false},\"meta\":{\"request_id\":\"r-2\","
                     "\"duration_ms\":1000.500,\"sources\":[],"
                     "\"cached\":false}}");
    free(doc);

    /* a fault is embedded as it is; a timeout may be retried */
    error_set(&err, "upstream_timeout", "no answer");
    doc = failure(&err, "{\"code\":\"soap:Server\"}", &meta);
    ck_assert_ptr_nonnull(strstr(doc, "\"retryable\":true,\"fault\":"
                                      "{\"code\":\"soap:Server\"}},"));
    free(doc);

    /* no code at all is an internal error */
    error_clear(&err);
    doc = failure(&err, NULL, &meta);
    ck_assert_ptr_nonnull(strstr(doc, "{\"code\":\"internal\",\"message\":\"\","));
    free(doc);
}
END_TEST

START_TEST(keeps_the_document_valid_json)
{
    /* bytes a client sent, quoted in a message: not UTF-8 becomes U+FFFD,
     * control characters are escaped */
    struct canon_meta meta = {.request_id = "r\x01", .duration_ms = 2};
    struct sb_error err;
    error_set(&err, "invalid_json", "bad byte \xC3( at \xFF end\t");
    char *doc = failure(&err, NULL, &meta);
    ck_assert_ptr_nonnull(strstr(doc, "\"message\":\"bad byte \xEF\xBF\xBD( at "
                                      "\xEF\xBF\xBD end\\t\""));
    ck_assert_ptr_nonnull(strstr(doc, "\"request_id\":\"r\\u0001\","
                                      "\"duration_ms\":2.000,"));
    free(doc);
}
END_TEST

START_TEST(writes_durations_with_three_decimals)
{
    static const struct {
        double ms;
        const char *text;
    } cases[] = {
        {0.0004, "0.000"}, {0.0006, "0.001"}, {0.25, "0.250"},
        {9.9996, "10.000"}, {123456.789, "123456.789"},
        /* outside what a duration can be: printf's form */
        {-1.5, "-1.500"}, {1e13, "10000000000000.000"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct canon_meta meta = {.duration_ms = cases[i].ms};
        char *doc = success("x", "null", &meta);
        char want[64];
        snprintf(want, sizeof(want), "\"duration_ms\":%s,", cases[i].text);
        ck_assert_msg(strstr(doc, want), "%g: %s", cases[i].ms, doc);
        free(doc);
    }
}
END_TEST

Suite *canon_suite(void)
{
    Suite *s = suite_create("canon");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, writes_the_success_document);
    tcase_add_test(tc, writes_the_error_document);
    tcase_add_test(tc, keeps_the_document_valid_json);
    tcase_add_test(tc, writes_durations_with_three_decimals);
    suite_add_tcase(s, tc);
    return s;
}
