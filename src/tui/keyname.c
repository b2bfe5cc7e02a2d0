/* keyname.c - parsing and formatting of key names (see keyname.h). */
#include <ncurses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui/keyname.h"

/* Named keys; the first entry of a code is its canonical name. */
static const struct {
	const char *name;
	int key;
} named_keys[] = {
	{ "Enter", '\n' },
	{ "Return", '\n' },
	{ "CR", '\n' },
	{ "Esc", 27 },
	{ "Escape", 27 },
	{ "Tab", '\t' },
	{ "S-Tab", KEY_BTAB },
	{ "BackTab", KEY_BTAB },
	{ "Space", ' ' },
	{ "BS", KEY_BACKSPACE },
	{ "Backspace", KEY_BACKSPACE },
	{ "Up", KEY_UP },
	{ "Down", KEY_DOWN },
	{ "Left", KEY_LEFT },
	{ "Right", KEY_RIGHT },
	{ "PgUp", KEY_PPAGE },
	{ "PageUp", KEY_PPAGE },
	{ "PgDn", KEY_NPAGE },
	{ "PageDown", KEY_NPAGE },
	{ "Home", KEY_HOME },
	{ "End", KEY_END },
	{ "Del", KEY_DC },
	{ "Delete", KEY_DC },
	{ "Ins", KEY_IC },
	{ "Insert", KEY_IC },
	{ "Lt", '<' },
	{ "Hash", '#' },
};

int
keyname_normalize(int key)
{
	int meta = key & KEY_META;

	key &= ~KEY_META;
	if (key == '\r' || key == KEY_ENTER)
		key = '\n';
	else if (key == 127)
		key = KEY_BACKSPACE;
	return key | meta;
}

int
keyname_from_wch(int ret, wint_t wch)
{
	if (ret == KEY_CODE_YES)
		return keyname_normalize((int)wch);
	if (wch < 0x80)
		return keyname_normalize((int)wch);
	return (int)wch | KEY_WCHAR;
}

/* "<F1>".."<F12>" without the brackets. */
static int
parse_fkey(const char *s, int *key)
{
	char *end;
	long n;

	if (s[0] != 'F' && s[0] != 'f')
		return -1;
	if (s[1] < '1' || s[1] > '9')
		return -1;
	n = strtol(s + 1, &end, 10);
	if (*end || n < 1 || n > 12)
		return -1;
	*key = KEY_F((int)n);
	return 0;
}

/* "<Name>": s points after '<' and len excludes the closing '>'. */
static int
parse_bracketed(const char *s, size_t len, int *key)
{
	char name[16];

	if (len == 0 || len >= sizeof(name))
		return -1;
	memcpy(name, s, len);
	name[len] = '\0';
	for (size_t i = 0; i < sizeof(named_keys) / sizeof(named_keys[0]); i++) {
		if (strcasecmp(name, named_keys[i].name) == 0) {
			*key = named_keys[i].key;
			return 0;
		}
	}
	return parse_fkey(name, key);
}

/* Control character after "C-" or "^": letters and @[\]^_ ; "?" is BS. */
static int
parse_control(const char *s, int *key)
{
	int c = (unsigned char)s[0];

	if (!c || s[1])
		return -1;
	if (c >= 'a' && c <= 'z')
		c -= 'a' - 'A';
	if (c == '?') {
		*key = KEY_BACKSPACE;
		return 0;
	}
	if (c < '@' || c > '_')
		return -1;
	*key = c & 0x1f;
	return 0;
}

static int
parse_plain(const char *s, int *key)
{
	size_t len = strlen(s);

	if (len == 1) {
		int c = (unsigned char)s[0];
		if (c < 0x21 || c > 0x7e)
			return -1;
		*key = c;
		return 0;
	}
	if (s[0] == '<' && s[len - 1] == '>')
		return parse_bracketed(s + 1, len - 2, key);
	if ((s[0] == 'C' || s[0] == 'c') && s[1] == '-')
		return parse_control(s + 2, key);
	if (s[0] == '^')
		return parse_control(s + 1, key);
	return -1;
}

int
keyname_parse(const char *name, int *key)
{
	int k, meta = 0;

	if (!name || !key)
		return -1;
	if ((name[0] == 'M' || name[0] == 'm') && name[1] == '-' && name[2]) {
		meta = KEY_META;
		name += 2;
	}
	if (parse_plain(name, &k) < 0)
		return -1;
	*key = keyname_normalize(k) | meta;
	return 0;
}

static const char *
canonical_name(int key)
{
	for (size_t i = 0; i < sizeof(named_keys) / sizeof(named_keys[0]); i++) {
		if (named_keys[i].key == key)
			return named_keys[i].name;
	}
	return NULL;
}

int
keyname_format(int key, char *buf, size_t size)
{
	const char *meta = (key & KEY_META) ? "M-" : "";
	const char *name;
	int n;

	if (!buf || size == 0)
		return -1;
	key = keyname_normalize(key) & ~KEY_META;
	if (key == '<' || key == '#')
		n = snprintf(buf, size, "%s%c", meta, key);
	else if ((name = canonical_name(key)))
		n = snprintf(buf, size, "%s<%s>", meta, name);
	else if (key > 0x20 && key < 0x7f)
		n = snprintf(buf, size, "%s%c", meta, key);
	else if (key >= 1 && key <= 26)
		n = snprintf(buf, size, "%sC-%c", meta, 'a' + key - 1);
	else if (key == 0 || (key >= 27 && key <= 31))
		n = snprintf(buf, size, "%sC-%c", meta, '@' + key);
	else if (key >= KEY_F(1) && key <= KEY_F(12))
		n = snprintf(buf, size, "%s<F%d>", meta, key - KEY_F0);
	else
		n = -1;
	if (n < 0 || (size_t)n >= size) {
		snprintf(buf, size, "?");
		return -1;
	}
	return 0;
}
