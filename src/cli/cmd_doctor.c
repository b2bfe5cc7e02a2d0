/* cmd_doctor.c - `tenantry doctor`: does a live database keep tenants
 * apart? One line per failure; exit 0 only when every check holds. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/doctor.h"

int
cmd_doctor(struct cli *c, int argc, char **argv)
{
	struct doctor_report r;
	int rc;

	if (argc) {
		if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
			puts(
			    "usage: tenantry [--json] doctor\n"
			    "Checks the database of --db: row-level security enabled and forced\n"
			    "with a policy on every tenant table; no application login that is a\n"
			    "superuser, bypasses row-level security or owns objects; every SECURITY\n"
			    "DEFINER function with a pinned search_path and no EXECUTE for PUBLIC;\n"
			    "every view security_invoker; then two tenants' contexts must see none\n"
			    "of each other's rows. Prints one line per failure and exits 1 when\n"
			    "there is any. Needs a superuser or the owner.");
			return 0;
		}
		return cli_usage("doctor ", "takes no arguments");
	}
	if (doctor_run(&r, c->db, &c->err) < 0)
		return cli_fail(c);
	if (c->json) {
		json_t *fails = json_array();

		for (size_t i = 0; i < r.n; i++)
			json_array_append_new(
			    fails, json_pack("{s:s, s:s, s:s}", "check", r.fail[i].check, "object",
					     r.fail[i].object, "message", r.fail[i].message));
		json_print(json_pack("{s:b, s:i, s:o}", "ok", r.n == 0, "checks", r.checks,
				     "failures", fails));
	} else {
		for (size_t i = 0; i < r.n; i++)
			printf("FAIL %s: %s %s\n", r.fail[i].check, cli_safe(r.fail[i].object),
			       cli_safe(r.fail[i].message));
		if (r.n == 0)
			printf("ok: %d checks hold\n", r.checks);
	}
	rc = r.n == 0 ? 0 : 1;
	doctor_free(&r);
	return rc;
}
