/* fuzz_http.c - feeds an arbitrary HTTP request to tenantryd's request
 * path: the head is split here (method, path, query, headers), then as
 * access_cb in src/server/http.c does: route_find (routes.c), the body's
 * depth check and parse (json_limit.c, jansson), and handle()
 * (handlers.c: credentials, permission, the handler's parse of query and
 * body, idempotency.c) with the store stubbed at its interface
 * (store_stub.c).
 *
 * libmicrohttpd is not in the loop: the target is linked with
 * -Wl,--wrap=MHD_lookup_connection_value, so http.c's own req_query and
 * req_header read the head split here (r->conn points at it). pool_get
 * hands out the stub store; sse_start answers 503 (streams need the event
 * loops).
 *
 * Input: a request as on the wire ("PUT /api/tenants/x?y=1 HTTP/1.1",
 * header lines, a blank line, the body; LF or CRLF). In the
 * Authorization header, "Bearer @staff", "@support" and "@user" stand for
 * valid tokens of a platform admin, a support engineer and a tenant
 * admin, so the fuzzer gets past authentication. Heads over the bounds
 * tenantryd answers 414 or 431 for are not run. A reply must not be a
 * 5xx other than 503 (issue 16), else the target aborts. With
 * FUZZ_HTTP_SHOW set in the environment, every reply is printed.
 */
#include <microhttpd.h>
#include <stdio.h>
#include <strings.h>
#include <unistd.h>

#include "core/json_limit.h"
#include "fuzz/fuzz.h"
#include "fuzz/store_stub.h"
#include "server/http.h"
#include "server/server.h"

#define FIELDS_MAX (HTTP_HEADERS_MAX + HTTP_QUERY_PARAMS_MAX)

/* The head of one request, split; what r->conn points at. */
struct head {
	char *method, *path, *query;
	int nheaders, nargs;
	struct field {
		char *name, *value;
	} header[HTTP_HEADERS_MAX], arg[HTTP_QUERY_PARAMS_MAX];
};

static struct server_config cfg = {
	.issuer = "tenantry",
	.audience = "tenantry-api",
	.token_ttl = 3600,
	.pool = 1,
	.body_max = 65536,
	.sse_max = 64,
	.leeway = 30,
};
static struct store stub;
static char *token_staff, *token_support, *token_user;

const char *__wrap_MHD_lookup_connection_value(struct MHD_Connection *c, enum MHD_ValueKind kind,
					       const char *key);

/* As libmicrohttpd: the first field of that name, any case. */
const char *
__wrap_MHD_lookup_connection_value(struct MHD_Connection *c, enum MHD_ValueKind kind,
				   const char *key)
{
	const struct head *h = (const struct head *)c;
	const struct field *f = kind == MHD_HEADER_KIND ? h->header : h->arg;
	int n = kind == MHD_HEADER_KIND         ? h->nheaders
		: kind == MHD_GET_ARGUMENT_KIND ? h->nargs
						: 0;

	for (int i = 0; key && i < n; i++)
		if (strcasecmp(f[i].name, key) == 0)
			return f[i].value;
	return NULL;
}

struct store *
pool_get(struct err *e)
{
	(void)e;
	return &stub;
}

void
pool_put(struct store *st)
{
	(void)st;
}

void
pool_stats(struct pool_stats *out)
{
	memset(out, 0, sizeof *out);
}

int
pool_open_system(struct store **out, struct err *e)
{
	*out = NULL;
	return err_set(e, ERR_UNAVAILABLE, "no background sessions in the fuzz target");
}

void
sse_start(struct req *r, struct reply *rp, const char *tenant)
{
	struct err e;

	(void)r;
	(void)tenant;
	err_set(&e, ERR_UNAVAILABLE, "no audit streams in the fuzz build");
	reply_error(rp, &e, NULL);
}

static char *
issue(enum principal_kind kind, enum staff_role staff, enum member_role role)
{
	struct principal p = { .kind = kind, .staff = staff, .role = role };
	struct err e;
	int64_t expires;
	char *tok;

	snprintf(p.user_id, sizeof p.user_id, "0b6a4f1e-6c1d-4f7e-9a55-3f1f8a3c2d10");
	snprintf(p.email, sizeof p.email, "fuzz@tenantry.test");
	snprintf(p.tenant_id, sizeof p.tenant_id, "5d0c7c7e-2f5b-4a8e-8f43-0e6f3b0f9a21");
	if (auth_issue(&tok, &expires, &p, &e) < 0) {
		fprintf(stderr, "fuzz_http: %s\n", e.message);
		abort();
	}
	return tok;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[] = "/tmp/tenantry-fuzz-jwt-XXXXXX";
	static const char secret[] = "fuzz-secret-fuzz-secret-fuzz-secret-0123456789";
	int fd = mkstemp(path);
	struct err e;

	(void)argc;
	(void)argv;
	if (fd < 0 || write(fd, secret, sizeof secret - 1) != (ssize_t)sizeof secret - 1)
		abort();
	close(fd);
	cfg.jwt_secret_file = path;
	server_cfg = &cfg;
	if (auth_init(&cfg, &e) < 0) {
		fprintf(stderr, "fuzz_http: %s\n", e.message);
		abort();
	}
	unlink(path);
	if (!store_stub_complete()) {
		fprintf(stderr, "fuzz_http: store_stub.c misses an operation of store.h\n");
		abort();
	}
	store_stub_init(&stub);
	token_staff = issue(PRINCIPAL_STAFF, STAFF_PLATFORM_ADMIN, ROLE_VIEWER);
	token_support = issue(PRINCIPAL_STAFF, STAFF_SUPPORT, ROLE_VIEWER);
	token_user = issue(PRINCIPAL_USER, STAFF_NONE, ROLE_ADMIN);
	return 0;
}

/* The next line of *p (LF or CRLF), cut in place; NULL at the end. */
static char *
next_line(char **p)
{
	char *line = *p, *nl;

	if (!line)
		return NULL;
	if ((nl = strchr(line, '\n'))) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = NULL;
	}
	if (*line && line[strlen(line) - 1] == '\r')
		line[strlen(line) - 1] = '\0';
	return line;
}

/* A header's value, with the token placeholders replaced. */
static char *
header_value(const char *name, char *value)
{
	static char bearer[4096];
	const char *tok = NULL;

	if (strcasecmp(name, "Authorization") != 0 || strncmp(value, "Bearer @", 8) != 0)
		return value;
	if (strcmp(value + 8, "staff") == 0)
		tok = token_staff;
	else if (strcmp(value + 8, "support") == 0)
		tok = token_support;
	else if (strcmp(value + 8, "user") == 0)
		tok = token_user;
	if (!tok)
		return value;
	snprintf(bearer, sizeof bearer, "Bearer %s", tok);
	return bearer;
}

/* Splits the query as libmicrohttpd does (at '&', then the first '='),
 * values left escaped; -1 past the bounds (414). */
static int
split_query(struct head *h)
{
	int params = 1;
	char *q = h->query, *next;

	if (!q)
		return 0;
	for (const char *p = q; *p; p++)
		params += *p == '&' || *p == ';';
	if (params > HTTP_QUERY_PARAMS_MAX || strlen(q) > HTTP_QUERY_MAX)
		return -1;
	for (; q; q = next) {
		char *eq;

		if ((next = strchr(q, '&')))
			*next++ = '\0';
		if (!*q)
			continue;
		if ((eq = strchr(q, '=')))
			*eq++ = '\0';
		h->arg[h->nargs].name = q;
		h->arg[h->nargs++].value = eq;
	}
	return 0;
}

/* Splits the request in text (a copy of the input cut at its first NUL);
 * -1 when tenantryd would not run it. *body is the offset of the body in
 * text, or -1 when the head has no end. */
static int
split_request(struct head *h, char *text, long *body)
{
	char *p = text, *line = next_line(&p), *line_end, *q;

	memset(h, 0, sizeof *h);
	if (!line || !(h->method = strtok_r(line, " ", &line_end))
	    || !(h->path = strtok_r(NULL, " ", &line_end)))
		return -1;
	if ((q = strchr(h->path, '?'))) {
		*q = '\0';
		h->query = q + 1;
	}
	while ((line = next_line(&p)) && *line) {
		char *colon = strchr(line, ':'), *value;

		if (!colon || colon == line)
			return -1; /* libmicrohttpd answers 400 */
		if (h->nheaders == HTTP_HEADERS_MAX)
			return -1; /* 431 */
		*colon = '\0';
		for (value = colon + 1; *value == ' ' || *value == '\t'; value++)
			;
		h->header[h->nheaders].name = line;
		h->header[h->nheaders++].value = header_value(line, value);
	}
	*body = line && p ? p - text : -1;
	return split_query(h);
}

/* access_cb's part between the head and the task: route, body, handle. */
static void
run(struct head *h, const char *body, size_t len)
{
	struct req r = { .method = h->method,
			 .path = h->path,
			 .conn = h,
			 .raw_body = body,
			 .raw_len = len };
	struct reply rp = { .status = 500 };
	json_error_t je;
	struct err e;

	snprintf(r.ip, sizeof r.ip, "127.0.0.1");
	if (route_find(&r.match, h->method, h->path) < 0)
		return;
	if (len > cfg.body_max)
		return; /* 413 */
	if (len && json_body_check(body, len, JSON_DEPTH_MAX, &e) < 0)
		return;
	if (len && !(r.body = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je)))
		return;
	handle(&r, &rp);
	if (rp.status < 200 || rp.status > 599 || (rp.status >= 500 && rp.status != 503)
	    || getenv("FUZZ_HTTP_SHOW")) {
		char *text = rp.json ? json_dumps(rp.json, 0) : NULL;

		fprintf(stderr, "fuzz_http: %s %s answered %d %s\n", h->method, h->path, rp.status,
			text ? text : "");
		free(text);
		if (!getenv("FUZZ_HTTP_SHOW"))
			abort();
	}
	json_decref(r.body);
	for (int i = 0; i < r.nowned; i++)
		free(r.owned[i]);
	reply_clear(&rp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct head h;
	char *text = fuzz_text(data, size), *body = NULL;
	long off;

	/* The body as received: NULs and all, NUL-terminated as http.c's. */
	if (split_request(&h, text, &off) == 0) {
		size_t len = off < 0 ? 0 : size - (size_t)off;

		body = fuzz_text(data + (off < 0 ? size : (size_t)off), len);
		run(&h, body, len);
	}
	free(body);
	free(text);
	return 0;
}
