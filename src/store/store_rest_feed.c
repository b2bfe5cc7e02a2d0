/* store_rest_feed.c - the live audit feed over tenantryd's Server-Sent
 * Events (GET /api/tenants/{id}/audit-logs/stream, /api/audit-logs/stream).
 *
 * A reader thread owns the stream's own curl handle, parses the events and
 * sends one struct audit_key per entry into a SOCK_SEQPACKET socket pair;
 * the caller polls the other end (feed_fd) with its terminal and reads
 * keys without ever blocking. When the stream ends, for whatever reason,
 * the thread records why and closes its end: the caller sees the
 * descriptor readable, drains what arrived, then gets ERR_UNAVAILABLE.
 * Closing wakes the thread through curl_multi_wakeup, so it is immediate.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "store/store_rest.h"

#define FEED_OPEN_LIMIT_SEC 15   /* headers must come by then */
#define FEED_IDLE_LIMIT_SEC 90   /* no byte, not even a keepalive comment */
#define FEED_LINE_MAX (1u << 20) /* one field line of an event */
#define FEED_ERROR_BODY_MAX 65536

enum feed_state { FEED_CONNECTING, FEED_OPEN, FEED_DONE };

struct audit_feed {
	CURL *curl;
	CURLM *multi;
	struct curl_slist *headers;
	pthread_t thread;
	int rfd, wfd;
	atomic_bool stop;

	pthread_mutex_t mu; /* guards state and err */
	pthread_cond_t cv;
	enum feed_state state;
	struct err err; /* why the feed failed or ended */

	/* reader thread only */
	long status;
	char *body; /* an error reply's body */
	size_t body_len;
	char *line; /* the field line being read */
	size_t line_len;
	bool line_too_long;
	char *data; /* data of the event being read */
	size_t data_len;
	char event[32];
	char id[ID_LEN + 24];
	time_t last_byte;
};

/* ---- events ------------------------------------------------------------------ */

/* The key of one event: the entry in data names its chain and seq; the id
 * ("<seq>" or "<tenant>:<seq>") is the fallback. */
static int
event_key(struct audit_key *k, const struct audit_feed *f)
{
	json_t *j = f->data ? json_loads(f->data, 0, NULL) : NULL;
	const char *tenant = json_string_value(json_object_get(j, "tenant_id"));
	json_t *seq = json_object_get(j, "seq");
	const char *colon = strrchr(f->id, ':');
	int rc = -1;

	memset(k, 0, sizeof *k);
	if (tenant && json_is_integer(seq) && strlen(tenant) < sizeof k->tenant_id) {
		snprintf(k->tenant_id, sizeof k->tenant_id, "%s", tenant);
		k->seq = json_integer_value(seq);
		rc = 0;
	} else if (colon && colon - f->id < ID_LEN) {
		snprintf(k->tenant_id, sizeof k->tenant_id, "%.*s", (int)(colon - f->id), f->id);
		k->seq = strtoll(colon + 1, NULL, 10);
		rc = k->seq > 0 ? 0 : -1;
	}
	json_decref(j);
	return rc;
}

/* A blank line ends an event; only "audit" events carry keys. Returns -1
 * when the caller's end is gone. */
static int
dispatch(struct audit_feed *f)
{
	struct audit_key k;
	int rc = 0;

	if (strcmp(f->event, "audit") == 0 && f->data && event_key(&k, f) == 0)
		if (send(f->wfd, &k, sizeof k, MSG_NOSIGNAL) != (ssize_t)sizeof k)
			rc = -1;
	free(f->data);
	f->data = NULL;
	f->data_len = 0;
	f->event[0] = '\0';
	return rc;
}

static void
append_data(struct audit_feed *f, const char *v, size_t n)
{
	char *d = realloc(f->data, f->data_len + n + 2);

	if (!d)
		return;
	f->data = d;
	if (f->data_len)
		f->data[f->data_len++] = '\n';
	memcpy(f->data + f->data_len, v, n);
	f->data_len += n;
	f->data[f->data_len] = '\0';
}

/* One line of the stream: "field: value", ":comment" or "" (dispatch). */
static int
field_line(struct audit_feed *f, const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t name_len = colon ? (size_t)(colon - s) : n;
	const char *v = colon ? colon + 1 : s + n;
	size_t vn = n - (size_t)(v - s);

	if (n == 0)
		return dispatch(f);
	if (name_len == 0)
		return 0; /* a keepalive comment */
	if (vn && *v == ' ')
		v++, vn--;
	if (name_len == 4 && memcmp(s, "data", 4) == 0)
		append_data(f, v, vn);
	else if (name_len == 5 && memcmp(s, "event", 5) == 0)
		snprintf(f->event, sizeof f->event, "%.*s", (int)vn, v);
	else if (name_len == 2 && memcmp(s, "id", 2) == 0)
		snprintf(f->id, sizeof f->id, "%.*s", (int)vn, v);
	return 0;
}

/* Splits bytes into lines (LF or CRLF); an over-long line is dropped. */
static int
feed_bytes(struct audit_feed *f, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\n') {
			if (f->line_len + 1 >= FEED_LINE_MAX) {
				f->line_too_long = true;
				continue;
			}
			f->line[f->line_len++] = p[i];
			continue;
		}
		if (f->line_len && f->line[f->line_len - 1] == '\r')
			f->line_len--;
		if (!f->line_too_long && field_line(f, f->line, f->line_len) < 0)
			return -1;
		f->line_len = 0;
		f->line_too_long = false;
	}
	return 0;
}

#ifdef TENANTRY_FUZZ
/* The event parser alone, for tests/fuzz/fuzz_rest_feed.c: feeds
 * p[0..n) in pieces of at most chunk bytes (0: at once), as curl hands a
 * 200 reply's body to on_body, with the key of each audit event sent to
 * wfd. Returns feed_bytes' last result (-1: a key could not be sent). */
int
rest_feed_parse_for_test(int wfd, const char *p, size_t n, size_t chunk)
{
	struct audit_feed f = { .rfd = -1, .wfd = wfd };
	int rc = 0;

	if (!(f.line = malloc(FEED_LINE_MAX)))
		return -1;
	if (!chunk)
		chunk = n ? n : 1;
	for (size_t i = 0; i < n && rc == 0; i += chunk)
		rc = feed_bytes(&f, p + i, n - i < chunk ? n - i : chunk);
	free(f.line);
	free(f.data);
	return rc;
}
#endif

/* ---- curl callbacks (reader thread) ---------------------------------------------- */

static void
set_state(struct audit_feed *f, enum feed_state st)
{
	pthread_mutex_lock(&f->mu);
	f->state = st;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

/* The end of the headers of the final reply decides: 200 opens the feed,
 * anything else is an error whose body is kept. */
static size_t
on_header(char *p, size_t size, size_t n, void *ud)
{
	struct audit_feed *f = ud;
	size_t len = size * n;

	if (len <= 2 && (p[0] == '\r' || p[0] == '\n')) {
		curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &f->status);
		if (f->status == 200)
			set_state(f, FEED_OPEN);
	}
	return len;
}

static size_t
on_body(char *p, size_t size, size_t n, void *ud)
{
	struct audit_feed *f = ud;
	size_t len = size * n;

	f->last_byte = time(NULL);
	if (f->status == 200)
		return feed_bytes(f, p, len) < 0 ? 0 : len;
	if (f->body_len + len < FEED_ERROR_BODY_MAX) {
		char *b = realloc(f->body, f->body_len + len + 1);

		if (!b)
			return 0;
		f->body = b;
		memcpy(f->body + f->body_len, p, len);
		f->body_len += len;
		f->body[f->body_len] = '\0';
	}
	return len;
}

/* ---- the reader thread ---------------------------------------------------------- */

/* Runs the transfer until it ends, is closed or goes quiet; returns the
 * transfer's result. */
static CURLcode
pump(struct audit_feed *f, bool *idle)
{
	time_t started = time(NULL);
	CURLcode result = CURLE_OK;
	int running = 1;
	CURLMsg *m;
	int left;

	while (running && !atomic_load(&f->stop)) {
		time_t now = time(NULL);

		if (curl_multi_perform(f->multi, &running) != CURLM_OK)
			break;
		if (!running)
			break;
		if ((f->status != 200 && now - started > FEED_OPEN_LIMIT_SEC)
		    || (f->status == 200 && now - f->last_byte > FEED_IDLE_LIMIT_SEC)) {
			*idle = true;
			break;
		}
		curl_multi_poll(f->multi, NULL, 0, 1000, NULL);
	}
	while ((m = curl_multi_info_read(f->multi, &left)))
		if (m->msg == CURLMSG_DONE)
			result = m->data.result;
	return result;
}

static void *
reader(void *arg)
{
	struct audit_feed *f = arg;
	bool idle = false;
	CURLcode rc = pump(f, &idle);
	struct err e;

	err_clear(&e);
	if (atomic_load(&f->stop))
		err_set(&e, ERR_UNAVAILABLE, "live audit feed closed");
	else if (idle)
		err_set(&e, ERR_UNAVAILABLE, "live audit stream of tenantryd went silent");
	else if (f->status == 200)
		err_set(&e, ERR_UNAVAILABLE, "live audit stream of tenantryd lost%s%s",
			rc != CURLE_OK ? ": " : "", rc != CURLE_OK ? curl_easy_strerror(rc) : "");
	else if (f->status >= 300)
		rest_problem(&e, f->status, f->body, f->body_len, NULL);
	else
		err_set(&e, ERR_UNAVAILABLE, "cannot reach tenantryd: %s", curl_easy_strerror(rc));
	pthread_mutex_lock(&f->mu);
	f->err = e;
	f->state = FEED_DONE;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	shutdown(f->wfd, SHUT_RDWR); /* the caller's end reads EOF */
	return NULL;
}

/* ---- operations ------------------------------------------------------------------ */

static void
feed_free(struct audit_feed *f)
{
	if (f->multi && f->curl)
		curl_multi_remove_handle(f->multi, f->curl);
	if (f->curl)
		curl_easy_cleanup(f->curl);
	if (f->multi)
		curl_multi_cleanup(f->multi);
	curl_slist_free_all(f->headers);
	if (f->rfd >= 0)
		close(f->rfd);
	if (f->wfd >= 0)
		close(f->wfd);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cv);
	free(f->body);
	free(f->line);
	free(f->data);
	free(f);
}

static int
setup(struct audit_feed *f, struct reststore *s, const char *tenant, struct err *e)
{
	struct rest_path p;
	char url[REST_PATH_MAX + 512];
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return err_set(e, ERR_INTERNAL, "socketpair: %s", strerror(errno));
	f->rfd = sv[0];
	f->wfd = sv[1];
	fcntl(f->rfd, F_SETFL, fcntl(f->rfd, F_GETFL) | O_NONBLOCK);
	if (tenant)
		rest_route(&p, ROUTE_AUDIT_STREAM, tenant);
	else
		rest_route(&p, ROUTE_AUDIT_ALL_STREAM);
	snprintf(url, sizeof url, "%s%s", s->url, p.buf);
	f->headers = rest_headers(s, NULL);
	f->headers = curl_slist_append(f->headers, "Accept: text/event-stream");
	f->headers = curl_slist_append(f->headers, "Cache-Control: no-cache");
	f->line = malloc(FEED_LINE_MAX);
	f->curl = curl_easy_init();
	f->multi = curl_multi_init();
	if (!f->headers || !f->line || !f->curl || !f->multi)
		return err_set(e, ERR_INTERNAL, "out of memory");
	curl_easy_setopt(f->curl, CURLOPT_URL, url);
	curl_easy_setopt(f->curl, CURLOPT_HTTPHEADER, f->headers);
	curl_easy_setopt(f->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(f->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(f->curl, CURLOPT_CONNECTTIMEOUT_MS, REST_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(f->curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(f->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(f->curl, CURLOPT_HEADERDATA, f);
	curl_easy_setopt(f->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(f->curl, CURLOPT_WRITEDATA, f);
	if (curl_multi_add_handle(f->multi, f->curl) != CURLM_OK)
		return err_set(e, ERR_INTERNAL, "cannot start the live audit stream");
	return 0;
}

/* Opens the stream and waits for tenantryd's answer, so an unknown tenant
 * or a refused credential fails here, with the server's error. */
static int
rest_feed_open(struct audit_feed **out, struct store *st, const char *tenant, struct err *e)
{
	struct audit_feed *f = calloc(1, sizeof *f);

	*out = NULL;
	if (!f)
		return err_set(e, ERR_INTERNAL, "out of memory");
	f->rfd = f->wfd = -1;
	f->last_byte = time(NULL);
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	if (tenant && !*tenant) {
		feed_free(f);
		return err_field(e, "tenant", "tenant missing");
	}
	if (setup(f, rest_of(st), tenant, e) < 0
	    || (pthread_create(&f->thread, NULL, reader, f) != 0
		&& err_set(e, ERR_INTERNAL, "cannot start the feed's thread"))) {
		feed_free(f);
		return -1;
	}
	pthread_mutex_lock(&f->mu);
	while (f->state == FEED_CONNECTING)
		pthread_cond_wait(&f->cv, &f->mu);
	pthread_mutex_unlock(&f->mu);
	if (f->state == FEED_DONE) {
		pthread_join(f->thread, NULL);
		if (e)
			*e = f->err;
		feed_free(f);
		return -1;
	}
	*out = f;
	return 0;
}

static int
rest_feed_fd(struct audit_feed *f)
{
	return f->rfd;
}

static int
rest_feed_read(struct audit_feed *f, struct audit_key *keys, int max, struct err *e)
{
	int n = 0;

	while (n < max) {
		ssize_t got = recv(f->rfd, &keys[n], sizeof keys[n], MSG_DONTWAIT);

		if (got == (ssize_t)sizeof keys[n]) {
			n++;
			continue;
		}
		if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (got < 0 && errno == EINTR)
			continue;
		if (n) /* hand over what arrived; the loss comes next time */
			break;
		pthread_mutex_lock(&f->mu);
		if (e)
			*e = f->err.code != ERR_OK ? f->err : (struct err){ 0 };
		pthread_mutex_unlock(&f->mu);
		if (e && e->code == ERR_OK)
			err_set(e, ERR_UNAVAILABLE, "live audit stream lost");
		return -1;
	}
	return n;
}

static void
rest_feed_close(struct audit_feed *f)
{
	if (!f)
		return;
	atomic_store(&f->stop, true);
	shutdown(f->rfd, SHUT_RDWR); /* a send blocked on a full pair fails */
	curl_multi_wakeup(f->multi);
	pthread_join(f->thread, NULL);
	feed_free(f);
}

void
rest_ops_feed(struct store_ops *ops)
{
	ops->feed_open = rest_feed_open;
	ops->feed_fd = rest_feed_fd;
	ops->feed_read = rest_feed_read;
	ops->feed_close = rest_feed_close;
}
