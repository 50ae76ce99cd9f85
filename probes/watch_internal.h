/* Watch mode's parts share one picture of the targets and the loop: the
 * loop itself (watch.c), a check as a chain of tries (watch_try.c) and the
 * targets file with SIGHUP's reload (watch_reload.c). Not for main.c, which
 * sees only watch.h. */
#ifndef DNSPROBE_WATCH_INTERNAL_H
#define DNSPROBE_WATCH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "args.h"
#include "targets.h"
#include "timerheap.h"
#include "transport.h"

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

/* To syslog with --syslog, else to stderr after "dnsprobe: ". */
void wlog(const struct watch *w, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* watch_try.c */
/* Writes t's state file when it is out of date; 0 or an errno value. */
int watch_write_state(const struct watch *w, struct target *t);
/* t's timer is due: the current try timed out, or the next check starts. */
void watch_on_timer(struct watch *w, struct target *t, uint64_t now);
/* t's socket is ready. */
void watch_on_io(struct watch *w, struct target *t);

/* watch_reload.c */
/* Returns the parsed targets, or NULL after logging every problem. */
struct target_conf *watch_load(const struct watch *w, size_t *n);
/* Takes tc (n targets) as w's targets; 1 when a state file could not be
 * written. */
int watch_install(struct watch *w, struct target_conf *tc, size_t n, uint64_t now);
/* SIGHUP: the targets file again; on a problem the old targets stay. */
void watch_reload(struct watch *w);

#endif
