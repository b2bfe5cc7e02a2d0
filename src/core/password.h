/* password.h - what a new password must be: at least PASSWORD_MIN_CHARS
 * characters, at most PASSWORD_MAX_BYTES bytes of UTF-8, and not one of the
 * passwords people choose most (a list built in, compared without case,
 * also after common decorations: trailing digits and punctuation, a
 * leading capital). Applied wherever a password is set: accepting an
 * invitation as a new account, a password reset, a staff account. */
#ifndef TENANTRY_CORE_PASSWORD_H
#define TENANTRY_CORE_PASSWORD_H

#include <stddef.h>

#include "core/err.h"

#define PASSWORD_MIN_CHARS 12
#define PASSWORD_MAX_BYTES 1024

/* 0 when pw may be set; -1 with a 422 (ERR_INVALID_FIELD) naming field
 * otherwise: missing, too short, too long, not UTF-8, or too common. */
int password_check(const char *pw, const char *field, struct err *e);

/* True when pw (any case, decorations stripped) is on the built-in list
 * of common passwords or is one character repeated or a keyboard run. */
int password_is_common(const char *pw);

/* How many entries the built-in list has (for docs and tests). */
size_t password_common_count(void);

#endif
