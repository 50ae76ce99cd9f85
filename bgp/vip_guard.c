/* lvsdns-vip-guard: keepalived's quorum_up/quorum_down command. Puts a
 * balancer's VIPs on (up) or takes them off (down) the interface FRR
 * redistributes from, so BGP announces or withdraws them. It touches only
 * addresses listed in the rendered vips file. With --vs it keeps the quorum
 * of each virtual server of a VIP and puts the VIP on only when all of them
 * have quorum (bgp/quorum_state.h says why). See bgp/README.md and
 * docs/lvsdns-vip-guard.8 for the command-line contract. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "addr.h"
#include "buf.h"
#include "nl_addr.h"
#include "quorum_state.h"
#include "vips_file.h"

#define DEFAULT_VIPS_FILE "/etc/lvsdns/vips"
#define DEFAULT_STATE_DIR "/run/lvsdns-vip-guard"

enum exit_code { EXIT_DONE = 0, EXIT_KERNEL = 1, EXIT_USAGE = 2 };

/* One up or down call, as parsed from the command line. */
struct request {
	bool up;
	bool all;               /* --all: every VIP of the list */
	char vs[VS_STRLEN];     /* --vs, in state-file form; "" without */
	struct vs_list of;      /* --of; empty without */
	int nvips;
	char **vips;
	const char *state_dir;
	struct fork_stamp stamp;   /* this process's, for --vs */
	long pid_max;
};

/* What a call does to one VIP. */
enum decision { VIP_OFF, VIP_ON, VIP_KEEP, VIP_KEEP_FAILED };

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lvsdns-vip-guard [-f VIPS_FILE] [-s STATE_DIR] up|down\n"
		"                        [--vs PROTO/PORT [--of PROTO/PORT,...]] VIP...\n"
		"       lvsdns-vip-guard [-f VIPS_FILE] [-s STATE_DIR] up|down --all\n"
		"       lvsdns-vip-guard [-f VIPS_FILE] check\n"
		"Adds (up) or removes (down) VIPs listed in VIPS_FILE (default "
		DEFAULT_VIPS_FILE ")\non the interface named there. With --vs, records "
		"that virtual server's quorum\n(in STATE_DIR, default " DEFAULT_STATE_DIR
		") and adds a VIP only when all its\nvirtual servers (--of) have quorum. "
		"Exit 0 done, 1 kernel or state error,\n2 usage or list error.\n");
}

/* systemd connects a unit's stderr to the journal and says so in
 * JOURNAL_STREAM ("DEVICE:INODE" of that stream). Asked at each message (a
 * getenv and an fstat; a call logs a few lines), so no state is kept. */
static bool stderr_is_journal(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return v && sscanf(v, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
	       (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

/* Where the messages go: to syslog, with a copy on stderr (openlog's
 * LOG_PERROR); or, when stderr is the journal stream systemd gave a unit (as
 * for the keepalived drop-in's ExecStartPre= and ExecStopPost=), to stderr
 * alone, each line with its priority as a "<N>" prefix that journald reads:
 * syslog too would log every line twice, and journald files a syslog line of
 * a process that has exited by the time it reads its cgroup under no unit,
 * so journalctl -u keepalived would often miss why the guard refused. */
static void say(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (stderr_is_journal()) {
		fprintf(stderr, "<%d>", LOG_PRI(prio));
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vsyslog(prio, fmt, ap);
	}
	va_end(ap);
}

/* Every message of the vips parser, one log line each. */
static void log_lines(int prio, const char *text)
{
	char *copy = xstrdup(text), *save = NULL, *line;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		say(prio, "%s", line);
	free(copy);
}

/* Resolves every argument to its list entry before anything changes, so a
 * bad argument never leaves the VIPs half moved. */
static int resolve(const struct vips *list, const char *path, int n, char **args,
		   const struct vip_entry **out)
{
	int rc = 0;

	for (int i = 0; i < n; i++) {
		struct addr a;

		if (!addr_parse(args[i], &a)) {
			say(LOG_ERR, "'%s' is not a numeric IP address", args[i]);
			rc = -1;
		} else if (!(out[i] = vips_find(list, &a))) {
			say(LOG_ERR, "%s is not listed in %s; refusing to touch it",
			    args[i], path);
			rc = -1;
		}
	}
	return rc;
}

/* " (it was /24)": a removed address that was not a host prefix. */
static const char *prefix_note(unsigned len)
{
	static char note[32];

	snprintf(note, sizeof(note), " (it was /%u)", len);
	return note;
}

static enum exit_code apply_one(int fd, bool up, const struct vip_entry *e)
{
	char text[ADDR_STRLEN];
	unsigned ifindex = if_nametoindex(e->interface);
	enum nl_outcome o;
	unsigned len = 0;
	int error = 0;

	addr_str(&e->addr, text);
	if (ifindex == 0) {
		say(LOG_ERR, "%s %s (%s): interface %s: %s", up ? "up" : "down", text,
		    e->service, e->interface, strerror(errno));
		return EXIT_KERNEL;
	}
	o = nl_addr_change(fd, up, &e->addr, ifindex, &error, &len);
	if (o == NL_FAILED) {
		say(LOG_ERR, "%s %s (%s) on %s: %s", up ? "up" : "down", text, e->service,
		    e->interface, strerror(error));
		return EXIT_KERNEL;
	}
	say(LOG_NOTICE, "%s %s (%s) on %s: %s%s", up ? "up" : "down", text, e->service,
	    e->interface, o == NL_DONE ? (up ? "added" : "removed")
				       : (up ? "already present" : "already absent"),
	    o == NL_DONE && len != addr_maxlen(&e->addr) ? prefix_note(len) : "");
	return EXIT_DONE;
}

/* "udp-53" (state-file form) back to "udp/53" for messages. */
static const char *vs_show(const char *vs, char out[VS_STRLEN])
{
	char *dash;

	memcpy(out, vs, VS_STRLEN);
	out[VS_STRLEN - 1] = '\0';
	if ((dash = strchr(out, '-')))
		*dash = '/';
	return out;
}

/* A direct call (no --vs) overrides the virtual servers' reports: forget
 * them, so keepalived's next reports start afresh (ExecStopPost runs one). */
static enum decision decide_direct(const struct request *r, struct qstate *q,
				   const struct vip_entry *e)
{
	int err = q->dirfd >= 0 ? qstate_forget(q, &e->addr) : 0;

	if (err)
		say(LOG_WARNING, "forgetting the quorum state of %s: %s", e->service,
		    strerror(err));
	return r->up ? VIP_ON : VIP_OFF;
}

/* A report keepalived forked before the one recorded for this virtual
 * server, which ran first: what it says is out of date, and the later
 * report has already decided. */
static bool comes_late(const struct request *r, struct qstate *q, const struct vip_entry *e,
		       const char *text, const char *vs)
{
	long later;

	if (!qstate_recorded_later(q, &e->addr, r->vs, &r->stamp, r->pid_max, &later))
		return false;
	say(LOG_NOTICE, "%s %s: quorum %s ignored: keepalived forked it before the report "
	    "recorded (pid %ld), which ran first; the VIP is left as that one decided",
	    text, vs, r->up ? "up" : "down", later);
	return true;
}

/* Records this virtual server's quorum and says what becomes of the VIP. */
static enum decision decide(const struct request *r, struct qstate *q, const struct vip_entry *e)
{
	char text[ADDR_STRLEN], vs[VS_STRLEN], missing[VS_STRLEN], shown[VS_STRLEN];
	int err;

	if (!r->vs[0])
		return decide_direct(r, q, e);
	addr_str(&e->addr, text);
	vs_show(r->vs, vs);
	if (comes_late(r, q, e, text, vs))
		return VIP_KEEP;
	err = qstate_record(q, &e->addr, r->vs, r->up, &r->stamp);
	if (err) {
		say(LOG_ERR, "%s %s: recording quorum %s: %s", text, vs, r->up ? "up" : "down",
		    strerror(err));
		/* a down is obeyed even so (as in apply_unrecorded) */
		return r->up ? VIP_KEEP_FAILED : VIP_OFF;
	}
	if (!r->up)
		return VIP_OFF;
	if (qstate_all_up(q, &e->addr, r->of.n ? &r->of : NULL, missing))
		return VIP_ON;
	say(LOG_NOTICE, "%s %s: quorum up, but %s has none (or has not reported): the VIP stays off",
	    text, vs, vs_show(missing, shown));
	return VIP_OFF;
}

/* The whole batch runs under the state lock, so concurrent calls for the
 * udp and the tcp virtual server cannot interleave their decisions and
 * their address changes. */
static enum exit_code apply_locked(const struct request *r, struct qstate *q, int fd,
				   const struct vip_entry **entries)
{
	enum exit_code rc = EXIT_DONE;

	/* Keep going after a failure: each VIP is independent. */
	for (int i = 0; i < r->nvips; i++) {
		enum decision d = decide(r, q, entries[i]);

		if (d == VIP_KEEP_FAILED)
			rc = EXIT_KERNEL;
		else if (d != VIP_KEEP && apply_one(fd, d == VIP_ON, entries[i]) != EXIT_DONE)
			rc = EXIT_KERNEL;
	}
	return rc;
}

/* A report whose state could not be opened or locked (open_state said why).
 * An up changes nothing: without the other virtual servers' reports it cannot
 * know the VIP may be on. A down is obeyed all the same: keepalived runs
 * quorum_down once per transition, so a VIP left on now would stay announced
 * with no healthy instance behind it; unless the record, read without the
 * lock, is of a report forked after it (then it is out of date). Where only
 * the lock failed, the down is recorded without it. The exit is 1 all the
 * same: the state could not be used as it should. */
static enum exit_code apply_unrecorded(const struct request *r, int fd,
				       const struct vip_entry **entries)
{
	char text[ADDR_STRLEN], vs[VS_STRLEN];
	long later;

	for (int i = 0; i < r->nvips; i++) {
		addr_str(&entries[i]->addr, text);
		vs_show(r->vs, vs);
		if (r->up) {
			say(LOG_ERR, "%s %s: quorum up not recorded; the VIP is left as it is", text, vs);
			continue;
		}
		if (qstate_recorded_later_unlocked(r->state_dir, &entries[i]->addr, r->vs, &r->stamp,
						   r->pid_max, &later)) {
			say(LOG_NOTICE, "%s %s: quorum down not recorded, and ignored: keepalived "
			    "forked it before the report recorded (pid %ld)", text, vs, later);
			continue;
		}
		/* recorded all the same where the directory is usable: a stale up
		 * would otherwise put the VIP on at the next report of another
		 * virtual server */
		if (r->vs[0] && qstate_record_unlocked(r->state_dir, &entries[i]->addr, r->vs, false,
							&r->stamp) == 0)
			say(LOG_ERR, "%s %s: quorum down recorded without the lock; taking the VIP off",
			    text, vs);
		else
			say(LOG_ERR, "%s %s: quorum down not recorded; taking the VIP off all the same",
			    text, vs);
		apply_one(fd, false, entries[i]);
	}
	return EXIT_KERNEL;
}

/* The state is needed for --vs; a direct call still acts without it. */
static int open_state(const struct request *r, struct qstate *q)
{
	struct buf err;
	int rc;

	buf_init(&err);
	rc = qstate_open(q, r->state_dir, &err);
	if (rc != 0)
		say(r->vs[0] ? LOG_ERR : LOG_WARNING, "%s", err.data);
	buf_free(&err);
	return rc != 0 && r->vs[0] ? -1 : 0;
}

static const struct vip_entry **entries_of(const struct request *r, const struct vips *list,
					   const char *path)
{
	const struct vip_entry **entries = xcalloc((size_t)r->nvips + 1, sizeof(*entries));

	for (int i = 0; r->all && i < r->nvips; i++)
		entries[i] = &list->v[i];
	if (!r->all && resolve(list, path, r->nvips, r->vips, entries) != 0) {
		free(entries);
		return NULL;
	}
	return entries;
}

static enum exit_code apply(struct request *r, const struct vips *list, const char *path)
{
	const struct vip_entry **entries;
	struct qstate q = { -1, -1 };
	enum exit_code rc = EXIT_KERNEL;
	int fd;

	if (r->all)
		r->nvips = (int)list->n;
	if (!(entries = entries_of(r, list, path)))
		return EXIT_USAGE;
	fd = nl_open();
	if (fd < 0)
		say(LOG_ERR, "netlink socket: %s", strerror(errno));
	else if (open_state(r, &q) == 0)
		rc = apply_locked(r, &q, fd, entries);
	else
		rc = apply_unrecorded(r, fd, entries);
	qstate_close(&q);
	if (fd >= 0)
		close(fd);
	free(entries);
	return rc;
}

/* --vs PROTO/PORT [--of LIST] | --all, before the VIPs. */
static int parse_selector(struct request *r, int argc, char **argv, int *i)
{
	const char *opt = argv[*i];

	if (strcmp(opt, "--all") == 0) {
		r->all = true;
		return 0;
	}
	if (*i + 1 >= argc) {
		say(LOG_ERR, "%s needs an argument", opt);
		return -1;
	}
	(*i)++;
	if (strcmp(opt, "--vs") == 0 && vs_parse(argv[*i], r->vs))
		return 0;
	if (strcmp(opt, "--of") == 0 && vs_list_parse(argv[*i], &r->of))
		return 0;
	say(LOG_ERR, "%s '%s': expected PROTO/PORT%s (udp or tcp, port 1-65535)", opt,
	    argv[*i], strcmp(opt, "--of") == 0 ? ",..." : "");
	return -1;
}

static bool selectors_consistent(const struct request *r)
{
	if (r->all && (r->vs[0] || r->nvips > 0))
		say(LOG_ERR, "--all takes no VIPs and no --vs");
	else if (r->of.n && !r->vs[0])
		say(LOG_ERR, "--of needs --vs");
	else if (r->of.n && !vs_list_has(&r->of, r->vs))
		say(LOG_ERR, "--of must list the --vs virtual server");
	else
		return r->all || r->nvips > 0;
	return false;
}

static int parse_request(struct request *r, int argc, char **argv, int i)
{
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (parse_selector(r, argc, argv, &i) != 0)
			return -1;
	}
	r->nvips = argc - i;
	r->vips = argv + i;
	return selectors_consistent(r) ? 0 : -1;
}

static enum exit_code run(const char *cmd, struct request *r, const char *path)
{
	struct vips list;
	struct buf err;
	enum exit_code rc;

	buf_init(&err);
	if (vips_load(path, &list, &err) != 0) {
		log_lines(LOG_ERR, err.data);
		buf_free(&err);
		return EXIT_USAGE;
	}
	buf_free(&err);
	rc = strcmp(cmd, "check") == 0 ? EXIT_DONE : apply(r, &list, path);
	vips_free(&list);
	return rc;
}

/* Whether the words after the options make a valid call of cmd. */
static bool valid_call(const char *cmd, struct request *r, int argc, char **argv, int i)
{
	if (strcmp(cmd, "check") == 0)
		return i == argc;
	if (r->up || strcmp(cmd, "down") == 0)
		return parse_request(r, argc, argv, i) == 0;
	say(LOG_ERR, "unknown command '%s'", cmd);
	return false;
}

int main(int argc, char **argv)
{
	const char *path = DEFAULT_VIPS_FILE, *cmd;
	struct request r = { .state_dir = DEFAULT_STATE_DIR };
	enum exit_code rc = EXIT_USAGE;
	int opt;

	openlog("lvsdns-vip-guard", LOG_PID | LOG_PERROR, LOG_DAEMON);
	while ((opt = getopt(argc, argv, "+f:s:h")) != -1) {
		switch (opt) {
		case 'f': path = optarg; break;
		case 's': r.state_dir = optarg; break;
		case 'h': usage(stdout); return EXIT_DONE;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	cmd = optind < argc ? argv[optind++] : "";
	r.up = strcmp(cmd, "up") == 0;
	if (*cmd && valid_call(cmd, &r, argc, argv, optind)) {
		if (r.vs[0] && !fork_stamp_self(&r.stamp))
			say(LOG_WARNING, "/proc does not tell when this process started: "
			    "this report cannot be put in order with others");
		r.pid_max = fork_pid_max();
		rc = run(cmd, &r, path);
	}
	else
		usage(stderr);
	vs_list_free(&r.of);
	closelog();
	return rc;
}
