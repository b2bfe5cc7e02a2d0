/* cmd_invite_bulk.c - `tenantry invite TENANT --file F`: one invitation per
 * line of a CSV file (email,role), with a result per row. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/json.h"
#include "core/validate.h"

/* A field of a CSV line from *p on, without surrounding spaces or double
 * quotes (a doubled quote inside quotes is one quote); *p moves past it
 * and its comma. */
static void
csv_field(char *out, size_t size, const char **p)
{
	const char *s = *p;
	size_t n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '"') {
		for (s++; *s && !(*s == '"' && s[1] != '"'); s++) {
			if (*s == '"')
				s++; /* "" */
			if (n + 1 < size)
				out[n++] = *s;
		}
		if (*s == '"')
			s++;
		while (*s && *s != ',')
			s++;
	} else {
		while (*s && *s != ',')
			if (n + 1 < size)
				out[n++] = *s++;
			else
				s++;
		while (n && (out[n - 1] == ' ' || out[n - 1] == '\t'))
			n--;
	}
	out[n] = '\0';
	*p = *s == ',' ? s + 1 : s;
}

/* Reads the rows of f: blank lines and '#' comments skipped, a first line
 * "email,role" taken as the header. *rows is malloc'd. */
static int
read_rows(struct invite_row **rows, size_t *n, FILE *f, struct err *e)
{
	char line[1024], email[512], role[64];
	size_t cap = 0;
	bool first = true;

	*rows = NULL;
	*n = 0;
	while (fgets(line, sizeof line, f)) {
		const char *p = line;
		bool whole = strchr(line, '\n') || feof(f);

		if (!whole) { /* the rest of an over-long line is not a row of its own */
			int ch;

			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
		}
		line[strcspn(line, "\r\n")] = '\0';
		csv_field(email, sizeof email, &p);
		csv_field(role, sizeof role, &p);
		if (!email[0] && !role[0] && !*p)
			continue;
		if (email[0] == '#' || (first && strcasecmp(email, "email") == 0)) {
			first = false;
			continue;
		}
		first = false;
		if (*n == cap) {
			struct invite_row *nr =
			    realloc(*rows, (cap = cap ? cap * 2 : 64) * sizeof **rows);

			if (!nr)
				return err_set(e, ERR_INTERNAL, "out of memory");
			*rows = nr;
		}
		invite_row_fill(&(*rows)[*n], email, role);
		if (!whole) {
			(*rows)[*n].outcome = INVITE_INVALID;
			snprintf((*rows)[*n].detail, sizeof(*rows)[*n].detail, "line too long");
		} else if (*p && (*rows)[*n].outcome == INVITE_PENDING) {
			(*rows)[*n].outcome = INVITE_INVALID;
			snprintf((*rows)[*n].detail, sizeof(*rows)[*n].detail,
				 "a row is email,role: more fields than that");
		}
		(*n)++;
	}
	return 0;
}

static void
print_rows(struct cli *c, const struct invite_row *rows, size_t n)
{
	struct table *t;

	if (c->json) {
		json_t *arr = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, invite_row_to_json(&rows[i]));
		json_print(arr);
		return;
	}
	t = table_new(4, (const char *[]){ "EMAIL", "ROLE", "RESULT", "TOKEN OR DETAIL" });
	for (size_t i = 0; i < n; i++)
		table_add(t, rows[i].email, member_role_name(rows[i].role),
			  invite_outcome_name(rows[i].outcome),
			  rows[i].outcome == INVITE_SENT ? rows[i].token : rows[i].detail);
	table_print(t);
}

/* Invites every row, INVITE_BULK_MAX at a time; stops at a whole-request
 * failure (the rows not tried stay pending). */
static int
invite_all(struct cli *c, struct invite_row *rows, size_t n, const char *tenant)
{
	for (size_t at = 0; at < n; at += INVITE_BULK_MAX) {
		size_t k = n - at < INVITE_BULK_MAX ? n - at : INVITE_BULK_MAX;

		if (store_invitation_bulk(rows + at, k, c->st, tenant, &c->err) < 0)
			return -1;
	}
	return 0;
}

int
cli_invite_file(struct cli *c, const char *tenant, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	struct invite_row *rows = NULL;
	size_t n = 0;
	int rc, failed = 0;

	if (!f) {
		fprintf(stderr, "tenantry: %s: %s\n", path, strerror(errno));
		return 66;
	}
	rc = read_rows(&rows, &n, f, &c->err);
	if (f != stdin)
		fclose(f);
	if (rc < 0 || cli_refuse_write(c) < 0 || cli_store(c) < 0
	    || invite_all(c, rows, n, tenant) < 0) {
		free(rows);
		return cli_fail(c);
	}
	print_rows(c, rows, n);
	for (size_t i = 0; i < n; i++)
		failed += rows[i].outcome != INVITE_SENT && rows[i].outcome != INVITE_ALREADY_MEMBER
			  && rows[i].outcome != INVITE_ALREADY_INVITED;
	if (failed && !c->json)
		fprintf(stderr, "tenantry: %d of %zu rows not invited\n", failed, n);
	explicit_bzero(rows, n * sizeof *rows);
	free(rows);
	return failed ? 1 : 0;
}
