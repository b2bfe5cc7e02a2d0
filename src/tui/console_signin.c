/* console_signin.c - signing in again in place (remote mode): when
 * tenantryd refuses the console's token (it expired, or every token of
 * the account was ended), a dialog asks for the e-mail, the password and,
 * when the account has one, the second factor code; on success the worker
 * takes a store with the new token (job->swap), the feed goes on from
 * where it was and the panes load again. Cancelled, the console stays as
 * it is and the bottom line says that it is signed out and how to sign
 * in (`:sign-in`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/console.h"

enum { F_EMAIL, F_PASSWORD, F_CODE };

struct signin_job {
	struct job job;
	int (*sign_in)(const char *url, const char *email, const char *password, const char *totp,
		       char **token, struct err *e);
	struct store_config cfg; /* the console's, with the new token */
	struct store_context ctx;
	char email[EMAIL_LEN], password[256], code[16];
};

static int
signin_run(struct job *j, struct store *st, struct err *e)
{
	struct signin_job *sj = (struct signin_job *)j;
	struct store *fresh = NULL;
	char *token = NULL;
	int rc;

	(void)st;
	rc = sj->sign_in(sj->cfg.url, sj->email, sj->password, sj->code[0] ? sj->code : NULL,
			 &token, e);
	explicit_bzero(sj->password, sizeof sj->password);
	if (rc < 0)
		return -1;
	sj->cfg.token = token;
	rc = store_open(&fresh, &sj->cfg, e);
	if (rc == 0)
		rc = store_set_context(fresh, &sj->ctx, e);
	explicit_bzero(token, strlen(token));
	free(token);
	sj->cfg.token = NULL;
	if (rc < 0) {
		store_close(&fresh);
		return -1;
	}
	j->swap = fresh;
	return 0;
}

static void
signin_destroy(struct job *j)
{
	struct signin_job *sj = (struct signin_job *)j;

	store_close(&j->swap); /* a run that failed after opening it */
	explicit_bzero(sj->password, sizeof sj->password);
	explicit_bzero(sj->code, sizeof sj->code);
}

static void
signin_done(struct console *c, struct job *j)
{
	struct signin_job *sj = (struct signin_job *)j;

	form_finish(c, j);
	if (j->rc < 0) {
		if (c->modal.submit == NULL) /* the dialog was closed meanwhile */
			console_failed(c, j, "signing in");
		return;
	}
	c->signed_out = c->signin_open = c->signin_dismissed = false;
	c->signed_out_why[0] = '\0';
	snprintf(c->account, sizeof c->account, "%s", sj->email);
	if (c->view_as) {
		/* the member's view ended with the old token: staff again */
		c->view_as = false;
		console_layout(c);
	}
	console_message(c, THEME_ROLE_OK, "signed in again as %s", sj->email);
	console_refresh(c);
}

static int
signin_submit(struct console *c, struct modal *m)
{
	struct signin_job *sj;

	if (!strchr(form_value(m, F_EMAIL), '@'))
		return m->focus = F_EMAIL,
		       snprintf(m->error, sizeof m->error, "the e-mail of the account"), -1;
	if (!*form_value(m, F_PASSWORD))
		return m->focus = F_PASSWORD,
		       snprintf(m->error, sizeof m->error, "the account's password"), -1;
	sj = job_new(sizeof *sj, signin_run, signin_done);
	sj->job.destroy = signin_destroy;
	sj->job.what = "signing in";
	sj->job.write = true; /* a sign-in is not tried again by itself */
	sj->job.signing_in = true;
	sj->sign_in = c->opt.sign_in;
	sj->cfg = c->opt.store;
	sj->cfg.token = NULL;
	sj->ctx = c->staff_ctx;
	snprintf(sj->email, sizeof sj->email, "%s", form_value(m, F_EMAIL));
	snprintf(sj->password, sizeof sj->password, "%s", form_value(m, F_PASSWORD));
	snprintf(sj->code, sizeof sj->code, "%s", form_value(m, F_CODE));
	explicit_bzero(m->field[F_PASSWORD].text.buf, sizeof m->field[F_PASSWORD].text.buf);
	line_set(&m->field[F_PASSWORD].text, "");
	console_submit(c, &sj->job);
	return 0;
}

void
console_signin_open(struct console *c)
{
	struct modal *m;
	char title[160];

	if (!c->opt.store.url || !c->opt.sign_in) {
		console_message(c, THEME_ROLE_WARNING,
				"signing in is for a console on tenantryd "
				"(--url)");
		return;
	}
	snprintf(title, sizeof title, "Sign in to %s", c->opt.store.url);
	m = form_open(c, title, signin_submit);
	form_note(m,
		  "%s%s\nSign in again to go on where you are; Esc leaves the console as it\n"
		  "is (:sign-in comes back here).",
		  c->signed_out ? "The server no longer takes the console's token: " : "",
		  c->signed_out ? c->signed_out_why : "Sign in as another account, or again.");
	form_add_text(m, "e-mail", c->account);
	form_add_text(m, "password", "")->kind = FIELD_SECRET;
	form_add_text(m, "code", "");
	c->signin_open = true;
	c->signin_dismissed = false;
}

void
console_token_refused(struct console *c, const struct job *j)
{
	if (!c->signed_out)
		snprintf(c->signed_out_why, sizeof c->signed_out_why, "%.*s",
			 (int)sizeof c->signed_out_why - 1, j->err.message);
	c->signed_out = true;
	c->dirty = true;
}

void
console_signin_tick(struct console *c)
{
	if (c->signin_open && c->modal.submit != signin_submit) {
		/* the dialog closed without signing in */
		c->signin_open = false;
		if (c->signed_out) {
			c->signin_dismissed = true;
			console_message(
			    c, THEME_ROLE_WARNING,
			    "signed out (%s): nothing loads until you sign in: :sign-in",
			    c->signed_out_why);
		}
	}
	if (c->signed_out && !c->signin_open && !c->signin_dismissed && c->modal.kind == MODAL_NONE
	    && c->opt.sign_in)
		console_signin_open(c);
}
