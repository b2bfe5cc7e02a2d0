/* mailer.h - tenantryd's e-mail: the templates (mail_text.c) and the
 * mailer thread (mailer.c) that sends the outbox's mails over SMTP, off
 * every request's path, each attempt claimed in the database so that any
 * number of instances send each mail once. */
#ifndef TENANTRY_SERVER_MAILER_H
#define TENANTRY_SERVER_MAILER_H

#include "server/server.h"

/* The templates, one file per kind, NAME.txt: "Subject: …" on the first
 * line, a blank line, then the body; {{name}} is replaced by a value. */
/* clang-format off */
#define MAIL_TEMPLATES(X)                                                     \
	X(INVITATION, "invitation", "invitation.created invitation.resent",   \
	  "email role expires_at accept_url invited_by")                      \
	X(RESET, "password-reset", "user.password_reset_requested",           \
	  "email reset_url")                                       \
	X(QUOTA, "quota-alert", "quota.alert", "resource threshold")          \
	X(TRIAL, "trial-ending", "tenant.trial_ending", "trial_ends_at days_left")
/* clang-format on */
enum mail_template_kind {
#define X(e, name, types, vars) MAIL_TEMPLATE_##e,
	MAIL_TEMPLATES(X)
#undef X
	    MAIL_TEMPLATE_COUNT
};
/* Every template may also use these. */
#define MAIL_COMMON_VARS "tenant_name tenant_slug link_base event_id"

struct mail_template {
	char path[512];
	char *subject, *body; /* owned */
};

/* Loads every template: from dir when given, else the first found of
 * $XDG_CONFIG_HOME/tenantry/mail/NAME.txt (or ~/.config/…), the
 * installed data directory's mail/NAME.txt, src/dist/mail/NAME.txt.
 * Each problem is reported through report as "file:line: message";
 * returns the number of problems (0: all loaded). */
int mail_templates_load(struct mail_template t[MAIL_TEMPLATE_COUNT], const char *dir,
			void (*report)(const char *message));
void mail_templates_free(struct mail_template t[MAIL_TEMPLATE_COUNT]);
/* The template of an event type, or -1. */
int mail_template_of(const char *event_type);

/* One name and its value for mail_render. */
struct mail_var {
	const char *name, *value;
};
/* text with each {{name}} replaced by its value in vars (control
 * characters in values become spaces; an unknown name, nothing):
 * malloc'd, NULL when out of memory. */
char *mail_render(const char *text, const struct mail_var *vars, size_t n);

/* Checks the e-mail settings and loads the templates (before anything
 * starts): without smtp-url, logs once that e-mail is off; with it, a
 * missing sender, link base, template or a bad SMTP setting is
 * ERR_BAD_REQUEST (each template problem is logged as file:line). */
int mailer_configure(const struct server_config *cfg, struct err *e);
/* With smtp-url, starts the mailer thread on a database session of its
 * own (pool_open_system). */
int mailer_start(const struct server_config *cfg, struct err *e);
/* Stops it (a mail under way finishes first). */
void mailer_stop(void);
/* The mail counters' Prometheus lines (malloc'd; NULL when e-mail is off). */
char *mailer_metrics(void);

#endif
