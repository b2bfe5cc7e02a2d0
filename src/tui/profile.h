/* profile.h - connection profiles: named blocks of the profiles file
 * ($XDG_CONFIG_HOME/tenantry/profiles) that say where to connect (--db or
 * --url), as which staff role, with which theme, and how careful to be
 * (safety dev, staging or prod). The command line and the console share
 * them; no curses here. */
#ifndef TENANTRY_TUI_PROFILE_H
#define TENANTRY_TUI_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/conffile.h"

/* X(enum suffix, name in the file and the title) */
#define PROFILE_SAFETIES(X) X(DEV, "dev") X(STAGING, "staging") X(PROD, "prod")

enum profile_safety {
#define X(e, s) PROFILE_##e,
	PROFILE_SAFETIES(X)
#undef X
	    PROFILE_SAFETY_COUNT
};

#define PROFILE_NAME_LEN 64
#define PROFILES_MAX 64

struct profile {
	char name[PROFILE_NAME_LEN];
	char *db;         /* conninfo, or NULL */
	char *url;        /* tenantryd URL, or NULL */
	char *as;         /* platform | support | oncall | tenant:ID, or NULL */
	char *theme;      /* NULL: the default */
	char *token_file; /* remote mode, or NULL */
	enum profile_safety safety;
};

/* The name of a safety level ("prod"); "?" when out of range. */
const char *profile_safety_name(enum profile_safety s);
/* Parses "dev", "staging" or "prod"; 0, or -1 when s is none of them. */
int profile_safety_parse(const char *s, enum profile_safety *out);

/* Parses profiles text (name for the reports): bad lines are reported as
 * "name:line: message" through report and skipped; parsing goes on.
 * Replaces the profiles loaded before. Returns the number of bad lines. */
int profile_load_string(const char *name, const char *text, conf_report_fn report, void *ctx);
/* The same for the user's profiles file; a missing file is no profile
 * and no error. */
int profile_load_user(conf_report_fn report, void *ctx);
/* The loaded profile called name, or NULL. The profiles live until
 * profile_free_all. */
const struct profile *profile_find(const char *name);
/* The loaded profiles' names, for completion; returns their number. */
int profile_names(const char **out, int max);
/* Frees what was loaded. */
void profile_free_all(void);

#endif
