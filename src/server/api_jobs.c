/* api_jobs.c - the background jobs' routes: each job's state (what
 * `tenantry jobs list` and the console's jobs pane show over --url) and a
 * purged tenant's deletion certificate. Staff only (routes.h). */
#include <stdlib.h>
#include <string.h>

#include "core/jobs.h"
#include "server/api.h"

void
api_jobs_list(struct req *r, struct reply *rp)
{
	struct job_info_list l;
	struct err e;
	json_t *items;

	if (store_job_list(&l, r->st, &e) < 0)
		return api_fail(rp, &e);
	items = LIST_JSON(job_info, &l);
	job_info_list_free(&l);
	reply_json(rp, 200, api_items(items, ""));
}

void
api_deletion_certificate(struct req *r, struct reply *rp)
{
	const char *tenant = route_param(&r->match, "tenant");
	struct err e;
	char *doc;

	if (store_deletion_certificate(&doc, r->st, tenant ? tenant : "", &e) < 0)
		return api_fail(rp, &e);
	reply_json_text(rp, 200, doc);
}
