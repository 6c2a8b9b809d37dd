#include <check.h>
#include <string.h>
#include <libxml/parser.h>

#include "catalog.h"
#include "suites.h"

static const struct {
    const char *ns;
    const char *name;
} known[] = {
    {"http://schemas.xmlsoap.org/soap/encoding/",
     "<builtin:soap-encoding.xsd>"},
    {"http://www.w3.org/XML/1998/namespace", "<builtin:xml.xsd>"},
    {"http://docs.oasis-open.org/wss/2004/01/"
     "oasis-200401-wss-wssecurity-secext-1.0.xsd",
     "<builtin:wss-secext.xsd>"},
    {"http://docs.oasis-open.org/wss/2004/01/"
     "oasis-200401-wss-wssecurity-utility-1.0.xsd",
     "<builtin:wss-utility.xsd>"},
    {"http://schemas.xmlsoap.org/ws/2004/08/addressing",
     "<builtin:ws-addressing-2004-08.xsd>"},
    {"http://www.w3.org/2005/08/addressing",
     "<builtin:ws-addressing-1.0.xsd>"},
    {"http://www.w3.org/2005/05/xmlmime", "<builtin:xmlmime.xsd>"},
    {"http://schemas.xmlsoap.org/soap/envelope/",
     "<builtin:soap11-envelope.xsd>"},
    {"http://www.w3.org/2003/05/soap-envelope",
     "<builtin:soap12-envelope.xsd>"},
};

/* Every entry is a well-formed xsd:schema whose targetNamespace is the
 * namespace it is looked up by. */
START_TEST(entry_is_schema_for_its_namespace)
{
    size_t len = 0;
    const char *text = catalog_lookup(known[_i].ns, &len);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(len, strlen(text));
    ck_assert_str_eq(catalog_name(known[_i].ns), known[_i].name);
    xmlDocPtr doc = xmlReadMemory(text, (int)len, known[_i].name, NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR |
                                  XML_PARSE_NOWARNING);
    ck_assert_msg(doc != NULL, "%s does not parse", known[_i].name);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    ck_assert_str_eq((const char *)root->name, "schema");
    xmlChar *tns = xmlGetProp(root, BAD_CAST "targetNamespace");
    ck_assert_str_eq((const char *)tns, known[_i].ns);
    xmlFree(tns);
    xmlFreeDoc(doc);
}
END_TEST

START_TEST(unknown_namespace_is_absent)
{
    size_t len = 99;
    ck_assert_ptr_null(catalog_lookup("urn:nobody", &len));
    ck_assert_uint_eq(len, 0);
    ck_assert_ptr_null(catalog_lookup(NULL, NULL));
    ck_assert_ptr_null(catalog_name("urn:nobody"));
    ck_assert_ptr_null(catalog_name(NULL));
    /* The XSD namespace itself is built into the model, not the
     * catalogue. */
    ck_assert_ptr_null(catalog_lookup("http://www.w3.org/2001/XMLSchema",
                                      NULL));
}
END_TEST

Suite *catalog_suite(void)
{
    Suite *s = suite_create("catalog");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, entry_is_schema_for_its_namespace, 0,
                        sizeof(known) / sizeof(known[0]));
    tcase_add_test(tc, unknown_namespace_is_absent);
    suite_add_tcase(s, tc);
    return s;
}
