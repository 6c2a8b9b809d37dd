/*
 * yamldoc: libyaml's event stream turned into a tree of nodes with line
 * numbers (see yamldoc.h). Configuration and mapping files go through
 * here once, when a configuration snapshot is built.
 */
#include "yamldoc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define DEFAULT_MAX_BYTES (1024 * 1024)
#define DEFAULT_MAX_DEPTH 64
#define DEFAULT_MAX_SCALAR (64 * 1024)
#define DEFAULT_MAX_MEMBERS 10000
#define DEFAULT_MAX_NODES 100000

struct yamldoc {
    char *file;
    char *code;
    struct yamldoc_node *root;
};

/* State of one parse: the libyaml parser, the limits in force and the
 * document being built (for its file and code in errors). */
struct builder {
    yaml_parser_t parser;
    struct yamldoc_limits limits;
    struct yamldoc *doc;
    size_t nodes;
    struct sb_error *err;
};

static char *copyText(const char *text, size_t len)
{
    char *copy = malloc(len + 1);
    if (copy) {
        memcpy(copy, text, len);
        copy[len] = 0;
    }
    return copy;
}

static void freeNode(struct yamldoc_node *node)
{
    if (!node)
        return;
    for (size_t i = 0; i < node->count; i++) {
        freeNode(node->items[i]);
        if (node->keys)
            freeNode(node->keys[i]);
    }
    free(node->items);
    free(node->keys);
    free(node->value);
    free(node);
}

void yamldoc_free(struct yamldoc *doc)
{
    if (!doc)
        return;
    freeNode(doc->root);
    free(doc->file);
    free(doc->code);
    free(doc);
}

static int failV(const struct yamldoc *doc, int line, struct sb_error *err,
                 const char *fmt, va_list ap)
{
    char message[SB_ERROR_MESSAGE_MAX];
    vsnprintf(message, sizeof(message), fmt, ap);
    return error_set_at(err, doc->code, doc->file, line, "%s", message);
}

int yamldoc_fail(const struct yamldoc *doc, int line, struct sb_error *err,
                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    failV(doc, line, err, fmt, ap);
    va_end(ap);
    return -1;
}

static int lineOf(const yaml_event_t *event)
{
    return (int)event->start_mark.line + 1;
}

/* libyaml's own message: problem, and the construct it was inside. */
static int failSyntax(struct builder *b)
{
    const yaml_parser_t *p = &b->parser;
    const char *problem = p->problem ? p->problem : "YAML syntax error";
    int line = (int)p->problem_mark.line + 1;
    if (p->error == YAML_READER_ERROR)
        return yamldoc_fail(b->doc, 0, b->err, "%s at byte %zu", problem,
                            p->problem_offset);
    if (p->context)
        return yamldoc_fail(b->doc, line, b->err, "%s (%s at line %d)",
                            problem, p->context,
                            (int)p->context_mark.line + 1);
    return yamldoc_fail(b->doc, line, b->err, "%s", problem);
}

static int nextEvent(struct builder *b, yaml_event_t *event)
{
    if (!yaml_parser_parse(&b->parser, event))
        return failSyntax(b);
    return 0;
}

static int expectEvent(struct builder *b, yaml_event_type_t type,
                       const char *what)
{
    yaml_event_t event;
    if (nextEvent(b, &event) < 0)
        return -1;
    int ok = event.type == type;
    int line = lineOf(&event);
    yaml_event_delete(&event);
    if (!ok)
        return yamldoc_fail(b->doc, line, b->err, "expected %s", what);
    return 0;
}

static struct yamldoc_node *newNode(struct builder *b, enum yamldoc_kind kind,
                                    const yaml_event_t *event)
{
    if (++b->nodes > b->limits.max_nodes) {
        yamldoc_fail(b->doc, lineOf(event), b->err,
                     "more than %zu nodes in the document",
                     b->limits.max_nodes);
        return NULL;
    }
    struct yamldoc_node *node = calloc(1, sizeof(*node));
    if (!node) {
        yamldoc_fail(b->doc, lineOf(event), b->err, "out of memory");
        return NULL;
    }
    node->kind = kind;
    node->line = lineOf(event);
    return node;
}

static struct yamldoc_node *scalarNode(struct builder *b,
                                       const yaml_event_t *event)
{
    const char *text = (const char *)event->data.scalar.value;
    size_t len = event->data.scalar.length;
    if (len > b->limits.max_scalar) {
        yamldoc_fail(b->doc, lineOf(event), b->err,
                     "scalar longer than %zu bytes", b->limits.max_scalar);
        return NULL;
    }
    if (memchr(text, 0, len)) {
        yamldoc_fail(b->doc, lineOf(event), b->err,
                     "scalar contains a NUL character");
        return NULL;
    }
    struct yamldoc_node *node = newNode(b, YAMLDOC_SCALAR, event);
    if (!node)
        return NULL;
    node->value = copyText(text, len);
    if (!node->value) {
        free(node);
        yamldoc_fail(b->doc, lineOf(event), b->err, "out of memory");
        return NULL;
    }
    node->length = len;
    node->plain = event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    return node;
}

/* Append item (and key for mappings) to a collection node; both arrays
 * grow together. On failure the caller still owns item and key. */
static int appendChild(struct builder *b, struct yamldoc_node *node,
                       struct yamldoc_node *key, struct yamldoc_node *item)
{
    if (node->count >= b->limits.max_members)
        return yamldoc_fail(b->doc, node->line, b->err,
                            "more than %zu members in one %s",
                            b->limits.max_members,
                            yamldoc_kind_name(node->kind));
    size_t n = node->count + 1;
    struct yamldoc_node **items = realloc(node->items, n * sizeof(*items));
    if (!items)
        return yamldoc_fail(b->doc, node->line, b->err, "out of memory");
    node->items = items;
    if (key) {
        struct yamldoc_node **keys = realloc(node->keys, n * sizeof(*keys));
        if (!keys)
            return yamldoc_fail(b->doc, node->line, b->err, "out of memory");
        node->keys = keys;
        keys[node->count] = key;
    }
    items[node->count++] = item;
    return 0;
}

static int parseNode(struct builder *b, yaml_event_t *event, size_t depth,
                     struct yamldoc_node **out);

/* Parse the node that starts with the next event. */
static int parseNext(struct builder *b, size_t depth,
                     struct yamldoc_node **out, int *ended)
{
    yaml_event_t event;
    if (nextEvent(b, &event) < 0)
        return -1;
    *ended = event.type == YAML_SEQUENCE_END_EVENT
          || event.type == YAML_MAPPING_END_EVENT;
    int rc = *ended ? 0 : parseNode(b, &event, depth, out);
    yaml_event_delete(&event);
    return rc;
}

static int checkDuplicate(struct builder *b, const struct yamldoc_node *map,
                          const struct yamldoc_node *key)
{
    for (size_t i = 0; i < map->count; i++)
        if (strcmp(map->keys[i]->value, key->value) == 0)
            return yamldoc_fail(b->doc, key->line, b->err,
                                "duplicate key '%s' (first at line %d)",
                                key->value, map->keys[i]->line);
    return 0;
}

static int parseMappingPair(struct builder *b, struct yamldoc_node *map,
                            size_t depth, int *ended)
{
    struct yamldoc_node *key = NULL, *value = NULL;
    int value_ended = 0;
    if (parseNext(b, depth + 1, &key, ended) < 0)
        return -1;
    if (*ended)
        return 0;
    if (key->kind != YAMLDOC_SCALAR) {
        yamldoc_fail(b->doc, key->line, b->err,
                     "mapping keys must be scalars");
        goto fail;
    }
    if (checkDuplicate(b, map, key) < 0)
        goto fail;
    if (parseNext(b, depth + 1, &value, &value_ended) < 0)
        goto fail;
    /* libyaml always sends a value event (an empty scalar at least) */
    if (value_ended) {
        yamldoc_fail(b->doc, key->line, b->err, "key without a value");
        goto fail;
    }
    if (appendChild(b, map, key, value) < 0)
        goto fail;
    return 0;
fail:
    freeNode(key);
    freeNode(value);
    return -1;
}

static int parseCollection(struct builder *b, struct yamldoc_node *node,
                           size_t depth)
{
    int ended = 0;
    while (!ended) {
        if (node->kind == YAMLDOC_MAPPING) {
            if (parseMappingPair(b, node, depth, &ended) < 0)
                return -1;
            continue;
        }
        struct yamldoc_node *item = NULL;
        if (parseNext(b, depth + 1, &item, &ended) < 0)
            return -1;
        if (!ended && appendChild(b, node, NULL, item) < 0) {
            freeNode(item);
            return -1;
        }
    }
    return 0;
}

static const yaml_char_t *anchorOf(const yaml_event_t *event)
{
    switch (event->type) {
    case YAML_SCALAR_EVENT:
        return event->data.scalar.anchor;
    case YAML_SEQUENCE_START_EVENT:
        return event->data.sequence_start.anchor;
    case YAML_MAPPING_START_EVENT:
        return event->data.mapping_start.anchor;
    default:
        return NULL;
    }
}

static int parseNode(struct builder *b, yaml_event_t *event, size_t depth,
                     struct yamldoc_node **out)
{
    if (event->type == YAML_ALIAS_EVENT || anchorOf(event))
        return yamldoc_fail(b->doc, lineOf(event), b->err,
                            "anchors and aliases are not supported");
    if (event->type == YAML_SCALAR_EVENT) {
        *out = scalarNode(b, event);
        return *out ? 0 : -1;
    }
    if (depth >= b->limits.max_depth)
        return yamldoc_fail(b->doc, lineOf(event), b->err,
                            "nesting deeper than %zu", b->limits.max_depth);
    enum yamldoc_kind kind = event->type == YAML_MAPPING_START_EVENT
                           ? YAMLDOC_MAPPING : YAMLDOC_SEQUENCE;
    struct yamldoc_node *node = newNode(b, kind, event);
    if (!node)
        return -1;
    if (parseCollection(b, node, depth) < 0) {
        freeNode(node);
        return -1;
    }
    *out = node;
    return 0;
}

/* stream-start, document-start, the root node, document-end, and then
 * nothing but stream-end. */
static int parseStream(struct builder *b)
{
    yaml_event_t event;
    if (expectEvent(b, YAML_STREAM_START_EVENT, "stream start") < 0)
        return -1;
    if (nextEvent(b, &event) < 0)
        return -1;
    if (event.type != YAML_DOCUMENT_START_EVENT) {
        yaml_event_delete(&event);
        return yamldoc_fail(b->doc, 1, b->err, "empty document");
    }
    yaml_event_delete(&event);
    int ended = 0;
    if (parseNext(b, 0, &b->doc->root, &ended) < 0)
        return -1;
    if (ended)      /* libyaml never ends a document without a node */
        return yamldoc_fail(b->doc, 1, b->err, "empty document");
    if (expectEvent(b, YAML_DOCUMENT_END_EVENT, "end of document") < 0)
        return -1;
    if (nextEvent(b, &event) < 0)
        return -1;
    int line = lineOf(&event);
    int more = event.type != YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
    if (more)
        return yamldoc_fail(b->doc, line, b->err,
                            "only one document per file");
    return 0;
}

static void applyLimits(struct yamldoc_limits *out,
                        const struct yamldoc_limits *in)
{
    static const struct yamldoc_limits none;
    if (!in)
        in = &none;
    out->max_bytes = in->max_bytes ? in->max_bytes : DEFAULT_MAX_BYTES;
    out->max_depth = in->max_depth ? in->max_depth : DEFAULT_MAX_DEPTH;
    out->max_scalar = in->max_scalar ? in->max_scalar : DEFAULT_MAX_SCALAR;
    out->max_members = in->max_members ? in->max_members
                                       : DEFAULT_MAX_MEMBERS;
    out->max_nodes = in->max_nodes ? in->max_nodes : DEFAULT_MAX_NODES;
}

static struct yamldoc *newDoc(const char *name, const char *code,
                              struct sb_error *err)
{
    struct yamldoc *doc = calloc(1, sizeof(*doc));
    if (doc) {
        doc->file = copyText(name, strlen(name));
        doc->code = copyText(code, strlen(code));
    }
    if (!doc || !doc->file || !doc->code) {
        yamldoc_free(doc);
        error_set_at(err, code, name, 0, "out of memory");
        return NULL;
    }
    return doc;
}

struct yamldoc *yamldoc_parse(const char *text, size_t len, const char *name,
                              const char *code,
                              const struct yamldoc_limits *limits,
                              struct sb_error *err)
{
    struct builder b;
    memset(&b, 0, sizeof(b));
    applyLimits(&b.limits, limits);
    b.err = err;
    b.doc = newDoc(name, code, err);
    if (!b.doc)
        return NULL;
    if (len > b.limits.max_bytes) {
        yamldoc_fail(b.doc, 0, err, "file larger than %zu bytes",
                     b.limits.max_bytes);
        goto fail;
    }
    if (!yaml_parser_initialize(&b.parser)) {
        yamldoc_fail(b.doc, 0, err, "out of memory");
        goto fail;
    }
    yaml_parser_set_input_string(&b.parser, (const unsigned char *)text, len);
    int rc = parseStream(&b);
    yaml_parser_delete(&b.parser);
    if (rc < 0)
        goto fail;
    return b.doc;
fail:
    yamldoc_free(b.doc);
    return NULL;
}

/* Read at most max bytes of `path`; one byte more means "too large". */
static char *readBounded(const char *path, const char *code, size_t max,
                         size_t *len, struct sb_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        error_set_at(err, code, path, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    char *text = malloc(max + 1);
    size_t n = text ? fread(text, 1, max + 1, f) : 0;
    int failed = ferror(f);
    fclose(f);
    if (!text || failed) {
        free(text);
        error_set_at(err, code, path, 0, "%s",
                     text ? "read error" : "out of memory");
        return NULL;
    }
    if (n > max) {
        free(text);
        error_set_at(err, code, path, 0, "file larger than %zu bytes", max);
        return NULL;
    }
    *len = n;
    return text;
}

struct yamldoc *yamldoc_load(const char *path, const char *code,
                             const struct yamldoc_limits *limits,
                             struct sb_error *err)
{
    struct yamldoc_limits bounds;
    size_t len = 0;
    applyLimits(&bounds, limits);
    char *text = readBounded(path, code, bounds.max_bytes, &len, err);
    if (!text)
        return NULL;
    struct yamldoc *doc = yamldoc_parse(text, len, path, code, &bounds, err);
    free(text);
    return doc;
}

const struct yamldoc_node *yamldoc_root(const struct yamldoc *doc)
{
    return doc->root;
}

const char *yamldoc_file(const struct yamldoc *doc)
{
    return doc->file;
}

const char *yamldoc_kind_name(enum yamldoc_kind kind)
{
    switch (kind) {
    case YAMLDOC_SCALAR:
        return "scalar";
    case YAMLDOC_SEQUENCE:
        return "sequence";
    case YAMLDOC_MAPPING:
        return "mapping";
    }
    return "node";
}

const struct yamldoc_node *yamldoc_get(const struct yamldoc_node *node,
                                       const char *key)
{
    if (!node || node->kind != YAMLDOC_MAPPING)
        return NULL;
    for (size_t i = 0; i < node->count; i++)
        if (strcmp(node->keys[i]->value, key) == 0)
            return node->items[i];
    return NULL;
}

int yamldoc_is_null(const struct yamldoc_node *node)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    if (!node || node->kind != YAMLDOC_SCALAR || !node->plain)
        return 0;
    for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
        if (strcmp(node->value, nulls[i]) == 0)
            return 1;
    return 0;
}

int yamldoc_expect(const struct yamldoc *doc, const struct yamldoc_node *node,
                   enum yamldoc_kind kind, const char *what,
                   struct sb_error *err)
{
    if (node->kind == kind)
        return 0;
    return yamldoc_fail(doc, node->line, err, "%s must be a %s, not a %s",
                        what, yamldoc_kind_name(kind),
                        yamldoc_kind_name(node->kind));
}

static int isOneOf(const char *value, const char *const *words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(value, words[i]) == 0)
            return 1;
    return 0;
}

int yamldoc_bool(const struct yamldoc *doc, const struct yamldoc_node *node,
                 const char *what, int *out, struct sb_error *err)
{
    static const char *const yes[] = {"true", "True", "TRUE"};
    static const char *const no[] = {"false", "False", "FALSE"};
    if (node->kind == YAMLDOC_SCALAR && isOneOf(node->value, yes, 3)) {
        *out = 1;
        return 0;
    }
    if (node->kind == YAMLDOC_SCALAR && isOneOf(node->value, no, 3)) {
        *out = 0;
        return 0;
    }
    return yamldoc_fail(doc, node->line, err, "%s must be true or false",
                        what);
}

int yamldoc_long(const struct yamldoc *doc, const struct yamldoc_node *node,
                 const char *what, long min, long max, long *out,
                 struct sb_error *err)
{
    const char *text = node->kind == YAMLDOC_SCALAR ? node->value : "";
    size_t skip = (text[0] == '-' || text[0] == '+') ? 1 : 0;
    int digits = text[skip] != 0
              && strspn(text + skip, "0123456789") == strlen(text + skip);
    errno = 0;
    long value = digits ? strtol(text, NULL, 10) : 0;
    if (!digits || errno == ERANGE || value < min || value > max)
        return yamldoc_fail(doc, node->line, err,
                            "%s must be an integer from %ld to %ld", what,
                            min, max);
    *out = value;
    return 0;
}
