/* cli.h - the `tenantry` subcommands for scripts. */
#ifndef TENANTRY_CLI_H
#define TENANTRY_CLI_H

#include <jansson.h>
#include <stdbool.h>

#include "store/store.h"

/* sysexits(3) */
#define EXIT_USAGE 64

struct cli {
	const char *db;         /* --db or TENANTRY_DB, may be NULL */
	const char *url;        /* --url */
	const char *token;      /* remote mode: bearer token */
	const char *token_file; /* --token-file */
	const char *master_key_file;
	const char *as; /* --as platform|support|oncall|tenant:ID */
	bool json;
	bool read_only;
	bool no_color;
	bool no_mouse;
	const char *theme;          /* console: --theme */
	const char *keymap;         /* console: --keymap */
	const char *tenant;         /* console: --tenant, open on it */
	const char *profile;        /* -p, --profile (or TENANTRY_PROFILE) */
	const struct profile *prof; /* the profile applied, or NULL */
	struct store *st;           /* opened on demand */
	struct err err;
};

/* Opens the store (once) with the context of --as; -1 with cli->err. */
int cli_store(struct cli *c);

/* Prints err to stderr as "tenantry: message" and returns its exit status. */
int cli_fail(struct cli *c);
/* Usage error: prints "tenantry: msg" and a hint; returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* -1 with cli->err filled when --read-only forbids writing. */
int cli_refuse_write(struct cli *c);

#define NOPTS(o) ((int)(sizeof(o) / sizeof((o)[0])))
/* No arguments, or --help / -h first. */
/* clang-format off */
#define WANTS_HELP(argc, argv)                                               \
	((argc) == 0 || strcmp((argv)[0], "--help") == 0 || strcmp((argv)[0], "-h") == 0)
/* clang-format on */

/* Options parser for subcommands: --name VALUE, --name=VALUE, --flag. */
struct opt {
	const char *name; /* without dashes */
	bool takes_value;
	const char *value; /* set when given ("" for flags) */
};
/* Moves positional arguments to the front of argv; returns their count, or
 * -1 after printing a usage error. */
int opt_parse(const char *cmd, int argc, char **argv, struct opt *opts, int nopts);
const char *opt_get(const struct opt *opts, int n, const char *name);

/* Output: a table (columns padded by display width, control characters
 * replaced) or JSON. */
struct table;
struct table *table_new(int ncols, const char *const *headers);
void table_add(struct table *t, ...); /* ncols strings */
void table_print(struct table *t);    /* prints and frees */
void table_free(struct table *t);     /* frees without printing */
void json_print(json_t *j);           /* prints and decrefs */
/* What a write did to one thing: "<done> <id>" (and " from <tenant>" when
 * from is set), or with --json {"done": done, "tenant": tenant, "id": id}. */
void cli_done(const struct cli *c, const char *done, const char *tenant, const char *id, bool from);

/* Subcommands: each returns the process exit status. */
int cmd_migrate(struct cli *c, int argc, char **argv);
int cmd_demo(struct cli *c, int argc, char **argv);
int cmd_tenants(struct cli *c, int argc, char **argv);
int cmd_tiers(struct cli *c, int argc, char **argv);
int cmd_users(struct cli *c, int argc, char **argv);
int cmd_invite(struct cli *c, int argc, char **argv);
int cmd_quota(struct cli *c, int argc, char **argv);
int cmd_usage(struct cli *c, int argc, char **argv);
int cmd_settings(struct cli *c, int argc, char **argv);
int cmd_features(struct cli *c, int argc, char **argv);
int cmd_apikey(struct cli *c, int argc, char **argv);
int cmd_audit(struct cli *c, int argc, char **argv);
int cmd_alerts(struct cli *c, int argc, char **argv);
int cmd_view_as(struct cli *c, int argc, char **argv);
int cmd_metrics(struct cli *c, int argc, char **argv);
int cmd_export(struct cli *c, int argc, char **argv);
int cmd_operator(struct cli *c, int argc, char **argv);
int cmd_doctor(struct cli *c, int argc, char **argv);
int cmd_staff(struct cli *c, int argc, char **argv);
int cmd_login(struct cli *c, int argc, char **argv);
int cmd_logout(struct cli *c, int argc, char **argv);
int cmd_jobs(struct cli *c, int argc, char **argv);
/* `webhooks ...` (cmd_webhooks.c). */
int cmd_webhooks(struct cli *c, int argc, char **argv);
/* `tenants certificate TENANT` (cmd_jobs.c). */
int cmd_tenants_certificate(struct cli *c, const char *tenant);
int cmd_account(struct cli *c, int argc, char **argv);

/* Remote mode (--url): finds the token in --token-file, TENANTRY_TOKEN or
 * what `login` saved for the URL; -1 with cli->err when it cannot. */
int cli_remote_token(struct cli *c);

struct console_options;
/* Remote mode: lets the console sign in again in place (its sign_in, and
 * the account the token is of); a token `login` saved for the URL is
 * replaced by the new one, a --token-file or TENANTRY_TOKEN is not. */
void cli_console_sign_in(struct cli *c, struct console_options *o);

/* Loads the profiles file and applies the profile named by -p,
 * --profile or TENANTRY_PROFILE to what the command line left unset
 * (bad lines of the file go to stderr unless for the console). -1 after
 * printing why when there is no such profile. */
int cli_profile_apply(struct cli *c, bool console);
/* The console's side of profiles: the one in use, switching (`:profile`)
 * and the report of the file's bad lines; a prod profile opens
 * read-only. */
void cli_console_profiles(struct cli *c, struct console_options *o);
/* main.c: the store context of --as, and "pg:host/db" or the URL for the
 * title. */
int cli_parse_as(struct cli *c, struct store_context *ctx);
void cli_describe_target(const struct cli *c, char *buf, size_t size);

/* A password from file (first line), else from the terminal without echo
 * after prompt. -1 after printing why. */
int cli_read_password(const char *file, const char *prompt, char *buf, size_t size);

/* Data shown outside tables goes through this: control characters and
 * invalid UTF-8 from the database never reach the terminal. */
const char *cli_safe(const char *s);

/* Formatting helpers shared by the commands. */
const char *fmt_time(char buf[32], usec_t t);       /* "2026-11-22 10:04" or "-" */
const char *fmt_limit(char buf[32], int64_t limit); /* "unlimited" for -1 */

/* `tenants tier TENANT TIER --dry-run` (cmd_tier_preview.c): prints what
 * the change would break and the features it would turn off; an exit
 * status. */
int cli_tier_preview(struct cli *c, const char *tenant, const char *tier);

/* `invite TENANT --file F` (cmd_invite_bulk.c): an exit status. */
int cli_invite_file(struct cli *c, const char *tenant, const char *path);

#endif
