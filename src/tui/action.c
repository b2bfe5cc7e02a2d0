/* action.c - names, help texts and parsing of console actions and panes,
 * all read from the X-macro lists in action.h. */
#include <string.h>

#include "tui/action.h"

static const char *const action_names[ACTION_COUNT] = { [ACTION_NONE] = "none",
#define X(e, w, s, h) [ACTION_##e] = s,
							ACTIONS(X)
#undef X
};

static const char *const action_helps[ACTION_COUNT] = { [ACTION_NONE] = "",
#define X(e, w, s, h) [ACTION_##e] = h,
							ACTIONS(X)
#undef X
};

#define WRITES true
#define READS false
static const bool action_write[ACTION_COUNT] = {
#define X(e, w, s, h) [ACTION_##e] = w,
	ACTIONS(X)
#undef X
};
#undef WRITES
#undef READS

static const char *const pane_names[PANE_COUNT] = {
#define X(e, f, s, t, h) [PANE_##e] = s,
	PANES(X)
#undef X
	    [PANE_GLOBAL] = "global",
};

static const char *const pane_titles[PANE_COUNT] = {
#define X(e, f, s, t, h) [PANE_##e] = t,
	PANES(X)
#undef X
	    [PANE_GLOBAL] = "Global",
};

const char *
action_name(enum action a)
{
	if ((unsigned)a >= ACTION_COUNT)
		return "?";
	return action_names[a];
}

bool
action_writes(enum action a)
{
	return (unsigned)a < ACTION_COUNT && action_write[a];
}

const char *
action_help(enum action a)
{
	if ((unsigned)a >= ACTION_COUNT)
		return "";
	return action_helps[a];
}

int
action_parse(const char *s, enum action *out)
{
	if (!s)
		return -1;
	for (int a = 0; a < ACTION_COUNT; a++) {
		if (strcmp(s, action_names[a]) == 0) {
			if (out)
				*out = (enum action)a;
			return 0;
		}
	}
	return -1;
}

int
action_jump_pane(enum action a)
{
	switch (a) {
/* clang-format off */
#define X(e, f, s, t, h)                                                        \
	case ACTION_PANE_##e:                                                \
		return PANE_##e;
		/* clang-format on */
		PANES(X)
#undef X
	default:
		return -1;
	}
}

const char *
pane_name(enum pane p)
{
	if ((unsigned)p >= PANE_COUNT)
		return "?";
	return pane_names[p];
}

const char *
pane_title(enum pane p)
{
	if ((unsigned)p >= PANE_COUNT)
		return "?";
	return pane_titles[p];
}

int
pane_parse(const char *s, enum pane *out)
{
	if (!s)
		return -1;
	for (int p = 0; p < PANE_COUNT; p++) {
		if (strcmp(s, pane_names[p]) == 0) {
			if (out)
				*out = (enum pane)p;
			return 0;
		}
	}
	return -1;
}

enum pane
pane_cycle(enum pane p, int dir)
{
	int n = PANE_GLOBAL;

	if ((unsigned)p >= PANE_GLOBAL)
		return PANE_TENANTS;
	if (dir > 0)
		return (enum pane)((p + 1) % n);
	if (dir < 0)
		return (enum pane)((p + n - 1) % n);
	return p;
}
