/* log.c - see log.h: logfmt or JSON lines on stderr, one write each. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/validate.h"
#include "server/log.h"

#define LINE_MAX_BYTES 8192
/* A value longer than this is cut (at a character boundary) and marked
 * with "...": even escaped, a few such values leave the line whole. */
#define VALUE_MAX_BYTES 256

static _Atomic int log_level_now = LOG_LEVEL_INFO;
static _Atomic int log_format_now = LOG_FORMAT_LOGFMT;

static const char *const level_names[] = { "error", "warn", "info", "debug" };
static const char *const format_names[] = { "logfmt", "json" };

void
log_setup(enum log_level level, enum log_format format)
{
	atomic_store(&log_level_now, (int)level);
	atomic_store(&log_format_now, (int)format);
}

int
log_level_parse(const char *s)
{
	for (int i = 0; s && i < 4; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

int
log_format_parse(const char *s)
{
	for (int i = 0; s && i < 2; i++)
		if (strcmp(s, format_names[i]) == 0)
			return i;
	return -1;
}

const char *
log_level_name(enum log_level level)
{
	return (unsigned)level < 4 ? level_names[level] : "info";
}

const char *
log_format_name(enum log_format format)
{
	return (unsigned)format < 2 ? format_names[format] : "logfmt";
}

bool
log_enabled(enum log_level level)
{
	return (int)level <= atomic_load_explicit(&log_level_now, memory_order_relaxed);
}

/* What the end of a line keeps free: a "truncated" pair, the closing
 * brace and the newline. */
#define LINE_RESERVE 32

/* A growing line in a fixed buffer. A pair that does not fit whole is
 * dropped whole (over: the pair being written did not fit; cut: a pair
 * was dropped), so a line is never cut inside a value or a character. */
struct line {
	char s[LINE_MAX_BYTES];
	size_t len;
	bool json, over, cut;
};

static void
put(struct line *l, const char *s, size_t n)
{
	if (l->over || n > sizeof l->s - LINE_RESERVE - l->len) {
		l->over = true;
		return;
	}
	memcpy(l->s + l->len, s, n);
	l->len += n;
}

static void
putc_(struct line *l, char c)
{
	put(l, &c, 1);
}

/* logfmt quotes a value with a space, '=', '"' or a control character;
 * both formats escape '"', '\\' and control characters. A byte that is
 * not part of valid UTF-8 (a database's or a peer's message, a config
 * file's bytes) is written as U+FFFD, so every line is valid UTF-8 and,
 * in the JSON format, valid JSON. */
static void
put_value(struct line *l, const char *v)
{
	size_t len = strlen(v), cut = len;
	bool quote = l->json || !*v || strpbrk(v, " =\"\\") != NULL;

	if (len > VALUE_MAX_BYTES) {
		cut = VALUE_MAX_BYTES;
		while (cut > 0 && ((unsigned char)v[cut] & 0xc0) == 0x80)
			cut--; /* not inside a UTF-8 sequence */
	}
	for (const char *p = v; !quote && *p; p++)
		quote = (unsigned char)*p < 0x20 || *p == 0x7f;
	if (quote)
		putc_(l, '"');
	for (const char *p = v; p < v + cut; p++) {
		unsigned char c = (unsigned char)*p;
		char esc[8];
		uint32_t cp;
		int n;

		if (c >= 0x80) {
			n = utf8_decode((const unsigned char *)p, (size_t)(v + cut - p), &cp);
			if (n < 0)
				put(l, "\xef\xbf\xbd", 3);
			else
				put(l, p, (size_t)n);
			p += n > 0 ? n - 1 : 0;
		} else if (c == '"' || c == '\\') {
			putc_(l, '\\');
			putc_(l, (char)c);
		} else if (c == '\n') {
			put(l, "\\n", 2);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			put(l, esc, 6);
		} else {
			putc_(l, (char)c);
		}
	}
	if (cut < len)
		put(l, "...", 3);
	if (quote)
		putc_(l, '"');
}

static void
put_pair(struct line *l, const char *key, const char *value)
{
	size_t at = l->len;

	if (l->json) {
		if (l->len > 1)
			putc_(l, ',');
		putc_(l, '"');
		put(l, key, strlen(key));
		put(l, "\":", 2);
	} else {
		if (l->len)
			putc_(l, ' ');
		put(l, key, strlen(key));
		putc_(l, '=');
	}
	put_value(l, value);
	if (l->over) {
		l->len = at;
		l->over = false;
		l->cut = true;
	}
}

void
log_linev(enum log_level level, const char *msg, va_list ap)
{
	struct line l = { .len = 0 };
	struct timeval tv;
	struct tm tm;
	char ts[96];
	const char *k, *v;

	if (!log_enabled(level))
		return;
	l.json = atomic_load_explicit(&log_format_now, memory_order_relaxed) == LOG_FORMAT_JSON;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(tv.tv_usec / 1000));
	if (l.json)
		putc_(&l, '{');
	put_pair(&l, "ts", ts);
	put_pair(&l, "level", log_level_name(level));
	put_pair(&l, "msg", msg);
	while ((k = va_arg(ap, const char *))) {
		v = va_arg(ap, const char *);
		if (v)
			put_pair(&l, k, v);
	}
	if (l.cut) { /* in the reserve, which holds it */
		const char *mark = l.json ? ",\"truncated\":\"true\"" : " truncated=true";

		memcpy(l.s + l.len, mark, strlen(mark));
		l.len += strlen(mark);
	}
	if (l.json)
		l.s[l.len++] = '}';
	l.s[l.len++] = '\n';
	/* one write: lines of several threads never interleave */
	if (write(STDERR_FILENO, l.s, l.len) < 0)
		return;
}

void
log_line(enum log_level level, const char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	log_linev(level, msg, ap);
	va_end(ap);
}

/* libmicrohttpd says when a client went away mid-reply (an audit stream
 * closed by its reader, a reset): normal events, kept for debug. What
 * else it says is a warning. */
void
log_mhd(void *cls, const char *fmt, va_list ap)
{
	char text[512];
	size_t n;
	enum log_level level = LOG_LEVEL_WARN;

	(void)cls;
	vsnprintf(text, sizeof text, fmt, ap);
	n = strlen(text);
	while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
		text[--n] = '\0';
	if (strstr(text, "closed") || strstr(text, "reset") || strstr(text, "send data")
	    || strstr(text, "timed out") || strstr(text, "Connection"))
		level = LOG_LEVEL_DEBUG;
	log_line(level, "libmicrohttpd", "detail", text, NULL);
}

bool
log_request_id_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 64)
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") == n;
}

void
log_request_id_new(char out[17])
{
	static _Atomic uint32_t prefix, counter;
	uint32_t p = atomic_load(&prefix), c;

	if (!p) {
		uint32_t r = 0;

		if (getrandom(&r, sizeof r, 0) != sizeof r)
			r = (uint32_t)time(NULL) ^ (uint32_t)getpid() << 16;
		r |= 1; /* never 0: 0 is "not drawn yet" */
		atomic_compare_exchange_strong(&prefix, &p, r);
		p = atomic_load(&prefix);
	}
	c = atomic_fetch_add(&counter, 1) + 1;
	snprintf(out, 17, "%08x%08x", p, c);
}
