/*
 * xsd: builds the XML Schema model (xsd.h) that stylegen walks.
 *
 * Loading is two passes. Adding a schema walks its DOM once and copies
 * every declaration into set-owned structs, keeping references (type=,
 * ref=, base=, group and attributeGroup refs) as QNames with the file and
 * line that wrote them; the DOM is freed right after. xsd_set_resolve()
 * then loads catalogue schemas for namespaces referenced but never
 * declared, turns every QName into a pointer and computes effective
 * content models. All memory comes from one pool owned by the set, so the
 * model may share substructures (an inlined group, an extension base's
 * content) and is freed in one place.
 */
#include "xsd.h"
#include "catalog.h"

#include <limits.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libxml/hash.h>
#include <libxml/parser.h>

#define XSD_ERR "xsd_load"
#define WSDL_ARRAY_NS "http://schemas.xmlsoap.org/wsdl/"
#define XSD_MAX_INCLUDE_DEPTH 64

/* ---- pool: every allocation of a set, freed at once ---- */

/* Memory comes in blocks carved by a bump pointer: one set holds tens of
 * thousands of small structs, and malloc per struct dominated load time. */
struct chunk {
    struct chunk *next;
};

#define CHUNK_HEADER \
    ((sizeof(struct chunk) + alignof(max_align_t) - 1) & \
     ~(alignof(max_align_t) - 1))
#define POOL_BLOCK 65536

struct vec {
    void **items;
    size_t n, cap;
};

struct qname {
    char *ns;          /* NULL for no namespace */
    char *local;
    char *raw;         /* as written, for messages */
    const char *file;
    int line;
};

enum derivation {
    DERIV_NONE = 0,
    DERIV_RESTRICTION,
    DERIV_EXTENSION,
    DERIV_LIST,
    DERIV_UNION
};

struct type_x {
    struct xsd_type pub;        /* first: the public view */
    int state;                  /* 0 new, 1 resolving, 2 done */
    enum derivation deriv;
    int simple_content;         /* complexType/simpleContent */
    struct qname *base_ref;     /* base= or itemType= */
    struct xsd_type *inline_base;
    struct xsd_particle *own_content;
    struct vec own_attrs;       /* struct attr_x * */
    struct vec attr_group_refs; /* struct qname * */
    struct qname *array_type;   /* wsdl:arrayType, brackets stripped */
};

struct elem_x {
    struct xsd_element pub;
    struct qname *type_ref;
    struct qname *substitution_head;   /* substitutionGroup= */
    int state;                         /* 0 new, 1 resolving, 2 done */
};

struct particle_x {
    struct xsd_particle pub;
    struct qname *ref;          /* element ref= or group ref= */
    int is_group_ref;
};

struct attr_x {
    struct xsd_attribute pub;
    struct qname *type_ref;
    struct qname *ref;
    struct qname *array_type;   /* wsdl:arrayType, brackets stripped */
    int prohibited;
    int state;
};

struct group_x {
    struct xsd_particle *content;
};

struct attr_group_x {
    struct vec attrs;           /* struct attr_x * */
    struct vec refs;            /* struct qname * */
    int any_attribute;
    int state;
};

struct xsd_set {
    struct chunk *chunks;
    char *free_at;                /* bump pointer in the newest block */
    size_t free_left;
    xmlHashTablePtr elements, types, groups, attributes, attr_groups;
    xmlHashTablePtr loaded;       /* file keys, "catalog:" + ns */
    xmlHashTablePtr defined_ns;   /* target namespaces that were added */
    struct vec vecs;              /* every vec's items array, to free */
    struct vec types_all, elements_all, particles_all, attrs_all, wanted;
    size_t n_elements, n_types;
    int depth;
};

/* Parsing state of one xsd:schema element. */
struct schema_ctx {
    struct xsd_set *set;
    const char *file;
    const char *tns;
    int elem_qualified, attr_qualified;
    int chameleon;
};

static void *poolAlloc(struct xsd_set *set, size_t size)
{
    size_t align = alignof(max_align_t);
    size = (size + align - 1) & ~(align - 1);
    if (size > POOL_BLOCK / 4) {
        /* Large: its own chunk, linked behind the current block. */
        struct chunk *c = calloc(1, CHUNK_HEADER + size);
        if (!c)
            return NULL;
        c->next = set->chunks ? set->chunks->next : NULL;
        if (set->chunks)
            set->chunks->next = c;
        else
            set->chunks = c;
        return (char *)c + CHUNK_HEADER;
    }
    if (size > set->free_left) {
        struct chunk *c = malloc(CHUNK_HEADER + POOL_BLOCK);
        if (!c)
            return NULL;
        c->next = set->chunks;
        set->chunks = c;
        set->free_at = (char *)c + CHUNK_HEADER;
        set->free_left = POOL_BLOCK;
    }
    void *p = set->free_at;
    memset(p, 0, size);
    set->free_at += size;
    set->free_left -= size;
    return p;
}

static char *poolStrndup(struct xsd_set *set, const char *s, size_t n)
{
    char *d = poolAlloc(set, n + 1);
    if (d)
        memcpy(d, s, n);
    return d;
}

static char *poolStrdup(struct xsd_set *set, const char *s)
{
    return s ? poolStrndup(set, s, strlen(s)) : NULL;
}

/* Append to a vec whose items the caller frees. */
static int vecPushLocal(struct vec *v, void *item)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        void **items = realloc(v->items, cap * sizeof(*items));
        if (!items)
            return -1;
        v->items = items;
        v->cap = cap;
    }
    v->items[v->n++] = item;
    return 0;
}

/* Append to a vec that lives as long as the set (freed by the set). */
static int vecPush(struct xsd_set *set, struct vec *v, void *item)
{
    if (!v->items && vecPushLocal(&set->vecs, v))
        return -1;
    return vecPushLocal(v, item);
}

static int oom(struct sb_error *err)
{
    return error_set(err, XSD_ERR, "out of memory");
}

/* ---- built-in types ---- */

struct builtin_def {
    const char *name;
    enum xsd_json_kind kind;
    int is_list;
};

static const struct builtin_def builtins[] = {
    {"string", XSD_JSON_STRING, 0}, {"normalizedString", XSD_JSON_STRING, 0},
    {"token", XSD_JSON_STRING, 0}, {"language", XSD_JSON_STRING, 0},
    {"Name", XSD_JSON_STRING, 0}, {"NCName", XSD_JSON_STRING, 0},
    {"NMTOKEN", XSD_JSON_STRING, 0}, {"NMTOKENS", XSD_JSON_STRING, 1},
    {"ID", XSD_JSON_STRING, 0}, {"IDREF", XSD_JSON_STRING, 0},
    {"IDREFS", XSD_JSON_STRING, 1}, {"ENTITY", XSD_JSON_STRING, 0},
    {"ENTITIES", XSD_JSON_STRING, 1}, {"boolean", XSD_JSON_BOOLEAN, 0},
    {"decimal", XSD_JSON_NUMBER, 0}, {"integer", XSD_JSON_NUMBER, 0},
    {"nonPositiveInteger", XSD_JSON_NUMBER, 0},
    {"negativeInteger", XSD_JSON_NUMBER, 0}, {"long", XSD_JSON_NUMBER, 0},
    {"int", XSD_JSON_NUMBER, 0}, {"short", XSD_JSON_NUMBER, 0},
    {"byte", XSD_JSON_NUMBER, 0},
    {"nonNegativeInteger", XSD_JSON_NUMBER, 0},
    {"positiveInteger", XSD_JSON_NUMBER, 0},
    {"unsignedLong", XSD_JSON_NUMBER, 0},
    {"unsignedInt", XSD_JSON_NUMBER, 0},
    {"unsignedShort", XSD_JSON_NUMBER, 0},
    {"unsignedByte", XSD_JSON_NUMBER, 0}, {"float", XSD_JSON_NUMBER, 0},
    {"double", XSD_JSON_NUMBER, 0}, {"date", XSD_JSON_STRING, 0},
    {"dateTime", XSD_JSON_STRING, 0}, {"time", XSD_JSON_STRING, 0},
    {"duration", XSD_JSON_STRING, 0}, {"gYear", XSD_JSON_STRING, 0},
    {"gYearMonth", XSD_JSON_STRING, 0}, {"gMonth", XSD_JSON_STRING, 0},
    {"gMonthDay", XSD_JSON_STRING, 0}, {"gDay", XSD_JSON_STRING, 0},
    {"base64Binary", XSD_JSON_STRING, 0}, {"hexBinary", XSD_JSON_STRING, 0},
    {"anyURI", XSD_JSON_STRING, 0}, {"QName", XSD_JSON_STRING, 0},
    {"NOTATION", XSD_JSON_STRING, 0}, {"anyType", XSD_JSON_ANY, 0},
    {"anySimpleType", XSD_JSON_ANY, 0},
};

static void initFacets(struct xsd_facets *f)
{
    f->length = f->min_length = f->max_length = -1;
    f->total_digits = f->fraction_digits = -1;
}

static int addBuiltins(struct xsd_set *set)
{
    for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
        struct type_x *t = poolAlloc(set, sizeof(*t));
        if (!t)
            return -1;
        t->pub.ns = (char *)XSD_NS;
        t->pub.name = (char *)builtins[i].name;
        t->pub.builtin = builtins[i].name;
        t->pub.json_kind = builtins[i].kind;
        t->pub.is_list = builtins[i].is_list;
        t->pub.file = "<builtin>";
        initFacets(&t->pub.facets);
        t->state = 2;
        if (xmlHashAddEntry2(set->types, BAD_CAST builtins[i].name,
                             BAD_CAST XSD_NS, t) != 0)
            return -1;
    }
    return 0;
}

struct xsd_set *xsd_set_new(void)
{
    struct xsd_set *set = calloc(1, sizeof(*set));
    if (!set)
        return NULL;
    set->elements = xmlHashCreate(64);
    set->types = xmlHashCreate(64);
    set->groups = xmlHashCreate(16);
    set->attributes = xmlHashCreate(16);
    set->attr_groups = xmlHashCreate(16);
    set->loaded = xmlHashCreate(16);
    set->defined_ns = xmlHashCreate(16);
    if (!set->elements || !set->types || !set->groups || !set->attributes ||
        !set->attr_groups || !set->loaded || !set->defined_ns ||
        addBuiltins(set) != 0) {
        xsd_set_free(set);
        return NULL;
    }
    return set;
}

void xsd_set_free(struct xsd_set *set)
{
    if (!set)
        return;
    xmlHashFree(set->elements, NULL);
    xmlHashFree(set->types, NULL);
    xmlHashFree(set->groups, NULL);
    xmlHashFree(set->attributes, NULL);
    xmlHashFree(set->attr_groups, NULL);
    xmlHashFree(set->loaded, NULL);
    xmlHashFree(set->defined_ns, NULL);
    for (size_t i = 0; i < set->vecs.n; i++)
        free(((struct vec *)set->vecs.items[i])->items);
    free(set->vecs.items);
    while (set->chunks) {
        struct chunk *next = set->chunks->next;
        free(set->chunks);
        set->chunks = next;
    }
    free(set);
}

/* ---- XML reading with errors routed into sb_error ---- */

struct parse_state {
    struct sb_error *err;
    const char *file;
    const char *code;
    int failed;
};

static void onXmlError(void *data, xmlErrorPtr e)
{
    xmlParserCtxtPtr ctxt = data;
    struct parse_state *st = ctxt->_private;
    if (st->failed || e->level < XML_ERR_ERROR)
        return;
    char msg[256];
    snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "error");
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = 0;
    error_set_at(st->err, st->code, st->file, e->line,
                 "XML syntax error: %s", msg);
    st->failed = 1;
}

/* Safe options: no network, no entity substitution, no DTD loading. */
#define XSD_PARSE_OPTIONS \
    (XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_BIG_LINES | \
     XML_PARSE_NOWARNING)

static xmlDocPtr readXml(const char *path, const char *text, size_t len,
                         const char *code, struct sb_error *err)
{
    struct parse_state st = {err, path, code, 0};
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        error_set(err, code, "out of memory");
        return NULL;
    }
    ctxt->_private = &st;
    ctxt->sax->serror = onXmlError;
    xmlDocPtr doc = text
        ? xmlCtxtReadMemory(ctxt, text, (int)len, path, NULL,
                            XSD_PARSE_OPTIONS)
        : xmlCtxtReadFile(ctxt, path, NULL, XSD_PARSE_OPTIONS);
    xmlFreeParserCtxt(ctxt);
    if (doc && !st.failed)
        return doc;
    xmlFreeDoc(doc);
    if (!st.failed)
        error_set_at(err, code, path, 0, "cannot read file");
    return NULL;
}

xmlDocPtr xsd_read_file(const char *path, const char *code,
                        struct sb_error *err)
{
    return readXml(path, NULL, 0, code, err);
}

/* ---- DOM helpers ---- */

static int isXsd(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns &&
           strcmp((const char *)n->ns->href, XSD_NS) == 0 &&
           (!name || strcmp((const char *)n->name, name) == 0);
}

static int nodeLine(xmlNodePtr n)
{
    long line = xmlGetLineNo(n);
    return line > 0 && line < INT_MAX ? (int)line : 0;
}

/* The attribute's value copied into the pool; NULL when absent. */
static char *attrDup(struct xsd_set *set, xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);
    if (!v)
        return NULL;
    char *d = poolStrdup(set, (const char *)v);
    xmlFree(v);
    return d;
}

static int attrEquals(xmlNodePtr n, const char *name, const char *value)
{
    xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);
    int eq = v && strcmp((const char *)v, value) == 0;
    xmlFree(v);
    return eq;
}

static int attrIsTrue(xmlNodePtr n, const char *name)
{
    return attrEquals(n, name, "true") || attrEquals(n, name, "1");
}

static int failAt(struct sb_error *err, const char *file, xmlNodePtr n,
                  const char *fmt, const char *arg)
{
    return error_set_at(err, XSD_ERR, file, nodeLine(n), fmt, arg);
}

static const char *nsOrNull(const char *ns)
{
    return ns && ns[0] ? ns : NULL;
}

/* Parse a QName written in `text` in the scope of `node`. */
static struct qname *parseQName(struct schema_ctx *c, xmlNodePtr node,
                                const char *text, struct sb_error *err)
{
    struct xsd_set *set = c->set;
    struct qname *q = poolAlloc(set, sizeof(*q));
    if (!q) {
        oom(err);
        return NULL;
    }
    const char *colon = strchr(text, ':');
    char *prefix = colon ? poolStrndup(set, text, colon - text) : NULL;
    q->raw = poolStrdup(set, text);
    q->local = poolStrdup(set, colon ? colon + 1 : text);
    q->file = c->file;
    q->line = nodeLine(node);
    if (!q->raw || !q->local || (colon && !prefix)) {
        oom(err);
        return NULL;
    }
    xmlNsPtr ns = xmlSearchNs(node->doc, node, BAD_CAST prefix);
    if (colon && !ns) {
        failAt(err, c->file, node, "%s: unknown namespace prefix", text);
        return NULL;
    }
    const char *uri = ns ? nsOrNull((const char *)ns->href) : NULL;
    /* Chameleon include: unqualified references take the includer's
     * namespace (XML Schema 1.0 part 1, 4.2.1). */
    if (!uri && c->chameleon)
        uri = c->tns;
    q->ns = poolStrdup(set, uri);
    if (uri && (!q->ns || vecPush(set, &set->wanted, q->ns) != 0)) {
        oom(err);
        return NULL;
    }
    return q;
}

static struct qname *attrQName(struct schema_ctx *c, xmlNodePtr n,
                               const char *name, struct sb_error *err,
                               int *failed)
{
    xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);
    if (!v)
        return NULL;
    struct qname *q = parseQName(c, n, (const char *)v, err);
    xmlFree(v);
    if (!q)
        *failed = 1;
    return q;
}

static int parseOccurs(struct schema_ctx *c, xmlNodePtr n, const char *name,
                       int *out, struct sb_error *err)
{
    xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);
    if (!v)
        return 0;
    int rc = 0;
    if (strcmp((const char *)v, "unbounded") == 0) {
        *out = XSD_UNBOUNDED;
    } else {
        char *end;
        long l = strtol((const char *)v, &end, 10);
        if (end == (char *)v || *end || l < 0 || l > INT_MAX)
            rc = failAt(err, c->file, n, "%s: invalid occurrence count",
                        (const char *)v);
        else
            *out = (int)l;
    }
    xmlFree(v);
    return rc;
}

/* ---- declarations ---- */

static struct type_x *newType(struct schema_ctx *c, xmlNodePtr n,
                              const char *name, int is_complex)
{
    struct type_x *t = poolAlloc(c->set, sizeof(*t));
    if (!t)
        return NULL;
    t->pub.ns = (char *)c->tns;
    t->pub.name = name ? poolStrdup(c->set, name) : NULL;
    t->pub.is_complex = is_complex;
    t->pub.file = c->file;
    t->pub.line = nodeLine(n);
    t->pub.builtin = "string";
    initFacets(&t->pub.facets);
    if ((name && !t->pub.name) || vecPush(c->set, &c->set->types_all, t))
        return NULL;
    return t;
}

static struct xsd_type *parseSimpleType(struct schema_ctx *c, xmlNodePtr n,
                                        const char *name,
                                        struct sb_error *err);
static struct xsd_type *parseComplexType(struct schema_ctx *c, xmlNodePtr n,
                                         const char *name,
                                         struct sb_error *err);
static struct xsd_particle *parseParticle(struct schema_ctx *c, xmlNodePtr n,
                                          struct sb_error *err);

static int facetLong(struct schema_ctx *c, xmlNodePtr n, long *out,
                     struct sb_error *err)
{
    xmlChar *v = xmlGetNoNsProp(n, BAD_CAST "value");
    char *end = NULL;
    long l = v ? strtol((const char *)v, &end, 10) : -1;
    int bad = !v || end == (char *)v || *end || l < 0;
    xmlFree(v);
    if (bad)
        return failAt(err, c->file, n, "%s: invalid facet value",
                      (const char *)n->name);
    *out = l;
    return 0;
}

static int pushString(struct xsd_set *set, char ***arr, size_t *count,
                      const char *s)
{
    char **bigger = poolAlloc(set, (*count + 1) * sizeof(*bigger));
    if (!bigger || !s)
        return -1;
    if (*count)
        memcpy(bigger, *arr, *count * sizeof(*bigger));
    bigger[(*count)++] = (char *)s;
    *arr = bigger;
    return 0;
}

static int parseFacet(struct schema_ctx *c, xmlNodePtr f,
                      struct xsd_facets *fs, struct sb_error *err)
{
    const char *name = (const char *)f->name;
    struct xsd_set *set = c->set;
    if (strcmp(name, "enumeration") == 0)
        return pushString(set, &fs->enumeration, &fs->n_enumeration,
                          attrDup(set, f, "value")) ? oom(err) : 0;
    if (strcmp(name, "pattern") == 0)
        return pushString(set, &fs->patterns, &fs->n_patterns,
                          attrDup(set, f, "value")) ? oom(err) : 0;
    if (strcmp(name, "minInclusive") == 0)
        fs->min_inclusive = attrDup(set, f, "value");
    else if (strcmp(name, "maxInclusive") == 0)
        fs->max_inclusive = attrDup(set, f, "value");
    else if (strcmp(name, "minExclusive") == 0)
        fs->min_exclusive = attrDup(set, f, "value");
    else if (strcmp(name, "maxExclusive") == 0)
        fs->max_exclusive = attrDup(set, f, "value");
    else if (strcmp(name, "length") == 0)
        return facetLong(c, f, &fs->length, err);
    else if (strcmp(name, "minLength") == 0)
        return facetLong(c, f, &fs->min_length, err);
    else if (strcmp(name, "maxLength") == 0)
        return facetLong(c, f, &fs->max_length, err);
    else if (strcmp(name, "totalDigits") == 0)
        return facetLong(c, f, &fs->total_digits, err);
    else if (strcmp(name, "fractionDigits") == 0)
        return facetLong(c, f, &fs->fraction_digits, err);
    return 0;
}

/* restriction (of a simpleType or a simpleContent): base= or an inline
 * simpleType, then facets. */
static int parseRestrictionBase(struct schema_ctx *c, xmlNodePtr r,
                                struct type_x *t, struct sb_error *err)
{
    int failed = 0;
    t->base_ref = attrQName(c, r, "base", err, &failed);
    if (failed)
        return -1;
    for (xmlNodePtr f = r->children; f; f = f->next) {
        if (isXsd(f, "simpleType")) {
            t->inline_base = parseSimpleType(c, f, NULL, err);
            if (!t->inline_base)
                return -1;
        } else if (isXsd(f, NULL) && parseFacet(c, f, &t->pub.facets, err)) {
            return -1;
        }
    }
    return 0;
}

static struct xsd_type *parseSimpleType(struct schema_ctx *c, xmlNodePtr n,
                                        const char *name,
                                        struct sb_error *err)
{
    struct type_x *t = newType(c, n, name, 0);
    if (!t) {
        oom(err);
        return NULL;
    }
    int failed = 0;
    for (xmlNodePtr ch = n->children; ch; ch = ch->next) {
        if (isXsd(ch, "restriction")) {
            t->deriv = DERIV_RESTRICTION;
            if (parseRestrictionBase(c, ch, t, err))
                return NULL;
        } else if (isXsd(ch, "list")) {
            t->deriv = DERIV_LIST;
            t->base_ref = attrQName(c, ch, "itemType", err, &failed);
            xmlNodePtr inl = ch->children;
            while (inl && !isXsd(inl, "simpleType"))
                inl = inl->next;
            if (inl && !(t->inline_base = parseSimpleType(c, inl, NULL, err)))
                return NULL;
        } else if (isXsd(ch, "union")) {
            t->deriv = DERIV_UNION;
        }
        if (failed)
            return NULL;
    }
    return &t->pub;
}

static struct attr_x *parseAttribute(struct schema_ctx *c, xmlNodePtr n,
                                     int global, struct sb_error *err);

/* Attribute-ish children shared by complexType, extension, restriction
 * and attributeGroup. Returns 1 if n was one of them, 0 if not, -1. */
static int parseAttrChild(struct schema_ctx *c, xmlNodePtr n,
                          struct vec *attrs, struct vec *refs,
                          int *any_attribute, struct sb_error *err)
{
    int failed = 0;
    if (isXsd(n, "attribute")) {
        struct attr_x *a = parseAttribute(c, n, 0, err);
        if (!a)
            return -1;
        return vecPush(c->set, attrs, a) ? oom(err) : 1;
    }
    if (isXsd(n, "attributeGroup")) {
        struct qname *q = attrQName(c, n, "ref", err, &failed);
        if (failed)
            return -1;
        if (!q)
            return failAt(err, c->file, n, "%s: attributeGroup without ref",
                          "attributeGroup");
        return vecPush(c->set, refs, q) ? oom(err) : 1;
    }
    if (isXsd(n, "anyAttribute")) {
        *any_attribute = 1;
        return 1;
    }
    return 0;
}

/* The model group and attributes inside complexType, extension or
 * restriction. */
static int parseTypeBody(struct schema_ctx *c, xmlNodePtr n, struct type_x *t,
                         struct sb_error *err)
{
    for (xmlNodePtr ch = n->children; ch; ch = ch->next) {
        if (isXsd(ch, "sequence") || isXsd(ch, "choice") ||
            isXsd(ch, "all") || isXsd(ch, "group")) {
            t->own_content = parseParticle(c, ch, err);
            if (!t->own_content)
                return -1;
            continue;
        }
        int rc = parseAttrChild(c, ch, &t->own_attrs, &t->attr_group_refs,
                                &t->pub.any_attribute, err);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int parseDerivation(struct schema_ctx *c, xmlNodePtr content,
                           struct type_x *t, struct sb_error *err)
{
    for (xmlNodePtr d = content->children; d; d = d->next) {
        int ext = isXsd(d, "extension");
        if (!ext && !isXsd(d, "restriction"))
            continue;
        t->deriv = ext ? DERIV_EXTENSION : DERIV_RESTRICTION;
        if (parseRestrictionBase(c, d, t, err))
            return -1;
        return parseTypeBody(c, d, t, err);
    }
    return 0;
}

static struct xsd_type *parseComplexType(struct schema_ctx *c, xmlNodePtr n,
                                         const char *name,
                                         struct sb_error *err)
{
    struct type_x *t = newType(c, n, name, 1);
    if (!t) {
        oom(err);
        return NULL;
    }
    t->pub.mixed = attrIsTrue(n, "mixed");
    t->pub.is_abstract = attrIsTrue(n, "abstract");
    for (xmlNodePtr ch = n->children; ch; ch = ch->next) {
        if (isXsd(ch, "simpleContent") || isXsd(ch, "complexContent")) {
            t->simple_content = isXsd(ch, "simpleContent");
            if (attrIsTrue(ch, "mixed"))
                t->pub.mixed = 1;
            if (parseDerivation(c, ch, t, err))
                return NULL;
        }
    }
    if (parseTypeBody(c, n, t, err))
        return NULL;
    return &t->pub;
}

/* The inline anonymous type of an element or attribute, if any. */
static int parseInlineType(struct schema_ctx *c, xmlNodePtr n,
                           struct xsd_type **out, struct sb_error *err)
{
    for (xmlNodePtr ch = n->children; ch; ch = ch->next) {
        if (isXsd(ch, "complexType"))
            *out = parseComplexType(c, ch, NULL, err);
        else if (isXsd(ch, "simpleType"))
            *out = parseSimpleType(c, ch, NULL, err);
        else
            continue;
        return *out ? 0 : -1;
    }
    return 0;
}

static int formQualified(xmlNodePtr n, int schema_default)
{
    if (attrEquals(n, "form", "qualified"))
        return 1;
    if (attrEquals(n, "form", "unqualified"))
        return 0;
    return schema_default;
}

static struct elem_x *parseElementDecl(struct schema_ctx *c, xmlNodePtr n,
                                       int global, struct sb_error *err)
{
    struct xsd_set *set = c->set;
    struct elem_x *e = poolAlloc(set, sizeof(*e));
    int failed = 0;
    if (!e || vecPush(set, &set->elements_all, e)) {
        oom(err);
        return NULL;
    }
    e->pub.name = attrDup(set, n, "name");
    if (!e->pub.name) {
        failAt(err, c->file, n, "%s: element without name or ref",
               "element");
        return NULL;
    }
    if (global || formQualified(n, c->elem_qualified))
        e->pub.ns = (char *)c->tns;
    e->pub.is_global = global;
    e->pub.nillable = attrIsTrue(n, "nillable");
    e->pub.is_abstract = attrIsTrue(n, "abstract");
    e->pub.default_value = attrDup(set, n, "default");
    e->pub.fixed_value = attrDup(set, n, "fixed");
    e->pub.file = c->file;
    e->pub.line = nodeLine(n);
    e->type_ref = attrQName(c, n, "type", err, &failed);
    if (!failed)
        e->substitution_head = attrQName(c, n, "substitutionGroup", err,
                                         &failed);
    if (failed || parseInlineType(c, n, &e->pub.type, err))
        return NULL;
    return e;
}

static struct particle_x *newParticle(struct schema_ctx *c,
                                      enum xsd_particle_kind kind,
                                      struct sb_error *err)
{
    struct particle_x *p = poolAlloc(c->set, sizeof(*p));
    if (!p) {
        oom(err);
        return NULL;
    }
    p->pub.kind = kind;
    p->pub.min_occurs = p->pub.max_occurs = 1;
    return p;
}

static int parseRefParticle(struct schema_ctx *c, xmlNodePtr n,
                            struct particle_x *p, int is_group,
                            struct sb_error *err)
{
    int failed = 0;
    p->ref = attrQName(c, n, "ref", err, &failed);
    if (failed)
        return -1;
    p->is_group_ref = is_group;
    if (vecPush(c->set, &c->set->particles_all, p))
        return oom(err);
    return 0;
}

static int parseGroupChildren(struct schema_ctx *c, xmlNodePtr n,
                              struct particle_x *p, struct sb_error *err)
{
    size_t count = 0;
    for (xmlNodePtr ch = n->children; ch; ch = ch->next)
        count += isXsd(ch, NULL);
    p->pub.children = poolAlloc(c->set, (count + 1) * sizeof(void *));
    if (!p->pub.children)
        return oom(err);
    for (xmlNodePtr ch = n->children; ch; ch = ch->next) {
        if (!isXsd(ch, NULL) || isXsd(ch, "annotation"))
            continue;
        struct xsd_particle *child = parseParticle(c, ch, err);
        if (!child)
            return -1;
        p->pub.children[p->pub.n_children++] = child;
    }
    return 0;
}

/* element, sequence, choice, all, group ref or any. */
static struct xsd_particle *parseParticle(struct schema_ctx *c, xmlNodePtr n,
                                          struct sb_error *err)
{
    static const struct {
        const char *name;
        enum xsd_particle_kind kind;
    } kinds[] = {
        {"element", XSD_PARTICLE_ELEMENT}, {"sequence", XSD_PARTICLE_SEQUENCE},
        {"choice", XSD_PARTICLE_CHOICE}, {"all", XSD_PARTICLE_ALL},
        {"any", XSD_PARTICLE_ANY}, {"group", XSD_PARTICLE_SEQUENCE},
    };
    size_t k = 0;
    while (k < sizeof(kinds) / sizeof(kinds[0]) && !isXsd(n, kinds[k].name))
        k++;
    if (k == sizeof(kinds) / sizeof(kinds[0])) {
        failAt(err, c->file, n, "%s: unexpected in a content model",
               (const char *)n->name);
        return NULL;
    }
    struct particle_x *p = newParticle(c, kinds[k].kind, err);
    if (!p || parseOccurs(c, n, "minOccurs", &p->pub.min_occurs, err) ||
        parseOccurs(c, n, "maxOccurs", &p->pub.max_occurs, err))
        return NULL;
    int rc = 0;
    if (isXsd(n, "group")) {
        rc = parseRefParticle(c, n, p, 1, err);
    } else if (isXsd(n, "element") && xmlHasProp(n, BAD_CAST "ref")) {
        rc = parseRefParticle(c, n, p, 0, err);
    } else if (isXsd(n, "element")) {
        struct elem_x *e = parseElementDecl(c, n, 0, err);
        rc = e ? 0 : -1;
        if (e)
            p->pub.element = &e->pub;
    } else if (isXsd(n, "any")) {
        p->pub.any_namespace = attrDup(c->set, n, "namespace");
    } else {
        rc = parseGroupChildren(c, n, p, err);
    }
    return rc ? NULL : &p->pub;
}

static struct attr_x *parseAttribute(struct schema_ctx *c, xmlNodePtr n,
                                     int global, struct sb_error *err)
{
    struct xsd_set *set = c->set;
    struct attr_x *a = poolAlloc(set, sizeof(*a));
    int failed = 0;
    if (!a || vecPush(set, &set->attrs_all, a)) {
        oom(err);
        return NULL;
    }
    a->ref = attrQName(c, n, "ref", err, &failed);
    a->type_ref = attrQName(c, n, "type", err, &failed);
    if (failed)
        return NULL;
    a->pub.name = attrDup(set, n, "name");
    if (!a->pub.name && !a->ref) {
        failAt(err, c->file, n, "%s: attribute without name or ref",
               "attribute");
        return NULL;
    }
    if (global || formQualified(n, c->attr_qualified))
        a->pub.ns = (char *)c->tns;
    a->pub.required = attrEquals(n, "use", "required");
    a->prohibited = attrEquals(n, "use", "prohibited");
    a->pub.default_value = attrDup(set, n, "default");
    a->pub.fixed_value = attrDup(set, n, "fixed");
    xmlChar *arr = xmlGetNsProp(n, BAD_CAST "arrayType",
                                BAD_CAST WSDL_ARRAY_NS);
    if (arr) {
        /* "tns:Item[]" or "xsd:string[][5]": the item type is the QName
         * before the first bracket (SOAP 1.1 section 5.4.2). */
        char *bracket = strchr((char *)arr, '[');
        if (bracket)
            *bracket = 0;
        a->array_type = parseQName(c, n, (const char *)arr, err);
        xmlFree(arr);
        if (!a->array_type)
            return NULL;
    }
    if (parseInlineType(c, n, &a->pub.type, err))
        return NULL;
    return a;
}

/* ---- global declarations ---- */

static int addGlobal(struct schema_ctx *c, xmlHashTablePtr table,
                     const char *name, void *payload, size_t *count,
                     struct sb_error *err)
{
    int rc = xmlHashAddEntry2(table, BAD_CAST name, BAD_CAST c->tns, payload);
    /* A declaration seen twice (the same schema reached by two paths or
     * two copies of it): the first one wins. */
    if (rc != 0 && xmlHashLookup2(table, BAD_CAST name, BAD_CAST c->tns))
        return 0;
    if (rc != 0)
        return oom(err);
    if (count)
        (*count)++;
    return 0;
}

static int parseGlobalAttrGroup(struct schema_ctx *c, xmlNodePtr n,
                                const char *name, struct sb_error *err)
{
    struct attr_group_x *g = poolAlloc(c->set, sizeof(*g));
    if (!g)
        return oom(err);
    for (xmlNodePtr ch = n->children; ch; ch = ch->next)
        if (parseAttrChild(c, ch, &g->attrs, &g->refs, &g->any_attribute,
                           err) < 0)
            return -1;
    return addGlobal(c, c->set->attr_groups, name, g, NULL, err);
}

static int parseGlobalGroup(struct schema_ctx *c, xmlNodePtr n,
                            const char *name, struct sb_error *err)
{
    struct group_x *g = poolAlloc(c->set, sizeof(*g));
    if (!g)
        return oom(err);
    for (xmlNodePtr ch = n->children; ch; ch = ch->next) {
        if (isXsd(ch, "sequence") || isXsd(ch, "choice") ||
            isXsd(ch, "all")) {
            g->content = parseParticle(c, ch, err);
            if (!g->content)
                return -1;
        }
    }
    if (!g->content)
        return failAt(err, c->file, n, "%s: group without content", name);
    return addGlobal(c, c->set->groups, name, g, NULL, err);
}

static int parseGlobal(struct schema_ctx *c, xmlNodePtr n,
                       struct sb_error *err)
{
    struct xsd_set *set = c->set;
    xmlChar *nm = xmlGetNoNsProp(n, BAD_CAST "name");
    const char *name = (const char *)nm;
    int rc = 0;
    if (!name) {
        rc = failAt(err, c->file, n, "%s: global declaration without name",
                    (const char *)n->name);
    } else if (isXsd(n, "element")) {
        struct elem_x *e = parseElementDecl(c, n, 1, err);
        rc = e ? addGlobal(c, set->elements, name, e, &set->n_elements, err)
               : -1;
    } else if (isXsd(n, "complexType") || isXsd(n, "simpleType")) {
        struct xsd_type *t = isXsd(n, "complexType")
            ? parseComplexType(c, n, name, err)
            : parseSimpleType(c, n, name, err);
        rc = t ? addGlobal(c, set->types, name, t, &set->n_types, err) : -1;
    } else if (isXsd(n, "attribute")) {
        struct attr_x *a = parseAttribute(c, n, 1, err);
        rc = a ? addGlobal(c, set->attributes, name, a, NULL, err) : -1;
    } else if (isXsd(n, "attributeGroup")) {
        rc = parseGlobalAttrGroup(c, n, name, err);
    } else if (isXsd(n, "group")) {
        rc = parseGlobalGroup(c, n, name, err);
    }
    xmlFree(nm);
    return rc;
}

/* ---- files, includes, imports ---- */

static int addSchemaNode(struct xsd_set *set, xmlNodePtr schema,
                         const char *file, const char *chameleon_tns,
                         struct sb_error *err);

static int isRemote(const char *location)
{
    return strncmp(location, "http://", 7) == 0 ||
           strncmp(location, "https://", 8) == 0 ||
           strncmp(location, "ftp://", 6) == 0;
}

/* location relative to the directory of `from`, in the pool. */
static char *relativePath(struct xsd_set *set, const char *from,
                          const char *location)
{
    if (strncmp(location, "file://", 7) == 0)
        location += 7;
    if (location[0] == '/')
        return poolStrdup(set, location);
    const char *slash = strrchr(from, '/');
    size_t dir = slash ? (size_t)(slash - from) + 1 : 0;
    size_t len = strlen(location);
    char *p = poolAlloc(set, dir + len + 1);
    if (p) {
        memcpy(p, from, dir);
        memcpy(p + dir, location, len);
    }
    return p;
}

static int markLoaded(struct xsd_set *set, const char *key)
{
    if (xmlHashLookup(set->loaded, BAD_CAST key))
        return 1;
    return xmlHashAddEntry(set->loaded, BAD_CAST key, (void *)set) ? -1 : 0;
}

static int loadFile(struct xsd_set *set, const char *path,
                    const char *chameleon_tns, struct sb_error *err)
{
    char real[PATH_MAX], key[PATH_MAX + 512];
    if (!realpath(path, real))
        return error_set_at(err, XSD_ERR, path, 0, "schema file not found");
    snprintf(key, sizeof(key), "%s|%s", real,
             chameleon_tns ? chameleon_tns : "");
    int seen = markLoaded(set, key);
    if (seen)
        return seen < 0 ? oom(err) : 0;
    if (set->depth >= XSD_MAX_INCLUDE_DEPTH)
        return error_set_at(err, XSD_ERR, path, 0,
                            "schema imports nested too deeply");
    const char *file = poolStrdup(set, path);
    if (!file)
        return oom(err);
    xmlDocPtr doc = readXml(file, NULL, 0, XSD_ERR, err);
    if (!doc)
        return -1;
    set->depth++;
    int rc = addSchemaNode(set, xmlDocGetRootElement(doc), file,
                           chameleon_tns, err);
    set->depth--;
    xmlFreeDoc(doc);
    return rc;
}

static int loadCatalog(struct xsd_set *set, const char *ns,
                       struct sb_error *err)
{
    size_t len;
    const char *text = catalog_lookup(ns, &len);
    const char *name = catalog_name(ns);
    char key[1024];
    snprintf(key, sizeof(key), "catalog:%s", ns);
    if (!text)
        return 0;
    int seen = markLoaded(set, key);
    if (seen)
        return seen < 0 ? oom(err) : 0;
    xmlDocPtr doc = readXml(name, text, len, XSD_ERR, err);
    if (!doc)
        return -1;
    int rc = addSchemaNode(set, xmlDocGetRootElement(doc), name, NULL, err);
    xmlFreeDoc(doc);
    return rc;
}

static int parseImport(struct schema_ctx *c, xmlNodePtr n, int is_include,
                       struct sb_error *err)
{
    struct xsd_set *set = c->set;
    char *ns = is_include ? (char *)c->tns : attrDup(set, n, "namespace");
    char *location = attrDup(set, n, "schemaLocation");
    if (ns && vecPush(set, &set->wanted, ns))
        return oom(err);
    if (!location && is_include)
        return failAt(err, c->file, n, "%s: include without schemaLocation",
                      "include");
    if (!location)
        return 0;
    if (isRemote(location)) {
        /* Never fetched: the catalogue's copy is used at resolve time. */
        if (!is_include && catalog_lookup(ns, NULL))
            return 0;
        return failAt(err, c->file, n,
                      "%s: remote schema not in the built-in catalogue",
                      location);
    }
    char *path = relativePath(set, c->file, location);
    if (!path)
        return oom(err);
    if (access(path, R_OK) != 0)
        return failAt(err, c->file, n, "%s: schema file not found", location);
    return loadFile(set, path, is_include ? c->tns : NULL, err);
}

static int addSchemaNode(struct xsd_set *set, xmlNodePtr schema,
                         const char *file, const char *chameleon_tns,
                         struct sb_error *err)
{
    if (!isXsd(schema, "schema"))
        return error_set_at(err, XSD_ERR, file, schema ? nodeLine(schema) : 0,
                            "not an xsd:schema");
    struct schema_ctx c = {set, file, NULL, 0, 0, 0};
    char *tns = attrDup(set, schema, "targetNamespace");
    c.tns = nsOrNull(tns);
    if (!c.tns && chameleon_tns) {
        c.tns = chameleon_tns;
        c.chameleon = 1;
    }
    c.elem_qualified = attrEquals(schema, "elementFormDefault", "qualified");
    c.attr_qualified = attrEquals(schema, "attributeFormDefault",
                                  "qualified");
    if (c.tns && xmlHashLookup(set->defined_ns, BAD_CAST c.tns) == NULL &&
        xmlHashAddEntry(set->defined_ns, BAD_CAST c.tns, set) != 0)
        return oom(err);
    for (xmlNodePtr n = schema->children; n; n = n->next) {
        int rc = 0;
        if (!isXsd(n, NULL) || isXsd(n, "annotation") ||
            isXsd(n, "notation"))
            continue;
        if (isXsd(n, "import"))
            rc = parseImport(&c, n, 0, err);
        else if (isXsd(n, "include") || isXsd(n, "redefine"))
            rc = parseImport(&c, n, 1, err);
        else
            rc = parseGlobal(&c, n, err);
        if (rc)
            return -1;
    }
    return 0;
}

/* The schema element is copied (with the namespaces in scope) into the
 * set's own model, so the caller keeps its document. */
int xsd_set_add_schema(struct xsd_set *set, xmlNodePtr schema,
                       const char *file, struct sb_error *err)
{
    const char *f = poolStrdup(set, file ? file : "<memory>");
    if (!f)
        return oom(err);
    return addSchemaNode(set, schema, f, NULL, err);
}

int xsd_set_add_file(struct xsd_set *set, const char *path,
                     struct sb_error *err)
{
    if (access(path, R_OK) != 0)
        return error_set_at(err, XSD_ERR, path, 0, "schema file not found");
    return loadFile(set, path, NULL, err);
}

/* ---- resolution ---- */

static struct xsd_type *lookupType(struct xsd_set *set, struct qname *q,
                                   struct sb_error *err)
{
    struct xsd_type *t = xsd_find_type(set, q->ns, q->local);
    if (!t)
        error_set_at(err, XSD_ERR, q->file, q->line, "%s: unknown type",
                     q->raw);
    return t;
}

/* Namespaces referenced or imported but never declared come from the
 * catalogue; loading one may reference more, so the list grows. */
static int loadWantedNamespaces(struct xsd_set *set, struct sb_error *err)
{
    for (size_t i = 0; i < set->wanted.n; i++) {
        const char *ns = set->wanted.items[i];
        if (strcmp(ns, XSD_NS) == 0 ||
            xmlHashLookup(set->defined_ns, BAD_CAST ns))
            continue;
        if (loadCatalog(set, ns, err))
            return -1;
    }
    return 0;
}

static int resolveParticles(struct xsd_set *set, struct sb_error *err)
{
    for (size_t i = 0; i < set->particles_all.n; i++) {
        struct particle_x *p = set->particles_all.items[i];
        struct qname *q = p->ref;
        if (p->is_group_ref) {
            struct group_x *g = xmlHashLookup2(set->groups, BAD_CAST q->local,
                                               BAD_CAST q->ns);
            if (!g)
                return error_set_at(err, XSD_ERR, q->file, q->line,
                                    "%s: unknown group", q->raw);
            /* Inline the group: its model group with this ref's occurs. */
            p->pub.kind = g->content->kind;
            p->pub.children = g->content->children;
            p->pub.n_children = g->content->n_children;
        } else {
            p->pub.element = xsd_find_element(set, q->ns, q->local);
            if (!p->pub.element)
                return error_set_at(err, XSD_ERR, q->file, q->line,
                                    "%s: unknown element", q->raw);
        }
    }
    return 0;
}

static int resolveAttribute(struct xsd_set *set, struct attr_x *a,
                            struct sb_error *err)
{
    if (a->state == 2)
        return 0;
    a->state = 2;
    if (a->ref) {
        struct qname *q = a->ref;
        struct attr_x *g = xmlHashLookup2(set->attributes, BAD_CAST q->local,
                                          BAD_CAST q->ns);
        if (!g)
            return error_set_at(err, XSD_ERR, q->file, q->line,
                                "%s: unknown attribute", q->raw);
        if (resolveAttribute(set, g, err))
            return -1;
        a->pub.ns = g->pub.ns;
        a->pub.name = g->pub.name;
        a->pub.type = g->pub.type;
        if (!a->pub.default_value)
            a->pub.default_value = g->pub.default_value;
        if (!a->pub.fixed_value)
            a->pub.fixed_value = g->pub.fixed_value;
        return 0;
    }
    if (a->type_ref)
        a->pub.type = lookupType(set, a->type_ref, err);
    else if (!a->pub.type)
        a->pub.type = xsd_find_type(set, XSD_NS, "anySimpleType");
    return a->pub.type ? 0 : -1;
}

static int resolveAttributes(struct xsd_set *set, struct sb_error *err)
{
    for (size_t i = 0; i < set->attrs_all.n; i++) {
        struct attr_x *a = set->attrs_all.items[i];
        if (resolveAttribute(set, a, err))
            return -1;
    }
    return 0;
}

/* An element without a type takes its substitution group head's type
 * (XML Schema 1.0 part 1, 3.3.2), else anyType. */
static int resolveElement(struct xsd_set *set, struct elem_x *e,
                          struct sb_error *err)
{
    if (e->state)
        return 0;   /* done, or a substitution cycle: anyType below */
    e->state = 1;
    struct qname *head = e->substitution_head;
    if (e->type_ref) {
        e->pub.type = lookupType(set, e->type_ref, err);
    } else if (!e->pub.type && head) {
        struct elem_x *h = (struct elem_x *)xsd_find_element(set, head->ns,
                                                             head->local);
        if (!h)
            return error_set_at(err, XSD_ERR, head->file, head->line,
                                "%s: unknown element", head->raw);
        if (resolveElement(set, h, err))
            return -1;
        e->pub.type = h->pub.type;
    }
    if (!e->pub.type && !e->type_ref)
        e->pub.type = xsd_find_type(set, XSD_NS, "anyType");
    e->state = 2;
    return e->pub.type ? 0 : -1;
}

static int resolveElements(struct xsd_set *set, struct sb_error *err)
{
    for (size_t i = 0; i < set->elements_all.n; i++)
        if (resolveElement(set, set->elements_all.items[i], err))
            return -1;
    return 0;
}

static int sameNamespace(const char *a, const char *b)
{
    a = nsOrNull(a);
    b = nsOrNull(b);
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Append (or, for a restriction, replace by name) attribute a. */
static int mergeAttribute(struct vec *out, struct attr_x *a,
                          struct sb_error *err)
{
    for (size_t i = 0; i < out->n; i++) {
        struct attr_x *o = out->items[i];
        if (strcmp(o->pub.name, a->pub.name) == 0 &&
            sameNamespace(o->pub.ns, a->pub.ns)) {
            out->items[i] = a;
            return 0;
        }
    }
    return vecPushLocal(out, a) ? oom(err) : 0;
}

static int expandAttrGroup(struct xsd_set *set, struct qname *q,
                           struct vec *out, int *any_attribute, int depth,
                           struct sb_error *err)
{
    struct attr_group_x *g = xmlHashLookup2(set->attr_groups,
                                            BAD_CAST q->local, BAD_CAST q->ns);
    if (!g)
        return error_set_at(err, XSD_ERR, q->file, q->line,
                            "%s: unknown attributeGroup", q->raw);
    if (depth > XSD_MAX_INCLUDE_DEPTH)
        return error_set_at(err, XSD_ERR, q->file, q->line,
                            "%s: attributeGroup refers to itself", q->raw);
    *any_attribute |= g->any_attribute;
    for (size_t i = 0; i < g->attrs.n; i++)
        if (mergeAttribute(out, g->attrs.items[i], err))
            return -1;
    for (size_t i = 0; i < g->refs.n; i++)
        if (expandAttrGroup(set, g->refs.items[i], out, any_attribute,
                            depth + 1, err))
            return -1;
    return 0;
}

static int resolveType(struct xsd_set *set, struct type_x *t,
                       struct sb_error *err);

/* Effective attributes: the base's first, then own (restriction may
 * replace or prohibit). */
static int buildAttributes(struct xsd_set *set, struct type_x *t,
                           struct xsd_type *base, struct sb_error *err)
{
    struct vec all = {0};
    int rc = -1;
    if (base && base->is_complex) {
        for (size_t i = 0; i < base->n_attributes; i++)
            if (vecPushLocal(&all, base->attributes[i]))
                goto out_oom;
        t->pub.any_attribute |= base->any_attribute;
    }
    for (size_t i = 0; i < t->own_attrs.n; i++) {
        struct attr_x *a = t->own_attrs.items[i];
        if (a->array_type)
            t->array_type = a->array_type;
        if (mergeAttribute(&all, a, err))
            goto out;
    }
    for (size_t i = 0; i < t->attr_group_refs.n; i++)
        if (expandAttrGroup(set, t->attr_group_refs.items[i], &all,
                            &t->pub.any_attribute, 0, err))
            goto out;
    t->pub.attributes = poolAlloc(set, (all.n + 1) * sizeof(void *));
    if (!t->pub.attributes)
        goto out_oom;
    for (size_t i = 0; i < all.n; i++) {
        struct attr_x *a = all.items[i];
        if (!a->prohibited)
            t->pub.attributes[t->pub.n_attributes++] = &a->pub;
    }
    rc = 0;
    goto out;
out_oom:
    oom(err);
out:
    free(all.items);
    return rc;
}

static struct xsd_particle *joinContent(struct xsd_set *set,
                                        struct xsd_particle *first,
                                        struct xsd_particle *second)
{
    if (!first)
        return second;
    if (!second)
        return first;
    struct xsd_particle *seq = poolAlloc(set, sizeof(*seq));
    struct xsd_particle **kids = poolAlloc(set, 2 * sizeof(*kids));
    if (!seq || !kids)
        return NULL;
    seq->kind = XSD_PARTICLE_SEQUENCE;
    seq->min_occurs = seq->max_occurs = 1;
    kids[0] = first;
    kids[1] = second;
    seq->children = kids;
    seq->n_children = 2;
    return seq;
}

static int isSoapencArray(const struct xsd_type *base)
{
    return base && (base->is_soapenc_array ||
                    (base->ns && strcmp(base->ns, SOAP_ENCODING_NS) == 0 &&
                     base->name && strcmp(base->name, "Array") == 0));
}

/* rpc/encoded arrays: the item type from wsdl:arrayType, else from the
 * single element a restriction declares. */
static int resolveArray(struct xsd_set *set, struct type_x *t,
                        struct sb_error *err)
{
    t->pub.is_soapenc_array = 1;
    if (t->array_type) {
        struct qname *q = t->array_type;
        t->pub.array_item_type_ns = q->ns;
        t->pub.array_item_type_name = q->local;
        t->pub.array_item_type = lookupType(set, q, err);
        return t->pub.array_item_type ? 0 : -1;
    }
    struct xsd_particle *p = t->pub.content;
    while (p && p->kind != XSD_PARTICLE_ELEMENT && p->n_children == 1)
        p = p->children[0];
    if (p && p->kind == XSD_PARTICLE_ELEMENT && p->element->type) {
        struct xsd_type *it = p->element->type;
        t->pub.array_item_type = it;
        t->pub.array_item_type_ns = it->ns;
        t->pub.array_item_type_name = it->name;
    } else if (t->pub.base && t->pub.base->is_soapenc_array) {
        t->pub.array_item_type = t->pub.base->array_item_type;
        t->pub.array_item_type_ns = t->pub.base->array_item_type_ns;
        t->pub.array_item_type_name = t->pub.base->array_item_type_name;
    }
    return 0;
}

static void mergeFacets(struct xsd_facets *f, const struct xsd_facets *b)
{
    if (!f->n_enumeration) {
        f->enumeration = b->enumeration;
        f->n_enumeration = b->n_enumeration;
    }
    if (!f->n_patterns) {
        f->patterns = b->patterns;
        f->n_patterns = b->n_patterns;
    }
#define INHERIT(m, none) if (f->m == none) f->m = b->m
    INHERIT(min_inclusive, NULL);
    INHERIT(max_inclusive, NULL);
    INHERIT(min_exclusive, NULL);
    INHERIT(max_exclusive, NULL);
    INHERIT(length, -1);
    INHERIT(min_length, -1);
    INHERIT(max_length, -1);
    INHERIT(total_digits, -1);
    INHERIT(fraction_digits, -1);
#undef INHERIT
}

/* The simple value of t (a simple type, or simpleContent) from its base. */
static void inheritSimple(struct type_x *t, struct xsd_type *base)
{
    struct xsd_type *value = base;
    if (base->is_complex)
        value = base->simple_content;
    if (!value) {
        t->pub.builtin = "anySimpleType";
        t->pub.json_kind = XSD_JSON_ANY;
        return;
    }
    t->pub.builtin = value->builtin;
    t->pub.json_kind = value->json_kind;
    t->pub.is_list = value->is_list;
    mergeFacets(&t->pub.facets, &value->facets);
}

static int resolveSimple(struct type_x *t, struct xsd_type *base)
{
    if (t->deriv == DERIV_UNION) {
        t->pub.builtin = "string";
        t->pub.json_kind = XSD_JSON_STRING;
    } else if (t->deriv == DERIV_LIST) {
        t->pub.builtin = base ? base->builtin : "string";
        t->pub.json_kind = XSD_JSON_STRING;
        t->pub.is_list = 1;
    } else if (base) {
        inheritSimple(t, base);
    }
    return 0;
}

static int resolveComplex(struct xsd_set *set, struct type_x *t,
                          struct xsd_type *base, struct sb_error *err)
{
    if (t->simple_content && base) {
        if (t->deriv == DERIV_RESTRICTION && base->is_complex) {
            t->pub.simple_content = base->simple_content;
        } else {
            t->pub.simple_content = base->is_complex ? base->simple_content
                                                     : base;
        }
        inheritSimple(t, base);
    } else {
        t->pub.builtin = NULL;
        t->pub.json_kind = XSD_JSON_ANY;
        t->pub.content = t->own_content;
        if (t->deriv == DERIV_EXTENSION && base && base->is_complex) {
            t->pub.content = joinContent(set, base->content, t->own_content);
            if (base->content && t->own_content && !t->pub.content)
                return oom(err);
            t->pub.mixed |= base->mixed;
        }
    }
    if (buildAttributes(set, t, base, err))
        return -1;
    if (!t->simple_content && t->deriv == DERIV_RESTRICTION &&
        isSoapencArray(base))
        return resolveArray(set, t, err);
    return 0;
}

static int resolveType(struct xsd_set *set, struct type_x *t,
                       struct sb_error *err)
{
    if (t->state == 2)
        return 0;
    if (t->state == 1)
        return error_set_at(err, XSD_ERR, t->pub.file, t->pub.line,
                            "%s: type derives from itself",
                            t->pub.name ? t->pub.name : "(anonymous)");
    t->state = 1;
    struct xsd_type *base = t->inline_base;
    if (t->base_ref && !(base = lookupType(set, t->base_ref, err)))
        return -1;
    if (base && resolveType(set, (struct type_x *)base, err))
        return -1;
    t->pub.base = base;
    int rc = t->pub.is_complex ? resolveComplex(set, t, base, err)
                               : resolveSimple(t, base);
    t->state = 2;
    return rc;
}

int xsd_set_resolve(struct xsd_set *set, struct sb_error *err)
{
    if (loadWantedNamespaces(set, err) || resolveParticles(set, err) ||
        resolveAttributes(set, err) || resolveElements(set, err))
        return -1;
    for (size_t i = 0; i < set->types_all.n; i++)
        if (resolveType(set, set->types_all.items[i], err))
            return -1;
    return 0;
}

/* ---- lookups ---- */

struct xsd_element *xsd_find_element(const struct xsd_set *set,
                                     const char *ns, const char *name)
{
    if (!set || !name)
        return NULL;
    struct elem_x *e = xmlHashLookup2(set->elements, BAD_CAST name,
                                      BAD_CAST nsOrNull(ns));
    return e ? &e->pub : NULL;
}

struct xsd_type *xsd_find_type(const struct xsd_set *set, const char *ns,
                               const char *name)
{
    if (!set || !name)
        return NULL;
    struct type_x *t = xmlHashLookup2(set->types, BAD_CAST name,
                                      BAD_CAST nsOrNull(ns));
    return t ? &t->pub : NULL;
}

size_t xsd_count_elements(const struct xsd_set *set)
{
    return set ? set->n_elements : 0;
}

size_t xsd_count_types(const struct xsd_set *set)
{
    return set ? set->n_types : 0;
}

enum xsd_json_kind xsd_json_kind_of(const struct xsd_type *type)
{
    if (!type)
        return XSD_JSON_ANY;
    if (type->is_complex && type->simple_content)
        return type->simple_content->json_kind;
    if (type->is_complex && !type->builtin)
        return XSD_JSON_ANY;
    return type->json_kind;
}
