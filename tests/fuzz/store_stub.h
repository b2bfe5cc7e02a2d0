/* store_stub.h - a store without a database for the fuzz targets
 * (store_stub.c). */
#ifndef TENANTRY_STORE_STUB_H
#define TENANTRY_STORE_STUB_H

#include <stdbool.h>

#include "store/store.h"

/* Makes st a store whose operations return empty results or errors. */
void store_stub_init(struct store *st);
/* False when store.h has gained an operation the stub does not fill. */
bool store_stub_complete(void);

/* The credential operations (store_stub_credentials.c). */
int stub_auth_throttle(int *retry_after, struct store *st, const char *email, const char *ip,
		       struct err *e);
int stub_auth_login_failed(int *retry_after, struct store *st, const char *email, const char *ip,
			   const char *tenant, const char *reason, struct err *e);
int stub_auth_recovery_new(char codes[RECOVERY_CODES][RECOVERY_CODE_LEN], struct store *st,
			   const char *user, struct err *e);
int stub_auth_recovery_use(bool *ok, struct store *st, const char *user, const char *code,
			   const char *tenant, struct err *e);
int
stub_password_reset_request(char token_out[96], struct store *st, const char *email, struct err *e);
int stub_password_reset_confirm(struct store *st, const char *token, const char *password,
				struct err *e);
int stub_user_password_reset(struct password_reset *out, char token_out[96], struct store *st,
			     const char *user, bool mail, struct err *e);
int stub_user_call(struct store *st, const char *user, struct err *e);

/* The webhook operations (store_stub_webhooks.c). */
int
stub_webhook_list(struct webhook_list *out, struct store *st, const char *tenant, struct err *e);
int stub_webhook_create(struct webhook *out, char secret_out[WEBHOOK_SECRET_LEN], struct store *st,
			const struct webhook_new *n, struct err *e);
int stub_webhook_id(struct store *st, const char *id, struct err *e);
int stub_webhook_set_enabled(struct webhook *out, struct store *st, const char *id, bool enabled,
			     struct err *e);
int stub_webhook_test(char event_out[ID_LEN], struct store *st, const char *id, struct err *e);
int stub_webhook_attempts(struct webhook_attempt_list *out, struct store *st, const char *id,
			  int limit, struct err *e);
int stub_webhook_redeliver(struct store *st, const char *id, const char *event, struct err *e);
int stub_webhook_claim(struct webhook_claim_list *out, struct store *st, const char *runner,
		       int limit, int lease_s, struct err *e);
int stub_platform_history(struct platform_history *out, struct store *st, struct err *e);
int stub_webhook_attempt_done(char state_out[WEBHOOK_STATE_LEN], struct store *st,
			      const struct webhook_outcome *o, struct err *e);
int stub_alert_groups(struct alert_group_list *out, struct store *st, usec_t since, struct err *e);
int stub_webhook_feed_open(struct audit_feed **out, struct store *st, struct err *e);

#endif
