/*
 * xsltfunc: the sb:* XPath extension functions (see xsltfunc.h) that
 * request and response stylesheets call for lookup tables, date and time
 * zone normalisation, and warnings for meta.warnings.
 *
 * The functions are registered once, globally, with libxslt; everything
 * they read or write belongs to one transformation and is reached through
 * the transform context's _private pointer (xsltfunc_attach), so worker
 * threads running transforms at the same time share nothing mutable.
 */
#include "xsltfunc.h"

#include "numtext.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xpathInternals.h>
#include <libxslt/extensions.h>

#define DATE_MAX_FORMAT 64
#define DATE_MAX_OUT 64
#define DATE_MAX_ISO 64
#define WARNING_MAX_BYTES 512
/* Values quoted in messages are cut to this many bytes. */
#define QUOTE_MAX 80

/* ---- date formats: YYYY MM DD hh mm ss and literal characters ---- */

enum dateField { F_YEAR, F_MONTH, F_DAY, F_HOUR, F_MINUTE, F_SECOND, F_NONE };

struct dateParts {
    int64_t year;
    int month, day, hour, minute, second;
};

static const struct {
    const char *token;
    int width;
} dateTokens[F_NONE] = {
    {"YYYY", 4}, {"MM", 2}, {"DD", 2}, {"hh", 2}, {"mm", 2}, {"ss", 2},
};

/* The token at format; every token is one letter repeated, each its
 * own letter (this runs for each character of each date converted). */
static enum dateField fieldAt(const char *format)
{
    enum dateField f;
    switch (*format) {
    case 'Y': f = F_YEAR; break;
    case 'M': f = F_MONTH; break;
    case 'D': f = F_DAY; break;
    case 'h': f = F_HOUR; break;
    case 'm': f = F_MINUTE; break;
    case 's': f = F_SECOND; break;
    default: return F_NONE;
    }
    for (int i = 1; i < dateTokens[f].width; i++)
        if (format[i] != format[0])
            return F_NONE;
    return f;
}

static int checkLength(const char *format, struct sb_error *err)
{
    if (!format || strlen(format) > DATE_MAX_FORMAT)
        return error_set(err, "invalid_date", "date format missing or longer"
                         " than %d characters", DATE_MAX_FORMAT);
    return 0;
}

/* Each field at most once (seen: how often each came); year, month and
 * day required; minutes need hours and seconds need minutes. */
static int checkFields(const char *format, const int *seen, int *has_time,
                       struct sb_error *err)
{
    for (int f = 0; f < F_NONE; f++)
        if (seen[f] > 1)
            return error_set(err, "invalid_date", "date format '%s' repeats"
                             " %s", format, dateTokens[f].token);
    if (!seen[F_YEAR] || !seen[F_MONTH] || !seen[F_DAY] ||
        (seen[F_MINUTE] && !seen[F_HOUR]) || (seen[F_SECOND] &&
                                              !seen[F_MINUTE]))
        return error_set(err, "invalid_date", "date format '%s' needs YYYY,"
                         " MM and DD (and hh before mm before ss)", format);
    *has_time = seen[F_HOUR];
    return 0;
}

static int checkFormat(const char *format, int *has_time,
                       struct sb_error *err)
{
    int seen[F_NONE] = {0};
    if (checkLength(format, err) < 0)
        return -1;
    for (const char *p = format; *p;) {
        enum dateField f = fieldAt(p);
        if (f == F_NONE) {
            p++;
            continue;
        }
        seen[f]++;
        p += dateTokens[f].width;
    }
    return checkFields(format, seen, has_time, err);
}

static int setField(struct dateParts *p, enum dateField f, int v)
{
    switch (f) {
    case F_YEAR: p->year = v; break;
    case F_MONTH: p->month = v; break;
    case F_DAY: p->day = v; break;
    case F_HOUR: p->hour = v; break;
    case F_MINUTE: p->minute = v; break;
    case F_SECOND: p->second = v; break;
    default: return -1;
    }
    return 0;
}

static int getField(const struct dateParts *p, enum dateField f)
{
    switch (f) {
    case F_YEAR: return (int)p->year;
    case F_MONTH: return p->month;
    case F_DAY: return p->day;
    case F_HOUR: return p->hour;
    case F_MINUTE: return p->minute;
    default: return p->second;
    }
}

/* Exactly `width` ASCII digits. */
static int readDigits(const char **s, int width, int *out)
{
    int v = 0;
    for (int i = 0; i < width; i++) {
        char c = (*s)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *s += width;
    *out = v;
    return 0;
}

/* value read by format; seen counts the fields read. */
static int parseByFormat(const char *value, const char *format,
                         struct dateParts *p, int *seen)
{
    memset(p, 0, sizeof(*p));
    while (*format) {
        enum dateField f = fieldAt(format);
        int v;
        if (f == F_NONE) {
            if (*value++ != *format++)
                return -1;
            continue;
        }
        if (readDigits(&value, dateTokens[f].width, &v) < 0)
            return -1;
        setField(p, f, v);
        seen[f]++;
        format += dateTokens[f].width;
    }
    return *value ? -1 : 0;
}

/* v as `width` digits, zero-padded. Digits by hand: this runs for every
 * date of every response, and snprintf costs more than the rest of the
 * conversion. */
static void putDigits(char *out, int v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10)
        out[i] = (char)('0' + v % 10);
}

/* Write the parts by format (fields zero-padded to their width; every
 * field is in range after validParts). */
static int renderByFormat(const struct dateParts *p, const char *format,
                          char *out, size_t size)
{
    size_t n = 0;
    while (*format) {
        enum dateField f = fieldAt(format);
        int width = f == F_NONE ? 1 : dateTokens[f].width;
        if (n + (size_t)width >= size)
            return -1;
        if (f == F_NONE) {
            out[n++] = *format++;
            continue;
        }
        putDigits(out + n, getField(p, f), width);
        n += (size_t)width;
        format += width;
    }
    out[n] = 0;
    return 0;
}

/* YYYY-MM-DD, or YYYY-MM-DDThh:mm:ssZ with has_time. */
static int renderIso(const struct dateParts *p, int has_time, char *out,
                     size_t size)
{
    if (size < (has_time ? 21u : 11u))
        return -1;
    putDigits(out, (int)p->year, 4);
    out[4] = '-';
    putDigits(out + 5, p->month, 2);
    out[7] = '-';
    putDigits(out + 8, p->day, 2);
    if (!has_time) {
        out[10] = 0;
        return 0;
    }
    out[10] = 'T';
    putDigits(out + 11, p->hour, 2);
    out[13] = ':';
    putDigits(out + 14, p->minute, 2);
    out[16] = ':';
    putDigits(out + 17, p->second, 2);
    memcpy(out + 19, "Z", 2);
    return 0;
}

static int validParts(const struct dateParts *p)
{
    return p->year >= 0 && p->year <= 9999 && p->month >= 1 &&
           p->month <= 12 && p->day >= 1 &&
           p->day <= tz_days_in_month(p->year, p->month) && p->hour >= 0 &&
           p->hour <= 23 && p->minute >= 0 && p->minute <= 59 &&
           p->second >= 0 && p->second <= 59;
}

static int64_t partsToSeconds(const struct dateParts *p)
{
    return tz_days_from_civil(p->year, p->month, p->day) * 86400 +
           p->hour * 3600 + p->minute * 60 + p->second;
}

static void secondsToParts(int64_t t, struct dateParts *p)
{
    int64_t days = t / 86400, rest = t % 86400;
    if (rest < 0) {
        rest += 86400;
        days--;
    }
    tz_civil_from_days(days, &p->year, &p->month, &p->day);
    p->hour = (int)(rest / 3600);
    p->minute = (int)(rest / 60 % 60);
    p->second = (int)(rest % 60);
}

static int isUtcZone(const char *zone)
{
    return !zone || !zone[0] || strcmp(zone, "UTC") == 0 ||
           strcmp(zone, "Z") == 0;
}

static int unknownZone(const char *zone, struct sb_error *err)
{
    return error_set(err, "unknown_zone", "time zone '%.*s' is not loaded",
                     QUOTE_MAX, zone);
}

static int badValue(const char *value, const char *format, const char *why,
                    struct sb_error *err)
{
    return error_set(err, "invalid_date", "date '%.*s' %s '%s'", QUOTE_MAX,
                     value ? value : "", why, format);
}

int xsltfunc_date_to_iso(const struct tz_set *zones, const char *value,
                         const char *format, const char *zone, char *out,
                         size_t size, struct sb_error *err)
{
    struct dateParts p;
    int has_time, seen[F_NONE] = {0};
    if (checkLength(format, err) < 0)
        return -1;
    /* The format is checked by what reading the value saw; only a value
     * that does not match needs the format read by itself, so that a
     * wrong format is named as such. */
    if (!value || parseByFormat(value, format, &p, seen) < 0)
        return checkFormat(format, &has_time, err) < 0
                   ? -1 : badValue(value, format, "does not match format", err);
    if (checkFields(format, seen, &has_time, err) < 0)
        return -1;
    if (!validParts(&p))
        return badValue(value, format, "is not a valid date for format", err);
    if (has_time) {
        time_t utc = partsToSeconds(&p);
        if (!isUtcZone(zone) && tz_local_to_utc(zones, zone, utc, &utc) < 0)
            return unknownZone(zone, err);
        secondsToParts(utc, &p);
        if (!validParts(&p))
            return badValue(value, format, "is out of range for format", err);
    }
    if (renderIso(&p, has_time, out, size) < 0)
        return error_set(err, "invalid_date", "output buffer too small");
    return 0;
}

/* ---- ISO 8601 input: date, or date T time [.fraction] [Z | +-hh[:]mm] */

struct isoTime {
    struct dateParts parts;
    int has_time;
    long offset;        /* seconds east of UTC given in the value */
};

static int parseIsoOffset(const char *s, long *offset)
{
    int h, m = 0, sign;
    if (*s == 'Z' || *s == 'z')
        return s[1] ? -1 : 0;
    if (*s != '+' && *s != '-')
        return -1;
    sign = *s++ == '-' ? -1 : 1;
    if (readDigits(&s, 2, &h) < 0 || h > 23)
        return -1;
    int colon = *s == ':';
    s += colon;
    if ((colon || *s) && (readDigits(&s, 2, &m) < 0 || m > 59))
        return -1;
    *offset = sign * (h * 3600L + m * 60L);
    return *s ? -1 : 0;
}

static int parseIsoTime(const char *s, struct isoTime *iso)
{
    struct dateParts *p = &iso->parts;
    if (readDigits(&s, 2, &p->hour) < 0 || *s++ != ':' ||
        readDigits(&s, 2, &p->minute) < 0)
        return -1;
    if (*s == ':' && (++s, readDigits(&s, 2, &p->second) < 0))
        return -1;
    /* Fractions are dropped: legacy formats stop at seconds. */
    if (*s == '.' || *s == ',') {
        const char *digits = ++s;
        while (*s >= '0' && *s <= '9')
            s++;
        if (s == digits)
            return -1;
    }
    iso->has_time = 1;
    if (!*s)
        return 0;      /* no designator: taken as UTC */
    return parseIsoOffset(s, &iso->offset);
}

static int parseIso(const char *s, struct isoTime *iso)
{
    struct dateParts *p = &iso->parts;
    int year;
    memset(iso, 0, sizeof(*iso));
    if (readDigits(&s, 4, &year) < 0 || *s++ != '-' ||
        readDigits(&s, 2, &p->month) < 0 || *s++ != '-' ||
        readDigits(&s, 2, &p->day) < 0)
        return -1;
    p->year = year;
    if (!*s)
        return 0;
    if (*s != 'T' && *s != 't' && *s != ' ')
        return -1;
    return parseIsoTime(s + 1, iso);
}

/* A date-only ISO value is a calendar date, not an instant: it is
 * written as is (midnight when the format has a time) without zone
 * conversion. */
int xsltfunc_date_from_iso(const struct tz_set *zones, const char *value,
                           const char *format, const char *zone, char *out,
                           size_t size, struct sb_error *err)
{
    struct isoTime iso;
    struct dateParts *p = &iso.parts;
    int has_time;
    if (checkFormat(format, &has_time, err) < 0)
        return -1;
    if (!value || strlen(value) > DATE_MAX_ISO || parseIso(value, &iso) < 0)
        return badValue(value, "ISO 8601", "does not match format", err);
    if (!validParts(p))
        return badValue(value, "ISO 8601", "is not a valid date for format",
                        err);
    if (iso.has_time) {
        int64_t utc = partsToSeconds(p) - iso.offset;
        long offset = 0;
        if (!isUtcZone(zone) &&
            tz_offset_at_utc(zones, zone, utc, &offset) < 0)
            return unknownZone(zone, err);
        secondsToParts(utc + offset, p);
        if (!validParts(p))
            return badValue(value, format, "is out of range for format",
                            err);
    }
    if (renderByFormat(p, format, out, size) < 0)
        return error_set(err, "invalid_date", "output buffer too small");
    return 0;
}

/* ---- warnings ---- */

/* Cut a truncated message back to a whole UTF-8 character. */
static void trimUtf8(char *s, size_t len)
{
    size_t i = len;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (len - (i - 1) < need)
        s[i - 1] = 0;
}

void xsltfunc_warn(struct xsltfunc_context *ctx, const char *fmt, ...)
{
    char buf[WARNING_MAX_BYTES];
    va_list ap;
    if (ctx->n_warnings >= XSLTFUNC_MAX_WARNINGS) {
        ctx->n_dropped++;
        return;
    }
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof(buf))
        trimUtf8(buf, sizeof(buf) - 1);
    char *copy = n < 0 ? NULL : strdup(buf);
    if (!copy) {
        ctx->n_dropped++;
        return;
    }
    ctx->warnings[ctx->n_warnings++] = copy;
}

void xsltfunc_context_clear(struct xsltfunc_context *ctx)
{
    if (!ctx)
        return;
    for (size_t i = 0; i < ctx->n_warnings; i++) {
        free(ctx->warnings[i]);
        ctx->warnings[i] = NULL;
    }
    ctx->n_warnings = 0;
    ctx->n_dropped = 0;
}

void xsltfunc_attach(xsltTransformContextPtr t, struct xsltfunc_context *ctx)
{
    t->_private = ctx;
}

/* ---- the XPath functions ---- */

/* The context of the running transformation; an XPath error if the
 * caller forgot xsltfunc_attach, so the mistake cannot pass silently. */
static struct xsltfunc_context *contextOf(xmlXPathParserContextPtr ctxt)
{
    xsltTransformContextPtr t = xsltXPathGetTransformContext(ctxt);
    if (!t || !t->_private) {
        xmlXPathErr(ctxt, XPATH_INVALID_CTXT);
        return NULL;
    }
    return t->_private;
}

/* Pop nargs arguments as strings (XPath string() semantics) into args,
 * first argument first. Caller frees with freeArgs. */
static int popArgs(xmlXPathParserContextPtr ctxt, int nargs, char **args)
{
    for (int i = nargs - 1; i >= 0; i--) {
        args[i] = (char *)xmlXPathPopString(ctxt);
        if (!args[i] || ctxt->error) {
            for (; i < nargs; i++) {
                xmlFree(args[i]);
                args[i] = NULL;
            }
            if (!ctxt->error)
                xmlXPathErr(ctxt, XPATH_MEMORY_ERROR);
            return -1;
        }
    }
    return 0;
}

static void freeArgs(char **args, int nargs)
{
    for (int i = 0; i < nargs; i++)
        xmlFree(args[i]);
}

static void returnString(xmlXPathParserContextPtr ctxt, const char *s)
{
    xmlXPathObjectPtr obj = xmlXPathNewString((const xmlChar *)(s ? s : ""));
    if (!obj) {
        xmlXPathErr(ctxt, XPATH_MEMORY_ERROR);
        return;
    }
    valuePush(ctxt, obj);
}

/* Common start of every function: arity, context, arguments. */
static struct xsltfunc_context *begin(xmlXPathParserContextPtr ctxt,
                                      int nargs, int min, int max,
                                      char **args)
{
    if (nargs < min || nargs > max) {
        xmlXPathSetArityError(ctxt);
        return NULL;
    }
    struct xsltfunc_context *ctx = contextOf(ctxt);
    if (!ctx || popArgs(ctxt, nargs, args) < 0)
        return NULL;
    return ctx;
}

static void warnMissingTable(struct xsltfunc_context *ctx, const char *table,
                             const char *column)
{
    if (!tables_has(ctx->tables, table))
        xsltfunc_warn(ctx, "lookup table '%.*s' does not exist", QUOTE_MAX,
                   table);
    else
        xsltfunc_warn(ctx, "lookup table '%.*s' has no column '%.*s'",
                   QUOTE_MAX, table, QUOTE_MAX, column ? column : "(second)");
}

const char *xsltfunc_lookup(struct xsltfunc_context *ctx, const char *table,
                            const char *key, const char *column)
{
    const char *value = tables_lookup(ctx->tables, table, key, column);
    if (!value && !tables_has_column(ctx->tables, table, column))
        warnMissingTable(ctx, table, column);
    else if (!value)
        xsltfunc_warn(ctx, "lookup table '%.*s' has no key '%.*s'", QUOTE_MAX,
                      table, QUOTE_MAX, key);
    return value ? value : "";
}

static void functionLookup(xmlXPathParserContextPtr ctxt, int nargs)
{
    char *args[3] = {0};
    struct xsltfunc_context *ctx = begin(ctxt, nargs, 2, 3, args);
    if (!ctx)
        return;
    returnString(ctxt, xsltfunc_lookup(ctx, args[0], args[1], args[2]));
    freeArgs(args, nargs);
}

static void functionReverseLookup(xmlXPathParserContextPtr ctxt, int nargs)
{
    char *args[3] = {0};
    struct xsltfunc_context *ctx = begin(ctxt, nargs, 2, 3, args);
    if (!ctx)
        return;
    const char *table = args[0], *value = args[1], *column = args[2];
    const char *key = tables_reverse_lookup(ctx->tables, table, value,
                                            column);
    if (!key && !tables_has_column(ctx->tables, table, column))
        warnMissingTable(ctx, table, column);
    else if (!key)
        xsltfunc_warn(ctx, "lookup table '%.*s' has no value '%.*s'", QUOTE_MAX,
                   table, QUOTE_MAX, value);
    returnString(ctxt, key);
    freeArgs(args, nargs);
}

typedef int (*dateConverter)(const struct tz_set *, const char *,
                             const char *, const char *, char *, size_t,
                             struct sb_error *);

static void convertDate(xmlXPathParserContextPtr ctxt, int nargs,
                        dateConverter convert)
{
    char *args[3] = {0}, out[DATE_MAX_OUT] = "";
    struct sb_error err;
    struct xsltfunc_context *ctx = begin(ctxt, nargs, 2, 3, args);
    if (!ctx)
        return;
    /* An absent value stays absent, silently. */
    if (args[0][0] &&
        convert(ctx->zones, args[0], args[1], args[2], out, sizeof(out),
                &err) < 0) {
        xsltfunc_warn(ctx, "%s", err.message);
        out[0] = 0;
    }
    returnString(ctxt, out);
    freeArgs(args, nargs);
}

static void functionDateToIso(xmlXPathParserContextPtr ctxt, int nargs)
{
    convertDate(ctxt, nargs, xsltfunc_date_to_iso);
}

static void functionDateFromIso(xmlXPathParserContextPtr ctxt, int nargs)
{
    convertDate(ctxt, nargs, xsltfunc_date_from_iso);
}

static void functionWarn(xmlXPathParserContextPtr ctxt, int nargs)
{
    char *args[1] = {0};
    struct xsltfunc_context *ctx = begin(ctxt, nargs, 1, 1, args);
    if (!ctx)
        return;
    xsltfunc_warn(ctx, "%s", args[0]);
    returnString(ctxt, "");
    freeArgs(args, nargs);
}

/* sb:json-number(text): the JSON spelling of XSD number text, or "" when
 * it is no number JSON can carry (numtext.h); the caller falls back to a
 * string then. */
static void functionJsonNumber(xmlXPathParserContextPtr ctxt, int nargs)
{
    char *args[1] = {0};
    char out[256];
    if (!begin(ctxt, nargs, 1, 1, args))
        return;
    returnString(ctxt, numtext_to_json(args[0], out, sizeof(out)) == 0 ? out
                                                                       : "");
    freeArgs(args, nargs);
}

int xsltfunc_register(void)
{
    static const struct {
        const char *name;
        xmlXPathFunction function;
    } functions[] = {
        {"lookup", functionLookup},
        {"reverse-lookup", functionReverseLookup},
        {"date-to-iso", functionDateToIso},
        {"date-from-iso", functionDateFromIso},
        {"warn", functionWarn},
        {"json-number", functionJsonNumber},
    };
    for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++)
        if (xsltRegisterExtModuleFunction((const xmlChar *)functions[i].name,
                                          (const xmlChar *)SB_XSLT_NS,
                                          functions[i].function) < 0)
            return -1;
    return 0;
}
