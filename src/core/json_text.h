/* json_text.h - JSON written straight to text, for the replies tenantryd
 * sends most: a tenant and a page of tenants. The text is what
 * json_dumps(tenant_to_json(t), JSON_COMPACT) prints (same keys, same
 * order, same numbers), without building the jansson tree, and the
 * settings and branding texts, which the database printed, go in as they
 * are instead of being parsed and printed again.
 */
#ifndef TENANTRY_JSON_TEXT_H
#define TENANTRY_JSON_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/types.h"

/* A growing text; `failed` once out of memory or given invalid UTF-8. */
struct jtext {
	char *buf;
	size_t len, cap;
	bool failed;
	bool comma; /* a value was written at this level */
};

void jt_open(struct jtext *j, char brace);  /* '{' or '[' */
void jt_close(struct jtext *j, char brace); /* '}' or ']' */
void jt_key(struct jtext *j, const char *key);
void jt_str(struct jtext *j, const char *s);
void jt_int(struct jtext *j, long long v);
void jt_real(struct jtext *j, double v);
void jt_time(struct jtext *j, usec_t t);              /* null for 0 */
void jt_json(struct jtext *j, const char *json_text); /* as is; null for NULL */
/* The text (owned by the caller), or NULL when it failed. */
char *jt_take(struct jtext *j);

/* A tenant as tenant_to_json writes it. */
void tenant_json_text(struct jtext *j, const struct tenant *t);
/* A page of tenants as the list routes reply it: {"items": [...], "next"}. */
void tenant_page_json_text(struct jtext *j, const struct tenant *rows, size_t n, const char *next);

#endif
