/* console_copy.c - the copy action: the id under the cursor, or the secret
 * a dialog shows once, put on the terminal's clipboard with OSC 52
 * (clipboard.h), written straight to the terminal so that it works over
 * SSH, and inside tmux both as tmux takes it (set-clipboard on) and
 * wrapped for the terminal outside (allow-passthrough on).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/clipboard.h"
#include "tui/console.h"

static bool
write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		s += w;
		n -= (size_t)w;
	}
	return true;
}

void
console_copy(struct console *c, const char *what, const char *value, bool secret)
{
	static char seq[CLIPBOARD_MAX / 3 * 4 + 64];
	size_t n = clipboard_osc52(seq, sizeof seq, value, false);
	bool ok;

	if (!n) {
		console_message(c, THEME_ROLE_WARNING, "nothing to copy");
		return;
	}
	/* ncurses has written what it drew (refresh flushes); the sequence
	 * moves no cursor, so its picture of the screen stays right. */
	fflush(stdout);
	ok = write_all(STDOUT_FILENO, seq, n);
	if (ok && getenv("TMUX") && (n = clipboard_osc52(seq, sizeof seq, value, true)))
		ok = write_all(STDOUT_FILENO, seq, n);
	explicit_bzero(seq, sizeof seq);
	if (!ok)
		console_message(c, THEME_ROLE_ERROR, "could not write to the terminal: %s",
				strerror(errno));
	else if (secret)
		console_message(c, THEME_ROLE_OK, "copied the %s to the clipboard", what);
	else
		console_message(c, THEME_ROLE_OK, "copied %s %s to the clipboard", what, value);
}

/* The copy action outside a dialog: what the pane has under its cursor. */
void
console_copy_selected(struct console *c)
{
	const struct pane_instance *p = console_pane(c);
	char what[48] = "", value[CLIPBOARD_MAX];

	if (p->ops->needs_tenant && !c->have_tenant) {
		console_message(c, THEME_ROLE_WARNING, "nothing to copy: no tenant selected");
		return;
	}
	if (!p->ops->copy || !p->ops->copy(c, p, what, sizeof what, value, sizeof value)) {
		console_message(c, THEME_ROLE_WARNING, "nothing to copy here");
		return;
	}
	console_copy(c, what, value, false);
}
