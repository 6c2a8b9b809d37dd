/*
 * tables: lookup tables (CSV files under mappings/tables/) that
 * stylesheets reach through sb:lookup() (see xsltfunc.h).
 *
 * A table file NAME.csv has a header row; the first column is the key.
 * Example mappings/tables/order-status.csv:
 *     code,status
 *     SHP,shipped
 *     OPN,open
 * RFC 4180 quoting ("a,b", "say ""hi""") is supported; UTF-8 only.
 * Tables are loaded once with the configuration and only read afterwards,
 * so a loaded set may be shared by every worker thread.
 */
#ifndef SB_TABLES_H
#define SB_TABLES_H

#include <stddef.h>

#include "error.h"

struct tables;

/* Limits on what a table file may hold; errors name them. A row (a CSV
 * record, which may span lines inside quotes) is at most
 * TABLES_MAX_LINE_BYTES bytes without its line end. */
#define TABLES_MAX_LINE_BYTES 65536
#define TABLES_MAX_ROWS 100000
#define TABLES_MAX_COLUMNS 256

/* An empty set; caller owns it (tables_free). */
struct tables *tables_new(void);
void tables_free(struct tables *tables);

/* Load the CSV file `path` as table `name`. Errors ("table_load") name
 * file and line: unterminated quote, a row with a different number of
 * columns than the header, a duplicate key, an empty file, a second table
 * of the same name, a stray or misplaced quote, a NUL byte, invalid UTF-8,
 * an empty or repeated column name in the header, and the limits below.
 * Blank lines are skipped; a leading UTF-8 byte order mark is ignored. */
int tables_add_file(struct tables *tables, const char *name,
                    const char *path, struct sb_error *err);

/* Load every *.csv in `dir` as a table named by the file name without
 * ".csv". A missing directory is not an error (no tables). */
int tables_load_dir(struct tables *tables, const char *dir,
                    struct sb_error *err);

/* 1 if a table of that name exists. */
int tables_has(const struct tables *tables, const char *name);

/* 1 if table `name` has a column named `column` (NULL = the second
 * column). */
int tables_has_column(const struct tables *tables, const char *name,
                      const char *column);

/* The value of `column` (NULL = the second column) in the row whose key is
 * `key`; NULL if table, row or column is absent. Points into the set. */
const char *tables_lookup(const struct tables *tables, const char *name,
                          const char *key, const char *column);

/* Reverse: the key of the first row whose `column` (NULL = second column)
 * equals `value`; NULL if none. Points into the set. */
const char *tables_reverse_lookup(const struct tables *tables,
                                  const char *name, const char *value,
                                  const char *column);

/* Number of tables (for reports). */
size_t tables_count(const struct tables *tables);

#endif
