/* outbound.h - requests tenantryd makes to the outside (webhook
 * deliveries) over libcurl, behind a curl-free interface: the front ends
 * never include libcurl. One client per thread; it keeps its connections
 * alive between requests. */
#ifndef TENANTRY_OUTBOUND_H
#define TENANTRY_OUTBOUND_H

#include <stddef.h>

#include "core/err.h"

struct outbound;

/* A client; NULL when out of memory. */
struct outbound *outbound_new(void);
/* Closes its connections, frees it and clears *o (NULL: nothing). */
void outbound_free(struct outbound **o);

/* One POST. */
struct outbound_post {
	const char *url;
	/* "host:port:address": the connection goes to that address only (the
	 * one the caller checked), whatever the name resolves to later */
	const char *pin;
	const char *const *headers; /* "Name: value", NULL-terminated */
	const char *body;
	size_t body_len;
	int timeout_s;
};
struct outbound_result {
	int status;        /* HTTP status; 0 when none came back */
	int latency_ms;    /* the whole exchange */
	char excerpt[256]; /* the start of the response body, printable */
};

/* Sends p: plain http or https (no other protocol), no redirect followed,
 * no proxy, at most p->timeout_s seconds. 0 when a response came back
 * (whatever its status), -1 with e (ERR_UNAVAILABLE and curl's reason)
 * when none did. */
int outbound_post(struct outbound_result *out, struct outbound *o, const struct outbound_post *p,
		  struct err *e);

#endif
