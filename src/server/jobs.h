/* jobs.h - tenantryd's background jobs (jobs.c): a thread of its own, off
 * every request's path, that runs the due jobs of the jobs table (claimed
 * there, so any number of instances and `tenantry jobs run` run each run
 * once) and keeps the table's state for /metrics. */
#ifndef TENANTRY_SERVER_JOBS_H
#define TENANTRY_SERVER_JOBS_H

#include "server/server.h"

/* Checks --job-intervals and keeps them: ERR_BAD_REQUEST naming the bad
 * part (before anything starts). */
int jobs_configure(const struct server_config *cfg, struct err *e);
/* With --jobs 1, starts the thread on its own database session: it runs what
 * is due, looking every --job-poll seconds (sooner when a job falls due),
 * and keeps the jobs' state for /metrics. --jobs 0 starts nothing. */
int jobs_start(const struct server_config *cfg, struct err *e);
/* Stops the thread (a run under way finishes first). */
void jobs_stop(void);
/* The jobs' Prometheus lines as last read (malloc'd; NULL = none yet). */
char *jobs_metrics(void);

#endif
