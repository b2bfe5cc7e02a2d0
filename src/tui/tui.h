/* tui.h - what the command line needs of the console: its options and
 * its entry point. No curses here: the command line never includes it. */
#ifndef TENANTRY_TUI_TUI_H
#define TENANTRY_TUI_TUI_H

#include <stdbool.h>

#include "store/store.h"
#include "tui/profile.h"

struct console_options {
	struct store_config store;
	struct store_context ctx;
	const char *target; /* shown in the title: "pg:host/db", "https://…" */
	const char *theme;  /* NULL = default */
	const char *keymap; /* NULL = default (+ the user's keys file) */
	const char *tenant; /* open on this tenant (id or slug) */
	bool read_only;
	bool no_color;
	bool no_mouse;
	/* Remote mode: signs in to tenantryd at url again (the console's token
	 * expired or was ended), with a second factor code when totp is not
	 * NULL; on success *token is the new bearer token (malloc'd: the
	 * console wipes and frees it). An account that needs a code it was
	 * not given fails with e->field "code". NULL: the console cannot. */
	int (*sign_in)(const char *url, const char *email, const char *password, const char *totp,
		       char **token, struct err *e);
	const char *account; /* the account the token is of, when known ("" / NULL) */
	/* The connection profile in use (NULL: none), the report of the
	 * profiles file's bad lines (NULL: none), and how to switch: fills
	 * out's store, ctx, target, theme, read_only and profile for the
	 * profile called name (run by the worker thread; what it fills lives
	 * until the program ends); -1 with e. NULL: the console cannot. */
	const struct profile *profile;
	const char *profile_problems;
	int (*profile_open)(struct console_options *out, const char *name, struct err *e);
};

/* Runs the console until the user quits; the exit status. */
int console_run(const struct console_options *opt);

#endif
