/* bench.h - make bench: the dataset, the operations, the drivers and the
 * report.
 *
 * The dataset is a pure function of the tenant count: tenant n (1..N) has
 * a fixed id, name and slug, so a random n picks a real tenant both in the
 * C driver and in pgbench, where the same values are computed by the SQL
 * expressions below (bench_data.c checks that both sides agree before any
 * figure is taken).
 */
#ifndef TENANTRY_BENCH_H
#define TENANTRY_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/types.h"

/* ---- dataset ------------------------------------------------------------- */

struct bench_scale {
	long tenants; /* memberships = 10x, users = 5x */
	long users;
	long audit; /* entries, 50 per tenant on average */
};
void bench_scale_of(struct bench_scale *s, long tenants);

/* Tenant n's values, as C and as SQL over the integer expression {n}. */
void bench_tenant_id(char out[ID_LEN], long n);
void bench_tenant_name(char *out, size_t len, long n);
void bench_tenant_slug(char *out, size_t len, long n);
const char *bench_tenant_status(long n); /* trial, suspended or active */
extern const char BENCH_ID_SQL[];
extern const char BENCH_NAME_SQL[];
/* Substring filters: term k, and the term and the LIKE pattern the store
 * sends for it. Terms 0..BENCH_NTERMS-1 are of different selectivity
 * (rare ones included); the BENCH_NFULL after them each match more than
 * a page of 50 both at 1,000 and at 100,000 tenants, so a page of them is
 * the same work at either size (the filter's growth row). */
#define BENCH_NTERMS 8
#define BENCH_NFULL 4
const char *bench_term(int k);
extern const char BENCH_TERM_SQL[];    /* over {k} */
extern const char BENCH_PATTERN_SQL[]; /* over {k} */
/* Tenant n's admin user (member 0) among `users`: id and email, and the
 * same in SQL over {n} and {u} (the user count). */
void bench_tenant_admin(char id[ID_LEN], char *email, size_t len, long n, long users);
extern const char BENCH_ADMIN_ID_SQL[];
extern const char BENCH_ADMIN_EMAIL_SQL[];
/* Tenants whose n is a multiple of 10 have 320 audit entries, the others 20. */
long bench_audit_count(long n);

/* Loads the dataset into an empty, migrated database (superuser conninfo);
 * prints progress to stderr. Returns 0 or -1 with a message printed. */
int bench_load(const char *conninfo, long tenants, double *seconds);

/* tmpl with every occurrence of var replaced by with. */
void bench_subst(char *out, size_t n, const char *tmpl, const char *var, const char *with);

/* Runs `SELECT expr` for a few n and compares with the C values. */
int bench_check_formulas(const char *conninfo);

/* Checks that each of the BENCH_NFULL terms matches more than a page of
 * tenants in the database; -1 after saying which does not. */
int bench_check_full_terms(const char *conninfo);

/* ---- operations ---------------------------------------------------------- */

struct store;

/* Which integers a call draws; pgbench draws the same with \set. */
enum bench_draw {
	DRAW_TENANT,    /* n uniform in 1..N */
	DRAW_TENANT10,  /* n uniform among multiples of 10 */
	DRAW_HOT,       /* n = 1 */
	DRAW_TERM,      /* k uniform in 0..BENCH_NTERMS-1 */
	DRAW_FULL_TERM, /* k uniform among the BENCH_NFULL after those */
};

struct bench_op {
	const char *key;   /* "tenant_get" */
	const char *title; /* "tenant by id" */
	enum bench_draw draw;
	/* One call with the drawn integer; 0 or -1 (message in err). */
	int (*call)(struct store *st, long v, char *err, size_t errlen);
	/* Measured only at one client on both datasets, for its growth row. */
	bool growth_only;
	/* Set: its growth row is reported without a target, with this note
	 * on why its two sides are not the same work. */
	const char *growth_note;
};
extern const struct bench_op bench_ops[];
extern const int bench_nops;

/* ---- measurement --------------------------------------------------------- */

struct bench_figure {
	double tps;           /* operations per second */
	double p50, p95, p99; /* milliseconds */
	long ops, errors;
	bool ok;
};

struct bench_env {
	const char *host, *port;
	const char *db;   /* the dataset's database */
	const char *user; /* bench login (RLS applies) */
	long tenants;
	int seconds; /* per repetition */
	int reps;
	const char *workdir; /* scripts and pgbench logs */
};

/* The libpq conninfo of env's dataset as its bench login. */
void bench_conninfo(char *out, size_t n, const struct bench_env *env);

/* The store driver: `clients` threads, one store each, for env->seconds. */
int bench_store_run(struct bench_figure *out, const struct bench_env *env,
		    const struct bench_op *op, int clients);
/* A captured parameter equal to value is written as the SQL expr (over
 * pgbench's drawn :n or :k) in the script. */
struct bench_rule {
	char value[256];
	char expr[2048];
};
typedef int bench_call_fn(struct store *st, void *arg, char *err, size_t n);
/* Writes KEY.pgbench (and KEY.vars, its -D constants) under env->workdir
 * from the statements one call(st, arg) sends: draw_line first, then the
 * statements in one pipeline. */
int bench_capture_script(const struct bench_env *env, const char *key, const char *title,
			 const char *draw_line, bench_call_fn *call, void *arg,
			 const struct bench_rule *rules, int nrules);
/* The script of a store operation. */
int bench_pgbench_script(const struct bench_env *env, const struct bench_op *op);
/* pgbench -M prepared with script KEY, `clients` clients. */
int bench_pgbench_run(struct bench_figure *out, const struct bench_env *env, const char *key,
		      int clients);
/* Runs argv (argv[0] looked up in PATH) with stdout and stderr into
 * outpath; its exit status, or -1. */
int bench_spawn_wait(char **argv, const char *outpath);

/* Percentiles of n latencies in microseconds (sorts v). */
void bench_percentiles(struct bench_figure *f, uint32_t *v, size_t n);
/* Median of each field over n repetitions. */
void bench_median(struct bench_figure *out, const struct bench_figure *reps, int n);

/* ---- tenantryd ------------------------------------------------------------ */

struct bench_report;
/* Starts tenantryd on env's database, logs tenant admins in, measures the
 * REST rows with wrk against pgbench of the statements tenantryd's store
 * sends, adds the rows and stops the server. only: "signin" or "webhooks"
 * for that row alone, NULL for every row. */
int bench_server_rows(struct bench_report *rep, const struct bench_env *env, const char *tenantryd,
		      const char *only);
/* wrk with script on url, conns connections, for env->seconds; a non-2xx
 * answer fails the run. */
int bench_wrk(struct bench_figure *out, const struct bench_env *env, const char *url,
	      const char *script, int conns);
/* The sign-in row (bench_signin.c): logins/s of the K tenant admins
 * (ids, emails) through the server at url, against Argon2id alone. */
int bench_signin_row(struct bench_report *rep, const struct bench_env *env, const char *url,
		     const char (*ids)[ID_LEN], const char (*emails)[96], int k);

/* The webhook row (bench_webhooks.c): events committed at 200 a second to
 * their arrival at a receiver on loopback, through the running tenantryd
 * (whose master key is key_file); the tenants busy are left alone. */
int bench_webhook_row(struct bench_report *rep, const struct bench_env *env, const char *key_file,
		      const char (*busy)[ID_LEN], int nbusy);

/* ---- report -------------------------------------------------------------- */

struct bench_row {
	char name[96];
	char unit[16];        /* "ops/s", "ms" */
	double tenantry, raw; /* raw < 0: no raw figure */
	double ratio;         /* < 0: not applicable */
	char target[32];
	bool measured, met;
	char note[160]; /* why not measured, or what the figures mean */
};

struct bench_report {
	struct bench_row rows[64];
	int n;
	char machine[256];
	char dataset[256];
};

struct bench_row *bench_row_add(struct bench_report *r, const char *name);
void bench_report_print(const struct bench_report *r);
int bench_report_json(const struct bench_report *r, const char *path);

#endif
