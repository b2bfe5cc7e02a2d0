/* testlib.c - see testlib.h */
#include "testlib.h"
#include "store/remote.h"

#include <check.h>
#include <curl/curl.h>
#include <jansson.h>
#include <signal.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return v && *v ? v : dflt;
}

const char *testdb_conninfo(const char *db, const char *user)
{
	static char buf[768];

	if (strchr(db, '='))  /* a cluster of its own: its superuser conninfo */
		snprintf(buf, sizeof buf, "%s%s%s", db, user ? " user=" : "", user ? user : "");
	else
		snprintf(buf, sizeof buf, "host=%s port=%s dbname=%s user=%s",
			 env_or("TENANTRY_TEST_HOST", "/tmp"),
			 env_or("TENANTRY_TEST_PORT", "5432"), db,
			 user ? user : "postgres");
	return buf;
}

PGconn *testdb_connect(const char *db, const char *user)
{
	PGconn *c = PQconnectdb(testdb_conninfo(db, user));
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "connect %s as %s: %s", db,
		      user ? user : "postgres", PQerrorMessage(c));
	return c;
}

const char *testdb_create(void)
{
	static char name[64];
	static unsigned counter;
	snprintf(name, sizeof name, "t_%d_%u", (int)getpid(), counter++);
	PGconn *c = testdb_connect("postgres", NULL);
	char sql[160];
	snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE tenantry_template",
		 name);
	testdb_exec(c, sql);
	PQfinish(c);
	return name;
}

void testdb_exec(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK,
		      "%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
}

const char *testdb_sqlstate(PGconn *c, const char *sql)
{
	static char state[6];
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	state[0] = 0;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		snprintf(state, sizeof state, "%s", s ? s : "?????");
	}
	PQclear(r);
	return state;
}

const char *testdb_value(PGconn *c, const char *sql)
{
	static char buf[4096];
	PGresult *r = PQexec(c, sql);
	const char *out = NULL;
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 &&
	    !PQgetisnull(r, 0, 0)) {
		snprintf(buf, sizeof buf, "%s", PQgetvalue(r, 0, 0));
		out = buf;
	}
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql,
		      PQresultErrorMessage(r));
	PQclear(r);
	return out;
}

void testdb_login_role(const char *db, const char *name, const char *group)
{
	PGconn *c = testdb_connect(db, NULL);
	char sql[256];
	snprintf(sql, sizeof sql,
		 "DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='%s') "
		 "THEN CREATE ROLE %s LOGIN; END IF; END$$",
		 name, name);
	testdb_exec(c, sql);
	snprintf(sql, sizeof sql, "GRANT %s TO %s", group, name);
	testdb_exec(c, sql);
	PQfinish(c);
}

static char *slurp_fd(int fd)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	ssize_t n;
	while (buf && (n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 2) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
	}
	if (buf)
		buf[len] = 0;
	return buf;
}

int testcli_run(char **out, char **errout, const char *const argv[])
{
	char tmpl_o[] = "/tmp/tenantry-cli-outXXXXXX";
	char tmpl_e[] = "/tmp/tenantry-cli-errXXXXXX";
	int fo = mkstemp(tmpl_o), fe = mkstemp(tmpl_e);
	if (fo < 0 || fe < 0)
		return -1;
	unlink(tmpl_o);
	unlink(tmpl_e);
	const char *bin = env_or("TENANTRY_BIN", "build/tenantry");
	pid_t pid = fork();
	if (pid == 0) {
		const char *args[64];
		int i = 0;
		args[i++] = bin;
		for (; argv[i - 1] && i < 63; i++)
			args[i] = argv[i - 1];
		args[i] = NULL;
		int devnull = open("/dev/null", O_RDONLY);
		dup2(devnull, 0);
		dup2(fo, 1);
		dup2(fe, 2);
		execv(bin, (char *const *)args);
		_exit(127);
	}
	int status = -1;
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	lseek(fo, 0, SEEK_SET);
	lseek(fe, 0, SEEK_SET);
	if (out)
		*out = slurp_fd(fo);
	if (errout)
		*errout = slurp_fd(fe);
	close(fo);
	close(fe);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const char *vformat(const char *fmt, va_list ap)
{
	static char sql[4096];
	vsnprintf(sql, sizeof sql, fmt, ap);
	return sql;
}

void testdb_execf(PGconn *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	testdb_exec(c, vformat(fmt, ap));
	va_end(ap);
}

long long testdb_int(PGconn *c, const char *fmt, ...)
{
	va_list ap;
	const char *sql, *v;
	va_start(ap, fmt);
	sql = vformat(fmt, ap);
	va_end(ap);
	v = testdb_value(c, sql);
	ck_assert_msg(v != NULL, "no value: %s", sql);
	return strtoll(v, NULL, 10);
}

const char *testdb_statef(PGconn *c, const char *fmt, ...)
{
	va_list ap;
	const char *s;
	va_start(ap, fmt);
	s = testdb_sqlstate(c, vformat(fmt, ap));
	va_end(ap);
	return s;
}

int testdb_notifies(PGconn *c, char payloads[][128], int max, int want,
		    int timeout_ms)
{
	struct timespec t0, now;
	int n = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		PGnotify *nt;
		long waited;
		struct pollfd p = { .fd = PQsocket(c), .events = POLLIN };

		ck_assert_int_eq(PQconsumeInput(c), 1);
		while ((nt = PQnotifies(c))) {
			if (n < max)
				snprintf(payloads[n], 128, "%s", nt->extra);
			n++;
			PQfreemem(nt);
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		waited = (now.tv_sec - t0.tv_sec) * 1000
			 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (n >= want || waited >= timeout_ms)
			return n;
		poll(&p, 1, (int)(timeout_ms - waited));
	}
}

struct store *teststore_open(const char *db, const char *user,
			     enum store_role role, const char *tenant)
{
	char conninfo[512];
	struct store_config cfg = { 0 };
	struct store_context ctx = { .role = role, .actor = "test",
				     .actor_kind = "staff" };
	struct store *st = NULL;
	struct err e = { 0 };

	snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(db, user));
	cfg.conninfo = conninfo;
	ck_assert_msg(store_open(&st, &cfg, &e) == 0, "store_open: %s", e.message);
	if (tenant)
		snprintf(ctx.tenant_id, sizeof ctx.tenant_id, "%s", tenant);
	ck_assert_msg(store_set_context(st, &ctx, &e) == 0, "%s", e.message);
	return st;
}

/* ---- tenantryd ---------------------------------------------------------- */

void testsrv_start(struct testsrv *s, const char *db, const char *const extra[])
{
	static int serial;
	const char *tmp = env_or("TENANTRY_TEST_TMP", "/tmp");
	const char *bin = env_or("TENANTRY_SERVER_BIN", "build/tenantryd");
	char port_file[256], conninfo[512], secret[65];
	unsigned char raw[32];
	FILE *f;

	memset(s, 0, sizeof *s);
	snprintf(s->db, sizeof s->db, "%s", db);
	snprintf(s->secret_file, sizeof s->secret_file, "%s/jwt-%d-%d.secret", tmp,
		 (int)getpid(), serial);
	snprintf(s->log_file, sizeof s->log_file, "%s/tenantryd-%d-%d.log", tmp,
		 (int)getpid(), serial);
	snprintf(port_file, sizeof port_file, "%s/port-%d-%d", tmp, (int)getpid(),
		 serial++);
	unlink(port_file);
	f = fopen("/dev/urandom", "rb");
	ck_assert(f && fread(raw, 1, sizeof raw, f) == sizeof raw);
	fclose(f);
	for (int i = 0; i < 32; i++)
		snprintf(secret + 2 * i, 3, "%02x", raw[i]);
	f = fopen(s->secret_file, "w");
	ck_assert(f);
	fputs(secret, f);
	fclose(f);
	/* a database name on the run's cluster, or a whole conninfo */
	if (strchr(db, '='))
		snprintf(conninfo, sizeof conninfo, "%s user=tenantry_app", db);
	else
		snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(db, "tenantry_app"));

	s->pid = fork();
	if (s->pid == 0) {
		const char *args[64] = { bin, "--db", conninfo, "--listen", "127.0.0.1:0",
					 "--port-file", port_file, "--jwt-secret-file",
					 s->secret_file, "--db-pool", "3" };
		int n = 11, fd = open(s->log_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		const char *mk = getenv("TENANTRY_MASTER_KEY_FILE");

		if (mk) {
			args[n++] = "--master-key-file";
			args[n++] = mk;
		}
		for (int i = 0; extra && extra[i] && n < 62; i++)
			args[n++] = extra[i];
		args[n] = NULL;
		prctl(PR_SET_PDEATHSIG, SIGTERM);  /* never outlives the tests */
		dup2(fd, 2);
		dup2(fd, 1);
		execv(bin, (char *const *)args);
		_exit(127);
	}
	ck_assert(s->pid > 0);
	for (int i = 0; i < 2000; i++) {  /* 20 s: a slow database, sanitizers */
		int status;

		if ((f = fopen(port_file, "r"))) {
			if (fscanf(f, "%d", &s->port) != 1)
				s->port = 0;
			fclose(f);
		}
		if (s->port > 0)
			break;
		if (waitpid(s->pid, &status, WNOHANG) == s->pid)
			break;  /* it exited */
		poll(NULL, 0, 10);
	}
	if (s->port <= 0) {
		char log[2048] = "";
		size_t n;

		if ((f = fopen(s->log_file, "r"))) {
			n = fread(log, 1, sizeof log - 1, f);
			log[n] = '\0';
			fclose(f);
		}
		ck_abort_msg("tenantryd did not start: %s", log);
	}
	snprintf(s->url, sizeof s->url, "http://127.0.0.1:%d", s->port);
	ck_assert_int_eq(testhttp(s, "GET", "/healthz", NULL, NULL, NULL), 200);
}

int testsrv_stop(struct testsrv *s)
{
	int status = 0, rc = -1;
	pid_t done = 0;

	if (s->pid <= 0)
		return -1;
	kill(s->pid, SIGTERM);
	for (int i = 0; i < 500 && (done = waitpid(s->pid, &status, WNOHANG)) == 0; i++)
		poll(NULL, 0, 10);
	if (done == s->pid && WIFEXITED(status))
		rc = WEXITSTATUS(status);
	if (done == 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, &status, 0);
	}
	s->pid = 0;
	unlink(s->secret_file);
	return rc;
}

struct membuf {
	char *s;
	size_t len;
};

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
	struct membuf *b = arg;
	char *nb = realloc(b->s, b->len + size * n + 1);

	if (!nb)
		return 0;
	memcpy(nb + b->len, p, size * n);
	b->len += size * n;
	nb[b->len] = '\0';
	b->s = nb;
	return size * n;
}

int testhttp_full(const struct testsrv *s, const char *method,
		  const char *path, const char *token,
		  const char *const headers[], const char *body, size_t body_len,
		  char **out, char **hdrs)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct membuf b = { 0 }, hb = { 0 };
	char url[2048], auth[8192];
	long status = -1;

	ck_assert(c);
	snprintf(url, sizeof url, "%s%s", s->url, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (token) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
	}
	for (int i = 0; headers && headers[i]; i++)
		h = curl_slist_append(h, headers[i]);
	if (body) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hb);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (out)
		*out = b.s;
	else
		free(b.s);
	if (hdrs)
		*hdrs = hb.s;
	else
		free(hb.s);
	return (int)status;
}

int testhttp(const struct testsrv *s, const char *method, const char *path,
	     const char *token, const char *body, char **out)
{
	return testhttp_full(s, method, path, token, NULL, body,
			     body ? strlen(body) : 0, out, NULL);
}

char *testsrv_login(const struct testsrv *s, const char *email,
		    const char *password, const char *tenant)
{
	json_t *req = json_pack("{s:s, s:s}", "email", email, "password", password);
	char *body, *out = NULL, *tok = NULL;
	json_t *j;
	int st;

	if (tenant)
		json_object_set_new(req, "tenant", json_string(tenant));
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	st = testhttp(s, "POST", "/api/auth/login", NULL, body, &out);
	free(body);
	j = st == 200 && out ? json_loads(out, 0, NULL) : NULL;
	if (json_is_string(json_object_get(j, "token")))
		tok = strdup(json_string_value(json_object_get(j, "token")));
	json_decref(j);
	free(out);
	return tok;
}

int
testhttp_key(const struct testsrv *s, const char *token, const char *method, const char *path,
	     const char *body, const char *key, char **out, bool *replayed)
{
	char hk[300], *hdrs = NULL;
	const char *h[] = { key ? hk : NULL, NULL };
	int st;

	snprintf(hk, sizeof hk, "Idempotency-Key: %s", key ? key : "");
	st = testhttp_full(s, method, path, token, h, body, body ? strlen(body) : 0, out, &hdrs);
	if (replayed)
		*replayed = hdrs && strcasestr(hdrs, "Idempotent-Replayed: true");
	free(hdrs);
	return st;
}

void
testsrv_tenant(const struct testsrv *s, const char *token, char id[ID_LEN], const char *name,
	       const char *email)
{
	char body[512], *out = NULL;
	json_t *j;
	int st;

	snprintf(body, sizeof body, "{\"name\":\"%s\",\"admin_email\":\"%s\","
		 "\"subscription_tier\":\"enterprise\"}", name, email);
	st = testhttp_key(s, token, "POST", "/api/tenants", body, NULL, &out, NULL);
	ck_assert_msg(st == 201, "create tenant: %d %s", st, out ? out : "");
	j = json_loads(out, 0, NULL);
	snprintf(id, ID_LEN, "%s", json_string_value(json_object_get(j, "id")));
	json_decref(j);
	free(out);
}

char *testsrv_staff_token(const struct testsrv *s, const char *email,
			  const char *staff_role)
{
	static char hash[PASSWORD_HASH_LEN];
	struct store *st = teststore_open(s->db, NULL, STORE_ROLE_PLATFORM, NULL);
	enum staff_role role;
	char id[ID_LEN];
	struct err e;
	char *tok;

	if (!hash[0])
		ck_assert(secret_password_hash("correct horse battery", hash, &e) == 0);
	ck_assert(staff_role_parse(staff_role, &role) == 0);
	ck_assert_msg(store_staff_add(id, st, email, "Test Staff", role, hash, &e) == 0,
		      "%s", e.message);
	store_close(&st);
	tok = testsrv_login(s, email, "correct horse battery", NULL);
	ck_assert_msg(tok, "staff login failed for %s", email);
	return tok;
}
/* ---- a real tenantryd ----------------------------------------------------- */

#define TESTD_STAFF "admin@example.com"
#define TESTD_PASSWORD "correct horse battery"

/* A file under the run's temporary directory, created once. */
static const char *test_file(const char *name, const char *content)
{
	static char path[3][512];
	static int next;
	char *p = path[next++ % 3];
	FILE *f;

	snprintf(p, 512, "%s/%s", env_or("TENANTRY_TEST_TMP", "/tmp"), name);
	if (access(p, R_OK) != 0) {
		f = fopen(p, "w");
		ck_assert_msg(f != NULL, "cannot write %s", p);
		fputs(content, f);
		fclose(f);
		chmod(p, 0600);
	}
	return p;
}

static void testd_staff(struct testd *d)
{
	const char *pw = test_file("staff.pw", TESTD_PASSWORD "\n");
	struct remote_login l;
	struct err e = { 0 };
	char *out = NULL, *errout = NULL;
	char conninfo[512];
	int rc;

	snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(d->db, NULL));
	rc = testcli_run(&out, &errout, (const char *const[]){ "--db", conninfo,
			 "staff", "add", TESTD_STAFF, "--role", "platform_admin",
			 "--password-file", pw, NULL });
	ck_assert_msg(rc == 0, "staff add: %s", errout ? errout : "");
	free(out);
	free(errout);
	ck_assert_msg(remote_login(&l, d->url, TESTD_STAFF, TESTD_PASSWORD, NULL,
				   NULL, &e) == 0, "login: %s", e.message);
	snprintf(d->token, sizeof d->token, "%s", l.token);
	remote_login_clear(&l);
}

void testd_start(struct testd *d, const char *db)
{
	const char *extra[] = { "--db-pool", "2", "--keepalive", "1", NULL };

	memset(d, 0, sizeof *d);
	testsrv_start(&d->srv, db, extra);
	d->pid = d->srv.pid;
	snprintf(d->db, sizeof d->db, "%s", db);
	snprintf(d->url, sizeof d->url, "%s", d->srv.url);
	snprintf(d->log, sizeof d->log, "%s", d->srv.log_file);
	testd_staff(d);
}

void testd_stop(struct testd *d)
{
	testsrv_stop(&d->srv);
	d->pid = 0;
}

struct store *testd_store(const struct testd *d, const char *token,
			  enum store_role role, const char *tenant)
{
	struct store_config cfg = { .url = d->url, .token = token ? token : d->token };
	struct store_context ctx = { .role = role };
	struct store *st = NULL;
	struct err e = { 0 };

	ck_assert_msg(store_open(&st, &cfg, &e) == 0, "store_open: %s", e.message);
	if (tenant)
		snprintf(ctx.tenant_id, sizeof ctx.tenant_id, "%s", tenant);
	ck_assert_msg(store_set_context(st, &ctx, &e) == 0, "%s", e.message);
	return st;
}

/* ---- a cluster of its own -------------------------------------------------- */

void
testcluster_start(struct testcluster *c, const char *name)
{
	char cmd[1024], path[300];
	FILE *f;

	snprintf(c->dir, sizeof c->dir, "%s/%s", getenv("TENANTRY_TEST_TMP"), name);
	snprintf(path, sizeof path, "%s.port", c->dir);
	snprintf(cmd, sizeof cmd, "PG_FSYNC=%s tests/pg.sh start %s >%s", c->fsync ? "on" : "off",
		 c->dir, path);
	ck_assert_int_eq(system(cmd), 0);
	f = fopen(path, "r");
	ck_assert(f && fscanf(f, "%d", &c->port) == 1);
	fclose(f);
	snprintf(c->conninfo, sizeof c->conninfo,
		 "host=%s/run port=%d dbname=postgres user=postgres", c->dir, c->port);
	if (!c->migrated)
		ck_assert_int_eq(testcli_run(NULL, NULL, (const char *const[]){ "--db",
				 c->conninfo, "migrate", NULL }), 0);
	c->migrated = true;
}

void
testcluster_stop(struct testcluster *c)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "tests/pg.sh stop %s", c->dir);
	ck_assert_int_eq(system(cmd), 0);
}

int
testnet_connect(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	ck_assert_msg(fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0,
		      "connect to port %d: %s", port, strerror(errno));
	return fd;
}

long
test_ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

int
test_count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

void
testcluster_crash(struct testcluster *c)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "PG_STOP_MODE=immediate tests/pg.sh stop %s", c->dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* ---- audit chains ------------------------------------------------------------ */

int
test_chains(void *arg, const char *tenant_id, const struct audit_verdict *v)
{
	struct test_chains *s = arg;

	ck_assert_int_lt(s->n, 8);
	snprintf(s->id[s->n], ID_LEN, "%s", tenant_id);
	s->v[s->n++] = *v;
	return 0;
}

const struct audit_verdict *
test_chain_of(const struct test_chains *s, const char *id)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->id[i], id) == 0)
			return &s->v[i];
	ck_abort_msg("chain %s not visited", id);
	return NULL;
}

long long
testdb_terms_drift(PGconn *c)
{
	return testdb_int(c, "SELECT count(*) FROM ((SELECT term, name, tenant_id "
			  "FROM tenantry.tenant_terms EXCEPT ALL SELECT g, t.name, t.id "
			  "FROM tenantry.tenants t, tenantry.search_terms(t.search) g) "
			  "UNION ALL (SELECT g, t.name, t.id FROM tenantry.tenants t, "
			  "tenantry.search_terms(t.search) g EXCEPT ALL SELECT term, name, "
			  "tenant_id FROM tenantry.tenant_terms)) d");
}
