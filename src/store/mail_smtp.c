/* mail_smtp.c - one e-mail over SMTP with libcurl: smtp:// with STARTTLS
 * required, or smtps://; a plain smtp:// only to loopback and only when
 * allowed (tests). The message is built here (RFC 5322 and MIME), so that
 * nothing taken from data can add a header or end the message early. */
#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "store/mail.h"

struct smtp {
	char *url, *from, *from_addr, *user, *password, *ca_file;
	bool plain_ok; /* loopback, allowed: STARTTLS only when offered */
	int timeout_s;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_rc;

static void
curl_start(void)
{
	curl_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
smtp_close(struct smtp **s)
{
	if (!s || !*s)
		return;
	free((*s)->url);
	free((*s)->from);
	free((*s)->from_addr);
	free((*s)->user);
	if ((*s)->password) {
		sodium_memzero((*s)->password, strlen((*s)->password));
		free((*s)->password);
	}
	free((*s)->ca_file);
	free(*s);
	*s = NULL;
}

/* True for an address we may put in a header and an SMTP command:
 * printable, no space, no characters that delimit addresses. */
static bool
address_ok(const char *a)
{
	const char *at = strchr(a, '@');

	if (!at || at == a || !at[1] || strlen(a) >= EMAIL_LEN)
		return false;
	for (const unsigned char *p = (const unsigned char *)a; *p; p++)
		if (*p <= ' ' || *p == 0x7f || strchr("<>,;:\"()[]\\", *p))
			return false;
	return true;
}

/* The host of an smtp URL after the scheme, into host. */
static int
url_host(char *host, size_t size, const char *rest)
{
	size_t n;

	if (*rest == '[') { /* [::1]:25 */
		n = strcspn(rest + 1, "]");
		if (rest[1 + n] != ']' || n >= size)
			return -1;
		memcpy(host, rest + 1, n);
		host[n] = '\0';
		return 0;
	}
	if (strchr(rest, '@')) /* no credentials in the URL */
		return -1;
	n = strcspn(rest, ":/");
	if (n == 0 || n >= size)
		return -1;
	memcpy(host, rest, n);
	host[n] = '\0';
	return 0;
}

static bool
loopback(const char *host)
{
	return strcmp(host, "localhost") == 0 || strcmp(host, "::1") == 0
	       || strncmp(host, "127.", 4) == 0;
}

/* The sender: "addr" or "Name <addr>"; from_addr gets the address. */
static int
parse_from(struct smtp *s, const char *from, struct err *e)
{
	const char *lt = strrchr(from, '<');
	size_t n;

	for (const unsigned char *p = (const unsigned char *)from; *p; p++)
		if (*p < ' ' || *p == 0x7f)
			return err_set(e, ERR_BAD_REQUEST, "smtp-from: no control characters");
	if (lt) {
		n = strcspn(lt + 1, ">");
		if (lt[1 + n] != '>' || lt[2 + n])
			return err_set(e, ERR_BAD_REQUEST, "smtp-from: \"Name <address>\"");
		s->from_addr = strndup(lt + 1, n);
	} else {
		s->from_addr = strdup(from);
	}
	s->from = strdup(from);
	if (!s->from || !s->from_addr)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (!address_ok(s->from_addr))
		return err_set(e, ERR_BAD_REQUEST, "smtp-from: '%.100s' is no address",
			       s->from_addr);
	return 0;
}

/* The user name and password of path: two lines; the file is the
 * owner's only (as the master key's). */
static int
read_auth(struct smtp *s, const char *path, struct err *e)
{
	struct stat sb;
	char buf[1024], *nl;
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return err_set(e, ERR_BAD_REQUEST, "smtp-auth-file %s: cannot be read", path);
	if (fstat(fileno(f), &sb) < 0 || (sb.st_mode & 077)) {
		fclose(f);
		return err_set(e, ERR_BAD_REQUEST,
			       "smtp-auth-file %s: readable by others (chmod 600 it)", path);
	}
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (!(nl = strchr(buf, '\n')) || nl == buf) {
		sodium_memzero(buf, sizeof buf);
		return err_set(e, ERR_BAD_REQUEST,
			       "%s:1: the user name, then the password on the second line", path);
	}
	*nl = '\0';
	nl++;
	nl[strcspn(nl, "\r\n")] = '\0';
	buf[strcspn(buf, "\r")] = '\0';
	if (!*nl) {
		sodium_memzero(buf, sizeof buf);
		return err_set(e, ERR_BAD_REQUEST, "%s:2: the password is missing", path);
	}
	s->user = strdup(buf);
	s->password = strdup(nl);
	sodium_memzero(buf, sizeof buf);
	if (!s->user || !s->password)
		return err_set(e, ERR_INTERNAL, "out of memory");
	return 0;
}

int
smtp_open(struct smtp **out, const struct smtp_config *cfg, struct err *e)
{
	struct smtp *s;
	char host[256];
	const char *rest;
	bool tls;

	*out = NULL;
	pthread_once(&curl_once, curl_start);
	if (curl_rc != CURLE_OK)
		return err_set(e, ERR_INTERNAL, "libcurl failed to initialise");
	if (!cfg->url || !*cfg->url)
		return err_set(e, ERR_BAD_REQUEST, "smtp-url missing");
	if (strncasecmp(cfg->url, "smtps://", 8) == 0) {
		tls = true;
		rest = cfg->url + 8;
	} else if (strncasecmp(cfg->url, "smtp://", 7) == 0) {
		tls = false;
		rest = cfg->url + 7;
	} else {
		return err_set(e, ERR_BAD_REQUEST,
			       "smtp-url: smtp://host[:port] (STARTTLS) or smtps://host[:port]");
	}
	if (url_host(host, sizeof host, rest) < 0)
		return err_set(e, ERR_BAD_REQUEST, "smtp-url: no host in '%.100s'", cfg->url);
	if (!(s = calloc(1, sizeof *s)))
		return err_set(e, ERR_INTERNAL, "out of memory");
	s->plain_ok = !tls && cfg->allow_plain_loopback && loopback(host);
	if (!tls && cfg->allow_plain_loopback && !s->plain_ok) {
		smtp_close(&s);
		return err_set(e, ERR_BAD_REQUEST,
			       "smtp-allow-plain-loopback: %s is not a loopback address", host);
	}
	s->timeout_s = cfg->timeout_s > 0 ? cfg->timeout_s : 30;
	s->url = strdup(cfg->url);
	if (!s->url || (cfg->ca_file && *cfg->ca_file && !(s->ca_file = strdup(cfg->ca_file)))) {
		smtp_close(&s);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	if (parse_from(s, cfg->from && *cfg->from ? cfg->from : "", e) < 0
	    || (cfg->auth_file && *cfg->auth_file && read_auth(s, cfg->auth_file, e) < 0)) {
		smtp_close(&s);
		return -1;
	}
	*out = s;
	return 0;
}

/* ---- the message ---------------------------------------------------------- */

struct text {
	char *s;
	size_t len, cap;
	bool failed;
};

static void
add(struct text *t, const char *p, size_t n)
{
	if (t->failed)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = (t->len + n + 1) * 2;
		char *grown = realloc(t->s, cap);

		if (!grown) {
			t->failed = true;
			return;
		}
		t->s = grown;
		t->cap = cap;
	}
	memcpy(t->s + t->len, p, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void
adds(struct text *t, const char *p)
{
	add(t, p, strlen(p));
}

/* A header value from data: control characters (line breaks too) become
 * spaces; non-ASCII text is RFC 2047 encoded words (base64 of UTF-8, at
 * most 45 bytes each, so a word stays within 75 characters, on folded
 * lines); a display name (phrase) with specials is a quoted string. */
static void
add_value(struct text *t, const char *v, bool phrase)
{
	bool ascii = true, special = false;
	char *clean = strdup(v), b64[64];
	size_t n = strlen(v);

	if (!clean) {
		t->failed = true;
		return;
	}
	for (char *p = clean; *p; p++) {
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = ' ';
		if ((unsigned char)*p >= 0x80)
			ascii = false;
		if (strchr("()<>[]:;@\\,.\"", *p))
			special = true;
	}
	if (ascii && !(phrase && special)) {
		adds(t, clean);
	} else if (ascii) {
		adds(t, "\"");
		for (const char *p = clean; *p; p++) {
			if (*p == '\\' || *p == '"')
				adds(t, "\\");
			add(t, p, 1);
		}
		adds(t, "\"");
	} else {
		for (size_t at = 0, k; at < n; at += k) {
			k = n - at < 45 ? n - at : 45;
			while (k > 1 && at + k < n && ((unsigned char)clean[at + k] & 0xc0) == 0x80)
				k--; /* a character is never cut */
			sodium_bin2base64(b64, sizeof b64, (const unsigned char *)clean + at, k,
					  sodium_base64_VARIANT_ORIGINAL);
			adds(t, at ? "\r\n =?UTF-8?B?" : "=?UTF-8?B?");
			adds(t, b64);
			adds(t, "?=");
		}
	}
	free(clean);
}

/* The body with CRLF line ends, as 7bit when it is short-lined ASCII,
 * else quoted-printable; *cte names which. */
static void
add_body(struct text *t, const char *body, const char **cte)
{
	bool plain = true;
	size_t line = 0;

	for (const unsigned char *p = (const unsigned char *)body; *p; p++) {
		line = *p == '\n' ? 0 : line + 1;
		if (*p >= 0x80 || line > 900 || (*p < ' ' && *p != '\n' && *p != '\t'))
			plain = false;
	}
	*cte = plain ? "7bit" : "quoted-printable";
	line = 0;
	for (const unsigned char *p = (const unsigned char *)body; *p; p++) {
		char hex[8];

		if (*p == '\n') {
			adds(t, "\r\n");
			line = 0;
			continue;
		}
		if (*p == '\r')
			continue;
		if (plain) {
			add(t, (const char *)p, 1);
			continue;
		}
		if (line >= 72) { /* a soft line break */
			adds(t, "=\r\n");
			line = 0;
		}
		if ((*p >= 33 && *p <= 126 && *p != '=') || (*p == ' ' && p[1] && p[1] != '\n')) {
			add(t, (const char *)p, 1);
			line++;
		} else {
			snprintf(hex, sizeof hex, "=%02X", *p);
			adds(t, hex);
			line += 3;
		}
	}
	if (t->len < 2 || strcmp(t->s + t->len - 2, "\r\n") != 0)
		adds(t, "\r\n");
}

static void
add_date(struct text *t, int64_t at)
{
	static const char days[] = "SunMonTueWedThuFriSat",
			  months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	time_t tt = (time_t)at;
	struct tm tm;
	char buf[64];

	gmtime_r(&tt, &tm);
	snprintf(buf, sizeof buf, "Date: %.3s, %02d %.3s %04d %02d:%02d:%02d +0000\r\n",
		 days + 3 * tm.tm_wday, tm.tm_mday, months + 3 * tm.tm_mon, tm.tm_year + 1900,
		 tm.tm_hour, tm.tm_min, tm.tm_sec);
	adds(t, buf);
}

char *
smtp_message(const struct smtp *s, const char *const *to, size_t nto, const char *message_id,
	     const char *subject, const char *body, int64_t date)
{
	struct text head = { 0 }, text = { 0 };
	const char *cte = "7bit", *domain = strchr(s->from_addr, '@') + 1;

	add_body(&text, body ? body : "", &cte);
	add_date(&head, date);
	adds(&head, "Message-ID: <");
	for (const char *p = message_id; *p; p++) /* a token of our own making */
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
		    || *p == '-' || *p == '.')
			add(&head, p, 1);
	adds(&head, "@");
	adds(&head, domain);
	adds(&head, ">\r\nFrom: ");
	if (strcmp(s->from, s->from_addr) != 0) { /* Name <addr>: the name may be encoded */
		char *name = strndup(s->from, (size_t)(strrchr(s->from, '<') - s->from));

		if (name) {
			char *w = name;

			for (const char *r = name; *r; r++) /* quotes are ours to add */
				if (*r != '"')
					*w++ = *r;
			*w = '\0';
			for (size_t n = strlen(name); n > 0 && name[n - 1] == ' '; n--)
				name[n - 1] = '\0';
			add_value(&head, name, true);
			free(name);
		}
		adds(&head, " <");
		adds(&head, s->from_addr);
		adds(&head, ">");
	} else {
		adds(&head, s->from_addr);
	}
	adds(&head, "\r\nTo: ");
	for (size_t i = 0; i < nto; i++) {
		if (i)
			adds(&head, ",\r\n ");
		adds(&head, to[i]); /* checked by smtp_send */
	}
	adds(&head, "\r\nSubject: ");
	add_value(&head, subject ? subject : "", false);
	adds(&head, "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
		    "Content-Transfer-Encoding: ");
	adds(&head, cte);
	adds(&head, "\r\n\r\n");
	add(&head, text.s ? text.s : "", text.len);
	free(text.s);
	if (head.failed || text.failed) {
		free(head.s);
		return NULL;
	}
	return head.s;
}

/* ---- sending ----------------------------------------------------------------- */

struct upload {
	const char *p;
	size_t left;
};

static size_t
feed(char *buf, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t k = size * n < u->left ? size * n : u->left;

	memcpy(buf, u->p, k);
	u->p += k;
	u->left -= k;
	return k;
}

int
smtp_send(struct smtp *s, const char *const *to, size_t nto, const char *message_id,
	  const char *subject, const char *body, struct err *e)
{
	char errbuf[CURL_ERROR_SIZE] = "", from[EMAIL_LEN + 2], rcpt[EMAIL_LEN + 2];
	struct curl_slist *rcpts = NULL;
	struct upload u;
	char *msg = NULL;
	CURL *c = NULL;
	CURLcode rc;
	long code = 0;
	int ret = -1;

	if (nto == 0)
		return err_set(e, ERR_BAD_REQUEST, "no recipient");
	for (size_t i = 0; i < nto; i++) {
		if (!address_ok(to[i])) {
			err_set(e, ERR_BAD_REQUEST, "'%.100s' is no address", to[i]);
			goto cleanup;
		}
		snprintf(rcpt, sizeof rcpt, "<%s>", to[i]);
		struct curl_slist *next = curl_slist_append(rcpts, rcpt);

		if (!next) {
			err_set(e, ERR_INTERNAL, "out of memory");
			goto cleanup;
		}
		rcpts = next;
	}
	if (!(msg = smtp_message(s, to, nto, message_id, subject, body, (int64_t)time(NULL)))
	    || !(c = curl_easy_init())) {
		err_set(e, ERR_INTERNAL, "out of memory");
		goto cleanup;
	}
	u.p = msg;
	u.left = strlen(msg);
	snprintf(from, sizeof from, "<%s>", s->from_addr);
	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_USE_SSL,
			 s->plain_ok ? (long)CURLUSESSL_TRY : (long)CURLUSESSL_ALL);
	if (s->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, s->ca_file);
	if (s->user) {
		curl_easy_setopt(c, CURLOPT_USERNAME, s->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, s->password);
	}
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
	/* a recipient the server refuses does not hold the others' mail */
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, feed);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)s->timeout_s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)(s->timeout_s < 10 ? s->timeout_s : 10));
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (rc != CURLE_OK) {
		err_set(e, ERR_UNAVAILABLE, "%s (last reply %ld)",
			errbuf[0] ? errbuf : curl_easy_strerror(rc), code);
		goto cleanup;
	}
	ret = 0;
cleanup:
	curl_easy_cleanup(c);
	curl_slist_free_all(rcpts);
	free(msg);
	return ret;
}
