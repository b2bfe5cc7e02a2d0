/* test_openapi.c - docs/openapi.yaml says what the route table says: for
 * every row of ROUTES (core/routes.h), an operation with its name as
 * operationId at its path and method, the same query parameters and the
 * same success status, and no operation the table does not have. The
 * document is read line by line: it is written with two-space
 * indentation, paths under "paths:", shared parameters under
 * "components: parameters:". */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/routes.h"

#define MAX_OPS 128
#define MAX_REFS 128

struct op {
	char id[64], method[8], path[160];
	char query[512]; /* ",a,b," */
	int status;      /* the one 2xx, or -1 for several */
};

struct ref {
	char name[64], param[64];
	bool query;
};

static struct op ops[MAX_OPS];
static int nops;
static struct ref refs[MAX_REFS];
static int nrefs;

/* The value after "key: " on a line, quotes dropped, into out. */
static bool
value_of(const char *line, const char *key, char *out, size_t n)
{
	const char *p = strstr(line, key);
	size_t len;

	if (!p)
		return false;
	p += strlen(key);
	p += strspn(p, " '\"");
	len = strcspn(p, "'\"\n");
	snprintf(out, n, "%.*s", (int)len, p);
	return true;
}

static void
add_query(char *list, size_t n, const char *name)
{
	char item[80];

	snprintf(item, sizeof item, ",%s,", name);
	if (!strstr(list, item))
		snprintf(list + strlen(list), n - strlen(list), "%s,", name);
}

/* Reads components: parameters: NAME: name/in. */
static void
read_components(FILE *f)
{
	char line[512];
	bool in_params = false, in_components = false;

	rewind(f);
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "components:", 11) == 0)
			in_components = true;
		else if (in_components && strncmp(line, "  parameters:", 13) == 0)
			in_params = true;
		else if (in_params && line[0] == ' ' && line[1] == ' ' && line[2] != ' ')
			in_params = false;
		else if (in_params && strncmp(line, "    ", 4) == 0 && line[4] != ' '
			 && nrefs < MAX_REFS)
			snprintf(refs[nrefs++].name, sizeof refs[0].name, "%.*s",
				 (int)strcspn(line + 4, ":"), line + 4);
		else if (in_params && nrefs && strncmp(line, "      name:", 11) == 0)
			value_of(line, "name:", refs[nrefs - 1].param, sizeof refs[0].param);
		else if (in_params && nrefs && strncmp(line, "      in:", 9) == 0)
			refs[nrefs - 1].query = strstr(line, "query") != NULL;
	}
}

static const struct ref *
ref_of(const char *name)
{
	for (int i = 0; i < nrefs; i++)
		if (strcmp(refs[i].name, name) == 0)
			return &refs[i];
	return NULL;
}

/* A parameter list item ("- $ref: ..." or "- name: x" then "in: query")
 * into q. */
static void
param_line(const char *line, char *pending, size_t pn, char *q, size_t qn)
{
	char v[128];

	if (strstr(line, "- $ref:") && value_of(line, "$ref:", v, sizeof v)) {
		const struct ref *r = ref_of(strrchr(v, '/') ? strrchr(v, '/') + 1 : v);

		ck_assert_msg(r, "openapi.yaml: unknown parameter %s", v);
		if (r->query)
			add_query(q, qn, r->param);
	} else if (strstr(line, "- name:")) {
		value_of(line, "name:", pending, pn);
	} else if (strstr(line, " in: query") && *pending) {
		add_query(q, qn, pending);
		*pending = '\0';
	} else if (strstr(line, " in: ")) {
		*pending = '\0';
	}
}

static void
read_paths(FILE *f)
{
	char line[512], path[160] = "", common[512] = ",", pending[64] = "";
	bool in_paths = false, in_params = false, in_responses = false;
	struct op *o = NULL;

	rewind(f);
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "paths:", 6) == 0) {
			in_paths = true;
			continue;
		}
		if (!in_paths)
			continue;
		if (line[0] != ' ' && line[0] != '\n')
			break;
		if (strncmp(line, "  /", 3) == 0) {
			snprintf(path, sizeof path, "%.*s", (int)strcspn(line + 2, ":"), line + 2);
			snprintf(common, sizeof common, ",");
			o = NULL;
			in_params = in_responses = false;
		} else if (strncmp(line, "    parameters:", 15) == 0) {
			in_params = true;
		} else if (strncmp(line, "    ", 4) == 0 && line[4] != ' ' && line[4] != '-') {
			char m[16];

			snprintf(m, sizeof m, "%.*s", (int)strcspn(line + 4, ":"), line + 4);
			in_params = in_responses = false;
			ck_assert_int_lt(nops, MAX_OPS);
			o = &ops[nops++];
			memset(o, 0, sizeof *o);
			for (size_t i = 0; m[i] && i < sizeof o->method - 1; i++)
				o->method[i] = (char)(m[i] - 'a' + 'A');
			snprintf(o->path, sizeof o->path, "%s", path);
			snprintf(o->query, sizeof o->query, "%s", common);
		} else if (!o && in_params) {
			param_line(line, pending, sizeof pending, common, sizeof common);
		} else if (o && strncmp(line, "      operationId:", 18) == 0) {
			value_of(line, "operationId:", o->id, sizeof o->id);
		} else if (o && strncmp(line, "      parameters:", 17) == 0) {
			in_params = true;
			in_responses = false;
		} else if (o && strncmp(line, "      responses:", 16) == 0) {
			in_responses = true;
			in_params = false;
		} else if (o && strncmp(line, "      ", 6) == 0 && line[6] != ' ') {
			in_params = in_responses = false;
		} else if (o && in_params) {
			param_line(line, pending, sizeof pending, o->query, sizeof o->query);
		} else if (o && in_responses && strncmp(line, "        '2", 10) == 0) {
			o->status = o->status ? -1 : atoi(line + 9);
		}
	}
}

static const struct op *
op_of(const char *id)
{
	for (int i = 0; i < nops; i++)
		if (strcmp(ops[i].id, id) == 0)
			return &ops[i];
	return NULL;
}

START_TEST(test_openapi_matches_the_route_table)
{
	FILE *f = fopen("docs/openapi.yaml", "r");

	ck_assert_msg(f, "docs/openapi.yaml is missing");
	read_components(f);
	read_paths(f);
	fclose(f);
	ck_assert_int_eq(nops, ROUTE_COUNT);
	for (int r = 0; r < ROUTE_COUNT; r++) {
		const struct op *o = op_of(route_name((enum route_id)r));
		char want[512] = ",";

		ck_assert_msg(o, "%s is not in docs/openapi.yaml", route_name((enum route_id)r));
		ck_assert_str_eq(o->method, route_method((enum route_id)r));
		ck_assert_str_eq(o->path, route_pattern((enum route_id)r));
		ck_assert_msg(o->status == route_status((enum route_id)r),
			      "%s: openapi.yaml says %d, the table %d", o->id, o->status,
			      route_status((enum route_id)r));
		for (const char *q = route_query((enum route_id)r); *q;) {
			char name[64];
			size_t len = strcspn(q, ",");

			snprintf(name, sizeof name, "%.*s", (int)len, q);
			add_query(want, sizeof want, name);
			q += len + (q[len] == ',');
		}
		/* the same set, whatever the order */
		ck_assert_msg(strlen(want) == strlen(o->query),
			      "%s: query %s in the table, %s "
			      "in openapi.yaml",
			      o->id, want, o->query);
		for (const char *q = want + 1; *q;) {
			char item[80];
			size_t len = strcspn(q, ",");

			snprintf(item, sizeof item, ",%.*s,", (int)len, q);
			ck_assert_msg(strstr(o->query, item), "%s: %s is not documented", o->id,
				      item);
			q += len + 1;
		}
	}
}
END_TEST

Suite *
suite_openapi(void)
{
	Suite *s = suite_create("openapi");
	TCase *tc = tcase_create("contract");

	tcase_add_test(tc, test_openapi_matches_the_route_table);
	suite_add_tcase(s, tc);
	return s;
}
