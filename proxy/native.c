/*
 * native: a mapping's tables run in C (see native.h).
 *
 * Response. A plan is a tree of scopes: the response element, each object field and
 * the item of each array of objects. A scope's fields are in mapping
 * order; their from: paths form a trie of element steps below the
 * scope's element, each step naming the fields it feeds.
 *
 * A conversion has two phases, as the stylesheet has. Reading: every
 * element is matched against the trie nodes its parent matched; a match
 * claims the field's first value (or appends to an array, or opens a new
 * scope instance) and captures the element's string value -- all the text
 * below it -- as a range of one text buffer. Writing: the scopes are
 * walked in mapping order and each value is converted then, so the JSON
 * and the order of the warnings are those of the stylesheet.
 *
 * Request. The input table's targets (compile.c's first stage: element
 * paths fed by fields or constants) are matched at load time with the
 * content models the default request templates walk (stylegen.h), so
 * writing is one walk in schema order over the validated input.
 */
#include "native.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>


#include "jsonxml.h"
#include "numtext.h"
#include "strbuf.h"

#define SOAP11_NS "http://schemas.xmlsoap.org/soap/envelope/"
#define SOAP12_NS "http://www.w3.org/2003/05/soap-envelope"
#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"
#define NONE UINT32_MAX
#define NIL_REF (UINT32_MAX - 1)   /* an object that was xsi:nil */
#define MAX_PREFIXES 64
#define NUMBER_MAX 256      /* as sb:json-number */
#define DATE_OUT_MAX 64     /* as sb:date-to-iso */
#define PATH_MAX_BYTES 1024
#define MAX_OBJECT_DEPTH 32     /* nesting of input objects */
#define SEEN_MAX 256            /* as stylegen's `struct seen` */

/* ---- the plan ---- */

enum conversion {
    CONV_STRING,
    CONV_NUMBER,
    CONV_BOOLEAN,
    CONV_LOOKUP,
    CONV_VALUES,
    CONV_DATE
};

struct scope;

struct field {
    const char *key;        /* JSON member name */
    const struct mapping_field *mf;  /* a table's field; NULL for the
                                        schema default */
    int array;              /* every match, as a JSON array */
    int omit;               /* absent: no member (schema default), rather
                               than null (a table) */
    struct scope *object;   /* object, or array item with fields; else NULL */
    enum conversion conversion;
    int nil;                /* a nillable element: xsi:nil means null */
    const char *name;       /* local name of the last step, for name() */
    uint32_t slot;          /* its slots in an instance: one (a value or an
                               instance), or an array's first and last item */
};

struct attribute_feed {
    const char *ns, *name;  /* the attribute (ns NULL: unqualified) */
    uint32_t field;
};

struct node {               /* one element step below a scope's element */
    const char *ns, *name;  /* point into the XSD model */
    const struct scope *owner;
    struct node *kids;
    size_t n_kids;
    uint32_t *feeds;        /* fields fed by this element's value */
    size_t n_feeds;
    struct attribute_feed *attributes;
    size_t n_attributes;
};

struct scope {
    struct field *fields;
    size_t n_fields;
    uint32_t n_slots;       /* slots of one instance */
    int closed;             /* schema default: a child element it does not
                               declare goes to the stylesheet (the generic
                               rule, and its warning) */
    struct node root;       /* the scope's own element */
};

struct request_plan;

struct native_plan {
    const char *top_ns, *top_name;  /* the operation's response element;
                                       name NULL: rpc, the first element */
    int strict;
    struct scope *root;             /* NULL: the response stylesheet */
    struct scope **scopes;          /* every scope, owned here */
    size_t n_scopes;
    struct request_plan *request;   /* NULL: the request stylesheet */
};

static void freeNode(struct node *n)
{
    for (size_t i = 0; i < n->n_kids; i++)
        freeNode(&n->kids[i]);
    free(n->kids);
    free(n->feeds);
    free(n->attributes);
}

static void freeRequest(struct request_plan *rp);

void native_plan_free(struct native_plan *plan)
{
    if (!plan)
        return;
    for (size_t i = 0; i < plan->n_scopes; i++) {
        free(plan->scopes[i]->fields);
        freeNode(&plan->scopes[i]->root);
        free(plan->scopes[i]);
    }
    free(plan->scopes);
    freeRequest(plan->request);
    free(plan);
}

static struct scope *newScope(struct native_plan *plan)
{
    struct scope **grown = realloc(plan->scopes,
                                   (plan->n_scopes + 1) * sizeof(*grown));
    if (!grown)
        return NULL;
    plan->scopes = grown;
    struct scope *s = calloc(1, sizeof(*s));
    if (s) {
        s->root.owner = s;
        plan->scopes[plan->n_scopes++] = s;
    }
    return s;
}

/* A new field of s, zeroed but for its key; its index in *index. The
 * pointer holds until the next field of s. */
static struct field *newField(struct scope *s, const char *key,
                              uint32_t *index)
{
    struct field *grown = realloc(s->fields,
                                  (s->n_fields + 1) * sizeof(*grown));
    if (!grown)
        return NULL;
    s->fields = grown;
    *index = (uint32_t)s->n_fields++;
    struct field *f = &s->fields[*index];
    memset(f, 0, sizeof(*f));
    f->key = key;
    return f;
}

/* Give every field of s its slots, once its fields are known. */
static void assignSlots(struct scope *s)
{
    s->n_slots = 0;
    for (size_t i = 0; i < s->n_fields; i++) {
        s->fields[i].slot = s->n_slots;
        s->n_slots += s->fields[i].array ? 2 : 1;
    }
}

static struct node *kidOf(struct node *n, const char *ns, const char *name)
{
    for (size_t i = 0; i < n->n_kids; i++)
        if (strcmp(n->kids[i].name, name) == 0 &&
            (n->kids[i].ns ? ns && strcmp(n->kids[i].ns, ns) == 0 : !ns))
            return &n->kids[i];
    struct node *grown = realloc(n->kids, (n->n_kids + 1) * sizeof(*grown));
    if (!grown)
        return NULL;
    n->kids = grown;
    struct node *kid = &n->kids[n->n_kids++];
    memset(kid, 0, sizeof(*kid));
    kid->ns = ns;
    kid->name = name;
    kid->owner = n->owner;
    return kid;
}

static int addFeed(struct node *n, uint32_t field)
{
    uint32_t *grown = realloc(n->feeds, (n->n_feeds + 1) * sizeof(*grown));
    if (!grown)
        return -1;
    n->feeds = grown;
    n->feeds[n->n_feeds++] = field;
    return 0;
}

static int addAttributeFeed(struct node *n, const struct xsd_attribute *a,
                            uint32_t field)
{
    struct attribute_feed *grown =
        realloc(n->attributes, (n->n_attributes + 1) * sizeof(*grown));
    if (!grown)
        return -1;
    n->attributes = grown;
    n->attributes[n->n_attributes++] =
        (struct attribute_feed){a->ns, a->name, field};
    return 0;
}

static void setKind(struct field *f, enum xsd_json_kind kind)
{
    f->conversion = kind == XSD_JSON_NUMBER    ? CONV_NUMBER
                    : kind == XSD_JSON_BOOLEAN ? CONV_BOOLEAN
                                               : CONV_STRING;
}

/* A simple value typed by its XSD type (stylegen's putSimpleValue); -1
 * for the any-types, which the generic rule converts, and for complex
 * types. */
static int simpleConversion(struct field *f, const struct xsd_type *type)
{
    if (!type) {
        setKind(f, XSD_JSON_STRING);
        return 0;
    }
    if (stylegen_is_any_type(type) || type->is_complex ||
        type->is_soapenc_array)
        return -1;
    setKind(f, type->is_list ? XSD_JSON_STRING : type->json_kind);
    return 0;
}

/* The conversion compile.c's putOutputScalar writes for this field;
 * -1 where the stylesheet does more than convert a string. */
static int conversionOf(struct field *f, enum mapping_type type,
                        const struct stylegen_step *last)
{
    const struct mapping_field *mf = f->mf;
    f->nil = last->element && last->element->nillable;
    if (mf->lookup)
        f->conversion = CONV_LOOKUP;
    else if (mf->n_values)
        f->conversion = CONV_VALUES;
    else if (mf->format)
        f->conversion = CONV_DATE;
    else if (type == MAPPING_TYPE_INTEGER || type == MAPPING_TYPE_NUMBER)
        setKind(f, XSD_JSON_NUMBER);
    else if (type == MAPPING_TYPE_BOOLEAN)
        setKind(f, XSD_JSON_BOOLEAN);
    else if (type != MAPPING_TYPE_AUTO && type != MAPPING_TYPE_OBJECT)
        setKind(f, XSD_JSON_STRING);
    else
        return simpleConversion(f, last->element ? last->element->type
                                                 : last->attribute->type);
    return 0;
}

struct builder {
    struct native_plan *plan;
    struct stylegen *sg;
    struct typeScope {      /* schema default: one scope a complex type */
        const struct xsd_type *type;
        struct scope *scope;
    } *types;
    size_t n_types;
};

/* ---- the plan of a table ---- */

static int buildScope(struct builder *b, struct scope *s,
                      const struct xsd_type *parent,
                      const struct mapping_field *fields, size_t n);

static int buildField(struct builder *b, struct scope *s,
                      const struct mapping_field *mf,
                      const struct xsd_type *parent)
{
    uint32_t index;
    struct field *f = newField(s, mf->name, &index);
    struct stylegen_step last = {0};
    struct strbuf xpath;
    struct sb_error err;
    char copy[PATH_MAX_BYTES];
    int repeated = 0, steps = 0, rc = -1;
    struct node *at = &s->root;
    if (!f || snprintf(copy, sizeof(copy), "%s", mf->from) >= (int)sizeof(copy))
        return -1;
    f->mf = mf;
    strbuf_init(&xpath);
    for (char *save = NULL, *name = strtok_r(copy, "/", &save); name;
         name = strtok_r(NULL, "/", &save), steps++) {
        if (last.attribute ||
            stylegen_resolve(b->sg, 1, parent, name, &last, &xpath, &err) < 0)
            goto out;
        repeated = repeated || last.repeated;
        if (last.element) {
            parent = last.element->type;
            if (!(at = kidOf(at, last.element->ns, last.element->name)))
                goto out;
        }
    }
    if (!steps)
        goto out;
    f->array = mf->type == MAPPING_TYPE_ARRAY ||
               (mf->type == MAPPING_TYPE_AUTO && repeated);
    f->name = last.element ? last.element->name : last.attribute->name;
    enum mapping_type type = !f->array ? mf->type
                             : mf->type == MAPPING_TYPE_ARRAY ? mf->item_type
                                                              : MAPPING_TYPE_AUTO;
    if (mf->n_fields) {
        /* Its own scope: s->fields stays where it is meanwhile. */
        if (!last.element || !(f->object = newScope(b->plan)) ||
            buildScope(b, f->object, last.element->type, mf->fields,
                       mf->n_fields) < 0)
            goto out;
    } else if (conversionOf(f, type, &last) < 0) {
        goto out;
    }
    rc = last.attribute ? addAttributeFeed(at, last.attribute, index)
                        : addFeed(at, index);
out:
    strbuf_free(&xpath);
    return rc;
}

static int buildScope(struct builder *b, struct scope *s,
                      const struct xsd_type *parent,
                      const struct mapping_field *fields, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (buildField(b, s, &fields[i], parent) < 0)
            return -1;
    assignSlots(s);
    return 0;
}

/* ---- the plan of the schema default (stylegen's response templates) ---- */

struct seen_elements {
    const struct xsd_element *items[SEEN_MAX];
    size_t n;
};

/* Each name once, as stylegen's seenBefore: 1 if el's name came before,
 * 0 if not (it is noted), -1 past stylegen's capacity. */
static int seenBefore(struct seen_elements *seen, const struct xsd_element *el)
{
    for (size_t i = 0; i < seen->n; i++)
        if (strcmp(seen->items[i]->name, el->name) == 0 &&
            (seen->items[i]->ns ? el->ns && !strcmp(seen->items[i]->ns, el->ns)
                                : !el->ns))
            return 1;
    if (seen->n == SEEN_MAX)
        return -1;
    seen->items[seen->n++] = el;
    return 0;
}

static struct scope *typeScope(struct builder *b, const struct xsd_type *type,
                               const char *element);

/* A member for element el of a content model or an rpc part: absent,
 * none; repeated, an array; complex, an object of its type's scope. */
static int addElementField(struct builder *b, struct scope *s,
                           const struct xsd_element *el, int repeated)
{
    uint32_t index;
    struct field *f = newField(s, el->name, &index);
    struct node *kid = f ? kidOf(&s->root, el->ns, el->name) : NULL;
    if (!kid)
        return -1;
    f->array = repeated;
    f->omit = !repeated;
    f->nil = el->nillable;
    f->name = el->name;
    const struct xsd_type *t = el->type;
    if (t && !stylegen_is_any_type(t) && t->is_complex &&
        !t->is_soapenc_array) {
        struct scope *object = typeScope(b, t, el->name);
        if (!object)
            return -1;
        s->fields[index].object = object;   /* s->fields may have moved */
    } else if (simpleConversion(f, t) < 0) {
        return -1;
    }
    return addFeed(kid, index);
}

static int addParticle(struct builder *b, struct scope *s,
                       const struct xsd_particle *p, int repeated,
                       struct seen_elements *seen)
{
    if (!p || p->kind == XSD_PARTICLE_ANY)
        return 0;
    repeated = repeated || p->max_occurs > 1 ||
               p->max_occurs == XSD_UNBOUNDED;
    if (p->kind == XSD_PARTICLE_ELEMENT) {
        int before = seenBefore(seen, p->element);
        return before ? (before < 0 ? -1 : 0)
                      : addElementField(b, s, p->element, repeated);
    }
    for (size_t i = 0; i < p->n_children; i++)
        if (addParticle(b, s, p->children[i], repeated, seen) < 0)
            return -1;
    return 0;
}

/* The scope of a complex type: its attributes, then its simple content
 * ("_value") or its elements in schema order. One scope a type, shared
 * by every element of the type (recursive types too), except with simple
 * content, whose warnings name the element. */
static struct scope *typeScope(struct builder *b, const struct xsd_type *type,
                               const char *element)
{
    for (size_t i = 0; !type->simple_content && i < b->n_types; i++)
        if (b->types[i].type == type)
            return b->types[i].scope;
    struct typeScope *grown = realloc(b->types,
                                      (b->n_types + 1) * sizeof(*grown));
    if (!grown)
        return NULL;
    b->types = grown;
    struct scope *s = newScope(b->plan);
    if (!s)
        return NULL;
    b->types[b->n_types++] = (struct typeScope){type, s};
    /* Elements inside simple content are only text to its value. */
    s->closed = !type->simple_content;
    for (size_t i = 0; i < type->n_attributes; i++) {
        const struct xsd_attribute *a = type->attributes[i];
        uint32_t index;
        struct field *f = newField(s, a->name, &index);
        if (!f || simpleConversion(f, a->type) < 0 ||
            addAttributeFeed(&s->root, a, index) < 0)
            return NULL;
        f->omit = 1;
        f->name = a->name;
    }
    if (type->simple_content) {
        uint32_t index;
        struct field *f = newField(s, "_value", &index);
        if (!f || simpleConversion(f, type->simple_content) < 0 ||
            addFeed(&s->root, index) < 0)
            return NULL;
        f->name = element;
    } else {
        struct seen_elements seen = {.n = 0};
        if (addParticle(b, s, type->content, 0, &seen) < 0)
            return NULL;
    }
    assignSlots(s);
    return s;
}

/* rpc: the wrapper's members, one a part (stylegen's makeParts). */
static struct scope *partsScope(struct builder *b, const struct wsdl_body *body)
{
    struct scope *s = newScope(b->plan);
    struct seen_elements seen = {.n = 0};
    if (!s)
        return NULL;
    s->closed = 1;
    for (size_t i = 0; i < body->n_parts; i++) {
        const struct wsdl_part *part = body->parts[i];
        if (!part->element) {
            struct xsd_element el = {.name = part->name, .type = part->type};
            if (addElementField(b, s, &el, 0) < 0)
                return NULL;
            continue;
        }
        int before = seenBefore(&seen, part->element);
        if (before < 0 ||
            (!before && addElementField(b, s, part->element, 0) < 0))
            return NULL;
    }
    assignSlots(s);
    return s;
}

/* The response part of a plan: a table's output fields, or (mapping
 * NULL) the operation's schema default. */
static void buildResponse(struct native_plan *plan,
                          const struct mapping *mapping,
                          const struct wsdl_binding *binding,
                          const struct wsdl_operation *op,
                          const struct stylegen_options *opt)
{
    const struct xsd_element *top = stylegen_unwrapped(op, &op->output);
    int rpc = !top && op->style == WSDL_RPC;
    if ((mapping && mapping->response_xslt) || !op->output.message ||
        (!top && !rpc) || op->output.use != WSDL_LITERAL)
        return;
    struct builder b = {plan, stylegen_new(binding, op, opt), NULL, 0};
    struct scope *root = NULL;
    if (b.sg && mapping) {
        if ((root = newScope(plan)) &&
            buildScope(&b, root, NULL, mapping->outputs,
                       mapping->n_outputs) < 0)
            root = NULL;
    } else if (b.sg) {
        root = top ? typeScope(&b, top->type, top->name)
                   : partsScope(&b, &op->output);
    }
    stylegen_free(b.sg);
    free(b.types);
    plan->root = root;
    plan->top_ns = top ? top->ns : NULL;
    plan->top_name = top ? top->name : NULL;
    plan->strict = opt ? opt->strict : 0;
}

static struct request_plan *buildRequest(const struct mapping *mapping,
                                         const struct wsdl_operation *op,
                                         xmlDocPtr request_stylesheet);

struct native_plan *native_plan_new(const struct mapping *mapping,
                                    const struct wsdl_binding *binding,
                                    const struct wsdl_operation *op,
                                    const struct stylegen_options *opt,
                                    xmlDocPtr request_stylesheet)
{
    struct native_plan *plan = calloc(1, sizeof(*plan));
    if (!plan)
        return NULL;
    buildResponse(plan, mapping, binding, op, opt);
    if (mapping)
        plan->request = buildRequest(mapping, op, request_stylesheet);
    if (!plan->root && !plan->request) {
        native_plan_free(plan);
        return NULL;
    }
    return plan;
}

int native_writes_request(const struct native_plan *plan)
{
    return plan && plan->request;
}

int native_reads_response(const struct native_plan *plan)
{
    return plan && plan->root;
}

/* ---- reading ---- */

struct value {              /* a captured string: a range of run.text,
                               or of run.attributes */
    uint32_t off, len;
    uint8_t nil;            /* xsi:nil="true" or "1" on a nillable element */
    uint8_t prefix;         /* index into run.prefixes, for name() */
    uint8_t attribute;      /* in run.attributes */
};

struct item {               /* one array member: a value or an instance */
    uint32_t ref, next;
};

struct match {              /* an open element matched a node */
    uint32_t instance;      /* first slot of the scope instance */
    const struct node *node;
};

struct frame {              /* an open element below the response element */
    uint32_t match_begin, match_end, capture_begin;
};

/* A growable array of `size`-byte elements. */
struct vec {
    void *data;
    size_t n, cap;
};

struct run {
    const struct native_plan *plan;
    int depth;              /* of the current element; Envelope is 1 */
    const xmlChar *soap_ns;
    int bodies;             /* Body elements seen in the Envelope */
    int in_body;
    int top_depth;          /* depth of the open response element, or 0 */
    uint32_t top;           /* its instance, NONE before it came */
    int fallback, oom;
    struct strbuf text;     /* character data while a capture is open */
    struct strbuf attributes;   /* captured attribute values, apart: they
                                   are no part of any element's text */
    struct vec values, items, slots, matches, frames, captures;
    char *prefixes[MAX_PREFIXES];
    size_t n_prefixes;
    struct xsltfunc_context *fctx;
    struct strbuf scratch;  /* one value as a C string, while writing */
};

/* Room for one more element; returns its index, or NONE (run->oom). */
static uint32_t push(struct run *r, struct vec *v, size_t size)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 64;
        void *grown = cap < NONE ? realloc(v->data, cap * size) : NULL;
        if (!grown) {
            r->oom = 1;
            return NONE;
        }
        v->data = grown;
        v->cap = cap;
    }
    return (uint32_t)v->n++;
}

#define AT(vec, type, i) (((type *)(vec).data)[i])

static uint32_t *slotOf(struct run *r, uint32_t instance,
                        const struct field *f)
{
    return &AT(r->slots, uint32_t, instance + f->slot);
}

/* A new instance of scope s, its slots all NONE. */
static uint32_t newInstance(struct run *r, const struct scope *s)
{
    uint32_t first = NONE;
    for (size_t i = 0; i < s->n_slots; i++) {
        uint32_t at = push(r, &r->slots, sizeof(uint32_t));
        if (at == NONE)
            return NONE;
        AT(r->slots, uint32_t, at) = NONE;
        if (first == NONE)
            first = at;
    }
    /* A scope without fields still needs an identity. */
    return first == NONE ? 0 : first;
}

static void append(struct run *r, uint32_t instance, const struct field *f,
                   uint32_t ref)
{
    uint32_t at = push(r, &r->items, sizeof(struct item));
    if (at == NONE)
        return;
    AT(r->items, struct item, at) = (struct item){ref, NONE};
    uint32_t *head = slotOf(r, instance, f), *tail = head + 1;
    if (*head == NONE)
        *head = at;
    else
        AT(r->items, struct item, *tail).next = at;
    *tail = at;
}

static uint8_t prefixIndex(struct run *r, const xmlChar *prefix)
{
    if (!prefix)
        return 0;
    for (size_t i = 0; i < r->n_prefixes; i++)
        if (strcmp(r->prefixes[i], (const char *)prefix) == 0)
            return (uint8_t)(i + 1);
    if (r->n_prefixes == MAX_PREFIXES) {
        r->fallback = 1;
        return 0;
    }
    if (!(r->prefixes[r->n_prefixes] = strdup((const char *)prefix))) {
        r->oom = 1;
        return 0;
    }
    return (uint8_t)++r->n_prefixes;
}

static uint32_t newValue(struct run *r, const xmlChar *prefix,
                         int attribute)
{
    uint32_t v = push(r, &r->values, sizeof(struct value));
    const struct strbuf *in = attribute ? &r->attributes : &r->text;
    if (v != NONE)
        AT(r->values, struct value, v) = (struct value){
            (uint32_t)in->len, 0, 0, prefixIndex(r, prefix),
            (uint8_t)attribute};
    return v;
}

static int nsEqual(const xmlChar *uri, const char *ns)
{
    return ns ? uri && strcmp((const char *)uri, ns) == 0 : !uri;
}

static int isXsiNil(int nb_attributes, const xmlChar **a)
{
    for (int i = 0; i < nb_attributes; i++, a += 5) {
        size_t n = (size_t)(a[4] - a[3]);
        if (a[2] && strcmp((const char *)a[0], "nil") == 0 &&
            strcmp((const char *)a[2], XSI_NS) == 0 &&
            ((n == 4 && memcmp(a[3], "true", 4) == 0) ||
             (n == 1 && a[3][0] == '1')))
            return 1;
    }
    return 0;
}

/* An attribute's value into its buffer; libxml2 hands an '&' over as
 * "&#38;" when it does not substitute entities. */
static void captureAttribute(struct run *r, const xmlChar *s,
                             const xmlChar *end)
{
    while (s < end) {
        const xmlChar *amp = memchr(s, '&', (size_t)(end - s));
        const xmlChar *stop = amp ? amp : end;
        strbuf_append(&r->attributes, (const char *)s, (size_t)(stop - s));
        if (!amp)
            break;
        strbuf_append(&r->attributes, "&", 1);
        s = amp + 5 <= end && memcmp(amp, "&#38;", 5) == 0 ? amp + 5
                                                            : amp + 1;
    }
}

struct element {            /* the element being opened */
    const xmlChar *prefix;
    int nb_attributes;
    const xmlChar **attributes;
};

static void openNode(struct run *r, uint32_t instance, const struct node *n,
                     const struct element *e);

/* Feed field `index` of `instance` (its scope owns node n) from the
 * element being opened. */
static void feedElement(struct run *r, uint32_t instance, const struct node *n,
                        uint32_t index, const struct element *e)
{
    const struct field *f = &n->owner->fields[index];
    if (!f->array && *slotOf(r, instance, f) != NONE)
        return;                         /* (path)[1]: the first one only */
    uint32_t ref;
    if (f->object) {
        ref = f->nil && isXsiNil(e->nb_attributes, e->attributes)
                  ? NIL_REF : newInstance(r, f->object);
        if (ref == NONE)
            return;
    } else {
        if ((ref = newValue(r, e->prefix, 0)) == NONE)
            return;
        AT(r->values, struct value, ref).nil =
            f->nil && isXsiNil(e->nb_attributes, e->attributes);
        uint32_t c = push(r, &r->captures, sizeof(uint32_t));
        if (c == NONE)
            return;
        AT(r->captures, uint32_t, c) = ref;
    }
    if (f->array)
        append(r, instance, f, ref);
    else
        *slotOf(r, instance, f) = ref;
    if (f->object && ref != NIL_REF)
        openNode(r, ref, &f->object->root, e);
}

static void feedAttribute(struct run *r, uint32_t instance,
                          const struct node *n,
                          const struct attribute_feed *feed,
                          const struct element *e)
{
    const struct field *f = &n->owner->fields[feed->field];
    if (!f->array && *slotOf(r, instance, f) != NONE)
        return;
    const xmlChar **a = e->attributes;
    for (int i = 0; i < e->nb_attributes; i++, a += 5) {
        if (strcmp((const char *)a[0], feed->name) != 0 ||
            !nsEqual(a[2], feed->ns))
            continue;
        uint32_t v = newValue(r, a[1], 1);
        if (v == NONE)
            return;
        captureAttribute(r, a[3], a[4]);
        AT(r->values, struct value, v).len =
            (uint32_t)(r->attributes.len - AT(r->values, struct value, v).off);
        if (f->array)
            append(r, instance, f, v);
        else
            *slotOf(r, instance, f) = v;
        return;
    }
}

/* The element being opened matched node n of an instance: remember the
 * match for its children, feed the fields n names. */
static void openNode(struct run *r, uint32_t instance, const struct node *n,
                     const struct element *e)
{
    uint32_t m = push(r, &r->matches, sizeof(struct match));
    if (m == NONE)
        return;
    AT(r->matches, struct match, m) = (struct match){instance, n};
    for (size_t i = 0; i < n->n_feeds; i++)
        feedElement(r, instance, n, n->feeds[i], e);
    for (size_t i = 0; i < n->n_attributes; i++)
        feedAttribute(r, instance, n, &n->attributes[i], e);
}

static int pushFrame(struct run *r)
{
    uint32_t f = push(r, &r->frames, sizeof(struct frame));
    if (f == NONE)
        return -1;
    AT(r->frames, struct frame, f) = (struct frame){
        (uint32_t)r->matches.n, 0, (uint32_t)r->captures.n};
    return 0;
}

/* Stop reading: an error (oom) or an answer for the stylesheet. */
static int stopped(const struct run *r)
{
    return r->oom || r->fallback;
}

static int onStart(void *user, const xmlChar *localname,
                   const xmlChar *prefix, const xmlChar *uri,
                   int nb_attributes, const xmlChar **attributes)
{
    struct run *r = user;
    const char *name = (const char *)localname;
    struct element e = {prefix, nb_attributes, attributes};
    int depth = ++r->depth;
    if (r->top_depth) {
        const struct frame *parent =
            &AT(r->frames, struct frame, r->frames.n - 1);
        uint32_t begin = parent->match_begin, end = parent->match_end;
        if (pushFrame(r) < 0)
            return 1;
        for (uint32_t i = begin; i < end; i++) {
            struct match m = AT(r->matches, struct match, i);
            int matched = 0;
            /* kidOf keeps (ns, name) unique among a node's kids */
            for (size_t k = 0; k < m.node->n_kids && !matched; k++) {
                const struct node *kid = &m.node->kids[k];
                if (kid->name[0] == name[0] && strcmp(kid->name, name) == 0 &&
                    nsEqual(uri, kid->ns)) {
                    openNode(r, m.instance, kid, &e);
                    matched = 1;
                }
            }
            /* A child its schema does not declare: the generic rule. */
            if (!matched && m.node == &m.node->owner->root &&
                m.node->owner->closed)
                r->fallback = 1;
        }
        AT(r->frames, struct frame, r->frames.n - 1).match_end =
            (uint32_t)r->matches.n;
    } else if (depth == 1) {
        /* The stylesheet's tests, and envelope_parse's: an Envelope of
         * SOAP 1.1 or 1.2 with one Body; anything else goes there. */
        r->soap_ns = uri;
        r->fallback = strcmp(name, "Envelope") != 0 ||
                      !(nsEqual(uri, SOAP11_NS) || nsEqual(uri, SOAP12_NS));
    } else if (depth == 2 && strcmp(name, "Body") == 0) {
        r->fallback = r->bodies++ || !xmlStrEqual(uri, r->soap_ns);
        r->in_body = 1;
    } else if (depth == 3 && r->in_body) {
        if (strcmp(name, "Fault") == 0)
            r->fallback = 1;
        else if (r->top == NONE &&
                 (!r->plan->top_name ||
                  (strcmp(name, r->plan->top_name) == 0 &&
                   nsEqual(uri, r->plan->top_ns)))) {
            if ((r->top = newInstance(r, r->plan->root)) == NONE ||
                pushFrame(r) < 0)
                return 1;
            r->top_depth = depth;
            openNode(r, r->top, &r->plan->root->root, &e);
            AT(r->frames, struct frame, 0).match_end = (uint32_t)r->matches.n;
        }
    }
    return stopped(r);
}

static int onEnd(void *user)
{
    struct run *r = user;
    if (r->top_depth) {
        struct frame f = AT(r->frames, struct frame, --r->frames.n);
        for (size_t i = f.capture_begin; i < r->captures.n; i++) {
            struct value *v = &AT(r->values, struct value,
                                  AT(r->captures, uint32_t, i));
            v->len = (uint32_t)(r->text.len - v->off);
        }
        r->captures.n = f.capture_begin;
        r->matches.n = f.match_begin;
        if (r->depth == r->top_depth)
            r->top_depth = 0;
    } else if (r->depth == 2) {
        r->in_body = 0;
    }
    r->depth--;
    return 0;
}

static int onText(void *user, const xmlChar *s, int len)
{
    struct run *r = user;
    if (r->captures.n)
        strbuf_append(&r->text, (const char *)s, (size_t)len);
    return 0;
}

/* ---- writing ---- */

/* The value as a NUL-terminated string (in r->scratch). */
static const char *textOf(struct run *r, const struct value *v)
{
    const struct strbuf *in = v->attribute ? &r->attributes : &r->text;
    r->scratch.len = 0;
    strbuf_append(&r->scratch, in->data + v->off, v->len);
    if (strbuf_failed(&r->scratch)) {
        r->oom = 1;
        return "";
    }
    return r->scratch.data ? r->scratch.data : "";
}

/* XPath name(): the name as written, with its prefix. */
static void qname(const struct run *r, const struct field *f,
                  const struct value *v, char *buf, size_t size)
{
    if (v->prefix)
        snprintf(buf, size, "%s:%s", r->prefixes[v->prefix - 1], f->name);
    else
        snprintf(buf, size, "%s", f->name);
}

/* A value that does not fit its conversion: a warning, and in strict mode
 * the stylesheet's failure, which the stylesheet itself reports. */
static void misfit(struct run *r, const char *what, const struct field *f,
                   const struct value *v, const char *text)
{
    char name[256];
    qname(r, f, v, name, sizeof(name));
    xsltfunc_warn(r->fctx, "%s %s: %s", what, name, text);
    if (r->plan->strict)
        r->fallback = 1;
}

static int isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The data JSON is written straight into a buffer, byte for byte as
 * yajl's generator writes it (the stylesheet path's writer): that took a
 * sixth of a call through yajl's per-token callbacks. */
#define JSON_MAX_DEPTH 128      /* yajl's: the 128th container fails */

struct jsonOut {
    struct strbuf sb;
    int depth;
    const char *failed;         /* why the JSON cannot be written */
};

static void putRaw(struct jsonOut *o, const char *s, size_t n)
{
    strbuf_append(&o->sb, s, n);
}

static void putText(struct jsonOut *o, const char *s, size_t len)
{
    if (strbuf_json_string(&o->sb, s, len) < 0 && !o->failed)
        o->failed = "text that is not valid UTF-8";
}

static void putString(struct jsonOut *o, const char *s)
{
    putText(o, s, strlen(s));
}

static void putNull(struct jsonOut *o)
{
    putRaw(o, "null", 4);
}

static void putScalar(struct run *r, struct jsonOut *o,
                      const struct field *f, uint32_t index)
{
    const struct value *v = &AT(r->values, struct value, index);
    const struct mapping_field *mf = f->mf;
    if (v->nil) {
        putNull(o);
        return;
    }
    const char *text = textOf(r, v);
    char out[NUMBER_MAX > DATE_OUT_MAX ? NUMBER_MAX : DATE_OUT_MAX];
    struct sb_error err;
    switch (f->conversion) {
    case CONV_LOOKUP:
        putString(o, xsltfunc_lookup(r->fctx, mf->lookup, text, NULL));
        return;
    case CONV_VALUES:
        for (size_t i = 0; i < mf->n_values; i++)
            if (strcmp(text, mf->values[i].from) == 0) {
                putString(o, mf->values[i].to);
                return;
            }
        misfit(r, "no value map entry for", f, v, text);
        putString(o, text);
        return;
    case CONV_DATE:
        out[0] = 0;
        if (text[0] &&
            xsltfunc_date_to_iso(r->fctx->zones, text, mf->format,
                                 mf->zone ? mf->zone : "", out, DATE_OUT_MAX,
                                 &err) < 0) {
            xsltfunc_warn(r->fctx, "%s", err.message);
            out[0] = 0;
        }
        if (out[0])
            putString(o, out);
        else
            putNull(o);
        return;
    case CONV_NUMBER:
        if (numtext_to_json(text, out, NUMBER_MAX) == 0) {
            putRaw(o, out, strlen(out));
            return;
        }
        misfit(r, "not a number in", f, v, text);
        putString(o, text);
        return;
    case CONV_BOOLEAN: {
        size_t start = 0, end = v->len;
        while (start < end && isSpace(text[start]))
            start++;
        while (end > start && isSpace(text[end - 1]))
            end--;
        size_t n = end - start;
        if ((n == 4 && memcmp(text + start, "true", 4) == 0) ||
            (n == 1 && text[start] == '1'))
            putRaw(o, "true", 4);
        else if ((n == 5 && memcmp(text + start, "false", 5) == 0) ||
                 (n == 1 && text[start] == '0'))
            putRaw(o, "false", 5);
        else {
            misfit(r, "not a boolean in", f, v, text);
            putString(o, text);
        }
        return;
    }
    case CONV_STRING:
        break;
    }
    putText(o, text, v->len);
}

/* Open a map or an array; 0 when it nests too deep. */
static int openContainer(struct jsonOut *o, char bracket)
{
    if (++o->depth >= JSON_MAX_DEPTH) {
        if (!o->failed)
            o->failed = "nesting deeper than the generator allows";
        return 0;
    }
    putRaw(o, &bracket, 1);
    return 1;
}

static void closeContainer(struct jsonOut *o, char bracket)
{
    putRaw(o, &bracket, 1);
    o->depth--;
}

static void putInstance(struct run *r, struct jsonOut *o,
                        const struct scope *s, uint32_t instance);

static void putMember(struct run *r, struct jsonOut *o,
                      const struct field *f, uint32_t ref)
{
    if (ref == NIL_REF)
        putNull(o);
    else if (f->object)
        putInstance(r, o, f->object, ref);
    else
        putScalar(r, o, f, ref);
}

static void putInstance(struct run *r, struct jsonOut *o,
                        const struct scope *s, uint32_t instance)
{
    int first = 1;
    if (!openContainer(o, '{'))
        return;
    for (size_t i = 0; i < s->n_fields && !o->failed; i++) {
        const struct field *f = &s->fields[i];
        uint32_t slot = *slotOf(r, instance, f);
        if (!f->array && slot == NONE && f->omit)
            continue;
        if (!first)
            putRaw(o, ",", 1);
        first = 0;
        putString(o, f->key);
        putRaw(o, ":", 1);
        if (!f->array) {
            if (slot == NONE)
                putNull(o);
            else
                putMember(r, o, f, slot);
            continue;
        }
        if (!openContainer(o, '['))
            break;
        for (uint32_t it = slot; it != NONE;
             it = AT(r->items, struct item, it).next) {
            if (it != slot)
                putRaw(o, ",", 1);
            putMember(r, o, f, AT(r->items, struct item, it).ref);
        }
        closeContainer(o, ']');
    }
    closeContainer(o, '}');
}

/* The data JSON of a finished run, or NULL: with err set when it cannot
 * be written, without when the run falls back to the stylesheet. */
static char *writeData(struct run *r, size_t *len, struct sb_error *err)
{
    struct jsonOut o = {.depth = 0, .failed = NULL};
    strbuf_init(&o.sb);
    putInstance(r, &o, r->plan->root, r->top);
    char *json = strbuf_detach(&o.sb, len);
    if (!json)
        error_set(err, "internal", "out of memory writing JSON");
    else if (o.failed && !r->fallback)
        error_set(err, "internal", "writing JSON: %s", o.failed);
    if (json && (o.failed || r->oom || r->fallback)) {
        free(json);
        json = NULL;
    }
    return json;
}

static void clearRun(struct run *r)
{
    strbuf_free(&r->text);
    strbuf_free(&r->attributes);
    strbuf_free(&r->scratch);
    free(r->values.data);
    free(r->items.data);
    free(r->slots.data);
    free(r->matches.data);
    free(r->frames.data);
    free(r->captures.data);
    for (size_t i = 0; i < r->n_prefixes; i++)
        free(r->prefixes[i]);
}

static void initRun(struct run *r, const struct native_plan *plan,
                    struct xsltfunc_context *fctx)
{
    memset(r, 0, sizeof(*r));
    r->plan = plan;
    r->top = NONE;
    r->fctx = fctx;
    strbuf_init(&r->text);
    strbuf_init(&r->attributes);
    strbuf_init(&r->scratch);
}

/* The scan starts over (envelope_scan_handler): forget what was read. */
static void onRestart(void *user)
{
    struct run *r = user;
    const struct native_plan *plan = r->plan;
    struct xsltfunc_context *fctx = r->fctx;
    clearRun(r);
    initRun(r, plan, fctx);
}

int native_response(const struct native_plan *plan, const char *data,
                    size_t len, const char *content_type,
                    const struct envelope_limits *limits,
                    struct xsltfunc_context *fctx, char **json, size_t *len_out,
                    struct sb_error *err)
{
    *json = NULL;
    if (!plan->root)
        return 1;
    struct run r;
    initRun(&r, plan, fctx);
    struct envelope_scan_handler handler = {onStart, onEnd, onText,
                                            onRestart, &r};
    int rc = envelope_scan(data, len, content_type, limits, &handler);
    int oom = r.oom || strbuf_failed(&r.text) ||
              strbuf_failed(&r.attributes);
    if (rc == 0 && !oom && !r.fallback && r.top != NONE)
        *json = writeData(&r, len_out, err);
    oom = oom || r.oom;
    if (oom)
        error_set(err, "internal", "out of memory converting the response");
    rc = *json ? 0 : oom ? -1 : r.fallback || rc || r.top == NONE ? 1 : -1;
    if (rc != 0)
        xsltfunc_context_clear(fctx);
    clearRun(&r);
    return rc;
}

/* ---- the request ---- */

/* An element of the operation's input that the table fills, as
 * compile.c's first stage builds it: a leaf fed by a field (its value
 * found by the keys of `source` from the request root) or a constant, or
 * a group of such. */
struct target {
    char *name;
    struct target **kids;
    size_t n_kids;
    const struct mapping_field *field;
    const char **source;        /* field names, from the mapping */
    size_t n_source;
    const char *constant;
};

/* One element to write, in schema order, and what fills it. */
struct out {
    const struct xsd_element *el;
    int ns;                     /* index into request_plan.ns, or -1 */
    const struct target *target;
    int always;                 /* a group with a constant or default */
    struct out *kids;           /* a group's elements */
    size_t n_kids;
};

#define MAX_NAMESPACES 32

struct request_plan {
    struct target root;
    struct out top;             /* the operation's input element, or the
                                   rpc wrapper */
    struct xsd_element wrapper; /* rpc: {soap:body namespace, operation} */
    struct xsd_element *parts;  /* rpc: the parts as elements (stylegen's
                                   makeParts) */
    const char *ns[MAX_NAMESPACES];     /* URIs, and the prefixes the */
    char *prefix[MAX_NAMESPACES];       /* stylesheet gives them */
    size_t n_ns;
};

static void freeTarget(struct target *t)
{
    for (size_t i = 0; i < t->n_kids; i++) {
        freeTarget(t->kids[i]);
        free(t->kids[i]);
    }
    free(t->kids);
    free(t->source);
    free(t->name);
}

static void freeOut(struct out *o)
{
    for (size_t i = 0; i < o->n_kids; i++)
        freeOut(&o->kids[i]);
    free(o->kids);
}

static void freeRequest(struct request_plan *rp)
{
    if (!rp)
        return;
    freeTarget(&rp->root);
    freeOut(&rp->top);
    free(rp->parts);
    for (size_t i = 0; i < rp->n_ns; i++)
        free(rp->prefix[i]);
    free(rp);
}

static struct target *targetKid(struct target *t, const char *name)
{
    for (size_t i = 0; i < t->n_kids; i++)
        if (strcmp(t->kids[i]->name, name) == 0)
            return t->kids[i];
    struct target **grown = realloc(t->kids, (t->n_kids + 1) * sizeof(*grown));
    if (!grown)
        return NULL;
    t->kids = grown;
    struct target *kid = calloc(1, sizeof(*kid));
    if (!kid || !(kid->name = strdup(name))) {
        free(kid);
        return NULL;
    }
    return t->kids[t->n_kids++] = kid;
}

/* The leaf at slash path `path`; NULL if it cannot be one (an attribute,
 * a step below a leaf, a leaf filled twice). */
static struct target *addLeaf(struct target *root, const char *path)
{
    char copy[PATH_MAX_BYTES];
    if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
        return NULL;
    struct target *t = root;
    for (char *save = NULL, *name = strtok_r(copy, "/", &save); name;
         name = strtok_r(NULL, "/", &save))
        if (name[0] == '@' || t->field || t->constant ||
            !(t = targetKid(t, name)))
            return NULL;
    if (t == root || t->field || t->constant || t->n_kids)
        return NULL;
    return t;
}

/* The input fields as leaves, objects flattened into their members (as
 * compile.c's addFields). Arrays are left to the stylesheet. */
static int addInputs(struct target *root, const struct mapping_field *fs,
                     size_t n, const char *path_prefix, const char **keys,
                     size_t depth)
{
    for (size_t i = 0; i < n; i++) {
        const struct mapping_field *f = &fs[i];
        char path[PATH_MAX_BYTES];
        if (f->type == MAPPING_TYPE_ARRAY || depth >= MAX_OBJECT_DEPTH)
            return -1;
        snprintf(path, sizeof(path), "%s%s%s", path_prefix,
                 path_prefix[0] && f->to ? "/" : "", f->to ? f->to : "");
        keys[depth] = f->name;
        if (f->type == MAPPING_TYPE_OBJECT && f->n_fields) {
            if (addInputs(root, f->fields, f->n_fields, path, keys,
                          depth + 1) < 0)
                return -1;
            continue;
        }
        struct target *t = addLeaf(root, path);
        if (!t || !(t->source = malloc((depth + 1) * sizeof(*t->source))))
            return -1;
        memcpy(t->source, keys, (depth + 1) * sizeof(*t->source));
        t->n_source = depth + 1;
        t->field = f;
    }
    return 0;
}

static int namespaceOf(struct request_plan *rp, xmlDocPtr style,
                       const char *ns)
{
    if (!ns)
        return -1;
    for (size_t i = 0; i < rp->n_ns; i++)
        if (strcmp(rp->ns[i], ns) == 0)
            return (int)i;
    xmlNodePtr root = xmlDocGetRootElement(style);
    for (xmlNsPtr d = root ? root->nsDef : NULL; d; d = d->next)
        if (d->prefix && xmlStrEqual(d->href, BAD_CAST ns)) {
            if (rp->n_ns == MAX_NAMESPACES ||
                !(rp->prefix[rp->n_ns] = strdup((const char *)d->prefix)))
                return -2;
            rp->ns[rp->n_ns] = ns;
            return (int)rp->n_ns++;
        }
    return -2;
}

static int composeType(struct request_plan *rp, xmlDocPtr style,
                       struct out *o, const struct xsd_type *type,
                       const struct target *t);

/* Does a group write its element whatever the request holds? */
static int alwaysPresent(const struct target *t)
{
    if (t->constant || (t->field && t->field->default_value))
        return 1;
    for (size_t i = 0; !t->field && i < t->n_kids; i++)
        if (alwaysPresent(t->kids[i]))
            return 1;
    return 0;
}

static int composeElement(struct request_plan *rp, xmlDocPtr style,
                          struct out *o, const struct xsd_element *el,
                          const struct target *t, struct seen_elements *seen);

/* The element particles of p in order (stylegen's putRequestParticle)
 * that a target of t fills, appended to o->kids. */
static int composeParticle(struct request_plan *rp, xmlDocPtr style,
                           struct out *o, const struct xsd_particle *p,
                           const struct target *t, struct seen_elements *seen)
{
    if (!p)
        return 0;
    if (p->kind != XSD_PARTICLE_ELEMENT) {
        for (size_t i = 0; i < p->n_children; i++)
            if (composeParticle(rp, style, o, p->children[i], t, seen) < 0)
                return -1;
        return 0;
    }
    return composeElement(rp, style, o, p->element, t, seen);
}

/* Element el of a content model (or an rpc part), each name once
 * (stylegen's seenBefore): what fills it, if a target of t does. */
static int composeElement(struct request_plan *rp, xmlDocPtr style,
                          struct out *o, const struct xsd_element *el,
                          const struct target *t, struct seen_elements *seen)
{
    int before = seenBefore(seen, el);
    if (before)
        return before < 0 ? -1 : 0;
    const struct target *kid = NULL;
    for (size_t i = 0; i < t->n_kids && !kid; i++)
        if (strcmp(t->kids[i]->name, el->name) == 0)
            kid = t->kids[i];
    if (!kid)
        return 0;
    struct out *grown = realloc(o->kids, (o->n_kids + 1) * sizeof(*grown));
    if (!grown)
        return -1;
    o->kids = grown;
    struct out *k = &o->kids[o->n_kids++];
    memset(k, 0, sizeof(*k));
    k->el = el;
    k->target = kid;
    if ((k->ns = namespaceOf(rp, style, el->ns)) < -1)
        return -1;
    if (kid->field || kid->constant) {
        const struct xsd_type *type = el->type;
        return stylegen_is_any_type(type) || type->is_complex ? -1 : 0;
    }
    k->always = alwaysPresent(kid);
    return composeType(rp, style, k, el->type, kid);
}

static int composeType(struct request_plan *rp, xmlDocPtr style,
                       struct out *o, const struct xsd_type *type,
                       const struct target *t)
{
    if (stylegen_is_any_type(type) || !type->is_complex ||
        type->is_soapenc_array || type->simple_content)
        return -1;
    /* An attribute of the same name would take the member as well. */
    for (size_t i = 0; i < type->n_attributes; i++)
        for (size_t k = 0; k < t->n_kids; k++)
            if (strcmp(type->attributes[i]->name, t->kids[k]->name) == 0)
                return -1;
    struct seen_elements seen = {.n = 0};
    return composeParticle(rp, style, o, type->content, t, &seen);
}

/* An rpc operation's members: one element a part (named by the part,
 * unqualified for type= parts), in order. */
static int composeParts(struct request_plan *rp, xmlDocPtr style,
                        const struct wsdl_body *body)
{
    struct seen_elements seen = {.n = 0};
    if (!(rp->parts = calloc(body->n_parts ? body->n_parts : 1,
                             sizeof(*rp->parts))))
        return -1;
    for (size_t i = 0; i < body->n_parts; i++) {
        const struct wsdl_part *part = body->parts[i];
        if (part->element)
            rp->parts[i] = *part->element;
        else
            rp->parts[i] = (struct xsd_element){.name = part->name,
                                                .type = part->type};
        if (composeElement(rp, style, &rp->top, &rp->parts[i], &rp->root,
                           &seen) < 0)
            return -1;
    }
    return 0;
}

static struct request_plan *buildRequest(const struct mapping *mapping,
                                         const struct wsdl_operation *op,
                                         xmlDocPtr request_stylesheet)
{
    const struct xsd_element *top = stylegen_unwrapped(op, &op->input);
    int rpc = !top && op->style == WSDL_RPC;
    if (mapping->request_xslt || !request_stylesheet || (!top && !rpc) ||
        op->input.use != WSDL_LITERAL)
        return NULL;
    struct request_plan *rp = calloc(1, sizeof(*rp));
    const char *keys[MAX_OBJECT_DEPTH];
    if (!rp ||
        addInputs(&rp->root, mapping->inputs, mapping->n_inputs, "", keys,
                  0) < 0)
        goto fail;
    for (size_t i = 0; i < mapping->n_constants; i++) {
        struct target *t = addLeaf(&rp->root, mapping->constants[i].to);
        if (!t)
            goto fail;
        t->constant = mapping->constants[i].value;
    }
    if (rpc) {
        rp->wrapper = (struct xsd_element){.ns = op->input.ns,
                                           .name = op->name};
        top = &rp->wrapper;
    }
    rp->top.el = top;
    if ((rp->top.ns = namespaceOf(rp, request_stylesheet, top->ns)) < -1 ||
        (rpc ? composeParts(rp, request_stylesheet, &op->input)
             : composeType(rp, request_stylesheet, &rp->top, top->type,
                           &rp->root)) < 0)
        goto fail;
    return rp;
fail:
    freeRequest(rp);
    return NULL;
}

/* ---- writing the request ---- */

/* The namespace slot of xsi (for xsi:nil), after the plan's own. */
#define XSI_SLOT MAX_NAMESPACES

struct writer {
    const struct request_plan *rp;
    struct xsltfunc_context *fctx;
    const struct envelope_request *req;
    struct strbuf *out;
    /* The namespaces the top element declares, in the order of first
     * use, as envelope_build declares what a body element inherits. */
    uint8_t used[MAX_NAMESPACES + 1];
    uint8_t declare[MAX_NAMESPACES + 1];
    size_t n_declare;
};

static const char *memberKey(const xmlNode *node)
{
    const xmlAttr *key = node->properties;
    for (; key; key = key->next)
        if (!key->ns && strcmp((const char *)key->name, "key") == 0)
            return key->children && key->children->content
                       ? (const char *)key->children->content : "";
    return "";
}

/* The request member at `keys` from map, or NULL. */
static const xmlNode *member(const xmlNode *map, const char *const *keys,
                            size_t n)
{
    for (size_t i = 0; map && i < n; i++) {
        const xmlNode *c = map->children;
        while (c && !(c->type == XML_ELEMENT_NODE &&
                      strcmp(memberKey(c), keys[i]) == 0))
            c = c->next;
        map = c;
    }
    return map;
}

static int isNull(const xmlNode *n)
{
    return strcmp((const char *)n->name, "null") == 0;
}

/* Does any leaf below t find its member? (compile.c's collectSources) */
static int anySource(const struct target *t, const xmlNode *root)
{
    if (t->field)
        return member(root, t->source, t->n_source) != NULL;
    for (size_t i = 0; i < t->n_kids; i++)
        if (anySource(t->kids[i], root))
            return 1;
    return 0;
}

static const char *slotPrefix(const struct request_plan *rp, size_t slot)
{
    return slot == XSI_SLOT ? "xsi" : rp->prefix[slot];
}

/* Namespace slot `slot` is used: declare it on the top element unless
 * the envelope does, or a slot with the same prefix is declared. */
static void useNamespace(struct writer *w, int slot)
{
    if (slot < 0 || w->used[slot])
        return;
    w->used[slot] = 1;
    const char *prefix = slotPrefix(w->rp, (size_t)slot);
    const char *href = slot == XSI_SLOT ? XSI_NS : w->rp->ns[slot];
    if (envelope_declares(w->req, prefix, href))
        return;
    for (size_t i = 0; i < w->n_declare; i++)
        if (strcmp(slotPrefix(w->rp, w->declare[i]), prefix) == 0)
            return;
    w->declare[w->n_declare++] = (uint8_t)slot;
}

static void putName(struct writer *w, const struct out *o)
{
    if (o->ns >= 0) {
        strbuf_puts(w->out, w->rp->prefix[o->ns]);
        strbuf_append(w->out, ":", 1);
    }
    strbuf_puts(w->out, o->el->name);
}

/* The start tag of o's element, open for attributes. */
static void startTag(struct writer *w, const struct out *o)
{
    useNamespace(w, o->ns);
    strbuf_append(w->out, "<", 1);
    putName(w, o);
}

static void endTag(struct writer *w, const struct out *o)
{
    strbuf_append(w->out, "</", 2);
    putName(w, o);
    strbuf_append(w->out, ">", 1);
}

/* o's element holding text (empty when text is NULL or ""). */
static void element(struct writer *w, const struct out *o, const char *text)
{
    startTag(w, o);
    if (!text || !text[0]) {
        strbuf_append(w->out, "/>", 2);
        return;
    }
    strbuf_append(w->out, ">", 1);
    strbuf_put_xml_text(w->out, text);
    endTag(w, o);
}

/* A leaf's value from canonical to legacy form (compile.c's
 * putLeafValue) into buf, or the value itself. */
static const char *legacyValue(struct writer *w, const struct mapping_field *f,
                               const char *value, char *buf, size_t size)
{
    struct sb_error err;
    if (f->lookup) {
        const char *key = tables_reverse_lookup(w->fctx->tables, f->lookup,
                                                value, NULL);
        return key ? key : "";
    }
    for (size_t i = 0; i < f->n_values; i++)
        if (strcmp(value, f->values[i].to) == 0)
            return f->values[i].from;
    if (f->format) {
        if (!value[0] ||
            xsltfunc_date_from_iso(w->fctx->zones, value, f->format,
                                   f->zone ? f->zone : "", buf, size,
                                   &err) < 0)
            return "";
        return buf;
    }
    return value;
}

/* The text of a json-xml scalar: its one text node, or a copy
 * (xmlNodeGetContent) in *copy when it has other children. */
static const char *scalarText(const xmlNode *v, xmlChar **copy)
{
    *copy = NULL;
    if (!v->children)
        return "";
    if (v->children->type == XML_TEXT_NODE && !v->children->next)
        return (const char *)v->children->content;
    *copy = xmlNodeGetContent(v);
    return (const char *)*copy;
}

static void writeLeaf(struct writer *w, const struct out *o,
                      const xmlNode *root)
{
    const struct target *t = o->target;
    char buf[DATE_OUT_MAX];
    if (t->constant) {
        element(w, o, t->constant);
        return;
    }
    const struct mapping_field *f = t->field;
    const xmlNode *v = member(root, t->source, t->n_source);
    if (f->default_value && (!v || isNull(v))) {
        element(w, o, legacyValue(w, f, f->default_value, buf, sizeof(buf)));
        return;
    }
    if (!v)
        return;
    if (isNull(v)) {
        if (o->el->nillable) {
            startTag(w, o);
            useNamespace(w, XSI_SLOT);
            strbuf_puts(w->out, " xsi:nil=\"true\"/>");
        }
        return;
    }
    xmlChar *copy;
    const char *text = scalarText(v, &copy);
    if (!text) {
        strbuf_fail(w->out);
        return;
    }
    element(w, o, legacyValue(w, f, text, buf, sizeof(buf)));
    xmlFree(copy);
}

/* o's kids that the request fills, in schema order. */
static void writeKids(struct writer *w, const struct out *o,
                      const xmlNode *root)
{
    for (size_t i = 0; i < o->n_kids; i++) {
        const struct out *k = &o->kids[i];
        if (k->target->field || k->target->constant) {
            writeLeaf(w, k, root);
        } else if (k->always || anySource(k->target, root)) {
            startTag(w, k);
            strbuf_append(w->out, ">", 1);
            size_t empty = w->out->len;
            writeKids(w, k, root);
            if (w->out->len == empty && !strbuf_failed(w->out)) {
                /* <x></x> is written <x/> */
                w->out->len--;
                strbuf_append(w->out, "/>", 2);
            } else {
                endTag(w, k);
            }
        }
    }
}

int native_request(const struct native_plan *plan, const xmlNode *input,
                   struct xsltfunc_context *fctx,
                   const struct envelope_request *req, struct strbuf *out,
                   struct sb_error *err)
{
    const struct request_plan *rp = plan->request;
    if (!rp)
        return 1;
    /* The top element's content first, so that its start tag can declare
     * the namespaces the content uses. */
    struct strbuf content;
    strbuf_init(&content);
    struct writer w = {.rp = rp, .fctx = fctx, .req = req, .out = &content};
    useNamespace(&w, rp->top.ns);
    writeKids(&w, &rp->top, input);
    w.out = out;
    strbuf_append(out, "<", 1);
    putName(&w, &rp->top);
    for (size_t i = 0; i < w.n_declare; i++) {
        strbuf_append(out, " xmlns:", 7);
        strbuf_puts(out, slotPrefix(rp, w.declare[i]));
        strbuf_append(out, "=\"", 2);
        strbuf_put_xml(out, w.declare[i] == XSI_SLOT ? XSI_NS
                                                     : rp->ns[w.declare[i]]);
        strbuf_append(out, "\"", 1);
    }
    if (content.len) {
        strbuf_append(out, ">", 1);
        strbuf_append(out, content.data, content.len);
        endTag(&w, &rp->top);
    } else {
        strbuf_append(out, "/>", 2);
    }
    int failed = strbuf_failed(&content) || strbuf_failed(out);
    strbuf_free(&content);
    if (failed)
        return error_set(err, "internal", "out of memory writing the request");
    return 0;
}
