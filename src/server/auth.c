/* auth.c - JWTs, API keys and TOTP for tenantryd.
 *
 * libjwt 1.10.2 verifies signatures and nothing else (security.md), so
 * every check is made here, in this order: size; the header parsed by us
 * (alg must be exactly the configured one, kid must be in the key table);
 * jwt_decode with that key, never an empty one; jwt_get_alg again; then
 * the claims, read as JSON with strict types (exp required and an integer,
 * nbf an integer when present, iss and aud equal to ours) with a small
 * leeway on exp and nbf. Revocation is checked later, inside the
 * request's transaction (auth_check in 008_auth.sql).
 *
 * A token that passed is remembered (auth_cache.c): a client sends the
 * same token with every request until it expires.
 */
#include <errno.h>
#include <jwt.h>
#include <oath.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/auth_cache.h"
#include "server/log.h"
#include "server/server.h"

#define TOKEN_MAX 4096
#define KEYS_MAX 8

struct key {
	char kid[17];
	unsigned char *bytes;
	int len;
	bool can_sign;
};

/* The keys change on SIGHUP (auth_reload): verify[], nverify and sign are
 * read under this lock, written under it by the reload. */
static pthread_rwlock_t keys_lock = PTHREAD_RWLOCK_INITIALIZER;

static struct {
	jwt_alg_t alg;
	const char *alg_name;
	struct key verify[KEYS_MAX]; /* [0] the current one, then earlier ones */
	int nverify;
	struct key sign;
	bool have_sign;
	char issuer[128], audience[128];
	int ttl, leeway;
	uint8_t master[SECRET_KEY_BYTES];
	bool have_master;
} A;

static int
read_file(unsigned char **out, int *len, const char *path, size_t max, struct err *e)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	size_t n;

	if (!f)
		return err_set(e, ERR_BAD_REQUEST, "cannot read %s", path);
	buf = malloc(max + 1);
	n = buf ? fread(buf, 1, max + 1, f) : 0;
	fclose(f);
	if (!buf || n == 0 || n > max) {
		free(buf);
		return err_set(e, ERR_BAD_REQUEST, "%s is empty or too large", path);
	}
	buf[n] = '\0';
	*out = buf;
	*len = (int)n;
	return 0;
}

static void
key_id(char kid[17], const unsigned char *bytes, int len)
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, bytes, (unsigned long long)len);
	sodium_bin2hex(kid, 17, h, 8);
}

int
auth_init(const struct server_config *cfg, struct err *e)
{
	struct key *k;

	memset(&A, 0, sizeof A);
	if (sodium_init() < 0 || oath_init() != OATH_OK)
		return err_set(e, ERR_INTERNAL, "crypto libraries failed to start");
	cache_free();
	cache_init();
	snprintf(A.issuer, sizeof A.issuer, "%s", cfg->issuer);
	snprintf(A.audience, sizeof A.audience, "%s", cfg->audience);
	A.ttl = cfg->token_ttl;
	A.leeway = cfg->leeway;
	k = &A.verify[A.nverify];
	if (cfg->jwt_public_key) {
		A.alg = JWT_ALG_RS256;
		A.alg_name = "RS256";
		if (read_file(&k->bytes, &k->len, cfg->jwt_public_key, 16384, e) < 0)
			return -1;
		if (cfg->jwt_private_key) {
			if (read_file(&A.sign.bytes, &A.sign.len, cfg->jwt_private_key, 16384, e)
			    < 0)
				return -1;
			A.have_sign = true;
		}
	} else if (cfg->jwt_secret_file) {
		A.alg = JWT_ALG_HS256;
		A.alg_name = "HS256";
		if (read_file(&k->bytes, &k->len, cfg->jwt_secret_file, 4096, e) < 0)
			return -1;
		while (k->len > 0 && (k->bytes[k->len - 1] == '\n' || k->bytes[k->len - 1] == '\r'))
			k->len--;
		if (k->len < 32)
			return err_set(e, ERR_BAD_REQUEST,
				       "%s: an HS256 secret needs at least 32 bytes",
				       cfg->jwt_secret_file);
		A.sign = *k;
		A.have_sign = true;
	} else {
		return err_set(e, ERR_BAD_REQUEST,
			       "--jwt-secret-file or --jwt-public-key is required");
	}
	key_id(k->kid, k->bytes, k->len);
	if (A.have_sign)
		snprintf(A.sign.kid, sizeof A.sign.kid, "%s", k->kid);
	A.nverify = 1;
	if (cfg->master_key_file) {
		if (secret_load_key(A.master, cfg->master_key_file, e) < 0)
			return -1;
		A.have_master = true;
	}
	return 0;
}

void
auth_shutdown(void)
{
	if (A.sign.bytes != A.verify[0].bytes)
		free(A.sign.bytes);
	for (int i = 0; i < A.nverify; i++)
		free(A.verify[i].bytes);
	sodium_memzero(A.master, sizeof A.master);
	cache_free();
	oath_done();
	memset(&A, 0, sizeof A);
}

bool
auth_have_master_key(void)
{
	return A.have_master;
}

/* ---- SIGHUP: the secrets files again ------------------------------------------
 *
 * A new signing key becomes verify[0] and signs from then on; the keys
 * before it still verify until the server stops (up to KEYS_MAX in all;
 * then a restart), so the tokens they signed stay valid until they
 * expire. A file that cannot be read, or
 * does not hold a usable key, changes nothing. The master key is read
 * and compared but never replaced: what it sealed (second factors,
 * secret settings, in every database session's store too) would no
 * longer open. */

struct reload_lists {
	char reloaded[256], unchanged[256], restart[256], failed[256];
};

static void
list_add(char *list, const char *name)
{
	size_t n = strlen(list);

	snprintf(list + n, 256 - n, "%s%s", n ? "," : "", name);
}

/* path's key (trimmed as auth_init trims it) as the new current key of
 * the table, or the reason it is not. */
static void
reload_key(struct reload_lists *l, const char *name, const char *path, bool hs256, bool private_key)
{
	struct key k = { 0 };
	struct err e = { 0 };
	const struct key *cur = private_key ? &A.sign : &A.verify[0];

	if (read_file(&k.bytes, &k.len, path, hs256 ? 4096 : 16384, &e) < 0)
		goto failed;
	while (hs256 && k.len > 0 && (k.bytes[k.len - 1] == '\n' || k.bytes[k.len - 1] == '\r'))
		k.len--;
	if (hs256 && k.len < 32) {
		err_set(&e, ERR_BAD_REQUEST, "%s: an HS256 secret needs at least 32 bytes", path);
		goto failed;
	}
	if (k.len == cur->len && sodium_memcmp(k.bytes, cur->bytes, (size_t)k.len) == 0) {
		sodium_memzero(k.bytes, (size_t)k.len);
		free(k.bytes);
		list_add(l->unchanged, name);
		return;
	}
	if (!private_key && A.nverify == KEYS_MAX) {
		/* the earlier keys still verify (and their tokens are
		 * remembered): never dropped while running */
		err_set(&e, ERR_BAD_REQUEST, "%d keys loaded since the start: restart to drop them",
			KEYS_MAX);
		goto failed;
	}
	key_id(k.kid, k.bytes, k.len);
	pthread_rwlock_wrlock(&keys_lock);
	if (private_key) {
		free(A.sign.bytes);
		A.sign = k;
		snprintf(A.sign.kid, sizeof A.sign.kid, "%s", A.verify[0].kid);
	} else {
		memmove(&A.verify[1], &A.verify[0], (size_t)A.nverify * sizeof A.verify[0]);
		A.verify[0] = k;
		A.nverify++;
		if (hs256)
			A.sign = A.verify[0];
		else if (A.have_sign)
			snprintf(A.sign.kid, sizeof A.sign.kid, "%s", k.kid);
	}
	pthread_rwlock_unlock(&keys_lock);
	list_add(l->reloaded, name);
	return;
failed:
	free(k.bytes);
	list_add(l->failed, name);
	log_line(LOG_LEVEL_ERROR, "secret not reloaded", "key", name, "error", e.message, NULL);
}

void
auth_reload(const struct server_config *cfg)
{
	struct reload_lists l = { 0 };

	if (A.alg == JWT_ALG_HS256 && cfg->jwt_secret_file)
		reload_key(&l, "jwt-secret-file", cfg->jwt_secret_file, true, false);
	if (A.alg == JWT_ALG_RS256 && cfg->jwt_public_key)
		reload_key(&l, "jwt-public-key", cfg->jwt_public_key, false, false);
	if (A.alg == JWT_ALG_RS256 && A.have_sign && cfg->jwt_private_key)
		reload_key(&l, "jwt-private-key", cfg->jwt_private_key, false, true);
	if (A.have_master && cfg->master_key_file) {
		uint8_t key[SECRET_KEY_BYTES];
		struct err e = { 0 };

		if (secret_load_key(key, cfg->master_key_file, &e) < 0) {
			list_add(l.failed, "master-key-file");
			log_line(LOG_LEVEL_ERROR, "secret not reloaded", "key", "master-key-file",
				 "error", e.message, NULL);
		} else if (sodium_memcmp(key, A.master, sizeof key) == 0) {
			list_add(l.unchanged, "master-key-file");
		} else {
			list_add(l.restart, "master-key-file");
			log_line(LOG_LEVEL_WARN, "secret not reloaded", "key", "master-key-file",
				 "error",
				 "a new master key is not applied while running: the second "
				 "factors and secret settings sealed with the running one would "
				 "no longer open",
				 NULL);
		}
		sodium_memzero(key, sizeof key);
	}
	log_line(LOG_LEVEL_INFO, "secrets reloaded", "reloaded",
		 l.reloaded[0] ? l.reloaded : "nothing", "unchanged",
		 l.unchanged[0] ? l.unchanged : NULL, "needs_restart",
		 l.restart[0] ? l.restart : NULL, "failed", l.failed[0] ? l.failed : NULL, NULL);
}

/* ---- principals ------------------------------------------------------------ */

bool
principal_is_staff(const struct principal *p)
{
	return p->kind == PRINCIPAL_STAFF && !p->view_as;
}

bool
principal_can(const struct principal *p, enum perm perm)
{
	switch (p->kind) {
	case PRINCIPAL_STAFF:
		if (p->view_as) /* exactly what that member or role may do */
			return perm_member_with(p->role, &p->over, perm);
		return perm_staff(p->staff, perm);
	case PRINCIPAL_USER:
		return perm_member_with(p->role, &p->over, perm);
	case PRINCIPAL_KEY:
		return perm_scope(p->scopes, perm);
	default:
		return false;
	}
}

/* ---- issuing --------------------------------------------------------------- */

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int
auth_issue(char **out, int64_t *expires, const struct principal *p, struct err *e)
{
	jwt_t *jwt = NULL;
	int64_t now = now_us();
	long iat = (long)(now / 1000000);
	char *tok = NULL;
	int rc = 0;

	*out = NULL;
	if (!A.have_sign)
		return err_set(e, ERR_FORBIDDEN,
			       "this server verifies tokens but does not issue them");
	if (jwt_new(&jwt) != 0)
		return err_set(e, ERR_INTERNAL, "out of memory");
	pthread_rwlock_rdlock(&keys_lock); /* libjwt copies the key */
	rc |= jwt_set_alg(jwt, A.alg, A.sign.bytes, A.sign.len);
	rc |= jwt_add_header(jwt, "kid", A.verify[0].kid);
	pthread_rwlock_unlock(&keys_lock);
	rc |= jwt_add_grant(jwt, "iss", A.issuer);
	rc |= jwt_add_grant(jwt, "aud", A.audience);
	rc |= jwt_add_grant(jwt, "sub", p->user_id);
	rc |= jwt_add_grant(jwt, "email", p->email);
	rc |= jwt_add_grant_int(jwt, "iat", iat);
	rc |= jwt_add_grant_int(jwt, "nbf", iat);
	rc |= jwt_add_grant_int(jwt, "exp", iat + A.ttl);
	rc |= jwt_add_grant_int(jwt, "iat_us", (long)now);
	if (p->kind == PRINCIPAL_STAFF) {
		rc |= jwt_add_grant(jwt, "kind", "staff");
		rc |= jwt_add_grant(jwt, "role", staff_role_name(p->staff));
	} else {
		rc |= jwt_add_grant(jwt, "kind", "user");
		rc |= jwt_add_grant(jwt, "tid", p->tenant_id);
		rc |= jwt_add_grant(jwt, "role", member_role_name(p->role));
		if (p->over.grant | p->over.revoke) {
			char over[512];

			if (perm_overrides_format(over, sizeof over, &p->over) < 0)
				rc = -1;
			else
				rc |= jwt_add_grant(jwt, "perms", over);
		}
	}
	if (rc == 0)
		tok = jwt_encode_str(jwt);
	jwt_free(jwt);
	if (!tok)
		return err_set(e, ERR_INTERNAL, "cannot sign the token");
	*out = tok;
	*expires = (int64_t)(iat + A.ttl) * 1000000;
	return 0;
}

/* ---- verifying ------------------------------------------------------------- */

static int
deny(struct err *e, const char *why)
{
	return err_set(e, ERR_UNAUTHORIZED, "invalid token: %s", why);
}

/* The JOSE header, decoded by us before libjwt sees the token. */
static json_t *
token_header(const char *tok)
{
	const char *dot = strchr(tok, '.');
	unsigned char buf[1024];
	size_t len;

	if (!dot || dot == tok || (size_t)(dot - tok) > 1300)
		return NULL;
	if (sodium_base642bin(buf, sizeof buf - 1, tok, (size_t)(dot - tok), NULL, &len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING)
	    != 0)
		return NULL;
	buf[len] = '\0';
	return json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, NULL);
}

static const struct key *
find_key(const char *kid)
{
	for (int i = 0; i < A.nverify; i++)
		if (!kid || strcmp(A.verify[i].kid, kid) == 0)
			return &A.verify[i];
	return NULL;
}

static bool
aud_matches(json_t *aud)
{
	size_t i;
	json_t *v;

	if (json_is_string(aud))
		return strcmp(json_string_value(aud), A.audience) == 0;
	if (json_is_array(aud))
		json_array_foreach(aud, i, v) if (json_is_string(v)
						  && strcmp(json_string_value(v), A.audience)
							 == 0) return true;
	return false;
}

static int
copy_claim(char *dst, size_t size, json_t *claims, const char *name)
{
	json_t *v = json_object_get(claims, name);

	if (!json_is_string(v) || strlen(json_string_value(v)) >= size)
		return -1;
	snprintf(dst, size, "%s", json_string_value(v));
	return 0;
}

/* The time checks, made again for a remembered token. */
static int
check_times(int64_t exp, int64_t nbf, struct err *e)
{
	int64_t now = now_us() / 1000000;

	if (exp + A.leeway < now)
		return deny(e, "expired");
	if (nbf - A.leeway > now)
		return deny(e, "not valid yet");
	return 0;
}

static int
check_claims(struct principal *p, int64_t *exp_out, int64_t *nbf_out, json_t *c, struct err *e)
{
	json_t *exp = json_object_get(c, "exp"), *nbf = json_object_get(c, "nbf");
	json_t *iss = json_object_get(c, "iss"), *iat_us = json_object_get(c, "iat_us");
	json_t *kind = json_object_get(c, "kind");
	char role[32];

	if (!exp)
		return deny(e, "no exp");
	if (!json_is_integer(exp) || (nbf && !json_is_integer(nbf)))
		return deny(e, "exp and nbf must be integers");
	*exp_out = json_integer_value(exp);
	*nbf_out = nbf ? json_integer_value(nbf) : INT64_MIN / 2;
	if (check_times(*exp_out, *nbf_out, e) < 0)
		return -1;
	if (!json_is_string(iss) || strcmp(json_string_value(iss), A.issuer) != 0)
		return deny(e, "wrong issuer");
	if (!aud_matches(json_object_get(c, "aud")))
		return deny(e, "wrong audience");
	if (!json_is_integer(iat_us) || !json_is_string(kind)
	    || copy_claim(p->user_id, sizeof p->user_id, c, "sub") < 0
	    || copy_claim(p->email, sizeof p->email, c, "email") < 0
	    || copy_claim(role, sizeof role, c, "role") < 0)
		return deny(e, "missing claims");
	p->issued_us = json_integer_value(iat_us);
	if (strcmp(json_string_value(kind), "staff") == 0) {
		p->kind = PRINCIPAL_STAFF;
		if (staff_role_parse(role, &p->staff) < 0 || p->staff == STAFF_NONE)
			return deny(e, "unknown role");
		return 0;
	}
	if (strcmp(json_string_value(kind), "user") == 0) {
		json_t *perms = json_object_get(c, "perms");

		p->kind = PRINCIPAL_USER;
		if (member_role_parse(role, &p->role) < 0
		    || copy_claim(p->tenant_id, sizeof p->tenant_id, c, "tid") < 0)
			return deny(e, "unknown role or tenant");
		if (perms
		    && (!json_is_string(perms)
			|| perm_overrides_parse(&p->over, json_string_value(perms), "perms", e)
			       < 0))
			return deny(e, "malformed permissions");
		return 0;
	}
	return deny(e, "unknown kind");
}

static int
verify_jwt(struct principal *p, const char *tok, struct err *e)
{
	json_t *hdr, *alg, *kid, *claims;
	const struct key *k;
	jwt_t *jwt = NULL;
	char *grants;
	int64_t exp = 0, nbf = 0;
	size_t len = strlen(tok);
	int rc;

	if (cache_get(tok, len, p, &exp, &nbf))
		return check_times(exp, nbf, e);
	if (!(hdr = token_header(tok)))
		return deny(e, "malformed");
	alg = json_object_get(hdr, "alg");
	kid = json_object_get(hdr, "kid");
	if (!json_is_string(alg) || strcmp(json_string_value(alg), A.alg_name) != 0) {
		json_decref(hdr);
		return deny(e, "algorithm not accepted");
	}
	if (kid && !json_is_string(kid)) {
		json_decref(hdr);
		return deny(e, "malformed kid");
	}
	pthread_rwlock_rdlock(&keys_lock);
	k = find_key(kid ? json_string_value(kid) : NULL);
	json_decref(hdr);
	rc = !k ? 1 : jwt_decode(&jwt, tok, k->bytes, k->len) != 0 || !jwt ? 2 : 0;
	pthread_rwlock_unlock(&keys_lock);
	if (rc)
		return deny(e, rc == 1 ? "unknown key id" : "bad signature");
	if (jwt_get_alg(jwt) != A.alg) {
		jwt_free(jwt);
		return deny(e, "algorithm not accepted");
	}
	grants = jwt_get_grants_json(jwt, NULL);
	jwt_free(jwt);
	claims = grants ? json_loads(grants, 0, NULL) : NULL;
	free(grants);
	if (!json_is_object(claims)) {
		json_decref(claims);
		return deny(e, "malformed claims");
	}
	rc = check_claims(p, &exp, &nbf, claims, e);
	json_decref(claims);
	if (rc == 0)
		cache_put(tok, len, p, exp, nbf);
	return rc;
}

static int
verify_key(struct principal *p, const char *key, struct store *st, struct err *e)
{
	struct store_context ctx = { .role = STORE_ROLE_AUTH };
	char prefix[13], hash[SECRET_HASH_HEX];
	struct auth_key k;
	struct err le;

	if (secret_api_key_prefix(key, prefix) < 0)
		return err_set(e, ERR_UNAUTHORIZED, "invalid API key");
	if (store_set_context(st, &ctx, e) < 0)
		return -1;
	if (store_auth_api_key(&k, st, prefix, &le) < 0) {
		if (le.code == ERR_UNAVAILABLE) {
			*e = le;
			return -1;
		}
		return err_set(e, ERR_UNAUTHORIZED, "invalid API key");
	}
	secret_sha256_hex(key, hash);
	if (!secret_hash_equal(hash, k.hash_hex))
		return err_set(e, ERR_UNAUTHORIZED, "invalid API key");
	if (k.revoked_at || (k.expires_at && k.expires_at <= now_us()))
		return err_set(e, ERR_UNAUTHORIZED, "API key revoked or expired");
	if (k.status != TENANT_ACTIVE && k.status != TENANT_TRIAL)
		return err_set(e, ERR_UNAUTHORIZED, "the tenant is not active");
	p->kind = PRINCIPAL_KEY;
	snprintf(p->tenant_id, sizeof p->tenant_id, "%s", k.tenant_id);
	snprintf(p->key_id, sizeof p->key_id, "%s", k.id);
	snprintf(p->email, sizeof p->email, "key:%s", prefix);
	p->scopes = k.scopes;
	return 0;
}

int
auth_verify(struct principal *p, const char *authorization, struct store *st, struct err *e)
{
	const char *tok;

	memset(p, 0, sizeof *p);
	if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
		return err_set(e, ERR_UNAUTHORIZED, "credentials required");
	tok = authorization + 7;
	while (*tok == ' ')
		tok++;
	if (strlen(tok) > TOKEN_MAX)
		return deny(e, "too long");
	if (strncmp(tok, "tnt_", 4) == 0)
		return verify_key(p, tok, st, e);
	if (verify_jwt(p, tok, e) < 0) {
		memset(p, 0, sizeof *p);
		return -1;
	}
	return 0;
}

/* ---- TOTP (RFC 6238: 30 s steps, 6 digits, one step of drift) ------------- */

int
auth_totp_new(char **sealed, char base32[64], struct err *e)
{
	unsigned char raw[20];
	char *b32 = NULL;
	size_t len;

	*sealed = NULL;
	if (!A.have_master)
		return err_set(e, ERR_FORBIDDEN,
			       "second factors need the server's --master-key-file");
	randombytes_buf(raw, sizeof raw);
	if (oath_base32_encode((const char *)raw, sizeof raw, &b32, &len) != OATH_OK || len >= 64) {
		free(b32);
		return err_set(e, ERR_INTERNAL, "cannot encode the secret");
	}
	snprintf(base32, 64, "%s", b32);
	sodium_memzero(b32, len);
	free(b32);
	sodium_memzero(raw, sizeof raw);
	if (!(*sealed = secret_seal(A.master, base32)))
		return err_set(e, ERR_INTERNAL, "out of memory");
	return 0;
}

int
auth_totp_check(const char *sealed, const char *code, struct err *e)
{
	char *b32, *raw = NULL;
	size_t rawlen;
	int rc;

	if (!A.have_master)
		return err_set(e, ERR_FORBIDDEN,
			       "second factors need the server's --master-key-file");
	if (!code || strlen(code) != 6 || strspn(code, "0123456789") != 6)
		return 0;
	if (!(b32 = secret_open(A.master, sealed, e)))
		return -1;
	rc = oath_base32_decode(b32, strlen(b32), &raw, &rawlen);
	sodium_memzero(b32, strlen(b32));
	free(b32);
	if (rc != OATH_OK)
		return err_set(e, ERR_INTERNAL, "stored second factor is unreadable");
	rc = oath_totp_validate(raw, rawlen, time(NULL), 30, 0, 1, code);
	sodium_memzero(raw, rawlen);
	free(raw);
	return rc >= 0 ? 1 : 0;
}
