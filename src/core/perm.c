/* perm.c - the permission matrix of perm.h as bit masks. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/perm.h"
#include "core/text.h"

#define P(x) (UINT32_C(1) << PERM_##x)

static const struct {
	const char *name;
	bool platform;
} perms[] = {
#define X(e, s, p) { s, p },
	PERMS(X)
#undef X
};

#define ALL ((UINT32_C(1) << PERM_COUNT) - 1)
/* clang-format off */
#define PLATFORM                                                             \
	(P(TENANT_TIER) | P(FEATURES_SET) | P(QUOTAS_SET) |                  \
	 P(PLATFORM_METRICS) | P(TENANTS_CREATE) | P(TENANTS_LIST_ALL) |     \
	 P(VIEW_AS))
/* clang-format on */
/* clang-format off */
#define READS                                                                \
	(P(TENANT_READ) | P(MEMBERS_READ) | P(QUOTAS_READ) | P(SETTINGS_READ))
/* clang-format on */

static const uint32_t member_perms[ROLE_COUNT] = {
	[ROLE_ADMIN] = ALL & ~PLATFORM,
	[ROLE_MANAGER] = ALL & ~PLATFORM
			 & ~(P(SETTINGS_WRITE) | P(SECRETS_REVEAL) | P(TENANT_LIFECYCLE)
			     | P(APIKEYS_MANAGE) | P(WEBHOOKS_MANAGE)),
	[ROLE_MEMBER] = READS | P(USAGE_WRITE), /* no alerts.ack: a write */
	[ROLE_VIEWER] = READS,
};

static const uint32_t staff_perms[STAFF_ROLE_COUNT] = {
	[STAFF_NONE] = 0,
	[STAFF_PLATFORM_ADMIN] = ALL,
	[STAFF_SUPPORT] = READS | P(AUDIT_READ) | P(SECRETS_REVEAL) | P(VIEW_AS)
			  | P(INVITATIONS_MANAGE) | P(ALERTS_ACK) | P(PLATFORM_METRICS)
			  | P(TENANTS_LIST_ALL),
	[STAFF_ONCALL] = P(TENANT_READ) | P(QUOTAS_READ) | P(AUDIT_READ) | P(PLATFORM_METRICS)
			 | P(TENANTS_LIST_ALL) | P(QUOTAS_SET) | P(ALERTS_ACK),
};

static const uint32_t scope_perms[SCOPE_COUNT] = {
	[SCOPE_TENANT_READ] = P(TENANT_READ),
	[SCOPE_TENANT_WRITE] = P(TENANT_UPDATE),
	[SCOPE_USERS_READ] = P(MEMBERS_READ),
	[SCOPE_USERS_WRITE] = P(MEMBERS_MANAGE) | P(INVITATIONS_MANAGE),
	[SCOPE_USAGE_READ] = P(QUOTAS_READ),
	[SCOPE_USAGE_WRITE] = P(USAGE_WRITE) | P(ALERTS_ACK),
	[SCOPE_SETTINGS_READ] = P(SETTINGS_READ),
	[SCOPE_SETTINGS_WRITE] = P(SETTINGS_WRITE),
	[SCOPE_AUDIT_READ] = P(AUDIT_READ),
};

static bool
valid(enum perm p)
{
	return (unsigned)p < PERM_COUNT;
}

const char *
perm_name(enum perm p)
{
	return valid(p) ? perms[p].name : "?";
}

int
perm_parse(const char *s, enum perm *out)
{
	for (int i = 0; s && i < PERM_COUNT; i++) {
		if (!strcmp(s, perms[i].name)) {
			*out = (enum perm)i;
			return 0;
		}
	}
	return -1;
}

bool
perm_is_platform(enum perm p)
{
	return valid(p) && perms[p].platform;
}

static uint32_t
bit(enum perm p)
{
	return UINT32_C(1) << p;
}

bool
perm_member(enum member_role r, enum perm p)
{
	return valid(p) && (unsigned)r < ROLE_COUNT && (member_perms[r] & bit(p));
}

bool
perm_member_with(enum member_role r, const struct perm_overrides *o, enum perm p)
{
	if (!valid(p) || (o && (o->revoke & bit(p))))
		return false;
	if (o && (o->grant & bit(p)) && !perms[p].platform)
		return true;
	return perm_member(r, p);
}

int
perm_overrides_set(struct perm_overrides *o, enum perm p, int how)
{
	if (!valid(p) || perms[p].platform)
		return -1;
	o->grant &= ~bit(p);
	o->revoke &= ~bit(p);
	if (how > 0)
		o->grant |= bit(p);
	else if (how < 0)
		o->revoke |= bit(p);
	return 0;
}

int
perm_overrides_format(char *buf, size_t size, const struct perm_overrides *o)
{
	int len = 0;

	if (size)
		buf[0] = '\0';
	for (int p = 0; p < PERM_COUNT && len >= 0; p++) {
		char sign = (o->grant & bit(p)) ? '+' : (o->revoke & bit(p)) ? '-' : 0;

		if (!sign)
			continue;
		len = text_append(buf, size, len, "%s%c%s", len ? "," : "", sign, perms[p].name);
	}
	return len;
}

int
perm_overrides_parse(struct perm_overrides *out, const char *s, const char *field, struct err *e)
{
	char item[64];

	memset(out, 0, sizeof *out);
	while (s && *s) {
		size_t n = strcspn(s, ",");
		const char *a = s, *b = s + n;
		enum perm p;

		while (a < b && *a == ' ')
			a++;
		while (b > a && b[-1] == ' ')
			b--;
		snprintf(item, sizeof item, "%.*s", (int)(b - a), a);
		s += n + (s[n] == ',');
		if (!item[0])
			continue;
		if ((item[0] != '+' && item[0] != '-') || perm_parse(item + 1, &p) < 0
		    || perms[p].platform)
			return err_field(e, field,
					 "\"%.40s\" is not +permission or -permission of a tenant",
					 item);
		if ((out->grant | out->revoke) & bit(p))
			return err_field(e, field, "%s is given twice", perms[p].name);
		perm_overrides_set(out, p, item[0] == '+' ? 1 : -1);
	}
	return 0;
}

bool
perm_staff(enum staff_role r, enum perm p)
{
	return valid(p) && (unsigned)r < STAFF_ROLE_COUNT && (staff_perms[r] & bit(p));
}

bool
perm_scope(scope_mask m, enum perm p)
{
	for (int s = 0; valid(p) && s < SCOPE_COUNT; s++)
		if ((m & (UINT32_C(1) << s)) && (scope_perms[s] & bit(p)))
			return true;
	return false;
}

/* snprintf onto the end of buf; keeps counting past its size */
static int
add(char *buf, size_t size, int len, const char *fmt, ...)
{
	size_t at = (size_t)len < size ? (size_t)len : size;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf ? buf + at : NULL, size - at, fmt, ap);
	va_end(ap);
	return n < 0 ? len : len + n;
}

int
perm_table(char *buf, size_t size)
{
	static const enum staff_role staff[] = { STAFF_PLATFORM_ADMIN, STAFF_SUPPORT,
						 STAFF_ONCALL };
	int len = 0;

	if (!buf && size)
		return -1;
	len = add(buf, size, len, "%-20s", "permission");
	for (int r = 0; r < ROLE_COUNT; r++)
		len = add(buf, size, len, " %-8s", member_role_name((enum member_role)r));
	len = add(buf, size, len, " |");
	for (size_t i = 0; i < 3; i++)
		len = add(buf, size, len, i < 2 ? " %-14s" : " %s", staff_role_name(staff[i]));
	len = add(buf, size, len, "\n");
	for (int p = 0; p < PERM_COUNT; p++) {
		len = add(buf, size, len, "%-20s", perms[p].name);
		for (int r = 0; r < ROLE_COUNT; r++)
			len = add(buf, size, len, " %-8s",
				  perm_member((enum member_role)r, (enum perm)p) ? "x" : ".");
		len = add(buf, size, len, " |");
		for (size_t i = 0; i < 3; i++)
			len = add(buf, size, len, i < 2 ? " %-14s" : " %s",
				  perm_staff(staff[i], (enum perm)p) ? "x" : ".");
		len = add(buf, size, len, "\n");
	}
	return len;
}
