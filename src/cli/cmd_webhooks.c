/* cmd_webhooks.c - `tenantry webhooks list|add|remove|enable|disable|test|
 * log|redeliver|events`: endpoints that receive the platform's or one
 * tenant's events, signed as Standard Webhooks, and their delivery log. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/json.h"
#include "core/webhooks.h"

static const char WEBHOOKS_HELP[] =
    "usage: tenantry webhooks list [--tenant T]\n"
    "       tenantry webhooks add URL [--tenant T] [--events LIST] [--description TEXT]\n"
    "       tenantry webhooks remove|enable|disable ID\n"
    "       tenantry webhooks test ID [--wait SECONDS]\n"
    "       tenantry webhooks log ID [--limit N]\n"
    "       tenantry webhooks redeliver ID EVENT\n"
    "       tenantry webhooks events\n"
    "An endpoint without --tenant is the platform's: it receives every tenant's\n"
    "events. --events takes event types or prefixes (member.*), comma-separated;\n"
    "without it, every event. `add` prints the signing secret once. `test` sends a\n"
    "webhook.test event and waits (10 s) for its first attempt: exit 1 if it failed.\n"
    "`log` lists the newest attempts first. `events` lists the event types.\n";

static void
print_endpoint(const struct cli *c, const struct webhook *w, const char *secret)
{
	if (c->json) {
		json_t *j = webhook_to_json(w);

		if (j && secret)
			json_object_set_new(j, "secret", json_string(secret));
		json_print(j);
		return;
	}
	printf("endpoint  %s\n", w->id);
	printf("owner     %s\n", w->tenant_slug[0] ? cli_safe(w->tenant_slug) : "platform");
	printf("url       %s\n", cli_safe(w->url));
	printf("events    %s\n", w->event_types[0] ? cli_safe(w->event_types) : "all");
	printf("enabled   %s%s%s\n", w->enabled ? "yes" : "no", w->disabled_reason[0] ? ": " : "",
	       cli_safe(w->disabled_reason));
	if (secret)
		printf("secret    %s\n          (shown only now: keep it with the receiver)\n",
		       secret);
}

static int
hooks_list(struct cli *c, const char *tenant)
{
	struct webhook_list l;

	if (cli_store(c) < 0 || store_webhook_list(&l, c->st, tenant, &c->err) < 0)
		return cli_fail(c);
	if (c->json) {
		json_t *arr = json_array();

		for (size_t i = 0; i < l.n; i++)
			json_array_append_new(arr, webhook_to_json(&l.rows[i]));
		json_print(arr);
	} else {
		struct table *t = table_new(7, (const char *[]){ "ID", "OWNER", "URL", "EVENTS",
								 "STATE", "FAILURES", "PENDING" });

		for (size_t i = 0; i < l.n; i++) {
			const struct webhook *w = &l.rows[i];
			char failures[16], pending[24];

			snprintf(failures, sizeof failures, "%d", w->failures);
			snprintf(pending, sizeof pending, "%lld", (long long)w->pending);
			table_add(t, w->id, w->tenant_slug[0] ? w->tenant_slug : "platform", w->url,
				  w->event_types[0] ? w->event_types : "all",
				  w->enabled ? "enabled" : "disabled", failures, pending);
		}
		table_print(t);
	}
	webhook_list_free(&l);
	return 0;
}

static int
hooks_add(struct cli *c, int argc, char **argv)
{
	struct opt o[] = { { "tenant", 1 }, { "events", 1 }, { "description", 1 } };
	struct webhook_new n = { 0 };
	struct webhook w;
	char secret[WEBHOOK_SECRET_LEN];
	int rest = opt_parse("webhooks add ", argc, argv, o, NOPTS(o));

	if (rest < 0)
		return EXIT_USAGE;
	if (rest != 1)
		return cli_usage("webhooks ", "add takes one URL");
	n.url = argv[0];
	n.tenant = opt_get(o, NOPTS(o), "tenant");
	n.event_types = opt_get(o, NOPTS(o), "events");
	n.description = opt_get(o, NOPTS(o), "description");
	if (webhook_filter_check(n.event_types, &c->err) < 0)
		return cli_usage("webhooks ", "--events: %s", c->err.message);
	if (cli_refuse_write(c) < 0 || cli_store(c) < 0
	    || store_webhook_create(&w, secret, c->st, &n, &c->err) < 0)
		return cli_fail(c);
	print_endpoint(c, &w, secret);
	memset(secret, 0, sizeof secret);
	return 0;
}

static int
hooks_set(struct cli *c, const char *id, const char *verb)
{
	struct webhook w;

	if (cli_refuse_write(c) < 0 || cli_store(c) < 0)
		return cli_fail(c);
	if (strcmp(verb, "remove") == 0) {
		if (store_webhook_delete(c->st, id, &c->err) < 0)
			return cli_fail(c);
		if (c->json)
			json_print(json_pack("{s:s, s:b}", "id", id, "removed", 1));
		else
			printf("removed %s\n", cli_safe(id));
		return 0;
	}
	if (store_webhook_set_enabled(&w, c->st, id, strcmp(verb, "enable") == 0, &c->err) < 0)
		return cli_fail(c);
	print_endpoint(c, &w, NULL);
	return 0;
}

static void
print_attempts(const struct cli *c, const struct webhook_attempt_list *l)
{
	if (c->json) {
		json_t *arr = json_array();

		for (size_t i = 0; i < l->n; i++)
			json_array_append_new(arr, webhook_attempt_to_json(&l->rows[i]));
		json_print(arr);
		return;
	}
	struct table *t = table_new(8, (const char *[]){ "AT", "EVENT", "TYPE", "ATTEMPT", "STATUS",
							 "MS", "STATE", "ERROR / RESPONSE" });

	for (size_t i = 0; i < l->n; i++) {
		const struct webhook_attempt *a = &l->rows[i];
		char at[32], attempt[12], status[12], ms[12];

		snprintf(attempt, sizeof attempt, "%d", a->attempt);
		snprintf(status, sizeof status, "%d", a->status);
		snprintf(ms, sizeof ms, "%d", a->latency_ms);
		table_add(t, fmt_time(at, a->at), a->event_id, a->event_type, attempt,
			  a->status ? status : "-", ms, a->state,
			  a->error[0] ? a->error : a->response);
	}
	table_print(t);
}

static int
hooks_log(struct cli *c, int argc, char **argv)
{
	struct opt o[] = { { "limit", 1 } };
	struct webhook_attempt_list l;
	const char *v;
	int limit = 50, rest = opt_parse("webhooks log ", argc, argv, o, NOPTS(o));

	if (rest < 0)
		return EXIT_USAGE;
	if (rest != 1)
		return cli_usage("webhooks ", "log takes one endpoint id");
	if ((v = opt_get(o, NOPTS(o), "limit")) && ((limit = atoi(v)) < 1 || limit > 1000))
		return cli_usage("webhooks ", "--limit wants 1..1000");
	if (cli_store(c) < 0 || store_webhook_attempts(&l, c->st, argv[0], limit, &c->err) < 0)
		return cli_fail(c);
	print_attempts(c, &l);
	webhook_attempt_list_free(&l);
	return 0;
}

/* Sends a test event and waits for its first attempt. */
static int
hooks_test(struct cli *c, int argc, char **argv)
{
	struct opt o[] = { { "wait", 1 } };
	char event[ID_LEN];
	const char *v;
	int wait = 10, rest = opt_parse("webhooks test ", argc, argv, o, NOPTS(o));

	if (rest < 0)
		return EXIT_USAGE;
	if (rest != 1)
		return cli_usage("webhooks ", "test takes one endpoint id");
	if ((v = opt_get(o, NOPTS(o), "wait")) && ((wait = atoi(v)) < 0 || wait > 300))
		return cli_usage("webhooks ", "--wait wants seconds in 0..300");
	if (cli_refuse_write(c) < 0 || cli_store(c) < 0
	    || store_webhook_test(event, c->st, argv[0], &c->err) < 0)
		return cli_fail(c);
	for (int tick = 0; tick <= wait * 4; tick++) {
		struct webhook_attempt_list l;

		if (store_webhook_attempts(&l, c->st, argv[0], 20, &c->err) < 0)
			return cli_fail(c);
		for (size_t i = 0; i < l.n; i++) {
			const struct webhook_attempt *a = &l.rows[i];
			bool ok = a->status >= 200 && a->status < 300;

			if (strcmp(a->event_id, event) != 0)
				continue;
			if (c->json)
				json_print(webhook_attempt_to_json(a));
			else
				printf("test event %s: %s (HTTP %d, %d ms)%s%s\n", event,
				       ok ? "delivered" : "failed", a->status, a->latency_ms,
				       a->error[0] ? ": " : "", cli_safe(a->error));
			webhook_attempt_list_free(&l);
			return ok ? 0 : 1;
		}
		webhook_attempt_list_free(&l);
		if (tick < wait * 4)
			usleep(250000);
	}
	if (c->json)
		json_print(json_pack("{s:s, s:s}", "event_id", event, "state", "pending"));
	else
		printf("test event %s queued; no attempt yet (is a tenantryd delivering?)\n",
		       event);
	return 1;
}

static int
hooks_events(const struct cli *c)
{
	if (c->json) {
		json_t *arr = json_array();

		for (int i = 0; i < EVENT_TYPE_COUNT; i++)
			json_array_append_new(
			    arr,
			    json_pack("{s:s, s:s}", "type", event_type_name((enum event_type)i),
				      "description", event_type_description((enum event_type)i)));
		json_print(arr);
		return 0;
	}
	for (int i = 0; i < EVENT_TYPE_COUNT; i++)
		printf("%-30s %s\n", event_type_name((enum event_type)i),
		       event_type_description((enum event_type)i));
	return 0;
}

int
cmd_webhooks(struct cli *c, int argc, char **argv)
{
	const char *sub = argc ? argv[0] : "list";

	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0
		    || (i == 0 && strcmp(argv[i], "help") == 0)) {
			fputs(WEBHOOKS_HELP, stdout);
			return 0;
		}
	if (strcmp(sub, "list") == 0) {
		struct opt o[] = { { "tenant", 1 } };
		int rest = argc ? opt_parse("webhooks list ", argc - 1, argv + 1, o, NOPTS(o)) : 0;

		if (rest < 0)
			return EXIT_USAGE;
		if (rest > 0)
			return cli_usage("webhooks ", "list takes no arguments (--tenant T)");
		return hooks_list(c, argc ? opt_get(o, NOPTS(o), "tenant") : NULL);
	}
	if (strcmp(sub, "add") == 0)
		return hooks_add(c, argc - 1, argv + 1);
	if (strcmp(sub, "remove") == 0 || strcmp(sub, "enable") == 0
	    || strcmp(sub, "disable") == 0) {
		if (argc != 2)
			return cli_usage("webhooks ", "%s takes one endpoint id", sub);
		return hooks_set(c, argv[1], sub);
	}
	if (strcmp(sub, "test") == 0)
		return hooks_test(c, argc - 1, argv + 1);
	if (strcmp(sub, "log") == 0)
		return hooks_log(c, argc - 1, argv + 1);
	if (strcmp(sub, "redeliver") == 0) {
		if (argc != 3)
			return cli_usage("webhooks ",
					 "redeliver takes an endpoint id and an event id");
		if (cli_refuse_write(c) < 0 || cli_store(c) < 0
		    || store_webhook_redeliver(c->st, argv[1], argv[2], &c->err) < 0)
			return cli_fail(c);
		if (c->json)
			json_print(
			    json_pack("{s:s, s:s}", "endpoint", argv[1], "event_id", argv[2]));
		else
			printf("event %s queued again for %s\n", cli_safe(argv[2]),
			       cli_safe(argv[1]));
		return 0;
	}
	if (strcmp(sub, "events") == 0)
		return argc == 1 ? hooks_events(c)
				 : cli_usage("webhooks ", "events takes no arguments");
	return cli_usage("webhooks ", "unknown subcommand '%s'", cli_safe(sub));
}
