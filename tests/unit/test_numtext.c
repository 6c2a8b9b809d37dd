#include <check.h>
#include <string.h>

#include "numtext.h"
#include "suites.h"

static const struct {
    const char *in;
    const char *out;    /* NULL: not a JSON number */
} cases[] = {
    {"0", "0"},
    {"00123", "123"},
    {"+1.50", "1.50"},
    {"-0", "-0"},
    {".5", "0.5"},
    {"5.", "5"},
    {"-007.250", "-7.250"},
    {"  42\n", "42"},
    {"12345678901234567890", "12345678901234567890"},
    {"0.10000000000000000001", "0.10000000000000000001"},
    {"1500.000000", "1500.000000"},
    {"1E3", "1E3"},
    {"1.5e-07", "1.5e-07"},
    {"+2.5E+10", "2.5E+10"},
    {"", NULL},
    {"   ", NULL},
    {"INF", NULL},
    {"-INF", NULL},
    {"NaN", NULL},
    {"12a", NULL},
    {".", NULL},
    {"+", NULL},
    {"1e", NULL},
    {"1 2", NULL},
    {"0x1F", NULL},
};

START_TEST(converts_xsd_number_text)
{
    char out[64];
    int rc = numtext_to_json(cases[_i].in, out, sizeof(out));
    if (cases[_i].out) {
        ck_assert_msg(rc == 0, "'%s' should convert", cases[_i].in);
        ck_assert_str_eq(out, cases[_i].out);
    } else {
        ck_assert_msg(rc == -1, "'%s' should be rejected", cases[_i].in);
    }
}
END_TEST

START_TEST(refuses_small_output_buffer)
{
    char out[4];
    ck_assert_int_eq(numtext_to_json("12345", out, sizeof(out)), -1);
    ck_assert_int_eq(numtext_to_json("123", out, sizeof(out)), 0);
    ck_assert_str_eq(out, "123");
}
END_TEST

Suite *numtext_suite(void)
{
    Suite *s = suite_create("numtext");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, converts_xsd_number_text, 0,
                        sizeof(cases) / sizeof(cases[0]));
    tcase_add_test(tc, refuses_small_output_buffer);
    suite_add_tcase(s, tc);
    return s;
}
