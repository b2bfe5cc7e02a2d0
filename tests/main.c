/* main.c - the one Check runner: every suite of tests/<area>/test_*.c.
 * CK_RUN_SUITE=name runs one suite; Check prints the summary line last. */
#include <check.h>
#include <stdlib.h>

#ifndef SUITES_FILE
#define SUITES_FILE "suites.h"
#endif

#define SUITE(name) Suite *suite_##name(void);
#include SUITES_FILE
#undef SUITE

int
main(void)
{
	SRunner *sr = srunner_create(NULL);
#define SUITE(name) srunner_add_suite(sr, suite_##name());
#include SUITES_FILE
#undef SUITE
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
