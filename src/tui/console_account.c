/* console_account.c - staff actions on an account from the console's
 * command line: `:reset-password USER` (a reset token, shown once, or its
 * link mailed to the account),
 * `:mfa-reset USER` (the second factor off), `:unlock USER` (its sign-in
 * block lifted) and `:sign-out USER` (every token ended); in the users pane USER defaults to the member under the
 * cursor. Each opens a form naming the account, which Enter confirms; the database decides who may (platform admins and support)
 * and audits each on the platform chain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/console.h"

enum account_action { ACCOUNT_RESET_PASSWORD, ACCOUNT_MFA_RESET, ACCOUNT_SIGN_OUT, ACCOUNT_UNLOCK };

static const struct {
	const char *title, *note, *what, *done;
} account_actions[] = {
	[ACCOUNT_RESET_PASSWORD] = { "Issue a password reset",
				     "A single-use token that sets a new password, valid for an hour.\n"
				     "It is shown once to hand over, or mailed to the account as a\n"
				     "link and shown to nobody. Audited.",
				     "issuing a reset token", "reset token issued" },
	[ACCOUNT_MFA_RESET] = { "Reset the second factor",
				"Turns the account's TOTP off and drops its recovery codes; it\n"
				"signs in with its password and may enrol again. Audited.",
				"resetting the second factor", "second factor off" },
	[ACCOUNT_UNLOCK] = { "Lift the sign-in block",
			     "Forgets the failed sign-ins counted against the account's e-mail\n"
			     "(those of its addresses stay). Audited.",
			     "lifting the sign-in block", "sign-in block lifted" },
	[ACCOUNT_SIGN_OUT] = { "Sign out everywhere",
			       "Ends every token the account holds, on every server. Audited.",
			       "signing out everywhere", "every token ended" },
};

struct account_job {
	struct job job;
	enum account_action action;
	char user[EMAIL_LEN];
	struct password_reset reset;
	char token[96];
	bool mail; /* the reset's link mailed to the account */
};

static const char *const deliveries[] = { "show the token", "mail a link" };

static int
account_run(struct job *j, struct store *st, struct err *e)
{
	struct account_job *aj = (struct account_job *)j;

	switch (aj->action) {
	case ACCOUNT_RESET_PASSWORD:
		return store_user_password_reset(&aj->reset, aj->token, st, aj->user, aj->mail, e);
	case ACCOUNT_MFA_RESET:
		return store_user_mfa_reset(st, aj->user, e);
	case ACCOUNT_UNLOCK:
		return store_user_unlock(st, aj->user, e);
	default:
		return store_user_sign_out(st, aj->user, e);
	}
}

static void
account_done(struct console *c, struct job *j)
{
	struct account_job *aj = (struct account_job *)j;
	char text[1024];

	form_finish(c, j);
	if (j->rc < 0)
		return;
	if (aj->action == ACCOUNT_RESET_PASSWORD && aj->reset.mailed) {
		console_message(c, THEME_ROLE_OK, "%s: a reset link is mailed to the account",
				aj->reset.email);
		return;
	}
	console_message(c, THEME_ROLE_OK, "%s: %s", aj->user, account_actions[aj->action].done);
	if (aj->action == ACCOUNT_RESET_PASSWORD) {
		snprintf(text, sizeof text,
			 "A password reset for %s.\n\nToken (shown once, it cannot be shown "
			 "again):\n\n  %s\n\nThey set a new password with:\n"
			 "  tenantry account set-password %s",
			 aj->reset.email, aj->token, aj->token);
		console_show_secret(c, "Password reset token (shown once)", text, "reset token",
				    aj->token);
	}
	memset(aj->token, 0, sizeof aj->token);
}

static int
account_submit(struct console *c, struct modal *m)
{
	struct account_job *aj = job_new(sizeof *aj, account_run, account_done);

	aj->action = (enum account_action)m->ref[0];
	aj->job.write = true;
	aj->job.what = account_actions[aj->action].what;
	snprintf(aj->user, sizeof aj->user, "%s", form_value(m, 0));
	aj->mail =
	    aj->action == ACCOUNT_RESET_PASSWORD && strcmp(form_value(m, 1), deliveries[1]) == 0;
	job_journal(c, &aj->job, "account",
		    aj->action == ACCOUNT_RESET_PASSWORD ? "reset-password"
		    : aj->action == ACCOUNT_MFA_RESET    ? "mfa-reset"
		    : aj->action == ACCOUNT_UNLOCK       ? "unlock"
							 : "sign-out",
		    aj->user, aj->mail ? "--mail" : NULL, NULL);
	console_submit(c, &aj->job);
	return 0;
}

/* `:reset-password USER`, `:mfa-reset USER`, `:sign-out USER`. */
void
account_command(struct console *c, const char *name, const char *user)
{
	enum account_action a = strcmp(name, "reset-password") == 0 ? ACCOUNT_RESET_PASSWORD
				: strcmp(name, "mfa-reset") == 0    ? ACCOUNT_MFA_RESET
				: strcmp(name, "unlock") == 0       ? ACCOUNT_UNLOCK
								    : ACCOUNT_SIGN_OUT;
	struct modal *m = form_open(c, account_actions[a].title, account_submit);

	m->ref[0] = (char)a;
	m->ref[1] = '\0';
	form_note(m, "%s\nEnter confirms, Esc cancels.", account_actions[a].note);
	form_add_text(m, "user (e-mail or id)", user ? user : "");
	if (a == ACCOUNT_RESET_PASSWORD)
		form_add_choice(m, "deliver", deliveries, 2, 0);
}
