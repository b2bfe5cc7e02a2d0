/* cli_profile.c - `-p NAME` / `--profile NAME` / TENANTRY_PROFILE: the
 * connection profile named fills what the command line left out (where
 * to connect, the staff role, the theme), for the console and for
 * commands alike; the console can switch to another one (`:profile`). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tui/tui.h"

static char *problems; /* bad lines of the profiles file, for the console */

/* What :profile switches allocated, freed at exit (the console points
 * into them until then). */
static void *kept[2 * PROFILES_MAX];
static int nkept;

static void
free_kept(void)
{
	while (nkept > 0)
		free(kept[--nkept]);
	free(problems);
	problems = NULL;
	profile_free_all();
}

static void
collect(void *ctx, const char *message)
{
	size_t old = problems ? strlen(problems) : 0;
	char *s = realloc(problems, old + strlen(message) + 2);

	(void)ctx;
	if (!s)
		abort();
	snprintf(s + old, strlen(message) + 2, "%s\n", message);
	problems = s;
}

/* Fills c from p where the command line said nothing: --db or --url
 * given explicitly beat the profile's; TENANTRY_DB and TENANTRY_URL do
 * not. */
static void
apply(struct cli *c, const struct profile *p)
{
	bool explicit_db = c->db && c->db != getenv("TENANTRY_DB");
	bool explicit_url = c->url && c->url != getenv("TENANTRY_URL");

	if (!explicit_db && !explicit_url && (p->db || p->url)) {
		c->db = p->db;
		c->url = p->url;
	}
	if (!c->as)
		c->as = p->as;
	if (!c->theme)
		c->theme = p->theme;
	if (!c->token_file)
		c->token_file = p->token_file;
	c->prof = p;
}

int
cli_profile_apply(struct cli *c, bool console)
{
	const char *name = c->profile;

	if (!name && getenv("TENANTRY_PROFILE") && *getenv("TENANTRY_PROFILE"))
		name = getenv("TENANTRY_PROFILE");
	profile_load_user(collect, NULL);
	atexit(free_kept);
	if (problems && !console)
		fputs(problems, stderr); /* the console shows them itself */
	if (!name)
		return 0;
	if (!profile_find(name)) {
		const char *names[PROFILES_MAX];
		int n = profile_names(names, PROFILES_MAX);
		char list[1024] = "";

		for (int k = 0; k < n; k++)
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
				 k ? ", " : "", names[k]);
		cli_usage(NULL, "no profile %s in the profiles file%s%s", cli_safe(name),
			  n ? " (there are: " : "", n ? list : "");
		if (n)
			fputs(")\n", stderr);
		return -1;
	}
	apply(c, profile_find(name));
	return 0;
}

/* The console's `:profile NAME`, run by its worker thread: a command line
 * of its own with that profile, checked as one given at start. What it
 * fills in out lives until the program ends. */
static int
open_profile(struct console_options *out, const char *name, struct err *e)
{
	const struct profile *p = profile_find(name);
	struct cli *c;
	char *target;

	if (!p)
		return err_set(e, ERR_NOT_FOUND, "no profile %s", name);
	if (nkept + 2 > (int)(sizeof kept / sizeof *kept))
		return err_set(e, ERR_CONFLICT, "too many profile switches; restart the console");
	if (!(c = calloc(1, sizeof *c)) || !(target = malloc(1100)))
		abort();
	c->master_key_file = out->store.master_key_file;
	apply(c, p);
	if (!c->db && !c->url)
		c->db = getenv("TENANTRY_DB");
	if ((c->url && *c->url && cli_remote_token(c) < 0) || cli_parse_as(c, &out->ctx) < 0) {
		*e = c->err;
		free(target);
		free(c);
		return -1;
	}
	cli_describe_target(c, target, 1100);
	out->store.conninfo = c->db;
	out->store.url = c->url;
	out->store.token = c->token;
	out->store.read_only = p->safety == PROFILE_PROD;
	out->read_only = out->store.read_only;
	out->target = target;
	out->theme = p->theme;
	out->profile = p;
	kept[nkept++] = c; /* out points into it */
	kept[nkept++] = target;
	return 0;
}

void
cli_console_profiles(struct cli *c, struct console_options *o)
{
	o->profile = c->prof;
	o->profile_open = open_profile;
	o->profile_problems = problems;
	if (c->prof && c->prof->safety == PROFILE_PROD)
		o->read_only = o->store.read_only = true;
}
