/*
 * catalog: the standard schemas that real WSDLs import without a
 * schemaLocation, built into the binary so that no schema is ever fetched
 * over the network: SOAP 1.1 encoding, the xml: namespace, WS-Security
 * (wsse and wsu), WS-Addressing (2004/08 and 1.0), xmime, and the SOAP
 * 1.1 / 1.2 envelope schemas.
 */
#ifndef SB_CATALOG_H
#define SB_CATALOG_H

#include <stddef.h>

/* The schema text for a target namespace, or NULL when the catalogue has
 * none. Static storage; *len receives its length. */
const char *catalog_lookup(const char *namespace_uri, size_t *len);

/* A pseudo file name for messages about a catalogue schema, such as
 * "<builtin:soap-encoding.xsd>"; NULL when the namespace is unknown. */
const char *catalog_name(const char *namespace_uri);

#endif
