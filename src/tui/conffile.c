/* conffile.c - see conffile.h */
#include "tui/conffile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
conf_complain(struct conf_reader *r, const char *fmt, ...)
{
	char msg[CONF_LINE_MAX + 256];
	int n;
	va_list ap;

	r->errors++;
	if (!r->report)
		return;
	n = snprintf(msg, sizeof(msg), "%s:%d: ", r->name, r->line);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	r->report(r->ctx, msg);
}

int
conf_split(char *line, char **word, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return n;
		if (n < max)
			word[n] = p;
		n++;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
}

int
conf_load_string(const char *name, const char *text, conf_line_fn fn, void *obj,
		 conf_report_fn report, void *ctx)
{
	struct conf_reader r = { name ? name : "-", 0, 0, report, ctx };
	char line[CONF_LINE_MAX + 1];
	const char *p = text, *end;
	size_t len;

	if (!text)
		return 0;
	while (*p) {
		r.line++;
		end = strchr(p, '\n');
		len = end ? (size_t)(end - p) : strlen(p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len > CONF_LINE_MAX) {
			conf_complain(&r, "line too long (more than %d characters)", CONF_LINE_MAX);
		} else {
			memcpy(line, p, len);
			line[len] = '\0';
			fn(obj, &r, line);
		}
		if (!end)
			break;
		p = end + 1;
	}
	return r.errors;
}

/* Reads a whole file into a malloc'd string; NULL with errno on failure
 * (EFBIG when larger than max). */
static char *
slurp(const char *path, size_t max)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	if (!(buf = malloc(max + 1))) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, max + 1, f);
	if (ferror(f) || n > max) {
		int e = ferror(f) ? EIO : EFBIG;
		fclose(f);
		free(buf);
		errno = e;
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	return buf;
}

int
conf_load_file(const char *path, conf_line_fn fn, void *obj, conf_report_fn report, void *ctx)
{
	char msg[512];
	char *text;
	int errors;

	if (!path)
		return -1;
	if (!(text = slurp(path, CONF_FILE_MAX))) {
		if (report) {
			snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
			report(ctx, msg);
		}
		return -1;
	}
	errors = conf_load_string(path, text, fn, obj, report, ctx);
	free(text);
	return errors;
}

int
conf_user_path(char *buf, size_t size, const char *rest)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int n;

	if (xdg && xdg[0] == '/')
		n = snprintf(buf, size, "%s/tenantry/%s", xdg, rest);
	else if (home && home[0])
		n = snprintf(buf, size, "%s/.config/tenantry/%s", home, rest);
	else
		return -1;
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int
try_dir(char *buf, size_t size, const char *dir, const char *name, const char *ext)
{
	int n;

	if (!dir || !dir[0])
		return -1;
	n = snprintf(buf, size, "%s/%s%s", dir, name, ext);
	if (n < 0 || (size_t)n >= size)
		return -1;
	return access(buf, R_OK);
}

int
conf_find(const char *name, const char *sub, const char *ext, const char *envdir, const char *dir,
	  char *buf, size_t size)
{
	char rest[300];
	int n;

	if (!name || !name[0] || !buf || size == 0)
		return -1;
	if (strchr(name, '/')) {
		if ((size_t)snprintf(buf, size, "%s", name) >= size)
			return -1;
		return access(buf, R_OK);
	}
	if (name[0] == '.')
		return -1;
	n = snprintf(rest, sizeof(rest), "%s/%s%s", sub, name, ext);
	if (n > 0 && (size_t)n < sizeof(rest) && conf_user_path(buf, size, rest) == 0
	    && access(buf, R_OK) == 0)
		return 0;
	if (try_dir(buf, size, getenv(envdir), name, ext) == 0)
		return 0;
#ifdef TENANTRY_DATADIR
	/* the installed files, whatever the current directory */
	n = snprintf(rest, sizeof(rest), "%s/%s", TENANTRY_DATADIR, sub);
	if (n > 0 && (size_t)n < sizeof(rest) && try_dir(buf, size, rest, name, ext) == 0)
		return 0;
#endif
	return try_dir(buf, size, dir, name, ext);
}
