/*
 * stylegen: generates the schema-aware default stylesheets of one WSDL
 * operation from the XSD model.
 *
 * Request stylesheet: json-xml (the request JSON, see jsonxml.h) -> a
 * document <sb:body xmlns:sb="urn:soapbridge"> whose children go into
 * soap:Body: elements in xsd:sequence order whatever the JSON key order,
 * the right namespaces, rpc wrapper elements, xsi:nil for null where
 * nillable, xsi:type where rpc/encoded needs it.
 *
 * Response stylesheet: the SOAP response envelope -> one json-xml fn:map
 * (the data), or <sb:fault> holding a fn:map with the fault's code,
 * subcode, reason, actor, node and detail, or <sb:bad-response reason=""/>
 * when the body lacks the expected element. Arrays for maxOccurs > 1 even
 * with zero or one item, numbers and booleans by XSD type, xsi:nil ->
 * null, attributes as fields, "_value" for the text of simple content,
 * local names as keys. Content the schema does not declare is converted
 * by the generic rule (see stylegen_generic_rule) and reported through
 * sb:warn(), or, with strict, fails the transformation.
 *
 * The JSON shape of an operation: for document/literal with one part
 * whose element is complex, the members of that element; otherwise one
 * member per part (rpc: named by the part, document: by the element).
 *
 * The builder (struct stylegen) is also what compile.c uses to make a
 * mapping's stylesheets: it resolves element paths against the same model
 * and reuses the same per-type templates.
 */
#ifndef SB_STYLEGEN_H
#define SB_STYLEGEN_H

#include <stddef.h>

#include "error.h"
#include "strbuf.h"
#include "wsdl.h"
#include "xsd.h"

#define STYLEGEN_NS "urn:soapbridge"

struct stylegen_options {
    int strict;     /* undeclared content fails instead of warning */
};

/* Whole default stylesheets (malloc'ed text, caller frees), or NULL with
 * err filled (code "stylegen", naming the operation). */
/* The top level of one direction of an operation: document/literal with
 * one part whose element is complex is that element's content (returned
 * here); anything else (NULL) is one member a part. The JSON Schema of
 * an operation follows the same rule. */
const struct xsd_element *stylegen_unwrapped(const struct wsdl_operation *op,
                                             const struct wsdl_body *body);

/* xsd:anyType (complex in XSD terms), anySimpleType, or no type at all:
 * no schema to follow, so the generic rule applies. */
int stylegen_is_any_type(const struct xsd_type *type);

char *stylegen_request(const struct wsdl_binding *binding,
                       const struct wsdl_operation *op,
                       const struct stylegen_options *opt,
                       struct sb_error *err);
char *stylegen_response(const struct wsdl_binding *binding,
                        const struct wsdl_operation *op,
                        const struct stylegen_options *opt,
                        struct sb_error *err);

/* ---- the builder, for compile.c ---- */

struct stylegen;

/* A builder for one stylesheet of `op`. NULL on allocation failure. */
struct stylegen *stylegen_new(const struct wsdl_binding *binding,
                              const struct wsdl_operation *op,
                              const struct stylegen_options *opt);
void stylegen_free(struct stylegen *sg);

/* One step of a resolved element path. */
struct stylegen_step {
    const struct xsd_element *element;     /* NULL for an attribute */
    const struct xsd_attribute *attribute; /* NULL for an element */
    int repeated;                          /* maxOccurs > 1 on the way */
};

/*
 * Resolve one path step `name` ("Item" or "@code") inside `parent`, the
 * type of the previous step, or NULL for the operation's top level in the
 * given direction (output = 1 for the response, 0 for the request).
 * Writes the XPath step ("n2:Item", "@code") into xpath. Returns 0, or -1
 * with err saying which names would have been valid.
 */
int stylegen_resolve(struct stylegen *sg, int output,
                     const struct xsd_type *parent, const char *name,
                     struct stylegen_step *step, struct strbuf *xpath,
                     struct sb_error *err);

/* Append the response conversion of the current node, an element declared
 * as `el`, as a json-xml value with member key `key` (NULL inside an
 * array). */
void stylegen_emit_value(struct stylegen *sg, struct strbuf *out,
                         const struct xsd_element *el, const char *key);

/* Append the conversion of the current node's text as a JSON value of
 * `kind` (a number or boolean that does not parse falls back to a string
 * with a warning), member key `key` (NULL inside an array). */
void stylegen_emit_simple(struct stylegen *sg, struct strbuf *out,
                          enum xsd_json_kind kind, const char *key);

/* Append the XPath expression of a warning (sb:warn, or in strict mode a
 * terminating xsl:message); `message` is an XPath string expression. */
void stylegen_emit_warning(struct stylegen *sg, struct strbuf *out,
                           const char *message);

/* Finish a request stylesheet whose first stage is `input_fragment`: XSLT
 * instructions, evaluated with the request json-xml root map as context,
 * that produce the operation's input json-xml (one fn:map). NULL means no
 * first stage (the default stylesheet). Returns malloc'ed text. */
char *stylegen_finish_request(struct stylegen *sg, const char *input_fragment,
                              struct sb_error *err);

/* Finish a response stylesheet whose data part is `data_fragment`: XSLT
 * instructions evaluated with the operation's output root as context (the
 * output element for unwrapped document/literal, the rpc wrapper, else
 * soap:Body) that produce one fn:map. NULL means the default data part. */
char *stylegen_finish_response(struct stylegen *sg, const char *data_fragment,
                               struct sb_error *err);

/* A prose description of the generic rule, for documentation and tests. */
const char *stylegen_generic_rule(void);

#endif
