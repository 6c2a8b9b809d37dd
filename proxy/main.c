/*
 * soapbridge: the command line. One binary, subcommands:
 *   check DIR              load and compile a configuration folder
 *   compile DIR CAPABILITY print a capability's stylesheets
 *   translate DIR CAPABILITY --request F | --response F   one side of a
 *                          call, offline
 * Library modules never print; this file turns their results and errors
 * into output and exit codes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxslt/xslt.h>

#include "confdir.h"
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
    "usage: soapbridge translate [--content-type TYPE] DIR CAPABILITY\n"
    "                            (--request FILE | --response FILE)\n"
    "\n"
    "Runs one side of a capability call offline, with the stylesheets of\n"
    "the configuration folder DIR:\n"
    "  --request FILE   FILE holds the request JSON; prints the SOAP\n"
    "                   envelope soapbridge would send\n"
    "  --response FILE  FILE holds a recorded SOAP response; prints the\n"
    "                   JSON data (or, for a SOAP fault, the fault as JSON\n"
    "                   with exit status 3); warnings go to stderr\n"
    "  --content-type TYPE  the HTTP Content-Type the response came with\n"
    "                   (its charset is used when the XML does not name one)\n"
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
    if (cd)
        printf("%s: %zu WSDL(s) with %zu operation(s), %zu lookup table(s), "
               "%zu capability(ies) compiled, %zu operation(s) compiled\n",
               dir, cd->n_wsdls, countOperations(cd), tables_count(cd->tables),
               cd->n_capabilities, cd->n_operations);
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
    int n = 0, request = 0;
    for (int i = 0; i < argc; i++) {
        int last = i + 1 == argc;
        if (!last && strcmp(argv[i], "--request") == 0 && !file)
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
    struct confdir_options opt = {.operations = strchr(args[1], '.') != NULL};
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

/* The subcommands: one row each. */
static const struct command {
    const char *name;
    const char *usage;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"check", checkUsage, runCheck},
    {"compile", compileUsage, runCompile},
    {"translate", translateUsage, runTranslate},
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
