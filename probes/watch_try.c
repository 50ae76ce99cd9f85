/* One check of one target as a chain of tries: udp, tcp after a truncated
 * answer, another try after a timeout while tries and time are left, then
 * rise and fall and the state file. The loop (watch.c) only says which timer
 * is due or which socket is ready; everything a check decides is here. */
#include "watch_internal.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <syslog.h>

#include "statefile.h"

/* A target's udp socket (and so its random source port) is kept for at
 * most this many checks, and only while they end with an answer: any
 * timeout or error gets a fresh socket and port. Keeping it saves five of
 * the seven system calls of a check; the query id stays random per query. */
#define SOCKET_REUSE_MAX 10

static void set_timer(struct watch *w, struct target *t, uint64_t when)
{
	t->when = when;
	theap_set(&w->heap, t->heap_idx, when);
}

/* --- the state file ---------------------------------------------------------------- */

/* Writes the state file when it is out of date. A failed write leaves it
 * dirty and is tried again after the target's next check: the file is only
 * written on a change, so giving up once would leave keepalived with the old
 * state for as long as the new one holds. */
int watch_write_state(const struct watch *w, struct target *t)
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
	char why[160];

	snprintf(out, len, "%s: %s", verdict_str(v),
		 ep_error_text(&t->conf.check.ep, t->err, why, sizeof(why)));
	return out;
}

static void set_state(struct watch *w, struct target *t, bool up, enum verdict v)
{
	char why[200];

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
		char why[200];

		if (w->o->verbose)
			wlog(w, LOG_INFO, "target %s: check failed after %u tr%s: %s", t->conf.id,
			     t->try_no, t->try_no == 1 ? "y" : "ies", verdict_words(t, v, why, sizeof(why)));
		if (++t->fail_run >= t->conf.fall && t->up)
			set_state(w, t, false, v);
	}
	watch_write_state(w, t);
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

void watch_on_timer(struct watch *w, struct target *t, uint64_t now)
{
	if (t->busy)
		finish_try(w, t, V_DOWN_TIMEOUT);
	else
		start_check(w, t, now);
}

void watch_on_io(struct watch *w, struct target *t)
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
