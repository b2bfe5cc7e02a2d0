/* server.h - tenantryd's internals: configuration, the verified caller,
 * requests and replies, the connection pool, rate limits and metrics.
 *
 * A request is handled as a task of one of the event loops (loop.c), on
 * which it waits for the database without holding the thread up:
 * authenticate, rate-limit, take a store from the
 * pool, set the store context from the verified credential (role, tenant,
 * actor, and the credential itself, which store_pg re-checks inside the
 * transaction), run one store operation, answer. Row-level security in the
 * database, not the handler, is what keeps tenants apart; the handler only
 * decides which permission a route needs.
 */
#ifndef TENANTRY_SERVER_H
#define TENANTRY_SERVER_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/perm.h"
#include "core/types.h"
#include "core/routes.h"
#include "store/store.h"

#define SERVER_VERSION "0.1.0"

struct server_config {
	const char *db;              /* libpq conninfo */
	const char *db_direct;       /* what LISTENs (the live feed), NULL: db */
	int db_unnamed;              /* 1: prepare nothing (db is a pooler) */
	const char *listen;          /* host:port */
	const char *metrics_listen;  /* host:port of /metrics without a credential, or NULL */
	const char *jwt_secret_file; /* HS256 */
	const char *jwt_public_key;  /* RS256 verification */
	const char *jwt_private_key; /* RS256 issuing (login) */
	const char *master_key_file; /* sealed TOTP secrets, settings */
	const char *issuer;          /* iss, default "tenantry" */
	const char *audience;        /* aud, default "tenantry-api" */
	int token_ttl;               /* seconds, default 3600 */
	int pool;                    /* --db-pool, default 16 */
	int threads;                 /* --threads, default one per CPU */
	size_t body_max;             /* bytes, default 64 KiB */
	int conn_limit;              /* total connections, default 256 */
	int per_ip_limit;            /* per client address, default 64 */
	int timeout;                 /* idle connection timeout, s, default 30 */
	int request_timeout;         /* a whole request after its first byte, s, default 10 */
	int sse_max;                 /* concurrent audit streams, default 64 */
	int sse_keepalive;           /* seconds between keepalives, default 15 */
	int leeway;                  /* exp/nbf leeway, s, default 30 */
	const char *port_file;       /* --port-file: the bound port, once listening */
	int log_level;               /* enum log_level (log.h), default info */
	int log_format;              /* enum log_format, default logfmt */
	/* --tenant-domain: a request's Host <slug>.<this>, or a tenant's
	 * verified domain, names its tenant (handlers.c); NULL = off */
	const char *tenant_domain;
	/* background jobs (jobs.c): --jobs 0 leaves them to `tenantry jobs
	 * run`; --job-intervals "name=seconds,..."; --job-poll seconds between
	 * looks for a due job; --job-lease seconds a run is held */
	int jobs;
	const char *job_intervals;
	int job_poll;
	int job_lease;
	/* webhook delivery (deliver.c): --webhook-workers threads (0: none
	 * here); --webhook-timeout seconds an attempt may take; a failed
	 * attempt is retried after --webhook-retry-base ms, doubling to 12 h,
	 * until --webhook-give-up seconds after the event; an endpoint is
	 * disabled after --webhook-disable-after failed attempts in a row (0:
	 * only when a delivery is given up); --webhook-allow-loopback 1 lets
	 * endpoints be plain http on 127.0.0.0/8 or ::1 (tests);
	 * --webhook-lease seconds a claim is held before another runner may
	 * take it over (0: long enough for a whole batch) */
	int webhook_workers;
	int webhook_timeout;
	int webhook_lease;
	int webhook_retry_base_ms;
	int webhook_give_up;
	int webhook_disable_after;
	int webhook_allow_loopback;
	/* e-mail (mailer.c): off without smtp_url; the links of mails start
	 * with mail_link_base; mail_templates: a directory of NAME.txt */
	const char *smtp_url, *smtp_from, *smtp_auth_file, *smtp_ca_file;
	const char *mail_link_base, *mail_templates;
	int smtp_allow_plain_loopback, smtp_timeout, mail_poll, mail_retry_base;
};

/* ---- the verified caller -------------------------------------------------- */

enum principal_kind { PRINCIPAL_NONE, PRINCIPAL_STAFF, PRINCIPAL_USER, PRINCIPAL_KEY };

struct principal {
	enum principal_kind kind;
	char user_id[ID_LEN];   /* staff and users */
	char email[EMAIL_LEN];  /* the actor in the audit log */
	char tenant_id[ID_LEN]; /* users and keys */
	char key_id[ID_LEN];    /* keys */
	enum staff_role staff;
	enum member_role role;
	struct perm_overrides over; /* users: the membership's, when the token was issued */
	scope_mask scopes;
	int64_t issued_us; /* JWT issue time, microseconds */
	/* view as tenant (staff with view_as): the tenant role is used */
	bool view_as;
};

/* True when p holds permission perm. */
bool principal_can(const struct principal *p, enum perm perm);
/* True for staff (not viewing as a tenant). */
bool principal_is_staff(const struct principal *p);

/* ---- auth.c ---------------------------------------------------------------- */

int auth_init(const struct server_config *cfg, struct err *e);
void auth_shutdown(void);
/* SIGHUP: reads the secrets files again; a new JWT key signs from then on
 * and the earlier ones still verify; a changed master key is reported,
 * not applied. Logs one line saying what it reloaded. */
void auth_reload(const struct server_config *cfg);
/* Verifies "Bearer <jwt>" or "Bearer tnt_..." and fills p. The API key
 * lookup may use st (role is switched to STORE_ROLE_AUTH and restored by
 * the caller's set_context). -1 with ERR_UNAUTHORIZED. */
int auth_verify(struct principal *p, const char *authorization, struct store *st, struct err *e);
/* Signs a token for p; *out is malloc'd. */
int auth_issue(char **out, int64_t *expires, const struct principal *p, struct err *e);
/* Verifies a TOTP code against a sealed secret; 1 = valid. */
int auth_totp_check(const char *sealed, const char *code, struct err *e);
/* A new TOTP secret: sealed for storage, base32 for the otpauth URI. */
int auth_totp_new(char **sealed, char base32[64], struct err *e);
/* True when a master key is loaded (TOTP enrolment needs it). */
bool auth_have_master_key(void);

/* ---- pool.c ---------------------------------------------------------------- */

int pool_init(const struct server_config *cfg, struct err *e);
void pool_shutdown(void);
/* A store for this thread's request; waits up to a few seconds, then
 * ERR_UNAVAILABLE. */
struct store *pool_get(struct err *e);
void pool_put(struct store *st);
struct pool_stats {
	int size, in_use, waiting;
};
void pool_stats(struct pool_stats *out);
/* A session of its own, outside the pool, as the platform with the system
 * actor (opened lazily): for tenantryd's background work. The caller owns
 * *out (store_close). -1 without a configuration or a store. */
int pool_open_system(struct store **out, struct err *e);

/* ---- ratelimit.c ------------------------------------------------------------ */

/* A tenant's rate as one call found it: the RateLimit-* headers. */
struct rate_state {
	int64_t limit;     /* calls per window; -1 = unlimited (no headers) */
	int64_t remaining; /* after this call */
	int reset;         /* seconds until the window ends, >= 1 (Retry-After on 429) */
};

/* Counts one call of tenant against its hourly limit, shared with every
 * tenantryd on the database. 0 when allowed; else 1 (refused, not
 * counted). *out is filled either way. st (the request's session, in the
 * tenant's context) reads the tenant's count on its first call and sends
 * its pending calls when they reach this instance's budget. */
int ratelimit_take(struct rate_state *out, const char *tenant_id, struct store *st);
/* Stops the flusher and sends the calls not yet counted (at shutdown,
 * while the database is still reachable). */
void ratelimit_stop(void);
void ratelimit_reset(void);

/* ---- flusher.c ------------------------------------------------------------- */

/* A background sender: round(st, all) sends what is pending with the
 * flusher's own session, every period_ms, and once more with all set when
 * it stops. Declare one as
 *   static struct flusher F = FLUSHER_INIT("name", period_ms, round); */
struct flusher {
	const char *name;
	int period_ms;
	void (*round)(struct store *st, bool all);
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool started, tried, stop;
	struct store *st;
};
#define FLUSHER_INIT(n, ms, fn)                                                                    \
	{                                                                                          \
		.name = (n), .period_ms = (ms), .round = (fn), .lock = PTHREAD_MUTEX_INITIALIZER,  \
		.wake = PTHREAD_COND_INITIALIZER                                                   \
	}
/* Starts the thread once (a no-op without tenantryd's configuration, as
 * when requests are handled in-process by tests, and after a failed
 * start). */
void flusher_start(struct flusher *f);
/* Stops it and sends what is left (at shutdown). */
void flusher_stop(struct flusher *f);

/* ---- activity.c ------------------------------------------------------------- */

/* Notes that p made an authenticated request: a member of a tenant (a user
 * token, not staff viewing as) or an API key. Each reaches the database at
 * most once a minute, in batches a flusher thread sends every few seconds
 * (last_active_at, last_used_at). Costs no database work on the request. */
void activity_note(const struct principal *p);
/* Stops the flusher and sends the notes not yet sent (at shutdown). */
void activity_stop(void);
/* Forgets every note (tests). */
void activity_reset(void);

/* ---- metrics.c ------------------------------------------------------------- */

void metrics_request(enum route_id route, int status, double seconds);
void metrics_rate_limited(void);
void metrics_sse(int delta);
/* A connection refused, evicted or timed out (enum admit_reason, http.h). */
void metrics_connection(int reason);
/* The Prometheus text exposition, malloc'd. */
char *metrics_render(void);
/* --metrics-listen: /metrics alone, without a credential, on addr. */
struct sockaddr;
int metrics_listen_start(const struct sockaddr *addr, struct err *e);
void metrics_listen_stop(void);

/* ---- requests and replies --------------------------------------------------- */

struct req {
	const char *method;
	const char *path;
	struct route_match match;
	json_t *body;         /* parsed JSON body or NULL */
	const char *raw_body; /* the body as received (raw_len bytes) */
	size_t raw_len;
	void *conn; /* struct MHD_Connection * */
	struct principal who;
	struct store *st; /* from the pool, context set */
	char ip[46];
	char *owned[16]; /* decoded query values (req_query) */
	int nowned;
	char request_id[65]; /* X-Request-Id as sent (when sane) or a new one */
};

struct reply {
	int status;
	json_t *json; /* owned; NULL for 204 or text */
	char *text;   /* owned; text/plain etc. */
	const char *content_type;
	int retry_after;        /* > 0: Retry-After header */
	struct rate_state rate; /* reset > 0, limit >= 0: RateLimit-* headers */
	bool close;             /* Connection: close */
	bool replayed;          /* the answer kept for an Idempotency-Key */
	/* SSE: the connection streams instead */
	void *stream;
};

/* Query parameter of the request, or NULL. */
const char *req_query(struct req *r, const char *name);
/* A request header, or NULL. */
const char *req_header(const struct req *r, const char *name);

/* Fills rp with a problem+json for e (and extra members, stolen). */
void reply_error(struct reply *rp, const struct err *e, json_t *extra);
void reply_json(struct reply *rp, int status, json_t *j);
/* Fills rp with a JSON text (owned; NULL: a 500 as for reply_json). */
void reply_json_text(struct reply *rp, int status, char *text);

/* Empties rp (what it owns is freed), as before a handler filled it. */
void reply_clear(struct reply *rp);

/* idempotency.c: runs dispatch(r, rp) once per Idempotency-Key (when the
 * request carries one; else just runs it): a retry of the same request
 * gets the first successful answer back, and the key is kept in the
 * write's own transaction. */
typedef void route_fn(struct req *r, struct reply *rp);
void idem_run(struct req *r, struct reply *rp, route_fn *dispatch);

/* handlers.c: runs the route; the reply is always filled. */
void handle(struct req *r, struct reply *rp);
/* True when the route needs no credential. */
bool route_is_public(enum route_id id);

/* sse.c */
int sse_init(const struct server_config *cfg, struct err *e);
/* Ends the streams (before loops_stop), then frees the hub. */
void sse_stopping(void);
void sse_shutdown(void);
/* Starts an audit stream for the request (tenant NULL = all chains). */
void sse_start(struct req *r, struct reply *rp, const char *tenant);

extern const struct server_config *server_cfg;

#endif
