#include "testutil.h"
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

const char *test_path(char *buf, size_t size, const char *rel)
{
    snprintf(buf, size, "%s/%s", TOP_SRCDIR, rel);
    return buf;
}

char *test_read(const char *rel, size_t *len)
{
    char path[4096];
    FILE *f = fopen(test_path(path, sizeof(path), rel), "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *data = malloc(cap + 1);
    size_t got;
    while (data && (got = fread(data + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = realloc(data, cap * 2 + 1);
            if (!bigger) {
                free(data);
                data = NULL;
                break;
            }
            data = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (!data)
        return NULL;
    data[n] = 0;
    if (len)
        *len = n;
    return data;
}

static int writeGolden(const char *rel, const char *actual, size_t len)
{
    char path[4096];
    FILE *f = fopen(test_path(path, sizeof(path), rel), "wb");
    if (!f)
        return 0;
    int ok = fwrite(actual, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

int test_golden(const char *rel, const char *actual, size_t len)
{
    const char *update = getenv("SB_UPDATE_GOLDEN");
    if (update && strcmp(update, "1") == 0)
        return writeGolden(rel, actual, len);
    size_t want_len = 0;
    char *want = test_read(rel, &want_len);
    int same = want && want_len == len && memcmp(want, actual, len) == 0;
    if (!same) {
        size_t i = 0;
        while (want && i < len && i < want_len && want[i] == actual[i])
            i++;
        fprintf(stderr, "golden %s differs at byte %zu (want %zu bytes, got"
                " %zu); got:\n%.*s\n", rel, i, want_len, len, (int)len, actual);
    }
    free(want);
    return same;
}

void test_certificate(X509 **cert, EVP_PKEY **key)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    ck_assert_ptr_nonnull(k);
    ck_assert_ptr_nonnull(x);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, k);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               (const unsigned char *)"127.0.0.1", -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    X509_EXTENSION *san = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name,
                                              "IP:127.0.0.1");
    ck_assert_ptr_nonnull(san);
    X509_add_ext(x, san, -1);
    X509_EXTENSION_free(san);
    ck_assert_int_gt(X509_sign(x, k, EVP_sha256()), 0);
    *cert = x;
    *key = k;
}
