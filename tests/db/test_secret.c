/* test_secret.c - master keys, tokens and sealed values (libsodium). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/secret.h"

static const char *
key_file(const void *data, size_t n, mode_t mode)
{
	static char path[] = "/tmp/tenantry-key-XXXXXX";
	FILE *f;

	strcpy(path, "/tmp/tenantry-key-XXXXXX");
	close(mkstemp(path));
	f = fopen(path, "w");
	fwrite(data, 1, n, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

START_TEST(test_key_files)
{
	uint8_t key[SECRET_KEY_BYTES], raw[SECRET_KEY_BYTES];
	struct err e;
	const char *p;

	ck_assert_int_eq(secret_init(), 0);
	memset(raw, 'k', sizeof raw);
	raw[31] = '\n'; /* a raw key may end in 0x0a */
	p = key_file(raw, sizeof raw, 0600);
	ck_assert_int_eq(secret_load_key(key, p, &e), 0);
	ck_assert_int_eq(memcmp(key, raw, sizeof raw), 0);
	unlink(p);
	p = key_file("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n", 65,
		     0600);
	ck_assert_int_eq(secret_load_key(key, p, &e), 0);
	ck_assert_int_eq(key[1], 0x11);
	unlink(p);
	p = key_file("short", 5, 0600);
	ck_assert_int_eq(secret_load_key(key, p, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.message, "32 bytes"));
	unlink(p);
	p = key_file(raw, sizeof raw, 0644);
	ck_assert_int_eq(secret_load_key(key, p, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.message, "readable by others"));
	unlink(p);
	ck_assert_int_eq(secret_load_key(key, "/nonexistent/key", &e), -1);
}
END_TEST

START_TEST(test_seal_and_tokens)
{
	uint8_t key[SECRET_KEY_BYTES] = { 1 }, other[SECRET_KEY_BYTES] = { 2 };
	char tok[96], hash[SECRET_HASH_HEX], again[SECRET_HASH_HEX], prefix[13], k[128];
	struct err e;
	char *sealed, *plain;

	ck_assert_int_eq(secret_init(), 0);
	sealed = secret_seal(key, "sk_live_123");
	ck_assert(strncmp(sealed, "v1:", 3) == 0);
	ck_assert_ptr_null(strstr(sealed, "sk_live"));
	plain = secret_open(key, sealed, &e);
	ck_assert_str_eq(plain, "sk_live_123");
	free(plain);
	ck_assert_ptr_null(secret_open(other, sealed, &e));
	sealed[10] ^= 1; /* tampered */
	ck_assert_ptr_null(secret_open(key, sealed, &e));
	free(sealed);
	ck_assert_ptr_null(secret_open(key, "plain text", &e));

	secret_invitation_token(tok, sizeof tok, hash);
	ck_assert(strncmp(tok, "tni_", 4) == 0);
	secret_sha256_hex(tok, again);
	ck_assert_str_eq(hash, again);
	secret_api_key(k, sizeof k, prefix, hash);
	ck_assert_int_eq(secret_api_key_prefix(k, again), 0);
	ck_assert_str_eq(again, prefix);
	ck_assert_int_eq(secret_api_key_prefix("tnt_zz", again), -1);
	ck_assert_int_eq(secret_api_key_prefix(
			     "tni_0123456789ab_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", again),
			 -1);
}
END_TEST

Suite *
suite_secret(void)
{
	Suite *s = suite_create("secret");
	TCase *tc = tcase_create("libsodium");

	tcase_add_test(tc, test_key_files);
	tcase_add_test(tc, test_seal_and_tokens);
	suite_add_tcase(s, tc);
	return s;
}
