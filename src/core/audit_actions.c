/* audit_actions.c - the audit action list (audit_actions.h). */
#include <string.h>

#include "core/audit_actions.h"

static const struct {
	const char *name, *description;
} actions[] = {
#define X(e, s, d) { s, d },
	AUDIT_ACTIONS(X)
#undef X
};

const char *
audit_action_name(enum audit_action a)
{
	return (unsigned)a < AUDIT_ACTION_COUNT ? actions[a].name : "?";
}

const char *
audit_action_description(enum audit_action a)
{
	return (unsigned)a < AUDIT_ACTION_COUNT ? actions[a].description : "";
}

int
audit_action_parse(const char *s, enum audit_action *out)
{
	for (int i = 0; s && i < AUDIT_ACTION_COUNT; i++)
		if (strcmp(s, actions[i].name) == 0) {
			*out = (enum audit_action)i;
			return 0;
		}
	return -1;
}
