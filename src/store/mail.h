/* mail.h - the e-mail of the outbox's events (049_mail.sql), for
 * tenantryd's mailer: claiming due mails and recording what became of
 * them (store_pg_mail.c, store_pg only), and sending one over SMTP with
 * libcurl (mail_smtp.c). Reached through store/store.h. */
#ifndef TENANTRY_STORE_MAIL_H
#define TENANTRY_STORE_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/types.h"

struct store;

#define MAIL_MAX_RECIPIENTS 32

/* One claimed attempt at an event's mail. */
struct mail_item {
	char tenant_id[ID_LEN]; /* the event's chain (00000000-…: the platform) */
	int64_t seq;
	char type[48]; /* the event type: invitation.created, … */
	int attempt;   /* 1 for the first */
	char event_id[ID_LEN];
	usec_t event_at;
	char *data; /* the event's data (JSON text), owned */
	char recipients[MAIL_MAX_RECIPIENTS][EMAIL_LEN];
	size_t nrecipients;
	char tenant_name[NAME_LEN]; /* "" for the platform's events */
	char tenant_slug[SLUG_LEN];
	/* The token the mail must carry, opened with the master key; "" when
	 * there is none. token_sealed: one was handed over (so "" means it
	 * cannot be opened: no key, or another key). */
	char token[96];
	bool token_sealed;
};
struct mail_item_list {
	struct mail_item *rows;
	size_t n;
};
void mail_item_list_free(struct mail_item_list *l);

struct mail_claim_opts {
	const char *runner; /* who holds the claims (host:pid), required */
	int limit;          /* mails at most */
	int lease_s;        /* how long each is held */
	int max_age_s;      /* never tried and older than this: skipped */
};

/* Claims due mails (049's mail_claim) with a platform session: each is
 * held for o->lease_s and is the caller's attempt out->rows[i].attempt.
 * ERR_METHOD for a store other than store_pg. */
int store_mail_claim(struct mail_item_list *out, struct store *st, const struct mail_claim_opts *o,
		     struct err *e);

enum mail_outcome { MAIL_SENT, MAIL_FAILED, MAIL_SKIPPED };

/* Records what became of attempt m (still held by runner): sent, failed
 * (tried again after retry_s seconds unless the event is older than
 * give_up_s, then failed for good) or skipped (error says why). state
 * gets the mail's new state (sent, pending, failed, skipped), or "" when
 * the claim was lost to another runner. */
int store_mail_done(char state[16], struct store *st, const char *runner, const struct mail_item *m,
		    enum mail_outcome outcome, const char *error, double retry_s, int give_up_s,
		    struct err *e);

/* ---- SMTP (mail_smtp.c) ----------------------------------------------- */

struct smtp_config {
	/* smtp://host[:port] (STARTTLS required) or smtps://host[:port] */
	const char *url;
	const char *from;          /* the sender: "addr" or "Display Name <addr>" */
	const char *auth_file;     /* user name on the first line, password on the
				* second; mode 0600 or stricter; NULL: none */
	const char *ca_file;       /* CA certificates (PEM) to verify the server
				* with; NULL: the system's */
	bool allow_plain_loopback; /* smtp:// to 127.0.0.0/8, ::1 or localhost
				    * may go without TLS when the server offers
				    * none (tests) */
	int timeout_s;             /* a whole message, connection included */
};

/* A sender: the checked configuration and its credentials. */
struct smtp;

/* Checks cfg and reads its auth file: ERR_BAD_REQUEST saying what is
 * wrong (a scheme other than smtp/smtps, a plain smtp:// without TLS to
 * anything but loopback, a sender that is no address, an auth file that
 * is unreadable, malformed or readable by others). *out is owned by the
 * caller (smtp_close). */
int smtp_open(struct smtp **out, const struct smtp_config *cfg, struct err *e);
void smtp_close(struct smtp **s);

/* One message to every address of to: RFC 5322 with Date, Message-ID
 * (<message_id@sender's domain>, the same for every attempt at one
 * mail), From, To, Subject, MIME-Version and text/plain UTF-8, 7bit or
 * quoted-printable. Nothing from the data can add a header (line breaks
 * and control characters in the subject are spaces). -1 with
 * ERR_UNAVAILABLE and the server's or libcurl's words on failure. */
int smtp_send(struct smtp *s, const char *const *to, size_t nto, const char *message_id,
	      const char *subject, const char *body, struct err *e);

/* The message smtp_send would send (malloc'd), for the tests; date is
 * the Date header's time in seconds. */
char *smtp_message(const struct smtp *s, const char *const *to, size_t nto, const char *message_id,
		   const char *subject, const char *body, int64_t date);

#endif
