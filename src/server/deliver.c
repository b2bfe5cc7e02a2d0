/* deliver.c - webhook delivery: --webhook-workers threads, each with a
 * database session of its own, never on a request's path. A worker claims
 * due deliveries (webhook_claim: SKIP LOCKED and a lease, the attempt
 * numbered at the claim, so however many tenantryd instances share the
 * database each attempt is made once), checks the endpoint's address,
 * POSTs the event signed as Standard Webhooks say, and records the
 * attempt (webhook_attempt_done: the next try on an exponential schedule,
 * giving up after --webhook-give-up, disabling an endpoint that keeps
 * failing). A listener thread holds a session that LISTENs for
 * deliveries coming due (062_webhook_notify.sql) and wakes the workers;
 * idle, a worker looks again every DELIVER_IDLE_MS (retries and leases
 * coming due), or every DELIVER_POLL_MS while the listener has no
 * session. */
#include <jansson.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/json.h"
#include "core/webhooks.h"
#include "server/deliver.h"
#include "server/log.h"

#define DELIVER_BATCH 16
#define DELIVER_IDLE_MS 1000
#define DELIVER_POLL_MS 200
#define MAX_WORKERS 64
#define MAX_DENIED 16

static struct {
	const struct server_config *cfg;
	pthread_t threads[MAX_WORKERS], listener;
	int nthreads;
	bool have_listener;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	bool listening;      /* the listener has its session */
	unsigned long wakes; /* the listener's wake-ups so far */
	char runner[128];
	struct sockaddr_storage denied[MAX_DENIED]; /* the database's addresses */
	size_t ndenied;
	/* counters for /metrics */
	unsigned long long delivered, failed_attempts, refused;
} D = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER };

/* Resolves the database's TCP hosts once, so that no endpoint reaches them. */
static void
deny_database(const char *conninfo)
{
	char hosts[8][256];
	size_t n = store_conninfo_hosts(hosts, 8, conninfo);

	for (size_t i = 0; i < n; i++) {
		struct addrinfo hint = { .ai_socktype = SOCK_STREAM }, *res = NULL;

		if (getaddrinfo(hosts[i], NULL, &hint, &res) != 0)
			continue;
		for (struct addrinfo *a = res; a && D.ndenied < MAX_DENIED; a = a->ai_next)
			memcpy(&D.denied[D.ndenied++], a->ai_addr, a->ai_addrlen);
		freeaddrinfo(res);
	}
}

int
deliver_check_url(char pin[320], const char *url, bool resolve, struct err *e)
{
	bool loopback = D.cfg && __atomic_load_n(&D.cfg->webhook_allow_loopback, __ATOMIC_RELAXED);
	struct webhook_target t;
	struct addrinfo hint = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	char port[8];
	int rc;

	if (pin)
		pin[0] = '\0';
	if (webhook_url_parse(&t, url, loopback, e) < 0)
		return -1;
	snprintf(port, sizeof port, "%d", t.port);
	if (!resolve) {
		size_t n = strlen(t.host);

		hint.ai_flags = AI_NUMERICHOST;
		if ((strcasecmp(t.host, "localhost") == 0
		     || (n > 10 && strcasecmp(t.host + n - 10, ".localhost") == 0))
		    && !loopback)
			return err_field(e, "url", "the host is a loopback name");
		if (getaddrinfo(t.host, port, &hint, &res) != 0)
			return 0; /* a name: its addresses are checked at each attempt */
	} else if ((rc = getaddrinfo(t.host, port, &hint, &res)) != 0)
		return err_field(e, "url", "cannot resolve %.100s: %s", t.host, gai_strerror(rc));
	rc = 0;
	for (struct addrinfo *a = res; a && rc == 0; a = a->ai_next) {
		if (webhook_addr_check(a->ai_addr, loopback, D.denied, D.ndenied, e) < 0)
			rc = -1; /* every address must pass */
		else if (!t.https && webhook_addr_classify(a->ai_addr) != WEBHOOK_ADDR_LOOPBACK)
			rc = err_field(e, "url", "plain http is allowed to loopback only");
	}
	if (rc == 0 && pin && res) {
		char addr[INET6_ADDRSTRLEN] = "";
		bool v6 = res->ai_family == AF_INET6;

		getnameinfo(res->ai_addr, res->ai_addrlen, addr, sizeof addr, NULL, 0,
			    NI_NUMERICHOST);
		snprintf(pin, 320, "%s:%d:%s%s%s", t.host, t.port, v6 ? "[" : "", addr,
			 v6 ? "]" : "");
	}
	freeaddrinfo(res);
	return rc;
}

/* The body Standard Webhooks deliver: {"type", "timestamp", "data"}. */
static char *
event_body(const struct webhook_claim *c)
{
	json_t *data = json_loads(c->data ? c->data : "null", 0, NULL);
	json_t *o = json_pack("{s:s, s:o, s:o}", "type", c->type, "timestamp",
			      time_to_json(c->event_at), "data", data ? data : json_object());
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	return text;
}

static int64_t
now_s(void)
{
	return (int64_t)time(NULL);
}

/* One attempt of c; fills o (ok, status, latency, error, response). */
static void
attempt(struct webhook_outcome *o, char error[300], struct outbound_result *res,
	struct outbound *client, const struct webhook_claim *c)
{
	char pin[320], msg_id[48], ts[24], sig[WEBHOOK_SIGNATURE_LEN];
	char h_id[80], h_ts[64], h_sig[160];
	const char *headers[] = { "Content-Type: application/json",
				  "User-Agent: tenantryd-webhooks",
				  h_id,
				  h_ts,
				  h_sig,
				  NULL };
	struct err e = { 0 };
	char *body = NULL;
	int64_t ts_now = now_s();

	memset(res, 0, sizeof *res);
	error[0] = '\0';
	o->ok = false;
	if (deliver_check_url(pin, c->url, true, &e) < 0) {
		__atomic_add_fetch(&D.refused, 1, __ATOMIC_RELAXED);
		snprintf(error, 300, "refused before connecting: %.250s", e.message);
		return;
	}
	snprintf(msg_id, sizeof msg_id, "evt_%s", c->event_id);
	snprintf(ts, sizeof ts, "%lld", (long long)ts_now);
	if (!(body = event_body(c))) {
		snprintf(error, 300, "out of memory");
		return;
	}
	if (webhook_sign(sig, c->secret, msg_id, ts_now, body, strlen(body), &e) < 0) {
		snprintf(error, 300, "%.290s", e.message);
		free(body);
		return;
	}
	snprintf(h_id, sizeof h_id, "webhook-id: %s", msg_id);
	snprintf(h_ts, sizeof h_ts, "webhook-timestamp: %s", ts);
	snprintf(h_sig, sizeof h_sig, "webhook-signature: %s", sig);
	{
		struct outbound_post p = { .url = c->url,
					   .pin = pin,
					   .headers = headers,
					   .body = body,
					   .body_len = strlen(body),
					   .timeout_s = __atomic_load_n(&D.cfg->webhook_timeout,
									__ATOMIC_RELAXED) };

		if (outbound_post(res, client, &p, &e) < 0)
			snprintf(error, 300, "%.290s", e.message);
		else if (res->status < 200 || res->status > 299)
			snprintf(error, 300, "HTTP %d", res->status);
		else
			o->ok = true;
	}
	free(body);
}

static void
report(struct store *st, const struct webhook_claim *c, struct outbound *client, unsigned *seed)
{
	struct outbound_result res;
	struct webhook_outcome o = { .claim = c, .runner = D.runner };
	char error[300], state[WEBHOOK_STATE_LEN], attempt_no[12];
	struct err e = { 0 };
	int rc;

	attempt(&o, error, &res, client, c);
	o.status = res.status;
	o.latency_ms = res.latency_ms;
	o.error = o.ok ? NULL : error;
	o.response = res.excerpt;
	o.retry_s = webhook_retry_delay(
	    c->attempt, __atomic_load_n(&D.cfg->webhook_retry_base_ms, __ATOMIC_RELAXED),
	    (double)rand_r(seed) / ((double)RAND_MAX + 1));
	o.give_up_s = __atomic_load_n(&D.cfg->webhook_give_up, __ATOMIC_RELAXED);
	o.disable_after = __atomic_load_n(&D.cfg->webhook_disable_after, __ATOMIC_RELAXED);
	__atomic_add_fetch(o.ok ? &D.delivered : &D.failed_attempts, 1, __ATOMIC_RELAXED);
	snprintf(attempt_no, sizeof attempt_no, "%d", c->attempt);
	rc = store_webhook_attempt_done(state, st, &o, &e);
	/* The session was lost on the way (terminated, the database
	 * restarted): once more on a new one, or the attempt just made would
	 * be made again when the lease runs out. A record that did commit is
	 * not made twice: the repeat is answered with the state it left. */
	if (rc < 0 && (e.code == ERR_UNAVAILABLE || e.code == ERR_OUTCOME_UNKNOWN)) {
		err_clear(&e);
		rc = store_webhook_attempt_done(state, st, &o, &e);
	}
	if (rc < 0) {
		log_line(LOG_LEVEL_WARN, "webhooks: cannot record an attempt", "endpoint",
			 c->endpoint_id, "error", e.message, NULL);
		return;
	}
	log_line(o.ok ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO, "webhook attempt", "endpoint",
		 c->endpoint_id, "event", c->event_id, "type", c->type, "attempt", attempt_no,
		 "outcome", o.ok ? "delivered" : "failed", "error", o.ok ? NULL : error, "state",
		 state[0] ? state : "lost", NULL);
	if (strstr(state, "+disabled"))
		log_line(LOG_LEVEL_WARN, "webhook endpoint disabled", "endpoint", c->endpoint_id,
			 "tenant", c->tenant_id, "url", c->url, "error", error, NULL);
}

/* Sleeps up to ms unless stopped or, with seen, woken (D.wakes no longer
 * *seen); false when stopping. */
static bool
idle(int ms, const unsigned long *seen)
{
	struct timespec until;
	bool stop;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += (long)ms * 1000000;
	until.tv_sec += until.tv_nsec / 1000000000;
	until.tv_nsec %= 1000000000;
	pthread_mutex_lock(&D.lock);
	while (!D.stop && (!seen || D.wakes == *seen)
	       && pthread_cond_timedwait(&D.wake, &D.lock, &until) == 0)
		;
	stop = D.stop;
	pthread_mutex_unlock(&D.lock);
	return !stop;
}

static void
wake_workers(bool listening)
{
	pthread_mutex_lock(&D.lock);
	D.wakes++;
	D.listening = listening;
	pthread_cond_broadcast(&D.wake);
	pthread_mutex_unlock(&D.lock);
}

/* The listener: a session of its own (never through a pooler) that
 * LISTENs for deliveries coming due, each notification a wake-up for the
 * workers; reconnects with backoff, the workers polling meanwhile. */
static void *
listener(void *arg)
{
	struct store *st = NULL;
	struct audit_feed *f = NULL;
	int backoff = 100; /* ms */
	bool warned = false;

	(void)arg;
	while (!__atomic_load_n(&D.stop, __ATOMIC_RELAXED)) {
		struct audit_key keys[16];
		struct pollfd pfd;
		struct err e;
		bool got = false;
		int n;

		if (!f) {
			if ((st || pool_open_system(&st, &e) == 0)
			    && store_webhook_feed_open(&f, st, &e) == 0) {
				wake_workers(true); /* what came due while away */
				backoff = 100;
				warned = false;
				continue;
			}
			if (!warned)
				log_line(LOG_LEVEL_WARN,
					 "webhooks: cannot listen for due deliveries, polling",
					 "error", e.message, NULL);
			warned = true;
			if (!idle(backoff, NULL))
				break;
			backoff = backoff < 5000 ? backoff * 2 : 5000;
			continue;
		}
		pfd = (struct pollfd){ .fd = store_feed_fd(st, f), .events = POLLIN };
		if (pfd.fd >= 0 && poll(&pfd, 1, DELIVER_POLL_MS) == 0)
			continue; /* the stop is looked at between */
		/* readable, hung up or closed: the read tells which */
		while ((n = store_feed_read(st, f, keys, 16, &e)) > 0)
			got = true; /* one wake-up for them all */
		if (pfd.fd < 0 && n == 0)
			n = -1;
		if (got || n < 0)
			wake_workers(n >= 0);
		if (n < 0) {
			store_feed_close(st, f);
			f = NULL;
		}
	}
	if (f)
		store_feed_close(st, f);
	store_close(&st);
	return NULL;
}

/* How many deliveries to claim at once and for how long: the whole batch
 * must be tried within the lease, each attempt taking at most the timeout
 * (and a moment to record it). Without --webhook-lease the lease is made
 * long enough for a full batch; with it, the batch is cut to what fits,
 * at least one delivery. */
static void
batch_size(int *batch, int *lease)
{
	int per = __atomic_load_n(&D.cfg->webhook_timeout, __ATOMIC_RELAXED) + 2;
	int given = __atomic_load_n(&D.cfg->webhook_lease, __ATOMIC_RELAXED);

	if (given <= 0) {
		*batch = DELIVER_BATCH;
		*lease = DELIVER_BATCH * per + 30;
		return;
	}
	*batch = given / per < 1 ? 1 : given / per > DELIVER_BATCH ? DELIVER_BATCH : given / per;
	*lease = given;
}

static void *
worker(void *arg)
{
	struct store *st = NULL;
	struct outbound *client = outbound_new();
	unsigned seed = (unsigned)(uintptr_t)arg ^ (unsigned)time(NULL);
	bool warned = false;

	while (client && !__atomic_load_n(&D.stop, __ATOMIC_RELAXED)) {
		struct webhook_claim_list l;
		struct err e;
		int batch, lease;

		unsigned long seen;
		bool listening;

		if (!st && pool_open_system(&st, &e) < 0) {
			idle(1000, NULL);
			continue;
		}
		pthread_mutex_lock(&D.lock);
		seen = D.wakes;
		listening = D.listening;
		pthread_mutex_unlock(&D.lock);
		batch_size(&batch, &lease);
		if (store_webhook_claim(&l, st, D.runner, batch, lease, &e) < 0) {
			if (!warned)
				log_line(LOG_LEVEL_WARN, "webhooks: cannot claim deliveries",
					 "error", e.message, NULL);
			warned = true;
			idle(1000, NULL);
			continue;
		}
		warned = false;
		for (size_t i = 0; i < l.n; i++)
			report(st, &l.rows[i], client, &seed);
		if (l.n == 0 && !idle(listening ? DELIVER_IDLE_MS : DELIVER_POLL_MS, &seen)) {
			webhook_claim_list_free(&l);
			break;
		}
		webhook_claim_list_free(&l);
	}
	outbound_free(&client);
	store_close(&st);
	return NULL;
}

int
deliver_start(const struct server_config *cfg, struct err *e)
{
	char host[64] = "";

	D.cfg = cfg;
	deny_database(cfg->db);
	if (cfg->webhook_workers <= 0)
		return 0;
	gethostname(host, sizeof host - 1);
	snprintf(D.runner, sizeof D.runner, "tenantryd@%s:%ld", host[0] ? host : "localhost",
		 (long)getpid());
	D.stop = false;
	D.listening = false;
	if (pthread_create(&D.listener, NULL, listener, NULL) != 0)
		return err_set(e, ERR_INTERNAL, "cannot start the webhook listener");
	D.have_listener = true;
	for (int i = 0; i < cfg->webhook_workers && i < MAX_WORKERS; i++) {
		if (pthread_create(&D.threads[i], NULL, worker, (void *)(uintptr_t)(i + 1)) != 0) {
			deliver_stop();
			return err_set(e, ERR_INTERNAL, "cannot start a webhook worker");
		}
		D.nthreads++;
	}
	return 0;
}

void
deliver_stop(void)
{
	pthread_mutex_lock(&D.lock);
	D.stop = true;
	pthread_cond_broadcast(&D.wake);
	pthread_mutex_unlock(&D.lock);
	for (int i = 0; i < D.nthreads; i++)
		pthread_join(D.threads[i], NULL);
	if (D.have_listener)
		pthread_join(D.listener, NULL);
	D.have_listener = false;
	D.nthreads = 0;
}

char *
deliver_metrics(void)
{
	char *s = NULL;

	if (asprintf(
		&s,
		"# HELP tenantryd_webhook_attempts_total Webhook delivery attempts by outcome.\n"
		"# TYPE tenantryd_webhook_attempts_total counter\n"
		"tenantryd_webhook_attempts_total{outcome=\"delivered\"} %llu\n"
		"tenantryd_webhook_attempts_total{outcome=\"failed\"} %llu\n"
		"# HELP tenantryd_webhook_refused_total Attempts refused before connecting "
		"(address or scheme not allowed).\n"
		"# TYPE tenantryd_webhook_refused_total counter\n"
		"tenantryd_webhook_refused_total %llu\n",
		__atomic_load_n(&D.delivered, __ATOMIC_RELAXED),
		__atomic_load_n(&D.failed_attempts, __ATOMIC_RELAXED),
		__atomic_load_n(&D.refused, __ATOMIC_RELAXED))
	    < 0)
		return NULL;
	return s;
}
