/* loop.c - tenantryd's event loops and the tasks that run on them.
 *
 * A few loop threads (one per CPU by default) share one listening socket;
 * each drives its own libmicrohttpd daemon from its own epoll set, which
 * also holds the database sockets its requests are waiting on. A request
 * runs as a task: a coroutine with a stack of its own, so the handlers and
 * the store keep their plain, sequential code. Where a request would block
 * on the database, the store calls loop_wait_fd() and the loop runs other
 * tasks and connections meanwhile. One thread thus keeps many requests in
 * flight and serves whatever is ready on each wake-up, instead of one
 * thread per connection waking for every packet (docs/performance.md says
 * what that changed under make bench).
 *
 * Tasks never move between threads, so nothing a task touches needs a lock
 * against the other tasks of its loop; a task must only never hold a mutex
 * across a wait. Outside a task (the audit hub, the console), the waits
 * below block the calling thread as usual.
 */
#include <errno.h>
#include <microhttpd.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "server/http.h"
#include "server/log.h"
#include "server/server.h"

/* A task's stack, the same in every build: a sanitizer build with larger
 * stacks hid a stack exhaustion that the release build suffered (issue
 * 16). Nothing a request does nests deeper than the JSON limits allow
 * (core/json_limit.h), which both builds hold to. */
#define STACK_SIZE (512u << 10)
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define SWITCH_START(fake, bottom, size) __sanitizer_start_switch_fiber(fake, bottom, size)
#define SWITCH_END(fake, bottom, size) __sanitizer_finish_switch_fiber(fake, bottom, size)
#else
#define SWITCH_START(fake, bottom, size) ((void)(fake), (void)(bottom), (void)(size))
#define SWITCH_END(fake, bottom, size) ((void)(fake), (void)(bottom), (void)(size))
#endif
#define SPARE_STACKS 32
#define MAX_LOOPS 64

struct loop;

/* ---- switching stacks --------------------------------------------------------
 *
 * ucontext on every architecture. swapcontext also saves and restores the
 * signal mask (two system calls per switch, three switches per request);
 * a hand-written switch measured within the noise of it (make bench, the
 * GET row; docs/performance.md), so the one path is the portable one.
 */
struct ctx {
	ucontext_t uc;
};

static void
ctx_switch(struct ctx *from, struct ctx *to)
{
	swapcontext(&from->uc, &to->uc);
}

/* getcontext "returns twice" as far as the compiler knows; here it never
 * does (the context is only ever entered through makecontext's entry). */
#if !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wclobbered"
#endif
static __attribute__((noinline)) void
ctx_init(struct ctx *c, void *stack, size_t size, void (*entry)(void))
{
	getcontext(&c->uc);
	c->uc.uc_stack.ss_sp = stack;
	c->uc.uc_stack.ss_size = size;
	c->uc.uc_link = NULL;
	makecontext(&c->uc, entry, 0);
}
#if !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* ---- tasks and loops ------------------------------------------------------------ */

struct task {
	struct ctx ctx;
	void *map; /* guard page + stack */
	size_t map_size;
	void (*fn)(void *);
	void *arg;
	struct loop *lp;
	struct task *next; /* ready queue or sleepers */
	int64_t deadline;  /* sleepers: ms, CLOCK_MONOTONIC */
	bool wants_news;   /* sleepers: loops_notify() wakes it */
	bool done;
	void *fake; /* sanitizer bookkeeping */
};

struct loop {
	pthread_t thread;
	int ep, wake; /* epoll set; eventfd for loops_notify/stop */
	struct MHD_Daemon *d;
	struct ctx main;
	const void *main_bottom;
	size_t main_size;
	struct task *ready, *ready_tail, *sleepers;
	struct task *spare[SPARE_STACKS];
	int nspare, tasks;
	atomic_bool stopping;
	bool abandoned;         /* stopped with tasks still running */
	char tag_mhd, tag_wake; /* epoll markers */
};

static struct {
	struct loop loops[MAX_LOOPS];
	atomic_int n; /* running: read by loops_notify from any thread */
	int built;    /* set up, to clean up (main thread only) */
	int listen_fd, port;
} L = { .listen_fd = -1 };

static __thread struct task *current;
static __thread struct loop *this_loop;

static int64_t
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* ---- tasks ------------------------------------------------------------------- */

static void
make_ready(struct task *t)
{
	struct loop *lp = t->lp;

	t->next = NULL;
	if (lp->ready_tail)
		lp->ready_tail->next = t;
	else
		lp->ready = t;
	lp->ready_tail = t;
}

static void
task_entry(void)
{
	struct task *t = current;
	struct loop *lp = t->lp;

	SWITCH_END(NULL, &lp->main_bottom, &lp->main_size);
	t->fn(t->arg);
	t->done = true;
	SWITCH_START(NULL, lp->main_bottom, lp->main_size);
	ctx_switch(&t->ctx, &lp->main);
}

/* Back to the loop until something makes the current task ready again. */
static void
yield(void)
{
	struct task *t = current;
	struct loop *lp = t->lp;

	SWITCH_START(&t->fake, lp->main_bottom, lp->main_size);
	ctx_switch(&t->ctx, &lp->main);
	SWITCH_END(t->fake, &lp->main_bottom, &lp->main_size);
}

static void
run(struct loop *lp, struct task *t)
{
	void *fake = NULL;

	current = t;
	SWITCH_START(&fake, (char *)t->map + getpagesize(), t->map_size - (size_t)getpagesize());
	ctx_switch(&lp->main, &t->ctx);
	SWITCH_END(fake, NULL, NULL);
	current = NULL;
	if (t->done) {
		lp->tasks--;
		if (lp->nspare < SPARE_STACKS)
			lp->spare[lp->nspare++] = t;
		else {
			munmap(t->map, t->map_size);
			free(t);
		}
	}
}

int
loop_spawn(void (*fn)(void *), void *arg)
{
	struct loop *lp = this_loop;
	struct task *t;

	if (!lp)
		return -1;
	if (lp->nspare) {
		t = lp->spare[--lp->nspare];
	} else {
		size_t page = (size_t)getpagesize();

		if (!(t = calloc(1, sizeof *t)))
			return -1;
		t->map_size = STACK_SIZE + page;
		t->map = mmap(NULL, t->map_size, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		if (t->map == MAP_FAILED) {
			free(t);
			return -1;
		}
		mprotect(t->map, page, PROT_NONE); /* an overflow faults */
	}
	t->fn = fn;
	t->arg = arg;
	t->lp = lp;
	t->done = false;
	t->wants_news = false;
	ctx_init(&t->ctx, (char *)t->map + getpagesize(), t->map_size - (size_t)getpagesize(),
		 task_entry);
	lp->tasks++;
	make_ready(t);
	return 0;
}

struct offload {
	void (*fn)(void *);
	void *arg;
	int done; /* eventfd */
};

/* Helper threads still running: one may outlive its loop (a connect that
 * takes minutes at shutdown), and it uses its task's store meanwhile. */
static atomic_int offloads;

static void *
offload_main(void *arg)
{
	struct offload *o = arg;
	uint64_t one = 1;

	o->fn(o->arg);
	atomic_fetch_sub(&offloads, 1);
	if (write(o->done, &one, sizeof one) != sizeof one)
		abort(); /* the task would wait forever */
	return NULL;
}

void
loop_offload(void (*fn)(void *), void *arg)
{
	struct offload o = { fn, arg, -1 };
	pthread_t th;
	uint64_t v;

	if (!current || (o.done = eventfd(0, EFD_CLOEXEC)) < 0) {
		fn(arg);
		return;
	}
	atomic_fetch_add(&offloads, 1);
	if (pthread_create(&th, NULL, offload_main, &o) != 0) {
		atomic_fetch_sub(&offloads, 1);
		close(o.done);
		fn(arg);
		return;
	}
	loop_wait_fd(o.done, false); /* (or block in read, if it cannot) */
	if (read(o.done, &v, sizeof v) != sizeof v)
		v = 0;
	pthread_join(th, NULL);
	close(o.done);
}

bool
loop_stopping(void)
{
	return this_loop && atomic_load(&this_loop->stopping);
}

bool
loop_in_task(void)
{
	return current != NULL;
}

/* One task at a time waits on a descriptor (a session belongs to one
 * request): a second waiter on the same loop would replace the first's
 * wake-up. The descriptor stays in the loop's epoll set between waits,
 * disarmed: one-shot, it fires once and is then ignored until re-armed, so
 * a wait on a database session costs one epoll_ctl instead of an add and a
 * delete. Re-arming fails with ENOENT when this set does not hold it (first
 * wait here, or the descriptor was closed, which drops it from every set,
 * and its number reused); it is added then. A session used by another loop
 * later leaves a disarmed entry here, which never fires. */
int
loop_wait_fd(int fd, bool write)
{
	struct task *t = current;
	struct epoll_event ev = { .events = (write ? EPOLLOUT : EPOLLIN) | EPOLLONESHOT,
				  .data.ptr = t };

	if (!t)
		return -1;
	if (epoll_ctl(t->lp->ep, EPOLL_CTL_MOD, fd, &ev) < 0
	    && (errno != ENOENT || epoll_ctl(t->lp->ep, EPOLL_CTL_ADD, fd, &ev) < 0)) {
		/* not pollable: let the caller block */
		return -1;
	}
	yield();
	return 0;
}

static void
sleep_until(int64_t deadline, bool news)
{
	struct task *t = current;

	t->deadline = deadline;
	t->wants_news = news;
	t->next = t->lp->sleepers;
	t->lp->sleepers = t;
	yield();
}

int64_t
loop_clock_ms(void)
{
	return now_ms();
}

bool
loop_wait_news(int64_t deadline)
{
	int64_t now = now_ms();

	if (now >= deadline)
		return false;
	if (current)
		sleep_until(deadline, true);
	else /* a plain thread: it looks again soon */
		poll(NULL, 0, (int)(deadline - now < 10 ? deadline - now : 10));
	return now_ms() < deadline;
}

void
loops_notify(void)
{
	uint64_t one = 1;
	int n = atomic_load(&L.n);

	for (int i = 0; i < n; i++)
		if (write(L.loops[i].wake, &one, sizeof one) < 0)
			continue; /* the counter is full: a wake-up is pending */
}

/* Wakes the sleepers whose time has come (or all news waiters); the time
 * until the next deadline, or -1. */
static int64_t
wake_sleepers(struct loop *lp, bool news)
{
	struct task **pp = &lp->sleepers;
	int64_t now = now_ms(), next = -1;

	while (*pp) {
		struct task *t = *pp;

		if (t->deadline <= now || (news && t->wants_news)) {
			*pp = t->next;
			make_ready(t);
		} else {
			if (next < 0 || t->deadline - now < next)
				next = t->deadline - now;
			pp = &t->next;
		}
	}
	return next;
}

/* ---- the loops --------------------------------------------------------------- */

static int
run_ready(struct loop *lp)
{
	int n = 0;

	for (; lp->ready; n++) {
		struct task *t = lp->ready;

		lp->ready = t->next;
		if (!lp->ready)
			lp->ready_tail = NULL;
		run(lp, t);
	}
	return n;
}

static void
turn(struct loop *lp, int64_t limit)
{
	struct epoll_event evs[64];
	MHD_UNSIGNED_LONG_LONG mt;
	int64_t timeout = wake_sleepers(lp, false), mhd_due = -1;
	bool news = false, mhd = false;
	int n;

	if (MHD_get_timeout(lp->d, &mt) == MHD_YES) {
		mhd_due = now_ms() + (int64_t)mt;
		if (timeout < 0 || (int64_t)mt < timeout)
			timeout = (int64_t)mt;
	}
	if (limit >= 0 && (timeout < 0 || timeout > limit))
		timeout = limit;
	if (timeout < 0 || timeout > 250)
		timeout = 250; /* admit_sweep's deadlines */
	if (lp->ready)
		timeout = 0;
	n = epoll_wait(lp->ep, evs, 64, (int)(timeout > 60000 ? 60000 : timeout));
	for (int i = 0; i < n; i++) {
		void *p = evs[i].data.ptr;

		if (p == &lp->tag_wake) {
			uint64_t v;

			if (read(lp->wake, &v, sizeof v) == sizeof v)
				news = true;
		} else if (p == &lp->tag_mhd) {
			mhd = true;
		} else {
			make_ready(p);
		}
	}
	if (n == 0 || (mhd_due >= 0 && now_ms() >= mhd_due))
		mhd = true; /* a timeout of MHD's is due */
	admit_sweep();
	if (news)
		wake_sleepers(lp, true);
	/* The handlers start tasks, and tasks resume connections: MHD takes
	 * the resumed ones on its next run. */
	if (run_ready(lp) > 0)
		mhd = true;
	while (mhd) {
		MHD_run(lp->d);
		mhd = run_ready(lp) > 0;
	}
}

static void *
loop_main(void *arg)
{
	struct loop *lp = arg;
	int64_t until;

	this_loop = lp;
	while (!atomic_load(&lp->stopping))
		turn(lp, -1);
	/* Stopping: no new connections, new requests get 503 and a close;
	 * the tasks in flight finish (the audit streams end). */
	MHD_quiesce_daemon(lp->d);
	until = now_ms() + 10000;
	while (lp->tasks > 0 && now_ms() < until)
		turn(lp, 50);
	for (int i = 0; i < 5; i++) /* let the last replies and streams end */
		turn(lp, 20);
	if (lp->tasks == 0) {
		MHD_stop_daemon(lp->d);
		lp->d = NULL;
	} else {
		/* A task still waits (the database does not answer): its
		 * connection is suspended, and stopping the daemon then is an
		 * API violation that aborts. The process is exiting; leave it. */
		char n[16];

		snprintf(n, sizeof n, "%d", lp->tasks);
		log_line(LOG_LEVEL_WARN, "requests still running at exit", "count", n, NULL);
		lp->abandoned = true;
	}
	while (lp->nspare) {
		struct task *t = lp->spare[--lp->nspare];

		munmap(t->map, t->map_size);
		free(t);
	}
	return NULL;
}

static int
open_listener(const struct sockaddr *addr, struct err *e)
{
	socklen_t len =
	    addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	struct sockaddr_storage ss;
	int one = 1, fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return err_set(e, ERR_UNAVAILABLE, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	/* accepted once its first bytes arrive: a silent connection holds no
	 * place in the limits (admit.c) until a few seconds later */
	setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &one, sizeof one);
	if (bind(fd, addr, len) < 0 || listen(fd, 1024) < 0) {
		err_set(e, ERR_UNAVAILABLE, "cannot listen on %s: %s", server_cfg->listen,
			strerror(errno));
		close(fd);
		return -1;
	}
	len = sizeof ss;
	getsockname(fd, (struct sockaddr *)&ss, &len);
	L.port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						: ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

int
loops_start(const struct sockaddr *addr, int n, struct err *e)
{
	if (n < 1)
		n = 1;
	if (n > MAX_LOOPS)
		n = MAX_LOOPS;
	if ((L.listen_fd = open_listener(addr, e)) < 0)
		return -1;
	if (!http_refusal_hooked())
		log_line(LOG_LEVEL_WARN, "libmicrohttpd's own refusals are sent as it words them",
			 "detail", "MHD_queue_response is not tenantryd's: HTTP/2.0 gets 505",
			 NULL);
	for (int i = 0; i < n; i++) {
		struct loop *lp = &L.loops[i];
		const union MHD_DaemonInfo *di;
		struct epoll_event ev = { .events = EPOLLIN };

		memset(lp, 0, sizeof *lp);
		lp->ep = lp->wake = -1;
		L.built = i + 1; /* loops_stop and loops_close clean it up */
		lp->ep = epoll_create1(EPOLL_CLOEXEC);
		lp->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		lp->d = http_daemon(L.listen_fd, addr->sa_family == AF_INET6, n);
		di = lp->d ? MHD_get_daemon_info(lp->d, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
		if (lp->ep < 0 || lp->wake < 0 || !di) {
			loops_stop();
			loops_close();
			return err_set(e, ERR_UNAVAILABLE, "cannot start the HTTP loops");
		}
		ev.data.ptr = &lp->tag_mhd;
		epoll_ctl(lp->ep, EPOLL_CTL_ADD, di->epoll_fd, &ev);
		ev.data.ptr = &lp->tag_wake;
		epoll_ctl(lp->ep, EPOLL_CTL_ADD, lp->wake, &ev);
	}
	atomic_store(&L.n, n);
	for (int i = 0; i < n; i++)
		if (pthread_create(&L.loops[i].thread, NULL, loop_main, &L.loops[i]) != 0) {
			loops_stop();
			loops_close();
			return err_set(e, ERR_UNAVAILABLE, "cannot start the HTTP loops");
		}
	return 0;
}

int
loops_port(void)
{
	return L.port;
}

int
loops_count(void)
{
	return atomic_load(&L.n);
}

void
loops_stop(void)
{
	for (int i = 0; i < L.built; i++)
		atomic_store(&L.loops[i].stopping, true);
	loops_notify();
	for (int i = 0; i < L.built; i++) {
		struct loop *lp = &L.loops[i];

		if (lp->thread)
			pthread_join(lp->thread, NULL);
		lp->thread = 0;
		if (lp->d && !lp->abandoned) { /* never ran: not quiesced yet */
			MHD_quiesce_daemon(lp->d);
			MHD_stop_daemon(lp->d);
			lp->d = NULL;
		}
	}
	if (L.listen_fd >= 0)
		close(L.listen_fd);
	L.listen_fd = -1;
}

bool
loops_quiet(void)
{
	for (int i = 0; i < L.built; i++)
		if (L.loops[i].abandoned)
			return false;
	return atomic_load(&offloads) == 0;
}

void
loops_close(void)
{
	atomic_store(&L.n, 0);
	for (int i = 0; i < L.built; i++) {
		if (L.loops[i].ep >= 0)
			close(L.loops[i].ep);
		if (L.loops[i].wake >= 0)
			close(L.loops[i].wake);
	}
	L.built = 0;
}
