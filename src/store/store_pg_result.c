/* store_pg_result.c - reading the libpq store's results: column text as
 * strings, numbers and booleans; uuids and scope lists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_pg.h"

const char *
pg_s(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
}

int64_t
pg_i64(const PGresult *r, int row, int col)
{
	return strtoll(pg_s(r, row, col), NULL, 10);
}

double
pg_f(const PGresult *r, int row, int col)
{
	return strtod(pg_s(r, row, col), NULL);
}

bool
pg_b(const PGresult *r, int row, int col)
{
	return pg_s(r, row, col)[0] == 't';
}

bool
pg_null(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col);
}

bool
pg_is_uuid(const char *s)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

	if (!s || strlen(s) != sizeof shape - 1)
		return false;
	for (size_t i = 0; shape[i]; i++) {
		char c = s[i];

		if (shape[i] == '-' ? c != '-'
				    : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
					|| (c >= 'A' && c <= 'F')))
			return false;
	}
	return true;
}

scope_mask
pg_scopes(const char *csv)
{
	char buf[512];
	scope_mask m = 0;

	snprintf(buf, sizeof buf, "%s", csv);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		enum scope sc;

		if (scope_parse(tok, &sc) == 0)
			m |= 1u << sc;
	}
	return m;
}
