/* cmd_staff.c - `tenantry staff add`: platform staff accounts, the logins
 * of tenantryd's platform_admin, support and oncall roles. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
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
	if (strlen(pw) < 10) {
		fputs("tenantry: the password needs at least 10 characters\n", stderr);
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
