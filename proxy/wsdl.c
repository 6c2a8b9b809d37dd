/*
 * wsdl: loads a WSDL 1.1 description into the model of wsdl.h.
 *
 * The main file and every wsdl:import it reaches are parsed once and kept
 * until loading ends; their schemas go into one xsd set, which is resolved
 * before messages, port types, bindings and services are read, so that a
 * part can point straight at its xsd_element. Everything the model holds
 * comes from one pool owned by struct wsdl (freed by wsdl_free).
 */
#include "wsdl.h"

#include <limits.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libxml/hash.h>
#include <libxml/parser.h>

#define WSDL_ERR "wsdl_load"
#define WSDL_MAX_DOCS 64

struct chunk {
    struct chunk *next;
};

#define CHUNK_HEADER \
    ((sizeof(struct chunk) + alignof(max_align_t) - 1) & \
     ~(alignof(max_align_t) - 1))

struct wsdl_impl {
    struct wsdl pub;
    struct chunk *chunks;
};

struct wsdl_doc {
    xmlDocPtr doc;
    const char *file;
    const char *tns;
};

struct loader {
    struct wsdl_impl *w;
    struct sb_error *err;
    struct wsdl_doc docs[WSDL_MAX_DOCS];
    size_t n_docs;
    xmlHashTablePtr loaded;      /* real paths of the files read */
    xmlHashTablePtr messages;    /* {ns}name -> struct wsdl_message */
    xmlHashTablePtr port_types;  /* {ns}name -> xmlNodePtr */
    xmlHashTablePtr bindings;    /* {ns}name -> struct wsdl_binding */
};

/* Hash value of a binding that is not SOAP: its ports are skipped. */
static const int nonSoapBinding;

static void *poolAlloc(struct wsdl_impl *w, size_t size)
{
    struct chunk *c = calloc(1, CHUNK_HEADER + size);
    if (!c)
        return NULL;
    c->next = w->chunks;
    w->chunks = c;
    return (char *)c + CHUNK_HEADER;
}

static char *poolStrdup(struct wsdl_impl *w, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *d = poolAlloc(w, n + 1);
    if (d)
        memcpy(d, s, n);
    return d;
}

static int oom(struct loader *l)
{
    return error_set(l->err, WSDL_ERR, "out of memory");
}

/* ---- DOM helpers ---- */

static int isNs(xmlNodePtr n, const char *ns, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns &&
           strcmp((const char *)n->ns->href, ns) == 0 &&
           (!name || strcmp((const char *)n->name, name) == 0);
}

static int isWsdl(xmlNodePtr n, const char *name)
{
    return isNs(n, WSDL_NS, name);
}

/* A SOAP 1.1 or 1.2 binding extension element named `name`. */
static int isSoap(xmlNodePtr n, const char *name)
{
    return isNs(n, WSDL_SOAP11_NS, name) || isNs(n, WSDL_SOAP12_NS, name);
}

static xmlNodePtr firstChild(xmlNodePtr n, int (*match)(xmlNodePtr,
                                                        const char *),
                             const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (match(c, name))
            return c;
    return NULL;
}

static int nodeLine(xmlNodePtr n)
{
    long line = xmlGetLineNo(n);
    return line > 0 && line < INT_MAX ? (int)line : 0;
}

static char *attrDup(struct loader *l, xmlNodePtr n, const char *name)
{
    xmlChar *v = n ? xmlGetNoNsProp(n, BAD_CAST name) : NULL;
    if (!v)
        return NULL;
    char *d = poolStrdup(l->w, (const char *)v);
    xmlFree(v);
    return d;
}

static const char *docFile(xmlNodePtr n)
{
    return n->doc && n->doc->URL ? (const char *)n->doc->URL : "";
}

static int failAt(struct loader *l, xmlNodePtr n, const char *fmt,
                  const char *arg)
{
    return error_set_at(l->err, WSDL_ERR, docFile(n), nodeLine(n), fmt, arg);
}

/* Split the QName in attribute `attr` of n into namespace and local. */
static int attrQName(struct loader *l, xmlNodePtr n, const char *attr,
                     const char **ns, const char **local)
{
    char *text = attrDup(l, n, attr);
    if (!text)
        return failAt(l, n, "missing %s attribute", attr);
    char *colon = strchr(text, ':');
    if (colon)
        *colon = 0;
    xmlNsPtr x = xmlSearchNs(n->doc, n, BAD_CAST(colon ? text : NULL));
    if (colon && !x) {
        *colon = ':';
        return failAt(l, n, "%s: unknown namespace prefix", text);
    }
    *ns = x && x->href[0] ? (const char *)x->href : NULL;
    *local = colon ? colon + 1 : text;
    if (colon)
        *colon = ':';
    return 0;
}

static int attrEqualsRpc(xmlNodePtr n)
{
    xmlChar *v = xmlGetNoNsProp(n, BAD_CAST "style");
    int rpc = v && strcmp((const char *)v, "rpc") == 0;
    xmlFree(v);
    return rpc;
}

static char *attrRaw(struct loader *l, xmlNodePtr n, const char *attr)
{
    char *v = attrDup(l, n, attr);
    return v ? v : (char *)"";
}

static char *documentation(struct loader *l, xmlNodePtr n)
{
    xmlNodePtr d = firstChild(n, isWsdl, "documentation");
    if (!d)
        return NULL;
    xmlChar *text = xmlNodeGetContent(d);
    char *s = poolStrdup(l->w, (const char *)text);
    xmlFree(text);
    return s;
}

/* ---- documents and imports ---- */

static int loadDoc(struct loader *l, const char *path, xmlNodePtr from);

static int loadImports(struct loader *l, xmlNodePtr root, const char *file)
{
    for (xmlNodePtr n = root->children; n; n = n->next) {
        if (!isWsdl(n, "import"))
            continue;
        char *location = attrDup(l, n, "location");
        if (!location)
            continue;   /* namespace only: its schemas come by xsd import */
        if (strncmp(location, "http://", 7) == 0 ||
            strncmp(location, "https://", 8) == 0)
            return failAt(l, n, "%s: remote WSDL imports are not fetched",
                          location);
        const char *slash = strrchr(file, '/');
        size_t dir = location[0] == '/' || !slash ? 0 : slash - file + 1;
        size_t len = strlen(location);
        char *path = poolAlloc(l->w, dir + len + 1);
        if (!path)
            return oom(l);
        memcpy(path, file, dir);
        memcpy(path + dir, location, len);
        if (access(path, R_OK) != 0)
            return failAt(l, n, "%s: imported file not found", location);
        if (loadDoc(l, path, n))
            return -1;
    }
    return 0;
}

static int loadDoc(struct loader *l, const char *path, xmlNodePtr from)
{
    char real[PATH_MAX];
    if (!realpath(path, real))
        return from ? failAt(l, from, "%s: imported file not found", path)
                    : error_set_at(l->err, WSDL_ERR, path, 0,
                                   "file not found");
    if (xmlHashLookup(l->loaded, BAD_CAST real))
        return 0;
    if (xmlHashAddEntry(l->loaded, BAD_CAST real, l) != 0)
        return oom(l);
    xmlDocPtr doc = xsd_read_file(path, WSDL_ERR, l->err);
    if (!doc)
        return -1;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (from && isNs(root, XSD_NS, "schema")) {
        /* wsdl:import of a schema file, as some generators write it. */
        int rc = xsd_set_add_schema(l->w->pub.schemas, root, path, l->err);
        xmlFreeDoc(doc);
        return rc;
    }
    if (!isWsdl(root, "definitions") || l->n_docs == WSDL_MAX_DOCS) {
        error_set_at(l->err, WSDL_ERR, path, root ? nodeLine(root) : 0,
                     l->n_docs == WSDL_MAX_DOCS
                         ? "too many imported WSDL files"
                         : "not a WSDL 1.1 definitions element");
        xmlFreeDoc(doc);
        return -1;
    }
    struct wsdl_doc *d = &l->docs[l->n_docs++];
    d->doc = doc;
    d->file = path;
    d->tns = attrDup(l, root, "targetNamespace");
    if (d->tns && !d->tns[0])
        d->tns = NULL;
    return loadImports(l, root, path);
}

static int addSchemas(struct loader *l)
{
    for (size_t i = 0; i < l->n_docs; i++) {
        xmlNodePtr root = xmlDocGetRootElement(l->docs[i].doc);
        for (xmlNodePtr t = root->children; t; t = t->next) {
            if (!isWsdl(t, "types"))
                continue;
            for (xmlNodePtr s = t->children; s; s = s->next)
                if (isNs(s, XSD_NS, "schema") &&
                    xsd_set_add_schema(l->w->pub.schemas, s, l->docs[i].file,
                                       l->err))
                    return -1;
        }
    }
    if (xsd_set_resolve(l->w->pub.schemas, l->err))
        return -1;
    return 0;
}

/* ---- messages ---- */

static int parsePart(struct loader *l, xmlNodePtr n, struct wsdl_part *p)
{
    const char *ns, *local;
    struct xsd_set *set = l->w->pub.schemas;
    p->name = attrDup(l, n, "name");
    if (!p->name)
        return failAt(l, n, "%s: part without name", "part");
    if (xmlHasProp(n, BAD_CAST "element")) {
        if (attrQName(l, n, "element", &ns, &local))
            return -1;
        p->element = xsd_find_element(set, ns, local);
        if (!p->element)
            return failAt(l, n, "%s: unknown element", attrRaw(l, n,
                                                               "element"));
    } else if (xmlHasProp(n, BAD_CAST "type")) {
        if (attrQName(l, n, "type", &ns, &local))
            return -1;
        p->type = xsd_find_type(set, ns, local);
        if (!p->type)
            return failAt(l, n, "%s: unknown type", attrRaw(l, n, "type"));
    } else {
        return failAt(l, n, "%s: part without element or type", p->name);
    }
    return 0;
}

static int parseMessage(struct loader *l, xmlNodePtr n, const char *tns)
{
    struct wsdl_message *m = poolAlloc(l->w, sizeof(*m));
    if (!m)
        return oom(l);
    m->ns = (char *)tns;
    m->name = attrDup(l, n, "name");
    if (!m->name)
        return failAt(l, n, "%s: message without name", "message");
    size_t count = 0;
    for (xmlNodePtr c = n->children; c; c = c->next)
        count += isWsdl(c, "part");
    m->parts = poolAlloc(l->w, (count + 1) * sizeof(*m->parts));
    if (!m->parts)
        return oom(l);
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (isWsdl(c, "part") && parsePart(l, c, &m->parts[m->n_parts++]))
            return -1;
    if (xmlHashAddEntry2(l->messages, BAD_CAST m->name, BAD_CAST tns, m) &&
        !xmlHashLookup2(l->messages, BAD_CAST m->name, BAD_CAST tns))
        return oom(l);
    return 0;
}

/* Register messages and port types of every document. */
static int collectDefinitions(struct loader *l)
{
    for (size_t i = 0; i < l->n_docs; i++) {
        xmlNodePtr root = xmlDocGetRootElement(l->docs[i].doc);
        const char *tns = l->docs[i].tns;
        for (xmlNodePtr n = root->children; n; n = n->next) {
            if (isWsdl(n, "message") && parseMessage(l, n, tns))
                return -1;
            if (!isWsdl(n, "portType"))
                continue;
            xmlChar *name = xmlGetNoNsProp(n, BAD_CAST "name");
            if (name)
                xmlHashAddEntry2(l->port_types, name, BAD_CAST tns, n);
            xmlFree(name);
        }
    }
    return 0;
}

static struct wsdl_message *findMessage(struct loader *l, xmlNodePtr n)
{
    const char *ns, *local;
    if (attrQName(l, n, "message", &ns, &local))
        return NULL;
    struct wsdl_message *m = xmlHashLookup2(l->messages, BAD_CAST local,
                                            BAD_CAST ns);
    if (!m)
        failAt(l, n, "%s: unknown message", attrRaw(l, n, "message"));
    return m;
}

/* ---- bindings ---- */

static struct wsdl_part *findPart(struct wsdl_message *m, const char *name)
{
    for (size_t i = 0; i < m->n_parts; i++)
        if (strcmp(m->parts[i].name, name) == 0)
            return &m->parts[i];
    return NULL;
}

static int bodyParts(struct loader *l, xmlNodePtr body, struct wsdl_body *b)
{
    struct wsdl_message *m = b->message;
    char *list = body ? attrDup(l, body, "parts") : NULL;
    b->parts = poolAlloc(l->w, (m->n_parts + 1) * sizeof(*b->parts));
    if (!b->parts)
        return oom(l);
    if (!list) {
        for (size_t i = 0; i < m->n_parts; i++)
            b->parts[b->n_parts++] = &m->parts[i];
        return 0;
    }
    char *save = NULL;
    for (char *tok = strtok_r(list, " \t\r\n", &save); tok;
         tok = strtok_r(NULL, " \t\r\n", &save)) {
        struct wsdl_part *p = findPart(m, tok);
        if (!p)
            return failAt(l, body, "%s: no such part in the message", tok);
        if (b->n_parts < m->n_parts)
            b->parts[b->n_parts++] = p;
    }
    return 0;
}

static int headerParts(struct loader *l, xmlNodePtr io, struct wsdl_body *b)
{
    size_t count = 0;
    for (xmlNodePtr c = io->children; c; c = c->next)
        count += isSoap(c, "header");
    b->header_parts = poolAlloc(l->w, (count + 1) * sizeof(void *));
    if (!b->header_parts)
        return oom(l);
    for (xmlNodePtr c = io->children; c; c = c->next) {
        if (!isSoap(c, "header"))
            continue;
        struct wsdl_message *m = findMessage(l, c);
        if (!m)
            return -1;
        char *part = attrDup(l, c, "part");
        struct wsdl_part *p = part ? findPart(m, part) : NULL;
        if (!p)
            return failAt(l, c, "%s: no such part in the header message",
                          part ? part : "(none)");
        b->header_parts[b->n_header_parts++] = p;
    }
    return 0;
}

/* One direction: the message from the port type, the rest from the
 * binding's soap:body / soap:header. */
static int parseBody(struct loader *l, xmlNodePtr pt_io, xmlNodePtr b_io,
                     struct wsdl_body *b)
{
    if (!pt_io)
        return 0;
    b->message = findMessage(l, pt_io);
    if (!b->message)
        return -1;
    xmlNodePtr body = firstChild(b_io, isSoap, "body");
    if (body) {
        xmlChar *use = xmlGetNoNsProp(body, BAD_CAST "use");
        b->use = use && strcmp((const char *)use, "encoded") == 0
                     ? WSDL_ENCODED : WSDL_LITERAL;
        xmlFree(use);
        b->ns = attrDup(l, body, "namespace");
        b->encoding_style = attrDup(l, body, "encodingStyle");
    }
    if (bodyParts(l, body, b))
        return -1;
    return b_io ? headerParts(l, b_io, b) : 0;
}

/* name -> wsdl:operation of a port type, so that binding operations are
 * matched in constant time (WSDLs with thousands of operations exist). */
static xmlHashTablePtr indexOperations(xmlNodePtr pt)
{
    xmlHashTablePtr ops = xmlHashCreate(64);
    for (xmlNodePtr c = pt->children; ops && c; c = c->next) {
        if (!isWsdl(c, "operation"))
            continue;
        xmlChar *n = xmlGetNoNsProp(c, BAD_CAST "name");
        if (n)
            xmlHashAddEntry(ops, n, c);   /* overloads: the first wins */
        xmlFree(n);
    }
    return ops;
}

static int parseFaults(struct loader *l, xmlNodePtr pt_op,
                       struct wsdl_operation *op)
{
    size_t count = 0;
    for (xmlNodePtr c = pt_op->children; c; c = c->next)
        count += isWsdl(c, "fault");
    op->faults = poolAlloc(l->w, (count + 1) * sizeof(*op->faults));
    if (!op->faults)
        return oom(l);
    for (xmlNodePtr c = pt_op->children; c; c = c->next) {
        if (!isWsdl(c, "fault"))
            continue;
        struct wsdl_fault *f = &op->faults[op->n_faults++];
        f->name = attrDup(l, c, "name");
        f->message = findMessage(l, c);
        if (!f->message)
            return -1;
    }
    return 0;
}

/* The WS-Addressing action on the port type input (wsaw:Action or
 * wsam:Action), used when the binding gives no soapAction. */
static char *addressingAction(struct loader *l, xmlNodePtr pt_input)
{
    for (xmlAttrPtr a = pt_input ? pt_input->properties : NULL; a;
         a = a->next) {
        if (a->ns && strcmp((const char *)a->name, "Action") == 0) {
            xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
            char *s = poolStrdup(l->w, (const char *)v);
            xmlFree(v);
            return s;
        }
    }
    return NULL;
}

static int parseOperation(struct loader *l, xmlNodePtr n,
                          xmlHashTablePtr pt_ops, struct wsdl_binding *b,
                          struct wsdl_operation *op)
{
    op->name = attrDup(l, n, "name");
    if (!op->name)
        return failAt(l, n, "%s: operation without name", "operation");
    xmlNodePtr pt_op = xmlHashLookup(pt_ops, BAD_CAST op->name);
    if (!pt_op)
        return failAt(l, n, "%s: operation not in the portType", op->name);
    xmlNodePtr soap_op = firstChild(n, isSoap, "operation");
    xmlNodePtr pt_in = firstChild(pt_op, isWsdl, "input");
    op->soap_action = attrDup(l, soap_op, "soapAction");
    if (!op->soap_action || !op->soap_action[0])
        op->soap_action = addressingAction(l, pt_in);
    if (!op->soap_action)
        op->soap_action = (char *)"";
    op->style = b->style;
    xmlChar *style = soap_op ? xmlGetNoNsProp(soap_op, BAD_CAST "style")
                             : NULL;
    if (style)
        op->style = strcmp((const char *)style, "rpc") == 0 ? WSDL_RPC
                                                            : WSDL_DOCUMENT;
    xmlFree(style);
    op->documentation = documentation(l, pt_op);
    if (!op->documentation)
        op->documentation = documentation(l, n);
    if (parseBody(l, pt_in, firstChild(n, isWsdl, "input"), &op->input) ||
        parseBody(l, firstChild(pt_op, isWsdl, "output"),
                  firstChild(n, isWsdl, "output"), &op->output))
        return -1;
    return parseFaults(l, pt_op, op);
}

static int parseBinding(struct loader *l, xmlNodePtr n, xmlNodePtr soap,
                        const char *tns, struct wsdl_binding *b)
{
    const char *ns, *local;
    b->ns = (char *)tns;
    b->name = attrDup(l, n, "name");
    if (!b->name)
        return failAt(l, n, "%s: binding without name", "binding");
    b->version = isNs(soap, WSDL_SOAP12_NS, NULL) ? WSDL_SOAP12 : WSDL_SOAP11;
    b->style = attrEqualsRpc(soap) ? WSDL_RPC : WSDL_DOCUMENT;
    b->transport = attrDup(l, soap, "transport");
    if (attrQName(l, n, "type", &ns, &local))
        return -1;
    xmlNodePtr pt = xmlHashLookup2(l->port_types, BAD_CAST local, BAD_CAST ns);
    if (!pt)
        return failAt(l, n, "%s: unknown portType", attrRaw(l, n, "type"));
    size_t count = 0;
    for (xmlNodePtr c = n->children; c; c = c->next)
        count += isWsdl(c, "operation");
    b->operations = poolAlloc(l->w, (count + 1) * sizeof(*b->operations));
    if (!b->operations)
        return oom(l);
    xmlHashTablePtr pt_ops = indexOperations(pt);
    if (!pt_ops)
        return oom(l);
    int rc = 0;
    for (xmlNodePtr c = n->children; c && !rc; c = c->next)
        if (isWsdl(c, "operation"))
            rc = parseOperation(l, c, pt_ops, b,
                                &b->operations[b->n_operations++]);
    xmlHashFree(pt_ops, NULL);
    if (rc)
        return -1;
    if (xmlHashAddEntry2(l->bindings, BAD_CAST b->name, BAD_CAST tns, b))
        return failAt(l, n, "%s: duplicate binding", b->name);
    return 0;
}

static int parseBindings(struct loader *l)
{
    struct wsdl *w = &l->w->pub;
    size_t count = 0;
    for (size_t i = 0; i < l->n_docs; i++)
        for (xmlNodePtr n = xmlDocGetRootElement(l->docs[i].doc)->children;
             n; n = n->next)
            count += isWsdl(n, "binding");
    w->bindings = poolAlloc(l->w, (count + 1) * sizeof(*w->bindings));
    if (!w->bindings)
        return oom(l);
    for (size_t i = 0; i < l->n_docs; i++) {
        xmlNodePtr root = xmlDocGetRootElement(l->docs[i].doc);
        for (xmlNodePtr n = root->children; n; n = n->next) {
            if (!isWsdl(n, "binding"))
                continue;
            xmlNodePtr soap = firstChild(n, isSoap, "binding");
            if (soap) {
                if (parseBinding(l, n, soap, l->docs[i].tns,
                                 &w->bindings[w->n_bindings++]))
                    return -1;
                continue;
            }
            /* http:binding and other non-SOAP bindings are not served. */
            xmlChar *name = xmlGetNoNsProp(n, BAD_CAST "name");
            if (name)
                xmlHashAddEntry2(l->bindings, name, BAD_CAST l->docs[i].tns,
                                 (void *)&nonSoapBinding);
            xmlFree(name);
        }
    }
    return 0;
}

/* ---- services ---- */

static int parsePort(struct loader *l, xmlNodePtr n, struct wsdl_service *s)
{
    const char *ns, *local;
    if (attrQName(l, n, "binding", &ns, &local))
        return -1;
    void *b = xmlHashLookup2(l->bindings, BAD_CAST local, BAD_CAST ns);
    if (!b)
        return failAt(l, n, "%s: unknown binding", attrRaw(l, n, "binding"));
    if (b == &nonSoapBinding)
        return 0;
    struct wsdl_port *p = &s->ports[s->n_ports++];
    p->binding = b;
    p->name = attrDup(l, n, "name");
    p->address = attrDup(l, firstChild(n, isSoap, "address"), "location");
    if (!p->address)
        p->address = (char *)"";
    if (!p->name)
        p->name = (char *)"";
    return 0;
}

static int parseService(struct loader *l, xmlNodePtr n,
                        struct wsdl_service *s)
{
    s->name = attrDup(l, n, "name");
    if (!s->name)
        return failAt(l, n, "%s: service without name", "service");
    s->documentation = documentation(l, n);
    size_t count = 0;
    for (xmlNodePtr c = n->children; c; c = c->next)
        count += isWsdl(c, "port");
    s->ports = poolAlloc(l->w, (count + 1) * sizeof(*s->ports));
    if (!s->ports)
        return oom(l);
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (isWsdl(c, "port") && parsePort(l, c, s))
            return -1;
    return 0;
}

static int parseServices(struct loader *l)
{
    struct wsdl *w = &l->w->pub;
    size_t count = 0;
    for (size_t i = 0; i < l->n_docs; i++)
        for (xmlNodePtr n = xmlDocGetRootElement(l->docs[i].doc)->children;
             n; n = n->next)
            count += isWsdl(n, "service");
    w->services = poolAlloc(l->w, (count + 1) * sizeof(*w->services));
    if (!w->services)
        return oom(l);
    for (size_t i = 0; i < l->n_docs; i++)
        for (xmlNodePtr n = xmlDocGetRootElement(l->docs[i].doc)->children;
             n; n = n->next)
            if (isWsdl(n, "service") &&
                parseService(l, n, &w->services[w->n_services++]))
                return -1;
    return 0;
}

/* ---- load / free ---- */

static void loaderFree(struct loader *l)
{
    for (size_t i = 0; i < l->n_docs; i++)
        xmlFreeDoc(l->docs[i].doc);
    xmlHashFree(l->loaded, NULL);
    xmlHashFree(l->messages, NULL);
    xmlHashFree(l->port_types, NULL);
    xmlHashFree(l->bindings, NULL);
}

static int loadAll(struct loader *l, const char *path)
{
    struct wsdl *w = &l->w->pub;
    l->loaded = xmlHashCreate(8);
    l->messages = xmlHashCreate(64);
    l->port_types = xmlHashCreate(8);
    l->bindings = xmlHashCreate(8);
    w->schemas = xsd_set_new();
    w->file = poolStrdup(l->w, path);
    if (!l->loaded || !l->messages || !l->port_types || !l->bindings ||
        !w->schemas || !w->file)
        return oom(l);
    if (loadDoc(l, w->file, NULL))
        return -1;
    w->target_ns = (char *)l->docs[0].tns;
    if (addSchemas(l)) {
        /* Schema errors keep their file and line; the code says who
         * failed to load. */
        snprintf(l->err->code, sizeof(l->err->code), "%s", WSDL_ERR);
        return -1;
    }
    if (collectDefinitions(l) || parseBindings(l) || parseServices(l))
        return -1;
    return 0;
}

struct wsdl *wsdl_load(const char *path, struct sb_error *err)
{
    struct sb_error local;
    struct loader l;
    memset(&l, 0, sizeof(l));
    l.err = err ? err : &local;
    l.w = calloc(1, sizeof(*l.w));
    if (!l.w) {
        error_set(err, WSDL_ERR, "out of memory");
        return NULL;
    }
    int rc = loadAll(&l, path);
    loaderFree(&l);
    if (rc) {
        wsdl_free(&l.w->pub);
        return NULL;
    }
    return &l.w->pub;
}

void wsdl_free(struct wsdl *wsdl)
{
    if (!wsdl)
        return;
    struct wsdl_impl *w = (struct wsdl_impl *)wsdl;
    xsd_set_free(wsdl->schemas);
    while (w->chunks) {
        struct chunk *next = w->chunks->next;
        free(w->chunks);
        w->chunks = next;
    }
    free(w);
}

const struct wsdl_service *wsdl_find_service(const struct wsdl *wsdl,
                                             const char *name)
{
    for (size_t i = 0; wsdl && i < wsdl->n_services; i++)
        if (!name || strcmp(wsdl->services[i].name, name) == 0)
            return &wsdl->services[i];
    return NULL;
}

const struct wsdl_port *wsdl_find_port(const struct wsdl_service *service,
                                       const char *name)
{
    for (size_t i = 0; service && i < service->n_ports; i++)
        if (!name || strcmp(service->ports[i].name, name) == 0)
            return &service->ports[i];
    return NULL;
}

const struct wsdl_operation *wsdl_find_operation(const struct wsdl_binding *b,
                                                 const char *name)
{
    for (size_t i = 0; b && name && i < b->n_operations; i++)
        if (strcmp(b->operations[i].name, name) == 0)
            return &b->operations[i];
    return NULL;
}
