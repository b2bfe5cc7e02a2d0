/* cmd_members.c - `tenantry users`, `invite`, `apikey`, `settings`,
 * `features`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/json.h"
#include "core/perm.h"
#include "core/text.h"

/* ---- users ---------------------------------------------------------------------- */

static const char USERS_HELP[] =
    "usage: tenantry users list TENANT [--role ROLE] [--inactive]\n"
    "       tenantry users role TENANT USER admin|manager|member|viewer\n"
    "       tenantry users activate|deactivate|remove TENANT USER\n"
    "       tenantry users permissions TENANT USER [--grant P,...] [--revoke P,...]\n"
    "USER is a user id or an email address. permissions replaces the member's\n"
    "overrides: --grant adds tenant permissions the role lacks, --revoke takes\n"
    "some it has (tenantry(1), PERMISSIONS); neither clears them.\n";

static void
print_members(struct cli *c, const struct member *rows, size_t n)
{
	struct table *t;

	if (c->json) {
		json_t *arr = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, member_to_json(&rows[i]));
		json_print(arr);
		return;
	}
	t = table_new(
	    6, (const char *[]){ "EMAIL", "NAME", "ROLE", "PERMISSIONS", "ACTIVE", "LAST ACTIVE" });
	for (size_t i = 0; i < n; i++) {
		char last[32], over[512];

		if (perm_overrides_format(over, sizeof over, &rows[i].over) <= 0)
			snprintf(over, sizeof over, "-");
		table_add(t, rows[i].email, rows[i].full_name, member_role_name(rows[i].role), over,
			  rows[i].active ? "yes" : "no", fmt_time(last, rows[i].last_active_at));
	}
	table_print(t);
}

/* --grant a,b --revoke c as overrides. */
static int
overrides_of(struct perm_overrides *out, const char *grant, const char *revoke, struct err *e)
{
	char text[1024];
	int len = 0;
	const char *lists[2] = { grant, revoke };

	for (int k = 0; k < 2; k++)
		for (const char *s = lists[k]; s && *s;
		     s += strcspn(s, ",") + (s[strcspn(s, ",")] == ',')) {
			len = text_append(text, sizeof text, len, "%s%c%.*s", len ? "," : "",
					  k ? '-' : '+', (int)strcspn(s, ","), s);
			if (len < 0)
				return err_set(e, ERR_BAD_REQUEST, "too many permissions");
		}
	if (!len)
		text[0] = '\0';
	return perm_overrides_parse(out, text, "permissions", e);
}

int
cmd_users(struct cli *c, int argc, char **argv)
{
	struct opt o[] = { { "role", 1 }, { "inactive", 0 }, { "grant", 1 }, { "revoke", 1 } };
	const char *sub;
	int n;

	if (WANTS_HELP(argc, argv)) {
		fputs(USERS_HELP, argc ? stdout : stderr);
		return argc ? 0 : EXIT_USAGE;
	}
	sub = argv[0];
	n = opt_parse("users ", argc - 1, argv + 1, o, NOPTS(o));
	if (n < 0)
		return EXIT_USAGE;
	argv++;
	if (strcmp(sub, "list") == 0) {
		struct member_query q = { .role = -1, .active = 1 };
		struct member_list l;
		const char *role = opt_get(o, NOPTS(o), "role");
		enum member_role r;

		if (n != 1)
			return cli_usage("users ", "list needs one TENANT");
		if (role) {
			if (member_role_parse(role, &r) < 0)
				return cli_usage("users ", "unknown role %s", role);
			q.role = (int)r;
		}
		if (opt_get(o, NOPTS(o), "inactive"))
			q.active = -1;
		if (cli_store(c) < 0 || store_member_list(&l, c->st, argv[0], &q, &c->err) < 0)
			return cli_fail(c);
		print_members(c, l.rows, l.n);
		member_list_free(&l);
		return 0;
	}
	if (strcmp(sub, "remove") == 0) {
		if (n != 2)
			return cli_usage("users ", "remove needs TENANT and USER");
		if (cli_refuse_write(c) < 0 || cli_store(c) < 0
		    || store_member_remove(c->st, argv[0], argv[1], &c->err) < 0)
			return cli_fail(c);
		cli_done(c, "removed", argv[0], argv[1], true);
		return 0;
	}
	if (strcmp(sub, "permissions") == 0) {
		struct perm_overrides over;
		struct member m;

		if (n != 2)
			return cli_usage("users ", "permissions needs TENANT and USER");
		if (overrides_of(&over, opt_get(o, NOPTS(o), "grant"),
				 opt_get(o, NOPTS(o), "revoke"), &c->err)
		    < 0)
			return cli_usage("users ", "%s", c->err.message);
		if (cli_refuse_write(c) < 0 || cli_store(c) < 0
		    || store_member_update(&m, c->st, argv[0], argv[1], NULL, -1, &over, &c->err)
			   < 0)
			return cli_fail(c);
		print_members(c, &m, 1);
		return 0;
	}
	if (strcmp(sub, "role") == 0 || strcmp(sub, "activate") == 0
	    || strcmp(sub, "deactivate") == 0) {
		enum member_role role;
		struct member m;
		bool is_role = sub[0] == 'r';

		if (n != (is_role ? 3 : 2))
			return cli_usage("users ", "%s needs TENANT USER%s", sub,
					 is_role ? " ROLE" : "");
		if (is_role && member_role_parse(argv[2], &role) < 0)
			return cli_usage("users ", "unknown role %s", argv[2]);
		if (cli_refuse_write(c) < 0 || cli_store(c) < 0
		    || store_member_update(&m, c->st, argv[0], argv[1], is_role ? &role : NULL,
					   is_role ? -1 : sub[0] == 'a', NULL, &c->err)
			   < 0)
			return cli_fail(c);
		print_members(c, &m, 1);
		return 0;
	}
	return cli_usage("users ", "unknown subcommand %s", sub);
}

/* ---- invitations -------------------------------------------------------------------- */

static const char INVITE_HELP[] =
    "usage: tenantry invite TENANT EMAIL [ROLE]       (ROLE defaults to member)\n"
    "       tenantry invite TENANT --file F           (CSV lines email,role; - = stdin)\n"
    "       tenantry invite list TENANT\n"
    "       tenantry invite resend|revoke TENANT INVITATION\n"
    "       tenantry invite accept TOKEN [--name FULL_NAME] [--password-file F]\n"
    "The token (tni_...) is printed once; only its hash is stored.\n";

static void
print_invitations(struct cli *c, const struct invitation *rows, size_t n)
{
	struct table *t;
	usec_t now = (usec_t)time(NULL) * 1000000;

	if (c->json) {
		json_t *arr = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, invitation_to_json(&rows[i]));
		json_print(arr);
		return;
	}
	t = table_new(5, (const char *[]){ "ID", "EMAIL", "ROLE", "STATE", "EXPIRES" });
	for (size_t i = 0; i < n; i++) {
		const struct invitation *v = &rows[i];
		char exp[32];
		const char *state = v->accepted_at         ? "accepted"
				    : v->revoked_at        ? "revoked"
				    : v->expires_at <= now ? "expired"
							   : "pending";

		table_add(t, v->id, v->email, member_role_name(v->role), state,
			  fmt_time(exp, v->expires_at));
	}
	table_print(t);
}

int
cmd_invite(struct cli *c, int argc, char **argv)
{
	struct opt o[] = { { "name", 1 }, { "password-file", 1 }, { "file", 1 } };
	struct invitation v;
	char token[96];
	int n;

	if (WANTS_HELP(argc, argv)) {
		fputs(INVITE_HELP, argc ? stdout : stderr);
		return argc ? 0 : EXIT_USAGE;
	}
	n = opt_parse("invite ", argc, argv, o, NOPTS(o));
	if (n < 0)
		return EXIT_USAGE;
	if (opt_get(o, NOPTS(o), "file")) {
		if (n != 1)
			return cli_usage("invite ", "invite --file needs one TENANT");
		return cli_invite_file(c, argv[0], opt_get(o, NOPTS(o), "file"));
	}
	if (strcmp(argv[0], "list") == 0) {
		struct invitation_list l;

		if (n != 2)
			return cli_usage("invite ", "list needs one TENANT");
		if (cli_store(c) < 0 || store_invitation_list(&l, c->st, argv[1], &c->err) < 0)
			return cli_fail(c);
		print_invitations(c, l.rows, l.n);
		invitation_list_free(&l);
		return 0;
	}
	if (strcmp(argv[0], "accept") == 0) {
		const char *pwfile = opt_get(o, NOPTS(o), "password-file");
		char pw[256];
		struct member m;

		if (n != 2)
			return cli_usage("invite ", "accept needs the TOKEN");
		if (pwfile && cli_read_password(pwfile, NULL, pw, sizeof pw) < 0)
			return 66;
		if (cli_refuse_write(c) < 0 || cli_store(c) < 0
		    || store_invitation_accept(&m, c->st, argv[1], opt_get(o, NOPTS(o), "name"),
					       pwfile ? pw : NULL, &c->err)
			   < 0)
			return cli_fail(c);
		if (c->json)
			json_print(member_to_json(&m));
		else
			printf("%s joined as %s\n", cli_safe(m.email), member_role_name(m.role));
		return 0;
	}
	if (strcmp(argv[0], "resend") == 0 || strcmp(argv[0], "revoke") == 0) {
		bool resend = argv[0][2] == 's';

		if (n != 3)
			return cli_usage("invite ", "%s needs TENANT and INVITATION", argv[0]);
		if (cli_refuse_write(c) < 0 || cli_store(c) < 0)
			return cli_fail(c);
		if (!resend) {
			if (store_invitation_revoke(c->st, argv[1], argv[2], &c->err) < 0)
				return cli_fail(c);
			cli_done(c, "revoked", argv[1], argv[2], false);
			return 0;
		}
		if (store_invitation_resend(&v, token, c->st, argv[1], argv[2], &c->err) < 0)
			return cli_fail(c);
	} else {
		enum member_role role = ROLE_MEMBER;

		if (n < 2 || n > 3)
			return cli_usage("invite ", "invite needs TENANT EMAIL [ROLE]");
		if (n == 3 && member_role_parse(argv[2], &role) < 0)
			return cli_usage("invite ", "unknown role %s", argv[2]);
		if (cli_refuse_write(c) < 0 || cli_store(c) < 0
		    || store_invitation_create(&v, token, c->st, argv[0], argv[1], role, &c->err)
			   < 0)
			return cli_fail(c);
	}
	if (c->json) {
		json_t *j = invitation_to_json(&v);

		json_object_set_new(j, "token", json_string(token));
		json_print(j);
	} else {
		char exp[32];

		printf("invitation %s for %s (%s), expires %s UTC\n", v.id, cli_safe(v.email),
		       member_role_name(v.role), fmt_time(exp, v.expires_at));
		printf("token: %s\n", token);
		fprintf(stderr, "The token is shown only now.\n");
	}
	return 0;
}

/* ---- settings --------------------------------------------------------------------- */

static const char SETTINGS_HELP[] =
    "usage: tenantry settings list TENANT\n"
    "       tenantry settings get TENANT KEY [--reveal]\n"
    "       tenantry settings set TENANT KEY VALUE [--type TYPE]\n"
    "       tenantry settings delete TENANT KEY\n"
    "TYPE: string int bool json email url color timezone secret (default string).\n"
    "Secrets are encrypted with the master key and shown masked; --reveal is\n"
    "audited.\n";

static void
print_settings(struct cli *c, const struct setting *rows, size_t n)
{
	struct table *t;

	if (c->json) {
		json_t *arr = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, setting_to_json(&rows[i]));
		json_print(arr);
		return;
	}
	t = table_new(4, (const char *[]){ "KEY", "TYPE", "VALUE", "UPDATED BY" });
	for (size_t i = 0; i < n; i++)
		table_add(t, rows[i].key, setting_type_name(rows[i].type), rows[i].value,
			  rows[i].updated_by);
	table_print(t);
}

int
cmd_settings(struct cli *c, int argc, char **argv)
{
	struct opt o[] = { { "reveal", 0 }, { "type", 1 } };
	struct setting s;
	int n;

	if (WANTS_HELP(argc, argv)) {
		fputs(SETTINGS_HELP, argc ? stdout : stderr);
		return argc ? 0 : EXIT_USAGE;
	}
	n = opt_parse("settings ", argc, argv, o, NOPTS(o));
	if (n < 0)
		return EXIT_USAGE;
	if (strcmp(argv[0], "list") == 0 && n == 2) {
		struct setting_list l;

		if (cli_store(c) < 0 || store_setting_list(&l, c->st, argv[1], &c->err) < 0)
			return cli_fail(c);
		print_settings(c, l.rows, l.n);
		setting_list_free(&l);
		return 0;
	}
	if (strcmp(argv[0], "get") == 0 && n == 3) {
		if (cli_store(c) < 0
		    || store_setting_get(&s, c->st, argv[1], argv[2],
					 opt_get(o, NOPTS(o), "reveal") != NULL, &c->err)
			   < 0)
			return cli_fail(c);
		if (c->json)
			json_print(setting_to_json(&s));
		else
			printf("%s\n", cli_safe(s.value));
		setting_clear(&s);
		return 0;
	}
	if (strcmp(argv[0], "set") == 0 && n == 4) {
		const char *type = opt_get(o, NOPTS(o), "type");
		enum setting_type t = SETTING_STRING;

		if (type && setting_type_parse(type, &t) < 0)
			return cli_usage("settings ", "unknown type %s", type);
		if (cli_refuse_write(c) < 0 || cli_store(c) < 0)
			return cli_fail(c);
		/* without --type a setting keeps its type (a new one is a string) */
		if (!type && store_setting_get(&s, c->st, argv[1], argv[2], false, &c->err) == 0) {
			t = s.type;
			setting_clear(&s);
		} else if (!type && c->err.code != ERR_NOT_FOUND) {
			return cli_fail(c);
		}
		err_clear(&c->err);
		if (store_setting_put(&s, c->st, argv[1], argv[2], t, argv[3], &c->err) < 0)
			return cli_fail(c);
		print_settings(c, &s, 1);
		setting_clear(&s);
		return 0;
	}
	if (strcmp(argv[0], "delete") == 0 && n == 3) {
		if (cli_refuse_write(c) < 0 || cli_store(c) < 0
		    || store_setting_delete(c->st, argv[1], argv[2], &c->err) < 0)
			return cli_fail(c);
		cli_done(c, "deleted", argv[1], argv[2], false);
		return 0;
	}
	return cli_usage("settings ", "unknown subcommand or wrong arguments");
}

/* ---- features ----------------------------------------------------------------------- */

int
cmd_features(struct cli *c, int argc, char **argv)
{
	struct feature_state fs;
	struct table *t;

	if (WANTS_HELP(argc, argv)) {
		fputs("usage: tenantry features list TENANT\n"
		      "       tenantry features set TENANT FEATURE on|off|default\n",
		      argc ? stdout : stderr);
		return argc ? 0 : EXIT_USAGE;
	}
	if (strcmp(argv[0], "set") == 0 && argc == 4) {
		enum feature f;
		int state = strcmp(argv[3], "on") == 0        ? 1
			    : strcmp(argv[3], "off") == 0     ? 0
			    : strcmp(argv[3], "default") == 0 ? -1
							      : -2;

		if (feature_parse(argv[2], &f) < 0)
			return cli_usage("features ", "unknown feature %s", argv[2]);
		if (state == -2)
			return cli_usage("features ", "want on, off or default, not %s", argv[3]);
		if (cli_refuse_write(c) < 0 || cli_store(c) < 0
		    || store_feature_set(&fs, c->st, argv[1], f, state, &c->err) < 0)
			return cli_fail(c);
	} else if (strcmp(argv[0], "list") == 0 && argc == 2) {
		if (cli_store(c) < 0 || store_feature_list(&fs, c->st, argv[1], &c->err) < 0)
			return cli_fail(c);
	} else {
		return cli_usage("features ", "unknown subcommand or wrong arguments");
	}
	if (c->json) {
		json_print(feature_state_to_json(&fs));
		return 0;
	}
	t = table_new(3, (const char *[]){ "FEATURE", "STATE", "SOURCE" });
	for (int f = 0; f < FEATURE_COUNT; f++) {
		feature_mask b = 1u << f;

		table_add(t, feature_name((enum feature)f), fs.effective & b ? "on" : "off",
			  fs.on & b    ? "override"
			  : fs.off & b ? "override"
				       : "tier");
	}
	table_print(t);
	return 0;
}

/* ---- API keys ----------------------------------------------------------------------- */

int
cmd_apikey(struct cli *c, int argc, char **argv)
{
	struct opt o[] = { { "name", 1 }, { "scopes", 1 }, { "expires", 1 } };
	int n;

	if (WANTS_HELP(argc, argv)) {
		fputs(
		    "usage: tenantry apikey list TENANT\n"
		    "       tenantry apikey create TENANT --name NAME --scopes S1,S2 [--expires 90d]\n"
		    "       tenantry apikey revoke TENANT KEY_ID_OR_PREFIX\n"
		    "The key (tnt_...) is printed once; only its hash is stored.\n",
		    argc ? stdout : stderr);
		return argc ? 0 : EXIT_USAGE;
	}
	n = opt_parse("apikey ", argc, argv, o, NOPTS(o));
	if (n < 0)
		return EXIT_USAGE;
	if (strcmp(argv[0], "list") == 0 && n == 2) {
		struct api_key_list l;
		struct table *t;

		if (cli_store(c) < 0 || store_apikey_list(&l, c->st, argv[1], &c->err) < 0)
			return cli_fail(c);
		if (c->json) {
			json_t *arr = json_array();

			for (size_t i = 0; i < l.n; i++)
				json_array_append_new(arr, api_key_to_json(&l.rows[i]));
			json_print(arr);
		} else {
			t = table_new(
			    5, (const char *[]){ "PREFIX", "NAME", "SCOPES", "EXPIRES", "STATE" });
			for (size_t i = 0; i < l.n; i++) {
				char scopes[256], exp[32];

				scope_mask_format(scopes, sizeof scopes, l.rows[i].scopes);
				table_add(t, l.rows[i].prefix, l.rows[i].name, scopes,
					  fmt_time(exp, l.rows[i].expires_at),
					  api_key_state_name(api_key_state(
					      &l.rows[i], (usec_t)time(NULL) * 1000000)));
			}
			table_print(t);
		}
		api_key_list_free(&l);
		return 0;
	}
	if (strcmp(argv[0], "create") == 0 && n == 2) {
		const char *scopes = opt_get(o, NOPTS(o), "scopes");
		const char *expires = opt_get(o, NOPTS(o), "expires");
		scope_mask mask = 0;
		usec_t exp = 0;
		struct api_key k;
		char secret[128];

		if (!scopes)
			return cli_usage("apikey ", "create needs --scopes");
		if (scope_mask_parse(&mask, scopes, "scopes", &c->err) < 0)
			return cli_fail(c);
		if (expires) {
			if (duration_parse(&exp, expires, "expires", &c->err) < 0)
				return cli_fail(c);
			exp += (usec_t)time(NULL) * 1000000;
		}
		if (cli_refuse_write(c) < 0 || cli_store(c) < 0
		    || store_apikey_create(&k, secret, c->st, argv[1], opt_get(o, NOPTS(o), "name"),
					   mask, exp, &c->err)
			   < 0)
			return cli_fail(c);
		if (c->json) {
			json_t *j = api_key_to_json(&k);

			json_object_set_new(j, "key", json_string(secret));
			json_print(j);
		} else {
			printf("key %s (%s)\n%s\n", k.prefix, cli_safe(k.name), secret);
			fprintf(stderr, "The key is shown only now.\n");
		}
		return 0;
	}
	if (strcmp(argv[0], "revoke") == 0 && n == 3) {
		if (cli_refuse_write(c) < 0 || cli_store(c) < 0
		    || store_apikey_revoke(c->st, argv[1], argv[2], &c->err) < 0)
			return cli_fail(c);
		cli_done(c, "revoked", argv[1], argv[2], false);
		return 0;
	}
	return cli_usage("apikey ", "unknown subcommand or wrong arguments");
}
