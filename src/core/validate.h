/* validate.h - rules for the text users type: slugs, names, emails,
 * domains, colours, time zones, URLs, setting keys and typed setting values.
 *
 * Every validate_* returns 0 when the value is acceptable, or -1 with e
 * filled as ERR_INVALID_FIELD naming `field` (when field is NULL, the
 * default named in the comment) and a message saying what is wrong.
 * Pure string rules: nothing is looked up.
 */
#ifndef TENANTRY_VALIDATE_H
#define TENANTRY_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/types.h"

#define SETTING_VALUE_MAX 4096 /* bytes of a string or secret setting */
#define URL_MAX 2048

/* Decodes one strict UTF-8 sequence of at most len bytes (no overlongs,
 * surrogates or code points past U+10FFFF); returns its length or -1. */
int utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);
/* True when s[0..len) is strict UTF-8: no overlong forms, no surrogates,
 * nothing above U+10FFFF, no NUL. */
bool utf8_valid(const char *s, size_t len);
int validate_utf8(const char *s, const char *field, struct err *e);
/* Copies src[0..len) into dst (size bytes with the NUL), cut to fit at a
 * character boundary, never inside a UTF-8 sequence; returns the length
 * copied. Every fixed buffer that holds client or stored text is filled
 * with it. NULL src copies "". */
size_t utf8_copy(char *dst, size_t size, const char *src, size_t len);

/* "slug": a-z 0-9 '-', 3..63 bytes, no leading, trailing or double '-'. */
int validate_slug(const char *s, const char *field, struct err *e);

/* Derives a slug from a UTF-8 name: letters and digits lowercased, Latin-1
 * accented letters without their accent ("Café Zürich" -> "cafe-zurich"),
 * every other run of characters one '-', cut to 63 bytes at a '-' when it
 * can. Fails (field "name") when fewer than 3 letters or digits remain. */
int slug_from_name(char out[SLUG_LEN], const char *name, struct err *e);

/* "name": a display name: valid UTF-8, no control characters, not blank,
 * at most NAME_LEN - 1 bytes. */
int validate_name(const char *s, const char *field, struct err *e);

/* "email": local@domain; local part 1..64 bytes of RFC 5322 atext and
 * single dots (no quoted forms), domain as validate_domain, total <= 254. */
int validate_email(const char *s, const char *field, struct err *e);

/* Fills a bulk invitation row from its text: the address, and the role
 * (NULL or "" = member). A row that does not read is INVITE_INVALID with
 * the reason in detail; else INVITE_PENDING. */
void invite_row_fill(struct invite_row *row, const char *email, const char *role);

/* "domain": host name, labels 1..63 of a-z A-Z 0-9 '-' not starting or
 * ending with '-', at least two labels, total <= 253, last label not all
 * digits (so no IP addresses). */
int validate_domain(const char *s, const char *field, struct err *e);

/* "color": #rgb or #rrggbb, hex digits of either case. */
int validate_color(const char *s, const char *field, struct err *e);

/* "timezone": "UTC", "GMT", or an IANA Area/Location[/Location] name whose
 * area is one of the tz database's (Africa, America, Antarctica, Arctic,
 * Asia, Atlantic, Australia, Europe, Indian, Pacific, Etc and the legacy
 * US, Canada, Brazil, Chile, Mexico); each part starts with an upper-case
 * letter and holds letters, digits, '_', '-', '+', at most 30 bytes;
 * whole name < 64 bytes. */
int validate_timezone(const char *s, const char *field, struct err *e);

/* "url": http:// or https://, a host (domain, "localhost", dotted IPv4 or
 * [IPv6]), optional :port 1..65535, then an optional path, query and
 * fragment of printable ASCII; no user:password@; at most URL_MAX bytes. */
int validate_url(const char *s, const char *field, struct err *e);

/* "value": a syntactically valid JSON text (any value, not only objects). */
int validate_json(const char *s, const char *field, struct err *e);

/* "action": an audit action, resource.verb: [a-z_]+ then '.' then
 * [a-z_.]+, at most 63 bytes (audit_event() in 004_audit.sql holds the
 * database to the same). */
int validate_audit_action(const char *s, struct err *e);

/* "key": a setting key, [a-z0-9_.-] 1..127 bytes, starting with a letter. */
int validate_setting_key(const char *s, struct err *e);

/* "value": a setting value of type t:
 *   string  valid UTF-8, at most SETTING_VALUE_MAX bytes
 *   int     signed 64-bit decimal, optional '-', no spaces or '+'
 *   bool    "true" or "false"
 *   json    validate_json
 *   email, url, color, timezone   as above
 *   secret  not empty, at most SETTING_VALUE_MAX bytes */
int validate_setting(enum setting_type t, const char *value, struct err *e);

#endif
