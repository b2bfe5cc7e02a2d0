/* fuzz_validate.c - feeds arbitrary text to every rule of
 * src/core/validate.c (validate_*, slug_from_name, utf8_*).
 *
 * Input: one selector byte, then the text. The selector picks the rule
 * (and, for validate_setting, the setting type); utf8_decode, utf8_valid
 * and utf8_copy also see the raw bytes, NULs included. A rule may refuse
 * anything; it must not read or write out of bounds, and utf8_copy's
 * result must itself be strict UTF-8 that fits.
 */
#include <stdio.h>

#include "core/validate.h"
#include "fuzz/fuzz.h"

enum { RULES = 13 };

static void
check_utf8(const uint8_t *p, size_t n)
{
	char buf[64];
	uint32_t cp;
	size_t size = n % sizeof buf + 1, got;

	for (size_t i = 0; i < n;) {
		int len = utf8_decode(p + i, n - i, &cp);

		i += len > 0 ? (size_t)len : 1;
	}
	/* Only strict UTF-8 is promised to stay strict when cut. */
	if (!utf8_valid((const char *)p, n))
		return;
	got = utf8_copy(buf, size, (const char *)p, n);
	if (got >= size || strlen(buf) != got || !utf8_valid(buf, got))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	char slug[SLUG_LEN];
	char *s;

	if (size < 1)
		return 0;
	check_utf8(data + 1, size - 1);
	s = fuzz_text(data + 1, size - 1);
	switch (data[0] % RULES) {
	case 0:
		validate_slug(s, NULL, &e);
		break;
	case 1:
		if (slug_from_name(slug, s, &e) == 0 && validate_slug(slug, NULL, &e) < 0)
			abort(); /* a derived slug is always a valid one */
		break;
	case 2:
		validate_name(s, NULL, &e);
		break;
	case 3:
		validate_email(s, NULL, &e);
		break;
	case 4:
		validate_domain(s, NULL, &e);
		break;
	case 5:
		validate_color(s, NULL, &e);
		break;
	case 6:
		validate_timezone(s, NULL, &e);
		break;
	case 7:
		validate_url(s, NULL, &e);
		break;
	case 8:
		validate_json(s, NULL, &e);
		break;
	case 9:
		validate_audit_action(s, &e);
		break;
	case 10:
		validate_setting_key(s, &e);
		break;
	case 11:
		validate_utf8(s, NULL, &e);
		break;
	default:
		validate_setting((enum setting_type)(data[0] / RULES % SETTING_TYPE_COUNT), s, &e);
		break;
	}
	free(s);
	return 0;
}
