/* bench_webhooks.c - the webhook row: events committed at 200 a second
 * (tenants suspended and resumed, one transaction each, over libpq) to
 * their delivery at a receiver on loopback (libmicrohttpd in this
 * process, answering 200), through tenantryd's delivery workers; the 95th
 * percentile of commit-to-arrival. The same tenantryd serves the GET and
 * usage rows, its workers running: their targets show requests keep their
 * throughput. */
#include <libpq-fe.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench.h"
#include "store/store.h"

#define RATE 200
#define MAX_EVENTS 20000
#define TENANTS 40

struct arrivals {
	pthread_mutex_t lock;
	char (*ids)[48];
	double *at;
	size_t n;
};

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
	   const char *version, const char *data, size_t *size, void **state)
{
	struct arrivals *a = cls;
	struct MHD_Response *r;
	enum MHD_Result rc;

	(void)url, (void)method, (void)version, (void)data;
	if (!*state) {
		const char *id = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "webhook-id");

		pthread_mutex_lock(&a->lock);
		if (id && a->n < MAX_EVENTS * 2) {
			snprintf(a->ids[a->n], 48, "%s", id);
			a->at[a->n++] = now_ms();
		}
		pthread_mutex_unlock(&a->lock);
		*state = a;
		return MHD_YES;
	}
	if (*size) {
		*size = 0;
		return MHD_YES;
	}
	r = MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
	rc = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return rc;
}

static int
cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/* One event: a tenant's status changed; its webhook-id into id. */
static int
one_event(PGconn *c, const char *tenant, const char *status, char id[48])
{
	const char *p[] = { tenant, status };
	PGresult *r;
	int ok;

	PQclear(PQexec(c, "BEGIN"));
	PQclear(PQexecParams(c, "UPDATE tenantry.tenants SET status = $2 WHERE id = $1", 2, NULL, p,
			     NULL, NULL, 0));
	r = PQexecParams(c,
			 /* the transaction holds the chain's head: its newest event */
			 "SELECT 'evt_' || o.id FROM tenantry.outbox o WHERE o.tenant_id = $1 "
			 "AND o.type = 'tenant.status_changed' ORDER BY o.seq DESC LIMIT 1",
			 1, NULL, p, NULL, NULL, 0);
	ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
	if (ok)
		snprintf(id, 48, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	r = PQexec(c, "COMMIT");
	ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	return ok ? 0 : -1;
}

/* The tenants whose status the row toggles: active ones that none of the
 * other rows uses. */
static int
pick_tenants(PGconn *c, char ids[TENANTS][ID_LEN], const char (*busy)[ID_LEN], int nbusy)
{
	char list[8192] = "{";
	const char *p[] = { list };
	PGresult *r;
	int n = 0;

	for (int i = 0; i < nbusy; i++)
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? "," : "",
			 busy[i]);
	strcat(list, "}");
	r = PQexecParams(c,
			 "SELECT id FROM tenantry.tenants WHERE status = 'active' "
			 "AND id <> ALL ($1::uuid[]) ORDER BY slug DESC LIMIT 40",
			 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		for (n = 0; n < PQntuples(r) && n < TENANTS; n++)
			snprintf(ids[n], ID_LEN, "%s", PQgetvalue(r, n, 0));
	PQclear(r);
	return n;
}

static int
endpoint(char id[ID_LEN], const struct bench_env *env, const char *key_file, int port, bool add)
{
	char conninfo[512], url[64], secret[WEBHOOK_SECRET_LEN];
	struct store_config cfg = { .conninfo = conninfo, .master_key_file = key_file };
	struct store *st = NULL;
	struct webhook w;
	struct webhook_new n = { .url = url, .event_types = "tenant.status_changed" };
	struct err e = { 0 };
	int rc;

	bench_conninfo(conninfo, sizeof conninfo, env);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/hooks", port);
	if (store_open(&st, &cfg, &e) < 0) {
		fprintf(stderr, "bench: webhooks: %s\n", e.message);
		return -1;
	}
	rc = add ? store_webhook_create(&w, secret, st, &n, &e) : store_webhook_delete(st, id, &e);
	if (rc < 0)
		fprintf(stderr, "bench: webhooks: %s\n", e.message);
	else if (add)
		snprintf(id, ID_LEN, "%s", w.id);
	store_close(&st);
	return rc;
}

/* Waits up to 30 s for every sent id; their latencies into lat. */
static size_t
latencies(double *lat, struct arrivals *a, char (*sent)[48], const double *at, size_t n)
{
	size_t got = 0;

	for (int t = 0; t < 300; t++) {
		pthread_mutex_lock(&a->lock);
		got = a->n;
		pthread_mutex_unlock(&a->lock);
		if (got >= n)
			break;
		struct timespec ts = { 0, 100000000 };
		nanosleep(&ts, NULL);
	}
	got = 0;
	pthread_mutex_lock(&a->lock);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < a->n; j++)
			if (strcmp(sent[i], a->ids[j]) == 0) {
				lat[got++] = a->at[j] - at[i];
				break;
			}
	pthread_mutex_unlock(&a->lock);
	return got;
}

int
bench_webhook_row(struct bench_report *rep, const struct bench_env *env, const char *key_file,
		  const char (*busy)[ID_LEN], int nbusy)
{
	static struct arrivals a = { .lock = PTHREAD_MUTEX_INITIALIZER };
	char tenants[TENANTS][ID_LEN], hook[ID_LEN] = "", conninfo[512], (*sent)[48] = NULL;
	struct MHD_Daemon *d;
	double *at = NULL, *lat = NULL, t0;
	size_t n = (size_t)RATE * (size_t)(env->seconds > 0 ? env->seconds : 10), got = 0;
	int nt = 0, rc = -1;
	struct bench_row *row;
	PGconn *c;

	if (n > MAX_EVENTS)
		n = MAX_EVENTS;
	a.ids = calloc(MAX_EVENTS * 2, sizeof *a.ids);
	a.at = calloc(MAX_EVENTS * 2, sizeof *a.at);
	sent = calloc(n, sizeof *sent);
	at = calloc(n, sizeof *at);
	lat = calloc(n, sizeof *lat);
	d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, on_request, &a,
			     MHD_OPTION_END);
	bench_conninfo(conninfo, sizeof conninfo, env); /* the platform operator */
	c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK)
		fprintf(stderr, "bench: webhooks: %s", PQerrorMessage(c));
	if (!a.ids || !a.at || !sent || !at || !lat || !d || PQstatus(c) != CONNECTION_OK
	    || (nt = pick_tenants(c, tenants, busy, nbusy)) < 2
	    || endpoint(hook, env, key_file,
			MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port, true)
		   < 0)
		goto out;
	t0 = now_ms();
	for (size_t i = 0; i < n; i++) {
		double due = t0 + (double)i * 1000.0 / RATE, wait = due - now_ms();

		if (wait > 0) {
			struct timespec ts = { (time_t)(wait / 1000),
					       (long)((wait - (double)(long)(wait / 1000) * 1000)
						      * 1e6) };
			nanosleep(&ts, NULL);
		}
		if (one_event(c, tenants[i % (size_t)nt],
			      (i / (size_t)nt) % 2 ? "active" : "suspended", sent[i])
		    < 0) {
			fprintf(stderr, "bench: webhooks: %s", PQerrorMessage(c));
			goto out;
		}
		at[i] = now_ms();
	}
	got = latencies(lat, &a, sent, at, n);
	qsort(lat, got, sizeof *lat, cmp_double);
	row = bench_row_add(rep, "event committed to webhook delivered, 200 events/s");
	snprintf(row->unit, sizeof row->unit, "ms");
	row->raw = -1;
	row->ratio = -1;
	snprintf(row->target, sizeof row->target, "p95 <= 1 s");
	if (got == n) {
		double p95 = lat[(size_t)((double)got * 0.95)], p50 = lat[got / 2];

		row->tenantry = p95;
		row->measured = true;
		row->met = p95 <= 1000;
		snprintf(row->note, sizeof row->note,
			 "%zu events over %d tenants, 2 delivery workers, receiver on loopback; "
			 "p50 %.1f ms",
			 n, nt, p50);
		fprintf(stderr, "bench: webhooks          %zu events  p50 %.1f ms  p95 %.1f ms\n",
			n, p50, p95);
	} else {
		snprintf(row->note, sizeof row->note,
			 "not measured (%zu of %zu events arrived in 30 s)", got, n);
	}
	rc = 0;
out:
	if (PQstatus(c) == CONNECTION_OK) /* every toggled tenant active again */
		for (int i = 0; i < TENANTS && i < nt; i++)
			PQclear(PQexecParams(c,
					     "UPDATE tenantry.tenants SET status = 'active' "
					     "WHERE id = $1 AND status = 'suspended'",
					     1, NULL, (const char *const[]){ tenants[i] }, NULL,
					     NULL, 0));
	if (hook[0])
		endpoint(hook, env, key_file, 0, false);
	PQfinish(c);
	if (d)
		MHD_stop_daemon(d);
	free(a.ids);
	free(a.at);
	free(sent);
	free(at);
	free(lat);
	return rc;
}
