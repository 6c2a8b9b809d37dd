/*
 * soapbridge: the command line. One binary, subcommands:
 *   check DIR              load and compile a configuration folder
 *   compile DIR CAPABILITY print a capability's stylesheets
 *   translate DIR CAPABILITY --request F | --response F   one side of a
 *                          call, offline
 *   serve -c DIR | --wsdl DIR   the proxy daemon
 * Library modules never print; this file turns their results and errors
 * into output and exit codes.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxslt/xslt.h>

#include <curl/curl.h>
#include <event2/thread.h>

#include "confdir.h"
#include "serveconf.h"
#include "server.h"
#include "strbuf.h"
#include "translate.h"

#define EXIT_USAGE 2
#define INPUT_MAX_BYTES (64u << 20)   /* translate's input file */

static const char usage[] =
    "usage: soapbridge COMMAND [ARGS]\n"
    "\n"
    "Translates JSON capability calls into SOAP calls to legacy services\n"
    "and their answers back into canonical JSON.\n"
    "\n"
    "commands:\n"
    "  check DIR              load and compile the configuration folder DIR\n"
    "                         (wsdl/, xslt/, mappings/) and report every\n"
    "                         problem with file and line\n"
    "  compile DIR CAPABILITY print the request and response stylesheets of\n"
    "                         a capability (or of Service.Operation)\n"
    "  translate DIR CAPABILITY --request FILE | --response FILE\n"
    "                         translate a request JSON into its SOAP\n"
    "                         envelope, or a recorded SOAP response into\n"
    "                         JSON, without calling any service\n"
    "  serve -c DIR | --wsdl DIR\n"
    "                         run the proxy: JSON capabilities over HTTP,\n"
    "                         SOAP to the legacy services\n"
    "  help [COMMAND]         this text, or a command's\n"
    "\n"
    "soapbridge COMMAND --help says more about each command.\n";

static const char checkUsage[] =
    "usage: soapbridge check [--strict] DIR\n"
    "\n"
    "Loads every WSDL in DIR/wsdl, every lookup table in DIR/mappings/tables,\n"
    "every mapping in DIR/mappings and the stylesheets they name in DIR/xslt,\n"
    "compiles every capability and every WSDL operation, and reports each\n"
    "problem as FILE:LINE: MESSAGE. Exit status 0 when there is none, 1 when\n"
    "there are problems, 2 on a usage error.\n"
    "  --strict   compile response stylesheets that fail on undeclared\n"
    "             content instead of warning\n";

static const char compileUsage[] =
    "usage: soapbridge compile [--request|--response] DIR CAPABILITY\n"
    "\n"
    "Prints the stylesheets soapbridge runs for CAPABILITY: generated from\n"
    "its mapping table and the WSDL's schema, or the hand-written ones the\n"
    "mapping names. CAPABILITY may also be Service.Operation for the\n"
    "schema-aware default conversion of any WSDL operation. Save the output\n"
    "under xslt/ and name it in the mapping (request_xslt/response_xslt) to\n"
    "take over from the table.\n"
    "  --request   print only the request stylesheet\n"
    "  --response  print only the response stylesheet\n";

static const char translateUsage[] =
    "usage: soapbridge translate [--content-type TYPE] [--stylesheets]\n"
    "                            DIR CAPABILITY\n"
    "                            (--request FILE | --response FILE)\n"
    "\n"
    "Runs one side of a capability call offline, as the proxy would with\n"
    "the configuration folder DIR:\n"
    "  --request FILE   FILE holds the request JSON; prints the SOAP\n"
    "                   envelope soapbridge would send\n"
    "  --response FILE  FILE holds a recorded SOAP response; prints the\n"
    "                   JSON data (or, for a SOAP fault, the fault as JSON\n"
    "                   with exit status 3); warnings go to stderr\n"
    "  --content-type TYPE  the HTTP Content-Type the response came with\n"
    "                   (its charset is used when the XML does not name one)\n"
    "  --stylesheets    run the stylesheets even where there is a native\n"
    "                   plan (the output must be the same)\n"
    "Exit status: 0 done, 1 the input or configuration was refused (the\n"
    "message says why), 2 usage, 3 the response is a SOAP fault.\n";

static int wantsHelp(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    return 0;
}

static void printProblems(const struct confdir_problems *problems)
{
    char line[1024];
    for (size_t i = 0; i < problems->n; i++)
        printf("%s\n", error_format(&problems->items[i], line, sizeof(line)));
}

static size_t countOperations(const struct confdir *cd)
{
    size_t n = 0;
    for (size_t i = 0; i < cd->n_wsdls; i++)
        for (size_t b = 0; b < cd->wsdls[i]->n_bindings; b++)
            n += cd->wsdls[i]->bindings[b].n_operations;
    return n;
}

static int runCheck(int argc, char **argv)
{
    struct confdir_options opt = {.operations = 1};
    const char *dir = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--strict") == 0)
            opt.strict = 1;
        else if (argv[i][0] == '-' || dir)
            return fprintf(stderr, "%s", checkUsage), EXIT_USAGE;
        else
            dir = argv[i];
    }
    if (!dir)
        return fprintf(stderr, "%s", checkUsage), EXIT_USAGE;
    struct confdir_problems problems;
    printf("checking %s ...\n", dir);
    fflush(stdout);
    struct confdir *cd = confdir_load(dir, &opt, &problems);
    printProblems(&problems);
    if (cd) {
        size_t requests = 0, responses = 0, operations = 0;
        for (size_t i = 0; i < cd->n_capabilities; i++) {
            requests += native_writes_request(cd->capabilities[i].native) != 0;
            responses += native_reads_response(cd->capabilities[i].native) != 0;
        }
        for (size_t i = 0; i < cd->n_operations; i++)
            operations += native_reads_response(cd->operations[i].native) != 0;
        printf("%s: %zu WSDL(s) with %zu operation(s), %zu lookup table(s), "
               "%zu capability(ies) compiled, %zu operation(s) compiled\n"
               "native plans: %zu of %zu request tables, %zu of %zu response "
               "tables, %zu of %zu operation responses (the others run their "
               "stylesheets)\n",
               dir, cd->n_wsdls, countOperations(cd), tables_count(cd->tables),
               cd->n_capabilities, cd->n_operations, requests,
               cd->n_capabilities, responses, cd->n_capabilities, operations,
               cd->n_operations);
    }
    printf("%zu problem(s)\n", problems.n);
    int status = problems.n ? 1 : 0;
    confdir_problems_clear(&problems);
    confdir_free(cd);
    return status;
}

static int runCompile(int argc, char **argv)
{
    int request = 1, response = 1;
    const char *args[2];
    int n = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--request") == 0)
            response = 0;
        else if (strcmp(argv[i], "--response") == 0)
            request = 0;
        else if (argv[i][0] == '-' || n == 2)
            return fprintf(stderr, "%s", compileUsage), EXIT_USAGE;
        else
            args[n++] = argv[i];
    }
    if (n != 2 || (!request && !response))
        return fprintf(stderr, "%s", compileUsage), EXIT_USAGE;
    struct confdir_options opt = {.operations = strchr(args[1], '.') != NULL};
    struct confdir_problems problems;
    struct confdir *cd = confdir_load(args[0], &opt, &problems);
    const struct capability *cap = cd ? confdir_find(cd, args[1]) : NULL;
    int status = 0;
    if (!cap) {
        printProblems(&problems);
        fprintf(stderr, "soapbridge compile: no capability '%s' in %s%s\n",
                args[1], args[0], problems.n ? " (see the problems above)"
                                             : "");
        status = 1;
    } else {
        if (request)
            fputs(cap->request_text, stdout);
        if (response && cap->response_text)
            fputs(cap->response_text, stdout);
    }
    confdir_problems_clear(&problems);
    confdir_free(cd);
    return status;
}

static int printError(const struct sb_error *err)
{
    char line[1024];
    fprintf(stderr, "soapbridge translate: %s: %s\n", err->code,
            error_format(err, line, sizeof(line)));
    return 1;
}

static int translateFile(const struct confdir *cd,
                         const struct capability *cap, int request,
                         const char *file, const char *content_type)
{
    struct sb_error err;
    size_t len;
    char *data = strbuf_read_file(file, INPUT_MAX_BYTES, &len);
    if (!data) {
        fprintf(stderr, "soapbridge translate: cannot read %s: %s\n", file,
                strerror(errno));
        return 1;
    }
    int status = 0;
    if (request) {
        char *envelope = translate_request(cd, cap, data, len, NULL, NULL,
                                           &len, &err);
        status = envelope ? (fwrite(envelope, 1, len, stdout), 0)
                          : printError(&err);
        free(envelope);
    } else {
        struct translate_result result;
        if (translate_response(cd, cap, data, len, content_type, NULL,
                               &result, &err) < 0) {
            status = printError(&err);
        } else {
            printf("%s\n", result.json);
            for (size_t i = 0; i < result.n_warnings; i++)
                fprintf(stderr, "warning: %s\n", result.warnings[i]);
            status = result.fault ? 3 : 0;
            translate_result_clear(&result);
        }
    }
    free(data);
    return status;
}

static int runTranslate(int argc, char **argv)
{
    const char *args[2], *file = NULL, *content_type = NULL;
    int n = 0, request = 0, stylesheets = 0;
    for (int i = 0; i < argc; i++) {
        int last = i + 1 == argc;
        if (strcmp(argv[i], "--stylesheets") == 0)
            stylesheets = 1;
        else if (!last && strcmp(argv[i], "--request") == 0 && !file)
            request = 1, file = argv[++i];
        else if (!last && strcmp(argv[i], "--response") == 0 && !file)
            file = argv[++i];
        else if (!last && strcmp(argv[i], "--content-type") == 0)
            content_type = argv[++i];
        else if (argv[i][0] == '-' || n == 2)
            return fprintf(stderr, "%s", translateUsage), EXIT_USAGE;
        else
            args[n++] = argv[i];
    }
    if (n != 2 || !file)
        return fprintf(stderr, "%s", translateUsage), EXIT_USAGE;
    struct confdir_options opt = {.operations = strchr(args[1], '.') != NULL,
                                  .stylesheets_only = stylesheets};
    struct confdir_problems problems;
    struct confdir *cd = confdir_load(args[0], &opt, &problems);
    const struct capability *cap = cd ? confdir_find(cd, args[1]) : NULL;
    int status;
    if (!cap) {
        printProblems(&problems);
        fprintf(stderr, "soapbridge translate: no capability '%s' in %s\n",
                args[1], args[0]);
        status = 1;
    } else {
        status = translateFile(cd, cap, request, file, content_type);
    }
    confdir_problems_clear(&problems);
    confdir_free(cd);
    return status;
}

static const char serveUsage[] =
    "usage: soapbridge serve -c DIR [OPTIONS]\n"
    "       soapbridge serve --wsdl DIR [OPTIONS]\n"
    "\n"
    "Runs the proxy until SIGINT or SIGTERM. SIGHUP (or, with watch: true\n"
    "or --wsdl, a changed file) loads the configuration again and serves\n"
    "it from then on; a configuration with a problem is not served (the\n"
    "running one goes on) and the problem is said here.\n"
    "  -c DIR         the configuration folder: DIR/soapbridge.yaml (listen\n"
    "                 addresses, workers, TLS, upstreams, logging, limits)\n"
    "                 and the wsdl/, xslt/ and mappings/ folders beside it;\n"
    "                 any problem in them stops the start\n"
    "  --wsdl DIR     no configuration file: serve every operation of every\n"
    "                 WSDL in DIR at POST /v1/services/SERVICE/OPERATION on\n"
    "                 the embedded defaults (127.0.0.1:8080)\n"
    "options:\n"
    "  --endpoint SERVICE=URL  call SERVICE at URL instead of its\n"
    "                 soap:address (or its configured url); repeatable\n"
    "  --listen HOST:PORT      listen here instead (port 0: any free port)\n"
    "  --workers N    worker threads (default: the configuration's, else\n"
    "                 one per core)\n"
    "Once listening it prints 'soapbridge: listening on URL' on stderr.\n"
    "The HTTP API: POST /v1/capabilities/NAME, GET /v1/capabilities,\n"
    "POST /v1/services/SERVICE/OPERATION, GET /v1/services, GET /healthz,\n"
    "GET /readyz, GET /metrics.\n";

struct serveArgs {
    const char *config_dir, *wsdl_dir, *listen, *workers;
    const char *endpoints[64];
    size_t n_endpoints;
};

static int parseServeArgs(int argc, char **argv, struct serveArgs *a)
{
    memset(a, 0, sizeof(*a));
    for (int i = 0; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (!value)
            return -1;
        if (strcmp(argv[i], "-c") == 0 && !a->config_dir)
            a->config_dir = value;
        else if (strcmp(argv[i], "--wsdl") == 0 && !a->wsdl_dir)
            a->wsdl_dir = value;
        else if (strcmp(argv[i], "--listen") == 0)
            a->listen = value;
        else if (strcmp(argv[i], "--workers") == 0)
            a->workers = value;
        else if (strcmp(argv[i], "--endpoint") == 0 && a->n_endpoints < 64)
            a->endpoints[a->n_endpoints++] = value;
        else
            return -1;
        i++;
    }
    return !a->config_dir == !a->wsdl_dir ? -1 : 0;
}

static void printServeProblems(const struct sb_error *items, size_t n)
{
    char line[1024];
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "soapbridge: %s\n",
                error_format(&items[i], line, sizeof(line)));
}

/* The configuration: DIR/soapbridge.yaml, or the embedded defaults;
 * then the command line's overrides. */
static struct serveconf *loadServeConf(const struct serveArgs *a)
{
    struct sb_error err;
    struct serveconf *conf;
    if (a->config_dir) {
        struct serveconf_problems problems;
        conf = serveconf_load(a->config_dir, NULL, &problems);
        printServeProblems(problems.items, problems.n);
        serveconf_problems_clear(&problems);
    } else if (!(conf = serveconf_default())) {
        fprintf(stderr, "soapbridge: out of memory\n");
    }
    if (!conf)
        return NULL;
    for (size_t i = 0; i < a->n_endpoints; i++)
        if (serveconf_set_endpoint(conf, a->endpoints[i], &err) < 0)
            goto fail;
    if (a->listen && serveconf_set_listen(conf, a->listen, &err) < 0)
        goto fail;
    if (a->workers && serveconf_set_workers(conf, a->workers, &err) < 0)
        goto fail;
    return conf;
fail:
    printServeProblems(&err, 1);
    serveconf_free(conf);
    return NULL;
}

static int hasService(const struct confdir *cd, const char *name)
{
    for (size_t i = 0; i < cd->n_wsdls; i++)
        for (size_t s = 0; s < cd->wsdls[i]->n_services; s++)
            if (strcmp(cd->wsdls[i]->services[s].name, name) == 0)
                return 1;
    return 0;
}

/* An upstream whose name matches no WSDL service is a typo that would
 * otherwise send every call to the soap:address unnoticed. */
static size_t checkUpstreamNames(const struct confdir *cd,
                                 const struct serveconf *conf)
{
    size_t n = 0;
    for (size_t i = 0; i < conf->n_upstreams; i++) {
        const struct serveconf_upstream *up = &conf->upstreams[i];
        if (hasService(cd, up->service))
            continue;
        struct sb_error err;
        error_set_at(&err, "config", conf->file ? conf->file : "--endpoint",
                     up->line, "upstreams: no WSDL defines a service "
                     "named '%s'", up->service);
        printServeProblems(&err, 1);
        n++;
    }
    return n;
}

static struct confdir *loadServeConfdir(const struct serveArgs *a,
                                        const struct serveconf *conf)
{
    struct confdir_options opt = {.strict = conf->strict,
                                  .operations = conf->zero_config,
                                  .wsdl_dir = a->wsdl_dir};
    const char *dir = a->config_dir ? a->config_dir : a->wsdl_dir;
    struct confdir_problems problems;
    fprintf(stderr, "soapbridge: loading %s ...\n", dir);
    struct confdir *cd = confdir_load(dir, &opt, &problems);
    printServeProblems(problems.items, problems.n);
    size_t n = problems.n + (cd ? checkUpstreamNames(cd, conf) : 0);
    /* A configuration folder must be right before it serves; a folder of
     * WSDLs being tried out serves whatever compiled. */
    if (cd && n && a->config_dir) {
        fprintf(stderr, "soapbridge: %zu problem(s) in %s; not serving "
                "it\n", n, dir);
        confdir_free(cd);
        cd = NULL;
    }
    confdir_problems_clear(&problems);
    return cd;
}

/* The loader of a reload (SIGHUP): the same files and command line. */
static int reloadServe(void *arg, struct serveconf **conf, struct confdir **cd)
{
    const struct serveArgs *a = arg;
    *conf = loadServeConf(a);
    *cd = *conf ? loadServeConfdir(a, *conf) : NULL;
    if (*cd)
        return 0;
    serveconf_free(*conf);
    return -1;
}

static int runServe(int argc, char **argv)
{
    struct serveArgs a;
    struct sb_error err;
    if (parseServeArgs(argc, argv, &a) < 0)
        return fprintf(stderr, "%s", serveUsage), EXIT_USAGE;
    signal(SIGHUP, SIG_IGN);    /* until the server takes it: a reload */
    struct serveconf *conf = loadServeConf(&a);
    struct confdir *cd = conf ? loadServeConfdir(&a, conf) : NULL;
    struct server *server = NULL;
    int status = 1;
    if (!cd)
        goto out;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    evthread_use_pthreads();
    fprintf(stderr, "soapbridge: %zu capabilities, %zu operations%s, "
                    "%d workers\n", cd->n_capabilities, cd->n_operations,
            conf->zero_config ? "" : " (zero-config off)", conf->workers);
    server = server_new(conf, cd, &err);
    conf = NULL;    /* the server's now, even when it failed */
    cd = NULL;
    if (!server) {
        printServeProblems(&err, 1);
        goto out;
    }
    for (size_t i = 0; i < server_listener_count(server); i++)
        fprintf(stderr, "soapbridge: listening on %s\n",
                server_url(server, i));
    fflush(stderr);
    if (server_run(server, reloadServe, &a, &err) < 0)
        printServeProblems(&err, 1);
    else
        status = 0;
    fprintf(stderr, "soapbridge: stopped\n");
out:
    server_free(server);
    confdir_free(cd);
    serveconf_free(conf);
    curl_global_cleanup();
    return status;
}

/* The subcommands: one row each. */
static const struct command {
    const char *name;
    const char *usage;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"check", checkUsage, runCheck},
    {"compile", compileUsage, runCompile},
    {"translate", translateUsage, runTranslate},
    {"serve", serveUsage, runServe},
};

static const struct command *findCommand(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (name && strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static int runHelp(int argc, char **argv)
{
    const struct command *c = findCommand(argc > 0 ? argv[0] : NULL);
    fputs(c ? c->usage : usage, stdout);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0)
        return fputs(usage, argc < 2 ? stderr : stdout), argc < 2
                                                             ? EXIT_USAGE : 0;
    if (strcmp(argv[1], "help") == 0)
        return runHelp(argc - 2, argv + 2);
    const struct command *cmd = findCommand(argv[1]);
    if (!cmd) {
        fprintf(stderr, "soapbridge: unknown command '%s'\n\n%s", argv[1],
                usage);
        return EXIT_USAGE;
    }
    if (wantsHelp(argc - 2, argv + 2))
        return fputs(cmd->usage, stdout), 0;

    xmlInitParser();
    if (confdir_init() < 0) {
        fprintf(stderr, "soapbridge: cannot register the XSLT extension "
                        "functions\n");
        return 1;
    }
    int status = cmd->run(argc - 2, argv + 2);
    xsltCleanupGlobals();
    xmlCleanupParser();
    return status;
}
