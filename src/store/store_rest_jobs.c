/* store_rest_jobs.c - the background jobs over tenantryd (routes.h): each
 * job's state and a deletion certificate. Running a job is the database
 * store's (`tenantry jobs run` needs --db): ERR_METHOD here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jobs.h"
#include "core/json.h"
#include "store/store_rest.h"

REST_LIST(job_info)

static int
rest_job_list(struct job_info_list *out, struct store *st, struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	rest_route(&p, ROUTE_JOBS_LIST);
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return job_info_items(out, reply, e);
}

static int
rest_job_run(struct job_result *out, struct store *st, const struct job_run_opts *o, struct err *e)
{
	(void)st;
	(void)o;
	memset(out, 0, sizeof *out);
	return rest_over_db(e, "running a job");
}

/* The certificate as tenantryd wrote it, checked to be a JSON object. */
static int
rest_deletion_certificate(char **json_out, struct store *st, const char *tenant, struct err *e)
{
	struct rest_path p;
	json_t *doc;

	*json_out = NULL;
	REST_NEED_TENANT(tenant, e);
	rest_route(&p, ROUTE_DELETION_CERTIFICATE, tenant);
	if (rest_call_text(rest_of(st), &p, json_out, e) < 0)
		return -1;
	if (!(doc = json_loads(*json_out, 0, NULL)) || !json_is_object(doc)) {
		json_decref(doc);
		free(*json_out);
		*json_out = NULL;
		return rest_bad_reply(e, "deletion certificate", NULL);
	}
	json_decref(doc);
	return 0;
}

void
rest_ops_jobs(struct store_ops *ops)
{
	ops->job_list = rest_job_list;
	ops->job_run = rest_job_run;
	ops->deletion_certificate = rest_deletion_certificate;
}
