/*
 * soapbridge: the command line. One binary, subcommands:
 *   check DIR              load and compile a configuration folder
 *   compile DIR CAPABILITY print a capability's stylesheets
 * Library modules never print; this file turns their results and errors
 * into output and exit codes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libexslt/exslt.h>
#include <libxml/parser.h>
#include <libxslt/xslt.h>

#include "confdir.h"
#include "xsltfunc.h"

#define EXIT_USAGE 2

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

static int runHelp(int argc, char **argv)
{
    if (argc > 0 && strcmp(argv[0], "check") == 0)
        fputs(checkUsage, stdout);
    else if (argc > 0 && strcmp(argv[0], "compile") == 0)
        fputs(compileUsage, stdout);
    else
        fputs(usage, stdout);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0)
        return fputs(usage, argc < 2 ? stderr : stdout), argc < 2
                                                             ? EXIT_USAGE : 0;
    const char *cmd = argv[1];
    if (strcmp(cmd, "help") == 0)
        return runHelp(argc - 2, argv + 2);
    if (strcmp(cmd, "check") != 0 && strcmp(cmd, "compile") != 0) {
        fprintf(stderr, "soapbridge: unknown command '%s'\n\n%s", cmd, usage);
        return EXIT_USAGE;
    }
    if (wantsHelp(argc - 2, argv + 2))
        return runHelp(1, argv + 1);

    xmlInitParser();
    exsltRegisterAll();
    xsltfunc_register();
    confdir_init();
    int status = strcmp(cmd, "check") == 0 ? runCheck(argc - 2, argv + 2)
                                           : runCompile(argc - 2, argv + 2);
    xsltCleanupGlobals();
    xmlCleanupParser();
    return status;
}
