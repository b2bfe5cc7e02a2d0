/* api_keys.c - the routes of a tenant's API keys: each route's parsing, store call
 * and reply (its permission is its row in routes.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/json_limit.h"
#include "core/json_text.h"
#include "core/text.h"
#include "core/validate.h"
#include "server/api.h"

/* ---- API keys --------------------------------------------------------------------- */

static void
h_apikeys_list(struct req *r, struct reply *rp)
{
	struct api_key_list l;
	struct err e;

	if (OP(r, apikey_list, &l, r->st, api_tenant(r), &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, api_items(LIST_JSON(api_key, &l), NULL));
	api_key_list_free(&l);
}

static void
h_apikeys_create(struct req *r, struct reply *rp)
{
	json_t *b = api_body(r, rp), *j;
	const char *name;
	scope_mask scopes = 0;
	usec_t expires = 0;
	struct api_key k;
	char secret[128];
	struct err e;

	if (!b)
		return;
	if (api_member_str(&name, b, "name", true, &e) < 0)
		return api_fail(rp, &e);
	if (!json_object_get(b, "scopes")) {
		err_field(&e, "scopes", "scopes is required");
		return api_fail(rp, &e);
	}
	if (scope_mask_from_json(&scopes, json_object_get(b, "scopes"), "scopes", &e) < 0)
		return api_fail(rp, &e);
	j = json_object_get(b, "expires_at");
	if (j && !json_is_null(j) && time_from_json(&expires, j, "expires_at", &e) < 0)
		return api_fail(rp, &e);
	if (OP(r, apikey_create, &k, secret, r->st, api_tenant(r), name, scopes, expires, &e) < 0)
		return api_fail(rp, &e);
	j = api_key_to_json(&k);
	if (j)
		json_object_set_new(j, "key", json_string(secret));
	memset(secret, 0, sizeof secret);
	reply_json(rp, 201, j);
}

void
api_apikeys_list(struct req *r, struct reply *rp)
{
	h_apikeys_list(r, rp);
}

void
api_apikeys_create(struct req *r, struct reply *rp)
{
	h_apikeys_create(r, rp);
}

void
api_apikey_revoke(struct req *r, struct reply *rp)
{
	struct err e;
	int rc = store_apikey_revoke(r->st, api_tenant(r), route_param(&r->match, "key"), &e);

	api_no_content(rp, rc, &e);
}
