/* outbound_http.c - webhook POSTs over libcurl (outbound.h). */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/outbound.h"

struct outbound {
	CURL *curl;
};

/* A response body is read up to RESPONSE_MAX bytes (the connection then
 * kept for the next request); past that the transfer is cut (and the
 * connection closed), the status and the excerpt of its start in hand. */
#define RESPONSE_MAX ((size_t)1 << 20)

struct sink {
	char *buf;
	size_t len, cap, seen;
};

static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n;

	for (size_t i = 0; i < len && s->len + 1 < s->cap; i++) {
		unsigned char c = (unsigned char)data[i];

		/* printable ASCII only: the excerpt goes to a text column and a
		 * log, where a receiver's invalid UTF-8 would fail the record */
		s->buf[s->len++] = (char)(c < 0x20 || c >= 0x7f ? ' ' : c);
	}
	s->buf[s->len] = '\0';
	s->seen += len;
	/* read and dropped up to RESPONSE_MAX, cut after */
	return s->seen > RESPONSE_MAX ? 0 : len;
}

struct outbound *
outbound_new(void)
{
	struct outbound *o = calloc(1, sizeof *o);

	if (!o)
		return NULL;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!(o->curl = curl_easy_init())) {
		free(o);
		return NULL;
	}
	return o;
}

void
outbound_free(struct outbound **o)
{
	if (!o || !*o)
		return;
	curl_easy_cleanup((*o)->curl);
	free(*o);
	*o = NULL;
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

int
outbound_post(struct outbound_result *out, struct outbound *o, const struct outbound_post *p,
	      struct err *e)
{
	CURL *c = o->curl;
	struct curl_slist *h = NULL, *pin = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	struct sink sink = { out->excerpt, 0, sizeof out->excerpt, 0 };
	struct timespec t0;
	CURLcode rc;
	long status = 0;

	memset(out, 0, sizeof *out);
	for (const char *const *x = p->headers; x && *x; x++)
		if (!(h = curl_slist_append(h, *x)))
			goto oom;
	if (!(h = curl_slist_append(h, "Expect:"))
	    || (p->pin && !(pin = curl_slist_append(NULL, p->pin))))
		goto oom;
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, p->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_RESOLVE, pin);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)p->timeout_s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)(p->timeout_s < 5 ? p->timeout_s : 5));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, p->body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)p->body_len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = curl_easy_perform(c);
	out->latency_ms = (int)ms_since(&t0);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c, CURLOPT_RESOLVE, NULL);
	curl_slist_free_all(h);
	curl_slist_free_all(pin);
	out->status = (int)status;
	if (rc != CURLE_OK && status == 0)
		return err_set(e, ERR_UNAVAILABLE, "%s",
			       errbuf[0] ? errbuf : curl_easy_strerror(rc));
	return 0;
oom:
	curl_slist_free_all(h);
	curl_slist_free_all(pin);
	return err_set(e, ERR_INTERNAL, "out of memory");
}
