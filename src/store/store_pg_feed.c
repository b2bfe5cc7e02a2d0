/* store_pg_feed.c - the live audit feed over LISTEN/NOTIFY.
 *
 * Every transaction that appends to the audit log notifies channel
 * tenantry_audit, with no payload (033_quiet_notify.sql): any session may
 * listen and notify, so a notification says only that something may have
 * committed, and each is handed on as a wake-up (a key with no tenant and
 * seq 0). The consumer reads the entries through audit_list with its own
 * context, so a spoofed notification costs a read and shows nothing. The
 * feed has its own session (LISTEN must not share a pooled,
 * transaction-scoped connection), on store_config's direct_conninfo when
 * there is one (the store's own conninfo may lead to a transaction
 * pooler), reads without blocking, and reports a lost session as
 * ERR_UNAVAILABLE: notifications sent while disconnected are gone, so the
 * caller reopens and backfills by seq. tenantryd's webhook workers get
 * their wake-ups the same way, on channel tenantry_webhook.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_pg.h"

struct audit_feed {
	PGconn *conn;
	char tenant[ID_LEN]; /* "" = every tenant */
};

static void
pg_feed_close(struct audit_feed *f)
{
	if (!f)
		return;
	if (f->conn)
		PQfinish(f->conn);
	free(f);
}

/* A feed on its own session, named app, that listens on channel. */
static int
feed_connect(struct audit_feed **out, struct pgstore *s, struct audit_feed *f, const char *app,
	     const char *channel, struct err *e)
{
	/* a connect_timeout of the conninfo's own wins (it comes after) */
	const char *keys[] = { "connect_timeout", "dbname", "application_name", NULL };
	const char *vals[] = { "10", s->direct ? s->direct : s->conninfo, app, NULL };
	char listen[64];
	PGresult *r;

	f->conn = PQconnectdbParams(keys, vals, 1);
	if (!f->conn || PQstatus(f->conn) != CONNECTION_OK) {
		const char *m = f->conn ? PQerrorMessage(f->conn) : "out of memory";

		err_set(e, ERR_UNAVAILABLE, "cannot connect the live feed: %.*s",
			(int)strcspn(m, "\n"), m);
		pg_feed_close(f);
		return -1;
	}
	PQsetNoticeProcessor(f->conn, pg_quiet_notice, NULL);
	snprintf(listen, sizeof listen, "LISTEN %s", channel);
	r = PQexec(f->conn, listen);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		pg_error(e, f->conn, r);
		PQclear(r);
		pg_feed_close(f);
		return -1;
	}
	PQclear(r);
	PQsetnonblocking(f->conn, 1);
	*out = f;
	return 0;
}

static int
pg_feed_open(struct audit_feed **out, struct store *st, const char *tenant, struct err *e)
{
	struct audit_feed *f;

	*out = NULL;
	if (!(f = calloc(1, sizeof *f)))
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (tenant) { /* resolved (and checked) with the caller's context */
		struct tenant t;

		if (st->ops->tenant_get(&t, st, tenant, e) < 0) {
			free(f);
			return -1;
		}
		snprintf(f->tenant, sizeof f->tenant, "%s", t.id);
		tenant_clear(&t);
	}
	return feed_connect(out, pg_of(st), f, "tenantry-feed", "tenantry_audit", e);
}

/* Wake-ups for tenantryd's webhook workers: a delivery came due
 * (062_webhook_notify.sql). Like the audit feed's, a notification says
 * only that a claim may find something. */
static int
pg_webhook_feed_open(struct audit_feed **out, struct store *st, struct err *e)
{
	struct audit_feed *f = calloc(1, sizeof *f);

	*out = NULL;
	if (!f)
		return err_set(e, ERR_INTERNAL, "out of memory");
	return feed_connect(out, pg_of(st), f, "tenantry-webhooks", "tenantry_webhook", e);
}

static int
pg_feed_fd(struct audit_feed *f)
{
	return f && f->conn ? PQsocket(f->conn) : -1;
}

static int
pg_feed_read(struct audit_feed *f, struct audit_key *keys, int max, struct err *e)
{
	PGnotify *n;
	int got = 0;

	if (!PQconsumeInput(f->conn) || PQstatus(f->conn) != CONNECTION_OK) {
		const char *m = PQerrorMessage(f->conn);

		return err_set(e, ERR_UNAVAILABLE, "live feed lost: %.*s", (int)strcspn(m, "\n"),
			       m);
	}
	/* Notifications beyond max stay queued in libpq for the next call. */
	while (got < max && (n = PQnotifies(f->conn))) {
		memset(&keys[got++], 0, sizeof keys[0]); /* a wake-up, whatever it said */
		PQfreemem(n);
	}
	return got;
}

void
pg_ops_feed(struct store_ops *ops)
{
	ops->feed_open = pg_feed_open;
	ops->feed_fd = pg_feed_fd;
	ops->feed_read = pg_feed_read;
	ops->feed_close = pg_feed_close;
	ops->webhook_feed_open = pg_webhook_feed_open;
}
