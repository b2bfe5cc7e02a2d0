/* err.c - filling, naming and mapping the errors of err.h.
 *
 * Exit statuses (sysexits(3)) for a command that failed with a code:
 *
 *   ok                                          0
 *   bad_request bad_json invalid_field
 *   body_too_large                              65 EX_DATAERR   the input is wrong
 *   unauthorized forbidden                      77 EX_NOPERM    not allowed
 *   quota_exceeded rate_limited                 75 EX_TEMPFAIL  try again later
 *   unavailable                                 69 EX_UNAVAILABLE
 *   outcome_unknown                             76           the write may or may
 *                                                   not have been committed: look
 *                                                   before doing it again
 *   internal method_not_allowed                 70 EX_SOFTWARE  a bug on one side
 *   not_found conflict invalid_transition
 *   idempotency_in_progress idempotency_key_reused
 *   downgrade_blocked gone                      1   the request was fine, the
 *                                                   state of the data refused it
 *
 * EX_USAGE (64) is for bad command lines and is chosen by the CLI itself.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "core/err.h"

/* Not a sysexits(3) value: 76 is EX_PROTOCOL there, unused by tenantry. */
#define EXIT_OUTCOME_UNKNOWN 76

static const struct {
	const char *name;
	int status;
	const char *title;
} codes[] = {
#define X(e, s, st, t) [ERR_##e] = { s, st, t },
	ERR_CODES(X)
#undef X
};

static int
valid(enum err_code code)
{
	return (unsigned)code < ERR_CODE_COUNT;
}

void
err_clear(struct err *e)
{
	if (!e)
		return;
	e->code = ERR_OK;
	e->status = 200;
	e->message[0] = '\0';
	e->field[0] = '\0';
}

static void
err_vset(struct err *e, enum err_code code, const char *fmt, va_list ap)
{
	if (!valid(code))
		code = ERR_INTERNAL;
	e->code = code;
	e->status = codes[code].status;
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	e->field[0] = '\0';
}

int
err_set(struct err *e, enum err_code code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	err_vset(e, code, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_field(struct err *e, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	err_vset(e, ERR_INVALID_FIELD, fmt, ap);
	va_end(ap);
	snprintf(e->field, sizeof e->field, "%s", field ? field : "");
	return -1;
}

const char *
err_code_name(enum err_code code)
{
	return valid(code) ? codes[code].name : "internal";
}

const char *
err_code_title(enum err_code code)
{
	return valid(code) ? codes[code].title : codes[ERR_INTERNAL].title;
}

int
err_code_status(enum err_code code)
{
	return valid(code) ? codes[code].status : 500;
}

enum err_code
err_code_from_name(const char *name)
{
	for (int i = 0; name && i < ERR_CODE_COUNT; i++)
		if (!strcmp(codes[i].name, name))
			return (enum err_code)i;
	return ERR_INTERNAL;
}

int
err_exit_status(enum err_code code)
{
	switch (code) {
	case ERR_OK:
		return 0;
	case ERR_BAD_REQUEST:
	case ERR_BAD_JSON:
	case ERR_INVALID_FIELD:
	case ERR_TOO_LARGE:
		return EX_DATAERR;
	case ERR_UNAUTHORIZED:
	case ERR_FORBIDDEN:
		return EX_NOPERM;
	case ERR_QUOTA_EXCEEDED:
	case ERR_RATE_LIMITED:
		return EX_TEMPFAIL;
	case ERR_UNAVAILABLE:
		return EX_UNAVAILABLE;
	case ERR_OUTCOME_UNKNOWN:
		return EXIT_OUTCOME_UNKNOWN;
	case ERR_NOT_FOUND:
	case ERR_CONFLICT:
	case ERR_IN_PROGRESS:
	case ERR_KEY_REUSED:
	case ERR_INVALID_TRANSITION:
	case ERR_DOWNGRADE_BLOCKED:
	case ERR_GONE:
		return 1;
	case ERR_METHOD:
	case ERR_INTERNAL:
	case ERR_CODE_COUNT:
		break;
	}
	return EX_SOFTWARE;
}
