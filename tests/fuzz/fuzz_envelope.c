/*
 * libFuzzer target for the response side of envelope: arbitrary bytes
 * through envelope_parse and envelope_find_fault. The first input byte
 * picks the HTTP Content-Type, so the charset paths are reached too.
 * Also xmlscan's promise: it reads nothing libxml2 refuses.
 *
 *   clang -g -fsanitize=fuzzer,address -Iproxy \
 *       $(pkg-config --cflags libxml-2.0 openssl) \
 *       tests/fuzz/fuzz_envelope.c proxy/envelope.c proxy/xmlscan.c \
 *       proxy/error.c \
 *       $(pkg-config --libs libxml-2.0 openssl) -o fuzz_envelope
 */
#include <stddef.h>
#include <stdint.h>

#include <libxml/parser.h>

#include "envelope.h"
#include "xmlscan.h"

static const char *const content_types[] = {
    NULL,
    "text/xml; charset=utf-8",
    "text/xml; charset=ISO-8859-1",
    "application/soap+xml; charset=\"windows-1252\"",
    "text/xml; charset=UTF-16LE",
    "text/html",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    xmlInitParser();
    return 0;
}

static void onError(void *data, xmlErrorPtr e)
{
    xmlParserCtxtPtr ctxt = data;
    if (e->level >= XML_ERR_ERROR)
        *(int *)ctxt->_private = 1;
}

/* libxml2 reads text without an error (the rule envelope.c applies). */
static int libxml2Reads(const char *text, size_t len)
{
    int failed = 0;
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt)
        return 1;
    ctxt->_private = &failed;
    ctxt->sax->serror = onError;
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, text, (int)len, NULL, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOCDATA |
                                          XML_PARSE_NOERROR |
                                          XML_PARSE_NOWARNING);
    failed |= !doc || !ctxt->wellFormed;
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return !failed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (xmlscan_check((const char *)data, size, 64) == XMLSCAN_DONE &&
        !libxml2Reads((const char *)data, size))
        __builtin_trap();

    struct envelope_limits limits = {1 << 20, 64};
    struct envelope_fault fault;
    struct sb_error err;
    const char *content_type = NULL;

    if (size > 0) {
        content_type = content_types[data[0] % (sizeof(content_types) /
                                                sizeof(content_types[0]))];
        data++;
        size--;
    }
    xmlDocPtr doc = envelope_parse((const char *)data, size, content_type,
                                   &limits, &err);
    if (!doc)
        return 0;
    if (!envelope_body(doc))
        __builtin_trap();   /* envelope_parse promises a Body */
    envelope_find_fault(doc, &fault, &err);
    envelope_fault_clear(&fault);
    xmlFreeDoc(doc);
    return 0;
}
