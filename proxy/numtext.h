/*
 * numtext: XSD number lexical forms -> JSON number text, keeping every
 * digit. XSD allows "+1.50", ".5", "5.", "007" and "1E3"; JSON does not
 * allow the first four as written. Conversion only re-spells: "+1.50" ->
 * "1.50", ".5" -> "0.5", "5." -> "5", "007" -> "7"; digits are never
 * rounded, so xsd:decimal "12345678901234567890.000001" stays exact.
 */
#ifndef SB_NUMTEXT_H
#define SB_NUMTEXT_H

#include <stddef.h>

/* Write the JSON spelling of XSD number text `text` (surrounding XML
 * whitespace allowed) into out. Returns 0, or -1 when the text is no
 * number JSON can carry (empty, "INF", "NaN", "12a") or out is too small. */
int numtext_to_json(const char *text, char *out, size_t size);

#endif
