/* testsrv.c - see testlib.h: a real tenantryd on a free loopback port
 * (started, stopped, a staff account signed in), HTTP requests to it, and
 * the REST store on it. */
#include "testlib.h"
#include "store/remote.h"

#include <check.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- tenantryd ---------------------------------------------------------- */

void
testsrv_start(struct testsrv *s, const char *db, const char *const extra[])
{
	static int serial;
	const char *tmp = test_env("TENANTRY_TEST_TMP", "/tmp");
	const char *bin = test_env("TENANTRY_SERVER_BIN", "build/tenantryd");
	char port_file[256], conninfo[512], secret[65];
	unsigned char raw[32];
	FILE *f;

	memset(s, 0, sizeof *s);
	snprintf(s->db, sizeof s->db, "%s", db);
	snprintf(s->secret_file, sizeof s->secret_file, "%s/jwt-%d-%d.secret", tmp, (int)getpid(),
		 serial);
	snprintf(s->log_file, sizeof s->log_file, "%s/tenantryd-%d-%d.log", tmp, (int)getpid(),
		 serial);
	snprintf(port_file, sizeof port_file, "%s/port-%d-%d", tmp, (int)getpid(), serial++);
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
					 s->secret_file, "--db-pool", "3",
					 /* background jobs only where a test
					  * asks for them (--jobs 1) */
					 "--jobs", "0" };
		int n = 13, fd = open(s->log_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		const char *mk = getenv("TENANTRY_MASTER_KEY_FILE");

		if (mk) {
			args[n++] = "--master-key-file";
			args[n++] = mk;
		}
		for (int i = 0; extra && extra[i] && n < 62; i++)
			args[n++] = extra[i];
		args[n] = NULL;
		prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlives the tests */
		dup2(fd, 2);
		dup2(fd, 1);
		execv(bin, (char *const *)args);
		_exit(127);
	}
	ck_assert(s->pid > 0);
	for (int i = 0; i < 2000; i++) { /* 20 s: a slow database, sanitizers */
		int status;

		if ((f = fopen(port_file, "r"))) {
			if (fscanf(f, "%d", &s->port) != 1)
				s->port = 0;
			fclose(f);
		}
		if (s->port > 0)
			break;
		if (waitpid(s->pid, &status, WNOHANG) == s->pid)
			break; /* it exited */
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

int
testsrv_stop(struct testsrv *s)
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

static size_t
collect(char *p, size_t size, size_t n, void *arg)
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

int
testhttp_full(const struct testsrv *s, const char *method, const char *path, const char *token,
	      const char *const headers[], const char *body, size_t body_len, char **out,
	      char **hdrs)
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

int
testhttp(const struct testsrv *s, const char *method, const char *path, const char *token,
	 const char *body, char **out)
{
	return testhttp_full(s, method, path, token, NULL, body, body ? strlen(body) : 0, out,
			     NULL);
}

char *
testsrv_login(const struct testsrv *s, const char *email, const char *password, const char *tenant)
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

json_t *
testhttp_json(const struct testsrv *s, const char *token, int want, const char *method,
	      const char *path, const char *body)
{
	char *out = NULL;
	int st = testhttp_key(s, token, method, path, body, NULL, &out, NULL);
	json_t *j;

	ck_assert_msg(st == want, "%s %s: %d, wanted %d: %s", method, path, st, want,
		      out ? out : "");
	j = out && *out ? json_loads(out, 0, NULL) : NULL;
	free(out);
	return j;
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

	snprintf(body, sizeof body,
		 "{\"name\":\"%s\",\"admin_email\":\"%s\","
		 "\"subscription_tier\":\"enterprise\"}",
		 name, email);
	st = testhttp_key(s, token, "POST", "/api/tenants", body, NULL, &out, NULL);
	ck_assert_msg(st == 201, "create tenant: %d %s", st, out ? out : "");
	j = json_loads(out, 0, NULL);
	snprintf(id, ID_LEN, "%s", json_string_value(json_object_get(j, "id")));
	json_decref(j);
	free(out);
}

char *
testsrv_staff_token(const struct testsrv *s, const char *email, const char *staff_role)
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
	ck_assert_msg(store_staff_add(id, st, email, "Test Staff", role, hash, &e) == 0, "%s",
		      e.message);
	store_close(&st);
	tok = testsrv_login(s, email, "correct horse battery", NULL);
	ck_assert_msg(tok, "staff login failed for %s", email);
	return tok;
}

/* ---- a real tenantryd ----------------------------------------------------- */

#define TESTD_STAFF "admin@example.com"
#define TESTD_PASSWORD "correct horse battery"

/* A file under the run's temporary directory, created once. */
static const char *
test_file(const char *name, const char *content)
{
	static char path[3][512];
	static int next;
	char *p = path[next++ % 3];
	FILE *f;

	snprintf(p, 512, "%s/%s", test_env("TENANTRY_TEST_TMP", "/tmp"), name);
	if (access(p, R_OK) != 0) {
		f = fopen(p, "w");
		ck_assert_msg(f != NULL, "cannot write %s", p);
		fputs(content, f);
		fclose(f);
		chmod(p, 0600);
	}
	return p;
}

static void
testd_staff(struct testd *d)
{
	const char *pw = test_file("staff.pw", TESTD_PASSWORD "\n");
	struct remote_login l;
	struct err e = { 0 };
	char *out = NULL, *errout = NULL;
	char conninfo[512];
	int rc;

	snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(d->db, NULL));
	rc = testcli_run(&out, &errout,
			 (const char *const[]){ "--db", conninfo, "staff", "add", TESTD_STAFF,
						"--role", "platform_admin", "--password-file", pw,
						NULL });
	ck_assert_msg(rc == 0, "staff add: %s", errout ? errout : "");
	free(out);
	free(errout);
	ck_assert_msg(remote_login(&l, d->url, TESTD_STAFF, TESTD_PASSWORD, NULL, NULL, &e) == 0,
		      "login: %s", e.message);
	snprintf(d->token, sizeof d->token, "%s", l.token);
	remote_login_clear(&l);
}

void
testd_start(struct testd *d, const char *db)
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

void
testd_stop(struct testd *d)
{
	testsrv_stop(&d->srv);
	d->pid = 0;
}

struct store *
testd_store(const struct testd *d, const char *token, enum store_role role, const char *tenant)
{
	struct store_config cfg = { .url = d->url, .token = token ? token : d->token };
	struct store_context ctx = { .role = role };
	struct store *st = NULL;
	struct err e = { 0 };

	ck_assert_msg(store_open(&st, &cfg, &e) == 0, "store_open: %s", e.message);
	if (tenant)
		snprintf(ctx.tenant_id, sizeof ctx.tenant_id, "%s", tenant);
	/* a tenant context over REST is a support session of the staff
	 * token, as an admin */
	if (role == STORE_ROLE_TENANT && tenant) {
		struct store_context staff = { .role = STORE_ROLE_PLATFORM };
		struct view_session v;

		ck_assert_msg(store_set_context(st, &staff, &e) == 0, "%s", e.message);
		ck_assert_msg(
		    store_view_as_start(&v, st, tenant, ROLE_ADMIN, NULL, "contract test", 240, &e)
			== 0,
		    "view-as %s: %s", tenant, e.message);
		snprintf(ctx.view_session, sizeof ctx.view_session, "%s", v.id);
		snprintf(ctx.tenant_id, sizeof ctx.tenant_id, "%s", v.tenant_id);
	}
	ck_assert_msg(store_set_context(st, &ctx, &e) == 0, "%s", e.message);
	return st;
}
