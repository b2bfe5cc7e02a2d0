/* flusher.c - a background thread that sends what requests left in memory
 * to the database every few hundred milliseconds or seconds, with a
 * session of its own (as the platform): the rate limit's served calls
 * (ratelimit.c) and the members' and keys' activity (activity.c) use one
 * each. It starts with the first request that has something for it and
 * sends what is left once more when it stops. */
#include <stdio.h>

#include "server/server.h"

static void *
flusher_main(void *arg)
{
	struct flusher *f = arg;
	struct timespec at;

	pthread_mutex_lock(&f->lock);
	while (!f->stop) {
		clock_gettime(CLOCK_REALTIME, &at);
		at.tv_nsec += f->period_ms % 1000 * 1000000L;
		at.tv_sec += f->period_ms / 1000 + at.tv_nsec / 1000000000L;
		at.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&f->wake, &f->lock, &at);
		if (f->stop)
			break;
		pthread_mutex_unlock(&f->lock);
		f->round(f->st, false);
		pthread_mutex_lock(&f->lock);
	}
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

void
flusher_start(struct flusher *f)
{
	struct err e;

	if (__atomic_load_n(&f->tried, __ATOMIC_ACQUIRE) || !server_cfg)
		return; /* every request after the first: no lock */
	pthread_mutex_lock(&f->lock);
	if (f->tried) {
		pthread_mutex_unlock(&f->lock);
		return;
	}
	if (pool_open_system(&f->st, &e) < 0)
		fprintf(stderr, "tenantryd: %s flusher: %s\n", f->name, e.message);
	else
		f->started = pthread_create(&f->thread, NULL, flusher_main, f) == 0;
	__atomic_store_n(&f->tried, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&f->lock);
}

void
flusher_stop(struct flusher *f)
{
	pthread_mutex_lock(&f->lock);
	if (!f->started) {
		pthread_mutex_unlock(&f->lock);
		return;
	}
	f->stop = true;
	pthread_cond_signal(&f->wake);
	pthread_mutex_unlock(&f->lock);
	pthread_join(f->thread, NULL);
	f->started = false;
	f->round(f->st, true);
	store_close(&f->st);
}
