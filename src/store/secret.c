/* secret.c - tokens, password hashes and encrypted values (libsodium). */
#include "store/secret.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
secret_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

static void
hex(const uint8_t *in, size_t n, char *out)
{
	sodium_bin2hex(out, n * 2 + 1, in, n);
}

void
secret_sha256_hex(const char *s, char out[SECRET_HASH_HEX])
{
	uint8_t h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const uint8_t *)s, strlen(s));
	hex(h, sizeof h, out);
}

void
secret_random_text(char *out, size_t outlen)
{
	uint8_t raw[32];

	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, outlen, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

void
secret_invitation_token(char *tok, size_t toklen, char hash[SECRET_HASH_HEX])
{
	char b64[64];

	secret_random_text(b64, sizeof b64);
	snprintf(tok, toklen, "tni_%s", b64);
	secret_sha256_hex(tok, hash);
	sodium_memzero(b64, sizeof b64);
}

void
secret_api_key(char *key, size_t keylen, char prefix[13], char hash[SECRET_HASH_HEX])
{
	uint8_t p[6];
	char b64[64];

	randombytes_buf(p, sizeof p);
	hex(p, sizeof p, prefix);
	secret_random_text(b64, sizeof b64);
	snprintf(key, keylen, "tnt_%s_%s", prefix, b64);
	secret_sha256_hex(key, hash);
	sodium_memzero(b64, sizeof b64);
}

int
secret_api_key_prefix(const char *key, char prefix[13])
{
	if (!key || strncmp(key, "tnt_", 4) != 0 || strlen(key) < 4 + 12 + 1 + 40 || key[16] != '_')
		return -1;
	for (int i = 0; i < 12; i++) {
		char c = key[4 + i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -1;
		prefix[i] = c;
	}
	prefix[12] = '\0';
	return 0;
}

int
secret_hash_equal(const char *a, const char *b)
{
	size_t n = strlen(a);

	return n == strlen(b) && sodium_memcmp(a, b, n) == 0;
}

struct pw_job {
	const char *pw, *hash;
	char out[crypto_pwhash_STRBYTES];
	int rc;
};

/* At most one Argon2id computation per core at a time, in the process:
 * each holds 64 MiB and a core for its whole run, so more at once only
 * thrash the caches and take the time of all of them, and a burst of
 * sign-ins would otherwise take memory without bound. Waiting happens on
 * the offload's helper thread, never on an event loop. */
static sem_t pw_slots;
static pthread_once_t pw_once = PTHREAD_ONCE_INIT;
static bool pw_limited; /* else sem_init failed: no limit rather than none served */

static void
pw_slots_init(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	pw_limited = sem_init(&pw_slots, 0, n < 1 ? 1u : (unsigned)n) == 0;
}

static void
pw_enter(void)
{
	pthread_once(&pw_once, pw_slots_init);
	while (pw_limited && sem_wait(&pw_slots) < 0 && errno == EINTR)
		;
}

static void
pw_hash_job(void *arg)
{
	struct pw_job *j = arg;

	pw_enter();
	j->rc = crypto_pwhash_str(j->out, j->pw, strlen(j->pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				  crypto_pwhash_MEMLIMIT_INTERACTIVE);
	if (pw_limited)
		sem_post(&pw_slots);
}

static void
pw_check_job(void *arg)
{
	struct pw_job *j = arg;

	pw_enter();
	j->rc = crypto_pwhash_str_verify(j->hash, j->pw, strlen(j->pw));
	if (pw_limited)
		sem_post(&pw_slots);
}

int
secret_password_hash(const char *pw, char out[PASSWORD_HASH_LEN], struct err *e)
{
	struct pw_job j = { .pw = pw, .rc = -1 };

	store_offload(pw_hash_job, &j);
	if (j.rc != 0)
		return err_set(e, ERR_INTERNAL, "out of memory hashing a password");
	snprintf(out, PASSWORD_HASH_LEN, "%s", j.out);
	return 0;
}

int
secret_password_check(const char *hash, const char *pw)
{
	struct pw_job j = { .pw = pw, .hash = hash, .rc = -1 };

	if (!hash || !*hash || !pw)
		return 0;
	store_offload(pw_check_job, &j);
	return j.rc == 0;
}

bool
secret_password_needs_rehash(const char *hash)
{
	return crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
					      crypto_pwhash_MEMLIMIT_INTERACTIVE)
	       != 0;
}

int
secret_load_key(uint8_t key[SECRET_KEY_BYTES], const char *path, struct err *e)
{
	char buf[130];
	struct stat sb;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_set(e, ERR_BAD_REQUEST, "master key %s: %s", path, strerror(errno));
	if (fstat(fd, &sb) == 0 && (sb.st_mode & 077)) {
		close(fd);
		return err_set(e, ERR_FORBIDDEN,
			       "master key %s is readable by others (chmod 600 it)", path);
	}
	n = read(fd, buf, sizeof buf);
	close(fd);
	/* Raw keys are exactly 32 bytes (a trailing 0x0a is key material);
	 * hex keys may end with a newline. */
	while (n > SECRET_KEY_BYTES && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (n == SECRET_KEY_BYTES) {
		memcpy(key, buf, SECRET_KEY_BYTES);
	} else if (n == 2 * SECRET_KEY_BYTES) {
		size_t got = 0;

		if (sodium_hex2bin(key, SECRET_KEY_BYTES, buf, (size_t)n, NULL, &got, NULL) != 0
		    || got != SECRET_KEY_BYTES)
			n = -1;
	}
	sodium_memzero(buf, sizeof buf);
	if (n != SECRET_KEY_BYTES && n != 2 * SECRET_KEY_BYTES)
		return err_set(e, ERR_BAD_REQUEST, "master key %s: want 32 bytes or 64 hex digits",
			       path);
	return 0;
}

char *
secret_seal(const uint8_t key[SECRET_KEY_BYTES], const char *plain)
{
	size_t plen = strlen(plain);
	size_t blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plen;
	uint8_t *box = malloc(blen);
	size_t outlen = 3 + sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_ORIGINAL);
	char *out = malloc(outlen);

	if (!box || !out) {
		free(box);
		free(out);
		return NULL;
	}
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const uint8_t *)plain, plen, box,
			      key);
	memcpy(out, "v1:", 3);
	sodium_bin2base64(out + 3, outlen - 3, box, blen, sodium_base64_VARIANT_ORIGINAL);
	free(box);
	return out;
}

char *
secret_open(const uint8_t key[SECRET_KEY_BYTES], const char *sealed, struct err *e)
{
	size_t slen, blen = 0;
	uint8_t *box;
	char *plain;

	if (!sealed || strncmp(sealed, "v1:", 3) != 0) {
		err_set(e, ERR_INTERNAL, "encrypted value has an unknown format");
		return NULL;
	}
	slen = strlen(sealed + 3);
	box = malloc(slen + 1);
	if (!box
	    || sodium_base642bin(box, slen + 1, sealed + 3, slen, NULL, &blen, NULL,
				 sodium_base64_VARIANT_ORIGINAL)
		   != 0
	    || blen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
		free(box);
		err_set(e, ERR_INTERNAL, "encrypted value is damaged");
		return NULL;
	}
	plain = malloc(blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES + 1);
	if (!plain
	    || crypto_secretbox_open_easy((uint8_t *)plain, box + crypto_secretbox_NONCEBYTES,
					  blen - crypto_secretbox_NONCEBYTES, box, key)
		   != 0) {
		free(box);
		free(plain);
		err_set(e, ERR_INTERNAL,
			"cannot decrypt the value: wrong master key or tampered data");
		return NULL;
	}
	plain[blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES] = '\0';
	free(box);
	return plain;
}

void
secret_webhook(char *out)
{
	uint8_t b[24];

	randombytes_buf(b, sizeof b);
	memcpy(out, "whsec_", 6);
	sodium_bin2base64(out + 6, 58, b, sizeof b, sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(b, sizeof b);
}
