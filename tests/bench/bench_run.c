/* bench_run.c - the two drivers of every store row.
 *
 * The store driver runs an operation from `clients` threads, one store
 * (one connection) each, for a fixed time, timing every call.
 *
 * The raw driver is pgbench -M prepared on a script holding exactly the
 * statements the store sent for one call, captured through the store's
 * statement observer: the same texts, the same pipeline (context statement
 * first, one sync), the same parameters. Parameters that depend on the drawn
 * tenant or term become the SQL expressions of bench_data.c over pgbench's
 * own draw; the others become pgbench variables (NULL and '' as literals,
 * which pgbench variables cannot hold). Nothing is written by hand,
 * so the store and its baseline cannot drift apart.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "bench/bench.h"
#include "store/store.h"
#include "store/store_pg.h"

extern char **environ;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t
next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static long
draw(const struct bench_env *env, const struct bench_op *op, uint64_t *seed)
{
	switch (op->draw) {
	case DRAW_TENANT:
		return 1 + (long)(next_rand(seed) % (uint64_t)env->tenants);
	case DRAW_TENANT10:
		return 10 * (1 + (long)(next_rand(seed) % (uint64_t)(env->tenants / 10)));
	case DRAW_HOT:
		return 1;
	case DRAW_TERM:
		return (long)(next_rand(seed) % BENCH_NTERMS);
	case DRAW_FULL_TERM:
		return BENCH_NTERMS + (long)(next_rand(seed) % BENCH_NFULL);
	}
	return 1;
}

/* The same draws in pgbench's language. */
static const char *
draw_pgbench(const struct bench_op *op)
{
	switch (op->draw) {
	case DRAW_TENANT:
		return "\\set n random(1, :ntenants)\n";
	case DRAW_TENANT10:
		return "\\set n 10 * random(1, :ntenants / 10)\n";
	case DRAW_HOT:
		return "\\set n 1\n";
	case DRAW_TERM:
		_Static_assert(BENCH_NTERMS == 8, "pgbench draws k in 0..7");
		return "\\set k random(0, 7)\n";
	case DRAW_FULL_TERM:
		_Static_assert(BENCH_NTERMS + BENCH_NFULL == 12, "pgbench draws k in 8..11");
		return "\\set k random(8, 11)\n";
	}
	return "";
}

void
bench_conninfo(char *out, size_t n, const struct bench_env *env)
{
	snprintf(out, n, "host=%s port=%s user=%s dbname=%s", env->host, env->port, env->user,
		 env->db);
}

static int
open_store(struct store **st, const struct bench_env *env)
{
	char ci[512];
	struct store_config cfg = { .conninfo = ci };
	struct err e = { 0 };

	bench_conninfo(ci, sizeof ci, env);
	if (store_open(st, &cfg, &e) < 0) {
		fprintf(stderr, "bench: %s\n", e.message);
		return -1;
	}
	return 0;
}

/* ---- the store driver ---------------------------------------------------------- */

struct worker {
	const struct bench_env *env;
	const struct bench_op *op;
	struct store *st;
	pthread_barrier_t *start;
	uint64_t seed;
	uint32_t *lat;
	size_t n, cap;
	long errors;
	double began, ended;
	char err[256];
};

static void
record(struct worker *w, double seconds)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 65536;
		uint32_t *p = realloc(w->lat, cap * sizeof *p);

		if (!p) {
			w->errors++;
			return;
		}
		w->lat = p;
		w->cap = cap;
	}
	w->lat[w->n++] = (uint32_t)(seconds * 1e6 + 0.5);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	double end;

	pthread_barrier_wait(w->start);
	w->began = now_s();
	end = w->began + w->env->seconds;
	for (double t = w->began; t < end;) {
		long v = draw(w->env, w->op, &w->seed);
		char err[256];
		double t1;

		if (w->op->call(w->st, v, err, sizeof err) < 0) {
			if (!w->errors++)
				snprintf(w->err, sizeof w->err, "%s", err);
		}
		t1 = now_s();
		record(w, t1 - t);
		t = t1;
	}
	w->ended = now_s();
	return NULL;
}

static int
collect(struct bench_figure *out, struct worker *w, int clients)
{
	size_t total = 0;
	uint32_t *all;
	double began = w[0].began, ended = w[0].ended;

	for (int i = 0; i < clients; i++) {
		total += w[i].n;
		out->errors += w[i].errors;
		began = w[i].began < began ? w[i].began : began;
		ended = w[i].ended > ended ? w[i].ended : ended;
	}
	if (!(all = malloc((total + 1) * sizeof *all)))
		return -1;
	total = 0;
	for (int i = 0; i < clients; i++) {
		memcpy(all + total, w[i].lat, w[i].n * sizeof *all);
		total += w[i].n;
	}
	out->ops = (long)total;
	out->tps = (double)total / (ended - began);
	bench_percentiles(out, all, total);
	free(all);
	return 0;
}

int
bench_store_run(struct bench_figure *out, const struct bench_env *env, const struct bench_op *op,
		int clients)
{
	struct worker w[64] = { 0 };
	pthread_t th[64];
	pthread_barrier_t start;
	int rc = 0, started = 0;

	memset(out, 0, sizeof *out);
	if (clients < 1 || clients > 64)
		return -1;
	pthread_barrier_init(&start, NULL, (unsigned)clients);
	for (int i = 0; i < clients && rc == 0; i++) {
		char err[256];

		w[i] = (struct worker){ .env = env,
					.op = op,
					.start = &start,
					.seed = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1) };
		/* Connected and warmed (statements prepared) before the clock. */
		if (open_store(&w[i].st, env) < 0
		    || op->call(w[i].st, draw(env, op, &w[i].seed), err, sizeof err) < 0) {
			fprintf(stderr, "bench: %s: %s\n", op->key, w[i].st ? err : "no store");
			rc = -1;
		}
	}
	for (int i = 0; i < clients && rc == 0; i++, started++)
		if (pthread_create(&th[i], NULL, worker_main, &w[i]) != 0)
			rc = -1;
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	if (rc == 0 && started == clients)
		rc = collect(out, w, clients);
	for (int i = 0; i < clients; i++) {
		if (w[i].errors && rc == 0) {
			fprintf(stderr, "bench: %s: %ld errors, first: %s\n", op->key, w[i].errors,
				w[i].err);
			rc = -1;
		}
		store_close(&w[i].st);
		free(w[i].lat);
	}
	pthread_barrier_destroy(&start);
	out->ok = rc == 0;
	return rc;
}

/* ---- capturing the store's statements --------------------------------------------- */

#define MAX_STMTS 16

struct capture {
	int n;
	char *sql[MAX_STMTS];
	int np[MAX_STMTS];
	char *params[MAX_STMTS][16];
	bool null[MAX_STMTS][16];
};

static void
capture_stmt(void *arg, const char *sql, int n, const char *const *params)
{
	struct capture *c = arg;

	if (c->n >= MAX_STMTS || n > 16)
		return;
	c->sql[c->n] = strdup(sql);
	c->np[c->n] = n;
	for (int i = 0; i < n; i++) {
		c->null[c->n][i] = params[i] == NULL;
		c->params[c->n][i] = strdup(params[i] ? params[i] : "");
	}
	c->n++;
}

static void
capture_free(struct capture *c)
{
	for (int s = 0; s < c->n; s++) {
		free(c->sql[s]);
		for (int i = 0; i < c->np[s]; i++)
			free(c->params[s][i]);
	}
}

/* The pgbench text of parameter i of statement s: a drawn value's SQL
 * expression, NULL or '' as literals, any other value a variable. */
static void
param_text(char *out, size_t n, const struct capture *c, int s, int i,
	   const struct bench_rule *rules, int nrules, FILE *defs)
{
	const char *p = c->params[s][i];

	if (c->null[s][i]) {
		snprintf(out, n, "NULL");
		return;
	}
	if (!*p) {
		snprintf(out, n, "''"); /* pgbench has no empty variables */
		return;
	}
	for (int k = 0; k < nrules; k++)
		if (strcmp(p, rules[k].value) == 0) {
			snprintf(out, n, "%s", rules[k].expr);
			return;
		}
	snprintf(out, n, ":s%d_%d", s, i + 1);
	fprintf(defs, "s%d_%d=%s\n", s, i + 1, p);
}

/* Statement s with $1.. replaced (outside quoted literals). */
static void
write_stmt(FILE *f, FILE *defs, const struct capture *c, int s, const struct bench_rule *rules,
	   int nrules)
{
	bool quoted = false;

	for (const char *p = c->sql[s]; *p; p++) {
		if (*p == '\'')
			quoted = !quoted;
		if (!quoted && *p == '$' && p[1] >= '1' && p[1] <= '9') {
			char *end, text[2048];
			long i = strtol(p + 1, &end, 10);

			param_text(text, sizeof text, c, s, (int)i - 1, rules, nrules, defs);
			fputs(text, f);
			p = end - 1;
			continue;
		}
		fputc(*p, f);
	}
	fputs(";\n", f);
}

int
bench_capture_script(const struct bench_env *env, const char *key, const char *title,
		     const char *draw_line, bench_call_fn *call, void *arg,
		     const struct bench_rule *rules, int nrules)
{
	struct capture cap = { 0 };
	struct store *st = NULL;
	char path[512], dpath[512], err[256];
	FILE *f, *defs;
	int rc;

	if (open_store(&st, env) < 0)
		return -1;
	store_pg_trace(capture_stmt, &cap);
	rc = call(st, arg, err, sizeof err);
	store_pg_trace(NULL, NULL);
	store_close(&st);
	if (rc < 0) {
		fprintf(stderr, "bench: %s: %s\n", key, err);
		capture_free(&cap);
		return -1;
	}
	snprintf(path, sizeof path, "%s/%s.pgbench", env->workdir, key);
	snprintf(dpath, sizeof dpath, "%s/%s.vars", env->workdir, key);
	f = fopen(path, "w");
	defs = fopen(dpath, "w");
	if (!f || !defs) {
		fprintf(stderr, "bench: %s: %s\n", path, strerror(errno));
		rc = -1;
	} else {
		fprintf(f, "-- %s: the statements one store call sends (generated)\n", title);
		fputs(draw_line, f);
		fputs("\\startpipeline\n", f);
		for (int s = 0; s < cap.n; s++)
			write_stmt(f, defs, &cap, s, rules, nrules);
		fputs("\\endpipeline\n", f);
	}
	if (f)
		fclose(f);
	if (defs)
		fclose(defs);
	capture_free(&cap);
	return rc;
}

struct op_call {
	const struct bench_op *op;
	long v;
};

static int
call_op(struct store *st, void *arg, char *err, size_t n)
{
	const struct op_call *c = arg;

	return c->op->call(st, c->v, err, n);
}

int
bench_pgbench_script(const struct bench_env *env, const struct bench_op *op)
{
	uint64_t seed = 42;
	struct op_call c = { op, draw(env, op, &seed) };
	struct bench_rule rules[2];
	int nrules = 2;

	if (op->draw == DRAW_TERM || op->draw == DRAW_FULL_TERM) {
		snprintf(rules[0].value, sizeof rules[0].value, "%%%s%%", bench_term((int)c.v));
		bench_subst(rules[0].expr, sizeof rules[0].expr, BENCH_PATTERN_SQL, "{k}",
			    ":k::int4");
		snprintf(rules[1].value, sizeof rules[1].value, "%s", bench_term((int)c.v));
		bench_subst(rules[1].expr, sizeof rules[1].expr, BENCH_TERM_SQL, "{k}", ":k::int4");
	} else {
		bench_tenant_id(rules[0].value, c.v);
		bench_subst(rules[0].expr, sizeof rules[0].expr, BENCH_ID_SQL, "{n}", ":n::int4");
		bench_tenant_name(rules[1].value, sizeof rules[1].value, c.v);
		bench_subst(rules[1].expr, sizeof rules[1].expr, BENCH_NAME_SQL, "{n}", ":n::int4");
	}
	return bench_capture_script(env, op->key, op->title, draw_pgbench(op), call_op, &c, rules,
				    nrules);
}

/* ---- running pgbench ------------------------------------------------------------------ */

static int
read_vars(char **argv, int *argc, int max, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096];

	if (!f)
		return -1;
	while (*argc + 2 < max && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		argv[(*argc)++] = strdup("-D");
		argv[(*argc)++] = strdup(line);
	}
	fclose(f);
	return 0;
}

/* Latencies (µs, third field) of every transaction pgbench logged. */
static int
read_logs(struct bench_figure *out, const char *prefix)
{
	char pat[600];
	glob_t g;
	uint32_t *v = NULL;
	size_t n = 0, cap = 0;

	snprintf(pat, sizeof pat, "%s.*", prefix);
	if (glob(pat, 0, NULL, &g) != 0)
		return -1;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");
		long client, tx, us;

		while (f && fscanf(f, "%ld %ld %ld %*[^\n]", &client, &tx, &us) == 3) {
			if (n == cap) {
				cap = cap ? cap * 2 : 65536;
				v = realloc(v, cap * sizeof *v);
				if (!v)
					break;
			}
			v[n++] = (uint32_t)us;
		}
		if (f)
			fclose(f);
		remove(g.gl_pathv[i]);
	}
	globfree(&g);
	if (v)
		bench_percentiles(out, v, n);
	free(v);
	return v || n == 0 ? 0 : -1;
}

int
bench_spawn_wait(char **argv, const char *outpath)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status = -1;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, outpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int
parse_pgbench(struct bench_figure *out, const char *outpath)
{
	FILE *f = fopen(outpath, "r");
	char line[1024];
	int have = 0;

	while (f && fgets(line, sizeof line, f)) {
		if (sscanf(line, "tps = %lf", &out->tps) == 1)
			have |= 1;
		if (sscanf(line, "number of transactions actually processed: %ld", &out->ops) == 1)
			have |= 2;
		if (sscanf(line, "number of failed transactions: %ld", &out->errors) == 1)
			have |= 4;
	}
	if (f)
		fclose(f);
	return (have & 3) == 3 ? 0 : -1;
}

int
bench_pgbench_run(struct bench_figure *out, const struct bench_env *env, const char *key,
		  int clients)
{
	char *argv[128];
	int argc = 0, rc;
	char script[512], vars[512], prefix[512], outpath[512], c[16], j[16], t[16], nt[48],
	    logp[600];

	memset(out, 0, sizeof *out);
	snprintf(script, sizeof script, "%s/%s.pgbench", env->workdir, key);
	snprintf(vars, sizeof vars, "%s/%s.vars", env->workdir, key);
	snprintf(prefix, sizeof prefix, "%s/log-%s-%d", env->workdir, key, clients);
	snprintf(outpath, sizeof outpath, "%s/pgbench-%s-%d.out", env->workdir, key, clients);
	snprintf(c, sizeof c, "%d", clients);
	snprintf(j, sizeof j, "%d", clients < 2 ? 1 : 2);
	snprintf(t, sizeof t, "%d", (int)env->seconds);
	snprintf(nt, sizeof nt, "ntenants=%ld", env->tenants);
	snprintf(logp, sizeof logp, "--log-prefix=%s", prefix);
	{
		const char *fixed[] = { "pgbench",
					"-n",
					"-M",
					"prepared",
					"-h",
					env->host,
					"-p",
					env->port,
					"-U",
					env->user,
					"-c",
					c,
					"-j",
					j,
					"-T",
					t,
					"-D",
					nt,
					"-f",
					script,
					"-l",
					logp,
					"--sampling-rate=0.25",
					NULL };

		for (int i = 0; fixed[i]; i++)
			argv[argc++] = strdup(fixed[i]);
	}
	if (read_vars(argv, &argc, 120, vars) < 0) {
		fprintf(stderr, "bench: %s: no script variables (%s)\n", key, vars);
		rc = -1;
		goto out;
	}
	argv[argc++] = strdup(env->db);
	argv[argc] = NULL;
	rc = bench_spawn_wait(argv, outpath);
	if (rc != 0 || parse_pgbench(out, outpath) < 0 || read_logs(out, prefix) < 0) {
		fprintf(stderr, "bench: pgbench failed for %s (exit %d), see %s\n", key, rc,
			outpath);
		rc = -1;
	}
out:
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	out->ok = rc == 0 && out->errors == 0;
	return out->ok ? 0 : -1;
}

/* ---- statistics ------------------------------------------------------------------------ */

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

void
bench_percentiles(struct bench_figure *f, uint32_t *v, size_t n)
{
	if (!n) {
		f->p50 = f->p95 = f->p99 = 0;
		return;
	}
	qsort(v, n, sizeof *v, cmp_u32);
	f->p50 = v[(size_t)(0.50 * (double)(n - 1))] / 1000.0;
	f->p95 = v[(size_t)(0.95 * (double)(n - 1))] / 1000.0;
	f->p99 = v[(size_t)(0.99 * (double)(n - 1))] / 1000.0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void
bench_median(struct bench_figure *out, const struct bench_figure *reps, int n)
{
	double tps[32], p50[32], p95[32], p99[32];

	memset(out, 0, sizeof *out);
	out->ok = n > 0;
	for (int i = 0; i < n && i < 32; i++) {
		tps[i] = reps[i].tps;
		p50[i] = reps[i].p50;
		p95[i] = reps[i].p95;
		p99[i] = reps[i].p99;
		out->ops += reps[i].ops;
		out->errors += reps[i].errors;
		out->ok &= reps[i].ok;
	}
	if (n < 1)
		return;
	out->tps = median(tps, n);
	out->p50 = median(p50, n);
	out->p95 = median(p95, n);
	out->p99 = median(p99, n);
}
