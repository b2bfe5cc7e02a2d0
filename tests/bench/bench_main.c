/* bench_main.c - tenantry-bench, the program behind make bench.
 *
 *   tenantry-bench load ADMIN_CONNINFO TENANTS
 *       migrates an empty database and loads the dataset of TENANTS tenants
 *   tenantry-bench run [options]
 *       measures every row and prints the table; writes the JSON report
 *
 * tests/bench/bench.sh runs both against a private cluster under var/bench.
 */
#include <getopt.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "store/admin.h"

/* One statement as the admin, in its own session; -1 after saying why. */
static int
admin_exec(const char *admin, const char *sql)
{
	PGconn *c = PQconnectdb(admin);
	PGresult *r = PQexec(c, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	if (!ok)
		fprintf(stderr, "bench: %s", PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
	return ok ? 0 : -1;
}

static int
cmd_load(const char *admin, long tenants)
{
	struct bench_scale sc;
	struct err e = { 0 };
	double seconds = 0;
	char sql[256];

	bench_scale_of(&sc, tenants);
	if (admin_migrate(admin, NULL, NULL, &e) < 0
	    || admin_operator(admin, "bench_operator", STAFF_PLATFORM_ADMIN, NULL, &e) < 0) {
		fprintf(stderr, "bench: %s\n", e.message);
		return 1;
	}
	fprintf(stderr,
		"bench: loading %ld tenants, %ld users, %ld memberships, "
		"%ld quotas, %ld audit entries\n",
		sc.tenants, sc.users, sc.tenants * 10, sc.tenants * 5, sc.audit);
	if (bench_load(admin, tenants, &seconds) < 0) {
		fprintf(stderr, "bench: loading failed\n");
		return 1;
	}
	/* Remembered in the database itself, so a dataset is reused only
	 * while it is really there. */
	snprintf(sql, sizeof sql,
		 "CREATE TABLE public.bench_dataset AS SELECT "
		 "%ld::int8 AS tenants, %.1f::float8 AS load_seconds, now() AS loaded_at",
		 tenants, seconds);
	if (admin_exec(admin, sql) < 0)
		return 1;
	fprintf(stderr, "bench: dataset of %ld tenants loaded in %.1f s\n", tenants, seconds);
	return 0;
}

/* ---- run ----------------------------------------------------------------------- */

struct run_opts {
	struct bench_env big, small;
	const char *json;
	const char *machine;
	const char *dataset;
	const char *server_note, *console_note;
	const char *console_figures; /* key=value file from console.sh */
	const char *only;            /* one operation's key, for profiling */
	const char *tenantryd;       /* the server binary, NULL = not built */
};

/* reps alternating the store and pgbench, so drift hits both alike. */
static int
measure(struct bench_figure *store, struct bench_figure *raw, const struct bench_env *env,
	const struct bench_op *op, int clients)
{
	struct bench_figure s[32], r[32];
	int reps = env->reps < 32 ? env->reps : 32;

	for (int i = 0; i < reps; i++) {
		if (bench_store_run(&s[i], env, op, clients) < 0)
			return -1;
		if (raw && bench_pgbench_run(&r[i], env, op->key, clients) < 0)
			return -1;
	}
	bench_median(store, s, reps);
	if (raw)
		bench_median(raw, r, reps);
	fprintf(stderr, "bench: %-20s %d client%s  store %9.0f/s p95 %6.2f ms", op->key, clients,
		clients > 1 ? "s" : " ", store->tps, store->p95);
	if (raw)
		fprintf(stderr, "   raw %9.0f/s p95 %6.2f ms", raw->tps, raw->p95);
	fputc('\n', stderr);
	return 0;
}

static void
ratio_row(struct bench_report *rep, const char *name, double tenantry, double raw, double min_ratio)
{
	struct bench_row *row = bench_row_add(rep, name);

	snprintf(row->unit, sizeof row->unit, "ops/s");
	row->tenantry = tenantry;
	row->raw = raw;
	row->ratio = raw > 0 ? tenantry / raw : -1;
	row->measured = true;
	if (min_ratio > 0) {
		snprintf(row->target, sizeof row->target, ">= %.2f of raw", min_ratio);
		row->met = row->ratio >= min_ratio;
	}
}

static void
store_rows(struct bench_report *rep, const struct bench_op *op, int clients,
	   const struct bench_figure *s, const struct bench_figure *r)
{
	char name[96];
	struct bench_row *row;

	snprintf(name, sizeof name, "%s, %d client%s", op->title, clients, clients > 1 ? "s" : "");
	if (strcmp(op->key, "audit_append") != 0) {
		ratio_row(rep, name, s->tps, r->tps, 0.85);
	} else {
		ratio_row(rep, name, s->tps, r->tps, 0);
		row = &rep->rows[rep->n - 1];
		if (clients == 8) {
			snprintf(row->target, sizeof row->target, ">= 1500/s");
			row->met = s->tps >= 1500;
		}
	}
	if (strcmp(op->key, "tenant_filter") == 0) {
		snprintf(name, sizeof name, "%s p95, %d client%s", op->title, clients,
			 clients > 1 ? "s" : "");
		row = bench_row_add(rep, name);
		snprintf(row->unit, sizeof row->unit, "ms");
		row->tenantry = s->p95;
		row->raw = r->p95;
		row->ratio = -1;
		row->measured = true;
		snprintf(row->target, sizeof row->target, "p95 <= 20 ms");
		row->met = s->p95 <= 20;
	}
}

static void
pending_row(struct bench_report *rep, const char *name, const char *target, const char *note)
{
	struct bench_row *row = bench_row_add(rep, name);

	snprintf(row->target, sizeof row->target, "%s", target);
	snprintf(row->note, sizeof row->note, "not measured (%s)", note);
}

/* The tenantryd rows, or why they are missing. */
static void
server_rows(struct bench_report *rep, const struct run_opts *o)
{
	const char *why = o->server_note;

	bool one = o->only && (strcmp(o->only, "signin") == 0 || strcmp(o->only, "webhooks") == 0);

	if (o->only && strcmp(o->only, "http") != 0 && !one)
		why = "skipped (--only)";
	else if (o->tenantryd
		 && bench_server_rows(rep, &o->big, o->tenantryd, one ? o->only : NULL) == 0)
		return;
	else if (o->tenantryd)
		why = "the tenantryd run failed, see its messages";
	pending_row(rep, "GET /api/tenants/{id} with JWT, 8 conns", ">= 0.60 of raw", why);
	pending_row(rep, "GET /api/tenants/{id} p99, 8 conns", "p99 <= 10 ms", why);
	pending_row(rep, "POST /api/tenants/{id}/usage/increment, 8 conns", ">= 0.60 of raw", why);
	pending_row(rep, "event committed to webhook delivered, 200 events/s", "p95 <= 1 s", why);
	pending_row(rep, "POST /api/auth/login (Argon2id bound), 8 conns", ">= 0.80 of raw", why);
}

/* A figure from console.sh's key=value file, or -1. */
static double
figure(const char *path, const char *key)
{
	FILE *f = fopen(path, "r");
	char line[256];
	size_t n = strlen(key);
	double v = -1;

	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, key, n) == 0 && line[n] == '=')
			v = atof(line + n + 1);
	if (f)
		fclose(f);
	return v;
}

static void
console_row(struct bench_report *rep, const char *name, const char *unit, double v, double limit,
	    const char *target, const char *note)
{
	struct bench_row *row = bench_row_add(rep, name);

	snprintf(row->unit, sizeof row->unit, "%s", unit);
	snprintf(row->target, sizeof row->target, "%s", target);
	snprintf(row->note, sizeof row->note, "%s", note);
	row->tenantry = v;
	row->raw = -1;
	row->ratio = -1;
	row->measured = true;
	row->met = v >= 0 && v <= limit;
}

/* The console's rows, measured by console.sh through its trace. */
static void
console_rows(struct bench_report *rep, const struct run_opts *o)
{
	const char *f = o->console_figures;
	char note[160];
	double rss, growth;

	if (!f || figure(f, "start_ms") < 0) {
		const char *why = f ? "the console run failed, see its messages" : o->console_note;

		pending_row(rep, "console: start to first screen with data", "<= 150 ms", why);
		pending_row(rep, "console: filter keystroke to list redrawn p95", "p95 <= 50 ms",
			    why);
		pending_row(rep, "console: audit insert to line on screen p95", "p95 <= 100 ms",
			    why);
		pending_row(rep, "console: resident memory after 10 min of demo activity",
			    "<= 32 MB, flat", why);
		return;
	}
	console_row(rep, "console: start to first screen with data", "ms", figure(f, "start_ms"),
		    150, "<= 150 ms", "real console in tmux, from its trace");
	snprintf(note, sizeof note, "%.0f keystrokes 200 ms apart", figure(f, "filter_n"));
	console_row(rep, "console: filter keystroke to list redrawn p95", "ms",
		    figure(f, "filter_p95_ms"), 50, "p95 <= 50 ms", note);
	snprintf(note, sizeof note, "%.0f entries from demo --live; commit time to arrival",
		 figure(f, "audit_n"));
	console_row(rep, "console: audit insert to line on screen p95", "ms",
		    figure(f, "audit_p95_ms"), 100, "p95 <= 100 ms", note);
	rss = figure(f, "rss_mb");
	growth = figure(f, "rss_growth_pct");
	if (figure(f, "seconds") >= 600)
		snprintf(note, sizeof note,
			 "after %.0f min of demo --live; %.1f %% more than "
			 "after the first minute",
			 figure(f, "seconds") / 60, growth);
	else
		snprintf(note, sizeof note,
			 "only %.0f s of demo --live (the full scale runs "
			 "10 min); grew %.1f %%",
			 figure(f, "seconds"), growth);
	console_row(rep, "console: resident memory after 10 min of demo activity", "MB", rss, 32,
		    "<= 32 MB, flat", note);
	/* Flat: within 10 % once the first minute is over. */
	rep->rows[rep->n - 1].met =
	    rss >= 0 && rss <= 32 && growth < 10 && figure(f, "seconds") >= 600;
}

static int
cmd_run(struct run_opts *o)
{
	static struct bench_report rep;
	struct bench_figure s, r, grow_big[16];
	int rc = 0;

	snprintf(rep.machine, sizeof rep.machine, "%s", o->machine ? o->machine : "");
	snprintf(rep.dataset, sizeof rep.dataset, "%s", o->dataset ? o->dataset : "");
	char ci[512];

	bench_conninfo(ci, sizeof ci, &o->big);
	if (bench_check_formulas(ci) < 0 || bench_check_full_terms(ci) < 0)
		return 1;
	if (o->small.db) {
		bench_conninfo(ci, sizeof ci, &o->small);
		if (bench_check_full_terms(ci) < 0)
			return 1;
	}
	for (int i = 0; i < bench_nops; i++)
		if (!bench_ops[i].growth_only && bench_pgbench_script(&o->big, &bench_ops[i]) < 0)
			return 1;
	for (int i = 0; i < bench_nops; i++) {
		const struct bench_op *op = &bench_ops[i];

		if (o->only && strcmp(o->only, op->key) != 0)
			continue;
		if (op->growth_only) {
			if (measure(&grow_big[i], NULL, &o->big, op, 1) < 0)
				return 1;
			continue;
		}
		for (int clients = 1; clients <= 8; clients += 7) {
			if (measure(&s, &r, &o->big, op, clients) < 0)
				return 1;
			store_rows(&rep, op, clients, &s, &r);
			if (clients == 1)
				grow_big[i] = s;
		}
	}
	server_rows(&rep, o);
	console_rows(&rep, o);
	for (int i = 0; o->small.db && i < bench_nops; i++) {
		const struct bench_op *op = &bench_ops[i];
		struct bench_row *row;
		char name[96];

		if (o->only && strcmp(o->only, op->key) != 0)
			continue;
		if (measure(&s, NULL, &o->small, op, 1) < 0)
			return 1;
		snprintf(name, sizeof name, "growth: %s, p50 %ldk/%ldk", op->title,
			 o->big.tenants / 1000, o->small.tenants / 1000);
		row = bench_row_add(&rep, name);
		snprintf(row->unit, sizeof row->unit, "ms");
		row->tenantry = grow_big[i].p50;
		row->raw = s.p50;
		row->ratio = s.p50 > 0 ? grow_big[i].p50 / s.p50 : -1;
		row->measured = true;
		snprintf(row->note, sizeof row->note, "raw column: the same at %ld tenants%s%s",
			 o->small.tenants, op->growth_note ? ", " : "",
			 op->growth_note ? op->growth_note : "");
		if (op->growth_note)
			continue; /* not the same work on both sides: reported only */
		snprintf(row->target, sizeof row->target, "ratio <= 1.5");
		row->met = row->ratio >= 0 && row->ratio <= 1.5;
	}
	bench_report_print(&rep);
	if (o->json && bench_report_json(&rep, o->json) < 0)
		rc = 1;
	return rc;
}

/* A kept dataset follows the schema: migrations it has not seen are
 * applied, and the tables vacuumed again so that index-only scans see
 * all-visible pages, as after a load. */
static int
cmd_migrate(const char *admin)
{
	struct err e = { 0 };
	int applied = 0;

	if (admin_migrate(admin, &applied, NULL, &e) < 0) {
		fprintf(stderr, "bench: %s\n", e.message);
		return 1;
	}
	if (applied == 0)
		return 0;
	fprintf(stderr, "bench: %d new migration(s) applied to the kept dataset; vacuum\n",
		applied);
	return admin_exec(admin, "VACUUM (FREEZE, ANALYZE) tenantry.tenants, tenantry.users, "
				 "tenantry.tenant_users, tenantry.quotas, tenantry.audit_heads")
	       < 0;
}

static void
usage(void)
{
	fputs("usage: tenantry-bench load ADMIN_CONNINFO TENANTS\n"
	      "       tenantry-bench migrate ADMIN_CONNINFO\n"
	      "       tenantry-bench run --host H --port P --user U --db DB --tenants N\n"
	      "              [--small-db DB --small-tenants N] [--seconds S] [--reps R]\n"
	      "              [--workdir DIR] [--json FILE] [--machine TEXT] [--dataset TEXT]\n"
	      "              [--server-note TEXT] [--console-note TEXT] [--only OP]\n"
	      "              [--tenantryd PATH] [--console-figures FILE]\n",
	      stderr);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "host", 1, NULL, 'h' },
		{ "port", 1, NULL, 'p' },
		{ "user", 1, NULL, 'U' },
		{ "db", 1, NULL, 'd' },
		{ "tenants", 1, NULL, 'n' },
		{ "small-db", 1, NULL, 'D' },
		{ "small-tenants", 1, NULL, 'N' },
		{ "seconds", 1, NULL, 's' },
		{ "reps", 1, NULL, 'r' },
		{ "workdir", 1, NULL, 'w' },
		{ "json", 1, NULL, 'j' },
		{ "machine", 1, NULL, 'm' },
		{ "dataset", 1, NULL, 'S' },
		{ "server-note", 1, NULL, 'v' },
		{ "console-note", 1, NULL, 'c' },
		{ "only", 1, NULL, 'o' },
		{ "tenantryd", 1, NULL, 't' },
		{ "console-figures", 1, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_opts o = {
		.big = { .user = "bench_operator", .seconds = 3, .reps = 3, .workdir = "." },
		.server_note = "needs tenantryd",
		.console_note = "needs the console"
	};
	int ch;

	if (argc == 4 && strcmp(argv[1], "load") == 0)
		return cmd_load(argv[2], atol(argv[3]));
	if (argc == 3 && strcmp(argv[1], "migrate") == 0)
		return cmd_migrate(argv[2]);
	if (argc < 2 || strcmp(argv[1], "run") != 0) {
		usage();
		return 64;
	}
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			o.big.host = optarg;
			break;
		case 'p':
			o.big.port = optarg;
			break;
		case 'U':
			o.big.user = optarg;
			break;
		case 'd':
			o.big.db = optarg;
			break;
		case 'n':
			o.big.tenants = atol(optarg);
			break;
		case 'D':
			o.small.db = optarg;
			break;
		case 'N':
			o.small.tenants = atol(optarg);
			break;
		case 's':
			o.big.seconds = atoi(optarg);
			break;
		case 'r':
			o.big.reps = atoi(optarg);
			break;
		case 'w':
			o.big.workdir = optarg;
			break;
		case 'j':
			o.json = optarg;
			break;
		case 'm':
			o.machine = optarg;
			break;
		case 'S':
			o.dataset = optarg;
			break;
		case 'v':
			o.server_note = optarg;
			break;
		case 'c':
			o.console_note = optarg;
			break;
		case 'o':
			o.only = optarg;
			break;
		case 't':
			o.tenantryd = optarg;
			break;
		case 'C':
			o.console_figures = optarg;
			break;
		default:
			usage();
			return 64;
		}
	}
	if (!o.big.host || !o.big.port || !o.big.db || o.big.tenants < 10 || o.big.seconds < 1
	    || o.big.reps < 1) {
		usage();
		return 64;
	}
	{
		const char *db = o.small.db;
		long n = o.small.tenants;

		o.small = o.big;
		o.small.db = db;
		o.small.tenants = n;
		if (db && n < 10) {
			usage();
			return 64;
		}
	}
	return cmd_run(&o);
}
