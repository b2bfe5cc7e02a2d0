/* cmd_tenants.c - `tenantry tenants` and `tenantry tiers`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/json.h"
#include "core/quota.h"

static const char TENANTS_HELP[] =
    "usage: tenantry tenants list [--filter S] [--tier T] [--status S]\n"
    "                             [--sort name|tier|status|health|usage|created]\n"
    "                             [--desc] [--limit N] [--after CURSOR] [--all]\n"
    "       tenantry tenants show TENANT\n"
    "       tenantry tenants create --name NAME --admin-email EMAIL [--admin-name N]\n"
    "                               [--slug S] [--domain D] [--tier T] [--trial]\n"
    "                               [--billing-email E] [--phone P] [--timezone TZ]\n"
    "                               [--locale L]\n"
    "       tenantry tenants update TENANT [--name N] [--domain D] [--billing-email E]\n"
    "                               [--billing-status ok|past_due|unpaid] [--phone P]\n"
    "                               [--timezone TZ] [--locale L]\n"
    "       tenantry tenants suspend|resume|delete|restore TENANT\n"
    "       tenantry tenants tier TENANT TIER [--force] [--dry-run]\n"
    "       tenantry tenants health TENANT\n"
    "       tenantry tenants health-refresh\n"
    "       tenantry tenants purge-due\n"
    "       tenantry tenants certificate TENANT\n"
    "TENANT is an id or a slug. `delete` starts the 30-day grace period;\n"
    "`restore` ends it; `purge-due` deletes tenants whose grace has passed;\n"
    "`certificate` prints a purged tenant's deletion certificate.\n";

static void
print_tenant(struct cli *c, const struct tenant *t)
{
	char a[32], b[32], d[32];

	if (c->json) {
		json_print(tenant_to_json(t));
		return;
	}
	printf("id              %s\n", t->id);
	printf("slug            %s\n", t->slug);
	printf("name            %s\n", cli_safe(t->name));
	printf("domain          %s\n", *t->domain ? cli_safe(t->domain) : "-");
	printf("tier            %s\n", t->tier);
	printf("status          %s\n", tenant_status_name(t->status));
	printf("trial ends      %s\n", fmt_time(a, t->trial_ends_at));
	printf("deletion due    %s\n", fmt_time(b, t->deletion_due_at));
	printf("members         %d\n", t->members);
	if (t->health >= 0)
		printf("health          %d\n", t->health);
	else
		printf("health          -\n");
	printf("usage peak      %d%%\n", quota_fraction_percent(t->usage_peak));
	printf("billing         %s %s\n", *t->billing_email ? cli_safe(t->billing_email) : "-",
	       t->billing_status);
	printf("timezone        %s (%s)\n", cli_safe(t->timezone), cli_safe(t->locale));
	printf("created         %s\n", fmt_time(d, t->created_at));
}

static int
tenants_list(struct cli *c, int argc, char **argv)
{
	struct opt o[] = { { "filter", 1 }, { "tier", 1 },  { "status", 1 }, { "sort", 1 },
			   { "desc", 0 },   { "limit", 1 }, { "after", 1 },  { "all", 0 } };
	struct tenant_query q = { .status = -1, .limit = 50 };
	struct tenant_list l;
	usec_t oldest = 0;
	struct table *t = NULL;
	json_t *arr = NULL;
	const char *v;
	char cursor[CURSOR_LEN] = "";
	bool all;
	int npos;

	if ((npos = opt_parse("tenants ", argc, argv, o, NOPTS(o))) < 0)
		return EXIT_USAGE;
	if (npos > 0)
		return cli_usage("tenants ", "list takes no arguments, not %s", argv[0]);
	q.filter = opt_get(o, NOPTS(o), "filter");
	q.tier = opt_get(o, NOPTS(o), "tier");
	q.desc = opt_get(o, NOPTS(o), "desc") != NULL;
	q.after = opt_get(o, NOPTS(o), "after");
	all = opt_get(o, NOPTS(o), "all") != NULL;
	if ((v = opt_get(o, NOPTS(o), "status"))) {
		enum tenant_status s;

		if (tenant_status_parse(v, &s) < 0)
			return cli_usage("tenants ", "unknown status %s", v);
		q.status = (int)s;
	}
	if ((v = opt_get(o, NOPTS(o), "sort")) && tenant_sort_parse(v, &q.sort) < 0)
		return cli_usage("tenants ", "unknown sort %s", v);
	if ((v = opt_get(o, NOPTS(o), "limit"))) {
		char *end;

		q.limit = (int)strtol(v, &end, 10);
		if (*end || q.limit < 1 || q.limit > 500)
			return cli_usage("tenants ", "--limit wants 1..500, not %s", v);
	}
	if (all)
		q.limit = 500;
	if (cli_store(c) < 0)
		return cli_fail(c);
	if (c->json)
		arr = json_array();
	else
		t = table_new(7, (const char *[]){ "SLUG", "NAME", "TIER", "STATUS", "USERS",
						   "HEALTH", "USAGE" });
	do {
		if (store_tenant_list(&l, c->st, &q, &c->err) < 0) {
			json_decref(arr);
			table_free(t);
			return cli_fail(c);
		}
		for (size_t i = 0; i < l.n; i++) {
			const struct tenant *r = &l.rows[i];
			char users[16], health[8], usage[8];

			if (arr) {
				json_array_append_new(arr, tenant_to_json(r));
				continue;
			}
			snprintf(users, sizeof users, "%d", r->members);
			snprintf(health, sizeof health, "%d", r->health);
			snprintf(usage, sizeof usage, "%d%%",
				 quota_fraction_percent(r->usage_peak));
			if (r->health_at && (!oldest || r->health_at < oldest))
				oldest = r->health_at;
			table_add(t, r->slug, r->name, r->tier, tenant_status_name(r->status),
				  users, r->health < 0 ? "-" : health, usage);
		}
		snprintf(cursor, sizeof cursor, "%s", l.next);
		q.after = cursor;
		tenant_list_free(&l);
	} while (all && *cursor);
	if (arr)
		json_print(arr);
	else
		table_print(t);
	if (!arr && oldest) {
		char at[32];

		printf("health and usage as of %s (tenantry tenants health-refresh)\n",
		       fmt_time(at, oldest));
	}
	fflush(stdout);
	if (*cursor)
		fprintf(stderr, "more: --after %s\n", cursor);
	return 0;
}

/* A created tenant and its first admin's invitation, whose token is
 * printed this once (as "invitation" with --json). */
static void
print_created(struct cli *c, const struct tenant *t, const struct invitation *v, const char *token)
{
	char exp[32];

	if (c->json) {
		json_t *j = tenant_to_json(t), *i = invitation_to_json(v);

		json_object_set_new(i, "token", json_string(token));
		json_object_set_new(j, "invitation", i);
		json_print(j);
		return;
	}
	print_tenant(c, t);
	printf("admin invited   %s (admin), expires %s UTC\n", cli_safe(v->email),
	       fmt_time(exp, v->expires_at));
	printf("token: %s\n", token);
	fprintf(stderr, "The token is shown only now: the admin accepts it with "
			"tenantry invite accept TOKEN (or POST /api/invitations/accept).\n");
}

static int
tenants_create(struct cli *c, int argc, char **argv)
{
	struct opt o[] = { { "name", 1 },          { "slug", 1 },        { "domain", 1 },
			   { "tier", 1 },          { "admin-email", 1 }, { "admin-name", 1 },
			   { "billing-email", 1 }, { "trial", 0 },       { "phone", 1 },
			   { "timezone", 1 },      { "locale", 1 } };
	struct tenant_new n = { 0 };
	struct invitation v;
	char token[96];
	struct tenant t;

	if (opt_parse("tenants ", argc, argv, o, NOPTS(o)) != 0)
		return cli_usage("tenants ", "create takes options only");
	n.name = opt_get(o, NOPTS(o), "name");
	n.slug = opt_get(o, NOPTS(o), "slug");
	n.domain = opt_get(o, NOPTS(o), "domain");
	n.tier = opt_get(o, NOPTS(o), "tier");
	n.admin_email = opt_get(o, NOPTS(o), "admin-email");
	n.admin_name = opt_get(o, NOPTS(o), "admin-name");
	n.billing_email = opt_get(o, NOPTS(o), "billing-email");
	n.trial = opt_get(o, NOPTS(o), "trial") != NULL;
	n.contact_phone = opt_get(o, NOPTS(o), "phone");
	n.timezone = opt_get(o, NOPTS(o), "timezone");
	n.locale = opt_get(o, NOPTS(o), "locale");
	if (!n.name || !n.admin_email)
		return cli_usage("tenants ", "create needs --name and --admin-email");
	n.invitation = &v;
	n.invitation_token = token;
	if (cli_refuse_write(c) < 0 || cli_store(c) < 0
	    || store_tenant_create(&t, c->st, &n, &c->err) < 0)
		return cli_fail(c);
	print_created(c, &t, &v, token);
	tenant_clear(&t);
	memset(token, 0, sizeof token);
	return 0;
}

static int
tenants_update(struct cli *c, int argc, char **argv)
{
	struct opt o[] = { { "name", 1 },           { "domain", 1 }, { "billing-email", 1 },
			   { "billing-status", 1 }, { "phone", 1 },  { "timezone", 1 },
			   { "locale", 1 } };
	struct tenant_patch p = { 0 };
	struct tenant t;

	if (opt_parse("tenants ", argc, argv, o, NOPTS(o)) != 1)
		return cli_usage("tenants ", "update needs one TENANT");
	p.name = opt_get(o, NOPTS(o), "name");
	p.domain = opt_get(o, NOPTS(o), "domain");
	p.billing_email = opt_get(o, NOPTS(o), "billing-email");
	p.billing_status = opt_get(o, NOPTS(o), "billing-status");
	p.contact_phone = opt_get(o, NOPTS(o), "phone");
	p.timezone = opt_get(o, NOPTS(o), "timezone");
	p.locale = opt_get(o, NOPTS(o), "locale");
	if (cli_refuse_write(c) < 0 || cli_store(c) < 0
	    || store_tenant_update(&t, c->st, argv[0], &p, &c->err) < 0)
		return cli_fail(c);
	print_tenant(c, &t);
	tenant_clear(&t);
	return 0;
}

static int
tenants_status(struct cli *c, const char *verb, const char *ref)
{
	static const struct {
		const char *verb;
		enum tenant_status to;
	} map[] = {
		{ "suspend", TENANT_SUSPENDED }, { "resume", TENANT_ACTIVE },
		{ "activate", TENANT_ACTIVE },   { "delete", TENANT_PENDING_DELETION },
		{ "restore", TENANT_ACTIVE },
	};
	struct tenant t;

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		if (strcmp(verb, map[i].verb) != 0)
			continue;
		if (cli_refuse_write(c) < 0 || cli_store(c) < 0
		    || store_tenant_set_status(&t, c->st, ref, map[i].to, &c->err) < 0)
			return cli_fail(c);
		if (c->json)
			json_print(tenant_to_json(&t));
		else if (t.status == TENANT_PENDING_DELETION) {
			char due[32];

			printf("%s: pending_deletion, purged after %s UTC unless restored\n",
			       t.slug, fmt_time(due, t.deletion_due_at));
		} else
			printf("%s: %s\n", t.slug, tenant_status_name(t.status));
		tenant_clear(&t);
		return 0;
	}
	return cli_usage("tenants ", "unknown subcommand %s", verb);
}

static int
tenants_tier(struct cli *c, int argc, char **argv)
{
	struct opt o[] = { { "force", 0 }, { "dry-run", 0 } };
	struct tier_conflict conflict;
	struct tenant t;

	if (opt_parse("tenants ", argc, argv, o, NOPTS(o)) != 2)
		return cli_usage("tenants ", "tier needs TENANT and TIER");
	if (opt_get(o, NOPTS(o), "dry-run"))
		return cli_tier_preview(c, argv[0], argv[1]);
	if (cli_refuse_write(c) < 0 || cli_store(c) < 0)
		return cli_fail(c);
	if (store_tenant_set_tier(&t, &conflict, c->st, argv[0], argv[1],
				  opt_get(o, NOPTS(o), "force") != NULL, &c->err)
	    < 0) {
		int rc = cli_fail(c);

		for (size_t i = 0; i < conflict.n; i++)
			fprintf(stderr, "  %-14s %lld in use, %s allows %lld\n",
				conflict.rows[i].resource, (long long)conflict.rows[i].used,
				argv[1], (long long)conflict.rows[i].limit);
		if (conflict.n)
			fprintf(stderr, "Use --force to change the tier anyway.\n");
		return rc;
	}
	if (c->json)
		json_print(tenant_to_json(&t));
	else
		printf("%s: tier %s\n", t.slug, t.tier);
	tenant_clear(&t);
	return 0;
}

static int
tenants_health(struct cli *c, const char *ref)
{
	struct health h;

	if (cli_store(c) < 0 || store_health_get(&h, c->st, ref, &c->err) < 0)
		return cli_fail(c);
	if (c->json) {
		json_print(health_to_json(&h));
		return 0;
	}
	printf("health %d\n", h.score);
	for (int i = 0; i < HEALTH_PART_COUNT; i++)
		printf("  %s\n", h.explain[i]);
	return 0;
}

int
cmd_tenants(struct cli *c, int argc, char **argv)
{
	const char *sub = argc ? argv[0] : "list";

	if (argc
	    && (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0)) {
		fputs(TENANTS_HELP, stdout);
		return 0;
	}
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0) {
			fputs(TENANTS_HELP, stdout);
			return 0;
		}
	if (strcmp(sub, "list") == 0)
		return tenants_list(c, argc - 1, argv + 1);
	if (strcmp(sub, "create") == 0)
		return tenants_create(c, argc - 1, argv + 1);
	if (strcmp(sub, "update") == 0)
		return tenants_update(c, argc - 1, argv + 1);
	if (strcmp(sub, "tier") == 0)
		return tenants_tier(c, argc - 1, argv + 1);
	if (strcmp(sub, "health-refresh") == 0 || strcmp(sub, "purge-due") == 0) {
		int n;
		bool purge = sub[0] == 'p';

		if (argc != 1)
			return cli_usage("tenants ", "%s takes no arguments", sub);
		if ((purge && cli_refuse_write(c) < 0) || cli_store(c) < 0
		    || (purge ? store_tenant_purge_due(&n, c->st, &c->err)
			      : store_health_refresh(&n, c->st, &c->err))
			   < 0)
			return cli_fail(c);
		if (c->json)
			json_print(json_pack("{s:s, s:i}", "done", purge ? "purged" : "updated",
					     "tenants", n));
		else
			printf("%d tenants %s\n", n, purge ? "purged" : "updated");
		return 0;
	}
	if (argc != 2)
		return cli_usage("tenants ", "%s needs one TENANT", sub);
	if (strcmp(sub, "show") == 0) {
		struct tenant t;

		if (cli_store(c) < 0 || store_tenant_get(&t, c->st, argv[1], &c->err) < 0)
			return cli_fail(c);
		print_tenant(c, &t);
		tenant_clear(&t);
		return 0;
	}
	if (strcmp(sub, "health") == 0)
		return tenants_health(c, argv[1]);
	if (strcmp(sub, "certificate") == 0)
		return cmd_tenants_certificate(c, argv[1]);
	return tenants_status(c, sub, argv[1]);
}

int
cmd_tiers(struct cli *c, int argc, char **argv)
{
	struct tier_list l;
	struct table *t;
	json_t *arr;

	if (argc > 1 && strcmp(argv[0], "list") == 0)
		return cli_usage("tiers ", "list takes no arguments");
	if (argc && strcmp(argv[0], "list") != 0) {
		if (strcmp(argv[0], "--help") != 0)
			return cli_usage("tiers ", "unknown subcommand %s", argv[0]);
		puts("usage: tenantry tiers [list]");
		return 0;
	}
	if (cli_store(c) < 0 || store_tier_list(&l, c->st, &c->err) < 0)
		return cli_fail(c);
	if (c->json) {
		arr = json_array();
		for (size_t i = 0; i < l.n; i++)
			json_array_append_new(arr, tier_to_json(&l.rows[i]));
		json_print(arr);
		tier_list_free(&l);
		return 0;
	}
	t = table_new(8, (const char *[]){ "TIER", "PRICE/MO", "USERS", "STORAGE", "API/H", "KEYS",
					   "INVITES/D", "TRIAL" });
	for (size_t i = 0; i < l.n; i++) {
		const struct tier *r = &l.rows[i];
		char price[32], u[32], s[32], a[32], k[32], inv[32], trial[16];

		snprintf(price, sizeof price, "$%lld.%02lld", (long long)r->price_cents / 100,
			 (long long)r->price_cents % 100);
		if (r->storage_limit_bytes < 0)
			snprintf(s, sizeof s, "unlimited");
		else
			quota_format_bytes(s, sizeof s, r->storage_limit_bytes);
		snprintf(trial, sizeof trial, "%dd", r->trial_days);
		table_add(t, r->name, price, fmt_limit(u, r->max_users), s,
			  fmt_limit(a, r->api_calls_per_hour), fmt_limit(k, r->max_api_keys),
			  fmt_limit(inv, r->invitations_per_day), trial);
	}
	table_print(t);
	tier_list_free(&l);
	return 0;
}
