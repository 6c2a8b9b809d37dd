/*
 * xsltfunc: the extension functions every soapbridge stylesheet may call,
 * in namespace SB_XSLT_NS (conventionally prefix "sb"):
 *
 *   sb:lookup(table, key [, column])   value from a lookup table, or ""
 *                                      (and a warning) when the key is absent
 *   sb:reverse-lookup(table, value [, column])   the key for a value
 *   sb:date-to-iso(value, format [, zone])       legacy date/time -> ISO 8601
 *   sb:date-from-iso(value, format [, zone])     ISO 8601 -> legacy form
 *   sb:json-number(text)               XSD number text spelt as a JSON
 *                                      number ("+1.50" -> "1.50"), or ""
 *   sb:warn(message)                   record a warning for meta.warnings;
 *                                      returns the empty string
 *
 * Formats are patterns of YYYY, MM, DD, hh, mm, ss and literal characters:
 * "YYYYMMDD", "DD.MM.YYYY", "YYYYMMDDhhmmss", "DD.MM.YYYY hh:mm". A format
 * with a time part and a zone (IANA name such as "Europe/Berlin", loaded in
 * the context's tz_set when the configuration was built) converts local time to
 * UTC "2026-11-25T05:00:00Z" and back; without zone the time is taken as
 * UTC. A date-only format gives "2026-11-25". A value that does not match
 * the format yields "" and a warning naming the value and the format; an
 * empty value yields "" without a warning.
 *
 * ISO input (sb:date-from-iso) is "2026-11-25" or a date and time
 * "2026-11-25T05:00[:00[.fff]]" with "Z", "+01:00", "+0100", "+01" or no
 * designator (taken as UTC); fractions of a second are dropped. A date
 * alone is a calendar date, not an instant: it is written as is, at
 * midnight when the format has a time, without zone conversion.
 *
 * Registration with libxslt is global and happens once, from main; the
 * data the functions need (tables, warnings) is per transformation,
 * attached to the xsltTransformContext, so workers share nothing mutable.
 */
#ifndef SB_XSLTFUNC_H
#define SB_XSLTFUNC_H

#include <stddef.h>
#include <libxslt/xsltInternals.h>

#include "error.h"
#include "tables.h"
#include "tz.h"

#define SB_XSLT_NS "urn:soapbridge:xslt"
#define XSLTFUNC_MAX_WARNINGS 32

/* Register the functions with libxslt. Call once, before any transform,
 * from main (or a test's setup). Returns 0 or -1. */
int xsltfunc_register(void);

/* Per-transformation state. Lives on the caller's stack or in the request;
 * warnings are malloc'ed strings freed by xsltfunc_context_clear. */
struct xsltfunc_context {
    const struct tables *tables;   /* may be NULL: every lookup misses */
    const struct tz_set *zones;    /* may be NULL: only UTC is known */
    char *warnings[XSLTFUNC_MAX_WARNINGS];
    size_t n_warnings;
    size_t n_dropped;              /* warnings past the limit */
};

/* Make `ctx` the data of transformation `t` (before xsltApplyStylesheetUser
 * or xsltTransform). */
void xsltfunc_attach(xsltTransformContextPtr t, struct xsltfunc_context *ctx);

/* Free the warnings and reset the counts (tables stays). */
void xsltfunc_context_clear(struct xsltfunc_context *ctx);

/* Record a warning (for meta.warnings) in ctx, cut to a bounded length;
 * past XSLTFUNC_MAX_WARNINGS it is counted as dropped. */
void xsltfunc_warn(struct xsltfunc_context *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* sb:lookup as plain C: the value, or "" and a warning. */
const char *xsltfunc_lookup(struct xsltfunc_context *ctx, const char *table,
                            const char *key, const char *column);

/*
 * The date conversions as plain C (used by the functions above and by
 * tests). Write the result into out (NUL-terminated) and return 0, or
 * return -1 with err ("invalid_date") naming value and format.
 * zone may be NULL or "" for UTC.
 */
int xsltfunc_date_to_iso(const struct tz_set *zones, const char *value,
                         const char *format, const char *zone, char *out,
                         size_t size, struct sb_error *err);
int xsltfunc_date_from_iso(const struct tz_set *zones, const char *value,
                           const char *format, const char *zone, char *out,
                           size_t size, struct sb_error *err);

#endif
