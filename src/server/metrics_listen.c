/* metrics_listen.c - /metrics on an address of its own (--metrics-listen),
 * without a credential, for a Prometheus scraper on the operators'
 * network: on the API's listener /metrics needs a staff token. One
 * libmicrohttpd thread of its own; it answers GET /metrics and 404 to
 * anything else, and never touches the database. */
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "server/server.h"

static struct MHD_Daemon *daemon_m;

static enum MHD_Result
answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
       const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	static const char nf[] = "not found\n";
	bool ok = (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		  && strcmp(url, "/metrics") == 0;
	char *text = ok ? metrics_render() : NULL;
	struct MHD_Response *r;
	enum MHD_Result rc;

	(void)cls, (void)version, (void)upload, (void)con_cls;
	if (*upload_size) { /* a body is not read */
		*upload_size = 0;
		return MHD_YES;
	}
	r = text ? MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE)
		 : MHD_create_response_from_buffer(sizeof nf - 1, (void *)nf,
						   MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type",
				text ? "text/plain; version=0.0.4; charset=utf-8"
				     : "text/plain; charset=utf-8");
	rc = MHD_queue_response(c, text ? MHD_HTTP_OK : MHD_HTTP_NOT_FOUND, r);
	MHD_destroy_response(r);
	return rc;
}

int
metrics_listen_start(const struct sockaddr *addr, struct err *e)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;

	if (addr->sa_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	daemon_m = MHD_start_daemon(flags, 0, NULL, NULL, answer, NULL, MHD_OPTION_SOCK_ADDR, addr,
				    MHD_OPTION_CONNECTION_LIMIT, 16u, MHD_OPTION_CONNECTION_TIMEOUT,
				    10u, MHD_OPTION_END);
	if (!daemon_m)
		return err_set(e, ERR_UNAVAILABLE, "cannot listen on --metrics-listen %s",
			       server_cfg->metrics_listen);
	return 0;
}

void
metrics_listen_stop(void)
{
	if (daemon_m)
		MHD_stop_daemon(daemon_m);
	daemon_m = NULL;
}
