/*
 * jsonschema: the JSON Schema (draft 2020-12) of a capability's input
 * (the request JSON) and output (the "data" of a success), for the
 * daemon's listings (GET /v1/capabilities, /v1/capabilities/{name},
 * /v1/services) and for bots that plan their calls from them.
 *
 * The schemas describe what the engine accepts and produces, not what
 * the WSDL would ideally promise:
 * - A mapped capability's input comes from its input table, with the
 *   rules mapping_validate_input() enforces: type (date and datetime are
 *   strings with format "date" / "date-time"), required, pattern (POSIX
 *   ERE, as written), enum, minimum/maximum, minLength/maxLength (or
 *   minItems/maxItems), default, description; an optional field may be
 *   null; unknown fields are refused at every level.
 * - A mapped capability's output comes from its output table, typed as
 *   compile.c types it: every key is always present; a field is null
 *   when its element is absent, except arrays, which are always arrays;
 *   lookups and value maps give strings, date formats ISO strings (null
 *   when the legacy text does not parse), AUTO the XSD type. With
 *   response_xslt the output is just {"type": "object"} and a
 *   description naming the stylesheet.
 * - A zero-config operation follows stylegen.c: document/literal with one
 *   complex part is that element's content, else one member a part; keys
 *   are local names; maxOccurs > 1 (on the element or a group around it)
 *   is an array; attributes are members; simple content with attributes
 *   is an object with "_value"; integer XSD types are "integer",
 *   decimal/float/double "number", boolean "boolean", anything else
 *   "string"; nillable allows null; xsd:anyType is any JSON in a request
 *   and string/object/null in a response.
 * - Zero-config requests are closed (additionalProperties false unless
 *   the type has a wildcard) and say what the XSD needs: required by
 *   minOccurs / use="required" (every part of a multi-part message),
 *   minItems/maxItems from the element's own occurrences, the facets
 *   (enum, pattern made ECMA-262 and anchored, minimum/maximum and the
 *   exclusive ones, lengths; the sign of unsigned/positive/negative
 *   integer types; format "date" / "date-time" for xsd:date /
 *   xsd:dateTime), a required xsd:choice as an "anyOf" asking
 *   for at least one branch (its members are optional), simple content
 *   also as the bare value when no attribute is required.
 * - Zero-config responses are open (undeclared content arrives by the
 *   generic rule, with a warning) and carry types only: required lists
 *   just what the engine always writes (arrays, "_value"); no facets,
 *   since responses are converted, not validated, and a number that does
 *   not parse arrives as a string with a warning.
 * - Complex types used more than once, recursive, or nested deeper than
 *   16 levels are written once under "$defs" and referenced with "$ref".
 */
#ifndef SB_JSONSCHEMA_H
#define SB_JSONSCHEMA_H

#include <stddef.h>
#include <yajl/yajl_gen.h>

#include "confdir.h"
#include "error.h"

#define JSONSCHEMA_DIALECT "https://json-schema.org/draft/2020-12/schema"

/*
 * Write the input / output schema of `cap` as one JSON object into
 * `gen`, where a value may come next (top level, array item, or after a
 * map key), so that it can be embedded in a larger document. "$ref"s
 * point into the object's own "$defs" ("#/$defs/NAME"): a consumer takes
 * the object as a schema of its own. Returns 0, or -1 with err ("internal":
 * the generator failed, or the capability does not fit its model); the
 * generator may then hold a partial document, which the caller discards.
 */
int jsonschema_gen_input(yajl_gen gen, const struct capability *cap,
                         struct sb_error *err);
int jsonschema_gen_output(yajl_gen gen, const struct capability *cap,
                          struct sb_error *err);

/*
 * The same as a standalone JSON text (indented by two spaces and ending
 * with a newline when `pretty`), malloc'ed and NUL-terminated; the caller
 * frees it. *len (if len is not NULL) receives its length. NULL with err
 * on failure.
 */
char *jsonschema_input_text(const struct capability *cap, int pretty,
                            size_t *len, struct sb_error *err);
char *jsonschema_output_text(const struct capability *cap, int pretty,
                             size_t *len, struct sb_error *err);

#endif
