/*
 * confdir: loading and compiling a configuration folder (see confdir.h).
 */
#include "confdir.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libexslt/exslt.h>
#include <libxml/parser.h>
#include <libxslt/security.h>
#include <libxslt/xsltutils.h>

#include "compile.h"
#include "stylegen.h"
#include "xsltfunc.h"

/* libxslt reports stylesheet compile errors through one process-wide
 * handler; it writes into the collector of the thread that is compiling,
 * so concurrent loads (a reload beside serving) do not mix messages. */
static __thread struct strbuf *compileMessages;

static void collectXsltMessage(void *ctx, const char *fmt, ...)
{
    (void)ctx;
    if (!compileMessages || compileMessages->len > 2048)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    strbuf_puts(compileMessages, line);
}

int confdir_init(void)
{
    /* Only EXSLT common and strings: libxslt copies every registered
     * extension function into each transformation's XPath context, so all
     * of EXSLT would cost ~40 us per call. */
    if (exsltCommonRegister(), exsltStrRegister(), xsltfunc_register() < 0)
        return -1;
    xsltSetGenericErrorFunc(NULL, collectXsltMessage);
    return 0;
}

static void addProblem(struct confdir_problems *p, const struct sb_error *err)
{
    struct sb_error *grown = realloc(p->items, (p->n + 1) * sizeof(*grown));
    if (!grown)
        return;
    p->items = grown;
    p->items[p->n++] = *err;
}

static void addProblemf(struct confdir_problems *p, const char *code,
                        const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void addProblemf(struct confdir_problems *p, const char *code,
                        const char *file, int line, const char *fmt, ...)
{
    struct sb_error err;
    char message[SB_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    error_set_at(&err, code, file, line, "%s", message);
    addProblem(p, &err);
}

void confdir_problems_clear(struct confdir_problems *problems)
{
    free(problems->items);
    problems->items = NULL;
    problems->n = 0;
}

/* ---- files ---- */

#define STYLESHEET_MAX_BYTES (8u << 20)

/* dir + "/" + name into buf; -1 when it does not fit. */
static int joinPath(char *buf, size_t size, const char *dir, const char *name)
{
    int n = snprintf(buf, size, "%s/%s", dir, name);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int hasSuffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);
    return n > s && strcmp(name + n - s, suffix) == 0;
}

static int compareStrings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names in `dir` ending in suffix1 or suffix2; NULL-terminated,
 * caller frees each and the array. A missing folder gives an empty list. */
static char **listFiles(const char *dir, const char *suffix1,
                        const char *suffix2)
{
    size_t n = 0;
    char **names = calloc(1, sizeof(*names));
    DIR *d = opendir(dir);
    struct dirent *e;
    while (names && d && (e = readdir(d))) {
        if (e->d_name[0] == '.' || !(hasSuffix(e->d_name, suffix1) ||
                                     (suffix2 && hasSuffix(e->d_name, suffix2))))
            continue;
        char **grown = realloc(names, (n + 2) * sizeof(*grown));
        if (!grown)
            break;
        names = grown;
        if (!(names[n] = strdup(e->d_name)))
            break;
        names[++n] = NULL;
    }
    if (d)
        closedir(d);
    if (names)
        qsort(names, n, sizeof(*names), compareStrings);
    return names;
}

static void freeList(char **names)
{
    for (size_t i = 0; names && names[i]; i++)
        free(names[i]);
    free(names);
}

/* ---- stylesheets ---- */

/* libxml2's structured errors (per thread) while parsing a stylesheet:
 * keep the first, with its line. */
static void collectXmlError(void *ctx, xmlErrorPtr e)
{
    struct sb_error *err = ctx;
    if (err->code[0])
        return;
    char message[SB_ERROR_MESSAGE_MAX];
    snprintf(message, sizeof(message), "%s", e->message ? e->message : "");
    size_t n = strlen(message);
    while (n && (message[n - 1] == '\n' || message[n - 1] == ' '))
        message[--n] = 0;
    error_set_at(err, "xslt_compile", e->file ? e->file : "", e->line,
                 "not well-formed XML: %s", message);
}

/* libxslt's messages say "... file F line N element E\n<reason>\n": take
 * the line, and make the text one line. */
static int xsltMessageLine(struct strbuf *messages)
{
    for (size_t i = 0; i < messages->len; i++)
        if (messages->data[i] == '\n')
            messages->data[i] = i + 1 == messages->len ? 0 : ' ';
    const char *at = messages->len ? strstr(messages->data, " line ") : NULL;
    return at ? (int)strtol(at + 6, NULL, 10) : 0;
}

/* Parse and compile stylesheet text; `name` is the file it came from
 * (or what generated it), for messages. */
static xsltStylesheetPtr compileStylesheet(const char *text, const char *name,
                                           struct sb_error *err)
{
    struct strbuf messages;
    error_clear(err);
    xmlSetStructuredErrorFunc(err, collectXmlError);
    xmlDocPtr doc = xmlReadMemory(text, (int)strlen(text), name, NULL,
                                  XML_PARSE_NONET);
    xmlSetStructuredErrorFunc(NULL, NULL);
    if (!doc) {
        if (!err->code[0])
            error_set_at(err, "xslt_compile", name, 0, "not well-formed XML");
        return NULL;
    }
    strbuf_init(&messages);
    compileMessages = &messages;
    xsltStylesheetPtr style = xsltParseStylesheetDoc(doc);
    compileMessages = NULL;
    /* libxslt reports some compile errors (an unknown xsl: instruction,
     * an undeclared prefix) without counting them in style->errors: any
     * message it gives while compiling is a problem. */
    if (!style || style->errors || messages.len) {
        error_set_at(err, "xslt_compile", name, xsltMessageLine(&messages),
                     "%s", messages.len ? messages.data
                                        : "invalid stylesheet");
        if (style)
            xsltFreeStylesheet(style);
        else
            xmlFreeDoc(doc);
        style = NULL;
    }
    strbuf_free(&messages);
    return style;
}

static void freeCapability(struct capability *cap)
{
    free(cap->name);
    free(cap->request_text);
    free(cap->response_text);
    if (cap->request)
        xsltFreeStylesheet(cap->request);
    if (cap->response)
        xsltFreeStylesheet(cap->response);
    native_plan_free(cap->native);
}

/* Compile the capability's stylesheet texts, reporting each that fails.
 * request_from / response_from name where each text came from. */
static int compileCapability(struct capability *cap, const char *request_from,
                             const char *response_from,
                             struct confdir_problems *problems)
{
    struct sb_error err;
    int rc = 0;
    if (!(cap->request = compileStylesheet(cap->request_text, request_from,
                                           &err))) {
        addProblem(problems, &err);
        rc = -1;
    }
    if (cap->response_text &&
        !(cap->response = compileStylesheet(cap->response_text,
                                            response_from, &err))) {
        addProblem(problems, &err);
        rc = -1;
    }
    return rc;
}

static int appendCapability(struct capability **list, size_t *n,
                            struct capability *cap)
{
    struct capability *grown = realloc(*list, (*n + 1) * sizeof(*grown));
    if (!grown)
        return -1;
    *list = grown;
    (*list)[(*n)++] = *cap;
    return 0;
}

static int compareCapabilities(const void *a, const void *b)
{
    return strcmp(((const struct capability *)a)->name,
                  ((const struct capability *)b)->name);
}

/* ---- WSDLs and zero-config operations ---- */

static void loadWsdls(struct confdir *cd, const struct confdir_options *opt,
                      struct confdir_problems *problems)
{
    char dir[PATH_MAX];
    if (opt && opt->wsdl_dir)
        snprintf(dir, sizeof(dir), "%s", opt->wsdl_dir);
    else if (joinPath(dir, sizeof(dir), cd->dir, "wsdl") < 0)
        return;
    char **names = listFiles(dir, ".wsdl", NULL);
    for (size_t i = 0; names && names[i]; i++) {
        char path[PATH_MAX];
        struct sb_error err;
        if (joinPath(path, sizeof(path), dir, names[i]) < 0)
            continue;
        struct wsdl *w = wsdl_load(path, &err);
        if (!w) {
            addProblem(problems, &err);
            continue;
        }
        struct wsdl **grown = realloc(cd->wsdls,
                                      (cd->n_wsdls + 1) * sizeof(*grown));
        if (!grown) {
            wsdl_free(w);
            break;
        }
        cd->wsdls = grown;
        cd->wsdls[cd->n_wsdls++] = w;
    }
    freeList(names);
}

static void addOperation(struct confdir *cd, const struct wsdl *w,
                         const struct wsdl_service *svc,
                         const struct wsdl_port *port,
                         const struct wsdl_operation *op,
                         const struct confdir_options *opt,
                         struct confdir_problems *problems)
{
    struct stylegen_options so = {.strict = opt ? opt->strict : 0};
    struct capability cap = {.wsdl = w, .service = svc, .port = port,
                             .operation = op, .endpoint = port->address,
                             .soap_version = port->binding->version};
    struct sb_error err;
    size_t len = strlen(svc->name) + strlen(op->name) + 2;
    if (!(cap.name = malloc(len)))
        return;
    snprintf(cap.name, len, "%s.%s", svc->name, op->name);
    cap.request_text = stylegen_request(port->binding, op, &so, &err);
    if (cap.request_text && op->output.message)
        cap.response_text = stylegen_response(port->binding, op, &so, &err);
    if (!cap.request_text || (op->output.message && !cap.response_text))
        addProblemf(problems, "stylegen", w->file, 0, "%s: %s", cap.name,
                    err.message);
    else if (compileCapability(&cap, w->file, w->file, problems) == 0) {
        if (!(opt && opt->stylesheets_only))
            cap.native = native_plan_new(NULL, port->binding, op, &so, NULL);
        if (appendCapability(&cd->operations, &cd->n_operations, &cap) == 0)
            return;
    }
    freeCapability(&cap);
}

/* Every operation of the first SOAP port of every service: a service
 * that offers the same operations over SOAP 1.1 and 1.2 is served once. */
static void addOperations(struct confdir *cd, const struct confdir_options *opt,
                          struct confdir_problems *problems)
{
    for (size_t i = 0; i < cd->n_wsdls; i++) {
        const struct wsdl *w = cd->wsdls[i];
        for (size_t s = 0; s < w->n_services; s++) {
            const struct wsdl_service *svc = &w->services[s];
            const struct wsdl_port *port = wsdl_find_port(svc, NULL);
            if (!port || !port->binding)
                continue;
            for (size_t o = 0; o < port->binding->n_operations; o++)
                addOperation(cd, w, svc, port, &port->binding->operations[o],
                             opt, problems);
        }
    }
    if (cd->n_operations)   /* qsort's array may not be NULL, even empty */
        qsort(cd->operations, cd->n_operations, sizeof(*cd->operations),
              compareCapabilities);
}

/* ---- mapped capabilities ---- */

static const struct wsdl *findWsdl(struct confdir *cd, const char *rel,
                                   struct confdir_problems *problems,
                                   const char *mapping_file, int line)
{
    char path[PATH_MAX], want[PATH_MAX], have[PATH_MAX];
    if (joinPath(path, sizeof(path), cd->dir, rel) < 0 || !realpath(path, want)) {
        addProblemf(problems, "mapping_load", mapping_file, line,
                    "service.wsdl: cannot open %s: %s", rel, strerror(errno));
        return NULL;
    }
    for (size_t i = 0; i < cd->n_wsdls; i++)
        if (realpath(cd->wsdls[i]->file, have) && strcmp(have, want) == 0)
            return cd->wsdls[i];
    addProblemf(problems, "mapping_load", mapping_file, line,
                "service.wsdl: %s is not a loaded WSDL of this folder's wsdl/ "
                "(see the problems above, or move it there)", rel);
    return NULL;
}

/* Resolve the mapping's service/port/operation into cap. */
static int bindMapping(struct confdir *cd, const struct mapping *m,
                       struct capability *cap,
                       struct confdir_problems *problems)
{
    const struct wsdl *w = findWsdl(cd, m->wsdl, problems, m->file,
                                     m->service_line);
    if (!w)
        return -1;
    const struct wsdl_service *svc = m->service
        ? wsdl_find_service(w, m->service)
        : (w->n_services ? &w->services[0] : NULL);
    if (!svc) {
        addProblemf(problems, "mapping_load", m->file, m->service_line,
                    "service.service: no service '%s' in %s",
                    m->service ? m->service : "(any)", m->wsdl);
        return -1;
    }
    const struct wsdl_port *port = wsdl_find_port(svc, m->port);
    if (!port || !port->binding) {
        addProblemf(problems, "mapping_load", m->file, m->service_line,
                    "service.port: no SOAP port '%s' in service %s",
                    m->port ? m->port : "(any)", svc->name);
        return -1;
    }
    const struct wsdl_operation *op = wsdl_find_operation(port->binding,
                                                          m->operation);
    if (!op) {
        addProblemf(problems, "mapping_load", m->file, m->service_line,
                    "service.operation: no operation '%s' in binding %s",
                    m->operation, port->binding->name);
        return -1;
    }
    *cap = (struct capability){.mapping = m, .wsdl = w, .service = svc,
                               .port = port, .operation = op,
                               .endpoint = m->endpoint ? m->endpoint
                                                       : port->address,
                               .soap_version = port->binding->version};
    return 0;
}

static void addZones(struct confdir *cd, const struct mapping *m,
                     const struct mapping_field *fields, size_t n,
                     struct confdir_problems *problems)
{
    for (size_t i = 0; i < n; i++) {
        const struct mapping_field *f = &fields[i];
        struct sb_error err;
        if (f->zone && tz_set_add(cd->zones, NULL, f->zone, &err) < 0)
            addProblemf(problems, "mapping_load", m->file, f->line,
                        "%s: zone: %s", f->name, err.message);
        addZones(cd, m, f->fields, f->n_fields, problems);
    }
}

/* The stylesheet text of one direction: the mapping's own file under the
 * config folder, or the compiled table. */
static char *handWritten(struct confdir *cd, const struct mapping *m,
                         const char *rel, struct confdir_problems *problems)
{
    char path[PATH_MAX];
    char *text = joinPath(path, sizeof(path), cd->dir, rel) < 0
                     ? NULL : strbuf_read_file(path, STYLESHEET_MAX_BYTES, NULL);
    if (!text)
        addProblemf(problems, "mapping_load", m->file, 0,
                    "cannot read stylesheet %s: %s", rel, strerror(errno));
    return text;
}

/* Where a stylesheet comes from, for messages: the hand-written file, or
 * the mapping that generated it. */
static void sourceName(char *buf, size_t size, const struct confdir *cd,
                       const struct mapping *m, const char *xslt,
                       const char *direction)
{
    if (!xslt || joinPath(buf, size, cd->dir, xslt) < 0)
        snprintf(buf, size, "%s (generated %s stylesheet)", m->file,
                 direction);
}

static void addMapped(struct confdir *cd, const struct mapping *m,
                      const struct confdir_options *opt,
                      struct confdir_problems *problems)
{
    struct capability cap;
    struct sb_error err;
    struct stylegen_options so = {.strict = opt ? opt->strict : 0};
    if (bindMapping(cd, m, &cap, problems) < 0)
        return;
    addZones(cd, m, m->inputs, m->n_inputs, problems);
    addZones(cd, m, m->outputs, m->n_outputs, problems);
    if (compile_mapping(m, cap.port->binding, cap.operation, cd->tables, &so,
                        &cap.request_text, &cap.response_text, &err) < 0) {
        addProblem(problems, &err);
        return;
    }
    if (m->request_xslt)
        cap.request_text = handWritten(cd, m, m->request_xslt, problems);
    if (m->response_xslt)
        cap.response_text = handWritten(cd, m, m->response_xslt, problems);
    char request_from[PATH_MAX], response_from[PATH_MAX];
    sourceName(request_from, sizeof(request_from), cd, m, m->request_xslt,
               "request");
    sourceName(response_from, sizeof(response_from), cd, m, m->response_xslt,
               "response");
    cap.name = strdup(m->name);
    if (cap.name && cap.request_text &&
        (cap.response_text || !cap.operation->output.message) &&
        compileCapability(&cap, request_from, response_from, problems) == 0) {
        if (!(opt && opt->stylesheets_only))
            cap.native = native_plan_new(m, cap.port->binding, cap.operation,
                                         &so, cap.request->doc);
        if (appendCapability(&cd->capabilities, &cd->n_capabilities,
                             &cap) == 0)
            return;
    }
    freeCapability(&cap);
}

static void loadMappings(struct confdir *cd, const struct confdir_options *opt,
                         struct confdir_problems *problems)
{
    char dir[PATH_MAX];
    if (joinPath(dir, sizeof(dir), cd->dir, "mappings") < 0)
        return;
    char **names = listFiles(dir, ".yaml", ".yml");
    for (size_t i = 0; names && names[i]; i++) {
        char path[PATH_MAX];
        struct sb_error err;
        if (joinPath(path, sizeof(path), dir, names[i]) < 0)
            continue;
        struct mapping *m = mapping_load(path, &err);
        if (!m) {
            addProblem(problems, &err);
            continue;
        }
        struct mapping **grown = realloc(cd->mappings,
                                         (cd->n_mappings + 1) * sizeof(*grown));
        if (!grown) {
            mapping_free(m);
            break;
        }
        cd->mappings = grown;
        cd->mappings[cd->n_mappings++] = m;
        if (confdir_find(cd, m->name))
            addProblemf(problems, "mapping_load", m->file, 0,
                        "capability '%s' is defined twice", m->name);
        else
            addMapped(cd, m, opt, problems);
    }
    freeList(names);
    if (cd->n_capabilities)
        qsort(cd->capabilities, cd->n_capabilities,
              sizeof(*cd->capabilities), compareCapabilities);
}

/* ---- the snapshot ---- */

static xsltSecurityPrefsPtr newSecurityPrefs(void)
{
    xsltSecurityPrefsPtr sec = xsltNewSecurityPrefs();
    if (!sec)
        return NULL;
    xsltSetSecurityPrefs(sec, XSLT_SECPREF_READ_FILE, xsltSecurityForbid);
    xsltSetSecurityPrefs(sec, XSLT_SECPREF_WRITE_FILE, xsltSecurityForbid);
    xsltSetSecurityPrefs(sec, XSLT_SECPREF_CREATE_DIRECTORY,
                         xsltSecurityForbid);
    xsltSetSecurityPrefs(sec, XSLT_SECPREF_READ_NETWORK, xsltSecurityForbid);
    xsltSetSecurityPrefs(sec, XSLT_SECPREF_WRITE_NETWORK, xsltSecurityForbid);
    return sec;
}

struct confdir *confdir_load(const char *dir,
                             const struct confdir_options *opt,
                             struct confdir_problems *problems)
{
    struct stat st;
    struct sb_error err;
    memset(problems, 0, sizeof(*problems));
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        addProblemf(problems, "config_load", dir, 0,
                    "not a configuration folder: %s",
                    errno ? strerror(errno) : "not a directory");
        return NULL;
    }
    struct confdir *cd = calloc(1, sizeof(*cd));
    if (!cd || !(cd->dir = strdup(dir)) || !(cd->tables = tables_new()) ||
        !(cd->zones = tz_set_new()) || !(cd->security = newSecurityPrefs())) {
        confdir_free(cd);
        addProblemf(problems, "internal", dir, 0, "out of memory");
        return NULL;
    }
    char tables_dir[PATH_MAX];
    if (joinPath(tables_dir, sizeof(tables_dir), dir, "mappings/tables") == 0 &&
        tables_load_dir(cd->tables, tables_dir, &err) < 0)
        addProblem(problems, &err);
    loadWsdls(cd, opt, problems);
    loadMappings(cd, opt, problems);
    if (!opt || opt->operations)
        addOperations(cd, opt, problems);
    return cd;
}

void confdir_free(struct confdir *cd)
{
    if (!cd)
        return;
    for (size_t i = 0; i < cd->n_capabilities; i++)
        freeCapability(&cd->capabilities[i]);
    free(cd->capabilities);
    for (size_t i = 0; i < cd->n_operations; i++)
        freeCapability(&cd->operations[i]);
    free(cd->operations);
    for (size_t i = 0; i < cd->n_mappings; i++)
        mapping_free(cd->mappings[i]);
    free(cd->mappings);
    for (size_t i = 0; i < cd->n_wsdls; i++)
        wsdl_free(cd->wsdls[i]);
    free(cd->wsdls);
    tables_free(cd->tables);
    tz_set_free(cd->zones);
    if (cd->security)
        xsltFreeSecurityPrefs(cd->security);
    free(cd->dir);
    free(cd);
}

static const struct capability *findIn(const struct capability *list,
                                       size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].name, name) == 0)
            return &list[i];
    return NULL;
}

const struct capability *confdir_find(const struct confdir *cd,
                                      const char *name)
{
    const struct capability *cap = findIn(cd->capabilities,
                                          cd->n_capabilities, name);
    return cap ? cap : findIn(cd->operations, cd->n_operations, name);
}
