/* http_refusal.c - the requests libmicrohttpd refuses by itself, before
 * any callback of tenantryd sees them, are answered with a problem as
 * every other refusal is: a request line or head it cannot parse (400), a
 * head larger than a connection's memory (414, 431), a chunk size it cannot
 * hold (413), and a request line naming an HTTP major version other than
 * 1, which it answers 505 and tenantryd answers 400 (HTTP/2.0, HTTP/0.9,
 * HTTP/3.0 are malformed requests to a server of HTTP/1.x).
 *
 * libmicrohttpd 0.9.75 checks the version while it parses the request
 * line (parse_http_version in connection.c), before the URI log callback
 * and the access handler run, and sends its own page through
 * transmit_error_response_len, which queues it with MHD_queue_response.
 * That is an exported function which the library calls through its
 * procedure linkage table, so the definition below, which the executable
 * exports, is the one the library reaches, as a program's own malloc is
 * the one libc reaches (ELF symbol interposition; libmicrohttpd 1.0.1
 * queues its pages the same way). Every response passes through it; one
 * with a status of the table below and no Content-Type is one of the
 * library's own pages (tenantryd's replies always name their type) and is
 * replaced. libmicrohttpd closes the connection afterwards, as after every
 * error of its own. Only a refused request pays for this, and it holds
 * whatever the request's shape: whole or trickled in, the first on its
 * connection or a later one, pipelined behind another. That a build of
 * the library still calls through its linkage table is what the
 * malformed suite checks; tenantryd warns at start when this definition
 * is not the first the dynamic linker finds.
 */
#include <dlfcn.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "server/http.h"
#include "server/log.h"
#include "server/server.h"

typedef enum MHD_Result
queue_fn(struct MHD_Connection *c, unsigned int status, struct MHD_Response *resp);

static queue_fn *real_queue; /* libmicrohttpd's own */
static pthread_once_t found = PTHREAD_ONCE_INIT;

/* libmicrohttpd's refusals, as tenantryd answers them. */
static const struct refusal {
	unsigned from, status;
	const char *title, *code, *detail;
} refusals[] = {
	{ MHD_HTTP_HTTP_VERSION_NOT_SUPPORTED, 400, "Bad request", "bad_request",
	  "only HTTP/1.0 and HTTP/1.1 are served" },
	{ 400, 400, "Bad request", "bad_request", "the request line or its head is malformed" },
	{ 413, 413, "Request body too large", "body_too_large",
	  "a chunk of the body is larger than the server reads" },
	{ 414, 414, "URI too long", "uri_too_long",
	  "the request line is longer than the server reads" },
	{ 431, 431, "Request header fields too large", "header_fields_too_large",
	  "the request head is larger than the server reads" },
};

static void
find_real_queue(void)
{
	void *fn = dlsym(RTLD_NEXT, "MHD_queue_response");

	memcpy(&real_queue, &fn, sizeof real_queue); /* object to function pointer */
}

/* The refused request's line in the log and its count in /metrics, as
 * for a request refused by access_cb. */
static void
note_refusal(struct MHD_Connection *c, unsigned status, const char *request_id)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	const struct conn_rec *rec = ci ? ci->socket_context : NULL;
	char st[8];

	metrics_request(ROUTE_COUNT, (int)status, 0.0);
	snprintf(st, sizeof st, "%u", status);
	log_line(LOG_LEVEL_INFO, "request", "route", "none", "status", st, "duration_ms", "0.000",
		 "ip", rec ? rec->ip : NULL, "request_id", request_id, NULL);
}

/* Queues a problem for refusal f in place of libmicrohttpd's page (resp);
 * when the problem cannot be made, resp itself with the problem's
 * status. */
static enum MHD_Result
queue_problem(struct MHD_Connection *c, const struct refusal *f, struct MHD_Response *resp)
{
	unsigned status = f->status;
	struct MHD_Response *problem;
	enum MHD_Result ret;
	char id[17], body[320];
	int n;

	log_request_id_new(id);
	n = snprintf(body, sizeof body,
		     "{\"type\":\"about:blank\",\"title\":\"%s\",\"status\":%u,\"detail\":\"%s\","
		     "\"code\":\"%s\",\"request_id\":\"%s\"}",
		     f->title, status, f->detail, f->code, id);
	note_refusal(c, status, id);
	problem = MHD_create_response_from_buffer((size_t)n, body, MHD_RESPMEM_MUST_COPY);
	if (!problem)
		return real_queue(c, status, resp);
	MHD_add_response_header(problem, "Content-Type", "application/problem+json");
	MHD_add_response_header(problem, "X-Request-Id", id);
	MHD_add_response_header(problem, "Cache-Control", "no-store");
	MHD_add_response_header(problem, "X-Content-Type-Options", "nosniff");
	ret = real_queue(c, status, problem);
	MHD_destroy_response(problem);
	return ret;
}

/* libmicrohttpd's MHD_queue_response as every caller reaches it, the
 * library itself included: the same, but the library's own refusals
 * (a status of the table, no Content-Type) become problems. */
enum MHD_Result
MHD_queue_response(struct MHD_Connection *c, unsigned int status, struct MHD_Response *resp)
{
	pthread_once(&found, find_real_queue);
	if (!real_queue)
		return MHD_NO;
	if (status >= 400 && resp && !MHD_get_response_header(resp, "Content-Type"))
		for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++)
			if (refusals[i].from == status)
				return queue_problem(c, &refusals[i], resp);
	return real_queue(c, status, resp);
}

/* libmicrohttpd's log line for each refusal of its own names the status
 * it queued: the one for a 505, which went out as a 400, is left out
 * (note_refusal wrote the request's line). */
void
http_refusal_log(void *cls, const char *fmt, va_list ap)
{
	static const char refusing[] = "Error processing request (HTTP response code is %u";
	bool version = false;
	va_list aq;

	if (strncmp(fmt, refusing, sizeof refusing - 1) == 0) {
		va_copy(aq, ap);
		version = va_arg(aq, unsigned) == MHD_HTTP_HTTP_VERSION_NOT_SUPPORTED;
		va_end(aq);
	}
	if (!version)
		log_mhd(cls, fmt, ap);
}

bool
http_refusal_hooked(void)
{
	void *first = dlsym(RTLD_DEFAULT, "MHD_queue_response");
	queue_fn *ours = MHD_queue_response;
	void *p;

	memcpy(&p, &ours, sizeof p);
	pthread_once(&found, find_real_queue);
	return first == p && real_queue != NULL;
}
