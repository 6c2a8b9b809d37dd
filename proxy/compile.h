/*
 * compile: a capability's mapping table (mapping.h) compiled into a
 * request and a response stylesheet over the operation's XSD model.
 *
 * Request: a first stage builds the operation's input json-xml from the
 * canonical input (renaming fields to element paths, defaults, constants,
 * reverse lookups, ISO dates to legacy forms); the operation's default
 * request templates (stylegen.h) then give schema order, namespaces and
 * nil. Response: each output field is read straight from the response by
 * its from: path, typed by the mapping or else by the XSD type, with
 * lookups, value maps and legacy dates to ISO 8601. A mapped field that
 * is absent in the response is null, so a capability's shape is stable.
 *
 * Every to: and from: path is resolved against the schema at compile
 * time: a misspelt element is an error naming the mapping file, the
 * field's line and the elements that would have been valid.
 */
#ifndef SB_COMPILE_H
#define SB_COMPILE_H

#include "error.h"
#include "mapping.h"
#include "stylegen.h"
#include "tables.h"
#include "wsdl.h"

/*
 * Compile `mapping` for operation `op` of `binding`. On success *request
 * and *response receive malloc'ed stylesheet text (caller frees); a
 * direction that the mapping gives as request_xslt / response_xslt is
 * left NULL. `tables` (may be NULL) checks that named lookup tables exist.
 * Returns 0, or -1 with err ("mapping_compile", file and line).
 */
int compile_mapping(const struct mapping *mapping,
                    const struct wsdl_binding *binding,
                    const struct wsdl_operation *op,
                    const struct tables *tables,
                    const struct stylegen_options *opt, char **request,
                    char **response, struct sb_error *err);

#endif
