/* doctor.h - `tenantry doctor`: checks that a live database keeps tenants
 * apart the way security.md says it must. Connects with the given
 * conninfo (a superuser or the owner, to read the catalog and to switch
 * to the tenant role for the live probe). */
#ifndef TENANTRY_DOCTOR_H
#define TENANTRY_DOCTOR_H

#include <stddef.h>

#include "core/err.h"

struct doctor_failure {
	char check[24];   /* rls, login, definer, view, probe */
	char object[160]; /* the table, role, function or view */
	char message[200];
};

struct doctor_report {
	struct doctor_failure *fail;
	size_t n;
	int checks; /* how many checks ran */
};

/* Runs every check: 0 with the report filled (n == 0: all hold), -1 with
 * e when the checks could not run. Free the report with doctor_free. */
int doctor_run(struct doctor_report *out, const char *conninfo, struct err *e);
void doctor_free(struct doctor_report *r);

#endif
