/* routes.c - matching a method and path against the route table. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/routes.h"

static const struct {
	const char *name, *method, *pattern;
	int status;
	const char *query, *body;
} table[] = {
#define X(e, m, p, n, perm, fn, st, q, b) { #e, m, p, st, q, b },
	ROUTES(X)
#undef X
};

const char *
route_name(enum route_id r)
{
	return (unsigned)r < ROUTE_COUNT ? table[r].name : "UNKNOWN";
}

const char *
route_method(enum route_id r)
{
	return (unsigned)r < ROUTE_COUNT ? table[r].method : "";
}

const char *
route_pattern(enum route_id r)
{
	return (unsigned)r < ROUTE_COUNT ? table[r].pattern : "";
}

int
route_status(enum route_id r)
{
	return (unsigned)r < ROUTE_COUNT ? table[r].status : 0;
}

const char *
route_query(enum route_id r)
{
	return (unsigned)r < ROUTE_COUNT ? table[r].query : "";
}

bool
route_has_query(enum route_id r, const char *name)
{
	size_t n = strlen(name);

	for (const char *q = route_query(r); n && *q;) {
		size_t len = strcspn(q, ",");

		if (len == n && strncmp(q, name, n) == 0)
			return true;
		q += len + (q[len] == ',');
	}
	return false;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes a segment into out; false when malformed, too long or
 * decoding to NUL. The path is split before decoding, so an encoded slash
 * is part of the value (and the store rejects it as an invalid key). */
static bool
decode_segment(char *out, size_t size, const char *s, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= len || (hi = hexval(s[i + 1])) < 0
			    || (lo = hexval(s[i + 2])) < 0)
				return false;
			c = (char)(hi * 16 + lo);
			if (c == '\0')
				return false;
			i += 2;
		}
		if (o + 1 >= size)
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	return o > 0;
}

/* Matches path against pattern; fills params. */
static bool
match(struct route_match *m, const char *pattern, const char *path)
{
	const char *p = pattern, *s = path;

	m->nparams = 0;
	while (*p && *s) {
		if (*p == '{') {
			const char *pe = strchr(p, '}'), *se = strchr(s, '/');
			size_t slen = se ? (size_t)(se - s) : strlen(s);

			if (!pe || m->nparams == ROUTE_MAX_PARAMS)
				return false;
			m->param[m->nparams].name = NULL;
			if (!decode_segment(m->param[m->nparams].value, sizeof m->param[0].value, s,
					    slen))
				return false;
			/* name: the text between the braces, kept static by
			 * pointing into the pattern (terminated by '}') */
			m->param[m->nparams].name = p + 1;
			m->nparams++;
			p = pe + 1;
			s += slen;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0';
}

int
route_find(struct route_match *m, const char *method, const char *path)
{
	size_t len = strlen(path);
	char trimmed[1024];

	memset(m, 0, sizeof *m);
	m->id = ROUTE_COUNT;
	/* One trailing slash is tolerated: /api/tenants/ is /api/tenants. */
	if (len > 1 && path[len - 1] == '/' && len < sizeof trimmed) {
		memcpy(trimmed, path, len - 1);
		trimmed[len - 1] = '\0';
		path = trimmed;
	}
	for (int i = 0; i < ROUTE_COUNT; i++) {
		struct route_match t;

		memset(&t, 0, sizeof t);
		if (!match(&t, table[i].pattern, path))
			continue;
		if (strcmp(method, table[i].method) != 0
		    && !(strcmp(method, "HEAD") == 0 && strcmp(table[i].method, "GET") == 0)) {
			m->path_known = true;
			continue;
		}
		t.id = (enum route_id)i;
		t.path_known = true;
		*m = t;
		return 0;
	}
	return -1;
}

const char *
route_param(const struct route_match *m, const char *name)
{
	size_t n = strlen(name);

	for (int i = 0; i < m->nparams; i++)
		if (m->param[i].name && strncmp(m->param[i].name, name, n) == 0
		    && m->param[i].name[n] == '}')
			return m->param[i].value;
	return NULL;
}

const char *
route_body(enum route_id r)
{
	return (unsigned)r < ROUTE_COUNT ? table[r].body : "";
}

bool
route_body_allows(enum route_id r, const char *key)
{
	size_t n = strlen(key);

	for (const char *b = route_body(r); *b;) {
		size_t len = strcspn(b, ",");

		if (len == n && strncmp(b, key, n) == 0)
			return true;
		b += len + (b[len] == ',');
	}
	return false;
}
