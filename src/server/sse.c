/* sse.c - the live audit log as Server-Sent Events.
 *
 * One hub thread holds the store's live feed (LISTEN on its own session)
 * and records announced (tenant, seq) keys in a ring, waking the streams.
 * Each stream is a task of its connection's event loop (loop.c): it waits
 * for news, reads entries with its caller's own store context (so
 * row-level security decides what it may see) and queues them; the content
 * reader hands out what is queued and suspends the connection when nothing
 * is. The news only says "look": a stream reads pages after its own
 * position, never the announced keys themselves, so a burst, a lost
 * notification, a reconnect of the hub or a restart of PostgreSQL loses
 * nothing and repeats nothing. A per-tenant stream's position is the
 * chain's seq; the all-chains stream's is the commit-order audit cursor
 * (016_write_outcomes.sql), sent as each event's id. Both resume from
 * Last-Event-ID (or ?after=). Every stream also polls once a second.
 */
#include <microhttpd.h>
#include <pthread.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/json.h"
#include "server/http.h"
#include "server/server.h"

#define RING 1024
#define BATCH 500
#define STREAM_HIGH (1024 * 1024) /* bytes queued before reading waits */

static struct {
	pthread_mutex_t lock;
	pthread_t thread;
	bool running, stopping, live; /* live: the feed is connected */
	uint64_t head;                /* keys announced so far */
	uint64_t resyncs;             /* reconnections of the feed */
	struct audit_key ring[RING];
	atomic_int open;
	const struct server_config *cfg;
	struct store *st; /* the hub's own store */
} H = { .lock = PTHREAD_MUTEX_INITIALIZER };

struct stream {
	struct store_context ctx;
	bool all; /* every chain the caller sees */
	char tenant[ID_LEN];
	int64_t last_seq;              /* per-tenant: last seq sent */
	char cursor[AUDIT_CURSOR_LEN]; /* every chain: last cursor sent */
	uint64_t pos;                  /* ring position consumed */
	uint64_t resyncs;
	char *buf; /* pending bytes */
	size_t len, off;
	time_t last_write;
	struct MHD_Connection *conn;
	bool suspended; /* the reader found nothing */
	bool ended;     /* the task is done: end of stream */
	bool closed;    /* the connection let go of it */
	int refs;       /* the task and the response */
};

/* ---- the hub ----------------------------------------------------------------- */

static void
hub_publish(const struct audit_key *keys, int n, bool resync)
{
	pthread_mutex_lock(&H.lock);
	for (int i = 0; i < n; i++)
		H.ring[H.head++ % RING] = keys[i];
	if (resync)
		H.resyncs++;
	pthread_mutex_unlock(&H.lock);
	loops_notify();
}

static void
hub_set_live(bool live)
{
	pthread_mutex_lock(&H.lock);
	H.live = live;
	pthread_mutex_unlock(&H.lock);
}

static bool
hub_stopping(void)
{
	bool s;

	pthread_mutex_lock(&H.lock);
	s = H.stopping;
	pthread_mutex_unlock(&H.lock);
	return s;
}

static void *
hub_main(void *arg)
{
	struct audit_feed *feed = NULL;
	struct audit_key keys[64];
	int backoff = 100; /* ms */

	(void)arg;
	while (!hub_stopping()) {
		struct err e;
		struct pollfd pfd;
		int n;

		if (!feed) {
			struct store_context ctx = { .role = STORE_ROLE_PLATFORM };

			snprintf(ctx.actor_kind, sizeof ctx.actor_kind, "system");
			if (store_set_context(H.st, &ctx, &e) == 0
			    && store_feed_open(&feed, H.st, NULL, &e) == 0) {
				hub_set_live(true);
				hub_publish(NULL, 0, true); /* streams backfill */
				backoff = 100;
			} else {
				feed = NULL;
				poll(NULL, 0, backoff);
				backoff = backoff < 5000 ? backoff * 2 : 5000;
				continue;
			}
		}
		pfd = (struct pollfd){ .fd = store_feed_fd(H.st, feed), .events = POLLIN };
		if (poll(&pfd, 1, 500) < 0)
			continue;
		while ((n = store_feed_read(H.st, feed, keys, 64, &e)) > 0)
			hub_publish(keys, n, false);
		if (n < 0) {
			store_feed_close(H.st, feed);
			feed = NULL;
			hub_set_live(false);
			hub_publish(NULL, 0, true);
		}
	}
	if (feed)
		store_feed_close(H.st, feed);
	return NULL;
}

int
sse_init(const struct server_config *cfg, struct err *e)
{
	struct store_config sc = { .conninfo = cfg->db,
				   .master_key_file = cfg->master_key_file,
				   .unnamed = cfg->db_unnamed,
				   /* the feed LISTENs: never through a pooler */
				   .direct_conninfo = cfg->db_direct,
				   .lazy = true }; /* the hub reconnects by itself */

	H.cfg = cfg;
	H.stopping = false;
	if (store_open(&H.st, &sc, e) < 0)
		return -1;
	if (pthread_create(&H.thread, NULL, hub_main, NULL) != 0)
		return err_set(e, ERR_INTERNAL, "cannot start the audit hub");
	H.running = true;
	return 0;
}

void
sse_stopping(void)
{
	pthread_mutex_lock(&H.lock);
	H.stopping = true;
	pthread_mutex_unlock(&H.lock);
	loops_notify();
}

void
sse_shutdown(void)
{
	sse_stopping();
	if (H.running)
		pthread_join(H.thread, NULL);
	H.running = false;
	store_close(&H.st);
}

/* ---- streams ------------------------------------------------------------------ */

/* Compacts what the reader has handed out, then appends. */
static int
append(struct stream *s, const char *text, size_t len)
{
	char *nb;

	if (s->off && s->off >= s->len / 2) {
		memmove(s->buf, s->buf + s->off, s->len - s->off);
		s->len -= s->off;
		s->off = 0;
	}
	if (!(nb = realloc(s->buf, s->len + len + 1)))
		return -1;
	s->buf = nb;
	memcpy(s->buf + s->len, text, len);
	s->len += len;
	s->buf[s->len] = '\0';
	return 0;
}

static void
add_event(struct stream *s, const struct audit_entry *a)
{
	json_t *j = audit_entry_to_json(a);
	char *data = j ? json_dumps(j, JSON_COMPACT) : NULL;
	char head[128];
	int n;

	json_decref(j);
	if (s->all) {
		snprintf(s->cursor, sizeof s->cursor, "%s", a->cursor);
		n = snprintf(head, sizeof head, "id: %s\nevent: audit\ndata: ", a->cursor);
	} else {
		s->last_seq = a->seq;
		n = snprintf(head, sizeof head,
			     "id: %lld\nevent: audit\ndata: ", (long long)a->seq);
	}
	if (!data) /* not representable: the id still moves on */
		return;
	append(s, head, (size_t)n);
	append(s, data, strlen(data));
	append(s, "\n\n", 2);
	free(data);
}

/* Reads the next page after the stream's position (the commit-order
 * cursor for every chain, the seq for one) with the caller's own context.
 * FETCH_MORE when the page was full, FETCH_SOME, FETCH_NONE, or
 * FETCH_AWAY when the database is away. */
enum fetch { FETCH_AWAY = -1, FETCH_NONE, FETCH_SOME, FETCH_MORE };

static enum fetch
fetch_page(struct stream *s)
{
	struct audit_query q = { .limit = BATCH };
	struct audit_entry_list l;
	struct err e;
	struct store *st = pool_get(&e);
	int rc;

	if (!st)
		return FETCH_AWAY;
	if (s->all)
		q.cursor = s->cursor;
	else
		q.after_seq = s->last_seq;
	rc = store_set_context(st, &s->ctx, &e) < 0
		 ? -1
		 : store_audit_list(&l, st, s->all ? NULL : s->tenant, &q, &e);
	pool_put(st);
	if (rc < 0)
		return FETCH_AWAY;
	for (size_t i = 0; i < l.n; i++)
		add_event(s, &l.rows[i]);
	rc = l.n == (size_t)BATCH ? FETCH_MORE : l.n ? FETCH_SOME : FETCH_NONE;
	audit_entry_list_free(&l);
	return (enum fetch)rc;
}

/* Waits until the hub has news for s, the deadline passes or the stream
 * is stopping (-1). *news: the stream should read. */
static int
wait_news(struct stream *s, int64_t deadline, bool *news)
{
	pthread_mutex_lock(&H.lock);
	for (;;) {
		if (H.stopping) {
			pthread_mutex_unlock(&H.lock);
			return -1;
		}
		if (H.head - s->pos > RING) /* fell behind: read anyway */
			s->pos = H.head - RING, *news = true;
		for (; s->pos < H.head; s->pos++)
			if (s->all || !H.ring[s->pos % RING].tenant_id[0]
			    || strcmp(H.ring[s->pos % RING].tenant_id, s->tenant) == 0)
				*news = true;
		if (s->resyncs != H.resyncs) {
			s->resyncs = H.resyncs;
			*news = true;
		}
		if (*news)
			break;
		pthread_mutex_unlock(&H.lock); /* the loop runs on meanwhile */
		if (!loop_wait_news(deadline)) {
			pthread_mutex_lock(&H.lock);
			break;
		}
		pthread_mutex_lock(&H.lock);
	}
	pthread_mutex_unlock(&H.lock);
	return 0;
}

/* Hands out what is queued; with nothing queued, the connection waits
 * for the stream's task to queue more. */
static ssize_t
reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;

	(void)pos;
	if (s->off < s->len) {
		size_t k = s->len - s->off < max ? s->len - s->off : max;

		memcpy(buf, s->buf + s->off, k);
		s->off += k;
		if (s->off == s->len)
			s->off = s->len = 0;
		s->last_write = time(NULL);
		return (ssize_t)k;
	}
	if (s->ended)
		return MHD_CONTENT_READER_END_OF_STREAM;
	s->suspended = true;
	MHD_suspend_connection(s->conn);
	return 0;
}

static void
stream_release(struct stream *s)
{
	if (--s->refs > 0)
		return;
	free(s->buf);
	free(s);
	atomic_fetch_sub(&H.open, 1);
	metrics_sse(-1);
}

static void
wake_reader(struct stream *s)
{
	if (s->suspended && !s->closed && (s->off < s->len || s->ended)) {
		s->suspended = false;
		MHD_resume_connection(s->conn);
	}
}

/* Has the client gone? A suspended connection is not watched by
 * libmicrohttpd, so a client that left would keep its slot until the next
 * write failed. */
static bool
client_gone(struct stream *s)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(s->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct pollfd p;
	char c;

	if (!ci)
		return true;
	p = (struct pollfd){ .fd = ci->connect_fd, .events = POLLIN | POLLRDHUP };
	if (poll(&p, 1, 0) <= 0)
		return false;
	if (p.revents & (POLLRDHUP | POLLHUP | POLLERR))
		return true;
	return recv(ci->connect_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

/* The stream's task: read pages while they come full (at database speed,
 * up to STREAM_HIGH bytes waiting for the client), then wait for news, a
 * poll each second (entries of transactions that were still running, a
 * hub without feed) and a keepalive comment when the line has been
 * quiet. */
static void
stream_main(void *arg)
{
	struct stream *s = arg;
	int64_t next_poll = 0;
	bool news = true;

	while (!s->closed) {
		int64_t now = loop_clock_ms();
		enum fetch f = FETCH_NONE;

		if (news || now >= next_poll) {
			do
				f = fetch_page(s);
			while (f == FETCH_MORE && s->len - s->off < STREAM_HIGH && !s->closed);
			next_poll = now + (f == FETCH_NONE || f == FETCH_AWAY ? 1000 : 50);
		}
		if (s->off == s->len && time(NULL) - s->last_write >= H.cfg->sse_keepalive) {
			append(s, ": keepalive\n\n", 13);
			s->last_write = time(NULL);
		}
		wake_reader(s);
		if (s->closed || (s->suspended && client_gone(s)))
			break;
		news = false;
		if (f == FETCH_MORE) /* the client is behind: let it read */
			next_poll = now + 20;
		if (wait_news(s, next_poll < now + 250 ? next_poll : now + 250, &news) < 0)
			break;
	}
	s->ended = true;
	wake_reader(s);
	stream_release(s);
}

static void
stream_free(void *cls)
{
	struct stream *s = cls;

	s->closed = true;
	stream_release(s);
}

/* The starting point: Last-Event-ID or ?after=, else the current head
 * (a seq for one tenant's stream, an audit cursor for every chain's). */
static int
resume_point(struct req *r, struct stream *s, struct err *e)
{
	const char *v = req_header(r, "Last-Event-ID");
	struct audit_query q = { .limit = 1, .newest = true };
	struct audit_entry_list l;
	char *end;

	if (!v)
		v = req_query(r, "after");
	if (v && *v && s->all) {
		struct audit_query probe = { .limit = 1, .cursor = v };

		if (store_audit_list(&l, r->st, NULL, &probe, e) < 0) {
			if (e->code == ERR_INVALID_FIELD)
				err_field(e, "Last-Event-ID", "wants an audit cursor (XID-GSEQ)");
			return -1;
		}
		audit_entry_list_free(&l);
		snprintf(s->cursor, sizeof s->cursor, "%s", v);
		return 0;
	}
	if (v && *v) {
		long long n = strtoll(v, &end, 10);

		if (*end || n < 0)
			return err_field(e, "Last-Event-ID", "wants a sequence number");
		s->last_seq = n;
		return 0;
	}
	if (store_audit_list(&l, r->st, s->all ? NULL : s->tenant, &q, e) < 0)
		return -1;
	s->last_seq = l.n ? l.rows[0].seq : 0;
	snprintf(s->cursor, sizeof s->cursor, "%s", l.n ? l.rows[0].cursor : "0-0");
	audit_entry_list_free(&l);
	return 0;
}

void
sse_start(struct req *r, struct reply *rp, const char *tenant)
{
	struct stream *s;
	struct tenant t;
	struct err e;

	if (atomic_fetch_add(&H.open, 1) >= H.cfg->sse_max) {
		atomic_fetch_sub(&H.open, 1);
		err_set(&e, ERR_UNAVAILABLE, "too many open audit streams");
		return reply_error(rp, &e, NULL);
	}
	if (!(s = calloc(1, sizeof *s))) {
		atomic_fetch_sub(&H.open, 1);
		err_set(&e, ERR_INTERNAL, "out of memory");
		return reply_error(rp, &e, NULL);
	}
	metrics_sse(1);
	s->refs = 1;
	s->conn = r->conn;
	s->ctx = r->st->ctx;
	s->all = tenant == NULL;
	if (tenant) { /* 404 for unknown or another tenant's, before streaming */
		if (store_tenant_get(&t, r->st, tenant, &e) < 0) {
			stream_release(s);
			return reply_error(rp, &e, NULL);
		}
		snprintf(s->tenant, sizeof s->tenant, "%s", t.id);
		tenant_clear(&t);
	}
	if (resume_point(r, s, &e) < 0) {
		stream_release(s);
		return reply_error(rp, &e, NULL);
	}
	pthread_mutex_lock(&H.lock);
	s->pos = H.head;
	s->resyncs = H.resyncs;
	pthread_mutex_unlock(&H.lock);
	s->last_write = time(NULL);
	append(s, ": stream open\n\n", 15);
	rp->stream =
	    MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, reader, s, stream_free);
	if (!rp->stream) {
		stream_release(s);
		err_set(&e, ERR_INTERNAL, "out of memory");
		return reply_error(rp, &e, NULL);
	}
	s->refs++; /* the task's */
	if (loop_spawn(stream_main, s) < 0) {
		s->refs--;
		MHD_destroy_response(rp->stream); /* releases the response's */
		rp->stream = NULL;
		err_set(&e, ERR_INTERNAL, "out of memory");
		return reply_error(rp, &e, NULL);
	}
	MHD_add_response_header(rp->stream, "Content-Type", "text/event-stream");
	MHD_add_response_header(rp->stream, "X-Accel-Buffering", "no");
	rp->status = 200;
}
