/* store_rest_keys.c - a tenant's API keys over tenantryd (routes.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/validate.h"
#include "store/store_rest.h"

REST_ONE(api_key)
REST_LIST(api_key)

REST_TENANT_LIST_OP(rest_apikey_list, api_key, ROUTE_APIKEYS_LIST)

/* ---- API keys ------------------------------------------------------------------------ */

static int
rest_apikey_create(struct api_key *out, char secret_out[128], struct store *st, const char *tenant,
		   const char *name, scope_mask scopes, usec_t expires_at, struct err *e)
{
	struct rest_path p;
	json_t *body, *reply;
	const char *key;

	memset(out, 0, sizeof *out);
	secret_out[0] = '\0';
	REST_NEED_TENANT(tenant, e);
	if (!(body = json_pack("{s:o}", "scopes", scope_mask_to_json(scopes))))
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (expires_at)
		json_object_set_new(body, "expires_at", time_to_json(expires_at));
	if (rest_set_str(body, "name", name ? name : "", "name", e) < 0) {
		json_decref(body);
		return -1;
	}
	rest_route(&p, ROUTE_APIKEYS_CREATE, tenant);
	if (rest_call(rest_of(st), &p, body, &reply, e) < 0)
		return -1;
	key = json_string_value(json_object_get(reply, "key"));
	if (!key || strlen(key) >= 128) {
		json_decref(reply);
		return rest_bad_reply(e, "API key", NULL);
	}
	snprintf(secret_out, 128, "%s", key);
	if (api_key_reply(out, reply, e) < 0) {
		memset(secret_out, 0, 128);
		return -1;
	}
	return 0;
}

static int
rest_apikey_revoke(struct store *st, const char *tenant, const char *key, struct err *e)
{
	struct rest_path p;

	REST_NEED_TENANT(tenant, e);
	if (!key || !*key)
		return err_field(e, "key", "key missing");
	rest_route(&p, ROUTE_APIKEY_REVOKE, tenant, key);
	return rest_call(rest_of(st), &p, NULL, NULL, e);
}

void
rest_ops_keys(struct store_ops *ops)
{
	ops->apikey_list = rest_apikey_list;
	ops->apikey_create = rest_apikey_create;
	ops->apikey_revoke = rest_apikey_revoke;
}
