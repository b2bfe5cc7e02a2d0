/* webhook_recv.h - the webhook suites' receiver and helpers (for
 * test_webhooks_rest.c and test_webhooks_fault.c, after rest.h): a real
 * receiver on loopback (webhook_receiver.py, which checks every
 * signature), its log, the events of a tenant's chain and endpoints
 * created over the API. */
#ifndef TENANTRY_TEST_WEBHOOK_RECV_H
#define TENANTRY_TEST_WEBHOOK_RECV_H

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rest/rest.h"

/* ---- the receiver -------------------------------------------------------------- */

struct recv {
	pid_t pid;
	char dir[256];
	int port;
};

static inline void
recv_file(const struct recv *r, const char *name, const char *text, const char *mode)
{
	char path[300];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", r->dir, name);
	f = fopen(path, mode);
	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

static inline void
recv_start(struct recv *r, const char *name)
{
	char path[300];

	memset(r, 0, sizeof *r);
	snprintf(r->dir, sizeof r->dir, "%s/hooks-%d-%s", test_env("TENANTRY_TEST_TMP", "/tmp"),
		 (int)getpid(), name);
	mkdir(r->dir, 0700);
	r->pid = fork();
	if (r->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execlp("python3", "python3", "tests/rest/webhook_receiver.py", r->dir,
		       (char *)NULL);
		_exit(127);
	}
	snprintf(path, sizeof path, "%s/port", r->dir);
	for (int i = 0; i < 1000 && r->port <= 0; i++) {
		FILE *f = fopen(path, "r");

		if (f) {
			if (fscanf(f, "%d", &r->port) != 1)
				r->port = 0;
			fclose(f);
		}
		if (r->port <= 0)
			poll(NULL, 0, 10);
	}
	ck_assert_msg(r->port > 0, "the receiver did not start");
}

static inline void
recv_stop(struct recv *r)
{
	if (r->pid > 0) {
		kill(r->pid, SIGTERM);
		waitpid(r->pid, NULL, 0);
	}
	r->pid = 0;
}

/* Every request the receiver logged, oldest first (a JSON array). */
static inline json_t *
recv_log(const struct recv *r)
{
	char path[300], line[65536];
	json_t *a = json_array();
	FILE *f;

	snprintf(path, sizeof path, "%s/log", r->dir);
	if (!(f = fopen(path, "r")))
		return a;
	while (fgets(line, sizeof line, f)) {
		json_t *j = json_loads(line, 0, NULL);

		if (j)
			json_array_append_new(a, j);
	}
	fclose(f);
	return a;
}

/* The number of requests answered 200 that carry want's id. */
static inline int
delivered(json_t *log, const char *id)
{
	size_t i;
	json_t *x;
	int n = 0;

	json_array_foreach(log, i, x)
	{
		if (strcmp(jstr(x, "id"), id) == 0
		    && json_integer_value(json_object_get(x, "status")) == 200)
			n++;
	}
	return n;
}

/* Waits up to seconds until every id of ids was delivered; the log then. */
static inline json_t *
wait_delivered_for(const struct recv *r, json_t *ids, int seconds)
{
	for (int t = 0; t < seconds * 10; t++) {
		json_t *log = recv_log(r), *id;
		size_t i, missing = 0;

		json_array_foreach(ids, i, id)
		{
			if (!delivered(log, json_string_value(id)))
				missing++;
		}
		if (!missing)
			return log;
		json_decref(log);
		poll(NULL, 0, 100);
	}
	ck_abort_msg("not every event was delivered in %d s", seconds);
	return NULL;
}

static inline json_t *
wait_delivered(const struct recv *r, json_t *ids)
{
	return wait_delivered_for(r, ids, 30);
}

/* The latest seq of tenant's chain: events after it are a test's own. */
static inline long long
chain_head(const char *tenant)
{
	PGconn *c = testdb_connect(db, NULL);
	char sql[256];
	long long seq;

	snprintf(sql, sizeof sql,
		 "SELECT coalesce(max(seq), 0) FROM tenantry.audit_log WHERE tenant_id = '%s'",
		 tenant);
	seq = atoll(testdb_value(c, sql));
	PQfinish(c);
	return seq;
}

/* The webhook-ids ("evt_<id>") of tenant's events after seq since that
 * match a LIKE pattern, in the order they happened. */
static inline json_t *
event_ids(const char *tenant, const char *like, long long since)
{
	PGconn *c = testdb_connect(db, NULL);
	PGresult *res;
	json_t *a = json_array();
	char sql[512];

	snprintf(sql, sizeof sql,
		 "SELECT 'evt_' || id FROM tenantry.outbox WHERE tenant_id = '%s' "
		 "AND type LIKE '%s' AND seq > %lld ORDER BY seq, type",
		 tenant, like, since);
	res = PQexec(c, sql);
	ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	for (int i = 0; i < PQntuples(res); i++)
		json_array_append_new(a, json_string(PQgetvalue(res, i, 0)));
	PQclear(res);
	PQfinish(c);
	return a;
}

/* Creates an endpoint at path (NULL: the platform's) as token; its id,
 * and the secret given to the receiver. */
static inline void
endpoint(char id[ID_LEN], const struct recv *r, const char *path, const char *token,
	 const char *events)
{
	char body[512];
	json_t *w;

	snprintf(body, sizeof body, "{\"url\":\"http://127.0.0.1:%d/%s\",\"events\":\"%s\"}",
		 r->port, path ? path : "platform", events);
	w = call(201, "POST", path ? path : "/api/webhooks", token, body);
	ck_assert(strncmp(jstr(w, "secret"), "whsec_", 6) == 0);
	snprintf(id, ID_LEN, "%s", jstr(w, "id"));
	recv_file(r, "secrets", jstr(w, "secret"), "a");
	recv_file(r, "secrets", "\n", "a");
	json_decref(w);
}

#endif
