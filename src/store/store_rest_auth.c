/* store_rest_auth.c - signing in to tenantryd for remote mode (remote.h),
 * and the credential operations that only the database store does. */
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "store/remote.h"
#include "store/store_rest.h"

int store_rest_open(struct store **out, const struct store_config *cfg, struct err *e);

static int
login_reply(struct remote_login *out, json_t *reply, struct err *e)
{
	const char *token = json_string_value(json_object_get(reply, "token"));
	const char *kind = json_string_value(json_object_get(reply, "kind"));
	const char *user = json_string_value(json_object_get(reply, "user_id"));
	const char *email = json_string_value(json_object_get(reply, "email"));
	const char *tenant = json_string_value(json_object_get(reply, "tenant_id"));
	const char *role = json_string_value(json_object_get(reply, "role"));
	struct err why;

	if (!token || !*token || !kind || !user || !email)
		return rest_bad_reply(e, "login reply", NULL);
	if (time_from_json(&out->expires_at, json_object_get(reply, "expires_at"), "expires_at",
			   &why)
	    < 0)
		return rest_bad_reply(e, "login reply", &why);
	if (!(out->token = strdup(token)))
		return err_set(e, ERR_INTERNAL, "out of memory");
	snprintf(out->kind, sizeof out->kind, "%s", kind);
	snprintf(out->user_id, sizeof out->user_id, "%s", user);
	snprintf(out->email, sizeof out->email, "%s", email);
	snprintf(out->tenant_id, sizeof out->tenant_id, "%s", tenant ? tenant : "");
	snprintf(out->role, sizeof out->role, "%s", role ? role : "");
	return 0;
}

int
remote_login(struct remote_login *out, const char *url, const char *email, const char *password,
	     const char *totp, const char *tenant, struct err *e)
{
	struct store_config cfg = { .url = url };
	struct store *st = NULL;
	struct rest_path p;
	json_t *body = json_object(), *reply = NULL;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (!body)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (rest_set_str(body, "email", email ? email : "", "email", e) < 0
	    || rest_set_str(body, "password", password ? password : "", "password", e) < 0
	    || rest_set_str(body, "totp", totp, "totp", e) < 0
	    || rest_set_str(body, "tenant", tenant, "tenant", e) < 0
	    || store_rest_open(&st, &cfg, e) < 0) {
		json_decref(body);
		return -1;
	}
	rest_route(&p, ROUTE_AUTH_LOGIN);
	if (rest_call(rest_of(st), &p, body, &reply, e) == 0)
		rc = login_reply(out, reply, e);
	json_decref(reply);
	store_close(&st);
	return rc;
}

void
remote_login_clear(struct remote_login *l)
{
	if (l->token) {
		memset(l->token, 0, strlen(l->token));
		free(l->token);
	}
	memset(l, 0, sizeof *l);
}

/* ---- what only the database store does ----------------------------------------
 *
 * Credentials (tenantryd's own lookups, staff accounts) are the server's side
 * of the API: over REST they answer ERR_METHOD. */

static int
rest_auth_user(struct auth_account *out, struct store *st, const char *email_or_id, struct err *e)
{
	(void)st, (void)email_or_id;
	memset(out, 0, sizeof *out);
	return rest_over_db(e, "looking up an account");
}

static int
rest_auth_memberships(struct auth_membership *out, size_t max, size_t *n, struct store *st,
		      const char *user, struct err *e)
{
	(void)out, (void)max, (void)st, (void)user;
	*n = 0;
	return rest_over_db(e, "looking up memberships");
}

static int
rest_auth_login_ok(struct store *st, const char *user, const char *tenant, const char *rehash,
		   struct err *e)
{
	(void)st, (void)user, (void)tenant, (void)rehash;
	return rest_over_db(e, "recording a login");
}

static int
rest_auth_mfa_set(struct store *st, const char *user, const char *sealed, bool enabled,
		  struct err *e)
{
	(void)st, (void)user, (void)sealed, (void)enabled;
	return rest_over_db(e, "setting a second factor");
}

static int
rest_auth_api_key(struct auth_key *out, struct store *st, const char *prefix, struct err *e)
{
	(void)st, (void)prefix;
	memset(out, 0, sizeof *out);
	return rest_over_db(e, "looking up an API key");
}

static int
rest_tenant_of_host(char out[ID_LEN], struct store *st, const char *host, struct err *e)
{
	(void)st, (void)host;
	out[0] = '\0';
	return rest_over_db(e, "resolving a request's Host");
}

static int
rest_staff_add(char id_out[ID_LEN], struct store *st, const char *email, const char *full_name,
	       enum staff_role role, const char *password_hash, struct err *e)
{
	(void)st, (void)email, (void)full_name, (void)role, (void)password_hash;
	id_out[0] = '\0';
	return rest_over_db(e, "creating a staff account");
}

void
rest_ops_auth(struct store_ops *ops)
{
	ops->auth_user = rest_auth_user;
	ops->auth_memberships = rest_auth_memberships;
	ops->auth_login_ok = rest_auth_login_ok;
	ops->auth_mfa_set = rest_auth_mfa_set;
	ops->auth_api_key = rest_auth_api_key;
	ops->tenant_of_host = rest_tenant_of_host;
	ops->staff_add = rest_staff_add;
	rest_ops_credentials(ops);
}
