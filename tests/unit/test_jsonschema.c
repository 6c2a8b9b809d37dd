/*
 * jsonschema: the JSON Schema of capabilities, checked two ways.
 *
 * Golden files (tests/data/jsonschema/CONFIG.NAME.{input,output}.json,
 * rewritten only with SB_UPDATE_GOLDEN=1) show what a bot is told.
 *
 * A small validator for exactly the keywords the generator writes (any
 * other keyword fails the test, so nothing is silently ignored) then
 * holds the schemas to the engine: every request of the translation
 * cases and demo fixtures validates against its input schema, every
 * request the engine refuses with invalid_input is refused by the schema,
 * every JSON the engine makes from a recorded response (the cases' golden
 * response.json, and the demo fixtures run through every capability and
 * operation that share their operation) validates against the output
 * schema, and for mapped capabilities the schema and the engine's own
 * validator agree on a table of right and wrong documents.
 */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "confdir.h"
#include "jsonschema.h"
#include "jsonxml.h"
#include "mapping.h"
#include "suites.h"
#include "testutil.h"
#include "translate.h"
#include "wsdl.h"

#define GOLDEN "tests/data/jsonschema"
#define CASES "tests/data/cases"
#define DEMO "tests/fixtures/demo"
#define DEMO_CONFIG "."
#define TEST_CONFIG "tests/data/config"
#define MODEL_CONFIG "tests/data/jsonschema/config"
#define MAX_FILES 256

typedef char FileName[256];

static struct confdir *demo, *testconf, *modelconf;

/* ---- fixtures ---- */

static struct confdir *loadConfig(const char *rel)
{
    char path[4096];
    struct confdir_options opt = {.operations = 1};
    struct confdir_problems problems;
    struct confdir *cd = confdir_load(test_path(path, sizeof(path), rel),
                                      &opt, &problems);
    ck_assert_ptr_nonnull(cd);
    ck_assert_msg(problems.n == 0, "%s: %s:%d: %s", rel,
                  problems.n ? problems.items[0].file : "",
                  problems.n ? problems.items[0].line : 0,
                  problems.n ? problems.items[0].message : "");
    confdir_problems_clear(&problems);
    return cd;
}

static void setup(void)
{
    xmlInitParser();
    ck_assert_int_eq(confdir_init(), 0);
    demo = loadConfig(DEMO_CONFIG);
    testconf = loadConfig(TEST_CONFIG);
    modelconf = loadConfig(MODEL_CONFIG);
}

static void teardown(void)
{
    confdir_free(demo);
    confdir_free(testconf);
    confdir_free(modelconf);
    demo = testconf = modelconf = NULL;
}

/* config: DEMO_CONFIG, TEST_CONFIG or MODEL_CONFIG. */
static const struct confdir *configNamed(const char *config)
{
    if (strcmp(config, DEMO_CONFIG) == 0)
        return demo;
    return strcmp(config, TEST_CONFIG) == 0 ? testconf : modelconf;
}

static const struct capability *findCapability(const char *config,
                                               const char *name)
{
    const struct capability *cap = confdir_find(configNamed(config), name);
    ck_assert_msg(cap != NULL, "%s: no capability %s", config, name);
    return cap;
}

/* ---- the validator: the keywords jsonschema.c writes, no more ---- */

struct validator {
    yajl_val root;          /* the whole schema, for "$ref" */
    char why[512];          /* the first reason a document failed */
};

static int refuse(struct validator *v, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int refuse(struct validator *v, const char *path, const char *fmt, ...)
{
    char message[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    if (!v->why[0])
        snprintf(v->why, sizeof(v->why), "%s: %s", path[0] ? path : "(root)",
                 message);
    return 0;
}

static yajl_val member(yajl_val object, const char *key)
{
    if (!YAJL_IS_OBJECT(object))
        return NULL;
    for (size_t i = 0; i < object->u.object.len; i++)
        if (strcmp(object->u.object.keys[i], key) == 0)
            return object->u.object.values[i];
    return NULL;
}

static double numberOf(yajl_val v)
{
    return strtod(v->u.number.r, NULL);
}

static int isInteger(yajl_val v)
{
    if (!YAJL_IS_NUMBER(v))
        return 0;
    if (!strpbrk(v->u.number.r, ".eE"))
        return 1;
    double d = numberOf(v);
    return isfinite(d) && floor(d) == d;
}

static int typeMatches(const char *type, yajl_val doc)
{
    if (strcmp(type, "integer") == 0)
        return isInteger(doc);
    if (strcmp(type, "number") == 0)
        return YAJL_IS_NUMBER(doc);
    if (strcmp(type, "string") == 0)
        return YAJL_IS_STRING(doc);
    if (strcmp(type, "boolean") == 0)
        return YAJL_IS_TRUE(doc) || YAJL_IS_FALSE(doc);
    if (strcmp(type, "object") == 0)
        return YAJL_IS_OBJECT(doc);
    if (strcmp(type, "array") == 0)
        return YAJL_IS_ARRAY(doc);
    if (strcmp(type, "null") == 0)
        return YAJL_IS_NULL(doc);
    ck_abort_msg("unknown JSON Schema type '%s'", type);
    return 0;
}

static int sameValue(yajl_val a, yajl_val b)
{
    if (YAJL_IS_STRING(a) && YAJL_IS_STRING(b))
        return strcmp(a->u.string, b->u.string) == 0;
    if (YAJL_IS_NUMBER(a) && YAJL_IS_NUMBER(b))
        return numberOf(a) == numberOf(b);
    return (YAJL_IS_NULL(a) && YAJL_IS_NULL(b)) ||
           (YAJL_IS_TRUE(a) && YAJL_IS_TRUE(b)) ||
           (YAJL_IS_FALSE(a) && YAJL_IS_FALSE(b));
}

static long characters(const char *s)
{
    long n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int validate(struct validator *v, yajl_val schema, yajl_val doc,
                    const char *path);

typedef int keyword_fn(struct validator *v, yajl_val schema, yajl_val value,
                       yajl_val doc, const char *path);

static int kwType(struct validator *v, yajl_val schema, yajl_val value,
                  yajl_val doc, const char *path)
{
    (void)schema;
    if (YAJL_IS_STRING(value))
        return typeMatches(value->u.string, doc) ||
               refuse(v, path, "not of type %s", value->u.string);
    ck_assert(YAJL_IS_ARRAY(value));
    for (size_t i = 0; i < value->u.array.len; i++)
        if (typeMatches(value->u.array.values[i]->u.string, doc))
            return 1;
    return refuse(v, path, "none of the allowed types");
}

static int kwProperties(struct validator *v, yajl_val schema, yajl_val value,
                        yajl_val doc, const char *path)
{
    char sub[512];
    int ok = 1;
    (void)schema;
    if (!YAJL_IS_OBJECT(doc))
        return 1;
    for (size_t i = 0; i < doc->u.object.len; i++) {
        yajl_val s = member(value, doc->u.object.keys[i]);
        snprintf(sub, sizeof(sub), "%s%s%s", path, path[0] ? "." : "",
                 doc->u.object.keys[i]);
        if (s && !validate(v, s, doc->u.object.values[i], sub))
            ok = 0;
    }
    return ok;
}

static int kwRequired(struct validator *v, yajl_val schema, yajl_val value,
                      yajl_val doc, const char *path)
{
    (void)schema;
    if (!YAJL_IS_OBJECT(doc))
        return 1;
    for (size_t i = 0; i < value->u.array.len; i++)
        if (!member(doc, value->u.array.values[i]->u.string))
            return refuse(v, path, "%s: required",
                          value->u.array.values[i]->u.string);
    return 1;
}

static int kwAdditional(struct validator *v, yajl_val schema, yajl_val value,
                        yajl_val doc, const char *path)
{
    yajl_val properties = member(schema, "properties");
    if (!YAJL_IS_OBJECT(doc) || YAJL_IS_TRUE(value))
        return 1;
    ck_assert_msg(YAJL_IS_FALSE(value), "additionalProperties: a schema");
    for (size_t i = 0; i < doc->u.object.len; i++)
        if (!member(properties, doc->u.object.keys[i]))
            return refuse(v, path, "%s: not allowed", doc->u.object.keys[i]);
    return 1;
}

static int kwItems(struct validator *v, yajl_val schema, yajl_val value,
                   yajl_val doc, const char *path)
{
    char sub[512];
    int ok = 1;
    (void)schema;
    if (!YAJL_IS_ARRAY(doc))
        return 1;
    for (size_t i = 0; i < doc->u.array.len; i++) {
        snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
        if (!validate(v, value, doc->u.array.values[i], sub))
            ok = 0;
    }
    return ok;
}

static int kwMinItems(struct validator *v, yajl_val schema, yajl_val value,
                      yajl_val doc, const char *path)
{
    (void)schema;
    return !YAJL_IS_ARRAY(doc) || doc->u.array.len >= (size_t)numberOf(value)
               ? 1 : refuse(v, path, "fewer than %s items", value->u.number.r);
}

static int kwMaxItems(struct validator *v, yajl_val schema, yajl_val value,
                      yajl_val doc, const char *path)
{
    (void)schema;
    return !YAJL_IS_ARRAY(doc) || doc->u.array.len <= (size_t)numberOf(value)
               ? 1 : refuse(v, path, "more than %s items", value->u.number.r);
}

static int kwEnum(struct validator *v, yajl_val schema, yajl_val value,
                  yajl_val doc, const char *path)
{
    (void)schema;
    for (size_t i = 0; i < value->u.array.len; i++)
        if (sameValue(value->u.array.values[i], doc))
            return 1;
    return refuse(v, path, "not one of the enum values");
}

/* ECMA-262 patterns as POSIX extended ones: the generator's patterns
 * only need \d spelt out. */
static int kwPattern(struct validator *v, yajl_val schema, yajl_val value,
                     yajl_val doc, const char *path)
{
    char posix[1024];
    size_t n = 0;
    regex_t re;
    (void)schema;
    if (!YAJL_IS_STRING(doc))
        return 1;
    for (const char *s = value->u.string; *s && n < sizeof(posix) - 8; s++) {
        if (s[0] == '\\' && s[1] == 'd') {
            memcpy(posix + n, "[0-9]", 5);
            n += 5;
            s++;
        } else {
            posix[n++] = *s;
        }
    }
    posix[n] = 0;
    ck_assert_msg(regcomp(&re, posix, REG_EXTENDED | REG_NOSUB) == 0,
                  "pattern %s does not compile as POSIX %s", value->u.string,
                  posix);
    int match = regexec(&re, doc->u.string, 0, NULL, 0) == 0;
    regfree(&re);
    return match ? 1 : refuse(v, path, "does not match %s", value->u.string);
}

static int kwMinimum(struct validator *v, yajl_val schema, yajl_val value,
                     yajl_val doc, const char *path)
{
    (void)schema;
    return !YAJL_IS_NUMBER(doc) || numberOf(doc) >= numberOf(value)
               ? 1 : refuse(v, path, "less than %s", value->u.number.r);
}

static int kwMaximum(struct validator *v, yajl_val schema, yajl_val value,
                     yajl_val doc, const char *path)
{
    (void)schema;
    return !YAJL_IS_NUMBER(doc) || numberOf(doc) <= numberOf(value)
               ? 1 : refuse(v, path, "more than %s", value->u.number.r);
}

static int kwExclusiveMinimum(struct validator *v, yajl_val schema,
                              yajl_val value, yajl_val doc, const char *path)
{
    (void)schema;
    return !YAJL_IS_NUMBER(doc) || numberOf(doc) > numberOf(value)
               ? 1 : refuse(v, path, "not more than %s", value->u.number.r);
}

static int kwExclusiveMaximum(struct validator *v, yajl_val schema,
                              yajl_val value, yajl_val doc, const char *path)
{
    (void)schema;
    return !YAJL_IS_NUMBER(doc) || numberOf(doc) < numberOf(value)
               ? 1 : refuse(v, path, "not less than %s", value->u.number.r);
}

static int kwMinLength(struct validator *v, yajl_val schema, yajl_val value,
                       yajl_val doc, const char *path)
{
    (void)schema;
    return !YAJL_IS_STRING(doc) || characters(doc->u.string) >=
                                       (long)numberOf(value)
               ? 1 : refuse(v, path, "shorter than %s", value->u.number.r);
}

static int kwMaxLength(struct validator *v, yajl_val schema, yajl_val value,
                       yajl_val doc, const char *path)
{
    (void)schema;
    return !YAJL_IS_STRING(doc) || characters(doc->u.string) <=
                                       (long)numberOf(value)
               ? 1 : refuse(v, path, "longer than %s", value->u.number.r);
}

/* Only references into the schema's own "$defs" are written. */
static int kwRef(struct validator *v, yajl_val schema, yajl_val value,
                 yajl_val doc, const char *path)
{
    const char *ref = value->u.string;
    (void)schema;
    ck_assert_msg(strncmp(ref, "#/$defs/", 8) == 0, "$ref %s", ref);
    yajl_val target = member(member(v->root, "$defs"), ref + 8);
    ck_assert_msg(target != NULL, "$ref %s does not resolve", ref);
    return validate(v, target, doc, path);
}

static int kwAllOf(struct validator *v, yajl_val schema, yajl_val value,
                   yajl_val doc, const char *path)
{
    int ok = 1;
    (void)schema;
    for (size_t i = 0; i < value->u.array.len; i++)
        if (!validate(v, value->u.array.values[i], doc, path))
            ok = 0;
    return ok;
}

static int kwAnyOf(struct validator *v, yajl_val schema, yajl_val value,
                   yajl_val doc, const char *path)
{
    char why[sizeof(v->why)];
    (void)schema;
    memcpy(why, v->why, sizeof(why));
    for (size_t i = 0; i < value->u.array.len; i++) {
        if (validate(v, value->u.array.values[i], doc, path)) {
            memcpy(v->why, why, sizeof(why));
            return 1;
        }
    }
    return refuse(v, path, "matches no branch of anyOf");
}

/* Annotations (and "$defs", reached through "$ref"). */
static int kwNothing(struct validator *v, yajl_val schema, yajl_val value,
                     yajl_val doc, const char *path)
{
    (void)v, (void)schema, (void)value, (void)doc, (void)path;
    return 1;
}

static const struct {
    const char *name;
    keyword_fn *check;
} keywords[] = {
    {"type", kwType}, {"properties", kwProperties},
    {"required", kwRequired}, {"additionalProperties", kwAdditional},
    {"items", kwItems}, {"minItems", kwMinItems}, {"maxItems", kwMaxItems},
    {"enum", kwEnum}, {"pattern", kwPattern}, {"minimum", kwMinimum},
    {"maximum", kwMaximum}, {"exclusiveMinimum", kwExclusiveMinimum},
    {"exclusiveMaximum", kwExclusiveMaximum}, {"minLength", kwMinLength},
    {"maxLength", kwMaxLength}, {"$ref", kwRef}, {"anyOf", kwAnyOf},
    {"allOf", kwAllOf},
    {"$schema", kwNothing}, {"$defs", kwNothing}, {"description", kwNothing},
    {"default", kwNothing}, {"format", kwNothing},
};

static int validate(struct validator *v, yajl_val schema, yajl_val doc,
                    const char *path)
{
    int ok = 1;
    ck_assert_msg(YAJL_IS_OBJECT(schema), "%s: a schema is not an object",
                  path);
    for (size_t i = 0; i < schema->u.object.len; i++) {
        const char *name = schema->u.object.keys[i];
        size_t k = 0;
        while (k < sizeof(keywords) / sizeof(keywords[0]) &&
               strcmp(keywords[k].name, name) != 0)
            k++;
        ck_assert_msg(k < sizeof(keywords) / sizeof(keywords[0]),
                      "keyword %s is unknown to the test validator", name);
        if (!keywords[k].check(v, schema, schema->u.object.values[i], doc,
                               path))
            ok = 0;
    }
    return ok;
}

/* ---- helpers ---- */

static char *schemaText(const struct capability *cap, int output, int pretty)
{
    struct sb_error err;
    char *text = output ? jsonschema_output_text(cap, pretty, NULL, &err)
                        : jsonschema_input_text(cap, pretty, NULL, &err);
    ck_assert_msg(text != NULL, "%s: %s: %s", cap->name, err.code,
                  err.message);
    return text;
}

static yajl_val parse(const char *text, const char *what)
{
    char error[256];
    yajl_val v = yajl_tree_parse(text, error, sizeof(error));
    ck_assert_msg(v != NULL, "%s: %s", what, error);
    return v;
}

/* 1 if `json` is valid for the input (output = 0) or output schema of
 * cap; why gets the reason when not. */
static int schemaAccepts(const struct capability *cap, int output,
                         const char *json, char *why, size_t size)
{
    char *text = schemaText(cap, output, 0);
    struct validator v = {.root = parse(text, cap->name), .why = ""};
    yajl_val doc = parse(json, json);
    int ok = validate(&v, v.root, doc, "");
    snprintf(why, size, "%s", v.why);
    yajl_tree_free(doc);
    yajl_tree_free(v.root);
    free(text);
    return ok;
}

/* 1 if the engine's own validation of a mapped input accepts `json`. */
static int engineAccepts(const struct capability *cap, const char *json)
{
    struct sb_error err;
    xmlDocPtr doc = jsonxml_from_json(json, strlen(json), NULL, &err);
    ck_assert_msg(doc != NULL, "%s: %s", json, err.message);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int ok = root && xmlStrEqual(root->name, BAD_CAST "map") &&
             mapping_validate_input(cap->mapping, root, &err) == 0;
    xmlFreeDoc(doc);
    return ok;
}

static int compareNames(const void *a, const void *b)
{
    return strcmp(*(const FileName *)a, *(const FileName *)b);
}

/* The names in folder rel that end with suffix ("" for all but dot
 * files), sorted. */
static size_t listFiles(const char *rel, const char *suffix, FileName *names)
{
    char path[4096];
    DIR *d = opendir(test_path(path, sizeof(path), rel));
    size_t n = 0, want = strlen(suffix);
    struct dirent *e;
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) && n < MAX_FILES) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] != '.' && len > want &&
            strcmp(e->d_name + len - want, suffix) == 0)
            snprintf(names[n++], sizeof(FileName), "%s", e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(FileName), compareNames);
    return n;
}

static char *readTrimmed(const char *rel)
{
    char *text = test_read(rel, NULL);
    if (text)
        text[strcspn(text, "\r\n")] = 0;
    return text;
}

/* ---- golden files ---- */

static const struct {
    const char *config, *capability, *file;
} goldens[] = {
    /* mapped: the bundled demo configuration */
    {DEMO_CONFIG, "get_order_status", "demo.get_order_status"},
    {DEMO_CONFIG, "create_ticket", "demo.create_ticket"},
    {DEMO_CONFIG, "update_contact", "demo.update_contact"},
    {DEMO_CONFIG, "get_invoice", "demo.get_invoice"},  /* hand-written XSLT */
    {TEST_CONFIG, "get_order", "test.get_order"},      /* AUTO outputs */
    /* zero-config */
    {DEMO_CONFIG, "ShippingService.GetOrderStatus",
     "demo.ShippingService.GetOrderStatus"},
    {DEMO_CONFIG, "BillingService.GetInvoice",         /* simple content */
     "demo.BillingService.GetInvoice"},
    {TEST_CONFIG, "OrderService.GetOrderStatus",       /* doc/literal wrapped */
     "test.OrderService.GetOrderStatus"},
    {TEST_CONFIG, "CustomerService.GetCustomer",       /* rpc/literal */
     "test.CustomerService.GetCustomer"},
    {TEST_CONFIG, "BillingService.ListInvoices",       /* rpc/encoded arrays */
     "test.BillingService.ListInvoices"},
    {TEST_CONFIG, "TicketService.CreateTicket",        /* SOAP 1.2 */
     "test.TicketService.CreateTicket"},
    {TEST_CONFIG, "DirectoryService.LookupParty",      /* choice, wildcard */
     "test.DirectoryService.LookupParty"},
    {TEST_CONFIG, "CustomerService.Ping", "test.CustomerService.Ping"},
    {MODEL_CONFIG, "describe_model", "model.describe_model"},
    {MODEL_CONFIG, "ModelService.Describe", "model.ModelService.Describe"},
    {MODEL_CONFIG, "ModelService.Notify", "model.ModelService.Notify"},
};

START_TEST(golden_schemas)
{
    const struct capability *cap = findCapability(goldens[_i].config,
                                                  goldens[_i].capability);
    for (int output = 0; output < 2; output++) {
        char rel[512];
        char *text = schemaText(cap, output, 1);
        snprintf(rel, sizeof(rel), GOLDEN "/%s.%s.json", goldens[_i].file,
                 output ? "output" : "input");
        ck_assert_msg(test_golden(rel, text, strlen(text)), "%s differs", rel);
        free(text);
    }
}
END_TEST

/* ---- the translation cases ---- */

static const struct capability *caseCapability(const char *name)
{
    char rel[512];
    snprintf(rel, sizeof(rel), CASES "/%s/config", name);
    char *config = readTrimmed(rel);
    snprintf(rel, sizeof(rel), CASES "/%s/capability", name);
    char *capname = readTrimmed(rel);
    ck_assert_msg(capname != NULL, "%s: no capability", name);
    ck_assert_msg(!config || strcmp(config, DEMO_CONFIG) == 0,
                  "%s: config %s is not one this test loads", name, config);
    const struct capability *cap = findCapability(
        config ? DEMO_CONFIG : TEST_CONFIG, capname);
    free(config);
    free(capname);
    return cap;
}

/* A request the engine refuses as invalid input is refused by the
 * schema too (one that is not JSON at all has nothing to check). */
static void checkCaseRequest(const char *name, const struct capability *cap)
{
    char rel[512], why[512];
    snprintf(rel, sizeof(rel), CASES "/%s/request.json", name);
    char *json = test_read(rel, NULL);
    ck_assert_msg(json != NULL, "%s: no request.json", name);
    snprintf(rel, sizeof(rel), CASES "/%s/request.error", name);
    char *error = test_read(rel, NULL);
    yajl_val parsed = yajl_tree_parse(json, NULL, 0);
    if (!error) {
        ck_assert_msg(schemaAccepts(cap, 0, json, why, sizeof(why)),
                      "%s: request refused by the schema: %s", name, why);
    } else if (parsed && strncmp(error, "invalid_input:", 14) == 0) {
        ck_assert_msg(!schemaAccepts(cap, 0, json, why, sizeof(why)),
                      "%s: the engine refuses the request (%s), the schema "
                      "accepts it", name, error);
    }
    yajl_tree_free(parsed);
    free(error);
    free(json);
}

static void checkCaseResponse(const char *name, const struct capability *cap)
{
    char rel[512], why[512];
    snprintf(rel, sizeof(rel), CASES "/%s/response.json", name);
    char *json = test_read(rel, NULL);
    if (json && strncmp(json, "fault ", 6) != 0)
        ck_assert_msg(schemaAccepts(cap, 1, json, why, sizeof(why)),
                      "%s: response refused by the schema: %s", name, why);
    free(json);
}

START_TEST(cases_fit_their_schemas)
{
    static FileName names[MAX_FILES];
    size_t n = listFiles(CASES, "", names);
    ck_assert_uint_ge(n, 30);
    for (size_t i = 0; i < n; i++) {
        const struct capability *cap = caseCapability(names[i]);
        checkCaseRequest(names[i], cap);
        checkCaseResponse(names[i], cap);
    }
}
END_TEST

/* ---- the demo fixtures ---- */

START_TEST(demo_requests_fit_input_schemas)
{
    static FileName names[MAX_FILES];
    size_t n = listFiles(DEMO, ".request.json", names);
    ck_assert_uint_ge(n, 13);
    for (size_t i = 0; i < n; i++) {
        char rel[512], why[512], capname[256];
        snprintf(capname, sizeof(capname), "%.*s",
                 (int)(strlen(names[i]) - strlen(".request.json")), names[i]);
        const struct capability *cap = findCapability(DEMO_CONFIG, capname);
        snprintf(rel, sizeof(rel), DEMO "/%s", names[i]);
        char *json = test_read(rel, NULL);
        ck_assert_ptr_nonnull(json);
        ck_assert_msg(engineAccepts(cap, json), "%s: engine refuses it",
                      names[i]);
        ck_assert_msg(schemaAccepts(cap, 0, json, why, sizeof(why)),
                      "%s: %s", names[i], why);
        free(json);
    }
}
END_TEST

/* Convert a recorded response with cap and validate the data JSON;
 * returns 1 if there was data to check. */
static int checkConverted(const struct capability *cap, const char *file,
                          const char *xml, size_t len)
{
    struct translate_result result;
    struct sb_error err;
    char why[512];
    if (!cap->response)
        return 0;
    int rc = translate_response(demo, cap, xml, len, NULL, NULL, &result,
                                &err);
    ck_assert_msg(rc == 0, "%s with %s: %s", file, cap->name, err.message);
    int checked = !result.fault;
    if (checked)
        ck_assert_msg(schemaAccepts(cap, 1, result.json, why, sizeof(why)),
                      "%s with %s: %s\n%s", file, cap->name, why,
                      result.json);
    translate_result_clear(&result);
    return checked;
}

/* Every recorded answer, through the mapped capabilities and the
 * zero-config operation that call its operation. */
START_TEST(demo_responses_fit_output_schemas)
{
    static FileName names[MAX_FILES];
    size_t n = listFiles(DEMO, ".xml", names), checked = 0;
    for (size_t i = 0; i < n; i++) {
        char rel[512], operation[256];
        size_t len;
        if (strstr(names[i], ".fault."))
            continue;
        snprintf(operation, sizeof(operation), "%.*s",
                 (int)strcspn(names[i], "."), names[i]);
        snprintf(rel, sizeof(rel), DEMO "/%s", names[i]);
        char *xml = test_read(rel, &len);
        ck_assert_ptr_nonnull(xml);
        size_t before = checked;
        for (size_t c = 0; c < demo->n_capabilities; c++)
            if (strcmp(demo->capabilities[c].operation->name, operation) == 0)
                checked += (size_t)checkConverted(&demo->capabilities[c],
                                                  names[i], xml, len);
        for (size_t c = 0; c < demo->n_operations; c++)
            if (strcmp(demo->operations[c].operation->name, operation) == 0)
                checked += (size_t)checkConverted(&demo->operations[c],
                                                  names[i], xml, len);
        ck_assert_msg(checked >= before + 2, "%s: mapped and zero-config "
                      "conversion expected", names[i]);
        free(xml);
    }
    ck_assert_uint_ge(checked, 30);
}
END_TEST

/* ---- requests the schema accepts make schema-valid envelopes ---- */

static char schemaError[512];

static void collectSchemaError(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    if (!schemaError[0])
        snprintf(schemaError, sizeof(schemaError), "line %d: %s", e->line,
                 e->message ? e->message : "?");
}

/* The first xsd:schema of the WSDL's types, as a document of its own
 * (as test_translate.c does it), with the prefixes the WSDL declares;
 * NULL when the file has no types. */
static xmlDocPtr wsdlSchema(const char *file)
{
    xmlDocPtr wsdl = xmlReadFile(file, NULL, XML_PARSE_NONET);
    ck_assert_ptr_nonnull(wsdl);
    xmlNodePtr types = xmlDocGetRootElement(wsdl)->children;
    while (types && !(types->type == XML_ELEMENT_NODE &&
                      xmlStrEqual(types->name, BAD_CAST "types")))
        types = types->next;
    if (!types) {           /* the schema is in an imported WSDL */
        xmlFreeDoc(wsdl);
        return NULL;
    }
    xmlNodePtr schema = types->children;
    while (schema && schema->type != XML_ELEMENT_NODE)
        schema = schema->next;
    ck_assert_ptr_nonnull(schema);
    xmlDocPtr sdoc = xmlNewDoc(BAD_CAST "1.0");
    sdoc->URL = xmlStrdup(BAD_CAST file);
    xmlNodePtr copy = xmlDocCopyNode(schema, sdoc, 1);
    xmlDocSetRootElement(sdoc, copy);
    for (xmlNsPtr ns = xmlDocGetRootElement(wsdl)->nsDef; ns; ns = ns->next)
        if (!xmlSearchNs(sdoc, copy, ns->prefix))
            xmlNewNs(copy, ns->href, ns->prefix);
    xmlReconciliateNs(sdoc, copy);
    xmlFreeDoc(wsdl);
    return sdoc;
}

/* Translate a request the input schema accepts: the engine takes it,
 * and for document style every soap:Body child is valid by the XSD. */
static void checkEnvelope(const struct confdir *cd,
                          const struct capability *cap, const char *json)
{
    struct sb_error err;
    size_t len;
    char *envelope = translate_request(cd, cap, json, strlen(json), NULL,
                                       NULL, &len, &err);
    ck_assert_msg(envelope != NULL, "%s: engine refuses %s: %s", cap->name,
                  json, err.message);
    xmlDocPtr sdoc = cap->operation->style == WSDL_DOCUMENT
                         ? wsdlSchema(cap->wsdl->file) : NULL;
    if (!sdoc) {
        free(envelope);
        return;
    }
    xmlSchemaParserCtxtPtr pctxt = xmlSchemaNewDocParserCtxt(sdoc);
    xmlSchemaPtr xs = xmlSchemaParse(pctxt);
    ck_assert_msg(xs != NULL, "%s: the WSDL's schema does not compile",
                  cap->wsdl->file);
    xmlSchemaValidCtxtPtr vctxt = xmlSchemaNewValidCtxt(xs);
    xmlSchemaSetValidStructuredErrors(vctxt, collectSchemaError, NULL);
    xmlDocPtr env = xmlReadMemory(envelope, (int)len, "envelope", NULL, 0);
    xmlNodePtr body = xmlDocGetRootElement(env)->children;
    while (body && body->type != XML_ELEMENT_NODE)
        body = body->next;
    for (xmlNodePtr el = body->children; el; el = el->next) {
        schemaError[0] = 0;
        if (el->type == XML_ELEMENT_NODE)
            ck_assert_msg(xmlSchemaValidateOneElement(vctxt, el) == 0,
                          "%s: %s gives an envelope the XSD refuses: %s\n%s",
                          cap->name, json, schemaError, envelope);
    }
    xmlFreeDoc(env);
    xmlSchemaFreeValidCtxt(vctxt);
    xmlSchemaFree(xs);
    xmlSchemaFreeParserCtxt(pctxt);
    xmlFreeDoc(sdoc);
    free(envelope);
}

/* ---- right and wrong documents ---- */

/* What every request of the model needs, but a branch of the choice
 * ByName | ByCode; documents append members to it. */
#define MODEL_BASE                                                        \
    "{\"Tree\":{\"Label\":\"a\"},\"BillTo\":{\"Street\":\"s\","            \
    "\"City\":\"c\"},\"Fee\":1,\"Flag\":[true,true]"

static const struct {
    const char *config, *capability;
    int output;
    const char *json;
    int valid;
} documents[] = {
    /* mapped inputs: the engine's validator gives the same verdict */
    {DEMO_CONFIG, "get_order_status", 0, "{\"order_id\":\"A1001\"}", 1},
    {DEMO_CONFIG, "get_order_status", 0,
     "{\"order_id\":\"A1001\",\"delay_ms\":null}", 1},
    {DEMO_CONFIG, "get_order_status", 0, "{\"order_id\":\"a1001\"}", 0},
    {DEMO_CONFIG, "get_order_status", 0, "{\"order_id\":\"A10012\"}", 0},
    {DEMO_CONFIG, "get_order_status", 0, "{\"order_id\":null}", 0},
    {DEMO_CONFIG, "get_order_status", 0, "{}", 0},
    {DEMO_CONFIG, "get_order_status", 0, "{\"order_id\":1001}", 0},
    {DEMO_CONFIG, "get_order_status", 0,
     "{\"order_id\":\"A1001\",\"colour\":\"red\"}", 0},
    {DEMO_CONFIG, "get_order_status", 0,
     "{\"order_id\":\"A1001\",\"delay_ms\":-1}", 0},
    {DEMO_CONFIG, "get_order_status", 0,
     "{\"order_id\":\"A1001\",\"delay_ms\":30001}", 0},
    {DEMO_CONFIG, "get_order_status", 0,
     "{\"order_id\":\"A1001\",\"delay_ms\":1.5}", 0},
    {DEMO_CONFIG, "get_order_status", 0,
     "{\"order_id\":\"A1001\",\"delay_ms\":\"10\"}", 0},
    {DEMO_CONFIG, "get_order_status", 0, "[\"A1001\"]", 0},
    {DEMO_CONFIG, "create_ticket", 0,
     "{\"customer_id\":\"K-004711\",\"subject\":\"x\",\"body\":\"y\","
     "\"priority\":\"urgent\"}", 1},
    {DEMO_CONFIG, "create_ticket", 0,
     "{\"customer_id\":\"K-004711\",\"subject\":\"x\",\"body\":\"y\","
     "\"priority\":\"whenever\"}", 0},
    {DEMO_CONFIG, "create_ticket", 0,
     "{\"customer_id\":\"K-004711\",\"subject\":\"\",\"body\":\"y\"}", 0},
    {DEMO_CONFIG, "create_ticket", 0,
     "{\"customer_id\":\"K-004711\",\"subject\":\"äöü\",\"body\":\"y\"}", 1},
    {DEMO_CONFIG, "update_contact", 0,
     "{\"customer_id\":\"K-004711\",\"fax\":null}", 1},
    {DEMO_CONFIG, "update_contact", 0,
     "{\"customer_id\":\"K-004711\",\"phone\":\"call me\"}", 0},
    {DEMO_CONFIG, "change_plan", 0,
     "{\"customer_id\":\"K-004711\",\"contract_id\":\"V1\","
     "\"plan_code\":\"00123\",\"effective_on\":\"2026-12-01\"}", 1},
    {DEMO_CONFIG, "change_plan", 0,
     "{\"customer_id\":\"K-004711\",\"contract_id\":\"V1\","
     "\"plan_code\":\"00123\",\"effective_on\":20261201}", 0},
    {DEMO_CONFIG, "list_orders", 0,
     "{\"customer_id\":\"K-004711\",\"limit\":100,\"status\":\"shipped\"}", 1},
    {DEMO_CONFIG, "list_orders", 0,
     "{\"customer_id\":\"K-004711\",\"limit\":0}", 0},
    {DEMO_CONFIG, "list_plans", 0, "{\"active_only\":false}", 1},
    {DEMO_CONFIG, "list_plans", 0, "{\"active_only\":\"no\"}", 0},
    {DEMO_CONFIG, "get_invoice", 0, "{\"invoice_id\":\"RE2026-00815\"}", 1},
    {DEMO_CONFIG, "get_invoice", 0, "{\"invoice_id\":\"2026-00815\"}", 0},
    {TEST_CONFIG, "cancel_order", 0, "{\"order_id\":\"A1\","
     "\"reason\":\"fraud\"}", 1},
    {TEST_CONFIG, "cancel_order", 0, "{\"order_id\":\"A1\","
     "\"reason\":\"FR\"}", 0},
    /* zero-config inputs */
    {TEST_CONFIG, "OrderService.GetOrderStatus", 0, "{\"OrderId\":1}", 0},
    {TEST_CONFIG, "OrderService.GetOrderStatus", 0, "{}", 0},
    {TEST_CONFIG, "OrderService.GetOrderStatus", 0,
     "{\"OrderId\":\"A1\",\"Colour\":\"red\"}", 0},
    {TEST_CONFIG, "OrderService.CancelOrder", 0,
     "{\"OrderId\":\"A1\",\"Reason\":null}", 1},
    {TEST_CONFIG, "OrderService.CancelOrder", 0, "{\"OrderId\":\"A1\"}", 0},
    {TEST_CONFIG, "TicketService.CreateTicket", 0,
     "{\"Title\":\"t\",\"Severity\":\"low\"}", 1},
    {TEST_CONFIG, "TicketService.CreateTicket", 0,
     "{\"Title\":\"t\",\"Severity\":\"medium\"}", 0},
    {TEST_CONFIG, "TicketService.CreateTicket", 0,
     "{\"Title\":\"t\",\"Severity\":\"low\",\"Tag\":\"one\"}", 0},
    {TEST_CONFIG, "TicketService.CreateTicket", 0,
     "{\"Title\":\"t\",\"Severity\":\"low\","
     "\"Tag\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\"]}", 0},
    {TEST_CONFIG, "BillingService.ListInvoices", 0,
     "{\"accountId\":\"A\",\"year\":\"2026\"}", 0},
    {TEST_CONFIG, "CustomerService.GetCustomer", 0,
     "{\"customerId\":1,\"includeHistory\":1}", 0},
    {TEST_CONFIG, "DirectoryService.LookupParty", 0, "{\"PartyId\":\"P1\"}",
     1},
    /* outputs */
    {DEMO_CONFIG, "get_order_status", 1,
     "{\"order_id\":\"A1001\",\"customer_id\":null,\"status\":null,"
     "\"ordered_on\":null,\"shipped_on\":null,\"items\":[],"
     "\"shipments\":[],\"updated_at\":null}", 1},
    {DEMO_CONFIG, "get_order_status", 1,
     "{\"order_id\":\"A1001\",\"customer_id\":null,\"ordered_on\":null,"
     "\"shipped_on\":null,\"items\":[],\"shipments\":[],"
     "\"updated_at\":null}", 0},
    {DEMO_CONFIG, "get_order_status", 1,
     "{\"order_id\":\"A1001\",\"customer_id\":null,\"status\":null,"
     "\"ordered_on\":null,\"shipped_on\":null,\"items\":null,"
     "\"shipments\":[],\"updated_at\":null}", 0},
    {DEMO_CONFIG, "get_order_status", 1,
     "{\"order_id\":\"A1001\",\"customer_id\":null,\"status\":null,"
     "\"ordered_on\":null,\"shipped_on\":null,\"items\":[{\"line\":\"1\","
     "\"sku\":null,\"description\":null,\"quantity\":null,"
     "\"quantity_shipped\":null}],\"shipments\":[],\"updated_at\":null}", 0},
    {TEST_CONFIG, "OrderService.GetOrderStatus", 1,
     "{\"Order\":{\"Line\":[{\"lineNo\":\"1\"}]}}", 0},
    {TEST_CONFIG, "OrderService.GetOrderStatus", 1,
     "{\"Order\":{\"Line\":[],\"Comment\":null,\"Total\":\"12\"}}", 0},
    {TEST_CONFIG, "OrderService.GetOrderStatus", 1,
     "{\"Order\":{\"Line\":[],\"Comment\":null,\"Undeclared\":{}}}", 1},
    {TEST_CONFIG, "OrderService.GetOrderStatus", 1,
     "{\"Order\":{\"ShipTo\":{}}}", 0},
    /* the model: recursion, shared types, simple content, facets */
    {MODEL_CONFIG, "ModelService.Describe", 0,
     "{\"Tree\":{\"Label\":\"a\",\"Child\":[{\"Label\":\"b\",\"Child\":"
     "[{\"Label\":\"c\",\"id\":3}]}]},\"BillTo\":{\"Street\":\"s\","
     "\"City\":\"c\"},\"ShipTo\":{\"Street\":\"s\",\"City\":\"c\"},"
     "\"Amount\":{\"currency\":\"EUR\",\"_value\":12.50},\"Fee\":2,"
     "\"ByCode\":\"AB\",\"Codes\":\"1 2 3\","
     "\"Price\":\"US$123\",\"Count\":99,\"Ratio\":1.5,\"Level\":null,"
     "\"Flag\":[true,null],\"Opaque\":{\"any\":[1,{\"x\":null}]},"
     "\"Extension\":{\"Known\":\"k\",\"Other\":1},\"Key\":[\"k\"],"
     "\"Value\":[\"v\"],\"When\":\"2026-11-20T13:30:00Z\",\"version\":3}",
     1},
    {MODEL_CONFIG, "ModelService.Describe", 0,
     "{\"Tree\":{\"Label\":\"a\"},\"BillTo\":{\"Street\":\"s\",\"City\":"
     "\"c\"},\"Amount\":{\"currency\":\"EUR\",\"_value\":1},"
     "\"Fee\":{\"_value\":1},"
     "\"ByCode\":\"123\",\"Flag\":[false,false,true]}", 1},
    {MODEL_CONFIG, "ModelService.Describe", 0, MODEL_BASE "}", 0},
    {MODEL_CONFIG, "ModelService.Describe", 0, MODEL_BASE ",\"ByName\":\"n\"}",
     1},
    {MODEL_CONFIG, "ModelService.Describe", 0,
     "{\"Tree\":{\"Label\":\"a\",\"Child\":[{\"Label\":\"b\",\"Child\":"
     "[{\"id\":3}]}]},\"BillTo\":{\"Street\":\"s\",\"City\":\"c\"},"
     "\"Fee\":1,\"ByName\":\"n\",\"Flag\":[true,true]}", 0},
    {MODEL_CONFIG, "ModelService.Describe", 0,
     "{\"Tree\":{\"Label\":\"a\"},\"BillTo\":{\"Street\":\"s\"},"
     "\"Fee\":1,\"ByName\":\"n\",\"Flag\":[true,true]}", 0},
    {MODEL_CONFIG, "ModelService.Describe", 0,
     MODEL_BASE ",\"ByName\":\"n\",\"Amount\":{\"_value\":1}}", 0},
    {MODEL_CONFIG, "ModelService.Describe", 0,
     MODEL_BASE ",\"ByName\":\"n\",\"Amount\":1}", 0},
    {MODEL_CONFIG, "ModelService.Describe", 0,
     "{\"Tree\":{\"Label\":\"a\"},\"BillTo\":{\"Street\":\"s\",\"City\":"
     "\"c\"},\"Fee\":1,\"ByName\":\"n\",\"Flag\":[true]}", 0},
    {MODEL_CONFIG, "ModelService.Describe", 0,
     MODEL_BASE ",\"ByName\":\"n\",\"Count\":100}", 0},
    {MODEL_CONFIG, "ModelService.Describe", 0,
     MODEL_BASE ",\"ByName\":\"n\",\"Count\":0}", 0},
    {MODEL_CONFIG, "ModelService.Describe", 0,
     MODEL_BASE ",\"ByCode\":\"ABC\"}", 0},
    {MODEL_CONFIG, "ModelService.Describe", 0,
     MODEL_BASE ",\"ByName\":\"n\",\"Price\":\"US$12a\"}", 0},
    {MODEL_CONFIG, "ModelService.Describe", 0,
     MODEL_BASE ",\"ByName\":\"n\",\"Level\":4}", 0},
    {MODEL_CONFIG, "ModelService.Describe", 0,
     MODEL_BASE ",\"ByName\":\"n\",\"Ratio\":0.5}", 0},
    {MODEL_CONFIG, "ModelService.Describe", 1,
     "{\"Tree\":{\"Label\":\"a\",\"Child\":[{\"Label\":\"b\",\"Child\":[]}]},"
     "\"Total\":null,\"Items\":{\"count\":2,\"Item\":[{\"Street\":\"s\"}]},"
     "\"Level\":7,\"Anything\":{\"x\":\"y\"}}", 1},
    {MODEL_CONFIG, "ModelService.Describe", 1,
     "{\"Tree\":{\"Label\":\"a\",\"Child\":[]},\"Total\":{\"currency\":\"E\","
     "\"_value\":1.5},\"Items\":{\"Item\":[]}}", 1},
    {MODEL_CONFIG, "ModelService.Describe", 1,
     "{\"Tree\":{\"Label\":\"a\",\"Child\":[]},\"Total\":1.5,"
     "\"Items\":{\"Item\":[]}}", 0},
    {MODEL_CONFIG, "ModelService.Describe", 1,
     "{\"Tree\":{\"Label\":\"a\",\"Child\":[{\"Label\":\"b\"}]},"
     "\"Items\":{\"Item\":[]}}", 0},
    {MODEL_CONFIG, "ModelService.Notify", 1, "null", 1},
    {MODEL_CONFIG, "describe_model", 0,
     "{\"label\":\"a\",\"street\":\"s\",\"city\":\"c\",\"amount\":0.01,"
     "\"flags\":[true,false],\"code\":\"AB\"}", 1},
    {MODEL_CONFIG, "describe_model", 0,
     "{\"label\":\"a\",\"street\":\"s\",\"city\":\"c\",\"amount\":0,"
     "\"flags\":[true,false]}", 0},
    {MODEL_CONFIG, "describe_model", 0,
     "{\"label\":\"a\",\"street\":\"s\",\"city\":\"c\",\"amount\":1,"
     "\"flags\":[true]}", 0},
    {MODEL_CONFIG, "describe_model", 0,
     "{\"label\":\"a\",\"street\":\"s\",\"city\":\"c\",\"amount\":1,"
     "\"flags\":[true,\"false\"]}", 0},
    {MODEL_CONFIG, "describe_model", 0,
     "{\"label\":\"a\",\"street\":\"s\",\"city\":\"c\",\"amount\":1,"
     "\"flags\":null}", 0},
    {MODEL_CONFIG, "ModelService.Notify", 0, "{\"Message\":\"m\"}", 1},
};

START_TEST(documents_right_and_wrong)
{
    char why[512];
    const struct capability *cap = findCapability(documents[_i].config,
                                                  documents[_i].capability);
    const char *json = documents[_i].json;
    int valid = documents[_i].valid;
    int schema = schemaAccepts(cap, documents[_i].output, json, why,
                               sizeof(why));
    ck_assert_msg(schema == valid, "%s %s: schema %s %s (%s)", cap->name,
                  documents[_i].output ? "output" : "input",
                  schema ? "accepts" : "refuses", json, why);
    if (cap->mapping && !documents[_i].output)
        ck_assert_msg(engineAccepts(cap, json) == valid,
                      "%s: the engine %s %s", cap->name,
                      valid ? "refuses" : "accepts", json);
    if (valid && !documents[_i].output)
        checkEnvelope(configNamed(documents[_i].config), cap, json);
}
END_TEST

/* The model's recorded answers through the mapped capability and the
 * zero-config operation: recursion, simple content, nil, an empty
 * wrapper, undeclared content. */
START_TEST(model_responses_fit_output_schemas)
{
    static const char *const files[] = {GOLDEN "/model.response.xml",
                                        GOLDEN "/model.sparse.response.xml"};
    static const char *const caps[] = {"describe_model",
                                       "ModelService.Describe"};
    for (size_t f = 0; f < 2; f++) {
        size_t len;
        char *xml = test_read(files[f], &len);
        ck_assert_ptr_nonnull(xml);
        for (size_t c = 0; c < 2; c++) {
            const struct capability *cap = findCapability(MODEL_CONFIG,
                                                          caps[c]);
            struct translate_result result;
            struct sb_error err;
            char why[512];
            ck_assert_msg(translate_response(modelconf, cap, xml, len, NULL,
                                             NULL, &result, &err) == 0,
                          "%s: %s", files[f], err.message);
            ck_assert(!result.fault);
            ck_assert_msg(schemaAccepts(cap, 1, result.json, why,
                                        sizeof(why)),
                          "%s with %s: %s\n%s", files[f], cap->name, why,
                          result.json);
            translate_result_clear(&result);
        }
        free(xml);
    }
}
END_TEST

/* The model's chain Level1 > Level2 > ... > Level20 > Leaf is deeper
 * than types are written inline: the schema continues under "$defs". */
static char *deepDocument(int steps, const char *leaf)
{
    struct {
        char *data;
        size_t len;
    } b = {malloc(4096), 0};
    ck_assert_ptr_nonnull(b.data);
    b.len += (size_t)snprintf(b.data, 4096, "%s",
                              MODEL_BASE ",\"ByName\":\"n\",\"Deep\":{");
    for (int i = 0; i < steps; i++)
        b.len += (size_t)snprintf(b.data + b.len, 4096 - b.len, "\"Next\":{");
    b.len += (size_t)snprintf(b.data + b.len, 4096 - b.len, "\"Leaf\":%s",
                              leaf);
    for (int i = 0; i < steps + 2; i++)
        b.data[b.len++] = '}';
    b.data[b.len] = 0;
    return b.data;
}

START_TEST(deep_chain_continues_under_defs)
{
    static const struct {
        int steps;
        const char *leaf;
        int valid;
    } docs[] = {{19, "\"x\"", 1}, {19, "1", 0}, {20, "\"x\"", 0},
                {18, "\"x\"", 0}};
    char why[512];
    const struct capability *cap = findCapability(MODEL_CONFIG,
                                                  "ModelService.Describe");
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        char *json = deepDocument(docs[i].steps, docs[i].leaf);
        ck_assert_msg(schemaAccepts(cap, 0, json, why, sizeof(why)) ==
                          docs[i].valid,
                      "%d steps, leaf %s: %s", docs[i].steps, docs[i].leaf,
                      why);
        if (docs[i].valid)
            checkEnvelope(modelconf, cap, json);
        free(json);
    }
}
END_TEST

/* ---- every schema the configurations and the large WSDLs have ---- */

/* Every "$ref" points at a "$defs" entry of the same schema. */
static void checkRefs(yajl_val root, yajl_val node, const char *name)
{
    if (YAJL_IS_ARRAY(node))
        for (size_t i = 0; i < node->u.array.len; i++)
            checkRefs(root, node->u.array.values[i], name);
    if (!YAJL_IS_OBJECT(node))
        return;
    yajl_val ref = member(node, "$ref");
    if (ref) {
        ck_assert_msg(YAJL_IS_STRING(ref) &&
                          strncmp(ref->u.string, "#/$defs/", 8) == 0 &&
                          member(member(root, "$defs"), ref->u.string + 8),
                      "%s: $ref %s does not resolve", name,
                      YAJL_IS_STRING(ref) ? ref->u.string : "?");
    }
    for (size_t i = 0; i < node->u.object.len; i++)
        checkRefs(root, node->u.object.values[i], name);
}

static void checkGenerates(const struct capability *cap)
{
    for (int output = 0; output < 2; output++) {
        char *text = schemaText(cap, output, 0);
        yajl_val root = parse(text, cap->name);
        ck_assert_str_eq(member(root, "$schema")->u.string,
                         JSONSCHEMA_DIALECT);
        checkRefs(root, root, cap->name);
        yajl_tree_free(root);
        free(text);
    }
}

START_TEST(every_capability_generates)
{
    const struct confdir *cds[] = {demo, testconf};
    for (size_t c = 0; c < 2; c++) {
        for (size_t i = 0; i < cds[c]->n_capabilities; i++)
            checkGenerates(&cds[c]->capabilities[i]);
        for (size_t i = 0; i < cds[c]->n_operations; i++)
            checkGenerates(&cds[c]->operations[i]);
    }
}
END_TEST

static const char *const realWsdls[] = {
    "tests/realwsdl/mailbox/services.wsdl",
    "tests/realwsdl/crmpartner/partner.wsdl",
    "tests/realwsdl/camera/devicemgmt.wsdl",
    "tests/realwsdl/legacyrpc/InventoryKeeper.wsdl",
};

/* The large WSDL families: every operation of every service's first
 * port, as confdir serves them. */
START_TEST(large_wsdls_generate)
{
    char path[4096], msg[1024];
    struct sb_error err;
    size_t count = 0;
    struct wsdl *w = wsdl_load(test_path(path, sizeof(path), realWsdls[_i]),
                               &err);
    ck_assert_msg(w != NULL, "%s", error_format(&err, msg, sizeof(msg)));
    for (size_t s = 0; s < w->n_services; s++) {
        const struct wsdl_port *port = wsdl_find_port(&w->services[s], NULL);
        if (!port || !port->binding)
            continue;
        for (size_t o = 0; o < port->binding->n_operations; o++) {
            struct capability cap = {
                .name = port->binding->operations[o].name, .wsdl = w,
                .service = &w->services[s], .port = port,
                .operation = &port->binding->operations[o]};
            checkGenerates(&cap);
            count++;
        }
    }
    ck_assert_uint_gt(count, 0);
    wsdl_free(w);
}
END_TEST

/* ---- the generator interface ---- */

/* The schemas go into a caller's document, here the shape of one entry
 * of the daemon's capability listing. */
START_TEST(schemas_embed_in_a_larger_document)
{
    struct sb_error err;
    const unsigned char *buf;
    size_t len;
    const struct capability *cap = findCapability(DEMO_CONFIG,
                                                  "get_order_status");
    yajl_gen g = yajl_gen_alloc(NULL);
    yajl_gen_map_open(g);
    yajl_gen_string(g, (const unsigned char *)"input_schema", 12);
    ck_assert_int_eq(jsonschema_gen_input(g, cap, &err), 0);
    yajl_gen_string(g, (const unsigned char *)"output_schema", 13);
    ck_assert_int_eq(jsonschema_gen_output(g, cap, &err), 0);
    yajl_gen_map_close(g);
    ck_assert_int_eq(yajl_gen_get_buf(g, &buf, &len), yajl_gen_status_ok);
    char *text = strndup((const char *)buf, len);
    yajl_val doc = parse(text, "listing");
    yajl_val input = member(doc, "input_schema");
    ck_assert_str_eq(member(input, "type")->u.string, "object");
    ck_assert_ptr_nonnull(member(member(input, "properties"), "order_id"));
    yajl_val output = member(doc, "output_schema");
    ck_assert_ptr_nonnull(member(member(output, "properties"), "shipments"));
    yajl_tree_free(doc);
    free(text);
    yajl_gen_free(g);
}
END_TEST

START_TEST(generator_errors_are_reported)
{
    struct sb_error err;
    const struct capability *cap = findCapability(DEMO_CONFIG,
                                                  "get_order_status");
    yajl_gen g = yajl_gen_alloc(NULL);
    ck_assert_int_eq(jsonschema_gen_input(g, NULL, &err), -1);
    ck_assert_str_eq(err.code, "internal");
    /* a generator that already holds a whole value takes no other */
    yajl_gen_null(g);
    ck_assert_int_eq(jsonschema_gen_output(g, cap, &err), -1);
    ck_assert_str_eq(err.code, "internal");
    ck_assert_str_eq(err.message,
                     "JSON schema: generator already holds a value");
    yajl_gen_free(g);
}
END_TEST

Suite *jsonschema_suite(void)
{
    Suite *s = suite_create("jsonschema");
    TCase *tc = tcase_create("schemas");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, golden_schemas, 0,
                        (int)(sizeof(goldens) / sizeof(goldens[0])));
    tcase_add_test(tc, cases_fit_their_schemas);
    tcase_add_test(tc, demo_requests_fit_input_schemas);
    tcase_add_test(tc, demo_responses_fit_output_schemas);
    tcase_add_loop_test(tc, documents_right_and_wrong, 0,
                        (int)(sizeof(documents) / sizeof(documents[0])));
    tcase_add_test(tc, model_responses_fit_output_schemas);
    tcase_add_test(tc, deep_chain_continues_under_defs);
    tcase_add_test(tc, every_capability_generates);
    tcase_add_loop_test(tc, large_wsdls_generate, 0,
                        (int)(sizeof(realWsdls) / sizeof(realWsdls[0])));
    tcase_add_test(tc, schemas_embed_in_a_larger_document);
    tcase_add_test(tc, generator_errors_are_reported);
    suite_add_tcase(s, tc);
    return s;
}
