#include <check.h>
#include <stdio.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "yamldoc.h"

static struct yamldoc *parseText(const char *text,
                                 const struct yamldoc_limits *limits,
                                 struct sb_error *err)
{
    error_clear(err);
    return yamldoc_parse(text, strlen(text), "t.yaml", "test_code", limits,
                         err);
}

START_TEST(tree_keeps_order_kinds_and_lines)
{
    struct sb_error err;
    struct yamldoc *doc = parseText("# comment\n"
                                    "name: demo\n"
                                    "list:\n"
                                    "  - one\n"
                                    "  - {k: v}\n"
                                    "quoted: \"true\"\n"
                                    "empty:\n", NULL, &err);
    ck_assert_msg(doc != NULL, "%s", err.message);
    const struct yamldoc_node *root = yamldoc_root(doc);
    ck_assert_int_eq(root->kind, YAMLDOC_MAPPING);
    ck_assert_uint_eq(root->count, 4);
    ck_assert_str_eq(root->keys[0]->value, "name");
    ck_assert_int_eq(root->keys[0]->line, 2);
    ck_assert_str_eq(root->keys[3]->value, "empty");

    const struct yamldoc_node *list = yamldoc_get(root, "list");
    ck_assert_int_eq(list->kind, YAMLDOC_SEQUENCE);
    ck_assert_uint_eq(list->count, 2);
    ck_assert_ptr_null(list->keys);
    ck_assert_str_eq(list->items[0]->value, "one");
    ck_assert_int_eq(list->items[0]->line, 4);
    ck_assert_int_eq(list->items[1]->kind, YAMLDOC_MAPPING);
    ck_assert_int_eq(list->items[1]->line, 5);
    ck_assert_str_eq(yamldoc_get(list->items[1], "k")->value, "v");

    const struct yamldoc_node *quoted = yamldoc_get(root, "quoted");
    ck_assert_int_eq(quoted->plain, 0);
    ck_assert_int_eq(yamldoc_get(root, "name")->plain, 1);
    ck_assert(yamldoc_is_null(yamldoc_get(root, "empty")));
    ck_assert(!yamldoc_is_null(quoted));
    ck_assert_ptr_null(yamldoc_get(root, "absent"));
    ck_assert_ptr_null(yamldoc_get(list, "k"));
    ck_assert_str_eq(yamldoc_file(doc), "t.yaml");
    yamldoc_free(doc);
}
END_TEST

START_TEST(scalar_root_and_tags_are_accepted)
{
    struct sb_error err;
    struct yamldoc *doc = parseText("--- !custom 42\n...\n", NULL, &err);
    ck_assert_msg(doc != NULL, "%s", err.message);
    ck_assert_int_eq(yamldoc_root(doc)->kind, YAMLDOC_SCALAR);
    ck_assert_str_eq(yamldoc_root(doc)->value, "42");
    yamldoc_free(doc);
}
END_TEST

/* Every refusal, with the exact message and line the user sees. */
static const struct {
    const char *text;
    struct yamldoc_limits limits;
    int line;
    const char *message;
} bad_cases[] = {
    {"a: 1\nb: 2\na: 3\n", {0}, 3, "duplicate key 'a' (first at line 1)"},
    {"a:\n  x: 1\n  x: 2\n", {0}, 3, "duplicate key 'x' (first at line 2)"},
    {"a: &anchor 1\n", {0}, 1, "anchors and aliases are not supported"},
    {"a: [1]\nb: *x\n", {0}, 2, "anchors and aliases are not supported"},
    {"a: 1\n---\nb: 2\n", {0}, 2, "only one document per file"},
    {"", {0}, 1, "empty document"},
    {"# only a comment\n", {0}, 1, "empty document"},
    {"? [1, 2]\n: x\n", {0}, 1, "mapping keys must be scalars"},
    {"a: \"x\\0y\"\n", {0}, 1, "scalar contains a NUL character"},
    {"a: \xff\n", {0}, 0, "invalid leading UTF-8 octet at byte 3"},
    {"a: b\n\tc: d\n", {0}, 2, "found a tab character that violates "
     "indentation (while scanning a plain scalar at line 1)"},
    {"a: [1, 2\nb: 3\n", {0}, 2,
     "did not find expected ',' or ']' (while parsing a flow sequence at "
     "line 1)"},
    {"a: b: c\n", {0}, 1, "mapping values are not allowed in this context"},
    {"a: {b: {c: {d: 1}}}\n", {.max_depth = 3}, 1, "nesting deeper than 3"},
    {"a: hello\n", {.max_scalar = 4}, 1, "scalar longer than 4 bytes"},
    {"a: hello world\n", {.max_bytes = 8}, 0, "file larger than 8 bytes"},
    {"- 1\n- 2\n- 3\n", {.max_members = 2}, 1,
     "more than 2 members in one sequence"},
    {"a: [1, 2]\n", {.max_nodes = 3}, 1, "more than 3 nodes in the document"},
};

START_TEST(bad_documents_are_refused_with_line)
{
    struct sb_error err;
    struct yamldoc *doc = parseText(bad_cases[_i].text, &bad_cases[_i].limits,
                                    &err);
    ck_assert_ptr_null(doc);
    ck_assert_str_eq(err.code, "test_code");
    ck_assert_str_eq(err.file, "t.yaml");
    ck_assert_str_eq(err.message, bad_cases[_i].message);
    ck_assert_int_eq(err.line, bad_cases[_i].line);
}
END_TEST

START_TEST(bool_accepts_only_true_and_false)
{
    struct sb_error err;
    struct yamldoc *doc = parseText("a: true\nb: FALSE\nc: yes\nd: [x]\n",
                                    NULL, &err);
    ck_assert_ptr_nonnull(doc);
    const struct yamldoc_node *root = yamldoc_root(doc);
    int value = -1;
    ck_assert_int_eq(yamldoc_bool(doc, yamldoc_get(root, "a"), "'a'", &value,
                                  &err), 0);
    ck_assert_int_eq(value, 1);
    ck_assert_int_eq(yamldoc_bool(doc, yamldoc_get(root, "b"), "'b'", &value,
                                  &err), 0);
    ck_assert_int_eq(value, 0);
    ck_assert_int_eq(yamldoc_bool(doc, yamldoc_get(root, "c"), "'c'", &value,
                                  &err), -1);
    ck_assert_str_eq(err.message, "'c' must be true or false");
    ck_assert_int_eq(err.line, 3);
    ck_assert_int_eq(yamldoc_bool(doc, yamldoc_get(root, "d"), "'d'", &value,
                                  &err), -1);
    ck_assert_int_eq(err.line, 4);
    yamldoc_free(doc);
}
END_TEST

static const struct {
    const char *text;
    int ok;
    long value;
} long_cases[] = {
    {"0", 1, 0}, {"42", 1, 42}, {"-5", 1, -5}, {"+7", 1, 7},
    {"100", 1, 100}, {"101", 0, 0}, {"-6", 0, 0}, {"4.0", 0, 0},
    {"1e2", 0, 0}, {"", 0, 0}, {"12abc", 0, 0}, {" 1", 0, 0},
    {"99999999999999999999999", 0, 0}, {"-", 0, 0},
};

START_TEST(long_checks_syntax_and_range)
{
    struct sb_error err;
    char text[128];
    snprintf(text, sizeof(text), "n: \"%s\"\n", long_cases[_i].text);
    struct yamldoc *doc = parseText(text, NULL, &err);
    ck_assert_ptr_nonnull(doc);
    long value = 12345;
    int rc = yamldoc_long(doc, yamldoc_get(yamldoc_root(doc), "n"), "'n'", -5,
                          100, &value, &err);
    if (long_cases[_i].ok) {
        ck_assert_int_eq(rc, 0);
        ck_assert_int_eq(value, long_cases[_i].value);
    } else {
        ck_assert_int_eq(rc, -1);
        ck_assert_int_eq(value, 12345);
        ck_assert_str_eq(err.message, "'n' must be an integer from -5 to 100");
    }
    yamldoc_free(doc);
}
END_TEST

START_TEST(expect_names_both_kinds)
{
    struct sb_error err;
    char buf[256];
    struct yamldoc *doc = parseText("service: x\n", NULL, &err);
    ck_assert_ptr_nonnull(doc);
    const struct yamldoc_node *root = yamldoc_root(doc);
    ck_assert_int_eq(yamldoc_expect(doc, root, YAMLDOC_MAPPING, "root", &err),
                     0);
    ck_assert_int_eq(yamldoc_expect(doc, yamldoc_get(root, "service"),
                                    YAMLDOC_MAPPING, "'service'", &err), -1);
    ck_assert_str_eq(error_format(&err, buf, sizeof(buf)),
                     "t.yaml:1: 'service' must be a mapping, not a scalar");
    ck_assert_int_eq(yamldoc_fail(doc, 9, &err, "custom %d", 5), -1);
    ck_assert_str_eq(error_format(&err, buf, sizeof(buf)),
                     "t.yaml:9: custom 5");
    yamldoc_free(doc);
}
END_TEST

START_TEST(load_reads_a_file_and_reports_a_missing_one)
{
    struct sb_error err;
    char path[4096];
    error_clear(&err);
    struct yamldoc *doc = yamldoc_load(
        test_path(path, sizeof(path), "tests/data/mapping/valid_full.yaml"),
        "mapping_load", NULL, &err);
    ck_assert_msg(doc != NULL, "%s", err.message);
    ck_assert_str_eq(yamldoc_get(yamldoc_root(doc), "capability")->value,
                     "get_order_status");
    yamldoc_free(doc);

    doc = yamldoc_load(test_path(path, sizeof(path), "tests/data/mapping/"
                                 "does-not-exist.yaml"), "mapping_load", NULL,
                       &err);
    ck_assert_ptr_null(doc);
    ck_assert_str_eq(err.code, "mapping_load");
    ck_assert_str_eq(err.file, path);
    ck_assert_str_eq(err.message, "cannot open: No such file or directory");

    struct yamldoc_limits small = {.max_bytes = 16};
    doc = yamldoc_load(test_path(path, sizeof(path),
                                 "tests/data/mapping/valid_full.yaml"),
                       "mapping_load", &small, &err);
    ck_assert_ptr_null(doc);
    ck_assert_str_eq(err.message, "file larger than 16 bytes");
}
END_TEST

Suite *yamldoc_suite(void)
{
    Suite *s = suite_create("yamldoc");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, tree_keeps_order_kinds_and_lines);
    tcase_add_test(tc, scalar_root_and_tags_are_accepted);
    tcase_add_loop_test(tc, bad_documents_are_refused_with_line, 0,
                        sizeof(bad_cases) / sizeof(bad_cases[0]));
    tcase_add_test(tc, bool_accepts_only_true_and_false);
    tcase_add_loop_test(tc, long_checks_syntax_and_range, 0,
                        sizeof(long_cases) / sizeof(long_cases[0]));
    tcase_add_test(tc, expect_names_both_kinds);
    tcase_add_test(tc, load_reads_a_file_and_reports_a_missing_one);
    suite_add_tcase(s, tc);
    return s;
}
