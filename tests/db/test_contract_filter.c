/* test_contract_filter.c - the store contract, continued (see
 * test_contract.c): the tenant list's substring filter against its plain
 * meaning, on texts of every length, in pages, with and without a tier,
 * after renames and a purge; on the libpq store and on the REST store
 * alike. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"

/* ---- the substring filter against its plain meaning ----------------------------- */

/* Tenants whose texts share pieces: the same words at the start, inside
 * and at the end of names, in slugs and domains only, the LIKE
 * metacharacters, a non-ASCII capital (lowered by PostgreSQL: É to é). */
static const struct {
	const char *name, *slug, *domain, *tier;
} filter_tenants[] = {
	{ "Nova Labs", "nova-labs", NULL, "basic" },
	{ "Supernova Analytics", "supernova", "supernova.example", "free" },
	{ "Casanova Foods", "casanova", NULL, "basic" },
	{ "Novak & Partners", "novak", NULL, "free" },
	{ "Labs of Nova", "labs-of-nova", NULL, "basic" },
	{ "Renovation Works", "renovation", "reno.example", "free" },
	{ "Nov Ova", "nov-ova", NULL, "basic" },
	{ "Ovation", "ovation", NULL, "free" },
	{ "Helix Mail", "helix", "nova-mail.example", "basic" },
	{ "Plain Name", "novaslug-x", NULL, "free" },
	{ "100% Organic", "organic", NULL, "basic" },
	{ "under_score Media", "underscore", NULL, "free" },
	{ "\xc3\x89"
	  "cole Nouvelle",
	  "ecole-nouvelle", NULL, "basic" },
	{ "Ma Petite \xc3\xa9"
	  "cole",
	  "petite-ecole", NULL, "free" },
	{ "N\xc3\xb8va Nordic", "nordic", NULL, "basic" },
};

/* lower() as PostgreSQL applies it to these names: ASCII, and É. */
static void
fold(char *out, size_t n, const char *s)
{
	size_t j = 0;

	for (; *s && j + 2 < n; s++) {
		if ((unsigned char)s[0] == 0xc3 && (unsigned char)s[1] == 0x89) {
			out[j++] = (char)0xc3;
			out[j++] = (char)0xa9;
			s++;
		} else {
			out[j++] = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
		}
	}
	out[j] = '\0';
}

static int
by_name_id(const void *a, const void *b)
{
	const struct tenant *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->id, y->id);
}

/* Every tenant, by name and id, read without a filter. */
static size_t
all_tenants(struct tenant **rows, const char *tier)
{
	struct tenant_query q = { .status = -1, .limit = 500, .tier = tier };
	struct tenant_list l;
	size_t n;

	OK(store_tenant_list(&l, st, &q, &e));
	ck_assert_str_eq(l.next, "");
	n = l.n;
	*rows = l.rows; /* kept: freed with tenant_list_free's layout below */
	qsort(*rows, n, sizeof **rows, by_name_id);
	return n;
}

/* The filter's pages, each of `limit`, against the tenants of `all`
 * whose lowered "slug name domain" contains the lowered text. */
static void
filter_matches(const struct tenant *all, size_t n, const char *text, const char *tier, bool desc,
	       int limit)
{
	struct tenant_query q = { .status = -1,
				  .limit = limit,
				  .filter = text,
				  .tier = tier,
				  .sort = TENANT_SORT_NAME,
				  .desc = desc };
	char cursor[CURSOR_LEN], want[256], hay[768];
	size_t got = 0, expect = 0;

	fold(want, sizeof want, text);
	for (size_t i = 0; i < n; i++) {
		snprintf(hay, sizeof hay, "%s %s %s", all[i].slug, all[i].name, all[i].domain);
		fold(hay, sizeof hay, hay);
		expect += strstr(hay, want) != NULL;
	}
	do {
		struct tenant_list l;

		OK(store_tenant_list(&l, st, &q, &e));
		ck_assert_msg(l.n <= (size_t)limit, "'%s': %zu rows on a page", text, l.n);
		for (size_t i = 0; i < l.n; i++, got++) {
			/* the got-th match in the requested order */
			size_t seen = 0, k = 0;

			for (; k < n; k++) {
				size_t at = desc ? n - 1 - k : k;

				snprintf(hay, sizeof hay, "%s %s %s", all[at].slug, all[at].name,
					 all[at].domain);
				fold(hay, sizeof hay, hay);
				if (strstr(hay, want) && seen++ == got)
					break;
			}
			ck_assert_msg(k < n, "'%s'%s: %s is not a match", text, desc ? " desc" : "",
				      l.rows[i].name);
			ck_assert_msg(strcmp(l.rows[i].id, all[desc ? n - 1 - k : k].id) == 0,
				      "'%s'%s limit %d: row %zu is %s, want %s", text,
				      desc ? " desc" : "", limit, got, l.rows[i].name,
				      all[desc ? n - 1 - k : k].name);
		}
		snprintf(cursor, sizeof cursor, "%s", l.next);
		q.after = cursor;
		tenant_list_free(&l);
	} while (*cursor);
	ck_assert_msg(got == expect, "'%s'%s limit %d: %zu rows, want %zu", text,
		      desc ? " desc" : "", limit, got, expect);
}

static void
free_rows(struct tenant *rows, size_t n)
{
	struct tenant_list l = { .rows = rows, .n = n };

	tenant_list_free(&l);
}

/* Text of every length against the plain meaning, both directions, pages
 * of 3 and of 50, with and without a tier condition; then after renames
 * and a purge, and tenant_terms against what its trigger would write. */
START_TEST(test_tenant_filter)
{
	static const char *const texts[] = {
		"n",
		"o",
		"no",
		"ov",
		"nov",
		"nova",
		"NOVA",
		"ova",
		"ovat",
		"a n",
		"labs",
		"nova labs",
		"supernova analytics",
		"labs of nova",
		"nova-mail",
		"example",
		"novaslug",
		"100%",
		"%",
		"_",
		"r_s",
		"under_",
		"\xc3\xa9"
		"cole",
		"\xc3\x89"
		"COLE",
		"cole n",
		"n\xc3\xb8v",
		"zzz",
		"xyzzy",
		"s &",
		" ",
	};
	const char *tiers[] = { NULL, "basic" };
	struct tenant *all;
	struct tenant t;
	size_t n;
	PGconn *su;
	int purged;

	for (size_t i = 0; i < sizeof filter_tenants / sizeof *filter_tenants; i++) {
		char email[64];
		struct tenant_new tn = { .name = filter_tenants[i].name,
					 .slug = filter_tenants[i].slug,
					 .domain = filter_tenants[i].domain,
					 .tier = filter_tenants[i].tier,
					 .admin_email = email };

		snprintf(email, sizeof email, "admin@%s.example", filter_tenants[i].slug);
		OK(store_tenant_create(&t, st, &tn, &e));
		tenant_clear(&t);
	}
	for (int i = 0; i < 24; i++) { /* enough for pages on either side of a name */
		char name[32], slug[32], email[64];
		struct tenant_new tn = { .name = name,
					 .slug = slug,
					 .admin_email = email,
					 .tier = i % 2 ? "basic" : "free" };

		snprintf(name, sizeof name, "%s %02d", i % 3 ? "Nova" : "Orbit Nova", i);
		snprintf(slug, sizeof slug, "n%02d", i);
		snprintf(email, sizeof email, "admin@n%02d.example", i);
		OK(store_tenant_create(&t, st, &tn, &e));
		tenant_clear(&t);
	}
	for (int round = 0; round < 2; round++) {
		for (int ti = 0; ti < 2; ti++) {
			n = all_tenants(&all, tiers[ti]);
			for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
				for (int d = 0; d < 2; d++) {
					filter_matches(all, n, texts[i], tiers[ti], d, 50);
					if (!tiers[ti])
						filter_matches(all, n, texts[i], NULL, d, 3);
				}
			free_rows(all, n);
		}
		if (round)
			break;
		/* Renamed: the old text no longer finds it, the new one does. */
		OK(store_tenant_update(&t, st, "ovation",
				       &(struct tenant_patch){ .name = "Sensation" }, &e));
		tenant_clear(&t);
		OK(store_tenant_update(&t, st, "helix",
				       &(struct tenant_patch){ .domain = "helix.example" }, &e));
		tenant_clear(&t);
		/* Purged: gone from the filter. */
		OK(store_tenant_set_status(&t, st, "casanova", TENANT_PENDING_DELETION, &e));
		su = testdb_connect(ct_db, NULL);
		testdb_execf(su, "UPDATE tenantry.tenants SET deletion_due_at = now() - "
				 "interval '1 day' WHERE slug = 'casanova'");
		PQfinish(su);
		OK(store_tenant_purge_due(&purged, st, &e));
		ck_assert_int_eq(purged, 1);
	}
	n = all_tenants(&all, NULL);
	for (size_t i = 0; i < n; i++) {
		ck_assert_str_ne(all[i].slug, "casanova");
		if (strcmp(all[i].slug, "ovation") == 0)
			ck_assert_str_eq(all[i].name, "Sensation");
	}
	free_rows(all, n);
	su = testdb_connect(ct_db, NULL);
	ck_assert_int_eq(testdb_terms_drift(su), 0);
	ck_assert_int_gt(testdb_int(su, "SELECT count(*) FROM tenantry.tenant_terms"), 500);
	PQfinish(su);
}
END_TEST

CT_SUITE(contract_filter, test_tenant_filter)
