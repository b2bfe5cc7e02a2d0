/* doctor_citus.c - `tenantry doctor --citus`: could the schema go onto
 * Citus with every table that has a tenant_id distributed by it (all
 * co-located) and every other table a reference table?
 *
 * The rules are those Citus applies when a table is distributed or a
 * constraint created (commands/foreign_constraint.c, index checks):
 *
 * - a distributed table's primary key, unique keys, unique indexes and
 *   exclusion constraints hold the distribution column (with = in an
 *   exclusion constraint): a shard can only enforce its own rows;
 * - its distribution column is NOT NULL (a row without one has no shard);
 * - a foreign key between distributed tables pairs tenant_id with
 *   tenant_id, at the same place on both sides;
 * - a foreign key that holds tenant_id neither sets it (ON DELETE SET
 *   NULL / SET DEFAULT) nor changes it (ON UPDATE SET NULL / SET DEFAULT
 *   / CASCADE);
 * - a reference table references reference tables only;
 * - whatever a table references is a Citus table too (not a table
 *   outside the schema).
 *
 * tenant_id that is in a key but not its first column is a note: Citus
 * takes it, but the key's index no longer holds one tenant's rows as one
 * range. The tables come out in dependency order: reference tables first,
 * each after the tables it references, then the distributed ones. */
#include "store/doctor.h"

#include "store/admin.h"

#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every table of the schema (partitions go with their parent), whether it
 * has a tenant_id, and whether that is NOT NULL. */
static const char tables_sql[] =
    "SELECT c.oid::text, c.oid::regclass::text, a.attnum IS NOT NULL, "
    "coalesce(a.attnotnull, false) "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' "
    "AND NOT a.attisdropped "
    "WHERE n.nspname = 'tenantry' AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
    "ORDER BY 2";

/* The unique and exclusion indexes of the tables with a tenant_id: what
 * enforces them, their key columns, where tenant_id is among them (0: it
 * is not) and, for an exclusion constraint, its operator there. */
static const char keys_sql[] =
    "SELECT c.oid::regclass::text, CASE con.contype WHEN 'p' THEN 'primary key' "
    "WHEN 'u' THEN 'unique key' WHEN 'x' THEN 'exclusion constraint' "
    "ELSE 'unique index' END, coalesce(con.conname, ic.relname)::text, "
    "(SELECT string_agg(pg_get_indexdef(i.indexrelid, k, true), ', ' ORDER BY k) "
    " FROM generate_series(1, i.indnkeyatts) k), coalesce(p.pos, 0), "
    "coalesce((SELECT o.oprname::text FROM pg_operator o WHERE con.contype = 'x' "
    " AND o.oid = con.conexclop[p.pos]), '=') "
    "FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "JOIN pg_class ic ON ic.oid = i.indexrelid "
    "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' "
    "AND NOT a.attisdropped "
    "LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = c.oid "
    "AND con.contype IN ('p', 'u', 'x') "
    "LEFT JOIN LATERAL (SELECT min(k) AS pos FROM generate_series(1, i.indnkeyatts) k "
    " WHERE i.indkey[k - 1] = a.attnum) p ON true "
    "WHERE n.nspname = 'tenantry' AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
    "AND (i.indisunique OR i.indisexclusion) "
    "ORDER BY 1, 3";

/* Every foreign key from or to a table of the schema: both tables, both
 * column lists, where tenant_id is in each (0: not), its actions. */
static const char fkeys_sql[] =
    "WITH s AS (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    " WHERE n.nspname = 'tenantry') "
    "SELECT con.conname::text, con.conrelid::text, con.conrelid::regclass::text, "
    "con.confrelid::text, con.confrelid::regclass::text, "
    "(SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.o) "
    " FROM unnest(con.conkey) WITH ORDINALITY k(n, o) "
    " JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n), "
    "(SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.o) "
    " FROM unnest(con.confkey) WITH ORDINALITY k(n, o) "
    " JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n), "
    "coalesce((SELECT k.o FROM unnest(con.conkey) WITH ORDINALITY k(n, o) "
    " JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n "
    " WHERE a.attname = 'tenant_id'), 0), "
    "coalesce((SELECT k.o FROM unnest(con.confkey) WITH ORDINALITY k(n, o) "
    " JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n "
    " WHERE a.attname = 'tenant_id'), 0), "
    "con.confdeltype::text, con.confupdtype::text "
    "FROM pg_constraint con "
    "WHERE con.contype = 'f' AND con.conparentid = 0 "
    "AND (con.conrelid IN (SELECT oid FROM s) OR con.confrelid IN (SELECT oid FROM s)) "
    "ORDER BY 3, 1";

struct tab {
	char oid[16];
	char name[140];
	int dist, notnull, placed;
};

struct edge {
	int from, to; /* the referencing and the referenced table */
};

static int
item(struct doctor_citus_item **v, size_t *n, const char *object, const char *fmt, ...)
{
	struct doctor_citus_item *it = realloc(*v, (*n + 1) * sizeof *it);
	va_list ap;

	if (!it)
		return -1;
	*v = it;
	it += (*n)++;
	snprintf(it->object, sizeof it->object, "%s", object);
	va_start(ap, fmt);
	vsnprintf(it->message, sizeof it->message, fmt, ap);
	va_end(ap);
	return 0;
}

#define FAIL(...) item(&out->fail, &out->nfail, __VA_ARGS__)
#define NOTE(...) item(&out->note, &out->nnote, __VA_ARGS__)

static int
find(const struct tab *t, int n, const char *oid)
{
	for (int i = 0; i < n; i++)
		if (strcmp(t[i].oid, oid) == 0)
			return i;
	return -1;
}

static PGresult *
query(PGconn *c, const char *sql, struct err *e)
{
	PGresult *r = PQexec(c, sql);
	const char *m;

	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		return r;
	m = PQresultErrorMessage(r);
	err_set(e, ERR_INTERNAL, "doctor --citus: %.*s", (int)strcspn(m, "\n"), m);
	PQclear(r);
	return NULL;
}

static int
check_keys(PGresult *r, struct doctor_citus *out)
{
	for (int i = 0; i < PQntuples(r); i++) {
		const char *t = PQgetvalue(r, i, 0), *kind = PQgetvalue(r, i, 1),
			   *name = PQgetvalue(r, i, 2), *cols = PQgetvalue(r, i, 3),
			   *op = PQgetvalue(r, i, 5);
		int pos = atoi(PQgetvalue(r, i, 4)), rc = 0;

		if (pos == 0)
			rc = FAIL(t,
				  "%s %s (%s) does not hold tenant_id: each shard enforces its "
				  "own rows only, so every unique key of a distributed table "
				  "must include the distribution column",
				  kind, name, cols);
		else if (strcmp(op, "=") != 0)
			rc = FAIL(t,
				  "%s %s (%s) compares tenant_id with %s: Citus takes an "
				  "exclusion constraint only with = on the distribution column",
				  kind, name, cols, op);
		else if (pos > 1)
			rc = NOTE(t,
				  "%s %s (%s): tenant_id is not its first column; Citus takes "
				  "it, but its index does not keep a tenant's rows together",
				  kind, name, cols);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static const char *
action(char a)
{
	return a == 'n' ? "SET NULL" : a == 'd' ? "SET DEFAULT" : a == 'c' ? "CASCADE" : "";
}

/* One foreign key; its edge for the order when both ends are in the
 * schema. */
static int
check_fkey(PGresult *r, int i, struct tab *t, int nt, struct edge *edges, int *nedges,
	   struct doctor_citus *out)
{
	const char *name = PQgetvalue(r, i, 0), *from_name = PQgetvalue(r, i, 2),
		   *to_name = PQgetvalue(r, i, 4), *cols = PQgetvalue(r, i, 5),
		   *refcols = PQgetvalue(r, i, 6);
	int from = find(t, nt, PQgetvalue(r, i, 1)), to = find(t, nt, PQgetvalue(r, i, 3));
	int from_pos = atoi(PQgetvalue(r, i, 7)), to_pos = atoi(PQgetvalue(r, i, 8));
	char del = PQgetvalue(r, i, 9)[0], upd = PQgetvalue(r, i, 10)[0];

	if (from >= 0 && to >= 0 && from != to)
		edges[(*nedges)++] = (struct edge){ from, to };
	if (from < 0) {
		if (to >= 0 && t[to].dist)
			return FAIL(from_name,
				    "foreign key %s (%s) references %s, which would be "
				    "distributed, from outside the tenantry schema: Citus "
				    "refuses a foreign key from a local table to a "
				    "distributed one",
				    name, cols, to_name);
		return 0;
	}
	if (to < 0)
		return FAIL(from_name,
			    "foreign key %s (%s) references %s, outside the tenantry schema: "
			    "what a Citus table references must be a Citus table too",
			    name, cols, to_name);
	if (!t[from].dist) {
		if (t[to].dist)
			return FAIL(from_name,
				    "foreign key %s (%s) references %s: a reference table "
				    "(no tenant_id) may reference only reference tables, not a "
				    "distributed one",
				    name, cols, to_name);
		return 0;
	}
	if (from_pos > 0 && (del == 'n' || del == 'd'))
		return FAIL(from_name,
			    "foreign key %s (%s) is ON DELETE %s: Citus never sets the "
			    "distribution column through a foreign key",
			    name, cols, action(del));
	if (from_pos > 0 && (upd == 'n' || upd == 'd' || upd == 'c'))
		return FAIL(from_name,
			    "foreign key %s (%s) is ON UPDATE %s: Citus never changes the "
			    "distribution column through a foreign key",
			    name, cols, action(upd));
	if (!t[to].dist)
		return 0;
	if (from_pos == 0 || from_pos != to_pos)
		return FAIL(from_name,
			    "foreign key %s (%s) references %s (%s) without pairing tenant_id "
			    "with tenant_id: between distributed tables a foreign key holds "
			    "the distribution column at the same place on both sides",
			    name, cols, to_name, refcols);
	if (from_pos > 1)
		return NOTE(from_name,
			    "foreign key %s (%s): tenant_id is not its first column; Citus "
			    "takes it",
			    name, cols);
	return 0;
}

/* Reference tables, then distributed ones; within each, a table comes
 * after the tables of its kind it references, else by name. A cycle of
 * foreign keys is a failure (Citus distributes one table at a time). */
static int
order(struct tab *t, int nt, const struct edge *edges, int nedges, struct doctor_citus *out)
{
	if (!(out->table = calloc(nt ? (size_t)nt : 1, sizeof *out->table)))
		return -1;
	for (int dist = 0, cycle = 0; dist <= 1; dist++, cycle = 0)
		for (;;) {
			int next = -1, left = 0;

			for (int i = 0; i < nt && next < 0; i++) {
				int ready = 1;

				if (t[i].dist != dist || t[i].placed)
					continue;
				left++;
				for (int k = 0; k < nedges && ready; k++)
					if (edges[k].from == i && t[edges[k].to].dist == dist
					    && !t[edges[k].to].placed)
						ready = 0;
				if (ready)
					next = i;
			}
			if (!left)
				break;
			/* a cycle: say so once, then place the rest by name */
			for (int i = 0; i < nt && next < 0; i++) {
				if (t[i].dist != dist || t[i].placed)
					continue;
				for (int k = i; k < nt && !cycle; k++)
					if (t[k].dist == dist && !t[k].placed
					    && FAIL(t[k].name,
						    "its foreign keys, or those of the tables it "
						    "references, form a cycle: distribute these "
						    "by hand, adding one key afterwards")
						   < 0)
						return -1;
				cycle = 1;
				next = i;
			}
			t[next].placed = 1;
			snprintf(out->table[out->ntable].name, sizeof out->table[0].name, "%s",
				 t[next].name);
			out->table[out->ntable++].distributed = dist;
		}
	return 0;
}

int
doctor_citus_run(struct doctor_citus *out, const char *conninfo, struct err *e)
{
	PGconn *c;
	PGresult *tr = NULL, *kr = NULL, *fr = NULL;
	struct tab *t = NULL;
	struct edge *edges = NULL;
	int nt, nedges = 0, rc = -1;

	memset(out, 0, sizeof *out);
	if (!(c = admin_connect(conninfo, "tenantry-doctor", e)))
		return -1;
	if (!(tr = query(c, tables_sql, e)) || !(kr = query(c, keys_sql, e))
	    || !(fr = query(c, fkeys_sql, e)))
		goto done;
	nt = PQntuples(tr);
	t = calloc(nt ? (size_t)nt : 1, sizeof *t);
	edges = calloc(PQntuples(fr) ? (size_t)PQntuples(fr) : 1, sizeof *edges);
	if (!t || !edges)
		goto oom;
	for (int i = 0; i < nt; i++) {
		snprintf(t[i].oid, sizeof t[i].oid, "%s", PQgetvalue(tr, i, 0));
		snprintf(t[i].name, sizeof t[i].name, "%s", PQgetvalue(tr, i, 1));
		t[i].dist = PQgetvalue(tr, i, 2)[0] == 't';
		t[i].notnull = PQgetvalue(tr, i, 3)[0] == 't';
		if (t[i].dist && !t[i].notnull
		    && FAIL(t[i].name, "tenant_id may be NULL: a row without a distribution "
				       "value has no shard; declare it NOT NULL")
			   < 0)
			goto oom;
	}
	if (check_keys(kr, out) < 0)
		goto oom;
	for (int i = 0; i < PQntuples(fr); i++)
		if (check_fkey(fr, i, t, nt, edges, &nedges, out) < 0)
			goto oom;
	if (order(t, nt, edges, nedges, out) < 0)
		goto oom;
	rc = 0;
	goto done;
oom:
	err_set(e, ERR_INTERNAL, "out of memory");
done:
	PQclear(tr);
	PQclear(kr);
	PQclear(fr);
	free(t);
	free(edges);
	PQfinish(c);
	if (rc < 0)
		doctor_citus_free(out);
	return rc;
}

void
doctor_citus_free(struct doctor_citus *r)
{
	free(r->table);
	free(r->fail);
	free(r->note);
	memset(r, 0, sizeof *r);
}
