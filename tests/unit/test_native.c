/*
 * native: the output tables run in C must give exactly what their
 * stylesheets give -- the same JSON, the same warnings in the same order,
 * the same error -- on every recorded response of the translation cases
 * (tests/data/cases) and on variants of each made here: values that do
 * not convert, blank values, repeated and reordered elements, xsi:nil,
 * CDATA and comments, '&' in attributes, a fault beside the answer, a
 * missing answer, and strict mode. Every answer that is neither a fault
 * nor a refusal must be served by the plan itself.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "suites.h"
#include "testutil.h"
#include "jsonxml.h"
#include "strbuf.h"
#include "stylegen.h"
#include "translate.h"

#define CASES "tests/data/cases"
#define FIXTURES "tests/fixtures/demo"
#define MAX_CASES 256
#define XSI "http://www.w3.org/2001/XMLSchema-instance"

enum variant {
    V_RECORDED,
    V_JUNK,         /* every leaf text: not a number, date, key or boolean */
    V_BLANK,        /* every leaf text empty */
    V_PADDED,       /* every leaf text with white space around it */
    V_DOUBLED,      /* every element below the answer twice, the copy
                       reading differently */
    V_REVERSED,     /* children in reverse order */
    V_NIL,          /* xsi:nil="true" on every leaf */
    V_MARKUP,       /* leaf texts as CDATA with a comment inside */
    V_AMPERSAND,    /* '&' and '<' in every attribute value */
    V_FAULT_AFTER,  /* a Fault after the answer */
    V_NO_ANSWER,    /* the answer removed */
    V_RANDOM,       /* RANDOM_VARIANTS of randomize(), seeded */
    V_COUNT
};

static const char *const variantNames[V_COUNT] = {
    "recorded", "junk", "blank", "padded", "doubled", "reversed", "nil",
    "markup", "ampersand", "fault-after", "no-answer", "random"};

struct response_case {
    char name[256];
    char config[256];
    char capability[256];
    char *xml;
    size_t len;
    char *content_type;
};

static struct response_case cases[MAX_CASES];
static size_t n_cases;

static void trimNewline(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = 0;
}

static char *caseFile(const char *name, const char *file, size_t *len)
{
    char rel[512];
    snprintf(rel, sizeof(rel), CASES "/%s/%s", name, file);
    return test_read(rel, len);
}

static int compareCases(const void *a, const void *b)
{
    return strcmp(((const struct response_case *)a)->name,
                  ((const struct response_case *)b)->name);
}

/* Every recorded answer of the demo services (tests/fixtures/demo/
 * OPERATION[.what].xml), as the answer of its zero-config operation:
 * "*.OPERATION" until the configuration is loaded. */
static void loadFixtures(void)
{
    char path[4096];
    DIR *d = opendir(test_path(path, sizeof(path), FIXTURES));
    struct dirent *e;
    while (d && (e = readdir(d)) && n_cases < MAX_CASES) {
        const char *dot = strchr(e->d_name, '.');
        size_t n = strlen(e->d_name);
        if (!dot || n < 4 || strcmp(e->d_name + n - 4, ".xml") != 0)
            continue;
        struct response_case *c = &cases[n_cases];
        char rel[512];
        memset(c, 0, sizeof(*c));
        snprintf(c->name, sizeof(c->name), "fixture %.200s", e->d_name);
        snprintf(c->capability, sizeof(c->capability), "*.%.*s",
                 (int)(dot - e->d_name), e->d_name);
        snprintf(c->config, sizeof(c->config), ".");
        snprintf(rel, sizeof(rel), FIXTURES "/%s", e->d_name);
        if ((c->xml = test_read(rel, &c->len)))
            n_cases++;
    }
    if (d)
        closedir(d);
}

/* Every translation case with a recorded response. */
static void loadCases(void)
{
    char path[4096];
    DIR *d = opendir(test_path(path, sizeof(path), CASES));
    struct dirent *e;
    while (d && (e = readdir(d)) && n_cases < MAX_CASES) {
        if (e->d_name[0] == '.')
            continue;
        struct response_case *c = &cases[n_cases];
        memset(c, 0, sizeof(*c));
        snprintf(c->name, sizeof(c->name), "%s", e->d_name);
        char *cap = caseFile(c->name, "capability", NULL);
        c->xml = caseFile(c->name, "response.xml", &c->len);
        if (!cap || !c->xml) {
            free(cap);
            free(c->xml);
            continue;
        }
        trimNewline(cap);
        snprintf(c->capability, sizeof(c->capability), "%s", cap);
        free(cap);
        char *config = caseFile(c->name, "config", NULL);
        if (config)
            trimNewline(config);
        snprintf(c->config, sizeof(c->config), "%s",
                 config ? config : "tests/data/config");
        free(config);
        if ((c->content_type = caseFile(c->name, "content-type", NULL)))
            trimNewline(c->content_type);
        n_cases++;
    }
    if (d)
        closedir(d);
    loadFixtures();
    qsort(cases, n_cases, sizeof(cases[0]), compareCases);
}

/* Configurations load once for the whole suite (teardown frees them). */
#define MAX_LOADED 16
static struct loaded {
    char config[256];
    int native, strict;
    struct confdir *cd;
} loaded[MAX_LOADED];
static size_t n_loaded;

static struct confdir *load(const char *config, int native, int strict)
{
    for (size_t i = 0; i < n_loaded; i++)
        if (strcmp(loaded[i].config, config) == 0 &&
            loaded[i].native == native && loaded[i].strict == strict)
            return loaded[i].cd;
    ck_assert_uint_lt(n_loaded, MAX_LOADED);
    struct loaded *l = &loaded[n_loaded++];
    snprintf(l->config, sizeof(l->config), "%s", config);
    l->native = native;
    l->strict = strict;
    char path[4096];
    struct confdir_options opt = {.operations = 1,
                                  .stylesheets_only = !native,
                                  .strict = strict};
    struct confdir_problems problems;
    struct confdir *cd = confdir_load(test_path(path, sizeof(path), config),
                                      &opt, &problems);
    ck_assert_ptr_nonnull(cd);
    ck_assert_uint_eq(problems.n, 0);
    confdir_problems_clear(&problems);
    return l->cd = cd;
}

/* ---- variants ---- */

static int isLeaf(xmlNodePtr el)
{
    for (xmlNodePtr c = el->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return 0;
    return 1;
}

static void setText(xmlNodePtr el, const char *text)
{
    xmlNodeSetContent(el, NULL);
    xmlNodeAddContent(el, BAD_CAST text);
}

/* A "0" after every leaf text, so that a copy reads differently. */
static void markLeaves(xmlNodePtr el)
{
    int leaf = 1;
    for (xmlNodePtr c = el->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) {
            markLeaves(c);
            leaf = 0;
        }
    if (leaf)
        xmlNodeAddContent(el, BAD_CAST "0");
}

static void mutate(xmlNodePtr el, enum variant v)
{
    xmlNodePtr next;
    for (xmlNodePtr c = el->children; c; c = next) {
        next = c->next;
        if (c->type == XML_ELEMENT_NODE)
            mutate(c, v);
    }
    if (v == V_AMPERSAND)
        for (xmlAttrPtr a = el->properties; a; a = a->next)
            xmlSetProp(el, a->name, BAD_CAST "R&D <1>");
    if (v == V_DOUBLED && el->parent && el->parent->type == XML_ELEMENT_NODE)
        markLeaves(xmlAddNextSibling(el, xmlCopyNode(el, 1)));
    if (v == V_REVERSED) {
        xmlNodePtr kids = el->children;
        el->children = el->last = NULL;
        for (xmlNodePtr c = kids; c; c = next) {
            next = c->next;
            c->prev = c->next = NULL;
            c->parent = NULL;
            if (el->children)
                xmlAddPrevSibling(el->children, c);
            else
                xmlAddChild(el, c);
        }
    }
    if (!isLeaf(el))
        return;
    xmlChar *text = xmlNodeGetContent(el);
    char padded[512];
    switch (v) {
    case V_JUNK:
        setText(el, "n/a & 12x");
        break;
    case V_BLANK:
        setText(el, "");
        break;
    case V_PADDED:
        snprintf(padded, sizeof(padded), " \n %s\t ", (const char *)text);
        setText(el, padded);
        break;
    case V_NIL: {
        xmlNsPtr xsi = xmlSearchNsByHref(el->doc, el, BAD_CAST XSI);
        if (!xsi)
            xsi = xmlNewNs(el, BAD_CAST XSI, BAD_CAST "xsi");
        xmlSetNsProp(el, xsi, BAD_CAST "nil", BAD_CAST "true");
        break;
    }
    case V_MARKUP:
        xmlNodeSetContent(el, NULL);
        xmlAddChild(el, xmlNewCDataBlock(el->doc, text, xmlStrlen(text)));
        xmlAddChild(el, xmlNewDocComment(el->doc, BAD_CAST "note"));
        xmlAddChild(el, xmlNewDocText(el->doc, BAD_CAST "!"));
        break;
    default:
        break;
    }
    xmlFree(text);
}

/* ---- random variants: many small changes at once, seeded ---- */

#define RANDOM_VARIANTS 24
#define MAX_RANDOM_ELEMENTS 512

static unsigned nextRandom(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fff;
}

static const char *const oddValues[] = {
    "", " 1 ", "1e3", "-0", "+7.50", "0012", "true", "0", "x & y", "<b>",
    "\xc3\xbc\xe2\x82\xac", "2026-13-45", "20261301", "20260229",
    "20261120143000", "NaN", "SHP", "K-004711", "  ", "12345678901234567890"};

static void collectElements(xmlNodePtr el, xmlNodePtr *out, size_t *n)
{
    for (xmlNodePtr c = el->children; c && *n < MAX_RANDOM_ELEMENTS;
         c = c->next)
        if (c->type == XML_ELEMENT_NODE) {
            out[(*n)++] = c;
            collectElements(c, out, n);
        }
}

/* Below the answer: elements dropped, doubled (the copy reading
 * differently), moved first, emptied of their text, given odd text,
 * xsi:nil or an undeclared child; attributes given odd values. */
static void randomize(xmlNodePtr answer, unsigned seed)
{
    static xmlNodePtr elements[MAX_RANDOM_ELEMENTS];
    size_t n = 0;
    collectElements(answer, elements, &n);
    const size_t n_odd = sizeof(oddValues) / sizeof(oddValues[0]);
    /* Backwards: an element is changed before its ancestors, so a
     * dropped ancestor frees only nodes that are not visited again. */
    for (size_t i = n; i-- > 0;) {
        xmlNodePtr el = elements[i];
        unsigned r = nextRandom(&seed) % 100;
        for (xmlAttrPtr a = el->properties; a; a = a->next)
            if (nextRandom(&seed) % 3 == 0)
                xmlSetNsProp(el, a->ns, a->name,
                             BAD_CAST oddValues[nextRandom(&seed) % n_odd]);
        if (r < 12) {
            xmlUnlinkNode(el);
            xmlFreeNode(el);
        } else if (r < 24) {
            markLeaves(xmlAddNextSibling(el, xmlCopyNode(el, 1)));
        } else if (r < 32 && el->parent->children != el) {
            xmlNodePtr first = el->parent->children;
            xmlUnlinkNode(el);
            xmlAddPrevSibling(first, el);
        } else if (r < 52 && isLeaf(el)) {
            setText(el, oddValues[nextRandom(&seed) % n_odd]);
        } else if (r < 60) {
            xmlNsPtr xsi = xmlSearchNsByHref(el->doc, el, BAD_CAST XSI);
            if (!xsi)
                xsi = xmlNewNs(el, BAD_CAST XSI, BAD_CAST "xsi");
            xmlSetNsProp(el, xsi, BAD_CAST "nil",
                         BAD_CAST (nextRandom(&seed) % 2 ? "true" : "1"));
        } else if (r < 65) {
            xmlNewChild(el, NULL, BAD_CAST "Extra", BAD_CAST "9");
        }
    }
}

static xmlNodePtr firstChildElement(xmlNodePtr el)
{
    for (xmlNodePtr c = el ? el->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return c;
    return NULL;
}

/* The recorded response changed as variant v says (malloc'ed), or NULL
 * when it has no soap:Body to change. */
static char *makeVariant(const struct response_case *c, enum variant v,
                         unsigned seed, size_t *len)
{
    if (v == V_RECORDED) {
        *len = c->len;
        char *copy = malloc(c->len + 1);
        memcpy(copy, c->xml, c->len + 1);
        return copy;
    }
    xmlDocPtr doc = xmlReadMemory(c->xml, (int)c->len, NULL, NULL,
                                  XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlNodePtr env = xmlDocGetRootElement(doc);
    xmlNodePtr body = firstChildElement(env);
    while (body && !xmlStrEqual(body->name, BAD_CAST "Body"))
        body = xmlNextElementSibling(body);
    if (!body) {            /* not SOAP: only the recorded bytes count */
        xmlFreeDoc(doc);
        return NULL;
    }
    xmlNodePtr answer = firstChildElement(body);
    if (v == V_FAULT_AFTER) {
        xmlNodePtr fault = xmlNewChild(body, env->ns, BAD_CAST "Fault", NULL);
        xmlNewChild(fault, NULL, BAD_CAST "faultcode", BAD_CAST "soap:Server");
        xmlNewChild(fault, NULL, BAD_CAST "faultstring", BAD_CAST "late");
    } else if (v == V_NO_ANSWER) {
        if (answer) {
            xmlUnlinkNode(answer);
            xmlFreeNode(answer);
        }
    } else if (answer && v == V_RANDOM) {
        randomize(answer, seed);
    } else if (answer) {
        mutate(answer, v);
    }
    xmlChar *out;
    int n;
    xmlDocDumpMemoryEnc(doc, &out, &n, "UTF-8");
    xmlFreeDoc(doc);
    char *copy = malloc((size_t)n + 1);
    memcpy(copy, out, (size_t)n + 1);
    xmlFree(out);
    *len = (size_t)n;
    return copy;
}

/* ---- comparison ---- */

struct outcome {
    int rc;
    struct translate_result result;
    struct sb_error err;
};

static void translate(const struct confdir *cd, const char *capability,
                      const char *xml, size_t len, const char *content_type,
                      struct outcome *o)
{
    const struct capability *cap = confdir_find(cd, capability);
    ck_assert_msg(cap != NULL, "no capability %s", capability);
    memset(o, 0, sizeof(*o));
    o->rc = translate_response(cd, cap, xml, len, content_type, NULL,
                               &o->result, &o->err);
}

static void assertSame(const char *what, const struct outcome *native,
                       const struct outcome *xslt)
{
    ck_assert_msg(native->rc == xslt->rc, "%s: rc %d, stylesheet %d (%s)",
                  what, native->rc, xslt->rc,
                  native->rc ? native->err.message : xslt->err.message);
    if (xslt->rc < 0) {
        ck_assert_str_eq(native->err.code, xslt->err.code);
        ck_assert_str_eq(native->err.message, xslt->err.message);
        return;
    }
    ck_assert_int_eq(native->result.fault, xslt->result.fault);
    ck_assert_msg(strcmp(native->result.json, xslt->result.json) == 0,
                  "%s:\n native     %s\n stylesheet %s", what,
                  native->result.json, xslt->result.json);
    ck_assert_msg(native->result.n_warnings == xslt->result.n_warnings,
                  "%s: %zu warnings, stylesheet %zu", what,
                  native->result.n_warnings, xslt->result.n_warnings);
    for (size_t i = 0; i < xslt->result.n_warnings; i++)
        ck_assert_str_eq(native->result.warnings[i],
                         xslt->result.warnings[i]);
}

/* Does the plan answer this response itself? */
static int served(const struct confdir *cd, const char *capability,
                  const char *xml, size_t len, const char *content_type)
{
    const struct capability *cap = confdir_find(cd, capability);
    struct xsltfunc_context fctx = {.tables = cd->tables, .zones = cd->zones};
    char *json = NULL;
    size_t n;
    struct sb_error err;
    int rc = native_response(cap->native, xml, len, content_type, NULL, &fctx,
                             &json, &n, &err);
    ck_assert_int_ne(rc, -1);
    ck_assert_msg(rc == 1 ? fctx.n_warnings == 0 && !json : json != NULL,
                  "%s: a fallback leaves nothing behind", capability);
    free(json);
    xsltfunc_context_clear(&fctx);
    return rc == 0;
}

/* Did the stylesheet meet content the schema does not declare? */
static int undeclared(const struct outcome *o)
{
    for (size_t i = 0; i < o->result.n_warnings; i++)
        if (strncmp(o->result.warnings[i], "undeclared element ", 19) == 0)
            return 1;
    return 0;
}

/* The capability of a case; "*.OPERATION" is that zero-config
 * operation of whichever service has it. */
static const struct capability *findCapability(const struct confdir *cd,
                                               const char *name)
{
    if (strncmp(name, "*.", 2) != 0)
        return confdir_find(cd, name);
    for (size_t i = 0; i < cd->n_operations; i++) {
        const char *dot = strchr(cd->operations[i].name, '.');
        if (dot && strcmp(dot + 1, name + 2) == 0)
            return &cd->operations[i];
    }
    return NULL;
}

static void compareCase(const struct response_case *c, int strict)
{
    struct confdir *native = load(c->config, 1, strict);
    struct confdir *xslt = load(c->config, 0, strict);
    const struct capability *cap = findCapability(native, c->capability);
    ck_assert_msg(cap != NULL, "%s: no capability %s", c->name,
                  c->capability);
    for (int v = 0, k = 0; v < V_COUNT && cap->native;
         v += v != V_RANDOM || ++k == RANDOM_VARIANTS) {
        char what[512];
        size_t len;
        unsigned seed = (unsigned)k * 7919u + (unsigned)strlen(c->name);
        char *xml = makeVariant(c, (enum variant)v, seed, &len);
        if (!xml)
            continue;
        struct outcome a, b;
        snprintf(what, sizeof(what), "%s (%s%s, seed %u)", c->name,
                 variantNames[v], strict ? ", strict" : "", seed);
        translate(native, cap->name, xml, len, c->content_type, &a);
        translate(xslt, cap->name, xml, len, c->content_type, &b);
        assertSame(what, &a, &b);
        /* Every answer that is no fault and no refusal is the plan's,
         * but for content the schema does not declare, which the schema
         * default leaves to the stylesheet's generic rule (and strict
         * mode, which hands misfits over as well). */
        if (!strict)
            ck_assert_msg(served(native, cap->name, xml, len,
                                 c->content_type) ==
                              (b.rc == 0 && !b.result.fault &&
                               (cap->mapping || !undeclared(&b))),
                          "%s: served natively or not, wrongly", what);
        translate_result_clear(&a.result);
        translate_result_clear(&b.result);
        free(xml);
    }
}

START_TEST(same_output_as_stylesheets)
{
    ck_assert_uint_lt((size_t)_i, n_cases);
    compareCase(&cases[_i], 0);
}
END_TEST

START_TEST(same_output_as_stylesheets_strict)
{
    ck_assert_uint_lt((size_t)_i, n_cases);
    compareCase(&cases[_i], 1);
}
END_TEST

/* ---- requests ---- */

enum request_variant {
    R_RECORDED,
    R_WITHOUT,      /* member `which` left out */
    R_NULL,         /* member `which` null */
    R_ODD_TEXT,     /* every string member: markup, '&', non-ASCII */
    R_NUMBER,       /* member `which` a number */
    R_ALONE_NULL,   /* member `which` null, the others but the first left
                       out: a group of only null members is empty */
};

/* The request JSON changed as the variant says (malloc'ed), or NULL when
 * there is no member `which`. */
static char *requestVariant(const char *json, size_t len,
                            enum request_variant v, int which)
{
    struct sb_error err;
    xmlDocPtr doc = jsonxml_from_json(json, len, NULL, &err);
    ck_assert_ptr_nonnull(doc);
    xmlNodePtr map = xmlDocGetRootElement(doc), m = NULL;
    int i = 0;
    for (xmlNodePtr c = map->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) {
            if (i == which)
                m = c;
            if (v == R_ODD_TEXT && xmlStrEqual(c->name, BAD_CAST "string"))
                setText(c, "R&D <\"1\">\r\n \xc3\xbc");
            i++;
        }
    if (v != R_RECORDED && v != R_ODD_TEXT && !m) {
        xmlFreeDoc(doc);
        return NULL;
    }
    if (v == R_WITHOUT) {
        xmlUnlinkNode(m);
        xmlFreeNode(m);
    } else if (v == R_ALONE_NULL) {
        xmlNodeSetName(m, BAD_CAST "null");
        setText(m, "");
        xmlNodePtr first = xmlFirstElementChild(map), next;
        for (xmlNodePtr c = first ? first->next : NULL; c; c = next) {
            next = c->next;
            if (c != m) {
                xmlUnlinkNode(c);
                xmlFreeNode(c);
            }
        }
    } else if (v == R_NULL || v == R_NUMBER) {
        xmlNodeSetName(m, BAD_CAST (v == R_NULL ? "null" : "number"));
        setText(m, v == R_NULL ? "" : "7");
    }
    char *out = jsonxml_to_json(map, NULL, &err);
    ck_assert_ptr_nonnull(out);
    xmlFreeDoc(doc);
    return out;
}

static char *request(const struct confdir *cd, const char *capability,
                     const char *json, size_t *len, struct sb_error *err)
{
    return translate_request(cd, confdir_find(cd, capability), json,
                             strlen(json), NULL, NULL, len, err);
}

/* Does the plan write this request itself? */
static int writesRequest(const struct confdir *cd, const char *capability,
                         const char *json)
{
    const struct capability *cap = confdir_find(cd, capability);
    struct sb_error err;
    xmlDocPtr input = jsonxml_from_json(json, strlen(json), NULL, &err);
    struct strbuf body;
    strbuf_init(&body);
    struct xsltfunc_context fctx = {.tables = cd->tables, .zones = cd->zones};
    struct envelope_request req = translate_envelope_request(cap, NULL);
    int rc = cap->native ? native_request(cap->native,
                                          xmlDocGetRootElement(input), &fctx,
                                          &req, &body, &err) : 1;
    ck_assert_int_ne(rc, -1);
    ck_assert_int_eq(body.len > 0, rc == 0);
    strbuf_free(&body);
    xmlFreeDoc(input);
    return rc == 0;
}

/* Every bundled table but get_invoice (hand-written stylesheets). */
static const char *const writtenNatively[] = {
    "get_order", "cancel_order", "get_order_status", "list_orders",
    "create_ticket", "list_tickets", "get_ticket", "update_contact",
    "get_customer", "get_contract", "change_plan", "list_plans",
    "get_pricing", "get_regional_tax"};

static int expectsNativeRequest(const char *capability)
{
    for (size_t i = 0; i < sizeof(writtenNatively) / sizeof(*writtenNatively);
         i++)
        if (strcmp(writtenNatively[i], capability) == 0)
            return 1;
    return 0;
}

START_TEST(same_requests_as_stylesheets)
{
    ck_assert_uint_lt((size_t)_i, n_cases);
    const struct response_case *c = &cases[_i];
    size_t json_len;
    char *json = caseFile(c->name, "request.json", &json_len);
    if (!json)
        return;
    struct confdir *native = load(c->config, 1, 0);
    struct confdir *xslt = load(c->config, 0, 0);
    for (int v = R_RECORDED; v <= R_ALONE_NULL; v++)
        for (int which = 0; which < 64; which++) {
            char *req = requestVariant(json, json_len,
                                       (enum request_variant)v, which);
            if (!req)
                break;
            struct sb_error ea, eb;
            size_t la = 0, lb = 0;
            char *a = request(native, c->capability, req, &la, &ea);
            char *b = request(xslt, c->capability, req, &lb, &eb);
            ck_assert_msg((a == NULL) == (b == NULL), "%s %s: %s", c->name,
                          req, a ? eb.message : ea.message);
            if (a) {
                ck_assert_msg(la == lb && memcmp(a, b, la) == 0,
                              "%s %s:\n native     %s\n stylesheet %s",
                              c->name, req, a, b);
                ck_assert_int_eq(writesRequest(native, c->capability, req),
                                 expectsNativeRequest(c->capability));
            } else {
                ck_assert_str_eq(ea.code, eb.code);
                ck_assert_str_eq(ea.message, eb.message);
            }
            free(a);
            free(b);
            free(req);
            if (v == R_RECORDED || v == R_ODD_TEXT)
                break;
        }
    free(json);
}
END_TEST

/* ---- schema-made answers for every operation of the large WSDLs ---- */

struct generator {
    struct strbuf out;
    unsigned seed;
};

static const char *oddValue(struct generator *g)
{
    return oddValues[nextRandom(&g->seed) %
                     (sizeof(oddValues) / sizeof(oddValues[0]))];
}

static void genText(struct generator *g, const char *text)
{
    strbuf_put_xml(&g->out, text);
}

static void genElement(struct generator *g, const struct xsd_element *el,
                       int depth);

static void genValue(struct generator *g, const struct xsd_type *type)
{
    static const char *const typical[] = {"42", "12.50", "true", "A-1001",
                                          "2026-11-25"};
    if (!type || type->is_complex)
        return;
    genText(g, nextRandom(&g->seed) % 3
                   ? typical[nextRandom(&g->seed) % 5] : oddValue(g));
}

static void genParticle(struct generator *g, const struct xsd_particle *p,
                        int depth)
{
    if (!p)
        return;
    int times = p->max_occurs == 1 ? 1 : (int)(nextRandom(&g->seed) % 3);
    for (int t = 0; t < times; t++) {
        switch (p->kind) {
        case XSD_PARTICLE_ELEMENT:
            /* zero, one or (when repeated) two of it; sometimes more
             * than the schema allows */
            for (int k = (int)(nextRandom(&g->seed) % 3); k > 0; k--)
                genElement(g, p->element, depth + 1);
            break;
        case XSD_PARTICLE_CHOICE:
            if (p->n_children)
                genParticle(g, p->children[nextRandom(&g->seed) %
                                           p->n_children], depth);
            break;
        case XSD_PARTICLE_ANY:
            if (nextRandom(&g->seed) % 2)
                strbuf_puts(&g->out, "<x:Foreign xmlns:x=\"urn:elsewhere\">"
                                     "<x:Part>7</x:Part></x:Foreign>");
            break;
        default:
            for (size_t i = 0; i < p->n_children; i++)
                genParticle(g, p->children[i], depth);
        }
    }
}

/* An instance of el: attributes, then text or content, now and then
 * nil, an undeclared child or nothing at all. */
static void genElement(struct generator *g, const struct xsd_element *el,
                       int depth)
{
    const struct xsd_type *t = el->type;
    strbuf_printf(&g->out, "<%s%s", el->ns ? "p:" : "", el->name);
    if (el->ns) {
        strbuf_puts(&g->out, " xmlns:p=\"");
        genText(g, el->ns);
        strbuf_puts(&g->out, "\"");
    }
    for (size_t i = 0; t && i < t->n_attributes; i++)
        if (nextRandom(&g->seed) % 3) {
            const struct xsd_attribute *a = t->attributes[i];
            strbuf_printf(&g->out, " %s%s=\"", a->ns ? "q:" : "", a->name);
            genValue(g, a->type);
            strbuf_puts(&g->out, "\"");
            if (a->ns) {
                strbuf_puts(&g->out, " xmlns:q=\"");
                genText(g, a->ns);
                strbuf_puts(&g->out, "\"");
            }
        }
    unsigned r = nextRandom(&g->seed) % 20;
    if (r == 0) {
        strbuf_puts(&g->out, " xsi:nil=\"true\"/>");
        return;
    }
    strbuf_puts(&g->out, ">");
    if (r == 1)
        strbuf_puts(&g->out, "<Undeclared>u</Undeclared>");
    if (t && t->simple_content)
        genValue(g, t->simple_content);
    else if (t && t->is_complex && depth < 6)
        genParticle(g, t->content, depth);
    else
        genValue(g, t);
    strbuf_printf(&g->out, "</%s%s>", el->ns ? "p:" : "", el->name);
}

/* A SOAP answer for op made from its schema (malloc'ed). */
static char *genAnswer(const struct wsdl_operation *op, unsigned seed,
                       size_t *len)
{
    struct generator g = {.seed = seed};
    strbuf_init(&g.out);
    strbuf_puts(&g.out, "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/"
                        "soap/envelope/\" xmlns:xsi=\"" XSI "\"><s:Body>");
    const struct xsd_element *top = stylegen_unwrapped(op, &op->output);
    if (top) {
        genElement(&g, top, 0);
    } else {
        strbuf_printf(&g.out, "<w:%sResponse xmlns:w=\"%s\">", op->name,
                      op->output.ns ? op->output.ns : "");
        for (size_t i = 0; i < op->output.n_parts; i++) {
            const struct wsdl_part *part = op->output.parts[i];
            struct xsd_element el = {.name = part->name, .type = part->type};
            genElement(&g, part->element ? part->element : &el, 1);
        }
        strbuf_printf(&g.out, "</w:%sResponse>", op->name);
    }
    strbuf_puts(&g.out, "</s:Body></s:Envelope>");
    ck_assert(!strbuf_failed(&g.out));
    return strbuf_detach(&g.out, len);
}

static const struct {
    const char *dir;
    int planned;        /* 1: most operations have a plan; 0: none (rpc/
                           encoded keeps the stylesheet) */
} families[] = {
    {"tests/realwsdl/mailbox", 1},
    {"tests/realwsdl/crmpartner", 1},
    {"tests/realwsdl/camera", 1},
    {"tests/realwsdl/legacyrpc", 0},
};

/* Every operation of the four large WSDL families (extension, choice,
 * wildcards, simple content, nillable, recursion, rpc) answered with
 * random instances of its schema: the plan and the default stylesheet
 * agree on each. */
START_TEST(schema_made_answers_match)
{
    char path[4096];
    struct confdir_options opt = {.operations = 1};
    struct confdir_problems problems;
    test_path(path, sizeof(path), families[_i].dir);
    opt.wsdl_dir = path;
    struct confdir *cd = confdir_load(path, &opt, &problems);
    confdir_problems_clear(&problems);
    ck_assert(cd && cd->n_operations > 0);
    size_t planned = 0, answers = 0, natively = 0;
    for (size_t i = 0; i < cd->n_operations; i++) {
        const struct capability *cap = &cd->operations[i];
        struct capability stylesheet = *cap;   /* the same, without plan */
        stylesheet.native = NULL;
        if (!native_reads_response(cap->native))
            continue;
        planned++;
        for (unsigned k = 0; k < 6; k++) {
            size_t len;
            char what[512];
            unsigned seed = k * 104729u + (unsigned)i;
            char *xml = genAnswer(cap->operation, seed, &len);
            struct outcome a = {0}, b = {0};
            snprintf(what, sizeof(what), "%s seed %u", cap->name, seed);
            a.rc = translate_response(cd, cap, xml, len, NULL, NULL,
                                      &a.result, &a.err);
            b.rc = translate_response(cd, &stylesheet, xml, len, NULL, NULL,
                                      &b.result, &b.err);
            assertSame(what, &a, &b);
            answers++;
            natively += (size_t)served(cd, cap->name, xml, len, NULL);
            translate_result_clear(&a.result);
            translate_result_clear(&b.result);
            free(xml);
        }
    }
    /* Enough answers came without undeclared content to test the plans
     * themselves, not only their hand-over. */
    ck_assert_msg(natively * 4 >= answers, "%s: %zu of %zu answers served "
                  "natively", families[_i].dir, natively, answers);
    ck_assert_msg(families[_i].planned ? planned * 2 > cd->n_operations
                                       : planned == 0,
                  "%s: %zu of %zu operations have a plan", families[_i].dir,
                  planned, cd->n_operations);
    confdir_free(cd);
}
END_TEST

/* Every bundled table gets a plan for both directions, the rpc/literal
 * billing ones too; hand-written stylesheets keep theirs, and so does a
 * configuration loaded for its stylesheets only. */
START_TEST(plans_for_every_bundled_table)
{
    struct confdir *cd = load(".", 1, 0);
    for (size_t i = 0; i < sizeof(writtenNatively) / sizeof(*writtenNatively);
         i++) {
        const struct capability *cap = confdir_find(cd, writtenNatively[i]);
        if (!cap)
            continue;           /* a capability of tests/data/config */
        ck_assert_msg(native_reads_response(cap->native) &&
                          native_writes_request(cap->native),
                      "%s has no plan for both directions", cap->name);
    }
    ck_assert_uint_eq(cd->n_capabilities, 13);
    ck_assert_ptr_null(confdir_find(cd, "get_invoice")->native);
    cd = load(".", 0, 0);
    ck_assert_ptr_null(confdir_find(cd, "get_order_status")->native);
}
END_TEST

/* A response of many elements converts through the plan in one pass;
 * every item comes out, in order. */
START_TEST(large_response_in_order)
{
    struct confdir *native = load("tests/data/config", 1, 0);
    struct confdir *xslt = load("tests/data/config", 0, 0);
    char *xml = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&xml, &len);
    fputs("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">"
          "<s:Body><o:GetOrderStatusResponse xmlns:o=\"urn:example:orders\">"
          "<o:Order><o:OrderId>A1001</o:OrderId>", f);
    for (int i = 1; i <= 5000; i++)
        fprintf(f, "<o:Line lineNo=\"%d\"><o:Sku>S%d</o:Sku><o:Quantity>%d"
                   "</o:Quantity><o:UnitPrice>%d.5</o:UnitPrice></o:Line>",
                i, i, i % 7, i);
    fputs("</o:Order></o:GetOrderStatusResponse></s:Body></s:Envelope>", f);
    fclose(f);
    ck_assert(served(native, "get_order", xml, len, NULL));
    struct outcome a, b;
    translate(native, "get_order", xml, len, NULL, &a);
    translate(xslt, "get_order", xml, len, NULL, &b);
    assertSame("5000 lines", &a, &b);
    ck_assert_ptr_nonnull(strstr(a.result.json, "{\"line\":5000,\"sku\":"
                                                "\"S5000\",\"quantity\":2,"
                                                "\"unit_price\":\"5000.5\"}"));
    translate_result_clear(&a.result);
    translate_result_clear(&b.result);
    free(xml);
}
END_TEST

static void setup(void)
{
    xmlInitParser();
    ck_assert_int_eq(confdir_init(), 0);
}

static void teardown(void)
{
    for (size_t i = 0; i < n_loaded; i++)
        confdir_free(loaded[i].cd);
    n_loaded = 0;
    for (size_t i = 0; i < n_cases; i++) {
        free(cases[i].xml);
        free(cases[i].content_type);
    }
    n_cases = 0;
}

Suite *native_suite(void)
{
    Suite *s = suite_create("native");
    TCase *tc = tcase_create("native");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    if (!n_cases)
        loadCases();
    tcase_add_loop_test(tc, same_output_as_stylesheets, 0, (int)n_cases);
    tcase_add_loop_test(tc, same_output_as_stylesheets_strict, 0,
                        (int)n_cases);
    tcase_add_loop_test(tc, same_requests_as_stylesheets, 0, (int)n_cases);
    tcase_add_test(tc, plans_for_every_bundled_table);
    tcase_add_test(tc, large_response_in_order);
    tcase_add_loop_test(tc, schema_made_answers_match, 0,
                        (int)(sizeof(families) / sizeof(families[0])));
    suite_add_tcase(s, tc);
    return s;
}
