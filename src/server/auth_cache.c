/* auth_cache.c - the verified tokens auth.c remembers.
 *
 * Checking a JWT costs three JSON parses, a JSON dump and an HMAC (or an
 * RSA verification). Whether a token passes those checks depends on its
 * bytes and on the keys alone, and a key, once loaded, verifies until the
 * server stops (a reload on SIGHUP adds a key, never takes one away); so
 * the principal a token yields is kept, by token, and a
 * token seen again is only checked against the clock (exp, nbf). Only
 * tokens that passed are kept. Tokens are compared in constant time and
 * whole: a lookup tells nothing about the bytes of another token.
 * Revocation is unaffected: it is the store's check, on every request.
 * Direct-mapped: a colliding token replaces the one in its slot. */

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "server/auth_cache.h"

#define CACHE_SLOTS 1024
#define CACHE_LOCKS 16

struct cached {
	char *tok;
	size_t len;
	int64_t exp, nbf;
	struct principal p;
};

static struct {
	pthread_mutex_t lock[CACHE_LOCKS];
	struct cached slot[CACHE_SLOTS];
	bool ready;
} C;

static uint64_t
token_hash(const char *tok, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)tok[i]) * 1099511628211ULL;
	return h;
}

void
cache_init(void)
{
	for (int i = 0; i < CACHE_LOCKS; i++)
		pthread_mutex_init(&C.lock[i], NULL);
	C.ready = true;
}

void
cache_free(void)
{
	if (!C.ready)
		return;
	for (int i = 0; i < CACHE_SLOTS; i++)
		free(C.slot[i].tok);
	for (int i = 0; i < CACHE_LOCKS; i++)
		pthread_mutex_destroy(&C.lock[i]);
	memset(&C, 0, sizeof C);
}

/* True, with *p, *exp and *nbf, when tok passed before. */
bool
cache_get(const char *tok, size_t len, struct principal *p, int64_t *exp, int64_t *nbf)
{
	size_t i = token_hash(tok, len) % CACHE_SLOTS;
	struct cached *c = &C.slot[i];
	bool hit;

	if (!C.ready)
		return false;
	pthread_mutex_lock(&C.lock[i % CACHE_LOCKS]);
	hit = c->tok && c->len == len && sodium_memcmp(c->tok, tok, len) == 0;
	if (hit) {
		*p = c->p;
		*exp = c->exp;
		*nbf = c->nbf;
	}
	pthread_mutex_unlock(&C.lock[i % CACHE_LOCKS]);
	return hit;
}

void
cache_put(const char *tok, size_t len, const struct principal *p, int64_t exp, int64_t nbf)
{
	size_t i = token_hash(tok, len) % CACHE_SLOTS;
	struct cached *c = &C.slot[i];
	char *copy;

	if (!C.ready || !(copy = malloc(len + 1)))
		return;
	memcpy(copy, tok, len + 1);
	pthread_mutex_lock(&C.lock[i % CACHE_LOCKS]);
	free(c->tok);
	*c = (struct cached){ .tok = copy, .len = len, .exp = exp, .nbf = nbf, .p = *p };
	pthread_mutex_unlock(&C.lock[i % CACHE_LOCKS]);
}
