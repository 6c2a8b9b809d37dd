/*
 * The unit test runner: every module's suite in one check runner, ending
 * with the summary line "N passed, N failed" that CI reads.
 * With arguments, only the named suites run: `unit jsonxml xsd`.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "suites.h"

int main(int argc, char **argv)
{
    SRunner *runner = NULL;
    for (size_t i = 0; unit_suites[i].name; i++) {
        int wanted = argc < 2;
        for (int a = 1; a < argc; a++)
            if (strcmp(argv[a], unit_suites[i].name) == 0)
                wanted = 1;
        if (!wanted)
            continue;
        Suite *s = unit_suites[i].make();
        if (!runner)
            runner = srunner_create(s);
        else
            srunner_add_suite(runner, s);
    }
    if (!runner) {
        fprintf(stderr, "unit: no suite matches\n");
        return 2;
    }
    srunner_run_all(runner, CK_NORMAL);
    int run = srunner_ntests_run(runner);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    printf("unit: %d passed, %d failed\n", run - failed, failed);
    return failed == 0 ? 0 : 1;
}
