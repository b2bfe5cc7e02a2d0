/* store_stub_credentials.c - the fuzz store's credential operations
 * (store_stub.h): nobody is throttled; everything else answers that the
 * store writes nothing, with out-parameters zeroed. */
#include <string.h>

#include "fuzz/store_stub.h"

#define ZERO(p) memset((p), 0, sizeof *(p))

static int
down(struct err *e)
{
	return err_set(e, ERR_UNAVAILABLE, "the fuzz store writes nothing");
}

int
stub_auth_throttle(int *retry_after, struct store *st, const char *email, const char *ip,
		   struct err *e)
{
	(void)st, (void)email, (void)ip, (void)e;
	*retry_after = 0;
	return 0;
}
int
stub_auth_login_failed(int *retry_after, struct store *st, const char *email, const char *ip,
		       const char *tenant, const char *reason, struct err *e)
{
	(void)st, (void)email, (void)ip, (void)tenant, (void)reason;
	*retry_after = 0;
	return down(e);
}
int
stub_auth_recovery_new(char codes[RECOVERY_CODES][RECOVERY_CODE_LEN], struct store *st,
		       const char *user, struct err *e)
{
	(void)st, (void)user;
	memset(codes, 0, RECOVERY_CODES * RECOVERY_CODE_LEN);
	return down(e);
}
int
stub_auth_recovery_use(bool *ok, struct store *st, const char *user, const char *code,
		       const char *tenant, struct err *e)
{
	(void)st, (void)user, (void)code, (void)tenant;
	*ok = false;
	return down(e);
}
int
stub_password_reset_request(char token_out[96], struct store *st, const char *email, struct err *e)
{
	(void)st, (void)email;
	token_out[0] = '\0';
	return down(e);
}
int
stub_password_reset_confirm(struct store *st, const char *token, const char *password,
			    struct err *e)
{
	(void)st, (void)token, (void)password;
	return down(e);
}
int
stub_user_password_reset(struct password_reset *out, char token_out[96], struct store *st,
			 const char *user, bool mail, struct err *e)
{
	(void)st, (void)user, (void)mail;
	ZERO(out);
	token_out[0] = '\0';
	return down(e);
}
int
stub_user_call(struct store *st, const char *user, struct err *e)
{
	(void)st, (void)user;
	return down(e);
}
