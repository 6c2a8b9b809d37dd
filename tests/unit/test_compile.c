/*
 * compile: mapping tables whose paths or tables do not fit the schema are
 * refused at load time with the mapping file, the field's line and the
 * names that would have been valid. (Successful compilation is exercised
 * end to end by the translate cases.)
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "suites.h"
#include "testutil.h"

static const struct {
    const char *file;
    int line;
    const char *message;
} cases[] = {
    {"bad_to_path.yaml", 4,
     "order_id: to: no element 'OrderNo' in GetOrderStatus (known: OrderId)"},
    {"bad_from_path.yaml", 7,
     "city: from: no element 'Town' in Address (known: Street, City, "
     "PostalCode, Country)"},
    {"bad_table.yaml", 6,
     "status: lookup: no table 'no-such-table' in mappings/tables/"},
    {"bad_array_target.yaml", 4,
     "ids: to: OrderId is not a repeated element (maxOccurs is 1)"},
    {"bad_twice.yaml", 5, "to: OrderId is filled by two fields or constants"},
    {"bad_constant.yaml", 6,
     "Channel: constant: no element 'Channel' in CancelOrder (known: "
     "OrderId, Reason)"},
};

START_TEST(refuses_mapping_that_does_not_fit_the_schema)
{
    char path[4096], rel[256];
    struct sb_error err;
    struct wsdl *w = wsdl_load(test_path(path, sizeof(path),
                               "tests/data/wsdl/doclit_wrapped.wsdl"), &err);
    ck_assert_ptr_nonnull(w);
    struct tables *tables = tables_new();
    snprintf(rel, sizeof(rel), "tests/data/compile/%s", cases[_i].file);
    struct mapping *m = mapping_load(test_path(path, sizeof(path), rel), &err);
    ck_assert_msg(m != NULL, "%s: %s", rel, err.message);
    const struct wsdl_operation *op = wsdl_find_operation(&w->bindings[0],
                                                          m->operation);
    char *request = NULL, *response = NULL;
    ck_assert_int_eq(compile_mapping(m, &w->bindings[0], op, tables, NULL,
                                     &request, &response, &err), -1);
    ck_assert_ptr_null(request);
    ck_assert_ptr_null(response);
    ck_assert_str_eq(err.code, "mapping_compile");
    ck_assert_str_eq(err.file, path);
    ck_assert_int_eq(err.line, cases[_i].line);
    ck_assert_str_eq(err.message, cases[_i].message);
    mapping_free(m);
    tables_free(tables);
    wsdl_free(w);
}
END_TEST

Suite *compile_suite(void)
{
    Suite *s = suite_create("compile");
    TCase *tc = tcase_create("errors");
    tcase_add_loop_test(tc, refuses_mapping_that_does_not_fit_the_schema, 0,
                        sizeof(cases) / sizeof(cases[0]));
    suite_add_tcase(s, tc);
    return s;
}
