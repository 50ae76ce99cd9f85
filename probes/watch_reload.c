/* The set of targets: read from the targets file at start-up, for --check
 * and at SIGHUP, and installed so that a target whose line did not change
 * keeps its state and schedule while removed ones leave their files down.
 * A targets file with any problem changes nothing: start-up stops, a reload
 * keeps the targets checked before. */
#include "watch_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <syslog.h>

#include "buf.h"
#include "statefile.h"

static void heap_build(struct watch *w)
{
	theap_free(&w->heap);
	theap_init(&w->heap, w->n);
	for (size_t i = 0; i < w->n; i++)
		theap_push(&w->heap, w->t[i].when, &w->t[i], &w->t[i].heap_idx);
}

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

/* Each target holds at most one socket at a time (its udp socket is kept
 * between checks); writing a state or metrics file, the epoll set, the
 * signalfd, syslog and stdio take a few more. */
#define FD_RESERVE 16
#define FD_LIMIT_TOO_LOW "%zu targets need %llu open files, and the hard limit is %llu " \
			 "(raise it: LimitNOFILE= in the unit, ulimit -Hn)"

/* Whether the hard limit on open files leaves room for n targets; *need and
 * *hard say how much there is not. */
static bool hard_limit_fits(size_t n, struct rlimit *rl, unsigned long long *need,
			    unsigned long long *hard)
{
	*need = (unsigned long long)n + FD_RESERVE;
	if (getrlimit(RLIMIT_NOFILE, rl) != 0 || rl->rlim_max == RLIM_INFINITY)
		return true;
	*hard = (unsigned long long)rl->rlim_max;
	return *hard >= *need;
}

/* The soft limit on open files (systemd's default is 1024) is raised to the
 * hard one when n targets need more; a target short of a socket would fail
 * every check and stay down however healthy it is. -1 when even the hard
 * limit is too low. */
static int fit_fd_limit(const struct watch *w, size_t n)
{
	struct rlimit rl;
	unsigned long long need, hard;

	if (!hard_limit_fits(n, &rl, &need, &hard)) {
		wlog(w, LOG_ERR, FD_LIMIT_TOO_LOW, n, need, hard);
		return -1;
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
		return 0;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
		wlog(w, LOG_ERR, "cannot raise the open files limit for %zu targets: %s", n,
		     strerror(errno));
		return -1;
	}
	return 0;
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
	/* a reload checks with the unit's limits: what the start would refuse */
	struct rlimit rl;
	unsigned long long need, hard;
	if (rc == 0 && !hard_limit_fits(n, &rl, &need, &hard)) {
		fprintf(stderr, "dnsprobe: " FD_LIMIT_TOO_LOW "\n", n, need, hard);
		rc = 1;
	}
	if (rc == 0)
		printf("%s: %zu target%s\n", o->watch_file, n, n == 1 ? "" : "s");
	diags_free(&d);
	if (tc)
		targets_free(tc, n);
	return rc;
}

/* Returns the parsed targets, or NULL after logging every problem. */
struct target_conf *watch_load(const struct watch *w, size_t *n)
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
int watch_install(struct watch *w, struct target_conf *tc, size_t n, uint64_t now)
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
		if (watch_write_state(w, &t[i]) != 0)
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

void watch_reload(struct watch *w)
{
	size_t n;
	struct target_conf *tc = watch_load(w, &n);

	if (!tc) {
		wlog(w, LOG_ERR, "reload failed; still checking the %zu targets loaded before", w->n);
		return;
	}
	watch_install(w, tc, n, now_us());
	wlog(w, LOG_NOTICE, "reloaded %s: %zu targets", w->o->watch_file, n);
}
