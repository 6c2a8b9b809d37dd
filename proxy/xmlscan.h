/*
 * xmlscan: a fast, strict reader for the plain XML that SOAP services
 * answer with, for envelope_scan.
 *
 * It reads UTF-8 XML without a DTD: elements, attributes, namespaces,
 * text with the five predefined entities and character references,
 * CDATA sections (as text), comments, an XML declaration that names
 * UTF-8 or nothing. It hands the handler the same events, in the same
 * form, as libxml2's SAX2 parse with envelope_scan's options.
 *
 * Anything else -- a DOCTYPE, a processing instruction, a carriage
 * return, an '&' or a tab or newline in an attribute value, a name
 * outside ASCII, and every error -- it does not judge: it answers
 * XMLSCAN_OTHER and leaves the document to libxml2, which accepts it or
 * says what is wrong. What it accepts, libxml2 accepts too; the unit
 * tests hold the two readers to the same events.
 */
#ifndef SB_XMLSCAN_H
#define SB_XMLSCAN_H

#include <stddef.h>

#include "envelope.h"

enum {
    XMLSCAN_DONE = 0,       /* read to the end, well-formed */
    XMLSCAN_STOPPED = 1,    /* a handler callback said stop */
    XMLSCAN_OTHER = 2,      /* not for this reader: use libxml2 */
};

/* Read data[0..len) (UTF-8) with elements nested at most max_depth deep,
 * handing the events to handler (its restart is not used). Returns an
 * XMLSCAN_ value, or -1 when out of memory. On XMLSCAN_OTHER some events
 * may have gone out already. */
int xmlscan_read(const char *data, size_t len, int max_depth,
                 const struct envelope_scan_handler *handler);

/* The same reading without events: XMLSCAN_DONE when xmlscan_read would
 * read the whole document, XMLSCAN_OTHER when not, -1 when out of
 * memory. */
int xmlscan_check(const char *data, size_t len, int max_depth);

#endif
