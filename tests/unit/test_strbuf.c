#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "suites.h"
#include "testutil.h"

START_TEST(appends_and_grows)
{
    struct strbuf sb;
    strbuf_init(&sb);
    for (int i = 0; i < 1000; i++)
        strbuf_printf(&sb, "%03d,", i % 1000);
    ck_assert_uint_eq(sb.len, 4000);
    ck_assert_int_eq(strncmp(sb.data + 3996, "999,", 4), 0);
    size_t len;
    char *s = strbuf_detach(&sb, &len);
    ck_assert_uint_eq(len, 4000);
    ck_assert_ptr_null(sb.data);
    free(s);
}
END_TEST

/* One byte at a time across every growth, always NUL-terminated. */
START_TEST(appends_bytes_across_growth)
{
    struct strbuf sb;
    strbuf_init(&sb);
    for (int i = 0; i < 1100; i++) {
        char c = (char)('a' + i % 26);
        strbuf_append(&sb, &c, 1);
        ck_assert_uint_eq(sb.len, (size_t)i + 1);
        ck_assert_int_eq(sb.data[i], c);
        ck_assert_int_eq(sb.data[i + 1], 0);
    }
    strbuf_free(&sb);
}
END_TEST

/* After a failure every append is a no-op and the text is not handed
 * out. */
START_TEST(failure_is_sticky)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, "abc");
    ck_assert(!strbuf_failed(&sb));
    strbuf_fail(&sb);
    strbuf_puts(&sb, "def");
    strbuf_printf(&sb, "%d", 42);
    ck_assert_int_eq(strbuf_json_string(&sb, "x", 1), 0);
    ck_assert_uint_eq(sb.len, 3);
    ck_assert_str_eq(sb.data, "abc");
    ck_assert(strbuf_failed(&sb));
    ck_assert_ptr_null(strbuf_detach(&sb, NULL));
    ck_assert_ptr_null(sb.data);
}
END_TEST

START_TEST(escapes_xml)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_put_xml(&sb, "a<b>&\"c'd");
    ck_assert_str_eq(sb.data, "a&lt;b&gt;&amp;&quot;c&apos;d");
    strbuf_free(&sb);
    /* Text as libxml2 writes a text node: quotes as they are, CR kept. */
    strbuf_put_xml_text(&sb, "a<b>&\"c'd\r\n");
    ck_assert_str_eq(sb.data, "a&lt;b&gt;&amp;\"c'd&#13;\n");
    strbuf_free(&sb);
}
END_TEST

START_TEST(detach_of_empty_is_empty_string)
{
    struct strbuf sb;
    strbuf_init(&sb);
    size_t len = 99;
    char *s = strbuf_detach(&sb, &len);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s, "");
    ck_assert_uint_eq(len, 0);
    free(s);
}
END_TEST

START_TEST(reads_files_within_a_limit)
{
    char path[4096];
    size_t len;
    char *text = strbuf_read_file(test_path(path, sizeof(path),
                                  "tests/data/config/mappings/tables/"
                                  "order-status.csv"), 1024, &len);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, "code,status\nNEW,new\nSHP,shipped\n"
                           "CAN,cancelled\n");
    ck_assert_uint_eq(len, strlen(text));
    free(text);
    errno = 0;
    ck_assert_ptr_null(strbuf_read_file(path, 10, NULL));
    ck_assert_int_eq(errno, EFBIG);
    ck_assert_ptr_null(strbuf_read_file("tests/data/no-such-file", 10, NULL));
    ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* JSON strings as yajl's generator writes them; invalid UTF-8 is
 * refused and nothing appended. */
START_TEST(writes_json_strings)
{
    static const char text[] = "a\"b\\c/\n\r\t\f\b\001\037\x7f \xc3\xa4\xe2\x82\xac";
    struct strbuf sb;
    strbuf_init(&sb);
    ck_assert_int_eq(strbuf_json_string(&sb, text, sizeof(text) - 1), 0);
    ck_assert_int_eq(strbuf_json_string(&sb, "", 0), 0);
    ck_assert_int_eq(strbuf_json_string(&sb, "plain", 5), 0);
    ck_assert_str_eq(sb.data, "\"a\\\"b\\\\c/\\n\\r\\t\\f\\b\\u0001\\u001F"
                              "\x7f \xc3\xa4\xe2\x82\xac\"\"\"\"plain\"");
    size_t len = sb.len;
    ck_assert_int_eq(strbuf_json_string(&sb, "ok\xc3", 3), -1);
    ck_assert_int_eq(strbuf_json_string(&sb, "\xed\xa0\x80", 3), -1);
    ck_assert_uint_eq(sb.len, len);
    strbuf_free(&sb);
}
END_TEST

Suite *strbuf_suite(void)
{
    Suite *s = suite_create("strbuf");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, appends_and_grows);
    tcase_add_test(tc, appends_bytes_across_growth);
    tcase_add_test(tc, failure_is_sticky);
    tcase_add_test(tc, escapes_xml);
    tcase_add_test(tc, writes_json_strings);
    tcase_add_test(tc, detach_of_empty_is_empty_string);
    tcase_add_test(tc, reads_files_within_a_limit);
    suite_add_tcase(s, tc);
    return s;
}
