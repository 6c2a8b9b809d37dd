/*
 * jsonxml: JSON <-> the W3C XPath 3.1 json-to-xml representation.
 *
 * Every JSON that enters or leaves soapbridge passes through here: the
 * request body becomes a json-xml document that the request stylesheet
 * reads, and the json-xml document that the response stylesheet writes
 * becomes the JSON the bot sees. The form is the one of XPath 3.1
 * fn:json-to-xml, namespace JSONXML_NS: elements map, array, string,
 * number, boolean, null; members of a map carry a key attribute.
 *
 * Conversion is exact: strings keep every Unicode character (escapes are
 * decoded on the way in and re-encoded on the way out), numbers keep their
 * literal text (12345678901234567890 and 0.10000000000000000001 pass
 * through unchanged), key order is preserved.
 */
#ifndef SB_JSONXML_H
#define SB_JSONXML_H

#include <stddef.h>
#include <libxml/tree.h>

#include "error.h"

#define JSONXML_NS "http://www.w3.org/2005/xpath-functions"

struct jsonxml_limits {
    size_t max_depth;       /* nesting of arrays/maps; 0 = default (64) */
    size_t max_bytes;       /* input size; 0 = default (1 MiB) */
    size_t max_string;      /* bytes in one string or key; 0 = default (256 KiB) */
    size_t max_members;     /* members in one map or array; 0 = default (10000) */
};

/*
 * Parse JSON text into a new json-xml document whose root element is the
 * top-level value (usually fn:map). The caller owns the document
 * (xmlFreeDoc). On failure returns NULL and fills err with code
 * "invalid_json" and a message naming the position (byte offset, and the
 * key path where known, also in err->field); duplicate keys ("duplicate
 * key 'a' at order.lines[0] (byte 29)") and nesting deeper than max_depth
 * are errors too ("limit_exceeded" for any limit, naming the limit).
 * Strings holding characters XML 1.0 cannot carry (U+0000, C0 controls
 * other than tab/LF/CR -- so \b and \f too --, U+FFFE, U+FFFF), unpaired
 * surrogate escapes, or invalid UTF-8 are rejected, never altered.
 * limits may be NULL for the defaults.
 */
xmlDocPtr jsonxml_from_json(const char *json, size_t len,
                            const struct jsonxml_limits *limits,
                            struct sb_error *err);

/*
 * Serialize the json-xml element `node` (fn:map, fn:array, fn:string, ...)
 * as compact JSON. Returns a malloc'ed NUL-terminated string the caller
 * frees with free(); *len (if not NULL) receives its length. Numbers are
 * written as their text; a fn:number whose text is not a valid JSON number
 * is an error. Elements outside JSONXML_NS, or a map member without key,
 * fail with code "internal" and a message naming the element, its path
 * and line. Whitespace text nodes between elements, comments and PIs are
 * ignored. yajl_gen limits nesting to 128 levels. `node` may also be the
 * document itself (its root element is converted).
 */
char *jsonxml_to_json(const xmlNode *node, size_t *len, struct sb_error *err);

/*
 * Append the JSON of `node` to a yajl generator (yajl_gen, passed as void*
 * so that this header does not pull in yajl). Used to embed converted data
 * inside a larger canonical envelope. Returns 0 or -1 with err filled.
 */
int jsonxml_generate(void *yajl_gen_handle, const xmlNode *node,
                     struct sb_error *err);

/*
 * Run `fill` on a new JSON generator configured as jsonxml_to_json's
 * (compact, UTF-8 checked, "/" unescaped) and return what it wrote,
 * malloc'ed and NUL-terminated, its length in *len. `expected` (0 if
 * unknown) is the likely length, allocated at once. NULL with err when
 * fill returned -1 (it fills err) or memory ran out.
 */
typedef int (*jsonxml_fill)(void *yajl_gen_handle, const void *arg,
                            struct sb_error *err);
char *jsonxml_write(jsonxml_fill fill, const void *arg, size_t expected,
                    size_t *len, struct sb_error *err);

/* What a yajl_gen_status other than ok means, in words. */
const char *jsonxml_gen_reason(int status);

#endif
