/*
 * yamldoc: a YAML file as a small read-only tree of scalars, sequences
 * and mappings, each node carrying its line number.
 *
 * libyaml only tokenises here (STYLE.md habit 16): this module turns its
 * event stream into the tree, and the modules that read YAML (mapping,
 * the daemon's configuration) walk the tree with their own directive
 * tables. Deliberately a subset of YAML: one document per file, mapping
 * keys are scalars and unique, anchors and aliases are refused (they are
 * the classic "billion laughs" vector and no soapbridge file needs them),
 * tags are ignored, and every size comes from outside bounded.
 */
#ifndef SB_YAMLDOC_H
#define SB_YAMLDOC_H

#include <stddef.h>

#include "error.h"

enum yamldoc_kind { YAMLDOC_SCALAR = 0, YAMLDOC_SEQUENCE, YAMLDOC_MAPPING };

/*
 * A node. Read-only for callers; owned by its document.
 * Scalars: value is the NUL-terminated text (a scalar holding a NUL is
 * refused), plain is 1 when it was written without quotes or block
 * style (so `x:` and `x: ~` can be told from `x: ""` and `x: "~"`).
 * Sequences: items[0..count). Mappings: keys[i] (always scalars) and
 * items[i] are the i-th pair, in file order.
 */
struct yamldoc_node {
    enum yamldoc_kind kind;
    int line;                       /* 1-based line where the node starts */
    int plain;
    char *value;                    /* scalars only, else NULL */
    size_t length;                  /* bytes of value */
    size_t count;                   /* items of a sequence, pairs of a map */
    struct yamldoc_node **items;    /* sequence items / mapping values */
    struct yamldoc_node **keys;     /* mapping keys; NULL for sequences */
};

struct yamldoc_limits {
    size_t max_bytes;       /* input size; 0 = default (1 MiB) */
    size_t max_depth;       /* nesting of collections; 0 = default (64) */
    size_t max_scalar;      /* bytes in one scalar; 0 = default (64 KiB) */
    size_t max_members;     /* items or pairs in one collection; 0 = 10000 */
    size_t max_nodes;       /* nodes in the document; 0 = 100000 */
};

struct yamldoc;

/*
 * Read and parse the YAML file `path`. Returns a new document
 * (yamldoc_free) or NULL with err. Every error this document reports,
 * here and in the helpers below, carries `code` (e.g. "mapping_load"),
 * the file name `path` and a line: libyaml's syntax errors ("did not find
 * expected key (while parsing a block mapping at line 3)"), "duplicate
 * key 'to' (first at line 4)", "anchors and aliases are not supported",
 * "only one document per file", an empty document, and each limit
 * ("nesting deeper than 64", "file larger than 1048576 bytes").
 * limits may be NULL for the defaults.
 */
struct yamldoc *yamldoc_load(const char *path, const char *code,
                             const struct yamldoc_limits *limits,
                             struct sb_error *err);

/* Like yamldoc_load for text already in memory; `name` is the file name
 * that errors show. */
struct yamldoc *yamldoc_parse(const char *text, size_t len, const char *name,
                              const char *code,
                              const struct yamldoc_limits *limits,
                              struct sb_error *err);

void yamldoc_free(struct yamldoc *doc);

/* The root node (never NULL) and the file name given at load. */
const struct yamldoc_node *yamldoc_root(const struct yamldoc *doc);
const char *yamldoc_file(const struct yamldoc *doc);

/* "scalar", "sequence" or "mapping". */
const char *yamldoc_kind_name(enum yamldoc_kind kind);

/* The value of `key` in a mapping node; NULL if absent or if `node` is
 * not a mapping. */
const struct yamldoc_node *yamldoc_get(const struct yamldoc_node *node,
                                       const char *key);

/* 1 for a plain scalar that YAML reads as null: empty, ~, null, Null,
 * NULL. */
int yamldoc_is_null(const struct yamldoc_node *node);

/*
 * Checks that fill err with the document's code, file and the node's line
 * and return -1, or return 0. `what` names the value in the message, e.g.
 * "'required'" gives "'required' must be true or false".
 */

/* node is of `kind`: "'service' must be a mapping, not a scalar". */
int yamldoc_expect(const struct yamldoc *doc, const struct yamldoc_node *node,
                   enum yamldoc_kind kind, const char *what,
                   struct sb_error *err);

/* A scalar true/True/TRUE or false/False/FALSE (YAML 1.2 core schema;
 * quoting does not matter). */
int yamldoc_bool(const struct yamldoc *doc, const struct yamldoc_node *node,
                 const char *what, int *out, struct sb_error *err);

/* A scalar decimal integer (optional sign, digits only) within
 * [min, max]: "'max_length' must be an integer from 0 to 1048576". */
int yamldoc_long(const struct yamldoc *doc, const struct yamldoc_node *node,
                 const char *what, long min, long max, long *out,
                 struct sb_error *err);

/* Report an error at `line` with the document's code and file, printf
 * style. Always returns -1. */
int yamldoc_fail(const struct yamldoc *doc, int line, struct sb_error *err,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
