/*
 * xmlscan against libxml2: on every document xmlscan reads, it must
 * hand over the events libxml2's parse gives (the tree, walked), and it
 * must never accept what libxml2 refuses. The documents: the recorded
 * answers and test responses, a table of hand-made ones, and seeded
 * random mutations of the recorded answers. xmlscan_check must say what
 * reading says.
 */
#include <check.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "strbuf.h"
#include "suites.h"
#include "testutil.h"
#include "xmlscan.h"

#define DEPTH 256
#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOCDATA | \
                       XML_PARSE_COMPACT | XML_PARSE_NOERROR | \
                       XML_PARSE_NOWARNING)

/* ---- the events as text: "(local prefix uri [@local prefix uri=v])",
 * text as "'...'" with adjacent pieces merged, ")" for an end ---- */

struct events {
    struct strbuf out;
    int in_text;
};

static void put(struct events *ev, const char *s, size_t n)
{
    strbuf_append(&ev->out, s, n);
}

static void putStr(struct events *ev, const xmlChar *s)
{
    const char *t = s ? (const char *)s : "-";
    put(ev, t, strlen(t));
}

static void closeText(struct events *ev)
{
    if (ev->in_text)
        put(ev, "'", 1);
    ev->in_text = 0;
}

/* "local prefix uri", "-" for a NULL. */
static void putName(struct events *ev, const xmlChar *local,
                    const xmlChar *prefix, const xmlChar *uri)
{
    putStr(ev, local);
    put(ev, " ", 1);
    putStr(ev, prefix);
    put(ev, " ", 1);
    putStr(ev, uri);
}

static void putStart(struct events *ev, const xmlChar *local,
                     const xmlChar *prefix, const xmlChar *uri)
{
    closeText(ev);
    put(ev, "(", 1);
    putName(ev, local, prefix, uri);
}

static void putAttribute(struct events *ev, const xmlChar *local,
                         const xmlChar *prefix, const xmlChar *uri,
                         const char *value, size_t len)
{
    put(ev, " @", 2);
    putName(ev, local, prefix, uri);
    put(ev, "=", 1);
    put(ev, value, len);
}

static void putText(struct events *ev, const char *s, size_t n)
{
    if (!n)
        return;
    if (!ev->in_text)
        put(ev, "'", 1);
    ev->in_text = 1;
    put(ev, s, n);
}

static void putEnd(struct events *ev)
{
    closeText(ev);
    put(ev, ")", 1);
}

/* ---- xmlscan's events ---- */

static int onStart(void *user, const xmlChar *local, const xmlChar *prefix,
                   const xmlChar *uri, int n, const xmlChar **a)
{
    struct events *ev = user;
    putStart(ev, local, prefix, uri);
    for (int i = 0; i < n; i++, a += 5)
        putAttribute(ev, a[0], a[1], a[2], (const char *)a[3],
                     (size_t)(a[4] - a[3]));
    return 0;
}

static int onEnd(void *user)
{
    putEnd(user);
    return 0;
}

static int onText(void *user, const xmlChar *s, int len)
{
    putText(user, (const char *)s, (size_t)len);
    return 0;
}

static int scanEvents(const char *data, size_t len, struct events *ev)
{
    struct envelope_scan_handler h = {onStart, onEnd, onText, NULL, ev};
    return xmlscan_read(data, len, DEPTH, &h);
}

/* ---- libxml2's, from its tree ---- */

static void walk(struct events *ev, xmlNodePtr node)
{
    for (; node; node = node->next) {
        if (node->type == XML_TEXT_NODE ||
            node->type == XML_CDATA_SECTION_NODE) {
            putText(ev, (const char *)node->content,
                    strlen((const char *)node->content));
            continue;
        }
        if (node->type != XML_ELEMENT_NODE)
            continue;
        putStart(ev, node->name, node->ns ? node->ns->prefix : NULL,
                 node->ns ? node->ns->href : NULL);
        for (xmlAttrPtr a = node->properties; a; a = a->next) {
            xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
            putAttribute(ev, a->name, a->ns ? a->ns->prefix : NULL,
                         a->ns ? a->ns->href : NULL, (const char *)v,
                         strlen((const char *)v));
            xmlFree(v);
        }
        walk(ev, node->children);
        putEnd(ev);
    }
}

static void onError(void *data, xmlErrorPtr e)
{
    xmlParserCtxtPtr ctxt = data;
    if (e->level >= XML_ERR_ERROR)
        *(int *)ctxt->_private = 1;
}

/* 0 with the events when libxml2 takes the document without an error
 * (the rule envelope.c applies), else -1. */
static int libxml2Events(const char *data, size_t len, struct events *ev)
{
    int failed = 0;
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    ck_assert_ptr_nonnull(ctxt);
    ctxt->_private = &failed;
    ctxt->sax->serror = onError;
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, data, (int)len, NULL, NULL,
                                      PARSE_OPTIONS);
    failed |= !doc || !ctxt->wellFormed;
    if (!failed)
        walk(ev, doc->children);
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return failed ? -1 : 0;
}

/* ---- the property ---- */

enum verdict { READ, LEFT, REFUSED_BOTH };

/* Whatever xmlscan reads, libxml2 reads the same way; returns what
 * happened (for the counts). */
static enum verdict compare(const char *what, const char *data, size_t len)
{
    struct events mine = {0}, theirs = {0};
    strbuf_init(&mine.out);
    strbuf_init(&theirs.out);
    int checked = xmlscan_check(data, len, DEPTH);
    int rc = scanEvents(data, len, &mine);
    closeText(&mine);
    int ref = libxml2Events(data, len, &theirs);
    ck_assert_msg(rc == XMLSCAN_DONE || rc == XMLSCAN_OTHER,
                  "%s: xmlscan returned %d", what, rc);
    ck_assert_msg(checked == rc, "%s: xmlscan_check said %d, reading %d",
                  what, checked, rc);
    if (rc == XMLSCAN_DONE) {
        ck_assert_msg(ref == 0, "%s: xmlscan read what libxml2 refuses:\n"
                      "%.*s", what, (int)len, data);
        ck_assert_msg(strcmp(mine.out.data, theirs.out.data) == 0,
                      "%s: events differ\nxmlscan: %s\nlibxml2: %s", what,
                      mine.out.data, theirs.out.data);
    }
    strbuf_free(&mine.out);
    strbuf_free(&theirs.out);
    return rc == XMLSCAN_DONE ? READ : ref == 0 ? LEFT : REFUSED_BOTH;
}

/* The recorded answers and the test responses, read as they are. */
static char **responseFiles(size_t *n)
{
    static const char *const patterns[] = {
        "tests/fixtures/demo/*.xml", "tests/data/cases/*/response.xml",
        "tests/data/envelope/*.xml"};
    glob_t g;
    char path[4096];
    int flags = 0;
    for (size_t i = 0; i < sizeof(patterns) / sizeof(*patterns); i++) {
        ck_assert_int_eq(glob(test_path(path, sizeof(path), patterns[i]),
                              flags, NULL, &g), 0);
        flags = GLOB_APPEND;
    }
    char **files = calloc(g.gl_pathc + 1, sizeof(char *));
    for (size_t i = 0; i < g.gl_pathc; i++)
        files[i] = strdup(g.gl_pathv[i]);
    *n = g.gl_pathc;
    globfree(&g);
    return files;
}

static void freeFiles(char **files, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
}

static char *readAbsolute(const char *path, size_t *len)
{
    char *data = strbuf_read_file(path, 1 << 24, len);
    ck_assert_msg(data != NULL, "cannot read %s", path);
    return data;
}

START_TEST(reads_the_recorded_answers_like_libxml2)
{
    size_t n, counts[3] = {0};
    char **files = responseFiles(&n);
    ck_assert_uint_gt(n, 30);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        char *data = readAbsolute(files[i], &len);
        counts[compare(files[i], data, len)]++;
        free(data);
    }
    /* The plain UTF-8 answers (most of them) are its to read. */
    ck_assert_uint_gt(counts[READ], n / 2);
    freeFiles(files, n);
}
END_TEST

/* Documents of the subset it reads. */
static const char *const readDocs[] = {
    "<a/>",
    "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>x</a>\n",
    "<?xml version='1.0' standalone='yes' ?><a b='1' c = \"2\">y</a>",
    "<!-- before --><a><!-- inside - here --></a><!-- after -->\n",
    "<s:E xmlns:s=\"urn:s\" xmlns=\"urn:d\"><B><s:C s:k=\"v\" k=\"w\"/></B>"
    "</s:E>",
    "<a xmlns=\"urn:d\"><b xmlns=\"\"><c/></b><d xmlns=\"urn:e\"/></a>",
    "<p:a xmlns:p=\"urn:1\"><p:b xmlns:p=\"urn:2\"/><p:c/></p:a>",
    "<a xml:lang=\"de\">Gr\xC3\xBC\xC3\x9F\x65 \xE2\x82\xAC "
    "\xF0\x9F\x98\x80</a>",
    "<a>&lt;&gt;&amp;&quot;&apos; &#65;&#x42;&#x20AC;&#128512;&#13;</a>",
    "<a><![CDATA[<not> &markup;]]>tail<![CDATA[]]></a>",
    "<a\n  b=\"1\"\n\tc=\"2\"\n/>",
    "<a>]]</a>",
    "<a:b xmlns:a=\"http://example.com/x?y=1#f\"/>",
    "<a xmlns=\"relative/path\"/>",
    /* the forms taken without xmlParseURI, and their edges */
    "<a xmlns=\"http://shipping.example.com/ws/2007\"/>",
    "<a xmlns=\"https://a-b.example/p_q/r~s/-.x//\"/>",
    "<a xmlns=\"http://h\"/>",
    "<a xmlns=\"urn:schemas-x:a.b_c:1\"/>",
    "<a xmlns=\"http://h:8080/x\"/>",
    "<a xmlns=\"http:///x\"/>",
    "<a xmlns=\"urn:\"/>",
};

/* Documents it leaves to libxml2 (which takes some, refuses others). */
static const char *const leftDocs[] = {
    "",
    "<!DOCTYPE a><a/>",
    "<?pi x?><a/>",
    "<a><?pi x?></a>",
    "<a>\r\n</a>",
    "<a b=\"R&amp;D\"/>",
    "<a b=\"1\n2\"/>",
    "<\xC3\xA4/>",
    "<p:a/>",
    "<a b=\"1\" b=\"2\"/>",
    "<a xmlns:p=\"urn:x\" xmlns:q=\"urn:x\" p:k=\"1\" q:k=\"2\"/>",
    "<a xmlns:p=\"urn:x\" xmlns:p=\"urn:y\"/>",
    "<a xmlns:p=\"\"/>",
    "<a xmlns=\"http://www.w3.org/XML/1998/namespace\"/>",
    "<a xmlns:xml=\"http://www.w3.org/XML/1998/namespace\"/>",
    "<a xmlns:p=\"::\"/>",
    "<a xmlns=\"http://a b/\"/>",
    "<a xmlns=\"https://h/%zz\"/>",
    "<a><!-- a -- b --></a>",
    "<a>&nbsp;</a>",
    "<a>&#0;</a>",
    "<a>&#xD800;</a>",
    "<a>]]></a>",
    "<a b=\"x>y]]>z\"/>",
    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>",
    "<?xml version=\"1.1\"?><a/>",
    " <?xml version=\"1.0\"?><a/>",
    "<a>",
    "<a></b>",
    "<a></a >x",
    "<a/><b/>",
    "x<a/>",
    "<a b=\"1\"c=\"2\"/>",
    "<a>\x01</a>",
    "<a>\xC0\x80</a>",
    "<a>\xED\xA0\x80</a>",
    "<a>\xEF\xBF\xBE</a>",
    "<a:b:c/>",
    "<xmlns:a/>",
};

START_TEST(reads_its_subset)
{
    char what[32];
    snprintf(what, sizeof(what), "read %d", _i);
    ck_assert_int_eq(compare(what, readDocs[_i], strlen(readDocs[_i])), READ);
}
END_TEST

START_TEST(leaves_the_rest_to_libxml2)
{
    char what[32];
    snprintf(what, sizeof(what), "left %d", _i);
    ck_assert_int_ne(compare(what, leftDocs[_i], strlen(leftDocs[_i])), READ);
}
END_TEST

/* A handler that stops at the second element: nothing after it. */
static int stopAtSecond(void *user, const xmlChar *local,
                        const xmlChar *prefix, const xmlChar *uri, int n,
                        const xmlChar **a)
{
    (void)local;
    (void)prefix;
    (void)uri;
    (void)n;
    (void)a;
    return ++*(int *)user == 2;
}

static int countEnd(void *user)
{
    (void)user;
    return 0;
}

static int countText(void *user, const xmlChar *s, int len)
{
    (void)s;
    (void)len;
    *(int *)user += 100;
    return 0;
}

START_TEST(stops_when_the_handler_says)
{
    int starts = 0;
    struct envelope_scan_handler h = {stopAtSecond, countEnd, countText,
                                      NULL, &starts};
    const char *doc = "<a><b/>text<c/></a>";
    ck_assert_int_eq(xmlscan_read(doc, strlen(doc), DEPTH, &h),
                     XMLSCAN_STOPPED);
    ck_assert_int_eq(starts, 2);
    /* Deeper than allowed: libxml2's to report. */
    ck_assert_int_eq(xmlscan_check("<a><b><c/></b></a>", 18, 2),
                     XMLSCAN_OTHER);
    ck_assert_int_eq(xmlscan_check("<a><b><c/></b></a>", 18, 3),
                     XMLSCAN_DONE);
}
END_TEST

/* Seeded random edits of the recorded answers: a byte dropped, one of
 * the characters that matter to XML put in, a stretch doubled, the end
 * cut off. */
static size_t mutate(const char *in, size_t len, char *out, unsigned *seed)
{
    static const char chars[] = "<>&;:/\"'= \n\r]-!?#x\xC3\x80";
    size_t at = len ? (size_t)rand_r(seed) % len : 0;
    switch (rand_r(seed) % 4) {
    case 0:
        memcpy(out, in, at);
        memcpy(out + at, in + at + 1, len - at - 1);
        return len - 1;
    case 1:
        memcpy(out, in, at);
        out[at] = chars[(size_t)rand_r(seed) % (sizeof(chars) - 1)];
        memcpy(out + at + 1, in + at, len - at);
        return len + 1;
    case 2: {
        size_t n = (size_t)rand_r(seed) % 16;
        if (at + n > len)
            n = len - at;
        memcpy(out, in, at + n);
        memcpy(out + at + n, in + at, len - at);
        return len + n;
    }
    default:
        memcpy(out, in, at);
        return at;
    }
}

START_TEST(never_reads_what_libxml2_refuses)
{
    size_t n, counts[3] = {0};
    char **files = responseFiles(&n);
    unsigned seed = 20261204;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        char *data = readAbsolute(files[i], &len);
        char *edited = malloc(len + 32);
        char what[4200];
        for (int k = 0; k < 60 && len > 1; k++) {
            size_t m = mutate(data, len, edited, &seed);
            snprintf(what, sizeof(what), "%s, edit %d", files[i], k);
            counts[compare(what, edited, m)]++;
        }
        free(edited);
        free(data);
    }
    /* Both kinds came up: edits it read, and edits both refused. */
    ck_assert_uint_gt(counts[READ], 100);
    ck_assert_uint_gt(counts[REFUSED_BOTH], 100);
    freeFiles(files, n);
}
END_TEST

Suite *xmlscan_suite(void)
{
    Suite *s = suite_create("xmlscan");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, reads_the_recorded_answers_like_libxml2);
    tcase_add_loop_test(tc, reads_its_subset, 0,
                        (int)(sizeof(readDocs) / sizeof(*readDocs)));
    tcase_add_loop_test(tc, leaves_the_rest_to_libxml2, 0,
                        (int)(sizeof(leftDocs) / sizeof(*leftDocs)));
    tcase_add_test(tc, stops_when_the_handler_says);
    tcase_add_test(tc, never_reads_what_libxml2_refuses);
    suite_add_tcase(s, tc);
    return s;
}
