/* tui.h - what the command line needs of the console: its options and
 * its entry point. No curses here: the command line never includes it. */
#ifndef TENANTRY_TUI_TUI_H
#define TENANTRY_TUI_TUI_H

#include <stdbool.h>

#include "store/store.h"

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
};

/* Runs the console until the user quits; the exit status. */
int console_run(const struct console_options *opt);

#endif
