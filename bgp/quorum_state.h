/* The quorum each virtual server of a VIP last reported, kept by the VIP
 * guard across its calls. keepalived runs quorum_up/quorum_down of the udp
 * and the tcp virtual server of one VIP independently and does not wait for
 * them, so a VIP may be present only when every one of its virtual servers
 * has quorum, and the calls must not interleave. One file per (VIP, virtual
 * server) in a state directory (default under /run: gone at reboot, as
 * keepalived's own state), all changes under flock on DIR/lock. */
#ifndef LVSDNS_QUORUM_STATE_H
#define LVSDNS_QUORUM_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "buf.h"

#define VS_STRLEN 10 /* "udp-65535" */

/* Parses "udp/53" or "tcp/53" into the file-name form "udp-53".
 * Returns false on anything else. */
bool vs_parse(const char *text, char out[VS_STRLEN]);

/* A comma-separated list of virtual servers, e.g. "udp/53,tcp/53". */
struct vs_list {
	char (*vs)[VS_STRLEN];
	size_t n;
};
bool vs_list_parse(const char *text, struct vs_list *out);
bool vs_list_has(const struct vs_list *l, const char *vs);
void vs_list_free(struct vs_list *l);

/* When a report's process was forked. keepalived forks a virtual server's
 * quorum_down and quorum_up without waiting for either, so when one quorum
 * change follows another at once (the watch checker's track files can flip
 * two instances in one moment), the later fork may run first; the stamps
 * put the reports back in keepalived's order. */
struct fork_stamp {
	char boot[40];              /* the kernel's boot id; "" when unknown */
	unsigned long long start;   /* the process's start, in clock ticks since boot */
	long pid;
};

/* This process's stamp, from /proc. False when /proc could not tell: the
 * stamp is then unknown and orders nothing. */
bool fork_stamp_self(struct fork_stamp *s);
/* The kernel's pid_max (PIDs wrap there), or its largest possible value
 * when it cannot be read. */
long fork_pid_max(void);
/* Whether a was forked after b. Unknown stamps, and stamps of different
 * boots, order nothing (false). Within one clock tick the later PID is the
 * later fork, counted round pid_max (two forks of one tick are never half
 * of pid_max apart). */
bool fork_stamp_after(const struct fork_stamp *a, const struct fork_stamp *b, long pid_max);

struct qstate {
	int dirfd;
	int lockfd;
};

/* Creates dir (0700) when missing, refuses one that is not a directory
 * owned by us, and takes the lock, waiting a bounded time for it.
 * Returns 0, or -1 with the reason in err. */
int qstate_open(struct qstate *q, const char *dir, struct buf *err);
/* Releases the lock. */
void qstate_close(struct qstate *q);

/* Records the quorum of virtual server vs of vip, reported by the process
 * of stamp (NULL or unknown: a report that orders nothing). 0, or an errno
 * value. */
int qstate_record(struct qstate *q, const struct addr *vip, const char *vs, bool up,
		  const struct fork_stamp *stamp);
/* Whether the report recorded for vs of vip was forked after stamp: then a
 * report of stamp comes late and is out of date. *pid is the recorded
 * report's. */
bool qstate_recorded_later(struct qstate *q, const struct addr *vip, const char *vs,
			   const struct fork_stamp *stamp, long pid_max, long *pid);
/* The same without the lock, for a report that could not take it: records
 * are replaced whole (rename), so one can be read, and written, at any
 * time. False when dir cannot be opened or is not ours alone. */
bool qstate_recorded_later_unlocked(const char *dir, const struct addr *vip, const char *vs,
				    const struct fork_stamp *stamp, long pid_max, long *pid);
/* qstate_record without the lock, under a temporary name of its own. 0, or
 * an errno value. */
int qstate_record_unlocked(const char *dir, const struct addr *vip, const char *vs, bool up,
			   const struct fork_stamp *stamp);
/* Forgets everything recorded for vip. 0, or an errno value. */
int qstate_forget(struct qstate *q, const struct addr *vip);
/* Whether vip may be present: every virtual server in of has reported
 * quorum (one never reported counts as down); without of (NULL), every
 * virtual server that has reported for vip. *missing names one that has
 * not (when the answer is false). */
bool qstate_all_up(struct qstate *q, const struct addr *vip, const struct vs_list *of,
		   char missing[VS_STRLEN]);

#endif
