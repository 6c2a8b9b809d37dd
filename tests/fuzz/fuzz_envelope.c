/*
 * libFuzzer target for the response side of envelope: arbitrary bytes
 * through envelope_parse and envelope_find_fault. The first input byte
 * picks the HTTP Content-Type, so the charset paths are reached too.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
