/* store_pg_idem.c - idempotent writes: one explicit transaction from the
 * claim of an Idempotency-Key to the commit that keeps its answer.
 *
 * idem_begin sends BEGIN and the claim (016_write_outcomes.sql) after the
 * context statement, in one pipeline: the context's implicit transaction
 * becomes the explicit one. The operations that follow run their
 * pipelines inside it (store_pg.c leaves it open), and idem_end sends the
 * answer and COMMIT in the last one, whose sync alone proves the commit.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_pg.h"

static void
forget_claim(struct pgstore *s)
{
	free(s->idem_caller);
	free(s->idem_key);
	free(s->idem_fingerprint);
	s->idem_caller = s->idem_key = s->idem_fingerprint = NULL;
}

/* Ends an open transaction without keeping anything. */
static void
rollback(struct pgstore *s)
{
	pg_rollback(s);
	s->txn_broken = false;
	forget_claim(s);
}

static int
pg_idem_begin(struct idem_answer *out, struct store *st, const char *caller, const char *key,
	      const char *fingerprint, struct err *e)
{
	struct pgstore *s = pg_of(st);
	PGresult *r = NULL;
	struct pgstep steps[] = {
		PG_STEP0("BEGIN", NULL),
		PG_STEP("SELECT state, coalesce(status, 0), coalesce(content_type, ''), "
			"coalesce(body, '') FROM tenantry.idem_claim($1, $2, $3)",
			&r, caller, key, fingerprint),
	};
	const char *state;

	memset(out, 0, sizeof *out);
	if (s->txn)
		rollback(s);
	if (pg_run(s, steps, 2, e) < 0) {
		/* Nothing was written: a lost claim is only unavailable. */
		if (e && e->code == ERR_OUTCOME_UNKNOWN)
			e->code = ERR_UNAVAILABLE, e->status = 503;
		s->txn = false;
		rollback(s);
		return -1;
	}
	s->txn = true;
	state = pg_s(r, 0, 0);
	if (strcmp(state, "new") == 0) {
		PQclear(r);
		s->idem_caller = strdup(caller);
		s->idem_key = strdup(key);
		s->idem_fingerprint = strdup(fingerprint);
		if (!s->idem_caller || !s->idem_key || !s->idem_fingerprint) {
			rollback(s);
			return err_set(e, ERR_INTERNAL, "out of memory");
		}
		return 0;
	}
	rollback(s);
	if (strcmp(state, "busy") == 0) {
		PQclear(r);
		return err_set(e, ERR_IN_PROGRESS,
			       "a request with this Idempotency-Key is still running");
	}
	if (strcmp(state, "reused") == 0) {
		PQclear(r);
		return err_set(e, ERR_KEY_REUSED,
			       "this Idempotency-Key was used for a different request");
	}
	out->status = (int)pg_i64(r, 0, 1);
	pg_cpy(out->content_type, r, 0, 2);
	out->body = strdup(pg_s(r, 0, 3));
	PQclear(r);
	if (!out->body) {
		out->status = 0;
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	return 0;
}

static int
pg_idem_end(struct store *st, const struct idem_answer *answer, struct err *e)
{
	struct pgstore *s = pg_of(st);
	char status[16];
	struct pgstep steps[2];
	int rc;

	if (!answer || (!s->txn && !s->txn_broken)) {
		bool was_open = s->txn || s->txn_broken || s->idem_key;

		if (was_open)
			rollback(s);
		return answer ? err_set(e, ERR_INTERNAL, "no idempotent transaction is open") : 0;
	}
	snprintf(status, sizeof status, "%d", answer->status);
	steps[0] =
	    (struct pgstep)PG_STEP("SELECT tenantry.idem_record($1, $2, $3, $4::int, $5, $6)", NULL,
				   s->idem_caller, s->idem_key, s->idem_fingerprint, status,
				   answer->content_type, answer->body ? answer->body : "");
	steps[1] = (struct pgstep)PG_STEP0("COMMIT", NULL);
	s->committing = true;
	/* After a statement failed the operation went on outside the
	 * transaction (store_pg.c): the answer is kept on its own. */
	rc = pg_run(s, steps, s->txn ? 2 : 1, e);
	if (rc < 0 && s->txn) /* failed with the session alive */
		rollback(s);
	s->txn = s->committing = s->txn_broken = false;
	forget_claim(s);
	return rc;
}

void
pg_ops_idem(struct store_ops *ops)
{
	ops->idem_begin = pg_idem_begin;
	ops->idem_end = pg_idem_end;
}
