/* profile.c - the profiles file: `profile NAME` starts a block, the lines
 * after it set that profile (`db CONNINFO`, `url URL`, `as ROLE`, `theme
 * NAME`, `token-file PATH`, `safety dev|staging|prod`). Bad lines are
 * reported as file:line and skipped, like themes and keymaps. */
#include "tui/profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct profile profiles[PROFILES_MAX];
static int nprofiles;

static const char *const safety_names[] = {
#define X(e, s) [PROFILE_##e] = s,
	PROFILE_SAFETIES(X)
#undef X
};

const char *
profile_safety_name(enum profile_safety s)
{
	return (unsigned)s < PROFILE_SAFETY_COUNT ? safety_names[s] : "?";
}

int
profile_safety_parse(const char *s, enum profile_safety *out)
{
	for (int k = 0; s && k < PROFILE_SAFETY_COUNT; k++)
		if (strcmp(s, safety_names[k]) == 0) {
			*out = (enum profile_safety)k;
			return 0;
		}
	return -1;
}

static void
profile_clear(struct profile *p)
{
	free(p->db);
	free(p->url);
	free(p->as);
	free(p->theme);
	free(p->token_file);
	memset(p, 0, sizeof *p);
}

void
profile_free_all(void)
{
	for (int k = 0; k < nprofiles; k++)
		profile_clear(&profiles[k]);
	nprofiles = 0;
}

const struct profile *
profile_find(const char *name)
{
	for (int k = 0; name && k < nprofiles; k++)
		if (strcmp(profiles[k].name, name) == 0)
			return &profiles[k];
	return NULL;
}

int
profile_names(const char **out, int max)
{
	int n = 0;

	for (int k = 0; k < nprofiles && n < max; k++)
		out[n++] = profiles[k].name;
	return n;
}

static bool
name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < PROFILE_NAME_LEN
	       && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
		      == n;
}

static bool
as_ok(const char *s)
{
	return strcmp(s, "platform") == 0 || strcmp(s, "support") == 0 || strcmp(s, "oncall") == 0
	       || strcmp(s, "session") == 0 || (strncmp(s, "tenant:", 7) == 0 && s[7]);
}

/* Parser state: the block being read (NULL before the first, or after a
 * bad `profile` line, whose settings are then skipped with it). */
struct parse {
	struct profile *cur;
	bool skipping;
};

static void
start_block(struct parse *ps, struct conf_reader *r, const char *name, int nwords)
{
	ps->cur = NULL;
	ps->skipping = true;
	if (nwords != 2 || !name_ok(name)) {
		conf_complain(r, "want `profile NAME` (letters, digits, . _ -)");
		return;
	}
	if (profile_find(name)) {
		conf_complain(r, "profile %s is defined twice; the first one stays", name);
		return;
	}
	if (nprofiles == PROFILES_MAX) {
		conf_complain(r, "more than %d profiles", PROFILES_MAX);
		return;
	}
	ps->cur = &profiles[nprofiles++];
	snprintf(ps->cur->name, sizeof ps->cur->name, "%s", name);
	ps->skipping = false;
}

/* `key value`: value is the rest of the line (a conninfo has blanks). */
static void
set_key(struct profile *p, struct conf_reader *r, const char *key, const char *value)
{
	char **slot = NULL;

	if (!*value) {
		conf_complain(r, "%s needs a value", key);
		return;
	}
	if (strcmp(key, "safety") == 0) {
		if (profile_safety_parse(value, &p->safety) < 0)
			conf_complain(r, "safety: want dev, staging or prod, not %s", value);
		return;
	}
	if (strcmp(key, "db") == 0 || strcmp(key, "url") == 0) {
		if ((key[0] == 'd' && p->url) || (key[0] == 'u' && p->db)) {
			conf_complain(r, "profile %s has both db and url; the first one stays",
				      p->name);
			return;
		}
		slot = key[0] == 'd' ? &p->db : &p->url;
	} else if (strcmp(key, "as") == 0 || strcmp(key, "role") == 0) {
		if (!as_ok(value)) {
			conf_complain(r, "as: want platform, support, oncall or tenant:ID, not %s",
				      value);
			return;
		}
		slot = &p->as;
	} else if (strcmp(key, "theme") == 0)
		slot = &p->theme;
	else if (strcmp(key, "token-file") == 0)
		slot = &p->token_file;
	else {
		conf_complain(r, "unknown setting %s (db, url, as, theme, token-file, safety)",
			      key);
		return;
	}
	free(*slot);
	if (!(*slot = strdup(value)))
		abort();
}

static void
parse_line(void *obj, struct conf_reader *r, char *line)
{
	struct parse *ps = obj;
	char copy[CONF_LINE_MAX + 1], *w[4], *key = line, *value;
	size_t end;
	int n;

	while (*key == ' ' || *key == '\t')
		key++;
	if (!*key || *key == '#')
		return;
	snprintf(copy, sizeof copy, "%s", key);
	n = conf_split(copy, w, 4);
	if (strcmp(w[0], "profile") == 0) {
		start_block(ps, r, n > 1 ? w[1] : "", n);
		return;
	}
	if (!ps->cur) {
		if (!ps->skipping)
			conf_complain(r, "%s outside a profile (start one with `profile NAME`)",
				      w[0]);
		return;
	}
	value = key + strcspn(key, " \t");
	if (*value)
		*value++ = '\0';
	value += strspn(value, " \t");
	end = strlen(value);
	while (end && (value[end - 1] == ' ' || value[end - 1] == '\t'))
		value[--end] = '\0';
	set_key(ps->cur, r, key, value);
}

int
profile_load_string(const char *name, const char *text, conf_report_fn report, void *ctx)
{
	struct parse ps = { 0 };

	profile_free_all();
	return conf_load_string(name, text, parse_line, &ps, report, ctx);
}

int
profile_load_user(conf_report_fn report, void *ctx)
{
	struct parse ps = { 0 };
	char path[1024];

	profile_free_all();
	if (conf_user_path(path, sizeof path, "profiles") < 0 || access(path, F_OK) != 0)
		return 0;
	return conf_load_file(path, parse_line, &ps, report, ctx);
}
