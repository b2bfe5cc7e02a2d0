/* config.c - tenantryd's configuration: one table of keys, read from the
 * configuration file, then TENANTRYD_* environment variables, then the
 * command line, each over the one before; SIGHUP reads the file and the
 * environment again and applies what can change while running.
 *
 * The file (SYSCONFDIR/tenantry/tenantryd.conf, or --config FILE) has one
 * "key = value" a line with the long options' names, blank lines and
 * lines starting with '#'. A bad line is "file:line: message" and the
 * server does not start (a service that runs on a half-read configuration
 * is worse than one that does not run).
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/config.h"
#include "server/log.h"

#ifndef TENANTRY_SYSCONFDIR
#define TENANTRY_SYSCONFDIR "/etc"
#endif
#define CONFIG_DEFAULT TENANTRY_SYSCONFDIR "/tenantry/tenantryd.conf"

enum kind { K_STR, K_INT, K_SIZE, K_LEVEL, K_FORMAT };

static const struct key {
	const char *name;
	enum kind kind;
	size_t off;
	long lo, hi;
	bool reload; /* SIGHUP applies it */
} keys[] = {
#define S(n, f)                                                                                    \
	{                                                                                          \
		n, K_STR, offsetof(struct server_config, f), 0, 0, false                           \
	}
#define I(n, f, lo, hi, r)                                                                         \
	{                                                                                          \
		n, K_INT, offsetof(struct server_config, f), lo, hi, r                             \
	}
	S("db", db),
	S("listen", listen),
	S("metrics-listen", metrics_listen),
	S("port-file", port_file),
	S("jwt-secret-file", jwt_secret_file),
	S("jwt-public-key", jwt_public_key),
	S("jwt-private-key", jwt_private_key),
	S("jwt-issuer", issuer),
	S("jwt-audience", audience),
	S("master-key-file", master_key_file),
	S("tenant-domain", tenant_domain),
	I("token-ttl", token_ttl, 60, 86400 * 30, false),
	I("db-pool", pool, 1, 256, false),
	/* a transaction pooler in front of db (docs/operations.md) */
	I("db-unnamed-statements", db_unnamed, 0, 1, false),
	S("db-direct", db_direct),
	I("threads", threads, 1, 64, false),
	{ "max-body", K_SIZE, offsetof(struct server_config, body_max), 1024, 64 << 20, true },
	I("max-connections", conn_limit, 1, 65535, false),
	I("max-per-ip", per_ip_limit, 1, 65535, false),
	I("timeout", timeout, 1, 3600, false),
	I("request-timeout", request_timeout, 1, 3600, true),
	I("max-streams", sse_max, 0, 10000, false),
	I("keepalive", sse_keepalive, 1, 3600, false),
	{ "log-level", K_LEVEL, offsetof(struct server_config, log_level), 0, 0, true },
	{ "log-format", K_FORMAT, offsetof(struct server_config, log_format), 0, 0, true },
	I("jobs", jobs, 0, 1, false),
	S("job-intervals", job_intervals),
	I("job-poll", job_poll, 1, 3600, false),
	I("job-lease", job_lease, 10, 86400, false),
	I("webhook-workers", webhook_workers, 0, 64, false),
	I("webhook-timeout", webhook_timeout, 1, 60, true),
	I("webhook-lease", webhook_lease, 0, 86400, true),
	I("webhook-retry-base", webhook_retry_base_ms, 10, 3600000, true),
	I("webhook-give-up", webhook_give_up, 1, 86400 * 30, true),
	I("webhook-disable-after", webhook_disable_after, 0, 100000, true),
	I("webhook-allow-loopback", webhook_allow_loopback, 0, 1, true),
	S("smtp-url", smtp_url),
	S("smtp-from", smtp_from),
	S("smtp-auth-file", smtp_auth_file),
	S("smtp-ca-file", smtp_ca_file),
	I("smtp-allow-plain-loopback", smtp_allow_plain_loopback, 0, 1, false),
	I("smtp-timeout", smtp_timeout, 1, 600, false),
	S("mail-link-base", mail_link_base),
	S("mail-templates", mail_templates),
	I("mail-poll", mail_poll, 1, 3600, false),
	I("mail-retry-base", mail_retry_base, 1, 86400, false),
#undef S
#undef I
};
#define NKEYS (sizeof keys / sizeof keys[0])

/* What the command line said, for the reload (flags stay on top). */
static int saved_argc;
static char **saved_argv;
static const char *config_path;
static bool config_given; /* --config: the file must exist */

static const struct server_config defaults = {
	.listen = "127.0.0.1:8080",
	.issuer = "tenantry",
	.audience = "tenantry-api",
	.token_ttl = 3600,
	.pool = 16,
	.body_max = 65536,
	.conn_limit = 256,
	.per_ip_limit = 64,
	.timeout = 30,
	.request_timeout = 10,
	.sse_max = 64,
	.sse_keepalive = 15,
	.leeway = 30,
	.log_level = LOG_LEVEL_INFO,
	.log_format = LOG_FORMAT_LOGFMT,
	.jobs = 1,
	.job_poll = 30,
	.job_lease = 600,
	.webhook_workers = 2,
	.webhook_timeout = 10,
	.webhook_retry_base_ms = 5000,
	.webhook_give_up = 3 * 86400,
	.webhook_disable_after = 50,
	.smtp_timeout = 30,
	.mail_poll = 10,
	.mail_retry_base = 60,
};

static const struct key *
key_find(const char *name, size_t len)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strlen(keys[i].name) == len && strncmp(keys[i].name, name, len) == 0)
			return &keys[i];
	return NULL;
}

/* Sets one key from text; the message in msg on failure. Strings are
 * kept as given (the caller makes them live long enough). */
static int
key_set(struct server_config *cfg, const struct key *k, const char *v, char *msg, size_t size)
{
	char *base = (char *)cfg + k->off, *end;
	long n;

	switch (k->kind) {
	case K_STR:
		*(const char **)base = v;
		return 0;
	case K_LEVEL:
	case K_FORMAT:
		n = k->kind == K_LEVEL ? log_level_parse(v) : log_format_parse(v);
		if (n < 0) {
			snprintf(msg, size, "%s wants %s, not '%.60s'", k->name,
				 k->kind == K_LEVEL ? "error, warn, info or debug"
						    : "logfmt or json",
				 v);
			return -1;
		}
		*(int *)base = (int)n;
		return 0;
	case K_INT:
	case K_SIZE:
		errno = 0;
		n = strtol(v, &end, 10);
		if (!*v || *end || errno || n < k->lo || n > k->hi) {
			snprintf(msg, size, "%s wants a number in %ld..%ld, not '%.60s'", k->name,
				 k->lo, k->hi, v);
			return -1;
		}
		if (k->kind == K_INT)
			*(int *)base = (int)n;
		else
			*(size_t *)base = (size_t)n;
		return 0;
	}
	return -1;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Reads path into cfg. 0 when read (or the default file is absent), else
 * -1 after printing "path:line: message" (or logging it, on reload). The
 * values are strdup'd and live as long as the process. */
static int
read_file(struct server_config *cfg, const char *path, bool must_exist, bool reload)
{
	FILE *f = fopen(path, "r");
	char line[4096], msg[256];
	int lineno = 0, bad = 0;

	if (!f) {
		if (errno == ENOENT && !must_exist)
			return 0;
		snprintf(msg, sizeof msg, "%s", strerror(errno));
		goto report;
	}
	while (fgets(line, sizeof line, f)) {
		char *s = trim(line), *eq, *name, *value;
		const struct key *k;

		lineno++;
		if (!*s || *s == '#')
			continue;
		if (!(eq = strchr(s, '='))) {
			snprintf(msg, sizeof msg, "expected key = value");
			bad = 1;
			break;
		}
		*eq = '\0';
		name = trim(s);
		value = trim(eq + 1);
		if (strlen(value) >= 2 && value[0] == '"' && value[strlen(value) - 1] == '"') {
			value[strlen(value) - 1] = '\0';
			value++;
		}
		if (!(k = key_find(name, strlen(name)))) {
			snprintf(msg, sizeof msg, "unknown key '%.60s'", name);
			bad = 1;
			break;
		}
		if (k->kind == K_STR && !(value = strdup(value))) {
			snprintf(msg, sizeof msg, "out of memory");
			bad = 1;
			break;
		}
		if (key_set(cfg, k, value, msg, sizeof msg) < 0) {
			bad = 1;
			break;
		}
	}
	fclose(f);
	if (!bad)
		return 0;
report:
	if (reload) {
		char where[300];

		snprintf(where, sizeof where, "%s:%d", path, lineno);
		log_line(LOG_LEVEL_ERROR, "configuration not reloaded", "at", where, "error", msg,
			 NULL);
	} else if (lineno) {
		fprintf(stderr, "tenantryd: %s:%d: %s\n", path, lineno, msg);
	} else {
		fprintf(stderr, "tenantryd: %s: %s\n", path, msg);
	}
	return -1;
}

/* TENANTRYD_<KEY> for each key: dashes as underscores, upper case. */
static int
read_env(struct server_config *cfg, bool reload)
{
	for (size_t i = 0; i < NKEYS; i++) {
		char var[64] = "TENANTRYD_", msg[256];
		size_t n = strlen(var);
		const char *v;

		for (const char *p = keys[i].name; *p && n < sizeof var - 1; p++)
			var[n++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
		var[n] = '\0';
		if (!(v = getenv(var)))
			continue;
		if (key_set(cfg, &keys[i], v, msg, sizeof msg) < 0) {
			if (reload)
				log_line(LOG_LEVEL_ERROR, "configuration not reloaded", "at", var,
					 "error", msg, NULL);
			else
				fprintf(stderr, "tenantryd: %s: %s\n", var, msg);
			return -1;
		}
	}
	return 0;
}

/* The command line over cfg; --config was taken out before. */
static int
read_flags(struct server_config *cfg, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v, *eq;
		const struct key *k;
		char msg[256];

		if (strcmp(a, "--config") == 0) {
			i++;
			continue;
		}
		if (strncmp(a, "--config=", 9) == 0)
			continue;
		if (strncmp(a, "--", 2) != 0) {
			fprintf(stderr, "tenantryd: unexpected argument '%s'\n", a);
			return -1;
		}
		eq = strchr(a, '=');
		k = key_find(a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
		if (!k) {
			fprintf(stderr, "tenantryd: unknown option %s\n", a);
			return -1;
		}
		if (eq)
			v = eq + 1;
		else if (i + 1 < argc)
			v = argv[++i];
		else {
			fprintf(stderr, "tenantryd: %s needs a value\n", a);
			return -1;
		}
		if (key_set(cfg, k, v, msg, sizeof msg) < 0) {
			fprintf(stderr, "tenantryd: --%s\n", msg);
			return -1;
		}
	}
	return 0;
}

int
config_load(struct server_config *cfg, int argc, char **argv)
{
	*cfg = defaults;
	saved_argc = argc;
	saved_argv = argv;
	config_path = CONFIG_DEFAULT;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			config_path = argv[++i];
			config_given = true;
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			config_path = argv[i] + 9;
			config_given = true;
		} else if (strcmp(argv[i], "--config") == 0) {
			fprintf(stderr, "tenantryd: --config needs a value\n");
			return CONFIG_EXIT_USAGE;
		}
	}
	if (read_file(cfg, config_path, config_given, false) < 0 || read_env(cfg, false) < 0)
		return CONFIG_EXIT_CONFIG;
	if (read_flags(cfg, argc, argv) < 0)
		return CONFIG_EXIT_USAGE;
	if (!cfg->db)
		cfg->db = getenv("TENANTRY_DB") ? getenv("TENANTRY_DB") : "";
	return 0;
}

const char *
config_file(void)
{
	return config_path;
}

static bool
same(const struct key *k, const struct server_config *a, const struct server_config *b)
{
	const char *pa = (const char *)a + k->off, *pb = (const char *)b + k->off;

	switch (k->kind) {
	case K_STR: {
		const char *sa = *(const char *const *)pa, *sb = *(const char *const *)pb;

		return sa == sb || (sa && sb && strcmp(sa, sb) == 0);
	}
	case K_SIZE:
		return *(const size_t *)pa == *(const size_t *)pb;
	default:
		return *(const int *)pa == *(const int *)pb;
	}
}

void
config_reload(struct server_config *cfg)
{
	struct server_config next = defaults;
	char changed[512] = "", restart[512] = "";

	if (read_file(&next, config_path, config_given, true) < 0 || read_env(&next, true) < 0)
		return;
	if (read_flags(&next, saved_argc, saved_argv) < 0)
		return; /* it was read once: cannot happen */
	if (!next.db)
		next.db = cfg->db;
	if (!next.threads)
		next.threads = cfg->threads;
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];
		char *list = k->reload ? changed : restart;
		size_t n = strlen(list);

		if (same(k, cfg, &next))
			continue;
		snprintf(list + n, sizeof changed - n, "%s%s", n ? "," : "", k->name);
		if (!k->reload)
			continue;
		/* read by the loops without a lock: word-sized stores */
		if (k->kind == K_SIZE)
			__atomic_store_n((size_t *)((char *)cfg + k->off),
					 *(size_t *)((char *)&next + k->off), __ATOMIC_RELAXED);
		else
			__atomic_store_n((int *)((char *)cfg + k->off),
					 *(int *)((char *)&next + k->off), __ATOMIC_RELAXED);
	}
	log_setup((enum log_level)cfg->log_level, (enum log_format)cfg->log_format);
	log_line(LOG_LEVEL_INFO, "configuration reloaded", "file", config_path, "changed",
		 changed[0] ? changed : "nothing", "needs_restart", restart[0] ? restart : NULL,
		 NULL);
}
