/* err.h - the error every fallible tenantry function fills.
 *
 * An error carries an HTTP-like status (400, 404, 409, 402, 503 ...), a stable
 * machine-readable code ("not_found", "quota_exceeded" ...) and a human message.
 * The codes are one X-macro list so the CLI, the REST server (problem+json)
 * and the docs agree on them.
 */
#ifndef TENANTRY_ERR_H
#define TENANTRY_ERR_H

#include <stdarg.h>

/* X(enum suffix, code string, HTTP status, title) */
/* clang-format off */
#define ERR_CODES(X)                                                          \
	X(OK, "ok", 200, "OK")                                                \
	X(BAD_REQUEST, "bad_request", 400, "Bad request")                     \
	X(BAD_JSON, "bad_json", 400, "Malformed JSON")                        \
	X(UNAUTHORIZED, "unauthorized", 401, "Authentication required")       \
	X(QUOTA_EXCEEDED, "quota_exceeded", 402, "Quota exhausted")           \
	X(FORBIDDEN, "forbidden", 403, "Not allowed")                         \
	X(NOT_FOUND, "not_found", 404, "Not found")                           \
	X(METHOD, "method_not_allowed", 405, "Method not allowed")            \
	X(CONFLICT, "conflict", 409, "Conflict")                              \
	X(IN_PROGRESS, "idempotency_in_progress", 409,                        \
	  "A request with this Idempotency-Key is still running")             \
	X(INVALID_TRANSITION, "invalid_transition", 409, "Invalid transition") \
	X(DOWNGRADE_BLOCKED, "downgrade_blocked", 409,                        \
	  "Downgrade would exceed the new tier's limits")                     \
	X(GONE, "gone", 410, "Gone")                                          \
	X(TOO_LARGE, "body_too_large", 413, "Request body too large")         \
	X(INVALID_FIELD, "invalid_field", 422, "Invalid field")               \
	X(KEY_REUSED, "idempotency_key_reused", 422,                          \
	  "Idempotency-Key reused with another request")                      \
	X(RATE_LIMITED, "rate_limited", 429, "Too many requests")             \
	X(INTERNAL, "internal", 500, "Internal error")                        \
	X(UNAVAILABLE, "unavailable", 503, "Database unavailable")            \
	X(OUTCOME_UNKNOWN, "outcome_unknown", 503,                            \
	  "The database connection was lost before the commit was confirmed")
/* clang-format on */

enum err_code {
#define X(e, s, st, t) ERR_##e,
	ERR_CODES(X)
#undef X
	    ERR_CODE_COUNT
};

struct err {
	enum err_code code;
	int status;        /* HTTP-like status of code */
	char message[512]; /* human readable, never contains secrets */
	char field[64];    /* offending field for ERR_INVALID_FIELD, or "" */
};

/* Reset e to "no error". e may be NULL. */
void err_clear(struct err *e);

/* Fill e (may be NULL) with code and a printf-style message; returns -1 so
 * callers can write `return err_set(e, ERR_NOT_FOUND, "no tenant %s", id);`. */
int err_set(struct err *e, enum err_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like err_set, naming the offending field. */
int err_field(struct err *e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

const char *err_code_name(enum err_code code);  /* "not_found" */
const char *err_code_title(enum err_code code); /* "Not found" */
int err_code_status(enum err_code code);        /* 404 */
/* Code for a name, or ERR_INTERNAL when unknown. */
enum err_code err_code_from_name(const char *name);

/* sysexits(3) exit status for a command that failed with code. */
int err_exit_status(enum err_code code);

#endif
