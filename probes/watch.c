/* Watch mode. Every target has exactly one timer in a binary heap
 * (timerheap.c): when it is idle, the start of its next check; while a check
 * is in flight, the deadline of the current try. One epoll set holds the
 * targets' sockets; the loop sleeps on a signalfd (SIGHUP reload,
 * SIGTERM/SIGINT stop) and wakes on a 10 ms grid (see TIMER_GRID_US). */
#include "watch.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "statefile.h"
#include "targets.h"
#include "timerheap.h"

struct target {
	struct target_conf conf;
	bool up;
	bool dirty;                  /* the state file does not yet hold the current state */
	bool write_failed;           /* the last write of it failed (logged once) */
	unsigned ok_run, fail_run;   /* consecutive results, for rise and fall */
	uint64_t checks, failures, changes, rtt_us;
	enum verdict last;
	int err;                     /* errno of the last network error */
	struct exchange ex;
	unsigned uses;               /* checks sent on ex's udp socket so far */
	bool busy, tcp_now;
	unsigned try_no;
	uint64_t planned;            /* when the current check was due */
	uint64_t check_start, overall, try_deadline;
	uint64_t when;               /* this target's one timer */
	size_t heap_idx;
	uint32_t ev;                 /* events registered with epoll */
};

struct watch {
	const struct opts *o;
	struct rng *rng;
	int ep, sfd;
	struct target *t;
	size_t n;
	struct theap heap;
	size_t inflight;             /* targets with a check in flight */
	uint64_t next_metrics;
	bool reload, stop;
};

#define METRICS_EVERY_US 1000000u
/* A target's udp socket (and so its random source port) is kept for at
 * most this many checks, and only while they end with an answer: any
 * timeout or error gets a fresh socket and port. Keeping it saves five of
 * the seven system calls of a check; the query id stays random per query. */
#define SOCKET_REUSE_MAX 10
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

static void wlog(const struct watch *w, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void wlog(const struct watch *w, int prio, const char *fmt, ...)
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

static void set_timer(struct watch *w, struct target *t, uint64_t when)
{
	t->when = when;
	theap_set(&w->heap, t->heap_idx, when);
}

static void heap_build(struct watch *w)
{
	theap_free(&w->heap);
	theap_init(&w->heap, w->n);
	for (size_t i = 0; i < w->n; i++)
		theap_push(&w->heap, w->t[i].when, &w->t[i], &w->t[i].heap_idx);
}

/* --- files ---------------------------------------------------------------------- */

/* Writes the state file when it is out of date. A failed write leaves it
 * dirty and is tried again after the target's next check: the file is only
 * written on a change, so giving up once would leave keepalived with the old
 * state for as long as the new one holds. */
static int write_state(const struct watch *w, struct target *t)
{
	if (!t->dirty)
		return 0;
	int e = file_write_atomic(t->conf.state_file, t->up ? "0\n" : "1\n", 2);
	if (e && !t->write_failed)
		wlog(w, LOG_ERR, "target %s: cannot write state file %s: %s; trying again after every check",
		     t->conf.id, t->conf.state_file, strerror(e));
	else if (!e && t->write_failed)
		wlog(w, LOG_NOTICE, "target %s: state file %s written", t->conf.id, t->conf.state_file);
	t->write_failed = e != 0;
	t->dirty = e != 0;
	return e;
}

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

/* --- one check as a chain of tries ------------------------------------------------ */

static void finish_try(struct watch *w, struct target *t, enum verdict v);

static uint32_t epoll_bits(short poll_events)
{
	return (poll_events & POLLIN ? EPOLLIN : 0) | (poll_events & POLLOUT ? EPOLLOUT : 0);
}

static void begin_exchange(struct watch *w, struct target *t)
{
	int err = 0;
	enum verdict v;

	if (t->ex.fd >= 0 && !t->tcp_now && !t->ex.tcp && t->uses < SOCKET_REUSE_MAX) {
		t->uses++;
		v = ex_resend(&t->ex, &t->conf.check, w->rng, &err);
		if (v == V_PENDING) {
			set_timer(w, t, t->try_deadline);
			return;
		}
	} else {
		ex_close(&t->ex); /* closing also leaves the epoll set */
		t->uses = 1;
		v = ex_start(&t->ex, &t->conf.check, t->tcp_now, EX_STAMP, w->rng, &err);
	}
	if (v != V_PENDING) {
		t->err = err;
		finish_try(w, t, v);
		return;
	}
	struct epoll_event ev = { .events = epoll_bits(ex_events(&t->ex)), .data.ptr = t };
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, t->ex.fd, &ev) != 0) {
		t->err = errno;
		wlog(w, LOG_ERR, "epoll_ctl: %s", strerror(errno));
		finish_try(w, t, V_DOWN_NETWORK);
		return;
	}
	t->ev = ev.events;
	set_timer(w, t, t->try_deadline);
}

static void start_try(struct watch *w, struct target *t, uint64_t now)
{
	t->err = 0;
	t->try_no++;
	t->try_deadline = now + (uint64_t)t->conf.timeout_ms * 1000;
	if (t->try_deadline > t->overall)
		t->try_deadline = t->overall;
	begin_exchange(w, t);
}

static void start_check(struct watch *w, struct target *t, uint64_t now)
{
	t->planned = t->when;
	t->busy = true;
	w->inflight++;
	t->check_start = now;
	t->overall = now + (uint64_t)t->conf.timeout_ms * 1000 * t->conf.tries;
	t->try_no = 0;
	t->tcp_now = t->conf.transport == TM_TCP;
	start_try(w, t, now);
}

/* The verdict in words; a network error with the system's reason (which
 * says, for one, that the process ran out of file descriptors). */
static const char *verdict_words(const struct target *t, enum verdict v, char *out, size_t len)
{
	if (v != V_DOWN_NETWORK || !t->err)
		return verdict_str(v);
	snprintf(out, len, "%s: %s", verdict_str(v), strerror(t->err));
	return out;
}

static void set_state(struct watch *w, struct target *t, bool up, enum verdict v)
{
	char why[128];

	t->up = up;
	t->changes++;
	t->dirty = true;
	wlog(w, LOG_NOTICE, "target %s is %s after %u %s (%s)", t->conf.id, up ? "up" : "down",
	     up ? t->ok_run : t->fail_run, up ? "successes" : "failures",
	     verdict_words(t, v, why, sizeof(why)));
}

static void complete_check(struct watch *w, struct target *t, enum verdict v, uint64_t now)
{
	t->busy = false;
	w->inflight--;
	t->checks++;
	t->last = v;
	if (v == V_UP) {
		t->fail_run = 0;
		if (++t->ok_run >= t->conf.rise && !t->up)
			set_state(w, t, true, v);
	} else {
		t->failures++;
		t->ok_run = 0;
		char why[128];

		if (w->o->verbose)
			wlog(w, LOG_INFO, "target %s: check failed after %u tr%s: %s", t->conf.id,
			     t->try_no, t->try_no == 1 ? "y" : "ies", verdict_words(t, v, why, sizeof(why)));
		if (++t->fail_run >= t->conf.fall && t->up)
			set_state(w, t, false, v);
	}
	write_state(w, t);
	uint64_t next = t->planned + (uint64_t)t->conf.interval_ms * 1000;
	set_timer(w, t, next > now ? next : now);
}

static void finish_try(struct watch *w, struct target *t, enum verdict v)
{
	uint64_t now = now_us();

	if (t->ex.fd >= 0) {
		/* The loop reads answers on its grid, up to a step after the deadline:
		 * judge by arrival (the kernel's stamp over udp; over tcp, the read). */
		uint64_t rtt = ex_rtt(&t->ex, now);
		v = verdict_in_time(v, t->ex.sent_us + rtt, t->try_deadline);
		if (verdict_final(v) || v == V_RETRY_TCP)
			t->rtt_us = rtt;
		if (!verdict_final(v) || t->ex.tcp) {
			ex_close(&t->ex); /* closing also leaves the epoll set */
			t->ev = 0;
		}
	}
	if (v == V_RETRY_TCP) {
		t->tcp_now = true;
		begin_exchange(w, t);
		return;
	}
	if (!verdict_final(v) && t->try_no < t->conf.tries && now < t->overall) {
		start_try(w, t, now);
		return;
	}
	complete_check(w, t, v, now);
}

static void on_timer(struct watch *w, struct target *t, uint64_t now)
{
	if (t->busy)
		finish_try(w, t, V_DOWN_TIMEOUT);
	else
		start_check(w, t, now);
}

static void on_io(struct watch *w, struct target *t)
{
	struct answer_info info;
	int err = 0;

	if (!t->busy) { /* a kept udp socket between checks: late or stray datagrams */
		if (!ex_drain(&t->ex)) {
			ex_close(&t->ex);
			t->ev = 0;
		}
		return;
	}
	enum verdict v = ex_step(&t->ex, &t->conf.check, &info, &err);

	if (v != V_PENDING) {
		t->err = err;
		finish_try(w, t, v);
		return;
	}
	uint32_t want = epoll_bits(ex_events(&t->ex));
	if (want != t->ev) { /* tcp: connected and sent, now reading */
		struct epoll_event ev = { .events = want, .data.ptr = t };
		if (epoll_ctl(w->ep, EPOLL_CTL_MOD, t->ex.fd, &ev) != 0) {
			t->err = errno;
			finish_try(w, t, V_DOWN_NETWORK);
			return;
		}
		t->ev = want;
	}
}

/* --- targets file and reload ------------------------------------------------------- */

static char *read_file(const char *path, int *err)
{
	struct buf b;

	buf_init(&b);
	if (buf_read_file(&b, path) != 0) {
		*err = errno;
		buf_free(&b);
		return NULL;
	}
	*err = 0;
	return buf_steal(&b);
}

/* Reads and parses o's targets file: the targets (allocated even when
 * empty) with every problem in d, which the caller initialised for the
 * file; NULL with *err set when the file cannot be read. */
static struct target_conf *parse_targets_file(const struct opts *o, size_t *n, struct diags *d,
					      int *err)
{
	char *text = read_file(o->watch_file, err);
	struct target_conf *tc;

	if (!text)
		return NULL;
	*n = targets_parse(text, o, &tc, d);
	free(text);
	return tc;
}

int watch_check(const struct opts *o)
{
	struct diags d;
	size_t n = 0;
	int err, rc;
	struct target_conf *tc;

	diags_init(&d, o->watch_file);
	tc = parse_targets_file(o, &n, &d, &err);
	if (!tc)
		fprintf(stderr, "dnsprobe: %s: %s\n", o->watch_file, strerror(err));
	diags_print(&d, stderr);
	rc = !tc || d.n > 0;
	if (rc == 0)
		printf("%s: %zu target%s\n", o->watch_file, n, n == 1 ? "" : "s");
	diags_free(&d);
	if (tc)
		targets_free(tc, n);
	return rc;
}

/* Each target holds at most one socket at a time (its udp socket is kept
 * between checks); writing a state or metrics file, the epoll set, the
 * signalfd, syslog and stdio take a few more. */
#define FD_RESERVE 16

/* The soft limit on open files (systemd's default is 1024) is raised to the
 * hard one when n targets need more; a target short of a socket would fail
 * every check and stay down however healthy it is. -1 when even the hard
 * limit is too low. */
static int fit_fd_limit(const struct watch *w, size_t n)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)n + FD_RESERVE;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
		wlog(w, LOG_ERR, "%zu targets need %llu open files, and the hard limit is %llu "
		     "(raise it: LimitNOFILE= in the unit, ulimit -Hn)", n,
		     (unsigned long long)need, (unsigned long long)rl.rlim_max);
		return -1;
	}
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
		wlog(w, LOG_ERR, "cannot raise the open files limit for %zu targets: %s", n,
		     strerror(errno));
		return -1;
	}
	return 0;
}

/* Returns the parsed targets, or NULL after logging every problem. */
static struct target_conf *load(const struct watch *w, size_t *n)
{
	struct diags d;
	int err;
	struct target_conf *tc;

	diags_init(&d, w->o->watch_file);
	tc = parse_targets_file(w->o, n, &d, &err);
	if (!tc)
		wlog(w, LOG_ERR, "%s: %s", w->o->watch_file, strerror(err));
	for (size_t i = 0; i < d.n; i++)
		wlog(w, LOG_ERR, "%s:%d: %s%s%s%s", d.file, d.v[i].line, d.v[i].message,
		     d.v[i].hint ? " (" : "", d.v[i].hint ? d.v[i].hint : "", d.v[i].hint ? ")" : "");
	bool bad = d.n > 0 || (tc && fit_fd_limit(w, *n) != 0);
	diags_free(&d);
	if (tc && bad) {
		targets_free(tc, *n);
		return NULL;
	}
	return tc;
}

/* The first checks are spread over one interval so that a thousand targets
 * do not all fire in the same millisecond. */
static uint64_t first_check(struct watch *w, const struct target_conf *c, uint64_t now)
{
	uint32_t r = (uint32_t)rng_u16(w->rng) << 16 | rng_u16(w->rng);
	return now + (uint64_t)(r % c->interval_ms) * 1000;
}

/* A target removed by SIGHUP is no longer checked; its file would keep
 * saying whatever it said last ("0" keeps the real server in), so it is set
 * to down, unless a target of the new list uses the same file. Not retried:
 * nothing owns the file any more. */
static void retire(const struct watch *w, const struct target *old, const struct target *t,
		   size_t n)
{
	if (!old->conf.state_file)
		return; /* kept unchanged */
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].conf.state_file, old->conf.state_file) == 0)
			return;
	int e = file_write_atomic(old->conf.state_file, "1\n", 2);
	if (e)
		wlog(w, LOG_ERR, "removed target %s: cannot write 1 to state file %s: %s",
		     old->conf.id, old->conf.state_file, strerror(e));
	else
		wlog(w, LOG_NOTICE, "removed target %s: state file %s set to 1 (down)", old->conf.id,
		     old->conf.state_file);
}

/* New targets start in the state their file holds, with counters at zero:
 * restarting dnsprobe or changing a line must not take real servers out
 * until rise checks have passed. A file without a valid state is written 1
 * (down). The file is written back either way, so that a file dnsprobe
 * cannot write is found at start-up. A target whose line did not change
 * keeps its state, counters and schedule. */
static int install(struct watch *w, struct target_conf *tc, size_t n, uint64_t now)
{
	struct target *t = xcalloc(n ? n : 1, sizeof(*t));
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		struct target *old = NULL;
		for (size_t j = 0; j < w->n && !old; j++)
			if (target_conf_same(&tc[i], &w->t[j].conf))
				old = &w->t[j];
		if (old) {
			t[i] = *old;
			ex_init(&t[i].ex); /* the old socket is closed below */
			t[i].busy = false;
			t[i].ev = 0;
			t[i].when = old->busy ? now : old->when;
			free(old->conf.state_file);
			old->conf.state_file = NULL;
		} else {
			ex_init(&t[i].ex);
			t[i].when = first_check(w, &tc[i], now);
			if (!state_file_read(tc[i].state_file, &t[i].up))
				t[i].up = false;
		}
		t[i].conf = tc[i];
		t[i].dirty |= !old;
		if (write_state(w, &t[i]) != 0)
			bad = 1;
	}
	for (size_t j = 0; j < w->n; j++) {
		ex_close(&w->t[j].ex);
		retire(w, &w->t[j], t, n);
		free(w->t[j].conf.state_file); /* NULL for the targets kept */
	}
	free(w->t);
	free(tc);
	w->t = t;
	w->n = n;
	w->inflight = 0; /* checks in flight were dropped above and restart */
	heap_build(w);
	return bad;
}

static void reload(struct watch *w)
{
	size_t n;
	struct target_conf *tc = load(w, &n);

	if (!tc) {
		wlog(w, LOG_ERR, "reload failed; still checking the %zu targets loaded before", w->n);
		return;
	}
	install(w, tc, n, now_us());
	wlog(w, LOG_NOTICE, "reloaded %s: %zu targets", w->o->watch_file, n);
}

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
			on_io(w, evs[i].data.ptr);
	} while (k == 256);
	return true;
}

/* Answers first, then timers: an answer that arrived by a deadline counts
 * even when both are handled at the same step (finish_try judges it by its
 * arrival, so one that came after the deadline is a timeout). */
static int loop(struct watch *w)
{
	while (!w->stop) {
		if (!drain_io(w))
			return 1;
		uint64_t now = now_us();
		const struct theap_entry *top;
		while ((top = theap_top(&w->heap)) && top->when <= now)
			on_timer(w, top->item, now);
		if (w->o->metrics_file && w->next_metrics <= now) {
			write_metrics(w);
			w->next_metrics = now + METRICS_EVERY_US;
		}
		if (w->reload) {
			w->reload = false;
			reload(w);
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
	if (setup(&w) == 0 && (tc = load(&w, &n)) != NULL) {
		if (install(&w, tc, n, now_us()) == 0) {
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
