/* bench_data.c - the bench dataset: tenant n's values in C and in SQL, and
 * the bulk loader.
 *
 * The loader streams generated rows with COPY over two connections at once
 * (audit entries on one, tenants, users and memberships on the other) with
 * triggers off (session_replication_role = replica), so it writes what the
 * triggers would have written itself: quotas with the counted usage, and
 * every audit chain with its hashes computed here exactly as
 * audit_append() computes them (src/sql/004_audit.sql), plus the chain
 * heads. `tenantry audit verify` accepts the result.
 */
#include <libpq-fe.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench.h"

static const char *const words_a[] = {
	"Acme",    "Apex",   "Aurora", "Beacon",   "Birch",  "Cobalt", "Comet",  "Delta",
	"Ember",   "Falcon", "Fjord",  "Granite",  "Harbor", "Helix",  "Indigo", "Juniper",
	"Kestrel", "Lumen",  "Maple",  "Meridian", "Nimbus", "Nova",   "Onyx",   "Orbit",
	"Pioneer", "Quartz", "Raven",  "Summit",   "Tundra", "Vertex", "Willow", "Zenith",
};
static const char *const words_b[] = {
	"Analytics", "Bakery",    "Capital", "Clinic", "Cloud",    "Consulting",
	"Dynamics",  "Energy",    "Foods",   "Games",  "Health",   "Holdings",
	"Labs",      "Logistics", "Media",   "Motors", "Networks", "Partners",
	"Robotics",  "Studio",    "Systems", "Travel", "Ventures", "Works",
};
#define NA 32
#define NB 24

/* Terms of different selectivity: a first word (1/32 of the tenants), a
 * second word (1/24), and digits that few names contain; then terms found
 * in several words (works, Networks; Analytics, Robotics; Beacon, Falcon,
 * Consulting; Consulting, Holdings), 6 to 19 % of the tenants at either
 * size (bench_check_full_terms). */
static const char *const terms[BENCH_NTERMS + BENCH_NFULL] = {
	"nova", "quartz", "falcon", "maple", "labs", "robotics",
	"777",  "4242",   "works",  "tics",  "con",  "ing",
};

const char BENCH_ID_SQL[] = "('00000000-0000-4000-8000-' || lpad(to_hex({n}), 12, '0'))";
const char BENCH_NAME_SQL[] =
    "((ARRAY['Acme','Apex','Aurora','Beacon','Birch','Cobalt','Comet','Delta',"
    "'Ember','Falcon','Fjord','Granite','Harbor','Helix','Indigo','Juniper',"
    "'Kestrel','Lumen','Maple','Meridian','Nimbus','Nova','Onyx','Orbit',"
    "'Pioneer','Quartz','Raven','Summit','Tundra','Vertex','Willow','Zenith'])"
    "[1 + ({n} * 7) % 32] || ' ' || (ARRAY['Analytics','Bakery','Capital',"
    "'Clinic','Cloud','Consulting','Dynamics','Energy','Foods','Games','Health',"
    "'Holdings','Labs','Logistics','Media','Motors','Networks','Partners',"
    "'Robotics','Studio','Systems','Travel','Ventures','Works'])"
    "[1 + ({n} / 32) % 24] || ' ' || {n})";
/* clang-format off */
#define TERM_SQL "(ARRAY['nova','quartz','falcon','maple','labs','robotics','777'," \
	"'4242','works','tics','con','ing'])[1 + {k}]"
/* clang-format on */
const char BENCH_TERM_SQL[] = "(" TERM_SQL ")";
const char BENCH_PATTERN_SQL[] = "('%' || " TERM_SQL " || '%')";

const char BENCH_ADMIN_ID_SQL[] =
    "('00000000-0000-4000-9000-' || lpad(to_hex((({n}::int8 * 2654435761) % {u})::int4),"
    " 12, '0'))";
const char BENCH_ADMIN_EMAIL_SQL[] =
    "('user' || (({n}::int8 * 2654435761) % {u}) || '@bench.example.com')";

/* Member 0 of every tenant is its admin (see load_member_rows). */
static long
admin_of(long n, long users)
{
	return (long)(((unsigned long)n * 2654435761UL) % (unsigned long)users);
}

void
bench_tenant_admin(char id[ID_LEN], char *email, size_t len, long n, long users)
{
	long u = admin_of(n, users);

	snprintf(id, ID_LEN, "00000000-0000-4000-9000-%012x", (unsigned)u);
	snprintf(email, len, "user%ld@bench.example.com", u);
}

void
bench_scale_of(struct bench_scale *s, long tenants)
{
	s->tenants = tenants;
	s->users = tenants * 5;
	s->audit = 0;
	for (long n = 1; n <= tenants; n++)
		s->audit += bench_audit_count(n);
}

void
bench_tenant_id(char out[ID_LEN], long n)
{
	snprintf(out, ID_LEN, "00000000-0000-4000-8000-%012x", (unsigned)n);
}

void
bench_tenant_name(char *out, size_t len, long n)
{
	snprintf(out, len, "%s %s %ld", words_a[(n * 7) % NA], words_b[(n / NA) % NB], n);
}

void
bench_tenant_slug(char *out, size_t len, long n)
{
	size_t i;

	bench_tenant_name(out, len, n);
	for (i = 0; out[i]; i++)
		out[i] = out[i] == ' '                    ? '-'
			 : out[i] >= 'A' && out[i] <= 'Z' ? (char)(out[i] + 32)
							  : out[i];
}

const char *
bench_tenant_status(long n)
{
	return n % 50 == 1 ? "trial" : n % 97 == 3 ? "suspended" : "active";
}

const char *
bench_term(int k)
{
	return terms[k % (BENCH_NTERMS + BENCH_NFULL)];
}

long
bench_audit_count(long n)
{
	return n % 10 == 0 ? 320 : 20;
}

/* ---- tiers of the dataset --------------------------------------------------- */

struct bench_tier {
	const char *name;
	int members;
};

/* 40 % free, 25 % basic, 20 % professional, 10 % business, 5 % enterprise;
 * 10 members per tenant on average, within every tier's user limit. */
static const struct bench_tier *
tier_of(long n)
{
	static const struct bench_tier t[] = {
		{ "free", 3 },      { "basic", 7 },       { "professional", 14 },
		{ "business", 25 }, { "enterprise", 35 },
	};
	int r = (int)(n % 20);

	return &t[r < 8 ? 0 : r < 13 ? 1 : r < 17 ? 2 : r < 19 ? 3 : 4];
}

/* ---- COPY streaming ---------------------------------------------------------- */

struct copybuf {
	PGconn *c;
	char *buf;
	size_t len, cap;
	int failed;
};

static void
cb_flush(struct copybuf *b)
{
	if (b->len && !b->failed && PQputCopyData(b->c, b->buf, (int)b->len) != 1)
		b->failed = 1;
	b->len = 0;
}

static void __attribute__((format(printf, 2, 3))) cb_printf(struct copybuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->cap - b->len < 4096)
		cb_flush(b);
	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < b->cap - b->len)
		b->len += (size_t)n;
	else
		b->failed = 1;
}

static int
exec_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : -1;

	if (rc < 0)
		fprintf(stderr, "bench: %s\n  in: %.120s\n", PQresultErrorMessage(r), sql);
	PQclear(r);
	return rc;
}

static int
copy_begin(struct copybuf *b, PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	int ok = PQresultStatus(r) == PGRES_COPY_IN;

	if (!ok)
		fprintf(stderr, "bench: %s", PQresultErrorMessage(r));
	PQclear(r);
	b->c = c;
	b->len = 0;
	b->failed = !ok;
	return ok ? 0 : -1;
}

static int
copy_end(struct copybuf *b, const char *what)
{
	PGresult *r;
	int rc = 0;

	cb_flush(b);
	if (PQputCopyEnd(b->c, b->failed ? "generation failed" : NULL) != 1)
		rc = -1;
	while ((r = PQgetResult(b->c))) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			fprintf(stderr, "bench: loading %s: %s", what, PQresultErrorMessage(r));
			rc = -1;
		}
		PQclear(r);
	}
	return b->failed ? -1 : rc;
}

/* "2024-05-01 12:00:00.123456+00" and the canonical "…T…Z" of a time. */
static void
fmt_time(char *sql, size_t n1, char *canon, size_t n2, int64_t us)
{
	time_t s = (time_t)(us / 1000000);
	struct tm tm;
	char day[64];

	gmtime_r(&s, &tm);
	strftime(day, sizeof day, "%Y-%m-%d %H:%M:%S", &tm);
	if (sql)
		snprintf(sql, n1, "%s.%06d+00", day, (int)(us % 1000000));
	day[10] = 'T';
	if (canon)
		snprintf(canon, n2, "%s.%06dZ", day, (int)(us % 1000000));
}

/* ---- the loaders ------------------------------------------------------------- */

struct load_job {
	const char *conninfo;
	long tenants;
	int64_t now_us;
	int rc;
};

static PGconn *
load_conn(const char *conninfo)
{
	const char *keys[] = { "dbname", "application_name", NULL };
	const char *vals[] = { conninfo, "tenantry-bench-load", NULL };
	PGconn *c = PQconnectdbParams(keys, vals, 1);

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "bench: %s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	/* Superuser: skip triggers and foreign-key checks; this loader writes
	 * what they would have. */
	if (exec_ok(c, "SET session_replication_role = replica") < 0
	    || exec_ok(c, "SET synchronous_commit = off") < 0) {
		PQfinish(c);
		return NULL;
	}
	return c;
}

static void
field(crypto_hash_sha256_state *h, const char *v)
{
	char len[24];

	snprintf(len, sizeof len, "%zu:", strlen(v));
	crypto_hash_sha256_update(h, (const uint8_t *)len, strlen(len));
	crypto_hash_sha256_update(h, (const uint8_t *)v, strlen(v));
	crypto_hash_sha256_update(h, (const uint8_t *)";", 1);
}

/* One tenant's chain: entries 1..count, an hour apart, ending now. */
static void
audit_chain(struct copybuf *b, struct copybuf *heads, long n, int64_t now_us)
{
	static const char *const actions[] = { "tenant.update", "member.create", "setting.update",
					       "invitation.create", "api_key.create" };
	long count = bench_audit_count(n);
	uint8_t prev[32], hash[32];
	char id[ID_LEN], prevhex[65] = "", hashhex[65] = "";

	bench_tenant_id(id, n);
	for (long s = 1; s <= count; s++) {
		int64_t at = now_us - (count - s) * INT64_C(3600000000) - (n % 3600) * 1000000
			     - (n * 7919) % 1000000;
		const char *action = actions[(n + s) % 5];
		char ts[80], canon[80], seq[24], rtype[32], rid[32], newj[48];
		crypto_hash_sha256_state h;

		fmt_time(ts, sizeof ts, canon, sizeof canon, at);
		snprintf(seq, sizeof seq, "%ld", s);
		snprintf(rtype, sizeof rtype, "%.*s", (int)strcspn(action, "."), action);
		snprintf(rid, sizeof rid, "r%ld", s);
		snprintf(newj, sizeof newj, "{\"seq\": %ld}", s);
		crypto_hash_sha256_init(&h);
		if (s > 1)
			crypto_hash_sha256_update(&h, prev, sizeof prev);
		field(&h, id);
		field(&h, seq);
		field(&h, canon);
		field(&h, "bench@example.com");
		field(&h, "user");
		field(&h, action);
		field(&h, rtype);
		field(&h, rid);
		field(&h, ""); /* old: NULL */
		field(&h, newj);
		field(&h, "10.0.0.1");
		field(&h, "tenantry-bench");
		crypto_hash_sha256_final(&h, hash);
		sodium_bin2hex(hashhex, sizeof hashhex, hash, sizeof hash);
		cb_printf(b,
			  "%s\t%ld\t%s\tbench@example.com\tuser\t%s\t%s\t%s\t\\N\t%s\t"
			  "10.0.0.1\ttenantry-bench\t\\\\x%s\t\\\\x%s\n",
			  id, s, ts, action, rtype, rid, newj, prevhex, hashhex);
		memcpy(prev, hash, sizeof prev);
		memcpy(prevhex, hashhex, sizeof prevhex);
	}
	cb_printf(heads, "%s\t%ld\t\\\\x%s\n", id, count, hashhex);
}

static void *
load_audit(void *arg)
{
	struct load_job *j = arg;
	PGconn *c = load_conn(j->conninfo);
	struct copybuf b = { .cap = 1 << 20 }, heads = { .cap = 1 << 20 };

	j->rc = -1;
	b.buf = malloc(b.cap);
	heads.buf = malloc(heads.cap);
	if (!c || !b.buf || !heads.buf)
		goto out;
	/* The heads are buffered whole (one line per tenant) and sent after. */
	heads.cap = (size_t)j->tenants * 120 + 4096;
	free(heads.buf);
	if (!(heads.buf = malloc(heads.cap)))
		goto out;
	if (copy_begin(&b, c,
		       "COPY tenantry.audit_log (tenant_id, seq, at, actor, "
		       "actor_kind, action, resource_type, resource_id, old, new, ip, "
		       "user_agent, prev_hash, hash) FROM STDIN")
	    < 0)
		goto out;
	for (long n = 1; n <= j->tenants; n++)
		audit_chain(&b, &heads, n, j->now_us);
	if (copy_end(&b, "audit_log") < 0)
		goto out;
	{
		struct copybuf hb = { .c = c,
				      .buf = heads.buf,
				      .len = heads.len,
				      .cap = heads.cap };

		if (copy_begin(&b, c,
			       "COPY tenantry.audit_heads (tenant_id, seq, hash) "
			       "FROM STDIN")
		    < 0)
			goto out;
		hb.failed = heads.failed;
		if (copy_end(&hb, "audit_heads") < 0)
			goto out;
	}
	j->rc = 0;
out:
	free(b.buf);
	free(heads.buf);
	PQfinish(c);
	return NULL;
}

static int
load_tenant_rows(struct copybuf *b, PGconn *c, long tenants, int64_t now_us)
{
	if (copy_begin(b, c,
		       "COPY tenantry.tenants (id, slug, name, domain, tier, "
		       "status, trial_ends_at, billing_email, created_at, updated_at, members) "
		       "FROM STDIN")
	    < 0)
		return -1;
	for (long n = 1; n <= tenants; n++) {
		char id[ID_LEN], name[96], slug[96], created[80], trial[80] = "\\N";
		const char *status = bench_tenant_status(n);

		bench_tenant_id(id, n);
		bench_tenant_name(name, sizeof name, n);
		bench_tenant_slug(slug, sizeof slug, n);
		fmt_time(created, sizeof created, NULL, 0,
			 now_us - (n % 700 + 1) * INT64_C(86400000000));
		if (*status == 't')
			fmt_time(trial, sizeof trial, NULL, 0, now_us + INT64_C(864000000000));
		if (n % 3)
			cb_printf(
			    b,
			    "%s\t%s\t%s\t%s.example.com\t%s\t%s\t%s\tbilling@%s.example.com\t%s\t%s\t%d\n",
			    id, slug, name, slug, tier_of(n)->name, status, trial, slug, created,
			    created, tier_of(n)->members);
		else
			cb_printf(b, "%s\t%s\t%s\t\\N\t%s\t%s\t%s\t\\N\t%s\t%s\t%d\n", id, slug,
				  name, tier_of(n)->name, status, trial, created, created,
				  tier_of(n)->members);
	}
	return copy_end(b, "tenants");
}

/* All bench users share one password hash: hashing 500,000 Argon2id
 * passwords would take hours and measures nothing here. */
static int
load_user_rows(struct copybuf *b, PGconn *c, long users)
{
	char hash[crypto_pwhash_STRBYTES];

	if (crypto_pwhash_str(hash, "bench-password", 14, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE)
	    != 0)
		return -1;
	if (copy_begin(b, c,
		       "COPY tenantry.users (id, email, full_name, "
		       "password_hash) FROM STDIN")
	    < 0)
		return -1;
	for (long u = 0; u < users; u++)
		cb_printf(b,
			  "00000000-0000-4000-9000-%012lx\tuser%ld@bench.example.com\t"
			  "User %ld\t%s\n",
			  u, u, u, hash);
	return copy_end(b, "users");
}

/* Member j of tenant n: distinct users per tenant (9973 is prime and
 * coprime with every user count), each user in about two tenants. */
static int
load_member_rows(struct copybuf *b, PGconn *c, long tenants, long users)
{
	static const char *const roles[] = { "member", "member", "manager",
					     "viewer", "member", "admin" };

	if (copy_begin(b, c,
		       "COPY tenantry.tenant_users (tenant_id, user_id, role) "
		       "FROM STDIN")
	    < 0)
		return -1;
	for (long n = 1; n <= tenants; n++) {
		long base = admin_of(n, users);
		char id[ID_LEN];

		bench_tenant_id(id, n);
		for (long j = 0; j < tier_of(n)->members; j++)
			cb_printf(b, "%s\t00000000-0000-4000-9000-%012lx\t%s\n", id,
				  (base + j * 9973) % users, j ? roles[j % 6] : "admin");
	}
	return copy_end(b, "tenant_users");
}

/* Quotas as tenant_quotas() and the counting triggers would leave them;
 * api_calls limits are raised so the bench measures consumption, not
 * refusals. */
static const char QUOTAS_SQL[] =
    "INSERT INTO tenantry.quotas (tenant_id, resource, quota_limit, used, "
    "period, period_start) "
    "SELECT t.id, r, CASE WHEN r = 'api_calls' THEN 1000000000 "
    "ELSE tenantry.tier_limit(tr, r) END, "
    "CASE r WHEN 'users' THEN coalesce(m.n, 0) "
    "WHEN 'storage_bytes' THEN tr.storage_limit_bytes / 20 ELSE 0 END, "
    "tenantry.resource_period(r), "
    "tenantry.window_start(tenantry.resource_period(r), now(), t.created_at) "
    "FROM tenantry.tenants t JOIN tenantry.tiers tr ON tr.name = t.tier "
    "LEFT JOIN (SELECT tenant_id, count(*) n FROM tenantry.tenant_users "
    "GROUP BY tenant_id) m ON m.tenant_id = t.id, "
    "unnest(ARRAY['users', 'storage_bytes', 'api_calls', 'api_keys', "
    "'invitations']) r";

/* The filter's trigrams (015_search_terms.sql), as its trigger writes them,
 * in index order. */
static const char TERMS_SQL[] = "INSERT INTO tenantry.tenant_terms (term, name, tenant_id) "
				"SELECT g, t.name, t.id FROM tenantry.tenants t, "
				"tenantry.search_terms(t.search) g ORDER BY 1, 2, 3";

static void *
load_tenants(void *arg)
{
	struct load_job *j = arg;
	PGconn *c = load_conn(j->conninfo);
	struct copybuf b = { .cap = 1 << 20 };
	long users = j->tenants * 5;

	j->rc = -1;
	b.buf = malloc(b.cap);
	if (c && b.buf && load_tenant_rows(&b, c, j->tenants, j->now_us) == 0
	    && load_user_rows(&b, c, users) == 0 && load_member_rows(&b, c, j->tenants, users) == 0
	    && exec_ok(c, QUOTAS_SQL) == 0 && exec_ok(c, TERMS_SQL) == 0)
		j->rc = 0;
	free(b.buf);
	PQfinish(c);
	return NULL;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
bench_load(const char *conninfo, long tenants, double *seconds)
{
	struct timespec wall;
	struct load_job a, t;
	pthread_t ta, tt;
	double t0 = now_s();
	PGconn *c;
	int rc;

	if (sodium_init() < 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &wall);
	a = (struct load_job){ conninfo, tenants,
			       (int64_t)wall.tv_sec * 1000000 + wall.tv_nsec / 1000, -1 };
	t = a;
	if (pthread_create(&ta, NULL, load_audit, &a) != 0)
		return -1;
	if (pthread_create(&tt, NULL, load_tenants, &t) != 0) {
		pthread_join(ta, NULL);
		return -1;
	}
	pthread_join(ta, NULL);
	pthread_join(tt, NULL);
	if (a.rc < 0 || t.rc < 0)
		return -1;
	fprintf(stderr, "bench: rows loaded in %.1f s; vacuum and analyze\n", now_s() - t0);
	if (!(c = load_conn(conninfo)))
		return -1;
	rc = exec_ok(c, "VACUUM (FREEZE, ANALYZE) tenantry.tenants, tenantry.users, "
			"tenantry.tenant_users, tenantry.quotas, tenantry.audit_log, "
			"tenantry.audit_heads, tenantry.tenant_terms");
	if (rc == 0)
		rc = exec_ok(c, "CHECKPOINT");
	PQfinish(c);
	*seconds = now_s() - t0;
	return rc;
}

/* ---- the SQL side of the formulas ---------------------------------------------- */

void
bench_subst(char *out, size_t n, const char *tmpl, const char *var, const char *with)
{
	size_t len = 0, vl = strlen(var);

	for (const char *p = tmpl; *p && len + 1 < n;) {
		if (strncmp(p, var, vl) == 0) {
			len += (size_t)snprintf(out + len, n - len, "%s", with);
			p += vl;
		} else {
			out[len++] = *p++;
		}
	}
	out[len < n ? len : n - 1] = '\0';
}

static int
check_one(PGconn *c, const char *tmpl, const char *var, long v, const char *want)
{
	char sql[2048], num[32];
	PGresult *r;
	int rc;

	snprintf(num, sizeof num, "%ld::int4", v);
	bench_subst(sql, sizeof sql, tmpl, var, num);
	memmove(sql + 7, sql, strlen(sql) + 1);
	memcpy(sql, "SELECT ", 7);
	r = PQexec(c, sql);
	rc = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1
		     && strcmp(PQgetvalue(r, 0, 0), want) == 0
		 ? 0
		 : -1;
	if (rc < 0)
		fprintf(stderr, "bench: SQL formula disagrees with C for %ld: '%s' vs '%s'\n", v,
			PQresultStatus(r) == PGRES_TUPLES_OK ? PQgetvalue(r, 0, 0)
							     : PQresultErrorMessage(r),
			want);
	PQclear(r);
	return rc;
}

int
bench_check_full_terms(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);
	int rc = PQstatus(c) == CONNECTION_OK ? 0 : -1;

	for (int k = BENCH_NTERMS; rc == 0 && k < BENCH_NTERMS + BENCH_NFULL; k++) {
		const char *p[1] = { bench_term(k) };
		PGresult *r = PQexecParams(c,
					   "SELECT count(*) FROM tenantry.tenants "
					   "WHERE search LIKE '%' || $1 || '%'",
					   1, NULL, p, NULL, NULL, 0);

		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			fprintf(stderr, "bench: %s", PQresultErrorMessage(r));
			rc = -1;
		} else if (atol(PQgetvalue(r, 0, 0)) <= 50) {
			fprintf(stderr, "bench: '%s' matches %s tenants in %s, not a full page\n",
				p[0], PQgetvalue(r, 0, 0), PQdb(c));
			rc = -1;
		}
		PQclear(r);
	}
	if (PQstatus(c) != CONNECTION_OK)
		fprintf(stderr, "bench: %s", PQerrorMessage(c));
	PQfinish(c);
	return rc;
}

int
bench_check_formulas(const char *conninfo)
{
	static const long ns[] = { 1, 2, 31, 32, 33, 767, 768, 1000, 4242, 99999, 100000 };
	PGconn *c = PQconnectdb(conninfo);
	int rc = PQstatus(c) == CONNECTION_OK ? 0 : -1;

	for (size_t i = 0; rc == 0 && i < sizeof ns / sizeof ns[0]; i++) {
		char id[ID_LEN], name[96];

		bench_tenant_id(id, ns[i]);
		bench_tenant_name(name, sizeof name, ns[i]);
		rc = check_one(c, BENCH_ID_SQL, "{n}", ns[i], id)
		     | check_one(c, BENCH_NAME_SQL, "{n}", ns[i], name);
	}
	for (size_t i = 0; rc == 0 && i < sizeof ns / sizeof ns[0]; i++) {
		char id[ID_LEN], email[96], idsql[512], emailsql[512];

		bench_tenant_admin(id, email, sizeof email, ns[i], 50000);
		bench_subst(idsql, sizeof idsql, BENCH_ADMIN_ID_SQL, "{u}", "50000");
		bench_subst(emailsql, sizeof emailsql, BENCH_ADMIN_EMAIL_SQL, "{u}", "50000");
		rc = check_one(c, idsql, "{n}", ns[i], id)
		     | check_one(c, emailsql, "{n}", ns[i], email);
	}
	for (int k = 0; rc == 0 && k < BENCH_NTERMS + BENCH_NFULL; k++) {
		char pattern[64];

		snprintf(pattern, sizeof pattern, "%%%s%%", bench_term(k));
		rc = check_one(c, BENCH_PATTERN_SQL, "{k}", k, pattern)
		     | check_one(c, BENCH_TERM_SQL, "{k}", k, bench_term(k));
	}
	if (PQstatus(c) != CONNECTION_OK)
		fprintf(stderr, "bench: %s", PQerrorMessage(c));
	PQfinish(c);
	return rc;
}
