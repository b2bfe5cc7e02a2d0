/* types.c - names of the domain enums (types.h) and the text forms of
 * text.h's feature and scope lists; times are in time_text.c. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "core/types.h"

NAMES(tenant_status, TENANT_STATUSES, TENANT_STATUS_COUNT)
NAMES(member_role, MEMBER_ROLES, ROLE_COUNT)
NAMES(staff_role, STAFF_ROLES, STAFF_ROLE_COUNT)
NAMES(quota_window, QUOTA_WINDOWS, WINDOW_COUNT)
NAMES(setting_type, SETTING_TYPES, SETTING_TYPE_COUNT)
NAMES(feature, FEATURES, FEATURE_COUNT)
NAMES(resource, RESOURCES, RESOURCE_COUNT)
NAMES(scope, SCOPES, SCOPE_COUNT)

/* ---- comma lists ------------------------------------------------------- */

int
text_append(char *buf, size_t size, int len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (len < 0)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(buf + len, size - (size_t)len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - (size_t)len)
		return -1;
	return len + n;
}

static int
mask_format(char *buf, size_t size, uint32_t m, int count, const char *const names[])
{
	int len = 0;

	if (!buf || !size)
		return -1;
	buf[0] = '\0';
	for (int i = 0; i < count; i++)
		if (m & (UINT32_C(1) << i))
			len = text_append(buf, size, len, "%s%s", len ? "," : "", names[i]);
	return len;
}

static int
mask_parse(uint32_t *out, const char *s, const char *field, struct err *e, int count,
	   const char *const names[])
{
	*out = 0;
	if (!s)
		return err_field(e, field, "%s: missing", field);
	while (*s) {
		const char *end;
		size_t len;
		int i;

		while (*s == ' ')
			s++;
		end = s + strcspn(s, ",");
		len = (size_t)(end - s);
		while (len && s[len - 1] == ' ')
			len--;
		for (i = 0; i < count; i++)
			if (strlen(names[i]) == len && !memcmp(names[i], s, len))
				break;
		if (i == count)
			return err_field(e, field, "%s: unknown name \"%.*s\"", field, (int)len, s);
		if (*out & (UINT32_C(1) << i))
			return err_field(e, field, "%s: \"%s\" named twice", field, names[i]);
		*out |= UINT32_C(1) << i;
		if (!*end)
			break;
		s = end + 1;
		if (!*s)
			return err_field(e, field, "%s: trailing comma", field);
	}
	return 0;
}

int
feature_mask_format(char *buf, size_t size, feature_mask m)
{
	return mask_format(buf, size, m, FEATURE_COUNT, feature_names);
}

int
feature_mask_parse(feature_mask *out, const char *s, const char *field, struct err *e)
{
	return mask_parse(out, s, field, e, FEATURE_COUNT, feature_names);
}

int
scope_mask_format(char *buf, size_t size, scope_mask m)
{
	return mask_format(buf, size, m, SCOPE_COUNT, scope_names);
}

int
scope_mask_parse(scope_mask *out, const char *s, const char *field, struct err *e)
{
	return mask_parse(out, s, field, e, SCOPE_COUNT, scope_names);
}

enum api_key_state
api_key_state(const struct api_key *k, usec_t now)
{
	if (k->revoked_at)
		return API_KEY_REVOKED;
	if (k->expires_at && k->expires_at <= now)
		return API_KEY_EXPIRED;
	return API_KEY_ACTIVE;
}

NAMES(invite_outcome, INVITE_OUTCOMES, INVITE_OUTCOME_COUNT)

const char *
api_key_state_name(enum api_key_state s)
{
	return s == API_KEY_REVOKED ? "revoked" : s == API_KEY_EXPIRED ? "expired" : "active";
}
