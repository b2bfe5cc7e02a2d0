/* store_pg_mail.c - the outbox's e-mail over libpq (049_mail.sql):
 * claiming due mails, recording their outcome, and sealing the token a
 * mail must carry for the outbox trigger (pg_mail_seal). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_pg.h"

char *
pg_mail_seal(struct pgstore *s, const char *token)
{
	if (!s->have_key || !token || !*token)
		return NULL;
	return secret_seal(s->key, token);
}

void
mail_item_list_free(struct mail_item_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; l->rows && i < l->n; i++) {
		free(l->rows[i].data);
		sodium_memzero(l->rows[i].token, sizeof l->rows[i].token);
	}
	free(l->rows);
	l->rows = NULL;
	l->n = 0;
}

static int
pg_only(struct store *st, struct err *e)
{
	if (!st || strcmp(store_kind(st), "pg") != 0)
		return err_set(e, ERR_METHOD, "e-mail is sent from the database store only");
	return 0;
}

/* Recipients, one a line (no address holds a line break). */
static void
mail_recipients(struct mail_item *m, const char *lines)
{
	while (*lines && m->nrecipients < MAIL_MAX_RECIPIENTS) {
		size_t n = strcspn(lines, "\n");

		if (n > 0 && n < EMAIL_LEN) {
			memcpy(m->recipients[m->nrecipients], lines, n);
			m->recipients[m->nrecipients++][n] = '\0';
		}
		lines += n;
		if (*lines)
			lines++;
	}
}

static void
mail_row(struct mail_item *m, struct pgstore *s, const PGresult *r, int row)
{
	pg_cpy(m->tenant_id, r, row, 0);
	m->seq = pg_i64(r, row, 1);
	pg_cpy(m->type, r, row, 2);
	m->attempt = (int)pg_i64(r, row, 3);
	pg_cpy(m->event_id, r, row, 4);
	m->event_at = pg_i64(r, row, 5);
	m->data = strdup(pg_s(r, row, 6));
	mail_recipients(m, pg_s(r, row, 7));
	pg_cpy(m->tenant_name, r, row, 8);
	pg_cpy(m->tenant_slug, r, row, 9);
	if (!pg_null(r, row, 10)) {
		struct err ignored;
		char *plain = s->have_key ? secret_open(s->key, pg_s(r, row, 10), &ignored) : NULL;

		m->token_sealed = true;
		if (plain && strlen(plain) < sizeof m->token)
			snprintf(m->token, sizeof m->token, "%s", plain);
		if (plain) {
			sodium_memzero(plain, strlen(plain));
			free(plain);
		}
	}
}

int
store_mail_claim(struct mail_item_list *out, struct store *st, const struct mail_claim_opts *o,
		 struct err *e)
{
	char limit[16], lease[16], age[16];
	PGresult *r = NULL;
	struct pgstep step = PG_STEP(
	    "SELECT tenant_id, seq, type, attempt, event_id, " US(
		"event_at") ", data::text, "
			    "array_to_string(recipients, chr(10)), coalesce(tenant_name, ''), "
			    "coalesce(tenant_slug, ''), sealed FROM tenantry.mail_claim($1, $2::int, $3::int, "
			    "$4::int)",
	    &r, o->runner, limit, lease, age);

	memset(out, 0, sizeof *out);
	if (pg_only(st, e) < 0)
		return -1;
	if (!o->runner || !*o->runner)
		return err_field(e, "runner", "runner missing");
	snprintf(limit, sizeof limit, "%d", o->limit > 0 ? o->limit : 1);
	snprintf(lease, sizeof lease, "%d", o->lease_s > 0 ? o->lease_s : 60);
	snprintf(age, sizeof age, "%d", o->max_age_s > 0 ? o->max_age_s : 86400);
	if (pg_run(pg_of(st), &step, 1, e) < 0)
		return -1;
	ALLOC_ROWS(out, r, e);
	for (size_t i = 0; i < out->n; i++)
		mail_row(&out->rows[i], pg_of(st), r, (int)i);
	PQclear(r);
	for (size_t i = 0; i < out->n; i++)
		if (!out->rows[i].data) {
			mail_item_list_free(out);
			return err_set(e, ERR_INTERNAL, "out of memory");
		}
	return 0;
}

int
store_mail_done(char state[16], struct store *st, const char *runner, const struct mail_item *m,
		enum mail_outcome outcome, const char *error, double retry_s, int give_up_s,
		struct err *e)
{
	static const char *const names[] = { "sent", "failed", "skipped" };
	char seq[24], attempt[16], retry[32], give_up[16];
	PGresult *r = NULL;
	struct pgstep step = PG_STEP("SELECT tenantry.mail_done($1, $2::uuid, $3::int8, $4, "
				     "$5::int, $6, NULLIF($7, ''), $8::float8, $9::int)",
				     &r, runner, m->tenant_id, seq, m->type, attempt,
				     names[outcome], error ? error : "", retry, give_up);

	state[0] = '\0';
	if (pg_only(st, e) < 0)
		return -1;
	if ((unsigned)outcome > MAIL_SKIPPED)
		return err_set(e, ERR_BAD_REQUEST, "unknown outcome");
	snprintf(seq, sizeof seq, "%lld", (long long)m->seq);
	snprintf(attempt, sizeof attempt, "%d", m->attempt);
	snprintf(retry, sizeof retry, "%.3f", retry_s > 0 ? retry_s : 0);
	snprintf(give_up, sizeof give_up, "%d", give_up_s > 0 ? give_up_s : 86400);
	if (pg_run(pg_of(st), &step, 1, e) < 0)
		return -1;
	snprintf(state, 16, "%s", pg_s(r, 0, 0));
	PQclear(r);
	return 0;
}
