/* remote.h - what remote mode needs besides the store itself: signing in
 * to tenantryd (POST /api/auth/login) for a bearer token. */
#ifndef TENANTRY_REMOTE_H
#define TENANTRY_REMOTE_H

#include "core/err.h"
#include "core/types.h"

struct remote_login {
	char *token; /* owned; the bearer token */
	usec_t expires_at;
	char kind[16]; /* staff | user */
	char user_id[ID_LEN];
	char email[EMAIL_LEN];
	char tenant_id[ID_LEN]; /* "" for staff */
	char role[32];          /* staff role or member role */
};

/* Signs in at the tenantryd of url. totp and tenant may be NULL (tenant
 * picks one membership of a user who has several). On success *out holds
 * the token (release with remote_login_clear); wrong credentials are
 * ERR_UNAUTHORIZED, an unreachable server ERR_UNAVAILABLE. */
int remote_login(struct remote_login *out, const char *url, const char *email, const char *password,
		 const char *totp, const char *tenant, struct err *e);
/* Wipes and frees the token; accepts a zeroed struct. */
void remote_login_clear(struct remote_login *l);

#endif
