/* webhooks.c - the event types, endpoint URLs and addresses, the retry
 * schedule and the Standard Webhooks signature (webhooks.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/webhooks.h"

static const struct {
	const char *name, *description;
} events[] = {
#define X(e, s, d) { s, d },
	EVENT_TYPES(X)
#undef X
};

const char *
event_type_name(enum event_type t)
{
	return (unsigned)t < EVENT_TYPE_COUNT ? events[t].name : "?";
}

const char *
event_type_description(enum event_type t)
{
	return (unsigned)t < EVENT_TYPE_COUNT ? events[t].description : "";
}

int
event_type_parse(const char *s, enum event_type *out)
{
	for (int i = 0; s && i < EVENT_TYPE_COUNT; i++)
		if (strcmp(s, events[i].name) == 0) {
			*out = (enum event_type)i;
			return 0;
		}
	return -1;
}

/* True when item (len bytes) names a type or is a prefix "x.*" of one. */
static bool
filter_item_known(const char *item, size_t len)
{
	bool prefix = len >= 2 && item[len - 2] == '.' && item[len - 1] == '*';

	for (int i = 0; i < EVENT_TYPE_COUNT; i++) {
		const char *n = events[i].name;

		if (prefix ? strncmp(n, item, len - 1) == 0
			   : (strlen(n) == len && strncmp(n, item, len) == 0))
			return true;
	}
	return false;
}

int
webhook_filter_check(const char *filter, struct err *e)
{
	const char *p = filter;
	int n = 0;

	if (!filter || !*filter)
		return 0;
	if (strlen(filter) >= WEBHOOK_TYPES_LEN)
		return err_field(e, "events", "too long");
	while (*p) {
		size_t len = strcspn(p, ",");

		if (len == 0 || !filter_item_known(p, len))
			return err_field(e, "events", "unknown event type '%.*s' (tenantry events)",
					 (int)(len > 60 ? 60 : len), p);
		if (++n > WEBHOOK_MAX_TYPES)
			return err_field(e, "events", "at most %d event types", WEBHOOK_MAX_TYPES);
		p += len;
		if (*p == ',' && !*++p)
			return err_field(e, "events", "ends with a comma");
	}
	return 0;
}

void
webhook_list_free(struct webhook_list *l)
{
	if (!l)
		return;
	free(l->rows);
	l->rows = NULL;
	l->n = 0;
}

void
webhook_attempt_list_free(struct webhook_attempt_list *l)
{
	if (!l)
		return;
	free(l->rows);
	l->rows = NULL;
	l->n = 0;
}

/* ---- URLs ------------------------------------------------------------------------ */

int
webhook_url_parse(struct webhook_target *out, const char *url, bool allow_loopback, struct err *e)
{
	const char *p, *host, *end;
	size_t hl;

	memset(out, 0, sizeof *out);
	if (!url || !*url)
		return err_field(e, "url", "required");
	if (strlen(url) >= WEBHOOK_URL_LEN)
		return err_field(e, "url", "longer than %d bytes", WEBHOOK_URL_LEN - 1);
	for (p = url; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return err_field(e, "url", "only printable ASCII, no spaces");
	if (strncmp(url, "https://", 8) == 0) {
		out->https = true;
		host = url + 8;
	} else if (strncmp(url, "http://", 7) == 0 && allow_loopback) {
		host = url + 7;
	} else {
		return err_field(e, "url",
				 allow_loopback ? "must start with https:// or http://"
						: "must start with https://");
	}
	end = host + strcspn(host, "/?#");
	if (strchr(url, '#'))
		return err_field(e, "url", "no fragment (#)");
	if (memchr(host, '@', (size_t)(end - host)))
		return err_field(e, "url", "no user or password in the URL");
	out->port = out->https ? 443 : 80;
	if (*host == '[') {
		const char *close = memchr(host, ']', (size_t)(end - host));

		if (!close)
			return err_field(e, "url", "unclosed [ in the host");
		hl = (size_t)(close - host - 1);
		if (hl == 0 || hl >= sizeof out->host)
			return err_field(e, "url", "bad host");
		memcpy(out->host, host + 1, hl);
		p = close + 1;
	} else {
		const char *colon = memchr(host, ':', (size_t)(end - host));

		hl = (size_t)((colon ? colon : end) - host);
		if (hl == 0 || hl >= sizeof out->host)
			return err_field(e, "url", "no host");
		memcpy(out->host, host, hl);
		p = colon ? colon : end;
	}
	if (p < end) {
		char *stop;
		long port;

		if (*p != ':' || p + 1 == end)
			return err_field(e, "url", "bad port");
		port = strtol(p + 1, &stop, 10);
		if (stop != end || port < 1 || port > 65535)
			return err_field(e, "url", "port must be 1..65535");
		out->port = (int)port;
	}
	if (!out->https && strcmp(out->host, "localhost") != 0
	    && webhook_addr_classify_text(out->host) != WEBHOOK_ADDR_LOOPBACK)
		return err_field(e, "url", "plain http is for loopback only: use https://");
	return 0;
}

/* ---- addresses ------------------------------------------------------------------- */

static enum webhook_addr_class
classify4(uint32_t a) /* host order */
{
	uint8_t o1 = (uint8_t)(a >> 24), o2 = (uint8_t)(a >> 16);

	if (o1 == 127)
		return WEBHOOK_ADDR_LOOPBACK;
	if (o1 == 10 || (o1 == 172 && (o2 & 0xf0) == 16) || (o1 == 192 && o2 == 168)
	    || (o1 == 100 && (o2 & 0xc0) == 64))
		return WEBHOOK_ADDR_PRIVATE;
	if (o1 == 169 && o2 == 254)
		return WEBHOOK_ADDR_LINK_LOCAL;
	if (o1 == 0 || o1 >= 224 || (o1 == 192 && o2 == 0 && (uint8_t)(a >> 8) <= 2)
	    || (o1 == 198 && (o2 & 0xfe) == 18)
	    || (o1 == 198 && o2 == 51 && (uint8_t)(a >> 8) == 100)
	    || (o1 == 203 && o2 == 0 && (uint8_t)(a >> 8) == 113)
	    || (o1 == 192 && o2 == 88 && (uint8_t)(a >> 8) == 99))
		return WEBHOOK_ADDR_RESERVED;
	return WEBHOOK_ADDR_PUBLIC;
}

static uint32_t
v4_at(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static enum webhook_addr_class
classify6(const uint8_t *b)
{
	static const uint8_t zero[16], mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff },
				       nat64[12] = { 0, 0x64, 0xff, 0x9b };

	if (memcmp(b, zero, 15) == 0 && b[15] == 1)
		return WEBHOOK_ADDR_LOOPBACK;
	if (memcmp(b, zero, 16) == 0)
		return WEBHOOK_ADDR_RESERVED;
	/* IPv4-mapped, IPv4-compatible (deprecated), NAT64: the IPv4 inside */
	if (memcmp(b, mapped, 12) == 0 || memcmp(b, zero, 12) == 0 || memcmp(b, nat64, 12) == 0)
		return classify4(v4_at(b + 12));
	if (b[0] == 0x20 && b[1] == 0x02) /* 6to4: 2002:V4ADDR::/48 */
		return classify4(v4_at(b + 2));
	if ((b[0] & 0xfe) == 0xfc)
		return WEBHOOK_ADDR_PRIVATE;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return WEBHOOK_ADDR_LINK_LOCAL;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) /* site-local, deprecated */
		return WEBHOOK_ADDR_PRIVATE;
	if (b[0] == 0xff || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
	    || (b[0] == 0x01 && memcmp(b + 1, zero, 7) == 0))
		return WEBHOOK_ADDR_RESERVED; /* multicast, documentation, discard */
	return WEBHOOK_ADDR_PUBLIC;
}

enum webhook_addr_class
webhook_addr_classify(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return classify4(
		    ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr));
	if (sa->sa_family == AF_INET6)
		return classify6(
		    ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr);
	return WEBHOOK_ADDR_RESERVED;
}

enum webhook_addr_class
webhook_addr_classify_text(const char *addr)
{
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };

	if (inet_pton(AF_INET, addr, &a4.sin_addr) == 1)
		return webhook_addr_classify((struct sockaddr *)&a4);
	if (inet_pton(AF_INET6, addr, &a6.sin6_addr) == 1)
		return webhook_addr_classify((struct sockaddr *)&a6);
	return WEBHOOK_ADDR_RESERVED;
}

static bool
same_addr(const struct sockaddr *a, const struct sockaddr_storage *b)
{
	if (a->sa_family != b->ss_family)
		return false;
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *)(const void *)a)->sin_addr.s_addr
		       == ((const struct sockaddr_in *)(const void *)b)->sin_addr.s_addr;
	if (a->sa_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)(const void *)a)->sin6_addr,
			      &((const struct sockaddr_in6 *)(const void *)b)->sin6_addr, 16)
		       == 0;
	return false;
}

int
webhook_addr_check(const struct sockaddr *sa, bool allow_loopback,
		   const struct sockaddr_storage *denied, size_t n, struct err *e)
{
	static const char *const why[] = {
		[WEBHOOK_ADDR_LOOPBACK] = "a loopback address",
		[WEBHOOK_ADDR_PRIVATE] = "a private network address",
		[WEBHOOK_ADDR_LINK_LOCAL] = "a link-local address",
		[WEBHOOK_ADDR_RESERVED] = "a reserved or multicast address",
	};
	enum webhook_addr_class c = webhook_addr_classify(sa);

	for (size_t i = 0; i < n; i++)
		if (same_addr(sa, &denied[i]))
			return err_field(e, "url", "the address is the database server's");
	if (c == WEBHOOK_ADDR_PUBLIC || (c == WEBHOOK_ADDR_LOOPBACK && allow_loopback))
		return 0;
	return err_field(e, "url", "the host resolves to %s, which endpoints may not reach",
			 why[c]);
}

/* ---- retries and signatures -------------------------------------------------------- */

double
webhook_retry_delay(int attempt, int base_ms, double r)
{
	double s = base_ms / 1000.0;

	for (int i = 1; i < attempt && s < 43200; i++)
		s *= 2;
	if (s > 43200)
		s = 43200;
	return s * (1.0 + 0.1 * r);
}

int
webhook_sign(char out[WEBHOOK_SIGNATURE_LEN], const char *secret, const char *msg_id,
	     int64_t timestamp, const char *body, size_t body_len, struct err *e)
{
	unsigned char key[64], mac[crypto_auth_hmacsha256_BYTES];
	size_t keylen = 0;
	crypto_auth_hmacsha256_state st;
	char ts[24];

	out[0] = '\0';
	if (strncmp(secret, "whsec_", 6) != 0
	    || sodium_base642bin(key, sizeof key, secret + 6, strlen(secret + 6), NULL, &keylen,
				 NULL, sodium_base64_VARIANT_ORIGINAL)
		   != 0
	    || keylen == 0)
		return err_set(e, ERR_INTERNAL, "a webhook secret is not whsec_<base64>");
	snprintf(ts, sizeof ts, "%lld", (long long)timestamp);
	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg_id, strlen(msg_id));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, body_len);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, "v1,", 3);
	sodium_bin2base64(out + 3, WEBHOOK_SIGNATURE_LEN - 3, mac, sizeof mac,
			  sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(key, sizeof key);
	return 0;
}
