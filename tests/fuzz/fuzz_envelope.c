/*
 * libFuzzer target for the response side of envelope: arbitrary bytes
 * through envelope_parse and envelope_find_fault. The first input byte
 * picks the HTTP Content-Type, so the charset paths are reached too.
 * Also envelope_scan (xmlscan, and libxml2 after a restart) with a
 * handler that reads every event, and xmlscan's promise: it reads
 * nothing libxml2 refuses.
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

/* A handler that looks at every event, for envelope_scan. */
static int onStart(void *user, const xmlChar *localname,
                   const xmlChar *prefix, const xmlChar *uri,
                   int nb_attributes, const xmlChar **attributes)
{
    size_t *n = user;
    *n += xmlStrlen(localname) + xmlStrlen(prefix) + xmlStrlen(uri);
    for (int i = 0; i < nb_attributes; i++, attributes += 5)
        *n += xmlStrlen(attributes[0]) + xmlStrlen(attributes[2]) +
              (size_t)(attributes[4] - attributes[3]);
    return 0;
}

static int onEnd(void *user)
{
    (void)user;
    return 0;
}

static int onText(void *user, const xmlChar *s, int len)
{
    *(size_t *)user += (size_t)len + (len > 0 ? s[len - 1] : 0);
    return 0;
}

static void onRestart(void *user)
{
    *(size_t *)user = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t seen = 0;
    struct envelope_scan_handler h = {onStart, onEnd, onText, onRestart,
                                      &seen};
    envelope_scan((const char *)data, size, NULL, NULL, &h);
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
