/*
 * stylegen: schema-aware default stylesheets, generated from the XSD model
 * of one WSDL operation (see stylegen.h for the conventions).
 *
 * Generation is text: one named template per XSD type and direction
 * ("q3" fills a request element of type #3 from a json-xml map, "r3"
 * turns a response element of type #3 into map members), generated on
 * demand from a worklist so that recursive types terminate, plus the
 * fixed helper templates of the generic rule. The text is what
 * `soapbridge compile` prints, so it is written to be read.
 */
#include "stylegen.h"

#include <stdlib.h>
#include <string.h>

#include "jsonxml.h"
#include "xsltfunc.h"

#define EXSLT_COMMON_NS "http://exslt.org/common"
#define XSL_NS "http://www.w3.org/1999/XSL/Transform"

struct typeslot {
    const struct xsd_type *type;
    int output;         /* 1: response template "rN", 0: request "qN" */
    int generated;
};

struct stylegen {
    const struct wsdl_binding *binding;
    const struct wsdl_operation *op;
    struct stylegen_options opt;
    char **namespaces;          /* prefix of namespaces[i] is "n<i+1>" */
    size_t n_namespaces;
    struct typeslot *types;
    size_t n_types, cap_types;
    struct strbuf templates;
    struct xsd_element *parts[2];   /* top-level members, by direction */
    size_t n_parts[2];
    int n_vars;
    int failed;
};

/* The top level of one direction: unwrapped document/literal (the single
 * part's complex element) or a list of members (parts). */
static const struct wsdl_body *bodyOf(const struct stylegen *sg, int output)
{
    return output ? &sg->op->output : &sg->op->input;
}

const struct xsd_element *stylegen_unwrapped(const struct wsdl_operation *op,
                                             const struct wsdl_body *body)
{
    if (op->style == WSDL_RPC || body->n_parts != 1)
        return NULL;
    const struct xsd_element *el = body->parts[0]->element;
    if (!el || !el->type || !el->type->is_complex ||
        el->type->is_soapenc_array || el->type->simple_content)
        return NULL;
    return el;
}

static const struct xsd_element *unwrappedElement(const struct stylegen *sg,
                                                  int output)
{
    return stylegen_unwrapped(sg->op, bodyOf(sg, output));
}

/* xsd:anyType (complex in XSD terms) and anySimpleType: no schema to
 * follow, so the generic rule applies. */
int stylegen_is_any_type(const struct xsd_type *type)
{
    if (!type)
        return 1;
    if (!type->is_complex)
        return type->json_kind == XSD_JSON_ANY;
    return type->name && type->ns && strcmp(type->ns, XSD_NS) == 0 &&
           strcmp(type->name, "anyType") == 0;
}

static int isRepeated(int max_occurs)
{
    return max_occurs == XSD_UNBOUNDED || max_occurs > 1;
}

/* ---- namespaces and names ---- */

static size_t prefixIndex(struct stylegen *sg, const char *ns)
{
    for (size_t i = 0; i < sg->n_namespaces; i++)
        if (strcmp(sg->namespaces[i], ns) == 0)
            return i + 1;
    char **grown = realloc(sg->namespaces,
                           (sg->n_namespaces + 1) * sizeof(*grown));
    char *copy = strdup(ns);
    if (!grown || !copy) {
        free(copy);
        if (grown)
            sg->namespaces = grown;
        sg->failed = 1;
        return 0;
    }
    sg->namespaces = grown;
    sg->namespaces[sg->n_namespaces++] = copy;
    return sg->n_namespaces;
}

/* Append "nK:name", or "name" when ns is empty. */
static void putQName(struct stylegen *sg, struct strbuf *out, const char *ns,
                     const char *name)
{
    /* The xml: namespace is bound to its prefix and may not be declared
     * (Namespaces in XML 1.0, section 3). */
    if (ns && xmlStrEqual(BAD_CAST ns, XML_XML_NAMESPACE))
        strbuf_puts(out, "xml:");
    else if (ns && ns[0])
        strbuf_printf(out, "n%zu:", prefixIndex(sg, ns));
    strbuf_puts(out, name);
}

/* ---- per-type template names ---- */

static size_t typeSlot(struct stylegen *sg, const struct xsd_type *type,
                       int output)
{
    for (size_t i = 0; i < sg->n_types; i++)
        if (sg->types[i].type == type && sg->types[i].output == output)
            return i + 1;
    if (sg->n_types == sg->cap_types) {
        size_t cap = sg->cap_types ? sg->cap_types * 2 : 16;
        struct typeslot *grown = realloc(sg->types, cap * sizeof(*grown));
        if (!grown) {
            sg->failed = 1;
            return 0;
        }
        sg->types = grown;
        sg->cap_types = cap;
    }
    sg->types[sg->n_types] = (struct typeslot){type, output, 0};
    return ++sg->n_types;
}

static void callTypeTemplate(struct stylegen *sg, struct strbuf *out,
                             const struct xsd_type *type, int output)
{
    strbuf_printf(out, "<xsl:call-template name=\"%c%zu\"/>",
                  output ? 'r' : 'q', typeSlot(sg, type, output));
}

/* Names already emitted in one template: a name that appears twice in a
 * content model (choice branches, restated extension) is emitted once. */
struct seen {
    const struct xsd_element *items[256];
    size_t n;
};

static int seenBefore(struct seen *seen, const struct xsd_element *el)
{
    for (size_t i = 0; i < seen->n; i++) {
        const struct xsd_element *o = seen->items[i];
        int same_ns = (!o->ns && !el->ns) ||
                      (o->ns && el->ns && strcmp(o->ns, el->ns) == 0);
        if (same_ns && strcmp(o->name, el->name) == 0)
            return 1;
    }
    if (seen->n < sizeof(seen->items) / sizeof(seen->items[0]))
        seen->items[seen->n++] = el;
    return 0;
}

/* ---- warnings ---- */

/* Report undeclared content: a warning, or in strict mode the end of the
 * transformation. `message` is an XPath string expression. */
void stylegen_emit_warning(struct stylegen *sg, struct strbuf *out,
                           const char *message)
{
    /* In strict mode the warning is recorded first so that the failed
     * transformation can say why it stopped. */
    strbuf_printf(out, "<xsl:value-of select=\"sb:warn(%s)\"/>", message);
    if (sg->opt.strict)
        strbuf_puts(out, "<xsl:message terminate=\"yes\">strict: "
                         "undeclared content</xsl:message>");
}

/* ---- request side: json-xml -> SOAP body ---- */

static void putRequestContent(struct stylegen *sg, struct strbuf *out,
                              const struct xsd_type *type);

static void putXsiType(struct stylegen *sg, struct strbuf *out,
                       const struct xsd_type *type)
{
    if (!type || !type->name || type->is_soapenc_array)
        return;
    strbuf_puts(out, " xsi:type=\"");
    putQName(sg, out, type->ns, type->name);
    strbuf_puts(out, "\"");
}

static int isEncoded(const struct stylegen *sg)
{
    return sg->op->input.use == WSDL_ENCODED;
}

/* Append the start tag of `el` (without the closing '>'). */
static void putStartTag(struct stylegen *sg, struct strbuf *out,
                        const struct xsd_element *el)
{
    strbuf_puts(out, "<");
    putQName(sg, out, el->ns, el->name);
    if (isEncoded(sg))
        putXsiType(sg, out, el->type);
}

static void putEndTag(struct stylegen *sg, struct strbuf *out,
                      const struct xsd_element *el)
{
    strbuf_puts(out, "</");
    putQName(sg, out, el->ns, el->name);
    strbuf_puts(out, ">");
}

/* One request element: every matching JSON member (each item, when the
 * element repeats) becomes one element, in the schema's position. */
static void putRequestElement(struct stylegen *sg, struct strbuf *out,
                              const struct xsd_element *el, int repeated)
{
    const char *n = el->name;
    if (repeated)
        strbuf_printf(out, "<xsl:for-each select=\"(*[@key='%s']"
                           "[not(self::fn:array)] | fn:array[@key='%s']/*)",
                      n, n);
    else
        strbuf_printf(out, "<xsl:for-each select=\"*[@key='%s']", n);
    strbuf_puts(out, el->nillable ? "\">" : "[not(self::fn:null)]\">");
    if (el->nillable) {
        strbuf_puts(out, "<xsl:choose><xsl:when test=\"self::fn:null\">");
        putStartTag(sg, out, el);
        strbuf_puts(out, " xsi:nil=\"true\"/></xsl:when><xsl:otherwise>");
    }
    putStartTag(sg, out, el);
    strbuf_puts(out, ">");
    putRequestContent(sg, out, el->type);
    putEndTag(sg, out, el);
    if (el->nillable)
        strbuf_puts(out, "</xsl:otherwise></xsl:choose>");
    strbuf_puts(out, "</xsl:for-each>\n");
}

static void putRequestParticle(struct stylegen *sg, struct strbuf *out,
                               const struct xsd_particle *p, int repeated,
                               struct seen *seen)
{
    if (!p)
        return;
    repeated = repeated || isRepeated(p->max_occurs);
    if (p->kind == XSD_PARTICLE_ELEMENT) {
        if (!seenBefore(seen, p->element))
            putRequestElement(sg, out, p->element, repeated);
        return;
    }
    for (size_t i = 0; i < p->n_children; i++)
        putRequestParticle(sg, out, p->children[i], repeated, seen);
}

/* A soapenc:Array: the JSON array's items become <item> elements, and the
 * array carries soapenc:arrayType="T[n]" (SOAP 1.1 section 5.4.2). */
static void putRequestSoapArray(struct stylegen *sg, struct strbuf *out,
                                const struct xsd_type *type)
{
    const struct xsd_type *item = type->array_item_type;
    strbuf_printf(out, "<xsl:attribute name=\"xsi:type\">n%zu:Array"
                       "</xsl:attribute>",
                  prefixIndex(sg, SOAP_ENCODING_NS));
    strbuf_printf(out, "<xsl:attribute name=\"soapenc:arrayType\" "
                       "namespace=\"%s\">", SOAP_ENCODING_NS);
    if (item && item->name)
        putQName(sg, out, item->ns, item->name);
    else
        putQName(sg, out, XSD_NS, "anyType");
    strbuf_puts(out, "[<xsl:value-of select=\"count(*)\"/>]</xsl:attribute>"
                     "<xsl:for-each select=\"*\"><item");
    putXsiType(sg, out, item);
    strbuf_puts(out, ">");
    putRequestContent(sg, out, item);
    strbuf_puts(out, "</item></xsl:for-each>");
}

static void putRequestContent(struct stylegen *sg, struct strbuf *out,
                              const struct xsd_type *type)
{
    if (stylegen_is_any_type(type))
        strbuf_puts(out, "<xsl:call-template name=\"sb.to-xml\"/>");
    else if (type->is_soapenc_array)
        putRequestSoapArray(sg, out, type);
    else if (!type->is_complex)
        strbuf_puts(out, "<xsl:value-of select=\".\"/>");
    else if (type->simple_content) {
        strbuf_puts(out, "<xsl:choose><xsl:when test=\"self::fn:map\">");
        callTypeTemplate(sg, out, type, 0);
        strbuf_puts(out, "</xsl:when><xsl:otherwise><xsl:value-of "
                         "select=\".\"/></xsl:otherwise></xsl:choose>");
    } else
        callTypeTemplate(sg, out, type, 0);
}

static void putRequestTypeTemplate(struct stylegen *sg, struct strbuf *out,
                                   const struct xsd_type *type)
{
    for (size_t i = 0; i < type->n_attributes; i++) {
        const struct xsd_attribute *a = type->attributes[i];
        strbuf_printf(out, "<xsl:for-each select=\"*[@key='%s']"
                           "[not(self::fn:null)]\"><xsl:attribute name=\"",
                      a->name);
        putQName(sg, out, a->ns, a->name);
        strbuf_puts(out, "\"");
        if (a->ns && a->ns[0])
            strbuf_printf(out, " namespace=\"%s\"", a->ns);
        strbuf_puts(out, "><xsl:value-of select=\".\"/></xsl:attribute>"
                         "</xsl:for-each>\n");
    }
    if (type->simple_content)
        strbuf_puts(out, "<xsl:value-of select=\"*[@key='_value']\"/>\n");
    struct seen seen = {.n = 0};
    putRequestParticle(sg, out, type->content, 0, &seen);
}

/* ---- response side: SOAP body -> json-xml ---- */

/* Variable names must be unique within a template: number them. */
static int varCounter(struct stylegen *sg)
{
    return ++sg->n_vars;
}

static void putKey(struct strbuf *out, const char *key)
{
    if (key)
        strbuf_printf(out, " key=\"%s\"", key);
}

/* A simple value of the current node (element or attribute) typed by its
 * XSD type; text that does not fit the type falls back to a string with
 * a warning rather than failing the request. */
void stylegen_emit_simple(struct stylegen *sg, struct strbuf *out,
                          enum xsd_json_kind kind, const char *key)
{
    int v = varCounter(sg);
    if (kind == XSD_JSON_NUMBER) {
        strbuf_printf(out, "<xsl:variable name=\"v%d\" select=\"sb:json-number"
                           "(string(.))\"/><xsl:if test=\"$v%d!=''\">"
                           "<fn:number", v, v);
        putKey(out, key);
        strbuf_printf(out, "><xsl:value-of select=\"$v%d\"/></fn:number>"
                           "</xsl:if><xsl:if test=\"$v%d=''\">", v, v);
        stylegen_emit_warning(sg, out, "concat('not a number in ', name(), ': ', .)");
    } else if (kind == XSD_JSON_BOOLEAN) {
        strbuf_printf(out, "<xsl:variable name=\"v%d\" select=\"normalize-"
                           "space(.)\"/><xsl:choose><xsl:when test=\"$v%d="
                           "'true' or $v%d='1'\"><fn:boolean", v, v, v);
        putKey(out, key);
        strbuf_printf(out, ">true</fn:boolean></xsl:when><xsl:when test=\""
                           "$v%d='false' or $v%d='0'\"><fn:boolean", v, v);
        putKey(out, key);
        strbuf_puts(out, ">false</fn:boolean></xsl:when><xsl:otherwise>");
        stylegen_emit_warning(sg, out, "concat('not a boolean in ', name(), ': ', .)");
    } else if (kind == XSD_JSON_ANY) {
        strbuf_puts(out, "<xsl:call-template name=\"sb.generic\">");
        if (key)
            strbuf_printf(out, "<xsl:with-param name=\"key\" select=\"'%s'\"/>",
                          key);
        strbuf_puts(out, "</xsl:call-template>");
        return;
    }
    strbuf_puts(out, "<fn:string");
    putKey(out, key);
    strbuf_puts(out, "><xsl:value-of select=\".\"/></fn:string>");
    if (kind == XSD_JSON_NUMBER)
        strbuf_puts(out, "</xsl:if>");
    else if (kind == XSD_JSON_BOOLEAN)
        strbuf_puts(out, "</xsl:otherwise></xsl:choose>");
}

static void putSimpleValue(struct stylegen *sg, struct strbuf *out,
                           const struct xsd_type *type, const char *key)
{
    enum xsd_json_kind kind = stylegen_is_any_type(type) ? XSD_JSON_ANY : type->json_kind;
    if (type && type->is_list)
        kind = XSD_JSON_STRING;
    stylegen_emit_simple(sg, out, kind, key);
}

void stylegen_emit_value(struct stylegen *sg, struct strbuf *out,
                         const struct xsd_element *el, const char *key)
{
    const struct xsd_type *type = el->type;
    /* xsi:nil is only tested where the schema allows it: the test is a
     * large part of the cost of converting a response. */
    if (el->nillable) {
        strbuf_puts(out, "<xsl:choose><xsl:when test=\"@xsi:nil='true' or "
                         "@xsi:nil='1'\"><fn:null");
        putKey(out, key);
        strbuf_puts(out, "/></xsl:when><xsl:otherwise>");
    }
    if (type && type->is_soapenc_array) {
        strbuf_puts(out, "<fn:array");
        putKey(out, key);
        strbuf_puts(out, "><xsl:for-each select=\"*\">");
        struct xsd_element item = {.name = "item",
                                   .type = type->array_item_type,
                                   .nillable = 1};
        stylegen_emit_value(sg, out, &item, NULL);
        strbuf_puts(out, "</xsl:for-each></fn:array>");
    } else if (!stylegen_is_any_type(type) && type->is_complex) {
        strbuf_puts(out, "<fn:map");
        putKey(out, key);
        strbuf_puts(out, ">");
        callTypeTemplate(sg, out, type, 1);
        strbuf_puts(out, "</fn:map>");
    } else {
        putSimpleValue(sg, out, type, key);
    }
    if (el->nillable)
        strbuf_puts(out, "</xsl:otherwise></xsl:choose>");
}

static void putResponseMember(struct stylegen *sg, struct strbuf *out,
                              const struct xsd_element *el, int repeated)
{
    struct strbuf step;
    strbuf_init(&step);
    putQName(sg, &step, el->ns, el->name);
    if (repeated) {
        strbuf_printf(out, "<fn:array key=\"%s\"><xsl:for-each select=\"%s\">",
                      el->name, step.data ? step.data : "");
        stylegen_emit_value(sg, out, el, NULL);
        strbuf_puts(out, "</xsl:for-each></fn:array>\n");
    } else {
        strbuf_printf(out, "<xsl:for-each select=\"%s[1]\">",
                      step.data ? step.data : "");
        stylegen_emit_value(sg, out, el, el->name);
        strbuf_puts(out, "</xsl:for-each>\n");
    }
    strbuf_free(&step);
}

/* The children a content model declares, as the two XPath forms the
 * undeclared-content check needs (see putUndeclared). */
struct declared {
    struct strbuf counts;   /* "count(n1:A) + count(n1:B)" */
    struct strbuf test;     /* "self::n1:A or self::n1:B" */
};

static void addDeclared(struct stylegen *sg, struct declared *d,
                        const struct xsd_element *el)
{
    strbuf_puts(&d->counts, d->counts.len ? " + count(" : "count(");
    putQName(sg, &d->counts, el->ns, el->name);
    strbuf_puts(&d->counts, ")");
    strbuf_puts(&d->test, d->test.len ? " or self::" : "self::");
    putQName(sg, &d->test, el->ns, el->name);
}

static void freeDeclared(struct declared *d)
{
    strbuf_free(&d->counts);
    strbuf_free(&d->test);
}

/* Walk a content model; collect declared names into `declared` for the
 * undeclared-content check (putUndeclared). Returns 1 if
 * the model has a wildcard (xsd:any): then undeclared content is
 * expected and converted without warning. */
static int putResponseParticle(struct stylegen *sg, struct strbuf *out,
                               const struct xsd_particle *p, int repeated,
                               struct seen *seen, struct declared *declared)
{
    if (!p)
        return 0;
    repeated = repeated || isRepeated(p->max_occurs);
    if (p->kind == XSD_PARTICLE_ANY)
        return 1;
    if (p->kind == XSD_PARTICLE_ELEMENT) {
        if (seenBefore(seen, p->element))
            return 0;
        putResponseMember(sg, out, p->element, repeated);
        addDeclared(sg, declared, p->element);
        return 0;
    }
    int any = 0;
    for (size_t i = 0; i < p->n_children; i++)
        any |= putResponseParticle(sg, out, p->children[i], repeated, seen,
                                   declared);
    return any;
}

/* Children not declared go through the generic rule, each undeclared
 * name reported once unless a wildcard allows them. Counting first keeps
 * the common case (nothing undeclared) to one pass per name over the
 * children, instead of a predicate evaluated on every child: on a
 * response with thousands of repeated elements that is most of the
 * conversion time. */
static void putUndeclared(struct strbuf *out, const struct declared *d,
                          int wildcard)
{
    if (d->counts.len)
        strbuf_printf(out, "<xsl:if test=\"count(*) != %s\">", d->counts.data);
    strbuf_puts(out, "<xsl:call-template name=\"sb.group\"><xsl:with-param "
                     "name=\"nodes\" select=\"*");
    if (d->test.len)
        strbuf_printf(out, "[not(%s)]", d->test.data);
    strbuf_puts(out, "\"/>");
    if (!wildcard)
        strbuf_puts(out, "<xsl:with-param name=\"undeclared\" "
                         "select=\"true()\"/>");
    strbuf_puts(out, "</xsl:call-template>");
    if (d->counts.len)
        strbuf_puts(out, "</xsl:if>");
    strbuf_puts(out, "\n");
}

static void putResponseAttributes(struct stylegen *sg, struct strbuf *out,
                                  const struct xsd_type *type)
{
    for (size_t i = 0; i < type->n_attributes; i++) {
        const struct xsd_attribute *a = type->attributes[i];
        strbuf_puts(out, "<xsl:for-each select=\"@");
        putQName(sg, out, a->ns, a->name);
        strbuf_puts(out, "\">");
        putSimpleValue(sg, out, a->type, a->name);
        strbuf_puts(out, "</xsl:for-each>\n");
    }
}

static void putResponseTypeTemplate(struct stylegen *sg, struct strbuf *out,
                                    const struct xsd_type *type)
{
    putResponseAttributes(sg, out, type);
    if (type->simple_content) {
        putSimpleValue(sg, out, type->simple_content, "_value");
        strbuf_puts(out, "\n");
        return;
    }
    struct seen seen = {.n = 0};
    struct declared declared = {.counts = {0}};
    int wildcard = putResponseParticle(sg, out, type->content, 0, &seen,
                                       &declared);
    putUndeclared(out, &declared, wildcard);
    freeDeclared(&declared);
}

/* ---- the worklist of type templates ---- */

static void generateTypeTemplates(struct stylegen *sg)
{
    /* Generating one template may add slots; loop until none is left. */
    for (size_t i = 0; i < sg->n_types && !sg->failed; i++) {
        if (sg->types[i].generated)
            continue;
        sg->types[i].generated = 1;
        const struct xsd_type *type = sg->types[i].type;
        struct strbuf body;
        strbuf_init(&body);
        if (sg->types[i].output)
            putResponseTypeTemplate(sg, &body, type);
        else
            putRequestTypeTemplate(sg, &body, type);
        strbuf_printf(&sg->templates, "\n<!-- %s type %s -->\n"
                                      "<xsl:template name=\"%c%zu\">\n",
                      sg->types[i].output ? "response" : "request",
                      type->name ? type->name : "(anonymous)",
                      sg->types[i].output ? 'r' : 'q', i + 1);
        strbuf_append(&sg->templates, body.data ? body.data : "", body.len);
        strbuf_puts(&sg->templates, "</xsl:template>\n");
        sg->failed |= strbuf_failed(&body);
        strbuf_free(&body);
    }
}

/* ---- fixed helper templates ---- */

static const char genericTemplate[] =
    "\n<!-- The generic rule: content without a schema declaration. -->\n"
    "<xsl:template name=\"sb.generic\">\n"
    "<xsl:param name=\"key\"/>\n"
    "<xsl:variable name=\"attrs\" select=\"@*[namespace-uri()!="
    "'" XSD_INSTANCE_NS "']\"/>\n"
    "<xsl:choose>\n"
    "<xsl:when test=\"@xsi:nil='true' or @xsi:nil='1'\"><fn:null>"
    "<xsl:if test=\"$key!=''\"><xsl:attribute name=\"key\"><xsl:value-of "
    "select=\"$key\"/></xsl:attribute></xsl:if></fn:null></xsl:when>\n"
    "<xsl:when test=\"not(*) and not($attrs)\"><fn:string>"
    "<xsl:if test=\"$key!=''\"><xsl:attribute name=\"key\"><xsl:value-of "
    "select=\"$key\"/></xsl:attribute></xsl:if><xsl:value-of select=\".\"/>"
    "</fn:string></xsl:when>\n"
    "<xsl:otherwise><fn:map><xsl:if test=\"$key!=''\"><xsl:attribute "
    "name=\"key\"><xsl:value-of select=\"$key\"/></xsl:attribute></xsl:if>\n"
    "<xsl:for-each select=\"$attrs\"><fn:string key=\"{local-name()}\">"
    "<xsl:value-of select=\".\"/></fn:string></xsl:for-each>\n"
    "<xsl:if test=\"normalize-space(text())!=''\"><fn:string key=\"_value\">"
    "<xsl:value-of select=\"normalize-space(text())\"/></fn:string></xsl:if>\n"
    "<xsl:call-template name=\"sb.group\"><xsl:with-param name=\"nodes\" "
    "select=\"*\"/></xsl:call-template>\n"
    "</fn:map></xsl:otherwise>\n"
    "</xsl:choose>\n"
    "</xsl:template>\n";

/* sb.group: members named by local name; a name that repeats is an array.
 * With undeclared, each name is reported once (the warning goes between
 * the two halves). */
static const char groupTemplateStart[] =
    "<!-- Members named by local name; a name that repeats is an array. -->\n"
    "<xsl:template name=\"sb.group\">\n"
    "<xsl:param name=\"nodes\"/>\n"
    "<xsl:param name=\"undeclared\" select=\"false()\"/>\n"
    "<xsl:for-each select=\"$nodes\">\n"
    "<xsl:variable name=\"n\" select=\"local-name()\"/>\n"
    "<xsl:if test=\"not(preceding-sibling::*[local-name()=$n])\">\n"
    "<xsl:if test=\"$undeclared\">";

static const char groupTemplateEnd[] =
    "</xsl:if>\n"
    "<xsl:variable name=\"same\" select=\"$nodes[local-name()=$n]\"/>\n"
    "<xsl:choose><xsl:when test=\"count($same)&gt;1\"><fn:array "
    "key=\"{$n}\"><xsl:for-each select=\"$same\"><xsl:call-template "
    "name=\"sb.generic\"/></xsl:for-each></fn:array></xsl:when>\n"
    "<xsl:otherwise><xsl:call-template name=\"sb.generic\"><xsl:with-param "
    "name=\"key\" select=\"$n\"/></xsl:call-template></xsl:otherwise>"
    "</xsl:choose>\n"
    "</xsl:if>\n"
    "</xsl:for-each>\n"
    "</xsl:template>\n";

static const char toXmlTemplate[] =
    "\n<!-- anyType in a request: members become unqualified elements. -->\n"
    "<xsl:template name=\"sb.to-xml\">\n"
    "<xsl:choose><xsl:when test=\"self::fn:map\"><xsl:for-each select=\"*\">"
    "<xsl:choose><xsl:when test=\"self::fn:array\"><xsl:variable name=\"k\" "
    "select=\"@key\"/><xsl:for-each select=\"*\"><xsl:element "
    "name=\"{$k}\"><xsl:call-template name=\"sb.to-xml\"/></xsl:element>"
    "</xsl:for-each></xsl:when><xsl:otherwise><xsl:element name=\"{@key}\">"
    "<xsl:call-template name=\"sb.to-xml\"/></xsl:element></xsl:otherwise>"
    "</xsl:choose></xsl:for-each></xsl:when>\n"
    "<xsl:otherwise><xsl:value-of select=\".\"/></xsl:otherwise>"
    "</xsl:choose>\n"
    "</xsl:template>\n";

const char *stylegen_generic_rule(void)
{
    return "Content the schema does not declare is converted by one rule: "
           "an element without child elements or attributes becomes a "
           "string (xsi:nil=\"true\" becomes null); any other element "
           "becomes an object whose members are its attributes (strings, "
           "by local name), its non-blank text (\"_value\") and its child "
           "elements by local name, where a name that occurs more than "
           "once becomes an array. Values are never guessed to be numbers "
           "or booleans.";
}

/* ---- the builder ---- */

static int makeParts(struct stylegen *sg, int output)
{
    const struct wsdl_body *body = bodyOf(sg, output);
    if (!body->message || unwrappedElement(sg, output))
        return 0;
    struct xsd_element *parts = calloc(body->n_parts ? body->n_parts : 1,
                                       sizeof(*parts));
    if (!parts)
        return -1;
    for (size_t i = 0; i < body->n_parts; i++) {
        const struct wsdl_part *part = body->parts[i];
        if (part->element) {
            parts[i] = *part->element;
        } else {
            parts[i].name = part->name;
            parts[i].type = part->type;
        }
        if (sg->op->style == WSDL_RPC && !part->element)
            parts[i].ns = NULL;
    }
    sg->parts[output] = parts;
    sg->n_parts[output] = body->n_parts;
    return 0;
}

struct stylegen *stylegen_new(const struct wsdl_binding *binding,
                              const struct wsdl_operation *op,
                              const struct stylegen_options *opt)
{
    struct stylegen *sg = calloc(1, sizeof(*sg));
    if (!sg)
        return NULL;
    sg->binding = binding;
    sg->op = op;
    if (opt)
        sg->opt = *opt;
    strbuf_init(&sg->templates);
    if (makeParts(sg, 0) < 0 || makeParts(sg, 1) < 0) {
        stylegen_free(sg);
        return NULL;
    }
    return sg;
}

void stylegen_free(struct stylegen *sg)
{
    if (!sg)
        return;
    for (size_t i = 0; i < sg->n_namespaces; i++)
        free(sg->namespaces[i]);
    free(sg->namespaces);
    free(sg->types);
    free(sg->parts[0]);
    free(sg->parts[1]);
    strbuf_free(&sg->templates);
    free(sg);
}

/* ---- path resolution (for mappings) ---- */

static const struct xsd_element *findInParticle(const struct xsd_particle *p,
                                                const char *name,
                                                int *repeated)
{
    if (!p)
        return NULL;
    if (p->kind == XSD_PARTICLE_ELEMENT) {
        if (strcmp(p->element->name, name) != 0)
            return NULL;
        *repeated = isRepeated(p->max_occurs);
        return p->element;
    }
    for (size_t i = 0; i < p->n_children; i++) {
        const struct xsd_element *el = findInParticle(p->children[i], name,
                                                      repeated);
        if (el) {
            *repeated = *repeated || isRepeated(p->max_occurs);
            return el;
        }
    }
    return NULL;
}

static void listParticleNames(const struct xsd_particle *p, struct strbuf *out)
{
    if (!p)
        return;
    if (p->kind == XSD_PARTICLE_ELEMENT) {
        strbuf_printf(out, "%s%s", out->len ? ", " : "", p->element->name);
        return;
    }
    for (size_t i = 0; i < p->n_children; i++)
        listParticleNames(p->children[i], out);
}

static int resolveAttribute(struct stylegen *sg, const struct xsd_type *parent,
                            const char *where, const char *name,
                            struct stylegen_step *step, struct strbuf *xpath,
                            struct sb_error *err)
{
    for (size_t i = 0; parent && i < parent->n_attributes; i++) {
        const struct xsd_attribute *a = parent->attributes[i];
        if (strcmp(a->name, name) == 0) {
            step->attribute = a;
            strbuf_puts(xpath, "@");
            putQName(sg, xpath, a->ns, a->name);
            return 0;
        }
    }
    return error_set(err, "mapping_path", "no attribute '%s' in %s", name,
                     where);
}

int stylegen_resolve(struct stylegen *sg, int output,
                     const struct xsd_type *parent, const char *name,
                     struct stylegen_step *step, struct strbuf *xpath,
                     struct sb_error *err)
{
    const char *where = "the operation's parts";
    memset(step, 0, sizeof(*step));
    if (!parent) {
        const struct xsd_element *top = unwrappedElement(sg, output);
        if (top) {
            parent = top->type;
            where = top->name;
        }
    } else {
        where = parent->name ? parent->name : "an anonymous type";
    }
    if (name[0] == '@')
        return resolveAttribute(sg, parent, where, name + 1, step, xpath, err);
    struct strbuf known;
    strbuf_init(&known);
    if (parent) {
        step->element = findInParticle(parent->content, name,
                                       &step->repeated);
        if (!step->element)
            listParticleNames(parent->content, &known);
    } else {
        for (size_t i = 0; i < sg->n_parts[output]; i++) {
            const struct xsd_element *el = &sg->parts[output][i];
            if (strcmp(el->name, name) == 0)
                step->element = el;
            strbuf_printf(&known, "%s%s", known.len ? ", " : "", el->name);
        }
    }
    if (!step->element) {
        error_set(err, "mapping_path", "no element '%s' in %s (known: %s)",
                  name, where, known.len ? known.data : "none");
        strbuf_free(&known);
        return -1;
    }
    strbuf_free(&known);
    putQName(sg, xpath, step->element->ns, step->element->name);
    return 0;
}

/* ---- whole stylesheets ---- */

static void putHeader(struct stylegen *sg, struct strbuf *out, int output)
{
    strbuf_printf(out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<!-- soapbridge: %s stylesheet of operation %s (binding %s) -->\n"
        "<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"" XSL_NS "\"\n"
        " xmlns:fn=\"" JSONXML_NS "\" xmlns:sb=\"" SB_XSLT_NS "\"\n"
        " xmlns:sbw=\"" STYLEGEN_NS "\" xmlns:xsi=\"" XSD_INSTANCE_NS "\"\n"
        " xmlns:exsl=\"" EXSLT_COMMON_NS "\"",
        output ? "response" : "request", sg->op->name,
        sg->binding->name ? sg->binding->name : "");
    for (size_t i = 0; i < sg->n_namespaces; i++) {
        strbuf_printf(out, "\n xmlns:n%zu=\"", i + 1);
        strbuf_put_xml(out, sg->namespaces[i]);
        strbuf_puts(out, "\"");
    }
    strbuf_puts(out, "\n exclude-result-prefixes=\"fn sb exsl");
    if (output) {
        strbuf_puts(out, " sbw xsi");
        for (size_t i = 0; i < sg->n_namespaces; i++)
            strbuf_printf(out, " n%zu", i + 1);
    }
    strbuf_puts(out, "\">\n<xsl:output method=\"xml\" encoding=\"UTF-8\"/>\n");
}

static char *finish(struct stylegen *sg, struct strbuf *root, int output,
                    struct sb_error *err)
{
    generateTypeTemplates(sg);
    struct strbuf out;
    strbuf_init(&out);
    putHeader(sg, &out, output);
    strbuf_append(&out, root->data ? root->data : "", root->len);
    strbuf_append(&out, sg->templates.data ? sg->templates.data : "",
                  sg->templates.len);
    if (output) {
        strbuf_puts(&out, genericTemplate);
        strbuf_puts(&out, groupTemplateStart);
        stylegen_emit_warning(sg, &out, "concat('undeclared element ', "
                                        "name(), ' in ', name(..))");
        strbuf_puts(&out, groupTemplateEnd);
    } else {
        strbuf_puts(&out, toXmlTemplate);
    }
    strbuf_puts(&out, "</xsl:stylesheet>\n");
    int failed = sg->failed || strbuf_failed(root);
    strbuf_free(root);
    if (failed) {
        strbuf_free(&out);
        error_set(err, "internal", "out of memory generating stylesheet");
        return NULL;
    }
    return strbuf_detach(&out, NULL);
}

static void putRequestMembers(struct stylegen *sg, struct strbuf *out)
{
    struct seen seen = {.n = 0};
    for (size_t i = 0; i < sg->n_parts[0]; i++)
        if (!seenBefore(&seen, &sg->parts[0][i]))
            putRequestElement(sg, out, &sg->parts[0][i], 0);
}

char *stylegen_finish_request(struct stylegen *sg, const char *input_fragment,
                              struct sb_error *err)
{
    struct strbuf root;
    strbuf_init(&root);
    strbuf_puts(&root, "\n<xsl:template match=\"/\">\n");
    if (input_fragment)
        strbuf_printf(&root, "<xsl:variable name=\"input\">\n%s"
                             "</xsl:variable>\n<sbw:body><xsl:for-each "
                             "select=\"exsl:node-set($input)/fn:map\">\n",
                      input_fragment);
    else
        strbuf_puts(&root, "<sbw:body><xsl:for-each select=\"fn:map\">\n");
    const struct xsd_element *top = unwrappedElement(sg, 0);
    if (top) {
        struct xsd_element plain = *top;
        putStartTag(sg, &root, &plain);
        strbuf_puts(&root, ">");
        callTypeTemplate(sg, &root, top->type, 0);
        putEndTag(sg, &root, &plain);
    } else if (sg->op->style == WSDL_RPC) {
        struct xsd_element wrapper = {.ns = sg->op->input.ns,
                                      .name = sg->op->name};
        strbuf_puts(&root, "<");
        putQName(sg, &root, wrapper.ns, wrapper.name);
        if (isEncoded(sg) && sg->op->input.encoding_style) {
            strbuf_puts(&root, " xmlns:soapenv=\"");
            strbuf_puts(&root, sg->binding->version == WSDL_SOAP12
                                   ? SOAP12_ENV_NS : SOAP11_ENV_NS);
            strbuf_puts(&root, "\" soapenv:encodingStyle=\"");
            strbuf_put_xml(&root, sg->op->input.encoding_style);
            strbuf_puts(&root, "\"");
        }
        strbuf_puts(&root, ">\n");
        putRequestMembers(sg, &root);
        putEndTag(sg, &root, &wrapper);
    } else {
        putRequestMembers(sg, &root);
    }
    strbuf_puts(&root, "\n</xsl:for-each></sbw:body>\n</xsl:template>\n");
    return finish(sg, &root, 0, err);
}

/* The data part by default: the members of the output root. */
static void putDefaultData(struct stylegen *sg, struct strbuf *out)
{
    const struct xsd_element *top = unwrappedElement(sg, 1);
    strbuf_puts(out, "<fn:map>");
    if (top) {
        callTypeTemplate(sg, out, top->type, 1);
    } else {
        struct seen seen = {.n = 0};
        struct declared declared = {.counts = {0}};
        for (size_t i = 0; i < sg->n_parts[1]; i++) {
            const struct xsd_element *el = &sg->parts[1][i];
            if (seenBefore(&seen, el))
                continue;
            putResponseMember(sg, out, el, 0);
            addDeclared(sg, &declared, el);
        }
        putUndeclared(out, &declared, 0);
        freeDeclared(&declared);
    }
    strbuf_puts(out, "</fn:map>");
}

/* A SOAP 1.1 or 1.2 Fault as {code, subcode, reason, actor, node,
 * detail}; detail children declared as fault elements of the operation
 * convert by their schema, anything else by the generic rule. */
static void putFault(struct stylegen *sg, struct strbuf *out)
{
    strbuf_puts(out,
        "<sbw:fault><xsl:for-each select=\"*[local-name()='Fault'][1]\">"
        "<fn:map>\n"
        "<fn:string key=\"code\"><xsl:value-of select=\"normalize-space("
        "*[local-name()='faultcode'] | *[local-name()='Code']/"
        "*[local-name()='Value'])\"/></fn:string>\n"
        "<xsl:for-each select=\"*[local-name()='Code']/*[local-name()="
        "'Subcode']/*[local-name()='Value']\"><fn:string key=\"subcode\">"
        "<xsl:value-of select=\"normalize-space(.)\"/></fn:string>"
        "</xsl:for-each>\n"
        "<fn:string key=\"reason\"><xsl:value-of select=\"normalize-space("
        "*[local-name()='faultstring'] | *[local-name()='Reason']/"
        "*[local-name()='Text'][1])\"/></fn:string>\n"
        "<xsl:for-each select=\"*[local-name()='faultactor' or local-name()="
        "'Role']\"><fn:string key=\"actor\"><xsl:value-of select=\""
        "normalize-space(.)\"/></fn:string></xsl:for-each>\n"
        "<xsl:for-each select=\"*[local-name()='Node']\"><fn:string "
        "key=\"node\"><xsl:value-of select=\"normalize-space(.)\"/>"
        "</fn:string></xsl:for-each>\n"
        "<xsl:for-each select=\"*[local-name()='detail' or local-name()="
        "'Detail']\"><fn:map key=\"detail\">\n");
    struct seen seen = {.n = 0};
    struct declared declared = {.counts = {0}};
    for (size_t i = 0; i < sg->op->n_faults; i++) {
        const struct wsdl_message *m = sg->op->faults[i].message;
        for (size_t j = 0; m && j < m->n_parts; j++) {
            const struct xsd_element *el = m->parts[j].element;
            if (!el || seenBefore(&seen, el))
                continue;
            putResponseMember(sg, out, el, 0);
            addDeclared(sg, &declared, el);
        }
    }
    /* Undeclared detail content is normal for faults: no warning. */
    putUndeclared(out, &declared, 1);
    freeDeclared(&declared);
    strbuf_puts(out, "</fn:map></xsl:for-each>\n</fn:map></xsl:for-each>"
                     "</sbw:fault>");
}

/* Select the output root from soap:Body (see stylegen_finish_response) or
 * say what is missing. */
static void putOutputRoot(struct stylegen *sg, struct strbuf *out,
                          const char *data)
{
    const struct xsd_element *top = unwrappedElement(sg, 1);
    struct strbuf step;
    strbuf_init(&step);
    if (top)
        putQName(sg, &step, top->ns, top->name);
    else if (sg->op->style == WSDL_RPC)
        strbuf_puts(&step, "*");
    if (!step.len) {
        strbuf_printf(out, "%s", data);
        strbuf_free(&step);
        return;
    }
    strbuf_printf(out, "<xsl:choose><xsl:when test=\"%s\"><xsl:for-each "
                       "select=\"%s[1]\">%s</xsl:for-each></xsl:when>"
                       "<xsl:otherwise><sbw:bad-response reason=\"soap:Body "
                       "has no %s element\"/></xsl:otherwise></xsl:choose>",
                  step.data, step.data, data,
                  top ? top->name : "rpc response wrapper");
    strbuf_free(&step);
}

char *stylegen_finish_response(struct stylegen *sg, const char *data_fragment,
                               struct sb_error *err)
{
    struct strbuf data;
    strbuf_init(&data);
    if (data_fragment)
        strbuf_puts(&data, data_fragment);
    else
        putDefaultData(sg, &data);
    struct strbuf root;
    strbuf_init(&root);
    strbuf_puts(&root,
        "\n<xsl:template match=\"/\">\n"
        "<xsl:for-each select=\"*[local-name()='Envelope']/"
        "*[local-name()='Body']\">\n<xsl:choose>\n"
        "<xsl:when test=\"*[local-name()='Fault']\">");
    putFault(sg, &root);
    strbuf_puts(&root, "</xsl:when>\n<xsl:otherwise>");
    putOutputRoot(sg, &root, data.data ? data.data : "");
    strbuf_puts(&root, "</xsl:otherwise>\n</xsl:choose>\n</xsl:for-each>\n"
                       "</xsl:template>\n");
    sg->failed |= strbuf_failed(&data);
    strbuf_free(&data);
    return finish(sg, &root, 1, err);
}

static char *generate(const struct wsdl_binding *binding,
                      const struct wsdl_operation *op,
                      const struct stylegen_options *opt, int output,
                      struct sb_error *err)
{
    struct stylegen *sg = stylegen_new(binding, op, opt);
    if (!sg) {
        error_set(err, "internal", "out of memory");
        return NULL;
    }
    char *text = output ? stylegen_finish_response(sg, NULL, err)
                        : stylegen_finish_request(sg, NULL, err);
    stylegen_free(sg);
    return text;
}

char *stylegen_request(const struct wsdl_binding *binding,
                       const struct wsdl_operation *op,
                       const struct stylegen_options *opt,
                       struct sb_error *err)
{
    return generate(binding, op, opt, 0, err);
}

char *stylegen_response(const struct wsdl_binding *binding,
                        const struct wsdl_operation *op,
                        const struct stylegen_options *opt,
                        struct sb_error *err)
{
    if (!op->output.message)
        return error_set(err, "stylegen", "operation %s is one-way: it has "
                                          "no response", op->name), NULL;
    return generate(binding, op, opt, 1, err);
}
