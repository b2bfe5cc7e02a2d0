/* keymap.c - loading keymap files and looking keys up (see keymap.h).
 *
 * A keymap is a fixed table per pane, so loading one allocates nothing and
 * a keymap can be copied with one assignment. The built-in default is a
 * copy of keymaps/default.keys; a unit test keeps the two in step.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/keymap.h"

#include "tui/conffile.h"
/* The built-in keymap and themes: keymaps/default.keys, themes/default.theme
 * and themes/mono.theme, embedded by src/sql/embed.sh --text. */
#include "conf_embed.h"
#include "tui/keyname.h"

#ifndef KEYMAPS_DIR
#define KEYMAPS_DIR "keymaps"
#endif

#define MAX_WORDS 8

void
keymap_init(struct keymap *km)
{
	memset(km, 0, sizeof(*km));
}

const char *
keymap_default_text(void)
{
	return conf_default_keys;
}

void
keymap_default(struct keymap *km)
{
	keymap_init(km);
	keymap_load_string(km, "default.keys", conf_default_keys, NULL, NULL);
}

static struct keymap_binding *
find(const struct keymap *km, enum pane pane, int key)
{
	const struct keymap_binding *b = km->bind[pane];

	for (size_t i = 0; i < km->nbind[pane]; i++) {
		if (b[i].key == key)
			return (struct keymap_binding *)&b[i];
	}
	return NULL;
}

int
keymap_bind(struct keymap *km, enum pane pane, int key, enum action action)
{
	struct keymap_binding *b;

	if (!km || (unsigned)pane >= PANE_COUNT || (unsigned)action >= ACTION_COUNT)
		return -1;
	key = keyname_normalize(key);
	if ((b = find(km, pane, key))) {
		b->action = action;
		return 0;
	}
	if (km->nbind[pane] >= KEYMAP_MAX_BINDINGS)
		return -1;
	b = &km->bind[pane][km->nbind[pane]++];
	b->key = key;
	b->action = action;
	return 0;
}

int
keymap_unbind(struct keymap *km, enum pane pane, int key)
{
	struct keymap_binding *b;
	size_t i;

	if (!km || (unsigned)pane >= PANE_COUNT)
		return -1;
	if (!(b = find(km, pane, keyname_normalize(key))))
		return -1;
	i = (size_t)(b - km->bind[pane]);
	memmove(b, b + 1, (km->nbind[pane] - i - 1) * sizeof(*b));
	km->nbind[pane]--;
	return 0;
}

static int
parse_pane_key(struct conf_reader *ld, char **word, enum pane *pane, int *key)
{
	if (pane_parse(word[1], pane) < 0) {
		conf_complain(ld, "unknown pane '%s'", word[1]);
		return -1;
	}
	if (keyname_parse(word[2], key) < 0) {
		conf_complain(ld, "unknown key name '%s'", word[2]);
		return -1;
	}
	return 0;
}

static void
load_line(struct keymap *km, struct conf_reader *ld, char *line)
{
	char *word[MAX_WORDS];
	int n = conf_split(line, word, MAX_WORDS);
	enum pane pane;
	enum action action;
	int key;

	if (n == 0 || word[0][0] == '#')
		return;
	if (strcmp(word[0], "bind") == 0) {
		if (n != 4) {
			conf_complain(ld,
				      "bind: expected <pane> <key> <action>, "
				      "got %d word%s",
				      n - 1, n == 2 ? "" : "s");
			return;
		}
		if (parse_pane_key(ld, word, &pane, &key) < 0)
			return;
		if (action_parse(word[3], &action) < 0) {
			conf_complain(ld, "unknown action '%s'", word[3]);
			return;
		}
		if (keymap_bind(km, pane, key, action) < 0)
			conf_complain(ld, "too many bindings in pane '%s'", word[1]);
	} else if (strcmp(word[0], "unbind") == 0) {
		if (n != 3) {
			conf_complain(ld,
				      "unbind: expected <pane> <key>, "
				      "got %d word%s",
				      n - 1, n == 2 ? "" : "s");
			return;
		}
		if (parse_pane_key(ld, word, &pane, &key) < 0)
			return;
		keymap_unbind(km, pane, key);
	} else {
		conf_complain(ld, "unknown command '%s'", word[0]);
	}
}

static void
load_one(void *km, struct conf_reader *r, char *line)
{
	load_line(km, r, line);
}

int
keymap_load_string(struct keymap *km, const char *name, const char *text, keymap_report_fn report,
		   void *ctx)
{
	if (!km)
		return 0;
	return conf_load_string(name, text, load_one, km, report, ctx);
}

int
keymap_load_file(struct keymap *km, const char *path, keymap_report_fn report, void *ctx)
{
	return conf_load_file(path, load_one, km, report, ctx);
}

int
keymap_user_path(char *buf, size_t size)
{
	return conf_user_path(buf, size, "keys");
}

int
keymap_load_user(struct keymap *km, keymap_report_fn report, void *ctx)
{
	char path[4096];

	if (keymap_user_path(path, sizeof(path)) < 0)
		return 0;
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	return keymap_load_file(km, path, report, ctx);
}

int
keymap_find(const char *name, char *buf, size_t size)
{
	return conf_find(name, "keymaps", ".keys", "TENANTRY_KEYMAPS_DIR", KEYMAPS_DIR, buf, size);
}

enum action
keymap_lookup(const struct keymap *km, enum pane pane, int key)
{
	const struct keymap_binding *b;

	if (!km || (unsigned)pane >= PANE_COUNT)
		return ACTION_NONE;
	key = keyname_normalize(key);
	if ((b = find(km, pane, key)))
		return b->action;
	if (pane != PANE_GLOBAL && (b = find(km, PANE_GLOBAL, key)))
		return b->action;
	return ACTION_NONE;
}

size_t
keymap_keys_for(const struct keymap *km, enum pane pane, enum action action, int *keys, size_t max)
{
	size_t n = 0;

	if (!km || (unsigned)pane >= PANE_COUNT)
		return 0;
	for (size_t i = 0; i < km->nbind[pane]; i++) {
		if (km->bind[pane][i].action != action)
			continue;
		if (n < max)
			keys[n] = km->bind[pane][i].key;
		n++;
	}
	if (pane == PANE_GLOBAL)
		return n;
	for (size_t i = 0; i < km->nbind[PANE_GLOBAL]; i++) {
		const struct keymap_binding *g = &km->bind[PANE_GLOBAL][i];
		if (g->action != action || find(km, pane, g->key))
			continue;
		if (n < max)
			keys[n] = g->key;
		n++;
	}
	return n;
}

size_t
keymap_list(const struct keymap *km, enum pane pane, struct keymap_binding *out, size_t max)
{
	int keys[2 * KEYMAP_MAX_BINDINGS];
	size_t n = 0, k;

	for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++) {
		k = keymap_keys_for(km, pane, (enum action)a, keys, sizeof(keys) / sizeof(keys[0]));
		for (size_t i = 0; i < k; i++, n++) {
			if (n < max) {
				out[n].key = keys[i];
				out[n].action = (enum action)a;
			}
		}
	}
	return n;
}

enum action
keymap_unbound_action(const struct keymap *km)
{
	for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++) {
		bool bound = false;
		for (int p = 0; p < PANE_COUNT && !bound; p++)
			bound = keymap_keys_for(km, (enum pane)p, (enum action)a, NULL, 0) > 0;
		if (!bound)
			return (enum action)a;
	}
	return ACTION_NONE;
}

bool
keymap_equal(const struct keymap *a, const struct keymap *b)
{
	for (int p = 0; p < PANE_COUNT; p++) {
		if (a->nbind[p] != b->nbind[p])
			return false;
		for (size_t i = 0; i < a->nbind[p]; i++) {
			const struct keymap_binding *x = &a->bind[p][i];
			const struct keymap_binding *y;
			y = find(b, (enum pane)p, x->key);
			if (!y || y->action != x->action)
				return false;
		}
	}
	return true;
}
