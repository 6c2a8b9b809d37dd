/*
 * jsonschema: JSON Schema (draft 2020-12) of a capability's input and
 * output (see jsonschema.h for the conventions).
 *
 * Mapped capabilities are written from their tables, walked the way
 * mapping.c validates and compile.c converts. Zero-config operations are
 * written from the XSD model, walked the way stylegen.c walks it: the
 * same unwrapped-or-parts top level, the same particle order, the same
 * deduplication of a name that occurs twice in a content model.
 *
 * A complex type becomes an inline object, or a "$defs" entry referenced
 * with "$ref" when it is used more than once, recursive, or nested too
 * deep. Which it is must be known when the first reference is written, so
 * every schema is generated twice: a counting pass without a generator
 * (writer.gen == NULL) that counts the references to each complex type and
 * finds the recursive ones, then the writing pass over the same code.
 */
#include "jsonschema.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonxml.h"
#include "numtext.h"
#include "strbuf.h"
#include "stylegen.h"

/* Complex types written inline inside each other before one becomes a
 * "$defs" entry: yajl_gen stops at 128 levels (YAJL_MAX_DEPTH), one
 * inline type costs two to four, and the caller's document needs some. */
#define MAX_INLINE_DEPTH 16
#define PATH_MAX_STEPS 32
#define NUMBER_TEXT_MAX 128

/* One complex type met while writing a schema. */
struct defslot {
    const struct xsd_type *type;
    char *name;         /* its "$defs" key, once referenced */
    int refs;           /* references found by the counting pass */
    int recursive;      /* referenced from inside itself */
    int counted;
    int open;           /* being written (or counted) right now */
    int wanted;         /* referenced with "$ref": goes into "$defs" */
    int written;
};

struct writer {
    yajl_gen gen;               /* NULL during the counting pass */
    int output;                 /* 1: response data, 0: request */
    const struct capability *cap;
    struct stylegen *sg;        /* resolves mapped output paths */
    struct defslot *slots;
    size_t n_slots, cap_slots;
    int depth;                  /* complex types written inline, nested */
    int failed;
    struct sb_error *err;
};

/* Names written into one "properties" map, and the required ones. */
struct namelist {
    const char **items;
    size_t n, cap;
};

struct members {
    struct namelist keys;
    struct namelist required;
    struct namelist *choices;   /* required choices of a request: per
                                   choice the names each branch needs,
                                   branches ended by NULL */
    size_t n_choices;
    int wildcard;               /* xsd:any: the object is open */
};

static int fail(struct writer *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Record the first failure (later ones follow from it). */
static int fail(struct writer *w, const char *fmt, ...)
{
    char message[SB_ERROR_MESSAGE_MAX];
    va_list ap;
    if (w->failed)
        return -1;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    w->failed = 1;
    return error_set(w->err, "internal", "%s", message);
}

/* ---- generator calls (no-ops while counting) ---- */

static void check(struct writer *w, yajl_gen_status st)
{
    if (st != yajl_gen_status_ok)
        fail(w, "JSON schema: %s", jsonxml_gen_reason(st));
}

static void putString(struct writer *w, const char *s)
{
    if (w->gen)
        check(w, yajl_gen_string(w->gen, (const unsigned char *)s,
                                 strlen(s)));
}

static void putNumber(struct writer *w, const char *text)
{
    if (w->gen)
        check(w, yajl_gen_number(w->gen, text, strlen(text)));
}

static void putBool(struct writer *w, int value)
{
    if (w->gen)
        check(w, yajl_gen_bool(w->gen, value));
}

static void putNull(struct writer *w)
{
    if (w->gen)
        check(w, yajl_gen_null(w->gen));
}

static void openMap(struct writer *w)
{
    if (w->gen)
        check(w, yajl_gen_map_open(w->gen));
}

static void closeMap(struct writer *w)
{
    if (w->gen)
        check(w, yajl_gen_map_close(w->gen));
}

static void openArray(struct writer *w)
{
    if (w->gen)
        check(w, yajl_gen_array_open(w->gen));
}

static void closeArray(struct writer *w)
{
    if (w->gen)
        check(w, yajl_gen_array_close(w->gen));
}

static void putKeyString(struct writer *w, const char *key, const char *value)
{
    putString(w, key);
    putString(w, value);
}

static void putKeyLong(struct writer *w, const char *key, long value)
{
    char text[32];
    snprintf(text, sizeof(text), "%ld", value);
    putString(w, key);
    putNumber(w, text);
}

/* Text with its runs of white space made one space (WSDL documentation
 * is indented like the XML around it). */
static void putKeyText(struct writer *w, const char *key, const char *text)
{
    char *copy = malloc(strlen(text) + 1);
    size_t n = 0;
    if (!copy) {
        fail(w, "out of memory");
        return;
    }
    for (const char *s = text; *s; s++) {
        int space = *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r';
        if (!space)
            copy[n++] = *s;
        else if (n && copy[n - 1] != ' ')
            copy[n++] = ' ';
    }
    while (n && copy[n - 1] == ' ')
        n--;
    copy[n] = 0;
    if (n)
        putKeyString(w, key, copy);
    free(copy);
}

/* "type": "T" or, when null is allowed too, ["T", "null"]. */
static void putType(struct writer *w, const char *type, int nullable)
{
    putString(w, "type");
    if (!nullable) {
        putString(w, type);
        return;
    }
    openArray(w);
    putString(w, type);
    putString(w, "null");
    closeArray(w);
}

/* ---- name lists ---- */

static int hasName(const struct namelist *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i], name) == 0)
            return 1;
    return 0;
}

static void pushName(struct writer *w, struct namelist *l, const char *name)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        const char **grown = realloc(l->items, cap * sizeof(*grown));
        if (!grown) {
            fail(w, "out of memory");
            return;
        }
        l->items = grown;
        l->cap = cap;
    }
    l->items[l->n++] = name;
}

static void freeMembers(struct members *m)
{
    free(m->keys.items);
    free(m->required.items);
    for (size_t i = 0; i < m->n_choices; i++)
        free(m->choices[i].items);
    free(m->choices);
}

/* "anyOf": one {"required": [...]} a branch of a choice. */
static void putChoice(struct writer *w, const struct namelist *choice)
{
    putString(w, "anyOf");
    openArray(w);
    openMap(w);
    putString(w, "required");
    openArray(w);
    for (size_t i = 0; i < choice->n; i++) {
        if (choice->items[i]) {
            putString(w, choice->items[i]);
            continue;
        }
        closeArray(w);
        closeMap(w);
        if (i + 1 == choice->n)
            break;
        openMap(w);
        putString(w, "required");
        openArray(w);
    }
    closeArray(w);
}

/* "required": [...] when any, at least one branch of each required
 * choice, and for a closed object
 * "additionalProperties": false. */
static void putRequired(struct writer *w, const struct members *m, int closed)
{
    if (m->required.n) {
        putString(w, "required");
        openArray(w);
        for (size_t i = 0; i < m->required.n; i++)
            putString(w, m->required.items[i]);
        closeArray(w);
    }
    if (m->n_choices == 1) {
        putChoice(w, &m->choices[0]);
    } else if (m->n_choices > 1) {
        putString(w, "allOf");
        openArray(w);
        for (size_t i = 0; i < m->n_choices; i++) {
            openMap(w);
            putChoice(w, &m->choices[i]);
            closeMap(w);
        }
        closeArray(w);
    }
    if (closed) {
        putString(w, "additionalProperties");
        putBool(w, 0);
    }
}

/* ==== zero-config: the XSD model, as stylegen.c converts it ==== */

static int isRepeated(int max_occurs)
{
    return max_occurs == XSD_UNBOUNDED || max_occurs > 1;
}

static int isIntegerBuiltin(const char *builtin)
{
    static const char *const names[] = {
        "integer", "nonPositiveInteger", "negativeInteger", "long", "int",
        "short", "byte", "nonNegativeInteger", "positiveInteger",
        "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"};
    for (size_t i = 0; builtin && i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(builtin, names[i]) == 0)
            return 1;
    return 0;
}

/* The sign a built-in integer type carries; its width is left out (a
 * bot gains little from "minimum": -2147483648). */
static void builtinBounds(const char *builtin, const char **min,
                          const char **max)
{
    static const struct {
        const char *name, *min, *max;
    } bounds[] = {
        {"nonNegativeInteger", "0", NULL}, {"positiveInteger", "1", NULL},
        {"nonPositiveInteger", NULL, "0"}, {"negativeInteger", NULL, "-1"},
        {"unsignedLong", "0", NULL},       {"unsignedInt", "0", NULL},
        {"unsignedShort", "0", NULL},      {"unsignedByte", "0", NULL},
    };
    *min = *max = NULL;
    for (size_t i = 0; builtin && i < sizeof(bounds) / sizeof(bounds[0]); i++)
        if (strcmp(builtin, bounds[i].name) == 0) {
            *min = bounds[i].min;
            *max = bounds[i].max;
        }
}

/* An XSD number literal as a JSON number ("+1.50" -> 1.50); 0, or -1 if
 * JSON cannot carry it (INF, NaN). */
static int putKeyNumberText(struct writer *w, const char *key,
                            const char *text)
{
    char json[NUMBER_TEXT_MAX];
    if (!text || numtext_to_json(text, json, sizeof(json)) < 0)
        return -1;
    putString(w, key);
    putNumber(w, json);
    return 0;
}

/*
 * An XSD regular expression (XML Schema part 2, appendix F) as an
 * ECMA-262 one for "pattern": XSD patterns match the whole value and
 * have no ^ $ anchors (there they are plain characters), JSON Schema
 * patterns match anywhere. Returns 0, or -1 for XSD-only syntax (\i \c
 * name classes, class subtraction, \p{Is...} blocks): the pattern is
 * then left out rather than mistranslated.
 */
static int translatePattern(const char *xsd, struct strbuf *out)
{
    int in_class = 0;
    for (const char *s = xsd; *s; s++) {
        if (*s == '\\') {
            if (!s[1] || strchr("iIcC", s[1]))
                return -1;
            if ((s[1] == 'p' || s[1] == 'P') && strncmp(s + 2, "{Is", 3) == 0)
                return -1;
            strbuf_append(out, s, 2);
            s++;
        } else if (in_class) {
            if (*s == '-' && s[1] == '[')
                return -1;
            in_class = *s != ']';
            strbuf_append(out, s, 1);
        } else {
            in_class = *s == '[';
            if (*s == '^' || *s == '$')
                strbuf_puts(out, "\\");
            strbuf_append(out, s, 1);
        }
    }
    return 0;
}

/* Several patterns of one derivation step: any of them (XSD part 2,
 * 4.3.4.3), so one alternation anchored at both ends. */
static void putPatterns(struct writer *w, const struct xsd_facets *f)
{
    struct strbuf re;
    strbuf_init(&re);
    strbuf_puts(&re, "^(");
    for (size_t i = 0; i < f->n_patterns; i++) {
        if (i)
            strbuf_puts(&re, "|");
        if (translatePattern(f->patterns[i], &re) < 0) {
            strbuf_free(&re);
            return;
        }
    }
    strbuf_puts(&re, ")$");
    if (strbuf_failed(&re))
        fail(w, "out of memory");
    else
        putKeyString(w, "pattern", re.data);
    strbuf_free(&re);
}

static void putEnumeration(struct writer *w, const struct xsd_facets *f,
                           enum xsd_json_kind kind, int nullable)
{
    char json[NUMBER_TEXT_MAX];
    if (kind == XSD_JSON_NUMBER)    /* every value must be a JSON number */
        for (size_t i = 0; i < f->n_enumeration; i++)
            if (numtext_to_json(f->enumeration[i], json, sizeof(json)) < 0)
                return;
    putString(w, "enum");
    openArray(w);
    for (size_t i = 0; i < f->n_enumeration; i++) {
        if (kind != XSD_JSON_NUMBER) {
            putString(w, f->enumeration[i]);
            continue;
        }
        numtext_to_json(f->enumeration[i], json, sizeof(json));
        putNumber(w, json);
    }
    if (nullable)
        putNull(w);
    closeArray(w);
}

static void putNumberFacets(struct writer *w, const struct xsd_type *type)
{
    const struct xsd_facets *f = &type->facets;
    const char *min, *max;
    builtinBounds(type->builtin, &min, &max);
    if (putKeyNumberText(w, "minimum", f->min_inclusive) < 0 && min)
        putKeyNumberText(w, "minimum", min);
    if (putKeyNumberText(w, "maximum", f->max_inclusive) < 0 && max)
        putKeyNumberText(w, "maximum", max);
    putKeyNumberText(w, "exclusiveMinimum", f->min_exclusive);
    putKeyNumberText(w, "exclusiveMaximum", f->max_exclusive);
}

static void putStringFacets(struct writer *w, const struct xsd_type *type)
{
    const struct xsd_facets *f = &type->facets;
    if (f->n_patterns)
        putPatterns(w, f);
    long min = f->length >= 0 ? f->length : f->min_length;
    long max = f->length >= 0 ? f->length : f->max_length;
    if (min >= 0)
        putKeyLong(w, "minLength", min);
    if (max >= 0)
        putKeyLong(w, "maxLength", max);
    /* RFC 3339 dates and times are valid XSD ones, not always the other
     * way round: a format only where the client writes the value. */
    if (type->builtin && strcmp(type->builtin, "date") == 0)
        putKeyString(w, "format", "date");
    else if (type->builtin && strcmp(type->builtin, "dateTime") == 0)
        putKeyString(w, "format", "date-time");
}

/* Any JSON: a request copies it as elements (stylegen's sb.to-xml); a
 * response converts by the generic rule (a string, an object or null). */
static void fillAny(struct writer *w)
{
    if (!w->output)
        return;
    putString(w, "type");
    openArray(w);
    putString(w, "string");
    putString(w, "object");
    putString(w, "null");
    closeArray(w);
}

/* A simple value, typed as stylegen converts it; XSD facets constrain
 * requests only (responses are converted, not validated). */
static void fillScalar(struct writer *w, const struct xsd_type *type,
                       int nullable)
{
    if (stylegen_is_any_type(type)) {
        fillAny(w);
        return;
    }
    enum xsd_json_kind kind = type->is_list ? XSD_JSON_STRING
                                            : type->json_kind;
    if (kind == XSD_JSON_NUMBER)
        putType(w, isIntegerBuiltin(type->builtin) ? "integer" : "number",
                nullable);
    else
        putType(w, kind == XSD_JSON_BOOLEAN ? "boolean" : "string",
                nullable);
    if (w->output || type->is_list)
        return;
    if (type->facets.n_enumeration && kind != XSD_JSON_BOOLEAN)
        putEnumeration(w, &type->facets, kind, nullable);
    if (kind == XSD_JSON_NUMBER)
        putNumberFacets(w, type);
    else if (kind == XSD_JSON_STRING)
        putStringFacets(w, type);
}

/* An attribute default as the JSON value it stands for. */
static void putDefault(struct writer *w, const struct xsd_type *type,
                       const char *value)
{
    enum xsd_json_kind kind = type && !type->is_list ? type->json_kind
                                                     : XSD_JSON_STRING;
    if (kind == XSD_JSON_NUMBER && putKeyNumberText(w, "default", value) == 0)
        return;
    if (kind == XSD_JSON_BOOLEAN) {
        putString(w, "default");
        putBool(w, strcmp(value, "true") == 0 || strcmp(value, "1") == 0);
        return;
    }
    putKeyString(w, "default", value);
}

/* ---- complex types: inline or "$defs" ---- */

static void fillObject(struct writer *w, const struct xsd_type *type,
                       int nullable);
static void fillTypeValue(struct writer *w, const struct xsd_type *type,
                          const char *hint, int nullable);

/* The index of type's slot, added if new; -1 when out of memory. */
static long slotOf(struct writer *w, const struct xsd_type *type)
{
    for (size_t i = 0; i < w->n_slots; i++)
        if (w->slots[i].type == type)
            return (long)i;
    if (w->n_slots == w->cap_slots) {
        size_t cap = w->cap_slots ? w->cap_slots * 2 : 16;
        struct defslot *grown = realloc(w->slots, cap * sizeof(*grown));
        if (!grown)
            return fail(w, "out of memory");
        w->slots = grown;
        w->cap_slots = cap;
    }
    memset(&w->slots[w->n_slots], 0, sizeof(w->slots[0]));
    w->slots[w->n_slots].type = type;
    return (long)w->n_slots++;
}

static int nameTaken(const struct writer *w, const char *name)
{
    for (size_t i = 0; i < w->n_slots; i++)
        if (w->slots[i].name && strcmp(w->slots[i].name, name) == 0)
            return 1;
    return 0;
}

/* The "$defs" key of a slot: the type's name, else the name of the
 * element that declares the anonymous type; "_2", "_3"... when two
 * namespaces use the same name. */
static int nameSlot(struct writer *w, size_t i, const char *hint)
{
    struct defslot *s = &w->slots[i];
    if (s->name)
        return 0;
    const char *base = s->type->name ? s->type->name : hint ? hint : "Type";
    size_t size = strlen(base) + 24;
    char *name = malloc(size);
    if (!name)
        return fail(w, "out of memory");
    snprintf(name, size, "%s", base);
    for (int n = 2; nameTaken(w, name); n++)
        snprintf(name, size, "%s_%d", base, n);
    s->name = name;
    return 0;
}

static void putRef(struct writer *w, size_t i, const char *hint, int nullable)
{
    if (nameSlot(w, i, hint) < 0)
        return;
    w->slots[i].wanted = 1;
    size_t size = strlen(w->slots[i].name) + sizeof("#/$defs/");
    char *ref = malloc(size);
    if (!ref) {
        fail(w, "out of memory");
        return;
    }
    snprintf(ref, size, "#/$defs/%s", w->slots[i].name);
    if (nullable) {
        putString(w, "anyOf");
        openArray(w);
        openMap(w);
    }
    putKeyString(w, "$ref", ref);
    if (nullable) {
        closeMap(w);
        openMap(w);
        putType(w, "null", 0);
        closeMap(w);
        closeArray(w);
    }
    free(ref);
}

/* Counting pass: count the reference and walk the type the first time. */
static void countObject(struct writer *w, size_t i)
{
    struct defslot *s = &w->slots[i];
    s->refs++;
    if (s->open)
        s->recursive = 1;
    if (s->open || s->counted)
        return;
    s->counted = 1;
    s->open = 1;
    fillObject(w, s->type, 0);
    w->slots[i].open = 0;    /* fillObject may have moved the slots */
}

static void fillObjectRef(struct writer *w, const struct xsd_type *type,
                          const char *hint, int nullable)
{
    long i = slotOf(w, type);
    if (i < 0)
        return;
    if (!w->gen) {
        countObject(w, (size_t)i);
        return;
    }
    const struct defslot *s = &w->slots[i];
    if (s->recursive || s->refs > 1 || s->open ||
        w->depth >= MAX_INLINE_DEPTH) {
        putRef(w, (size_t)i, hint, nullable);
        return;
    }
    w->slots[i].open = 1;
    w->depth++;
    fillObject(w, type, nullable);
    w->depth--;
    w->slots[i].open = 0;
}

/* Every slot referenced with "$ref", each written once; writing one may
 * reference more. */
static void putDefs(struct writer *w)
{
    int any = 0;
    for (size_t i = 0; i < w->n_slots; i++)
        any |= w->slots[i].wanted;
    if (!any || !w->gen)
        return;
    putString(w, "$defs");
    openMap(w);
    for (int more = 1; more && !w->failed;) {
        more = 0;
        for (size_t i = 0; i < w->n_slots && !w->failed; i++) {
            if (!w->slots[i].wanted || w->slots[i].written)
                continue;
            w->slots[i].written = 1;
            more = 1;
            putString(w, w->slots[i].name);
            openMap(w);
            int depth = w->depth;
            w->depth = 1;
            w->slots[i].open = 1;
            fillObject(w, w->slots[i].type, 0);
            w->slots[i].open = 0;
            w->depth = depth;
            closeMap(w);
        }
    }
    closeMap(w);
}

static int hasRequiredAttribute(const struct xsd_type *type)
{
    for (size_t i = 0; i < type->n_attributes; i++)
        if (type->attributes[i]->required)
            return 1;
    return 0;
}

/* A request may give simple content as the bare value (stylegen writes
 * the text alone) unless an attribute is required, or as the object; a
 * response always gives the object. */
static void fillComplex(struct writer *w, const struct xsd_type *type,
                        const char *hint, int nullable)
{
    if (w->output || !type->simple_content || hasRequiredAttribute(type)) {
        fillObjectRef(w, type, hint, nullable);
        return;
    }
    putString(w, "anyOf");
    openArray(w);
    openMap(w);
    fillScalar(w, type->simple_content, 0);
    closeMap(w);
    openMap(w);
    fillObjectRef(w, type, hint, 0);
    closeMap(w);
    if (nullable) {
        openMap(w);
        putType(w, "null", 0);
        closeMap(w);
    }
    closeArray(w);
}

/* soapenc:Array: a plain JSON array; response items may be nil. */
static void fillSoapArray(struct writer *w, const struct xsd_type *type,
                          int nullable)
{
    putType(w, "array", nullable);
    putString(w, "items");
    openMap(w);
    fillTypeValue(w, type->array_item_type, "item", w->output);
    closeMap(w);
}

/* The value of one element (or part) of this type. */
static void fillTypeValue(struct writer *w, const struct xsd_type *type,
                          const char *hint, int nullable)
{
    if (stylegen_is_any_type(type))
        fillAny(w);
    else if (type->is_soapenc_array)
        fillSoapArray(w, type, nullable);
    else if (type->is_complex)
        fillComplex(w, type, hint, nullable);
    else
        fillScalar(w, type, nullable);
}

/* ---- members of a complex type ---- */

static void putAttributes(struct writer *w, const struct xsd_type *type,
                          struct members *m)
{
    for (size_t i = 0; i < type->n_attributes; i++) {
        const struct xsd_attribute *a = type->attributes[i];
        if (hasName(&m->keys, a->name))
            continue;
        pushName(w, &m->keys, a->name);
        putString(w, a->name);
        openMap(w);
        fillScalar(w, a->type, 0);
        if (!w->output && a->default_value)
            putDefault(w, a->type, a->default_value);
        closeMap(w);
        if (!w->output && a->required)
            pushName(w, &m->required, a->name);
    }
}

/* "_value": the text of simple content, always written by a response,
 * needed in the object form of a request. */
static void putSimpleContent(struct writer *w, const struct xsd_type *type,
                             struct members *m)
{
    if (hasName(&m->keys, "_value"))
        return;
    pushName(w, &m->keys, "_value");
    putString(w, "_value");
    openMap(w);
    fillScalar(w, type->simple_content, 0);
    closeMap(w);
    pushName(w, &m->required, "_value");
}

/*
 * One element of a content model. Repeated (maxOccurs > 1 on it or on a
 * group around it) it is an array, which a response always writes, even
 * empty. A request needs it when minOccurs and every group around it
 * say so; the item counts are the element's own occurrences.
 */
static void putElementMember(struct writer *w, const struct xsd_particle *p,
                             int group_repeated, int required,
                             struct members *m)
{
    const struct xsd_element *el = p->element;
    if (hasName(&m->keys, el->name))
        return;
    pushName(w, &m->keys, el->name);
    int repeated = group_repeated || isRepeated(p->max_occurs);
    required = required && p->min_occurs >= 1;
    putString(w, el->name);
    openMap(w);
    if (repeated) {
        putType(w, "array", 0);
        putString(w, "items");
        openMap(w);
        fillTypeValue(w, el->type, el->name, el->nillable);
        closeMap(w);
        if (!w->output && !group_repeated && required)
            putKeyLong(w, "minItems", p->min_occurs);
        if (!w->output && !group_repeated && p->max_occurs != XSD_UNBOUNDED)
            putKeyLong(w, "maxItems", p->max_occurs);
    } else {
        fillTypeValue(w, el->type, el->name, el->nillable);
    }
    closeMap(w);
    if (w->output ? repeated : required)
        pushName(w, &m->required, el->name);
}

/* The names a branch needs when it is taken; 0 if it needs none (or
 * holds a choice of its own: then it is not looked into). */
static int branchNames(struct writer *w, const struct xsd_particle *p,
                       struct namelist *names)
{
    if (p->min_occurs < 1 || p->kind == XSD_PARTICLE_ANY ||
        p->kind == XSD_PARTICLE_CHOICE)
        return 0;
    if (p->kind == XSD_PARTICLE_ELEMENT) {
        pushName(w, names, p->element->name);
        return 1;
    }
    int any = 0;
    for (size_t i = 0; i < p->n_children; i++)
        any |= branchNames(w, p->children[i], names);
    return any;
}

/*
 * A choice a request must make: every branch as a {"required": [...]}
 * under "anyOf", so that at least one is given. Which one, and that it
 * is only one, is left to the client. When a branch needs nothing, the
 * choice asks for nothing.
 */
static void addChoice(struct writer *w, const struct xsd_particle *p,
                      struct members *m)
{
    struct namelist names = {NULL, 0, 0};
    for (size_t i = 0; i < p->n_children; i++) {
        if (!branchNames(w, p->children[i], &names)) {
            free(names.items);
            return;
        }
        pushName(w, &names, NULL);
    }
    struct namelist *grown = realloc(m->choices,
                                     (m->n_choices + 1) * sizeof(*grown));
    if (!grown) {
        free(names.items);
        fail(w, "out of memory");
        return;
    }
    m->choices = grown;
    m->choices[m->n_choices++] = names;
}

/* The branches of a choice are optional members; a required choice
 * adds the "anyOf" of addChoice. */
static void walkParticle(struct writer *w, const struct xsd_particle *p,
                         int group_repeated, int required, struct members *m)
{
    if (!p)
        return;
    if (p->kind == XSD_PARTICLE_ANY) {
        m->wildcard = 1;
        return;
    }
    if (p->kind == XSD_PARTICLE_ELEMENT) {
        putElementMember(w, p, group_repeated, required, m);
        return;
    }
    int repeated = group_repeated || isRepeated(p->max_occurs);
    required = required && p->min_occurs >= 1;
    if (p->kind == XSD_PARTICLE_CHOICE && p->n_children > 1) {
        if (required && !w->output)
            addChoice(w, p, m);
        required = 0;
    }
    for (size_t i = 0; i < p->n_children; i++)
        walkParticle(w, p->children[i], repeated, required, m);
}

/* The members of a complex type: attributes, "_value", elements, in the
 * order stylegen writes them. A request object is closed unless the type
 * has a wildcard; a response may carry undeclared members (converted by
 * the generic rule, with a warning). */
static void fillObject(struct writer *w, const struct xsd_type *type,
                       int nullable)
{
    struct members m;
    memset(&m, 0, sizeof(m));
    putType(w, "object", nullable);
    putString(w, "properties");
    openMap(w);
    putAttributes(w, type, &m);
    if (type->simple_content)
        putSimpleContent(w, type, &m);
    walkParticle(w, type->content, 0, 1, &m);
    closeMap(w);
    putRequired(w, &m, !w->output && !m.wildcard && !type->any_attribute);
    freeMembers(&m);
}

/* ---- the top level of an operation ---- */

/* One member a part: named by its element, or by the part for type=
 * parts; a request needs every part. */
static void fillParts(struct writer *w, const struct wsdl_body *body)
{
    struct members m;
    memset(&m, 0, sizeof(m));
    putType(w, "object", 0);
    putString(w, "properties");
    openMap(w);
    for (size_t i = 0; i < body->n_parts; i++) {
        const struct wsdl_part *part = body->parts[i];
        const struct xsd_element *el = part->element;
        const char *name = el ? el->name : part->name;
        if (hasName(&m.keys, name))
            continue;
        pushName(w, &m.keys, name);
        putString(w, name);
        openMap(w);
        fillTypeValue(w, el ? el->type : part->type, name,
                      el ? el->nillable : 0);
        closeMap(w);
        if (!w->output)
            pushName(w, &m.required, name);
    }
    closeMap(w);
    putRequired(w, &m, !w->output);
    freeMembers(&m);
}

static void fillOperation(struct writer *w)
{
    const struct wsdl_operation *op = w->cap->operation;
    const struct wsdl_body *body = w->output ? &op->output : &op->input;
    if (w->output && !op->output.message) {
        putKeyString(w, "description", "One-way operation: the service "
                                       "sends no response, so no data.");
        putType(w, "null", 0);
        return;
    }
    if (!w->output && op->documentation)
        putKeyText(w, "description", op->documentation);
    const struct xsd_element *top = stylegen_unwrapped(op, body);
    if (!top) {
        fillParts(w, body);
        return;
    }
    /* The root is written inline; a reference to its type from inside
     * (recursion) goes through "$defs". */
    long i = slotOf(w, top->type);
    if (i < 0)
        return;
    if (!w->gen) {
        w->slots[i].refs++;
        w->slots[i].counted = 1;
    }
    w->slots[i].open = 1;
    w->depth = 1;
    fillObject(w, top->type, 0);
    w->slots[i].open = 0;
}

/* ==== mapped capabilities: the tables ==== */

/* A table type as a JSON type; date and datetime are ISO 8601 strings. */
static void fillMappedScalar(struct writer *w, enum mapping_type type,
                             int nullable)
{
    switch (type) {
    case MAPPING_TYPE_INTEGER:
        putType(w, "integer", nullable);
        break;
    case MAPPING_TYPE_NUMBER:
        putType(w, "number", nullable);
        break;
    case MAPPING_TYPE_BOOLEAN:
        putType(w, "boolean", nullable);
        break;
    case MAPPING_TYPE_DATE:
        putType(w, "string", nullable);
        putKeyString(w, "format", "date");
        break;
    case MAPPING_TYPE_DATETIME:
        putType(w, "string", nullable);
        putKeyString(w, "format", "date-time");
        break;
    default:
        putType(w, "string", nullable);
        break;
    }
}

static int isNumericType(enum mapping_type type)
{
    return type == MAPPING_TYPE_INTEGER || type == MAPPING_TYPE_NUMBER;
}

static int isTextType(enum mapping_type type)
{
    return type == MAPPING_TYPE_AUTO || type == MAPPING_TYPE_STRING ||
           type == MAPPING_TYPE_DATE || type == MAPPING_TYPE_DATETIME;
}

/* ---- input: what mapping_validate_input accepts ---- */

static void putInputFields(struct writer *w,
                           const struct mapping_field *fields, size_t n);

static void putInputEnum(struct writer *w, const struct mapping_field *f,
                         int nullable)
{
    putString(w, "enum");
    openArray(w);
    for (size_t i = 0; i < f->n_enumeration; i++) {
        if (isNumericType(f->type))
            putNumber(w, f->enumeration[i]);    /* checked at load */
        else
            putString(w, f->enumeration[i]);
    }
    if (nullable)
        putNull(w);
    closeArray(w);
}

static void putInputDefault(struct writer *w, const struct mapping_field *f)
{
    putString(w, "default");
    if (f->type == MAPPING_TYPE_BOOLEAN)
        putBool(w, strcmp(f->default_value, "true") == 0);
    else if (isNumericType(f->type))
        putNumber(w, f->default_value);         /* checked at load */
    else
        putString(w, f->default_value);
}

/* The checks of a scalar field, in mapping.c's order. Minimum and
 * maximum are the literal numbers of the table. */
static void putScalarChecks(struct writer *w, const struct mapping_field *f,
                            int nullable)
{
    if (f->pattern)
        putKeyString(w, "pattern", f->pattern);
    if (f->n_enumeration)
        putInputEnum(w, f, nullable);
    if (f->minimum && isNumericType(f->type)) {
        putString(w, "minimum");
        putNumber(w, f->minimum);
    }
    if (f->maximum && isNumericType(f->type)) {
        putString(w, "maximum");
        putNumber(w, f->maximum);
    }
    if (f->min_length >= 0 && isTextType(f->type))
        putKeyLong(w, "minLength", f->min_length);
    if (f->max_length >= 0 && isTextType(f->type))
        putKeyLong(w, "maxLength", f->max_length);
    if (f->default_value)
        putInputDefault(w, f);
}

/* An optional field may be null: the validator takes null for absent. */
static void fillInputField(struct writer *w, const struct mapping_field *f)
{
    int nullable = !f->required;
    if (f->type == MAPPING_TYPE_OBJECT) {
        putType(w, "object", nullable);
        putInputFields(w, f->fields, f->n_fields);
    } else if (f->type == MAPPING_TYPE_ARRAY) {
        putType(w, "array", nullable);
        putString(w, "items");
        openMap(w);
        if (f->item_type == MAPPING_TYPE_OBJECT) {
            putType(w, "object", 0);
            putInputFields(w, f->fields, f->n_fields);
        } else {
            fillMappedScalar(w, f->item_type, 0);
        }
        closeMap(w);
        if (f->min_length >= 0)
            putKeyLong(w, "minItems", f->min_length);
        if (f->max_length >= 0)
            putKeyLong(w, "maxItems", f->max_length);
    } else {
        fillMappedScalar(w, f->type, nullable);
        putScalarChecks(w, f, nullable);
    }
}

/* Unknown fields are refused at every level. */
static void putInputFields(struct writer *w,
                           const struct mapping_field *fields, size_t n)
{
    struct members m;
    memset(&m, 0, sizeof(m));
    putString(w, "properties");
    openMap(w);
    for (size_t i = 0; i < n; i++) {
        const struct mapping_field *f = &fields[i];
        putString(w, f->name);
        openMap(w);
        if (f->description)
            putKeyString(w, "description", f->description);
        fillInputField(w, f);
        closeMap(w);
        if (f->required)
            pushName(w, &m.required, f->name);
    }
    closeMap(w);
    putRequired(w, &m, 1);
    freeMembers(&m);
}

/* ---- output: what compile.c's stylesheet writes ---- */

/* Resolve a from: path the way compile.c does (the capability compiled,
 * so a failure here means the model and the table disagree). */
static int resolvePath(struct writer *w, const struct xsd_type *parent,
                       const struct mapping_field *f,
                       struct stylegen_step *last, int *repeated)
{
    char copy[1024];
    struct strbuf xpath;
    struct sb_error cause;
    int steps = 0, rc = 0;
    *repeated = 0;
    memset(last, 0, sizeof(*last));
    if (snprintf(copy, sizeof(copy), "%s", f->from) >= (int)sizeof(copy))
        return fail(w, "JSON schema: output %s: path too long", f->name);
    strbuf_init(&xpath);
    for (char *save = NULL, *name = strtok_r(copy, "/", &save); name && !rc;
         name = strtok_r(NULL, "/", &save)) {
        if (++steps > PATH_MAX_STEPS || last->attribute)
            rc = -1;
        else if (stylegen_resolve(w->sg, 1, parent, name, last, &xpath,
                                  &cause) < 0)
            rc = -1;
        *repeated = *repeated || last->repeated;
        if (last->element)
            parent = last->element->type;
    }
    strbuf_free(&xpath);
    if (rc < 0 || !steps || (!last->element && !last->attribute))
        return fail(w, "JSON schema: output %s: from: does not resolve",
                    f->name);
    return 0;
}

static void putOutputFields(struct writer *w, const struct xsd_type *parent,
                            const struct mapping_field *fields, size_t n);

/*
 * One value of an output field. Lookups and value maps give strings; a
 * date format gives an ISO string, or null when the legacy text does
 * not parse; a given type types the text; AUTO takes the XSD type of
 * the element (the default conversion) or of the attribute. A nillable
 * element may be null wherever compile.c tests xsi:nil.
 */
static void fillOutputValue(struct writer *w, const struct mapping_field *f,
                            enum mapping_type type,
                            const struct stylegen_step *last, int nullable)
{
    const struct xsd_element *el = last->element;
    int typed = type != MAPPING_TYPE_AUTO && type != MAPPING_TYPE_OBJECT;
    if (el && el->nillable && (f->lookup || f->n_values || f->format || typed))
        nullable = 1;
    if (f->lookup || f->n_values) {
        putType(w, "string", nullable);
    } else if (f->format) {
        fillMappedScalar(w, type == MAPPING_TYPE_DATE ||
                                    type == MAPPING_TYPE_DATETIME
                                ? type : MAPPING_TYPE_STRING, 1);
    } else if (typed) {
        fillMappedScalar(w, type, nullable);
    } else if (el) {
        fillTypeValue(w, el->type, el->name, el->nillable || nullable);
    } else {
        const struct xsd_type *t = last->attribute->type;
        if (t && t->json_kind == XSD_JSON_ANY)
            fillAny(w);
        else if (t && t->json_kind == XSD_JSON_NUMBER)
            putType(w, isIntegerBuiltin(t->builtin) ? "integer" : "number",
                    nullable);
        else
            putType(w, t && t->json_kind == XSD_JSON_BOOLEAN ? "boolean"
                                                            : "string",
                    nullable);
    }
}

/* An object of fields (type: object, or the items of an array). */
static void fillOutputItem(struct writer *w, const struct mapping_field *f,
                           enum mapping_type type,
                           const struct stylegen_step *last, int nullable)
{
    if (!f->n_fields) {
        fillOutputValue(w, f, type, last, nullable);
        return;
    }
    if (!last->element) {
        fail(w, "JSON schema: output %s: an attribute has no fields",
             f->name);
        return;
    }
    putType(w, "object", nullable);
    putOutputFields(w, last->element->type, f->fields, f->n_fields);
}

/* An array is always written (empty when nothing matches); anything
 * else is null when its element is absent. */
static void putOutputField(struct writer *w, const struct xsd_type *parent,
                           const struct mapping_field *f)
{
    struct stylegen_step last;
    int repeated;
    if (resolvePath(w, parent, f, &last, &repeated) < 0)
        return;
    int array = f->type == MAPPING_TYPE_ARRAY ||
                (f->type == MAPPING_TYPE_AUTO && repeated);
    putString(w, f->name);
    openMap(w);
    if (f->description)
        putKeyString(w, "description", f->description);
    if (array) {
        putType(w, "array", 0);
        putString(w, "items");
        openMap(w);
        fillOutputItem(w, f, f->type == MAPPING_TYPE_ARRAY
                                 ? f->item_type : MAPPING_TYPE_AUTO,
                       &last, 0);
        closeMap(w);
    } else {
        fillOutputItem(w, f, f->type, &last, 1);
    }
    closeMap(w);
}

/* Every field is always there, and nothing else. */
static void putOutputFields(struct writer *w, const struct xsd_type *parent,
                            const struct mapping_field *fields, size_t n)
{
    struct members m;
    memset(&m, 0, sizeof(m));
    putString(w, "properties");
    openMap(w);
    for (size_t i = 0; i < n && !w->failed; i++) {
        putOutputField(w, parent, &fields[i]);
        pushName(w, &m.required, fields[i].name);
    }
    closeMap(w);
    putRequired(w, &m, 1);
    freeMembers(&m);
}

static void fillMapping(struct writer *w)
{
    const struct mapping *mapping = w->cap->mapping;
    if (!w->output) {
        putType(w, "object", 0);
        putInputFields(w, mapping->inputs, mapping->n_inputs);
    } else if (mapping->response_xslt) {
        struct strbuf text;
        strbuf_init(&text);
        strbuf_printf(&text, "Produced by the hand-written stylesheet %s; "
                             "its members are not declared.",
                      mapping->response_xslt);
        if (strbuf_failed(&text))
            fail(w, "out of memory");
        else
            putKeyString(w, "description", text.data);
        strbuf_free(&text);
        putType(w, "object", 0);
    } else {
        putType(w, "object", 0);
        putOutputFields(w, NULL, mapping->outputs, mapping->n_outputs);
    }
}

/* ==== whole schemas ==== */

static void putSchema(struct writer *w)
{
    w->depth = 0;
    openMap(w);
    putKeyString(w, "$schema", JSONSCHEMA_DIALECT);
    if (w->cap->mapping)
        fillMapping(w);
    else
        fillOperation(w);
    putDefs(w);
    closeMap(w);
}

static int needsResolver(const struct capability *cap, int output)
{
    return output && cap->mapping && !cap->mapping->response_xslt;
}

static int generate(yajl_gen gen, const struct capability *cap, int output,
                    struct sb_error *err)
{
    struct writer w;
    memset(&w, 0, sizeof(w));
    w.output = output;
    w.cap = cap;
    w.err = err;
    if (!cap || !cap->operation || !gen)
        return error_set(err, "internal", "JSON schema: no capability");
    if (needsResolver(cap, output)) {
        if (!cap->port || !cap->port->binding)
            return error_set(err, "internal", "JSON schema: %s has no "
                                              "binding", cap->name);
        if (!(w.sg = stylegen_new(cap->port->binding, cap->operation, NULL)))
            return error_set(err, "internal", "out of memory");
    }
    putSchema(&w);          /* counting pass */
    w.gen = gen;
    if (!w.failed)
        putSchema(&w);
    for (size_t i = 0; i < w.n_slots; i++)
        free(w.slots[i].name);
    free(w.slots);
    stylegen_free(w.sg);
    return w.failed ? -1 : 0;
}

int jsonschema_gen_input(yajl_gen gen, const struct capability *cap,
                         struct sb_error *err)
{
    return generate(gen, cap, 0, err);
}

int jsonschema_gen_output(yajl_gen gen, const struct capability *cap,
                          struct sb_error *err)
{
    return generate(gen, cap, 1, err);
}

static char *generateText(const struct capability *cap, int output,
                          int pretty, size_t *len, struct sb_error *err)
{
    const unsigned char *buf;
    size_t n = 0;
    char *text = NULL;
    yajl_gen gen = yajl_gen_alloc(NULL);
    if (!gen) {
        error_set(err, "internal", "out of memory");
        return NULL;
    }
    yajl_gen_config(gen, yajl_gen_validate_utf8, 1);
    if (pretty) {
        yajl_gen_config(gen, yajl_gen_beautify, 1);
        yajl_gen_config(gen, yajl_gen_indent_string, "  ");
    }
    if (generate(gen, cap, output, err) == 0 &&
        yajl_gen_get_buf(gen, &buf, &n) == yajl_gen_status_ok) {
        int newline = pretty && (n == 0 || buf[n - 1] != '\n');
        if ((text = malloc(n + 2))) {
            memcpy(text, buf, n);
            if (newline)
                text[n++] = '\n';
            text[n] = 0;
            if (len)
                *len = n;
        } else {
            error_set(err, "internal", "out of memory");
        }
    }
    yajl_gen_free(gen);
    return text;
}

char *jsonschema_input_text(const struct capability *cap, int pretty,
                            size_t *len, struct sb_error *err)
{
    return generateText(cap, 0, pretty, len, err);
}

char *jsonschema_output_text(const struct capability *cap, int pretty,
                             size_t *len, struct sb_error *err)
{
    return generateText(cap, 1, pretty, len, err);
}
