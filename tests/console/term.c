/* term.c - drives the real console inside tmux (see term.h). */
#include <check.h>
#include <glob.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console/term.h"

static int
run(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	return system(cmd);
}

void
term_start(struct term *t, int w, int h, const char *env, const char *args)
{
	static int n;
	const char *tmp = getenv("TENANTRY_TEST_TMP");
	char san[1024] = "";

	/* named after the run's directory, so that run.sh stops only its own */
	snprintf(t->sock, sizeof t->sock, "%s-%d-%d", tmp ? strrchr(tmp, '/') + 1 : "tenantry-test",
		 (int)getpid(), ++n);
	snprintf(t->home, sizeof t->home, "%s/home-%d-%d", tmp ? tmp : "/tmp", (int)getpid(), n);
	mkdir(t->home, 0700);
	/* Under the sanitizers a report goes to a file: the terminal may be
	 * gone by the time the console exits (its exit status still tells). */
	if (getenv("ASAN_OPTIONS"))
		snprintf(san, sizeof san, "ASAN_OPTIONS=%s:log_path=%s/sanitizer",
			 getenv("ASAN_OPTIONS"), t->home);
	/* The console's exit status stays on screen for the tests to read. */
	ck_assert_int_eq(run("tmux -L %s -f /dev/null new-session -d -x %d -y %d "
			     "\"env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color HOME=%s "
			     "XDG_CONFIG_HOME=%s/.config USER=console-test %s %s %s %s; "
			     "echo console exited \\$?; sleep 600\"",
			     t->sock, w, h, t->home, t->home, san, env ? env : "",
			     getenv("TENANTRY_BIN"), args),
			 0);
	run("tmux -L %s set-option -g status off >/dev/null 2>&1", t->sock);
}

void
term_keys(struct term *t, ...)
{
	va_list ap;
	const char *k;

	va_start(ap, t);
	while ((k = va_arg(ap, const char *)))
		ck_assert_int_eq(run("tmux -L %s send-keys -t 0 '%s'", t->sock, k), 0);
	va_end(ap);
}

void
term_type(struct term *t, const char *text)
{
	char q[1024];
	size_t n = 0;

	/* single-quote for the shell */
	for (const char *p = text; *p && n + 5 < sizeof q; p++) {
		if (*p == '\'') {
			memcpy(q + n, "'\\''", 4);
			n += 4;
		} else
			q[n++] = *p;
	}
	q[n] = '\0';
	ck_assert_int_eq(run("tmux -L %s send-keys -t 0 -l -- '%s'", t->sock, q), 0);
}

const char *
term_capture(struct term *t)
{
	char cmd[256];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof cmd, "tmux -L %s capture-pane -p -t 0 2>/dev/null", t->sock);
	t->screen[0] = '\0';
	if (!(p = popen(cmd, "r")))
		return t->screen;
	n = fread(t->screen, 1, sizeof t->screen - 1, p);
	t->screen[n] = '\0';
	pclose(p);
	return t->screen;
}

bool
term_wait(struct term *t, const char *text, int ms)
{
	for (int waited = 0;; waited += 50) {
		if (strstr(term_capture(t), text))
			return true;
		if (waited >= ms)
			return false;
		poll(NULL, 0, 50);
	}
}

bool
term_wait_gone(struct term *t, const char *text, int ms)
{
	for (int waited = 0;; waited += 50) {
		if (!strstr(term_capture(t), text))
			return true;
		if (waited >= ms)
			return false;
		poll(NULL, 0, 50);
	}
}

void
term_resize(struct term *t, int w, int h)
{
	ck_assert_int_eq(run("tmux -L %s resize-window -t 0 -x %d -y %d", t->sock, w, h), 0);
}

void
term_clipboard_on(struct term *t)
{
	ck_assert_int_eq(run("tmux -L %s set-option -s set-clipboard on", t->sock), 0);
}

const char *
term_clipboard(struct term *t, char *buf, size_t size)
{
	char cmd[256];
	FILE *p;
	size_t n = 0;

	snprintf(cmd, sizeof cmd, "tmux -L %s show-buffer 2>/dev/null", t->sock);
	if ((p = popen(cmd, "r"))) {
		n = fread(buf, 1, size - 1, p);
		pclose(p);
	}
	buf[n] = '\0';
	return buf;
}

bool
term_wait_clipboard(struct term *t, const char *want, int ms)
{
	char buf[8192];

	for (int waited = 0;; waited += 50) {
		if (strcmp(term_clipboard(t, buf, sizeof buf), want) == 0)
			return true;
		if (waited >= ms)
			return false;
		poll(NULL, 0, 50);
	}
}

void
term_stop(struct term *t)
{
	char pattern[600];
	glob_t g;

	/* Under the sanitizers the console is ended the way a signal ends it
	 * (it restores the terminal and returns from main), so that the leak
	 * check runs; then any report it wrote fails the test. */
	if (getenv("ASAN_OPTIONS")) {
		run("pkill -TERM -P \"$(tmux -L %s list-panes -F '#{pane_pid}' 2>/dev/null)\" "
		    "-x tenantry >/dev/null 2>&1",
		    t->sock);
		term_wait(t, "console exited", 8000);
		snprintf(pattern, sizeof pattern, "%s/sanitizer.*", t->home);
		if (glob(pattern, 0, NULL, &g) == 0) {
			char report[4096] = "";
			FILE *f = fopen(g.gl_pathv[0], "r");

			if (f) {
				report[fread(report, 1, sizeof report - 1, f)] = '\0';
				fclose(f);
			}
			globfree(&g);
			run("tmux -L %s kill-server >/dev/null 2>&1", t->sock);
			ck_abort_msg("the console's sanitizer report:\n%s", report);
		}
	}
	run("tmux -L %s kill-server >/dev/null 2>&1", t->sock);
}

/* X10 mouse report: ESC [ M, then button, column and line, each + 32. */
static void
mouse_report(struct term *t, int button, int x, int y)
{
	char seq[8] = { 27, '[', 'M', (char)(32 + button), (char)(33 + x), (char)(33 + y), 0 };

	term_type(t, seq);
}

void
term_click(struct term *t, int x, int y, bool twice)
{
	for (int i = 0; i < (twice ? 2 : 1); i++) {
		mouse_report(t, 0, x, y); /* press */
		mouse_report(t, 3, x, y); /* release */
	}
}

void
term_wheel(struct term *t, int x, int y, bool down)
{
	mouse_report(t, down ? 65 : 64, x, y);
}

int
term_column(const struct term *t, int y, const char *text)
{
	const char *line = t->screen, *end, *at;

	for (int i = 0; i < y && line; i++)
		line = (line = strchr(line, '\n')) ? line + 1 : NULL;
	if (!line)
		return -1;
	end = strchr(line, '\n');
	at = strstr(line, text);
	if (!at || (end && at > end))
		return -1;
	/* the tests look for text after ASCII cells only */
	return (int)(at - line);
}
