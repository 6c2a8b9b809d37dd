/*
 * envelope: SOAP 1.1 / 1.2 envelopes on the way out, and safe parsing
 * plus fault detection on the way back.
 *
 * Outgoing: the request stylesheet produces the body content (or the
 * native plan writes it as text); envelope wraps it in
 * soap:Envelope/soap:Body, adds header blocks (WS-Security
 * UsernameToken, WS-Addressing) and says which Content-Type and
 * SOAPAction go with it. Incoming: the upstream's bytes are parsed with
 * safe libxml2 options (no network, no entity substitution, no DTD
 * loading, bounded depth and size), decoded from the charset named by the
 * XML declaration or the HTTP Content-Type (ISO-8859-1, windows-1252,
 * UTF-16 ...), and checked for a SOAP fault.
 */
#ifndef SB_ENVELOPE_H
#define SB_ENVELOPE_H

#include <stddef.h>
#include <libxml/tree.h>

#include "error.h"
#include "strbuf.h"

enum envelope_version { ENVELOPE_SOAP11 = 11, ENVELOPE_SOAP12 = 12 };

enum envelope_password_type {
    ENVELOPE_PASSWORD_TEXT = 0,
    ENVELOPE_PASSWORD_DIGEST
};

struct envelope_security {          /* WS-Security UsernameToken */
    const char *username;           /* NULL = no Security header */
    const char *password;
    enum envelope_password_type password_type;
    /* For tests: fixed nonce bytes and created time; NULL = random/now. */
    const unsigned char *nonce;     /* 16 bytes when set */
    const char *created;            /* "2026-11-25T06:00:00Z" when set */
};

struct envelope_addressing {        /* WS-Addressing 1.0 */
    int enabled;
    const char *to;                 /* endpoint URL */
    const char *action;             /* defaults to the operation's action */
    const char *message_id;         /* NULL = "urn:uuid:" + random v4 */
};

struct envelope_request {
    enum envelope_version version;
    const char *soap_action;        /* may be "" */
    const struct envelope_security *security;      /* may be NULL */
    const struct envelope_addressing *addressing;  /* may be NULL */
};

/*
 * Write a request envelope into `out` (appended): envelope_open writes the
 * XML declaration, soap:Envelope with its namespace declarations, the
 * header blocks and <soap:Body>; the caller appends the body's elements,
 * each declaring the namespaces it uses (but those envelope_declares);
 * envelope_close ends the envelope and hands over the text (malloc'ed,
 * caller frees; length in *len; `out` is reset). envelope_open returns 0,
 * or -1 with err filled; envelope_close returns NULL with err filled when
 * an append failed for lack of memory (`out` is freed then).
 */
int envelope_open(const struct envelope_request *req, struct strbuf *out,
                  struct sb_error *err);
char *envelope_close(struct strbuf *out, size_t *len, struct sb_error *err);

/* Does soap:Envelope declare `prefix` (NULL: the default namespace) as
 * `href` for req? A body element that uses it need not declare it. */
int envelope_declares(const struct envelope_request *req, const char *prefix,
                      const char *href);

/*
 * Build a request envelope. `body` is a document whose root element's
 * children become the children of soap:Body (the root itself is a wrapper
 * and is dropped); each is serialized by libxml2, with the namespaces it
 * inherits from the wrapper declared on it. The caller keeps `body`.
 * Returns the envelope as envelope_close does, or NULL with err filled.
 */
char *envelope_build(const struct envelope_request *req, xmlDocPtr body,
                     size_t *len, struct sb_error *err);

/*
 * The Content-Type header value for a request: SOAP 1.1
 * "text/xml; charset=utf-8"; SOAP 1.2
 * "application/soap+xml; charset=utf-8; action=\"...\"" (action omitted
 * when empty). Written into buf (NUL-terminated); returns buf.
 */
const char *envelope_content_type(const struct envelope_request *req,
                                  char *buf, size_t size);

struct envelope_limits {
    size_t max_bytes;     /* 0 = default 16 MiB */
    int max_depth;        /* 0 = default 256 */
};

/*
 * Parse an upstream response safely. `http_content_type` (may be NULL) is
 * the HTTP Content-Type header; its charset is used when the document has
 * no XML declaration naming one. Returns a new document (caller frees with
 * xmlFreeDoc) whose root is a SOAP Envelope, or NULL with err code
 * "upstream_bad_response" and a message that says what was wrong (empty
 * body, not XML and why, HTML error page, no Envelope, no Body, limit).
 */
xmlDocPtr envelope_parse(const char *data, size_t len,
                         const char *http_content_type,
                         const struct envelope_limits *limits,
                         struct sb_error *err);

/*
 * The parse of envelope_parse -- the same size, depth, DOCTYPE and
 * charset rules and safe options -- without a tree: the document goes to
 * the handler as it is read, so memory stays within the parser's window
 * whatever the response size. Each callback returns 0 to go on, or
 * non-zero to stop. `attributes` is libxml2's SAX2 array: five pointers
 * an attribute (local name, prefix, URI, value, end of value); an '&' in
 * a value arrives as "&#38;". Text is UTF-8, in pieces. Small UTF-8
 * documents are read by xmlscan, which hands over the same events, and
 * the others by libxml2 (xmlscan.h).
 */
struct envelope_scan_handler {
    int (*start)(void *user, const xmlChar *localname, const xmlChar *prefix,
                 const xmlChar *uri, int nb_attributes,
                 const xmlChar **attributes);
    int (*end)(void *user);
    int (*text)(void *user, const xmlChar *s, int len);
    /* The events so far are void: the document is read again from its
     * start (xmlscan gave up on it half-way, libxml2 reads it). NULL:
     * xmlscan first checks the whole document, so that events never
     * start over, which costs a second reading. */
    void (*restart)(void *user);
    void *user;
};

/* Returns 0 when the whole document was read and is well-formed XML, 1
 * when a callback stopped the scan, -1 when envelope_parse would refuse
 * the bytes (it says why). The SOAP shape is the handler's to check. */
int envelope_scan(const char *data, size_t len, const char *http_content_type,
                  const struct envelope_limits *limits,
                  const struct envelope_scan_handler *handler);

/* The SOAP version of a parsed envelope (by the Envelope's namespace). */
enum envelope_version envelope_version_of(xmlDocPtr doc);

/* The soap:Body element of a parsed envelope (never NULL after a
 * successful envelope_parse). Points into doc. */
xmlNodePtr envelope_body(xmlDocPtr doc);

/* A SOAP fault, with strings owned by the struct (envelope_fault_clear). */
struct envelope_fault {
    enum envelope_version version;
    char *code;        /* 1.1 faultcode / 1.2 Code/Value, e.g. "soap:Client" */
    char *subcode;     /* 1.2 Code/Subcode/Value, or NULL */
    char *reason;      /* 1.1 faultstring / 1.2 first Reason/Text */
    char *actor;       /* 1.1 faultactor / 1.2 Role, or NULL */
    char *node;        /* 1.2 Node, or NULL */
    xmlNodePtr detail; /* 1.1 detail / 1.2 Detail element; points into the
                          parsed document, NULL if absent */
};

/*
 * If the body of `doc` holds a Fault, fill *fault and return 1; return 0
 * if it is no fault; -1 with err filled if a Fault is malformed (it still
 * counts as a fault: fields that could be read are filled).
 */
int envelope_find_fault(xmlDocPtr doc, struct envelope_fault *fault,
                        struct sb_error *err);
void envelope_fault_clear(struct envelope_fault *fault);

#endif
