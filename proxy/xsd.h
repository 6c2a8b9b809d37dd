/*
 * xsd: the XML Schema model that drives schema-aware conversion.
 *
 * A schema set holds every schema a WSDL uses (inline in wsdl:types,
 * imported and included files, and the built-in catalogue of standard
 * schemas). After xsd_set_resolve() every type and element reference is a
 * pointer, and the structs below are an immutable, read-only model that
 * stylegen walks to generate stylesheets. The structs are public (not
 * opaque) on purpose: the model is data that other modules read, and
 * accessor functions for every member would only add noise. Everything in
 * it is owned by the set and freed by xsd_set_free().
 */
#ifndef SB_XSD_H
#define SB_XSD_H

#include <stddef.h>
#include <libxml/tree.h>

#include "error.h"

#define XSD_NS "http://www.w3.org/2001/XMLSchema"
#define XSD_INSTANCE_NS "http://www.w3.org/2001/XMLSchema-instance"
#define SOAP_ENCODING_NS "http://schemas.xmlsoap.org/soap/encoding/"
#define XSD_UNBOUNDED (-1)

/* How a simple value is typed in JSON. */
enum xsd_json_kind {
    XSD_JSON_STRING = 0,
    XSD_JSON_NUMBER,   /* decimal, integer and derived, float, double */
    XSD_JSON_BOOLEAN,
    XSD_JSON_ANY       /* anyType / anySimpleType: generic rule */
};

struct xsd_facets {
    char **enumeration;      /* NULL when none */
    size_t n_enumeration;
    char **patterns;         /* XSD regular expressions, all must match */
    size_t n_patterns;
    char *min_inclusive, *max_inclusive;   /* literal text, NULL if absent */
    char *min_exclusive, *max_exclusive;
    long length, min_length, max_length;   /* -1 when absent */
    long total_digits, fraction_digits;    /* -1 when absent */
};

struct xsd_type;
struct xsd_element;

enum xsd_particle_kind {
    XSD_PARTICLE_ELEMENT,
    XSD_PARTICLE_SEQUENCE,
    XSD_PARTICLE_CHOICE,
    XSD_PARTICLE_ALL,
    XSD_PARTICLE_ANY        /* xsd:any wildcard */
};

struct xsd_particle {
    enum xsd_particle_kind kind;
    int min_occurs;
    int max_occurs;                   /* XSD_UNBOUNDED for unbounded */
    struct xsd_element *element;      /* XSD_PARTICLE_ELEMENT */
    struct xsd_particle **children;   /* groups; group refs are inlined */
    size_t n_children;
    char *any_namespace;              /* XSD_PARTICLE_ANY: namespace attr */
};

struct xsd_attribute {
    char *ns;              /* NULL when unqualified */
    char *name;
    struct xsd_type *type; /* always a simple type after resolve */
    int required;
    char *default_value;   /* NULL if absent */
    char *fixed_value;
};

struct xsd_type {
    char *ns;              /* targetNamespace of its schema; NULL if none */
    char *name;            /* NULL for an anonymous type */
    int is_complex;
    const char *file;      /* where it was declared (owned by the set) */
    int line;

    /* Simple types (and the text of simpleContent complex types). */
    const char *builtin;   /* local name of the XSD built-in it derives
                              from: "string", "decimal", "int", "date"... */
    enum xsd_json_kind json_kind;
    struct xsd_facets facets;
    int is_list;           /* xsd:list: whitespace-separated items */
    struct xsd_type *base; /* restriction/extension base, NULL for built-ins */

    /* Complex types. */
    struct xsd_particle *content;   /* effective content model with the
                                       extension base's content first;
                                       NULL for empty content */
    struct xsd_attribute **attributes;  /* effective, base's first */
    size_t n_attributes;
    int any_attribute;
    int mixed;
    struct xsd_type *simple_content;    /* simpleContent: the value type */
    int is_abstract;

    /* SOAP-encoded arrays (restriction of soapenc:Array). */
    int is_soapenc_array;
    struct xsd_type *array_item_type;   /* from wsdl:arrayType */
    char *array_item_type_ns, *array_item_type_name; /* as QName */
};

struct xsd_element {
    char *ns;              /* namespace on the wire; NULL = unqualified */
    char *name;
    struct xsd_type *type; /* never NULL after resolve (anyType default) */
    int nillable;
    int is_global;
    int is_abstract;
    char *default_value;
    char *fixed_value;
    const char *file;
    int line;
};

struct xsd_set;

/* A new empty set. Caller owns it (xsd_set_free). */
struct xsd_set *xsd_set_new(void);
void xsd_set_free(struct xsd_set *set);

/*
 * Add the xsd:schema element `schema` (for example from wsdl:types) read
 * from `file` (used for messages and to resolve relative schemaLocation).
 * The set copies what it needs; the caller keeps the document. Imports and
 * includes are followed: relative files from disk, namespaces without a
 * location from the built-in catalogue (catalog.h), never the network.
 * Returns 0, or -1 with err naming file and line ("xsd_load").
 */
int xsd_set_add_schema(struct xsd_set *set, xmlNodePtr schema,
                       const char *file, struct sb_error *err);

/* Load an .xsd file and add its schema (and what it imports). */
int xsd_set_add_file(struct xsd_set *set, const char *path,
                     struct sb_error *err);

/*
 * Resolve every type, element, attribute and group reference; compute
 * effective content models of extensions. Must be called once after the
 * last add. An unresolvable reference fails with file and line.
 */
int xsd_set_resolve(struct xsd_set *set, struct sb_error *err);

/* Look up a global element / type by namespace ("" or NULL = none) and
 * local name; the built-in XSD types are always found. NULL if absent. */
struct xsd_element *xsd_find_element(const struct xsd_set *set,
                                     const char *ns, const char *name);
struct xsd_type *xsd_find_type(const struct xsd_set *set, const char *ns,
                               const char *name);

/* Number of global elements and types (for reports and tests). */
size_t xsd_count_elements(const struct xsd_set *set);
size_t xsd_count_types(const struct xsd_set *set);

/*
 * Parse an XML file with the project's safe options (no network, no
 * entity substitution, no DTD loading). libxml2's errors go into err
 * (code `code`, the file and line), never to stderr. Caller frees the
 * document with xmlFreeDoc; NULL on failure.
 */
xmlDocPtr xsd_read_file(const char *path, const char *code,
                        struct sb_error *err);

/* 1 if a value of this simple type is a JSON number / boolean. */
enum xsd_json_kind xsd_json_kind_of(const struct xsd_type *type);

#endif
