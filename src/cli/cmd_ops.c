/* cmd_ops.c - `tenantry quota`, `usage`, `audit`, `alerts`, `metrics`,
 * `export`, `migrate` and `operator`. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/forecast.h"
#include "core/json.h"
#include "core/quota.h"
#include "core/text.h"
#include "store/admin.h"

static int
parse_i64(const char *s, int64_t *out)
{
	char *end;

	*out = strtoll(s, &end, 10);
	return *s && !*end ? 0 : -1;
}

/* ---- quotas and usage --------------------------------------------------------- */

static void
print_quotas(struct cli *c, const struct quota *rows, size_t n)
{
	struct table *t;

	if (c->json) {
		json_t *arr = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, quota_to_json(&rows[i]));
		json_print(arr);
		return;
	}
	t = table_new(6,
		      (const char *[]){ "RESOURCE", "USED", "LIMIT", "WINDOW", "%", "FORECAST" });
	for (size_t i = 0; i < n; i++) {
		const struct quota *q = &rows[i];
		char used[32], lim[32], pct[16], forecast[64];

		bool bytes = strcmp(q->resource, "storage_bytes") == 0;

		/* as the console shows them: binary units, percent rounded down */
		if (bytes)
			quota_format_bytes(used, sizeof used, q->used);
		else
			snprintf(used, sizeof used, "%lld", (long long)q->used);
		if (q->limit < 0)
			snprintf(pct, sizeof pct, "-");
		else
			snprintf(pct, sizeof pct, "%d%%", quota_percent(q->used, q->limit));
		if (bytes && q->limit >= 0)
			quota_format_bytes(lim, sizeof lim, q->limit);
		/* durations from when the forecast was made */
		forecast_describe(forecast, sizeof forecast, q, q->forecast.as_of);
		table_add(t, q->resource, used,
			  bytes && q->limit >= 0 ? lim : fmt_limit(lim, q->limit),
			  quota_window_name(q->window), pct, forecast[0] ? forecast : "-");
	}
	table_print(t);
}

int
cmd_quota(struct cli *c, int argc, char **argv)
{
	struct quota_result res;
	int64_t n;

	if (WANTS_HELP(argc, argv)) {
		fputs("usage: tenantry quota list TENANT\n"
		      "       tenantry quota set TENANT RESOURCE LIMIT   (-1 = unlimited)\n"
		      "       tenantry quota check TENANT RESOURCE [AMOUNT]\n"
		      "RESOURCE: users storage_bytes api_calls api_keys invitations\n",
		      argc ? stdout : stderr);
		return argc ? 0 : EXIT_USAGE;
	}
	if (strcmp(argv[0], "list") == 0 && argc == 2) {
		struct quota_list l;

		if (cli_store(c) < 0 || store_quota_list(&l, c->st, argv[1], &c->err) < 0)
			return cli_fail(c);
		print_quotas(c, l.rows, l.n);
		quota_list_free(&l);
		return 0;
	}
	if (strcmp(argv[0], "set") == 0 && argc == 4) {
		struct quota q;

		if (parse_i64(argv[3], &n) < 0)
			return cli_usage("quota ", "LIMIT must be a number, not %s", argv[3]);
		if (cli_refuse_write(c) < 0 || cli_store(c) < 0
		    || store_quota_set_limit(&q, c->st, argv[1], argv[2], n, &c->err) < 0)
			return cli_fail(c);
		print_quotas(c, &q, 1);
		return 0;
	}
	if (strcmp(argv[0], "check") == 0 && (argc == 3 || argc == 4)) {
		n = 1;
		if (argc == 4 && parse_i64(argv[3], &n) < 0)
			return cli_usage("quota ", "AMOUNT must be a number, not %s", argv[3]);
		if (cli_store(c) < 0
		    || store_quota_check(&res, c->st, argv[1], argv[2], n, &c->err) < 0)
			return cli_fail(c);
		if (c->json)
			json_print(quota_result_to_json(&res));
		else
			printf("%s: %lld more %s (%lld of %s used)\n", argv[2], (long long)n,
			       res.allowed ? "fits" : "does not fit", (long long)res.quota.used,
			       res.quota.limit < 0 ? "unlimited" : argv[2]);
		return res.allowed ? 0 : 1;
	}
	return cli_usage("quota ", "unknown subcommand or wrong arguments");
}

int
cmd_usage(struct cli *c, int argc, char **argv)
{
	struct opt o[] = { { "days", 1 } };
	int n;

	if (WANTS_HELP(argc, argv)) {
		fputs(
		    "usage: tenantry usage TENANT                 summary (users, storage, api calls today)\n"
		    "       tenantry usage daily TENANT [--days N]\n"
		    "       tenantry usage add TENANT RESOURCE AMOUNT   consume (refused over the quota)\n",
		    argc ? stdout : stderr);
		return argc ? 0 : EXIT_USAGE;
	}
	n = opt_parse("usage ", argc, argv, o, NOPTS(o));
	if (n < 0)
		return EXIT_USAGE;
	if (strcmp(argv[0], "add") == 0 && n == 4) {
		struct quota_result res;
		int64_t amount;

		if (parse_i64(argv[3], &amount) < 0)
			return cli_usage("usage ", "AMOUNT must be a number, not %s", argv[3]);
		if (cli_refuse_write(c) < 0 || cli_store(c) < 0
		    || store_usage_increment(&res, c->st, argv[1], argv[2], amount, &c->err) < 0)
			return cli_fail(c);
		if (c->json)
			json_print(quota_result_to_json(&res));
		else
			printf("%s: %lld used\n", argv[2], (long long)res.quota.used);
		return 0;
	}
	if (strcmp(argv[0], "daily") == 0 && n == 2) {
		const char *d = opt_get(o, NOPTS(o), "days");
		struct usage_day_list l;
		struct table *t;

		int64_t days = 14;

		if (d && (parse_i64(d, &days) < 0 || days < 1 || days > 366))
			return cli_usage("usage ", "--days wants 1..366, not %s", d);
		if (cli_store(c) < 0
		    || store_usage_list(&l, c->st, argv[1], (int)days, &c->err) < 0)
			return cli_fail(c);
		if (c->json) {
			json_t *arr = json_array();

			for (size_t i = 0; i < l.n; i++)
				json_array_append_new(arr, usage_day_to_json(&l.rows[i]));
			json_print(arr);
		} else {
			t = table_new(3, (const char *[]){ "DAY", "RESOURCE", "AMOUNT" });
			for (size_t i = 0; i < l.n; i++) {
				char amount[32];

				snprintf(amount, sizeof amount, "%lld",
					 (long long)l.rows[i].amount);
				table_add(t, l.rows[i].day, l.rows[i].resource, amount);
			}
			table_print(t);
		}
		usage_day_list_free(&l);
		return 0;
	}
	if (n == 1) {
		struct usage_summary s;

		if (cli_store(c) < 0 || store_usage_summary(&s, c->st, argv[0], &c->err) < 0)
			return cli_fail(c);
		if (c->json) {
			json_print(usage_summary_to_json(&s));
		} else {
			char a[32], b[32];

			printf("users      %lld / %s\n", (long long)s.users_current,
			       fmt_limit(a, s.users_limit));
			if (s.storage_limit_gb < 0)
				printf("storage    %.2f GB / unlimited\n", s.storage_used_gb);
			else
				printf("storage    %.2f GB / %.0f GB\n", s.storage_used_gb,
				       s.storage_limit_gb);
			printf("api calls  %lld today, %s per hour\n", (long long)s.api_calls_today,
			       fmt_limit(b, s.api_calls_limit));
		}
		return 0;
	}
	return cli_usage("usage ", "unknown subcommand or wrong arguments");
}

/* ---- audit ---------------------------------------------------------------------- */

static void
print_entry(struct cli *c, const struct audit_entry *a)
{
	char at[32];

	if (c->json) {
		json_t *j = audit_entry_to_json(a);

		json_dumpf(j, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
		putchar('\n');
		json_decref(j);
		return;
	}
	printf("%6lld  %s  %-24s %-20s %s %s\n", (long long)a->seq, fmt_time(at, a->at),
	       cli_safe(a->actor), cli_safe(a->action), cli_safe(a->resource_type),
	       cli_safe(a->label[0] ? a->label : a->resource_id));
}

/* Follows the log of tenant (NULL: every chain the caller sees) in commit
 * order, by the audit cursor, so that nothing is missed or repeated
 * whatever the rate: first the newest q->limit entries, or from `since`
 * ("now": only what comes next; a time: everything from then). */
static int
audit_tail(struct cli *c, const char *tenant, struct audit_query *q, const char *since)
{
	struct audit_entry_list l;
	char cursor[AUDIT_CURSOR_LEN] = "0-0";

	if (since && strcmp(since, "now") != 0
	    && time_parse(&q->since, since, "--since", &c->err) < 0)
		return cli_usage("audit ", "--since wants now or a time (2026-12-07T10:00:00Z)");
	if (cli_store(c) < 0)
		return cli_fail(c);
	if (!since || strcmp(since, "now") == 0) {
		q->newest = true;
		q->after_seq = 0;
		if (since)
			q->limit = 1;
		if (store_audit_list(&l, c->st, tenant, q, &c->err) < 0)
			return cli_fail(c);
		for (size_t i = 0; !since && i < l.n; i++)
			print_entry(c, &l.rows[l.n - 1 - i]);
		if (l.n)
			snprintf(cursor, sizeof cursor, "%s", l.rows[0].cursor);
		audit_entry_list_free(&l);
		q->since = 0;
	}
	fflush(stdout);
	q->newest = false;
	q->after_seq = 0;
	q->limit = 1000;
	for (;;) {
		q->cursor = cursor;
		if (store_audit_list(&l, c->st, tenant, q, &c->err) < 0) {
			fprintf(stderr, "tenantry: %s (retrying)\n", cli_safe(c->err.message));
			sleep(2);
			continue;
		}
		for (size_t i = 0; i < l.n; i++)
			print_entry(c, &l.rows[i]);
		if (l.n)
			snprintf(cursor, sizeof cursor, "%s", l.rows[l.n - 1].cursor);
		fflush(stdout);
		if (l.n < (size_t)q->limit)
			poll(NULL, 0, 500);
		audit_entry_list_free(&l);
	}
	return 0;
}

static int
audit_list(struct cli *c, int argc, char **argv, bool follow)
{
	struct opt o[] = { { "after", 1 },
			   { "limit", 1 },
			   { "action", 1 },
			   { "actor", 1 },
			   { "since", 1 } };
	struct audit_query q = { .limit = 50 };
	struct audit_entry_list l;
	const char *tenant, *v;
	int n = opt_parse("audit ", argc, argv, o, NOPTS(o));

	if (n < 0 || n > 1)
		return n < 0 ? EXIT_USAGE : cli_usage("audit ", "at most one TENANT");
	tenant = n ? argv[0] : NULL;
	q.action = opt_get(o, NOPTS(o), "action");
	q.actor = opt_get(o, NOPTS(o), "actor");
	if ((v = opt_get(o, NOPTS(o), "limit"))) {
		int64_t lim;

		if (parse_i64(v, &lim) < 0 || lim < 1 || lim > 1000)
			return cli_usage("audit ", "--limit wants 1..1000, not %s", v);
		q.limit = (int)lim;
	}
	if ((v = opt_get(o, NOPTS(o), "after")) && parse_i64(v, &q.after_seq) < 0)
		return cli_usage("audit ", "--after wants a sequence number");
	q.newest = !q.after_seq;
	if (follow)
		return audit_tail(c, tenant, &q, opt_get(o, NOPTS(o), "since"));
	if (cli_store(c) < 0 || store_audit_list(&l, c->st, tenant, &q, &c->err) < 0)
		return cli_fail(c);
	/* Newest-first pages print oldest first, like a log. */
	for (size_t i = 0; i < l.n; i++)
		print_entry(c, &l.rows[q.newest ? l.n - 1 - i : i]);
	audit_entry_list_free(&l);
	return 0;
}

struct verify_tally {
	struct cli *c;
	int64_t chains, entries;
	int broken;
	json_t *broken_list; /* --json: the broken chains' verdicts */
};

/* A broken chain is named by its tenant's slug where it can be read. */
static int
tally_chain(void *arg, const char *tenant_id, const struct audit_verdict *v)
{
	struct verify_tally *t = arg;
	struct tenant tn;
	struct err e = { 0 };

	t->chains++;
	t->entries += v->entries;
	if (!v->first_broken)
		return 0;
	t->broken++;
	if (t->c->json) {
		json_t *j = audit_verdict_to_json(v);

		if (!t->broken_list)
			t->broken_list = json_array();
		json_object_set_new(j, "chain", json_string(tenant_id));
		json_array_append_new(t->broken_list, j);
		return 0;
	}
	if (strcmp(tenant_id, PLATFORM_CHAIN) == 0) {
		printf("platform");
	} else if (store_tenant_get(&tn, t->c->st, tenant_id, &e) == 0) {
		printf("%s", cli_safe(tn.slug));
		tenant_clear(&tn);
	} else {
		printf("%s", tenant_id);
	}
	printf(": chain broken at entry %lld: %s\n", (long long)v->first_broken, v->reason);
	return 0;
}

static int
audit_verify(struct cli *c, int argc, char **argv)
{
	struct audit_verdict v;
	int broken = 0;

	if (argc > 1)
		return cli_usage("audit ", "verify takes at most one TENANT");
	if (cli_store(c) < 0)
		return cli_fail(c);
	if (argc == 1) {
		if (store_audit_verify(&v, c->st, argv[0], &c->err) < 0)
			return cli_fail(c);
		if (c->json)
			json_print(audit_verdict_to_json(&v));
		else if (v.first_broken)
			printf("%s: chain broken at entry %lld: %s\n", argv[0],
			       (long long)v.first_broken, v.reason);
		else
			printf("%s: %lld entries, chain intact, head %.16s\n", argv[0],
			       (long long)v.entries, v.head_hash);
		return v.first_broken ? 1 : 0;
	}
	/* Every chain: the platform's, then each tenant's, in one walk. */
	{
		struct verify_tally t = { .c = c };

		if (store_audit_verify_all(c->st, tally_chain, &t, &c->err) < 0)
			return cli_fail(c);
		if (c->json)
			json_print(json_pack("{s:I, s:I, s:i, s:o}", "chains", (json_int_t)t.chains,
					     "entries", (json_int_t)t.entries, "broken", t.broken,
					     "broken_chains",
					     t.broken_list ? t.broken_list : json_array()));
		else
			printf("%lld chains, %lld entries, %d broken\n", (long long)t.chains,
			       (long long)t.entries, t.broken);
		broken = t.broken;
	}
	return broken ? 1 : 0;
}

int
cmd_audit(struct cli *c, int argc, char **argv)
{
	if (WANTS_HELP(argc, argv)) {
		fputs("usage: tenantry audit list [TENANT] [--after SEQ] [--limit N]\n"
		      "                           [--action PREFIX] [--actor WHO]\n"
		      "       tenantry audit tail [TENANT] [--since now|TIME]\n"
		      "                                      follow new entries (every tenant\n"
		      "                                      without TENANT)\n"
		      "       tenantry audit verify [TENANT]  recompute hash chains\n",
		      argc ? stdout : stderr);
		return argc ? 0 : EXIT_USAGE;
	}
	if (strcmp(argv[0], "list") == 0)
		return audit_list(c, argc - 1, argv + 1, false);
	if (strcmp(argv[0], "tail") == 0)
		return audit_list(c, argc - 1, argv + 1, true);
	if (strcmp(argv[0], "verify") == 0)
		return audit_verify(c, argc - 1, argv + 1);
	return cli_usage("audit ", "unknown subcommand %s", argv[0]);
}

/* ---- alerts, metrics, export ------------------------------------------------------ */

/* The alerts as a table: the tenant's slug, and who acknowledged each
 * and when ("-" while open). */
static void
alerts_print(const struct alert_list *l)
{
	struct table *t = table_new(
	    6, (const char *[]){ "ID", "SLUG", "RESOURCE", "THRESHOLD", "AT", "ACKNOWLEDGED" });

	for (size_t i = 0; i < l->n; i++) {
		const struct alert *a = &l->rows[i];
		char th[16], at[32], ack[32], acked[32 + EMAIL_LEN];

		/* a trial_end alert's threshold is the days left */
		snprintf(th, sizeof th, "%d%s", a->threshold,
			 strcmp(a->kind, "quota") == 0 ? "%" : " days");
		if (a->acknowledged_at)
			snprintf(acked, sizeof acked, "%s %s", fmt_time(ack, a->acknowledged_at),
				 a->acknowledged_by);
		else
			snprintf(acked, sizeof acked, "-");
		table_add(t, a->id, a->slug[0] ? a->slug : a->tenant_id, a->resource, th,
			  fmt_time(at, a->at), acked);
	}
	table_print(t);
}

int
cmd_alerts(struct cli *c, int argc, char **argv)
{
	struct opt o[] = { { "all", 0 }, { "since", 1 }, { "resource", 1 } };
	struct alert_list l;
	usec_t since = 0;
	const char *v;
	int n;

	if (argc && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
		puts("usage: tenantry alerts [list] [TENANT] [--all] [--since DURATION]\n"
		     "                              [--resource RESOURCE]\n"
		     "                                 (--since 1h: raised in the last hour)\n"
		     "       tenantry alerts ack TENANT ALERT_ID");
		return 0;
	}
	n = opt_parse("alerts ", argc, argv, o, NOPTS(o));
	if (n < 0)
		return EXIT_USAGE;
	if (n && strcmp(argv[0], "ack") == 0) {
		if (n != 3)
			return cli_usage("alerts ", "ack needs TENANT and ALERT_ID");
		if (cli_refuse_write(c) < 0 || cli_store(c) < 0
		    || store_alert_ack(c->st, argv[1], argv[2], &c->err) < 0)
			return cli_fail(c);
		cli_done(c, "acknowledged", argv[1], argv[2], false);
		return 0;
	}
	if (n && strcmp(argv[0], "list") == 0) {
		argv++;
		n--;
	}
	if (n > 1)
		return cli_usage("alerts ", "at most one TENANT");
	if ((v = opt_get(o, NOPTS(o), "since"))) {
		if (duration_parse(&since, v, "--since", &c->err) < 0)
			return cli_usage("alerts ",
					 "--since wants a duration (30m, 1h, 24h, 7d), not %s", v);
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		since = (usec_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 - since;
	}
	if (cli_store(c) < 0
	    || store_alert_list(&l, c->st, n ? argv[0] : NULL, opt_get(o, NOPTS(o), "all") == NULL,
				since, opt_get(o, NOPTS(o), "resource"), &c->err)
		   < 0)
		return cli_fail(c);
	if (c->json) {
		json_t *arr = json_array();

		for (size_t i = 0; i < l.n; i++)
			json_array_append_new(arr, alert_to_json(&l.rows[i]));
		json_print(arr);
	} else {
		alerts_print(&l);
		if (l.n >= ALERTS_MAX)
			fprintf(stderr,
				"tenantry: the newest %d alerts; a TENANT, --resource or --since "
				"narrows the list, and the console's alerts view (9, a) counts "
				"them all\n",
				ALERTS_MAX);
	}
	alert_list_free(&l);
	return 0;
}

int
cmd_metrics(struct cli *c, int argc, char **argv)
{
	struct platform_metrics m;

	if (argc) {
		if (strcmp(argv[0], "--help") == 0) {
			puts("usage: tenantry metrics");
			return 0;
		}
		return cli_usage("metrics ", "takes no arguments");
	}
	if (cli_store(c) < 0 || store_metrics(&m, c->st, &c->err) < 0)
		return cli_fail(c);
	if (c->json) {
		json_print(platform_metrics_to_json(&m));
		return 0;
	}
	printf("tenants %lld:", (long long)m.tenants_total);
	for (int s = 0; s < TENANT_STATUS_COUNT; s++)
		printf(" %s %lld", tenant_status_name((enum tenant_status)s),
		       (long long)m.by_status[s]);
	printf("\nopen alerts %lld\n\n", (long long)m.open_alerts);
	{
		struct table *t = table_new(3, (const char *[]){ "TIER", "TENANTS", "MRR" });

		for (size_t i = 0; i < m.ntiers; i++) {
			char n[32], mrr[32];

			snprintf(n, sizeof n, "%lld", (long long)m.tiers[i].tenants);
			snprintf(mrr, sizeof mrr, "$%lld", (long long)m.tiers[i].mrr_cents / 100);
			table_add(t, m.tiers[i].tier, n, mrr);
		}
		table_print(t);
	}
	putchar('\n');
	{
		struct table *t = table_new(
		    4, (const char *[]){ "NEAREST QUOTA", "RESOURCE", "USED", "FORECAST" });

		for (size_t i = 0; i < m.nnearest; i++) {
			char used[48], full[32];

			snprintf(used, sizeof used, "%lld / %lld", (long long)m.nearest[i].used,
				 (long long)m.nearest[i].limit);
			forecast_describe_full(full, sizeof full, &m.nearest[i].forecast,
					       m.nearest[i].forecast.as_of);
			table_add(t, m.nearest[i].slug, m.nearest[i].resource, used, full);
		}
		table_print(t);
	}
	return 0;
}

int
cmd_export(struct cli *c, int argc, char **argv)
{
	struct opt o[] = { { "output", 1 } };
	const char *path;
	char *json;
	FILE *f = stdout;
	int n;

	if (WANTS_HELP(argc, argv)) {
		fputs(
		    "usage: tenantry export TENANT [--output FILE]\n"
		    "Writes all of the tenant's data as one JSON document; secrets stay masked.\n",
		    argc ? stdout : stderr);
		return argc ? 0 : EXIT_USAGE;
	}
	n = opt_parse("export ", argc, argv, o, NOPTS(o));
	if (n != 1)
		return n < 0 ? EXIT_USAGE : cli_usage("export ", "export needs one TENANT");
	if (cli_store(c) < 0 || store_tenant_export(&json, c->st, argv[0], &c->err) < 0)
		return cli_fail(c);
	if ((path = opt_get(o, NOPTS(o), "output")) && !(f = fopen(path, "w"))) {
		free(json);
		fprintf(stderr, "tenantry: cannot write %s\n", path);
		return 73; /* EX_CANTCREAT */
	}
	fputs(json, f);
	fputc('\n', f);
	if (f != stdout)
		fclose(f);
	free(json);
	return 0;
}

int
cmd_migrate(struct cli *c, int argc, char **argv)
{
	int applied, total;

	if (argc) {
		if (strcmp(argv[0], "--help") == 0) {
			puts(
			    "usage: tenantry migrate\n"
			    "Applies the schema migrations built into this binary that the\n"
			    "database does not have yet. Needs a superuser or the database owner.");
			return 0;
		}
		return cli_usage("migrate ", "takes no arguments");
	}
	if (admin_migrate(c->db, &applied, &total, &c->err) < 0)
		return cli_fail(c);
	printf("%d of %d migrations applied now, schema up to date\n", applied, total);
	return 0;
}

int
cmd_operator(struct cli *c, int argc, char **argv)
{
	struct opt o[] = { { "password-file", 1 }, { "role", 1 } };
	const char *pwfile, *role_s;
	enum staff_role role;
	char pw[256];
	int n;

	if (WANTS_HELP(argc, argv)) {
		fputs("usage: tenantry operator LOGIN --role platform_admin|support|oncall\n"
		      "                         [--password-file F]\n"
		      "Creates (or changes) a database login for platform staff: a member of\n"
		      "exactly the database role of that staff role (tenantry_platform,\n"
		      "tenantry_support, tenantry_oncall) and of no other; never a superuser\n"
		      "or the owner. The database's grants then decide what it may do.\n",
		      argc ? stdout : stderr);
		return argc ? 0 : EXIT_USAGE;
	}
	n = opt_parse("operator ", argc, argv, o, NOPTS(o));
	if (n != 1)
		return n < 0 ? EXIT_USAGE : cli_usage("operator ", "needs one LOGIN");
	role_s = opt_get(o, NOPTS(o), "role");
	if (!role_s || staff_role_parse(role_s, &role) < 0 || role == STAFF_NONE)
		return cli_usage("operator ", "--role must be platform_admin, support or oncall");
	pwfile = opt_get(o, NOPTS(o), "password-file");
	if (pwfile && cli_read_password(pwfile, NULL, pw, sizeof pw) < 0)
		return 66;
	if (admin_operator(c->db, argv[0], role, pwfile ? pw : NULL, &c->err) < 0)
		return cli_fail(c);
	printf("login role %s ready (%s)\n", argv[0], staff_role_name(role));
	return 0;
}
