/* Watch mode. Every target has exactly one timer in a binary heap
 * (timerheap.c): when it is idle, the start of its next check; while a check
 * is in flight, the deadline of the current try. One epoll set holds the
 * targets' sockets; the loop sleeps on a signalfd (SIGHUP reload,
 * SIGTERM/SIGINT stop) and wakes on a 10 ms grid (see TIMER_GRID_US). This
 * file is the loop and what it writes on its own schedule (the metrics); what
 * a timer or a ready socket does to a check is in watch_try.c, the targets
 * file and the reload in watch_reload.c. */
#include "watch.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "statefile.h"
#include "watch_internal.h"

#define METRICS_EVERY_US 1000000u
/* The loop runs on a grid: it sleeps (on the signalfd only) until the next
 * multiple of TIMER_GRID_US at which a timer is due, or the next step at all
 * while checks are in flight, then collects every ready socket at once and
 * fires every due timer. A wake-up of this process costs more than a check's
 * two system calls, so a thousand targets need at most 1 s / TIMER_GRID_US
 * wake-ups a second instead of two per check. Costs: checks start, answers are
 * read and tries time out up to one step late (never early). Answers are judged
 * by arrival: udp ones by the kernel's stamp, which also gives their round
 * trip; tcp ones by the read, so a tcp try is up to a step shorter and its
 * round trip up to two steps longer (send and read both wait for a step).
 * Schedules stay anchored to the planned times. */
#ifndef TIMER_GRID_US
#define TIMER_GRID_US 10000u
#endif

void wlog(const struct watch *w, int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (w->o->use_syslog) {
		vsyslog(prio, fmt, ap);
	} else {
		fputs("dnsprobe: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

/* --- metrics file ----------------------------------------------------------------- */

static void label_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *s);
	}
}

static void metric(struct buf *b, const struct watch *w, const char *name, const char *type,
		   const char *help, int which)
{
	buf_printf(b, "# HELP dnsprobe_%s %s\n# TYPE dnsprobe_%s %s\n", name, help, name, type);
	for (size_t i = 0; i < w->n; i++) {
		const struct target *t = &w->t[i];
		buf_printf(b, "dnsprobe_%s{id=\"", name);
		label_escape(b, t->conf.id);
		buf_puts(b, "\"} ");
		switch (which) {
		case 0: buf_printf(b, "%d\n", t->up ? 1 : 0); break;
		case 1: buf_printf(b, "%.6f\n", (double)t->rtt_us / 1e6); break;
		case 2: buf_printf(b, "%llu\n", (unsigned long long)t->checks); break;
		case 3: buf_printf(b, "%llu\n", (unsigned long long)t->failures); break;
		default: buf_printf(b, "%llu\n", (unsigned long long)t->changes); break;
		}
	}
}

static void write_metrics(const struct watch *w)
{
	struct buf b;

	buf_init(&b);
	metric(&b, w, "up", "gauge", "1 when the target is up after rise/fall, else 0", 0);
	metric(&b, w, "rtt_seconds", "gauge", "round trip time of the last answer", 1);
	metric(&b, w, "checks_total", "counter", "checks completed", 2);
	metric(&b, w, "failures_total", "counter", "checks that failed", 3);
	metric(&b, w, "state_changes_total", "counter", "up/down transitions", 4);
	int e = file_write_atomic(w->o->metrics_file, b.data, b.len);
	if (e)
		wlog(w, LOG_ERR, "cannot write metrics file %s: %s", w->o->metrics_file, strerror(e));
	buf_free(&b);
}

/* --- the loop --------------------------------------------------------------------- */

static void on_signal(struct watch *w)
{
	struct signalfd_siginfo si;

	while (read(w->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			w->reload = true;
		else
			w->stop = true;
	}
}

static int setup(struct watch *w)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0 ||
	    (w->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 ||
	    (w->ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		wlog(w, LOG_ERR, "cannot set up the event loop: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Milliseconds epoll may sleep: up to the next timer, rounded up so that a
 * timer is never polled for early and spun on. */
static uint64_t grid_ceil(uint64_t t)
{
	return (t + TIMER_GRID_US - 1) / TIMER_GRID_US * TIMER_GRID_US;
}

static uint64_t next_wake(const struct watch *w, uint64_t now)
{
	uint64_t next = now + 60 * 1000000u;

	const struct theap_entry *top = theap_top(&w->heap);

	if (top && grid_ceil(top->when) < next)
		next = grid_ceil(top->when);
	if (w->inflight && grid_ceil(now + 1) < next)
		next = grid_ceil(now + 1);
	if (w->o->metrics_file && w->next_metrics < next)
		next = w->next_metrics;
	return next;
}

/* Sleeps until `until` or a signal, whichever comes first. */
static void sleep_until(struct watch *w, uint64_t until)
{
	uint64_t now = now_us();
	struct pollfd pfd = { w->sfd, POLLIN, 0 };

	uint64_t left = until > now ? until - now : 0;
	struct timespec ts = { (time_t)(left / 1000000u), (long)(left % 1000000u) * 1000 };

	if (ppoll(&pfd, 1, &ts, NULL) > 0)
		on_signal(w);
}

/* Every socket that is ready now, without waiting. */
static bool drain_io(struct watch *w)
{
	struct epoll_event evs[256];
	int k;

	do {
		k = epoll_wait(w->ep, evs, 256, 0);
		if (k < 0 && errno != EINTR) {
			wlog(w, LOG_ERR, "epoll_wait: %s", strerror(errno));
			return false;
		}
		for (int i = 0; i < k; i++)
			watch_on_io(w, evs[i].data.ptr);
	} while (k == 256);
	return true;
}

/* Answers first, then timers: an answer that arrived by a deadline counts
 * even when both are handled at the same step (watch_try.c's finish_try judges it by its
 * arrival, so one that came after the deadline is a timeout). The clock is
 * read before the drain, so a timer fires only for a deadline that passed
 * before the drain began: an answer that came in after the drain, yet before
 * a clock read after it, would otherwise be left unread and its try counted
 * as a timeout. */
static int loop(struct watch *w)
{
	while (!w->stop) {
		uint64_t now = now_us();
		if (!drain_io(w))
			return 1;
		const struct theap_entry *top;
		while ((top = theap_top(&w->heap)) && top->when <= now)
			watch_on_timer(w, top->item, now);
		if (w->o->metrics_file && w->next_metrics <= now) {
			write_metrics(w);
			w->next_metrics = now + METRICS_EVERY_US;
		}
		if (w->reload) {
			w->reload = false;
			watch_reload(w);
		}
		sleep_until(w, next_wake(w, now_us()));
	}
	return 0;
}

static size_t count_up(const struct watch *w)
{
	size_t k = 0;

	for (size_t i = 0; i < w->n; i++)
		k += w->t[i].up;
	return k;
}

int watch_run(const struct opts *o, struct rng *rng)
{
	struct watch w = { .o = o, .rng = rng, .ep = -1, .sfd = -1 };
	struct target_conf *tc;
	size_t n;
	int rc = 1;

	if (o->use_syslog)
		openlog("dnsprobe", LOG_PID, LOG_DAEMON);
	if (setup(&w) == 0 && (tc = watch_load(&w, &n)) != NULL) {
		if (watch_install(&w, tc, n, now_us()) == 0) {
			wlog(&w, LOG_NOTICE, "watching %zu targets from %s (%zu up as their state files say)",
			     n, o->watch_file, count_up(&w));
			rc = loop(&w);
			if (o->metrics_file)
				write_metrics(&w);
			wlog(&w, LOG_NOTICE, "stopping");
		}
	}
	for (size_t i = 0; i < w.n; i++) {
		ex_close(&w.t[i].ex);
		free(w.t[i].conf.state_file);
	}
	free(w.t);
	theap_free(&w.heap);
	if (w.ep >= 0)
		close(w.ep);
	if (w.sfd >= 0)
		close(w.sfd);
	return rc;
}
