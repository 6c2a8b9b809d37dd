/* The unit suites; each tests/unit/test_MODULE.c defines MODULE_suite(). */
#ifndef SB_TEST_SUITES_H
#define SB_TEST_SUITES_H

#include <check.h>

/* Absolute path of the source tree, for test data. */
#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif

struct unit_suite {
    const char *name;
    Suite *(*make)(void);
};

#define SB_SUITES(X) \
    X(error) X(strbuf) X(numtext) X(yamldoc) X(jsonxml) X(catalog) X(xsd) X(wsdl) X(realwsdl) X(envelope) X(xmlscan) X(tables) \
    X(tz) X(xsltfunc) X(mapping) X(stylegen) X(compile) X(confdir) \
    X(translate) X(native) X(jsonschema) X(serveconf) \
    X(canon) X(metrics) X(accesslog) X(upstream) X(httpserv) X(watch)

#ifdef SB_ONLY_SUITES
#undef SB_SUITES
#define SB_SUITES SB_ONLY_SUITES
#endif

#define SB_DECLARE_SUITE(n) Suite *n##_suite(void);
SB_SUITES(SB_DECLARE_SUITE)

#define SB_LIST_SUITE(n) {#n, n##_suite},
static const struct unit_suite unit_suites[] = {
    SB_SUITES(SB_LIST_SUITE) {0, 0}
};

#endif
