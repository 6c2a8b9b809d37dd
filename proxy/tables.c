/*
 * tables: CSV lookup tables (see tables.h). Loaded once when a
 * configuration snapshot is built, read-only afterwards; stylesheets reach
 * them through sb:lookup() and sb:reverse-lookup() (xsltfunc.c).
 *
 * Each table keeps its rows in one array and one open-addressing hash
 * index per column (value -> first row with that value; for the key column
 * every value is unique), so both lookup directions cost one probe on the
 * request path. The index stores row numbers, not strings: the strings
 * stay in the rows.
 */
#include "tables.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/hash.h>
#include <libxml/xmlstring.h>

struct columnIndex {
    uint32_t *slots;            /* row + 1; 0 = empty */
    size_t cap;                 /* a power of two, or 0 */
    size_t used;
};

struct table {
    char *name;
    char *path;
    size_t n_columns;
    char **header;              /* n_columns names; header[0] owns the block */
    size_t n_rows, cap_rows;
    char **cells;               /* row-major; cells[r * n_columns] owns row r */
    int *lines;                 /* line each row starts on, for errors */
    struct columnIndex *indexes;    /* one per column; [0] is the key */
};

struct tables {
    struct table **items;
    size_t n, cap;
    xmlHashTablePtr by_name;    /* name -> struct table * */
};

/* ---- the CSV reader (RFC 4180) ---- */

struct csvReader {
    FILE *f;
    const char *path;
    int line;           /* physical line of the next character */
    int record_line;    /* line the current record started on */
    size_t raw;         /* bytes of the current record read so far */
    char *buf;          /* field contents, each NUL-terminated */
    size_t len;
    size_t *starts;     /* offset of each field in buf */
    size_t n_fields, cap_fields;
    int quoted;         /* the record had a quoted field */
};

#define CSV_END_FIELD ','
#define CSV_END_RECORD '\n'
#define CSV_FAIL (-2)

static int csvGet(struct csvReader *r)
{
    int c = getc(r->f);
    if (c != EOF)
        r->raw++;
    return c;
}

static int csvError(struct csvReader *r, int line, struct sb_error *err,
                    const char *what)
{
    error_set_at(err, "table_load", r->path, line, "%s", what);
    return CSV_FAIL;
}

static int csvOverLimit(struct csvReader *r, struct sb_error *err)
{
    char msg[128];
    snprintf(msg, sizeof(msg), "row longer than %d bytes (limit "
             "TABLES_MAX_LINE_BYTES)", TABLES_MAX_LINE_BYTES);
    return csvError(r, r->record_line, err, msg);
}

static int csvPush(struct csvReader *r, int c, struct sb_error *err)
{
    if (r->raw > TABLES_MAX_LINE_BYTES)
        return csvOverLimit(r, err);
    if (c == 0)
        return csvError(r, r->line, err, "NUL byte in table file");
    r->buf[r->len++] = (char)c;
    return 0;
}

/* A CR alone or CR LF ends a record like LF does. */
static int csvLineEnd(struct csvReader *r, int c)
{
    if (c == '\r') {
        int next = getc(r->f);
        if (next != '\n' && next != EOF)
            ungetc(next, r->f);
    }
    r->line++;
    return CSV_END_RECORD;
}

static int csvReadPlain(struct csvReader *r, int c, struct sb_error *err)
{
    for (;; c = csvGet(r)) {
        if (c == ',' || c == EOF)
            return c == ',' ? CSV_END_FIELD : EOF;
        if (c == '\n' || c == '\r')
            return csvLineEnd(r, c);
        if (c == '"')
            return csvError(r, r->line, err,
                            "stray quote in unquoted field (quote the whole"
                            " field and double the quote)");
        if (csvPush(r, c, err) < 0)
            return CSV_FAIL;
    }
}

static int csvAfterQuote(struct csvReader *r, int c, struct sb_error *err)
{
    if (c == ',')
        return CSV_END_FIELD;
    if (c == EOF)
        return EOF;
    if (c == '\n' || c == '\r')
        return csvLineEnd(r, c);
    return csvError(r, r->line, err, "unexpected character after closing"
                    " quote");
}

static int csvReadQuoted(struct csvReader *r, struct sb_error *err)
{
    int open_line = r->line;
    r->quoted = 1;
    for (;;) {
        int c = csvGet(r);
        if (c == EOF)
            return csvError(r, open_line, err, "unterminated quote");
        if (c == '"') {
            c = csvGet(r);
            if (c != '"')
                return csvAfterQuote(r, c, err);
        } else if (c == '\n') {
            r->line++;
        }
        if (csvPush(r, c, err) < 0)
            return CSV_FAIL;
    }
}

static int csvStartField(struct csvReader *r, struct sb_error *err)
{
    if (r->raw > TABLES_MAX_LINE_BYTES)
        return csvOverLimit(r, err);
    if (r->n_fields == r->cap_fields) {
        size_t cap = r->cap_fields ? r->cap_fields * 2 : 16;
        size_t *bigger = realloc(r->starts, cap * sizeof(*bigger));
        if (!bigger)
            return error_set(err, "internal", "out of memory");
        r->starts = bigger;
        r->cap_fields = cap;
    }
    r->starts[r->n_fields++] = r->len;
    return 0;
}

/* Read one record into r->buf / r->starts. Returns 1, 0 at end of file,
 * or -1 with err set. */
static int csvReadRecord(struct csvReader *r, struct sb_error *err)
{
    int c = csvGet(r);
    if (c == EOF)
        return 0;
    r->len = 0;
    r->n_fields = 0;
    r->raw = 1;
    r->quoted = 0;
    r->record_line = r->line;
    for (;;) {
        if (csvStartField(r, err) < 0)
            return -1;
        int end = c == '"' ? csvReadQuoted(r, err)
                           : csvReadPlain(r, c, err);
        if (end == CSV_FAIL)
            return -1;
        r->buf[r->len++] = 0;
        /* The pushes check the limit early; the closing quote and the
         * line end are only counted here (the line end is not part of
         * the row). */
        if (end == CSV_END_RECORD && r->raw - 1 > TABLES_MAX_LINE_BYTES)
            return csvOverLimit(r, err);
        if (end == EOF && r->raw > TABLES_MAX_LINE_BYTES)
            return csvOverLimit(r, err);
        if (end != CSV_END_FIELD)
            return 1;
        c = csvGet(r);
    }
}

static int csvIsBlank(const struct csvReader *r)
{
    return r->n_fields == 1 && r->buf[0] == 0 && !r->quoted;
}

/* The next non-blank record, with every field checked to be UTF-8. */
static int csvNextRow(struct csvReader *r, struct sb_error *err)
{
    int rc;
    while ((rc = csvReadRecord(r, err)) == 1 && csvIsBlank(r))
        ;
    if (rc == 0 && ferror(r->f))
        return error_set_at(err, "table_load", r->path, r->line,
                            "read error: %s", strerror(errno));
    if (rc != 1)
        return rc < 0 ? -1 : 0;
    for (size_t i = 0; i < r->n_fields; i++)
        if (!xmlCheckUTF8((const xmlChar *)r->buf + r->starts[i]))
            return error_set_at(err, "table_load", r->path, r->record_line,
                                "invalid UTF-8 in field %zu", i + 1);
    return 1;
}

static void csvSkipBom(struct csvReader *r)
{
    unsigned char bom[3];
    if (fread(bom, 1, 3, r->f) == 3 && bom[0] == 0xEF && bom[1] == 0xBB &&
        bom[2] == 0xBF)
        return;
    rewind(r->f);
}

/* ---- one table ---- */

/* Copy the reader's fields into one block; fills n_columns pointers. */
static int copyFields(const struct csvReader *r, char **dst)
{
    char *block = malloc(r->len);
    if (!block)
        return -1;
    memcpy(block, r->buf, r->len);
    for (size_t i = 0; i < r->n_fields; i++)
        dst[i] = block + r->starts[i];
    return 0;
}

static void tableFree(struct table *t)
{
    if (!t)
        return;
    for (size_t r = 0; r < t->n_rows; r++)
        free(t->cells[r * t->n_columns]);
    free(t->cells);
    free(t->lines);
    if (t->header)
        free(t->header[0]);
    free(t->header);
    for (size_t c = 0; t->indexes && c < t->n_columns; c++)
        free(t->indexes[c].slots);
    free(t->indexes);
    free(t->name);
    free(t->path);
    free(t);
}

static int findColumn(const struct table *t, const char *column)
{
    if (!column)
        return t->n_columns > 1 ? 1 : -1;
    for (size_t c = 0; c < t->n_columns; c++)
        if (strcmp(t->header[c], column) == 0)
            return (int)c;
    return -1;
}

static int tableSetHeader(struct table *t, struct csvReader *r,
                          struct sb_error *err)
{
    if (r->n_fields > TABLES_MAX_COLUMNS)
        return error_set_at(err, "table_load", r->path, r->record_line,
                            "more than %d columns (limit TABLES_MAX_COLUMNS)",
                            TABLES_MAX_COLUMNS);
    t->n_columns = r->n_fields;
    t->header = calloc(t->n_columns, sizeof(char *));
    t->indexes = calloc(t->n_columns, sizeof(struct columnIndex));
    if (!t->header || !t->indexes || copyFields(r, t->header))
        return error_set(err, "internal", "out of memory");
    for (size_t c = 0; c < t->n_columns; c++) {
        if (!t->header[c][0])
            return error_set_at(err, "table_load", r->path, r->record_line,
                                "empty column name (column %zu)", c + 1);
        for (size_t d = 0; d < c; d++)
            if (strcmp(t->header[d], t->header[c]) == 0)
                return error_set_at(err, "table_load", r->path,
                                    r->record_line, "column '%s' appears"
                                    " twice in the header", t->header[c]);
    }
    return 0;
}

static int tableGrow(struct table *t)
{
    size_t cap = t->cap_rows ? t->cap_rows * 2 : 64;
    char **cells = realloc(t->cells, cap * t->n_columns * sizeof(char *));
    if (!cells)
        return -1;
    t->cells = cells;
    int *lines = realloc(t->lines, cap * sizeof(int));
    if (!lines)
        return -1;
    t->lines = lines;
    t->cap_rows = cap;
    return 0;
}

/* FNV-1a: table contents come from configuration, not from requests, so
 * a simple hash is enough. */
static uint64_t hashString(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static const char *cell(const struct table *t, size_t row, size_t column)
{
    return t->cells[row * t->n_columns + column];
}

/* The first row whose `column` equals `value`, plus one; 0 if none. */
static uint32_t indexFind(const struct table *t, size_t column,
                          const char *value)
{
    const struct columnIndex *ix = &t->indexes[column];
    if (!ix->cap)
        return 0;
    size_t i = hashString(value) & (ix->cap - 1);
    for (; ix->slots[i]; i = (i + 1) & (ix->cap - 1))
        if (strcmp(cell(t, ix->slots[i] - 1, column), value) == 0)
            return ix->slots[i];
    return 0;
}

static void indexPut(const struct table *t, struct columnIndex *ix,
                     size_t column, uint32_t entry)
{
    size_t i = hashString(cell(t, entry - 1, column)) & (ix->cap - 1);
    while (ix->slots[i])
        i = (i + 1) & (ix->cap - 1);
    ix->slots[i] = entry;
    ix->used++;
}

/* Keep the load factor at most 1/2 so probe runs stay short. */
static int indexGrow(const struct table *t, struct columnIndex *ix,
                     size_t column)
{
    struct columnIndex bigger = {.cap = ix->cap ? ix->cap * 2 : 64};
    bigger.slots = calloc(bigger.cap, sizeof(uint32_t));
    if (!bigger.slots)
        return -1;
    for (size_t i = 0; i < ix->cap; i++)
        if (ix->slots[i])
            indexPut(t, &bigger, column, ix->slots[i]);
    free(ix->slots);
    *ix = bigger;
    return 0;
}

/* Index `row` under `column` unless an earlier row has the same value. */
static int indexAdd(struct table *t, size_t column, size_t row)
{
    struct columnIndex *ix = &t->indexes[column];
    if (indexFind(t, column, cell(t, row, column)))
        return 0;
    if ((ix->used + 1) * 2 > ix->cap && indexGrow(t, ix, column) < 0)
        return -1;
    indexPut(t, ix, column, (uint32_t)row + 1);
    return 0;
}

static int tableIndexRow(struct table *t, size_t row, struct sb_error *err)
{
    const char *key = cell(t, row, 0);
    uint32_t first = indexFind(t, 0, key);
    if (first)
        return error_set_at(err, "table_load", t->path, t->lines[row],
                            "duplicate key '%s' (first on line %d)", key,
                            t->lines[first - 1]);
    for (size_t c = 0; c < t->n_columns; c++)
        if (indexAdd(t, c, row) < 0)
            return error_set(err, "internal", "out of memory");
    return 0;
}

static int tableAddRow(struct table *t, struct csvReader *r,
                       struct sb_error *err)
{
    if (r->n_fields != t->n_columns)
        return error_set_at(err, "table_load", r->path, r->record_line,
                            "row has %zu columns, the header has %zu",
                            r->n_fields, t->n_columns);
    if (t->n_rows == TABLES_MAX_ROWS)
        return error_set_at(err, "table_load", r->path, r->record_line,
                            "more than %d rows (limit TABLES_MAX_ROWS)",
                            TABLES_MAX_ROWS);
    if (t->n_rows == t->cap_rows && tableGrow(t) < 0)
        return error_set(err, "internal", "out of memory");
    if (copyFields(r, t->cells + t->n_rows * t->n_columns) < 0)
        return error_set(err, "internal", "out of memory");
    t->lines[t->n_rows] = r->record_line;
    t->n_rows++;
    return tableIndexRow(t, t->n_rows - 1, err);
}

static int tableRead(struct table *t, struct csvReader *r,
                     struct sb_error *err)
{
    int rc = csvNextRow(r, err);
    if (rc == 0)
        return error_set_at(err, "table_load", r->path, 1,
                            "empty file (a header row is required)");
    if (rc < 0 || tableSetHeader(t, r, err) < 0)
        return -1;
    while ((rc = csvNextRow(r, err)) == 1)
        if (tableAddRow(t, r, err) < 0)
            return -1;
    return rc;
}

static FILE *openRegular(const char *path, struct sb_error *err)
{
    struct stat st;
    FILE *f = fopen(path, "rb");
    if (!f) {
        error_set_at(err, "table_load", path, 0, "cannot open: %s",
                     strerror(errno));
        return NULL;
    }
    if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        error_set_at(err, "table_load", path, 0, "not a regular file");
        return NULL;
    }
    return f;
}

static struct table *tableLoad(const char *name, const char *path,
                               struct sb_error *err)
{
    struct csvReader r = {.path = path, .line = 1};
    struct table *t = calloc(1, sizeof(*t));
    if (!t || !(t->name = strdup(name)) || !(t->path = strdup(path)) ||
        !(r.buf = malloc(TABLES_MAX_LINE_BYTES + 2))) {
        error_set(err, "internal", "out of memory");
        goto fail;
    }
    if (!(r.f = openRegular(path, err)))
        goto fail;
    csvSkipBom(&r);
    if (tableRead(t, &r, err) < 0)
        goto fail;
    fclose(r.f);
    free(r.buf);
    free(r.starts);
    return t;
fail:
    if (r.f)
        fclose(r.f);
    free(r.buf);
    free(r.starts);
    tableFree(t);
    return NULL;
}

/* ---- the set ---- */

struct tables *tables_new(void)
{
    struct tables *tables = calloc(1, sizeof(*tables));
    if (!tables)
        return NULL;
    tables->by_name = xmlHashCreate(16);
    if (!tables->by_name) {
        free(tables);
        return NULL;
    }
    return tables;
}

void tables_free(struct tables *tables)
{
    if (!tables)
        return;
    for (size_t i = 0; i < tables->n; i++)
        tableFree(tables->items[i]);
    free(tables->items);
    xmlHashFree(tables->by_name, NULL);
    free(tables);
}

static const struct table *findTable(const struct tables *tables,
                                     const char *name)
{
    if (!tables || !name)
        return NULL;
    return xmlHashLookup(tables->by_name, (const xmlChar *)name);
}

static int tablesInsert(struct tables *tables, struct table *t)
{
    if (tables->n == tables->cap) {
        size_t cap = tables->cap ? tables->cap * 2 : 8;
        struct table **items = realloc(tables->items, cap * sizeof(*items));
        if (!items)
            return -1;
        tables->items = items;
        tables->cap = cap;
    }
    if (xmlHashAddEntry(tables->by_name, (const xmlChar *)t->name, t) < 0)
        return -1;
    tables->items[tables->n++] = t;
    return 0;
}

int tables_add_file(struct tables *tables, const char *name,
                    const char *path, struct sb_error *err)
{
    if (!tables)
        return error_set(err, "internal", "no table set");
    if (!name || !name[0])
        return error_set_at(err, "table_load", path, 0, "empty table name");
    if (findTable(tables, name))
        return error_set_at(err, "table_load", path, 0,
                            "a table named '%s' is already loaded", name);
    struct table *t = tableLoad(name, path, err);
    if (!t)
        return -1;
    if (tablesInsert(tables, t) < 0) {
        tableFree(t);
        return error_set(err, "internal", "out of memory");
    }
    return 0;
}

static int isTableFile(const struct dirent *entry)
{
    size_t len = strlen(entry->d_name);
    return entry->d_name[0] != '.' && len > 4 &&
           strcmp(entry->d_name + len - 4, ".csv") == 0;
}

static int loadEntry(struct tables *tables, const char *dir,
                     const char *file, struct sb_error *err)
{
    char path[PATH_MAX], name[NAME_MAX + 1];
    size_t dir_len = strlen(dir), file_len = strlen(file);
    size_t name_len = file_len - 4;     /* without ".csv" */
    if (dir_len + 1 + file_len >= sizeof(path) || name_len >= sizeof(name))
        return error_set_at(err, "table_load", file, 0, "path too long");
    memcpy(path, dir, dir_len);
    path[dir_len] = '/';
    memcpy(path + dir_len + 1, file, file_len + 1);
    memcpy(name, file, name_len);
    name[name_len] = 0;
    return tables_add_file(tables, name, path, err);
}

int tables_load_dir(struct tables *tables, const char *dir,
                    struct sb_error *err)
{
    struct dirent **entries = NULL;
    int n = scandir(dir, &entries, isTableFile, alphasort);
    if (n < 0) {
        if (errno == ENOENT)
            return 0;
        return error_set_at(err, "table_load", dir, 0, "cannot read "
                            "directory: %s", strerror(errno));
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (rc == 0 && loadEntry(tables, dir, entries[i]->d_name, err) < 0)
            rc = -1;
        free(entries[i]);
    }
    free(entries);
    return rc;
}

int tables_has(const struct tables *tables, const char *name)
{
    return findTable(tables, name) != NULL;
}

int tables_has_column(const struct tables *tables, const char *name,
                      const char *column)
{
    const struct table *t = findTable(tables, name);
    return t && findColumn(t, column) >= 0;
}

const char *tables_lookup(const struct tables *tables, const char *name,
                          const char *key, const char *column)
{
    const struct table *t = findTable(tables, name);
    if (!t || !key)
        return NULL;
    int c = findColumn(t, column);
    uint32_t row = indexFind(t, 0, key);
    if (c < 0 || !row)
        return NULL;
    return cell(t, row - 1, (size_t)c);
}

const char *tables_reverse_lookup(const struct tables *tables,
                                  const char *name, const char *value,
                                  const char *column)
{
    const struct table *t = findTable(tables, name);
    if (!t || !value)
        return NULL;
    int c = findColumn(t, column);
    if (c < 0)
        return NULL;
    uint32_t row = indexFind(t, (size_t)c, value);
    return row ? cell(t, row - 1, 0) : NULL;
}

size_t tables_count(const struct tables *tables)
{
    return tables ? tables->n : 0;
}
