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

#include "server/config.h"
#include "server/http.h"
#include "server/deliver.h"
#include "server/jobs.h"
#include "server/log.h"
#include "server/mailer.h"
#include "server/server.h"

#ifdef TENANTRY_SYSCONFDIR
#define CONFIG_DEFAULT_TEXT TENANTRY_SYSCONFDIR "/tenantry/tenantryd.conf"
#else
#define CONFIG_DEFAULT_TEXT "/etc/tenantry/tenantryd.conf"
#endif

static void
usage(FILE *f)
{
	fputs(
	    "usage: tenantryd [--config FILE] --db CONNINFO --jwt-secret-file F [options]\n"
	    "\n"
	    "  --config FILE            configuration file (default " CONFIG_DEFAULT_TEXT ")\n"
	    "  --db CONNINFO            PostgreSQL connection (a login like tenantry_app)\n"
	    "  --listen HOST:PORT       address to serve (default 127.0.0.1:8080; port 0 picks one)\n"
	    "  --metrics-listen HOST:PORT  /metrics without a credential on this address\n"
	    "  --port-file F            write the bound port to F once listening\n"
	    "  --jwt-secret-file F      HS256 secret (at least 32 bytes)\n"
	    "  --jwt-public-key F       RS256 public key (PEM) instead of a secret\n"
	    "  --jwt-private-key F      RS256 private key, to issue tokens at login\n"
	    "  --jwt-issuer S           iss of issued and accepted tokens (default tenantry)\n"
	    "  --jwt-audience S         aud likewise (default tenantry-api)\n"
	    "  --token-ttl SECONDS      lifetime of issued tokens (default 3600)\n"
	    "  --master-key-file F      key for encrypted settings and second factors\n"
	    "  --tenant-domain BASE     a Host <slug>.BASE or a verified domain names the tenant\n"
	    "  --db-pool N              database sessions (default 16)\n"
	    "  --db-unnamed-statements 0|1  1: prepare no statement, send each unnamed\n"
	    "                           (for --db through PgBouncer < 1.21 in transaction mode)\n"
	    "  --db-direct CONNINFO     the audit streams' LISTEN session, straight to the\n"
	    "                           database when --db is a pooler (default: --db)\n"
	    "  --threads N              event loop threads (default: one per CPU)\n"
	    "  --max-body BYTES         request body cap (default 65536)\n"
	    "  --max-connections N      total connections (default 256)\n"
	    "  --max-per-ip N           connections per client address (default 64)\n"
	    "  --timeout SECONDS        idle connection timeout (default 30)\n"
	    "  --request-timeout SECONDS  a whole request after its first byte (default 10)\n"
	    "  --max-streams N          concurrent audit streams (default 64)\n"
	    "  --keepalive SECONDS      audit stream keepalive interval (default 15)\n"
	    "  --log-level LEVEL        error, warn, info (default) or debug\n"
	    "  --log-format FORMAT      logfmt (default) or json\n"
	    "  --jobs 0|1               run the background jobs (default 1; 0: leave them to\n"
	    "                           `tenantry jobs run` from cron or a systemd timer)\n"
	    "  --job-intervals LIST     seconds between runs, e.g. trial_end=3600,purge=3600\n"
	    "  --job-poll SECONDS       how often to look for a due job (default 30)\n"
	    "  --job-lease SECONDS      how long a run is held before another runner may\n"
	    "                           take it over (default 600)\n"
	    "  --webhook-workers N      threads delivering webhooks (default 2; 0: none here)\n"
	    "  --webhook-timeout SECONDS  one delivery attempt at most (default 10)\n"
	    "  --webhook-lease SECONDS  how long claimed deliveries are held before another\n"
	    "                           runner may take them over (default 0: a whole batch's\n"
	    "                           worth, 16 attempts; shorter claims fewer at a time)\n"
	    "  --webhook-retry-base MS  wait after a first failed attempt, doubled after each\n"
	    "                           (at most 12 h; default 5000)\n"
	    "  --webhook-give-up SECONDS  stop retrying a delivery this long after its event\n"
	    "                           (default 259200: 3 days); its endpoint is disabled\n"
	    "  --webhook-disable-after N  disable an endpoint after N failed attempts in a row\n"
	    "                           (default 50; 0: only when a delivery is given up)\n"
	    "  --webhook-allow-loopback 0|1  endpoints may be http:// on loopback (tests)\n"
	    "  --smtp-url URL           smtp://host[:port] (STARTTLS) or smtps://…: e-mail on\n"
	    "  --smtp-from ADDRESS      the sender (\"Name <addr>\" or addr)\n"
	    "  --smtp-auth-file F       user name, then password on the second line (0600)\n"
	    "  --smtp-ca-file F         CA certificates to verify the SMTP server with\n"
	    "  --smtp-allow-plain-loopback 0|1  smtp:// to loopback without TLS (tests)\n"
	    "  --smtp-timeout SECONDS   one message, connecting included (default 30)\n"
	    "  --mail-link-base URL     where links in mails start (…/accept, …/reset)\n"
	    "  --mail-templates DIR     the templates (default: the data directory's mail/)\n"
	    "  --mail-poll SECONDS      how often to look for mail to send (default 10)\n"
	    "  --mail-retry-base SECONDS  first retry after a failure, doubling (default 60)\n"
	    "  -h, --help               this help\n"
	    "  -V, --version            print the version\n"
	    "\n"
	    "Every option can also be set in the configuration file (key = value,\n"
	    "the option's name without dashes) or as TENANTRYD_<NAME> (upper case,\n"
	    "dashes as underscores); options win over variables, variables over the file.\n",
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

/* systemd's service protocol, when started with Type=notify: READY=1,
 * RELOADING=1, STOPPING=1 as datagrams to $NOTIFY_SOCKET. */
static void
notify(const char *state)
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
	sendto(fd, state, strlen(state), 0, (struct sockaddr *)&sa,
	       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path)));
	close(fd);
}

static int
fail(const char *what, const struct err *e, int status)
{
	log_line(LOG_LEVEL_ERROR, what, "error", e->message, NULL);
	return status;
}

int
main(int argc, char **argv)
{
	static struct server_config cfg;
	struct sockaddr_storage ss, mss;
	struct err e;
	sigset_t sigs;
	char port[16], threads[16], sessions[16];
	int sig, rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
			puts("tenantryd " SERVER_VERSION);
			return 0;
		}
	}
	if ((rc = config_load(&cfg, argc, argv)) != 0) {
		if (rc == CONFIG_EXIT_USAGE)
			usage(stderr);
		return rc;
	}
	log_setup((enum log_level)cfg.log_level, (enum log_format)cfg.log_format);
	if (!cfg.threads) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		cfg.threads = cpus < 1 ? 1 : cpus > 64 ? 64 : (int)cpus;
	}
	if (parse_listen(cfg.listen, &ss) < 0) {
		fprintf(stderr, "tenantryd: --listen wants HOST:PORT, not %s\n", cfg.listen);
		return 64;
	}
	if (cfg.metrics_listen && parse_listen(cfg.metrics_listen, &mss) < 0) {
		fprintf(stderr, "tenantryd: --metrics-listen wants HOST:PORT, not %s\n",
			cfg.metrics_listen);
		return 64;
	}
	if (jobs_configure(&cfg, &e) < 0 || mailer_configure(&cfg, &e) < 0) {
		fprintf(stderr, "tenantryd: %s\n", e.message);
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
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	if (auth_init(&cfg, &e) < 0)
		return fail("cannot start", &e, 64);
	if (pool_init(&cfg, &e) < 0)
		return fail("cannot start", &e, e.code == ERR_BAD_REQUEST ? 64 : 69);
	if (sse_init(&cfg, &e) < 0)
		return fail("cannot start", &e, 69);
	if (jobs_start(&cfg, &e) < 0) /* background jobs: a thread of their own */
		return fail("cannot start", &e, 69);
	if (deliver_start(&cfg, &e) < 0) /* webhook workers: threads of their own */
		return fail("cannot start", &e, 69);
	if (mailer_start(&cfg, &e) < 0) /* e-mail: a thread of its own */
		return fail("cannot start", &e, 69);
	if (loops_start((struct sockaddr *)&ss, cfg.threads, &e) < 0)
		return fail("cannot start", &e, 69);
	if (cfg.metrics_listen && metrics_listen_start((struct sockaddr *)&mss, &e) < 0)
		return fail("cannot start", &e, 69);
	snprintf(port, sizeof port, "%d", loops_port());
	snprintf(threads, sizeof threads, "%d", loops_count());
	snprintf(sessions, sizeof sessions, "%d", cfg.pool);
	log_line(LOG_LEVEL_INFO, "listening", "port", port, "threads", threads, "db_sessions",
		 sessions, "db_statements", cfg.db_unnamed ? "unnamed" : "prepared", "version",
		 SERVER_VERSION, NULL);
	if (cfg.port_file) {
		FILE *f = fopen(cfg.port_file, "w");

		if (f) {
			fprintf(f, "%d\n", loops_port());
			fclose(f);
		}
	}
	notify("READY=1");
	while (sigwait(&sigs, &sig) == 0 && sig == SIGHUP) {
		notify("RELOADING=1");
		config_reload(&cfg);
		auth_reload(&cfg);
		notify("READY=1");
	}
	log_line(LOG_LEVEL_INFO, "stopping", "signal", strsignal(sig), NULL);
	notify("STOPPING=1");
	sse_stopping();
	loops_stop();
	jobs_stop();
	deliver_stop();
	mailer_stop();
	ratelimit_stop(); /* the calls not yet counted, while the database is there */
	activity_stop();
	sse_shutdown();
	if (loops_quiet())
		pool_shutdown(); /* else a request still holds a session: exit */
	loops_close();
	metrics_listen_stop();
	auth_shutdown();
	return 0;
}
