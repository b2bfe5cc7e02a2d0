/* fuzz_json.c - feeds arbitrary text to the JSON decoders of src/core/
 * json*.c: every X_from_json codec (through json_read.c's readers), and
 * json_limit.c's depth measures and checks.
 *
 * Input: one selector byte, then a JSON text. Selectors below CODECS parse
 * the text as a request body is parsed (json_body_check first, then
 * json_loadb) and decode it with one codec; a record that decodes is
 * encoded again with X_to_json, and what one side writes the other must
 * read back (json.h), else the target aborts. The other selectors run the
 * text through json_text_depth, json_body_check, json_load_stored,
 * json_value_depth and json_value_text.
 */
#include "core/json.h"
#include "store/store.h"
#include "core/json_limit.h"
#include "fuzz/fuzz.h"

/* Decodes j as a T; on success encodes it and decodes that again. */
/* clang-format off */
#define CODEC(T, clear)                                                      \
	static void fuzz_##T(json_t *j)                                      \
	{                                                                    \
		struct T a, b;                                               \
		struct err e;                                                \
		json_t *again;                                               \
                                                                             \
		if (T##_from_json(&a, j, &e) < 0)                            \
			return;                                              \
		if ((again = T##_to_json(&a))) {                             \
			if (T##_from_json(&b, again, &e) < 0) {              \
				fprintf(stderr, #T ": %s\n", e.message);     \
				abort();                                     \
			}                                                    \
			clear(&b);                                           \
			json_decref(again);                                  \
		}                                                            \
		clear(&a);                                                   \
	}
/* clang-format on */

#define NOTHING(p) ((void)(p))

CODEC(tier, NOTHING)
CODEC(tenant, tenant_clear)
CODEC(member, NOTHING)
CODEC(invitation, NOTHING)
CODEC(quota, NOTHING)
CODEC(usage_day, NOTHING)
CODEC(usage_summary, NOTHING)
CODEC(setting, setting_clear)
CODEC(api_key, NOTHING)
CODEC(audit_entry, audit_entry_clear)
CODEC(alert, NOTHING)
CODEC(health, NOTHING)
CODEC(platform_metrics, NOTHING)
CODEC(feature_state, NOTHING)
CODEC(tier_conflict, NOTHING)
CODEC(audit_verdict, NOTHING)
CODEC(quota_result, NOTHING)

static void (*const codecs[])(json_t *) = {
	fuzz_tier,
	fuzz_tenant,
	fuzz_member,
	fuzz_invitation,
	fuzz_quota,
	fuzz_usage_day,
	fuzz_usage_summary,
	fuzz_setting,
	fuzz_api_key,
	fuzz_audit_entry,
	fuzz_alert,
	fuzz_health,
	fuzz_platform_metrics,
	fuzz_feature_state,
	fuzz_tier_conflict,
	fuzz_audit_verdict,
	fuzz_quota_result,
};
#define CODECS (sizeof codecs / sizeof codecs[0])

/* The measures of json_limit.c on the text and, when it parses, the
 * value. */
static void
fuzz_limits(const char *s, size_t n, int stop)
{
	struct err e;
	json_t *j, *stored;
	char *text;
	int depth = json_text_depth(s, n, stop);

	if (depth < 0 || depth > stop + 1)
		abort();
	json_body_check(s, n, JSON_DEPTH_MAX, &e);
	if ((stored = json_load_stored(s)))
		json_decref(stored);
	if (json_text_depth(s, n, JSON_READ_DEPTH_MAX) > JSON_READ_DEPTH_MAX)
		return; /* jansson itself recurses: never handed such text */
	/* Without duplicate keys (a duplicate's value is dropped, and with it
	 * its depth), the two measures agree on what parses. */
	if (!(j = json_loadb(s, n, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL)))
		return;
	if (json_value_depth(j, stop) != depth)
		abort();
	if (json_value_text(&text, j, "value", &e) == 0)
		free(text);
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	json_t *j;
	char *s;

	if (size < 1)
		return 0;
	s = fuzz_text(data + 1, size - 1);
	if (data[0] >= CODECS) {
		fuzz_limits(s, strlen(s), data[0] % 80);
	} else if (json_body_check(s, strlen(s), JSON_DEPTH_MAX, &e) == 0
		   && (j = json_loadb(s, strlen(s), JSON_REJECT_DUPLICATES, NULL))) {
		codecs[data[0]](j);
		json_decref(j);
	}
	free(s);
	return 0;
}
