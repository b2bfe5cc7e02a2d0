/* mail_text.c - the e-mail templates: finding each file (the mail-templates
 * directory, the user's configuration directory, the installed data
 * directory, the source tree), checking it (a subject line, a blank line,
 * a body, only the {{names}} its kind knows) and filling one in. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/mailer.h"

#define TEMPLATE_MAX (64 * 1024)

static const struct {
	const char *name, *types, *vars;
} kinds[] = {
#define X(e, n, t, v) { n, t, v },
	MAIL_TEMPLATES(X)
#undef X
};

int
mail_template_of(const char *event_type)
{
	size_t n = strlen(event_type);

	for (int k = 0; k < MAIL_TEMPLATE_COUNT; k++)
		for (const char *p = kinds[k].types; (p = strstr(p, event_type)); p += n)
			if ((p == kinds[k].types || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
				return k;
	return -1;
}

/* True when name (len bytes) is a word of list. */
static bool
word_in(const char *list, const char *name, size_t len)
{
	for (const char *p = list + strspn(list, " "); *p; p += strspn(p, " ")) {
		size_t w = strcspn(p, " ");

		if (w == len && strncmp(p, name, len) == 0)
			return true;
		p += w;
	}
	return false;
}

/* The first readable NAME.txt of the places in the header. */
static int
find(char *out, size_t size, const char *dir, const char *name)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char places[4][512] = { "", "", "", "" };
	int n = 0, report = 0; /* the place a missing file is reported at */

	if (dir && *dir) {
		int len = snprintf(out, size, "%s/%s.txt", dir, name);

		return len > 0 && (size_t)len < size ? access(out, R_OK) : -1;
	}
	if (xdg && xdg[0] == '/')
		snprintf(places[n++], 512, "%s/tenantry/mail", xdg);
	else if (home && *home)
		snprintf(places[n++], 512, "%s/.config/tenantry/mail", home);
#ifdef TENANTRY_DATADIR
	report = n; /* where make install puts them */
	snprintf(places[n++], 512, "%s/mail", TENANTRY_DATADIR);
#else
	report = n;
#endif
	snprintf(places[n++], 512, "src/dist/mail");
	for (int i = 0; i < n; i++) {
		int len = snprintf(out, size, "%s/%s.txt", places[i], name);

		if (len > 0 && (size_t)len < size && access(out, R_OK) == 0)
			return 0;
	}
	if (snprintf(out, size, "%s/%s.txt", places[report], name) < 0)
		out[0] = '\0';
	return -1;
}

static void
complain(void (*report)(const char *), const char *path, int line, const char *msg)
{
	char buf[800];

	if (line > 0)
		snprintf(buf, sizeof buf, "%s:%d: %s", path, line, msg);
	else
		snprintf(buf, sizeof buf, "%s: %s", path, msg);
	report(buf);
}

/* Checks the {{names}} of text starting at line; the number of problems. */
static int
check_names(const char *text, int line, const char *path, int kind, void (*report)(const char *))
{
	int bad = 0;

	for (const char *p = text; *p; p++) {
		const char *end;
		char msg[200];
		size_t len;

		if (*p == '\n')
			line++;
		if (p[0] != '{' || p[1] != '{')
			continue;
		end = strstr(p + 2, "}}");
		len = end ? (size_t)(end - p - 2) : 0;
		if (!end || memchr(p + 2, '\n', len)) {
			complain(report, path, line, "{{ without }} on the same line");
			bad++;
			continue;
		}
		if (!word_in(kinds[kind].vars, p + 2, len)
		    && !word_in(MAIL_COMMON_VARS, p + 2, len)) {
			snprintf(
			    msg, sizeof msg, "unknown placeholder {{%.*s}} (this one knows %s %s)",
			    (int)(len > 60 ? 60 : len), p + 2, kinds[kind].vars, MAIL_COMMON_VARS);
			complain(report, path, line, msg);
			bad++;
		}
		p = end + 1;
	}
	return bad;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = f ? malloc(TEMPLATE_MAX + 1) : NULL;
	size_t n = 0;

	if (buf)
		n = fread(buf, 1, TEMPLATE_MAX + 1, f);
	if (f)
		fclose(f);
	if (!buf || n > TEMPLATE_MAX || memchr(buf, '\0', n)) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* One template: the number of problems. */
static int
load_one(struct mail_template *t, const char *dir, int kind, void (*report)(const char *))
{
	char *text, *nl, *body;
	int bad;

	if (find(t->path, sizeof t->path, dir, kinds[kind].name) < 0) {
		complain(report, t->path, 0, strerror(errno ? errno : ENOENT));
		return 1;
	}
	if (!(text = slurp(t->path))) {
		complain(report, t->path, 0, "cannot be read (or over 64 KiB, or binary)");
		return 1;
	}
	for (char *p = text; (p = strchr(p, '\r'));) /* CRLF files */
		memmove(p, p + 1, strlen(p));
	nl = strchr(text, '\n');
	if (strncmp(text, "Subject: ", 9) != 0 || !nl || nl == text + 9) {
		complain(report, t->path, 1, "the first line must be \"Subject: …\"");
		free(text);
		return 1;
	}
	*nl = '\0';
	if (nl[1] != '\n') {
		complain(report, t->path, 2, "a blank line must follow the subject");
		free(text);
		return 1;
	}
	body = nl + 2;
	if (!*body) {
		complain(report, t->path, 3, "the body is empty");
		free(text);
		return 1;
	}
	bad = check_names(text + 9, 1, t->path, kind, report)
	      + check_names(body, 3, t->path, kind, report);
	if (!bad) {
		t->subject = strdup(text + 9);
		t->body = strdup(body);
		if (!t->subject || !t->body) {
			complain(report, t->path, 0, "out of memory");
			bad = 1;
		}
	}
	free(text);
	return bad;
}

int
mail_templates_load(struct mail_template t[MAIL_TEMPLATE_COUNT], const char *dir,
		    void (*report)(const char *message))
{
	int bad = 0;

	memset(t, 0, MAIL_TEMPLATE_COUNT * sizeof *t);
	for (int k = 0; k < MAIL_TEMPLATE_COUNT; k++) {
		errno = 0;
		bad += load_one(&t[k], dir, k, report);
	}
	if (bad)
		mail_templates_free(t);
	return bad;
}

void
mail_templates_free(struct mail_template t[MAIL_TEMPLATE_COUNT])
{
	for (int k = 0; k < MAIL_TEMPLATE_COUNT; k++) {
		free(t[k].subject);
		free(t[k].body);
		t[k].subject = t[k].body = NULL;
	}
}

char *
mail_render(const char *text, const struct mail_var *vars, size_t n)
{
	size_t cap = strlen(text) + 1, len = 0;
	char *out = malloc(cap);

	for (const char *p = text; out && *p;) {
		const char *end = p[0] == '{' && p[1] == '{' ? strstr(p + 2, "}}") : NULL;
		const char *value = NULL;
		size_t k;

		if (!end) {
			out[len++] = *p++;
			continue;
		}
		for (size_t i = 0; i < n && !value; i++)
			if (strlen(vars[i].name) == (size_t)(end - p - 2)
			    && strncmp(vars[i].name, p + 2, (size_t)(end - p - 2)) == 0)
				value = vars[i].value ? vars[i].value : "";
		k = value ? strlen(value) : 0;
		if (len + k + strlen(end + 2) + 1 > cap) {
			char *grown = realloc(out, cap = (len + k + strlen(end + 2) + 1) * 2);

			if (!grown) {
				free(out);
				return NULL;
			}
			out = grown;
		}
		for (size_t i = 0; i < k; i++) /* a value never breaks a line */
			out[len++] =
			    (unsigned char)value[i] < ' ' || value[i] == 0x7f ? ' ' : value[i];
		p = end + 2;
	}
	if (out)
		out[len] = '\0';
	return out;
}
