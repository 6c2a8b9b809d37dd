/*
 * native: a mapping's tables run in C, without libxslt.
 *
 * The compiled stylesheets (compile.h) stay the definition of what a
 * mapping does: `soapbridge compile` prints them, and whatever a plan
 * does not cover runs through them. A plan built from the same tables
 * and XSD model does the common work directly and gives the same bytes:
 *
 * - Response: a well-formed SOAP envelope whose Body holds the
 *   operation's response element is read as it is parsed
 *   (envelope_scan, no tree) and written as the same JSON with the same
 *   warnings. Everything else -- a fault, a missing element, bytes that
 *   are not XML, a strict-mode misfit -- goes to the stylesheet, which
 *   says what is wrong.
 * - Request: the validated json-xml input is written as text, straight
 *   into the envelope, byte for byte as envelope_build writes the
 *   stylesheet's body document (same elements, order, namespace
 *   prefixes and declarations, nil), without a tree.
 *
 * The unit tests run both paths over every recorded case and many
 * variants of each and require identical output.
 *
 * Coverage: literal operations, document (the one wrapper element) or
 * rpc (the wrapper and its parts). A response table may read scalar
 * values (elements of simple type or with an explicit type, attributes),
 * objects and arrays of them; a request table may fill simple-typed
 * elements at any depth from scalar fields, objects, defaults and
 * constants. A field that takes a whole complex element by its schema,
 * an array in a request table, encoded operations and hand-written
 * stylesheets keep the stylesheet.
 */
#ifndef SB_NATIVE_H
#define SB_NATIVE_H

#include <stddef.h>

#include "envelope.h"
#include "error.h"
#include "mapping.h"
#include "stylegen.h"
#include "wsdl.h"
#include "xsltfunc.h"

struct native_plan;

/* The plan of `mapping`'s tables for `op`, or NULL when both need their
 * stylesheets (see above) or memory ran out. `request_stylesheet` is the
 * compiled request stylesheet's document: the request is written with
 * the namespace prefixes it declares. With mapping NULL: the plan of the
 * operation's schema-default response (a zero-config operation; its
 * requests keep the stylesheet). */
struct native_plan *native_plan_new(const struct mapping *mapping,
                                    const struct wsdl_binding *binding,
                                    const struct wsdl_operation *op,
                                    const struct stylegen_options *opt,
                                    xmlDocPtr request_stylesheet);
void native_plan_free(struct native_plan *plan);

/*
 * Convert an upstream response with the plan. Returns 0 with *json
 * (malloc'ed, *len bytes) and the warnings in fctx (whose tables and
 * zones the caller set); 1 when the stylesheet must convert this response
 * (fctx is left empty); -1 with err "internal" when memory ran out.
 */
int native_response(const struct native_plan *plan, const char *data,
                    size_t len, const char *content_type,
                    const struct envelope_limits *limits,
                    struct xsltfunc_context *fctx, char **json, size_t *len_out,
                    struct sb_error *err);

/* Which directions the plan runs itself (the others go through their
 * stylesheets). */
int native_writes_request(const struct native_plan *plan);
int native_reads_response(const struct native_plan *plan);

/*
 * Write the body of the request whose validated json-xml root map is
 * `input`, as the request stylesheet and envelope_build would: the
 * operation's element, declaring the namespaces it uses but those the
 * envelope of `req` declares, is appended to `out` (between
 * envelope_open and envelope_close). Returns 0, 1 when the plan has no
 * request part (the stylesheet writes it; nothing is appended), or -1
 * with err "internal". fctx gives the lookup tables and zones.
 */
int native_request(const struct native_plan *plan, const xmlNode *input,
                   struct xsltfunc_context *fctx,
                   const struct envelope_request *req, struct strbuf *out,
                   struct sb_error *err);

#endif
