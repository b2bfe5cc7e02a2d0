/* store_rest.h - internals shared by the REST store's source files.
 *
 * Every operation is one HTTP call to tenantryd, on a path built from the
 * route table (core/routes.h): store_rest.c holds the transport (one
 * keep-alive curl handle per store, headers from the context, problem+json
 * errors back into struct err), store_rest_tenants.c and store_rest_usage.c
 * the operations, store_rest_feed.c the live audit feed over Server-Sent
 * Events.
 */
#ifndef TENANTRY_STORE_REST_H
#define TENANTRY_STORE_REST_H

#include <curl/curl.h>
#include <jansson.h>

#include "core/routes.h"
#include "store/store.h"

#define REST_PATH_MAX 1024
#define REST_CONNECT_TIMEOUT_MS 5000L
#define REST_TIMEOUT_MS 60000L
#define REST_REPLY_MAX (256u << 20) /* an export of a big tenant */

struct reststore {
	struct store base;
	CURL *curl;
	char *url;       /* base URL without a trailing '/' */
	char *token;     /* may be NULL */
	json_t *problem; /* problem+json of the last failed call */
};

static inline struct reststore *
rest_of(struct store *st)
{
	return (struct reststore *)st;
}

/* A call under construction: the route's method and its path. */
struct rest_path {
	enum route_id route;
	const char *method;
	char buf[REST_PATH_MAX];
	size_t len;
	bool query;    /* a '?' was written */
	bool overflow; /* too long, or not the route's parameters */
};

/* Starts the call of route r (core/routes.h): its method, and its
 * pattern with each {param} replaced, in order, by the next of the n
 * strings params[1..n] (params[0] is unused), percent-encoded as one path segment (a '/' in it
 * stays inside the segment). Every path the store calls is built this
 * way, from the table tenantryd routes by; n other than the pattern's
 * count of parameters is an error of the call (ERR_INTERNAL). */
void rest_route_v(struct rest_path *p, enum route_id r, size_t n, const char *const params[]);
/* rest_route(&p, ROUTE_SETTING_PUT, tenant, key) */
/* clang-format off */
#define rest_route(p, r, ...)                                                \
	rest_route_v((p), (r),                                               \
		     sizeof((const char *const[]){ NULL, ##__VA_ARGS__ })    \
			     / sizeof(const char *) - 1,                     \
		     (const char *const[]){ NULL, ##__VA_ARGS__ })
/* clang-format on */
/* Appends "name=value" (value percent-encoded); NULL value = nothing. A
 * name that is not one of the route's query parameters is an error of
 * the call (ERR_INTERNAL), as for rest_route. */
void rest_query(struct rest_path *p, const char *name, const char *value);
void rest_query_i64(struct rest_path *p, const char *name, int64_t value);

/* One call: method on path with body (a new reference that is consumed,
 * may be NULL). On 2xx returns 0 and *reply holds the JSON reply (a new
 * reference; json null for 204); reply may be NULL when the caller does
 * not need it. On failure returns -1 with e filled from the problem+json
 * (code, status, message, field) and keeps the problem in s->problem for
 * extra members (conflicts, quota); unreachable servers and time-outs are
 * ERR_UNAVAILABLE. */
int rest_call(struct reststore *s, const struct rest_path *p, json_t *body, json_t **reply,
	      struct err *e);
/* Like rest_call, the reply body as text (owned, free()). */
int rest_call_text(struct reststore *s, const struct rest_path *p, char **text, struct err *e);

/* Adds the headers of the store's credentials and context to a list. */
struct curl_slist *rest_headers(const struct reststore *s, struct curl_slist *h);

/* Fills e from a failed reply of status with body data[0..len):
 * problem+json when it is one ({code, detail, field}), else the status
 * alone. When problem is not NULL and the body is a JSON object, *problem
 * receives it (a new reference). Returns -1. */
int rest_problem(struct err *e, long status, const char *data, size_t len, json_t **problem);

/* Error for a reply that is not the JSON the contract promises. */
int rest_bad_reply(struct err *e, const char *what, const struct err *why);

/* An owned body string, or -1 with ERR_INVALID_FIELD naming field when
 * the text is not valid UTF-8 (JSON cannot carry it). NULL text = not
 * set. */
int rest_set_str(json_t *o, const char *key, const char *text, const char *field, struct err *e);

/* Decoders of replies: one record (REST_ONE) or a list {"items", "next"}
 * (REST_LIST). Each takes the reply reference and releases it; a reply
 * that is not what the contract promises is ERR_INTERNAL naming the field.
 * On failure *out holds nothing owned. */
/* clang-format off */
#define REST_ONE(T)                                                          \
	static int T##_reply(struct T *out, json_t *reply, struct err *e)    \
	{                                                                    \
		struct err why;                                              \
		int rc = T##_from_json(out, reply, &why);                    \
		json_decref(reply);                                          \
		return rc < 0 ? rest_bad_reply(e, #T, &why) : 0;             \
	}
/* clang-format on */
/* clang-format off */
#define REST_LIST(T)                                                         \
	static int T##_items(struct T##_list *out, json_t *reply,            \
			     struct err *e)                                  \
	{                                                                    \
		json_t *items = json_object_get(reply, "items"), *v;         \
		const char *next = json_string_value(                        \
			json_object_get(reply, "next"));                     \
		struct err why;                                              \
		size_t i;                                                    \
		memset(out, 0, sizeof *out);                                 \
		if (!json_is_array(items)) {                                 \
			json_decref(reply);                                  \
			return rest_bad_reply(e, #T " list", NULL);          \
		}                                                            \
		out->rows = calloc(json_array_size(items) + 1,               \
				   sizeof *out->rows);                       \
		if (!out->rows) {                                            \
			json_decref(reply);                                  \
			return err_set(e, ERR_INTERNAL, "out of memory");    \
		}                                                            \
		json_array_foreach(items, i, v) {                            \
			if (T##_from_json(&out->rows[i], v, &why) < 0) {     \
				T##_list_free(out);                          \
				json_decref(reply);                          \
				return rest_bad_reply(e, #T, &why);          \
			}                                                    \
			out->n = i + 1;                                      \
		}                                                            \
		snprintf(out->next, sizeof out->next, "%s",                  \
			 next ? next : "");                                  \
		json_decref(reply);                                          \
		return 0;                                                    \
	}
/* clang-format on */

/* A tenant argument every tenant route needs. */
/* clang-format off */
#define REST_NEED_TENANT(tenant, e)                                          \
	do {                                                                 \
		if (!(tenant) || !*(tenant))                                 \
			return err_field((e), "tenant", "tenant missing");   \
	} while (0)
/* clang-format on */

/* Operation tables filled by the other files. */
/* GET of a tenant's sub-resource that replies with a list. */
/* clang-format off */
#define REST_TENANT_LIST_OP(name, T, route)                                  \
	static int name(struct T##_list *out, struct store *st,              \
			const char *tenant, struct err *e)                   \
	{                                                                    \
		struct rest_path p;                                          \
		json_t *reply;                                               \
		memset(out, 0, sizeof *out);                                 \
		REST_NEED_TENANT(tenant, e);                                 \
		rest_route(&p, route, tenant);                               \
		if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)         \
			return -1;                                           \
		return T##_items(out, reply, e);                             \
	}
/* clang-format on */

/* ERR_METHOD for what only the database store does (credential lookups,
 * staff accounts, Idempotency-Key transactions, counted API calls). */
int rest_over_db(struct err *e, const char *what);
void rest_ops_auth(struct store_ops *ops);
void rest_ops_credentials(struct store_ops *ops); /* store_rest_credentials.c */
void rest_ops_tenants(struct store_ops *ops);
void rest_ops_members(struct store_ops *ops);
void rest_ops_invitations(struct store_ops *ops);
void rest_ops_settings(struct store_ops *ops);
void rest_ops_keys(struct store_ops *ops);
void rest_ops_history(struct store_ops *ops); /* store_rest_history.c */
void rest_ops_audit(struct store_ops *ops);
void rest_ops_platform(struct store_ops *ops);
void rest_ops_jobs(struct store_ops *ops);
void rest_ops_webhooks(struct store_ops *ops);
void rest_ops_usage(struct store_ops *ops);
void rest_ops_feed(struct store_ops *ops);
void rest_ops_view_as(struct store_ops *ops);

#ifdef TENANTRY_FUZZ
/* The live feed's event parser alone (store_rest_feed.c), for the fuzz
 * target; built only with -DTENANTRY_FUZZ. */
int rest_feed_parse_for_test(int wfd, const char *p, size_t n, size_t chunk);
#endif

#endif
