/* store_pg_tenants.c - tenants over libpq: keyset-paged lists, creation,
 * updates, lifecycle and tier changes. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/validate.h"
#include "store/store_pg.h"

void
pg_features(const char *json, feature_mask *on, feature_mask *off)
{
	json_t *j;
	const char *k;
	json_t *v;

	*on = *off = 0;
	if (strcmp(json, "{}") == 0)
		return; /* most tenants: no overrides, nothing to parse */
	j = json_loads(json, 0, NULL);
	json_object_foreach(j, k, v)
	{
		enum feature f;

		if (feature_parse(k, &f) < 0)
			continue;
		if (json_is_true(v))
			*on |= 1u << f;
		else if (json_is_false(v))
			*off |= 1u << f;
	}
	json_decref(j);
}

void
pg_tenant_row(struct tenant *t, const PGresult *r, int row)
{
	enum tenant_status status = TENANT_ACTIVE;

	memset(t, 0, sizeof *t);
	pg_cpy(t->id, r, row, 0);
	pg_cpy(t->slug, r, row, 1);
	pg_cpy(t->name, r, row, 2);
	pg_cpy(t->domain, r, row, 3);
	pg_cpy(t->tier, r, row, 4);
	tenant_status_parse(pg_s(r, row, 5), &status);
	t->status = status;
	t->trial_ends_at = pg_i64(r, row, 6);
	t->deletion_due_at = pg_i64(r, row, 7);
	t->created_at = pg_i64(r, row, 8);
	t->updated_at = pg_i64(r, row, 9);
	t->members = (int)pg_i64(r, row, 10);
	t->health = (int)pg_i64(r, row, 11);
	t->usage_peak = pg_f(r, row, 12);
	pg_cpy(t->billing_email, r, row, 13);
	pg_cpy(t->billing_status, r, row, 14);
	pg_cpy(t->contact_phone, r, row, 15);
	pg_cpy(t->timezone, r, row, 16);
	pg_cpy(t->locale, r, row, 17);
	pg_features(pg_s(r, row, 18), &t->features_on, &t->features_off);
	t->health_at = pg_i64(r, row, 19);
}

/* A single-tenant result into out (404 when empty). */
static int
one_tenant(struct tenant *out, PGresult *r, const char *ref, struct err *e)
{
	int rc = 0;

	if (PQntuples(r) == 0) {
		rc = err_set(e, ERR_NOT_FOUND, "no tenant %s", ref);
	} else {
		pg_tenant_row(out, r, 0);
		if (PQnfields(r) > PG_TENANT_NCOLS + 1) {
			out->settings_json = strdup(pg_s(r, 0, PG_TENANT_NCOLS));
			out->branding_json = strdup(pg_s(r, 0, PG_TENANT_NCOLS + 1));
		}
	}
	PQclear(r);
	return rc;
}

/* ---- keyset cursors ----------------------------------------------------------
 * A cursor is base64url of the sort key values of the last row, separated by
 * 0x1f. Each sort has its key columns (the last is always the id) and the
 * index that serves them. */
struct sort_key {
	const char *cols[3];
	const char *casts[3];
	int result_col[3]; /* where the value is in PG_TENANT_COLS */
	int n;
};

static const struct sort_key sort_keys[TENANT_SORT_COUNT] = {
	[TENANT_SORT_NAME] = { { "t.name", "t.id" }, { "text", "uuid" }, { 2, 0 }, 2 },
	[TENANT_SORT_TIER] = { { "t.tier", "t.name", "t.id" },
			       { "text", "text", "uuid" },
			       { 4, 2, 0 },
			       3 },
	[TENANT_SORT_STATUS] = { { "t.status", "t.name", "t.id" },
				 { "text", "text", "uuid" },
				 { 5, 2, 0 },
				 3 },
	[TENANT_SORT_HEALTH] = { { "t.health_score", "t.id" }, { "int2", "uuid" }, { 11, 0 }, 2 },
	[TENANT_SORT_USAGE] = { { "t.usage_peak", "t.id" }, { "real", "uuid" }, { 12, 0 }, 2 },
	[TENANT_SORT_CREATED] = { { "t.created_at", "t.id" }, { "us", "uuid" }, { 8, 0 }, 2 },
};

static void
cursor_encode(char out[CURSOR_LEN], const struct sort_key *k, const PGresult *r, int row)
{
	char raw[CURSOR_LEN];
	size_t len = 0;

	for (int i = 0; i < k->n; i++)
		len += (size_t)snprintf(raw + len, sizeof raw - len, "%s%s", i ? "\x1f" : "",
					pg_s(r, row, k->result_col[i]));
	if (len >= (CURSOR_LEN - 1) / 4 * 3 - 1) {
		out[0] = '\0'; /* cannot happen with the column limits */
		return;
	}
	sodium_bin2base64(out, CURSOR_LEN, (const unsigned char *)raw, len,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static int
cursor_decode(char *buf, size_t n, const char *cursor, const struct sort_key *k,
	      const char *vals[3], struct err *e)
{
	size_t len = 0;
	char *p = buf;

	if (sodium_base642bin((unsigned char *)buf, n - 1, cursor, strlen(cursor), NULL, &len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING)
	    != 0)
		return err_field(e, "after", "invalid cursor");
	buf[len] = '\0';
	for (int i = 0; i < k->n; i++) {
		char *sep = strchr(p, '\x1f');

		if ((i < k->n - 1) != (sep != NULL))
			return err_field(e, "after", "invalid cursor for sort %s", k->cols[0] + 2);
		if (sep)
			*sep = '\0';
		vals[i] = p;
		p = sep ? sep + 1 : p + strlen(p);
	}
	if (!pg_is_uuid(vals[k->n - 1]))
		return err_field(e, "after", "invalid cursor");
	return 0;
}

/* Escapes LIKE metacharacters: the filter is a plain substring. The
 * statements lower the pattern (lower($1)), as the haystack is lowered. */
static void
like_pattern(char *out, size_t n, const char *filter)
{
	size_t j = 0;

	out[j++] = '%';
	for (const char *p = filter; *p && j + 3 < n; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			out[j++] = '\\';
		out[j++] = *p;
	}
	out[j++] = '%';
	out[j] = '\0';
}

#define HAYSTACK "t.search"
#define WALK_ROWS "4000"

/* A substring filter in name order, for a filter of one or two characters.
 * A common term is met within the next few thousand names: walking the
 * name index, which carries the haystack (010_search.sql), finds a page
 * without reading the table, at a cost that does not grow with the
 * platform. A rarer term is not: then (and only then, decided inside the
 * one statement) the trigram index finds every match. Either way only ids
 * and names are sorted; the page's columns are read for the page's rows
 * alone.
 * Parameters: $1 the LIKE pattern and the conditions' own; the limit is text.
 * Format: conditions, order, order, limit, limit, conditions, order, limit,
 * order, limit. */
/* clang-format off */
#define WALK_SQL \
	"WITH near AS MATERIALIZED (SELECT t.id, t.name FROM (SELECT t.id, t.name, t.search" \
	" FROM tenantry.tenants t WHERE true%s ORDER BY %s LIMIT " WALK_ROWS ") t" \
	" WHERE t.search LIKE lower($1) ORDER BY %s LIMIT %s)," \
	" every AS MATERIALIZED (SELECT t.id, t.name FROM tenantry.tenants t" \
	" WHERE (SELECT count(*) FROM near) < %s AND t.search LIKE lower($1)%s)," \
	" first AS (SELECT t.id FROM every t ORDER BY %s LIMIT %s)" \
	" SELECT " PG_TENANT_COLS " FROM tenantry.tenants t" \
	" WHERE t.id IN (SELECT id FROM near UNION ALL SELECT id FROM first)" \
	" ORDER BY %s LIMIT %s"
/* clang-format on */

/* A substring filter of three characters or more, in name order, through
 * tenant_terms (015_search_terms.sql): each trigram's tenants are an index
 * range in name order. Every match carries every trigram of the text, so
 * none comes before the latest of the trigrams' first entries after the
 * cursor (and there is none if a trigram has no entry: start is NULL). From
 * there the statement walks the range of the rarest trigram (entries
 * counted up to 64; of equals, the one that starts latest) and reads each
 * tenant's row, kept if its haystack matches, until the page is full: in
 * name order already, each row read once. The trigrams are those of the
 * first ten characters; a longer text is still matched whole.
 * Parameters: $1 the LIKE pattern, the conditions' own, and last the
 * filter text itself; the limit is text.
 * Format (pg_sql_add; every piece from the code's own tables): text
 * parameter, cursor on s, order, order, opposite, opposite, opposite,
 * opposite, conditions, cursor >= start, order, order, limit. */
/* clang-format off */
#define TERMS_SQL \
	"WITH firsts AS MATERIALIZED (SELECT g.term, f.name, f.tenant_id," \
	" (SELECT count(*) FROM (SELECT FROM tenantry.tenant_terms s WHERE s.term = g.term" \
	" LIMIT 64) c) AS n FROM tenantry.search_terms(left(lower($%d), 10)) g(term)" \
	" LEFT JOIN LATERAL" \
	" (SELECT s.name, s.tenant_id FROM tenantry.tenant_terms s WHERE s.term = g.term%s" \
	" ORDER BY s.name%s, s.tenant_id%s LIMIT 1) f ON true)," \
	" start AS MATERIALIZED (SELECT f.name, f.tenant_id FROM firsts f" \
	" ORDER BY f.name%s NULLS FIRST, f.tenant_id%s NULLS FIRST LIMIT 1)," \
	" pick AS MATERIALIZED (SELECT f.term FROM firsts f" \
	" ORDER BY f.n, f.name%s NULLS FIRST, f.tenant_id%s NULLS FIRST LIMIT 1)" \
	" SELECT m.* FROM tenantry.tenant_terms s CROSS JOIN LATERAL (SELECT " PG_TENANT_COLS \
	" FROM tenantry.tenants t WHERE t.id = s.tenant_id AND t.search LIKE lower($1)%s" \
	" LIMIT 1) m" \
	" WHERE s.term = (SELECT term FROM pick) AND (s.name, s.tenant_id) %s=" \
	" ((SELECT name FROM start), (SELECT tenant_id FROM start))" \
	" ORDER BY s.name%s, s.tenant_id%s LIMIT %s"
/* clang-format on */

/* Characters of valid UTF-8. */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* "AND (cols) > ($i::cast, ...)" for the cursor values params[first..]. */
static void
cursor_cond(struct pg_sql *q, const struct sort_key *k, const char *const *cols, bool desc,
	    int first)
{
	pg_sql_add(q, " AND (");
	for (int i = 0; i < k->n; i++)
		pg_sql_add(q, "%s%s", i ? ", " : "", cols[i]);
	pg_sql_add(q, ") %s (", desc ? "<" : ">");
	for (int i = 0; i < k->n; i++) {
		if (strcmp(k->casts[i], "us") == 0)
			pg_sql_add(q,
				   "%s'epoch'::timestamptz + $%d::int8 * interval '1 microsecond'",
				   i ? ", " : "", first + i);
		else
			pg_sql_add(q, "%s$%d::%s", i ? ", " : "", first + i, k->casts[i]);
	}
	pg_sql_add(q, ")");
}

static int
pg_tenant_list(struct tenant_list *out, struct store *st, const struct tenant_query *q,
	       struct err *e)
{
	static const char *const term_cols[] = { "s.name", "s.tenant_id" };
	const struct sort_key *k;
	char sql[6144], condb[1024], afterb[512], safterb[512], orderb[256], pattern[512];
	char cur[CURSOR_LEN], limit[16];
	const char *params[8], *vals[3], *dir = q->desc ? " DESC" : "";
	const char *anti = q->desc ? "" : " DESC";
	struct pg_sql text, conds, after, safter, order;
	int np = 0, lim, rc;
	PGresult *r = NULL;
	struct pgstep step;

	memset(out, 0, sizeof *out);
	if ((unsigned)q->sort >= TENANT_SORT_COUNT)
		return err_field(e, "sort", "unknown sort");
	lim = q->limit ? q->limit : 50;
	if (lim < 1 || lim > 500)
		return err_field(e, "limit", "limit must be between 1 and 500");
	if (q->filter && (validate_utf8(q->filter, "filter", e) < 0))
		return -1;
	if (q->filter && strlen(q->filter) > 200)
		return err_field(e, "filter", "filter longer than 200 bytes");
	k = &sort_keys[q->sort];
	if (q->filter && *q->filter) {
		like_pattern(pattern, sizeof pattern, q->filter);
		params[np++] = pattern;
	}
	/* The conditions other than the filter and the cursor, and the order. */
	pg_sql_init(&conds, condb, sizeof condb);
	pg_sql_init(&after, afterb, sizeof afterb);
	pg_sql_init(&safter, safterb, sizeof safterb);
	pg_sql_init(&order, orderb, sizeof orderb);
	pg_sql_init(&text, sql, sizeof sql);
	if (q->tier) {
		params[np++] = q->tier;
		pg_sql_add(&conds, " AND t.tier = $%d", np);
	}
	if (q->status >= 0) {
		if (q->status >= TENANT_STATUS_COUNT)
			return err_field(e, "status", "unknown status");
		params[np++] = tenant_status_name((enum tenant_status)q->status);
		pg_sql_add(&conds, " AND t.status = $%d", np);
	}
	if (q->after && *q->after) {
		if (strlen(q->after) >= CURSOR_LEN
		    || cursor_decode(cur, sizeof cur, q->after, k, vals, e) < 0)
			return err_field(e, "after", "invalid cursor");
		cursor_cond(&after, k, k->cols, q->desc, np + 1);
		if (q->sort == TENANT_SORT_NAME)
			cursor_cond(&safter, k, term_cols, q->desc, np + 1);
		for (int i = 0; i < k->n; i++)
			params[np++] = vals[i];
	}
	for (int i = 0; i < k->n; i++)
		pg_sql_add(&order, "%s%s%s", i ? ", " : "", k->cols[i], dir);
	/* The limit is part of the text, not a parameter: with LIMIT $n a
	 * generic plan is costed for a tenth of the table, so on a large
	 * platform the server would plan the statement again on every call. */
	snprintf(limit, sizeof limit, "%d", lim + 1);
	if (q->filter && *q->filter && q->sort == TENANT_SORT_NAME && utf8_chars(q->filter) >= 3) {
		params[np++] = q->filter;
		pg_sql_add(&text, TERMS_SQL, np, safterb, dir, dir, anti, anti, anti, anti, condb,
			   q->desc ? "<" : ">", dir, dir, limit);
	} else {
		pg_sql_add(&conds, "%s", afterb);
		if (q->filter && *q->filter && q->sort == TENANT_SORT_NAME)
			pg_sql_add(&text, WALK_SQL, condb, orderb, orderb, limit, limit, condb,
				   orderb, limit, orderb, limit);
		else
			pg_sql_add(&text,
				   "SELECT " PG_TENANT_COLS " FROM tenantry.tenants t "
				   "WHERE true%s%s ORDER BY %s LIMIT %s",
				   q->filter && *q->filter ? " AND " HAYSTACK " LIKE lower($1)"
							   : "",
				   condb, orderb, limit);
	}
	if (pg_sql_done(&conds, e) < 0 || pg_sql_done(&after, e) < 0 || pg_sql_done(&safter, e) < 0
	    || pg_sql_done(&order, e) < 0 || pg_sql_done(&text, e) < 0)
		return -1;

	step = (struct pgstep){ .sql = sql, .n = np, .params = params, .out = &r };
	if (pg_run(pg_of(st), &step, 1, e) < 0)
		return -1;
	out->n = (size_t)PQntuples(r);
	if (out->n > (size_t)lim) {
		out->n = (size_t)lim;
		cursor_encode(out->next, k, r, lim - 1);
	}
	out->rows = calloc(out->n + 1, sizeof *out->rows);
	rc = out->rows ? 0 : err_set(e, ERR_INTERNAL, "out of memory");
	for (size_t i = 0; rc == 0 && i < out->n; i++)
		pg_tenant_row(&out->rows[i], r, (int)i);
	PQclear(r);
	return rc;
}

static int
pg_tenant_get(struct tenant *out, struct store *st, const char *tenant, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep step = PG_STEP("SELECT " PG_TENANT_COLS ", t.settings::text, "
				     "t.branding::text FROM tenantry.tenants t "
				     "WHERE t.id = tenantry.tenant_ref($1)",
				     &r, tenant);

	memset(out, 0, sizeof *out);
	if (!tenant || !*tenant)
		return err_field(e, "tenant", "tenant missing");
	if (pg_run(pg_of(st), &step, 1, e) < 0)
		return -1;
	return one_tenant(out, r, tenant, e);
}

/* The tenant, its quotas (from the tier) and an invitation of its first
 * admin (038_first_admin.sql). */
static int
pg_tenant_create(struct tenant *out, struct store *st, const struct tenant_new *t, struct err *e)
{
	char slug[SLUG_LEN], token[96], hash[SECRET_HASH_HEX], *sealed;
	PGresult *r = NULL, *inv = NULL;
	const char *tier = t->tier && *t->tier ? t->tier : "free";
	int rc;

	memset(out, 0, sizeof *out);
	if (validate_name(t->name, "name", e) < 0)
		return -1;
	if (t->slug && *t->slug) {
		if (validate_slug(t->slug, "slug", e) < 0)
			return -1;
		snprintf(slug, sizeof slug, "%s", t->slug);
	} else if (slug_from_name(slug, t->name, e) < 0) {
		return -1;
	}
	if ((t->domain && *t->domain && validate_domain(t->domain, "domain", e) < 0)
	    || validate_email(t->admin_email, "admin_email", e) < 0
	    || (t->admin_name && validate_utf8(t->admin_name, "admin_name", e) < 0)
	    || (t->billing_email && *t->billing_email
		&& validate_email(t->billing_email, "billing_email", e) < 0)
	    || (t->timezone && *t->timezone && validate_timezone(t->timezone, "timezone", e) < 0)
	    || (t->contact_phone && validate_utf8(t->contact_phone, "contact_phone", e) < 0)
	    || (t->locale && validate_utf8(t->locale, "locale", e) < 0))
		return -1;
	if (t->admin_name && strlen(t->admin_name) > 200) /* the account's full_name */
		return err_field(e, "admin_name", "admin_name longer than 200 bytes");
	secret_invitation_token(token, sizeof token, hash);
	sealed = pg_mail_seal(pg_of(st), token); /* the invitation's mail (049) */
	{
		struct pgstep steps[] = {
			PG_STEP(PG_MAIL_TOKEN, NULL, sealed ? sealed : ""),
			PG_STEP("SELECT " PG_TENANT_COLS
				" FROM tenantry.tenant_create($1, $2, $3, $4, $5, $6, $7, $8, $9,"
				" $10, $11, decode($12, 'hex')) t",
				&r, t->name, slug, t->domain ? t->domain : "", tier, t->admin_email,
				t->admin_name ? t->admin_name : "",
				t->billing_email ? t->billing_email : "", t->trial ? "t" : "f",
				t->contact_phone ? t->contact_phone : "",
				t->timezone ? t->timezone : "", t->locale ? t->locale : "", hash),
			/* the new tenant's one invitation (no role reads the hash) */
			PG_STEP("SELECT i.id, i.email, " US("i.created_at") ", " US(
				    "i.expires_at") ", i.invited_by FROM tenantry.invitations i "
						    "WHERE i.tenant_id = tenantry.tenant_ref($1)",
				&inv, slug),
		};

		rc = pg_run(pg_of(st), steps, 3, e);
		free(sealed);
		if (rc < 0)
			return -1;
	}
	pg_first_admin(t, inv, token);
	PQclear(inv);
	memset(token, 0, sizeof token);
	if (one_tenant(out, r, slug, e) < 0)
		return -1;
	if (t->invitation)
		snprintf(t->invitation->tenant_id, ID_LEN, "%s", out->id);
	return 0;
}

static int
pg_tenant_update(struct tenant *out, struct store *st, const char *tenant,
		 const struct tenant_patch *p, struct err *e)
{
	static const struct {
		const char *col;
		size_t off;
		const char *expr;
	} fields[] = {
#define F(c, expr) { #c, offsetof(struct tenant_patch, c), expr }
		F(name, "$%d"),
		F(domain, "NULLIF($%d, '')"),
		F(billing_email, "NULLIF($%d, '')"),
		F(billing_status, "$%d"),
		F(contact_phone, "NULLIF($%d, '')"),
		F(timezone, "$%d"),
		F(locale, "$%d"),
		F(settings_json, "$%d::jsonb"),
		F(branding_json, "$%d::jsonb"),
		F(domain_verified_at, "CASE WHEN $%d::boolean THEN now() END"),
#undef F
	};
	char sql[2048];
	const char *params[12];
	int np = 1;
	struct pg_sql text;
	PGresult *r = NULL;
	struct pgstep step;

	memset(out, 0, sizeof *out);
	params[0] = tenant;
	pg_sql_init(&text, sql, sizeof sql);
	pg_sql_add(&text, "UPDATE tenantry.tenants t SET ");
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const char *v = *(const char *const *)((const char *)p + fields[i].off);
		const char *col = fields[i].col;
		char expr[64];
		int bad = 0;

		if (!v)
			continue;
		if (validate_utf8(v, col, e) < 0)
			return -1;
		if (strcmp(col, "name") == 0)
			bad = validate_name(v, col, e);
		else if (strcmp(col, "domain") == 0 && *v)
			bad = validate_domain(v, col, e);
		else if (strcmp(col, "billing_email") == 0 && *v)
			bad = validate_email(v, col, e);
		else if (strcmp(col, "timezone") == 0)
			bad = validate_timezone(v, col, e);
		else if (strstr(col, "_json"))
			bad = validate_json(v, col, e);
		if (bad < 0)
			return -1;
		params[np++] = v;
		snprintf(expr, sizeof expr, fields[i].expr, np);
		pg_sql_add(&text, "%s%.*s = %s", np > 2 ? ", " : "",
			   (int)(strstr(col, "_json") ? strlen(col) - 5 : strlen(col)), col, expr);
	}
	if (np == 1)
		return pg_tenant_get(out, st, tenant, e);
	pg_sql_add(&text, " WHERE t.id = tenantry.tenant_ref($1) RETURNING " PG_TENANT_COLS
			  ", t.settings::text, t.branding::text");
	if (pg_sql_done(&text, e) < 0)
		return -1;
	step = (struct pgstep){ .sql = sql, .n = np, .params = params, .out = &r };
	if (pg_run(pg_of(st), &step, 1, e) < 0)
		return -1;
	return one_tenant(out, r, tenant, e);
}

/* Staff change a tenant's status directly; a tenant's own context (its
 * admins: a deletion request) through tenant_self_status() (057), which
 * holds it to that. */
static int
pg_tenant_set_status(struct tenant *out, struct store *st, const char *tenant,
		     enum tenant_status status, struct err *e)
{
	PGresult *r = NULL;
	const char *name = tenant_status_name(status);
	bool own = st->ctx.role == STORE_ROLE_TENANT;
	struct pgstep steps[] = {
		PG_STEP("SELECT tenantry.must_tenant($1)", NULL, tenant),
		PG_STEP("UPDATE tenantry.tenants t SET status = $2 "
			"WHERE t.id = tenantry.tenant_ref($1) RETURNING " PG_TENANT_COLS,
			&r, tenant, name),
		PG_STEP("SELECT " PG_TENANT_COLS " FROM tenantry.tenant_self_status($2) t "
			"WHERE t.id = tenantry.tenant_ref($1)",
			&r, tenant, name),
	};

	memset(out, 0, sizeof *out);
	if ((unsigned)status >= TENANT_STATUS_COUNT)
		return err_field(e, "status", "unknown status");
	if (own)
		steps[1] = steps[2];
	if (pg_run(pg_of(st), steps, 2, e) < 0)
		return -1;
	return one_tenant(out, r, tenant, e);
}

/* The resources over the limits of tier, for a refused downgrade. */
static void
read_conflicts(struct tier_conflict *conflict, struct store *st, const char *tenant,
	       const char *tier)
{
	PGresult *c = NULL;
	struct pgstep step = PG_STEP("SELECT resource, used, quota_limit FROM "
				     "tenantry.tier_conflicts(tenantry.tenant_ref($1), $2)",
				     &c, tenant, tier);

	if (pg_run(pg_of(st), &step, 1, NULL) < 0)
		return;
	for (int i = 0; i < PQntuples(c) && i < RESOURCE_COUNT; i++) {
		pg_cpy(conflict->rows[i].resource, c, i, 0);
		conflict->rows[i].used = pg_i64(c, i, 1);
		conflict->rows[i].limit = pg_i64(c, i, 2);
		conflict->n++;
	}
	PQclear(c);
}

/* After a change that moves them, the tenant's health and usage peak are
 * computed again and given back with it (best effort: else the older
 * ones, whose health_at says when). */
static void
refigure(struct tenant *t, struct store *st)
{
	PGresult *r = NULL;
	struct pgstep step =
	    PG_STEP("SELECT t.health_score, t.usage_peak, " US(
			"t.health_at") " FROM tenantry.tenants t WHERE t.id = $1::uuid",
		    &r, t->id);
	struct err e;

	if (pg_health_refresh_tenant(st, t->id) < 0 || pg_run(pg_of(st), &step, 1, &e) < 0)
		return;
	if (PQntuples(r) == 1) {
		t->health = (int)pg_i64(r, 0, 0);
		t->usage_peak = pg_f(r, 0, 1);
		t->health_at = pg_i64(r, 0, 2);
	}
	PQclear(r);
}

static int
pg_tenant_set_tier(struct tenant *out, struct tier_conflict *conflict, struct store *st,
		   const char *tenant, const char *tier, bool force, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep steps[] = {
		PG_STEP("SELECT tenantry.must_tenant($1)", NULL, tenant),
		PG_STEP("SELECT " PG_TENANT_COLS " FROM tenantry.tenant_set_tier("
			"tenantry.tenant_ref($1), $2, $3) t",
			&r, tenant, tier, force ? "t" : "f"),
	};
	struct err tmp;

	memset(out, 0, sizeof *out);
	if (conflict)
		memset(conflict, 0, sizeof *conflict);
	if (!tier || !*tier)
		return err_field(e, "tier", "tier missing");
	if (!e)
		e = &tmp;
	if (pg_run(pg_of(st), steps, 2, e) < 0) {
		if (e->code == ERR_DOWNGRADE_BLOCKED && conflict)
			read_conflicts(conflict, st, tenant, tier);
		return -1;
	}
	if (one_tenant(out, r, tenant, e) < 0)
		return -1;
	refigure(out, st);
	return 0;
}

void
pg_ops_tenants(struct store_ops *ops)
{
	ops->tenant_list = pg_tenant_list;
	ops->tenant_get = pg_tenant_get;
	ops->tenant_create = pg_tenant_create;
	ops->tenant_update = pg_tenant_update;
	ops->tenant_set_status = pg_tenant_set_status;
	ops->tenant_set_tier = pg_tenant_set_tier;
}
