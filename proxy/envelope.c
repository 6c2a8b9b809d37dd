/*
 * envelope: SOAP 1.1 / 1.2 request envelopes, safe response parsing and
 * fault detection (see envelope.h).
 *
 * Building runs on every upstream call, so it does not build a new tree:
 * the envelope's start tags are written as bytes into a strbuf (where a
 * native plan writes its body too) and each body child of a stylesheet's
 * document is serialized in place with xmlNodeDumpOutput. The one thing a subtree
 * dump cannot do is declare the namespaces the child inherits from the
 * wrapper (where XSLT puts them), so those declarations are written on the
 * child's start tag by hand; only an inconsistent tree falls back to a
 * clone with xmlDOMWrapCloneNode.
 */
#include "envelope.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlerror.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "strbuf.h"
#include "xmlscan.h"

#define NS_SOAP11 "http://schemas.xmlsoap.org/soap/envelope/"
#define NS_SOAP12 "http://www.w3.org/2003/05/soap-envelope"
#define NS_WSSE "http://docs.oasis-open.org/wss/2004/01/" \
    "oasis-200401-wss-wssecurity-secext-1.0.xsd"
#define NS_WSU "http://docs.oasis-open.org/wss/2004/01/" \
    "oasis-200401-wss-wssecurity-utility-1.0.xsd"
#define NS_WSA "http://www.w3.org/2005/08/addressing"
#define NS_XSI "http://www.w3.org/2001/XMLSchema-instance"
#define WSS_TOKEN_PROFILE "http://docs.oasis-open.org/wss/2004/01/" \
    "oasis-200401-wss-username-token-profile-1.0"
#define WSS_BASE64 "http://docs.oasis-open.org/wss/2004/01/" \
    "oasis-200401-wss-soap-message-security-1.0#Base64Binary"

#define CODE_BAD_RESPONSE "upstream_bad_response"
#define DEFAULT_MAX_BYTES ((size_t)16 * 1024 * 1024)
#define DEFAULT_MAX_DEPTH 256
/* libxml2 refuses deeper documents unless XML_PARSE_HUGE is set. */
#define LIBXML_DEPTH_LIMIT 256
#define NONCE_BYTES 16
#define HTML_PREVIEW_BYTES 60
/* Namespaces one body child may inherit from outside itself; more than
 * this is unusual enough to take the (slower) clone path. */
#define INHERITED_NS_MAX 32
#define OUTER_NS_MAX 4

/* ------------------------------------------------------------------ */
/* Output helpers                                                      */
/* ------------------------------------------------------------------ */

static void writeText(struct strbuf *out, const char *s)
{
    strbuf_puts(out, s);
}

/* Character data, escaped as libxml2 escapes a text node. */
static void writeEscaped(struct strbuf *out, const char *s)
{
    strbuf_put_xml_text(out, s ? s : "");
}

static void writeNsDecl(struct strbuf *out, const xmlChar *prefix,
                        const xmlChar *href)
{
    writeText(out, " xmlns");
    if (prefix) {
        writeText(out, ":");
        writeText(out, (const char *)prefix);
    }
    writeText(out, "=\"");
    strbuf_put_xml(out, (const char *)href);
    writeText(out, "\"");
}

static void writeQName(struct strbuf *out, xmlNodePtr node)
{
    if (node->ns && node->ns->prefix) {
        writeText(out, (const char *)node->ns->prefix);
        writeText(out, ":");
    }
    writeText(out, (const char *)node->name);
}

/* ------------------------------------------------------------------ */
/* Header blocks                                                       */
/* ------------------------------------------------------------------ */

static void base64(const unsigned char *in, size_t n, char *out)
{
    EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

static void formatNow(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* UsernameToken Profile 1.0, 3.1: Password_Digest =
 * Base64(SHA-1(nonce + created + password)), nonce as raw bytes. */
static int passwordDigest(const unsigned char *nonce, const char *created,
                          const char *password, char *out,
                          struct sb_error *err)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 &&
             EVP_DigestUpdate(ctx, nonce, NONCE_BYTES) == 1 &&
             EVP_DigestUpdate(ctx, created, strlen(created)) == 1 &&
             EVP_DigestUpdate(ctx, password, strlen(password)) == 1 &&
             EVP_DigestFinal_ex(ctx, md, &md_len) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return error_set(err, "internal", "SHA-1 for the password digest "
                         "failed");
    base64(md, md_len, out);
    return 0;
}

static int writeSecurity(struct strbuf *out,
                         const struct envelope_request *req,
                         struct sb_error *err)
{
    const struct envelope_security *sec = req->security;
    const char *password = sec->password ? sec->password : "";
    unsigned char nonce[NONCE_BYTES];
    char created[64], nonce64[32], digest64[64];
    int digest = sec->password_type == ENVELOPE_PASSWORD_DIGEST;

    if (sec->nonce)
        memcpy(nonce, sec->nonce, NONCE_BYTES);
    else if (RAND_bytes(nonce, NONCE_BYTES) != 1)
        return error_set(err, "internal", "no random bytes for the "
                         "WS-Security nonce");
    if (sec->created)
        snprintf(created, sizeof(created), "%s", sec->created);
    else
        formatNow(created, sizeof(created));
    base64(nonce, NONCE_BYTES, nonce64);
    if (digest && passwordDigest(nonce, created, password, digest64,
                                 err) < 0)
        return -1;

    writeText(out, "<wsse:Security soap:mustUnderstand=\"");
    writeText(out, req->version == ENVELOPE_SOAP12 ? "true" : "1");
    writeText(out, "\"><wsse:UsernameToken><wsse:Username>");
    writeEscaped(out, sec->username);
    writeText(out, "</wsse:Username><wsse:Password Type=\""
              WSS_TOKEN_PROFILE);
    writeText(out, digest ? "#PasswordDigest\">" : "#PasswordText\">");
    writeEscaped(out, digest ? digest64 : password);
    writeText(out, "</wsse:Password><wsse:Nonce EncodingType=\""
              WSS_BASE64 "\">");
    writeText(out, nonce64);
    writeText(out, "</wsse:Nonce><wsu:Created>");
    writeEscaped(out, created);
    writeText(out, "</wsu:Created></wsse:UsernameToken></wsse:Security>");
    return 0;
}

/* RFC 4122 4.4: random bits with version 4 and the RFC 4122 variant. */
static int randomUuidUrn(char *buf, size_t size, struct sb_error *err)
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof(b)) != 1)
        return error_set(err, "internal", "no random bytes for the "
                         "WS-Addressing MessageID");
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(buf, size, "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
             b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
    return 0;
}

static int writeAddressing(struct strbuf *out,
                           const struct envelope_request *req,
                           struct sb_error *err)
{
    const struct envelope_addressing *wsa = req->addressing;
    const char *action = wsa->action ? wsa->action : req->soap_action;
    char uuid[64];
    const char *id = wsa->message_id;

    /* WS-Addressing 1.0 Core 3.1: wsa:Action is required. */
    if (!action || !action[0])
        return error_set(err, "internal", "WS-Addressing is enabled but "
                         "the operation has no action");
    if (!id) {
        if (randomUuidUrn(uuid, sizeof(uuid), err) < 0)
            return -1;
        id = uuid;
    }
    if (wsa->to && wsa->to[0]) {
        writeText(out, "<wsa:To>");
        writeEscaped(out, wsa->to);
        writeText(out, "</wsa:To>");
    }
    writeText(out, "<wsa:Action>");
    writeEscaped(out, action);
    writeText(out, "</wsa:Action><wsa:MessageID>");
    writeEscaped(out, id);
    writeText(out, "</wsa:MessageID>");
    return 0;
}

/* ------------------------------------------------------------------ */
/* Body children and their inherited namespaces                        */
/* ------------------------------------------------------------------ */

struct nsPair {
    const xmlChar *prefix;  /* NULL = default namespace */
    const xmlChar *href;
};

/* Namespaces a body child uses but does not declare itself. */
struct inheritedNs {
    struct nsPair item[INHERITED_NS_MAX];
    size_t n;
    int needs_clone;    /* masked, conflicting or too many: clone instead */
    const struct nsPair *outer;  /* declared on soap:Envelope */
    size_t n_outer;
};

/* 1: prefix bound to href between node and top; -1: bound to another
 * namespace there (an inconsistent tree); 0: not declared inside. */
static int declaredWithin(xmlNodePtr node, xmlNodePtr top,
                          const xmlChar *prefix, const xmlChar *href)
{
    for (xmlNodePtr n = node; n; n = n->parent) {
        for (xmlNsPtr d = n->nsDef; d; d = d->next)
            if (xmlStrEqual(d->prefix, prefix))
                return xmlStrEqual(d->href, href) ? 1 : -1;
        if (n == top)
            break;
    }
    return 0;
}

static int declaredOuter(const struct inheritedNs *in, const xmlChar *prefix,
                         const xmlChar *href)
{
    for (size_t i = 0; i < in->n_outer; i++)
        if (xmlStrEqual(in->outer[i].prefix, prefix) &&
            xmlStrEqual(in->outer[i].href, href))
            return 1;
    return 0;
}

static void noteNs(struct inheritedNs *in, xmlNodePtr node, xmlNodePtr top,
                   const xmlChar *prefix, const xmlChar *href)
{
    if (prefix && xmlStrEqual(prefix, BAD_CAST "xml"))
        return;
    int within = declaredWithin(node, top, prefix, href);
    if (within != 0) {
        in->needs_clone |= within < 0;
        return;
    }
    if (declaredOuter(in, prefix, href))
        return;
    for (size_t i = 0; i < in->n; i++) {
        if (xmlStrEqual(in->item[i].prefix, prefix)) {
            in->needs_clone |= !xmlStrEqual(in->item[i].href, href);
            return;
        }
    }
    if (in->n == INHERITED_NS_MAX) {
        in->needs_clone = 1;
        return;
    }
    in->item[in->n].prefix = prefix;
    in->item[in->n].href = href;
    in->n++;
}

/* xsi:type="tns:OrderType" names a namespace in an attribute value; it
 * must stay declared even if no element or attribute name uses it. */
static void noteXsiType(struct inheritedNs *in, xmlAttrPtr attr,
                        xmlNodePtr top)
{
    if (!attr->ns || !xmlStrEqual(attr->ns->href, BAD_CAST NS_XSI) ||
        !xmlStrEqual(attr->name, BAD_CAST "type") || !attr->children ||
        attr->children->next || !attr->children->content)
        return;
    const xmlChar *value = attr->children->content;
    const xmlChar *colon = xmlStrchr(value, ':');
    xmlChar prefix[64];
    if (!colon || colon == value || (size_t)(colon - value) >= sizeof(prefix))
        return;
    memcpy(prefix, value, (size_t)(colon - value));
    prefix[colon - value] = 0;
    xmlNsPtr ns = xmlSearchNs(attr->doc, attr->parent, prefix);
    if (ns)
        noteNs(in, attr->parent, top, ns->prefix, ns->href);
}

static void noteElement(struct inheritedNs *in, xmlNodePtr el,
                        xmlNodePtr top)
{
    if (el->ns)
        noteNs(in, el, top, el->ns->prefix, el->ns->href);
    for (xmlAttrPtr a = el->properties; a; a = a->next) {
        if (a->ns)
            noteNs(in, el, top, a->ns->prefix, a->ns->href);
        noteXsiType(in, a, top);
    }
}

/* Walk the element subtree of top without recursion. */
static void collectInherited(struct inheritedNs *in, xmlNodePtr top)
{
    xmlNodePtr cur = top;
    for (;;) {
        if (cur->type == XML_ELEMENT_NODE) {
            noteElement(in, cur, top);
            if (cur->children) {
                cur = cur->children;
                continue;
            }
        }
        while (cur != top && !cur->next)
            cur = cur->parent;
        if (cur == top)
            return;
        cur = cur->next;
    }
}

static int appendOutput(void *context, const char *buf, int len)
{
    strbuf_append(context, buf, (size_t)len);
    return len;
}

/* libxml2's serialization of node, appended to the strbuf that is dump's
 * context (flushed, so that the next bytes written there follow it). */
static void dumpNode(xmlOutputBufferPtr dump, xmlDocPtr doc, xmlNodePtr node)
{
    xmlNodeDumpOutput(dump, doc, node, 0, 0, "UTF-8");
    xmlOutputBufferFlush(dump);
}

/* The child's start tag by hand (its own declarations plus the inherited
 * ones), then its content and end tag through libxml2. */
static void writeWithInherited(struct strbuf *out, xmlOutputBufferPtr dump,
                               xmlDocPtr doc, xmlNodePtr child,
                               const struct inheritedNs *in)
{
    writeText(out, "<");
    writeQName(out, child);
    for (size_t i = 0; i < in->n; i++)
        writeNsDecl(out, in->item[i].prefix, in->item[i].href);
    for (xmlNsPtr d = child->nsDef; d; d = d->next)
        writeNsDecl(out, d->prefix, d->href);
    for (xmlAttrPtr a = child->properties; a; a = a->next)
        dumpNode(dump, doc, (xmlNodePtr)a);
    if (!child->children) {
        writeText(out, "/>");
        return;
    }
    writeText(out, ">");
    for (xmlNodePtr c = child->children; c; c = c->next)
        dumpNode(dump, doc, c);
    writeText(out, "</");
    writeQName(out, child);
    writeText(out, ">");
}

/* Slow path for trees whose namespace pointers disagree with their
 * declarations (built by API, not parsed): the DOM-wrap clone maps
 * namespaces by pointer and declares what the copy needs on its root. */
static int writeCloned(xmlOutputBufferPtr dump, xmlDocPtr doc,
                       xmlNodePtr child, struct sb_error *err)
{
    xmlDocPtr scratch = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr copy = NULL;
    if (!scratch ||
        xmlDOMWrapCloneNode(NULL, doc, child, &copy, scratch, NULL, 1, 0) ||
        !copy) {
        xmlFreeDoc(scratch);
        return error_set(err, "internal", "cannot copy body element %s",
                         (const char *)child->name);
    }
    xmlDocSetRootElement(scratch, copy);
    xmlDOMWrapReconcileNamespaces(NULL, copy, 0);
    dumpNode(dump, scratch, copy);
    xmlFreeDoc(scratch);
    return 0;
}

static int writeBodyChild(struct strbuf *out, xmlOutputBufferPtr dump,
                          xmlDocPtr doc, xmlNodePtr child,
                          const struct nsPair *outer,
                          size_t n_outer, struct sb_error *err)
{
    struct inheritedNs in;
    in.n = 0;
    in.needs_clone = 0;
    in.outer = outer;
    in.n_outer = n_outer;
    collectInherited(&in, child);
    if (in.needs_clone)
        return writeCloned(dump, doc, child, err);
    if (in.n == 0)
        dumpNode(dump, doc, child);
    else
        writeWithInherited(out, dump, doc, child, &in);
    return 0;
}

/* ------------------------------------------------------------------ */
/* envelope_open, envelope_close, envelope_build                       */
/* ------------------------------------------------------------------ */

/* The namespaces soap:Envelope declares for req. */
static size_t outerNamespaces(const struct envelope_request *req,
                              struct nsPair *outer)
{
    size_t n = 0;
    outer[n++] = (struct nsPair){BAD_CAST "soap", BAD_CAST(
        req->version == ENVELOPE_SOAP12 ? NS_SOAP12 : NS_SOAP11)};
    if (req->security && req->security->username) {
        outer[n++] = (struct nsPair){BAD_CAST "wsse", BAD_CAST NS_WSSE};
        outer[n++] = (struct nsPair){BAD_CAST "wsu", BAD_CAST NS_WSU};
    }
    if (req->addressing && req->addressing->enabled)
        outer[n++] = (struct nsPair){BAD_CAST "wsa", BAD_CAST NS_WSA};
    return n;
}

int envelope_declares(const struct envelope_request *req, const char *prefix,
                      const char *href)
{
    struct nsPair outer[OUTER_NS_MAX];
    struct inheritedNs in = {.outer = outer,
                             .n_outer = outerNamespaces(req, outer)};
    return declaredOuter(&in, BAD_CAST prefix, BAD_CAST href);
}

static int writeHeader(struct strbuf *out,
                       const struct envelope_request *req,
                       struct sb_error *err)
{
    int security = req->security && req->security->username;
    int addressing = req->addressing && req->addressing->enabled;
    if (!security && !addressing)
        return 0;
    writeText(out, "<soap:Header>");
    if (security && writeSecurity(out, req, err) < 0)
        return -1;
    if (addressing && writeAddressing(out, req, err) < 0)
        return -1;
    writeText(out, "</soap:Header>");
    return 0;
}

int envelope_open(const struct envelope_request *req, struct strbuf *out,
                  struct sb_error *err)
{
    if (!req || (req->version != ENVELOPE_SOAP11 &&
                 req->version != ENVELOPE_SOAP12))
        return error_set(err, "internal", "envelope_open: bad request or "
                         "SOAP version");
    struct nsPair outer[OUTER_NS_MAX];
    size_t n = outerNamespaces(req, outer);
    writeText(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<soap:Envelope");
    for (size_t i = 0; i < n; i++)
        writeNsDecl(out, outer[i].prefix, outer[i].href);
    writeText(out, ">");
    if (writeHeader(out, req, err) < 0)
        return -1;
    writeText(out, "<soap:Body>");
    return 0;
}

char *envelope_close(struct strbuf *out, size_t *len, struct sb_error *err)
{
    writeText(out, "</soap:Body></soap:Envelope>");
    char *envelope = strbuf_detach(out, len);
    if (!envelope)
        error_set(err, "internal", "out of memory for an envelope");
    return envelope;
}

/* soap:Body holds element information items only (SOAP 1.2 part 1,
 * 5.3); text and comments between the wrapper's children are dropped. */
char *envelope_build(const struct envelope_request *req, xmlDocPtr body,
                     size_t *len, struct sb_error *err)
{
    xmlNodePtr wrapper = body ? xmlDocGetRootElement(body) : NULL;
    if (!wrapper) {
        error_set(err, "internal", "envelope_build: the body document has "
                  "no root element");
        return NULL;
    }
    struct strbuf out;
    strbuf_init(&out);
    xmlOutputBufferPtr dump = xmlOutputBufferCreateIO(appendOutput, NULL,
                                                      &out, NULL);
    if (!dump) {
        error_set(err, "internal", "out of memory for an envelope");
        return NULL;
    }
    int failed = envelope_open(req, &out, err) < 0;
    struct nsPair outer[OUTER_NS_MAX];
    size_t n_outer = req ? outerNamespaces(req, outer) : 0;
    for (xmlNodePtr c = wrapper->children; c && !failed; c = c->next)
        failed = c->type == XML_ELEMENT_NODE &&
                 writeBodyChild(&out, dump, body, c, outer, n_outer, err) < 0;
    if (xmlOutputBufferClose(dump) < 0 && !failed) {
        failed = 1;
        error_set(err, "internal", "libxml2 could not serialize the body");
    }
    if (!failed)
        return envelope_close(&out, len, err);
    strbuf_free(&out);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* envelope_content_type                                               */
/* ------------------------------------------------------------------ */

/* s at *at in buf, cut to size; with quoted, '"' and '\' escaped with
 * '\' (RFC 9110 5.6.4 quoted-string). */
static void appendText(char *buf, size_t size, size_t *at, const char *s,
                       int quoted)
{
    for (; *s; s++) {
        int escape = quoted && (*s == '"' || *s == '\\');
        if (*at + 1 + (size_t)escape >= size)
            break;
        if (escape)
            buf[(*at)++] = '\\';
        buf[(*at)++] = *s;
    }
    buf[*at] = 0;
}

const char *envelope_content_type(const struct envelope_request *req,
                                  char *buf, size_t size)
{
    if (!buf || size == 0)
        return buf;
    size_t at = 0;
    buf[0] = 0;
    if (!req || req->version != ENVELOPE_SOAP12) {
        appendText(buf, size, &at, "text/xml; charset=utf-8", 0);
        return buf;
    }
    appendText(buf, size, &at, "application/soap+xml; charset=utf-8", 0);
    const char *action = req->soap_action;
    if (!action || !action[0] || at + 10 >= size)
        return buf;
    appendText(buf, size, &at, "; action=\"", 0);
    appendText(buf, size, &at, action, 1);
    if (at + 1 < size) {
        buf[at++] = '"';
        buf[at] = 0;
    }
    return buf;
}

/* ------------------------------------------------------------------ */
/* envelope_parse: pre-checks on the raw bytes                         */
/* ------------------------------------------------------------------ */

static int isSpace(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t skipSpace(const char *data, size_t len, size_t at)
{
    while (at < len && isSpace((unsigned char)data[at]))
        at++;
    return at;
}

static int startsWithNoCase(const char *data, size_t len, const char *word)
{
    size_t n = strlen(word);
    return len >= n && strncasecmp(data, word, n) == 0;
}

/* Where the content starts: after a UTF-8 byte order mark and white
 * space. */
static size_t contentStart(const char *data, size_t len)
{
    size_t at = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        at = 3;
    return skipSpace(data, len, at);
}

/* A gateway's or app server's error page, not a SOAP answer. */
static int looksLikeHtml(const char *data, size_t len)
{
    size_t at = contentStart(data, len);
    return startsWithNoCase(data + at, len - at, "<!doctype html") ||
           startsWithNoCase(data + at, len - at, "<html");
}

/* The first bytes as printable ASCII on one line, for a message. */
static void previewBytes(const char *data, size_t len, char *buf,
                         size_t size)
{
    size_t start = contentStart(data, len), n = 0;
    size_t end = len - start > HTML_PREVIEW_BYTES ? start + HTML_PREVIEW_BYTES
                                                  : len;
    for (size_t at = start; at < end && n + 1 < size; at++) {
        unsigned char c = (unsigned char)data[at];
        char out = c < 0x20 ? ' ' : c >= 0x7f ? '?' : (char)c;
        if (out == ' ' && n > 0 && buf[n - 1] == ' ')
            continue;
        buf[n++] = out;
    }
    buf[n] = 0;
}

/* The charset parameter of a Content-Type value, unquoted, into buf;
 * 0 if there is none or it holds characters no charset name has. */
static int contentTypeCharset(const char *content_type, char *buf,
                              size_t size)
{
    const char *p = content_type;
    while ((p = strchr(p, ';')) != NULL) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "charset", 7) != 0)
            continue;
        p += 7;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p++ != '=')
            continue;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '"')
            p++;
        size_t n = strcspn(p, "\"; \t");
        if (n == 0 || n >= size)
            return 0;
        for (size_t i = 0; i < n; i++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                        "0123456789-_.:+()", p[i]))
                return 0;
        memcpy(buf, p, n);
        buf[n] = 0;
        return 1;
    }
    return 0;
}

/* The encoding the document names, by its byte-order mark or its XML
 * declaration, copied to name ("" when it names none). */
static void namedEncoding(const char *data, size_t len, char *name,
                          size_t size)
{
    name[0] = '\0';
    if ((len >= 2 && (memcmp(data, "\xFF\xFE", 2) == 0 ||
                      memcmp(data, "\xFE\xFF", 2) == 0))) {
        snprintf(name, size, "UTF-16");
        return;
    }
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        snprintf(name, size, "UTF-8");
        return;
    }
    if (len < 5 || memcmp(data, "<?xml", 5) != 0)
        return;
    size_t limit = len < 256 ? len : 256, i;
    for (i = 5; i + 8 <= limit; i++) {
        if (data[i] == '?' && data[i + 1] == '>')
            return;
        if (memcmp(data + i, "encoding", 8) == 0)
            break;
    }
    for (i += 8; i < limit && strchr(" \t\r\n=", data[i]); i++)
        ;
    if (i >= limit || (data[i] != '"' && data[i] != '\''))
        return;
    char quote = data[i++];
    size_t n = 0;
    while (i < limit && data[i] != quote && n + 1 < size)
        name[n++] = data[i++];
    name[n] = '\0';
    if (!name[0])   /* encoding="" still names one: libxml2 refuses it */
        snprintf(name, size, "?");
}

/* Does the document say its own encoding? Then libxml2 decodes it and
 * the HTTP charset is not used (envelope.h). */
static int documentNamesEncoding(const char *data, size_t len)
{
    char name[64];
    namedEncoding(data, len, name, sizeof(name));
    return name[0] != '\0';
}

static int isUtf8(const char *name)
{
    return !name || !*name || strcasecmp(name, "UTF-8") == 0 ||
           strcasecmp(name, "UTF8") == 0;
}

/* The document reaches the parser as UTF-8, undecoded: `encoding` (the
 * HTTP charset, NULL when none) and what the document names agree. */
static int plainUtf8(const char *data, size_t len, const char *encoding)
{
    char name[64];
    namedEncoding(data, len, name, sizeof(name));
    return isUtf8(encoding) && isUtf8(name);
}

/* ------------------------------------------------------------------ */
/* envelope_parse: the libxml2 parse with its guards                   */
/* ------------------------------------------------------------------ */

struct parseState {
    int depth;
    int max_depth;
    int too_deep;
    int saw_doctype;
    int have_error;
    int truncated;
    int error_line;
    char error_message[256];
    startElementNsSAX2Func start_element;
    endElementNsSAX2Func end_element;
    const struct envelope_scan_handler *scan;   /* envelope_scan only */
    int stopped;                                /* a scan handler stopped */
};

/* Keep the first error (it names the cause; later ones are echoes),
 * on one line. It means truncation when the parser had run out of input
 * in the middle of the document. */
static void recordError(struct parseState *st, const xmlError *e,
                        int at_end)
{
    if (st->have_error || e->level < XML_ERR_ERROR)
        return;
    st->have_error = 1;
    st->truncated = e->code == XML_ERR_TAG_NOT_FINISHED ||
                    (at_end && e->code != XML_ERR_TAG_NAME_MISMATCH);
    st->error_line = e->line;
    snprintf(st->error_message, sizeof(st->error_message), "%s",
             e->message ? e->message : "unknown error");
    size_t n = strlen(st->error_message);
    while (n > 0 && isSpace((unsigned char)st->error_message[n - 1]))
        st->error_message[--n] = 0;
    for (size_t i = 0; i < n; i++)
        if (st->error_message[i] == '\n')
            st->error_message[i] = ' ';
}

/* Parser errors: data is the parser context (its userData). */
static void onParserError(void *data, xmlErrorPtr e)
{
    xmlParserCtxtPtr ctxt = data;
    if (!ctxt || !ctxt->_private)
        return;
    int at_end = ctxt->input && ctxt->input->cur >= ctxt->input->end;
    recordError(ctxt->_private, e, at_end);
}

/* Errors libxml2 raises without a parser context (charset conversion):
 * data is our parse state. */
static void onContextlessError(void *data, xmlErrorPtr e)
{
    if (data)
        recordError(data, e, 0);
}

/* Called when <!DOCTYPE name ...> has been read and before any of its
 * internal subset: stopping here means no entity declaration is ever
 * parsed (billion laughs). SOAP 1.1 section 3 and SOAP 1.2 part 1 5
 * forbid a DTD in a SOAP message anyway. */
static void onDoctype(void *ctx, const xmlChar *name,
                      const xmlChar *external_id, const xmlChar *system_id)
{
    (void)name;
    (void)external_id;
    (void)system_id;
    xmlParserCtxtPtr ctxt = ctx;
    struct parseState *st = ctxt->_private;
    st->saw_doctype = 1;
    xmlStopParser(ctxt);
}

static void onStartElement(void *ctx, const xmlChar *localname,
                           const xmlChar *prefix, const xmlChar *uri,
                           int nb_namespaces, const xmlChar **namespaces,
                           int nb_attributes, int nb_defaulted,
                           const xmlChar **attributes)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct parseState *st = ctxt->_private;
    if (++st->depth > st->max_depth) {
        st->too_deep = 1;
        xmlStopParser(ctxt);
        return;
    }
    st->start_element(ctx, localname, prefix, uri, nb_namespaces, namespaces,
                      nb_attributes, nb_defaulted, attributes);
}

static void onEndElement(void *ctx, const xmlChar *localname,
                         const xmlChar *prefix, const xmlChar *uri)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct parseState *st = ctxt->_private;
    st->depth--;
    st->end_element(ctx, localname, prefix, uri);
}

static void reportParseFailure(const struct parseState *st, size_t len,
                               struct sb_error *err)
{
    if (st->saw_doctype)
        error_set(err, CODE_BAD_RESPONSE, "DOCTYPE is not allowed in a SOAP "
                  "response (entity declarations are refused)");
    else if (st->too_deep)
        error_set(err, CODE_BAD_RESPONSE, "response nesting depth exceeds "
                  "max_depth %d", st->max_depth);
    else if (st->truncated)
        error_set(err, CODE_BAD_RESPONSE, "truncated XML after %zu bytes: "
                  "%s at line %d", len, st->error_message, st->error_line);
    else if (st->have_error && st->error_line > 0)
        error_set(err, CODE_BAD_RESPONSE, "not XML: %s at line %d",
                  st->error_message, st->error_line);
    else if (st->have_error)
        error_set(err, CODE_BAD_RESPONSE, "not XML: %s", st->error_message);
    else
        error_set(err, CODE_BAD_RESPONSE, "not XML: libxml2 gave no "
                  "document");
}

/* Safe options: no network, no entity substitution (no XML_PARSE_NOENT),
 * no DTD loading or validation; CDATA merged into text. */
#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOCDATA | \
                       XML_PARSE_COMPACT | XML_PARSE_NOERROR | \
                       XML_PARSE_NOWARNING)

static void installHooks(xmlParserCtxtPtr ctxt, struct parseState *st)
{
    ctxt->_private = st;
    ctxt->sax->serror = onParserError;
    ctxt->sax->internalSubset = onDoctype;
    st->start_element = ctxt->sax->startElementNs;
    st->end_element = ctxt->sax->endElementNs;
    ctxt->sax->startElementNs = onStartElement;
    ctxt->sax->endElementNs = onEndElement;
}

/* Our own depth counter bounds the tree; HUGE only lifts libxml2's
 * fixed depth of 256 (the input size is bounded by max_bytes). */
static int parseOptions(int max_depth)
{
    return max_depth > LIBXML_DEPTH_LIMIT ? PARSE_OPTIONS | XML_PARSE_HUGE
                                          : PARSE_OPTIONS;
}

/* A large document in memory is read through the parser's window
 * (xmlCtxtReadMemory would first copy all of it); a small one is copied,
 * which costs less than reading it in pieces, or read by xmlscan. */
#define SCAN_COPY_MAX (64 * 1024)

struct memoryInput {
    const char *data;
    size_t len, at;
};

static int readMemory(void *context, char *buf, int size)
{
    struct memoryInput *in = context;
    size_t n = in->len - in->at < (size_t)size ? in->len - in->at
                                               : (size_t)size;
    memcpy(buf, in->data + in->at, n);
    in->at += n;
    return (int)n;
}

/* Parse UTF-8 data as xmlCtxtReadMemory does, but with the input
 * buffer marked complete: xmlCtxtReadMemory's keeps a read callback, so
 * near the end of the text every token calls it for more (a fifth of the
 * parse of a 1 KB answer). Without a callback, a charset decoder would
 * stop at its first chunk: hence UTF-8 only. */
static xmlDocPtr readUtf8(xmlParserCtxtPtr ctxt, const char *data, size_t len,
                          int options)
{
    xmlParserInputBufferPtr buf =
        xmlParserInputBufferCreateMem(data, (int)len, XML_CHAR_ENCODING_NONE);
    if (buf)
        buf->readcallback = NULL;
    xmlParserInputPtr input =
        buf ? xmlNewIOInputStream(ctxt, buf, XML_CHAR_ENCODING_NONE) : NULL;
    if (!input) {
        xmlFreeParserInputBuffer(buf);
        return NULL;
    }
    xmlCtxtUseOptions(ctxt, options);
    inputPush(ctxt, input);
    xmlParseDocument(ctxt);
    xmlDocPtr doc = ctxt->myDoc;
    ctxt->myDoc = NULL;
    return doc;
}

/* How libxml2 gets the bytes: copied (xmlCtxtReadMemory), copied and
 * marked complete (readUtf8), or through its window (a large scan). */
enum readMode { READ_COPY, READ_UTF8, READ_WINDOW };

/* Small UTF-8 documents are read as complete; `large` is the mode of the
 * others past SCAN_COPY_MAX. */
static enum readMode readModeOf(const char *data, size_t len,
                                const char *encoding, enum readMode large)
{
    if (len > SCAN_COPY_MAX)
        return large;
    return plainUtf8(data, len, encoding) ? READ_UTF8 : READ_COPY;
}

/* Run the parser of ctxt (hooks installed) over data. The charset
 * decoders report through the thread's structured handler, not the
 * context's: route them to st for this call only. */
static xmlDocPtr runParser(xmlParserCtxtPtr ctxt, struct parseState *st,
                           const char *data, size_t len, const char *encoding,
                           enum readMode mode)
{
    struct memoryInput in = {data, len, 0};
    int options = parseOptions(st->max_depth);
    xmlStructuredErrorFunc saved_func = xmlStructuredError;
    void *saved_data = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(st, onContextlessError);
    xmlDocPtr doc =
        mode == READ_WINDOW ? xmlCtxtReadIO(ctxt, readMemory, NULL, &in, NULL,
                                            encoding, options)
        : mode == READ_UTF8 ? readUtf8(ctxt, data, len, options)
                            : xmlCtxtReadMemory(ctxt, data, (int)len, NULL,
                                                encoding, options);
    xmlSetStructuredErrorFunc(saved_data, saved_func);
    return doc;
}

static int parseFailed(const xmlParserCtxt *ctxt, const struct parseState *st)
{
    return !ctxt->wellFormed || st->saw_doctype || st->too_deep ||
           st->have_error;
}

static xmlDocPtr parseDocument(const char *data, size_t len,
                               const char *encoding, int max_depth,
                               struct sb_error *err)
{
    struct parseState st;
    memset(&st, 0, sizeof(st));
    st.max_depth = max_depth;
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        error_set(err, "internal", "out of memory for an XML parser");
        return NULL;
    }
    installHooks(ctxt, &st);
    xmlDocPtr doc = runParser(ctxt, &st, data, len, encoding,
                              readModeOf(data, len, encoding, READ_COPY));
    int failed = !doc || parseFailed(ctxt, &st);
    ctxt->_private = NULL;
    xmlFreeParserCtxt(ctxt);
    if (failed) {
        xmlFreeDoc(doc);
        reportParseFailure(&st, len, err);
        return NULL;
    }
    return doc;
}

/* ------------------------------------------------------------------ */
/* envelope_parse: the SOAP shape                                      */
/* ------------------------------------------------------------------ */

static enum envelope_version versionOfNs(const xmlNs *ns)
{
    if (ns && xmlStrEqual(ns->href, BAD_CAST NS_SOAP11))
        return ENVELOPE_SOAP11;
    if (ns && xmlStrEqual(ns->href, BAD_CAST NS_SOAP12))
        return ENVELOPE_SOAP12;
    return (enum envelope_version)0;
}

/* The first child element named `name` in namespace `href`; with
 * accept_unqualified, an element in no namespace matches too. */
static xmlNodePtr childNamed(xmlNodePtr parent, const char *name,
                             const xmlChar *href, int accept_unqualified)
{
    for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE ||
            !xmlStrEqual(c->name, BAD_CAST name))
            continue;
        if (c->ns ? xmlStrEqual(c->ns->href, href) : accept_unqualified)
            return c;
    }
    return NULL;
}

static int checkEnvelope(xmlDocPtr doc, const char *data, size_t len,
                         struct sb_error *err)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!root)
        return error_set(err, CODE_BAD_RESPONSE, "response has no root "
                         "element");
    if (xmlStrcasecmp(root->name, BAD_CAST "html") == 0) {
        char preview[HTML_PREVIEW_BYTES + 1];
        previewBytes(data, len, preview, sizeof(preview));
        return error_set(err, CODE_BAD_RESPONSE, "HTML page instead of SOAP "
                         "(first bytes: %s)", preview);
    }
    if (!xmlStrEqual(root->name, BAD_CAST "Envelope") ||
        !versionOfNs(root->ns)) {
        if (root->ns)
            return error_set(err, CODE_BAD_RESPONSE, "root element is "
                             "{%s}%s, not a SOAP Envelope",
                             (const char *)root->ns->href,
                             (const char *)root->name);
        return error_set(err, CODE_BAD_RESPONSE, "root element is %s (no "
                         "namespace), not a SOAP Envelope",
                         (const char *)root->name);
    }
    if (!envelope_body(doc))
        return error_set(err, CODE_BAD_RESPONSE, "SOAP Envelope without "
                         "Body");
    return 0;
}

static int maxDepth(const struct envelope_limits *limits)
{
    return limits && limits->max_depth > 0 ? limits->max_depth
                                           : DEFAULT_MAX_DEPTH;
}

/* The checks on the raw bytes, and the charset to decode them with
 * (NULL: what the document says, else UTF-8). */
static int precheck(const char *data, size_t len,
                    const char *http_content_type,
                    const struct envelope_limits *limits, char *charset,
                    size_t charset_size, const char **encoding,
                    struct sb_error *err)
{
    size_t max_bytes = limits && limits->max_bytes ? limits->max_bytes
                                                   : DEFAULT_MAX_BYTES;
    char preview[HTML_PREVIEW_BYTES + 1];
    *encoding = NULL;
    if (!data || contentStart(data, len) == len)
        return error_set(err, CODE_BAD_RESPONSE, "empty response body");
    if (len > max_bytes || len > INT_MAX)
        return error_set(err, CODE_BAD_RESPONSE, "response of %zu bytes "
                         "exceeds max_bytes %zu", len, max_bytes);
    if (looksLikeHtml(data, len)) {
        previewBytes(data, len, preview, sizeof(preview));
        return error_set(err, CODE_BAD_RESPONSE, "HTML page instead of SOAP "
                         "(first bytes: %s)", preview);
    }
    if (http_content_type && !documentNamesEncoding(data, len) &&
        contentTypeCharset(http_content_type, charset, charset_size))
        *encoding = charset;
    return 0;
}

xmlDocPtr envelope_parse(const char *data, size_t len,
                         const char *http_content_type,
                         const struct envelope_limits *limits,
                         struct sb_error *err)
{
    char charset[64];
    const char *encoding;
    if (precheck(data, len, http_content_type, limits, charset,
                 sizeof(charset), &encoding, err) < 0)
        return NULL;
    xmlDocPtr doc = parseDocument(data, len, encoding, maxDepth(limits), err);
    if (doc && checkEnvelope(doc, data, len, err) < 0) {
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

/* ---- envelope_scan: the same parse without a tree ---- */

/* After a handler call: stop the parse if the handler said so. */
static void stopIf(xmlParserCtxtPtr ctxt, int stop)
{
    struct parseState *st = ctxt->_private;
    if (stop) {
        st->stopped = 1;
        xmlStopParser(ctxt);
    }
}

static void scanStart(void *ctx, const xmlChar *localname,
                      const xmlChar *prefix, const xmlChar *uri,
                      int nb_namespaces, const xmlChar **namespaces,
                      int nb_attributes, int nb_defaulted,
                      const xmlChar **attributes)
{
    (void)nb_namespaces;
    (void)namespaces;
    (void)nb_defaulted;
    xmlParserCtxtPtr ctxt = ctx;
    const struct envelope_scan_handler *h =
        ((struct parseState *)ctxt->_private)->scan;
    stopIf(ctxt, h->start(h->user, localname, prefix, uri, nb_attributes,
                          attributes));
}

static void scanEnd(void *ctx, const xmlChar *localname,
                    const xmlChar *prefix, const xmlChar *uri)
{
    (void)localname;
    (void)prefix;
    (void)uri;
    xmlParserCtxtPtr ctxt = ctx;
    const struct envelope_scan_handler *h =
        ((struct parseState *)ctxt->_private)->scan;
    stopIf(ctxt, h->end(h->user));
}

static void scanText(void *ctx, const xmlChar *s, int len)
{
    xmlParserCtxtPtr ctxt = ctx;
    const struct envelope_scan_handler *h =
        ((struct parseState *)ctxt->_private)->scan;
    stopIf(ctxt, h->text(h->user, s, len));
}

int envelope_scan(const char *data, size_t len, const char *http_content_type,
                  const struct envelope_limits *limits,
                  const struct envelope_scan_handler *handler)
{
    char charset[64];
    const char *encoding;
    struct sb_error err;
    if (precheck(data, len, http_content_type, limits, charset,
                 sizeof(charset), &encoding, &err) < 0)
        return -1;
    /* A small UTF-8 answer goes to xmlscan first. A large one goes to
     * libxml2, whose per-document costs no longer count and which would
     * not have to start over. */
    enum readMode mode = readModeOf(data, len, encoding, READ_WINDOW);
    if (mode == READ_UTF8) {
        int depth = maxDepth(limits);
        int rc = handler->restart ? xmlscan_read(data, len, depth, handler)
                                  : xmlscan_check(data, len, depth);
        if (rc == XMLSCAN_DONE && !handler->restart)
            rc = xmlscan_read(data, len, depth, handler);
        if (rc != XMLSCAN_OTHER)
            return rc == XMLSCAN_DONE ? 0 : rc == XMLSCAN_STOPPED ? 1 : -1;
        if (handler->restart)
            handler->restart(handler->user);
    }
    struct parseState st;
    memset(&st, 0, sizeof(st));
    st.max_depth = maxDepth(limits);
    st.scan = handler;
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt)
        return -1;
    installHooks(ctxt, &st);
    st.start_element = scanStart;
    st.end_element = scanEnd;
    ctxt->sax->characters = scanText;
    ctxt->sax->ignorableWhitespace = scanText;
    ctxt->sax->reference = NULL;
    ctxt->sax->comment = NULL;
    ctxt->sax->processingInstruction = NULL;
    ctxt->sax->startDocument = NULL;    /* no document to build */
    xmlDocPtr doc = runParser(ctxt, &st, data, len, encoding, mode);
    int rc = st.stopped ? 1 : parseFailed(ctxt, &st) ? -1 : 0;
    ctxt->_private = NULL;
    xmlFreeParserCtxt(ctxt);
    xmlFreeDoc(doc);
    return rc;
}

enum envelope_version envelope_version_of(xmlDocPtr doc)
{
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    return root ? versionOfNs(root->ns) : (enum envelope_version)0;
}

xmlNodePtr envelope_body(xmlDocPtr doc)
{
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root || !versionOfNs(root->ns))
        return NULL;
    return childNamed(root, "Body", root->ns->href, 0);
}

/* ------------------------------------------------------------------ */
/* Faults                                                              */
/* ------------------------------------------------------------------ */

/* The element's text without surrounding white space, malloc'ed; NULL
 * if there is no element. *oom is set if the copy failed. */
static char *trimmedText(xmlNodePtr node, int *oom)
{
    if (!node)
        return NULL;
    xmlChar *content = xmlNodeGetContent(node);
    const char *s = content ? (const char *)content : "";
    size_t start = skipSpace(s, strlen(s), 0), end = strlen(s);
    while (end > start && isSpace((unsigned char)s[end - 1]))
        end--;
    char *copy = malloc(end - start + 1);
    if (copy) {
        memcpy(copy, s + start, end - start);
        copy[end - start] = 0;
    } else {
        *oom = 1;
    }
    xmlFree(content);
    return copy;
}

/* SOAP 1.1 section 4.4: the fault's children are unqualified; some
 * stacks qualify them with the envelope namespace, accepted too. */
static int readFault11(xmlNodePtr fault, const xmlChar *env,
                       struct envelope_fault *out, int *oom,
                       struct sb_error *err)
{
    out->code = trimmedText(childNamed(fault, "faultcode", env, 1), oom);
    out->reason = trimmedText(childNamed(fault, "faultstring", env, 1), oom);
    out->actor = trimmedText(childNamed(fault, "faultactor", env, 1), oom);
    out->detail = childNamed(fault, "detail", env, 1);
    if (!out->code)
        return error_set(err, CODE_BAD_RESPONSE, "SOAP 1.1 Fault without "
                         "faultcode");
    if (!out->reason)
        return error_set(err, CODE_BAD_RESPONSE, "SOAP 1.1 Fault without "
                         "faultstring");
    return 0;
}

static int isEnglish(xmlNodePtr text)
{
    xmlChar *lang = xmlNodeGetLang(text);
    int en = lang && (xmlStrcasecmp(lang, BAD_CAST "en") == 0 ||
                      xmlStrncasecmp(lang, BAD_CAST "en-", 3) == 0);
    xmlFree(lang);
    return en;
}

/* SOAP 1.2 part 1, 5.4.2: one Text per language; English if present,
 * else the first. */
static xmlNodePtr reasonText(xmlNodePtr reason, const xmlChar *env)
{
    xmlNodePtr first = childNamed(reason, "Text", env, 1);
    for (xmlNodePtr c = first; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE &&
            xmlStrEqual(c->name, BAD_CAST "Text") && isEnglish(c))
            return c;
    return first;
}

static int readFault12(xmlNodePtr fault, const xmlChar *env,
                       struct envelope_fault *out, int *oom,
                       struct sb_error *err)
{
    xmlNodePtr code = childNamed(fault, "Code", env, 1);
    xmlNodePtr subcode = childNamed(code, "Subcode", env, 1);
    xmlNodePtr reason = childNamed(fault, "Reason", env, 1);
    out->code = trimmedText(childNamed(code, "Value", env, 1), oom);
    out->subcode = trimmedText(childNamed(subcode, "Value", env, 1), oom);
    out->reason = trimmedText(reasonText(reason, env), oom);
    out->node = trimmedText(childNamed(fault, "Node", env, 1), oom);
    out->actor = trimmedText(childNamed(fault, "Role", env, 1), oom);
    out->detail = childNamed(fault, "Detail", env, 1);
    if (!out->code)
        return error_set(err, CODE_BAD_RESPONSE, "SOAP 1.2 Fault without "
                         "Code/Value");
    if (!out->reason)
        return error_set(err, CODE_BAD_RESPONSE, "SOAP 1.2 Fault without "
                         "Reason/Text");
    return 0;
}

int envelope_find_fault(xmlDocPtr doc, struct envelope_fault *fault,
                        struct sb_error *err)
{
    memset(fault, 0, sizeof(*fault));
    xmlNodePtr body = envelope_body(doc);
    if (!body)
        return 0;
    const xmlChar *env = body->ns->href;
    xmlNodePtr node = childNamed(body, "Fault", env, 0);
    if (!node)
        return 0;
    int oom = 0;
    fault->version = envelope_version_of(doc);
    int rc = fault->version == ENVELOPE_SOAP11
                 ? readFault11(node, env, fault, &oom, err)
                 : readFault12(node, env, fault, &oom, err);
    if (oom)
        return error_set(err, "internal", "out of memory reading a SOAP "
                         "Fault");
    return rc < 0 ? -1 : 1;
}

void envelope_fault_clear(struct envelope_fault *fault)
{
    if (!fault)
        return;
    free(fault->code);
    free(fault->subcode);
    free(fault->reason);
    free(fault->actor);
    free(fault->node);
    memset(fault, 0, sizeof(*fault));
}
