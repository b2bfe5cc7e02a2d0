/* mailer.c - tenantryd's e-mail: one thread with a database session of
 * its own, never on a request's path. Every --mail-poll seconds it claims
 * the due mails of the outbox (049_mail.sql: FOR UPDATE SKIP LOCKED and a
 * lease, so each attempt is made by one instance), fills in the event's
 * template, sends it over SMTP and records the outcome: sent; failed
 * (tried again after --mail-retry-base seconds, doubling up to an hour,
 * for a day after the event); skipped (no recipient, no token to send,
 * or a day old when first claimed). Without --smtp-url nothing starts and
 * the pending mails are left alone. */
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/text.h"
#include "server/log.h"
#include "server/mailer.h"

#define MAIL_BATCH 4
#define MAIL_DAY (24 * 3600)
#define MAIL_RETRY_MAX 3600

static struct {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool on, started, stop;
	struct smtp *smtp;
	struct store *st;
	struct mail_template templates[MAIL_TEMPLATE_COUNT];
	const struct server_config *cfg;
	char runner[128], link_base[512];
	atomic_ullong sent, failed, skipped, given_up;
} M = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER };

static void
report(const char *message)
{
	log_line(LOG_LEVEL_ERROR, "e-mail template", "error", message, NULL);
}

int
mailer_configure(const struct server_config *cfg, struct err *e)
{
	struct smtp_config sc = { .url = cfg->smtp_url,
				  .from = cfg->smtp_from,
				  .auth_file = cfg->smtp_auth_file,
				  .ca_file = cfg->smtp_ca_file,
				  .allow_plain_loopback = cfg->smtp_allow_plain_loopback != 0,
				  .timeout_s = cfg->smtp_timeout };
	size_t n;

	if (!cfg->smtp_url || !*cfg->smtp_url) {
		log_line(LOG_LEVEL_INFO, "e-mail is off: no smtp-url", NULL);
		return 0;
	}
	if ((!cfg->master_key_file || !*cfg->master_key_file)
	    && (!getenv("TENANTRY_MASTER_KEY_FILE") || !*getenv("TENANTRY_MASTER_KEY_FILE")))
		return err_set(e, ERR_BAD_REQUEST,
			       "smtp-url needs master-key-file (the tokens mails carry are sealed "
			       "with it)");
	if (!cfg->smtp_from || !*cfg->smtp_from)
		return err_set(e, ERR_BAD_REQUEST, "smtp-url needs smtp-from (the sender)");
	if (!cfg->mail_link_base || strncmp(cfg->mail_link_base, "http", 4) != 0)
		return err_set(e, ERR_BAD_REQUEST,
			       "smtp-url needs mail-link-base (https://… where the links start)");
	n = strlen(cfg->mail_link_base);
	while (n > 0 && cfg->mail_link_base[n - 1] == '/')
		n--;
	snprintf(M.link_base, sizeof M.link_base, "%.*s", (int)n, cfg->mail_link_base);
	if (smtp_open(&M.smtp, &sc, e) < 0)
		return -1;
	if (mail_templates_load(M.templates, cfg->mail_templates, report) > 0) {
		smtp_close(&M.smtp);
		return err_set(e, ERR_BAD_REQUEST,
			       "the e-mail templates have errors (logged above)");
	}
	M.cfg = cfg;
	M.on = true;
	return 0;
}

/* A member of the event's object as text into buf ("" when absent). */
static const char *
member(char *buf, size_t size, json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	buf[0] = '\0';
	if (json_is_string(v))
		snprintf(buf, size, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, size, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, size, "%g", json_real_value(v));
	return buf;
}

/* A time of the event's object as "2026-11-22 10:00 UTC". */
static const char *
member_time(char *buf, size_t size, json_t *obj, const char *key)
{
	char raw[64];
	usec_t t;
	struct err e;

	member(raw, sizeof raw, obj, key);
	buf[0] = '\0';
	if (raw[0] && time_parse(&t, raw, key, &e) == 0 && time_format_minutes(buf, size, t) > 0)
		strncat(buf, " UTC", size - strlen(buf) - 1);
	return buf;
}

static const char OUT_OF_MEMORY[] = "out of memory"; /* a failure, not a skip */

/* Fills in m's template into *subject and *body (malloc'd); a reason to
 * skip the mail instead (or OUT_OF_MEMORY), or NULL. */
static const char *
compose(char **subject, char **body, const struct mail_item *m)
{
	char email[EMAIL_LEN], role[32], expires[64], url[800], by[EMAIL_LEN], resource[64],
	    threshold[32], ends[64];
	int k = mail_template_of(m->type);
	json_t *data, *obj;
	bool invitation = k == MAIL_TEMPLATE_INVITATION, reset = k == MAIL_TEMPLATE_RESET;

	*subject = *body = NULL;
	if (k < 0)
		return "no template for this event";
	if (m->nrecipients == 0)
		return "no recipient";
	if ((invitation || reset) && !m->token[0])
		return m->token_sealed ? "its token cannot be opened with this master key"
				       : "no token to send (made without the master key)";
	data = json_loads(m->data, 0, NULL);
	obj = json_object_get(data, "object");
	snprintf(url, sizeof url, "%s/%s?token=%s", M.link_base, invitation ? "accept" : "reset",
		 m->token);
	{
		struct mail_var vars[] = {
			{ "tenant_name", m->tenant_name },
			{ "tenant_slug", m->tenant_slug },
			{ "link_base", M.link_base },
			{ "event_id", m->event_id },
			{ "email",
			  reset ? m->recipients[0] : member(email, sizeof email, obj, "email") },
			{ "role", member(role, sizeof role, obj, "role") },
			{ "expires_at", member_time(expires, sizeof expires, obj, "expires_at") },
			{ "invited_by", member(by, sizeof by, obj, "invited_by") },
			{ invitation ? "accept_url" : "reset_url", url },
			{ "resource", member(resource, sizeof resource, obj, "resource") },
			{ "threshold", member(threshold, sizeof threshold, obj, "threshold") },
			{ "days_left", threshold },
			{ "trial_ends_at", member_time(ends, sizeof ends, obj, "period_start") },
		};
		size_t n = sizeof vars / sizeof vars[0];

		*subject = mail_render(M.templates[k].subject, vars, n);
		*body = mail_render(M.templates[k].body, vars, n);
	}
	json_decref(data);
	memset(url, 0, sizeof url);
	return *subject && *body ? NULL : OUT_OF_MEMORY;
}

/* Sends one claimed mail and records what became of it. */
static void
deliver(const struct mail_item *m)
{
	const char *to[MAIL_MAX_RECIPIENTS], *skip;
	char *subject, *body, state[16], msgid[64], attempt[16];
	enum mail_outcome outcome = MAIL_SENT;
	struct err e = { 0 }, f;
	double retry = M.cfg->mail_retry_base;

	for (size_t i = 0; i < m->nrecipients; i++)
		to[i] = m->recipients[i];
	for (int i = 1; i < m->attempt && retry < MAIL_RETRY_MAX; i++)
		retry *= 2;
	retry = retry > MAIL_RETRY_MAX ? MAIL_RETRY_MAX : retry;
	snprintf(msgid, sizeof msgid, "mail-%s", m->event_id);
	if ((skip = compose(&subject, &body, m)))
		outcome = skip == OUT_OF_MEMORY ? MAIL_FAILED : MAIL_SKIPPED;
	else if (smtp_send(M.smtp, to, m->nrecipients, msgid, subject, body, &e) < 0)
		outcome = MAIL_FAILED;
	if (body)
		memset(body, 0, strlen(body)); /* it held a token */
	free(subject);
	free(body);
	if (store_mail_done(state, M.st, M.runner, m, outcome,
			    skip                     ? skip
			    : outcome == MAIL_FAILED ? e.message
						     : NULL,
			    retry, MAIL_DAY, &f)
	    < 0) {
		log_line(LOG_LEVEL_WARN, "mail: cannot record the outcome", "event", m->event_id,
			 "error", f.message, NULL);
		return;
	}
	atomic_fetch_add(outcome == MAIL_SENT     ? &M.sent
			 : outcome == MAIL_FAILED ? &M.failed
						  : &M.skipped,
			 1);
	if (strcmp(state, "failed") == 0)
		atomic_fetch_add(&M.given_up, 1);
	snprintf(attempt, sizeof attempt, "%d", m->attempt);
	log_line(outcome == MAIL_SENT ? LOG_LEVEL_INFO : LOG_LEVEL_WARN, "mail", "event",
		 m->event_id, "type", m->type, "attempt", attempt, "state",
		 state[0] ? state : "claim lost", "error",
		 skip                     ? skip
		 : outcome == MAIL_FAILED ? e.message
					  : NULL,
		 NULL);
}

/* Claims and sends until nothing is due (or the database fails). */
static void
round_due(void)
{
	struct mail_claim_opts o = { .runner = M.runner,
				     .limit = MAIL_BATCH,
				     .lease_s = MAIL_BATCH * (M.cfg->smtp_timeout + 5) + 60,
				     .max_age_s = MAIL_DAY };

	while (!__atomic_load_n(&M.stop, __ATOMIC_RELAXED)) {
		struct mail_item_list l;
		struct err e;
		size_t n;

		if (store_mail_claim(&l, M.st, &o, &e) < 0) {
			log_line(LOG_LEVEL_WARN, "mail: cannot claim", "error", e.message, NULL);
			return;
		}
		/* when stopping, the rest of the batch waits for its lease to
		 * end and another runner */
		for (size_t i = 0; i < l.n && !__atomic_load_n(&M.stop, __ATOMIC_RELAXED); i++)
			deliver(&l.rows[i]);
		n = l.n;
		mail_item_list_free(&l);
		if (n < MAIL_BATCH)
			return;
	}
}

static void *
thread(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&M.lock);
	while (!M.stop) {
		struct timespec at;

		pthread_mutex_unlock(&M.lock);
		round_due();
		pthread_mutex_lock(&M.lock);
		if (M.stop)
			break;
		clock_gettime(CLOCK_REALTIME, &at);
		at.tv_sec += M.cfg->mail_poll > 0 ? M.cfg->mail_poll : 10;
		pthread_cond_timedwait(&M.wake, &M.lock, &at);
	}
	pthread_mutex_unlock(&M.lock);
	return NULL;
}

int
mailer_start(const struct server_config *cfg, struct err *e)
{
	char host[64] = "";

	(void)cfg;
	if (!M.on)
		return 0;
	gethostname(host, sizeof host - 1);
	snprintf(M.runner, sizeof M.runner, "tenantryd@%s:%ld", host[0] ? host : "localhost",
		 (long)getpid());
	if (pool_open_system(&M.st, e) < 0)
		return -1;
	M.stop = false;
	if (pthread_create(&M.thread, NULL, thread, NULL) != 0) {
		store_close(&M.st);
		return err_set(e, ERR_INTERNAL, "cannot start the mailer thread");
	}
	M.started = true;
	return 0;
}

void
mailer_stop(void)
{
	if (M.started) {
		pthread_mutex_lock(&M.lock);
		M.stop = true;
		pthread_cond_signal(&M.wake);
		pthread_mutex_unlock(&M.lock);
		pthread_join(M.thread, NULL);
		M.started = false;
		store_close(&M.st);
	}
	smtp_close(&M.smtp);
	mail_templates_free(M.templates);
}

char *
mailer_metrics(void)
{
	char *out = NULL;

	if (!M.on)
		return NULL;
	if (asprintf(
		&out,
		"# HELP tenantryd_mail_sent_total E-mails this instance sent.\n"
		"# TYPE tenantryd_mail_sent_total counter\n"
		"tenantryd_mail_sent_total %llu\n"
		"# HELP tenantryd_mail_failed_total Attempts to send an e-mail that failed.\n"
		"# TYPE tenantryd_mail_failed_total counter\n"
		"tenantryd_mail_failed_total %llu\n"
		"# HELP tenantryd_mail_given_up_total E-mails given up after a day of "
		"failures.\n"
		"# TYPE tenantryd_mail_given_up_total counter\n"
		"tenantryd_mail_given_up_total %llu\n"
		"# HELP tenantryd_mail_skipped_total E-mails not sent: no recipient, no token, "
		"or a day old when first claimed.\n"
		"# TYPE tenantryd_mail_skipped_total counter\n"
		"tenantryd_mail_skipped_total %llu\n",
		(unsigned long long)atomic_load(&M.sent),
		(unsigned long long)atomic_load(&M.failed),
		(unsigned long long)atomic_load(&M.given_up),
		(unsigned long long)atomic_load(&M.skipped))
	    < 0)
		return NULL;
	return out;
}
