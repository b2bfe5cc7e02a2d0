/* log.h - tenantryd's log: one line per event on stderr, as logfmt
 * (key=value, the default) or JSON lines, with a level threshold.
 *
 * Every line carries ts, level and msg; requests add method, route,
 * status, duration, tenant, caller and request_id; security events (a
 * sign-in, a refused credential, a rate limit) are lines of their own.
 * Nothing logged is a credential: no token, key or password ever reaches a
 * line (the callers pass none, and the request line has no headers).
 */
#ifndef TENANTRY_LOG_H
#define TENANTRY_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };
enum log_format { LOG_FORMAT_LOGFMT, LOG_FORMAT_JSON };

/* Level and format of the lines from now on (any thread; SIGHUP). */
void log_setup(enum log_level level, enum log_format format);
/* "error", "warn", "info", "debug" -> the level; -1 when unknown. */
int log_level_parse(const char *s);
/* "logfmt", "json" -> the format; -1 when unknown. */
int log_format_parse(const char *s);
const char *log_level_name(enum log_level level);
const char *log_format_name(enum log_format format);
/* True when lines of this level are written. */
bool log_enabled(enum log_level level);

/* One line: msg, then pairs of (const char *key, const char *value) ending
 * with a NULL key; a NULL value leaves its key out. Written with one
 * write, so lines of several threads never mix. */
void log_line(enum log_level level, const char *msg, ...);
void log_linev(enum log_level level, const char *msg, va_list ap);

/* libmicrohttpd's own messages (MHD_OPTION_EXTERNAL_LOGGER). */
void log_mhd(void *cls, const char *fmt, va_list ap);

/* A request id as sent in X-Request-Id: 1..64 of [A-Za-z0-9._:-]. */
bool log_request_id_ok(const char *s);
/* A new request id: 16 hex digits (a random per-process prefix and a
 * counter), in out[17]. */
void log_request_id_new(char out[17]);

#endif
