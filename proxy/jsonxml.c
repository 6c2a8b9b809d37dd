/*
 * jsonxml: JSON <-> the XPath 3.1 json-to-xml form (see jsonxml.h).
 *
 * JSON -> XML: yajl's callback parser drives one pass that builds the
 * libxml2 tree directly. Numbers arrive as their literal text (the
 * yajl_number callback), so they are never rounded. Element names, the
 * "key" attribute name and the keys themselves are interned in the
 * document's dictionary: no per-node name copies, and duplicate keys are
 * found by comparing pointers.
 *
 * XML -> JSON: a recursive walk feeding yajl_gen. Its depth is bounded by
 * yajl_gen itself (YAJL_MAX_DEPTH, 128 in yajl 2.1): deeper trees fail
 * with an "internal" error instead of exhausting the stack.
 *
 * Rules on the XML side (to_json):
 *  - only elements in JSONXML_NS named map, array, string, number,
 *    boolean, null; comments, processing instructions and whitespace-only
 *    text between elements are ignored;
 *  - a map member needs a key attribute (no namespace); its value is used
 *    as is. The XPath escaped="true" / escaped-key="true" forms are not
 *    supported: backslash sequences in keys and strings are literal text;
 *  - array members may carry a key attribute; it is ignored;
 *  - fn:number text, trimmed of XML whitespace, must match the JSON number
 *    grammar and is written verbatim;
 *  - fn:boolean text, trimmed, is true/false, or 1/0 (as XSLT may write);
 *  - fn:null holds nothing but whitespace.
 */
#include "jsonxml.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/dict.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#define DEFAULT_MAX_DEPTH 64
#define DEFAULT_MAX_BYTES (1024 * 1024)
#define DEFAULT_MAX_STRING (256 * 1024)
#define DEFAULT_MAX_MEMBERS 10000

/* Maps up to this many members find duplicate keys by a linear scan;
 * bigger ones switch to a hash set of interned key pointers. */
#define LINEAR_KEY_SCAN 16

/* Room for a path inside an error message and the error's field. */
#define PATH_TEXT_MAX 200

enum element {
    EL_MAP, EL_ARRAY, EL_STRING, EL_NUMBER, EL_BOOLEAN, EL_NULL, EL_COUNT
};

static const char *const elementNames[EL_COUNT] = {
    "map", "array", "string", "number", "boolean", "null"
};

/* ---------------------------------------------------------------------
 * Shared helpers: text checks and path components
 * ------------------------------------------------------------------ */

/* A tiny bounded string appender for paths and messages. */
struct textbuf {
    char *data;
    size_t size;
    size_t len;
};

/* The longest prefix of s, at most max bytes, that does not cut a UTF-8
 * sequence: error messages may be sent on as JSON, which must stay valid. */
static size_t utf8Prefix(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* Cut an incomplete UTF-8 sequence off the end of a truncated string. */
static void dropPartialUtf8(char *s)
{
    size_t len = strlen(s), lead = len;
    while (lead > 0 && len - lead < 4 &&
           ((unsigned char)s[lead - 1] & 0xC0) == 0x80)
        lead--;
    if (lead == 0)
        return;
    unsigned char c = (unsigned char)s[lead - 1];
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (len - (lead - 1) < need)
        s[lead - 1] = 0;
}

static void textAppend(struct textbuf *t, const char *s, size_t n)
{
    if (t->len + 1 >= t->size)
        return;
    n = utf8Prefix(s, n, t->size - 1 - t->len);
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = 0;
}

static void textAppendf(struct textbuf *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void textAppendf(struct textbuf *t, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0)
        textAppend(t, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static int isIdentifier(const unsigned char *s, size_t len)
{
    if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

/* Append one map key to a path: .name, or ["any text"] when the key is
 * not an identifier (quotes and backslashes escaped as in JSON). */
static void pathAppendKey(struct textbuf *t, const unsigned char *key,
                          size_t len)
{
    if (isIdentifier(key, len)) {
        if (t->len > 0)
            textAppend(t, ".", 1);
        textAppend(t, (const char *)key, len);
        return;
    }
    textAppend(t, "[\"", 2);
    for (size_t i = 0; i < len; i++) {
        if (key[i] == '"' || key[i] == '\\')
            textAppend(t, "\\", 1);
        textAppend(t, (const char *)key + i, 1);
    }
    textAppend(t, "\"]", 2);
}

static int isXmlSpace(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Decode one UTF-8 sequence strictly (no overlongs, no surrogates, at
 * most U+10FFFF). Returns its length, or 0 if invalid. */
static size_t decodeUtf8(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        n = 2, min = 0x80, *cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, min = 0x800, *cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, min = 0x10000, *cp = c & 0x07;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3F);
    }
    if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
        return 0;
    return n;
}

enum textCheck { TEXT_OK, TEXT_FORBIDDEN_CHAR, TEXT_BAD_UTF8 };

/* 1 if the 8 bytes hold only printable ASCII (0x20..0x7F). */
static int isPlainAsciiWord(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t highs = 0x8080808080808080ULL;
    uint64_t below20 = (w - ones * 0x20) & ~w & highs;
    return ((w & highs) | below20) == 0;
}

/*
 * Can this text live in an XML 1.0 document unchanged? XML 1.0 section
 * 2.2 production [2] Char excludes U+0000, the C0 controls except tab, LF
 * and CR, surrogates, and U+FFFE/U+FFFF. A JSON string holding one of
 * them is rejected rather than altered or dropped, because the
 * conversion must be exact in both directions. *bad receives the
 * offending character.
 */
static enum textCheck checkXmlText(const unsigned char *s, size_t len,
                                   uint32_t *bad)
{
    size_t i = 0;
    while (i < len) {
        if (len - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, sizeof(w));
            if (isPlainAsciiWord(w)) {
                i += 8;
                continue;
            }
        }
        uint32_t cp;
        size_t n = decodeUtf8(s + i, len - i, &cp);
        if (n == 0)
            return TEXT_BAD_UTF8;
        if ((cp < 0x20 && cp != 0x09 && cp != 0x0A && cp != 0x0D) ||
            cp == 0xFFFE || cp == 0xFFFF) {
            *bad = cp;
            return TEXT_FORBIDDEN_CHAR;
        }
        i += n;
    }
    return TEXT_OK;
}

/* ---------------------------------------------------------------------
 * JSON -> json-xml
 * ------------------------------------------------------------------ */

/* Open-addressing set of interned (dictionary) key pointers. */
struct keyset {
    const xmlChar **slots;
    size_t cap;             /* power of two, or 0 */
    size_t used;
};

struct frame {
    xmlNodePtr node;
    size_t count;           /* members added so far */
    int isMap;
    int hashed;             /* keys are in `keys` (map grew past the scan) */
    struct keyset keys;     /* allocation reused by later maps at this depth */
};

struct builder {
    yajl_handle yajl;
    const unsigned char *json;
    size_t len;
    struct jsonxml_limits limits;
    xmlDocPtr doc;
    xmlNsPtr ns;
    const xmlChar *names[EL_COUNT];
    const xmlChar *keyName;
    const xmlChar *trueText;
    const xmlChar *falseText;
    struct frame *frames;
    size_t depth;           /* open maps and arrays */
    size_t frameCap;
    const xmlChar *pendingKey;  /* key of the map member about to start */
    unsigned char *scratch;     /* strings re-decoded from escapes */
    size_t scratchCap;
    int finishing;          /* inside yajl_complete_parse */
    int failed;
    struct sb_error *err;
};

static size_t byteOffset(const struct builder *b)
{
    /* yajl_complete_parse lexes a private one-byte buffer, so its
     * offsets are not input offsets: anything found there is at the end. */
    return b->finishing ? b->len : yajl_get_bytes_consumed(b->yajl);
}

static const xmlChar *memberKey(const xmlNode *member)
{
    return member->properties->children->content;
}

/* Path of the open containers; with `current`, also of the value being
 * added (the pending map key, or the next array index). */
static void builderPath(const struct builder *b, int current,
                        struct textbuf *t)
{
    for (size_t i = 1; i <= b->depth; i++) {
        const struct frame *parent = &b->frames[i - 1];
        const xmlChar *key = NULL;
        size_t index = 0;
        if (i < b->depth) {
            if (parent->isMap)
                key = memberKey(b->frames[i].node);
            else
                index = parent->count - 1;
        } else if (!current) {
            break;
        } else if (parent->isMap) {
            key = b->pendingKey;
            if (!key)
                break;
        } else {
            index = parent->count;
        }
        if (key)
            pathAppendKey(t, key, strlen((const char *)key));
        else
            textAppendf(t, "[%zu]", index);
    }
}

/* Fail the parse with code and "<what> at <path><tail> (byte N)"; the
 * field of the error is the path. */
static int builderFail(struct builder *b, const char *code, int current,
                       const char *tail, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int builderFail(struct builder *b, const char *code, int current,
                       const char *tail, const char *fmt, ...)
{
    char what[256], path[PATH_TEXT_MAX];
    struct textbuf t = {path, sizeof(path), 0};
    path[0] = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    builderPath(b, current, &t);
    error_set_field(b->err, code, path, "%s at %s%s (byte %zu)", what,
                    path[0] ? path : "the top level", tail, byteOffset(b));
    b->failed = 1;
    return 0;
}

static int builderOom(struct builder *b)
{
    error_set(b->err, "internal", "out of memory building json-xml");
    b->failed = 1;
    return 0;
}

static void appendChild(xmlNodePtr parent, xmlNodePtr child)
{
    child->parent = parent;
    if (parent->last) {
        parent->last->next = child;
        child->prev = parent->last;
    } else {
        parent->children = child;
    }
    parent->last = child;
}

/* A text node whose content is a dictionary string (freed with the
 * dictionary, as libxml2's own parser does for interned text). */
static xmlNodePtr newInternedText(struct builder *b, const xmlChar *text)
{
    xmlNodePtr t = xmlNewDocText(b->doc, NULL);
    if (t)
        t->content = (xmlChar *)text;
    return t;
}

static int addKeyAttribute(struct builder *b, xmlNodePtr node)
{
    xmlAttrPtr attr = xmlNewNsPropEatName(node, NULL, (xmlChar *)b->keyName,
                                          NULL);
    if (!attr)
        return -1;
    xmlNodePtr text = newInternedText(b, b->pendingKey);
    if (!text)
        return -1;
    text->parent = (xmlNodePtr)attr;
    attr->children = attr->last = text;
    b->pendingKey = NULL;
    return 0;
}

/* Create the element of a new value and link it into its container (or
 * make it the root). Returns NULL with the error set. */
static xmlNodePtr addElement(struct builder *b, enum element kind)
{
    struct frame *parent = b->depth ? &b->frames[b->depth - 1] : NULL;
    if (parent && parent->count >= b->limits.max_members) {
        builderFail(b, "limit_exceeded", 0, "",
                    "more than max_members (%zu) members",
                    b->limits.max_members);
        return NULL;
    }
    xmlNodePtr node = xmlNewDocNodeEatName(b->doc, b->ns,
                                           (xmlChar *)b->names[kind], NULL);
    if (!node) {
        builderOom(b);
        return NULL;
    }
    if (!parent) {
        xmlDocSetRootElement(b->doc, node);
        b->ns = xmlNewNs(node, (const xmlChar *)JSONXML_NS, NULL);
        if (!b->ns) {
            builderOom(b);
            return NULL;
        }
        node->ns = b->ns;
        return node;
    }
    appendChild(parent->node, node);
    parent->count++;
    if (parent->isMap && addKeyAttribute(b, node) < 0) {
        builderOom(b);
        return NULL;
    }
    return node;
}

/*
 * A text node. Text shorter than two pointers is stored inside the node,
 * over its properties and nsDef members (unused by text nodes), exactly as
 * libxml2's own parser does under XML_PARSE_COMPACT (also lxml's
 * default); libxml2 and libxslt recognise such content and never free it.
 * Most numbers, codes and short strings thus cost one allocation, not two.
 */
static xmlNodePtr newText(struct builder *b, const unsigned char *text,
                          size_t len)
{
    if (len >= 2 * sizeof(void *))
        return xmlNewDocTextLen(b->doc, text, (int)len);
    xmlNodePtr t = xmlNewDocText(b->doc, NULL);
    if (!t)
        return NULL;
    xmlChar *inside = (xmlChar *)&t->properties;
    memcpy(inside, text, len);
    inside[len] = 0;
    t->content = inside;
    return t;
}

static int addScalar(struct builder *b, enum element kind,
                     const unsigned char *text, size_t len)
{
    xmlNodePtr node = addElement(b, kind);
    if (!node)
        return 0;
    if (len == 0)
        return 1;
    xmlNodePtr t = newText(b, text, len);
    if (!t)
        return builderOom(b);
    appendChild(node, t);
    return 1;
}

static int openContainer(struct builder *b, enum element kind)
{
    if (b->depth >= b->limits.max_depth)
        return builderFail(b, "limit_exceeded", 1, "",
                           "nesting deeper than max_depth (%zu)",
                           b->limits.max_depth);
    if (b->depth == b->frameCap) {
        size_t cap = b->frameCap ? b->frameCap * 2 : 16;
        struct frame *f = realloc(b->frames, cap * sizeof(*f));
        if (!f)
            return builderOom(b);
        memset(f + b->frameCap, 0, (cap - b->frameCap) * sizeof(*f));
        b->frames = f;
        b->frameCap = cap;
    }
    xmlNodePtr node = addElement(b, kind);
    if (!node)
        return 0;
    struct frame *f = &b->frames[b->depth++];
    f->node = node;
    f->count = 0;
    f->isMap = kind == EL_MAP;
    f->hashed = 0;
    f->keys.used = 0;
    return 1;
}

static size_t keySlot(const struct keyset *set, const xmlChar *key)
{
    uint64_t h = (uint64_t)(uintptr_t)key * 0x9E3779B97F4A7C15ULL;
    return (size_t)(h >> 32) & (set->cap - 1);
}

static int keysetGrow(struct keyset *set)
{
    size_t oldCap = set->cap;
    const xmlChar **old = set->slots;
    size_t cap = oldCap ? oldCap * 2 : 64;
    set->slots = calloc(cap, sizeof(*set->slots));
    if (!set->slots) {
        set->slots = old;
        return -1;
    }
    set->cap = cap;
    for (size_t i = 0; i < oldCap; i++) {
        if (!old[i])
            continue;
        size_t s = keySlot(set, old[i]);
        while (set->slots[s])
            s = (s + 1) & (cap - 1);
        set->slots[s] = old[i];
    }
    free(old);
    return 0;
}

/* Returns 1 if key was present, 0 if added, -1 out of memory. */
static int keysetAdd(struct keyset *set, const xmlChar *key)
{
    if ((set->used + 1) * 2 > set->cap && keysetGrow(set) < 0)
        return -1;
    size_t s = keySlot(set, key);
    while (set->slots[s]) {
        if (set->slots[s] == key)
            return 1;
        s = (s + 1) & (set->cap - 1);
    }
    set->slots[s] = key;
    set->used++;
    return 0;
}

static void keysetClear(struct keyset *set)
{
    if (set->used)
        memset(set->slots, 0, set->cap * sizeof(*set->slots));
    set->used = 0;
}

/* Keys are interned, so equal keys are the same pointer. Returns 1 for
 * a duplicate, 0 if new, -1 out of memory. */
static int isDuplicateKey(struct frame *f, const xmlChar *key)
{
    if (f->count < LINEAR_KEY_SCAN) {
        for (xmlNodePtr c = f->node->children; c; c = c->next)
            if (memberKey(c) == key)
                return 1;
        return 0;
    }
    if (!f->hashed) {
        keysetClear(&f->keys);
        for (xmlNodePtr c = f->node->children; c; c = c->next)
            if (keysetAdd(&f->keys, memberKey(c)) < 0)
                return -1;
        f->hashed = 1;
    }
    return keysetAdd(&f->keys, key);
}

/* Where yajl handed over its own decoding of an escaped string, find the
 * raw token in the input: it ends just before the offset yajl has
 * consumed, and starts after the nearest quote not itself escaped. */
static int findRawString(const struct builder *b, const unsigned char **raw,
                         size_t *rawLen)
{
    size_t end = yajl_get_bytes_consumed(b->yajl);
    if (b->finishing || end == 0 || end > b->len || b->json[end - 1] != '"')
        return -1;
    end--;
    for (size_t i = end; i-- > 0;) {
        if (b->json[i] != '"')
            continue;
        size_t slashes = 0;
        while (slashes < i && b->json[i - 1 - slashes] == '\\')
            slashes++;
        if (slashes % 2 == 0) {
            *raw = b->json + i + 1;
            *rawLen = end - i - 1;
            return 0;
        }
    }
    return -1;
}

static unsigned hexValue(const unsigned char *s)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
    }
    return v;
}

static size_t encodeUtf8(uint32_t cp, unsigned char *out)
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    } else if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    } else if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decode one \uXXXX escape (and its low half, for a surrogate pair) at
 * raw[*i] (just past the 'u'). Returns the code point, or -1 for an
 * unpaired surrogate. yajl has checked that four hex digits follow. */
static long decodeUnicodeEscape(const unsigned char *raw, size_t len,
                                size_t *i)
{
    unsigned cp = hexValue(raw + *i);
    *i += 4;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return -1;
    if (cp < 0xD800 || cp > 0xDBFF)
        return cp;
    if (*i + 6 > len || raw[*i] != '\\' || raw[*i + 1] != 'u')
        return -1;
    unsigned low = hexValue(raw + *i + 2);
    if (low < 0xDC00 || low > 0xDFFF)
        return -1;
    *i += 6;
    return 0x10000 + (((long)cp - 0xD800) << 10) + (low - 0xDC00);
}

static int reserveScratch(struct builder *b, size_t n)
{
    if (n <= b->scratchCap)
        return 0;
    unsigned char *p = realloc(b->scratch, n);
    if (!p)
        return -1;
    b->scratch = p;
    b->scratchCap = n;
    return 0;
}

/* Decode the escapes of a raw JSON string into b->scratch. Decoded text
 * is never longer than its raw form. Returns the length, or -1 with the
 * error set (unpaired surrogate, out of memory). */
static long decodeEscapes(struct builder *b, const unsigned char *raw,
                          size_t len, int isKey)
{
    if (reserveScratch(b, len + 1) < 0)
        return builderOom(b) - 1;
    unsigned char *out = b->scratch;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        if (raw[i] != '\\') {
            out[o++] = raw[i++];
            continue;
        }
        unsigned char c = raw[i + 1];
        i += 2;
        switch (c) {
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            long cp = decodeUnicodeEscape(raw, len, &i);
            if (cp < 0)
                return builderFail(b, "invalid_json", !isKey,
                                   " has an unpaired surrogate escape", "%s",
                                   isKey ? "key" : "string") - 1;
            o += encodeUtf8((uint32_t)cp, out + o);
            break;
        }
        default: out[o++] = c; break;   /* " \ / */
        }
    }
    return (long)o;
}

/*
 * Validate a string token (value or key) and return its text. yajl hands
 * over a pointer into the input when the token has no escapes, and its
 * own decoding otherwise; that decoding turns an unpaired high surrogate
 * into '?' and mis-combines a high surrogate with a following non-low
 * escape, so escaped strings are decoded again here from the raw token.
 */
static int takeString(struct builder *b, const unsigned char *s, size_t len,
                      int isKey, const unsigned char **text, size_t *textLen)
{
    const char *what = isKey ? "key" : "string";
    if (len > b->limits.max_string || len > INT_MAX)
        return builderFail(b, "limit_exceeded", !isKey, "",
                           "%s longer than max_string (%zu)", what,
                           b->limits.max_string) - 1;
    uintptr_t p = (uintptr_t)s, in = (uintptr_t)b->json;
    const unsigned char *raw;
    size_t rawLen;
    if ((p < in || p + len > in + b->len) &&
        findRawString(b, &raw, &rawLen) == 0) {
        long n = decodeEscapes(b, raw, rawLen, isKey);
        if (n < 0)
            return -1;
        s = b->scratch;
        len = (size_t)n;
    }
    uint32_t bad = 0;
    switch (checkXmlText(s, len, &bad)) {
    case TEXT_OK:
        break;
    case TEXT_FORBIDDEN_CHAR:
    {
        char tail[80];
        snprintf(tail, sizeof(tail), " contains U+%04X, which XML 1.0 cannot"
                 " carry", (unsigned)bad);
        return builderFail(b, "invalid_json", !isKey, tail, "%s", what) - 1;
    }
    case TEXT_BAD_UTF8:
        return builderFail(b, "invalid_json", !isKey, " is not valid UTF-8",
                           "%s", what) - 1;
    }
    *text = s;
    *textLen = len;
    return 0;
}

static int onNull(void *ctx)
{
    return addScalar(ctx, EL_NULL, NULL, 0);
}

static int onBoolean(void *ctx, int value)
{
    struct builder *b = ctx;
    xmlNodePtr node = addElement(b, EL_BOOLEAN);
    if (!node)
        return 0;
    xmlNodePtr t = newInternedText(b, value ? b->trueText : b->falseText);
    if (!t)
        return builderOom(b);
    appendChild(node, t);
    return 1;
}

static int onNumber(void *ctx, const char *s, size_t len)
{
    struct builder *b = ctx;
    if (len > b->limits.max_string || len > INT_MAX)
        return builderFail(b, "limit_exceeded", 1, "",
                           "number longer than max_string (%zu)",
                           b->limits.max_string);
    return addScalar(b, EL_NUMBER, (const unsigned char *)s, len);
}

static int onString(void *ctx, const unsigned char *s, size_t len)
{
    struct builder *b = ctx;
    const unsigned char *text;
    size_t textLen;
    if (takeString(b, s, len, 0, &text, &textLen) < 0)
        return 0;
    return addScalar(b, EL_STRING, text, textLen);
}

static int onMapKey(void *ctx, const unsigned char *s, size_t len)
{
    struct builder *b = ctx;
    const unsigned char *text;
    size_t textLen;
    if (takeString(b, s, len, 1, &text, &textLen) < 0)
        return 0;
    const xmlChar *key = xmlDictLookup(b->doc->dict, text, (int)textLen);
    if (!key)
        return builderOom(b);
    struct frame *f = &b->frames[b->depth - 1];
    int dup = isDuplicateKey(f, key);
    if (dup < 0)
        return builderOom(b);
    if (dup)
    {
        size_t keyLen = strlen((const char *)key);
        return builderFail(b, "invalid_json", 0, "", "duplicate key '%.*s'",
                           (int)utf8Prefix((const char *)key, keyLen, 64),
                           (const char *)key);
    }
    b->pendingKey = key;
    return 1;
}

static int onStartMap(void *ctx)
{
    return openContainer(ctx, EL_MAP);
}

static int onStartArray(void *ctx)
{
    return openContainer(ctx, EL_ARRAY);
}

static int onEndContainer(void *ctx)
{
    struct builder *b = ctx;
    b->depth--;
    return 1;
}

static const yajl_callbacks jsonCallbacks = {
    onNull, onBoolean, NULL, NULL, onNumber, onString,
    onStartMap, onMapKey, onEndContainer, onStartArray, onEndContainer
};

static void applyDefaults(struct jsonxml_limits *l, const struct jsonxml_limits *in)
{
    if (in)
        *l = *in;
    else
        memset(l, 0, sizeof(*l));
    if (!l->max_depth)
        l->max_depth = DEFAULT_MAX_DEPTH;
    if (!l->max_bytes)
        l->max_bytes = DEFAULT_MAX_BYTES;
    if (!l->max_string)
        l->max_string = DEFAULT_MAX_STRING;
    if (!l->max_members)
        l->max_members = DEFAULT_MAX_MEMBERS;
}

/* The document, its dictionary, and the interned names every node uses. */
static int builderStart(struct builder *b)
{
    b->doc = xmlNewDoc((const xmlChar *)"1.0");
    if (!b->doc)
        return -1;
    b->doc->dict = xmlDictCreate();
    if (!b->doc->dict)
        return -1;
    xmlDictPtr dict = b->doc->dict;
    for (int i = 0; i < EL_COUNT; i++)
        if (!(b->names[i] = xmlDictLookup(dict, (const xmlChar *)elementNames[i], -1)))
            return -1;
    b->keyName = xmlDictLookup(dict, (const xmlChar *)"key", -1);
    b->trueText = xmlDictLookup(dict, (const xmlChar *)"true", -1);
    b->falseText = xmlDictLookup(dict, (const xmlChar *)"false", -1);
    if (!b->keyName || !b->trueText || !b->falseText)
        return -1;
    b->yajl = yajl_alloc(&jsonCallbacks, NULL, b);
    if (!b->yajl)
        return -1;
    /* The defaults, spelled out: strict UTF-8, one value, no comments. */
    yajl_config(b->yajl, yajl_dont_validate_strings, 0);
    yajl_config(b->yajl, yajl_allow_trailing_garbage, 0);
    yajl_config(b->yajl, yajl_allow_multiple_values, 0);
    yajl_config(b->yajl, yajl_allow_comments, 0);
    return 0;
}

static void builderEnd(struct builder *b)
{
    if (b->yajl)
        yajl_free(b->yajl);
    for (size_t i = 0; i < b->frameCap; i++)
        free(b->frames[i].keys.slots);
    free(b->frames);
    free(b->scratch);
}

/* Report yajl's own syntax error as "<reason> at byte N". */
static void syntaxError(struct builder *b, const char *json, size_t len)
{
    unsigned char *msg = yajl_get_error(b->yajl, 0,
                                        (const unsigned char *)json, len);
    const char *reason = msg ? (const char *)msg : "syntax error";
    const char *colon = strstr(reason, ": ");
    if (colon)
        reason = colon + 2;
    size_t n = strlen(reason);
    while (n > 0 && (isXmlSpace((unsigned char)reason[n - 1]) ||
                     reason[n - 1] == '.'))
        n--;
    error_set(b->err, "invalid_json", "%.*s at byte %zu", (int)n, reason,
              byteOffset(b));
    if (msg)
        yajl_free_error(b->yajl, msg);
}

static int isBlank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!isXmlSpace((unsigned char)s[i]))
            return 0;
    return 1;
}

xmlDocPtr jsonxml_from_json(const char *json, size_t len,
                            const struct jsonxml_limits *limits,
                            struct sb_error *err)
{
    struct builder b;
    memset(&b, 0, sizeof(b));
    b.err = err;
    b.json = (const unsigned char *)json;
    b.len = len;
    applyDefaults(&b.limits, limits);
    if (len > b.limits.max_bytes) {
        error_set(err, "limit_exceeded",
                  "input of %zu bytes is larger than max_bytes (%zu)", len,
                  b.limits.max_bytes);
        return NULL;
    }
    if (!json || isBlank(json, len)) {
        error_set(err, "invalid_json", "empty input at byte %zu", len);
        return NULL;
    }
    if (builderStart(&b) < 0) {
        error_set(err, "internal", "out of memory starting the JSON parser");
        goto fail;
    }
    yajl_status st = yajl_parse(b.yajl, b.json, len);
    if (st == yajl_status_ok) {
        b.finishing = 1;
        st = yajl_complete_parse(b.yajl);
    }
    if (st != yajl_status_ok) {
        if (!b.failed)
            syntaxError(&b, json, len);
        goto fail;
    }
    builderEnd(&b);
    return b.doc;
fail:
    builderEnd(&b);
    xmlFreeDoc(b.doc);
    return NULL;
}

/* ---------------------------------------------------------------------
 * json-xml -> JSON
 * ------------------------------------------------------------------ */

struct writer {
    yajl_gen gen;
    const xmlNode *top;         /* paths in errors start here */
    const xmlNs *knownNs;       /* last namespace found to be JSONXML_NS */
    struct sb_error *err;
};

/* The key attribute of a map member, or NULL. *owned is set when the
 * value had to be assembled (an attribute with several children). */
static const xmlChar *keyOf(const xmlNode *n, xmlChar **owned)
{
    *owned = NULL;
    for (const xmlAttr *a = n->properties; a; a = a->next) {
        if (a->ns || strcmp((const char *)a->name, "key") != 0)
            continue;
        const xmlNode *c = a->children;
        if (!c)
            return (const xmlChar *)"";
        if (!c->next && c->type == XML_TEXT_NODE)
            return c->content ? c->content : (const xmlChar *)"";
        *owned = xmlNodeListGetString(n->doc, c, 1);
        return *owned ? *owned : (const xmlChar *)"";
    }
    return NULL;
}

static int elementKind(struct writer *w, const xmlNode *n)
{
    if (n->type != XML_ELEMENT_NODE || !n->ns)
        return -1;
    if (n->ns != w->knownNs) {
        if (!n->ns->href ||
            strcmp((const char *)n->ns->href, JSONXML_NS) != 0)
            return -1;
        w->knownNs = n->ns;
    }
    const char *name = (const char *)n->name;
    int k;
    switch (name[0]) {
    case 'm': k = EL_MAP; break;
    case 'a': k = EL_ARRAY; break;
    case 's': k = EL_STRING; break;
    case 'b': k = EL_BOOLEAN; break;
    case 'n': k = name[1] == 'u' && name[2] == 'm' ? EL_NUMBER : EL_NULL; break;
    default: return -1;
    }
    return strcmp(name, elementNames[k]) == 0 ? k : -1;
}

/* Path from w->top down to n: keys of map members, indexes of array
 * members (counting element siblings only). */
static void writerPath(struct writer *w, const xmlNode *n, struct textbuf *t)
{
    const xmlNode *chain[64];
    size_t depth = 0;
    for (const xmlNode *c = n; c && c != w->top && c->parent; c = c->parent) {
        if (depth == sizeof(chain) / sizeof(chain[0])) {
            textAppend(t, "...", 3);
            depth--;
        }
        chain[depth++] = c;
    }
    while (depth-- > 0) {
        const xmlNode *c = chain[depth];
        xmlChar *owned;
        const xmlChar *key = NULL;
        if (elementKind(w, c->parent) == EL_MAP)
            key = keyOf(c, &owned);
        if (key) {
            pathAppendKey(t, key, strlen((const char *)key));
            xmlFree(owned);
            continue;
        }
        size_t index = 0;
        for (const xmlNode *s = c->parent->children; s != c; s = s->next)
            index += s->type == XML_ELEMENT_NODE;
        textAppendf(t, "[%zu]", index);
    }
}

static void elementName(const xmlNode *n, char *buf, size_t size)
{
    if (n->type != XML_ELEMENT_NODE)
        snprintf(buf, size, "node of type %d", (int)n->type);
    else if (n->ns && n->ns->prefix)
        snprintf(buf, size, "<%s:%s>", (const char *)n->ns->prefix,
                 (const char *)n->name);
    else
        snprintf(buf, size, "<%s>", (const char *)n->name);
    dropPartialUtf8(buf);
}

/* Fail with code "internal" and "<what> at <path> (line N)". */
static int writerFail(struct writer *w, const xmlNode *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int writerFail(struct writer *w, const xmlNode *at, const char *fmt, ...)
{
    char what[256], path[PATH_TEXT_MAX], line[32] = "";
    struct textbuf t = {path, sizeof(path), 0};
    path[0] = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    writerPath(w, at, &t);
    long lineNo = xmlGetLineNo(at);
    if (lineNo > 0)
        snprintf(line, sizeof(line), " (line %ld)", lineNo);
    error_set_field(w->err, "internal", path, "%s at %s%s", what,
                    path[0] ? path : "the top level", line);
    return -1;
}

const char *jsonxml_gen_reason(int status)
{
    static const char *const reasons[] = {
        [yajl_gen_keys_must_be_strings] = "a map key where a value belongs",
        [yajl_max_depth_exceeded] = "nesting deeper than the generator allows",
        [yajl_gen_in_error_state] = "generator already failed",
        [yajl_gen_generation_complete] = "generator already holds a value",
        [yajl_gen_invalid_number] = "invalid number",
        [yajl_gen_no_buf] = "generator has no buffer",
        [yajl_gen_invalid_string] = "text that is not valid UTF-8",
    };
    return status >= 0 && (size_t)status < sizeof(reasons) / sizeof(reasons[0])
                   && reasons[status] ? reasons[status] : "generator error";
}

static int genCheck(struct writer *w, const xmlNode *n, yajl_gen_status st)
{
    if (st == yajl_gen_status_ok)
        return 0;
    const char *reason = jsonxml_gen_reason(st);
    char name[80];
    elementName(n, name, sizeof(name));
    return writerFail(w, n, "cannot write %s: %s", name, reason);
}

static int isIgnorable(const xmlNode *n)
{
    if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE)
        return 1;
    if (n->type != XML_TEXT_NODE)
        return 0;
    const xmlChar *s = n->content;
    return !s || isBlank((const char *)s, strlen((const char *)s));
}

/* The text of a scalar element: its text and CDATA children, comments
 * and PIs skipped. *owned is set when the text had to be concatenated. */
static int scalarText(struct writer *w, const xmlNode *n, const xmlChar **text,
                      xmlChar **owned)
{
    *owned = NULL;
    *text = (const xmlChar *)"";
    const xmlNode *c = n->children;
    if (c && !c->next && (c->type == XML_TEXT_NODE ||
                          c->type == XML_CDATA_SECTION_NODE)) {
        if (c->content)
            *text = c->content;
        return 0;
    }
    for (; c; c = c->next) {
        if (c->type == XML_COMMENT_NODE || c->type == XML_PI_NODE)
            continue;
        if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE) {
            char name[80], child[80];
            elementName(n, name, sizeof(name));
            elementName(c, child, sizeof(child));
            xmlFree(*owned);
            *owned = NULL;
            return writerFail(w, n, "%s may hold only text, not %s", name,
                              child);
        }
        if (c->content) {
            xmlChar *joined = xmlStrcat(*owned, c->content);
            if (!joined) {
                xmlFree(*owned);
                *owned = NULL;
                return writerFail(w, n, "out of memory");
            }
            *owned = joined;
        }
    }
    if (*owned)
        *text = *owned;
    return 0;
}

/* RFC 8259 section 6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static int isJsonNumber(const char *s, size_t len)
{
    size_t i = 0;
    if (i < len && s[i] == '-')
        i++;
    if (i < len && s[i] == '0') {
        i++;
    } else if (i < len && s[i] >= '1' && s[i] <= '9') {
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
    } else {
        return 0;
    }
    if (i < len && s[i] == '.') {
        size_t start = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start)
            return 0;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t start = i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start)
            return 0;
    }
    return i == len;
}

static void trimSpace(const char **s, size_t *len)
{
    while (*len > 0 && isXmlSpace((unsigned char)**s))
        (*s)++, (*len)--;
    while (*len > 0 && isXmlSpace((unsigned char)(*s)[*len - 1]))
        (*len)--;
}

static int writeNumber(struct writer *w, const xmlNode *n, const char *s,
                       size_t len)
{
    trimSpace(&s, &len);
    if (!isJsonNumber(s, len))
        return writerFail(w, n, "<number> text '%.*s' is not a JSON number",
                          (int)utf8Prefix(s, len, 40), s);
    return genCheck(w, n, yajl_gen_number(w->gen, s, len));
}

static int writeBoolean(struct writer *w, const xmlNode *n, const char *s,
                        size_t len)
{
    trimSpace(&s, &len);
    int value;
    if ((len == 4 && memcmp(s, "true", 4) == 0) || (len == 1 && s[0] == '1'))
        value = 1;
    else if ((len == 5 && memcmp(s, "false", 5) == 0) ||
             (len == 1 && s[0] == '0'))
        value = 0;
    else
        return writerFail(w, n, "<boolean> text '%.*s' is not true or false",
                          (int)utf8Prefix(s, len, 40), s);
    return genCheck(w, n, yajl_gen_bool(w->gen, value));
}

static int writeScalar(struct writer *w, const xmlNode *n, int kind)
{
    const xmlChar *text;
    xmlChar *owned;
    if (scalarText(w, n, &text, &owned) < 0)
        return -1;
    const char *s = (const char *)text;
    size_t len = strlen(s);
    int rc;
    switch (kind) {
    case EL_STRING:
        rc = genCheck(w, n, yajl_gen_string(w->gen, text, len));
        break;
    case EL_NUMBER:
        rc = writeNumber(w, n, s, len);
        break;
    case EL_BOOLEAN:
        rc = writeBoolean(w, n, s, len);
        break;
    default:
        rc = isBlank(s, len) ? genCheck(w, n, yajl_gen_null(w->gen))
             : writerFail(w, n, "<null> must be empty");
        break;
    }
    xmlFree(owned);
    return rc;
}

static int writeValue(struct writer *w, const xmlNode *n);

static int unexpectedChild(struct writer *w, const xmlNode *parent,
                           const xmlNode *c)
{
    char name[80], child[80];
    elementName(parent, name, sizeof(name));
    elementName(c, child, sizeof(child));
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
        return writerFail(w, parent, "%s holds text outside its members",
                          name);
    return writerFail(w, parent, "%s holds an unexpected %s", name, child);
}

static int writeMapMember(struct writer *w, const xmlNode *map,
                          const xmlNode *c)
{
    xmlChar *owned;
    const xmlChar *key = keyOf(c, &owned);
    if (!key) {
        char child[80];
        elementName(c, child, sizeof(child));
        return writerFail(w, map, "map member %s has no key attribute",
                          child);
    }
    int rc = genCheck(w, c, yajl_gen_string(w->gen, key,
                                            strlen((const char *)key)));
    xmlFree(owned);
    return rc < 0 ? -1 : writeValue(w, c);
}

static int writeContainer(struct writer *w, const xmlNode *n, int isMap)
{
    if (genCheck(w, n, isMap ? yajl_gen_map_open(w->gen)
                             : yajl_gen_array_open(w->gen)) < 0)
        return -1;
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            if (!isIgnorable(c))
                return unexpectedChild(w, n, c);
            continue;
        }
        if ((isMap ? writeMapMember(w, n, c) : writeValue(w, c)) < 0)
            return -1;
    }
    return genCheck(w, n, isMap ? yajl_gen_map_close(w->gen)
                                : yajl_gen_array_close(w->gen));
}

static int writeValue(struct writer *w, const xmlNode *n)
{
    int kind = elementKind(w, n);
    if (kind < 0) {
        char name[80];
        elementName(n, name, sizeof(name));
        if (n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
            strcmp((const char *)n->ns->href, JSONXML_NS) == 0)
            return writerFail(w, n, "unknown json-xml element %s", name);
        return writerFail(w, n, "%s is not a json-xml element (namespace "
                          JSONXML_NS ")", name);
    }
    if (kind == EL_MAP || kind == EL_ARRAY)
        return writeContainer(w, n, kind == EL_MAP);
    return writeScalar(w, n, kind);
}

int jsonxml_generate(void *yajl_gen_handle, const xmlNode *node,
                     struct sb_error *err)
{
    if (node && (node->type == XML_DOCUMENT_NODE ||
                 node->type == XML_HTML_DOCUMENT_NODE))
        node = xmlDocGetRootElement((const xmlDoc *)node);
    if (!yajl_gen_handle || !node)
        return error_set(err, "internal", "no json-xml element to convert");
    struct writer w = {yajl_gen_handle, node, NULL, err};
    return writeValue(&w, node);
}

/* Output of jsonxml_to_json: yajl_gen prints straight into it, and it is
 * handed to the caller without a copy. Failure is sticky. */
struct outbuf {
    char *data;
    size_t len;
    size_t cap;
    int failed;
};

static void printToBuffer(void *ctx, const char *s, size_t n)
{
    struct outbuf *o = ctx;
    if (o->failed)
        return;
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 1024;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *p = realloc(o->data, cap);
        if (!p) {
            o->failed = 1;
            return;
        }
        o->data = p;
        o->cap = cap;
    }
    memcpy(o->data + o->len, s, n);
    o->len += n;
}

char *jsonxml_write(jsonxml_fill fill, const void *arg, size_t expected,
                    size_t *len, struct sb_error *err)
{
    struct outbuf out = {NULL, 0, 0, 0};
    /* One allocation of the expected size, rather than a chain of
     * doublings that copy (its untouched pages cost nothing). */
    if (expected > 1024 && !(out.data = malloc(out.cap = expected + 1))) {
        error_set(err, "internal", "out of memory starting the JSON writer");
        return NULL;
    }
    yajl_gen gen = yajl_gen_alloc(NULL);
    if (!gen) {
        error_set(err, "internal", "out of memory starting the JSON writer");
        return NULL;
    }
    yajl_gen_config(gen, yajl_gen_beautify, 0);
    yajl_gen_config(gen, yajl_gen_validate_utf8, 1);
    yajl_gen_config(gen, yajl_gen_escape_solidus, 0);
    yajl_gen_config(gen, yajl_gen_print_callback, printToBuffer, &out);
    if (fill(gen, arg, err) < 0)
        goto fail;
    if (out.failed || !out.data) {
        error_set(err, "internal", "out of memory writing JSON");
        goto fail;
    }
    out.data[out.len] = 0;
    if (len)
        *len = out.len;
    yajl_gen_free(gen);
    return out.data;
fail:
    yajl_gen_free(gen);
    free(out.data);
    return NULL;
}

static int fillFromNode(void *gen, const void *node, struct sb_error *err)
{
    return jsonxml_generate(gen, node, err);
}

char *jsonxml_to_json(const xmlNode *node, size_t *len, struct sb_error *err)
{
    return jsonxml_write(fillFromNode, node, 0, len, err);
}
