/* Unit tests of tables: CSV lookup tables (tests/data/tables/). */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "suites.h"
#include "tables.h"
#include "testutil.h"

static struct tables *loadData(void)
{
    char dir[PATH_MAX];
    struct sb_error err;
    struct tables *tables = tables_new();
    ck_assert_ptr_nonnull(tables);
    error_clear(&err);
    ck_assert_int_eq(tables_load_dir(tables,
                                     test_path(dir, sizeof(dir),
                                               "tests/data/tables"),
                                     &err), 0);
    return tables;
}

static void setup(void)
{
    xmlInitParser();
}

START_TEST(load_dir_names_tables_by_file)
{
    struct tables *tables = loadData();
    ck_assert_uint_eq(tables_count(tables), 2);
    ck_assert_int_eq(tables_has(tables, "order-status"), 1);
    ck_assert_int_eq(tables_has(tables, "customers"), 1);
    ck_assert_int_eq(tables_has(tables, "bad"), 0);
    ck_assert_int_eq(tables_has(tables, "order-status.csv"), 0);
    tables_free(tables);
}
END_TEST

static const struct {
    const char *table, *key, *column, *want;    /* want NULL: absent */
} lookups[] = {
    {"order-status", "SHP", NULL, "shipped"},
    {"order-status", "BCK", NULL, "backordered"},
    {"order-status", "CNC", "status", "cancelled"},
    {"order-status", "OPN", "code", "OPN"},
    {"order-status", "shp", NULL, NULL},        /* keys are exact */
    {"order-status", "XXX", NULL, NULL},
    {"order-status", "SHP", "colour", NULL},
    {"nope", "SHP", NULL, NULL},
    {"customers", "C1", NULL, "E-100"},
    {"customers", "C1", "name", "Smith, John"},
    {"customers", "C2", "name", "say \"hi\""},
    {"customers", "C2", "city", "multi\r\nline"},
    {"customers", "C3", "name", "M\xc3\xbcller"},
    {"customers", "C,4", "erp_id", ""},
    {"customers", "C,4", "name", ""},
    {"customers", "C,4", "city", "Hamburg"},     /* no final newline */
    {"customers", "id", NULL, NULL},             /* the header is no row */
};

START_TEST(lookup_by_key_and_column)
{
    struct tables *tables = loadData();
    const char *got = tables_lookup(tables, lookups[_i].table,
                                    lookups[_i].key, lookups[_i].column);
    if (lookups[_i].want)
        ck_assert_str_eq(got, lookups[_i].want);
    else
        ck_assert_ptr_null(got);
    tables_free(tables);
}
END_TEST

static const struct {
    const char *table, *value, *column, *want;
} reverses[] = {
    {"order-status", "shipped", NULL, "SHP"},
    {"order-status", "backordered", "status", "BCK"},
    {"order-status", "OPN", "code", "OPN"},
    {"order-status", "lost", NULL, NULL},
    {"order-status", "shipped", "colour", NULL},
    {"customers", "E-300", NULL, "C3"},
    {"customers", "Berlin", "city", "C1"},      /* the first row wins */
    {"customers", "say \"hi\"", "name", "C2"},
    {"customers", "", "erp_id", "C,4"},
    {"customers", "Smith", "name", NULL},
};

START_TEST(reverse_lookup_finds_first_key)
{
    struct tables *tables = loadData();
    const char *got = tables_reverse_lookup(tables, reverses[_i].table,
                                            reverses[_i].value,
                                            reverses[_i].column);
    if (reverses[_i].want)
        ck_assert_str_eq(got, reverses[_i].want);
    else
        ck_assert_ptr_null(got);
    tables_free(tables);
}
END_TEST

START_TEST(has_column)
{
    struct tables *tables = loadData();
    ck_assert_int_eq(tables_has_column(tables, "customers", "city"), 1);
    ck_assert_int_eq(tables_has_column(tables, "customers", NULL), 1);
    ck_assert_int_eq(tables_has_column(tables, "customers", "zip"), 0);
    ck_assert_int_eq(tables_has_column(tables, "nope", NULL), 0);
    ck_assert_int_eq(tables_has_column(NULL, "customers", NULL), 0);
    ck_assert_ptr_null(tables_lookup(NULL, "customers", "C1", NULL));
    ck_assert_uint_eq(tables_count(NULL), 0);
    tables_free(tables);
}
END_TEST

static const struct {
    const char *file;
    int line;
    const char *message;
} loadErrors[] = {
    {"unterminated.csv", 3, "unterminated quote"},
    {"columns.csv", 3, "row has 3 columns, the header has 2"},
    {"duplicate.csv", 5, "duplicate key 'SHP' (first on line 2)"},
    {"empty.csv", 1, "empty file (a header row is required)"},
    {"bom-only.csv", 1, "empty file (a header row is required)"},
    {"stray-quote.csv", 2, "stray quote in unquoted field (quote the whole"
                           " field and double the quote)"},
    {"after-quote.csv", 2, "unexpected character after closing quote"},
    {"nul.csv", 2, "NUL byte in table file"},
    {"utf8.csv", 3, "invalid UTF-8 in field 2"},
    {"header-empty.csv", 1, "empty column name (column 2)"},
    {"header-twice.csv", 1, "column 'status' appears twice in the header"},
    {"too-many-columns.csv", 1, "more than 256 columns (limit"
                                " TABLES_MAX_COLUMNS)"},
};

START_TEST(load_errors_name_file_and_line)
{
    char rel[256], path[PATH_MAX];
    struct sb_error err;
    struct tables *tables = tables_new();
    snprintf(rel, sizeof(rel), "tests/data/tables/bad/%s",
             loadErrors[_i].file);
    test_path(path, sizeof(path), rel);
    error_clear(&err);
    ck_assert_int_eq(tables_add_file(tables, "t", path, &err), -1);
    ck_assert_str_eq(err.code, "table_load");
    ck_assert_str_eq(err.file, path);
    ck_assert_int_eq(err.line, loadErrors[_i].line);
    ck_assert_str_eq(err.message, loadErrors[_i].message);
    ck_assert_uint_eq(tables_count(tables), 0);
    ck_assert_int_eq(tables_has(tables, "t"), 0);
    tables_free(tables);
}
END_TEST

START_TEST(second_table_of_same_name_is_an_error)
{
    char path[PATH_MAX];
    struct sb_error err;
    struct tables *tables = tables_new();
    test_path(path, sizeof(path), "tests/data/tables/order-status.csv");
    ck_assert_int_eq(tables_add_file(tables, "status", path, &err), 0);
    ck_assert_int_eq(tables_add_file(tables, "status", path, &err), -1);
    ck_assert_str_eq(err.code, "table_load");
    ck_assert_str_eq(err.message, "a table named 'status' is already loaded");
    ck_assert_uint_eq(tables_count(tables), 1);
    ck_assert_str_eq(tables_lookup(tables, "status", "OPN", NULL), "open");
    tables_free(tables);
}
END_TEST

START_TEST(missing_file_and_missing_dir)
{
    char path[PATH_MAX];
    struct sb_error err;
    struct tables *tables = tables_new();
    test_path(path, sizeof(path), "tests/data/tables/none.csv");
    error_clear(&err);
    ck_assert_int_eq(tables_add_file(tables, "none", path, &err), -1);
    ck_assert_str_eq(err.code, "table_load");
    ck_assert_str_eq(err.file, path);
    ck_assert_int_eq(err.line, 0);
    ck_assert_ptr_nonnull(strstr(err.message, "cannot open"));
    test_path(path, sizeof(path), "tests/data/tables/none");
    ck_assert_int_eq(tables_load_dir(tables, path, &err), 0);
    test_path(path, sizeof(path), "tests/data/tables/bad");
    ck_assert_int_eq(tables_add_file(tables, "dir", path, &err), -1);
    ck_assert_str_eq(err.message, "not a regular file");
    ck_assert_uint_eq(tables_count(tables), 0);
    tables_free(tables);
}
END_TEST

START_TEST(load_dir_stops_at_first_bad_file)
{
    char path[PATH_MAX];
    struct sb_error err;
    struct tables *tables = tables_new();
    test_path(path, sizeof(path), "tests/data/tables/bad");
    ck_assert_int_eq(tables_load_dir(tables, path, &err), -1);
    /* Files load in name order: after-quote.csv comes first. */
    ck_assert_str_eq(err.message, "unexpected character after closing quote");
    ck_assert_uint_eq(tables_count(tables), 0);
    tables_free(tables);
}
END_TEST

/* The limit cases are generated: their files would be megabytes. */
static FILE *openTemp(char *path, size_t size)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, size, "%s/sb-tables-XXXXXX", dir && *dir ? dir : P_tmpdir);
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "wb");
    ck_assert_ptr_nonnull(f);
    return f;
}

static void writeRows(FILE *f, int rows)
{
    fputs("code,status\n", f);
    for (int i = 0; i < rows; i++)
        fprintf(f, "K%d,v%d\n", i, i);
}

static const char *loadTemp(const char *path, struct tables *tables,
                            struct sb_error *err)
{
    error_clear(err);
    tables_add_file(tables, "big", path, err);
    unlink(path);
    return err->message;
}

START_TEST(row_limit)
{
    char path[PATH_MAX];
    struct sb_error err;
    struct tables *tables = tables_new();
    FILE *f = openTemp(path, sizeof(path));
    writeRows(f, TABLES_MAX_ROWS);
    fclose(f);
    ck_assert_str_eq(loadTemp(path, tables, &err), "");
    ck_assert_str_eq(tables_lookup(tables, "big", "K99999", NULL), "v99999");
    ck_assert_str_eq(tables_reverse_lookup(tables, "big", "v4242", NULL),
                     "K4242");
    tables_free(tables);

    tables = tables_new();
    f = openTemp(path, sizeof(path));
    writeRows(f, TABLES_MAX_ROWS + 1);
    fclose(f);
    ck_assert_str_eq(loadTemp(path, tables, &err),
                     "more than 100000 rows (limit TABLES_MAX_ROWS)");
    ck_assert_int_eq(err.line, TABLES_MAX_ROWS + 2);
    tables_free(tables);
}
END_TEST

START_TEST(line_limit)
{
    static const struct {
        int value_bytes;    /* row "K,<value>" is value_bytes + 2 long */
        int quoted;
        const char *message;
    } cases[] = {
        {TABLES_MAX_LINE_BYTES - 2, 0, ""},
        {TABLES_MAX_LINE_BYTES - 4, 1, ""},
        {TABLES_MAX_LINE_BYTES - 1, 0,
         "row longer than 65536 bytes (limit TABLES_MAX_LINE_BYTES)"},
        {TABLES_MAX_LINE_BYTES - 3, 1,
         "row longer than 65536 bytes (limit TABLES_MAX_LINE_BYTES)"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[PATH_MAX];
        struct sb_error err;
        struct tables *tables = tables_new();
        FILE *f = openTemp(path, sizeof(path));
        fputs("code,status\r\nK,", f);
        fputs(cases[i].quoted ? "\"" : "", f);
        for (int b = 0; b < cases[i].value_bytes; b++)
            fputc(cases[i].quoted && b % 100 == 99 ? '\n' : 'x', f);
        fputs(cases[i].quoted ? "\"\r\n" : "\r\n", f);
        fclose(f);
        ck_assert_str_eq(loadTemp(path, tables, &err), cases[i].message);
        if (!cases[i].message[0])
            ck_assert_uint_eq(strlen(tables_lookup(tables, "big", "K", NULL)),
                              (size_t)cases[i].value_bytes);
        else
            ck_assert_int_eq(err.line, 2);
        tables_free(tables);
    }
}
END_TEST

Suite *tables_suite(void)
{
    Suite *s = suite_create("tables");
    TCase *tc = tcase_create("core");
    tcase_add_unchecked_fixture(tc, setup, NULL);
    tcase_add_test(tc, load_dir_names_tables_by_file);
    tcase_add_loop_test(tc, lookup_by_key_and_column, 0,
                        sizeof(lookups) / sizeof(lookups[0]));
    tcase_add_loop_test(tc, reverse_lookup_finds_first_key, 0,
                        sizeof(reverses) / sizeof(reverses[0]));
    tcase_add_test(tc, has_column);
    tcase_add_loop_test(tc, load_errors_name_file_and_line, 0,
                        sizeof(loadErrors) / sizeof(loadErrors[0]));
    tcase_add_test(tc, second_table_of_same_name_is_an_error);
    tcase_add_test(tc, missing_file_and_missing_dir);
    tcase_add_test(tc, load_dir_stops_at_first_bad_file);
    suite_add_tcase(s, tc);

    /* 100000-row files take a while under sanitizers and valgrind. */
    TCase *limits = tcase_create("limits");
    tcase_add_unchecked_fixture(limits, setup, NULL);
    tcase_set_timeout(limits, 120);
    tcase_add_test(limits, row_limit);
    tcase_add_test(limits, line_limit);
    suite_add_tcase(s, limits);
    return s;
}
