/* secret.h - tokens, password hashes and encrypted setting values.
 *
 * Tokens are shown once and stored as SHA-256 only:
 *   invitation  tni_<43 base64url chars>          (32 random bytes)
 *   API key     tnt_<12 hex prefix>_<43 base64url> (prefix is looked up)
 * Passwords are argon2id (libsodium crypto_pwhash_str).
 * Setting secrets are XSalsa20-Poly1305 (crypto_secretbox) under a 32-byte
 * master key read from a file the database never sees; the stored text is
 * "v1:" + base64 of nonce || ciphertext.
 */
#ifndef TENANTRY_SECRET_H
#define TENANTRY_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define SECRET_KEY_BYTES 32
#define SECRET_HASH_HEX 65 /* "\\x" prefix not included */
#define PASSWORD_HASH_LEN 128

/* Must succeed once before anything else; returns -1 when libsodium fails. */
int secret_init(void);

/* sha256 of s as 64 lowercase hex digits + NUL. */
void secret_sha256_hex(const char *s, char out[SECRET_HASH_HEX]);

/* 256 random bits as 43 base64url characters into out (≥ 44 bytes). */
void secret_random_text(char *out, size_t outlen);

/* New invitation token into tok (≥ 48 bytes) and its hash hex. */
void secret_invitation_token(char *tok, size_t toklen, char hash[SECRET_HASH_HEX]);

/* New API key into key (≥ 64 bytes), its prefix (13 bytes) and hash. */
void secret_api_key(char *key, size_t keylen, char prefix[13], char hash[SECRET_HASH_HEX]);

/* New webhook signing secret "whsec_<base64 of 24 random bytes>" into
 * out (≥ 64 bytes), as Standard Webhooks writes them. */
void secret_webhook(char *out);

/* Prefix of an API key string; -1 when it is not shaped like one. */
int secret_api_key_prefix(const char *key, char prefix[13]);

/* Constant-time comparison of two hex hashes of equal length. */
int secret_hash_equal(const char *a, const char *b);

/* argon2id hash of pw; -1 when out of memory. */
int secret_password_hash(const char *pw, char out[PASSWORD_HASH_LEN], struct err *e);
/* 1 when pw matches hash, 0 otherwise. */
int secret_password_check(const char *hash, const char *pw);

/* True when hash was made with other parameters than new hashes get. */
bool secret_password_needs_rehash(const char *hash);

/* Reads a 32-byte key file (raw bytes, or 64 hex digits); -1 with e when
 * unreadable, the wrong size, or readable by group/others. */
int secret_load_key(uint8_t key[SECRET_KEY_BYTES], const char *path, struct err *e);

/* Encrypts plain into a malloc'd "v1:..." string; NULL when out of memory. */
char *secret_seal(const uint8_t key[SECRET_KEY_BYTES], const char *plain);
/* Decrypts; malloc'd plaintext or NULL with e when tampered or wrong key. */
char *secret_open(const uint8_t key[SECRET_KEY_BYTES], const char *sealed, struct err *e);

#endif
