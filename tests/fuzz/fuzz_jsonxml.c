/*
 * libFuzzer target for jsonxml: any input JSON that jsonxml_from_json
 * accepts must convert back to JSON, and that JSON must be a fixed point
 * (parse -> json-xml -> JSON gives the same bytes again). The json-xml
 * document must also survive serialization: dumped as XML text and read
 * back by libxml2, it gives the same JSON.
 *
 * Build (not part of the autotools build):
 *   clang -g -fsanitize=fuzzer,address,undefined -Iproxy \
 *     $(pkg-config --cflags libxml-2.0 yajl) tests/fuzz/fuzz_jsonxml.c \
 *     proxy/jsonxml.c proxy/error.c $(pkg-config --libs libxml-2.0 yajl)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "jsonxml.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    xmlInitParser();
    return 0;
}

/* JSON of a json-xml document; aborts if the conversion fails. */
static char *toJson(xmlDocPtr doc, size_t *len)
{
    struct sb_error err;
    error_clear(&err);
    char *json = jsonxml_to_json(xmlDocGetRootElement(doc), len, &err);
    if (!json)
        abort();
    return json;
}

static void checkSame(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen || memcmp(a, b, alen) != 0)
        abort();
}

/* Serialize the document, read it back, and compare its JSON. */
static void checkXmlText(xmlDocPtr doc, const char *json, size_t len)
{
    xmlChar *xml = NULL;
    int xmlLen = 0;
    xmlDocDumpMemory(doc, &xml, &xmlLen);
    if (!xml)
        abort();
    xmlDocPtr parsed = xmlReadMemory((const char *)xml, xmlLen, "fuzz.xml",
                                     NULL, XML_PARSE_NONET);
    if (!parsed)
        abort();
    size_t againLen = 0;
    char *again = toJson(parsed, &againLen);
    checkSame(json, len, again, againLen);
    free(again);
    xmlFreeDoc(parsed);
    xmlFree(xml);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sb_error err;
    error_clear(&err);
    xmlDocPtr doc = jsonxml_from_json((const char *)data, size, NULL, &err);
    if (!doc) {
        if (err.code[0] == 0 || err.message[0] == 0)
            abort();        /* every rejection must say why */
        return 0;
    }
    size_t len1 = 0;
    char *json1 = toJson(doc, &len1);

    error_clear(&err);
    xmlDocPtr doc2 = jsonxml_from_json(json1, len1, NULL, &err);
    if (!doc2)
        abort();            /* our own output must parse */
    size_t len2 = 0;
    char *json2 = toJson(doc2, &len2);
    checkSame(json1, len1, json2, len2);
    checkXmlText(doc, json1, len1);

    free(json2);
    xmlFreeDoc(doc2);
    free(json1);
    xmlFreeDoc(doc);
    return 0;
}
