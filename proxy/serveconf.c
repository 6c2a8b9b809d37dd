/*
 * serveconf: soapbridge.yaml read into struct serveconf (see
 * serveconf.h). Runs once at start, before the first worker.
 *
 * Each level of the file (the top, one listen address, limits, logging,
 * one upstream or the defaults, the tls, auth and ws_security blocks) is
 * a static table of directives -- name, kind, how it is stored, where,
 * its range and default -- walked by one function (STYLE.md habit 16);
 * yamldoc has already checked the YAML itself. Every scalar value is
 * expanded (${NAME}, ${NAME:-default}) before it is checked. A problem is
 * recorded and the walk goes on, so that one run names every problem.
 *
 * The upstream settings are read with their numbers UNSET and merged once
 * the whole file is read (the defaults section may come last): the
 * service's own value, else the defaults section's, else the table's.
 */
#include "serveconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "strbuf.h"
#include "yamldoc.h"

#define CODE "config"
#define DEFAULT_FILE "soapbridge.yaml"
#define DEFAULT_HOST "127.0.0.1"
#define DEFAULT_PORT 8080
#define MAX_WORKERS 256
#define MAX_BYTES_LIMIT (1L << 30)
#define MAX_SECRET_BYTES 4096       /* a password file larger is a mistake */
#define MAX_NAME 128                /* bytes in a service or variable name */
#define MAX_HOST 253                /* RFC 1035 */
#define UNSET (-1)                  /* an upstream number not given */
#define WHY_MAX (MAX_HOST + 64)     /* a reason, naming a host at most */

/* ---- the loader and its problem list ----------------------------------- */

struct loader {
    struct yamldoc *doc;
    const char *dir;
    const struct serveconf_options *opt;
    struct serveconf *conf;
    struct serveconf_problems *problems;
    size_t failures;            /* problems found, even if not listed */
};

/* Where a table is walked: "limits", "upstreams.Billing.tls" ("" at the
 * top), and whether it is the defaults section. */
struct scope {
    char path[SB_ERROR_FIELD_MAX];
    int defaults;
};

static void addProblem(struct serveconf_problems *p, const struct sb_error *e)
{
    struct sb_error *grown = realloc(p->items, (p->n + 1) * sizeof(*grown));
    if (!grown)
        return;
    p->items = grown;
    p->items[p->n++] = *e;
}

static int loadFail(struct loader *ld, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int loadFail(struct loader *ld, int line, const char *fmt, ...)
{
    char message[SB_ERROR_MESSAGE_MAX];
    struct sb_error err;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    yamldoc_fail(ld->doc, line, &err, "%s", message);
    addProblem(ld->problems, &err);
    ld->failures++;
    return -1;
}

void serveconf_problems_clear(struct serveconf_problems *problems)
{
    free(problems->items);
    problems->items = NULL;
    problems->n = 0;
}

/* ---- small helpers ------------------------------------------------------ */

static char *copyText(const char *s, size_t len)
{
    char *copy = malloc(len + 1);
    if (copy) {
        memcpy(copy, s, len);
        copy[len] = 0;
    }
    return copy;
}

static char *copyString(const char *s)
{
    return s ? copyText(s, strlen(s)) : NULL;
}

/* free() a secret after overwriting it: a core dump or a reused heap
 * block should not show the password. */
static void freeSecret(char *s)
{
    if (s)
        explicit_bzero(s, strlen(s));
    free(s);
}

static int isDigit(int c) { return c >= '0' && c <= '9'; }
static int isAlpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* ^[A-Za-z_][A-Za-z0-9_]*$ of at most MAX_NAME bytes, in s[0..len). */
static int isVariableName(const char *s, size_t len)
{
    if (len == 0 || len > MAX_NAME || isDigit((unsigned char)s[0]))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!isAlpha((unsigned char)s[i]) && !isDigit((unsigned char)s[i])
            && s[i] != '_')
            return 0;
    return 1;
}

/* A WSDL service name (an XML NCName, ASCII subset). */
static int isServiceName(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > MAX_NAME
        || (!isAlpha((unsigned char)s[0]) && s[0] != '_'))
        return 0;
    for (size_t i = 1; i < len; i++)
        if (!isAlpha((unsigned char)s[i]) && !isDigit((unsigned char)s[i])
            && !strchr("_.-", s[i]))
            return 0;
    return 1;
}

/* Decimal digits with an optional sign, within [min, max]. */
static int parseInteger(const char *text, long min, long max, long *out)
{
    size_t skip = (text[0] == '-' || text[0] == '+') ? 1 : 0;
    if (text[skip] == 0
        || strspn(text + skip, "0123456789") != strlen(text + skip))
        return -1;
    errno = 0;
    long value = strtol(text, NULL, 10);
    if (errno == ERANGE || value < min || value > max)
        return -1;
    *out = value;
    return 0;
}

/* http:// or https://, a host, and no blank or control character. */
static int checkUrl(const char *text, char *why, size_t size)
{
    size_t scheme = strncasecmp(text, "http://", 7) == 0    ? 7
                  : strncasecmp(text, "https://", 8) == 0 ? 8
                                                          : 0;
    int clean = 1;
    for (const char *p = text; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            clean = 0;
    if (scheme && clean && text[scheme] && !strchr("/?#", text[scheme]))
        return 0;
    snprintf(why, size, "must be an http:// or https:// URL with a host");
    return -1;
}

/* "host:port", with the brackets back for IPv6. */
static void formatAddress(char *buf, size_t size, const char *host, int port)
{
    int v6 = strchr(host, ':') != NULL;
    snprintf(buf, size, "%s%s%s:%d", v6 ? "[" : "", host, v6 ? "]" : "",
             port);
}

/* A DNS name: letters, digits, '-' and '.', no empty label. */
static int isHostName(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > MAX_HOST || s[0] == '.' || s[0] == '-'
        || strstr(s, ".."))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!isAlpha((unsigned char)s[i]) && !isDigit((unsigned char)s[i])
            && s[i] != '-' && s[i] != '.')
            return 0;
    return 1;
}

static int checkHost(const char *host, int v6, char *why, size_t size)
{
    unsigned char addr[16];
    if (v6) {
        if (inet_pton(AF_INET6, host, addr) == 1)
            return 0;
        snprintf(why, size, "'%s' is not an IPv6 address", host);
        return -1;
    }
    if (strchr(host, ':')) {
        snprintf(why, size, "write an IPv6 address in brackets, as"
                            " [::1]:8080");
        return -1;
    }
    if (strspn(host, "0123456789.") == strlen(host)) {
        if (inet_pton(AF_INET, host, addr) == 1)
            return 0;
        snprintf(why, size, "'%s' is not an IPv4 address", host);
        return -1;
    }
    if (isHostName(host))
        return 0;
    snprintf(why, size, "'%s' is not a host name", host);
    return -1;
}

/*
 * "HOST:PORT" or "[IPv6]:PORT" into a new *host (brackets dropped) and
 * *port. 0, or -1 with the reason in why.
 */
static int parseAddress(const char *text, char **host, int *port, char *why,
                        size_t size)
{
    const char *start = text, *end, *colon;
    int v6 = text[0] == '[';
    long value = 0;
    if (v6) {
        start = text + 1;
        end = strchr(start, ']');
        colon = end && end[1] == ':' ? end + 1 : NULL;
    } else {
        colon = strrchr(text, ':');
        end = colon;
    }
    if (!colon || end == start) {
        snprintf(why, size, "expected HOST:PORT or [IPv6]:PORT");
        return -1;
    }
    if (parseInteger(colon + 1, 0, 65535, &value) < 0 || colon[1] == '+'
        || colon[1] == '-') {
        snprintf(why, size, "the port must be a number from 0 to 65535");
        return -1;
    }
    if ((size_t)(end - start) > MAX_HOST) {
        snprintf(why, size, "host name longer than %d bytes", MAX_HOST);
        return -1;
    }
    char *name = copyText(start, (size_t)(end - start));
    if (!name) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    if (checkHost(name, v6, why, size) < 0) {
        free(name);
        return -1;
    }
    *host = name;
    *port = (int)value;
    return 0;
}

/* DIR/path for a relative path, a copy of an absolute one. */
static char *resolvePath(const char *dir, const char *path)
{
    if (path[0] == '/' || !dir)
        return copyString(path);
    size_t dlen = strlen(dir);
    while (dlen > 1 && dir[dlen - 1] == '/')
        dlen--;
    size_t plen = strlen(path);
    char *full = malloc(dlen + plen + 2);
    if (!full)
        return NULL;
    memcpy(full, dir, dlen);
    full[dlen] = '/';
    memcpy(full + dlen + 1, path, plen + 1);
    return full;
}

static int onlineCpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_WORKERS ? MAX_WORKERS : (int)n;
}

/* ---- ${NAME} and ${NAME:-default} --------------------------------------- */

static const char *lookupEnv(struct loader *ld, const char *name)
{
    if (ld->opt && ld->opt->lookup_env)
        return ld->opt->lookup_env(ld->opt->env_context, name);
    return getenv(name);
}

/* One ${...} at ref (just after "${", ending at end, the '}'). */
static int expandReference(struct loader *ld, struct strbuf *out,
                           const char *ref, const char *end, int line,
                           const char *what)
{
    char name[MAX_NAME + 1];
    size_t len = strspn(ref, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                             "vwxyz0123456789_");
    const char *rest = ref + len;
    int has_default = rest[0] == ':' && rest[1] == '-';
    if (rest > end || !isVariableName(ref, len)
        || (rest != end && !has_default))
        return loadFail(ld, line, "'%s': bad reference '${%.*s}': write"
                        " ${NAME} or ${NAME:-default}", what,
                        (int)(end - ref), ref);
    memcpy(name, ref, len);
    name[len] = 0;
    const char *value = lookupEnv(ld, name);
    if (value && value[0])
        strbuf_puts(out, value);
    else if (has_default)
        strbuf_append(out, rest + 2, (size_t)(end - rest - 2));
    else if (!value)
        return loadFail(ld, line, "'%s': environment variable %s is not set",
                        what, name);
    return 0;
}

/*
 * The value of a scalar with its references expanded, as a new string
 * (the caller frees it); NULL after reporting. Null and empty values are
 * refused: every directive wants a value.
 */
static char *expandScalar(struct loader *ld, const struct yamldoc_node *node,
                          const char *what)
{
    struct strbuf out;
    const char *p = node->value;
    if (yamldoc_is_null(node)) {
        loadFail(ld, node->line, "'%s' needs a value", what);
        return NULL;
    }
    strbuf_init(&out);
    while (*p) {
        const char *end;
        if (p[0] == '$' && p[1] == '$') {
            strbuf_append(&out, "$", 1);
            p += 2;
        } else if (p[0] == '$' && p[1] == '{') {
            if (!(end = strchr(p + 2, '}'))) {
                loadFail(ld, node->line, "'%s': '${' without its '}' (write"
                         " $$ for a literal $)", what);
                goto fail;
            }
            if (expandReference(ld, &out, p + 2, end, node->line, what) < 0)
                goto fail;
            p = end + 1;
        } else {
            strbuf_append(&out, p++, 1);
        }
    }
    char *text = strbuf_detach(&out, NULL);
    if (!text)
        loadFail(ld, node->line, "out of memory");
    else if (!text[0]) {
        loadFail(ld, node->line, "'%s' needs a value", what);
        free(text);
        text = NULL;
    }
    return text;
fail:
    strbuf_free(&out);
    return NULL;
}

/* ---- directive tables --------------------------------------------------- */

enum store {
    STORE_STRING,       /* char *: expanded, then check()ed */
    STORE_PATH,         /* char *: resolved against DIR, must be readable */
    STORE_BOOL,         /* int */
    STORE_INT,          /* int in [min, max] */
    STORE_LONG,         /* long in [min, max] */
    STORE_SIZE,         /* size_t in [min, max] */
    STORE_WORD,         /* int: the index of the value in words[] */
    STORE_SECRET_ENV,   /* char *: the value of the variable named */
    STORE_SECRET_FILE,  /* char *: the content of the file named */
    STORE_REFUSED,      /* a key refused on purpose; text says why */
    STORE_BLOCK,        /* a mapping: table walked at offset */
    STORE_CALL          /* the handler stores */
};

#define F_REQUIRED 1u
#define F_HIDDEN 2u         /* not listed among the known keys */
#define F_SERVICE_ONLY 4u   /* refused in defaults */

struct directive;

typedef int check_fn(const char *text, char *why, size_t size);
typedef int directive_fn(struct loader *ld, const struct scope *sc,
                         void *target, const struct yamldoc_node *key,
                         const struct yamldoc_node *value);

struct directive {
    const char *name;
    enum yamldoc_kind kind;     /* the value must be of this kind */
    enum store store;
    size_t offset;
    long min, max;              /* numbers */
    long def;                   /* numbers, booleans, words: the default */
    const char *text;           /* STRING: the default; REFUSED: why */
    const char *const *words;   /* WORD: names by value, NULL for none */
    size_t n_words;
    check_fn *check;            /* STRING: NULL or the validator */
    const struct directive *table;  /* BLOCK */
    size_t n_table;
    directive_fn *handler;      /* CALL */
    unsigned flags;
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void *slotOf(void *target, const struct directive *d)
{
    return (char *)target + d->offset;
}

/* Every default of a table (and of its blocks) into a fresh target. */
static int initDefaults(const struct directive *table, size_t n, void *target)
{
    for (size_t i = 0; i < n; i++) {
        const struct directive *d = &table[i];
        void *slot = slotOf(target, d);
        switch (d->store) {
        case STORE_BOOL:
        case STORE_INT:
        case STORE_WORD:
            *(int *)slot = (int)d->def;
            break;
        case STORE_LONG:
            *(long *)slot = d->def;
            break;
        case STORE_SIZE:
            *(size_t *)slot = (size_t)d->def;
            break;
        case STORE_STRING:
            if (d->text && !(*(char **)slot = copyString(d->text)))
                return -1;
            break;
        case STORE_BLOCK:
            if (initDefaults(d->table, d->n_table, slot) < 0)
                return -1;
            break;
        default:
            break;
        }
    }
    return 0;
}

/* The numbers of an upstream table, per their value in `from`:
 * MARK sets them UNSET, INHERIT takes from's where unset, DEFAULT puts
 * the table's default where still unset. */
enum number_pass { PASS_MARK, PASS_INHERIT, PASS_DEFAULT };

static void passNumbers(const struct directive *table, size_t n, void *target,
                        const void *from, enum number_pass pass)
{
    for (size_t i = 0; i < n; i++) {
        const struct directive *d = &table[i];
        long value;
        if (d->store == STORE_INT || d->store == STORE_BOOL)
            value = *(int *)slotOf(target, d);
        else if (d->store == STORE_LONG)
            value = *(long *)slotOf(target, d);
        else
            continue;
        if (pass == PASS_MARK)
            value = UNSET;
        else if (value == UNSET && pass == PASS_INHERIT)
            value = d->store == STORE_LONG
                  ? *(const long *)((const char *)from + d->offset)
                  : *(const int *)((const char *)from + d->offset);
        else if (value == UNSET)
            value = d->def;
        if (d->store == STORE_LONG)
            *(long *)slotOf(target, d) = value;
        else
            *(int *)slotOf(target, d) = (int)value;
    }
}

/* ---- storing one value -------------------------------------------------- */

static int storeString(struct loader *ld, const struct directive *d,
                       char **slot, const struct yamldoc_node *value)
{
    char why[WHY_MAX];
    char *text = expandScalar(ld, value, d->name);
    if (!text)
        return -1;
    if (d->check && d->check(text, why, sizeof(why)) < 0) {
        loadFail(ld, value->line, "'%s' %s, not '%s'", d->name, why, text);
        free(text);
        return -1;
    }
    free(*slot);
    *slot = text;
    return 0;
}

static int storePath(struct loader *ld, const struct directive *d,
                     char **slot, const struct yamldoc_node *value)
{
    char *text = expandScalar(ld, value, d->name);
    if (!text)
        return -1;
    char *path = resolvePath(ld->dir, text);
    int rc = 0;
    if (!path)
        rc = loadFail(ld, value->line, "out of memory");
    else if (access(path, R_OK) < 0)
        rc = loadFail(ld, value->line, "'%s': cannot read %s: %s", d->name,
                      text, strerror(errno));
    free(text);
    if (rc < 0) {
        free(path);
        return -1;
    }
    free(*slot);
    *slot = path;
    return 0;
}

static int storeNumber(struct loader *ld, const struct directive *d,
                       void *slot, const struct yamldoc_node *value)
{
    long number = 0;
    char *text = expandScalar(ld, value, d->name);
    if (!text)
        return -1;
    if (parseInteger(text, d->min, d->max, &number) < 0) {
        loadFail(ld, value->line, "'%s' must be an integer from %ld to %ld,"
                 " not '%s'", d->name, d->min, d->max, text);
        free(text);
        return -1;
    }
    free(text);
    if (d->store == STORE_INT)
        *(int *)slot = (int)number;
    else if (d->store == STORE_LONG)
        *(long *)slot = number;
    else
        *(size_t *)slot = (size_t)number;
    return 0;
}

static int storeBool(struct loader *ld, const struct directive *d, int *slot,
                     const struct yamldoc_node *value)
{
    char *text = expandScalar(ld, value, d->name);
    if (!text)
        return -1;
    int rc = 0;
    if (!strcmp(text, "true") || !strcmp(text, "True")
        || !strcmp(text, "TRUE"))
        *slot = 1;
    else if (!strcmp(text, "false") || !strcmp(text, "False")
             || !strcmp(text, "FALSE"))
        *slot = 0;
    else
        rc = loadFail(ld, value->line, "'%s' must be true or false, not"
                      " '%s'", d->name, text);
    free(text);
    return rc;
}

/* "error, warn, info or debug" */
static void listWords(const struct directive *d, char *buf, size_t size)
{
    size_t used = 0, left = 0;
    buf[0] = 0;
    for (size_t i = 0; i < d->n_words; i++)
        left += d->words[i] != NULL;
    for (size_t i = 0; i < d->n_words && used < size; i++) {
        if (!d->words[i])
            continue;
        left--;
        int w = snprintf(buf + used, size - used, "%s%s", d->words[i],
                         left > 1 ? ", " : left == 1 ? " or " : "");
        used += w > 0 ? (size_t)w : 0;
    }
}

static int storeWord(struct loader *ld, const struct directive *d, int *slot,
                     const struct yamldoc_node *value)
{
    char list[160];
    char *text = expandScalar(ld, value, d->name);
    if (!text)
        return -1;
    for (size_t i = 0; i < d->n_words; i++)
        if (d->words[i] && strcmp(d->words[i], text) == 0) {
            *slot = (int)i;
            free(text);
            return 0;
        }
    listWords(d, list, sizeof(list));
    loadFail(ld, value->line, "'%s' must be %s, not '%s'", d->name, list,
             text);
    free(text);
    return -1;
}

static int storeSecretEnv(struct loader *ld, const struct directive *d,
                          char **slot, const struct yamldoc_node *value)
{
    char *name = expandScalar(ld, value, d->name);
    if (!name)
        return -1;
    const char *secret = NULL;
    int rc = 0;
    if (!isVariableName(name, strlen(name)))
        rc = loadFail(ld, value->line, "'%s' must name an environment"
                      " variable, not '%s'", d->name, name);
    else if (!(secret = lookupEnv(ld, name)))
        rc = loadFail(ld, value->line, "'%s': environment variable %s is"
                      " not set", d->name, name);
    else if (!secret[0])
        rc = loadFail(ld, value->line, "'%s': environment variable %s is"
                      " empty", d->name, name);
    else if (!(*slot = copyString(secret)))
        rc = loadFail(ld, value->line, "out of memory");
    free(name);
    return rc;
}

/* The file's content without its one trailing newline ("\n" or "\r\n"). */
static int readSecretFile(struct loader *ld, const struct directive *d,
                          char **slot, const char *shown, const char *path,
                          int line)
{
    size_t len = 0;
    char *secret = strbuf_read_file(path, MAX_SECRET_BYTES, &len);
    if (!secret && errno == EFBIG)
        return loadFail(ld, line, "'%s': %s is larger than %d bytes",
                        d->name, shown, MAX_SECRET_BYTES);
    if (!secret)
        return loadFail(ld, line, "'%s': cannot read %s: %s", d->name, shown,
                        strerror(errno));
    if (len > 0 && secret[len - 1] == '\n')
        secret[--len] = 0;
    if (len > 0 && secret[len - 1] == '\r')
        secret[--len] = 0;
    int rc = 0;
    if (memchr(secret, 0, len))
        rc = loadFail(ld, line, "'%s': %s contains a NUL byte", d->name,
                      shown);
    else if (len == 0)
        rc = loadFail(ld, line, "'%s': %s is empty", d->name, shown);
    if (rc < 0) {
        explicit_bzero(secret, len);
        free(secret);
        return -1;
    }
    *slot = secret;
    return 0;
}

static int storeSecretFile(struct loader *ld, const struct directive *d,
                           char **slot, const struct yamldoc_node *value)
{
    char *shown = expandScalar(ld, value, d->name);
    if (!shown)
        return -1;
    char *path = resolvePath(ld->dir, shown);
    int rc = path ? readSecretFile(ld, d, slot, shown, path, value->line)
                  : loadFail(ld, value->line, "out of memory");
    free(path);
    free(shown);
    return rc;
}

/* password_env and password_file fill one slot: only one may be given. */
static int storeSecret(struct loader *ld, const struct directive *d,
                       char **slot, const struct yamldoc_node *key,
                       const struct yamldoc_node *value)
{
    if (*slot)
        return loadFail(ld, key->line, "give password_env or password_file,"
                        " not both");
    if (d->store == STORE_SECRET_ENV)
        return storeSecretEnv(ld, d, slot, value);
    return storeSecretFile(ld, d, slot, value);
}

static int walkTable(struct loader *ld, const struct scope *sc,
                     const struct directive *table, size_t n,
                     const struct yamldoc_node *node, void *target, int line);

static void childScope(struct scope *child, const struct scope *parent,
                       const char *name)
{
    /* By hand: snprintf("%s.%s") into a buffer the size of the parent's
     * draws gcc's truncation warning; a label cut short still reads. */
    size_t size = sizeof(child->path), used = strlen(parent->path);
    size_t len = strlen(name);
    memcpy(child->path, parent->path, used + 1);
    if (used > 0 && used + 1 < size)
        child->path[used++] = '.';
    if (len > size - 1 - used)
        len = size - 1 - used;
    memcpy(child->path + used, name, len);
    child->path[used + len] = 0;
    child->defaults = parent->defaults;
}

static int storeValue(struct loader *ld, const struct scope *sc,
                      const struct directive *d, void *target,
                      const struct yamldoc_node *key,
                      const struct yamldoc_node *value)
{
    void *slot = slotOf(target, d);
    struct scope child;
    switch (d->store) {
    case STORE_STRING:
        return storeString(ld, d, slot, value);
    case STORE_PATH:
        return storePath(ld, d, slot, value);
    case STORE_BOOL:
        return storeBool(ld, d, slot, value);
    case STORE_INT:
    case STORE_LONG:
    case STORE_SIZE:
        return storeNumber(ld, d, slot, value);
    case STORE_WORD:
        return storeWord(ld, d, slot, value);
    case STORE_SECRET_ENV:
    case STORE_SECRET_FILE:
        return storeSecret(ld, d, slot, key, value);
    case STORE_REFUSED:
        return loadFail(ld, key->line, "'%s' is not allowed: %s", d->name,
                        d->text);
    case STORE_BLOCK:
        childScope(&child, sc, d->name);
        return walkTable(ld, &child, d->table, d->n_table, value, slot,
                         key->line);
    case STORE_CALL:
        return d->handler(ld, sc, target, key, value);
    }
    return loadFail(ld, key->line, "internal: bad directive '%s'", d->name);
}

/* ---- the generic table walk --------------------------------------------- */

static int listed(const struct directive *d, const struct scope *sc)
{
    return !(d->flags & F_HIDDEN)
        && !(sc->defaults && (d->flags & F_SERVICE_ONLY));
}

static int unknownKey(struct loader *ld, const struct scope *sc,
                      const struct directive *table, size_t n,
                      const struct yamldoc_node *key)
{
    char known[400];
    size_t used = 0;
    known[0] = 0;
    for (size_t i = 0; i < n && used < sizeof(known); i++) {
        if (!listed(&table[i], sc))
            continue;
        int w = snprintf(known + used, sizeof(known) - used, "%s%s",
                         used ? ", " : "", table[i].name);
        used += w > 0 ? (size_t)w : 0;
    }
    return loadFail(ld, key->line, "unknown key '%s'%s%s (known: %s)",
                    key->value, sc->path[0] ? " in " : "", sc->path, known);
}

static const struct directive *findDirective(const struct directive *table,
                                             size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

/*
 * Store the pairs of the mapping `node` into `target` per `table`,
 * reporting each problem and going on with the next pair. Missing
 * required keys are reported at `line` (of the key that introduced the
 * mapping). -1 if anything was wrong.
 */
static int walkTable(struct loader *ld, const struct scope *sc,
                     const struct directive *table, size_t n,
                     const struct yamldoc_node *node, void *target, int line)
{
    unsigned long seen = 0;
    size_t before = ld->failures;
    char what[96];
    for (size_t i = 0; i < node->count; i++) {
        const struct yamldoc_node *key = node->keys[i];
        const struct directive *d = findDirective(table, n, key->value);
        if (!d) {
            unknownKey(ld, sc, table, n, key);
            continue;
        }
        seen |= 1UL << (d - table);
        if (sc->defaults && (d->flags & F_SERVICE_ONLY)) {
            loadFail(ld, key->line, "'%s' is per service: give it under"
                     " upstreams.SERVICE, not in defaults", d->name);
            continue;
        }
        snprintf(what, sizeof(what), "'%s'", d->name);
        struct sb_error err;
        if (d->store != STORE_REFUSED
            && yamldoc_expect(ld->doc, node->items[i], d->kind, what, &err)) {
            addProblem(ld->problems, &err);
            ld->failures++;
            continue;
        }
        storeValue(ld, sc, d, target, key, node->items[i]);
    }
    for (size_t i = 0; i < n; i++)
        if ((table[i].flags & F_REQUIRED) && !(seen & (1UL << i)))
            loadFail(ld, line, "missing '%s'%s%s", table[i].name,
                     sc->path[0] ? " in " : "", sc->path);
    return ld->failures == before ? 0 : -1;
}

/* A mapping value walked with its own table, reported as one problem
 * when it is not a mapping. */
static int walkMapping(struct loader *ld, const struct scope *sc,
                       const char *what, const struct directive *table,
                       size_t n, const struct yamldoc_node *node, void *target,
                       int line)
{
    struct sb_error err;
    if (yamldoc_expect(ld->doc, node, YAMLDOC_MAPPING, what, &err) < 0) {
        addProblem(ld->problems, &err);
        ld->failures++;
        return -1;
    }
    return walkTable(ld, sc, table, n, node, target, line);
}

/* ---- listen ------------------------------------------------------------- */

static int setAddress(struct loader *ld, const struct scope *sc, void *target,
                      const struct yamldoc_node *key,
                      const struct yamldoc_node *value)
{
    struct serveconf_listen *l = target;
    char why[WHY_MAX];
    (void)sc;
    (void)key;
    char *text = expandScalar(ld, value, "address");
    if (!text)
        return -1;
    int rc = 0;
    if (parseAddress(text, &l->host, &l->port, why, sizeof(why)) < 0)
        rc = loadFail(ld, value->line, "bad listen address '%s': %s", text,
                      why);
    free(text);
    return rc;
}

#define LISTEN_AT(member) offsetof(struct serveconf_listen, member)

static const struct directive listen_tls_directives[] = {
    {.name = "certificate", .kind = YAMLDOC_SCALAR, .store = STORE_PATH,
     .offset = LISTEN_AT(tls_certificate), .flags = F_REQUIRED},
    {.name = "key", .kind = YAMLDOC_SCALAR, .store = STORE_PATH,
     .offset = LISTEN_AT(tls_key), .flags = F_REQUIRED},
};

static const struct directive listen_directives[] = {
    {.name = "address", .kind = YAMLDOC_SCALAR, .store = STORE_CALL,
     .handler = setAddress, .flags = F_REQUIRED},
    {.name = "tls", .kind = YAMLDOC_MAPPING, .store = STORE_BLOCK,
     .table = listen_tls_directives, .n_table = COUNT(listen_tls_directives)},
};

static int setListen(struct loader *ld, const struct scope *sc, void *target,
                     const struct yamldoc_node *key,
                     const struct yamldoc_node *value)
{
    struct serveconf *conf = target;
    (void)sc;
    if (value->count == 0)
        return loadFail(ld, key->line, "'listen' must not be empty");
    if (!(conf->listen = calloc(value->count, sizeof(*conf->listen))))
        return loadFail(ld, key->line, "out of memory");
    for (size_t i = 0; i < value->count; i++) {
        const struct yamldoc_node *item = value->items[i];
        struct serveconf_listen *l = &conf->listen[conf->n_listen++];
        struct scope child = {"", 0};
        snprintf(child.path, sizeof(child.path), "listen[%zu]", i);
        l->line = item->line;
        walkMapping(ld, &child, "a listen item", listen_directives,
                    COUNT(listen_directives), item, l, item->line);
    }
    return 0;
}

/* Two listeners on one address would fail at bind time with less
 * context than the file has. */
static void checkListenTwice(struct loader *ld, const struct serveconf *conf)
{
    char shown[MAX_HOST + 16];
    for (size_t i = 0; i < conf->n_listen; i++)
        for (size_t j = 0; j < i; j++) {
            const struct serveconf_listen *a = &conf->listen[j];
            const struct serveconf_listen *b = &conf->listen[i];
            if (!a->host || !b->host || a->port == 0 || a->port != b->port
                || strcmp(a->host, b->host) != 0)
                continue;
            formatAddress(shown, sizeof(shown), b->host, b->port);
            loadFail(ld, b->line, "listen address %s given twice (first at"
                     " line %d)", shown, a->line);
            break;
        }
}

/* ---- upstreams ---------------------------------------------------------- */

#define UPSTREAM_AT(member) offsetof(struct serveconf_upstream, member)

static const char refuse_password[] =
    "secrets are never written in the configuration; use password_env"
    " (an environment variable) or password_file (a file)";

static const char *const auth_words[] = {
    [SERVECONF_AUTH_NONE] = NULL,
    [SERVECONF_AUTH_BASIC] = "basic",
    [SERVECONF_AUTH_NTLM] = "ntlm",
};

static const struct directive auth_directives[] = {
    {.name = "type", .kind = YAMLDOC_SCALAR, .store = STORE_WORD,
     .offset = UPSTREAM_AT(auth), .words = auth_words,
     .n_words = COUNT(auth_words), .flags = F_REQUIRED},
    {.name = "username", .kind = YAMLDOC_SCALAR, .store = STORE_STRING,
     .offset = UPSTREAM_AT(username), .flags = F_REQUIRED},
    {.name = "password_env", .kind = YAMLDOC_SCALAR,
     .store = STORE_SECRET_ENV, .offset = UPSTREAM_AT(password)},
    {.name = "password_file", .kind = YAMLDOC_SCALAR,
     .store = STORE_SECRET_FILE, .offset = UPSTREAM_AT(password)},
    {.name = "password", .kind = YAMLDOC_SCALAR, .store = STORE_REFUSED,
     .text = refuse_password, .flags = F_HIDDEN},
};

static const struct directive ws_security_directives[] = {
    {.name = "username", .kind = YAMLDOC_SCALAR, .store = STORE_STRING,
     .offset = UPSTREAM_AT(ws_username), .flags = F_REQUIRED},
    {.name = "password_env", .kind = YAMLDOC_SCALAR,
     .store = STORE_SECRET_ENV, .offset = UPSTREAM_AT(ws_password)},
    {.name = "password_file", .kind = YAMLDOC_SCALAR,
     .store = STORE_SECRET_FILE, .offset = UPSTREAM_AT(ws_password)},
    {.name = "digest", .kind = YAMLDOC_SCALAR, .store = STORE_BOOL,
     .offset = UPSTREAM_AT(ws_digest)},
    {.name = "password", .kind = YAMLDOC_SCALAR, .store = STORE_REFUSED,
     .text = refuse_password, .flags = F_HIDDEN},
};

static const struct directive upstream_tls_directives[] = {
    {.name = "ca", .kind = YAMLDOC_SCALAR, .store = STORE_PATH,
     .offset = UPSTREAM_AT(tls_ca)},
    {.name = "certificate", .kind = YAMLDOC_SCALAR, .store = STORE_PATH,
     .offset = UPSTREAM_AT(tls_certificate)},
    {.name = "key", .kind = YAMLDOC_SCALAR, .store = STORE_PATH,
     .offset = UPSTREAM_AT(tls_key)},
    {.name = "insecure", .kind = YAMLDOC_SCALAR, .store = STORE_BOOL,
     .offset = UPSTREAM_AT(tls_insecure)},
};

/* A credential block: its table, then a password must have come. */
static int walkCredentials(struct loader *ld, const struct scope *sc,
                           const struct directive *table, size_t n,
                           char *const *password,
                           const struct yamldoc_node *key,
                           const struct yamldoc_node *value, void *target)
{
    struct scope child;
    childScope(&child, sc, key->value);
    if (walkTable(ld, &child, table, n, value, target, key->line) < 0)
        return -1;
    if (!*password)
        return loadFail(ld, key->line, "'%s' needs password_env or"
                        " password_file", key->value);
    return 0;
}

static int setAuth(struct loader *ld, const struct scope *sc, void *target,
                   const struct yamldoc_node *key,
                   const struct yamldoc_node *value)
{
    struct serveconf_upstream *u = target;
    return walkCredentials(ld, sc, auth_directives, COUNT(auth_directives),
                           &u->password, key, value, u);
}

static int setWsSecurity(struct loader *ld, const struct scope *sc,
                         void *target, const struct yamldoc_node *key,
                         const struct yamldoc_node *value)
{
    struct serveconf_upstream *u = target;
    return walkCredentials(ld, sc, ws_security_directives,
                           COUNT(ws_security_directives), &u->ws_password,
                           key, value, u);
}

/* tls_insecure stops being UNSET: the block was given, and replaces the
 * defaults' one as a whole. */
static int setUpstreamTls(struct loader *ld, const struct scope *sc,
                          void *target, const struct yamldoc_node *key,
                          const struct yamldoc_node *value)
{
    struct serveconf_upstream *u = target;
    struct scope child;
    childScope(&child, sc, key->value);
    u->tls_insecure = 0;
    if (walkTable(ld, &child, upstream_tls_directives,
                  COUNT(upstream_tls_directives), value, u, key->line) < 0)
        return -1;
    if (!u->tls_certificate != !u->tls_key)
        return loadFail(ld, key->line, "'tls': give 'certificate' and 'key'"
                        " together");
    return 0;
}

static const struct directive upstream_directives[] = {
    {.name = "url", .kind = YAMLDOC_SCALAR, .store = STORE_STRING,
     .offset = UPSTREAM_AT(url), .check = checkUrl, .flags = F_SERVICE_ONLY},
    {.name = "connect_timeout_ms", .kind = YAMLDOC_SCALAR,
     .store = STORE_LONG, .offset = UPSTREAM_AT(connect_timeout_ms),
     .min = 1, .max = 600000, .def = 2000},
    {.name = "timeout_ms", .kind = YAMLDOC_SCALAR, .store = STORE_LONG,
     .offset = UPSTREAM_AT(timeout_ms), .min = 1, .max = 3600000,
     .def = 30000},
    {.name = "pool_size", .kind = YAMLDOC_SCALAR, .store = STORE_INT,
     .offset = UPSTREAM_AT(pool_size), .min = 1, .max = 1024, .def = 16},
    {.name = "tls", .kind = YAMLDOC_MAPPING, .store = STORE_CALL,
     .handler = setUpstreamTls},
    {.name = "auth", .kind = YAMLDOC_MAPPING, .store = STORE_CALL,
     .handler = setAuth, .flags = F_SERVICE_ONLY},
    {.name = "ws_security", .kind = YAMLDOC_MAPPING, .store = STORE_CALL,
     .handler = setWsSecurity, .flags = F_SERVICE_ONLY},
};

static void startUpstream(struct serveconf_upstream *u)
{
    passNumbers(upstream_directives, COUNT(upstream_directives), u, NULL,
                PASS_MARK);
    u->tls_insecure = UNSET;
}

static void clearUpstream(struct serveconf_upstream *u)
{
    free(u->service);
    free(u->url);
    free(u->tls_ca);
    free(u->tls_certificate);
    free(u->tls_key);
    free(u->username);
    freeSecret(u->password);
    free(u->ws_username);
    freeSecret(u->ws_password);
}

static int setUpstreams(struct loader *ld, const struct scope *sc,
                        void *target, const struct yamldoc_node *key,
                        const struct yamldoc_node *value)
{
    struct serveconf *conf = target;
    (void)sc;
    conf->upstreams = calloc(value->count + 1, sizeof(*conf->upstreams));
    if (!conf->upstreams)
        return loadFail(ld, key->line, "out of memory");
    for (size_t i = 0; i < value->count; i++) {
        const struct yamldoc_node *name = value->keys[i];
        struct scope child = {"", 0};
        if (!isServiceName(name->value)) {
            loadFail(ld, name->line, "upstream '%s' is not a WSDL service"
                     " name", name->value);
            continue;
        }
        struct serveconf_upstream *u = &conf->upstreams[conf->n_upstreams++];
        startUpstream(u);
        u->line = name->line;
        if (!(u->service = copyString(name->value))) {
            loadFail(ld, name->line, "out of memory");
            continue;
        }
        snprintf(child.path, sizeof(child.path), "upstreams.%s", name->value);
        char what[MAX_NAME + 16];
        snprintf(what, sizeof(what), "'%s'", name->value);
        walkMapping(ld, &child, what, upstream_directives,
                    COUNT(upstream_directives), value->items[i], u,
                    name->line);
    }
    return 0;
}

static int setDefaults(struct loader *ld, const struct scope *sc,
                       void *target, const struct yamldoc_node *key,
                       const struct yamldoc_node *value)
{
    struct serveconf *conf = target;
    struct scope child = {"defaults", 1};
    (void)sc;
    return walkTable(ld, &child, upstream_directives,
                     COUNT(upstream_directives), value, &conf->defaults,
                     key->line);
}

/* The defaults' tls block, copied into a service without its own. */
static int inheritTls(struct serveconf_upstream *u,
                      const struct serveconf_upstream *from)
{
    if (u->tls_insecure != UNSET || from->tls_insecure == UNSET)
        return 0;
    u->tls_insecure = from->tls_insecure;
    if ((from->tls_ca && !(u->tls_ca = copyString(from->tls_ca)))
        || (from->tls_certificate
            && !(u->tls_certificate = copyString(from->tls_certificate)))
        || (from->tls_key && !(u->tls_key = copyString(from->tls_key))))
        return -1;
    return 0;
}

static void defaultUpstream(struct serveconf_upstream *u)
{
    passNumbers(upstream_directives, COUNT(upstream_directives), u, NULL,
                PASS_DEFAULT);
    if (u->tls_insecure == UNSET)
        u->tls_insecure = 0;
}

static void countPool(struct serveconf *conf)
{
    long total = conf->defaults.pool_size;
    for (size_t i = 0; i < conf->n_upstreams; i++)
        total += conf->upstreams[i].pool_size;
    conf->upstream_pool_size = total > INT32_MAX ? INT32_MAX : (int)total;
}

/* Each service's value, else the defaults section's, else the table's. */
static int mergeUpstreams(struct serveconf *conf)
{
    for (size_t i = 0; i < conf->n_upstreams; i++) {
        struct serveconf_upstream *u = &conf->upstreams[i];
        passNumbers(upstream_directives, COUNT(upstream_directives), u,
                    &conf->defaults, PASS_INHERIT);
        if (inheritTls(u, &conf->defaults) < 0)
            return -1;
        defaultUpstream(u);
    }
    defaultUpstream(&conf->defaults);
    countPool(conf);
    return 0;
}

/* ---- the top level ------------------------------------------------------ */

#define CONF_AT(member) offsetof(struct serveconf, member)
#define LIMITS_AT(member) offsetof(struct serveconf_limits, member)
#define LOGGING_AT(member) offsetof(struct serveconf_logging, member)

static const struct directive limits_directives[] = {
    {.name = "max_body_bytes", .kind = YAMLDOC_SCALAR, .store = STORE_SIZE,
     .offset = LIMITS_AT(max_body_bytes), .min = 1, .max = MAX_BYTES_LIMIT,
     .def = 1048576},
    {.name = "max_json_depth", .kind = YAMLDOC_SCALAR, .store = STORE_SIZE,
     .offset = LIMITS_AT(max_json_depth), .min = 1, .max = 1024, .def = 64},
    {.name = "max_response_bytes", .kind = YAMLDOC_SCALAR,
     .store = STORE_SIZE, .offset = LIMITS_AT(max_response_bytes), .min = 1,
     .max = MAX_BYTES_LIMIT, .def = 16777216},
    {.name = "request_timeout_ms", .kind = YAMLDOC_SCALAR,
     .store = STORE_LONG, .offset = LIMITS_AT(request_timeout_ms), .min = 1,
     .max = 3600000, .def = 30000},
    {.name = "max_connections", .kind = YAMLDOC_SCALAR, .store = STORE_SIZE,
     .offset = LIMITS_AT(max_connections), .min = 1, .max = 1000000,
     .def = 10000},
};

static const char *const level_words[] = {
    [SERVECONF_LOG_ERROR] = "error",
    [SERVECONF_LOG_WARN] = "warn",
    [SERVECONF_LOG_INFO] = "info",
    [SERVECONF_LOG_DEBUG] = "debug",
};

static const struct directive logging_directives[] = {
    {.name = "access_log", .kind = YAMLDOC_SCALAR, .store = STORE_STRING,
     .offset = LOGGING_AT(access_log), .text = "-"},
    {.name = "level", .kind = YAMLDOC_SCALAR, .store = STORE_WORD,
     .offset = LOGGING_AT(level), .words = level_words,
     .n_words = COUNT(level_words), .def = SERVECONF_LOG_INFO},
};

/* workers: 0 until the end, where it becomes the number of CPUs. */
static const struct directive top_directives[] = {
    {.name = "listen", .kind = YAMLDOC_SEQUENCE, .store = STORE_CALL,
     .handler = setListen},
    {.name = "workers", .kind = YAMLDOC_SCALAR, .store = STORE_INT,
     .offset = CONF_AT(workers), .min = 1, .max = MAX_WORKERS, .def = 0},
    {.name = "zero_config", .kind = YAMLDOC_SCALAR, .store = STORE_BOOL,
     .offset = CONF_AT(zero_config), .def = 0},
    {.name = "strict", .kind = YAMLDOC_SCALAR, .store = STORE_BOOL,
     .offset = CONF_AT(strict), .def = 0},
    {.name = "watch", .kind = YAMLDOC_SCALAR, .store = STORE_BOOL,
     .offset = CONF_AT(watch), .def = 0},
    {.name = "limits", .kind = YAMLDOC_MAPPING, .store = STORE_BLOCK,
     .offset = CONF_AT(limits), .table = limits_directives,
     .n_table = COUNT(limits_directives)},
    {.name = "logging", .kind = YAMLDOC_MAPPING, .store = STORE_BLOCK,
     .offset = CONF_AT(logging), .table = logging_directives,
     .n_table = COUNT(logging_directives)},
    {.name = "upstreams", .kind = YAMLDOC_MAPPING, .store = STORE_CALL,
     .handler = setUpstreams},
    {.name = "defaults", .kind = YAMLDOC_MAPPING, .store = STORE_CALL,
     .handler = setDefaults},
};

void serveconf_free(struct serveconf *conf)
{
    if (!conf)
        return;
    for (size_t i = 0; i < conf->n_listen; i++) {
        free(conf->listen[i].host);
        free(conf->listen[i].tls_certificate);
        free(conf->listen[i].tls_key);
    }
    free(conf->listen);
    for (size_t i = 0; i < conf->n_upstreams; i++)
        clearUpstream(&conf->upstreams[i]);
    free(conf->upstreams);
    clearUpstream(&conf->defaults);
    free(conf->logging.access_log);
    free(conf->dir);
    free(conf->file);
    free(conf);
}

/* Every value at its default, upstream numbers UNSET. */
static struct serveconf *newConf(void)
{
    struct serveconf *conf = calloc(1, sizeof(*conf));
    if (!conf)
        return NULL;
    if (initDefaults(top_directives, COUNT(top_directives), conf) < 0) {
        serveconf_free(conf);
        return NULL;
    }
    startUpstream(&conf->defaults);
    return conf;
}

static int addDefaultListen(struct serveconf *conf)
{
    if (conf->n_listen > 0)
        return 0;
    if (!(conf->listen = calloc(1, sizeof(*conf->listen)))
        || !(conf->listen[0].host = copyString(DEFAULT_HOST)))
        return -1;
    conf->listen[0].port = DEFAULT_PORT;
    conf->n_listen = 1;
    return 0;
}

/* What only the whole file settles: the merged upstreams, the CPU count,
 * the default listener. */
static int finishConf(struct serveconf *conf)
{
    if (conf->workers == 0)
        conf->workers = onlineCpus();
    if (addDefaultListen(conf) < 0 || mergeUpstreams(conf) < 0)
        return -1;
    return 0;
}

struct serveconf *serveconf_default(void)
{
    struct serveconf *conf = newConf();
    if (!conf)
        return NULL;
    conf->zero_config = 1;
    conf->watch = 1;
    if (finishConf(conf) < 0) {
        serveconf_free(conf);
        return NULL;
    }
    return conf;
}

/* "-" and "off" are words; anything else is a file under DIR. */
static int resolveAccessLog(struct loader *ld, struct serveconf_logging *lg)
{
    if (!strcmp(lg->access_log, "-") || !strcmp(lg->access_log, "off")
        || lg->access_log[0] == '/')
        return 0;
    char *path = resolvePath(ld->dir, lg->access_log);
    if (!path)
        return loadFail(ld, 0, "out of memory");
    free(lg->access_log);
    lg->access_log = path;
    return 0;
}

static void loadTree(struct loader *ld)
{
    const struct yamldoc_node *root = yamldoc_root(ld->doc);
    struct scope top = {"", 0};
    struct sb_error err;
    if (yamldoc_expect(ld->doc, root, YAMLDOC_MAPPING, "the configuration",
                       &err) < 0) {
        addProblem(ld->problems, &err);
        ld->failures++;
        return;
    }
    walkTable(ld, &top, top_directives, COUNT(top_directives), root,
              ld->conf, root->line);
    checkListenTwice(ld, ld->conf);
    resolveAccessLog(ld, &ld->conf->logging);
    if (finishConf(ld->conf) < 0)
        loadFail(ld, 0, "out of memory");
}

struct serveconf *serveconf_load(const char *dir,
                                 const struct serveconf_options *opt,
                                 struct serveconf_problems *problems)
{
    struct serveconf_problems own = {NULL, 0};
    struct loader ld = {NULL, dir, opt, NULL, problems ? problems : &own, 0};
    struct sb_error err;
    ld.problems->items = NULL;
    ld.problems->n = 0;
    if (!(ld.conf = newConf()))
        goto fail;
    ld.conf->dir = copyString(dir);
    ld.conf->file = resolvePath(dir, opt && opt->file ? opt->file
                                                     : DEFAULT_FILE);
    if (!ld.conf->dir || !ld.conf->file)
        goto fail;
    if (!(ld.doc = yamldoc_load(ld.conf->file, CODE, NULL, &err))) {
        addProblem(ld.problems, &err);
        goto fail;
    }
    loadTree(&ld);
    if (ld.failures)
        goto fail;
    yamldoc_free(ld.doc);
    return ld.conf;
fail:
    yamldoc_free(ld.doc);
    serveconf_free(ld.conf);
    serveconf_problems_clear(&own);
    return NULL;
}

/* ---- the command line's overrides --------------------------------------- */

int serveconf_set_listen(struct serveconf *conf, const char *address,
                         struct sb_error *err)
{
    char why[WHY_MAX];
    char *host = NULL;
    int port = 0;
    if (parseAddress(address, &host, &port, why, sizeof(why)) < 0)
        return error_set(err, CODE, "bad listen address '%s': %s", address,
                         why);
    struct serveconf_listen *one = calloc(1, sizeof(*one));
    if (!one) {
        free(host);
        return error_set(err, CODE, "out of memory");
    }
    one->host = host;
    one->port = port;
    for (size_t i = 0; i < conf->n_listen; i++) {
        free(conf->listen[i].host);
        free(conf->listen[i].tls_certificate);
        free(conf->listen[i].tls_key);
    }
    free(conf->listen);
    conf->listen = one;
    conf->n_listen = 1;
    return 0;
}

/* A new upstream for `service` with the defaults' settings. */
static int copyDefaults(struct serveconf_upstream *u,
                        const struct serveconf_upstream *from,
                        const char *service, size_t len)
{
    memset(u, 0, sizeof(*u));
    u->connect_timeout_ms = from->connect_timeout_ms;
    u->timeout_ms = from->timeout_ms;
    u->pool_size = from->pool_size;
    u->tls_insecure = UNSET;
    if (!(u->service = copyText(service, len)) || inheritTls(u, from) < 0) {
        clearUpstream(u);
        return -1;
    }
    return 0;
}

static struct serveconf_upstream *findUpstream(const struct serveconf *conf,
                                               const char *service,
                                               size_t len)
{
    for (size_t i = 0; i < conf->n_upstreams; i++)
        if (strlen(conf->upstreams[i].service) == len
            && memcmp(conf->upstreams[i].service, service, len) == 0)
            return &conf->upstreams[i];
    return NULL;
}

int serveconf_set_endpoint(struct serveconf *conf, const char *assignment,
                           struct sb_error *err)
{
    char why[WHY_MAX], name[MAX_NAME + 1];
    const char *eq = strchr(assignment, '=');
    size_t len = eq ? (size_t)(eq - assignment) : 0;
    if (!eq || len == 0 || len > MAX_NAME)
        return error_set(err, CODE, "endpoint '%s' must be SERVICE=URL",
                         assignment);
    memcpy(name, assignment, len);
    name[len] = 0;
    if (!isServiceName(name))
        return error_set(err, CODE, "endpoint '%s': '%s' is not a WSDL"
                         " service name", assignment, name);
    if (checkUrl(eq + 1, why, sizeof(why)) < 0)
        return error_set(err, CODE, "endpoint '%s': the URL %s", assignment,
                         why);
    char *url = copyString(eq + 1);
    struct serveconf_upstream *u = findUpstream(conf, name, len);
    if (url && !u) {
        struct serveconf_upstream *grown = realloc(
            conf->upstreams, (conf->n_upstreams + 1) * sizeof(*grown));
        if (grown)
            conf->upstreams = grown;
        if (grown && copyDefaults(&grown[conf->n_upstreams], &conf->defaults,
                                  name, len) == 0)
            u = &grown[conf->n_upstreams++];
    }
    if (!url || !u) {
        free(url);
        return error_set(err, CODE, "out of memory");
    }
    free(u->url);
    u->url = url;
    countPool(conf);
    return 0;
}

int serveconf_set_workers(struct serveconf *conf, const char *workers,
                          struct sb_error *err)
{
    long n = 0;
    if (parseInteger(workers, 1, MAX_WORKERS, &n) < 0)
        return error_set(err, CODE, "workers must be an integer from 1 to %d,"
                         " not '%s'", MAX_WORKERS, workers);
    conf->workers = (int)n;
    return 0;
}

const struct serveconf_upstream *serveconf_upstream(
    const struct serveconf *conf, const char *service)
{
    const struct serveconf_upstream *u =
        service ? findUpstream(conf, service, strlen(service)) : NULL;
    return u ? u : &conf->defaults;
}
