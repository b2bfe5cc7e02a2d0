/* main.c - tenantryd: options, start-up, signals, shutdown. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "server/http.h"
#include "server/server.h"

static void
usage(FILE *f)
{
	fputs(
	    "usage: tenantryd --db CONNINFO --jwt-secret-file F [options]\n"
	    "\n"
	    "  --db CONNINFO            PostgreSQL connection (a login like tenantry_app)\n"
	    "  --listen HOST:PORT       address to serve (default 127.0.0.1:8080; port 0 picks one)\n"
	    "  --port-file F            write the bound port to F once listening\n"
	    "  --jwt-secret-file F      HS256 secret (at least 32 bytes)\n"
	    "  --jwt-public-key F       RS256 public key (PEM) instead of a secret\n"
	    "  --jwt-private-key F      RS256 private key, to issue tokens at login\n"
	    "  --jwt-issuer S           iss of issued and accepted tokens (default tenantry)\n"
	    "  --jwt-audience S         aud likewise (default tenantry-api)\n"
	    "  --token-ttl SECONDS      lifetime of issued tokens (default 3600)\n"
	    "  --master-key-file F      key for encrypted settings and second factors\n"
	    "  --db-pool N              database sessions (default 16)\n"
	    "  --threads N              event loop threads (default: one per CPU)\n"
	    "  --max-body BYTES         request body cap (default 65536)\n"
	    "  --max-connections N      total connections (default 256)\n"
	    "  --max-per-ip N           connections per client address (default 64)\n"
	    "  --timeout SECONDS        idle connection timeout (default 30)\n"
	    "  --request-timeout SECONDS  a whole request after its first byte (default 10)\n"
	    "  --max-streams N          concurrent audit streams (default 64)\n"
	    "  --keepalive SECONDS      audit stream keepalive interval (default 15)\n"
	    "  -h, --help               this help\n"
	    "  --version                print the version\n",
	    f);
}

static int
parse_listen(const char *s, struct sockaddr_storage *ss)
{
	char host[256];
	const char *colon = strrchr(s, ':');
	struct addrinfo hints = { .ai_flags = AI_NUMERICSERV | AI_PASSIVE,
				  .ai_socktype = SOCK_STREAM },
			*res;
	char *end;
	long port;

	if (!colon || (size_t)(colon - s) >= sizeof host)
		return -1;
	port = strtol(colon + 1, &end, 10);
	if (*end || colon[1] == '\0' || port < 0 || port > 65535)
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	if (host[0] == '[') { /* [::1]:8080 */
		memmove(host, host + 1, strlen(host));
		host[strcspn(host, "]")] = '\0';
	}
	if (getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res) != 0)
		return -1;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

static int
int_opt(const char *name, const char *v, long lo, long hi, int *out)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*end || !*v || n < lo || n > hi) {
		fprintf(stderr, "tenantryd: %s wants %ld..%ld\n", name, lo, hi);
		return -1;
	}
	*out = (int)n;
	return 0;
}

/* systemd's readiness protocol, when started with Type=notify. */
static void
notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (!path || !*path || strlen(path) >= sizeof sa.sun_path)
		return;
	memcpy(sa.sun_path, path, strlen(path));
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&sa,
	       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path)));
	close(fd);
}

int
main(int argc, char **argv)
{
	static struct server_config cfg = {
		.listen = "127.0.0.1:8080",
		.issuer = "tenantry",
		.audience = "tenantry-api",
		.token_ttl = 3600,
		.pool = 16,
		.body_max = 65536,
		.conn_limit = 256,
		.per_ip_limit = 64,
		.timeout = 30,
		.request_timeout = 10,
		.sse_max = 64,
		.sse_keepalive = 15,
		.leeway = 30,
	};
	const char *port_file = NULL;
	struct sockaddr_storage ss;
	struct err e;
	sigset_t sigs;
	int sig, body = 65536;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "--version")) {
			puts("tenantryd " SERVER_VERSION);
			return 0;
		}
		if (!v || strncmp(a, "--", 2) != 0) {
			fprintf(stderr, "tenantryd: %s: unknown option or missing value\n", a);
			usage(stderr);
			return 64;
		}
		i++;
		if (!strcmp(a, "--db"))
			cfg.db = v;
		else if (!strcmp(a, "--listen"))
			cfg.listen = v;
		else if (!strcmp(a, "--port-file"))
			port_file = v;
		else if (!strcmp(a, "--jwt-secret-file"))
			cfg.jwt_secret_file = v;
		else if (!strcmp(a, "--jwt-public-key"))
			cfg.jwt_public_key = v;
		else if (!strcmp(a, "--jwt-private-key"))
			cfg.jwt_private_key = v;
		else if (!strcmp(a, "--jwt-issuer"))
			cfg.issuer = v;
		else if (!strcmp(a, "--jwt-audience"))
			cfg.audience = v;
		else if (!strcmp(a, "--master-key-file"))
			cfg.master_key_file = v;
		else if (!strcmp(a, "--token-ttl"))
			bad = int_opt(a, v, 60, 86400 * 30, &cfg.token_ttl);
		else if (!strcmp(a, "--db-pool"))
			bad = int_opt(a, v, 1, 256, &cfg.pool);
		else if (!strcmp(a, "--threads"))
			bad = int_opt(a, v, 1, 64, &cfg.threads);
		else if (!strcmp(a, "--max-body"))
			bad = int_opt(a, v, 1024, 64 << 20, &body);
		else if (!strcmp(a, "--max-connections"))
			bad = int_opt(a, v, 1, 65535, &cfg.conn_limit);
		else if (!strcmp(a, "--max-per-ip"))
			bad = int_opt(a, v, 1, 65535, &cfg.per_ip_limit);
		else if (!strcmp(a, "--timeout"))
			bad = int_opt(a, v, 1, 3600, &cfg.timeout);
		else if (!strcmp(a, "--request-timeout"))
			bad = int_opt(a, v, 1, 3600, &cfg.request_timeout);
		else if (!strcmp(a, "--max-streams"))
			bad = int_opt(a, v, 0, 10000, &cfg.sse_max);
		else if (!strcmp(a, "--keepalive"))
			bad = int_opt(a, v, 1, 3600, &cfg.sse_keepalive);
		else {
			fprintf(stderr, "tenantryd: unknown option %s\n", a);
			usage(stderr);
			return 64;
		}
		if (bad)
			return 64;
	}
	cfg.body_max = (size_t)body;
	if (!cfg.threads) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		cfg.threads = cpus < 1 ? 1 : cpus > 64 ? 64 : (int)cpus;
	}
	if (!cfg.db)
		cfg.db = getenv("TENANTRY_DB") ? getenv("TENANTRY_DB") : "";
	if (parse_listen(cfg.listen, &ss) < 0) {
		fprintf(stderr, "tenantryd: --listen wants HOST:PORT, not %s\n", cfg.listen);
		return 64;
	}
	server_cfg = &cfg;
	store_wait_hook(loop_wait_fd);
	store_offload_hook(loop_offload); /* password hashing, session opening */
	signal(SIGPIPE, SIG_IGN);
	/* Signals are taken by sigwait below; every thread (the audit hub,
	 * the loops, their helpers) inherits the mask, so a signal that comes
	 * while stopping waits instead of killing the process. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	if (auth_init(&cfg, &e) < 0) {
		fprintf(stderr, "tenantryd: %s\n", e.message);
		return 64;
	}
	if (pool_init(&cfg, &e) < 0) {
		fprintf(stderr, "tenantryd: %s\n", e.message);
		return e.code == ERR_BAD_REQUEST ? 64 : 69;
	}
	if (sse_init(&cfg, &e) < 0) {
		fprintf(stderr, "tenantryd: %s\n", e.message);
		return 69;
	}
	if (loops_start((struct sockaddr *)&ss, cfg.threads, &e) < 0) {
		fprintf(stderr, "tenantryd: %s\n", e.message);
		return 69;
	}
	fprintf(stderr, "tenantryd: listening on port %d, %d threads, %d database sessions\n",
		loops_port(), loops_count(), cfg.pool);
	if (port_file) {
		FILE *f = fopen(port_file, "w");

		if (f) {
			fprintf(f, "%d\n", loops_port());
			fclose(f);
		}
	}
	notify_ready();
	sigwait(&sigs, &sig);
	fprintf(stderr, "tenantryd: %s, stopping\n", strsignal(sig));
	sse_stopping();
	loops_stop();
	ratelimit_stop(); /* the calls not yet counted, while the database is there */
	sse_shutdown();
	if (loops_quiet())
		pool_shutdown(); /* else a request still holds a session: exit */
	loops_close();
	auth_shutdown();
	return 0;
}
