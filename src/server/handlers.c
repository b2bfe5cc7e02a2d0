/* handlers.c - one request from its route to its reply: the credential,
 * the permission its row in routes.h names, the caller's store context
 * (role, tenant, actor, view-as), then the route's handler (api_*.c, one
 * file per resource). Which rows a caller sees is decided by the
 * database: the store context carries the caller's role and tenant. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/json_limit.h"
#include "core/json_text.h"
#include "core/text.h"
#include "core/validate.h"
#include "server/api.h"

/* ---- what each route needs ------------------------------------------------- */

enum need {
	NEED_PUBLIC, /* no credential */
	NEED_ANY,    /* any valid credential */
	NEED_PERM,   /* the permission of the route's row */
	NEED_STAFF,  /* platform staff (any role) */
	NEED_ADMIN,  /* platform_admin */
	NEED_PERSON, /* a user or staff token, not an API key */
};
#define PERM_NONE PERM_COUNT

/* From the route table: every row names what it needs (routes.h). */
static const struct {
	enum need need;
	enum perm perm;
} needs[ROUTE_COUNT] = {
#define X(e, m, p, n, perm, fn, st, q, b) [ROUTE_##e] = { NEED_##n, PERM_##perm },
	ROUTES(X)
#undef X
};
#undef PERM_NONE

bool
route_is_public(enum route_id id)
{
	return (unsigned)id < ROUTE_COUNT && needs[id].need == NEED_PUBLIC;
}

static bool
allowed(const struct principal *p, enum route_id id)
{
	switch (needs[id].need) {
	case NEED_PUBLIC:
	case NEED_ANY:
		return true;
	case NEED_PERM:
		return principal_can(p, needs[id].perm);
	case NEED_STAFF:
		return principal_is_staff(p);
	case NEED_ADMIN:
		return principal_is_staff(p) && p->staff == STAFF_PLATFORM_ADMIN;
	case NEED_PERSON:
		return p->kind == PRINCIPAL_STAFF || p->kind == PRINCIPAL_USER;
	}
	return false;
}

/* ---- the route table's handlers ------------------------------------------------- */

static route_fn *const route_fns[ROUTE_COUNT] = {
#define X(e, m, p, n, perm, fn, st, q, b) [ROUTE_##e] = api_##fn,
	ROUTES(X)
#undef X
};

static void
dispatch(struct req *r, struct reply *rp)
{
	route_fns[r->match.id](r, rp);
}

/* ---- the caller's context ----------------------------------------------------------- */

static enum store_role
staff_store_role(enum staff_role s)
{
	switch (s) {
	case STAFF_PLATFORM_ADMIN:
		return STORE_ROLE_PLATFORM;
	case STAFF_SUPPORT:
		return STORE_ROLE_SUPPORT;
	default:
		return STORE_ROLE_ONCALL;
	}
}

/* Staff "view as tenant": X-View-As names the caller's own open support
 * session (POST /api/view-as), which gives the tenant and the member role,
 * with the permission overrides of the member it names, whose rights
 * apply. The request then runs as the tenant database role in that
 * tenant's context, which holds it to them too. */
static int
view_as(struct req *r, struct store_context *ctx, struct err *e)
{
	const char *session = req_header(r, "X-View-As");
	struct view_session v;

	if (!session)
		return 0;
	if (!principal_can(&r->who, PERM_VIEW_AS))
		return err_set(e, ERR_FORBIDDEN, "viewing as a tenant is not allowed");
	if (store_view_as_get(&v, r->st, session, e) < 0)
		return e->code == ERR_NOT_FOUND
			   ? err_set(e, ERR_FORBIDDEN,
				     "X-View-As: no open view-as session of yours by that id "
				     "(POST /api/view-as starts one)")
			   : -1;
	r->who.role = v.role;
	r->who.over = v.over;
	snprintf(ctx->tenant_id, sizeof ctx->tenant_id, "%s", v.tenant_id);
	snprintf(ctx->view_session, sizeof ctx->view_session, "%s", v.id);
	ctx->view_role = v.role;
	ctx->view_over = v.over;
	snprintf(r->who.tenant_id, sizeof r->who.tenant_id, "%s", v.tenant_id);
	ctx->role = STORE_ROLE_TENANT;
	r->who.view_as = true;
	return store_set_context(r->st, ctx, e);
}

/* A JSON body's members are the route's (its row's body column): any other
 * is refused before anything runs, rather than ignored. */
static int
unknown_member(const struct req *r, struct err *e)
{
	const char *key;
	json_t *v;

	if (!json_is_object(r->body))
		return 0;
	json_object_foreach(r->body, key, v)
	{
		if (!route_body_allows(r->match.id, key)) {
			char name[64]; /* a long name is cut at a character boundary */

			utf8_copy(name, sizeof name, key, strlen(key));
			return err_field(e, name, "unknown field %s", name);
		}
	}
	return 0;
}

void
api_context_credential(struct store_context *ctx, const struct principal *p)
{
	bool staff = p->kind == PRINCIPAL_STAFF;

	if (!staff && p->kind != PRINCIPAL_USER)
		return;
	snprintf(ctx->auth_user, sizeof ctx->auth_user, "%s", p->user_id);
	ctx->auth_issued_us = p->issued_us;
	snprintf(ctx->auth_kind, sizeof ctx->auth_kind, "%s", staff ? "staff" : "user");
	snprintf(ctx->auth_role, sizeof ctx->auth_role, "%s",
		 staff ? staff_role_name(p->staff) : member_role_name(p->role));
}

static int
set_context(struct req *r, struct err *e)
{
	const struct principal *p = &r->who;
	struct store_context ctx = { .role = STORE_ROLE_AUTH };
	const char *ua = req_header(r, "User-Agent");

	snprintf(ctx.ip, sizeof ctx.ip, "%s", r->ip);
	api_copy_user_agent(&ctx, ua);
	snprintf(ctx.actor, sizeof ctx.actor, "%s", p->email);
	switch (p->kind) {
	case PRINCIPAL_STAFF:
		ctx.role = staff_store_role(p->staff);
		snprintf(ctx.actor_kind, sizeof ctx.actor_kind, "staff");
		break;
	case PRINCIPAL_USER:
		ctx.role = STORE_ROLE_TENANT;
		ctx.view_role = p->role; /* the database holds it to the role too */
		ctx.view_over = p->over;
		ctx.auth_member = true;
		snprintf(ctx.actor_kind, sizeof ctx.actor_kind, "user");
		break;
	case PRINCIPAL_KEY:
		ctx.role = STORE_ROLE_TENANT;
		snprintf(ctx.actor_kind, sizeof ctx.actor_kind, "api_key");
		snprintf(ctx.auth_key, sizeof ctx.auth_key, "%s", p->key_id);
		break;
	case PRINCIPAL_NONE:
		snprintf(ctx.actor_kind, sizeof ctx.actor_kind, "system");
		break;
	}
	api_context_credential(&ctx, p);
	snprintf(ctx.tenant_id, sizeof ctx.tenant_id, "%s", p->tenant_id);
	/* Second-factor enrolment works on the account, not on tenant data. */
	if (r->match.id == ROUTE_AUTH_TOTP || r->match.id == ROUTE_AUTH_TOTP_CONFIRM) {
		ctx.role = STORE_ROLE_AUTH;
		ctx.auth_member = false;
	}
	if (store_set_context(r->st, &ctx, e) < 0)
		return -1;
	if (p->kind == PRINCIPAL_STAFF)
		return view_as(r, &ctx, e);
	return 0;
}

/* ---- the tenant a request names -------------------------------------------------- */

/* The answer to a tenant that does not exist: ref is what the request
 * named it by (the path's {id} when there is one). */
static int
unknown_tenant(struct req *r, const char *ref, struct err *e)
{
	const char *path = api_tenant(r);

	return err_set(e, ERR_NOT_FOUND, "no tenant %s", path ? path : ref);
}

/* Do refs a and b name the same tenant (as the caller sees tenants)? */
static bool
same_tenant(struct req *r, const char *a, const char *b)
{
	struct tenant ta, tb;
	struct err e;
	bool same;

	if (strcmp(a, b) == 0)
		return true;
	if (store_tenant_get(&ta, r->st, a, &e) < 0)
		return false;
	if (store_tenant_get(&tb, r->st, b, &e) < 0) {
		tenant_clear(&ta);
		return false;
	}
	same = strcmp(ta.id, tb.id) == 0;
	tenant_clear(&ta);
	tenant_clear(&tb);
	return same;
}

/* The Host without port and trailing dot, lower case, in out; false for
 * none, an address or localhost (no tenant named). */
static bool
request_host(struct req *r, char *out, size_t n)
{
	const char *h = req_header(r, "Host");
	size_t len = 0;

	if (!h || !*h || *h == '[')
		return false;
	while (h[len] && h[len] != ':' && len + 1 < n) {
		out[len] = (char)(h[len] >= 'A' && h[len] <= 'Z' ? h[len] + 32 : h[len]);
		len++;
	}
	while (len && out[len - 1] == '.')
		len--;
	out[len] = '\0';
	if (!len || strcmp(out, "localhost") == 0 || strspn(out, "0123456789.") == len)
		return false;
	return true;
}

/* A tenant user or API key: the Host (--tenant-domain) may name a tenant
 * as <slug>.<base> or a verified domain; it must be the credential's own,
 * or the request is answered as for an unknown tenant. */
static int
check_host(struct req *r, struct err *e)
{
	const char *base = server_cfg ? server_cfg->tenant_domain : NULL;
	char host[256], id[ID_LEN];
	size_t hl, bl;
	struct tenant own;
	bool same;

	if (!base || !*base || !request_host(r, host, sizeof host))
		return 0;
	hl = strlen(host);
	bl = strlen(base);
	if (hl > bl + 1 && host[hl - bl - 1] == '.' && strcasecmp(host + hl - bl, base) == 0) {
		host[hl - bl - 1] = '\0'; /* the slug */
		if (strchr(host, '.'))
			return unknown_tenant(r, host, e);
		if (store_tenant_get(&own, r->st, r->who.tenant_id, e) < 0)
			return -1;
		same = strcmp(own.slug, host) == 0;
		tenant_clear(&own);
		return same ? 0 : unknown_tenant(r, host, e);
	}
	if (strcasecmp(host, base) == 0)
		return 0;
	if (store_tenant_of_host(id, r->st, host, e) < 0)
		return e->code == ERR_NOT_FOUND ? 0 : -1; /* not a tenant's domain */
	return strcmp(id, r->who.tenant_id) == 0 ? 0 : unknown_tenant(r, host, e);
}

/* The tenant of the request: the credential's for tenant users and API
 * keys (a Host naming another is an unknown tenant); for staff the path,
 * which X-Tenant-ID, when given, must name too. */
static int
resolve_tenant(struct req *r, struct err *e)
{
	const char *named = req_header(r, "X-Tenant-ID"), *path = api_tenant(r);

	if (r->who.kind == PRINCIPAL_USER || r->who.kind == PRINCIPAL_KEY)
		return check_host(r, e);
	if (r->who.kind != PRINCIPAL_STAFF || r->who.view_as || !named || !path)
		return 0;
	return same_tenant(r, path, named) ? 0 : unknown_tenant(r, named, e);
}

void
api_healthz(struct req *r, struct reply *rp)
{
	(void)r;
	reply_json(rp, 200, json_pack("{s:s}", "status", "ok"));
}

/* For staff: the credential is re-checked (a revoked token reads no
 * metrics) by a round trip to the database. */
void
api_metrics(struct req *r, struct reply *rp)
{
	struct err e;

	if (store_ping(r->st, &e) < 0)
		return api_fail(rp, &e);
	rp->status = 200;
	rp->text = metrics_render();
	rp->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

/* Ready when a session of the pool answers. */
void
api_readyz(struct req *r, struct reply *rp)
{
	struct err e;
	struct store *st = pool_get(&e);
	int rc = -1;

	if (st) {
		struct store_context ctx = { .role = STORE_ROLE_AUTH };

		rc = store_set_context(st, &ctx, &e) < 0 ? -1 : store_ping(st, &e);
		pool_put(st);
	}
	(void)r;
	if (rc < 0)
		return reply_error(rp, &e, NULL);
	reply_json(rp, 200, json_pack("{s:s}", "status", "ready"));
}

void
handle(struct req *r, struct reply *rp)
{
	enum route_id id = r->match.id;
	struct err e;
	struct rate_state rate;

	if ((unsigned)id >= ROUTE_COUNT) {
		err_set(&e, ERR_NOT_FOUND, "no such resource");
		return api_fail(rp, &e);
	}
	/* the probes take no session of the pool */
	if (id == ROUTE_HEALTHZ || id == ROUTE_READYZ)
		return route_fns[id](r, rp);
	if (!(r->st = pool_get(&e)))
		return api_fail(rp, &e);
	if (!route_is_public(id)) {
		if (auth_verify(&r->who, req_header(r, "Authorization"), r->st, &e) < 0)
			goto failed;
		if (!allowed(&r->who, id)) {
			err_set(&e, ERR_FORBIDDEN, "not allowed");
			goto failed;
		}
	}
	if (unknown_member(r, &e) < 0 || set_context(r, &e) < 0)
		goto failed;
	/* view-as changes the rights: check again under the tenant's role */
	if (r->who.view_as && !allowed(&r->who, id)) {
		err_set(&e, ERR_FORBIDDEN, "not allowed for the role being viewed as");
		goto failed;
	}
	if (!route_is_public(id) && resolve_tenant(r, &e) < 0)
		goto failed;
	activity_note(&r->who);
	rate.limit = -1;
	if ((r->who.kind == PRINCIPAL_USER || r->who.kind == PRINCIPAL_KEY)
	    && ratelimit_take(&rate, r->who.tenant_id, r->st)) {
		metrics_rate_limited();
		err_set(&e, ERR_RATE_LIMITED, "the tenant's hourly API rate is used up");
		reply_error(rp, &e, NULL);
		rp->retry_after = rate.reset;
		rp->rate = rate;
		pool_put(r->st);
		return;
	}
	idem_run(r, rp, dispatch);
	/* A read whose session was lost may simply run again; a write never
	 * does without its Idempotency-Key. */
	if (strcmp(r->method, "GET") == 0 && rp->status == 503 && !rp->stream) {
		reply_clear(rp);
		dispatch(r, rp);
	}
	rp->rate = rate;
	pool_put(r->st);
	return;
failed:
	pool_put(r->st);
	api_fail(rp, &e);
}
