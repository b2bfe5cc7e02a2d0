/* out.c - option parsing and output (tables and JSON) for the CLI. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/text.h"
#include "tui/termtext.h"

int
opt_parse(const char *cmd, int argc, char **argv, struct opt *opts, int nopts)
{
	int npos = 0;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		struct opt *o = NULL;
		size_t n;

		if (strcmp(a, "--") == 0) {
			while (++i < argc)
				argv[npos++] = argv[i];
			break;
		}
		if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
			argv[npos++] = argv[i];
			continue;
		}
		n = strcspn(a + 2, "=");
		for (int k = 0; k < nopts; k++)
			if (strlen(opts[k].name) == n && strncmp(opts[k].name, a + 2, n) == 0)
				o = &opts[k];
		if (!o) {
			cli_usage(cmd, "unknown option %.*s", (int)n + 2, a);
			return -1;
		}
		if (!o->takes_value) {
			o->value = "";
		} else if (a[2 + n] == '=') {
			o->value = a + 3 + n;
		} else if (i + 1 < argc) {
			o->value = argv[++i];
		} else {
			cli_usage(cmd, "--%s needs a value", o->name);
			return -1;
		}
	}
	return npos;
}

int
cli_refuse_write(struct cli *c)
{
	if (!c->read_only)
		return 0;
	return err_set(&c->err, ERR_FORBIDDEN, "read-only mode: refusing to write");
}

const char *
opt_get(const struct opt *opts, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(opts[i].name, name) == 0)
			return opts[i].value;
	return NULL;
}

const char *
fmt_time(char buf[32], usec_t t)
{
	if (!t || time_format_minutes(buf, 32, t) < 0)
		return "-";
	return buf;
}

const char *
fmt_limit(char buf[32], int64_t limit)
{
	if (limit < 0)
		return "unlimited";
	snprintf(buf, 32, "%lld", (long long)limit);
	return buf;
}

/* ---- tables ------------------------------------------------------------------ */

struct table {
	int ncols;
	size_t nrows, cap;
	char **cells; /* nrows * ncols, row 0 is the header */
};

/* A sanitised copy of s (widget.h's text_sanitize: no control characters,
 * no invalid UTF-8) in one of a few rotating buffers, so several can
 * appear in one printf. */
const char *
cli_safe(const char *s)
{
	static char *ring[8];
	static size_t cap[8];
	static unsigned next;
	unsigned k = next++ % 8;
	size_t need = 3 * strlen(s ? s : "") + 4; /* a bad byte may become 3 */

	if (cap[k] < need) {
		char *nb = realloc(ring[k], need);

		if (!nb)
			return "?";
		ring[k] = nb;
		cap[k] = need;
	}
	text_sanitize(ring[k], cap[k], s);
	return ring[k];
}

static char *
clean(const char *s)
{
	return strdup(cli_safe(s));
}

struct table *
table_new(int ncols, const char *const *headers)
{
	struct table *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	t->ncols = ncols;
	t->cap = 16;
	t->cells = calloc(t->cap * (size_t)ncols, sizeof *t->cells);
	for (int i = 0; t->cells && i < ncols; i++)
		t->cells[i] = strdup(headers[i]);
	t->nrows = 1;
	return t;
}

void
table_add(struct table *t, ...)
{
	va_list ap;

	if (!t || !t->cells)
		return;
	if (t->nrows == t->cap) {
		char **nc = realloc(t->cells, t->cap * 2 * (size_t)t->ncols * sizeof *nc);

		if (!nc)
			return;
		t->cells = nc;
		t->cap *= 2;
	}
	va_start(ap, t);
	for (int i = 0; i < t->ncols; i++) {
		const char *s = va_arg(ap, const char *);

		t->cells[t->nrows * (size_t)t->ncols + (size_t)i] = clean(s ? s : "");
	}
	va_end(ap);
	t->nrows++;
}

void
table_print(struct table *t)
{
	int *w;

	if (!t)
		return;
	w = calloc((size_t)t->ncols, sizeof *w);
	for (size_t r = 0; w && r < t->nrows; r++)
		for (int c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * (size_t)t->ncols + (size_t)c];
			int cw = s ? text_width(s) : 0;

			if (cw > w[c])
				w[c] = cw;
		}
	for (size_t r = 0; w && r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * (size_t)t->ncols + (size_t)c];

			s = s ? s : "";
			if (c == t->ncols - 1)
				fputs(s, stdout);
			else
				printf("%s%*s  ", s, w[c] - text_width(s), "");
		}
		putchar('\n');
	}
	free(w);
	table_free(t);
}

void
table_free(struct table *t)
{
	if (!t)
		return;
	for (size_t i = 0; t->cells && i < t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

void
json_print(json_t *j)
{
	if (!j) {
		fputs("null\n", stdout);
		return;
	}
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(10));
	putchar('\n');
	json_decref(j);
}

int
cli_read_password(const char *file, const char *prompt, char *buf, size_t size)
{
	struct termios old, quiet;
	bool tty;
	FILE *f;

	if (file) {
		size_t len;

		if (!(f = fopen(file, "r"))) {
			fprintf(stderr, "tenantry: cannot read %s\n", file);
			return -1;
		}
		len = fread(buf, 1, size - 1, f);
		fclose(f);
		buf[len] = '\0';
		buf[strcspn(buf, "\r\n")] = '\0';
		return 0;
	}
	tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	if (tty) {
		fputs(prompt ? prompt : "Password: ", stderr);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (!fgets(buf, (int)size, stdin))
		buf[0] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!buf[0]) {
		fputs("tenantry: no password given\n", stderr);
		return -1;
	}
	return 0;
}

void
cli_done(const struct cli *c, const char *done, const char *tenant, const char *id, bool from)
{
	if (c->json) {
		json_t *j =
		    json_pack("{s:s, s:s?, s:s?}", "done", done, "tenant", tenant, "id", id);

		if (j)
			json_print(j);
		return;
	}
	if (from)
		printf("%s %s from %s\n", done, cli_safe(id), cli_safe(tenant));
	else
		printf("%s %s\n", done, cli_safe(id));
}
