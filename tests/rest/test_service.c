/* test_service.c - tenantryd as a service, the real server: its
 * configuration file, TENANTRYD_* variables and options over each other;
 * a bad line refused with file:line; SIGHUP reloading and logging what it
 * changed; systemd's notify protocol; one log line per request and per
 * security event, logfmt and JSON, without a credential; X-Request-Id
 * echoed and named in problem bodies. */
#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/validate.h"
#include "server/log.h"
#include "testlib.h"

static const char *db;

static void
setup(void)
{
	db = testdb_create();
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = calloc(1, 1 << 20);
	size_t n;

	ck_assert(s);
	if (f) {
		n = fread(s, 1, (1 << 20) - 1, f);
		s[n] = '\0';
		fclose(f);
	}
	return s;
}

/* Waits up to 5 s for needle in the server's log. */
static bool
log_wait(const struct testsrv *s, const char *needle)
{
	for (int i = 0; i < 500; i++) {
		char *log = slurp(s->log_file);
		bool found = strstr(log, needle) != NULL;

		free(log);
		if (found)
			return true;
		poll(NULL, 0, 10);
	}
	return false;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert(f);
	fputs(text, f);
	fclose(f);
}

static const char *
conf_path(void)
{
	static char path[256];

	snprintf(path, sizeof path, "%s/tenantryd-%d.conf", test_env("TENANTRY_TEST_TMP", "/tmp"),
		 (int)getpid());
	return path;
}

/* A sign-in with a body of about n bytes: 413 over --max-body, else the
 * login's own answer (401). */
static int
post_bytes(const struct testsrv *s, size_t n)
{
	char *body = malloc(n + 64);
	int status;

	ck_assert(body);
	snprintf(body, n + 64, "{\"email\":\"x@example.com\",\"password\":\"%*s\"}", (int)n, "p");
	status = testhttp(s, "POST", "/api/auth/login", NULL, body, NULL);
	free(body);
	return status;
}

START_TEST(test_precedence)
{
	struct testsrv s;
	const char *const flags[] = { "--config", conf_path(), NULL };
	const char *const flag_over[] = { "--config", conf_path(), "--max-body", "4000", NULL };

	write_file(conf_path(), "# limits\n\nmax-body = 2000\nlog-level = info\n");
	testsrv_start(&s, db, flags);
	ck_assert_int_eq(post_bytes(&s, 2500), 413); /* the file */
	ck_assert_int_ne(post_bytes(&s, 1500), 413);
	testsrv_stop(&s);

	setenv("TENANTRYD_MAX_BODY", "3000", 1); /* over the file */
	testsrv_start(&s, db, flags);
	ck_assert_int_ne(post_bytes(&s, 2500), 413);
	ck_assert_int_eq(post_bytes(&s, 3500), 413);
	testsrv_stop(&s);

	testsrv_start(&s, db, flag_over); /* the option over both */
	ck_assert_int_ne(post_bytes(&s, 3500), 413);
	ck_assert_int_eq(post_bytes(&s, 4500), 413);
	testsrv_stop(&s);
	unsetenv("TENANTRYD_MAX_BODY");
}
END_TEST

/* Runs tenantryd with args; its exit status, *out its stderr. */
static int
run_server(char **out, const char *args)
{
	char cmd[1024], buf[4096];
	size_t n;
	FILE *p;
	int status;

	snprintf(cmd, sizeof cmd, "%s %s 2>&1", test_env("TENANTRY_SERVER_BIN", "build/tenantryd"),
		 args);
	p = popen(cmd, "r");
	ck_assert(p);
	n = fread(buf, 1, sizeof buf - 1, p);
	buf[n] = '\0';
	status = pclose(p);
	*out = strdup(buf);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

START_TEST(test_bad_configuration)
{
	char args[512], want[512], *out;

	write_file(conf_path(), "listen = 127.0.0.1:0\n# fine so far\nmax-bodyy = 10\n");
	snprintf(args, sizeof args, "--config %s --db x", conf_path());
	ck_assert_int_eq(run_server(&out, args), 78);
	snprintf(want, sizeof want, "%s:3: unknown key 'max-bodyy'", conf_path());
	ck_assert_msg(strstr(out, want), "%s", out);
	free(out);

	write_file(conf_path(), "request-timeout = soon\n");
	ck_assert_int_eq(run_server(&out, args), 78);
	snprintf(want, sizeof want, "%s:1: request-timeout wants a number", conf_path());
	ck_assert_msg(strstr(out, want), "%s", out);
	free(out);

	write_file(conf_path(), "just words\n");
	ck_assert_int_eq(run_server(&out, args), 78);
	ck_assert_msg(strstr(out, ":1: expected key = value"), "%s", out);
	free(out);

	/* a named file must exist; a bad variable is refused too */
	ck_assert_int_eq(run_server(&out, "--config /nonexistent/tenantryd.conf"), 78);
	ck_assert_msg(strstr(out, "/nonexistent/tenantryd.conf: No such file"), "%s", out);
	free(out);
	ck_assert_int_eq(run_server(&out, "--log-level loud"), 64);
	ck_assert_msg(strstr(out, "log-level wants error, warn, info or debug"), "%s", out);
	free(out);
	setenv("TENANTRYD_LOG_FORMAT", "xml", 1);
	ck_assert_int_eq(run_server(&out, ""), 78);
	ck_assert_msg(strstr(out, "TENANTRYD_LOG_FORMAT: log-format wants logfmt or json"), "%s",
		      out);
	free(out);
	unsetenv("TENANTRYD_LOG_FORMAT");
}
END_TEST

/* A datagram socket standing in for systemd's $NOTIFY_SOCKET. */
static int
notify_socket(char path[108])
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	snprintf(path, 108, "%s/notify-%d", test_env("TENANTRY_TEST_TMP", "/tmp"), (int)getpid());
	unlink(path);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	ck_assert(fd >= 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	setenv("NOTIFY_SOCKET", path, 1);
	return fd;
}

static void
notify_expect(int fd, const char *want)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[256];
	ssize_t n;

	ck_assert_msg(poll(&p, 1, 5000) == 1, "no %s from tenantryd", want);
	n = recv(fd, buf, sizeof buf - 1, 0);
	ck_assert(n > 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, want);
}

START_TEST(test_reload_and_notify)
{
	struct testsrv s;
	const char *const flags[] = { "--config", conf_path(), NULL };
	char path[108];
	int fd = notify_socket(path);

	write_file(conf_path(), "max-body = 2000\nlog-level = info\nthreads = 1\n");
	testsrv_start(&s, db, flags);
	notify_expect(fd, "READY=1");
	ck_assert_int_eq(post_bytes(&s, 3000), 413);

	write_file(conf_path(), "max-body = 5000\nlog-level = debug\nthreads = 2\n");
	kill(s.pid, SIGHUP);
	notify_expect(fd, "RELOADING=1");
	notify_expect(fd, "READY=1");
	ck_assert(log_wait(&s, "msg=\"configuration reloaded\""));
	ck_assert(log_wait(&s, "changed=max-body,log-level needs_restart=threads"));
	ck_assert_int_ne(post_bytes(&s, 3000), 413);

	/* a bad line on reload: logged with its place, nothing changes */
	write_file(conf_path(), "max-body = 1500\nnonsense = 1\n");
	kill(s.pid, SIGHUP);
	notify_expect(fd, "RELOADING=1");
	notify_expect(fd, "READY=1");
	ck_assert(log_wait(&s, ".conf:2 error=\"unknown key 'nonsense'\""));
	ck_assert_int_ne(post_bytes(&s, 3000), 413);

	ck_assert_int_eq(testsrv_stop(&s), 0);
	notify_expect(fd, "STOPPING=1");
	unsetenv("NOTIFY_SOCKET");
	close(fd);
	unlink(path);
}
END_TEST

START_TEST(test_request_log)
{
	struct testsrv s;
	const char *const rid[] = { "X-Request-Id: trace-42.a", NULL };
	const char *const bad_rid[] = { "X-Request-Id: has spaces and \"quotes\"", NULL };
	char *token, *body = NULL, *hdrs = NULL, *log;
	json_t *j;

	testsrv_start(&s, db, NULL);
	token = testsrv_staff_token(&s, "ops@example.com", "platform_admin");
	ck_assert_int_eq(testhttp_full(&s, "GET", "/api/tenants/no-such-tenant", token, rid, NULL,
				       0, &body, &hdrs),
			 404);
	ck_assert_msg(strstr(hdrs, "X-Request-Id: trace-42.a"), "%s", hdrs);
	j = json_loads(body, 0, NULL);
	ck_assert_str_eq(json_string_value(json_object_get(j, "request_id")), "trace-42.a");
	json_decref(j);
	free(body);
	free(hdrs);

	/* an unsafe id is replaced by a new one */
	ck_assert_int_eq(testhttp_full(&s, "GET", "/api/tenants", "not.a.valid-token", bad_rid,
				       NULL, 0, &body, &hdrs),
			 401);
	ck_assert(!strstr(hdrs, "has spaces"));
	j = json_loads(body, 0, NULL);
	ck_assert_int_eq(strlen(json_string_value(json_object_get(j, "request_id"))), 16);
	json_decref(j);
	free(body);
	free(hdrs);

	ck_assert(log_wait(&s, "request_id=trace-42.a"));
	ck_assert(log_wait(&s, "msg=request method=GET route=TENANT_GET status=404 duration_ms="));
	ck_assert(log_wait(&s, "tenant=no-such-tenant caller=staff ip=127.0.0.1"));
	ck_assert(
	    log_wait(&s, "msg=security event=signin_ok route=AUTH_LOGIN email=ops@example.com"));
	ck_assert(log_wait(&s, "msg=security event=credential_refused route=TENANTS_LIST"));
	ck_assert(log_wait(&s, "detail=\"invalid token: malformed\""));
	testsrv_stop(&s);
	log = slurp(s.log_file);
	ck_assert_msg(!strstr(log, token), "the log holds a token");
	ck_assert(!strstr(log, "not.a.valid-token"));
	ck_assert(!strstr(log, "correct horse"));
	free(log);
	free(token);
}
END_TEST

START_TEST(test_json_log)
{
	struct testsrv s;
	const char *const flags[] = { "--log-format", "json", NULL };
	char *log, *line, *save;
	int requests = 0, lines = 0;
	char body[3200];

	/* a long value is cut, and its line stays one JSON object */
	snprintf(body, sizeof body, "{\"email\":\"%03000d@example.com\",\"password\":\"x\"}", 0);
	testsrv_start(&s, db, flags);
	ck_assert_int_eq(testhttp(&s, "GET", "/api/nowhere", NULL, NULL, NULL), 404);
	ck_assert_int_eq(testhttp(&s, "POST", "/api/auth/login", NULL, body, NULL), 401);
	ck_assert(log_wait(&s, "000...\""));
	ck_assert(log_wait(&s, "\"event\":\"signin_failed\""));
	ck_assert(log_wait(&s, "\"route\":\"none\""));
	testsrv_stop(&s);
	log = slurp(s.log_file);
	for (line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_error_t je;
		json_t *j;

		if (strncmp(line, "==", 2) == 0)
			continue; /* the sanitizer build's own notes, not tenantryd's */
		j = json_loads(line, 0, &je);
		ck_assert_msg(j, "not JSON: %s (%s)", line, je.text);
		ck_assert(json_string_value(json_object_get(j, "ts")));
		ck_assert(json_string_value(json_object_get(j, "level")));
		if (strcmp(json_string_value(json_object_get(j, "msg")), "request") == 0) {
			requests++;
			ck_assert(json_string_value(json_object_get(j, "request_id")));
			ck_assert(json_string_value(json_object_get(j, "status")));
		}
		json_decref(j);
		lines++;
	}
	ck_assert_int_ge(requests, 2);         /* /healthz at start, /api/nowhere */
	ck_assert_int_ge(lines, requests + 2); /* listening, stopping */
	ck_assert(!strstr(log, "MHD_OPTION"));
	free(log);
}
END_TEST

/* Lines as tenantryd writes them, in format, read back from a file: one
 * with bytes that are not UTF-8 (a sequence cut short among them), and
 * one with more long values than a line holds. */
static char *
logged(enum log_format format)
{
	char path[600], v[300];
	int fd, saved = dup(STDERR_FILENO);
	const char *ctl = "\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10";

	snprintf(path, sizeof path, "%s/log-lines-%d", getenv("TENANTRY_TEST_TMP"), (int)getpid());
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	ck_assert(fd >= 0 && saved >= 0);
	dup2(fd, STDERR_FILENO);
	log_setup(LOG_LEVEL_INFO, format);
	log_line(LOG_LEVEL_ERROR, "configuration not reloaded", "error",
		 "unknown key 'k\xff\xfe\xc3(y \xe2\x82'", "at", "caf\xc3\xa9.conf:2", NULL);
	memset(v, 'x', sizeof v - 1); /* each value is cut to 256 bytes */
	v[sizeof v - 1] = '\0';
	log_line(LOG_LEVEL_INFO, "many", "a", ctl, "b", ctl, "c", ctl, "d", ctl, "e", ctl, "f", ctl,
		 "g", ctl, "h", ctl, "i", ctl, "j", ctl, "k", ctl, "l", ctl, "m", ctl, "n", ctl,
		 "o", ctl, "p", ctl, "q", ctl, "r", ctl, "s", ctl, "t", ctl, "u", ctl, "v", ctl,
		 "w", ctl, "x", ctl, "y", ctl, "z", ctl, "aa", v, "ab", v, "ac", v, "ad", v, "ae",
		 v, "af", v, "ag", v, "ah", v, "ai", v, "aj", v, "ak", v, "al", v, "am", v, "an", v,
		 "ao", v, "ap", v, "aq", v, "ar", v, "as", v, "at", v, "au", v, "av", v, "aw", v,
		 "ax", v, "ay", v, "az", v, NULL);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	return slurp(path);
}

/* A log line is valid UTF-8 whatever the bytes it was given (each bad one
 * a U+FFFD), and a line with more than it holds drops whole pairs and
 * says so: in JSON, every line is one object. */
START_TEST(test_log_lines_stay_whole)
{
	char *log = logged(LOG_FORMAT_JSON), *line, *save;
	json_t *j[2];
	int n = 0;

	for (line = strtok_r(log, "\n", &save); line && n < 2; line = strtok_r(NULL, "\n", &save)) {
		json_error_t je;

		j[n] = json_loads(line, 0, &je); /* jansson refuses invalid UTF-8 */
		ck_assert_msg(j[n], "not JSON: %s (%s)", line, je.text);
		n++;
	}
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(json_string_value(json_object_get(j[0], "error")),
			 "unknown key 'k\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd(y "
			 "\xef\xbf\xbd\xef\xbf\xbd'"); /* one for each bad byte */
	ck_assert_str_eq(json_string_value(json_object_get(j[0], "at")), "caf\xc3\xa9.conf:2");
	ck_assert_str_eq(json_string_value(json_object_get(j[1], "truncated")), "true");
	ck_assert(json_object_get(j[1], "a") && !json_object_get(j[1], "az"));
	json_decref(j[0]);
	json_decref(j[1]);
	free(log);

	log = logged(LOG_FORMAT_LOGFMT);
	ck_assert_msg(utf8_valid(log, strlen(log)), "%s", log);
	ck_assert(strstr(log, "error=\"unknown key 'k\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd(y "));
	ck_assert(strstr(log, " truncated=true\n"));
	free(log);
}
END_TEST

/* A free loopback port (bound and let go: the server binds it next). */
static int
free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	ck_assert(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
	ck_assert(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* /metrics: a staff token on the API's listener, nothing on its own. */
START_TEST(test_metrics_listener)
{
	static const char ask_metrics[] =
	    "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	static const char ask_api[] =
	    "GET /api/tenants HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	char addr[64], reply[4096];
	int port = free_port(), fd;
	const char *extra[] = { "--metrics-listen", addr, NULL };
	struct testsrv s;
	ssize_t n;

	snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
	testsrv_start(&s, db, extra);
	ck_assert_int_eq(testhttp(&s, "GET", "/metrics", NULL, NULL, NULL), 401);
	fd = testnet_connect(port);
	ck_assert(write(fd, ask_metrics, strlen(ask_metrics)) == (ssize_t)strlen(ask_metrics));
	n = read(fd, reply, sizeof reply - 1);
	ck_assert(n > 0);
	reply[n] = '\0';
	ck_assert_msg(strncmp(reply, "HTTP/1.1 200", 12) == 0, "%s", reply);
	close(fd);
	fd = testnet_connect(port);
	ck_assert(write(fd, ask_api, strlen(ask_api)) == (ssize_t)strlen(ask_api));
	n = read(fd, reply, sizeof reply - 1);
	ck_assert(n > 0);
	reply[n] = '\0';
	ck_assert_msg(strncmp(reply, "HTTP/1.1 404", 12) == 0, "%s", reply);
	close(fd);
	ck_assert_int_eq(testsrv_stop(&s), 0);
}
END_TEST

Suite *
suite_service(void)
{
	Suite *s = suite_create("service");
	TCase *tc = tcase_create("service");

	tcase_add_unchecked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_precedence);
	tcase_add_test(tc, test_bad_configuration);
	tcase_add_test(tc, test_reload_and_notify);
	tcase_add_test(tc, test_log_lines_stay_whole);
	tcase_add_test(tc, test_request_log);
	tcase_add_test(tc, test_json_log);
	tcase_add_test(tc, test_metrics_listener);
	suite_add_tcase(s, tc);
	return s;
}
