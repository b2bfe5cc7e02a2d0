/* store_rest.c - the store over tenantryd's REST API: opening, the context
 * as headers, paths, one HTTP call per operation and problem+json errors.
 * The operations live in store_rest_ops.c, the live feed in
 * store_rest_feed.c. */
#include "store/store_rest.h"

#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/validate.h"

#define USER_AGENT "tenantry/0.1"
#define REST_IDEM_KEY_BYTES 16
#define REST_RETRIES 5          /* sends of one write at most */
#define REST_RETRY_FIRST_MS 250 /* then 500, 1000, 2000 */

/* ---- paths ---------------------------------------------------------------- */

static void
put_raw(struct rest_path *p, const char *s, size_t n)
{
	if (p->len + n >= sizeof p->buf) {
		p->overflow = true;
		return;
	}
	memcpy(p->buf + p->len, s, n);
	p->len += n;
	p->buf[p->len] = '\0';
}

/* RFC 3986 unreserved characters pass, every other byte is %XX, so a
 * value can never add a segment, a query or a fragment. */
static void
put_encoded(struct rest_path *p, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char enc[3] = { '%', hex[c >> 4], hex[c & 15] };

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
		    || strchr("-._~", c))
			put_raw(p, s, 1);
		else
			put_raw(p, enc, 3);
	}
}

void
rest_route_v(struct rest_path *p, enum route_id r, size_t n, const char *const params[])
{
	const char *pat = route_pattern(r);
	size_t used = 0;

	memset(p, 0, sizeof *p);
	p->route = r;
	p->method = route_method(r);
	while (*pat) {
		const char *close;

		if (*pat == '{' && (close = strchr(pat, '}'))) {
			if (used < n)
				put_encoded(p, params[used + 1] ? params[used + 1] : "");
			used++;
			pat = close + 1;
			continue;
		}
		put_raw(p, pat++, 1);
	}
	if (used != n || !*p->method)
		p->overflow = true;
}

void
rest_query(struct rest_path *p, const char *name, const char *value)
{
	if (!value)
		return;
	if (!route_has_query(p->route, name))
		p->overflow = true;
	put_raw(p, p->query ? "&" : "?", 1);
	p->query = true;
	put_raw(p, name, strlen(name));
	put_raw(p, "=", 1);
	put_encoded(p, value);
}

void
rest_query_i64(struct rest_path *p, const char *name, int64_t value)
{
	char num[24];

	snprintf(num, sizeof num, "%lld", (long long)value);
	rest_query(p, name, num);
}

/* ---- replies and errors ----------------------------------------------------- */

struct reply_buf {
	char *data;
	size_t len, cap;
	bool too_large;
};

static size_t
on_data(char *ptr, size_t size, size_t n, void *ud)
{
	struct reply_buf *b = ud;
	size_t add = size * n;

	if (b->len + add + 1 > REST_REPLY_MAX) {
		b->too_large = true;
		return 0;
	}
	if (b->len + add + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *d;

		while (cap < b->len + add + 1)
			cap *= 2;
		if (!(d = realloc(b->data, cap)))
			return 0;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, ptr, add);
	b->len += add;
	b->data[b->len] = '\0';
	return add;
}

int
rest_bad_reply(struct err *e, const char *what, const struct err *why)
{
	return err_set(e, ERR_INTERNAL, "tenantryd sent an unexpected %s%s%s", what,
		       why && *why->message ? ": " : "", why ? why->message : "");
}

/* The code for an HTTP status when the reply carries no known code. */
static enum err_code
code_of_status(long status)
{
	if (status == 502 || status == 504)
		return ERR_UNAVAILABLE;
	for (int c = ERR_BAD_REQUEST; c < ERR_CODE_COUNT; c++)
		if (err_code_status((enum err_code)c) == status)
			return (enum err_code)c;
	return status >= 500 ? ERR_INTERNAL : ERR_BAD_REQUEST;
}

int
rest_problem(struct err *e, long status, const char *data, size_t len, json_t **problem)
{
	json_t *j = len ? json_loadb(data, len, 0, NULL) : NULL;
	const char *code = json_string_value(json_object_get(j, "code"));
	const char *detail = json_string_value(json_object_get(j, "detail"));
	const char *title = json_string_value(json_object_get(j, "title"));
	const char *field = json_string_value(json_object_get(j, "field"));
	enum err_code c = code ? err_code_from_name(code) : code_of_status(status);

	if (code && c == ERR_INTERNAL && strcmp(code, "internal") != 0)
		c = code_of_status(status); /* a code this build does not know */
	if (!detail || !*detail)
		detail = title && *title ? title : err_code_title(c);
	err_set(e, c, "%s", detail);
	if (e) {
		e->status = (int)status;
		if (field)
			snprintf(e->field, sizeof e->field, "%s", field);
	}
	if (problem && json_is_object(j))
		*problem = j;
	else
		json_decref(j);
	return -1;
}

/* Fills e from a failed reply and keeps the problem for the caller's
 * extra members. */
static int
problem_error(struct reststore *s, long status, const struct reply_buf *b, struct err *e)
{
	json_decref(s->problem);
	s->problem = NULL;
	return rest_problem(e, status, b->data, b->len, &s->problem);
}

/* ---- calls ------------------------------------------------------------------ */

struct curl_slist *
rest_headers(const struct reststore *s, struct curl_slist *h)
{
	const struct store_context *c = &s->base.ctx;
	char line[600];

	if (s->token && *s->token) {
		snprintf(line, sizeof line, "Authorization: Bearer %s", s->token);
		h = curl_slist_append(h, line);
	}
	if (c->role == STORE_ROLE_TENANT && c->view_session[0]) {
		snprintf(line, sizeof line, "X-View-As: %s", c->view_session);
		h = curl_slist_append(h, line);
	}
	return h;
}

/* Sets method and body on the handle; GET is the default again for every
 * call, since the handle is reused. */
static void
set_method(CURL *c, const char *method, const char *body)
{
	curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
	curl_easy_setopt(c, CURLOPT_NOBODY, 0L);
	if (strcmp(method, "GET") == 0)
		return;
	if (strcmp(method, "DELETE") == 0 && !body) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
		return;
	}
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)(body ? strlen(body) : 0));
	curl_easy_setopt(c, CURLOPT_COPYPOSTFIELDS, body ? body : "");
	if (strcmp(method, "POST") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
}

/* Sends the request; on success b holds the body and *status the code. */
static int
perform(struct reststore *s, const char *method, const struct rest_path *p, const char *body,
	const char *idem_key, struct reply_buf *b, long *status, struct err *e)
{
	char url[REST_PATH_MAX + 512], errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *h = NULL;
	CURLcode rc;

	if (p->overflow)
		return err_set(e, p->len + 1 >= sizeof p->buf ? ERR_BAD_REQUEST : ERR_INTERNAL,
			       "request path too long, or not the route's parameters");
	snprintf(url, sizeof url, "%s%s", s->url, p->buf);
	h = rest_headers(s, h);
	h = curl_slist_append(h, "Accept: application/json");
	h = curl_slist_append(h, body ? "Content-Type: application/json" : "Content-Type:");
	h = curl_slist_append(h, "Expect:");
	if (idem_key) {
		char line[128];

		snprintf(line, sizeof line, "Idempotency-Key: %s", idem_key);
		h = curl_slist_append(h, line);
	}
	if (*s->base.ctx.user_agent) {
		char ua[160];

		snprintf(ua, sizeof ua, "User-Agent: %s", s->base.ctx.user_agent);
		h = curl_slist_append(h, ua);
	}
	curl_easy_setopt(s->curl, CURLOPT_URL, url);
	curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, b);
	set_method(s->curl, method, body);
	rc = h ? curl_easy_perform(s->curl) : CURLE_OUT_OF_MEMORY;
	curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(h);
	if (rc == CURLE_WRITE_ERROR && b->too_large)
		return err_set(e, ERR_TOO_LARGE, "reply of tenantryd larger than %u MiB",
			       REST_REPLY_MAX >> 20);
	if (rc == CURLE_OUT_OF_MEMORY || rc == CURLE_WRITE_ERROR)
		return err_set(e, ERR_INTERNAL, "out of memory");
	/* Nothing was sent when the connection could not be made; after
	 * that, a write may have been done. */
	if (rc != CURLE_OK && idem_key && rc != CURLE_COULDNT_CONNECT
	    && rc != CURLE_COULDNT_RESOLVE_HOST)
		return err_set(e, ERR_OUTCOME_UNKNOWN,
			       "lost tenantryd at %s before it "
			       "answered: the change may or may not have been saved: %s",
			       s->url, *errbuf ? errbuf : curl_easy_strerror(rc));
	if (rc != CURLE_OK)
		return err_set(e, ERR_UNAVAILABLE, "cannot reach tenantryd at %s: %s", s->url,
			       *errbuf ? errbuf : curl_easy_strerror(rc));
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, status);
	return 0;
}

/* Is a failed write worth sending again with its Idempotency-Key? */
static bool
retry_write(const struct err *e)
{
	return e->code == ERR_OUTCOME_UNKNOWN || e->code == ERR_UNAVAILABLE
	       || e->code == ERR_IN_PROGRESS;
}

/* Every write carries an Idempotency-Key of its own, so that one whose
 * outcome is unknown (a lost connection, tenantryd's 503) is sent again,
 * a few times with backoff, and is done once: tenantryd answers the
 * retry of a write that committed with the first answer. */
static int
call_raw(struct reststore *s, const struct rest_path *p, json_t *body, struct reply_buf *b,
	 struct err *e)
{
	const char *method = p->method;
	char *text = NULL, key[2 * REST_IDEM_KEY_BYTES + 4];
	bool write = strcmp(method, "GET") != 0;
	int delay_ms = REST_RETRY_FIRST_MS;
	long status = 0;
	int rc;

	if (body && !(text = json_dumps(body, JSON_COMPACT))) {
		json_decref(body);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	json_decref(body);
	if (write) {
		unsigned char raw[REST_IDEM_KEY_BYTES];

		randombytes_buf(raw, sizeof raw);
		memcpy(key, "tk-", 3);
		sodium_bin2hex(key + 3, sizeof key - 3, raw, sizeof raw);
	}
	for (int attempt = 1;; attempt++) {
		json_decref(s->problem);
		s->problem = NULL;
		b->len = 0;
		rc = perform(s, method, p, text, write ? key : NULL, b, &status, e);
		if (rc == 0 && (status < 200 || status >= 300))
			rc = problem_error(s, status, b, e);
		if (rc == 0 || !write || attempt == REST_RETRIES || !e || !retry_write(e))
			break;
		poll(NULL, 0, delay_ms);
		delay_ms *= 2;
	}
	free(text);
	return rc;
}

int
rest_call(struct reststore *s, const struct rest_path *p, json_t *body, json_t **reply,
	  struct err *e)
{
	struct reply_buf b = { 0 };
	json_error_t je;
	json_t *j;

	if (reply)
		*reply = NULL;
	if (call_raw(s, p, body, &b, e) < 0) {
		free(b.data);
		return -1;
	}
	if (!b.len) {
		j = json_null();
	} else if (!(j = json_loadb(b.data, b.len, 0, &je))) {
		free(b.data);
		return err_set(e, ERR_INTERNAL,
			       "tenantryd sent a reply that is not "
			       "JSON: %s",
			       je.text);
	}
	free(b.data);
	if (reply)
		*reply = j;
	else
		json_decref(j);
	return 0;
}

int
rest_call_text(struct reststore *s, const struct rest_path *p, char **text, struct err *e)
{
	struct reply_buf b = { 0 };

	*text = NULL;
	if (call_raw(s, p, NULL, &b, e) < 0) {
		free(b.data);
		return -1;
	}
	if (!b.data && !(b.data = strdup("")))
		return err_set(e, ERR_INTERNAL, "out of memory");
	*text = b.data;
	return 0;
}

int
rest_set_str(json_t *o, const char *key, const char *text, const char *field, struct err *e)
{
	if (!text)
		return 0;
	if (validate_utf8(text, field, e) < 0)
		return -1;
	if (json_object_set_new(o, key, json_string(text)) < 0)
		return err_set(e, ERR_INTERNAL, "out of memory");
	return 0;
}

/* ---- the store itself ----------------------------------------------------------- */

static void
rest_close(struct store *st)
{
	struct reststore *s = rest_of(st);

	if (s->curl)
		curl_easy_cleanup(s->curl);
	json_decref(s->problem);
	free(s->url);
	if (s->token) {
		memset(s->token, 0, strlen(s->token));
		free(s->token);
	}
	free(s);
}

/* Header values must not carry line breaks or other control bytes. */
static bool
header_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static int
rest_set_context(struct store *st, const struct store_context *ctx, struct err *e)
{
	if ((unsigned)ctx->role > STORE_ROLE_ONCALL)
		return err_set(e, ERR_BAD_REQUEST, "unknown role");
	if (ctx->role == STORE_ROLE_TENANT && !*ctx->tenant_id)
		return err_set(e, ERR_BAD_REQUEST, "a tenant context needs the tenant's id");
	if (!header_safe(ctx->tenant_id) || !header_safe(ctx->user_agent))
		return err_set(e, ERR_BAD_REQUEST, "control characters in the context");
	st->ctx = *ctx;
	return 0;
}

/* 0 when tenantryd and its database answer. */
static int
rest_ping(struct store *st, struct err *e)
{
	struct rest_path p;

	rest_route(&p, ROUTE_READYZ);
	if (rest_call(rest_of(st), &p, NULL, NULL, e) == 0)
		return 0;
	if (e && e->code != ERR_UNAVAILABLE)
		err_set(e, ERR_UNAVAILABLE, "tenantryd is not ready: %s", e->message);
	return -1;
}

/* ---- what only the database store does -------------------------------------------
 *
 * Idempotency-Key transactions are the server's side of the API: over REST
 * they answer ERR_METHOD (rest_over_db, also for the credential lookups of
 * store_rest_auth.c), so that no slot of the table is NULL. */

int
rest_over_db(struct err *e, const char *what)
{
	return err_set(e, ERR_METHOD, "%s is done on the database (--db), not over REST", what);
}

/* The REST store sends Idempotency-Keys (store_rest.c's calls); it keeps
 * none. Ending "no transaction" is a no-op. */
static int
rest_idem_begin(struct idem_answer *out, struct store *st, const char *caller, const char *key,
		const char *fingerprint, struct err *e)
{
	(void)st, (void)caller, (void)key, (void)fingerprint;
	memset(out, 0, sizeof *out);
	return rest_over_db(e, "keeping an Idempotency-Key");
}

static int
rest_idem_end(struct store *st, const struct idem_answer *answer, struct err *e)
{
	(void)st;
	return answer ? rest_over_db(e, "keeping an Idempotency-Key") : 0;
}

static struct store_ops ops = {
	.version = STORE_OPS_VERSION,
	.kind = "rest",
	.close = rest_close,
	.set_context = rest_set_context,
	.ping = rest_ping,
	.idem_begin = rest_idem_begin,
	.idem_end = rest_idem_end,
};
static pthread_once_t ops_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void
fill_ops(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (sodium_init() < 0) /* the Idempotency-Keys are random */
		global_rc = CURLE_FAILED_INIT;
	rest_ops_tenants(&ops);
	rest_ops_auth(&ops);
	rest_ops_members(&ops);
	rest_ops_invitations(&ops);
	rest_ops_settings(&ops);
	rest_ops_keys(&ops);
	rest_ops_audit(&ops);
	rest_ops_platform(&ops);
	rest_ops_history(&ops);
	rest_ops_jobs(&ops);
	rest_ops_webhooks(&ops);
	rest_ops_usage(&ops);
	rest_ops_feed(&ops);
	rest_ops_view_as(&ops);
}

static int
check_config(const struct store_config *cfg, struct err *e)
{
	const char *u = cfg->url;

	if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
		return err_set(e, ERR_BAD_REQUEST,
			       "--url wants http://HOST[:PORT] or "
			       "https://HOST[:PORT], not %s",
			       u);
	if (!header_safe(u) || strchr(u, '?') || strchr(u, '#') || strlen(u) > 400)
		return err_set(e, ERR_BAD_REQUEST, "--url: not a base URL: %s", u);
	if (cfg->token && !header_safe(cfg->token))
		return err_set(e, ERR_BAD_REQUEST, "the token holds control characters");
	return 0;
}

/* The handle every call reuses: keep-alive, time-outs, no redirects (the
 * bearer token must not follow one), http and https only. */
static CURL *
new_handle(void)
{
	CURL *c = curl_easy_init();

	if (!c)
		return NULL;
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, REST_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, REST_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	return c;
}

int
store_rest_open(struct store **out, const struct store_config *cfg, struct err *e)
{
	struct reststore *s;
	size_t n;

	*out = NULL;
	pthread_once(&ops_once, fill_ops);
	if (global_rc != CURLE_OK)
		return err_set(e, ERR_INTERNAL, "libcurl failed to initialise");
	if (check_config(cfg, e) < 0)
		return -1;
	s = calloc(1, sizeof *s);
	if (!s)
		return err_set(e, ERR_INTERNAL, "out of memory");
	s->base.ops = &ops;
	s->base.ctx.role = STORE_ROLE_SESSION;
	s->url = strdup(cfg->url);
	s->token = cfg->token ? strdup(cfg->token) : NULL;
	s->curl = new_handle();
	if (!s->url || (cfg->token && !s->token) || !s->curl) {
		rest_close(&s->base);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	n = strlen(s->url);
	while (n > 0 && s->url[n - 1] == '/')
		s->url[--n] = '\0';
	*out = &s->base;
	return 0;
}
