/* fuzz_keymap.c - feeds arbitrary text as a keymap file to
 * keymap_load_string (src/tui/keymap.c, key names by src/tui/keyname.c,
 * lines by src/tui/conffile.c), on top of the built-in default keymap.
 *
 * Every bad line must be reported once, no pane may hold more bindings
 * than it has room for, and every binding must look up to its action.
 */
#include "fuzz/fuzz.h"
#include "tui/keymap.h"

static void
count(void *ctx, const char *message)
{
	(void)message;
	(*(int *)ctx)++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct keymap km; /* 100 KB: not on the stack */
	struct keymap_binding list[64];
	char *text = fuzz_text(data, size);
	int reports = 0, bad;

	keymap_default(&km);
	bad = keymap_load_string(&km, "fuzz.keys", text, count, &reports);
	if (bad != reports)
		abort();
	for (int p = 0; p < PANE_COUNT; p++) {
		if (km.nbind[p] > KEYMAP_MAX_BINDINGS)
			abort();
		for (size_t i = 0; i < km.nbind[p]; i++)
			if (keymap_lookup(&km, (enum pane)p, km.bind[p][i].key)
			    != km.bind[p][i].action)
				abort();
		keymap_list(&km, (enum pane)p, list, 64);
	}
	keymap_unbound_action(&km);
	free(text);
	return 0;
}
