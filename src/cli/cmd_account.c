/* cmd_account.c - `tenantry account`: getting a credential back. Staff
 * issue a password reset token for a user (printed once, or with --mail
 * mailed to the account instead), reset a user's second factor, lift a user's
 * sign-in block or sign a user out everywhere; anyone sets a new password with a reset token or asks for
 * one; over --url, a signed-in user makes new recovery codes or signs out
 * everywhere. Every staff action is audited on the platform chain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/json.h"
#include "core/password.h"

static const char ACCOUNT_HELP[] =
    "usage: tenantry account reset-password USER [--mail]\n"
    "                                                a reset token for USER (staff; shown\n"
    "                                                once), or with --mail its link mailed\n"
    "                                                to USER\n"
    "       tenantry account set-password TOKEN [--password-file F]\n"
    "                                                a new password with a reset token\n"
    "       tenantry account forgot EMAIL            ask for a reset token (--url; the\n"
    "                                                answer is the same for every e-mail)\n"
    "       tenantry account mfa-reset USER          turn USER's second factor off (staff)\n"
    "       tenantry account unlock USER             lift USER's sign-in block (staff)\n"
    "       tenantry account sign-out [USER]         end every token of USER (staff), or\n"
    "                                                without USER over --url, your own\n"
    "       tenantry account recovery-codes          new MFA recovery codes (--url, your own\n"
    "                                                account; shown once)\n"
    "USER is an account's e-mail or id. A new password needs at least 12 characters\n"
    "and must not be a common one.\n";

static int
reset_password(struct cli *c, const char *user, bool mail)
{
	struct password_reset pr;
	char token[96], exp[32];

	if (cli_refuse_write(c) < 0 || cli_store(c) < 0
	    || store_user_password_reset(&pr, token, c->st, user, mail, &c->err) < 0)
		return cli_fail(c);
	if (c->json) {
		json_t *j =
		    json_pack("{s:s, s:s, s:o, s:b}", "user_id", pr.user_id, "email", pr.email,
			      "expires_at", time_to_json(pr.expires_at), "mailed", pr.mailed);

		if (j && !pr.mailed)
			json_object_set_new(j, "token", json_string(token));
		json_print(j);
	} else if (pr.mailed) {
		printf("password reset for %s, expires %s UTC: its link is mailed to the "
		       "account\n",
		       cli_safe(pr.email), fmt_time(exp, pr.expires_at));
	} else {
		printf("password reset for %s, expires %s UTC\n", cli_safe(pr.email),
		       fmt_time(exp, pr.expires_at));
		printf("token: %s\n", token);
		fprintf(stderr, "The token is shown only now: the user sets a password with\n"
				"  tenantry account set-password TOKEN\n"
				"or POST /api/auth/password-reset/confirm.\n");
	}
	memset(token, 0, sizeof token);
	return 0;
}

static int
set_password(struct cli *c, const char *token, const char *pwfile)
{
	char pw[PASSWORD_MAX_BYTES + 2];
	int rc;

	if (cli_read_password(pwfile, "New password: ", pw, sizeof pw) < 0)
		return 66;
	if (password_check(pw, "password", &c->err) < 0 || cli_refuse_write(c) < 0
	    || cli_store(c) < 0)
		rc = -1;
	else
		rc = store_password_reset_confirm(c->st, token, pw, &c->err);
	memset(pw, 0, sizeof pw);
	if (rc < 0)
		return cli_fail(c);
	if (!c->json)
		puts("password set; every earlier sign-in of the account has ended");
	return 0;
}

static int
forgot(struct cli *c, const char *email)
{
	char token[96];

	if (cli_refuse_write(c) < 0 || cli_store(c) < 0
	    || store_password_reset_request(token, c->st, email, &c->err) < 0)
		return cli_fail(c);
	memset(token, 0, sizeof token);
	if (!c->json)
		puts("if an account has this e-mail, a reset token is on its way");
	return 0;
}

static int
recovery_codes(struct cli *c)
{
	char codes[RECOVERY_CODES][RECOVERY_CODE_LEN];

	if (cli_refuse_write(c) < 0 || cli_store(c) < 0
	    || store_auth_recovery_new(codes, c->st, NULL, &c->err) < 0)
		return cli_fail(c);
	if (c->json) {
		json_t *arr = json_array();

		for (int i = 0; i < RECOVERY_CODES; i++)
			json_array_append_new(arr, json_string(codes[i]));
		json_print(json_pack("{s:o}", "recovery_codes", arr));
	} else {
		for (int i = 0; i < RECOVERY_CODES; i++)
			printf("%s\n", codes[i]);
		fprintf(stderr, "Each code signs in once in place of a TOTP code; they are shown "
				"only now and replace the earlier ones.\n");
	}
	memset(codes, 0, sizeof codes);
	return 0;
}

/* mfa-reset USER, unlock USER, sign-out [USER]. */
static int
user_action(struct cli *c, const char *what, const char *user)
{
	const char *done;
	int rc;

	if (cli_refuse_write(c) < 0 || cli_store(c) < 0)
		return cli_fail(c);
	if (strcmp(what, "mfa-reset") == 0) {
		rc = store_user_mfa_reset(c->st, user, &c->err);
		done = "second factor off, recovery codes dropped";
	} else if (strcmp(what, "unlock") == 0) {
		rc = store_user_unlock(c->st, user, &c->err);
		done = "sign-in block lifted";
	} else {
		rc = store_user_sign_out(c->st, user, &c->err);
		done = "every token ended";
	}
	if (rc < 0)
		return cli_fail(c);
	if (!c->json)
		printf("%s: %s\n", user ? cli_safe(user) : "your account", done);
	return 0;
}

int
cmd_account(struct cli *c, int argc, char **argv)
{
	struct opt o[] = { { "password-file", 1 }, { "mail", 0 } };
	const char *sub;
	int n;

	if (WANTS_HELP(argc, argv)) {
		fputs(ACCOUNT_HELP, argc ? stdout : stderr);
		return argc ? 0 : EXIT_USAGE;
	}
	sub = argv[0];
	if ((n = opt_parse("account ", argc - 1, argv + 1, o, NOPTS(o))) < 0)
		return EXIT_USAGE;
	if (strcmp(sub, "recovery-codes") == 0 && n == 0)
		return recovery_codes(c);
	if (strcmp(sub, "sign-out") == 0 && n <= 1)
		return user_action(c, sub, n ? argv[1] : NULL);
	if (n != 1)
		return cli_usage("account ", "%s: wrong number of arguments (see --help)", sub);
	if (strcmp(sub, "reset-password") == 0)
		return reset_password(c, argv[1], opt_get(o, NOPTS(o), "mail") != NULL);
	if (strcmp(sub, "set-password") == 0)
		return set_password(c, argv[1], opt_get(o, NOPTS(o), "password-file"));
	if (strcmp(sub, "forgot") == 0)
		return forgot(c, argv[1]);
	if (strcmp(sub, "mfa-reset") == 0 || strcmp(sub, "unlock") == 0)
		return user_action(c, sub, argv[1]);
	return cli_usage("account ", "unknown subcommand %s", sub);
}
