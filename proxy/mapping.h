/*
 * mapping: a capability's mapping file (YAML, one capability each, under
 * mappings/), parsed into the read-only struct below, and the validation
 * of a request's input against it.
 *
 * Example (mappings/get_order_status.yaml):
 *
 *   capability: get_order_status
 *   description: Status and shipment date of one order.
 *   access: read                      # read | write
 *   service:
 *     wsdl: wsdl/shipping.wsdl        # relative to the config folder
 *     service: ShippingService        # optional when the WSDL has one
 *     port: ShippingPort              # optional when the service has one
 *     operation: GetOrderStatus
 *     endpoint: http://127.0.0.1:8081/shipping   # optional override
 *   input:
 *     order_id:
 *       type: string                  # string integer number boolean
 *                                     # date datetime object array
 *       required: true
 *       pattern: "^[A-Z][0-9]{4}$"    # POSIX extended regular expression
 *       max_length: 5
 *       to: OrderNo                   # element path in the operation input
 *     priority: {type: string, enum: [low, high], default: low, to: Prio}
 *     lines:                          # array of objects
 *       type: array
 *       to: Lines/Line                # the repeated element
 *       items:                        # fields of each item
 *         sku: {type: string, required: true, to: Sku}
 *   constants:
 *     Channel: BOT                    # element path: literal value
 *   output:
 *     status: {from: Status, lookup: order-status}
 *     shipped_on: {from: ShipDate, type: date, format: YYYYMMDD}
 *     items: {from: Items/Item, type: array, items: {sku: {from: Sku}}}
 *     state: {from: State, values: {A: active, I: inactive}}
 *   # instead of the tables, hand-written stylesheets under xslt/:
 *   request_xslt: xslt/get_order_status.request.xsl
 *   response_xslt: xslt/get_order_status.response.xsl
 *
 * Paths in to:/from: are slash-separated element local names (attributes
 * as @name) relative to the operation's input / output element; the
 * namespaces come from the XSD model.
 *
 * Rules the loader enforces (each violation is an error with its line):
 * - Input-only keys: required, pattern, enum, minimum, maximum,
 *   min_length, max_length, default, to. Output-only: from. Both: type,
 *   description, lookup, values, format, zone, items, fields.
 * - Every output field has from:. Every input field has to:, except an
 *   object (without to: its members are placed under the parent element)
 *   and except when the mapping has request_xslt: then the input table
 *   only validates and no field may have to:, and constants: are refused
 *   (they belong in the stylesheet). output: and response_xslt exclude
 *   each other.
 * - type: object needs fields: (a mapping of fields). type: array takes
 *   items: in one of two forms: `items: {type: integer}` (the item is a
 *   scalar: item_type is that type, no fields) or a mapping of fields
 *   (item_type is MAPPING_TYPE_OBJECT, fields are the item's members);
 *   the form is told by whether items has a `type` key with a scalar
 *   value. An input array needs items:; an output array without it takes
 *   its items from the XSD (item_type MAPPING_TYPE_AUTO).
 * - values: maps a legacy value (key) to the canonical JSON value, like a
 *   lookup table; input fields apply it in reverse. Not with lookup:.
 * - pattern is a POSIX extended regular expression matched anywhere in
 *   the value (write ^ and $ to anchor it); only for string types.
 *   minimum/maximum only for integer and number; enum for string and
 *   number types (compared as numbers for the latter); min_length /
 *   max_length count Unicode characters of a string, or items of an
 *   array. A default must itself pass the field's checks and cannot be
 *   combined with required.
 * - Input dates are ISO 8601: date YYYY-MM-DD, datetime
 *   YYYY-MM-DDThh:mm:ss[.fff][Z|+hh:mm]; format/zone describe the legacy
 *   side only.
 */
#ifndef SB_MAPPING_H
#define SB_MAPPING_H

#include <stddef.h>
#include <libxml/tree.h>

#include "error.h"

enum mapping_access { MAPPING_READ = 0, MAPPING_WRITE };

enum mapping_type {
    MAPPING_TYPE_AUTO = 0,   /* not given: from the XSD type (output) or
                                string (input) */
    MAPPING_TYPE_STRING,
    MAPPING_TYPE_INTEGER,
    MAPPING_TYPE_NUMBER,
    MAPPING_TYPE_BOOLEAN,
    MAPPING_TYPE_DATE,
    MAPPING_TYPE_DATETIME,
    MAPPING_TYPE_OBJECT,
    MAPPING_TYPE_ARRAY
};

struct mapping_value {      /* one entry of an inline value map */
    char *from;
    char *to;
};

struct mapping_field {
    char *name;             /* canonical JSON key */
    enum mapping_type type;
    int line;               /* line in the mapping file */
    int required;
    char *description;

    /* input validation (NULL / -1 when absent) */
    char *pattern;
    void *pattern_compiled; /* regex_t, owned */
    char **enumeration;
    size_t n_enumeration;
    char *minimum, *maximum;   /* literal numbers */
    long min_length, max_length;
    char *default_value;

    char *to;               /* input: target path */
    char *from;             /* output: source path */
    char *lookup;           /* lookup table name */
    struct mapping_value *values;   /* inline value map */
    size_t n_values;
    char *format;           /* legacy date format, e.g. "YYYYMMDD" */
    char *zone;             /* IANA zone of legacy local times */

    struct mapping_field *fields;   /* object members / array items */
    size_t n_fields;
    enum mapping_type item_type;    /* arrays of scalars: item type */
};

struct mapping_constant {
    char *to;
    char *value;
    int line;
};

struct mapping {
    char *file;             /* path it was loaded from */
    char *name;             /* capability name */
    char *description;
    enum mapping_access access;

    char *wsdl;             /* as written (relative to the config folder) */
    char *service, *port, *operation;   /* service/port may be NULL */
    char *endpoint;         /* NULL = the WSDL's soap:address */
    int service_line;       /* line of service:, for messages about it */

    struct mapping_field *inputs;
    size_t n_inputs;
    struct mapping_field *outputs;
    size_t n_outputs;
    struct mapping_constant *constants;
    size_t n_constants;

    char *request_xslt;     /* NULL = compiled from the input table */
    char *response_xslt;    /* NULL = compiled from the output table */
};

/*
 * Parse a mapping file. Returns a new mapping (mapping_free) or NULL with
 * err ("mapping_load") naming the file and line: YAML syntax errors,
 * unknown keys (with the list of known ones), wrong value types, missing
 * capability/service.wsdl/service.operation, a pattern that does not
 * compile, an unknown type or access, both a table and an xslt for the
 * same direction.
 */
struct mapping *mapping_load(const char *path, struct sb_error *err);
void mapping_free(struct mapping *mapping);

/*
 * Validate a request's json-xml document root (an fn:map) against the
 * input fields: required, type (a JSON string for string/date/datetime; a
 * JSON number, or for integer one without fraction or exponent; a
 * boolean), pattern, enum, minimum/maximum, min/max length, nested
 * objects and array items, and unknown fields. Returns 0, or -1 with err
 * code "invalid_input", field set to the path ("lines[1].sku") and a
 * message that starts with that path ("lines[1].sku: required").
 */
int mapping_validate_input(const struct mapping *mapping, xmlNodePtr root,
                           struct sb_error *err);

#endif
