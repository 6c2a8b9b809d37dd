/*
 * envelope: building request envelopes (golden files), parsing recorded
 * upstream responses in several charsets, refusing unsafe or broken ones,
 * and reading SOAP 1.1 / 1.2 faults. Data: tests/data/envelope/.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "envelope.h"
#include "suites.h"
#include "testutil.h"

#define DATA "tests/data/envelope/"

static void setupLibxml(void)
{
    xmlInitParser();
}

/* A file of tests/data/envelope/ (caller frees). */
static char *readData(const char *name, size_t *len)
{
    char rel[256];
    snprintf(rel, sizeof(rel), DATA "%s", name);
    char *data = test_read(rel, len);
    ck_assert_msg(data != NULL, "cannot read %s", rel);
    return data;
}

static xmlDocPtr parseFile(const char *name, const char *content_type,
                           const struct envelope_limits *limits,
                           struct sb_error *err)
{
    size_t len = 0;
    char *data = readData(name, &len);
    xmlDocPtr doc = envelope_parse(data, len, content_type, limits, err);
    free(data);
    return doc;
}

/* The text of every element named `name` under node, joined with '|'. */
static void collectText(xmlNodePtr node, const char *name, char *buf,
                        size_t size)
{
    for (xmlNodePtr c = node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)c->name, name) == 0) {
            xmlChar *text = xmlNodeGetContent(c);
            size_t used = strlen(buf);
            snprintf(buf + used, size - used, "%s%s", used ? "|" : "",
                     (const char *)text);
            xmlFree(text);
        }
        collectText(c, name, buf, size);
    }
}

/* ---------------------------------------------------------------- */
/* Parsing responses that are fine, in several charsets              */
/* ---------------------------------------------------------------- */

static const struct {
    const char *file;
    const char *content_type;
    enum envelope_version version;
    const char *element;
    const char *text;       /* UTF-8 */
} good_responses[] = {
    {"soap11_success.xml", "text/xml; charset=utf-8", ENVELOPE_SOAP11,
     "Status", "SHP"},
    /* CDATA is merged into text (XML_PARSE_NOCDATA) */
    {"soap11_success.xml", NULL, ENVELOPE_SOAP11, "Note",
     "Left at <door> & signed"},
    {"latin1_decl.xml", NULL, ENVELOPE_SOAP11, "Name",
     "M\xc3\xbcller|D\xc3\xa9sir\xc3\xa9" "e"},
    {"latin1_decl.xml", NULL, ENVELOPE_SOAP11, "City", "K\xc3\xb6ln"},
    /* the declaration wins over a (wrong) HTTP charset */
    {"latin1_decl.xml", "text/xml; charset=utf-8", ENVELOPE_SOAP11, "Name",
     "M\xc3\xbcller|D\xc3\xa9sir\xc3\xa9" "e"},
    /* windows-1252: 0x80 euro, 0x93/0x94 curly quotes, 0x96 en dash,
     * 0x92 right single quote */
    {"cp1252_decl.xml", NULL, ENVELOPE_SOAP11, "Total",
     "\xe2\x82\xac 1.234,50"},
    {"cp1252_decl.xml", NULL, ENVELOPE_SOAP11, "Note",
     "\xe2\x80\x9cGr\xc3\xbc\xc3\x9f" "e\xe2\x80\x9d \xe2\x80\x93 "
     "Fran\xc3\xa7oise\xe2\x80\x99s invoice"},
    {"utf16le_bom.xml", NULL, ENVELOPE_SOAP11, "Name",
     "M\xc3\xbcller|D\xc3\xa9sir\xc3\xa9" "e|\xe6\x97\xa5\xe6\x9c\xac"},
    /* the BOM wins over the HTTP charset */
    {"utf16le_bom.xml", "text/xml; charset=ISO-8859-1", ENVELOPE_SOAP11,
     "Name", "M\xc3\xbcller|D\xc3\xa9sir\xc3\xa9" "e|\xe6\x97\xa5\xe6\x9c\xac"},
    /* no declaration: only the Content-Type names the charset */
    {"latin1_nodecl.xml", "text/xml; charset=ISO-8859-1", ENVELOPE_SOAP11,
     "Name", "M\xc3\xbcller|D\xc3\xa9sir\xc3\xa9" "e"},
    {"latin1_nodecl.xml", "text/xml;Charset=\"iso-8859-1\"; x=y",
     ENVELOPE_SOAP11, "Name", "M\xc3\xbcller|D\xc3\xa9sir\xc3\xa9" "e"},
    {"soap12_fault_subcode.xml", "application/soap+xml", ENVELOPE_SOAP12,
     "TicketId", "T-991"},
};

START_TEST(parse_decodes_charsets)
{
    struct sb_error err;
    char got[512] = "";
    error_clear(&err);
    xmlDocPtr doc = parseFile(good_responses[_i].file,
                              good_responses[_i].content_type, NULL, &err);
    ck_assert_msg(doc != NULL, "%s: %s", good_responses[_i].file,
                  err.message);
    ck_assert_int_eq(envelope_version_of(doc), good_responses[_i].version);
    xmlNodePtr body = envelope_body(doc);
    ck_assert_ptr_nonnull(body);
    ck_assert_str_eq((const char *)body->name, "Body");
    collectText(body, good_responses[_i].element, got, sizeof(got));
    ck_assert_str_eq(got, good_responses[_i].text);
    xmlFreeDoc(doc);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Parsing responses that must be refused                            */
/* ---------------------------------------------------------------- */

static const struct {
    const char *file;         /* or NULL: data */
    const char *data;
    const char *content_type;
    size_t max_bytes;
    const char *message;
    int shape;                /* well-formed XML, wrong SOAP shape: a scan
                                 reads it and leaves the shape to its
                                 handler */
} bad_responses[] = {
    {NULL, "", NULL, 0, "empty response body", 0},
    {NULL, " \r\n\t ", NULL, 0, "empty response body", 0},
    {"html_error.html", NULL, "text/html", 0,
     "HTML page instead of SOAP (first bytes: <!DOCTYPE html> <html> "
     "<head><title>502 Bad Gateway</title><)", 0},
    {NULL, "<HTML><body>Service Unavailable</body></HTML>", NULL, 0,
     "HTML page instead of SOAP (first bytes: <HTML><body>Service "
     "Unavailable</body></HTML>)", 0},
    /* XHTML behind an XML declaration is caught at the root */
    {NULL, "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/"
     "xhtml\"><p>Login</p></html>", NULL, 0,
     "HTML page instead of SOAP (first bytes: <?xml version=\"1.0\"?><html "
     "xmlns=\"http://www.w3.org/1999/xht)", 1},
    {"plain.txt", NULL, "text/plain", 0,
     "not XML: Start tag expected, '<' not found at line 1", 0},
    {"truncated.xml", NULL, NULL, 0,
     "truncated XML after 198 bytes: Premature end of data in tag OrderId "
     "line 5 at line 5", 0},
    {"billion_laughs.xml", NULL, NULL, 0,
     "DOCTYPE is not allowed in a SOAP response (entity declarations are "
     "refused)", 0},
    {NULL, "<!DOCTYPE x SYSTEM \"http://evil.example/x.dtd\"><x/>", NULL, 0,
     "DOCTYPE is not allowed in a SOAP response (entity declarations are "
     "refused)", 0},
    {"not_envelope.xml", NULL, NULL, 0,
     "root element is {urn:example:orders}GetOrderStatusResponse, not a "
     "SOAP Envelope", 1},
    {NULL, "<Envelope><Body/></Envelope>", NULL, 0,
     "root element is Envelope (no namespace), not a SOAP Envelope", 1},
    {"no_body.xml", NULL, NULL, 0, "SOAP Envelope without Body", 1},
    {"soap11_success.xml", NULL, NULL, 100,
     "response of 562 bytes exceeds max_bytes 100", 0},
    /* Latin-1 bytes with neither a declaration nor an HTTP charset */
    {"latin1_nodecl.xml", NULL, "text/xml", 0,
     "not XML: Input is not proper UTF-8, indicate encoding ! Bytes: 0xFC "
     "0x6C 0x6C 0x65 at line 1", 0},
    /* 0x81 is unassigned in windows-1252 */
    {NULL, "<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>\x81</a>",
     NULL, 0, "not XML: input conversion failed due to input error, bytes "
     "0x81 0x3C 0x2F 0x61", 0},
    {NULL, "<a><b></a>\n", NULL, 0,
     "not XML: Opening and ending tag mismatch: b line 1 and a at line 1", 0},
    {NULL, "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\">"
     "<s:Body><x:a/></s:Body></s:Envelope>", NULL, 0,
     "not XML: Namespace prefix x on a is not defined at line 1", 0},
};

START_TEST(parse_refuses_bad_responses)
{
    struct sb_error err;
    struct envelope_limits limits = {bad_responses[_i].max_bytes, 0};
    xmlDocPtr doc;
    error_clear(&err);
    if (bad_responses[_i].file) {
        doc = parseFile(bad_responses[_i].file,
                        bad_responses[_i].content_type, &limits, &err);
    } else {
        const char *data = bad_responses[_i].data;
        doc = envelope_parse(data, strlen(data),
                             bad_responses[_i].content_type, &limits, &err);
    }
    ck_assert_ptr_null(doc);
    ck_assert_str_eq(err.code, "upstream_bad_response");
    ck_assert_str_eq(err.message, bad_responses[_i].message);
}
END_TEST

/* <soap:Envelope><soap:Body><d>...<d/>...</d></soap:Body></soap:Envelope>
 * with `levels` elements in all (Envelope and Body included). */
static char *nestedEnvelope(int levels, size_t *len)
{
    const char *open = "<soap:Envelope xmlns:soap="
                       "\"http://schemas.xmlsoap.org/soap/envelope/\">"
                       "<soap:Body>";
    const char *close = "</soap:Body></soap:Envelope>";
    size_t cap = strlen(open) + strlen(close) + (size_t)levels * 8 + 1;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    size_t n = (size_t)snprintf(buf, cap, "%s", open);
    for (int i = 2; i < levels; i++)
        n += (size_t)snprintf(buf + n, cap - n, "<d>");
    for (int i = 2; i < levels; i++)
        n += (size_t)snprintf(buf + n, cap - n, "</d>");
    n += (size_t)snprintf(buf + n, cap - n, "%s", close);
    *len = n;
    return buf;
}

static const struct {
    int levels;
    int max_depth;
    const char *message;    /* NULL: parses */
} depths[] = {
    {5, 5, NULL},
    {6, 5, "response nesting depth exceeds max_depth 5"},
    {256, 0, NULL},
    {257, 0, "response nesting depth exceeds max_depth 256"},
    /* beyond libxml2's own limit of 256 when configured so */
    {400, 400, NULL},
    {401, 400, "response nesting depth exceeds max_depth 400"},
};

START_TEST(parse_bounds_depth)
{
    struct sb_error err;
    struct envelope_limits limits = {0, depths[_i].max_depth};
    size_t len;
    char *data = nestedEnvelope(depths[_i].levels, &len);
    error_clear(&err);
    xmlDocPtr doc = envelope_parse(data, len, NULL, &limits, &err);
    free(data);
    if (!depths[_i].message) {
        ck_assert_msg(doc != NULL, "%s", err.message);
        xmlFreeDoc(doc);
        return;
    }
    ck_assert_ptr_null(doc);
    ck_assert_str_eq(err.message, depths[_i].message);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Scanning: the same parse without a tree                           */
/* ---------------------------------------------------------------- */

/* The text of every element named `name`, joined by '|' (as
 * collectText), or a stop at the element named `stop_at`. */
struct scanState {
    const char *name, *stop_at;
    int depth, inside;      /* depth of the open element named `name` */
    int restarts;           /* times the scan started over */
    char text[512];
    char attributes[256];   /* its attributes: name=value; */
};

static int onScanStart(void *user, const xmlChar *localname,
                       const xmlChar *prefix, const xmlChar *uri,
                       int nb_attributes, const xmlChar **attributes)
{
    struct scanState *st = user;
    (void)prefix;
    (void)uri;
    st->depth++;
    if (st->stop_at && strcmp((const char *)localname, st->stop_at) == 0)
        return 1;
    if (st->inside || strcmp((const char *)localname, st->name) != 0)
        return 0;
    st->inside = st->depth;
    if (st->text[0])
        strncat(st->text, "|", sizeof(st->text) - strlen(st->text) - 1);
    for (int i = 0; i < nb_attributes; i++, attributes += 5) {
        size_t n = strlen(st->attributes);
        snprintf(st->attributes + n, sizeof(st->attributes) - n, "%s=%.*s;",
                 (const char *)attributes[0],
                 (int)(attributes[4] - attributes[3]),
                 (const char *)attributes[3]);
    }
    return 0;
}

static int onScanEnd(void *user)
{
    struct scanState *st = user;
    if (st->inside == st->depth--)
        st->inside = 0;
    return 0;
}

static int onScanText(void *user, const xmlChar *s, int len)
{
    struct scanState *st = user;
    size_t n = strlen(st->text);
    if (st->inside && n + (size_t)len < sizeof(st->text)) {
        memcpy(st->text + n, s, (size_t)len);
        st->text[n + (size_t)len] = 0;
    }
    return 0;
}

static int scan(const char *data, size_t len, const char *content_type,
                const struct envelope_limits *limits, struct scanState *st)
{
    struct envelope_scan_handler h = {onScanStart, onScanEnd, onScanText,
                                      NULL, st};
    return envelope_scan(data, len, content_type, limits, &h);
}

static int scanFile(const char *name, const char *content_type,
                    const struct envelope_limits *limits, struct scanState *st)
{
    size_t len = 0;
    char *data = readData(name, &len);
    int rc = scan(data, len, content_type, limits, st);
    free(data);
    return rc;
}

/* Every charset the parse decodes arrives as the same UTF-8 text. */
START_TEST(scan_reads_like_parse)
{
    struct scanState st = {.name = good_responses[_i].element};
    ck_assert_int_eq(scanFile(good_responses[_i].file,
                              good_responses[_i].content_type, NULL, &st), 0);
    ck_assert_str_eq(st.text, good_responses[_i].text);
}
END_TEST

/* What the parse refuses as XML the scan refuses; the SOAP shape is the
 * handler's to judge. */
START_TEST(scan_refuses_like_parse)
{
    struct envelope_limits limits = {bad_responses[_i].max_bytes, 0};
    struct scanState st = {.name = "-"};
    const char *data = bad_responses[_i].data;
    int rc = bad_responses[_i].file
                 ? scanFile(bad_responses[_i].file,
                            bad_responses[_i].content_type, &limits, &st)
                 : scan(data, strlen(data), bad_responses[_i].content_type,
                        &limits, &st);
    ck_assert_int_eq(rc, bad_responses[_i].shape ? 0 : -1);
}
END_TEST

START_TEST(scan_bounds_depth)
{
    struct envelope_limits limits = {0, depths[_i].max_depth};
    struct scanState st = {.name = "-"};
    size_t len;
    char *data = nestedEnvelope(depths[_i].levels, &len);
    ck_assert_int_eq(scan(data, len, NULL, &limits, &st),
                     depths[_i].message ? -1 : 0);
    free(data);
}
END_TEST

/* A handler may stop the scan; attribute values come as libxml2 hands
 * them over, '&' as "&#38;". */
START_TEST(scan_stops_and_hands_over_attributes)
{
    const char *doc = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/"
                      "envelope/\"><s:Body><a k=\"R&amp;D &lt;1&gt;\">x</a>"
                      "<b/><a>y</a></s:Body></s:Envelope>";
    struct scanState st = {.name = "a"};
    ck_assert_int_eq(scan(doc, strlen(doc), NULL, NULL, &st), 0);
    ck_assert_str_eq(st.text, "x|y");
    ck_assert_str_eq(st.attributes, "k=R&#38;D <1>;");
    struct scanState stop = {.name = "a", .stop_at = "b"};
    ck_assert_int_eq(scan(doc, strlen(doc), NULL, NULL, &stop), 1);
    ck_assert_str_eq(stop.text, "x");
}
END_TEST

static void onScanRestart(void *user)
{
    struct scanState *st = user;
    *st = (struct scanState){.name = st->name, .stop_at = st->stop_at,
                             .restarts = st->restarts + 1};
}

/* With a restart callback the scan reads once: xmlscan hands events out
 * as it goes, and when it gives up half-way (a processing instruction,
 * an entity in an attribute) the handler starts over with libxml2's. */
START_TEST(scan_starts_over_when_xmlscan_gives_up)
{
    static const struct {
        const char *doc, *text;
        int restarts;
    } docs[] = {
        {"<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">"
         "<s:Body><a>x</a><?pi here?><a>y</a></s:Body></s:Envelope>",
         "x|y", 1},
        {"<E><a>x</a><a k=\"R&amp;D\">y</a></E>", "x|y", 1},
        {"<E><a>x</a><a>y</a></E>", "x|y", 0},
        {"<E><a>x</a><a>y</a><b>&nbsp;</b></E>", "x|y", 1},  /* refused */
    };
    struct scanState st = {.name = "a"};
    struct envelope_scan_handler h = {onScanStart, onScanEnd, onScanText,
                                      onScanRestart, &st};
    int rc = envelope_scan(docs[_i].doc, strlen(docs[_i].doc), NULL, NULL,
                           &h);
    ck_assert_int_eq(rc, _i == 3 ? -1 : 0);
    ck_assert_int_eq(st.restarts, docs[_i].restarts);
    if (rc == 0)
        ck_assert_str_eq(st.text, docs[_i].text);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Faults                                                            */
/* ---------------------------------------------------------------- */

static const struct {
    const char *file;
    int rc;
    enum envelope_version version;
    const char *code, *subcode, *reason, *actor, *node;
    const char *detail;         /* detail element's name, or NULL */
    const char *message;        /* err.message when rc is -1 */
} faults[] = {
    {"soap11_success.xml", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {"soap11_fault_validation.xml", 1, ENVELOPE_SOAP11, "soap:Client", NULL,
     "Validation failed: 1 error", "http://erp.example.com/OrderService",
     NULL, "detail", NULL},
    {"soap11_fault_qualified.xml", 1, ENVELOPE_SOAP11, "SOAP-ENV:Server",
     NULL, "Database unavailable", NULL, NULL, NULL, NULL},
    {"soap11_fault_malformed.xml", -1, ENVELOPE_SOAP11, NULL, NULL,
     "no code given", NULL, NULL, NULL, "SOAP 1.1 Fault without faultcode"},
    {"soap12_fault_subcode.xml", 1, ENVELOPE_SOAP12, "env:Sender",
     "t:DuplicateTicket", "Ticket already exists",
     "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver",
     "http://tickets.example.com/node2", "Detail", NULL},
    /* no English text: the first one */
    {"soap12_fault_minimal.xml", 1, ENVELOPE_SOAP12, "env:Receiver", NULL,
     "Erreur interne", NULL, NULL, NULL, NULL},
};

static void assertOptionalString(const char *got, const char *want)
{
    if (want)
        ck_assert_str_eq(got ? got : "(null)", want);
    else
        ck_assert_ptr_null(got);
}

START_TEST(find_fault_reads_fields)
{
    struct sb_error err;
    struct envelope_fault fault;
    error_clear(&err);
    xmlDocPtr doc = parseFile(faults[_i].file, NULL, NULL, &err);
    ck_assert_msg(doc != NULL, "%s", err.message);
    ck_assert_int_eq(envelope_find_fault(doc, &fault, &err), faults[_i].rc);
    if (faults[_i].rc != 0)
        ck_assert_int_eq(fault.version, faults[_i].version);
    assertOptionalString(fault.code, faults[_i].code);
    assertOptionalString(fault.subcode, faults[_i].subcode);
    assertOptionalString(fault.reason, faults[_i].reason);
    assertOptionalString(fault.actor, faults[_i].actor);
    assertOptionalString(fault.node, faults[_i].node);
    assertOptionalString(fault.detail ? (const char *)fault.detail->name
                                      : NULL, faults[_i].detail);
    if (faults[_i].message) {
        ck_assert_str_eq(err.code, "upstream_bad_response");
        ck_assert_str_eq(err.message, faults[_i].message);
    }
    envelope_fault_clear(&fault);
    ck_assert_ptr_null(fault.code);
    xmlFreeDoc(doc);
}
END_TEST

START_TEST(fault_detail_points_into_document)
{
    struct sb_error err;
    struct envelope_fault fault;
    char field[64] = "", code[64] = "";
    xmlDocPtr doc = parseFile("soap11_fault_validation.xml", NULL, NULL,
                              &err);
    ck_assert_ptr_nonnull(doc);
    ck_assert_int_eq(envelope_find_fault(doc, &fault, &err), 1);
    ck_assert_ptr_eq(fault.detail->doc, doc);
    collectText(fault.detail, "Field", field, sizeof(field));
    collectText(fault.detail, "Code", code, sizeof(code));
    ck_assert_str_eq(field, "customer.postalCode");
    ck_assert_str_eq(code, "E_POSTAL_FORMAT");
    envelope_fault_clear(&fault);
    xmlFreeDoc(doc);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Building                                                          */
/* ---------------------------------------------------------------- */

/* Nonce 00 01 .. 0f; Base64 "AAECAwQFBgcICQoLDA0ODw==". */
static const unsigned char test_nonce[16] = {0, 1, 2, 3, 4, 5, 6, 7,
                                             8, 9, 10, 11, 12, 13, 14, 15};
#define TEST_CREATED "2026-11-25T06:00:00Z"
#define NS_WSSE_TEST "http://docs.oasis-open.org/wss/2004/01/" \
    "oasis-200401-wss-wssecurity-secext-1.0.xsd"
#define TEST_PASSWORD "pass&<word>"
/* Computed independently with the openssl command line:
 *   (printf '\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f';
 *    printf '%s' '2026-11-25T06:00:00Z' 'pass&<word>') \
 *     | openssl dgst -sha1 -binary | openssl base64
 */
#define TEST_DIGEST "xav76X91z8SfBEf0D+2uXDPnQio="

static const struct envelope_security sec_digest = {
    "alice", TEST_PASSWORD, ENVELOPE_PASSWORD_DIGEST, test_nonce,
    TEST_CREATED};
static const struct envelope_security sec_text = {
    "bob <ops>", TEST_PASSWORD, ENVELOPE_PASSWORD_TEXT, test_nonce,
    TEST_CREATED};
static const struct envelope_addressing wsa_fixed = {
    1, "https://erp.example.com/OrderService?a=1&b=2", NULL,
    "urn:uuid:6f1c2b8e-3d4a-4c5b-9e7f-0a1b2c3d4e5f"};
static const struct envelope_addressing wsa_explicit_action = {
    1, NULL, "urn:example:orders/GetOrderStatus/explicit",
    "urn:uuid:00000000-0000-4000-8000-000000000000"};

static const struct {
    const char *golden;
    struct envelope_request req;
    const char *first_body_child;
} builds[] = {
    {"soap11_plain.xml", {ENVELOPE_SOAP11, "urn:GetOrderStatus", NULL, NULL},
     "GetOrderStatus"},
    {"soap12_plain.xml", {ENVELOPE_SOAP12, "", NULL, NULL},
     "GetOrderStatus"},
    {"soap11_digest_wsa.xml",
     {ENVELOPE_SOAP11, "urn:GetOrderStatus", &sec_digest, &wsa_fixed},
     "GetOrderStatus"},
    {"soap12_digest_wsa.xml",
     {ENVELOPE_SOAP12, "urn:GetOrderStatus", &sec_digest,
      &wsa_explicit_action}, "GetOrderStatus"},
    {"soap12_text.xml",
     {ENVELOPE_SOAP12, "urn:GetOrderStatus", &sec_text, NULL},
     "GetOrderStatus"},
};

static xmlDocPtr readBody(const char *name)
{
    char rel[256];
    size_t len;
    snprintf(rel, sizeof(rel), DATA "%s", name);
    char *data = test_read(rel, &len);
    ck_assert_ptr_nonnull(data);
    xmlDocPtr doc = xmlReadMemory(data, (int)len, NULL, NULL, XML_PARSE_NONET);
    free(data);
    ck_assert_ptr_nonnull(doc);
    return doc;
}

START_TEST(build_matches_golden_and_reparses)
{
    struct sb_error err;
    char golden[256];
    size_t len = 0;
    xmlDocPtr body = readBody("body_order.xml");
    error_clear(&err);
    char *out = envelope_build(&builds[_i].req, body, &len, &err);
    ck_assert_msg(out != NULL, "%s", err.message);
    ck_assert_uint_eq(strlen(out), len);
    snprintf(golden, sizeof(golden), DATA "golden/%s", builds[_i].golden);
    ck_assert(test_golden(golden, out, len));

    xmlDocPtr again = envelope_parse(out, len, NULL, NULL, &err);
    ck_assert_msg(again != NULL, "%s", err.message);
    ck_assert_int_eq(envelope_version_of(again), builds[_i].req.version);
    xmlNodePtr first = xmlFirstElementChild(envelope_body(again));
    ck_assert_str_eq((const char *)first->name, builds[_i].first_body_child);
    ck_assert_str_eq((const char *)first->ns->href, "urn:example:orders");
    xmlFreeDoc(again);
    free(out);
    xmlFreeDoc(body);
}
END_TEST

/* A body written as text between envelope_open and envelope_close gives
 * what envelope_build gives for the same elements as a document. */
START_TEST(open_and_close_match_build)
{
    struct sb_error err;
    size_t la = 0, lb = 0;
    xmlDocPtr body = readBody("body_order.xml");
    char *built = envelope_build(&builds[_i].req, body, &la, &err);
    ck_assert_ptr_nonnull(built);
    const char *start = strstr(built, "<soap:Body>") + strlen("<soap:Body>");
    const char *end = strstr(built, "</soap:Body>");
    struct strbuf out;
    strbuf_init(&out);
    ck_assert_int_eq(envelope_open(&builds[_i].req, &out, &err), 0);
    strbuf_append(&out, start, (size_t)(end - start));
    char *written = envelope_close(&out, &lb, &err);
    ck_assert_ptr_nonnull(written);
    ck_assert_uint_eq(la, lb);
    ck_assert_str_eq(written, built);
    ck_assert_ptr_null(out.data);
    free(written);
    free(built);
    xmlFreeDoc(body);
}
END_TEST

START_TEST(declares_the_envelope_namespaces)
{
    struct envelope_request plain = {ENVELOPE_SOAP11, "", NULL, NULL};
    struct envelope_request secure = {ENVELOPE_SOAP12, "", &sec_digest, NULL};
    const char *soap11 = "http://schemas.xmlsoap.org/soap/envelope/";
    const char *soap12 = "http://www.w3.org/2003/05/soap-envelope";
    ck_assert(envelope_declares(&plain, "soap", soap11));
    ck_assert(!envelope_declares(&plain, "soap", soap12));
    ck_assert(!envelope_declares(&plain, "s", soap11));
    ck_assert(!envelope_declares(&plain, NULL, soap11));
    ck_assert(!envelope_declares(&plain, "wsse", NS_WSSE_TEST));
    ck_assert(envelope_declares(&secure, "soap", soap12));
    ck_assert(envelope_declares(&secure, "wsse", NS_WSSE_TEST));

    struct sb_error err;
    struct strbuf out;
    strbuf_init(&out);
    struct envelope_request bad = {10, "", NULL, NULL};
    ck_assert_int_eq(envelope_open(&bad, &out, &err), -1);
    ck_assert_str_eq(err.code, "internal");
    strbuf_free(&out);
}
END_TEST

START_TEST(build_digest_matches_independent_value)
{
    struct sb_error err;
    size_t len;
    struct envelope_request req = {ENVELOPE_SOAP11, "", &sec_digest, NULL};
    xmlDocPtr body = readBody("body_order.xml");
    char *out = envelope_build(&req, body, &len, &err);
    ck_assert_ptr_nonnull(out);
    ck_assert_ptr_nonnull(strstr(out, "#PasswordDigest\">" TEST_DIGEST
                                 "</wsse:Password>"));
    ck_assert_ptr_nonnull(strstr(out, ">AAECAwQFBgcICQoLDA0ODw==<"));
    ck_assert_ptr_nonnull(strstr(out, "soap:mustUnderstand=\"1\""));
    free(out);
    xmlFreeDoc(body);
}
END_TEST

/* Text between two markers of out, into buf. */
static void between(const char *out, const char *start, const char *end,
                    char *buf, size_t size)
{
    const char *a = strstr(out, start);
    ck_assert_msg(a != NULL, "no %s", start);
    a += strlen(start);
    const char *b = strstr(a, end);
    ck_assert_msg(b != NULL && (size_t)(b - a) < size, "no %s", end);
    memcpy(buf, a, (size_t)(b - a));
    buf[b - a] = 0;
}

START_TEST(build_random_nonce_time_and_uuid)
{
    struct sb_error err;
    size_t len;
    struct envelope_security sec = {"alice", "pw", ENVELOPE_PASSWORD_DIGEST,
                                    NULL, NULL};
    struct envelope_addressing wsa = {1, NULL, NULL, NULL};
    struct envelope_request req = {ENVELOPE_SOAP12, "urn:a", &sec, &wsa};
    char nonce[2][64], created[64], id[2][64];
    xmlDocPtr body = readBody("body_order.xml");
    for (int i = 0; i < 2; i++) {
        char *out = envelope_build(&req, body, &len, &err);
        ck_assert_ptr_nonnull(out);
        between(out, "#Base64Binary\">", "<", nonce[i], sizeof(nonce[i]));
        between(out, "<wsu:Created>", "<", created, sizeof(created));
        between(out, "<wsa:MessageID>", "<", id[i], sizeof(id[i]));
        free(out);
    }
    ck_assert_uint_eq(strlen(nonce[0]), 24);
    ck_assert_str_ne(nonce[0], nonce[1]);
    /* 2026-11-25T06:00:00Z */
    ck_assert_uint_eq(strlen(created), 20);
    ck_assert(created[4] == '-' && created[10] == 'T' && created[19] == 'Z');
    /* urn:uuid:xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx */
    ck_assert_uint_eq(strlen(id[0]), 45);
    ck_assert(strncmp(id[0], "urn:uuid:", 9) == 0);
    ck_assert_int_eq(id[0][9 + 14], '4');
    ck_assert_ptr_nonnull(strchr("89ab", id[0][9 + 19]));
    ck_assert_str_ne(id[0], id[1]);
    xmlFreeDoc(body);
}
END_TEST

/* Namespace handling of body children: each declares what it uses,
 * nothing more, and nothing dangles. */
static const struct {
    const char *body;
    const char *soap_body;      /* expected content of soap:Body */
} namespace_cases[] = {
    {"<w xmlns=\"urn:d\"><A a=\"1\"><B/></A><C/></w>",
     "<A xmlns=\"urn:d\" a=\"1\"><B/></A><C xmlns=\"urn:d\"/>"},
    /* the wrapper's "soap" is not the envelope's */
    {"<w xmlns:soap=\"urn:not-soap\"><soap:Thing/></w>",
     "<soap:Thing xmlns:soap=\"urn:not-soap\"/>"},
    /* same prefix and namespace as the envelope: nothing to add */
    {"<w xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">"
     "<soap:Thing/></w>", "<soap:Thing/>"},
    /* xml: is never declared; an unused wrapper namespace is dropped */
    {"<w xmlns:u=\"urn:unused\" xmlns:p=\"urn:p\"><p:T xml:lang=\"de\">"
     "Gr\xc3\xbc\xc3\x9f" "e</p:T></w>",
     "<p:T xmlns:p=\"urn:p\" xml:lang=\"de\">Gr\xc3\xbc\xc3\x9f" "e</p:T>"},
    /* declarations the child makes itself stay where they are */
    {"<w><p:T xmlns:p=\"urn:p\"><p:U/></p:T></w>",
     "<p:T xmlns:p=\"urn:p\"><p:U/></p:T>"},
    {"<w/>", ""},
    {"<w>text only</w>", ""},
};

START_TEST(build_declares_namespaces_exactly)
{
    struct sb_error err;
    size_t len;
    char want[1024];
    struct envelope_request req = {ENVELOPE_SOAP11, "", NULL, NULL};
    const char *xml = namespace_cases[_i].body;
    xmlDocPtr body = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, 0);
    ck_assert_ptr_nonnull(body);
    char *out = envelope_build(&req, body, &len, &err);
    ck_assert_ptr_nonnull(out);
    snprintf(want, sizeof(want), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
             "\n<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/"
             "envelope/\"><soap:Body>%s</soap:Body></soap:Envelope>",
             namespace_cases[_i].soap_body);
    ck_assert_str_eq(out, want);
    xmlDocPtr again = envelope_parse(out, len, NULL, NULL, &err);
    ck_assert_msg(again != NULL, "%s", err.message);
    xmlFreeDoc(again);
    free(out);
    xmlFreeDoc(body);
}
END_TEST

/* A tree built by API whose namespace pointer disagrees with the
 * declaration in scope takes the clone path and still comes out right. */
START_TEST(build_repairs_inconsistent_tree)
{
    struct sb_error err;
    size_t len;
    struct envelope_request req = {ENVELOPE_SOAP12, "", NULL, NULL};
    const char *xml = "<w xmlns:p=\"urn:a\"><p:c xmlns:p=\"urn:b\"/></w>";
    xmlDocPtr body = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, 0);
    xmlNodePtr wrapper = xmlDocGetRootElement(body);
    xmlNodePtr child = xmlFirstElementChild(wrapper);
    xmlNewChild(child, wrapper->nsDef, BAD_CAST "x", BAD_CAST "1");
    char *out = envelope_build(&req, body, &len, &err);
    ck_assert_ptr_nonnull(out);
    xmlDocPtr again = envelope_parse(out, len, NULL, NULL, &err);
    ck_assert_msg(again != NULL, "%s: %s", err.message, out);
    xmlNodePtr c = xmlFirstElementChild(envelope_body(again));
    xmlNodePtr x = xmlFirstElementChild(c);
    ck_assert_str_eq((const char *)c->ns->href, "urn:b");
    ck_assert_str_eq((const char *)x->name, "x");
    ck_assert_str_eq((const char *)x->ns->href, "urn:a");
    xmlFreeDoc(again);
    free(out);
    xmlFreeDoc(body);
}
END_TEST

START_TEST(build_errors)
{
    struct sb_error err;
    size_t len;
    struct envelope_addressing wsa = {1, "http://x", NULL, NULL};
    struct envelope_request no_action = {ENVELOPE_SOAP11, "", NULL, &wsa};
    struct envelope_request bad_version = {10, "", NULL, NULL};
    xmlDocPtr body = readBody("body_order.xml");
    xmlDocPtr empty = xmlNewDoc(BAD_CAST "1.0");

    ck_assert_ptr_null(envelope_build(&no_action, body, &len, &err));
    ck_assert_str_eq(err.message, "WS-Addressing is enabled but the "
                     "operation has no action");
    ck_assert_ptr_null(envelope_build(&bad_version, body, &len, &err));
    ck_assert_str_eq(err.code, "internal");
    ck_assert_ptr_null(envelope_build(&builds[0].req, empty, &len, &err));
    ck_assert_str_eq(err.message, "envelope_build: the body document has "
                     "no root element");
    xmlFreeDoc(empty);
    xmlFreeDoc(body);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Content-Type                                                      */
/* ---------------------------------------------------------------- */

static const struct {
    struct envelope_request req;
    const char *want;
} content_types[] = {
    {{ENVELOPE_SOAP11, "urn:a", NULL, NULL}, "text/xml; charset=utf-8"},
    {{ENVELOPE_SOAP12, "urn:example:orders/Get", NULL, NULL},
     "application/soap+xml; charset=utf-8; "
     "action=\"urn:example:orders/Get\""},
    {{ENVELOPE_SOAP12, "", NULL, NULL},
     "application/soap+xml; charset=utf-8"},
    {{ENVELOPE_SOAP12, NULL, NULL, NULL},
     "application/soap+xml; charset=utf-8"},
    {{ENVELOPE_SOAP12, "a\"b", NULL, NULL},
     "application/soap+xml; charset=utf-8; action=\"a\\\"b\""},
};

START_TEST(content_type_as_documented)
{
    char buf[256];
    ck_assert_str_eq(envelope_content_type(&content_types[_i].req, buf,
                                           sizeof(buf)),
                     content_types[_i].want);
}
END_TEST

START_TEST(content_type_truncates_safely)
{
    char buf[12];
    struct envelope_request req = {ENVELOPE_SOAP12, "urn:long-action",
                                   NULL, NULL};
    ck_assert_str_eq(envelope_content_type(&req, buf, sizeof(buf)),
                     "application");
}
END_TEST

#define ROWS(table) (int)(sizeof(table) / sizeof(table[0]))

Suite *envelope_suite(void)
{
    Suite *s = suite_create("envelope");
    TCase *parse = tcase_create("parse");
    tcase_add_unchecked_fixture(parse, setupLibxml, NULL);
    tcase_add_loop_test(parse, parse_decodes_charsets, 0,
                        ROWS(good_responses));
    tcase_add_loop_test(parse, parse_refuses_bad_responses, 0,
                        ROWS(bad_responses));
    tcase_add_loop_test(parse, parse_bounds_depth, 0, ROWS(depths));
    tcase_add_loop_test(parse, scan_reads_like_parse, 0,
                        ROWS(good_responses));
    tcase_add_loop_test(parse, scan_refuses_like_parse, 0,
                        ROWS(bad_responses));
    tcase_add_loop_test(parse, scan_bounds_depth, 0, ROWS(depths));
    tcase_add_test(parse, scan_stops_and_hands_over_attributes);
    tcase_add_loop_test(parse, scan_starts_over_when_xmlscan_gives_up, 0, 4);
    suite_add_tcase(s, parse);

    TCase *fault = tcase_create("fault");
    tcase_add_unchecked_fixture(fault, setupLibxml, NULL);
    tcase_add_loop_test(fault, find_fault_reads_fields, 0, ROWS(faults));
    tcase_add_test(fault, fault_detail_points_into_document);
    suite_add_tcase(s, fault);

    TCase *build = tcase_create("build");
    tcase_add_unchecked_fixture(build, setupLibxml, NULL);
    tcase_add_loop_test(build, build_matches_golden_and_reparses, 0,
                        ROWS(builds));
    tcase_add_loop_test(build, open_and_close_match_build, 0, ROWS(builds));
    tcase_add_test(build, declares_the_envelope_namespaces);
    tcase_add_test(build, build_digest_matches_independent_value);
    tcase_add_test(build, build_random_nonce_time_and_uuid);
    tcase_add_loop_test(build, build_declares_namespaces_exactly, 0,
                        ROWS(namespace_cases));
    tcase_add_test(build, build_repairs_inconsistent_tree);
    tcase_add_test(build, build_errors);
    tcase_add_loop_test(build, content_type_as_documented, 0,
                        ROWS(content_types));
    tcase_add_test(build, content_type_truncates_safely);
    suite_add_tcase(s, build);
    return s;
}
