/* smtp_peer.h - the mail suites' SMTP server (tests/smtpd.py: Debian's
 * aiosmtpd on a free loopback port, each message a file of a directory)
 * started and stopped by the test, and reading what it received. */
#ifndef TENANTRY_TEST_SMTP_PEER_H
#define TENANTRY_TEST_SMTP_PEER_H

#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

struct peer {
	pid_t pid;
	int port;
	char dir[512];
};
static inline int
free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	ck_assert(fd >= 0);
	ck_assert(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
	ck_assert(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static inline bool
listening(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;

	if (fd >= 0)
		close(fd);
	return ok;
}

/* Starts tests/smtpd.py on port (0: a free one) writing to dir (the
 * same one again when dir is NULL), with extra arguments. */
static inline void
peer_start(struct peer *p, int port, const char *dir, const char *const extra[])
{
	char portbuf[16];

	p->port = port ? port : free_port();
	if (dir)
		snprintf(p->dir, sizeof p->dir, "%s", dir);
	mkdir(p->dir, 0700);
	snprintf(portbuf, sizeof portbuf, "%d", p->port);
	p->pid = fork();
	if (p->pid == 0) {
		const char *args[16] = { "/usr/bin/python3", "tests/smtpd.py", portbuf, p->dir };
		char log[600];
		int n = 4, fd;

		snprintf(log, sizeof log, "%s.log", p->dir); /* its tracebacks */
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		for (int i = 0; extra && extra[i] && n < 15; i++)
			args[n++] = extra[i];
		args[n] = NULL;
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(args[0], (char *const *)args);
		_exit(127);
	}
	ck_assert(p->pid > 0);
	for (int i = 0; i < 1000 && !listening(p->port); i++) {
		int status;

		ck_assert_msg(waitpid(p->pid, &status, WNOHANG) == 0, "smtpd.py exited");
		poll(NULL, 0, 10);
	}
	ck_assert_msg(listening(p->port), "smtpd.py does not listen on %d", p->port);
}

static inline void
peer_stop(struct peer *p)
{
	int status;

	if (p->pid <= 0)
		return;
	kill(p->pid, SIGTERM);
	for (int i = 0; i < 300 && waitpid(p->pid, &status, WNOHANG) == 0; i++)
		poll(NULL, 0, 10);
	kill(p->pid, SIGKILL); /* when it did not go */
	waitpid(p->pid, &status, 0);
	p->pid = 0;
}

static inline char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = malloc(1 << 16);
	size_t n = 0;

	ck_assert(buf);
	if (f) {
		n = fread(buf, 1, (1 << 16) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/* The mails in dir to rcpt (X-Envelope-To) that contain needle (NULL:
 * any): how many; *first gets the first one's text when not NULL. */
static __attribute__((noinline, unused)) int
mail_scan(const char *dir, const char *rcpt, const char *needle, char **first)
{
	DIR *d = opendir(dir);
	struct dirent *ent;
	int n = 0;

	if (first)
		*first = NULL;
	while (d && (ent = readdir(d))) {
		char path[1024], *text, *eol;

		if (ent->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
		text = slurp(path);
		eol = strchr(text, '\n');
		if (eol)
			*eol = '\0';
		if (strstr(text, rcpt) && (!eol || !needle || strstr(eol + 1, needle))) {
			if (eol)
				*eol = '\n';
			n++;
			if (first && !*first) {
				*first = text;
				continue;
			}
		}
		free(text);
	}
	if (d)
		closedir(d);
	return n;
}

/* Waits up to 15 s for a mail in dir to rcpt; its text (malloc'd). */
static inline char *
mail_wait(const char *dir, const char *rcpt, const char *needle)
{
	char *text = NULL;

	for (int i = 0; i < 1500; i++) {
		if (mail_scan(dir, rcpt, needle, &text) > 0)
			return text;
		poll(NULL, 0, 10);
	}
	ck_abort_msg("no mail to %s (%s) came", rcpt, needle ? needle : "any");
	return NULL;
}

/* The token after prefix in a mail ("…/accept?token="). */
static __attribute__((noinline, unused)) void
token_of(char out[96], const char *mail, const char *prefix)
{
	const char *hit = strstr(mail, prefix);
	size_t at, n;

	ck_assert_msg(hit, "no %s in the mail: %s", prefix, mail);
	at = (size_t)(hit - mail) + strlen(prefix);
	n = strspn(mail + at, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
	ck_assert(n > 4 && n < 96);
	snprintf(out, 96, "%.*s", (int)n, mail + at);
}

static inline void
wait_sql(PGconn *c, const char *sql, const char *want)
{
	const char *v = NULL;

	for (int i = 0; i < 1500; i++) {
		v = testdb_value(c, sql);
		if (v && strcmp(v, want) == 0)
			return;
		poll(NULL, 0, 10);
	}
	ck_abort_msg("%s: %s, wanted %s", sql, v ? v : "(null)", want);
}

#endif
