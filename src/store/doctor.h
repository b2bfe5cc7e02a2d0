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

/* `tenantry doctor --citus` (doctor_citus.c): can every table of the
 * schema go onto Citus, the tables with a tenant_id distributed by it
 * and the others as reference tables? Read from pg_class, pg_index and
 * pg_constraint. */
struct doctor_citus_table {
	char name[140];  /* as regclass prints it: tenantry.alerts */
	int distributed; /* 1: by tenant_id; 0: a reference table */
};

struct doctor_citus_item {
	char object[140]; /* the table */
	char message[400];
};

struct doctor_citus {
	struct doctor_citus_table *table; /* in the order the script takes them */
	size_t ntable;
	struct doctor_citus_item *fail; /* what Citus would refuse */
	size_t nfail;
	struct doctor_citus_item *note; /* what it accepts but is worth knowing */
	size_t nnote;
};

/* 0 with the result filled (nfail == 0: every table can be distributed),
 * -1 with e when the catalog could not be read. Free with
 * doctor_citus_free. */
int doctor_citus_run(struct doctor_citus *out, const char *conninfo, struct err *e);
void doctor_citus_free(struct doctor_citus *r);

#endif
