/* idempotency.c - the Idempotency-Key header of write requests.
 *
 * A POST, PUT, PATCH or DELETE with an Idempotency-Key runs in one
 * database transaction that first claims the key (store idem_begin) and
 * last keeps the answer with it (idem_end) before it commits, so the key
 * is kept exactly when the write committed:
 *  - the same key with the same request (method, path and body) within
 *    24 hours gets the first successful answer back, with
 *    Idempotent-Replayed: true, and changes nothing;
 *  - the same key with another request gets 422 idempotency_key_reused;
 *  - while the first is still running, 409 idempotency_in_progress.
 * Keys belong to one caller (user, staff member or API key) of one tenant.
 * Only successful answers are kept: a failed request rolls back and may
 * be sent again with the same key. Sign-in routes, recovery codes and
 * reset tokens issue credentials and are never replayed (nor kept);
 * signing out everywhere ends the caller's own token, which the key's
 * transaction would then refuse, and is idempotent by itself.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server.h"

#define IDEM_KEY_MAX 255

static bool
is_write(const char *method)
{
	return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0
	       || strcmp(method, "PATCH") == 0 || strcmp(method, "DELETE") == 0;
}

/* Printable ASCII, 1..255 bytes (the header's documented form). */
static bool
key_valid(const char *k)
{
	size_t n = 0;

	for (; k[n]; n++)
		if ((unsigned char)k[n] < 0x21 || (unsigned char)k[n] > 0x7e)
			return false;
	return n >= 1 && n <= IDEM_KEY_MAX;
}

/* sha256 of method, path and body, in hex. */
static void
fingerprint(char out[65], const struct req *r)
{
	crypto_hash_sha256_state h;
	unsigned char d[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, (const unsigned char *)r->method, strlen(r->method) + 1);
	crypto_hash_sha256_update(&h, (const unsigned char *)r->path, strlen(r->path) + 1);
	if (r->raw_len)
		crypto_hash_sha256_update(&h, (const unsigned char *)r->raw_body, r->raw_len);
	crypto_hash_sha256_final(&h, d);
	sodium_bin2hex(out, 65, d, sizeof d);
}

static void
caller_of(char *out, size_t n, const struct req *r)
{
	const struct principal *p = &r->who;

	switch (p->kind) {
	case PRINCIPAL_KEY:
		snprintf(out, n, "key:%s", p->key_id);
		break;
	case PRINCIPAL_STAFF:
		snprintf(out, n, "staff:%s%s%s", p->user_id, p->view_as ? "@" : "",
			 p->view_as ? p->tenant_id : "");
		break;
	case PRINCIPAL_USER:
		snprintf(out, n, "user:%s", p->user_id);
		break;
	case PRINCIPAL_NONE:
		snprintf(out, n, "anonymous");
		break;
	}
}

/* The answer in rp as text to keep; NULL when out of memory. */
static char *
answer_text(const struct reply *rp)
{
	if (rp->json)
		return json_dumps(rp->json, JSON_COMPACT);
	return strdup(rp->text ? rp->text : "");
}

static void
replay(struct reply *rp, struct idem_answer *a)
{
	rp->status = a->status;
	if (a->status == 204 || !a->body || !*a->body) {
		free(a->body);
		rp->json = NULL;
	} else {
		rp->text = a->body;
	}
	a->body = NULL;
	rp->content_type = strcmp(a->content_type, "application/json") == 0
			       ? "application/json"
			       : "text/plain; charset=utf-8";
	rp->replayed = true;
}

void
idem_run(struct req *r, struct reply *rp, route_fn *dispatch)
{
	const char *key = req_header(r, "Idempotency-Key");
	struct idem_answer a;
	char caller[2 * ID_LEN + 16], fp[65];
	struct err e;
	char *body;

	if (!key || !is_write(r->method) || r->match.id == ROUTE_AUTH_LOGIN
	    || r->match.id == ROUTE_AUTH_TOTP || r->match.id == ROUTE_AUTH_TOTP_CONFIRM
	    || r->match.id == ROUTE_AUTH_RECOVERY_CODES || r->match.id == ROUTE_USER_PASSWORD_RESET
	    || r->match.id == ROUTE_AUTH_SIGN_OUT || r->match.id == ROUTE_USER_SIGN_OUT)
		return dispatch(r, rp);
	if (!key_valid(key)) {
		err_set(&e, ERR_BAD_REQUEST,
			"Idempotency-Key must be 1 to %d printable ASCII characters", IDEM_KEY_MAX);
		return reply_error(rp, &e, NULL);
	}
	caller_of(caller, sizeof caller, r);
	fingerprint(fp, r);
	if (store_idem_begin(&a, r->st, caller, key, fp, &e) < 0) {
		if (e.code == ERR_METHOD) /* a store that keeps no keys */
			return dispatch(r, rp);
		return reply_error(rp, &e, NULL);
	}
	if (a.status)
		return replay(rp, &a);
	dispatch(r, rp);
	if (rp->status < 200 || rp->status > 299 || rp->stream) {
		store_idem_end(r->st, NULL, &e);
		return;
	}
	a.status = rp->status;
	snprintf(a.content_type, sizeof a.content_type, "%s",
		 rp->json || !rp->text ? "application/json" : "text/plain");
	if (!(body = answer_text(rp))) {
		store_idem_end(r->st, NULL, &e);
		err_set(&e, ERR_INTERNAL, "out of memory");
		reply_clear(rp);
		return reply_error(rp, &e, NULL);
	}
	a.body = body;
	if (store_idem_end(r->st, &a, &e) < 0) {
		reply_clear(rp);
		reply_error(rp, &e, NULL);
	}
	free(body);
}
