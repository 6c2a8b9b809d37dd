/*
 * compile: mapping tables -> stylesheets (see compile.h).
 */
#include "compile.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

#define PATH_MAX_STEPS 32

/* One element of the operation input that the first stage builds: an
 * intermediate element (children) or a leaf fed by a field or a constant. */
struct target {
    char *name;
    struct target **children;
    size_t n_children;
    const struct mapping_field *field;
    char *source;               /* XPath of the field's value (leaf) */
    const char *constant;       /* constant value (leaf) */
};

struct compiler {
    const struct mapping *mapping;
    const struct tables *tables;
    struct stylegen *sg;
    struct sb_error *err;
};

static void freeTarget(struct target *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_children; i++)
        freeTarget(t->children[i]);
    free(t->children);
    free(t->name);
    free(t->source);
    free(t);
}

static int failAt(struct compiler *c, int line, const char *field,
                  const char *what, const struct sb_error *cause)
{
    return error_set_at(c->err, "mapping_compile", c->mapping->file, line,
                        "%s: %s: %s", field, what, cause->message);
}

/* Resolve a slash path against the schema from `parent` (NULL: the
 * operation's top level). Fills xpath, *last and *repeated. */
static int resolvePath(struct compiler *c, int output,
                       const struct xsd_type *parent, const char *path,
                       struct stylegen_step *last, int *repeated,
                       struct strbuf *xpath, struct sb_error *cause)
{
    char copy[1024];
    if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
        return error_set(cause, "mapping_path", "path too long");
    *repeated = 0;
    memset(last, 0, sizeof(*last));
    int steps = 0;
    for (char *save = NULL, *name = strtok_r(copy, "/", &save); name;
         name = strtok_r(NULL, "/", &save)) {
        if (++steps > PATH_MAX_STEPS)
            return error_set(cause, "mapping_path", "more than %d steps",
                             PATH_MAX_STEPS);
        if (last->attribute)
            return error_set(cause, "mapping_path",
                             "an attribute has no children");
        if (xpath->len)
            strbuf_puts(xpath, "/");
        if (stylegen_resolve(c->sg, output, parent, name, last, xpath,
                             cause) < 0)
            return -1;
        *repeated = *repeated || last->repeated;
        if (last->element)
            parent = last->element->type;
    }
    if (!steps)
        return error_set(cause, "mapping_path", "empty path");
    return 0;
}

static int checkTable(struct compiler *c, const struct mapping_field *f)
{
    if (!f->lookup || !c->tables || tables_has(c->tables, f->lookup))
        return 0;
    return error_set_at(c->err, "mapping_compile", c->mapping->file, f->line,
                        "%s: lookup: no table '%s' in mappings/tables/",
                        f->name, f->lookup);
}

/* ---- request: the first stage ---- */

static struct target *childNamed(struct target *parent, const char *name,
                                 int create)
{
    for (size_t i = 0; i < parent->n_children; i++)
        if (strcmp(parent->children[i]->name, name) == 0)
            return parent->children[i];
    if (!create)
        return NULL;
    struct target **grown = realloc(parent->children,
                                    (parent->n_children + 1) * sizeof(*grown));
    struct target *t = calloc(1, sizeof(*t));
    if (!grown || !t || !(t->name = strdup(name))) {
        free(t);
        if (grown)
            parent->children = grown;
        return NULL;
    }
    parent->children = grown;
    parent->children[parent->n_children++] = t;
    return t;
}

/* Add a leaf at slash path `path` below `root`. */
static struct target *addLeaf(struct compiler *c, struct target *root,
                              const char *path, int line)
{
    char copy[1024];
    snprintf(copy, sizeof(copy), "%s", path);
    struct target *t = root;
    for (char *save = NULL, *name = strtok_r(copy, "/", &save); name;
         name = strtok_r(NULL, "/", &save)) {
        if (t != root && (t->field || t->constant)) {
            error_set_at(c->err, "mapping_compile", c->mapping->file, line,
                         "%s: another field already fills %s", path, t->name);
            return NULL;
        }
        t = childNamed(t, name, 1);
        if (!t) {
            error_set(c->err, "internal", "out of memory");
            return NULL;
        }
    }
    if (t->field || t->constant || t->n_children) {
        error_set_at(c->err, "mapping_compile", c->mapping->file, line,
                     "to: %s is filled by two fields or constants", path);
        return NULL;
    }
    return t;
}

static int addFields(struct compiler *c, struct target *root,
                     const struct xsd_type *parent,
                     const struct mapping_field *fields, size_t n,
                     const char *path_prefix, const char *source_prefix);

/* Validate `to` against the schema and add the field's leaf (objects are
 * flattened into their members' leaves). */
static int addField(struct compiler *c, struct target *root,
                    const struct xsd_type *parent,
                    const struct mapping_field *f, const char *path_prefix,
                    const char *source_prefix)
{
    char path[1024], source[1024];
    snprintf(path, sizeof(path), "%s%s%s", path_prefix,
             path_prefix[0] && f->to ? "/" : "", f->to ? f->to : "");
    snprintf(source, sizeof(source), "%s*[@key='%s']", source_prefix,
             f->name);
    if (checkTable(c, f) < 0)
        return -1;
    if (f->type == MAPPING_TYPE_OBJECT && f->n_fields) {
        char prefix[1040];
        snprintf(prefix, sizeof(prefix), "%s/", source);
        return addFields(c, root, parent, f->fields, f->n_fields, path,
                         prefix);
    }
    struct stylegen_step last;
    struct strbuf xpath;
    struct sb_error cause;
    int repeated;
    strbuf_init(&xpath);
    int rc = resolvePath(c, 0, parent, path, &last, &repeated, &xpath,
                         &cause);
    strbuf_free(&xpath);
    if (rc < 0)
        return failAt(c, f->line, f->name, "to", &cause);
    struct target *t = addLeaf(c, root, path, f->line);
    if (!t)
        return -1;
    t->field = f;
    if (!(t->source = strdup(source)))
        return error_set(c->err, "internal", "out of memory");
    if (f->type != MAPPING_TYPE_ARRAY)
        return 0;
    if (!last.element || !repeated)
        return error_set_at(c->err, "mapping_compile", c->mapping->file,
                            f->line, "%s: to: %s is not a repeated element "
                            "(maxOccurs is 1)", f->name, path);
    /* Item fields form a subtree below the leaf, relative to one item. */
    return addFields(c, t, last.element->type, f->fields, f->n_fields, "",
                     "");
}

static int addFields(struct compiler *c, struct target *root,
                     const struct xsd_type *parent,
                     const struct mapping_field *fields, size_t n,
                     const char *path_prefix, const char *source_prefix)
{
    for (size_t i = 0; i < n; i++)
        if (addField(c, root, parent, &fields[i], path_prefix,
                     source_prefix) < 0)
            return -1;
    return 0;
}

static void putTarget(struct compiler *c, struct strbuf *out,
                      const struct target *t);

static void putArrayItems(struct compiler *c, struct strbuf *out,
                          const struct target *t)
{
    const struct mapping_field *f = t->field;
    strbuf_printf(out, "<xsl:for-each select=\"%s\"><fn:array key=\"%s\">"
                       "<xsl:for-each select=\"*\">", t->source, t->name);
    if (!f->n_fields) {
        strbuf_puts(out, "<xsl:copy-of select=\".\"/>");
    } else {
        /* The item fields were added to a subtree when compiling. */
        strbuf_puts(out, "<fn:map>");
        for (size_t i = 0; i < t->n_children; i++)
            putTarget(c, out, t->children[i]);
        strbuf_puts(out, "</fn:map>");
    }
    strbuf_puts(out, "</xsl:for-each></fn:array></xsl:for-each>\n");
}

/* The value of a leaf, converted from canonical to legacy form. `value`
 * is the XPath of the canonical value: "." for the request's member, or
 * "$default" for the mapping's default (a variable, so that defaults need
 * no quoting). */
static void putLeafValue(struct strbuf *out, const struct target *t,
                         const char *value)
{
    const struct mapping_field *f = t->field;
    const char *key = t->name;
    if (f->lookup) {
        strbuf_printf(out, "<fn:string key=\"%s\"><xsl:value-of select=\""
                           "sb:reverse-lookup('%s', string(%s))\"/>"
                           "</fn:string>", key, f->lookup, value);
    } else if (f->n_values) {
        strbuf_puts(out, "<xsl:choose>");
        for (size_t i = 0; i < f->n_values; i++) {
            strbuf_printf(out, "<xsl:when test=\"string(%s)='", value);
            strbuf_put_xml(out, f->values[i].to);
            strbuf_printf(out, "'\"><fn:string key=\"%s\">", key);
            strbuf_put_xml(out, f->values[i].from);
            strbuf_puts(out, "</fn:string></xsl:when>");
        }
        strbuf_printf(out, "<xsl:otherwise><fn:string key=\"%s\"><xsl:value-of"
                           " select=\"%s\"/></fn:string></xsl:otherwise>"
                           "</xsl:choose>", key, value);
    } else if (f->format) {
        strbuf_printf(out, "<fn:string key=\"%s\"><xsl:value-of select=\""
                           "sb:date-from-iso(string(%s), '%s', '%s')\"/>"
                           "</fn:string>", key, value, f->format,
                      f->zone ? f->zone : "");
    } else if (strcmp(value, ".") != 0) {
        strbuf_printf(out, "<fn:string key=\"%s\"><xsl:value-of select=\"%s\"/>"
                           "</fn:string>", key, value);
    } else {
        strbuf_printf(out, "<xsl:copy><xsl:attribute name=\"key\">%s"
                           "</xsl:attribute><xsl:copy-of select=\"node()\"/>"
                           "</xsl:copy>", key);
    }
}

static void putLeaf(struct compiler *c, struct strbuf *out,
                    const struct target *t)
{
    const struct mapping_field *f = t->field;
    if (t->constant) {
        strbuf_printf(out, "<fn:string key=\"%s\">", t->name);
        strbuf_put_xml(out, t->constant);
        strbuf_puts(out, "</fn:string>\n");
        return;
    }
    if (f->type == MAPPING_TYPE_ARRAY) {
        putArrayItems(c, out, t);
        return;
    }
    if (f->default_value)
        strbuf_printf(out, "<xsl:choose><xsl:when test=\"%s[not(self::"
                           "fn:null)]\">", t->source);
    strbuf_printf(out, "<xsl:for-each select=\"%s\"><xsl:choose><xsl:when "
                       "test=\"self::fn:null\"><fn:null key=\"%s\"/>"
                       "</xsl:when><xsl:otherwise>", t->source, t->name);
    putLeafValue(out, t, ".");
    strbuf_puts(out, "</xsl:otherwise></xsl:choose></xsl:for-each>");
    if (f->default_value) {
        strbuf_puts(out, "</xsl:when><xsl:otherwise><xsl:variable "
                         "name=\"default\">");
        strbuf_put_xml(out, f->default_value);
        strbuf_puts(out, "</xsl:variable>");
        putLeafValue(out, t, "$default");
        strbuf_puts(out, "</xsl:otherwise></xsl:choose>");
    }
    strbuf_puts(out, "\n");
}

/* "a or b or c" over every source below t; sets *always when a constant
 * or a default makes the element always present. */
static void collectSources(const struct target *t, struct strbuf *test,
                           int *always)
{
    if (t->constant || (t->field && t->field->default_value))
        *always = 1;
    if (t->source)
        strbuf_printf(test, "%s%s", test->len ? " or " : "", t->source);
    if (t->field)
        return;
    for (size_t i = 0; i < t->n_children; i++)
        collectSources(t->children[i], test, always);
}

static void putTarget(struct compiler *c, struct strbuf *out,
                      const struct target *t)
{
    if (t->field || t->constant) {
        putLeaf(c, out, t);
        return;
    }
    struct strbuf test;
    int always = 0;
    strbuf_init(&test);
    collectSources(t, &test, &always);
    if (!always)
        strbuf_printf(out, "<xsl:if test=\"%s\">", test.data ? test.data : "");
    strbuf_printf(out, "<fn:map key=\"%s\">\n", t->name);
    for (size_t i = 0; i < t->n_children; i++)
        putTarget(c, out, t->children[i]);
    strbuf_puts(out, "</fn:map>");
    if (!always)
        strbuf_puts(out, "</xsl:if>");
    strbuf_puts(out, "\n");
    strbuf_free(&test);
}

static int addConstants(struct compiler *c, struct target *root)
{
    const struct mapping *m = c->mapping;
    for (size_t i = 0; i < m->n_constants; i++) {
        struct stylegen_step last;
        struct strbuf xpath;
        struct sb_error cause;
        int repeated;
        strbuf_init(&xpath);
        int rc = resolvePath(c, 0, NULL, m->constants[i].to, &last,
                             &repeated, &xpath, &cause);
        strbuf_free(&xpath);
        if (rc < 0)
            return failAt(c, m->constants[i].line, m->constants[i].to,
                          "constant", &cause);
        struct target *t = addLeaf(c, root, m->constants[i].to,
                                   m->constants[i].line);
        if (!t)
            return -1;
        t->constant = m->constants[i].value;
    }
    return 0;
}

static char *compileRequest(struct compiler *c)
{
    struct target root = {.name = NULL};
    char *text = NULL;
    if (addFields(c, &root, NULL, c->mapping->inputs, c->mapping->n_inputs,
                  "", "") < 0 ||
        addConstants(c, &root) < 0)
        goto out;
    struct strbuf frag;
    strbuf_init(&frag);
    strbuf_puts(&frag, "<xsl:for-each select=\"fn:map\"><fn:map>\n");
    for (size_t i = 0; i < root.n_children; i++)
        putTarget(c, &frag, root.children[i]);
    strbuf_puts(&frag, "</fn:map></xsl:for-each>\n");
    if (strbuf_failed(&frag))
        error_set(c->err, "internal", "out of memory");
    else
        text = stylegen_finish_request(c->sg, frag.data, c->err);
    strbuf_free(&frag);
out:
    for (size_t i = 0; i < root.n_children; i++)
        freeTarget(root.children[i]);
    free(root.children);
    return text;
}

/* ---- response ---- */

static int putOutputFields(struct compiler *c, struct strbuf *out,
                           const struct xsd_type *parent,
                           const struct mapping_field *fields, size_t n);

static enum xsd_json_kind kindOf(enum mapping_type type)
{
    switch (type) {
    case MAPPING_TYPE_INTEGER:
    case MAPPING_TYPE_NUMBER:
        return XSD_JSON_NUMBER;
    case MAPPING_TYPE_BOOLEAN:
        return XSD_JSON_BOOLEAN;
    default:
        return XSD_JSON_STRING;
    }
}

static void putNilCheck(struct strbuf *out, const char *key, int open)
{
    if (!open) {
        strbuf_puts(out, "</xsl:otherwise></xsl:choose>");
        return;
    }
    strbuf_puts(out, "<xsl:choose><xsl:when test=\"@xsi:nil='true' or "
                     "@xsi:nil='1'\"><fn:null");
    if (key)
        strbuf_printf(out, " key=\"%s\"", key);
    strbuf_puts(out, "/></xsl:when><xsl:otherwise>");
}

static void putKeyAttr(struct strbuf *out, const char *key)
{
    if (key)
        strbuf_printf(out, " key=\"%s\"", key);
}

/* A scalar output value with the field's conversions. */
static void putOutputScalar(struct compiler *c, struct strbuf *out,
                            const struct mapping_field *f,
                            enum mapping_type type,
                            const struct stylegen_step *last, const char *key)
{
    if (f->lookup) {
        strbuf_puts(out, "<fn:string");
        putKeyAttr(out, key);
        strbuf_printf(out, "><xsl:value-of select=\"sb:lookup('%s', "
                           "string(.))\"/></fn:string>", f->lookup);
    } else if (f->n_values) {
        strbuf_puts(out, "<xsl:choose>");
        for (size_t i = 0; i < f->n_values; i++) {
            strbuf_puts(out, "<xsl:when test=\".='");
            strbuf_put_xml(out, f->values[i].from);
            strbuf_puts(out, "'\"><fn:string");
            putKeyAttr(out, key);
            strbuf_puts(out, ">");
            strbuf_put_xml(out, f->values[i].to);
            strbuf_puts(out, "</fn:string></xsl:when>");
        }
        strbuf_puts(out, "<xsl:otherwise>");
        stylegen_emit_warning(c->sg, out, "concat('no value map entry for ', "
                                          "name(), ': ', .)");
        strbuf_puts(out, "<fn:string");
        putKeyAttr(out, key);
        strbuf_puts(out, "><xsl:value-of select=\".\"/></fn:string>"
                         "</xsl:otherwise></xsl:choose>");
    } else if (f->format) {
        strbuf_printf(out, "<xsl:variable name=\"d\" select=\"sb:date-to-iso("
                           "string(.), '%s', '%s')\"/><xsl:choose><xsl:when "
                           "test=\"$d=''\"><fn:null", f->format,
                      f->zone ? f->zone : "");
        putKeyAttr(out, key);
        strbuf_puts(out, "/></xsl:when><xsl:otherwise><fn:string");
        putKeyAttr(out, key);
        strbuf_puts(out, "><xsl:value-of select=\"$d\"/></fn:string>"
                         "</xsl:otherwise></xsl:choose>");
    } else if (type != MAPPING_TYPE_AUTO && type != MAPPING_TYPE_OBJECT) {
        stylegen_emit_simple(c->sg, out, kindOf(type), key);
    } else if (last->element) {
        stylegen_emit_value(c->sg, out, last->element, key);
        return;
    } else {
        stylegen_emit_simple(c->sg, out, last->attribute->type
                                 ? last->attribute->type->json_kind
                                 : XSD_JSON_STRING, key);
    }
}

static int putOutputItem(struct compiler *c, struct strbuf *out,
                         const struct mapping_field *f, enum mapping_type type,
                         const struct stylegen_step *last, const char *key)
{
    if (f->n_fields) {
        if (!last->element)
            return error_set_at(c->err, "mapping_compile", c->mapping->file,
                                f->line, "%s: an attribute has no fields",
                                f->name);
        strbuf_puts(out, "<fn:map");
        putKeyAttr(out, key);
        strbuf_puts(out, ">");
        if (putOutputFields(c, out, last->element->type, f->fields,
                            f->n_fields) < 0)
            return -1;
        strbuf_puts(out, "</fn:map>");
        return 0;
    }
    int nil = last->element && last->element->nillable &&
              (f->lookup || f->n_values || f->format ||
               (type != MAPPING_TYPE_AUTO && type != MAPPING_TYPE_OBJECT));
    if (nil)
        putNilCheck(out, key, 1);
    putOutputScalar(c, out, f, type, last, key);
    if (nil)
        putNilCheck(out, key, 0);
    return 0;
}

static int putOutputField(struct compiler *c, struct strbuf *out,
                          const struct xsd_type *parent,
                          const struct mapping_field *f)
{
    struct stylegen_step last;
    struct strbuf xpath;
    struct sb_error cause;
    int repeated, rc = -1;
    if (checkTable(c, f) < 0)
        return -1;
    strbuf_init(&xpath);
    if (resolvePath(c, 1, parent, f->from, &last, &repeated, &xpath,
                    &cause) < 0) {
        failAt(c, f->line, f->name, "from", &cause);
        goto out;
    }
    int array = f->type == MAPPING_TYPE_ARRAY ||
                (f->type == MAPPING_TYPE_AUTO && repeated);
    if (array) {
        enum mapping_type item = f->type == MAPPING_TYPE_ARRAY
                                     ? f->item_type : MAPPING_TYPE_AUTO;
        strbuf_printf(out, "<fn:array key=\"%s\"><xsl:for-each select=\"%s\">",
                      f->name, xpath.data);
        rc = putOutputItem(c, out, f, item, &last, NULL);
        strbuf_puts(out, "</xsl:for-each></fn:array>\n");
    } else {
        /* Two plain instructions rather than xsl:choose, which libxslt
         * runs noticeably slower on every item of a large response. */
        strbuf_printf(out, "<xsl:for-each select=\"(%s)[1]\">", xpath.data);
        rc = putOutputItem(c, out, f, f->type, &last, f->name);
        strbuf_printf(out, "</xsl:for-each><xsl:if test=\"not(%s)\"><fn:null"
                           " key=\"%s\"/></xsl:if>\n", xpath.data, f->name);
    }
out:
    strbuf_free(&xpath);
    return rc;
}

static int putOutputFields(struct compiler *c, struct strbuf *out,
                           const struct xsd_type *parent,
                           const struct mapping_field *fields, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (putOutputField(c, out, parent, &fields[i]) < 0)
            return -1;
    return 0;
}

static char *compileResponse(struct compiler *c)
{
    struct strbuf frag;
    char *text = NULL;
    strbuf_init(&frag);
    strbuf_puts(&frag, "<fn:map>\n");
    if (putOutputFields(c, &frag, NULL, c->mapping->outputs,
                        c->mapping->n_outputs) < 0)
        goto out;
    strbuf_puts(&frag, "</fn:map>");
    if (strbuf_failed(&frag))
        error_set(c->err, "internal", "out of memory");
    else
        text = stylegen_finish_response(c->sg, frag.data, c->err);
out:
    strbuf_free(&frag);
    return text;
}

int compile_mapping(const struct mapping *mapping,
                    const struct wsdl_binding *binding,
                    const struct wsdl_operation *op,
                    const struct tables *tables,
                    const struct stylegen_options *opt, char **request,
                    char **response, struct sb_error *err)
{
    struct compiler c = {mapping, tables, NULL, err};
    *request = *response = NULL;
    if (!mapping->request_xslt) {
        if (!(c.sg = stylegen_new(binding, op, opt)))
            return error_set(err, "internal", "out of memory");
        *request = compileRequest(&c);
        stylegen_free(c.sg);
        if (!*request)
            return -1;
    }
    if (!mapping->response_xslt) {
        if (!op->output.message) {
            error_set_at(err, "mapping_compile", mapping->file, 1,
                         "operation %s is one-way: no output to map",
                         op->name);
            goto fail;
        }
        if (!(c.sg = stylegen_new(binding, op, opt))) {
            error_set(err, "internal", "out of memory");
            goto fail;
        }
        *response = compileResponse(&c);
        stylegen_free(c.sg);
        if (!*response)
            goto fail;
    }
    return 0;
fail:
    free(*request);
    *request = NULL;
    return -1;
}
