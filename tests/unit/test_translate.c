/*
 * Translation cases as data (tests/data/cases/NAME/), one runner:
 *   capability     the capability (or Service.Operation) to call
 *   config         the configuration folder, relative to the source tree
 *                  (optional; default tests/data/config; "." is the
 *                  bundled demo configuration)
 *   request.json   the request body
 *   envelope.xml   golden: the SOAP envelope built from it
 *   request.error  instead of envelope.xml: "code: message" expected
 *   response.xml   a recorded upstream response (optional)
 *   content-type   its HTTP Content-Type (optional)
 *   response.json  golden: the JSON made from it ("fault " prefixed
 *                  for a SOAP fault), or
 *   response.error "code: message" expected
 *   warnings.txt   golden: the warnings, one a line (when any)
 *   schema-valid   when present, the envelope's body is validated with
 *                  libxml2's XSD validator against the WSDL's schema
 * Golden files change only with SB_UPDATE_GOLDEN=1.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "suites.h"
#include "testutil.h"
#include "translate.h"

#define CASES "tests/data/cases"
#define MAX_CASES 256

typedef char CaseName[256];

static int compareNames(const void *a, const void *b)
{
    return strcmp(*(const CaseName *)a, *(const CaseName *)b);
}

/* The case names, sorted, into names (may be NULL to count them). */
static size_t listCases(CaseName *names)
{
    static CaseName found[MAX_CASES];
    char path[4096];
    DIR *d = opendir(test_path(path, sizeof(path), CASES));
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) && n < MAX_CASES)
        if (e->d_name[0] != '.')
            snprintf(found[n++], sizeof(CaseName), "%s", e->d_name);
    if (d)
        closedir(d);
    qsort(found, n, sizeof(CaseName), compareNames);
    if (names)
        memcpy(names, found, n * sizeof(CaseName));
    return n;
}

static char *caseFile(const char *name, const char *file, size_t *len)
{
    char rel[512];
    snprintf(rel, sizeof(rel), CASES "/%s/%s", name, file);
    return test_read(rel, len);
}

static void trimNewline(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = 0;
}

static void checkGolden(const char *name, const char *file, const char *text,
                        size_t len)
{
    char rel[512];
    snprintf(rel, sizeof(rel), CASES "/%s/%s", name, file);
    ck_assert_msg(test_golden(rel, text, len), "%s: %s differs", name, file);
}

static void checkError(const char *name, const char *file,
                       const struct sb_error *err)
{
    char *want = caseFile(name, file, NULL);
    char got[1024];
    ck_assert_ptr_nonnull(want);
    trimNewline(want);
    snprintf(got, sizeof(got), "%s: %s", err->code, err->message);
    ck_assert_str_eq(got, want);
    free(want);
}

/* Validate every child of soap:Body against the schema in the WSDL. */
static void checkSchemaValid(const struct capability *cap,
                             const char *envelope, size_t len)
{
    xmlDocPtr wsdl = xmlReadFile(cap->wsdl->file, NULL, XML_PARSE_NONET);
    ck_assert_ptr_nonnull(wsdl);
    xmlNodePtr types = xmlDocGetRootElement(wsdl)->children;
    while (types && !(types->type == XML_ELEMENT_NODE &&
                      xmlStrEqual(types->name, BAD_CAST "types")))
        types = types->next;
    ck_assert_ptr_nonnull(types);
    xmlNodePtr schema = types->children;
    while (schema && schema->type != XML_ELEMENT_NODE)
        schema = schema->next;
    ck_assert_ptr_nonnull(schema);
    xmlDocPtr sdoc = xmlNewDoc(BAD_CAST "1.0");
    sdoc->URL = xmlStrdup(BAD_CAST cap->wsdl->file);   /* for imports */
    xmlNodePtr copy = xmlDocCopyNode(schema, sdoc, 1);
    xmlDocSetRootElement(sdoc, copy);
    /* QNames in attribute values (type="tns:Order") need the prefixes
     * that wsdl:definitions declares. */
    for (xmlNsPtr ns = xmlDocGetRootElement(wsdl)->nsDef; ns; ns = ns->next)
        if (!xmlSearchNs(sdoc, copy, ns->prefix))
            xmlNewNs(copy, ns->href, ns->prefix);
    xmlReconciliateNs(sdoc, copy);
    xmlSchemaParserCtxtPtr pctxt = xmlSchemaNewDocParserCtxt(sdoc);
    xmlSchemaPtr xs = xmlSchemaParse(pctxt);
    ck_assert_msg(xs != NULL, "the WSDL's schema does not compile");
    xmlSchemaValidCtxtPtr vctxt = xmlSchemaNewValidCtxt(xs);
    xmlDocPtr env = xmlReadMemory(envelope, (int)len, "envelope", NULL, 0);
    xmlNodePtr body = xmlDocGetRootElement(env)->children;
    while (body && body->type != XML_ELEMENT_NODE)
        body = body->next;
    for (xmlNodePtr el = body->children; el; el = el->next)
        if (el->type == XML_ELEMENT_NODE)
            ck_assert_msg(xmlSchemaValidateOneElement(vctxt, el) == 0,
                          "body element %s is not schema-valid", el->name);
    xmlFreeDoc(env);
    xmlSchemaFreeValidCtxt(vctxt);
    xmlSchemaFree(xs);
    xmlSchemaFreeParserCtxt(pctxt);
    xmlFreeDoc(sdoc);
    xmlFreeDoc(wsdl);
}

static void runRequest(const struct confdir *cd, const struct capability *cap,
                       const char *name)
{
    size_t json_len, len;
    struct sb_error err;
    char *json = caseFile(name, "request.json", &json_len);
    ck_assert_msg(json != NULL, "%s: no request.json", name);
    char *envelope = translate_request(cd, cap, json, json_len, NULL, NULL,
                                       &len, &err);
    char *want_error = caseFile(name, "request.error", NULL);
    if (want_error) {
        ck_assert_msg(envelope == NULL, "%s: request should fail", name);
        checkError(name, "request.error", &err);
    } else {
        ck_assert_msg(envelope != NULL, "%s: %s: %s", name, err.code,
                      err.message);
        checkGolden(name, "envelope.xml", envelope, len);
        char *marker = caseFile(name, "schema-valid", NULL);
        if (marker)
            checkSchemaValid(cap, envelope, len);
        free(marker);
    }
    free(want_error);
    free(envelope);
    free(json);
}

static void runResponse(const struct confdir *cd, const struct capability *cap,
                        const char *name)
{
    size_t len;
    struct sb_error err;
    struct translate_result result;
    char *xml = caseFile(name, "response.xml", &len);
    if (!xml)
        return;
    char *content_type = caseFile(name, "content-type", NULL);
    if (content_type)
        trimNewline(content_type);
    int rc = translate_response(cd, cap, xml, len, content_type, NULL,
                                &result, &err);
    char *want_error = caseFile(name, "response.error", NULL);
    if (want_error) {
        ck_assert_msg(rc < 0, "%s: response should fail", name);
        checkError(name, "response.error", &err);
    } else {
        ck_assert_msg(rc == 0, "%s: %s: %s", name, err.code, err.message);
        char out[65536];
        int n = snprintf(out, sizeof(out), "%s%s\n",
                         result.fault ? "fault " : "", result.json);
        checkGolden(name, "response.json", out, (size_t)n);
        n = 0;
        for (size_t i = 0; i < result.n_warnings; i++)
            n += snprintf(out + n, sizeof(out) - (size_t)n, "%s\n",
                          result.warnings[i]);
        char *had = caseFile(name, "warnings.txt", NULL);
        if (n || had)
            checkGolden(name, "warnings.txt", out, (size_t)n);
        free(had);
        translate_result_clear(&result);
    }
    free(want_error);
    free(content_type);
    free(xml);
}

START_TEST(translation_case)
{
    static CaseName names[MAX_CASES];
    size_t n = listCases(names);
    ck_assert_uint_lt((size_t)_i, n);
    const char *name = names[_i];
    char path[4096];
    struct confdir_options opt = {.operations = 1};
    struct confdir_problems problems;
    char *config = caseFile(name, "config", NULL);
    if (config)
        trimNewline(config);
    struct confdir *cd = confdir_load(
        test_path(path, sizeof(path), config ? config : "tests/data/config"),
        &opt, &problems);
    free(config);
    ck_assert_ptr_nonnull(cd);
    ck_assert_msg(problems.n == 0, "config problem: %s:%d: %s",
                  problems.n ? problems.items[0].file : "",
                  problems.n ? problems.items[0].line : 0,
                  problems.n ? problems.items[0].message : "");
    char *capname = caseFile(name, "capability", NULL);
    ck_assert_msg(capname != NULL, "%s: no capability file", name);
    trimNewline(capname);
    const struct capability *cap = confdir_find(cd, capname);
    ck_assert_msg(cap != NULL, "%s: no capability %s", name, capname);
    runRequest(cd, cap, name);
    runResponse(cd, cap, name);
    free(capname);
    confdir_problems_clear(&problems);
    confdir_free(cd);
}
END_TEST

/* With strict on, content the schema does not declare fails the
 * translation instead of becoming a warning, and the error says what. */
START_TEST(strict_mode_refuses_undeclared_content)
{
    char path[4096];
    size_t len;
    struct sb_error err;
    struct translate_result result;
    struct confdir_options opt = {.operations = 1, .strict = 1};
    struct confdir_problems problems;
    struct confdir *cd = confdir_load(
        test_path(path, sizeof(path), "tests/data/config"), &opt, &problems);
    ck_assert_ptr_nonnull(cd);
    ck_assert_uint_eq(problems.n, 0);
    const struct capability *cap = confdir_find(cd,
                                                "OrderService.GetOrderStatus");
    char *lenient = caseFile("order_undeclared_lenient", "response.xml", &len);
    ck_assert_int_eq(translate_response(cd, cap, lenient, len, NULL, NULL,
                                        &result, &err), -1);
    ck_assert_str_eq(err.code, "upstream_bad_response");
    ck_assert_str_eq(err.message, "stylesheet failed: undeclared element "
                                  "o:LegacyFlag in o:Order");
    char *clean = caseFile("order_default_ok", "response.xml", &len);
    ck_assert_int_eq(translate_response(cd, cap, clean, len, NULL, NULL,
                                        &result, &err), 0);
    translate_result_clear(&result);
    free(clean);
    free(lenient);
    confdir_problems_clear(&problems);
    confdir_free(cd);
}
END_TEST

static void setup(void)
{
    xmlInitParser();
    ck_assert_int_eq(confdir_init(), 0);
}

Suite *translate_suite(void)
{
    Suite *s = suite_create("translate");
    TCase *tc = tcase_create("cases");
    tcase_add_unchecked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, translation_case, 0, (int)listCases(NULL));
    tcase_add_test(tc, strict_mode_refuses_undeclared_content);
    suite_add_tcase(s, tc);
    return s;
}
