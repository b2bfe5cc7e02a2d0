/* bench_signin.c - the sign-in row: POST /api/auth/login through tenantryd
 * (throttle check, account lookup, Argon2id verification on a helper
 * thread, memberships, the login's audit entry, a signed JWT) driven by
 * wrk with 8 connections over K tenant admins, against Argon2id
 * verification alone on every core: the bound a sign-in cannot beat. Both
 * sides verify the same hash parameters (libsodium's interactive limits:
 * Argon2id, opslimit 2, memlimit 64 MiB, one lane). */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"

/* A wrk script cycling through the K admins' sign-ins. */
static int
login_script(const char *path, const char (*ids)[ID_LEN], const char (*emails)[96], int k)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs("local b = {\n", f);
	for (int i = 0; i < k; i++)
		fprintf(
		    f,
		    "  '{\"email\":\"%s\",\"password\":\"bench-password\",\"tenant\":\"%s\"}',\n",
		    emails[i], ids[i]);
	fputs("}\nlocal i = 0\n"
	      "request = function()\n"
	      "  i = i % #b + 1\n"
	      "  return wrk.format(\"POST\", \"/api/auth/login\",\n"
	      "    {[\"Content-Type\"] = \"application/json\"}, b[i])\n"
	      "end\n",
	      f);
	return fclose(f) == 0 ? 0 : -1;
}

struct verifier {
	const char *hash;
	double until;
	long n;
};

static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *
verify_loop(void *arg)
{
	struct verifier *v = arg;

	while (now_s() < v->until)
		if (crypto_pwhash_str_verify(v->hash, "bench-password", 14) == 0)
			v->n++;
	return NULL;
}

/* Argon2id verifications per second on every core, for seconds. */
static double
argon2_rate(int seconds)
{
	char hash[crypto_pwhash_STRBYTES];
	long cores = sysconf(_SC_NPROCESSORS_ONLN), total = 0;
	struct verifier v[64];
	pthread_t th[64];
	double t0;

	if (cores < 1)
		cores = 1;
	if (cores > 64)
		cores = 64;
	if (sodium_init() < 0
	    || crypto_pwhash_str(hash, "bench-password", 14, crypto_pwhash_OPSLIMIT_INTERACTIVE,
				 crypto_pwhash_MEMLIMIT_INTERACTIVE)
		   != 0)
		return -1;
	t0 = now_s();
	for (long i = 0; i < cores; i++) {
		v[i] = (struct verifier){ hash, t0 + seconds, 0 };
		pthread_create(&th[i], NULL, verify_loop, &v[i]);
	}
	for (long i = 0; i < cores; i++) {
		pthread_join(th[i], NULL);
		total += v[i].n;
	}
	return (double)total / (now_s() - t0);
}

int
bench_signin_row(struct bench_report *rep, const struct bench_env *env, const char *url,
		 const char (*ids)[ID_LEN], const char (*emails)[96], int k)
{
	struct bench_figure ws[32], w;
	double raws[32], raw;
	int reps = env->reps < 32 ? env->reps : 32;
	char script[512];
	struct bench_row *row;

	snprintf(script, sizeof script, "%s/http_login.lua", env->workdir);
	if (login_script(script, ids, emails, k) < 0)
		return -1;
	for (int i = 0; i < reps; i++) {
		if (bench_wrk(&ws[i], env, url, script, 8) < 0
		    || (raws[i] = argon2_rate(env->seconds)) <= 0)
			return -1;
	}
	bench_median(&w, ws, reps);
	for (int i = 1; i < reps; i++) /* the median of the raw rates */
		for (int j = i; j > 0 && raws[j] < raws[j - 1]; j--) {
			double x = raws[j];

			raws[j] = raws[j - 1];
			raws[j - 1] = x;
		}
	raw = raws[reps / 2];
	fprintf(stderr, "bench: %-20s 8 conns    http  %9.1f/s p99 %6.2f ms   argon2id %7.1f/s\n",
		"http_login", w.tps, w.p99, raw);
	row = bench_row_add(rep, "POST /api/auth/login (Argon2id bound), 8 conns");
	snprintf(row->unit, sizeof row->unit, "logins/s");
	row->tenantry = w.tps;
	row->raw = raw;
	row->ratio = w.tps / raw;
	row->measured = true;
	snprintf(row->target, sizeof row->target, ">= 0.80 of raw");
	row->met = w.tps >= 0.8 * raw;
	snprintf(row->note, sizeof row->note,
		 "raw: Argon2id verification alone on %ld cores (opslimit %d, memlimit %d MiB)",
		 sysconf(_SC_NPROCESSORS_ONLN), (int)crypto_pwhash_OPSLIMIT_INTERACTIVE,
		 (int)(crypto_pwhash_MEMLIMIT_INTERACTIVE >> 20));
	return 0;
}
