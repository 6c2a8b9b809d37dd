#include <check.h>
#include <string.h>

#include "error.h"
#include "suites.h"

START_TEST(set_at_formats_file_and_line)
{
    struct sb_error err;
    char buf[256];
    error_clear(&err);
    ck_assert_int_eq(error_set_at(&err, "wsdl_load", "a.wsdl", 12,
                                  "no %s", "binding"), -1);
    ck_assert_str_eq(err.code, "wsdl_load");
    ck_assert_str_eq(error_format(&err, buf, sizeof(buf)),
                     "a.wsdl:12: no binding");
}
END_TEST

START_TEST(set_field_keeps_field_and_clears_file)
{
    struct sb_error err;
    char buf[64];
    error_set_at(&err, "x", "f", 1, "old");
    error_set_field(&err, "invalid_input", "lines[1].sku",
                    "lines[1].sku: required");
    ck_assert_str_eq(err.field, "lines[1].sku");
    ck_assert_str_eq(err.file, "");
    ck_assert_int_eq(err.line, 0);
    ck_assert_str_eq(error_format(&err, buf, sizeof(buf)),
                     "lines[1].sku: required");
}
END_TEST

START_TEST(long_message_is_truncated_not_overflowed)
{
    struct sb_error err;
    char big[2000];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    error_set(&err, "internal", "%s", big);
    ck_assert_uint_eq(strlen(err.message), SB_ERROR_MESSAGE_MAX - 1);
    ck_assert_int_eq(error_set(NULL, "x", "dropped"), -1);
}
END_TEST

Suite *error_suite(void)
{
    Suite *s = suite_create("error");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, set_at_formats_file_and_line);
    tcase_add_test(tc, set_field_keeps_field_and_clears_file);
    tcase_add_test(tc, long_message_is_truncated_not_overflowed);
    suite_add_tcase(s, tc);
    return s;
}
