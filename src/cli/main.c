/* main.c - `tenantry`: global options, then a subcommand (or, without one,
 * the console). */
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "store/admin.h"
#include "tui/conffile.h"
#include "tui/termtext.h"
#include "tui/tui.h"

#ifndef TENANTRY_VERSION
#define TENANTRY_VERSION "0.1.0"
#endif

static const struct command {
	const char *name;
	int (*run)(struct cli *, int, char **);
	const char *help;
} commands[] = {
	{ "migrate", cmd_migrate, "apply the schema migrations (superuser or owner)" },
	{ "demo", cmd_demo, "load realistic demo data; --live keeps it moving" },
	{ "tenants", cmd_tenants,
	  "list, show, create, update, suspend, resume, delete, restore, tier, health, purge-due, "
	  "certificate" },
	{ "tiers", cmd_tiers, "list the subscription tiers" },
	{ "users", cmd_users, "members of a tenant: list, role, activate, deactivate, remove" },
	{ "invite", cmd_invite, "invitations: EMAIL [ROLE], list, resend, revoke, accept" },
	{ "quota", cmd_quota, "quotas: list, set, check" },
	{ "usage", cmd_usage, "usage summary, daily usage, add" },
	{ "settings", cmd_settings, "typed settings: list, get [--reveal], set, delete" },
	{ "features", cmd_features, "feature flags: list, set on|off|default" },
	{ "apikey", cmd_apikey, "tenant API keys: list, create, revoke" },
	{ "audit", cmd_audit, "audit log: list, tail, verify" },
	{ "alerts", cmd_alerts, "quota alerts: list, ack" },
	{ "view-as", cmd_view_as, "support access sessions: list, start, end" },
	{ "metrics", cmd_metrics, "platform overview: tenants by tier and status, MRR" },
	{ "jobs", cmd_jobs, "background jobs: list, run [--once] (from cron or a systemd timer)" },
	{ "webhooks", cmd_webhooks,
	  "event endpoints: list, add, remove, enable, disable, test, log, redeliver, events" },
	{ "export", cmd_export, "one tenant's data as one JSON document" },
	{ "operator", cmd_operator, "create a database login for one platform staff role" },
	{ "doctor", cmd_doctor, "check that the database keeps tenants apart (exit 1 if not)" },
	{ "staff", cmd_staff, "platform staff accounts for tenantryd: add" },
	{ "login", cmd_login, "sign in to the tenantryd of --url and keep the token" },
	{ "logout", cmd_logout, "forget the token kept for --url" },
	{ "account", cmd_account,
	  "credentials: reset-password, set-password, forgot, mfa-reset, unlock, sign-out, "
	  "recovery-codes" },
};

static void
usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: tenantry [options] [command [args]]\n"
	    "\n"
	    "Without a command, opens the console.\n"
	    "\n"
	    "options:\n"
	    "  --db CONNINFO          PostgreSQL connection (or TENANTRY_DB, PG* variables)\n"
	    "  --url URL              a tenantryd server instead of the database (or TENANTRY_URL)\n"
	    "  -p, --profile NAME     a connection profile of ~/.config/tenantry/profiles\n"
	    "                         (or TENANTRY_PROFILE)\n"
	    "  --token-file F         bearer token for --url (or TENANTRY_TOKEN; default: `login`)\n"
	    "  --master-key-file F    key for encrypted settings (or TENANTRY_MASTER_KEY_FILE)\n"
	    "  --as ROLE              platform | support | oncall | tenant:ID (default: the login's rights)\n"
	    "  --json                 JSON output\n"
	    "  --read-only            refuse every write\n"
	    "  --no-color             monochrome console (also NO_COLOR)\n"
	    "  --theme NAME           console theme: default, light, high-contrast, mono, a path\n"
	    "  --keymap NAME          console keymap: default (vi-like), emacs, a path\n"
	    "  --tenant SLUG          open the console on this tenant\n"
	    "  --no-mouse             leave the mouse to the terminal\n"
	    "  -h, --help             this help; `tenantry COMMAND --help` for a command\n"
	    "  -V, --version          print the version\n"
	    "\n"
	    "The options may also follow the command (tenantry tenants list --json).\n"
	    "\n"
	    "commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
}

int
cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tenantry: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'tenantry %s--help'.\n", cmd ? cmd : "");
	return EXIT_USAGE;
}

int
cli_fail(struct cli *c)
{
	if (c->err.field[0] && !strstr(c->err.message, c->err.field))
		fprintf(stderr, "tenantry: %s: %s\n", c->err.field, cli_safe(c->err.message));
	else
		fprintf(stderr, "tenantry: %s\n", cli_safe(c->err.message));
	if (c->err.code == ERR_UNAUTHORIZED && c->url && !strstr(c->err.message, " login "))
		fprintf(stderr, "tenantry: sign in with: tenantry --url %s login EMAIL\n",
			cli_safe(c->url));
	return err_exit_status(c->err.code);
}

/* Direct mode: --as may only narrow what the login holds. The database
 * would refuse the SET ROLE anyway; this says why, before anything runs. */
static int
check_as(struct cli *c, enum store_role role)
{
	static const char *const groups[] = {
		[STORE_ROLE_TENANT] = "tenantry_tenant",
		[STORE_ROLE_PLATFORM] = "tenantry_platform",
		[STORE_ROLE_SUPPORT] = "tenantry_support",
		[STORE_ROLE_ONCALL] = "tenantry_oncall",
	};

	if ((c->url && *c->url) || role == STORE_ROLE_SESSION || role > STORE_ROLE_ONCALL)
		return 0;
	return admin_role_check(c->db, groups[role], &c->err);
}

int
cli_parse_as(struct cli *c, struct store_context *ctx)
{
	const char *as = c->as;

	memset(ctx, 0, sizeof *ctx);
	snprintf(ctx->actor_kind, sizeof ctx->actor_kind, "staff");
	if (getenv("USER"))
		snprintf(ctx->actor, sizeof ctx->actor, "%s", getenv("USER"));
	if (!as || strcmp(as, "session") == 0)
		ctx->role = STORE_ROLE_SESSION;
	else if (strcmp(as, "platform") == 0)
		ctx->role = STORE_ROLE_PLATFORM;
	else if (strcmp(as, "support") == 0)
		ctx->role = STORE_ROLE_SUPPORT;
	else if (strcmp(as, "oncall") == 0)
		ctx->role = STORE_ROLE_ONCALL;
	else if (strncmp(as, "tenant:", 7) == 0) {
		ctx->role = STORE_ROLE_TENANT;
		snprintf(ctx->tenant_id, sizeof ctx->tenant_id, "%s", as + 7);
	} else
		return err_set(&c->err, ERR_BAD_REQUEST,
			       "--as: want platform, support, oncall or tenant:ID, not %s", as);
	return check_as(c, ctx->role);
}

int
cli_store(struct cli *c)
{
	struct store_config cfg = { .conninfo = c->db,
				    .url = c->url,
				    .token = c->token,
				    .read_only = c->read_only,
				    .master_key_file = c->master_key_file };
	struct store_context ctx;

	if (c->st)
		return 0;
	if (cli_parse_as(c, &ctx) < 0 || store_open(&c->st, &cfg, &c->err) < 0)
		return -1;
	if (store_set_context(c->st, &ctx, &c->err) < 0) {
		store_close(&c->st);
		return -1;
	}
	return 0;
}

static const char *
take(int *i, int argc, char **argv, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (strcmp(argv[*i], name) != 0)
		return NULL;
	if (*i + 1 >= argc) {
		cli_usage(NULL, "%s needs a value", name);
		exit(EXIT_USAGE);
	}
	return argv[++*i];
}

/* Remote mode: commands that work on the database itself refuse --url,
 * the others find their token. 0 to go on, else the exit status. */
static int
remote_check(struct cli *c, const char *cmd)
{
	static const char *const db_only[] = { "migrate", "demo", "operator", "doctor" };

	if (!c->url || !*c->url)
		return 0;
	for (size_t k = 0; k < sizeof db_only / sizeof db_only[0]; k++)
		if (strcmp(cmd, db_only[k]) == 0)
			return cli_usage(NULL, "%s works on the database (--db), not over --url",
					 cmd);
	if (strcmp(cmd, "login") == 0 || strcmp(cmd, "logout") == 0)
		return 0;
	return cli_remote_token(c) < 0 ? cli_fail(c) : 0;
}

/* "pg:host/db" or the URL, for the console's title. */
void
cli_describe_target(const struct cli *c, char *buf, size_t size)
{
	const char *host = NULL, *db = NULL;
	char copy[1024], *w[32];
	int n;

	if (c->url && *c->url) {
		snprintf(buf, size, "%s", c->url);
		return;
	}
	snprintf(copy, sizeof copy, "%s", c->db ? c->db : "");
	n = conf_split(copy, w, 32);
	for (int k = 0; k < n && k < 32; k++) {
		if (strncmp(w[k], "host=", 5) == 0)
			host = w[k] + 5;
		else if (strncmp(w[k], "dbname=", 7) == 0)
			db = w[k] + 7;
	}
	if (!host)
		host = getenv("PGHOST") ? getenv("PGHOST") : "local";
	if (!db)
		db = getenv("PGDATABASE") ? getenv("PGDATABASE") : "default";
	if (c->db && strstr(c->db, "://"))
		snprintf(buf, size, "pg:%s", c->db);
	else
		snprintf(buf, size, "pg:%s/%s", host, db);
}

static int
run_console(struct cli *c)
{
	struct console_options o = {
		.store = { .conninfo = c->db,
			   .url = c->url,
			   .token = c->token,
			   .master_key_file = c->master_key_file,
			   .read_only = c->read_only },
		.theme = c->theme,
		.keymap = c->keymap,
		.tenant = c->tenant,
		.read_only = c->read_only,
		.no_color = c->no_color,
		.no_mouse = c->no_mouse,
	};
	char target[1100];

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return cli_usage(
		    NULL, "the console needs a terminal; try `tenantry --help` for commands");
	if (cli_parse_as(c, &o.ctx) < 0)
		return cli_fail(c);
	cli_describe_target(c, target, sizeof target);
	o.target = target;
	cli_console_sign_in(c, &o);
	cli_console_profiles(c, &o);
	return console_run(&o);
}

/* Subcommands of the commands whose first argument is always one (the
 * others may start with a TENANT): a word that is none of them is refused
 * before the command runs, with the nearest one suggested. */
static const struct subcommands {
	const char *cmd;
	const char *const subs[16];
} subcommands[] = {
	{ "tenants",
	  { "list", "show", "create", "update", "suspend", "resume", "delete", "restore", "tier",
	    "health", "health-refresh", "purge-due", "certificate" } },
	{ "tiers", { "list" } },
	{ "users", { "list", "role", "activate", "deactivate", "remove", "permissions" } },
	{ "quota", { "list", "set", "check" } },
	{ "settings", { "list", "get", "set", "delete" } },
	{ "features", { "list", "set" } },
	{ "apikey", { "list", "create", "revoke" } },
	{ "audit", { "list", "tail", "verify" } },
	{ "staff", { "add" } },
	{ "view-as", { "list", "start", "end" } },
	{ "jobs", { "list", "run" } },
	{ "webhooks",
	  { "list", "add", "remove", "enable", "disable", "test", "log", "redeliver", "events" } },
};

/* Levenshtein distance, for "did you mean"; long words count as far. */
static int
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int row[33];

	if (la > 32 || lb > 32)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0];

		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* The candidate nearest to word, when near enough to be a slip: at most
 * two edits, and fewer than the word's length. */
static const char *
nearest(const char *word, const char *const *cands, size_t n, size_t stride)
{
	const char *best = NULL;
	int best_d = 3;

	for (size_t k = 0; k < n; k++) {
		const char *cand = *(const char *const *)((const char *)cands + k * stride);
		int d;

		if (!cand)
			break;
		d = edit_distance(word, cand);
		if (d < best_d && d < (int)strlen(word)) {
			best_d = d;
			best = cand;
		}
	}
	return best;
}

static int
unknown(const char *what, const char *word, const char *cmd, const char *hint)
{
	char prefix[64];

	snprintf(prefix, sizeof prefix, "%s%s", cmd ? cmd : "", cmd ? " " : "");
	if (hint)
		return cli_usage(cmd ? prefix : NULL, "unknown %s '%s'; did you mean '%s'?", what,
				 cli_safe(word), hint);
	return cli_usage(cmd ? prefix : NULL, "unknown %s '%s'", what, cli_safe(word));
}

/* A global option at argv[*i]: 1 taken (with its value), 0 not one. */
static int
global_option(struct cli *c, int *i, int argc, char **argv, bool after_command)
{
	const char *v;

	if ((v = take(i, argc, argv, "--db")))
		c->db = v;
	else if ((v = take(i, argc, argv, "--url")))
		c->url = v;
	else if ((v = take(i, argc, argv, "--token-file")))
		c->token_file = v;
	else if ((v = take(i, argc, argv, "--master-key-file")))
		c->master_key_file = v;
	else if ((v = take(i, argc, argv, "--profile"))
		 || (!after_command && (v = take(i, argc, argv, "-p"))))
		c->profile = v;
	else if ((v = take(i, argc, argv, "--as")))
		c->as = v;
	else if ((v = take(i, argc, argv, "--theme")))
		c->theme = v;
	else if ((v = take(i, argc, argv, "--keymap")))
		c->keymap = v;
	else if (!after_command && (v = take(i, argc, argv, "--tenant")))
		c->tenant = v; /* after a command, --tenant is the command's (login) */
	else if (strcmp(argv[*i], "--no-mouse") == 0)
		c->no_mouse = true;
	else if (strcmp(argv[*i], "--json") == 0)
		c->json = true;
	else if (strcmp(argv[*i], "--read-only") == 0)
		c->read_only = true;
	else if (strcmp(argv[*i], "--no-color") == 0)
		c->no_color = true;
	else
		return 0;
	return 1;
}

/* Takes the global options out of a command's arguments (up to "--"), so
 * `tenantry tenants list --json` is `tenantry --json tenants list`. */
static int
take_globals(struct cli *c, int argc, char **argv)
{
	int n = 0, i;

	for (i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (!global_option(c, &i, argc, argv, true))
			argv[n++] = argv[i];
	while (i < argc)
		argv[n++] = argv[i++];
	argv[n] = NULL;
	return n;
}

/* 0 when argv[0] is a subcommand of cmd (or cmd has no fixed list). */
static int
check_subcommand(const char *cmd, int argc, char **argv)
{
	for (size_t k = 0; k < sizeof subcommands / sizeof subcommands[0]; k++) {
		const struct subcommands *sc = &subcommands[k];

		if (strcmp(sc->cmd, cmd) != 0)
			continue;
		if (argc == 0 || argv[0][0] == '-')
			return 0;
		for (size_t j = 0; j < sizeof sc->subs / sizeof sc->subs[0] && sc->subs[j]; j++)
			if (strcmp(argv[0], sc->subs[j]) == 0)
				return 0;
		return unknown("subcommand", argv[0], cmd,
			       nearest(argv[0], sc->subs, sizeof sc->subs / sizeof sc->subs[0],
				       sizeof sc->subs[0]));
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct cli c = { 0 };
	int i, rc, n;

	setlocale(LC_ALL, "");
	widget_set_ascii(!widget_locale_utf8());
	c.db = getenv("TENANTRY_DB");
	c.url = getenv("TENANTRY_URL");
	c.master_key_file = getenv("TENANTRY_MASTER_KEY_FILE");
	c.no_color = getenv("NO_COLOR") && *getenv("NO_COLOR");
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (global_option(&c, &i, argc, argv, false))
			continue;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
			printf("tenantry %s\n", TENANTRY_VERSION);
			return 0;
		}
		return cli_usage(NULL, "unknown option %s", argv[i]);
	}
	if (i == argc) {
		if (cli_profile_apply(&c, true) < 0)
			return EXIT_USAGE;
		/* a saved token that expired: the console signs in itself */
		if (c.url && *c.url && cli_remote_token(&c) < 0 && c.err.code != ERR_UNAUTHORIZED)
			return cli_fail(&c);
		return run_console(&c);
	}
	for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++) {
		if (strcmp(argv[i], commands[k].name) != 0)
			continue;
		n = take_globals(&c, argc - i - 1, argv + i + 1);
		if (cli_profile_apply(&c, false) < 0)
			return EXIT_USAGE;
		if ((rc = check_subcommand(argv[i], n, argv + i + 1)) != 0)
			return rc;
		if ((rc = remote_check(&c, argv[i])) != 0)
			return rc;
		rc = commands[k].run(&c, n, argv + i + 1);
		store_close(&c.st);
		return rc;
	}
	return unknown("command", argv[i], NULL,
		       nearest(argv[i], &commands[0].name, sizeof commands / sizeof commands[0],
			       sizeof commands[0]));
}
