/* keymap.h - which key runs which action in which pane.
 *
 * Keymaps are small text files (tenantry-keys(5)):
 *
 *	# comment
 *	bind <pane> <key> <action>
 *	unbind <pane> <key>
 *
 * where pane is a pane name or "global". A bad line is reported as
 * "file:line: message" through a callback and skipped; loading goes on.
 * Lookups try the pane's own bindings first, then the global ones.
 */
#ifndef TENANTRY_TUI_KEYMAP_H
#define TENANTRY_TUI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/action.h"

#define KEYMAP_MAX_BINDINGS 256 /* per pane */
#define KEYMAP_LINE_MAX 1024    /* longest line, newline excluded */
#define KEYMAP_FILE_MAX (1 << 20)

struct keymap_binding {
	int key;
	enum action action;
};

struct keymap {
	struct keymap_binding bind[PANE_COUNT][KEYMAP_MAX_BINDINGS];
	size_t nbind[PANE_COUNT];
};

/* Receives one complaint, already formatted as "file:line: message". */
typedef void (*keymap_report_fn)(void *ctx, const char *message);

/* Empties km. */
void keymap_init(struct keymap *km);

/* Empties km and loads the built-in copy of keymaps/default.keys. */
void keymap_default(struct keymap *km);

/* The built-in copy of keymaps/default.keys. */
const char *keymap_default_text(void);

/* Binds key to action in pane (replacing an earlier binding of that key
 * there). Returns 0, or -1 when the pane is full or an argument is out of
 * range. */
int keymap_bind(struct keymap *km, enum pane pane, int key, enum action action);

/* Removes the binding of key in pane (the global one still applies).
 * Returns 0, or -1 when there was none. */
int keymap_unbind(struct keymap *km, enum pane pane, int key);

/* Applies the lines of text on top of km; name is the file name used in
 * reports. report may be NULL. Returns the number of bad lines. */
int keymap_load_string(struct keymap *km, const char *name, const char *text,
		       keymap_report_fn report, void *ctx);

/* Like keymap_load_string for the file at path. Returns the number of bad
 * lines, or -1 (reported as "path: message") when the file cannot be read. */
int keymap_load_file(struct keymap *km, const char *path, keymap_report_fn report, void *ctx);

/* Path of the user's keymap: $XDG_CONFIG_HOME/tenantry/keys, or
 * $HOME/.config/tenantry/keys. Returns 0, or -1 when neither variable is set
 * or the path does not fit. */
int keymap_user_path(char *buf, size_t size);

/* Applies the user's keymap on top of km when the file exists. Returns the
 * number of bad lines, 0 when there is no file, -1 when it cannot be read. */
int keymap_load_user(struct keymap *km, keymap_report_fn report, void *ctx);

/* Finds the keymap NAME: $XDG_CONFIG_HOME/tenantry/keymaps/NAME.keys, then
 * $TENANTRY_KEYMAPS_DIR/NAME.keys, then the installed data directory, then
 * KEYMAPS_DIR/NAME.keys (the source tree). A name with a
 * '/' is taken as a path. Returns 0 with the path in buf, or -1. */
int keymap_find(const char *name, char *buf, size_t size);

/* The action of key in pane: the pane's binding, else the global one, else
 * ACTION_NONE. */
enum action keymap_lookup(const struct keymap *km, enum pane pane, int key);

/* Keys that run action in pane (its own bindings and the global ones it
 * does not hide), at most max of them into keys, pane keys first.
 * Returns how many there are (may exceed max). */
size_t
keymap_keys_for(const struct keymap *km, enum pane pane, enum action action, int *keys, size_t max);

/* The bindings in effect in pane (its own and the global ones it does not
 * hide), in action order, at most max into out. ACTION_NONE bindings are
 * left out. Returns how many there are (may exceed max). For the `?` help. */
size_t keymap_list(const struct keymap *km, enum pane pane, struct keymap_binding *out, size_t max);

/* The first action (in list order) that no key runs in any pane, or
 * ACTION_NONE when every action has a key. */
enum action keymap_unbound_action(const struct keymap *km);

/* True when a and b bind the same keys to the same actions. */
bool keymap_equal(const struct keymap *a, const struct keymap *b);

#endif
