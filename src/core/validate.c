/* validate.c - the validation rules of validate.h. */
#include <ctype.h>
#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "core/json_limit.h"
#include "core/validate.h"

#define FIELD(f, dflt) ((f) ? (f) : (dflt))

/* ---- UTF-8 --------------------------------------------------------------- */

int
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	int n;

	if (s[0] < 0x80)
		n = 1, *cp = s[0];
	else if ((s[0] & 0xe0) == 0xc0)
		n = 2, *cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, *cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, *cp = s[0] & 0x07;
	else
		return -1;
	if ((size_t)n > len)
		return -1;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if (*cp < min[n] || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return -1;
	return n;
}

bool
utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;

	if (!s)
		return false;
	for (size_t i = 0; i < len;) {
		int n = utf8_decode(p + i, len - i, &cp);
		if (n < 0 || cp == 0)
			return false;
		i += (size_t)n;
	}
	return true;
}

size_t
utf8_copy(char *dst, size_t size, const char *src, size_t len)
{
	if (!size)
		return 0;
	if (!src)
		len = 0;
	if (len > size - 1) {
		len = size - 1;
		/* src[len] is the first byte left out: a continuation byte
		 * there means the character it belongs to is cut, so it goes */
		while (len > 0 && ((unsigned char)src[len] & 0xc0) == 0x80)
			len--;
	}
	if (len)
		memcpy(dst, src, len);
	dst[len] = '\0';
	return len;
}

int
validate_utf8(const char *s, const char *field, struct err *e)
{
	field = FIELD(field, "value");
	if (!s)
		return err_field(e, field, "%s: missing", field);
	if (!utf8_valid(s, strlen(s)))
		return err_field(e, field, "%s: not valid UTF-8", field);
	return 0;
}

/* ---- slugs and names ----------------------------------------------------- */

int
validate_slug(const char *s, const char *field, struct err *e)
{
	size_t len;

	field = FIELD(field, "slug");
	if (!s)
		return err_field(e, field, "%s: missing", field);
	len = strlen(s);
	if (len < 3 || len > SLUG_LEN - 1)
		return err_field(e, field, "%s: must be 3 to %d characters", field, SLUG_LEN - 1);
	for (size_t i = 0; i < len; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-'))
			return err_field(e, field, "%s: only a-z, 0-9 and '-' are allowed", field);
	if (s[0] == '-' || s[len - 1] == '-')
		return err_field(e, field, "%s: must not start or end with '-'", field);
	if (strstr(s, "--"))
		return err_field(e, field, "%s: must not contain \"--\"", field);
	return 0;
}

/* ASCII for the Latin-1 letters U+00C0..U+00DF (and U+00E0..U+00FF, their
 * lower case); NULL for × and ÷. */
static const char *const latin1[32] = {
	"a", "a", "a", "a", "a", "a", "ae", "c",  "e", "e", "e", "e", "i", "i", "i",  "i",
	"d", "n", "o", "o", "o", "o", "o",  NULL, "o", "u", "u", "u", "u", "y", "th", "ss",
};

static const char *
slug_piece(uint32_t cp, char ascii[2])
{
	if (cp < 0x80 && isalnum((int)cp)) {
		ascii[0] = (char)tolower((int)cp);
		ascii[1] = '\0';
		return ascii;
	}
	if (cp == 0xff)
		return "y";
	if (cp >= 0xc0 && cp <= 0xff)
		return latin1[(cp - 0xc0) & 31];
	return NULL;
}

/* Cuts a slug longer than the limit at its last '-' within it. */
static void
slug_cut(char *s)
{
	size_t max = SLUG_LEN - 1;
	char *dash;

	if (strlen(s) > max) {
		s[max] = '\0';
		dash = strrchr(s, '-');
		if (dash && dash - s >= 3)
			*dash = '\0';
	}
	while (*s && s[strlen(s) - 1] == '-')
		s[strlen(s) - 1] = '\0';
}

int
slug_from_name(char out[SLUG_LEN], const char *name, struct err *e)
{
	char buf[4 * SLUG_LEN];
	size_t len = 0, i = 0, n;
	uint32_t cp;

	out[0] = '\0';
	if (validate_utf8(name, "name", e) < 0)
		return -1;
	n = strlen(name);
	while (i < n && len < sizeof buf - 4) {
		char ascii[2];
		int k = utf8_decode((const unsigned char *)name + i, n - i, &cp);
		const char *piece = slug_piece(cp, ascii);

		i += (size_t)k;
		if (piece) {
			memcpy(buf + len, piece, strlen(piece));
			len += strlen(piece);
		} else if (len && buf[len - 1] != '-') {
			buf[len++] = '-';
		}
	}
	buf[len] = '\0';
	slug_cut(buf);
	if (strlen(buf) < 3)
		return err_field(e, "name",
				 "name: too few letters or digits to make a "
				 "slug; give one");
	memcpy(out, buf, strlen(buf) + 1);
	return 0;
}

int
validate_name(const char *s, const char *field, struct err *e)
{
	bool blank = true;

	field = FIELD(field, "name");
	if (validate_utf8(s, field, e) < 0)
		return -1;
	if (strlen(s) > NAME_LEN - 1)
		return err_field(e, field, "%s: longer than %d bytes", field, NAME_LEN - 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return err_field(e, field, "%s: contains a control character", field);
		if (*p != ' ')
			blank = false;
	}
	if (blank)
		return err_field(e, field, "%s: must not be empty", field);
	return 0;
}

/* ---- hosts and addresses ------------------------------------------------- */

/* What is wrong with the host name s[0..len), or NULL. */
static const char *
domain_problem(const char *s, size_t len)
{
	size_t label = 0, labels = 1;
	bool numeric = true;

	if (len == 0)
		return "is empty";
	if (len > 253)
		return "is longer than 253 characters";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return "has an empty label or one ending in '-'";
			label = 0, labels++, numeric = true;
			continue;
		}
		if (!isalnum(c) && c != '-')
			return "may only hold letters, digits, '-' and '.'";
		if (c == '-' && label == 0)
			return "has a label starting with '-'";
		if (++label > 63)
			return "has a label longer than 63 characters";
		numeric = numeric && isdigit(c);
	}
	if (label == 0 || s[len - 1] == '-')
		return "has an empty label or one ending in '-'";
	if (labels < 2)
		return "needs at least one dot";
	if (numeric)
		return "must not be an IP address";
	return NULL;
}

int
validate_domain(const char *s, const char *field, struct err *e)
{
	const char *why;

	field = FIELD(field, "domain");
	if (!s)
		return err_field(e, field, "%s: missing", field);
	if ((why = domain_problem(s, strlen(s))))
		return err_field(e, field, "%s: %s", field, why);
	return 0;
}

static bool
atext(unsigned char c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

int
validate_email(const char *s, const char *field, struct err *e)
{
	const char *at, *why;
	size_t local;

	field = FIELD(field, "email");
	if (!s || !*s)
		return err_field(e, field, "%s: missing", field);
	if (strlen(s) > EMAIL_LEN - 1)
		return err_field(e, field, "%s: longer than %d characters", field, EMAIL_LEN - 1);
	at = strchr(s, '@');
	if (!at || strchr(at + 1, '@'))
		return err_field(e, field, "%s: needs exactly one '@'", field);
	local = (size_t)(at - s);
	if (local == 0 || local > 64)
		return err_field(e, field,
				 "%s: the part before '@' must be 1 to 64 "
				 "characters",
				 field);
	if (s[0] == '.' || s[local - 1] == '.' || memmem(s, local, "..", 2))
		return err_field(e, field, "%s: dots before '@' must separate words", field);
	for (size_t i = 0; i < local; i++)
		if (!atext((unsigned char)s[i]) && s[i] != '.')
			return err_field(e, field, "%s: '%c' is not allowed before '@'", field,
					 s[i]);
	if ((why = domain_problem(at + 1, strlen(at + 1))))
		return err_field(e, field, "%s: domain %s", field, why);
	return 0;
}

int
validate_color(const char *s, const char *field, struct err *e)
{
	size_t len;

	field = FIELD(field, "color");
	if (!s)
		return err_field(e, field, "%s: missing", field);
	len = strlen(s);
	if (s[0] != '#' || (len != 4 && len != 7)
	    || strspn(s + 1, "0123456789abcdefABCDEF") != len - 1)
		return err_field(e, field,
				 "%s: \"%.20s\" is not a colour like #1a2b3c "
				 "or #abc",
				 field, s);
	return 0;
}

static const char *const tz_areas[] = {
	"Africa", "America", "Antarctica", "Arctic", "Asia",   "Atlantic", "Australia", "Europe",
	"Indian", "Pacific", "Etc",        "US",     "Canada", "Brazil",   "Chile",     "Mexico",
};

static bool
tz_area(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof tz_areas / sizeof tz_areas[0]; i++)
		if (strlen(tz_areas[i]) == len && !memcmp(tz_areas[i], s, len))
			return true;
	return false;
}

/* One part of a zone name: upper-case first, then [A-Za-z0-9_+-]. */
static bool
tz_part(const char *s, size_t len)
{
	if (len == 0 || len > 30 || !isupper((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_+-", s[i]))
			return false;
	return true;
}

int
validate_timezone(const char *s, const char *field, struct err *e)
{
	const char *p, *slash;
	int parts = 0;

	field = FIELD(field, "timezone");
	if (!s)
		return err_field(e, field, "%s: missing", field);
	if (!strcmp(s, "UTC") || !strcmp(s, "GMT"))
		return 0;
	if (strlen(s) >= 64 || !(slash = strchr(s, '/')) || !tz_area(s, (size_t)(slash - s)))
		goto bad;
	for (p = slash + 1; parts < 2; p = slash + 1, parts++) {
		slash = strchr(p, '/');
		if (!tz_part(p, slash ? (size_t)(slash - p) : strlen(p)))
			goto bad;
		if (!slash)
			return 0;
	}
bad:
	return err_field(e, field,
			 "%s: \"%.40s\" is not a time zone like UTC or "
			 "Europe/Berlin",
			 field, s);
}

/* ---- URLs ---------------------------------------------------------------- */

static bool
ipv4(const char *s, size_t len)
{
	int parts = 0, value = -1, ndig = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (ndig == 0 || value > 255)
				return false;
			parts++, value = -1, ndig = 0;
		} else if (isdigit((unsigned char)s[i]) && ndig < 3) {
			value = (value < 0 ? 0 : value * 10) + s[i] - '0';
			ndig++;
		} else {
			return false;
		}
	}
	return parts == 4;
}

static bool
url_host(const char *s, size_t len)
{
	if (len >= 2 && s[0] == '[')
		return s[len - 1] == ']' && memchr(s, ':', len)
		       && strspn(s + 1, "0123456789abcdefABCDEF:.") == len - 2;
	if (len == 9 && !strncasecmp(s, "localhost", 9))
		return true;
	return ipv4(s, len) || !domain_problem(s, len);
}

static bool
url_port(const char *s, size_t len)
{
	long port = 0;

	if (len == 0 || len > 5 || strspn(s, "0123456789") < len)
		return false;
	for (size_t i = 0; i < len; i++)
		port = port * 10 + s[i] - '0';
	return port >= 1 && port <= 65535;
}

int
validate_url(const char *s, const char *field, struct err *e)
{
	const char *host, *end, *colon;

	field = FIELD(field, "url");
	if (!s)
		return err_field(e, field, "%s: missing", field);
	if (strlen(s) > URL_MAX)
		return err_field(e, field, "%s: longer than %d characters", field, URL_MAX);
	if (!strncasecmp(s, "http://", 7))
		host = s + 7;
	else if (!strncasecmp(s, "https://", 8))
		host = s + 8;
	else
		return err_field(e, field,
				 "%s: must start with http:// or "
				 "https://",
				 field);
	end = host + strcspn(host, "/?#");
	if (memchr(host, '@', (size_t)(end - host)))
		return err_field(e, field,
				 "%s: must not hold a user or "
				 "password",
				 field);
	colon = end;
	while (colon > host && colon[-1] != ':' && colon[-1] != ']')
		colon--;
	if (colon > host && colon[-1] == ':') {
		if (!url_port(colon, (size_t)(end - colon)))
			return err_field(e, field, "%s: bad port", field);
		colon--;
	} else {
		colon = end;
	}
	if (!url_host(host, (size_t)(colon - host)))
		return err_field(e, field, "%s: bad host", field);
	for (const char *p = end; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return err_field(e, field,
					 "%s: characters after the "
					 "host must be printable ASCII without "
					 "spaces",
					 field);
	return 0;
}

/* ---- settings ------------------------------------------------------------ */

int
validate_json(const char *s, const char *field, struct err *e)
{
	json_error_t jerr;
	json_t *j;

	field = FIELD(field, "value");
	if (!s)
		return err_field(e, field, "%s: missing", field);
	if (json_text_depth(s, strlen(s), JSON_DEPTH_MAX) > JSON_DEPTH_MAX)
		return err_field(e, field, "%s: nests deeper than %d levels", field,
				 JSON_DEPTH_MAX);
	j = json_loads(s, JSON_DECODE_ANY, &jerr);
	if (!j)
		return err_field(e, field,
				 "%s: not JSON at line %d column %d: "
				 "%s",
				 field, jerr.line, jerr.column, jerr.text);
	json_decref(j);
	return 0;
}

int
validate_audit_action(const char *s, struct err *e)
{
	size_t len, head;

	if (!s || !*s)
		return err_field(e, "action", "action: missing");
	len = strlen(s);
	head = strspn(s, "abcdefghijklmnopqrstuvwxyz_");
	if (len > 63 || head == 0 || s[head] != '.' || head + 1 == len
	    || strspn(s + head + 1, "abcdefghijklmnopqrstuvwxyz_.") != len - head - 1)
		return err_field(e, "action",
				 "action: resource.verb of a-z, '_' and '.', "
				 "at most 63 characters");
	return 0;
}

int
validate_setting_key(const char *s, struct err *e)
{
	size_t len;

	if (!s)
		return err_field(e, "key", "key: missing");
	len = strlen(s);
	if (len < 1 || len >= KEY_LEN)
		return err_field(e, "key", "key: must be 1 to %d characters", KEY_LEN - 1);
	if (!islower((unsigned char)s[0]))
		return err_field(e, "key", "key: must start with a letter a-z");
	if (strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != len)
		return err_field(e, "key",
				 "key: only a-z, 0-9, '_', '.' and '-' are "
				 "allowed");
	return 0;
}

static int
validate_int(const char *s, struct err *e)
{
	const char *p = s + (*s == '-');
	uint64_t v = 0, max = (uint64_t)INT64_MAX + (*s == '-');

	if (!*p || strspn(p, "0123456789") != strlen(p))
		return err_field(e, "value",
				 "value: \"%.30s\" is not a whole "
				 "number",
				 s);
	for (; *p; p++) {
		if (v > (max - (uint64_t)(*p - '0')) / 10)
			return err_field(e, "value",
					 "value: out of the 64-bit "
					 "range");
		v = v * 10 + (uint64_t)(*p - '0');
	}
	return 0;
}

static int
validate_text(const char *s, bool secret, struct err *e)
{
	size_t len = strlen(s);

	if (secret && len == 0)
		return err_field(e, "value",
				 "value: a secret must not be "
				 "empty");
	if (len > SETTING_VALUE_MAX)
		return err_field(e, "value", "value: longer than %d bytes", SETTING_VALUE_MAX);
	return secret ? 0 : validate_utf8(s, "value", e);
}

int
validate_setting(enum setting_type t, const char *value, struct err *e)
{
	if (!value)
		return err_field(e, "value", "value: missing");
	switch (t) {
	case SETTING_STRING:
		return validate_text(value, false, e);
	case SETTING_SECRET:
		return validate_text(value, true, e);
	case SETTING_INT:
		return validate_int(value, e);
	case SETTING_BOOL:
		if (strcmp(value, "true") && strcmp(value, "false"))
			return err_field(e, "value", "value: must be true or false");
		return 0;
	case SETTING_JSON:
		return validate_json(value, "value", e);
	case SETTING_EMAIL:
		return validate_email(value, "value", e);
	case SETTING_URL:
		return validate_url(value, "value", e);
	case SETTING_COLOR:
		return validate_color(value, "value", e);
	case SETTING_TIMEZONE:
		return validate_timezone(value, "value", e);
	case SETTING_TYPE_COUNT:
		break;
	}
	return err_field(e, "type", "type: unknown setting type");
}

void
invite_row_fill(struct invite_row *row, const char *email, const char *role)
{
	struct err e;

	memset(row, 0, sizeof *row);
	row->role = ROLE_MEMBER;
	utf8_copy(row->email, sizeof row->email, email ? email : "", email ? strlen(email) : 0);
	if (validate_email(email ? email : "", "email", &e) < 0) {
		row->outcome = INVITE_INVALID;
		utf8_copy(row->detail, sizeof row->detail, e.message, strlen(e.message));
	} else if (role && *role && member_role_parse(role, &row->role) < 0) {
		row->outcome = INVITE_INVALID;
		snprintf(row->detail, sizeof row->detail, "unknown role \"%.40s\"", role);
	}
}
