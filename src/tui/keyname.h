/* keyname.h - key names as written in keymap files <-> key codes.
 *
 * A key code is what ncurses getch() returns (an ASCII character, a control
 * character, or a KEY_* constant), plus two bits of our own:
 * KEY_META marks a key that arrived after ESC (M-x), and KEY_WCHAR marks a
 * non-ASCII character read with get_wch().
 */
#ifndef TENANTRY_TUI_KEYNAME_H
#define TENANTRY_TUI_KEYNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#define KEY_META 0x40000000
#define KEY_WCHAR 0x20000000

/* Longest name keyname_format writes, NUL included ("M-<S-Tab>"). */
#define KEYNAME_MAX 32

/* Parses a key name: a printable ASCII character ("j", "G", "?"),
 * "<Enter>", "<Esc>", "<Tab>", "<S-Tab>", "<Space>", "<BS>", "<Up>",
 * "<Down>", "<Left>", "<Right>", "<PgUp>", "<PgDn>", "<Home>", "<End>",
 * "<Del>", "<Ins>", "<F1>".."<F12>", "C-a".."C-z" (also "^A"), and "M-"
 * before any of these. Names in <> and the C-/M- prefixes are case-
 * insensitive; single characters are not. The result is normalised
 * (see keyname_normalize). Returns 0 and sets *key, or -1 when unknown. */
int keyname_parse(const char *name, int *key);

/* Writes the canonical name of key into buf (at most size bytes, NUL
 * terminated). Returns 0, or -1 when the key has no name (buf then holds
 * "?"). keyname_parse(buf) gives back keyname_normalize(key). */
int keyname_format(int key, char *buf, size_t size);

/* Folds the codes one physical key may arrive as into one: CR and
 * KEY_ENTER are "<Enter>" (10), DEL (127) is "<BS>" (KEY_BACKSPACE). */
int keyname_normalize(int key);

/* Key code for the result of ncurses get_wch(): ret is its return value
 * (OK or KEY_CODE_YES), wch the character or key it stored. */
int keyname_from_wch(int ret, wint_t wch);

#endif
