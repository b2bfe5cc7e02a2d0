/* cmd_doctor.c - `tenantry doctor`: does a live database keep tenants
 * apart? One line per failure; exit 0 only when every check holds. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/doctor.h"

/* A name as an SQL string literal's contents. */
static const char *
sql_text(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	for (; *s && n + 2 < size; s++) {
		if (*s == '\'')
			buf[n++] = '\'';
		buf[n++] = *s;
	}
	buf[n] = '\0';
	return buf;
}

/* `doctor --citus`: the offenders (exit 1), or the script that
 * distributes the schema (exit 0), notes as SQL comments. */
static int
doctor_citus(struct cli *c)
{
	struct doctor_citus r;
	const char *anchor = NULL;
	char a[300], b[300];
	int ndist = 0, rc;

	if (doctor_citus_run(&r, c->db, &c->err) < 0)
		return cli_fail(c);
	for (size_t i = 0; i < r.ntable; i++)
		if (r.table[i].distributed && !anchor)
			anchor = r.table[i].name;
	if (c->json) {
		json_t *dist = json_array(), *ref = json_array(), *fails = json_array(),
		       *notes = json_array(), *script = json_array();

		for (size_t i = 0; i < r.ntable; i++)
			json_array_append_new(r.table[i].distributed ? dist : ref,
					      json_string(r.table[i].name));
		for (size_t i = 0; i < r.nfail; i++)
			json_array_append_new(fails,
					      json_pack("{s:s, s:s}", "object", r.fail[i].object,
							"message", r.fail[i].message));
		for (size_t i = 0; i < r.nnote; i++)
			json_array_append_new(notes,
					      json_pack("{s:s, s:s}", "object", r.note[i].object,
							"message", r.note[i].message));
		for (size_t i = 0; i < r.ntable && r.nfail == 0; i++) {
			char line[800];

			if (!r.table[i].distributed)
				snprintf(line, sizeof line, "SELECT create_reference_table('%s');",
					 sql_text(r.table[i].name, a, sizeof a));
			else if (r.table[i].name == anchor)
				snprintf(line, sizeof line,
					 "SELECT create_distributed_table('%s', 'tenant_id');",
					 sql_text(r.table[i].name, a, sizeof a));
			else
				snprintf(line, sizeof line,
					 "SELECT create_distributed_table('%s', 'tenant_id', "
					 "colocate_with => '%s');",
					 sql_text(r.table[i].name, a, sizeof a),
					 sql_text(anchor, b, sizeof b));
			json_array_append_new(script, json_string(line));
		}
		json_print(json_pack("{s:b, s:o, s:o, s:s?, s:o, s:o, s:o}", "ok", r.nfail == 0,
				     "distributed", dist, "reference", ref, "colocate_with", anchor,
				     "script", script, "failures", fails, "notes", notes));
	} else if (r.nfail) {
		for (size_t i = 0; i < r.nfail; i++)
			printf("FAIL citus: %s %s\n", cli_safe(r.fail[i].object),
			       cli_safe(r.fail[i].message));
		for (size_t i = 0; i < r.nnote; i++)
			printf("note citus: %s %s\n", cli_safe(r.note[i].object),
			       cli_safe(r.note[i].message));
	} else {
		for (size_t i = 0; i < r.ntable; i++)
			ndist += r.table[i].distributed;
		printf(
		    "-- tenantry doctor --citus: every table can go onto Citus: %d distributed\n"
		    "-- by tenant_id and co-located, %d reference tables (no tenant_id).\n"
		    "-- Run as a superuser on the coordinator, after CREATE EXTENSION citus and\n"
		    "-- citus_add_node() for each worker; each table comes after those it\n"
		    "-- references.\n",
		    ndist, (int)r.ntable - ndist);
		for (size_t i = 0; i < r.nnote; i++)
			printf("-- note: %s %s\n", cli_safe(r.note[i].object),
			       cli_safe(r.note[i].message));
		for (size_t i = 0; i < r.ntable; i++)
			if (!r.table[i].distributed)
				printf("SELECT create_reference_table('%s');\n",
				       sql_text(cli_safe(r.table[i].name), a, sizeof a));
		for (size_t i = 0; i < r.ntable; i++)
			if (r.table[i].distributed && r.table[i].name == anchor)
				printf("SELECT create_distributed_table('%s', 'tenant_id');\n",
				       sql_text(cli_safe(r.table[i].name), a, sizeof a));
			else if (r.table[i].distributed)
				printf("SELECT create_distributed_table('%s', 'tenant_id', "
				       "colocate_with => '%s');\n",
				       sql_text(cli_safe(r.table[i].name), a, sizeof a),
				       sql_text(cli_safe(anchor), b, sizeof b));
	}
	rc = r.nfail == 0 ? 0 : 1;
	doctor_citus_free(&r);
	return rc;
}

int
cmd_doctor(struct cli *c, int argc, char **argv)
{
	struct doctor_report r;
	int rc;

	for (; argc && strcmp(argv[0], "--json") == 0; argc--, argv++)
		c->json = true;
	if (argc && strcmp(argv[0], "--citus") == 0) {
		for (argc--, argv++; argc && strcmp(argv[0], "--json") == 0; argc--, argv++)
			c->json = true;
		if (!argc)
			return doctor_citus(c);
		return cli_usage("doctor ", "--citus takes no arguments");
	}
	if (argc) {
		if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
			puts(
			    "usage: tenantry [--json] doctor [--citus]\n"
			    "Checks the database of --db: row-level security enabled and forced\n"
			    "with a policy on every tenant table; no application login that is a\n"
			    "superuser, bypasses row-level security or owns objects; every SECURITY\n"
			    "DEFINER function with a pinned search_path and no EXECUTE for PUBLIC;\n"
			    "every view security_invoker; then two tenants' contexts must see none\n"
			    "of each other's rows. Prints one line per failure and exits 1 when\n"
			    "there is any. Needs a superuser or the owner.\n"
			    "\n"
			    "--citus: checks instead that every table with a tenant_id can be\n"
			    "distributed by it on Citus (tenant_id NOT NULL and in every primary\n"
			    "key, unique key and index and foreign key between them; the other\n"
			    "tables, reference tables, reference no distributed table) and prints\n"
			    "the create_reference_table / create_distributed_table script in\n"
			    "dependency order; exits 1 with one FAIL line per offender instead.");
			return 0;
		}
		return cli_usage("doctor ", "takes no arguments but --citus");
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
