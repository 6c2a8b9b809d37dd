/*
 * wsdl: the WSDL 1.1 model of one legacy service description.
 *
 * wsdl_load() reads a WSDL file (following wsdl:import of local files),
 * builds its schema set (xsd.h) and resolves messages, port types,
 * bindings, ports and services into the read-only structs below. Like the
 * XSD model, these structs are public data owned by struct wsdl and freed
 * by wsdl_free(); stylegen and the command line walk them.
 */
#ifndef SB_WSDL_H
#define SB_WSDL_H

#include <stddef.h>

#include "error.h"
#include "xsd.h"

#define WSDL_NS "http://schemas.xmlsoap.org/wsdl/"
#define WSDL_SOAP11_NS "http://schemas.xmlsoap.org/wsdl/soap/"
#define WSDL_SOAP12_NS "http://schemas.xmlsoap.org/wsdl/soap12/"
#define SOAP11_ENV_NS "http://schemas.xmlsoap.org/soap/envelope/"
#define SOAP12_ENV_NS "http://www.w3.org/2003/05/soap-envelope"

enum wsdl_soap_version { WSDL_SOAP11 = 11, WSDL_SOAP12 = 12 };
enum wsdl_style { WSDL_DOCUMENT = 0, WSDL_RPC };
enum wsdl_use { WSDL_LITERAL = 0, WSDL_ENCODED };

struct wsdl_part {
    char *name;
    struct xsd_element *element;   /* element= parts, else NULL */
    struct xsd_type *type;         /* type= parts, else NULL */
};

struct wsdl_message {
    char *ns, *name;
    struct wsdl_part *parts;
    size_t n_parts;
};

/* One direction (input or output) of a bound operation. */
struct wsdl_body {
    struct wsdl_message *message;
    enum wsdl_use use;
    char *ns;               /* soap:body namespace= (rpc wrapper), or NULL */
    char *encoding_style;   /* soap:body encodingStyle=, or NULL */
    struct wsdl_part **parts;   /* the parts in the body, in order: those
                                   named by soap:body parts=, else all */
    size_t n_parts;
    struct wsdl_part **header_parts;  /* soap:header parts, or none */
    size_t n_header_parts;
};

struct wsdl_fault {
    char *name;
    struct wsdl_message *message;
};

struct wsdl_operation {
    char *name;
    char *soap_action;      /* soapAction= (1.1) or action (1.2); "" if none */
    enum wsdl_style style;  /* from soap:operation, else soap:binding */
    struct wsdl_body input;
    struct wsdl_body output;   /* output.message NULL for one-way */
    struct wsdl_fault *faults;
    size_t n_faults;
    char *documentation;    /* wsdl:documentation text, or NULL */
};

struct wsdl_binding {
    char *ns, *name;
    enum wsdl_soap_version version;
    enum wsdl_style style;  /* soap:binding style= (default document) */
    char *transport;
    struct wsdl_operation *operations;
    size_t n_operations;
};

struct wsdl_port {
    char *name;
    char *address;          /* soap:address location=, or "" */
    struct wsdl_binding *binding;
};

struct wsdl_service {
    char *name;
    struct wsdl_port *ports;
    size_t n_ports;
    char *documentation;
};

struct wsdl {
    char *file;             /* the path it was loaded from */
    char *target_ns;
    struct wsdl_service *services;
    size_t n_services;
    struct wsdl_binding *bindings;   /* every binding with a SOAP binding */
    size_t n_bindings;
    struct xsd_set *schemas;
};

/*
 * Load a WSDL 1.1 file. Only local files are read (wsdl:import and schema
 * locations relative to the importing file; namespaces without location
 * from the built-in catalogue). Returns a new model the caller frees with
 * wsdl_free(), or NULL with err ("wsdl_load", file and line) filled.
 * Bindings that are not SOAP (HTTP GET/POST) are skipped.
 */
struct wsdl *wsdl_load(const char *path, struct sb_error *err);
void wsdl_free(struct wsdl *wsdl);

/* Find a service / port / operation by name; NULL if absent. service and
 * port may be NULL to mean "the first one" (the usual single-port case). */
const struct wsdl_service *wsdl_find_service(const struct wsdl *wsdl,
                                             const char *name);
const struct wsdl_port *wsdl_find_port(const struct wsdl_service *service,
                                       const char *name);
const struct wsdl_operation *wsdl_find_operation(const struct wsdl_binding *b,
                                                 const char *name);

#endif
