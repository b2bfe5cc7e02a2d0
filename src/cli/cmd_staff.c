/* cmd_staff.c - `tenantry staff add`: platform staff accounts, the logins
 * of tenantryd's platform_admin, support and oncall roles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/json.h"
#include "core/perm.h"
#include "core/password.h"
#include "core/validate.h"
#include "store/secret.h"

static int
staff_add(struct cli *c, int argc, char **argv)
{
	struct opt o[] = { { "role", 1 }, { "password-file", 1 }, { "name", 1 } };
	const char *role_s, *pwfile;
	enum staff_role role;
	char pw[256], hash[PASSWORD_HASH_LEN], id[ID_LEN];
	int n = opt_parse("staff add ", argc, argv, o, NOPTS(o));

	if (n < 0)
		return EXIT_USAGE;
	if (n != 1)
		return cli_usage("staff add ", "needs one EMAIL");
	role_s = opt_get(o, NOPTS(o), "role");
	if (!role_s || staff_role_parse(role_s, &role) < 0 || role == STAFF_NONE)
		return cli_usage("staff add ", "--role must be platform_admin, support or oncall");
	if (validate_email(argv[0], "email", &c->err) < 0)
		return cli_fail(c);
	if (cli_refuse_write(c) < 0)
		return cli_fail(c);
	pwfile = opt_get(o, NOPTS(o), "password-file");
	if (cli_read_password(pwfile, "New password: ", pw, sizeof pw) < 0)
		return 66;
	if (password_check(pw, "password", &c->err) < 0) {
		memset(pw, 0, sizeof pw);
		fprintf(stderr, "tenantry: %s\n", c->err.message);
		return 65;
	}
	if (secret_init() < 0 || secret_password_hash(pw, hash, &c->err) < 0)
		return cli_fail(c);
	memset(pw, 0, sizeof pw);
	if (cli_store(c) < 0)
		return cli_fail(c);
	if (strcmp(store_kind(c->st), "pg") != 0) {
		fputs("tenantry: staff accounts are created on the database (--db)\n", stderr);
		return EXIT_USAGE;
	}
	if (store_staff_add(id, c->st, argv[0], opt_get(o, NOPTS(o), "name"), role, hash, &c->err)
	    < 0)
		return cli_fail(c);
	if (c->json) {
		json_print(json_pack("{s:s, s:s, s:s}", "id", id, "email", argv[0], "staff_role",
				     staff_role_name(role)));
		return 0;
	}
	printf("staff account %s (%s) ready\n", argv[0], staff_role_name(role));
	return 0;
}

int
cmd_staff(struct cli *c, int argc, char **argv)
{
	if (WANTS_HELP(argc, argv)) {
		fputs("usage: tenantry staff add EMAIL --role platform_admin|support|oncall\n"
		      "                          [--name NAME] [--password-file F]\n"
		      "Creates a platform staff account for tenantryd (or replaces the role and\n"
		      "password of an existing one; its earlier tokens stop working). Without\n"
		      "--password-file the password is read from the terminal.\n",
		      argc ? stdout : stderr);
		return argc ? 0 : EXIT_USAGE;
	}
	if (strcmp(argv[0], "add") == 0)
		return staff_add(c, argc - 1, argv + 1);
	return cli_usage("staff ", "unknown subcommand %s", argv[0]);
}

/* ---- view-as: support access sessions ------------------------------------------- */

static void
view_sessions_print(const struct cli *c, const struct view_session *v, size_t n)
{
	struct table *t;

	if (c->json) {
		json_t *arr = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, view_session_to_json(&v[i]));
		json_print(arr);
		return;
	}
	t = table_new(7,
		      (const char *[]){ "ID", "TENANT", "STAFF", "AS", "ROLE", "ENDS", "REASON" });
	for (size_t i = 0; i < n; i++) {
		char ends[32], role[600], over[512];

		/* a member's overrides follow the role, as in `members list` */
		if (perm_overrides_format(over, sizeof over, &v[i].over) < 0)
			over[0] = '\0';
		snprintf(role, sizeof role, "%s%s%s", member_role_name(v[i].role), *over ? " " : "",
			 over);
		table_add(t, v[i].id, v[i].tenant_id, v[i].staff,
			  v[i].member[0] ? v[i].member : "-", role, fmt_time(ends, v[i].ends_at),
			  v[i].reason);
	}
	table_print(t);
}

static int
view_as_start(struct cli *c, int n, char **argv, const struct opt *o, int no)
{
	const char *role_s = opt_get(o, no, "role"), *reason = opt_get(o, no, "reason");
	const char *mins = opt_get(o, no, "minutes"), *member = opt_get(o, no, "member");
	enum member_role role = ROLE_VIEWER;
	struct view_session v;
	char *end = NULL;
	long minutes = mins ? strtol(mins, &end, 10) : 30;

	if (n != 2)
		return cli_usage("view-as ", "start needs the TENANT");
	if (role_s && member_role_parse(role_s, &role) < 0)
		return cli_usage("view-as ", "--role is admin, manager, member or viewer");
	if (role_s && member)
		return cli_usage("view-as ",
				 "--role or --member, not both (a member's role is theirs)");
	if ((mins && *end) || minutes < 1 || minutes > 240)
		return cli_usage("view-as ", "--minutes is 1 to 240");
	if (!reason)
		return cli_usage("view-as ", "start needs --reason (it is audited)");
	if (cli_refuse_write(c) < 0 || cli_store(c) < 0
	    || store_view_as_start(&v, c->st, argv[1], role, member, reason, (int)minutes, &c->err)
		   < 0)
		return cli_fail(c);
	view_sessions_print(c, &v, 1);
	return 0;
}

int
cmd_view_as(struct cli *c, int argc, char **argv)
{
	struct opt o[] = { { "role", 1 }, { "member", 1 }, { "reason", 1 }, { "minutes", 1 } };
	struct view_session_list l;
	int n;

	if (argc && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
		puts(
		    "usage: tenantry view-as [list]\n"
		    "       tenantry view-as start TENANT --reason TEXT [--role ROLE | --member EMAIL]\n"
		    "                [--minutes N]\n"
		    "       tenantry view-as end SESSION_ID");
		return 0;
	}
	if ((n = opt_parse("view-as ", argc, argv, o, NOPTS(o))) < 0)
		return EXIT_USAGE;
	if (n && strcmp(argv[0], "start") == 0)
		return view_as_start(c, n, argv, o, NOPTS(o));
	if (n && strcmp(argv[0], "end") == 0) {
		if (n != 2)
			return cli_usage("view-as ", "end needs the SESSION_ID");
		if (cli_refuse_write(c) < 0 || cli_store(c) < 0
		    || store_view_as_end(c->st, argv[1], &c->err) < 0)
			return cli_fail(c);
		cli_done(c, "ended", NULL, argv[1], false);
		return 0;
	}
	if (n > 1 || (n == 1 && strcmp(argv[0], "list") != 0))
		return cli_usage("view-as ", "unknown subcommand %s", argv[0]);
	if (cli_store(c) < 0 || store_view_as_list(&l, c->st, &c->err) < 0)
		return cli_fail(c);
	view_sessions_print(c, l.rows, l.n);
	view_session_list_free(&l);
	return 0;
}
