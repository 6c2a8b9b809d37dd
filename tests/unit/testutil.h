/* Helpers shared by the unit tests: test data paths and golden files. */
#ifndef SB_TESTUTIL_H
#define SB_TESTUTIL_H

#include <stddef.h>

#include <openssl/x509.h>

/* TOP_SRCDIR "/" rel, in a static buffer of the caller's (PATH_MAX). */
const char *test_path(char *buf, size_t size, const char *rel);

/* Read a whole file relative to the source tree; malloc'ed,
 * NUL-terminated, caller frees; NULL if unreadable. */
char *test_read(const char *rel, size_t *len);

/*
 * Compare `actual` with the golden file `rel` (relative to the source
 * tree). With SB_UPDATE_GOLDEN=1 in the environment the golden file is
 * (re)written instead and the comparison passes: golden files change only
 * on that explicit flag. Returns 1 if equal; else prints a diff hint to
 * stderr and returns 0.
 */
int test_golden(const char *rel, const char *actual, size_t len);

/* A self-signed certificate for 127.0.0.1 (CN and IP SAN), valid for an
 * hour, and its P-256 key; the caller frees both. */
void test_certificate(X509 **cert, EVP_PKEY **key);

#endif
