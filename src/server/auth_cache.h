/* auth_cache.h - the principals of tokens that passed verification, by
 * token (auth_cache.c), for auth.c. */
#ifndef TENANTRY_AUTH_CACHE_H
#define TENANTRY_AUTH_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/server.h"

void cache_init(void);
void cache_free(void);
/* True, with *p, *exp and *nbf, when tok passed before. */
bool cache_get(const char *tok, size_t len, struct principal *p, int64_t *exp, int64_t *nbf);
void cache_put(const char *tok, size_t len, const struct principal *p, int64_t exp, int64_t nbf);

#endif
