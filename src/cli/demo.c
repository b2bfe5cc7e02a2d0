/* demo.c - `tenantry demo`: realistic data for trying the console, and
 * `--live` activity that keeps gauges moving and the audit log scrolling. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/validate.h"
#include "store/admin.h"
#include "store/secret.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

static const char *const first[] = {
	"Acme",       "Globex",     "Initech",  "Umbrella",     "Stark",     "Wayne",
	"Tyrell",     "Cyberdyne",  "Soylent",  "Hooli",        "Vandelay",  "Wonka",
	"Aperture",   "Black Mesa", "Oscorp",   "Nakatomi",     "Gringotts", "Monarch",
	"Pied Piper", "Dunder",     "Blue Sun", "Vehement",     "Massive",   "Sirius",
	"Zorg",       "Nordlicht",  "Kōbō",     "Łódź Digital", "Café Büro", "Müller & Söhne",
	"北斗",       "Sakura",     "Aurora",   "Helios",       "Quantum",   "Polar",
};
static const char *const second[] = {
	"Corp",    "Labs",    "Systems",  "Industries", "Analytics", "Logistics",
	"Health",  "Studios", "Robotics", "Foods",      "Energy",    "Media",
	"Capital", "Cloud",   "Works",    "Dynamics",   "Partners",  "Networks",
};
/* Tier mix: many small tenants, few big ones. */
static const char *const tier_mix[] = {
	"free",  "free",         "free",         "basic",    "basic",
	"basic", "professional", "professional", "business", "enterprise",
};

/* The password of the demo tenants' owners who accepted their invitation
 * (owner@<slug>.example.com of every tenth tenant: Argon2id takes a
 * quarter of a second each; the other owners' invitations stay pending,
 * as some do), new each run and printed at the end. */
static char owner_password[64];
#define DEMO_OWNER_EVERY 10

static int
make_tenant(struct cli *c, int i, struct tenant *t)
{
	char name[128], email[128], slug[SLUG_LEN], admin[128], token[96];
	struct tenant_new n = { 0 };

	snprintf(name, sizeof name, "%s %s", first[(size_t)i % (sizeof first / sizeof *first)],
		 second[(size_t)(i / 7) % (sizeof second / sizeof *second)]);
	if (i >= (int)(sizeof first / sizeof *first)) {
		size_t len = strlen(name);

		snprintf(name + len, sizeof name - len, " %d", i);
	}
	n.name = name;
	if (slug_from_name(slug, name, &c->err) < 0)
		return -1;
	snprintf(admin, sizeof admin, "owner@%s.example.com", slug);
	n.admin_email = admin;
	n.admin_name = "Demo Owner";
	n.tier = tier_mix[rnd(sizeof tier_mix / sizeof *tier_mix)];
	n.trial = rnd(10) < 3;
	n.invitation_token = token;
	if (store_tenant_create(t, c->st, &n, &c->err) < 0)
		return -1;
	if (i % DEMO_OWNER_EVERY == 0) {
		struct member m;
		struct err e;

		store_invitation_accept(&m, c->st, token, "Demo Owner", owner_password, &e);
	}
	memset(token, 0, sizeof token);
	snprintf(email, sizeof email, "admin@%s.example.com", t->slug);
	{
		char domain[128];
		struct tenant_patch p = { .domain = domain,
					  .billing_email = email,
					  .timezone =
					      rnd(2) ? "Europe/Berlin" : "America/New_York" };
		struct tenant t2;

		snprintf(domain, sizeof domain, "%s.example.com", t->slug);
		if (store_tenant_update(&t2, c->st, t->id, &p, &c->err) == 0)
			tenant_clear(&t2);
	}
	return 0;
}

static void
fill_tenant(struct cli *c, const struct tenant *t, int i, long *invites)
{
	struct err e;
	char token[96], email[128], secret[128];
	struct invitation v;
	struct setting s;
	struct quota_list ql;
	struct api_key k;
	int ninv = 1 + (int)rnd(3);

	for (int j = 0; j < ninv; j++) {
		snprintf(email, sizeof email, "new%d.%d@%s.example.com", i, j, t->slug);
		if (store_invitation_create(&v, token, c->st, t->id, email,
					    (enum member_role)rnd(ROLE_COUNT), &e)
		    < 0)
			continue;
		(*invites)++;
		if (j == 1 && rnd(4) == 0)
			store_invitation_revoke(c->st, t->id, v.id, &e);
		else if (j == 0 && i % 25 == 0) /* argon2id is slow on purpose */
			store_invitation_accept(&(struct member){ 0 }, c->st, token, "New Member",
						"demo-password", &e);
	}
	snprintf(email, sizeof email, "support@%s.example.com", t->slug);
	store_setting_put(&s, c->st, t->id, "support.email", SETTING_EMAIL, email, &e);
	setting_clear(&s);
	store_setting_put(&s, c->st, t->id, "brand.color", SETTING_COLOR,
			  (const char *[]){ "#1e88e5", "#43a047", "#e53935", "#8e24aa" }[rnd(4)],
			  &e);
	setting_clear(&s);
	store_setting_put(&s, c->st, t->id, "projects.max", SETTING_INT, rnd(2) ? "25" : "100", &e);
	setting_clear(&s);
	store_setting_put(&s, c->st, t->id, "notifications.enabled", SETTING_BOOL,
			  rnd(3) ? "true" : "false", &e);
	setting_clear(&s);
	snprintf(email, sizeof email, "https://hooks.%s.example.com/tenantry", t->slug);
	store_setting_put(&s, c->st, t->id, "webhook.url", SETTING_URL, email, &e);
	setting_clear(&s);
	store_setting_put(&s, c->st, t->id, "ui.layout", SETTING_JSON,
			  "{\"sidebar\": \"left\", \"density\": \"compact\"}", &e);
	setting_clear(&s);
	snprintf(secret, sizeof secret, "sk_live_%08x%08x", rnd(UINT32_MAX), rnd(UINT32_MAX));
	if (store_setting_put(&s, c->st, t->id, "billing.stripe_key", SETTING_SECRET, secret, &e)
	    == 0)
		setting_clear(&s);
	if (rnd(2))
		store_apikey_create(&k, secret, c->st, t->id, "ci",
				    (1u << SCOPE_TENANT_READ) | (1u << SCOPE_USAGE_WRITE), 0, &e);
	/* Usage: most tenants comfortable, some near or at their limits. */
	if (store_quota_list(&ql, c->st, t->id, &e) == 0) {
		static const int share[] = { 10, 25, 40, 55, 70, 83, 90, 96, 100 };

		for (size_t q = 0; q < ql.n; q++) {
			struct quota_result r;
			int64_t lim = ql.rows[q].limit, want;

			if (strcmp(ql.rows[q].resource, "api_calls") != 0
			    && strcmp(ql.rows[q].resource, "storage_bytes") != 0)
				continue;
			if (lim < 0)
				lim = strcmp(ql.rows[q].resource, "api_calls") ? INT64_C(1) << 36
									       : 30000;
			want = lim * share[rnd(sizeof share / sizeof *share)] / 100;
			if (want > 0)
				store_usage_increment(&r, c->st, t->id, ql.rows[q].resource, want,
						      &e);
		}
		quota_list_free(&ql);
	}
}

static int
live(struct cli *c)
{
	struct tenant_query q = { .status = TENANT_ACTIVE, .limit = 500 };
	struct tenant_list l;
	struct err e;

	if (store_tenant_list(&l, c->st, &q, &c->err) < 0)
		return cli_fail(c);
	if (!l.n) {
		fprintf(stderr, "tenantry: no active tenants; run `tenantry demo` first\n");
		tenant_list_free(&l);
		return 1;
	}
	fprintf(stderr, "demo activity on %zu tenants; ^C stops\n", l.n);
	for (unsigned n = 0;; n++) {
		const struct tenant *t = &l.rows[rnd((uint32_t)l.n)];
		struct quota_result r;
		struct setting s;

		store_usage_increment(&r, c->st, t->id, "api_calls", 1 + rnd(20), &e);
		if (n % 4 == 0) {
			char v[16];

			snprintf(v, sizeof v, "%u", 10 + rnd(200));
			if (store_setting_put(&s, c->st, t->id, "projects.max", SETTING_INT, v, &e)
			    == 0)
				setting_clear(&s);
		}
		if (n % 15 == 0)
			store_audit_event(c->st, t->id, "user.login", "user", "demo",
					  "{\"method\": \"password\"}", &e);
		poll(NULL, 0, 250);
	}
}

/* A tenantryd staff account with a fresh password, printed once. */
static int
demo_staff(struct cli *c)
{
	static const char email[] = "ops@tenantry.test";
	char pw[64], hash[PASSWORD_HASH_LEN], id[ID_LEN];

	secret_random_text(pw, sizeof pw);
	pw[20] = '\0';
	if (secret_password_hash(pw, hash, &c->err) < 0
	    || store_staff_add(id, c->st, email, "Platform Operator", STAFF_PLATFORM_ADMIN, hash,
			       &c->err)
		   < 0)
		return cli_fail(c);
	printf("demo: tenantryd staff login %s password %s\n", email, pw);
	return 0;
}

int
cmd_demo(struct cli *c, int argc, char **argv)
{
	struct opt o[] = { { "tenants", 1 }, { "seed", 1 }, { "live", 0 } };
	struct store_context ctx = { .role = STORE_ROLE_SESSION,
				     .actor = "demo",
				     .actor_kind = "system" };
	int n = opt_parse("demo ", argc, argv, o, NOPTS(o)), tenants = 200, made = 0;
	long members = 0, invites = 0;
	const char *v;
	time_t t0 = time(NULL);

	if (n != 0) {
		if (n > 0 && strcmp(argv[0], "help") == 0)
			n = -1;
		if (n < 0 || strcmp(argv[0], "--help") == 0) {
			puts("usage: tenantry demo [--tenants N] [--seed S] [--live]\n"
			     "Loads N tenants (default 200) across every tier and status with\n"
			     "members, invitations, settings (secrets need --master-key-file),\n"
			     "API keys, usage near and over thresholds, alerts and audit entries.\n"
			     "--live instead writes a steady trickle of activity until stopped.");
			return 0;
		}
		return cli_usage("demo ", "unexpected argument %s", argv[0]);
	}
	if ((v = opt_get(o, NOPTS(o), "tenants")) && ((tenants = atoi(v)) < 1 || tenants > 100000))
		return cli_usage("demo ", "--tenants wants 1..100000");
	if ((v = opt_get(o, NOPTS(o), "seed")))
		rng ^= strtoull(v, NULL, 10) * 0x2545f4914f6cdd1dULL;
	if (cli_store(c) < 0 || store_set_context(c->st, &ctx, &c->err) < 0)
		return cli_fail(c);
	if (opt_get(o, NOPTS(o), "live"))
		return live(c);
	if (admin_operator(c->db, "demo_operator", STAFF_PLATFORM_ADMIN, NULL, &c->err) < 0)
		return cli_fail(c);
	secret_random_text(owner_password, sizeof owner_password);
	owner_password[20] = '\0';
	for (int i = 0; i < tenants; i++) {
		struct tenant t;

		if (make_tenant(c, i, &t) < 0) {
			if (c->err.code == ERR_CONFLICT)
				continue; /* already loaded */
			return cli_fail(c);
		}
		made++;
		tenant_clear(&t);
	}
	if (admin_demo_members(c->db, tenants * 3, &members, &c->err) < 0)
		return cli_fail(c);
	{
		struct tenant_query q = { .status = -1, .limit = 500 };
		struct tenant_list l;
		char cursor[CURSOR_LEN] = "";
		int i = 0;

		do {
			if (store_tenant_list(&l, c->st, &q, &c->err) < 0)
				return cli_fail(c);
			for (size_t k = 0; k < l.n; k++, i++) {
				struct tenant t;
				struct err e;

				fill_tenant(c, &l.rows[k], i, &invites);
				if (i % 17 == 3)
					store_tenant_set_status(&t, c->st, l.rows[k].id,
								TENANT_SUSPENDED, &e);
				else if (i % 29 == 5)
					store_tenant_set_status(&t, c->st, l.rows[k].id,
								TENANT_PENDING_DELETION, &e);
				else if (l.rows[k].status == TENANT_TRIAL && i % 3 == 0)
					store_tenant_set_status(&t, c->st, l.rows[k].id,
								TENANT_ACTIVE, &e);
				else
					continue;
				tenant_clear(&t);
			}
			snprintf(cursor, sizeof cursor, "%s", l.next);
			q.after = cursor;
			tenant_list_free(&l);
		} while (*cursor);
	}
	if (admin_demo_age(c->db, &c->err) < 0)
		return cli_fail(c);
	{
		int updated;

		if (store_health_refresh(&updated, c->st, &c->err) < 0)
			return cli_fail(c);
	}
	printf("demo: %d tenants, %ld memberships, %ld invitations in %lds\n", made, members,
	       invites, (long)(time(NULL) - t0));
	printf("demo: the owners of every %dth tenant (owner@<slug>.example.com, the first "
	       "tenant's included) sign in with password %s\n",
	       DEMO_OWNER_EVERY, owner_password);
	printf("demo: database login demo_operator (platform staff) ready\n");
	return demo_staff(c);
}
