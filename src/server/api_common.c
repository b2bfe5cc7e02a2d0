/* api_common.c - what the route handlers share: replies for errors, lists,
 * no content and counts, and reading bodies and query parameters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/json_limit.h"
#include "core/json_text.h"
#include "core/text.h"
#include "core/validate.h"
#include "server/api.h"

void
api_fail(struct reply *rp, const struct err *e)
{
	reply_error(rp, e, NULL);
}

json_t *
api_items(json_t *arr, const char *next)
{
	if (!arr)
		return NULL;
	return json_pack("{s:o, s:s}", "items", arr, "next", next ? next : "");
}

/* The body as an object; NULL after replying 400. */
json_t *
api_body(struct req *r, struct reply *rp)
{
	struct err e;

	if (json_is_object(r->body))
		return r->body;
	err_set(&e, ERR_BAD_REQUEST,
		r->body ? "the body must be a JSON object" : "a JSON body is required");
	api_fail(rp, &e);
	return NULL;
}

/* A string member: required (missing -> error) or optional (NULL). */
int
api_member_str(const char **out, json_t *o, const char *key, bool required, struct err *e)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return err_field(e, key, "%s is required", key);
		return 0;
	}
	if (!json_is_string(v))
		return err_field(e, key, "%s must be a string", key);
	*out = json_string_value(v);
	if (strlen(*out) != json_string_length(v))
		return err_field(e, key, "%s must not contain NUL", key);
	return 0;
}

/* The seeds name some members differently; the first name present wins
 * and the error names the canonical one. */
int
api_member_str2(const char **out, json_t *o, const char *key, const char *alias, bool required,
		struct err *e)
{
	if (!json_object_get(o, key) && json_object_get(o, alias)) {
		if (api_member_str(out, o, alias, required, e) < 0)
			return err_field(e, key, "%s must be a string", key);
		return 0;
	}
	return api_member_str(out, o, key, required, e);
}

int
api_member_int(int64_t *out, bool *present, json_t *o, const char *key, bool required,
	       struct err *e)
{
	json_t *v = json_object_get(o, key);

	if (present)
		*present = false;
	if (!v || json_is_null(v)) {
		if (required)
			return err_field(e, key, "%s is required", key);
		return 0;
	}
	if (!json_is_integer(v))
		return err_field(e, key, "%s must be an integer", key);
	*out = json_integer_value(v);
	if (present)
		*present = true;
	return 0;
}

int
api_member_bool(bool *out, json_t *o, const char *key, struct err *e)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return err_field(e, key, "%s must be true or false", key);
	*out = json_is_true(v);
	return 0;
}

/* An integer query parameter in lo..hi (absent = dflt). */
int
api_query_int(struct req *r, const char *name, int64_t lo, int64_t hi, int64_t dflt, int64_t *out,
	      struct err *e)
{
	const char *v = req_query(r, name);
	char *end;
	long long n;

	*out = dflt;
	if (!v || !*v)
		return 0;
	n = strtoll(v, &end, 10);
	if (*end || n < lo || n > hi)
		return err_field(e, name, "%s wants an integer in %lld..%lld", name, (long long)lo,
				 (long long)hi);
	*out = n;
	return 0;
}

int
api_query_time(usec_t *out, struct req *r, const char *name, struct err *e)
{
	const char *v = req_query(r, name);

	*out = 0;
	return v ? time_parse(out, v, name, e) : 0;
}

bool
api_query_flag(struct req *r, const char *name)
{
	const char *v = req_query(r, name);

	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0);
}

const char *
api_tenant(struct req *r)
{
	return route_param(&r->match, "id");
}

void
api_no_content(struct reply *rp, int rc, const struct err *e)
{
	if (rc < 0)
		return api_fail(rp, e);
	reply_json(rp, 204, NULL);
}

void
api_count(struct reply *rp, const char *key, int n)
{
	reply_json(rp, 200, json_pack("{s:i}", key, n));
}

/* The client's User-Agent for the audit log: cut at a character boundary
 * when it is longer than the context holds; left out unless UTF-8. */
void
api_copy_user_agent(struct store_context *ctx, const char *ua)
{
	if (ua && validate_utf8(ua, "User-Agent", NULL) == 0)
		utf8_copy(ctx->user_agent, sizeof ctx->user_agent, ua, strlen(ua));
	else
		ctx->user_agent[0] = '\0';
}
