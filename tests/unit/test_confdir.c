/*
 * confdir: whole configuration folders. A good one loads with no
 * problem; a broken one reports every problem, each with its file and
 * line, and still serves what did compile.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>

#include "confdir.h"
#include "suites.h"
#include "testutil.h"

static struct confdir *load(const char *rel, struct confdir_problems *p)
{
    char path[4096];
    struct confdir_options opt = {.operations = 1};
    return confdir_load(test_path(path, sizeof(path), rel), &opt, p);
}

START_TEST(test_config_loads_cleanly)
{
    struct confdir_problems problems;
    struct confdir *cd = load("tests/data/config", &problems);
    ck_assert_ptr_nonnull(cd);
    ck_assert_uint_eq(problems.n, 0);
    ck_assert_uint_eq(cd->n_capabilities, 2);
    ck_assert_str_eq(cd->capabilities[0].name, "cancel_order");
    ck_assert_str_eq(cd->capabilities[1].name, "get_order");
    ck_assert_ptr_nonnull(confdir_find(cd, "OrderService.GetOrderStatus"));
    ck_assert_ptr_nonnull(confdir_find(cd, "BillingService.ListInvoices"));
    ck_assert_ptr_null(confdir_find(cd, "no_such_capability"));
    const struct capability *cap = confdir_find(cd, "get_order");
    ck_assert_str_eq(cap->endpoint, "http://localhost:8081/orders");
    ck_assert_int_eq(cap->soap_version, 11);
    ck_assert_ptr_nonnull(cap->request);
    ck_assert_ptr_nonnull(cap->response);
    confdir_problems_clear(&problems);
    confdir_free(cd);
}
END_TEST

START_TEST(bundled_demo_config_loads_cleanly)
{
    struct confdir_problems problems;
    struct confdir *cd = load(".", &problems);
    ck_assert_ptr_nonnull(cd);
    ck_assert_msg(problems.n == 0, "%s:%d: %s",
                  problems.n ? problems.items[0].file : "",
                  problems.n ? problems.items[0].line : 0,
                  problems.n ? problems.items[0].message : "");
    ck_assert_uint_ge(cd->n_capabilities, 8);
    ck_assert_ptr_nonnull(confdir_find(cd, "get_order_status"));
    ck_assert_ptr_nonnull(confdir_find(cd, "create_ticket"));
    ck_assert_int_eq(confdir_find(cd, "create_ticket")->soap_version, 12);
    confdir_problems_clear(&problems);
    confdir_free(cd);
}
END_TEST

static const struct {
    const char *file;       /* suffix of the problem's file */
    int line;
    const char *message;    /* start of the message */
} broken[] = {
    {"mappings/tables/dup-key.csv", 3, "duplicate key 'SHP'"},
    {"wsdl/broken.wsdl", 11, "tns:Missing: unknown type"},
    {"mappings/a_unknown_operation.yaml", 2,
     "service.operation: no operation 'NoSuchOperation' in binding "
     "OrderBinding"},
    {"xslt/not-well-formed.xsl", 3,
     "not well-formed XML: Opening and ending tag mismatch"},
    {"xslt/unknown-instruction.xsl", 3, "compilation error"},
    {"mappings/d_second.yaml", 0, "capability 'twice' is defined twice"},
    {"mappings/e_syntax.yaml", 3, "did not find expected ',' or '}'"},
    {"mappings/f_missing_wsdl.yaml", 2,
     "service.wsdl: cannot open wsdl/nowhere.wsdl"},
};

START_TEST(broken_config_reports_every_problem)
{
    struct confdir_problems problems;
    struct confdir *cd = load("tests/data/config_broken", &problems);
    size_t want = sizeof(broken) / sizeof(broken[0]);
    ck_assert_ptr_nonnull(cd);
    ck_assert_uint_eq(problems.n, want);
    for (size_t i = 0; i < want; i++) {
        const struct sb_error *e = &problems.items[i];
        size_t flen = strlen(e->file), slen = strlen(broken[i].file);
        ck_assert_msg(flen >= slen &&
                      strcmp(e->file + flen - slen, broken[i].file) == 0,
                      "problem %zu is about %s", i, e->file);
        ck_assert_int_eq(e->line, broken[i].line);
        ck_assert_msg(strncmp(e->message, broken[i].message,
                              strlen(broken[i].message)) == 0,
                      "problem %zu: %s", i, e->message);
    }
    /* What compiled still serves. */
    ck_assert_ptr_nonnull(confdir_find(cd, "twice"));
    ck_assert_ptr_nonnull(confdir_find(cd, "OrderService.CancelOrder"));
    ck_assert_ptr_null(confdir_find(cd, "bad_xslt"));
    confdir_problems_clear(&problems);
    confdir_free(cd);
}
END_TEST

START_TEST(missing_folder_is_one_problem)
{
    struct confdir_problems problems;
    struct confdir *cd = load("tests/data/no-such-folder", &problems);
    ck_assert_ptr_null(cd);
    ck_assert_uint_eq(problems.n, 1);
    ck_assert_str_eq(problems.items[0].code, "config_load");
    ck_assert_str_eq(problems.items[0].message,
                     "not a configuration folder: No such file or directory");
    confdir_problems_clear(&problems);
}
END_TEST

static void setup(void)
{
    xmlInitParser();
    ck_assert_int_eq(confdir_init(), 0);
}

Suite *confdir_suite(void)
{
    Suite *s = suite_create("confdir");
    TCase *tc = tcase_create("core");
    tcase_add_unchecked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_config_loads_cleanly);
    tcase_add_test(tc, bundled_demo_config_loads_cleanly);
    tcase_add_test(tc, broken_config_reports_every_problem);
    tcase_add_test(tc, missing_folder_is_one_problem);
    suite_add_tcase(s, tc);
    return s;
}
