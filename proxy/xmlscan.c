/*
 * xmlscan: a fast, strict reader for plain XML (see xmlscan.h).
 *
 * Why: libxml2's SAX parse of a 1 KB SOAP answer costs about as much as
 * all of soapbridge's own work on the call (a parser context, a
 * dictionary, input buffering made for streams). SOAP services answer
 * with a small, regular subset of XML; this reads that subset in one
 * pass over memory and leaves everything else to libxml2.
 *
 * A document it gives up on half-way has sent some events already: the
 * caller either tells its handler to start over (envelope_scan_handler's
 * restart) or checks the document first (xmlscan_check).
 */
#include "xmlscan.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/uri.h>

#define XML_NS "http://www.w3.org/XML/1998/namespace"
#define XMLNS_NS "http://www.w3.org/2000/xmlns/"
#define MAX_ATTRIBUTES 64   /* in one tag; more go to libxml2 */
#define MAX_BINDINGS 128    /* namespace declarations in scope */
#define URIS_MAX (64 * 1024)    /* bytes of declared URIs */

#define OTHER XMLSCAN_OTHER

/* Namespaces SOAP answers declare over and over: known to be valid, so
 * the URI check libxml2 runs on every declaration is skipped for them. */
static const char *const knownNamespaces[] = {
    "http://schemas.xmlsoap.org/soap/envelope/",
    "http://www.w3.org/2003/05/soap-envelope",
    "http://schemas.xmlsoap.org/soap/encoding/",
    "http://www.w3.org/2003/05/soap-encoding",
    "http://www.w3.org/2001/XMLSchema",
    "http://www.w3.org/2001/XMLSchema-instance",
};

struct qname {
    const char *prefix;         /* NULL when none */
    size_t prefix_len;
    const char *local;
    size_t local_len;
};

/* A namespace declaration in scope: prefix (NULL: the default one) and
 * its URI (NUL-terminated in reader.uris; NULL: xmlns=""). */
struct binding {
    const char *prefix;
    size_t prefix_len;
    const char *uri;
};

struct open {                   /* an element not yet closed */
    const char *qname;          /* as written, for the end tag */
    size_t qlen;
    size_t n_bindings;          /* the scope outside it */
};

struct attribute {
    struct qname name;
    const char *value;          /* as written: no reference, no tab or
                                   newline, so also as libxml2 hands it */
    size_t value_len;
    const char *uri;
};

struct reader {
    const char *p, *end;
    const struct envelope_scan_handler *h;  /* NULL: only checking */
    int max_depth;
    char *uris;                 /* every declared URI, NUL-terminated */
    size_t uris_len, uris_cap;
    char *names;                /* one tag's names, NUL-terminated */
    size_t names_cap;
    struct binding bindings[MAX_BINDINGS];
    size_t n_bindings;
    struct open *open;
    size_t depth, open_cap;
};

/* ---- characters ---- */

static int isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* Name characters this reader takes (ASCII): 1 may start a name, 2
 * may follow. */
static const unsigned char nameChars[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 0,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    /* 0x80 to 0xFF: 0 */
};

static int isNameStart(char c)
{
    return nameChars[(unsigned char)c] == 1;
}

static int isNameChar(char c)
{
    return nameChars[(unsigned char)c] != 0;
}

static int isXmlChar(unsigned long c)
{
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
           (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

/* The length of the UTF-8 sequence at s (s[0] >= 0x80) when it encodes
 * an XML character, else 0. */
static size_t utf8Char(const unsigned char *s, const unsigned char *end)
{
    unsigned long c;
    size_t n;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        n = 2, c = s[0] & 0x1Fu;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        n = 3, c = s[0] & 0x0Fu;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        n = 4, c = s[0] & 0x07u;
    else
        return 0;
    if ((size_t)(end - s) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3Fu);
    }
    if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000))
        return 0;               /* overlong */
    return isXmlChar(c) ? n : 0;
}

/* ASCII characters that need no second look anywhere: not a control
 * character, not markup, not a quote, not '-' or ']' (comment and CDATA
 * ends). Bytes from 0x80 on are UTF-8, looked at by utf8Char. */
static const unsigned char plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x80 to 0xFF: 0 */
};

/* The run of plain characters from p up to the first of `stops` (or the
 * end); NULL when it holds one this reader leaves to libxml2: a control
 * character, a carriage return (libxml2 turns line ends into '\n'), bad
 * UTF-8, or "]]>" in text. */
static const char *run(const struct reader *r, const char *p,
                       const char *stops)
{
    const unsigned char *s = (const unsigned char *)p;
    const unsigned char *e = (const unsigned char *)r->end;
    for (;;) {
        while (s < e && plain[*s])
            s++;
        if (s >= e)
            break;
        if (*s >= 0x80) {
            size_t n = utf8Char(s, e);
            if (!n)
                return NULL;
            s += n;
            continue;
        }
        if (strchr(stops, *s) && *s)
            break;
        if (*s < 0x20 && *s != '\t' && *s != '\n')
            return NULL;
        if (*s == '>' && (const char *)s - p >= 2 && s[-1] == ']' &&
            s[-2] == ']')
            return NULL;
        s++;
    }
    return (const char *)s;
}

static int startsWith(const struct reader *r, const char *s)
{
    size_t n = strlen(s);
    return (size_t)(r->end - r->p) >= n && memcmp(r->p, s, n) == 0;
}

static void skipSpace(struct reader *r)
{
    while (r->p < r->end && isSpace(*r->p))
        r->p++;
}

/* ---- events ---- */

static int emitText(struct reader *r, const char *s, size_t len)
{
    if (!r->h || !len)
        return 0;
    return r->h->text(r->h->user, (const xmlChar *)s, (int)len)
               ? XMLSCAN_STOPPED
               : 0;
}

static int emitEnd(struct reader *r)
{
    return r->h && r->h->end(r->h->user) ? XMLSCAN_STOPPED : 0;
}

/* ---- names and namespaces ---- */

/* A QName from p: its end, or NULL when it is none this reader takes
 * (libxml2 reads names beyond ASCII, this reader does not). */
static const char *readQName(const char *p, const char *end, struct qname *q)
{
    const char *s = p;
    if (s >= end || !isNameStart(*s))
        return NULL;
    while (s < end && isNameChar(*s))
        s++;
    q->prefix = NULL;
    q->prefix_len = 0;
    q->local = p;
    q->local_len = (size_t)(s - p);
    if (s < end && *s == ':') {
        q->prefix = p;
        q->prefix_len = (size_t)(s - p);
        q->local = ++s;
        if (s >= end || !isNameStart(*s))
            return NULL;
        while (s < end && isNameChar(*s))
            s++;
        q->local_len = (size_t)(s - q->local);
    }
    if (s < end && (*s == ':' || (unsigned char)*s >= 0x80))
        return NULL;
    return s;
}

static int spanIs(const char *s, size_t n, const char *word)
{
    return s && strlen(word) == n && memcmp(s, word, n) == 0;
}

static int isAlnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

/* The run of alphanumerics and characters of extra at s. */
static const char *skipSafe(const char *s, const char *extra)
{
    while (*s && (isAlnum(*s) || strchr(extra, *s)))
        s++;
    return s;
}

/* The namespace names services use, in a form RFC 3986 (and so
 * xmlParseURI) always accepts: http(s)://host[/path] of unreserved
 * characters, or urn:x... Anything else is left to xmlParseURI. */
static int plainUri(const char *uri)
{
    const char *s = NULL;
    if (strncmp(uri, "http://", 7) == 0)
        s = uri + 7;
    else if (strncmp(uri, "https://", 8) == 0)
        s = uri + 8;
    if (s) {
        const char *host = s;
        s = skipSafe(s, ".-");
        if (s == host)
            return 0;
        return *(*s == '/' ? skipSafe(s, "._~/-") : s) == '\0';
    }
    return strncmp(uri, "urn:", 4) == 0 && isAlnum(uri[4]) &&
           *skipSafe(uri + 4, "._:-") == '\0';
}

static int validUri(const char *uri)
{
    for (size_t i = 0; i < sizeof(knownNamespaces) / sizeof(*knownNamespaces);
         i++)
        if (strcmp(uri, knownNamespaces[i]) == 0)
            return 1;
    if (plainUri(uri))
        return 1;
    xmlURIPtr parsed = xmlParseURI(uri);
    xmlFreeURI(parsed);
    return parsed != NULL;
}

/* xmlns="v" or xmlns:p="v" on the tag whose declarations start at
 * bindings[mark]. What libxml2 refuses or warns about goes to it. */
static int declare(struct reader *r, const struct qname *attr, const char *v,
                   size_t len, size_t mark)
{
    struct binding b = {NULL, 0, NULL};
    if (attr->prefix) {
        b.prefix = attr->local;
        b.prefix_len = attr->local_len;
        if (!len || spanIs(b.prefix, b.prefix_len, "xml") ||
            spanIs(b.prefix, b.prefix_len, "xmlns"))
            return OTHER;
    }
    for (size_t i = mark; i < r->n_bindings; i++)
        if (r->bindings[i].prefix_len == b.prefix_len &&
            (!b.prefix ||
             (r->bindings[i].prefix &&
              memcmp(r->bindings[i].prefix, b.prefix, b.prefix_len) == 0)))
            return OTHER;       /* declared twice on one tag */
    if (r->n_bindings == MAX_BINDINGS)
        return OTHER;
    if (len) {
        if (r->uris_len + len + 1 > r->uris_cap)
            return OTHER;       /* pointers into uris must stay valid */
        char *uri = r->uris + r->uris_len;
        memcpy(uri, v, len);
        uri[len] = '\0';
        r->uris_len += len + 1;
        if (strcmp(uri, XML_NS) == 0 || strcmp(uri, XMLNS_NS) == 0 ||
            !validUri(uri))
            return OTHER;
        b.uri = uri;
    }
    r->bindings[r->n_bindings++] = b;
    return 0;
}

/* The URI prefix (NULL: the default namespace) stands for: 0 with *uri
 * (NULL: no namespace), or -1 when it is not declared. */
static int resolve(const struct reader *r, const char *prefix, size_t len,
                   const char **uri)
{
    if (spanIs(prefix, len, "xml")) {
        *uri = XML_NS;
        return 0;
    }
    for (size_t i = r->n_bindings; i-- > 0;) {
        const struct binding *b = &r->bindings[i];
        if (b->prefix_len == len &&
            (!prefix || (b->prefix && memcmp(b->prefix, prefix, len) == 0))) {
            *uri = b->uri;
            return prefix && !b->uri ? -1 : 0;
        }
    }
    *uri = NULL;
    return prefix ? -1 : 0;
}

static int sameUri(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* ---- tags ---- */

/* An attribute value from p up to its closing quote. */
static const char *readValue(const struct reader *r, const char *p,
                             char quote)
{
    const char *s = run(r, p, quote == '"' ? "\"<&\t\n" : "'<&\t\n");
    return s && s < r->end && *s == quote ? s : NULL;
}

/* One attribute or declaration at r->p (after the space before it). */
static int readAttribute(struct reader *r, struct attribute *attrs,
                         size_t *n, size_t mark)
{
    struct qname name;
    const char *p = readQName(r->p, r->end, &name);
    if (!p)
        return OTHER;
    while (p < r->end && isSpace(*p))
        p++;
    if (p >= r->end || *p++ != '=')
        return OTHER;
    while (p < r->end && isSpace(*p))
        p++;
    if (p >= r->end || (*p != '"' && *p != '\''))
        return OTHER;
    const char *value = p + 1;
    if (!(p = readValue(r, value, *p)))
        return OTHER;
    r->p = p + 1;
    size_t len = (size_t)(p - value);
    if ((!name.prefix && spanIs(name.local, name.local_len, "xmlns")) ||
        spanIs(name.prefix, name.prefix_len, "xmlns"))
        return declare(r, &name, value, len, mark);
    if (*n == MAX_ATTRIBUTES)
        return OTHER;
    attrs[(*n)++] = (struct attribute){name, value, len, NULL};
    return 0;
}

/* Copy s[0..n) NUL-terminated to *at; returns the copy. */
static const xmlChar *putName(char **at, const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *copy = *at;
    memcpy(copy, s, n);
    copy[n] = '\0';
    *at += n + 1;
    return (const xmlChar *)copy;
}

static int emitStart(struct reader *r, const struct qname *el,
                     const char *uri, const struct attribute *attrs, size_t n)
{
    size_t need = el->prefix_len + el->local_len + 2;
    for (size_t i = 0; i < n; i++)
        need += attrs[i].name.prefix_len + attrs[i].name.local_len + 2;
    if (need > r->names_cap) {
        char *grown = realloc(r->names, need);
        if (!grown)
            return -1;
        r->names = grown;
        r->names_cap = need;
    }
    char *at = r->names;
    const xmlChar *local = putName(&at, el->local, el->local_len);
    const xmlChar *prefix = putName(&at, el->prefix, el->prefix_len);
    const xmlChar *av[5 * MAX_ATTRIBUTES];
    for (size_t i = 0; i < n; i++) {
        const struct attribute *a = &attrs[i];
        av[5 * i] = putName(&at, a->name.local, a->name.local_len);
        av[5 * i + 1] = putName(&at, a->name.prefix, a->name.prefix_len);
        av[5 * i + 2] = (const xmlChar *)a->uri;
        av[5 * i + 3] = (const xmlChar *)a->value;
        av[5 * i + 4] = (const xmlChar *)a->value + a->value_len;
    }
    return r->h->start(r->h->user, local, prefix, (const xmlChar *)uri,
                       (int)n, av)
               ? XMLSCAN_STOPPED
               : 0;
}

static int pushOpen(struct reader *r, const char *qname, size_t qlen,
                    size_t mark)
{
    if (r->depth == r->open_cap) {
        size_t cap = r->open_cap ? 2 * r->open_cap : 32;
        struct open *grown = realloc(r->open, cap * sizeof(*grown));
        if (!grown)
            return -1;
        r->open = grown;
        r->open_cap = cap;
    }
    r->open[r->depth++] = (struct open){qname, qlen, mark};
    return 0;
}

/* The start tag at r->p ('<' and a name). */
static int startTag(struct reader *r)
{
    struct qname el;
    struct attribute attrs[MAX_ATTRIBUTES];
    size_t n = 0, mark = r->n_bindings;
    const char *qname = r->p + 1;
    if (!(r->p = readQName(qname, r->end, &el)))
        return OTHER;
    size_t qlen = (size_t)(r->p - qname);
    for (;;) {
        const char *before = r->p;
        skipSpace(r);
        if (r->p >= r->end)
            return OTHER;
        if (*r->p == '>' || *r->p == '/')
            break;
        if (r->p == before)     /* attributes need a space between */
            return OTHER;
        int rc = readAttribute(r, attrs, &n, mark);
        if (rc)
            return rc;
    }
    int empty = *r->p == '/';
    if (empty && (r->end - r->p < 2 || r->p[1] != '>'))
        return OTHER;
    r->p += empty ? 2 : 1;
    const char *uri;
    if (spanIs(el.prefix, el.prefix_len, "xmlns") ||
        resolve(r, el.prefix, el.prefix_len, &uri) < 0)
        return OTHER;
    for (size_t i = 0; i < n; i++) {
        struct attribute *a = &attrs[i];
        if (a->name.prefix &&
            resolve(r, a->name.prefix, a->name.prefix_len, &a->uri) < 0)
            return OTHER;
        for (size_t k = 0; k < i; k++)
            if (attrs[k].name.local_len == a->name.local_len &&
                memcmp(attrs[k].name.local, a->name.local,
                       a->name.local_len) == 0 &&
                sameUri(attrs[k].uri, a->uri))
                return OTHER;   /* the same attribute twice */
    }
    if (r->depth >= (size_t)r->max_depth)
        return OTHER;           /* libxml2's parse says how deep */
    int rc = r->h ? emitStart(r, &el, uri, attrs, n) : 0;
    if (rc)
        return rc;
    if (empty) {
        r->n_bindings = mark;
        return emitEnd(r);
    }
    return pushOpen(r, qname, qlen, mark);
}

/* The end tag at r->p ("</"). */
static int endTag(struct reader *r)
{
    const struct open *o = &r->open[r->depth - 1];
    const char *p = r->p + 2;
    if ((size_t)(r->end - p) < o->qlen || memcmp(p, o->qname, o->qlen) != 0)
        return OTHER;
    r->p = p + o->qlen;
    skipSpace(r);
    if (r->p >= r->end || *r->p != '>')
        return OTHER;
    r->p++;
    r->n_bindings = o->n_bindings;
    r->depth--;
    return emitEnd(r);
}

/* ---- the rest of the markup ---- */

/* After "<!--": up to and past "-->". */
static int comment(struct reader *r)
{
    for (;;) {
        const char *p = run(r, r->p, "-");
        if (!p || r->end - p < 3)
            return OTHER;
        if (p[1] != '-') {
            r->p = p + 1;
            continue;
        }
        if (p[2] != '>')
            return OTHER;       /* "--" inside a comment */
        r->p = p + 3;
        return 0;
    }
}

/* After "<![CDATA[": the section as text (XML_PARSE_NOCDATA). */
static int cdata(struct reader *r)
{
    const char *start = r->p, *p = start;
    for (;;) {
        if (!(p = run(r, p, "]")) || r->end - p < 3)
            return OTHER;
        if (p[1] == ']' && p[2] == '>')
            break;
        p++;
    }
    r->p = p + 3;
    return emitText(r, start, (size_t)(p - start));
}

static size_t putUtf8(unsigned long c, char *out)
{
    if (c < 0x80)
        return out[0] = (char)c, 1;
    if (c < 0x800)
        return out[0] = (char)(0xC0 | c >> 6),
               out[1] = (char)(0x80 | (c & 0x3F)), 2;
    if (c < 0x10000)
        return out[0] = (char)(0xE0 | c >> 12),
               out[1] = (char)(0x80 | (c >> 6 & 0x3F)),
               out[2] = (char)(0x80 | (c & 0x3F)), 3;
    out[0] = (char)(0xF0 | c >> 18);
    out[1] = (char)(0x80 | (c >> 12 & 0x3F));
    out[2] = (char)(0x80 | (c >> 6 & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* A character reference's code point (s: after "&#", up to ';'). */
static int charRef(const char *s, size_t n, unsigned long *c)
{
    int hex = n > 0 && s[0] == 'x';
    s += hex;
    n -= (size_t)hex;
    if (n == 0 || n > 8)
        return -1;
    *c = 0;
    for (size_t i = 0; i < n; i++) {
        char d = s[i];
        int v = d >= '0' && d <= '9'           ? d - '0'
                : hex && d >= 'a' && d <= 'f' ? d - 'a' + 10
                : hex && d >= 'A' && d <= 'F' ? d - 'A' + 10
                                               : -1;
        if (v < 0)
            return -1;
        *c = *c * (hex ? 16 : 10) + (unsigned long)v;
    }
    return isXmlChar(*c) ? 0 : -1;
}

/* The reference at r->p ('&') as text. */
static int reference(struct reader *r)
{
    static const struct {
        const char *name;
        char c;
    } predefined[] = {{"lt", '<'}, {"gt", '>'}, {"amp", '&'},
                      {"quot", '"'}, {"apos", '\''}};
    const char *s = r->p + 1;
    size_t room = (size_t)(r->end - s);
    const char *semi = memchr(s, ';', room < 12 ? room : 12);
    if (!semi)
        return OTHER;
    size_t n = (size_t)(semi - s);
    char out[4];
    size_t len = 0;
    unsigned long c;
    if (n > 0 && s[0] == '#') {
        if (charRef(s + 1, n - 1, &c) < 0)
            return OTHER;
        len = putUtf8(c, out);
    } else {
        for (size_t i = 0; i < sizeof(predefined) / sizeof(*predefined); i++)
            if (spanIs(s, n, predefined[i].name))
                out[len++] = predefined[i].c;
        if (!len)
            return OTHER;       /* a declared entity needs a DTD */
    }
    r->p = semi + 1;
    return emitText(r, out, len);
}

/* Element content, from the root's start tag to its end tag. */
static int content(struct reader *r)
{
    int rc = startTag(r);
    while (!rc && r->depth) {
        if (r->p >= r->end)
            return OTHER;       /* truncated */
        if (*r->p == '&') {
            rc = reference(r);
        } else if (*r->p != '<') {
            const char *p = run(r, r->p, "<&");
            if (!p)
                return OTHER;
            rc = emitText(r, r->p, (size_t)(p - r->p));
            r->p = p;
        } else if (startsWith(r, "</")) {
            rc = endTag(r);
        } else if (startsWith(r, "<!--")) {
            r->p += 4;
            rc = comment(r);
        } else if (startsWith(r, "<![CDATA[")) {
            r->p += 9;
            rc = cdata(r);
        } else {
            rc = startTag(r);   /* "<?" and "<!" are no name: OTHER */
        }
    }
    return rc;
}

/* Space and comments, before or after the root element. */
static int misc(struct reader *r)
{
    for (;;) {
        skipSpace(r);
        if (!startsWith(r, "<!--"))
            return 0;
        r->p += 4;
        int rc = comment(r);
        if (rc)
            return rc;
    }
}

/* name="value" of the XML declaration; 1 when there, 0 when not. */
static int pseudoAttribute(struct reader *r, const char *name,
                           const char **value, size_t *len)
{
    const char *back = r->p;
    skipSpace(r);
    if (r->p == back || !startsWith(r, name)) {
        r->p = back;
        return 0;
    }
    r->p += strlen(name);
    skipSpace(r);
    if (r->p >= r->end || *r->p++ != '=')
        return -1;
    skipSpace(r);
    if (r->p >= r->end || (*r->p != '"' && *r->p != '\''))
        return -1;
    char quote = *r->p++;
    const char *end = memchr(r->p, quote, (size_t)(r->end - r->p));
    if (!end)
        return -1;
    *value = r->p;
    *len = (size_t)(end - r->p);
    r->p = end + 1;
    return 1;
}

/* After "<?xml": version 1.0, UTF-8 or no encoding, standalone. */
static int declaration(struct reader *r)
{
    const char *v;
    size_t n;
    if (pseudoAttribute(r, "version", &v, &n) != 1 || !spanIs(v, n, "1.0"))
        return OTHER;
    int has = pseudoAttribute(r, "encoding", &v, &n);
    if (has < 0 || (has && !spanIs(v, n, "UTF-8") && !spanIs(v, n, "utf-8")))
        return OTHER;
    has = pseudoAttribute(r, "standalone", &v, &n);
    if (has < 0 || (has && !spanIs(v, n, "yes") && !spanIs(v, n, "no")))
        return OTHER;
    skipSpace(r);
    if (!startsWith(r, "?>"))
        return OTHER;
    r->p += 2;
    return 0;
}

static int readDocument(struct reader *r, const char *data, size_t len)
{
    r->p = data;
    r->end = data + len;
    r->uris_len = r->n_bindings = r->depth = 0;
    if (startsWith(r, "\xEF\xBB\xBF"))
        r->p += 3;
    if (startsWith(r, "<?xml") && r->end - r->p > 5 && isSpace(r->p[5])) {
        r->p += 5;
        if (declaration(r))
            return OTHER;
    }
    int rc = misc(r);
    if (rc)
        return rc;
    if (r->end - r->p < 2 || *r->p != '<' || !isNameStart(r->p[1]))
        return OTHER;           /* no root, a DOCTYPE, a PI */
    if ((rc = content(r)) || (rc = misc(r)))
        return rc;
    return r->p == r->end ? XMLSCAN_DONE : OTHER;
}

int xmlscan_read(const char *data, size_t len, int max_depth,
                 const struct envelope_scan_handler *handler)
{
    struct reader r;
    char uris[2048];
    memset(&r, 0, sizeof(r));
    r.h = handler;
    r.max_depth = max_depth;
    /* Each URI copies the bytes of its own value: len + 1 holds them. */
    r.uris_cap = len < URIS_MAX ? len + 1 : URIS_MAX;
    r.uris = r.uris_cap <= sizeof(uris) ? uris : malloc(r.uris_cap);
    if (!r.uris)
        return -1;
    int rc = readDocument(&r, data, len);
    if (r.uris != uris)
        free(r.uris);
    free(r.names);
    free(r.open);
    return rc;
}

int xmlscan_check(const char *data, size_t len, int max_depth)
{
    return xmlscan_read(data, len, max_depth, NULL);    /* no events */
}
