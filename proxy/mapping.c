/*
 * mapping: a capability's mapping file parsed into struct mapping, and the
 * validation of a request's json-xml input against its input fields (see
 * mapping.h). Loading happens once per configuration snapshot; validation
 * runs on every request, before anything is sent upstream.
 *
 * Each level of the file (top level, service:, one field, the items of an
 * array of scalars) is read by walking a static table of directives
 * (STYLE.md habit 16); yamldoc has already checked the YAML itself.
 */
#include "mapping.h"

#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonxml.h"
#include "yamldoc.h"

#define LOAD_CODE "mapping_load"
#define INPUT_CODE "invalid_input"
#define MAX_NAME 128            /* bytes in a field name */
#define MAX_CAPABILITY 64       /* bytes in a capability name */
#define MAX_LENGTH_LIMIT 100000000L

/* ---- loading: context and directive tables ---------------------------- */

enum where { WHERE_IN = 1, WHERE_OUT = 2, WHERE_ANY = 3 };

enum scope_kind { SCOPE_TOP, SCOPE_SERVICE, SCOPE_FIELD, SCOPE_ITEMS };

/* Where in the file a table is being walked, for messages and for the
 * direction (input or output) of fields. */
struct scope {
    enum scope_kind kind;
    enum where where;
    char path[SB_ERROR_FIELD_MAX];  /* dotted field name ("lines.sku") */
};

struct loader {
    struct yamldoc *doc;
    struct sb_error *err;
    struct mapping *mapping;
    int has_request_xslt;
};

enum store {
    STORE_STRING,       /* char * at offset */
    STORE_PATH,         /* char * at offset, an element path */
    STORE_NUMBER,       /* char * at offset, a JSON number literal */
    STORE_BOOL,         /* int at offset */
    STORE_LENGTH,       /* long at offset, >= 0 */
    STORE_CALL          /* the handler stores */
};

typedef int directive_fn(struct loader *ld, const struct scope *sc,
                         void *target, const struct yamldoc_node *key,
                         const struct yamldoc_node *value);

struct directive {
    const char *name;
    enum yamldoc_kind kind;     /* the value must be of this kind */
    enum store store;
    size_t offset;
    directive_fn *handler;      /* STORE_CALL only */
    int required;
    enum where where;           /* fields: which direction allows it */
};

static const char *const type_names[] = {
    [MAPPING_TYPE_AUTO] = "auto",
    [MAPPING_TYPE_STRING] = "string",
    [MAPPING_TYPE_INTEGER] = "integer",
    [MAPPING_TYPE_NUMBER] = "number",
    [MAPPING_TYPE_BOOLEAN] = "boolean",
    [MAPPING_TYPE_DATE] = "date",
    [MAPPING_TYPE_DATETIME] = "datetime",
    [MAPPING_TYPE_OBJECT] = "object",
    [MAPPING_TYPE_ARRAY] = "array",
};
#define N_TYPES (sizeof(type_names) / sizeof(type_names[0]))

static int loadFail(struct loader *ld, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int loadFail(struct loader *ld, int line, const char *fmt, ...)
{
    char message[SB_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    return yamldoc_fail(ld->doc, line, ld->err, "%s", message);
}

static char *copyString(const char *s)
{
    size_t len = strlen(s);
    char *copy = malloc(len + 1);
    if (copy)
        memcpy(copy, s, len + 1);
    return copy;
}

/* strdup into *slot, reporting allocation failure at `line`. */
static int storeCopy(struct loader *ld, char **slot, const char *value,
                     int line)
{
    *slot = copyString(value);
    return *slot ? 0 : loadFail(ld, line, "out of memory");
}

/* " in field 'lines.sku'" and the like; "" at the top level. */
static const char *scopeLabel(const struct scope *sc, char *buf, size_t size)
{
    switch (sc->kind) {
    case SCOPE_TOP:
        snprintf(buf, size, "%s", "");
        break;
    case SCOPE_SERVICE:
        snprintf(buf, size, " in service");
        break;
    case SCOPE_FIELD:
        snprintf(buf, size, " in field '%s'", sc->path);
        break;
    case SCOPE_ITEMS:
        snprintf(buf, size, " in items of field '%s'", sc->path);
        break;
    }
    return buf;
}

static const char *directionName(enum where where)
{
    return where == WHERE_IN ? "input" : "output";
}

/* ---- small syntax checks ---------------------------------------------- */

static int isLower(int c) { return c >= 'a' && c <= 'z'; }
static int isUpper(int c) { return c >= 'A' && c <= 'Z'; }
static int isDigit(int c) { return c >= '0' && c <= '9'; }

static int isNameStart(int c) { return isLower(c) || isUpper(c) || c == '_'; }
static int isNameChar(int c) { return isNameStart(c) || isDigit(c); }

/* ^[a-z][a-z0-9_]{0,63}$ */
static int isCapabilityName(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > MAX_CAPABILITY || !isLower((unsigned char)s[0]))
        return 0;
    for (size_t i = 1; i < len; i++)
        if (!isLower((unsigned char)s[i]) && !isDigit((unsigned char)s[i])
            && s[i] != '_')
            return 0;
    return 1;
}

/* ^[A-Za-z_][A-Za-z0-9_]*$, bounded: a key a JSON client can type. */
static int isFieldName(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > MAX_NAME || !isNameStart((unsigned char)s[0]))
        return 0;
    for (size_t i = 1; i < len; i++)
        if (!isNameChar((unsigned char)s[i]))
            return 0;
    return 1;
}

/* One segment of an element path: an XML local name (ASCII subset),
 * optionally @-prefixed for an attribute. */
static size_t segmentLength(const char *s, int *attribute)
{
    size_t i = 0;
    *attribute = s[0] == '@';
    if (*attribute)
        i++;
    if (!isNameStart((unsigned char)s[i]))
        return 0;
    while (isNameChar((unsigned char)s[i]) || s[i] == '-' || s[i] == '.')
        i++;
    return i;
}

/* "Lines/Line", "Customer/@id": names separated by '/', an attribute
 * only as the last step. */
static int isElementPath(const char *s)
{
    for (;;) {
        int attribute = 0;
        size_t len = segmentLength(s, &attribute);
        if (len == 0)
            return 0;
        s += len;
        if (*s == 0)
            return 1;
        if (*s != '/' || attribute)
            return 0;
        s++;
    }
}

/* ---- decimal numbers as text ------------------------------------------ */

/*
 * A JSON number literal, split so that two can be compared exactly
 * without converting to double (12345678901234567890 vs ...889). The
 * value is 0.DIGITS * 10^exponent where DIGITS are the significant digits
 * int[] followed by frac[] (leading zeros stripped).
 */
struct decimal {
    int negative;
    int zero;
    const char *int_digits, *frac_digits;
    size_t int_len, frac_len;
    long exponent;
};

static size_t countDigits(const char *s)
{
    size_t n = 0;
    while (isDigit((unsigned char)s[n]))
        n++;
    return n;
}

/* Parse the exponent part "e-12"; clamped so that absurd exponents keep
 * their order without overflow. */
static long parseExponent(const char *s, size_t len)
{
    int negative = s[0] == '-';
    size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    long value = 0;
    for (; i < len; i++)
        if (value < 100000000L)
            value = value * 10 + (s[i] - '0');
    return negative ? -value : value;
}

static void normaliseDecimal(struct decimal *d)
{
    while (d->int_len > 0 && d->int_digits[0] == '0') {
        d->int_digits++;
        d->int_len--;
    }
    long shift = (long)d->int_len;
    if (d->int_len == 0) {
        while (d->frac_len > 0 && d->frac_digits[0] == '0') {
            d->frac_digits++;
            d->frac_len--;
            shift--;
        }
    }
    d->zero = d->int_len == 0 && d->frac_len == 0;
    for (size_t i = 0; i < d->frac_len; i++)
        if (d->frac_digits[i] != '0')
            d->zero = 0;
    d->exponent += shift;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? ; 0 or -1. */
static int parseDecimal(const char *s, struct decimal *d)
{
    memset(d, 0, sizeof(*d));
    d->negative = s[0] == '-';
    s += d->negative;
    d->int_digits = s;
    d->int_len = countDigits(s);
    if (d->int_len == 0 || (d->int_len > 1 && s[0] == '0'))
        return -1;
    s += d->int_len;
    if (*s == '.') {
        d->frac_digits = ++s;
        d->frac_len = countDigits(s);
        if (d->frac_len == 0)
            return -1;
        s += d->frac_len;
    }
    if (*s == 'e' || *s == 'E') {
        const char *e = ++s;
        s += (*s == '+' || *s == '-');
        size_t n = countDigits(s);
        if (n == 0)
            return -1;
        s += n;
        d->exponent = parseExponent(e, (size_t)(s - e));
    }
    if (*s != 0)
        return -1;
    normaliseDecimal(d);
    return 0;
}

static int isIntegerLiteral(const char *s)
{
    struct decimal d;
    return parseDecimal(s, &d) == 0 && !strpbrk(s, ".eE");
}

static char digitAt(const struct decimal *d, size_t k)
{
    if (k < d->int_len)
        return d->int_digits[k];
    k -= d->int_len;
    return k < d->frac_len ? d->frac_digits[k] : '0';
}

static int compareMagnitude(const struct decimal *a, const struct decimal *b)
{
    if (a->zero || b->zero)
        return b->zero - a->zero;
    if (a->exponent != b->exponent)
        return a->exponent < b->exponent ? -1 : 1;
    size_t n = a->int_len + a->frac_len;
    if (b->int_len + b->frac_len > n)
        n = b->int_len + b->frac_len;
    for (size_t k = 0; k < n; k++) {
        char x = digitAt(a, k), y = digitAt(b, k);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

/* <0, 0, >0 like strcmp, for two parsed decimals. */
static int compareDecimal(const struct decimal *a, const struct decimal *b)
{
    int a_negative = a->negative && !a->zero;
    int b_negative = b->negative && !b->zero;
    if (a_negative != b_negative)
        return a_negative ? -1 : 1;
    int magnitude = compareMagnitude(a, b);
    return a_negative ? -magnitude : magnitude;
}

/* Compare two literals already known to be valid. */
static int compareNumbers(const char *a, const char *b)
{
    struct decimal x, y;
    parseDecimal(a, &x);
    parseDecimal(b, &y);
    return compareDecimal(&x, &y);
}

/* ---- dates as text ---------------------------------------------------- */

/* ISO 8601 / RFC 3339 forms, which is what the canonical JSON uses for
 * dates; legacy formats are the stylesheets' business. */
static int readDigits(const char *s, size_t n, int *value)
{
    *value = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isDigit((unsigned char)s[i]))
            return 0;
        *value = *value * 10 + (s[i] - '0');
    }
    return 1;
}

static int daysInMonth(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

/* YYYY-MM-DD at the start of s (s[10] is not looked at). */
static int isDatePrefix(const char *s)
{
    int year, month, day;
    return readDigits(s, 4, &year) && s[4] == '-'
        && readDigits(s + 5, 2, &month) && s[7] == '-'
        && readDigits(s + 8, 2, &day) && month >= 1 && month <= 12
        && day >= 1 && day <= daysInMonth(year, month);
}

static int isDateText(const char *s)
{
    return isDatePrefix(s) && s[10] == 0;
}

/* "", "Z", "+hh:mm" or "-hh:mm" */
static int isOffsetText(const char *s)
{
    int hours, minutes;
    if (s[0] == 0 || strcmp(s, "Z") == 0)
        return 1;
    return (s[0] == '+' || s[0] == '-') && readDigits(s + 1, 2, &hours)
        && s[3] == ':' && readDigits(s + 4, 2, &minutes) && s[6] == 0
        && hours <= 23 && minutes <= 59;
}

/* YYYY-MM-DDThh:mm:ss[.fff][offset]; ss may be 60 (leap second). */
static int isDateTimeText(const char *s)
{
    int hours, minutes, seconds;
    if (!isDatePrefix(s) || s[10] != 'T')
        return 0;
    s += 11;
    if (!readDigits(s, 2, &hours) || s[2] != ':'
        || !readDigits(s + 3, 2, &minutes) || s[5] != ':'
        || !readDigits(s + 6, 2, &seconds) || hours > 23 || minutes > 59
        || seconds > 60)
        return 0;
    s += 8;
    if (*s == '.') {
        size_t n = countDigits(s + 1);
        if (n == 0)
            return 0;
        s += 1 + n;
    }
    return isOffsetText(s);
}

/* ---- freeing ----------------------------------------------------------- */

static void freeFields(struct mapping_field *fields, size_t n);

static void freeField(struct mapping_field *f)
{
    free(f->name);
    free(f->description);
    free(f->pattern);
    if (f->pattern_compiled) {
        regfree(f->pattern_compiled);
        free(f->pattern_compiled);
    }
    for (size_t i = 0; i < f->n_enumeration; i++)
        free(f->enumeration[i]);
    free(f->enumeration);
    free(f->minimum);
    free(f->maximum);
    free(f->default_value);
    free(f->to);
    free(f->from);
    free(f->lookup);
    for (size_t i = 0; i < f->n_values; i++) {
        free(f->values[i].from);
        free(f->values[i].to);
    }
    free(f->values);
    free(f->format);
    free(f->zone);
    freeFields(f->fields, f->n_fields);
}

static void freeFields(struct mapping_field *fields, size_t n)
{
    for (size_t i = 0; i < n; i++)
        freeField(&fields[i]);
    free(fields);
}

void mapping_free(struct mapping *m)
{
    if (!m)
        return;
    free(m->file);
    free(m->name);
    free(m->description);
    free(m->wsdl);
    free(m->service);
    free(m->port);
    free(m->operation);
    free(m->endpoint);
    freeFields(m->inputs, m->n_inputs);
    freeFields(m->outputs, m->n_outputs);
    for (size_t i = 0; i < m->n_constants; i++) {
        free(m->constants[i].to);
        free(m->constants[i].value);
    }
    free(m->constants);
    free(m->request_xslt);
    free(m->response_xslt);
    free(m);
}

/* ---- the generic table walk -------------------------------------------- */

static void knownKeys(const struct directive *table, size_t n,
                      enum where where, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < n && used < size; i++) {
        if (!(table[i].where & where))
            continue;
        int w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
                         table[i].name);
        used += w > 0 ? (size_t)w : 0;
    }
}

static const struct directive *findDirective(const struct directive *table,
                                             size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

static int unknownKey(struct loader *ld, const struct scope *sc,
                      const struct directive *table, size_t n,
                      const struct yamldoc_node *key)
{
    char known[320], label[SB_ERROR_FIELD_MAX + 32];
    knownKeys(table, n, sc->where, known, sizeof(known));
    return loadFail(ld, key->line, "unknown key '%s'%s (known: %s)",
                    key->value, scopeLabel(sc, label, sizeof(label)), known);
}

static int storeNumber(struct loader *ld, char **slot,
                       const struct yamldoc_node *key,
                       const struct yamldoc_node *value)
{
    struct decimal d;
    if (parseDecimal(value->value, &d) < 0)
        return loadFail(ld, value->line, "'%s' must be a number, not '%s'",
                        key->value, value->value);
    return storeCopy(ld, slot, value->value, value->line);
}

static int storePath(struct loader *ld, char **slot,
                     const struct yamldoc_node *key,
                     const struct yamldoc_node *value)
{
    if (!isElementPath(value->value))
        return loadFail(ld, value->line, "'%s': '%s' is not an element path"
                        " (names separated by /, @name for an attribute)",
                        key->value, value->value);
    return storeCopy(ld, slot, value->value, value->line);
}

static int storeValue(struct loader *ld, const struct scope *sc,
                      const struct directive *d, void *target,
                      const struct yamldoc_node *key,
                      const struct yamldoc_node *value)
{
    char what[96];
    void *slot = (char *)target + d->offset;
    snprintf(what, sizeof(what), "'%s'", d->name);
    switch (d->store) {
    case STORE_STRING:
        if (yamldoc_is_null(value))
            return loadFail(ld, value->line, "'%s' needs a value", d->name);
        return storeCopy(ld, slot, value->value, value->line);
    case STORE_PATH:
        return storePath(ld, slot, key, value);
    case STORE_NUMBER:
        return storeNumber(ld, slot, key, value);
    case STORE_BOOL:
        return yamldoc_bool(ld->doc, value, what, slot, ld->err);
    case STORE_LENGTH:
        return yamldoc_long(ld->doc, value, what, 0, MAX_LENGTH_LIMIT, slot,
                            ld->err);
    case STORE_CALL:
        return d->handler(ld, sc, target, key, value);
    }
    return loadFail(ld, key->line, "internal: bad directive '%s'", d->name);
}

static int wrongDirection(struct loader *ld, const struct scope *sc,
                          const struct yamldoc_node *key)
{
    return loadFail(ld, key->line, "'%s' is for %s fields, not %s field '%s'",
                    key->value, directionName(WHERE_ANY & ~sc->where),
                    directionName(sc->where), sc->path);
}

/*
 * Walk the pairs of `node` against `table`, storing into `target`.
 * Missing required keys are reported at `line` (the line of the key that
 * introduced this mapping).
 */
static int walkTable(struct loader *ld, const struct scope *sc,
                     const struct directive *table, size_t n,
                     const struct yamldoc_node *node, void *target, int line)
{
    unsigned long seen = 0;
    char what[96], label[SB_ERROR_FIELD_MAX + 32];
    for (size_t i = 0; i < node->count; i++) {
        const struct yamldoc_node *key = node->keys[i];
        const struct directive *d = findDirective(table, n, key->value);
        if (!d)
            return unknownKey(ld, sc, table, n, key);
        if (!(d->where & sc->where))
            return wrongDirection(ld, sc, key);
        snprintf(what, sizeof(what), "'%s'", d->name);
        if (yamldoc_expect(ld->doc, node->items[i], d->kind, what, ld->err))
            return -1;
        if (storeValue(ld, sc, d, target, key, node->items[i]) < 0)
            return -1;
        seen |= 1UL << (d - table);
    }
    for (size_t i = 0; i < n; i++)
        if (table[i].required && !(seen & (1UL << i)))
            return loadFail(ld, line, "missing '%s'%s", table[i].name,
                            scopeLabel(sc, label, sizeof(label)));
    return 0;
}

/* ---- field directives -------------------------------------------------- */

static int parseFields(struct loader *ld, const struct scope *parent,
                       const struct yamldoc_node *node, enum where where,
                       struct mapping_field **out, size_t *n_out);

static int typeByName(const char *name, enum mapping_type *type)
{
    for (size_t i = MAPPING_TYPE_STRING; i < N_TYPES; i++)
        if (strcmp(type_names[i], name) == 0) {
            *type = (enum mapping_type)i;
            return 0;
        }
    return -1;
}

static int unknownType(struct loader *ld, const struct yamldoc_node *value)
{
    char known[160];
    size_t used = 0;
    for (size_t i = MAPPING_TYPE_STRING; i < N_TYPES; i++) {
        int w = snprintf(known + used, sizeof(known) - used, "%s%s",
                         used ? ", " : "", type_names[i]);
        used += w > 0 ? (size_t)w : 0;
    }
    return loadFail(ld, value->line, "unknown type '%s' (known: %s)",
                    value->value, known);
}

static int setType(struct loader *ld, const struct scope *sc, void *target,
                   const struct yamldoc_node *key,
                   const struct yamldoc_node *value)
{
    struct mapping_field *f = target;
    (void)sc;
    (void)key;
    if (typeByName(value->value, &f->type) < 0)
        return unknownType(ld, value);
    return 0;
}

static int setPattern(struct loader *ld, const struct scope *sc, void *target,
                      const struct yamldoc_node *key,
                      const struct yamldoc_node *value)
{
    struct mapping_field *f = target;
    char message[200];
    (void)key;
    if (storeCopy(ld, &f->pattern, value->value, value->line) < 0)
        return -1;
    regex_t *re = calloc(1, sizeof(*re));
    if (!re)
        return loadFail(ld, value->line, "out of memory");
    int rc = regcomp(re, value->value, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        regerror(rc, re, message, sizeof(message));
        free(re);
        return loadFail(ld, value->line, "pattern of field '%s' does not"
                        " compile: %s", sc->path, message);
    }
    f->pattern_compiled = re;
    return 0;
}

static int setEnum(struct loader *ld, const struct scope *sc, void *target,
                   const struct yamldoc_node *key,
                   const struct yamldoc_node *value)
{
    struct mapping_field *f = target;
    (void)sc;
    if (value->count == 0)
        return loadFail(ld, value->line, "'%s' must not be empty", key->value);
    f->enumeration = calloc(value->count, sizeof(char *));
    if (!f->enumeration)
        return loadFail(ld, value->line, "out of memory");
    for (size_t i = 0; i < value->count; i++) {
        const struct yamldoc_node *item = value->items[i];
        if (yamldoc_expect(ld->doc, item, YAMLDOC_SCALAR, "an enum value",
                           ld->err) < 0)
            return -1;
        if (storeCopy(ld, &f->enumeration[i], item->value, item->line) < 0)
            return -1;
        f->n_enumeration++;
    }
    return 0;
}

static int setValues(struct loader *ld, const struct scope *sc, void *target,
                     const struct yamldoc_node *key,
                     const struct yamldoc_node *value)
{
    struct mapping_field *f = target;
    (void)sc;
    (void)key;
    f->values = calloc(value->count ? value->count : 1, sizeof(*f->values));
    if (!f->values)
        return loadFail(ld, value->line, "out of memory");
    for (size_t i = 0; i < value->count; i++) {
        const struct yamldoc_node *to = value->items[i];
        struct mapping_value *v = &f->values[i];
        if (yamldoc_expect(ld->doc, to, YAMLDOC_SCALAR, "a value map entry",
                           ld->err) < 0)
            return -1;
        f->n_values++;
        if (storeCopy(ld, &v->from, value->keys[i]->value, to->line) < 0
            || storeCopy(ld, &v->to, to->value, to->line) < 0)
            return -1;
    }
    return 0;
}

static int setFields(struct loader *ld, const struct scope *sc, void *target,
                     const struct yamldoc_node *key,
                     const struct yamldoc_node *value)
{
    struct mapping_field *f = target;
    (void)key;
    return parseFields(ld, sc, value, sc->where, &f->fields, &f->n_fields);
}

static int setItemType(struct loader *ld, const struct scope *sc,
                       void *target, const struct yamldoc_node *key,
                       const struct yamldoc_node *value)
{
    struct mapping_field *f = target;
    enum mapping_type type = MAPPING_TYPE_AUTO;
    (void)sc;
    (void)key;
    if (typeByName(value->value, &type) < 0)
        return unknownType(ld, value);
    if (type == MAPPING_TYPE_OBJECT || type == MAPPING_TYPE_ARRAY)
        return loadFail(ld, value->line, "items type must be a scalar type;"
                        " for objects give the item fields");
    f->item_type = type;
    return 0;
}

/* The items of an array of scalars: {type: integer}. */
static const struct directive item_directives[] = {
    {"type", YAMLDOC_SCALAR, STORE_CALL, 0, setItemType, 1, WHERE_ANY},
};

/*
 * items: either the description of a scalar item ({type: integer}: its
 * `type` is a scalar) or the fields of each object item (a field named
 * "type" would have a mapping as value).
 */
static int setItems(struct loader *ld, const struct scope *sc, void *target,
                    const struct yamldoc_node *key,
                    const struct yamldoc_node *value)
{
    struct mapping_field *f = target;
    const struct yamldoc_node *type = yamldoc_get(value, "type");
    if (type && type->kind == YAMLDOC_SCALAR) {
        struct scope items = *sc;
        items.kind = SCOPE_ITEMS;
        return walkTable(ld, &items, item_directives, 1, value, f,
                         key->line);
    }
    f->item_type = MAPPING_TYPE_OBJECT;
    return parseFields(ld, sc, value, sc->where, &f->fields, &f->n_fields);
}

#define FIELD_AT(member) offsetof(struct mapping_field, member)

static const struct directive field_directives[] = {
    {"type", YAMLDOC_SCALAR, STORE_CALL, 0, setType, 0, WHERE_ANY},
    {"required", YAMLDOC_SCALAR, STORE_BOOL, FIELD_AT(required), NULL, 0,
     WHERE_IN},
    {"description", YAMLDOC_SCALAR, STORE_STRING, FIELD_AT(description),
     NULL, 0, WHERE_ANY},
    {"pattern", YAMLDOC_SCALAR, STORE_CALL, 0, setPattern, 0, WHERE_IN},
    {"enum", YAMLDOC_SEQUENCE, STORE_CALL, 0, setEnum, 0, WHERE_IN},
    {"minimum", YAMLDOC_SCALAR, STORE_NUMBER, FIELD_AT(minimum), NULL, 0,
     WHERE_IN},
    {"maximum", YAMLDOC_SCALAR, STORE_NUMBER, FIELD_AT(maximum), NULL, 0,
     WHERE_IN},
    {"min_length", YAMLDOC_SCALAR, STORE_LENGTH, FIELD_AT(min_length), NULL,
     0, WHERE_IN},
    {"max_length", YAMLDOC_SCALAR, STORE_LENGTH, FIELD_AT(max_length), NULL,
     0, WHERE_IN},
    {"default", YAMLDOC_SCALAR, STORE_STRING, FIELD_AT(default_value), NULL,
     0, WHERE_IN},
    {"to", YAMLDOC_SCALAR, STORE_PATH, FIELD_AT(to), NULL, 0, WHERE_IN},
    {"from", YAMLDOC_SCALAR, STORE_PATH, FIELD_AT(from), NULL, 0, WHERE_OUT},
    {"lookup", YAMLDOC_SCALAR, STORE_STRING, FIELD_AT(lookup), NULL, 0,
     WHERE_ANY},
    {"values", YAMLDOC_MAPPING, STORE_CALL, 0, setValues, 0, WHERE_ANY},
    {"format", YAMLDOC_SCALAR, STORE_STRING, FIELD_AT(format), NULL, 0,
     WHERE_ANY},
    {"zone", YAMLDOC_SCALAR, STORE_STRING, FIELD_AT(zone), NULL, 0,
     WHERE_ANY},
    {"items", YAMLDOC_MAPPING, STORE_CALL, 0, setItems, 0, WHERE_ANY},
    {"fields", YAMLDOC_MAPPING, STORE_CALL, 0, setFields, 0, WHERE_ANY},
};
#define N_FIELD_DIRECTIVES \
    (sizeof(field_directives) / sizeof(field_directives[0]))
/* walkTable marks the keys it has seen in the bits of an unsigned long */
_Static_assert(N_FIELD_DIRECTIVES <= 32, "too many field directives");

/* ---- checks across the keys of one field ------------------------------- */

static int isTextType(enum mapping_type t)
{
    return t == MAPPING_TYPE_AUTO || t == MAPPING_TYPE_STRING
        || t == MAPPING_TYPE_DATE || t == MAPPING_TYPE_DATETIME;
}

static int isNumericType(enum mapping_type t)
{
    return t == MAPPING_TYPE_INTEGER || t == MAPPING_TYPE_NUMBER;
}

/* The line of `key` in the field's mapping, or the field's own line. */
static int keyLine(const struct yamldoc_node *node, const char *key, int line)
{
    for (size_t i = 0; i < node->count; i++)
        if (strcmp(node->keys[i]->value, key) == 0)
            return node->keys[i]->line;
    return line;
}

static int checkShape(struct loader *ld, const struct scope *sc,
                      const struct mapping_field *f,
                      const struct yamldoc_node *node)
{
    const char *name = sc->path;
    if (yamldoc_get(node, "items") && f->type != MAPPING_TYPE_ARRAY)
        return loadFail(ld, keyLine(node, "items", f->line), "field '%s':"
                        " 'items' needs type: array", name);
    if (yamldoc_get(node, "fields") && f->type != MAPPING_TYPE_OBJECT)
        return loadFail(ld, keyLine(node, "fields", f->line), "field '%s':"
                        " 'fields' needs type: object", name);
    if (f->type == MAPPING_TYPE_OBJECT && !yamldoc_get(node, "fields"))
        return loadFail(ld, f->line, "object field '%s' needs 'fields'", name);
    if (f->type == MAPPING_TYPE_ARRAY && sc->where == WHERE_IN
        && !yamldoc_get(node, "items"))
        return loadFail(ld, f->line, "array field '%s' needs 'items'", name);
    if (f->lookup && f->values)
        return loadFail(ld, keyLine(node, "values", f->line), "field '%s'"
                        " has both 'lookup' and 'values'", name);
    return 0;
}

static int isNumberLiteral(const char *s)
{
    struct decimal d;
    return parseDecimal(s, &d) == 0;
}

static int checkEnumNumbers(struct loader *ld, const struct mapping_field *f,
                            const struct yamldoc_node *node, const char *name)
{
    for (size_t i = 0; i < f->n_enumeration; i++) {
        const char *v = f->enumeration[i];
        int ok = f->type == MAPPING_TYPE_INTEGER ? isIntegerLiteral(v)
                                                 : isNumberLiteral(v);
        if (!ok)
            return loadFail(ld, keyLine(node, "enum", f->line), "field '%s':"
                            " enum value '%s' is not a%s %s", name, v,
                            f->type == MAPPING_TYPE_INTEGER ? "n" : "",
                            type_names[f->type]);
    }
    return 0;
}

/* Which constraints fit which type. */
static int checkConstraints(struct loader *ld, const struct scope *sc,
                            const struct mapping_field *f,
                            const struct yamldoc_node *node)
{
    const char *name = sc->path;
    const char *type = type_names[f->type];
    if ((f->minimum || f->maximum) && !isNumericType(f->type))
        return loadFail(ld, keyLine(node, f->minimum ? "minimum" : "maximum",
                        f->line), "field '%s': minimum/maximum need type"
                        " integer or number, not %s", name, type);
    if (f->minimum && f->maximum && compareNumbers(f->minimum, f->maximum) > 0)
        return loadFail(ld, keyLine(node, "minimum", f->line), "field '%s':"
                        " minimum is greater than maximum", name);
    if ((f->min_length >= 0 || f->max_length >= 0) && !isTextType(f->type)
        && f->type != MAPPING_TYPE_ARRAY)
        return loadFail(ld, keyLine(node, f->min_length >= 0 ? "min_length"
                        : "max_length", f->line), "field '%s': min_length/"
                        "max_length need a string or array type, not %s",
                        name, type);
    if (f->min_length >= 0 && f->max_length >= 0
        && f->min_length > f->max_length)
        return loadFail(ld, keyLine(node, "min_length", f->line), "field"
                        " '%s': min_length is greater than max_length", name);
    if (f->pattern && !isTextType(f->type))
        return loadFail(ld, keyLine(node, "pattern", f->line), "field '%s':"
                        " pattern needs a string type, not %s", name, type);
    if (f->enumeration && !isTextType(f->type) && !isNumericType(f->type))
        return loadFail(ld, keyLine(node, "enum", f->line), "field '%s': enum"
                        " needs a string or number type, not %s", name, type);
    if (f->enumeration && isNumericType(f->type))
        return checkEnumNumbers(ld, f, node, name);
    return 0;
}

static int checkDefault(struct loader *ld, const struct scope *sc,
                        const struct mapping_field *f,
                        const struct yamldoc_node *node);

static int checkTarget(struct loader *ld, const struct scope *sc,
                       const struct mapping_field *f,
                       const struct yamldoc_node *node)
{
    const char *name = sc->path;
    if (sc->where == WHERE_OUT && !f->from)
        return loadFail(ld, f->line, "output field '%s' needs 'from'", name);
    if (sc->where != WHERE_IN)
        return 0;
    if (f->required && f->default_value)
        return loadFail(ld, keyLine(node, "default", f->line), "field '%s' is"
                        " required and has a default", name);
    if (f->default_value && checkDefault(ld, sc, f, node) < 0)
        return -1;
    /* an object without `to` only groups members under the parent */
    if (!f->to && !ld->has_request_xslt && f->type != MAPPING_TYPE_OBJECT)
        return loadFail(ld, f->line, "input field '%s' needs 'to' (or the"
                        " mapping needs request_xslt)", name);
    if (f->to && ld->has_request_xslt)
        return loadFail(ld, keyLine(node, "to", f->line), "field '%s' has"
                        " 'to' but the mapping uses request_xslt", name);
    return 0;
}

static int parseField(struct loader *ld, const struct scope *sc,
                      struct mapping_field *f, const struct yamldoc_node *node)
{
    char what[SB_ERROR_FIELD_MAX + 16];
    snprintf(what, sizeof(what), "field '%s'", sc->path);
    if (yamldoc_expect(ld->doc, node, YAMLDOC_MAPPING, what, ld->err) < 0)
        return -1;
    if (yamldoc_get(node, "to") && yamldoc_get(node, "from"))
        return loadFail(ld, f->line, "field '%s' has both 'to' and 'from'",
                        sc->path);
    if (walkTable(ld, sc, field_directives, N_FIELD_DIRECTIVES, node, f,
                  f->line) < 0)
        return -1;
    if (checkShape(ld, sc, f, node) < 0
        || checkConstraints(ld, sc, f, node) < 0
        || checkTarget(ld, sc, f, node) < 0)
        return -1;
    return 0;
}

/* Append s to buf (size bytes, *used filled), cutting it off if full. */
static void appendText(char *buf, size_t size, size_t *used, const char *s)
{
    size_t len = strlen(s);
    if (len > size - 1 - *used)
        len = size - 1 - *used;
    memcpy(buf + *used, s, len);
    *used += len;
    buf[*used] = 0;
}

/* The dotted name only labels messages: a cut-off one is harmless. */
static void childScope(struct scope *child, const struct scope *parent,
                       enum where where, const char *name)
{
    int nested = parent->kind == SCOPE_FIELD || parent->kind == SCOPE_ITEMS;
    child->kind = SCOPE_FIELD;
    child->where = where;
    size_t used = 0;
    child->path[0] = 0;
    if (nested) {
        appendText(child->path, sizeof(child->path), &used, parent->path);
        appendText(child->path, sizeof(child->path), &used, ".");
    }
    appendText(child->path, sizeof(child->path), &used, name);
}

/* A mapping of field name -> field; *out is set at once so that the
 * caller's cleanup frees whatever was filled. */
static int parseFields(struct loader *ld, const struct scope *parent,
                       const struct yamldoc_node *node, enum where where,
                       struct mapping_field **out, size_t *n_out)
{
    *out = calloc(node->count ? node->count : 1, sizeof(**out));
    if (!*out)
        return loadFail(ld, node->line, "out of memory");
    for (size_t i = 0; i < node->count; i++) {
        const struct yamldoc_node *key = node->keys[i];
        struct mapping_field *f = &(*out)[i];
        struct scope sc;
        *n_out = i + 1;
        f->line = key->line;
        f->min_length = f->max_length = -1;
        if (!isFieldName(key->value))
            return loadFail(ld, key->line, "field name '%s' must match"
                            " ^[A-Za-z_][A-Za-z0-9_]*$", key->value);
        if (storeCopy(ld, &f->name, key->value, key->line) < 0)
            return -1;
        childScope(&sc, parent, where, key->value);
        if (parseField(ld, &sc, f, node->items[i]) < 0)
            return -1;
    }
    return 0;
}

/* ---- top-level directives ---------------------------------------------- */

static int setCapability(struct loader *ld, const struct scope *sc,
                         void *target, const struct yamldoc_node *key,
                         const struct yamldoc_node *value)
{
    struct mapping *m = target;
    (void)sc;
    (void)key;
    if (!isCapabilityName(value->value))
        return loadFail(ld, value->line, "capability name '%s' must match"
                        " ^[a-z][a-z0-9_]{0,63}$", value->value);
    return storeCopy(ld, &m->name, value->value, value->line);
}

static int setAccess(struct loader *ld, const struct scope *sc, void *target,
                     const struct yamldoc_node *key,
                     const struct yamldoc_node *value)
{
    struct mapping *m = target;
    (void)sc;
    (void)key;
    if (strcmp(value->value, "read") == 0)
        m->access = MAPPING_READ;
    else if (strcmp(value->value, "write") == 0)
        m->access = MAPPING_WRITE;
    else
        return loadFail(ld, value->line, "access must be read or write, not"
                        " '%s'", value->value);
    return 0;
}

#define MAPPING_AT(member) offsetof(struct mapping, member)

static const struct directive service_directives[] = {
    {"wsdl", YAMLDOC_SCALAR, STORE_STRING, MAPPING_AT(wsdl), NULL, 1,
     WHERE_ANY},
    {"service", YAMLDOC_SCALAR, STORE_STRING, MAPPING_AT(service), NULL, 0,
     WHERE_ANY},
    {"port", YAMLDOC_SCALAR, STORE_STRING, MAPPING_AT(port), NULL, 0,
     WHERE_ANY},
    {"operation", YAMLDOC_SCALAR, STORE_STRING, MAPPING_AT(operation), NULL,
     1, WHERE_ANY},
    {"endpoint", YAMLDOC_SCALAR, STORE_STRING, MAPPING_AT(endpoint), NULL, 0,
     WHERE_ANY},
};

static int setService(struct loader *ld, const struct scope *sc, void *target,
                      const struct yamldoc_node *key,
                      const struct yamldoc_node *value)
{
    struct scope service = *sc;
    service.kind = SCOPE_SERVICE;
    ((struct mapping *)target)->service_line = key->line;
    return walkTable(ld, &service, service_directives,
                     sizeof(service_directives) / sizeof(service_directives[0]),
                     value, target, key->line);
}

static int setInput(struct loader *ld, const struct scope *sc, void *target,
                    const struct yamldoc_node *key,
                    const struct yamldoc_node *value)
{
    struct mapping *m = target;
    (void)key;
    return parseFields(ld, sc, value, WHERE_IN, &m->inputs, &m->n_inputs);
}

static int setOutput(struct loader *ld, const struct scope *sc, void *target,
                     const struct yamldoc_node *key,
                     const struct yamldoc_node *value)
{
    struct mapping *m = target;
    (void)key;
    return parseFields(ld, sc, value, WHERE_OUT, &m->outputs, &m->n_outputs);
}

static int setConstants(struct loader *ld, const struct scope *sc,
                        void *target, const struct yamldoc_node *key,
                        const struct yamldoc_node *value)
{
    struct mapping *m = target;
    (void)sc;
    (void)key;
    m->constants = calloc(value->count ? value->count : 1,
                          sizeof(*m->constants));
    if (!m->constants)
        return loadFail(ld, value->line, "out of memory");
    for (size_t i = 0; i < value->count; i++) {
        const struct yamldoc_node *path = value->keys[i], *v = value->items[i];
        struct mapping_constant *c = &m->constants[m->n_constants++];
        c->line = path->line;
        if (yamldoc_expect(ld->doc, v, YAMLDOC_SCALAR, "a constant",
                           ld->err) < 0
            || storePath(ld, &c->to, key, path) < 0
            || storeCopy(ld, &c->value, v->value, v->line) < 0)
            return -1;
    }
    return 0;
}

static const struct directive top_directives[] = {
    {"capability", YAMLDOC_SCALAR, STORE_CALL, 0, setCapability, 1,
     WHERE_ANY},
    {"description", YAMLDOC_SCALAR, STORE_STRING, MAPPING_AT(description),
     NULL, 0, WHERE_ANY},
    {"access", YAMLDOC_SCALAR, STORE_CALL, 0, setAccess, 0, WHERE_ANY},
    {"service", YAMLDOC_MAPPING, STORE_CALL, 0, setService, 1, WHERE_ANY},
    {"input", YAMLDOC_MAPPING, STORE_CALL, 0, setInput, 0, WHERE_ANY},
    {"output", YAMLDOC_MAPPING, STORE_CALL, 0, setOutput, 0, WHERE_ANY},
    {"constants", YAMLDOC_MAPPING, STORE_CALL, 0, setConstants, 0,
     WHERE_ANY},
    {"request_xslt", YAMLDOC_SCALAR, STORE_STRING, MAPPING_AT(request_xslt),
     NULL, 0, WHERE_ANY},
    {"response_xslt", YAMLDOC_SCALAR, STORE_STRING,
     MAPPING_AT(response_xslt), NULL, 0, WHERE_ANY},
};

/* A stylesheet replaces the table of its direction; both at once would
 * leave one of them silently unused. */
static int checkXsltConflicts(struct loader *ld,
                              const struct yamldoc_node *root)
{
    const struct mapping *m = ld->mapping;
    if (m->request_xslt && m->n_constants)
        return loadFail(ld, keyLine(root, "constants", 1), "'constants' and"
                        " 'request_xslt' both given: constants belong in the"
                        " stylesheet");
    if (m->response_xslt && yamldoc_get(root, "output"))
        return loadFail(ld, keyLine(root, "output", 1), "'output' and"
                        " 'response_xslt' both given: use one");
    return 0;
}

static int loadTree(struct loader *ld, const struct yamldoc_node *root)
{
    struct scope top = {SCOPE_TOP, WHERE_ANY, ""};
    if (yamldoc_expect(ld->doc, root, YAMLDOC_MAPPING, "a mapping file",
                       ld->err) < 0)
        return -1;
    ld->has_request_xslt = yamldoc_get(root, "request_xslt") != NULL;
    if (walkTable(ld, &top, top_directives,
                  sizeof(top_directives) / sizeof(top_directives[0]), root,
                  ld->mapping, root->line) < 0)
        return -1;
    return checkXsltConflicts(ld, root);
}

struct mapping *mapping_load(const char *path, struct sb_error *err)
{
    struct loader ld = {NULL, err, NULL, 0};
    ld.doc = yamldoc_load(path, LOAD_CODE, NULL, err);
    if (!ld.doc)
        return NULL;
    ld.mapping = calloc(1, sizeof(*ld.mapping));
    if (!ld.mapping) {
        loadFail(&ld, 0, "out of memory");
        goto fail;
    }
    if (storeCopy(&ld, &ld.mapping->file, path, 0) < 0)
        goto fail;
    if (loadTree(&ld, yamldoc_root(ld.doc)) < 0)
        goto fail;
    yamldoc_free(ld.doc);
    return ld.mapping;
fail:
    mapping_free(ld.mapping);
    yamldoc_free(ld.doc);
    return NULL;
}

/* ---- validation of a request ------------------------------------------- */

/* The JSON path of the value being checked ("lines[1].sku"). */
struct checker {
    struct sb_error *err;
    char path[SB_ERROR_FIELD_MAX];
    size_t len;
};

static int checkFail(struct checker *ch, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int checkFail(struct checker *ch, const char *fmt, ...)
{
    char message[SB_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    if (ch->len == 0)   /* checking a default at load time */
        return error_set(ch->err, INPUT_CODE, "%s", message);
    return error_set_field(ch->err, INPUT_CODE, ch->path, "%s: %s", ch->path,
                           message);
}

/* Append to the path; returns the old length for popPath. */
static size_t pushPath(struct checker *ch, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static size_t pushPath(struct checker *ch, const char *fmt, ...)
{
    size_t old = ch->len;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(ch->path + ch->len, sizeof(ch->path) - ch->len, fmt, ap);
    va_end(ap);
    if (w > 0)
        ch->len += (size_t)w;
    if (ch->len >= sizeof(ch->path))
        ch->len = sizeof(ch->path) - 1;
    return old;
}

static void popPath(struct checker *ch, size_t old)
{
    ch->len = old;
    ch->path[old] = 0;
}

/* "map", "string", ... for elements in the json-xml namespace, else "". */
static const char *jsonKind(const xmlNode *node)
{
    if (node->type != XML_ELEMENT_NODE || !node->ns || !node->ns->href
        || strcmp((const char *)node->ns->href, JSONXML_NS) != 0)
        return "";
    return (const char *)node->name;
}

/* The JSON name of a json-xml element, for "got ..." messages. */
static const char *jsonTypeName(const xmlNode *node)
{
    const char *kind = jsonKind(node);
    if (strcmp(kind, "map") == 0)
        return "object";
    return kind[0] ? kind : "unknown";
}

static int isKind(const xmlNode *node, const char *kind)
{
    return strcmp(jsonKind(node), kind) == 0;
}

static const char *memberKey(const xmlNode *node)
{
    xmlAttrPtr key = xmlHasProp((xmlNodePtr)node, (const xmlChar *)"key");
    if (!key || !key->children || !key->children->content)
        return "";
    return (const char *)key->children->content;
}

static const xmlNode *findMember(const xmlNode *map, const char *name)
{
    for (const xmlNode *c = map->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp(memberKey(c), name) == 0)
            return c;
    return NULL;
}

static const struct mapping_field *findField(const struct mapping_field *fs,
                                             size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(fs[i].name, name) == 0)
            return &fs[i];
    return NULL;
}

static void joinNames(const struct mapping_field *fs, size_t n, char *buf,
                      size_t size)
{
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < n && used < size; i++) {
        int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                         fs[i].name);
        used += w > 0 ? (size_t)w : 0;
    }
}

static void joinEnum(const struct mapping_field *f, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < f->n_enumeration && used < size; i++) {
        int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                         f->enumeration[i]);
        used += w > 0 ? (size_t)w : 0;
    }
}

/* Unicode characters in UTF-8 text: every byte but continuation bytes. */
static long countCharacters(const char *s)
{
    long n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static int checkEnumValue(struct checker *ch, const struct mapping_field *f,
                          enum mapping_type type, const char *text)
{
    char list[SB_ERROR_MESSAGE_MAX / 2];
    for (size_t i = 0; i < f->n_enumeration; i++) {
        int same = isNumericType(type)
                 ? compareNumbers(text, f->enumeration[i]) == 0
                 : strcmp(text, f->enumeration[i]) == 0;
        if (same)
            return 0;
    }
    joinEnum(f, list, sizeof(list));
    return checkFail(ch, "must be one of %s", list);
}

static int checkText(struct checker *ch, const struct mapping_field *f,
                     const char *text)
{
    long chars = countCharacters(text);
    if (f->pattern_compiled && regexec(f->pattern_compiled, text, 0, NULL, 0))
        return checkFail(ch, "does not match pattern %s", f->pattern);
    if (f->max_length >= 0 && chars > f->max_length)
        return checkFail(ch, "longer than %ld characters", f->max_length);
    if (f->min_length >= 0 && chars < f->min_length)
        return checkFail(ch, "shorter than %ld characters", f->min_length);
    return 0;
}

static int checkNumber(struct checker *ch, const struct mapping_field *f,
                       enum mapping_type type, const char *text)
{
    struct decimal d;
    if (parseDecimal(text, &d) < 0)
        return checkFail(ch, "not a valid number");
    if (type == MAPPING_TYPE_INTEGER && strpbrk(text, ".eE"))
        return checkFail(ch, "expected integer, got number");
    if (!f)
        return 0;
    if (f->minimum && compareNumbers(text, f->minimum) < 0)
        return checkFail(ch, "must be >= %s", f->minimum);
    if (f->maximum && compareNumbers(text, f->maximum) > 0)
        return checkFail(ch, "must be <= %s", f->maximum);
    return 0;
}

static const char *expectedKind(enum mapping_type type)
{
    if (isNumericType(type))
        return "number";
    if (type == MAPPING_TYPE_BOOLEAN)
        return "boolean";
    return "string";
}

/* The constraints of f apply when f describes this value itself (not
 * when it is an array whose scalar items are checked). */
static int checkScalarText(struct checker *ch, const struct mapping_field *f,
                           enum mapping_type type, const char *text)
{
    if (isNumericType(type) && checkNumber(ch, f, type, text) < 0)
        return -1;
    if (type == MAPPING_TYPE_DATE && !isDateText(text))
        return checkFail(ch, "not a valid date (YYYY-MM-DD)");
    if (type == MAPPING_TYPE_DATETIME && !isDateTimeText(text))
        return checkFail(ch, "not a valid datetime"
                         " (YYYY-MM-DDThh:mm:ss[.fff][Z|+hh:mm])");
    if (!f || type == MAPPING_TYPE_BOOLEAN)
        return 0;
    if (f->n_enumeration && checkEnumValue(ch, f, type, text) < 0)
        return -1;
    return isTextType(type) ? checkText(ch, f, text) : 0;
}

static int checkScalar(struct checker *ch, const struct mapping_field *f,
                       enum mapping_type type, const xmlNode *node)
{
    const char *want = expectedKind(type);
    if (!isKind(node, want))
        return checkFail(ch, "expected %s, got %s",
                         type_names[type ? type : MAPPING_TYPE_STRING],
                         jsonTypeName(node));
    xmlChar *content = xmlNodeGetContent((xmlNodePtr)node);
    int rc = checkScalarText(ch, f, type,
                             content ? (const char *)content : "");
    xmlFree(content);
    return rc;
}

static int checkObject(struct checker *ch, const struct mapping_field *fields,
                       size_t n, const xmlNode *map);

static int checkArrayItem(struct checker *ch, const struct mapping_field *f,
                          const xmlNode *item)
{
    if (f->item_type == MAPPING_TYPE_OBJECT) {
        if (!isKind(item, "map"))
            return checkFail(ch, "expected object, got %s",
                             jsonTypeName(item));
        return checkObject(ch, f->fields, f->n_fields, item);
    }
    return checkScalar(ch, NULL, f->item_type, item);
}

static int checkArray(struct checker *ch, const struct mapping_field *f,
                      const xmlNode *array)
{
    long count = 0;
    for (const xmlNode *c = array->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        size_t old = pushPath(ch, "[%ld]", count++);
        int rc = checkArrayItem(ch, f, c);
        popPath(ch, old);
        if (rc < 0)
            return -1;
    }
    if (f->max_length >= 0 && count > f->max_length)
        return checkFail(ch, "more than %ld items", f->max_length);
    if (f->min_length >= 0 && count < f->min_length)
        return checkFail(ch, "fewer than %ld items", f->min_length);
    return 0;
}

static int checkValue(struct checker *ch, const struct mapping_field *f,
                      const xmlNode *node)
{
    if (f->type == MAPPING_TYPE_OBJECT) {
        if (!isKind(node, "map"))
            return checkFail(ch, "expected object, got %s",
                             jsonTypeName(node));
        return checkObject(ch, f->fields, f->n_fields, node);
    }
    if (f->type == MAPPING_TYPE_ARRAY) {
        if (!isKind(node, "array"))
            return checkFail(ch, "expected array, got %s", jsonTypeName(node));
        return checkArray(ch, f, node);
    }
    return checkScalar(ch, f, f->type, node);
}

/* Members no field names: reported before missing ones, since a typo
 * ("orderid") explains the "required" that would follow. */
static int checkUnknownMembers(struct checker *ch,
                               const struct mapping_field *fields, size_t n,
                               const xmlNode *map)
{
    char known[SB_ERROR_MESSAGE_MAX / 2];
    for (const xmlNode *c = map->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE
            || findField(fields, n, memberKey(c)))
            continue;
        joinNames(fields, n, known, sizeof(known));
        pushPath(ch, "%s%s", ch->len ? "." : "", memberKey(c));
        return checkFail(ch, "unknown field (known: %s)",
                         n ? known : "none");
    }
    return 0;
}

static int checkObject(struct checker *ch, const struct mapping_field *fields,
                       size_t n, const xmlNode *map)
{
    if (checkUnknownMembers(ch, fields, n, map) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const struct mapping_field *f = &fields[i];
        const xmlNode *member = findMember(map, f->name);
        size_t old = pushPath(ch, "%s%s", ch->len ? "." : "", f->name);
        int rc = 0;
        if (!member || isKind(member, "null"))
            rc = f->required ? checkFail(ch, "required") : 0;
        else
            rc = checkValue(ch, f, member);
        popPath(ch, old);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int mapping_validate_input(const struct mapping *mapping, xmlNodePtr root,
                           struct sb_error *err)
{
    struct checker ch;
    memset(&ch, 0, sizeof(ch));
    ch.err = err;
    if (!root || !isKind(root, "map"))
        return error_set_field(err, INPUT_CODE, "",
                               "request body must be a JSON object");
    return checkObject(&ch, mapping->inputs, mapping->n_inputs, root);
}

/* A default must itself pass the field's checks: a typo there would
 * otherwise reach the legacy service on every request that omits it. */
static int checkDefault(struct loader *ld, const struct scope *sc,
                        const struct mapping_field *f,
                        const struct yamldoc_node *node)
{
    struct sb_error why;
    struct checker ch;
    const char *value = f->default_value;
    int line = keyLine(node, "default", f->line);
    memset(&ch, 0, sizeof(ch));
    ch.err = &why;
    if (f->type == MAPPING_TYPE_OBJECT || f->type == MAPPING_TYPE_ARRAY)
        return loadFail(ld, line, "field '%s': default needs a scalar type,"
                        " not %s", sc->path, type_names[f->type]);
    if (f->type == MAPPING_TYPE_BOOLEAN && strcmp(value, "true") != 0
        && strcmp(value, "false") != 0)
        return loadFail(ld, line, "field '%s': default '%s': must be true or"
                        " false", sc->path, value);
    if (checkScalarText(&ch, f, f->type, value) < 0)
        return loadFail(ld, line, "field '%s': default '%s': %s", sc->path,
                        value, why.message);
    return 0;
}
