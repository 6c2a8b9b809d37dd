/*
 * native: a mapping's output table run in C, without libxslt.
 *
 * The compiled response stylesheet (compile.h) stays the definition of
 * what a mapping does: `soapbridge compile` prints it and every response
 * it is given converts through it. For the common answer -- a well-formed
 * SOAP envelope whose Body holds the operation's response element -- a
 * plan built from the same table and XSD model reads the response as it
 * is parsed (envelope_scan, no tree) and writes the same JSON and the same
 * warnings. Everything else -- a fault, a missing element, bytes that are
 * not XML, a strict-mode violation -- is left to the stylesheet, which
 * says what is wrong. The unit tests run both over every recorded case
 * and require identical output.
 *
 * A plan exists for document/literal operations whose output table reads
 * scalar values (elements of simple type or with an explicit type,
 * attributes), objects and arrays of them; a field that takes a whole
 * complex element by its schema, or an rpc operation, keeps the
 * stylesheet alone.
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

/* The plan of `mapping`'s output table for `op`, or NULL when the table
 * needs the stylesheet (see above) or memory ran out. */
struct native_plan *native_plan_new(const struct mapping *mapping,
                                    const struct wsdl_binding *binding,
                                    const struct wsdl_operation *op,
                                    const struct stylegen_options *opt);
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

#endif
