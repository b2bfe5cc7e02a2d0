/* http.c - libmicrohttpd glue: bodies with a cap, replies, problem+json.
 *
 * The access handler is called at least twice per request: the first call
 * only allocates the request's state (answering then would force
 * "Connection: close"), later calls collect the body, and the last one
 * (no more upload data) starts the request's task and suspends the
 * connection; when the task has resumed it, one more call sends the
 * reply. Bodies over the cap are dropped as they arrive and answered with
 * 413. The URL is not unescaped by libmicrohttpd: routes.c decodes each
 * path segment on its own, so an encoded slash never splits a parameter,
 * and req_query decodes values.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json_limit.h"
#include "server/http.h"
#include "server/log.h"
#include "server/server.h"

const struct server_config *server_cfg;

/* A request from its first call to its reply. It is handled as a task
 * (loop.c) while the connection is suspended; the reply is sent when the
 * task has resumed it and the access handler is called again. */
enum req_state { REQ_READING, REQ_RUNNING, REQ_DONE };

struct conn_state {
	char *body;
	size_t len, cap;
	bool too_large;
	bool seen;           /* the head was read (first call) */
	bool query_too_long; /* uri_cb cut the query off */
	const char *refusal; /* answered without running: why */
	int refusal_status;  /* 414, 431, 503 */
	struct timespec start;
	char request_id[65];
	enum req_state state;
	struct MHD_Connection *conn;
	struct req r;
	struct reply rp;
};

static double
since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

void
reply_json(struct reply *rp, int status, json_t *j)
{
	json_decref(rp->json);
	rp->status = status;
	rp->json = j;
	rp->content_type = "application/json";
	if (!j && status != 204) {
		rp->status = 500;
		rp->json = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", "about:blank", "title",
				     "Internal error", "status", 500, "detail",
				     "out of memory or invalid text", "code", "internal");
		rp->content_type = "application/problem+json";
	}
}

void
reply_clear(struct reply *rp)
{
	json_decref(rp->json);
	free(rp->text);
	memset(rp, 0, sizeof *rp);
	rp->status = 500;
}

void
reply_json_text(struct reply *rp, int status, char *text)
{
	if (!text)
		return reply_json(rp, status, NULL);
	json_decref(rp->json);
	rp->json = NULL;
	free(rp->text);
	rp->status = status;
	rp->text = text;
	rp->content_type = "application/json";
}

void
reply_error(struct reply *rp, const struct err *e, json_t *extra)
{
	enum err_code code = e->code == ERR_OK ? ERR_INTERNAL : e->code;
	json_t *j = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", "about:blank", "title",
			      err_code_title(code), "status", err_code_status(code), "detail",
			      e->message, "code", err_code_name(code));

	if (!j) /* the message was not valid UTF-8 */
		j = json_pack("{s:s, s:s, s:i, s:s}", "type", "about:blank", "title",
			      err_code_title(code), "status", err_code_status(code), "code",
			      err_code_name(code));
	if (j && e->field[0])
		json_object_set_new(j, "field", json_string(e->field));
	if (j && extra)
		json_object_update(j, extra);
	json_decref(extra);
	json_decref(rp->json);
	rp->json = j;
	rp->status = err_code_status(code);
	rp->content_type = "application/problem+json";
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A refusal of tenantryd's own (not one of the store's error codes): a
 * problem+json; 503 comes with Retry-After and a close. */
static void
reply_status(struct reply *rp, int status, const char *detail)
{
	const char *title = status == 414   ? "URI too long"
			    : status == 431 ? "Request header fields too large"
					    : "Too many connections";
	const char *code = status == 414   ? "uri_too_long"
			   : status == 431 ? "header_fields_too_large"
					   : "too_many_connections";

	reply_json(rp, status,
		   json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", "about:blank", "title", title,
			     "status", status, "detail", detail, "code", code));
	rp->content_type = "application/problem+json";
	rp->close = true;
	if (status == 503)
		rp->retry_after = 1;
}

/* Decodes %xx and '+' in place. */
static void
url_decode(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '+') {
			*o++ = ' ';
		} else if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			*o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* Query values are decoded on use and live as long as the request. */
const char *
req_query(struct req *r, const char *name)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
	char *out;

	if (!v || r->nowned == (int)(sizeof r->owned / sizeof r->owned[0]) || !(out = strdup(v)))
		return NULL;
	url_decode(out);
	r->owned[r->nowned++] = out;
	return out;
}

const char *
req_header(const struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* libmicrohttpd leaves the URL as sent. */
static size_t
keep_escaped(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

static void
addr_text(const struct sockaddr *sa, char out[46])
{
	out[0] = '\0';
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, 46);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, 46);
}

static void
client_ip(struct MHD_Connection *c, char out[46])
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	addr_text(ci ? ci->client_addr : NULL, out);
}

/* ---- connections and their limits (admit.c) ----------------------------------- */

static enum MHD_Result
accept_policy(void *cls, const struct sockaddr *addr, socklen_t len)
{
	char ip[46];

	(void)cls;
	(void)len;
	addr_text(addr, ip);
	return admit_accept(ip) ? MHD_YES : MHD_NO;
}

static void
connection_cb(void *cls, struct MHD_Connection *conn, void **socket_ctx,
	      enum MHD_ConnectionNotificationCode code)
{
	(void)cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fd =
		    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		char ip[46];

		client_ip(conn, ip);
		*socket_ctx = fd ? admit_open(ip, fd->connect_fd) : NULL;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		admit_close(*socket_ctx);
		*socket_ctx = NULL;
	}
}

static struct conn_rec *
conn_rec(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* Query strings are bounded before libmicrohttpd splits them: past about
 * 950 parameters its per-connection memory ran out and the request hung
 * without a reply. This runs on the request line, before the split; a
 * query over the bounds is cut off here (the line is libmicrohttpd's
 * writable buffer, given as const) and the request answered 414. */
static void *
uri_cb(void *cls, const char *uri, struct MHD_Connection *c)
{
	char *q = strchr(uri, '?');
	struct conn_state *cs = calloc(1, sizeof *cs);
	int params = 1;

	(void)cls;
	(void)c;
	if (!q)
		return cs;
	for (const char *p = q + 1; *p; p++)
		params += *p == '&' || *p == ';';
	if (params > HTTP_QUERY_PARAMS_MAX || strlen(q + 1) > HTTP_QUERY_MAX) {
		q[1] = '\0';
		if (cs)
			cs->query_too_long = true;
		else
			q[0] = '\0'; /* no state to answer 414 with: no query at all */
	}
	return cs;
}

static enum MHD_Result
send_reply(struct MHD_Connection *c, struct reply *rp, bool head, const char *request_id)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *text = NULL;
	size_t len = 0;

	/* every problem names its request, as the log line does */
	if (rp->json && rp->content_type
	    && strcmp(rp->content_type, "application/problem+json") == 0
	    && json_is_object(rp->json))
		json_object_set_new(rp->json, "request_id", json_string(request_id));
	if (rp->stream) {
		resp = rp->stream;
		rp->stream = NULL; /* queued or destroyed below, either way not ours */
		admit_phase(conn_rec(c), CONN_STREAMING);
	} else {
		if (rp->json) {
			text = json_dumps(rp->json, JSON_COMPACT);
			len = text ? strlen(text) : 0;
		} else if (rp->text) {
			text = rp->text;
			rp->text = NULL;
			len = strlen(text);
		}
		if (head) {
			free(text);
			text = NULL;
		}
		resp = MHD_create_response_from_buffer(head ? 0 : len, text, MHD_RESPMEM_MUST_FREE);
		if (!resp) {
			free(text);
			return MHD_NO;
		}
		/* a refusal without one would pass for libmicrohttpd's own
		 * (http_refusal.c) */
		if (rp->status != 204 && rp->content_type)
			MHD_add_response_header(resp, "Content-Type", rp->content_type);
	}
	if (rp->retry_after > 0) {
		char v[16];

		snprintf(v, sizeof v, "%d", rp->retry_after);
		MHD_add_response_header(resp, "Retry-After", v);
	}
	if (rp->rate.reset > 0 && rp->rate.limit >= 0) { /* draft-ietf-httpapi-ratelimit-headers */
		char v[24];

		snprintf(v, sizeof v, "%lld", (long long)rp->rate.limit);
		MHD_add_response_header(resp, "RateLimit-Limit", v);
		snprintf(v, sizeof v, "%lld", (long long)rp->rate.remaining);
		MHD_add_response_header(resp, "RateLimit-Remaining", v);
		snprintf(v, sizeof v, "%d", rp->rate.reset);
		MHD_add_response_header(resp, "RateLimit-Reset", v);
	}
	if (rp->close)
		MHD_add_response_header(resp, "Connection", "close");
	if (rp->replayed)
		MHD_add_response_header(resp, "Idempotent-Replayed", "true");
	MHD_add_response_header(resp, "X-Request-Id", request_id);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	ret = MHD_queue_response(c, (unsigned)rp->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void
request_clear(struct conn_state *cs)
{
	json_decref(cs->r.body);
	cs->r.body = NULL;
	for (int i = 0; i < cs->r.nowned; i++)
		free(cs->r.owned[i]);
	cs->r.nowned = 0;
	json_decref(cs->rp.json);
	cs->rp.json = NULL;
	free(cs->rp.text);
	cs->rp.text = NULL;
	if (cs->rp.stream) /* never queued: its stream task learns it is closed */
		MHD_destroy_response(cs->rp.stream);
	cs->rp.stream = NULL;
	cs->state = REQ_READING;
}

/* X-Request-Id when the client sent a sane one, else a new id. */
static void
request_id(struct conn_state *cs, struct MHD_Connection *c)
{
	const char *id = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Request-Id");

	if (log_request_id_ok(id))
		snprintf(cs->request_id, sizeof cs->request_id, "%s", id);
	else
		log_request_id_new(cs->request_id);
}

static const char *const caller_names[] = { "none", "staff", "user", "key" };

/* A sign-in, a refused credential, a rate limit: a line of its own,
 * with the problem's detail (never the credential). */
static void
security_event(const struct req *r, const struct reply *rp, const char *tenant, const char *caller)
{
	const char *event = NULL, *email = NULL, *detail = NULL;

	if (r->match.id == ROUTE_AUTH_LOGIN && (rp->status == 200 || rp->status == 401)) {
		event = rp->status == 200 ? "signin_ok" : "signin_failed";
		email = json_string_value(json_object_get(r->body, "email"));
	} else if (rp->status == 401) {
		event = "credential_refused";
	} else if (rp->status == 429) {
		event = "rate_limited";
	}
	if (!event)
		return;
	if (rp->status != 200)
		detail = json_string_value(json_object_get(rp->json, "detail"));
	log_line(rp->status == 200 ? LOG_LEVEL_INFO : LOG_LEVEL_WARN, "security", "event", event,
		 "route", route_name(r->match.id), "email", email, "tenant", tenant, "caller",
		 caller, "ip", r->ip, "detail", detail, "request_id", r->request_id, NULL);
}

/* The request is answered: its metric, its log line, a security event. */
static void
request_done(struct conn_state *cs)
{
	const struct req *r = &cs->r;
	const struct reply *rp = &cs->rp;
	double secs = since(&cs->start);
	const char *tenant = r->who.tenant_id[0] ? r->who.tenant_id : NULL;
	const char *caller = caller_names[(unsigned)r->who.kind < 4 ? r->who.kind : 0];
	char status[8], ms[24];

	metrics_request(r->match.id, rp->status, secs);
	if ((unsigned)r->match.id < ROUTE_COUNT && !tenant)
		tenant = route_param(&r->match, "id");
	security_event(r, rp, tenant, caller);
	if (!log_enabled(LOG_LEVEL_INFO))
		return;
	snprintf(status, sizeof status, "%d", rp->status);
	snprintf(ms, sizeof ms, "%.3f", secs * 1000);
	log_line(LOG_LEVEL_INFO, "request", "method", r->method, "route",
		 (unsigned)r->match.id < ROUTE_COUNT ? route_name(r->match.id) : "none", "status",
		 status, "duration_ms", ms, "tenant", tenant, "caller", caller, "ip", r->ip,
		 "request_id", r->request_id, NULL);
}

/* The task of one request: the handler, then the connection resumes and
 * the access handler sends the reply. */
static void
run_request(void *arg)
{
	struct conn_state *cs = arg;

	handle(&cs->r, &cs->rp);
	request_done(cs);
	cs->state = REQ_DONE;
	MHD_resume_connection(cs->conn);
}

/* The client's address, as admit_open wrote it down when the connection
 * opened (once per connection, not per request). */
static void
request_ip(struct MHD_Connection *c, char out[46])
{
	const struct conn_rec *rec = conn_rec(c);

	if (rec)
		snprintf(out, 46, "%s", rec->ip);
	else
		client_ip(c, out);
}

/* The first call of a request, its head read: 414 and 431 for queries
 * and headers over the bounds, 503 over the connection limits. */
static const char *
head_refusal(struct conn_state *cs, struct MHD_Connection *c, const char *method, const char *url,
	     int *status)
{
	const struct conn_rec *rec = conn_rec(c);

	if (cs->query_too_long) {
		*status = 414;
		return "the query string is longer than its bounds";
	}
	if (MHD_get_connection_values(c, MHD_HEADER_KIND, NULL, NULL) > HTTP_HEADERS_MAX) {
		*status = 431;
		return "too many header fields";
	}
	if (rec && rec->over && !admit_exempt(method, url)) {
		*status = 503;
		return rec->over == ADMIT_OVER_PER_IP ? "too many connections from this address"
						      : "too many connections";
	}
	return NULL;
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *c, const char *url, const char *method,
	  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct conn_state *cs = *con_cls;
	enum MHD_Result ret;
	struct err e;

	(void)cls;
	(void)version;
	if (!cs || !cs->seen) {
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");

		if (!cs && !(cs = calloc(1, sizeof *cs)))
			return MHD_NO;
		*con_cls = cs;
		cs->seen = true;
		clock_gettime(CLOCK_MONOTONIC, &cs->start);
		request_id(cs, c);
		if (cl && strtoull(cl, NULL, 10) > server_cfg->body_max)
			cs->too_large = true;
		cs->refusal = head_refusal(cs, c, method, url, &cs->refusal_status);
		return MHD_YES;
	}
	if (*upload_size) {
		if (cs->refusal) { /* dropped: the answer is known */
			*upload_size = 0;
			return MHD_YES;
		}
		if (!cs->too_large && cs->len + *upload_size > server_cfg->body_max)
			cs->too_large = true;
		if (!cs->too_large) {
			if (cs->len + *upload_size + 1 > cs->cap) {
				size_t cap = (cs->len + *upload_size + 1) * 2;
				char *nb = realloc(cs->body, cap);

				if (!nb)
					return MHD_NO;
				cs->body = nb;
				cs->cap = cap;
			}
			memcpy(cs->body + cs->len, upload, *upload_size);
			cs->len += *upload_size;
			cs->body[cs->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}

	if (cs->state == REQ_RUNNING)
		return MHD_YES; /* not ours to answer yet */
	if (cs->state == REQ_DONE) {
		ret = send_reply(c, &cs->rp, strcmp(method, "HEAD") == 0, cs->r.request_id);
		request_clear(cs);
		return ret;
	}
	memset(&cs->r, 0, sizeof cs->r);
	memcpy(cs->r.request_id, cs->request_id, sizeof cs->r.request_id);
	cs->r.match.id = ROUTE_COUNT; /* until route_find: a refusal has none */
	memset(&cs->rp, 0, sizeof cs->rp);
	cs->rp.status = 500;
	cs->conn = c;
	cs->r.method = method;
	cs->r.path = url;
	cs->r.conn = c;
	cs->r.raw_body = cs->body;
	cs->r.raw_len = cs->len;
	request_ip(c, cs->r.ip);
	admit_phase(conn_rec(c), CONN_BUSY);
	if (cs->refusal) {
		reply_status(&cs->rp, cs->refusal_status, cs->refusal);
	} else if (route_find(&cs->r.match, method, url) < 0) {
		err_set(&e, cs->r.match.path_known ? ERR_METHOD : ERR_NOT_FOUND,
			cs->r.match.path_known ? "method %.10s not allowed here"
					       : "no such resource",
			method);
		reply_error(&cs->rp, &e, NULL);
	} else if (cs->too_large) {
		err_set(&e, ERR_TOO_LARGE, "the body exceeds %zu bytes", server_cfg->body_max);
		reply_error(&cs->rp, &e, NULL);
	} else if (loop_stopping()) {
		/* no new task once stopping: the loop waits for the ones running */
		err_set(&e, ERR_UNAVAILABLE, "the server is stopping");
		reply_error(&cs->rp, &e, NULL);
		cs->rp.close = true;
	} else {
		json_error_t je;

		if (cs->len && json_body_check(cs->body, cs->len, JSON_DEPTH_MAX, &e) < 0) {
			reply_error(&cs->rp, &e, NULL); /* never parsed: too deep */
		} else if (cs->len) {
			cs->r.body = json_loadb(cs->body, cs->len, JSON_REJECT_DUPLICATES, &je);
			if (!cs->r.body) {
				err_set(&e, ERR_BAD_JSON, "malformed JSON at line %d column %d: %s",
					je.line, je.column, je.text);
				reply_error(&cs->rp, &e, NULL);
			}
		}
		if (!cs->len || cs->r.body) {
			/* The handler runs as a task; the connection waits for it. */
			cs->state = REQ_RUNNING;
			MHD_suspend_connection(c);
			if (loop_spawn(run_request, cs) == 0)
				return MHD_YES;
			MHD_resume_connection(c);
			cs->state = REQ_READING;
			err_set(&e, ERR_UNAVAILABLE, "out of memory for the request");
			reply_error(&cs->rp, &e, NULL);
		}
	}
	request_done(cs);
	ret = send_reply(c, &cs->rp, strcmp(method, "HEAD") == 0, cs->r.request_id);
	request_clear(cs);
	return ret;
}

static void
completed_cb(void *cls, struct MHD_Connection *c, void **con_cls,
	     enum MHD_RequestTerminationCode toe)
{
	struct conn_state *cs = *con_cls;

	(void)cls;
	(void)toe;
	if (cs && cs->state == REQ_RUNNING)
		return; /* its task still runs (never closed while suspended) */
	admit_phase(conn_rec(c), CONN_WAITING); /* for its next request */
	if (cs) {
		request_clear(cs);
		free(cs->body);
		free(cs);
		*con_cls = NULL;
	}
}

struct MHD_Daemon *
http_daemon(int listen_fd, bool ipv6, int nloops)
{
	const struct server_config *cfg = server_cfg;
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	MHD_LogCallback logger = http_refusal_log; /* libmicrohttpd's words, as our lines */

	(void)nloops; /* the limits are counted for all loops (accept_policy) */
	if (ipv6)
		flags |= MHD_USE_IPv6;
	/* The limits are admit.c's; libmicrohttpd's own is only a backstop
	 * above the hard cap (evicted connections close a moment later). */
	return MHD_start_daemon(
	    flags, 0, accept_policy, NULL, access_cb, NULL, MHD_OPTION_EXTERNAL_LOGGER, logger,
	    NULL, MHD_OPTION_LISTEN_SOCKET, listen_fd, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)cfg->timeout, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)(cfg->conn_limit + 2 * ADMIT_SPARE(cfg->conn_limit)),
	    MHD_OPTION_URI_LOG_CALLBACK, uri_cb, NULL, MHD_OPTION_NOTIFY_CONNECTION, connection_cb,
	    NULL, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_READ_MAX,
	    MHD_OPTION_UNESCAPE_CALLBACK, keep_escaped, NULL, MHD_OPTION_NOTIFY_COMPLETED,
	    completed_cb, NULL, MHD_OPTION_END);
}
