/* Unit tests of jsonxml: JSON <-> XPath 3.1 json-xml, both directions. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <yajl/yajl_gen.h>

#include "jsonxml.h"
#include "suites.h"
#include "testutil.h"

#define NS_ATTR "xmlns=\"" JSONXML_NS "\""
#define XML_DECL "<?xml version=\"1.0\"?>\n"

/* JSON in, canonical JSON out (after JSON -> json-xml -> JSON). */
struct roundtrip_case {
    const char *json;
    const char *want;
};

static const struct roundtrip_case roundtrip_cases[] = {
    /* numbers keep their literal text */
    {"12345678901234567890", "12345678901234567890"},
    {"[0.10000000000000000001, 1500.000000, -0, 1e400, -1.5E-7, 0]",
     "[0.10000000000000000001,1500.000000,-0,1e400,-1.5E-7,0]"},
    {"{\"big\": -98765432109876543210.000100}",
     "{\"big\":-98765432109876543210.000100}"},
    /* escapes decode and re-encode canonically */
    {"\"q\\\" b\\\\ s\\/ n\\n r\\r t\\t\"", "\"q\\\" b\\\\ s/ n\\n r\\r t\\t\""},
    {"\"\\u0041\\u00e9\\u4E2D\"", "\"A\xc3\xa9\xe4\xb8\xad\""},
    {"\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\""},
    {"\"\xf0\x9f\x8d\xb5 \xe8\x8c\xb6 \xe6\x97\xa5\xe6\x9c\xac\"",
     "\"\xf0\x9f\x8d\xb5 \xe8\x8c\xb6 \xe6\x97\xa5\xe6\x9c\xac\""},
    {"\"e\\u0301 a\xcc\x88\"", "\"e\xcc\x81 a\xcc\x88\""},
    {"\"\\u007f\\u0080\\u2028\\ufffd\\uD7FF\\uE000\"",
     "\"\x7f\xc2\x80\xe2\x80\xa8\xef\xbf\xbd\xed\x9f\xbf\xee\x80\x80\""},
    {"\"<&>'\\\"]]>\"", "\"<&>'\\\"]]>\""},
    /* key order, structure, empties, literals */
    {"{\"z\":1,\"a\":2,\"m\":3}", "{\"z\":1,\"a\":2,\"m\":3}"},
    {" { } ", "{}"},
    {"[ ]", "[]"},
    {"\"\"", "\"\""},
    {"{\"\":\"\"}", "{\"\":\"\"}"},
    {"[true,false,null]", "[true,false,null]"},
    {"{\"a\":{\"b\":[[],[{}],{\"c\":[1,{\"d\":null}]}]}}",
     "{\"a\":{\"b\":[[],[{}],{\"c\":[1,{\"d\":null}]}]}}"},
    {"{\"k \\\"q\\\" \\u00e9\":true}", "{\"k \\\"q\\\" \xc3\xa9\":true}"},
    /* the same key in different maps is fine */
    {"[{\"a\":1},{\"a\":2}]", "[{\"a\":1},{\"a\":2}]"},
};

START_TEST(roundtrip)
{
    const struct roundtrip_case *c = &roundtrip_cases[_i];
    struct sb_error err;
    error_clear(&err);
    xmlDocPtr doc = jsonxml_from_json(c->json, strlen(c->json), NULL, &err);
    ck_assert_msg(doc != NULL, "%s: %s", c->json, err.message);
    size_t len = 0;
    char *out = jsonxml_to_json(xmlDocGetRootElement(doc), &len, &err);
    ck_assert_msg(out != NULL, "%s: %s", c->json, err.message);
    ck_assert_str_eq(out, c->want);
    ck_assert_uint_eq(len, strlen(c->want));
    free(out);
    xmlFreeDoc(doc);
}
END_TEST

static char *dumpDoc(xmlDocPtr doc)
{
    xmlChar *mem = NULL;
    int size = 0;
    xmlDocDumpMemory(doc, &mem, &size);
    char *copy = strdup((const char *)mem);
    xmlFree(mem);
    return copy;
}

/* JSON in, exact serialized json-xml out. */
static const struct roundtrip_case xml_cases[] = {
    {"{\"a\":[1,\"x<&>\",true,null,{}],\"b c\":\"\"}",
     XML_DECL "<map " NS_ATTR "><array key=\"a\"><number>1</number>"
     "<string>x&lt;&amp;&gt;</string><boolean>true</boolean><null/><map/>"
     "</array><string key=\"b c\"/></map>\n"},
    {"-0", XML_DECL "<number " NS_ATTR ">-0</number>\n"},
    {"false", XML_DECL "<boolean " NS_ATTR ">false</boolean>\n"},
    {"[\"\\t\"]", XML_DECL "<array " NS_ATTR "><string>\t</string></array>\n"},
    {"{\"k&\\\"\":null}", XML_DECL "<map " NS_ATTR "><null key=\"k&amp;&quot;\"/>"
     "</map>\n"},
};

START_TEST(builds_exact_xml)
{
    const struct roundtrip_case *c = &xml_cases[_i];
    struct sb_error err;
    xmlDocPtr doc = jsonxml_from_json(c->json, strlen(c->json), NULL, &err);
    ck_assert_msg(doc != NULL, "%s: %s", c->json, err.message);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    ck_assert_ptr_nonnull(root->ns);
    ck_assert_str_eq((const char *)root->ns->href, JSONXML_NS);
    char *xml = dumpDoc(doc);
    ck_assert_str_eq(xml, c->want);
    free(xml);
    xmlFreeDoc(doc);
}
END_TEST

/* JSON in, error out: code, exact message, field. */
struct error_case {
    const char *json;
    struct jsonxml_limits limits;
    const char *code;
    const char *message;
    const char *field;
};

static const struct error_case error_cases[] = {
    {"{\"order\":{\"lines\":[{\"a\":1,\"a\":2}]}}", {0, 0, 0, 0},
     "invalid_json", "duplicate key 'a' at order.lines[0] (byte 29)",
     "order.lines[0]"},
    {"{\"a\":1,\"b\":{},\"a\":2}", {0, 0, 0, 0},
     "invalid_json", "duplicate key 'a' at the top level (byte 17)", ""},
    {"{\"x y\":{\"k\":[0,{\"\\u00e9\":0,\"\xc3\xa9\":1}]}}", {0, 0, 0, 0},
     "invalid_json", "duplicate key '\xc3\xa9' at [\"x y\"].k[1] (byte 31)",
     "[\"x y\"].k[1]"},
    {"{\"a\":[[[1]]]}", {3, 0, 0, 0}, "limit_exceeded",
     "nesting deeper than max_depth (3) at a[0][0] (byte 8)", "a[0][0]"},
    {"{\"abc\":1}", {0, 8, 0, 0}, "limit_exceeded",
     "input of 9 bytes is larger than max_bytes (8)", ""},
    {"{\"s\":[\"abcd\",\"abcde\"]}", {0, 0, 4, 0}, "limit_exceeded",
     "string longer than max_string (4) at s[1] (byte 20)", "s[1]"},
    {"{\"abcde\":1}", {0, 0, 4, 0}, "limit_exceeded",
     "key longer than max_string (4) at the top level (byte 8)", ""},
    {"[123456]", {0, 0, 4, 0}, "limit_exceeded",
     "number longer than max_string (4) at [0] (byte 7)", "[0]"},
    {"{\"a\":[1,2,3,4]}", {0, 0, 0, 3}, "limit_exceeded",
     "more than max_members (3) members at a (byte 13)", "a"},
    {"{\"a\":1,\"b\":2,\"c\":3,\"d\":4}", {0, 0, 0, 3}, "limit_exceeded",
     "more than max_members (3) members at the top level (byte 24)", ""},
    {"{} x", {0, 0, 0, 0}, "invalid_json", "trailing garbage at byte 4", ""},
    {"[1] [2]", {0, 0, 0, 0}, "invalid_json", "trailing garbage at byte 5", ""},
    {"", {0, 0, 0, 0}, "invalid_json", "empty input at byte 0", ""},
    {" \n\t ", {0, 0, 0, 0}, "invalid_json", "empty input at byte 4", ""},
    {"{\"a\":", {0, 0, 0, 0}, "invalid_json", "premature EOF at byte 5", ""},
    {"[1,2", {0, 0, 0, 0}, "invalid_json", "premature EOF at byte 4", ""},
    {"\"abc", {0, 0, 0, 0}, "invalid_json", "premature EOF at byte 4", ""},
    {"{\"a\" 1}", {0, 0, 0, 0}, "invalid_json",
     "object key and value must be separated by a colon (':') at byte 6", ""},
    {"[01]", {0, 0, 0, 0}, "invalid_json",
     "after array element, I expect ',' or ']' at byte 3", ""},
    {"{'a':1}", {0, 0, 0, 0}, "invalid_json", "invalid char in json text at byte 2",
     ""},
    /* invalid UTF-8: yajl's own check, then the strict one (overlong,
     * encoded surrogate, beyond U+10FFFF) */
    {"[\"\xff\"]", {0, 0, 0, 0}, "invalid_json",
     "invalid bytes in UTF8 string at byte 3", ""},
    {"[\"\xc0\x80\"]", {0, 0, 0, 0}, "invalid_json",
     "string at [0] is not valid UTF-8 (byte 5)", "[0]"},
    {"{\"k\":\"\xed\xa0\x80\"}", {0, 0, 0, 0}, "invalid_json",
     "string at k is not valid UTF-8 (byte 10)", "k"},
    {"\"\xf4\x90\x80\x80\"", {0, 0, 0, 0}, "invalid_json",
     "string at the top level is not valid UTF-8 (byte 6)", ""},
    /* characters XML 1.0 cannot carry */
    {"{\"order\":{\"note\":\"a\\u0000b\"}}", {0, 0, 0, 0}, "invalid_json",
     "string at order.note contains U+0000, which XML 1.0 cannot carry "
     "(byte 27)", "order.note"},
    {"{\"a\\u0000\":1}", {0, 0, 0, 0}, "invalid_json",
     "key at the top level contains U+0000, which XML 1.0 cannot carry "
     "(byte 10)", ""},
    {"[\"\\b\"]", {0, 0, 0, 0}, "invalid_json",
     "string at [0] contains U+0008, which XML 1.0 cannot carry (byte 5)",
     "[0]"},
    {"[\"\\f\"]", {0, 0, 0, 0}, "invalid_json",
     "string at [0] contains U+000C, which XML 1.0 cannot carry (byte 5)",
     "[0]"},
    {"[\"\\u001F\"]", {0, 0, 0, 0}, "invalid_json",
     "string at [0] contains U+001F, which XML 1.0 cannot carry (byte 9)",
     "[0]"},
    {"[\"\\uffff\"]", {0, 0, 0, 0}, "invalid_json",
     "string at [0] contains U+FFFF, which XML 1.0 cannot carry (byte 9)",
     "[0]"},
    {"[\"\xef\xbf\xbe\"]", {0, 0, 0, 0}, "invalid_json",
     "string at [0] contains U+FFFE, which XML 1.0 cannot carry (byte 6)",
     "[0]"},
    /* unpaired surrogates: rejected, not replaced */
    {"{\"x\":[\"\\ud800\"]}", {0, 0, 0, 0}, "invalid_json",
     "string at x[0] has an unpaired surrogate escape (byte 14)", "x[0]"},
    {"[\"a\\udc00\"]", {0, 0, 0, 0}, "invalid_json",
     "string at [0] has an unpaired surrogate escape (byte 10)", "[0]"},
    {"[\"\\ud800\\u0041\"]", {0, 0, 0, 0}, "invalid_json",
     "string at [0] has an unpaired surrogate escape (byte 15)", "[0]"},
    {"{\"\\ud83d\":1}", {0, 0, 0, 0}, "invalid_json",
     "key at the top level has an unpaired surrogate escape (byte 9)", ""},
};

START_TEST(rejects_bad_json)
{
    const struct error_case *c = &error_cases[_i];
    struct sb_error err;
    error_clear(&err);
    const struct jsonxml_limits *limits = &c->limits;
    xmlDocPtr doc = jsonxml_from_json(c->json, strlen(c->json), limits, &err);
    ck_assert_msg(doc == NULL, "accepted: %s", c->json);
    ck_assert_str_eq(err.code, c->code);
    ck_assert_str_eq(err.message, c->message);
    ck_assert_str_eq(err.field, c->field);
}
END_TEST

START_TEST(depth_limit_default_is_64)
{
    char json[200];
    struct sb_error err;
    for (int depth = 64; depth <= 65; depth++) {
        memset(json, '[', depth);
        memset(json + depth, ']', depth);
        xmlDocPtr doc = jsonxml_from_json(json, 2 * depth, NULL, &err);
        if (depth == 64) {
            ck_assert_ptr_nonnull(doc);
            xmlFreeDoc(doc);
        } else {
            ck_assert_ptr_null(doc);
            ck_assert_str_eq(err.code, "limit_exceeded");
            ck_assert_ptr_nonnull(strstr(err.message, "max_depth (64)"));
        }
    }
}
END_TEST

/* A map of n members "k0".."k{n-1}", optionally repeating "k0" last. */
static char *bigMap(int n, int duplicateLast)
{
    size_t cap = (size_t)n * 24 + 64, len = 0;
    char *json = malloc(cap);
    len += snprintf(json + len, cap - len, "{");
    for (int i = 0; i < n; i++)
        len += snprintf(json + len, cap - len, "%s\"k%d\":%d", i ? "," : "",
                        i, i);
    if (duplicateLast)
        len += snprintf(json + len, cap - len, ",\"k0\":0");
    snprintf(json + len, cap - len, "}");
    return json;
}

START_TEST(big_maps_find_duplicates)
{
    struct sb_error err;
    struct jsonxml_limits limits = {0, 0, 0, 20000};
    char *json = bigMap(5000, 0);
    xmlDocPtr doc = jsonxml_from_json(json, strlen(json), &limits, &err);
    ck_assert_msg(doc != NULL, "%s", err.message);
    ck_assert_uint_eq(xmlChildElementCount(xmlDocGetRootElement(doc)), 5000);
    char *out = jsonxml_to_json(xmlDocGetRootElement(doc), NULL, &err);
    ck_assert_str_eq(out, json);
    free(out);
    xmlFreeDoc(doc);
    free(json);

    /* just past the linear scan, and far past it */
    int sizes[] = {16, 17, 5000};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        json = bigMap(sizes[i], 1);
        doc = jsonxml_from_json(json, strlen(json), &limits, &err);
        ck_assert_ptr_null(doc);
        ck_assert_str_eq(err.code, "invalid_json");
        ck_assert_msg(strncmp(err.message, "duplicate key 'k0' at the top "
                              "level", 34) == 0, "%s", err.message);
        free(json);
    }
}
END_TEST

/* n copies of "é" after a prefix, into buf. */
static const char *repeatAcute(char *buf, size_t size, const char *prefix,
                               int n)
{
    size_t len = (size_t)snprintf(buf, size, "%s", prefix);
    for (int i = 0; i < n && len + 2 < size; i++, len += 2)
        memcpy(buf + len, "\xc3\xa9", 3);
    return buf;
}

START_TEST(long_key_in_message_keeps_utf8_whole)
{
    /* the message quotes at most 64 bytes of the key, never half an é */
    char key[128], json[400], quoted[100], want[200];
    repeatAcute(key, sizeof(key), "a", 40);
    snprintf(want, sizeof(want), "duplicate key '%s' at the top level "
             "(byte 170)", repeatAcute(quoted, sizeof(quoted), "a", 31));
    snprintf(json, sizeof(json), "{\"%s\":1,\"%s\":2}", key, key);
    struct sb_error err;
    ck_assert_ptr_null(jsonxml_from_json(json, strlen(json), NULL, &err));
    ck_assert_str_eq(err.message, want);
}
END_TEST

static xmlDocPtr readXml(const char *xml)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "test.xml", NULL,
                                  XML_PARSE_NONET);
    ck_assert_msg(doc != NULL, "bad test XML: %s", xml);
    return doc;
}

#define M(body) "<map " NS_ATTR ">" body "</map>"
#define A(body) "<array " NS_ATTR ">" body "</array>"

/* json-xml in, JSON out: what the XSLT side may produce. */
static const struct roundtrip_case to_json_cases[] = {
    {A("<boolean>1</boolean><boolean> 0 </boolean><boolean>\ntrue\n"
       "</boolean><boolean>false</boolean>"), "[true,false,true,false]"},
    {A(" <number> 42 </number>\n <!-- c --> <?pi x?> <null>  </null> "),
     "[42,null]"},
    {A("<string key=\"ignored\"><![CDATA[a<b]]> &amp; c</string>"),
     "[\"a<b & c\"]"},
    {A("<string>  spaced  </string><string/>"), "[\"  spaced  \",\"\"]"},
    {M("<string key=\"a/b\">x/y</string><number key=\"n\">-0.0e+00</number>"),
     "{\"a/b\":\"x/y\",\"n\":-0.0e+00}"},
    {M("<string key=\"&quot;\">\xe2\x80\xa8\x7f</string>"),
     "{\"\\\"\":\"\xe2\x80\xa8\x7f\"}"},
    {"<j:map xmlns:j=\"" JSONXML_NS "\"><j:string key=\"k\">v</j:string>"
     "</j:map>", "{\"k\":\"v\"}"},
    {M("<string key=\"k\">\\u0041</string>"), "{\"k\":\"\\\\u0041\"}"},
};

START_TEST(writes_json)
{
    const struct roundtrip_case *c = &to_json_cases[_i];
    struct sb_error err;
    xmlDocPtr doc = readXml(c->json);
    size_t len = 0;
    char *out = jsonxml_to_json((xmlNodePtr)doc, &len, &err);
    ck_assert_msg(out != NULL, "%s: %s", c->json, err.message);
    ck_assert_str_eq(out, c->want);
    ck_assert_uint_eq(len, strlen(c->want));
    free(out);
    xmlFreeDoc(doc);
}
END_TEST

/* json-xml in, error out (always code "internal"). */
static const struct roundtrip_case to_json_errors[] = {
    {M("<map key=\"a\">\n<foo key=\"b\"/></map>"),
     "unknown json-xml element <foo> at a.b (line 2)"},
    {M("<x:string xmlns:x=\"urn:other\" key=\"a\"/>"),
     "<x:string> is not a json-xml element (namespace " JSONXML_NS ") at a "
     "(line 1)"},
    {"<map/>", "<map> is not a json-xml element (namespace " JSONXML_NS ") "
     "at the top level (line 1)"},
    {M("<array key=\"lines\"><map/><map>\n<string>x</string></map></array>"),
     "map member <string> has no key attribute at lines[1] (line 1)"},
    {A("<number>12a</number>"),
     "<number> text '12a' is not a JSON number at [0] (line 1)"},
    {A("<null/><number/>"),
     "<number> text '' is not a JSON number at [1] (line 1)"},
    {A("<number>01</number>"),
     "<number> text '01' is not a JSON number at [0] (line 1)"},
    {A("<number>1.</number>"),
     "<number> text '1.' is not a JSON number at [0] (line 1)"},
    {A("<number>NaN</number>"),
     "<number> text 'NaN' is not a JSON number at [0] (line 1)"},
    {A("<number>+1</number>"),
     "<number> text '+1' is not a JSON number at [0] (line 1)"},
    {A("<number>1e</number>"),
     "<number> text '1e' is not a JSON number at [0] (line 1)"},
    {M("<boolean key=\"ok\">maybe</boolean>"),
     "<boolean> text 'maybe' is not true or false at ok (line 1)"},
    {M("<null key=\"n\">x</null>"), "<null> must be empty at n (line 1)"},
    {A("<string>a<b/></string>"),
     "<string> may hold only text, not <b> at [0] (line 1)"},
    {M("<map key=\"a b\"><array key=\"c\"><null/><nul/></array></map>"),
     "unknown json-xml element <nul> at [\"a b\"].c[1] (line 1)"},
    {A("oops<null/>"), "<array> holds text outside its members at the top "
     "level (line 1)"},
};

START_TEST(rejects_bad_json_xml)
{
    const struct roundtrip_case *c = &to_json_errors[_i];
    struct sb_error err;
    error_clear(&err);
    xmlDocPtr doc = readXml(c->json);
    char *out = jsonxml_to_json(xmlDocGetRootElement(doc), NULL, &err);
    ck_assert_msg(out == NULL, "accepted: %s", c->json);
    ck_assert_str_eq(err.code, "internal");
    ck_assert_str_eq(err.message, c->want);
    xmlFreeDoc(doc);
}
END_TEST

START_TEST(order_golden)
{
    struct sb_error err;
    size_t len = 0;
    char *json = test_read("tests/data/jsonxml/order.json", &len);
    ck_assert_ptr_nonnull(json);
    xmlDocPtr doc = jsonxml_from_json(json, len, NULL, &err);
    ck_assert_msg(doc != NULL, "%s", err.message);
    xmlChar *xml = NULL;
    int xmlLen = 0;
    xmlDocDumpMemory(doc, &xml, &xmlLen);
    ck_assert(test_golden("tests/data/jsonxml/order.xml", (const char *)xml,
                          (size_t)xmlLen));

    size_t outLen = 0;
    char *out = jsonxml_to_json(xmlDocGetRootElement(doc), &outLen, &err);
    ck_assert_msg(out != NULL, "%s", err.message);
    ck_assert(test_golden("tests/data/jsonxml/order.min.json", out, outLen));

    /* the golden XML, parsed back, gives the same JSON */
    xmlDocPtr again = readXml((const char *)xml);
    char *out2 = jsonxml_to_json(xmlDocGetRootElement(again), NULL, &err);
    ck_assert_msg(out2 != NULL, "%s", err.message);
    ck_assert_str_eq(out2, out);

    free(out2);
    xmlFreeDoc(again);
    free(out);
    xmlFree(xml);
    xmlFreeDoc(doc);
    free(json);
}
END_TEST

START_TEST(generate_embeds_in_envelope)
{
    struct sb_error err;
    const char *json = "{\"status\":\"shipped\",\"n\":1.50}";
    xmlDocPtr doc = jsonxml_from_json(json, strlen(json), NULL, &err);
    ck_assert_ptr_nonnull(doc);
    yajl_gen gen = yajl_gen_alloc(NULL);
    yajl_gen_map_open(gen);
    yajl_gen_string(gen, (const unsigned char *)"ok", 2);
    yajl_gen_bool(gen, 1);
    yajl_gen_string(gen, (const unsigned char *)"data", 4);
    ck_assert_int_eq(jsonxml_generate(gen, xmlDocGetRootElement(doc), &err), 0);
    yajl_gen_map_close(gen);
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(gen, &buf, &len);
    ck_assert_str_eq((const char *)buf,
                     "{\"ok\":true,\"data\":{\"status\":\"shipped\",\"n\":1.50}}");
    /* a value where the envelope expects a key is the generator's error */
    yajl_gen_clear(gen);
    yajl_gen_free(gen);
    gen = yajl_gen_alloc(NULL);
    yajl_gen_map_open(gen);
    ck_assert_int_eq(jsonxml_generate(gen, xmlDocGetRootElement(doc), &err),
                     -1);
    ck_assert_str_eq(err.code, "internal");
    ck_assert_str_eq(err.message, "cannot write <map>: a map key where a "
                     "value belongs at the top level");
    ck_assert_int_eq(jsonxml_generate(gen, NULL, &err), -1);
    ck_assert_str_eq(err.message, "no json-xml element to convert");
    yajl_gen_free(gen);
    xmlFreeDoc(doc);
}
END_TEST

START_TEST(generator_depth_is_an_error)
{
    /* yajl_gen stops at 128 levels; deeper json-xml fails cleanly */
    struct sb_error err;
    char json[400];
    memset(json, '[', 150);
    memset(json + 150, ']', 150);
    struct jsonxml_limits limits = {200, 0, 0, 0};
    xmlDocPtr doc = jsonxml_from_json(json, 300, &limits, &err);
    ck_assert_ptr_nonnull(doc);
    char *out = jsonxml_to_json(xmlDocGetRootElement(doc), NULL, &err);
    ck_assert_ptr_null(out);
    ck_assert_str_eq(err.code, "internal");
    ck_assert_ptr_nonnull(strstr(err.message, "nesting deeper than the "
                                 "generator allows"));
    xmlFreeDoc(doc);
}
END_TEST

static void setup(void)
{
    xmlInitParser();
}

Suite *jsonxml_suite(void)
{
    Suite *s = suite_create("jsonxml");
    TCase *tc = tcase_create("core");
    tcase_add_unchecked_fixture(tc, setup, NULL);
#define N(a) (int)(sizeof(a) / sizeof((a)[0]))
    tcase_add_loop_test(tc, roundtrip, 0, N(roundtrip_cases));
    tcase_add_loop_test(tc, builds_exact_xml, 0, N(xml_cases));
    tcase_add_loop_test(tc, rejects_bad_json, 0, N(error_cases));
    tcase_add_loop_test(tc, writes_json, 0, N(to_json_cases));
    tcase_add_loop_test(tc, rejects_bad_json_xml, 0, N(to_json_errors));
#undef N
    tcase_add_test(tc, depth_limit_default_is_64);
    tcase_add_test(tc, big_maps_find_duplicates);
    tcase_add_test(tc, long_key_in_message_keeps_utf8_whole);
    tcase_add_test(tc, order_golden);
    tcase_add_test(tc, generate_embeds_in_envelope);
    tcase_add_test(tc, generator_depth_is_an_error);
    suite_add_tcase(s, tc);
    return s;
}
