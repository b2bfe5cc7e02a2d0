/* api.h - what the route handlers (api_*.c, one file per resource) share.
 *
 * Every route of the table in routes.h names its handler, api_<name>; its
 * permission is checked before the handler runs (handlers.c), and the
 * handler parses the request, calls the store and fills the reply.
 */
#ifndef TENANTRY_SERVER_API_H
#define TENANTRY_SERVER_API_H

#include "server/server.h"

/* One handler per route. */
#define X(e, m, p, n, perm, fn, st, q, b) void api_##fn(struct req *r, struct reply *rp);
ROUTES(X)
#undef X

/* A store operation of the request's store. */
#define OP(r, name, ...) (store_##name(__VA_ARGS__))

/* A JSON array of type##_to_json of each row of list, or NULL. */
/* clang-format off */
#define LIST_JSON(type, list)                                                \
	({                                                                   \
		json_t *a_ = json_array();                                   \
		for (size_t i_ = 0; a_ && i_ < (list)->n; i_++) {            \
			json_t *o_ = type##_to_json(&(list)->rows[i_]);      \
			if (!o_ || json_array_append_new(a_, o_) < 0) {      \
				json_decref(a_);                             \
				a_ = NULL;                                   \
			}                                                    \
		}                                                            \
		a_;                                                          \
	})
/* clang-format on */

/* The problem+json of e. */
void api_fail(struct reply *rp, const struct err *e);
/* {"items": arr, "next": next}; NULL when arr is. */
json_t *api_items(json_t *arr, const char *next);
/* The body as an object; NULL after replying 400. */
json_t *api_body(struct req *r, struct reply *rp);
/* A string member: required (missing -> error) or optional (NULL). */
int api_member_str(const char **out, json_t *o, const char *key, bool required, struct err *e);
/* The same under two names (the seeds disagree); errors name key. */
int api_member_str2(const char **out, json_t *o, const char *key, const char *alias, bool required,
		    struct err *e);
int api_member_int(int64_t *out, bool *present, json_t *o, const char *key, bool required,
		   struct err *e);
int api_member_bool(bool *out, json_t *o, const char *key, struct err *e);
/* An integer query parameter in lo..hi (absent = dflt). */
int api_query_int(struct req *r, const char *name, int64_t lo, int64_t hi, int64_t dflt,
		  int64_t *out, struct err *e);
/* A query flag: 1, true or yes. */
bool api_query_flag(struct req *r, const char *name);
/* ?name= as an RFC 3339 time into *out (0 when absent); -1 with e on a bad one. */
int api_query_time(usec_t *out, struct req *r, const char *name, struct err *e);
/* The {id} of the path: a tenant's id or slug. */
const char *api_tenant(struct req *r);
/* 204, or the error when rc < 0. */
void api_no_content(struct reply *rp, int rc, const struct err *e);
/* {"<key>": n}. */
void api_count(struct reply *rp, const char *key, int n);
/* The client's User-Agent for the audit log, cut at a character boundary;
 * left out unless UTF-8. */
void api_copy_user_agent(struct store_context *ctx, const char *ua);
/* Puts p's credential (a user or staff token) into ctx, for the database
 * to re-check with the kind and role it claims; keys and anonymous
 * callers add nothing. */
void api_context_credential(struct store_context *ctx, const struct principal *p);

#endif
