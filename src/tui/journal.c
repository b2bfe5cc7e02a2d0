/* journal.c - see journal.h */
#include "tui/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void
append(char **line, const char *text, size_t n)
{
	size_t old = *line ? strlen(*line) : 0;
	char *s = realloc(*line, old + n + 1);

	if (!s)
		abort();
	memcpy(s + old, text, n);
	s[old + n] = '\0';
	*line = s;
}

void
journal_add_raw(char **line, const char *text)
{
	if (*line && **line)
		append(line, " ", 1);
	append(line, text, strlen(text));
}

void
journal_add_word(char **line, const char *word)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789@%+=:,./_-";
	size_t n = strlen(word);

	if (*line && **line)
		append(line, " ", 1);
	if (n && strspn(word, plain) == n && word[0] != '=') {
		append(line, word, n);
		return;
	}
	append(line, "'", 1);
	for (const char *p = word; *p; p++)
		if (*p == '\'')
			append(line, "'\\''", 4);
		else
			append(line, p, 1);
	append(line, "'", 1);
}

int
journal_path(char *buf, size_t size)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	int n;

	if (xdg && xdg[0] == '/')
		n = snprintf(buf, size, "%s/tenantry/journal", xdg);
	else if (home && home[0])
		n = snprintf(buf, size, "%s/.local/state/tenantry/journal", home);
	else
		return -1;
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* mkdir -p of the directory path is in, each new one 0700. */
static int
make_dirs(const char *path)
{
	char dir[1024];

	snprintf(dir, sizeof dir, "%s", path);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

/* The outcome without control characters or newlines. */
static void
clean(char *out, size_t size, const char *s)
{
	size_t n = 0;

	for (; s && *s && n + 1 < size; s++)
		out[n++] = (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s;
	out[n] = '\0';
}

int
journal_append(const char *commands, const char *profile, const char *outcome)
{
	char path[1024], stamp[32], what[512], tail[700];
	const char *p = commands ? commands : "";
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;
	int fd;

	if (journal_path(path, sizeof path) < 0)
		return errno = ENOENT, -1;
	if (make_dirs(path) < 0)
		return -1;
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return -1;
	if (!(f = fdopen(fd, "a"))) {
		close(fd);
		return -1;
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	clean(what, sizeof what, outcome);
	snprintf(tail, sizeof tail, "# %s %s %s", stamp, profile && *profile ? profile : "-", what);
	do {
		size_t n = strcspn(p, "\n");

		if (n)
			fprintf(f, "%.*s  %s\n", (int)n, p, tail);
		else if (!*p)
			fprintf(f, "%s\n", tail);
		p += n;
		if (*p)
			p++;
	} while (*p);
	return fclose(f) == 0 ? 0 : -1;
}

char *
journal_tail(int max_lines)
{
	char path[1024], *text = NULL, *start;
	size_t len = 0, cap = 0, got;
	char chunk[8192];
	FILE *f;
	int lines = 0;

	if (journal_path(path, sizeof path) < 0 || !(f = fopen(path, "r")))
		return NULL;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (len + got + 1 > cap) {
			char *s = realloc(text, cap = (len + got + 1) * 2);

			if (!s)
				abort();
			text = s;
		}
		memcpy(text + len, chunk, got);
		len += got;
	}
	fclose(f);
	if (!text)
		return NULL;
	text[len] = '\0';
	start = text + len;
	while (start > text) {
		if (start[-1] == '\n' && start != text + len && ++lines >= max_lines)
			break;
		start--;
	}
	memmove(text, start, strlen(start) + 1);
	return text;
}
