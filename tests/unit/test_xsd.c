#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>

#include "xsd.h"
#include "suites.h"
#include "testutil.h"

#define FNS "urn:test:features"
#define CMN "urn:example:common"

static struct xsd_set *loadSet(const char *rel, struct sb_error *err)
{
    char path[4096];
    struct xsd_set *set = xsd_set_new();
    ck_assert_ptr_nonnull(set);
    error_clear(err);
    if (xsd_set_add_file(set, test_path(path, sizeof(path), rel), err) ||
        xsd_set_resolve(set, err)) {
        xsd_set_free(set);
        return NULL;
    }
    return set;
}

static struct xsd_set *mustLoad(const char *rel)
{
    struct sb_error err;
    char buf[1024];
    struct xsd_set *set = loadSet(rel, &err);
    ck_assert_msg(set != NULL, "%s: %s", rel,
                  error_format(&err, buf, sizeof(buf)));
    return set;
}

/* Element names of a content model in document order, "|" between,
 * "*" after a repeated one, "?" after an optional one, "[any]" for a
 * wildcard, "(" ")" around choices. */
static void describe(const struct xsd_particle *p, char *out, size_t size)
{
    size_t len = strlen(out);
    if (!p)
        return;
    if (p->kind == XSD_PARTICLE_ELEMENT) {
        snprintf(out + len, size - len, "%s%s%s|", p->element->name,
                 p->max_occurs == XSD_UNBOUNDED || p->max_occurs > 1 ? "*" : "",
                 p->min_occurs == 0 ? "?" : "");
        return;
    }
    if (p->kind == XSD_PARTICLE_ANY) {
        snprintf(out + len, size - len, "[any]|");
        return;
    }
    if (p->kind == XSD_PARTICLE_CHOICE)
        snprintf(out + len, size - len, "(");
    for (size_t i = 0; i < p->n_children; i++)
        describe(p->children[i], out, size);
    if (p->kind == XSD_PARTICLE_CHOICE) {
        len = strlen(out);
        snprintf(out + len, size - len, ")|");
    }
}

static const char *contentOf(const struct xsd_type *t, char *buf,
                             size_t size)
{
    buf[0] = 0;
    describe(t->content, buf, size);
    return buf;
}

static const struct xsd_element *findLocal(const struct xsd_particle *p,
                                           const char *name)
{
    if (!p)
        return NULL;
    if (p->kind == XSD_PARTICLE_ELEMENT)
        return strcmp(p->element->name, name) == 0 ? p->element : NULL;
    for (size_t i = 0; i < p->n_children; i++) {
        const struct xsd_element *e = findLocal(p->children[i], name);
        if (e)
            return e;
    }
    return NULL;
}

static const struct xsd_attribute *findAttr(const struct xsd_type *t,
                                            const char *name)
{
    for (size_t i = 0; i < t->n_attributes; i++)
        if (strcmp(t->attributes[i]->name, name) == 0)
            return t->attributes[i];
    return NULL;
}

static const char *attrNames(const struct xsd_type *t, char *buf, size_t size)
{
    buf[0] = 0;
    for (size_t i = 0; i < t->n_attributes; i++) {
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, "%s|", t->attributes[i]->name);
    }
    return buf;
}

static struct xsd_type *type(const struct xsd_set *set, const char *ns,
                             const char *name)
{
    struct xsd_type *t = xsd_find_type(set, ns, name);
    ck_assert_msg(t != NULL, "type {%s}%s missing", ns, name);
    return t;
}

/* ---- built-in types ---- */

static const struct {
    const char *name;
    enum xsd_json_kind kind;
} builtins[] = {
    {"string", XSD_JSON_STRING}, {"normalizedString", XSD_JSON_STRING},
    {"token", XSD_JSON_STRING}, {"boolean", XSD_JSON_BOOLEAN},
    {"decimal", XSD_JSON_NUMBER}, {"integer", XSD_JSON_NUMBER},
    {"int", XSD_JSON_NUMBER}, {"long", XSD_JSON_NUMBER},
    {"short", XSD_JSON_NUMBER}, {"byte", XSD_JSON_NUMBER},
    {"nonNegativeInteger", XSD_JSON_NUMBER},
    {"positiveInteger", XSD_JSON_NUMBER}, {"unsignedLong", XSD_JSON_NUMBER},
    {"unsignedInt", XSD_JSON_NUMBER}, {"unsignedShort", XSD_JSON_NUMBER},
    {"unsignedByte", XSD_JSON_NUMBER}, {"float", XSD_JSON_NUMBER},
    {"double", XSD_JSON_NUMBER}, {"date", XSD_JSON_STRING},
    {"dateTime", XSD_JSON_STRING}, {"time", XSD_JSON_STRING},
    {"duration", XSD_JSON_STRING}, {"base64Binary", XSD_JSON_STRING},
    {"hexBinary", XSD_JSON_STRING}, {"anyURI", XSD_JSON_STRING},
    {"QName", XSD_JSON_STRING}, {"anyType", XSD_JSON_ANY},
    {"anySimpleType", XSD_JSON_ANY}, {"ID", XSD_JSON_STRING},
    {"IDREF", XSD_JSON_STRING}, {"language", XSD_JSON_STRING},
    {"Name", XSD_JSON_STRING}, {"NCName", XSD_JSON_STRING},
    {"gYear", XSD_JSON_STRING}, {"gYearMonth", XSD_JSON_STRING},
    {"gMonthDay", XSD_JSON_STRING},
};

START_TEST(builtin_types_always_resolve)
{
    struct xsd_set *set = xsd_set_new();
    struct xsd_type *t = xsd_find_type(set, XSD_NS, builtins[_i].name);
    ck_assert_msg(t != NULL, "%s", builtins[_i].name);
    ck_assert_str_eq(t->builtin, builtins[_i].name);
    ck_assert_str_eq(t->name, builtins[_i].name);
    ck_assert_int_eq(t->is_complex, 0);
    ck_assert_int_eq(xsd_json_kind_of(t), builtins[_i].kind);
    ck_assert_int_eq(t->json_kind, builtins[_i].kind);
    ck_assert_int_eq(xsd_set_resolve(set, NULL), 0);
    ck_assert_uint_eq(xsd_count_types(set), 0);
    xsd_set_free(set);
}
END_TEST

START_TEST(lookups_of_absent_names_are_null)
{
    struct xsd_set *set = xsd_set_new();
    ck_assert_ptr_null(xsd_find_type(set, XSD_NS, "notAType"));
    ck_assert_ptr_null(xsd_find_type(set, NULL, "string"));
    ck_assert_ptr_null(xsd_find_element(set, "", "x"));
    ck_assert_ptr_null(xsd_find_element(NULL, "", "x"));
    ck_assert_int_eq(xsd_json_kind_of(NULL), XSD_JSON_ANY);
    xsd_set_free(set);
    xsd_set_free(NULL);
}
END_TEST

/* ---- simple types ---- */

START_TEST(simple_type_facets_and_inheritance)
{
    struct xsd_set *set = mustLoad("tests/data/xsd/features.xsd");
    struct xsd_type *code = type(set, FNS, "Code");
    ck_assert_str_eq(code->builtin, "string");
    ck_assert_int_eq(code->json_kind, XSD_JSON_STRING);
    ck_assert_ptr_eq(code->base, xsd_find_type(set, XSD_NS, "string"));
    ck_assert_uint_eq(code->facets.n_patterns, 2);
    ck_assert_str_eq(code->facets.patterns[0], "[A-Z]{3}");
    ck_assert_str_eq(code->facets.patterns[1], "A.*");
    ck_assert_int_eq(code->facets.length, 3);
    ck_assert_int_eq(code->facets.min_length, -1);
    ck_assert_int_eq(code->facets.total_digits, -1);
    ck_assert_ptr_null(code->facets.enumeration);

    struct xsd_type *sc = type(set, FNS, "ShortCode");
    ck_assert_ptr_eq(sc->base, code);
    ck_assert_str_eq(sc->builtin, "string");
    ck_assert_int_eq(sc->facets.min_length, 1);
    ck_assert_int_eq(sc->facets.max_length, 3);
    ck_assert_uint_eq(sc->facets.n_patterns, 2);   /* inherited */
    ck_assert_int_eq(sc->facets.length, 3);

    struct xsd_type *pct = type(set, FNS, "Percent");
    ck_assert_str_eq(pct->builtin, "decimal");
    ck_assert_int_eq(xsd_json_kind_of(pct), XSD_JSON_NUMBER);
    ck_assert_str_eq(pct->facets.min_exclusive, "0");
    ck_assert_str_eq(pct->facets.max_exclusive, "100");
    ck_assert_ptr_null(pct->facets.min_inclusive);
    ck_assert_int_eq(pct->facets.total_digits, 5);
    ck_assert_int_eq(pct->facets.fraction_digits, 2);

    struct xsd_type *cnt = type(set, FNS, "SmallCount");
    ck_assert_str_eq(cnt->builtin, "unsignedShort");
    ck_assert_int_eq(cnt->json_kind, XSD_JSON_NUMBER);
    ck_assert_str_eq(cnt->facets.min_inclusive, "1");
    ck_assert_str_eq(cnt->facets.max_inclusive, "10");

    ck_assert_int_eq(type(set, FNS, "Flag")->json_kind, XSD_JSON_BOOLEAN);

    struct xsd_type *color = type(set, FNS, "Color");
    ck_assert_str_eq(color->builtin, "token");
    ck_assert_uint_eq(color->facets.n_enumeration, 2);
    ck_assert_str_eq(color->facets.enumeration[0], "red");
    ck_assert_str_eq(color->facets.enumeration[1], "green");
    ck_assert_ptr_nonnull(color->base);
    ck_assert_ptr_null(color->base->name);   /* the inline base */
    xsd_set_free(set);
}
END_TEST

START_TEST(list_union_and_soapenc_simple_types)
{
    struct xsd_set *set = mustLoad("tests/data/xsd/features.xsd");
    struct xsd_type *list = type(set, FNS, "CodeList");
    ck_assert_int_eq(list->is_list, 1);
    ck_assert_int_eq(list->json_kind, XSD_JSON_STRING);
    ck_assert_ptr_eq(list->base, type(set, FNS, "Code"));
    struct xsd_type *ints = type(set, FNS, "IntList");
    ck_assert_int_eq(ints->is_list, 1);
    ck_assert_str_eq(ints->builtin, "int");
    ck_assert_int_eq(ints->json_kind, XSD_JSON_STRING);
    struct xsd_type *uni = type(set, FNS, "IntOrCode");
    ck_assert_str_eq(uni->builtin, "string");
    ck_assert_int_eq(uni->json_kind, XSD_JSON_STRING);
    /* soapenc:int comes from the catalogue, and derives from xsd:int. */
    struct xsd_type *si = type(set, FNS, "SoapencInt");
    ck_assert_str_eq(si->builtin, "int");
    ck_assert_int_eq(si->json_kind, XSD_JSON_NUMBER);
    ck_assert_str_eq(si->base->ns, SOAP_ENCODING_NS);
    ck_assert_ptr_nonnull(xsd_find_type(set, SOAP_ENCODING_NS, "Array"));
    ck_assert_ptr_nonnull(xsd_find_element(set, SOAP_ENCODING_NS, "string"));
    /* An encoded array without wsdl:arrayType takes its item element's
     * type. */
    struct xsd_type *arr = type(set, FNS, "SeqArray");
    ck_assert_int_eq(arr->is_soapenc_array, 1);
    ck_assert_ptr_eq(arr->array_item_type, type(set, FNS, "Price"));
    ck_assert_str_eq(arr->array_item_type_name, "Price");
    ck_assert_str_eq(arr->array_item_type_ns, FNS);
    ck_assert_ptr_nonnull(findAttr(arr, "arrayType"));
    xsd_set_free(set);
}
END_TEST

/* ---- complex types ---- */

START_TEST(simple_content_extension)
{
    char buf[256];
    struct xsd_set *set = mustLoad("tests/data/xsd/features.xsd");
    struct xsd_type *price = type(set, FNS, "Price");
    ck_assert_int_eq(price->is_complex, 1);
    ck_assert_ptr_eq(price->simple_content,
                     xsd_find_type(set, XSD_NS, "decimal"));
    ck_assert_str_eq(price->builtin, "decimal");
    ck_assert_int_eq(xsd_json_kind_of(price), XSD_JSON_NUMBER);
    ck_assert_ptr_null(price->content);
    const struct xsd_attribute *cur = findAttr(price, "currency");
    ck_assert_ptr_nonnull(cur);
    ck_assert_int_eq(cur->required, 1);
    ck_assert_ptr_null(cur->ns);
    ck_assert_ptr_eq(cur->type, type(set, FNS, "Code"));
    struct xsd_type *tagged = type(set, FNS, "TaggedPrice");
    ck_assert_ptr_eq(tagged->simple_content, price->simple_content);
    ck_assert_int_eq(xsd_json_kind_of(tagged), XSD_JSON_NUMBER);
    ck_assert_str_eq(attrNames(tagged, buf, sizeof(buf)), "currency|tag|");
    xsd_set_free(set);
}
END_TEST

START_TEST(complex_content_extension_puts_base_first)
{
    char buf[512];
    struct xsd_set *set = mustLoad("tests/data/xsd/features.xsd");
    struct xsd_type *base = type(set, FNS, "Base");
    ck_assert_int_eq(base->is_abstract, 1);
    ck_assert_str_eq(contentOf(base, buf, sizeof(buf)), "A|B?|");
    ck_assert_str_eq(attrNames(base, buf, sizeof(buf)), "lang|id|rev|");
    ck_assert_int_eq(xsd_json_kind_of(base), XSD_JSON_ANY);
    /* attribute ref= to a global attribute: qualified by its schema. */
    ck_assert_str_eq(findAttr(base, "lang")->ns, FNS);
    ck_assert_str_eq(findAttr(base, "rev")->default_value, "0");
    ck_assert_ptr_null(findAttr(base, "id")->ns);

    struct xsd_type *d = type(set, FNS, "Derived");
    ck_assert_ptr_eq(d->base, base);
    ck_assert_str_eq(contentOf(d, buf, sizeof(buf)), "A|B?|C|");
    ck_assert_str_eq(attrNames(d, buf, sizeof(buf)), "lang|id|rev|extra|");
    ck_assert_str_eq(findAttr(d, "extra")->fixed_value, "x");
    ck_assert_int_eq(d->is_abstract, 0);

    struct xsd_type *md = type(set, FNS, "MoreDerived");
    ck_assert_str_eq(contentOf(md, buf, sizeof(buf)), "A|B?|C|(D|E|)|");
    ck_assert_uint_eq(md->n_attributes, 4);

    struct xsd_type *ao = type(set, FNS, "AttrOnlyDerived");
    ck_assert_ptr_eq(ao->content, base->content);
    ck_assert_str_eq(attrNames(ao, buf, sizeof(buf)), "lang|id|rev|flag|");

    struct xsd_type *r = type(set, FNS, "Restricted");
    ck_assert_str_eq(contentOf(r, buf, sizeof(buf)), "A|");
    ck_assert_str_eq(attrNames(r, buf, sizeof(buf)), "lang|rev|");
    xsd_set_free(set);
}
END_TEST

START_TEST(groups_choices_all_and_any)
{
    char buf[512];
    struct xsd_set *set = mustLoad("tests/data/xsd/features.xsd");
    struct xsd_type *n = type(set, FNS, "Nested");
    ck_assert_str_eq(contentOf(n, buf, sizeof(buf)),
                     "First|Last|(X|Y|Z|)|[any]|");
    struct xsd_particle *seq = n->content;
    ck_assert_int_eq(seq->kind, XSD_PARTICLE_SEQUENCE);
    ck_assert_uint_eq(seq->n_children, 3);
    /* The group ref is inlined with the ref's occurrence. */
    ck_assert_int_eq(seq->children[0]->kind, XSD_PARTICLE_SEQUENCE);
    ck_assert_int_eq(seq->children[0]->min_occurs, 0);
    ck_assert_uint_eq(seq->children[0]->n_children, 2);
    struct xsd_particle *choice = seq->children[1];
    ck_assert_int_eq(choice->kind, XSD_PARTICLE_CHOICE);
    ck_assert_int_eq(choice->max_occurs, XSD_UNBOUNDED);
    ck_assert_int_eq(choice->children[1]->kind, XSD_PARTICLE_SEQUENCE);
    struct xsd_particle *any = seq->children[2];
    ck_assert_int_eq(any->kind, XSD_PARTICLE_ANY);
    ck_assert_str_eq(any->any_namespace, "##other");
    ck_assert_int_eq(any->min_occurs, 0);
    ck_assert_int_eq(n->any_attribute, 1);

    struct xsd_type *all = type(set, FNS, "AllOf");
    ck_assert_int_eq(all->content->kind, XSD_PARTICLE_ALL);
    ck_assert_str_eq(contentOf(all, buf, sizeof(buf)), "P|Q?|");

    struct xsd_type *m = type(set, FNS, "Mixed");
    ck_assert_int_eq(m->mixed, 1);
    ck_assert_ptr_null(findLocal(m->content, "b")->ns);
    const struct xsd_attribute *lang = findAttr(m, "lang");
    ck_assert_str_eq(lang->ns, "http://www.w3.org/XML/1998/namespace");
    ck_assert_str_eq(findAttr(m, "q")->ns, FNS);
    xsd_set_free(set);
}
END_TEST

START_TEST(elements_forms_occurs_and_defaults)
{
    char buf[512];
    struct xsd_set *set = mustLoad("tests/data/xsd/features.xsd");
    struct xsd_element *any = xsd_find_element(set, FNS, "Anything");
    ck_assert_ptr_eq(any->type, xsd_find_type(set, XSD_NS, "anyType"));
    ck_assert_int_eq(xsd_json_kind_of(any->type), XSD_JSON_ANY);
    ck_assert_int_eq(any->is_global, 1);
    ck_assert_str_eq(any->ns, FNS);

    struct xsd_element *item = xsd_find_element(set, FNS, "Item");
    ck_assert_int_eq(item->nillable, 1);
    ck_assert_str_eq(item->default_value, "n/a");
    ck_assert_str_eq(xsd_find_element(set, FNS, "Fixed")->fixed_value, "7");
    struct xsd_element *head = xsd_find_element(set, FNS, "Head");
    ck_assert_int_eq(head->is_abstract, 1);
    ck_assert_ptr_eq(xsd_find_element(set, FNS, "Member")->type, head->type);

    struct xsd_element *holder = xsd_find_element(set, FNS, "Holder");
    struct xsd_type *ht = holder->type;
    ck_assert_ptr_null(ht->name);
    ck_assert_int_eq(ht->is_complex, 1);
    ck_assert_str_eq(contentOf(ht, buf, sizeof(buf)),
                     "Item*?|Local|Unq|Inline|Untyped?|");
    /* element ref= points at the global element itself. */
    ck_assert_ptr_eq(ht->content->children[0]->element, item);
    ck_assert_int_eq(ht->content->children[0]->max_occurs, XSD_UNBOUNDED);
    const struct xsd_element *local = findLocal(ht->content, "Local");
    ck_assert_str_eq(local->ns, FNS);   /* elementFormDefault qualified */
    ck_assert_int_eq(local->is_global, 0);
    ck_assert_ptr_null(findLocal(ht->content, "Unq")->ns);
    const struct xsd_element *inl = findLocal(ht->content, "Inline");
    ck_assert_ptr_null(inl->type->name);
    ck_assert_str_eq(inl->type->builtin, "double");
    ck_assert_int_eq(xsd_json_kind_of(inl->type), XSD_JSON_NUMBER);
    ck_assert_int_eq(xsd_json_kind_of(findLocal(ht->content,
                                                "Untyped")->type),
                     XSD_JSON_ANY);
    ck_assert_int_gt(holder->line, 0);
    ck_assert_ptr_nonnull(strstr(holder->file, "features.xsd"));
    /* 6 of its own, 47 from the soapenc schema the catalogue adds for
     * soapenc:int (an element per simple type, Array and Struct). */
    ck_assert_uint_eq(xsd_count_elements(set), 6 + 47);
    ck_assert_uint_eq(xsd_count_types(set), 21 + 47);
    xsd_set_free(set);
}
END_TEST

/* common.xsd includes party-base.xsd, which has no targetNamespace and
 * takes common's (chameleon); local elements are unqualified there. */
START_TEST(chameleon_include_and_unqualified_elements)
{
    char buf[512];
    struct xsd_set *set = mustLoad("tests/data/wsdl/types/common.xsd");
    struct xsd_type *party = type(set, CMN, "Party");
    ck_assert_str_eq(party->ns, CMN);
    ck_assert_ptr_nonnull(strstr(party->file, "party-base.xsd"));
    struct xsd_type *company = type(set, CMN, "Company");
    ck_assert_ptr_eq(company->base, party);
    ck_assert_str_eq(contentOf(company, buf, sizeof(buf)),
                     "PartyId|Name|Phone*?|VatId|(Email|Fax|)|[any]|");
    ck_assert_ptr_null(findLocal(company->content, "VatId")->ns);
    ck_assert_ptr_null(findLocal(company->content, "PartyId")->ns);
    ck_assert_str_eq(attrNames(company, buf, sizeof(buf)),
                     "id|createdBy|version|employees|");
    ck_assert_str_eq(findAttr(company, "version")->fixed_value, "1");
    ck_assert_int_eq(findAttr(company, "id")->required, 1);
    ck_assert_str_eq(xsd_find_element(set, CMN, "Company")->ns, CMN);
    xsd_set_free(set);
}
END_TEST

START_TEST(import_and_include_cycles_terminate)
{
    struct xsd_set *set = mustLoad("tests/data/xsd/cycle_a.xsd");
    struct xsd_element *a = xsd_find_element(set, "urn:test:cycle-a", "A");
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(xsd_find_element(set, "urn:test:cycle-a",
                                           "APart"));
    struct xsd_type *b = xsd_find_type(set, "urn:test:cycle-b", "BType");
    ck_assert_ptr_eq(a->type, b);
    ck_assert_ptr_eq(b->content->children[0]->element, a);
    ck_assert_uint_eq(xsd_count_elements(set), 2);
    xsd_set_free(set);
}
END_TEST

/* Imports without a location (or with a remote one) come from the
 * built-in catalogue, including what those schemas import in turn. */
START_TEST(catalogue_imports)
{
    struct xsd_set *set = mustLoad("tests/data/xsd/wss_header.xsd");
    const char *wsse = "http://docs.oasis-open.org/wss/2004/01/"
                       "oasis-200401-wss-wssecurity-secext-1.0.xsd";
    const char *wsu = "http://docs.oasis-open.org/wss/2004/01/"
                      "oasis-200401-wss-wssecurity-utility-1.0.xsd";
    ck_assert_ptr_nonnull(xsd_find_element(set, wsse, "Security"));
    struct xsd_element *ut = xsd_find_element(set, wsse, "UsernameToken");
    ck_assert_ptr_nonnull(ut);
    ck_assert_str_eq(findLocal(ut->type->content, "Username")->ns, wsse);
    struct xsd_element *pw = xsd_find_element(set, wsse, "Password");
    ck_assert_ptr_nonnull(findAttr(pw->type, "Type"));
    ck_assert_ptr_nonnull(findAttr(pw->type, "Id"));
    ck_assert_str_eq(findAttr(pw->type, "Id")->ns, wsu);
    ck_assert_int_eq(xsd_json_kind_of(pw->type), XSD_JSON_STRING);
    struct xsd_element *nonce = xsd_find_element(set, wsse, "Nonce");
    ck_assert_ptr_nonnull(findAttr(nonce->type, "EncodingType"));
    struct xsd_element *ts = xsd_find_element(set, wsu, "Timestamp");
    ck_assert_ptr_nonnull(findLocal(ts->type->content, "Expires"));
    xsd_set_free(set);

    set = mustLoad("tests/data/xsd/remote_catalog.xsd");
    const char *wsa = "http://www.w3.org/2005/08/addressing";
    struct xsd_element *epr = xsd_find_element(set, wsa, "EndpointReference");
    ck_assert_ptr_nonnull(epr);
    ck_assert_ptr_nonnull(findLocal(epr->type->content, "Address"));
    static const char *const names[] = {"To", "Action", "MessageID",
                                        "RelatesTo", "ReplyTo", "FaultTo"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        ck_assert_msg(xsd_find_element(set, wsa, names[i]) != NULL, "%s",
                      names[i]);
    xsd_set_free(set);
}
END_TEST

/* Every other catalogue schema loads and resolves on its own. */
START_TEST(catalogue_schemas_resolve)
{
    static const struct {
        const char *ns, *element, *type;
    } cases[] = {
        {"http://schemas.xmlsoap.org/soap/envelope/", "Envelope", "Fault"},
        {"http://www.w3.org/2003/05/soap-envelope", "Fault", "faultreason"},
        {"http://schemas.xmlsoap.org/ws/2004/08/addressing", "ReplyTo",
         "EndpointReferenceType"},
        {"http://www.w3.org/2005/05/xmlmime", NULL, "base64Binary"},
        {SOAP_ENCODING_NS, "Struct", "Array"},
    };
    char doc[512];
    struct sb_error err;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(doc, sizeof(doc),
                 "<s:schema xmlns:s='" XSD_NS "' targetNamespace='urn:x'>"
                 "<s:import namespace='%s'/></s:schema>", cases[i].ns);
        xmlDocPtr d = xmlReadMemory(doc, (int)strlen(doc), "mem.xsd", NULL, 0);
        struct xsd_set *set = xsd_set_new();
        ck_assert_int_eq(xsd_set_add_schema(set, xmlDocGetRootElement(d),
                                            "mem.xsd", &err), 0);
        xmlFreeDoc(d);
        ck_assert_int_eq(xsd_set_resolve(set, &err), 0);
        if (cases[i].element)
            ck_assert_ptr_nonnull(xsd_find_element(set, cases[i].ns,
                                                   cases[i].element));
        ck_assert_ptr_nonnull(xsd_find_type(set, cases[i].ns, cases[i].type));
        xsd_set_free(set);
    }
}
END_TEST

START_TEST(xmime_and_soap11_fault_details)
{
    char doc[] = "<s:schema xmlns:s='" XSD_NS "' targetNamespace='urn:x'>"
                 "<s:import namespace='http://www.w3.org/2005/05/xmlmime'/>"
                 "<s:import namespace='http://schemas.xmlsoap.org/soap/"
                 "envelope/'/></s:schema>";
    xmlDocPtr d = xmlReadMemory(doc, (int)strlen(doc), "mem.xsd", NULL, 0);
    struct xsd_set *set = xsd_set_new();
    ck_assert_int_eq(xsd_set_add_schema(set, xmlDocGetRootElement(d), NULL,
                                        NULL), 0);
    xmlFreeDoc(d);
    ck_assert_int_eq(xsd_set_resolve(set, NULL), 0);
    struct xsd_type *b64 = xsd_find_type(
        set, "http://www.w3.org/2005/05/xmlmime", "base64Binary");
    ck_assert_str_eq(b64->builtin, "base64Binary");
    const struct xsd_attribute *ct = findAttr(b64, "contentType");
    ck_assert_str_eq(ct->ns, "http://www.w3.org/2005/05/xmlmime");
    ck_assert_int_eq(ct->type->facets.min_length, 3);
    struct xsd_element *fault = xsd_find_element(
        set, "http://schemas.xmlsoap.org/soap/envelope/", "Fault");
    const struct xsd_element *fc = findLocal(fault->type->content,
                                             "faultcode");
    ck_assert_ptr_null(fc->ns);   /* SOAP 1.1 fault children unqualified */
    ck_assert_str_eq(fc->type->name, "QName");
    xsd_set_free(set);
}
END_TEST

/* ---- errors ---- */

static const struct {
    const char *rel;
    const char *file_suffix;
    int line;
    const char *message;
} errors[] = {
    {"tests/data/xsd/bad_unknown_group.xsd", "bad_unknown_group.xsd", 5,
     "t:NoGroup: unknown group"},
    {"tests/data/xsd/bad_unknown_attribute.xsd", "bad_unknown_attribute.xsd",
     5, "t:noAttr: unknown attribute"},
    {"tests/data/xsd/bad_unknown_element_ref.xsd",
     "bad_unknown_element_ref.xsd", 6, "t:NoElement: unknown element"},
    {"tests/data/xsd/bad_unknown_base.xsd", "bad_unknown_base.xsd", 6,
     "t:NoBase: unknown type"},
    {"tests/data/xsd/bad_unknown_attr_group.xsd",
     "bad_unknown_attr_group.xsd", 5, "t:NoGroup: unknown attributeGroup"},
    {"tests/data/xsd/bad_unknown_prefix.xsd", "bad_unknown_prefix.xsd", 4,
     "nope:T: unknown namespace prefix"},
    {"tests/data/xsd/bad_missing_import.xsd", "bad_missing_import.xsd", 4,
     "gone.xsd: schema file not found"},
    {"tests/data/xsd/bad_remote_include.xsd", "bad_remote_include.xsd", 4,
     "https://example.com/x.xsd: remote schema not in the built-in "
     "catalogue"},
    {"tests/data/xsd/bad_malformed.xsd", "bad_malformed.xsd", 5,
     "XML syntax error: Opening and ending tag mismatch: element line 4 and "
     "schema"},
    {"tests/data/xsd/bad_circular_base.xsd", "bad_circular_base.xsd", 4,
     "A: type derives from itself"},
    {"tests/data/xsd/not_a_schema.xsd", "not_a_schema.xsd", 2,
     "not an xsd:schema"},
    {"tests/data/xsd/no_such_file.xsd", "no_such_file.xsd", 0,
     "schema file not found"},
};

START_TEST(load_errors_name_file_and_line)
{
    struct sb_error err;
    struct xsd_set *set = loadSet(errors[_i].rel, &err);
    ck_assert_ptr_null(set);
    ck_assert_str_eq(err.code, "xsd_load");
    ck_assert_str_eq(err.message, errors[_i].message);
    size_t fl = strlen(err.file), sl = strlen(errors[_i].file_suffix);
    ck_assert_msg(fl >= sl && strcmp(err.file + fl - sl,
                                     errors[_i].file_suffix) == 0,
                  "file %s", err.file);
    ck_assert_int_eq(err.line, errors[_i].line);
}
END_TEST

/* The set copies what it needs: the caller's document may go before
 * resolve. QNames resolve with namespaces declared above the schema. */
START_TEST(add_schema_copies_from_callers_document)
{
    static const char doc[] =
        "<w xmlns:xs='" XSD_NS "' xmlns:tns='urn:m'>\n"
        "<xs:schema targetNamespace='urn:m'>\n"
        "<xs:element name='E' type='tns:T'/>\n"
        "<xs:complexType name='T'><xs:sequence>"
        "<xs:element name='v' type='xs:float' maxOccurs='4'/>"
        "</xs:sequence></xs:complexType>\n"
        "</xs:schema></w>";
    struct sb_error err;
    xmlDocPtr d = xmlReadMemory(doc, (int)strlen(doc), "m.wsdl", NULL, 0);
    struct xsd_set *set = xsd_set_new();
    ck_assert_int_eq(xsd_set_add_schema(set, xmlDocGetRootElement(d)->children
                                                 ->next,
                                        "m.wsdl", &err), 0);
    xmlFreeDoc(d);
    ck_assert_int_eq(xsd_set_resolve(set, &err), 0);
    struct xsd_element *e = xsd_find_element(set, "urn:m", "E");
    ck_assert_ptr_eq(e->type, xsd_find_type(set, "urn:m", "T"));
    ck_assert_int_eq(e->line, 3);
    ck_assert_str_eq(e->file, "m.wsdl");
    const struct xsd_particle *v = e->type->content->children[0];
    ck_assert_int_eq(v->max_occurs, 4);
    ck_assert_ptr_null(v->element->ns);
    ck_assert_int_eq(xsd_json_kind_of(v->element->type), XSD_JSON_NUMBER);
    xsd_set_free(set);
}
END_TEST

/* Two inline schemas of one wsdl:types: the second imports the first by
 * namespace only, which must not fall back to the catalogue. */
START_TEST(import_by_namespace_of_a_sibling_schema)
{
    static const char doc[] =
        "<types xmlns:xs='" XSD_NS "' xmlns:a='urn:a' xmlns:b='urn:b'>\n"
        "<xs:schema targetNamespace='urn:b'>\n"
        "<xs:import namespace='urn:a'/>\n"
        "<xs:element name='B' type='a:AType'/>\n"
        "</xs:schema>\n"
        "<xs:schema targetNamespace='urn:a'>\n"
        "<xs:simpleType name='AType'><xs:restriction base='xs:long'/>"
        "</xs:simpleType>\n"
        "</xs:schema></types>";
    struct sb_error err;
    xmlDocPtr d = xmlReadMemory(doc, (int)strlen(doc), "t.wsdl", NULL,
                                XML_PARSE_NOBLANKS);
    struct xsd_set *set = xsd_set_new();
    for (xmlNodePtr s = xmlDocGetRootElement(d)->children; s; s = s->next)
        ck_assert_int_eq(xsd_set_add_schema(set, s, "t.wsdl", &err), 0);
    xmlFreeDoc(d);
    ck_assert_int_eq(xsd_set_resolve(set, &err), 0);
    struct xsd_element *b = xsd_find_element(set, "urn:b", "B");
    ck_assert_str_eq(b->type->name, "AType");
    ck_assert_str_eq(b->type->builtin, "long");
    ck_assert_int_eq(xsd_json_kind_of(b->type), XSD_JSON_NUMBER);
    xsd_set_free(set);
}
END_TEST

START_TEST(invalid_occurs_is_an_error)
{
    static const char doc[] =
        "<xs:schema xmlns:xs='" XSD_NS "'>\n"
        "<xs:complexType name='T'><xs:sequence>\n"
        "<xs:element name='v' maxOccurs='lots'/>\n"
        "</xs:sequence></xs:complexType></xs:schema>";
    struct sb_error err;
    xmlDocPtr d = xmlReadMemory(doc, (int)strlen(doc), "o.xsd", NULL, 0);
    struct xsd_set *set = xsd_set_new();
    ck_assert_int_eq(xsd_set_add_schema(set, xmlDocGetRootElement(d),
                                        "o.xsd", &err), -1);
    xmlFreeDoc(d);
    ck_assert_str_eq(err.message, "lots: invalid occurrence count");
    ck_assert_int_eq(err.line, 3);
    xsd_set_free(set);
}
END_TEST

Suite *xsd_suite(void)
{
    Suite *s = suite_create("xsd");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, builtin_types_always_resolve, 0,
                        sizeof(builtins) / sizeof(builtins[0]));
    tcase_add_test(tc, lookups_of_absent_names_are_null);
    tcase_add_test(tc, simple_type_facets_and_inheritance);
    tcase_add_test(tc, list_union_and_soapenc_simple_types);
    tcase_add_test(tc, simple_content_extension);
    tcase_add_test(tc, complex_content_extension_puts_base_first);
    tcase_add_test(tc, groups_choices_all_and_any);
    tcase_add_test(tc, elements_forms_occurs_and_defaults);
    tcase_add_test(tc, chameleon_include_and_unqualified_elements);
    tcase_add_test(tc, import_and_include_cycles_terminate);
    tcase_add_test(tc, catalogue_imports);
    tcase_add_test(tc, catalogue_schemas_resolve);
    tcase_add_test(tc, xmime_and_soap11_fault_details);
    tcase_add_loop_test(tc, load_errors_name_file_and_line, 0,
                        sizeof(errors) / sizeof(errors[0]));
    tcase_add_test(tc, add_schema_copies_from_callers_document);
    tcase_add_test(tc, import_by_namespace_of_a_sibling_schema);
    tcase_add_test(tc, invalid_occurs_is_an_error);
    suite_add_tcase(s, tc);
    return s;
}
