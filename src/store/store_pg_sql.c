/* store_pg_sql.c - statements assembled from fixed pieces (store_pg.h's
 * pg_sql): appended piece by piece, refused whole when one does not fit. */
#include <stdarg.h>
#include <stdio.h>

#include "store/store_pg.h"

void
pg_sql_init(struct pg_sql *q, char *buf, size_t cap)
{
	q->buf = buf;
	q->cap = cap;
	q->len = 0;
	q->truncated = cap == 0;
	if (cap)
		buf[0] = '\0';
}

void
pg_sql_add(struct pg_sql *q, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (q->truncated)
		return;
	va_start(ap, fmt);
	n = vsnprintf(q->buf + q->len, q->cap - q->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= q->cap - q->len) {
		q->truncated = true;
		q->buf[q->len] = '\0'; /* never half a piece */
		return;
	}
	q->len += (size_t)n;
}

int
pg_sql_done(const struct pg_sql *q, struct err *e)
{
	return q->truncated ? err_set(e, ERR_INTERNAL, "statement longer than %zu bytes", q->cap)
			    : 0;
}
