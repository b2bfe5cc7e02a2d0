/* deliver.h - tenantryd's webhook delivery (deliver.c): worker threads off
 * every request's path, and the check of an endpoint's URL and address
 * that creating an endpoint and every attempt make. */
#ifndef TENANTRY_SERVER_DELIVER_H
#define TENANTRY_SERVER_DELIVER_H

#include "server/server.h"

/* Resolves the database's hosts (no endpoint may reach them) and starts
 * --webhook-workers workers (0: none; the check still works). */
int deliver_start(const struct server_config *cfg, struct err *e);
/* Stops the workers; an attempt under way finishes first. */
void deliver_stop(void);
/* Checks url as an endpoint may be: the scheme, then every address its
 * host resolves to (webhook_addr_check, --webhook-allow-loopback); without
 * resolve (a request's path: no name lookup there) only an address
 * written in the URL, and loopback names. With pin, the
 * "host:port:address" to connect to. -1 with ERR_INVALID_FIELD "url"
 * saying why not; nothing is connected to. */
int deliver_check_url(char pin[320], const char *url, bool resolve, struct err *e);
/* The delivery counters as Prometheus lines (malloc'd; NULL: out of memory). */
char *deliver_metrics(void);

#endif
