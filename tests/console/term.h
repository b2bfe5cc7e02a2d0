/* term.h - the real console in a tmux session of fixed size, for tests:
 * start it, send keys, read the screen, wait for text. */
#ifndef TENANTRY_TEST_TERM_H
#define TENANTRY_TEST_TERM_H

#include <stdbool.h>
#include <stddef.h>

struct term {
	char sock[64];      /* tmux -L socket, private to the test */
	char home[256];     /* HOME and XDG_CONFIG_HOME of the console */
	char screen[65536]; /* the last capture */
};

/* Starts `tenantry ARGS` (a shell-quoted argument string) in a w x h
 * terminal with a UTF-8 locale, HOME under the run's temporary directory,
 * and env (extra "NAME=value ..." words, may be NULL). */
void term_start(struct term *t, int w, int h, const char *env, const char *args);
/* Sends tmux key names ("Enter", "Escape", "C-x", "j"), one per argument,
 * NULL-terminated. */
void term_keys(struct term *t, ...);
/* Types text literally. */
void term_type(struct term *t, const char *text);
/* Captures the screen into t->screen and returns it. */
const char *term_capture(struct term *t);
/* Waits up to ms for text to be on screen; true when it is. */
bool term_wait(struct term *t, const char *text, int ms);
/* Waits up to ms for text to be gone from the screen. */
bool term_wait_gone(struct term *t, const char *text, int ms);
/* Clicks the left button at column x, line y (from 0), as an xterm
 * mouse report; twice is a double click. */
void term_click(struct term *t, int x, int y, bool twice);
/* Turns the wheel down (or up) once at x, y. */
void term_wheel(struct term *t, int x, int y, bool down);
/* The column at which text starts on line y of the last capture, or -1. */
int term_column(const struct term *t, int y, const char *text);
/* Resizes the terminal. */
void term_resize(struct term *t, int w, int h);
/* Sets tmux's set-clipboard on: an OSC 52 from the console sets a paste
 * buffer (term_clipboard reads it). */
void term_clipboard_on(struct term *t);
/* The newest paste buffer (what the console copied last) into buf, ""
 * when there is none; returns buf. */
const char *term_clipboard(struct term *t, char *buf, size_t size);
/* Waits up to ms for the newest paste buffer to be want. */
bool term_wait_clipboard(struct term *t, const char *want, int ms);
/* Kills the session (the console gets SIGHUP). */
void term_stop(struct term *t);

/* Asserts that text appears within 8 s, printing the screen otherwise. */
/* clang-format off */
#define term_expect(t, text)                                                  \
	ck_assert_msg(term_wait((t), (text), 8000), "waited for \"%s\" on:\n%s", \
		      (text), (t)->screen)
/* clang-format on */

#endif
