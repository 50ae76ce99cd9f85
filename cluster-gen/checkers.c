/* Real checkers: each output kind is read by the program that will read it
 * in production, in its check mode. A table says which program checks which
 * path and how its verdict is judged; run_program (run_program.c) does the
 * fork/exec, checkers_prepare.c makes what a checker reads besides the file. */
#include "checkers.h"
#include "checkers_prepare.h"

#include <errno.h>
#include <fnmatch.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outtree.h"

/* ---- which program checks what ---- */

enum judge {
	JUDGE_EXIT,           /* exit 0 */
	JUDGE_EXIT_QUIET,     /* exit 0 and nothing on stderr (keepalived -t) */
	JUDGE_BGPD,           /* bgpd -C always exits 0: only bfdd's lines may be named */
	JUDGE_SYSTEMD,        /* systemd-analyze verify: nothing said but about this machine */
};

#define FILE_ARG "{file}"     /* the file's path */
#define ROOT_ARG "{root}"     /* named-checkconf: the chroot made for the file */
#define INNER_ARG "{inner}"   /* and the file's path inside it */
#define UNITPATH_ARG "{unitpath}" /* a drop-in: SYSTEMD_UNIT_PATH=DIR: of its stand-in unit */
#define STANDIN_ARG "{standin}"   /* and that stand-in unit's path */
#define STATEDIR_ARG "{statedir}" /* ifupdown: a state directory of its own */
#define KEEPALIVED_ARG "{keepalived}" /* keepalived.conf, its script_user one that exists here */

/* What a checker needs beyond reading the file. Without root, a check that
 * needs privileges only inside its own namespaces (nft -c and
 * iptables-restore --test talk to the kernel, named-checkconf -t chroots,
 * keepalived -t wants a PID namespace) runs in a user and network
 * namespace of its own; bgpd -C drops to the frr user, which needs root. */
enum privilege { PRIV_NONE, PRIV_USERNS, PRIV_ROOT };

struct checker {
	const char *pattern;      /* fnmatch(3) over the path in the tree */
	const char *label;
	const char *needs[2];     /* programs that must be installed */
	const char *argv[10];
	enum judge judge;
	enum privilege priv;
};

static const struct checker checkers[] = {
	/* keepalived 2.2 kills itself in test mode unless PID-namespaced, and
	 * -t without -f checks /etc/keepalived instead */
	{ "balancers/*/keepalived.conf", "keepalived -t", { "unshare", "keepalived" },
	  { "unshare", "--pid", "--fork", "keepalived", "-t", "-f", KEEPALIVED_ARG }, JUDGE_EXIT_QUIET,
	  PRIV_USERNS },
	{ "balancers/*/frr.conf", "vtysh -C", { "vtysh" },
	  { "vtysh", "-C", "-f", FILE_ARG }, JUDGE_EXIT, PRIV_NONE },
	{ "balancers/*/frr.conf", "bgpd -C", { "/usr/lib/frr/bgpd" },
	  { "/usr/lib/frr/bgpd", "-C", "-p", "0", "-f", FILE_ARG }, JUDGE_BGPD, PRIV_ROOT },
	/* named-checkconf enters the options' directory: it gets a chroot
	 * holding that directory, so nothing on this machine is needed */
	{ "realservers/*/named-*.conf", "named-checkconf", { "named-checkconf" },
	  { "named-checkconf", "-t", ROOT_ARG, INNER_ARG }, JUDGE_EXIT, PRIV_USERNS },
	{ "realservers/*/dnat.rules", "iptables-restore --test", { "iptables-restore" },
	  { "iptables-restore", "--test", FILE_ARG }, JUDGE_EXIT, PRIV_USERNS },
	{ "realservers/*/dnat6.rules", "ip6tables-restore --test", { "ip6tables-restore" },
	  { "ip6tables-restore", "--test", FILE_ARG }, JUDGE_EXIT, PRIV_USERNS },
	{ "*.nft", "nft -c", { "nft" }, { "nft", "-c", "-f", FILE_ARG }, JUDGE_EXIT, PRIV_USERNS },
	{ "*.sh", "sh -n", { "sh" }, { "sh", "-n", FILE_ARG }, JUDGE_EXIT, PRIV_NONE },
	{ "bind-build/build.env", "sh -n", { "sh" }, { "sh", "-n", FILE_ARG }, JUDGE_EXIT,
	  PRIV_NONE },
	/* the guard as installed on the balancers: found on PATH */
	{ "balancers/*/vips", "lvsdns-vip-guard check", { "lvsdns-vip-guard" },
	  { "lvsdns-vip-guard", "-f", FILE_ARG, "check" }, JUDGE_EXIT, PRIV_NONE },
	/* dnsprobe as installed on the balancers, found on PATH: it parses the
	 * targets as lvsdns-watch.service's start and reload do, sends nothing */
	{ "balancers/*/dnsprobe.targets", "dnsprobe --check", { "dnsprobe" },
	  { "dnsprobe", "--watch", FILE_ARG, "--check" }, JUDGE_EXIT, PRIV_NONE },
	/* a template unit (named@.service) is verified as its instance "i" */
	{ "*.service", "systemd-analyze verify", { "systemd-analyze" },
	  { "systemd-analyze", "verify", FILE_ARG }, JUDGE_SYSTEMD, PRIV_NONE },
	/* -n prints the commands ifup would run; its state (and lock) stays in
	 * a directory of its own, not /run/network */
	{ "balancers/*/interfaces.d/*", "ifup --no-act", { "ifup" },
	  { "ifup", "--no-act", "--no-scripts", "--state-dir", STATEDIR_ARG, "-i", FILE_ARG,
	    "--all" }, JUDGE_EXIT, PRIV_NONE },
	/* a drop-in, with the unit it extends (keepalived's) played by a stand-in */
	{ "*.service.d/*.conf", "systemd-analyze verify", { "systemd-analyze", "env" },
	  { "env", UNITPATH_ARG, "systemd-analyze", "verify", STANDIN_ARG }, JUDGE_SYSTEMD,
	  PRIV_NONE },
};

#define CHECK_TIMEOUT_S 60

/* Whether every non-blank line of both outputs matches `allowed`; the
 * others are copied to why. */
static bool only_allowed_lines(const struct run_result *r, const char *allowed, struct buf *why)
{
	const struct buf *both[2] = { &r->out, &r->err };
	regex_t re;
	bool ok = true;

	if (regcomp(&re, allowed, REG_EXTENDED | REG_NOSUB) != 0)
		abort();
	for (int i = 0; i < 2; i++) {
		char *text = xstrdup(both[i]->data ? both[i]->data : ""), *save = NULL;

		for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			if (l[strspn(l, " \t\r")] && regexec(&re, l, 0, NULL, 0) != 0) {
				buf_printf(why, "%s\n", l);
				ok = false;
			}
		free(text);
	}
	regfree(&re);
	return ok;
}

/* bgpd -C reads the whole integrated file and names every line it does not
 * know; bfdd's block is the only part that is not its own. Besides bfdd's
 * lines, bgpd may say that its crash-log directory (/var/tmp/frr/bgpd.PID)
 * could not be made, e.g. when a killed bgpd of the same PID left it
 * behind: about this machine, not the file. */
static const char BGPD_ALLOWED[] = "No such command on config line [0-9]+: *"
	"(bfd|profile [^ ]+|detect-multiplier [0-9]+|receive-interval [0-9]+|"
	"transmit-interval [0-9]+)$|"
	"failed to mkdir \"/var/tmp/frr/bgpd\\.[0-9]+\": |"
	"crashlog and per-thread log buffering unavailable!$";

/* systemd-analyze verify also fails a unit whose programs or man pages are
 * not installed here: the unit runs on a balancer or a real server, not on
 * the machine that renders it. Anything else it says (an unknown key, a bad
 * value, a missing section) is about the file, and fails it, even though
 * verify itself exits 0 for most of those. */
static const char SYSTEMD_ALLOWED[] = ": Command [^ ].* is not executable: No such file or directory$|"
	": Command 'man [^']+' failed with code [0-9]+$";

static bool judge(enum judge j, const struct run_result *r, struct buf *why)
{
	bool ok = !r->timed_out && r->status == 0;

	if (r->timed_out)
		buf_printf(why, "no verdict within %d s; killed\n", CHECK_TIMEOUT_S);
	if (j == JUDGE_BGPD)
		return only_allowed_lines(r, BGPD_ALLOWED, why) && ok;
	if (j == JUDGE_SYSTEMD)   /* its exit status is only the allowed lines' */
		return only_allowed_lines(r, SYSTEMD_ALLOWED, why) && !r->timed_out &&
		       (r->status == 0 || r->out.len || r->err.len);
	if (j == JUDGE_EXIT_QUIET && r->err.len)
		ok = false;
	if (!ok) {
		if (!r->timed_out)
			buf_printf(why, "exit status %d\n", r->status);
		buf_append(why, r->out.data ? r->out.data : "", r->out.len);
		buf_append(why, r->err.data ? r->err.data : "", r->err.len);
	}
	return ok;
}

struct check_ctx {
	const char *root;
	struct real_checks *rc;
	struct buf *out;
	struct buf missing;       /* "prog\n" each, for the summary */
	size_t nprepared;         /* chroots and stand-ins made so far */
	bool root_user;
	int userns;               /* -1 not tried yet, 0 unavailable, 1 usable */
};

#define USERNS_ARGS "--map-root-user", "--net"

/* Whether this user may make a user and network namespace, asked once. */
static bool userns_usable(struct check_ctx *cx)
{
	char *unshare = find_program("unshare");
	char *argv[] = { unshare, USERNS_ARGS, "true", NULL };
	struct run_result r;
	struct buf msg;

	if (cx->userns < 0) {
		buf_init(&msg);
		cx->userns = unshare && run_program(argv, 10, &r, &msg) == 0 && r.status == 0;
		if (unshare)
			run_result_free(&r);
		buf_free(&msg);
	}
	free(unshare);
	return cx->userns == 1;
}

static void report(struct check_ctx *cx, const char *verdict, const char *path,
		   const char *label, const struct buf *why)
{
	const char *p = why && why->data ? why->data : "";
	int lines = 0;

	buf_printf(cx->out, "  %-7s %-40s %s\n", verdict, path, label);
	while (*p && lines++ < 20) {
		size_t n = strcspn(p, "\n");

		buf_printf(cx->out, "          | %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

static void note_missing(struct check_ctx *cx, const char *prog)
{
	char *line = xasprintf("\n%s\n", prog);

	if (!cx->missing.data || !strstr(cx->missing.data, line))
		buf_puts(&cx->missing, line + (cx->missing.len ? 1 : 0));
	free(line);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "missing checkers (not installed): a b c", sorted, or ": none". */
static void put_missing(struct buf *out, const struct buf *missing)
{
	char *copy = xstrdup(missing->data ? missing->data : ""), *save = NULL, *v[64];
	size_t n = 0;

	for (char *p = strtok_r(copy, "\n", &save); p && n < 64; p = strtok_r(NULL, "\n", &save))
		v[n++] = p;
	qsort(v, n, sizeof(*v), by_name);
	buf_puts(out, "missing checkers (not installed):");
	for (size_t i = 0; i < n; i++)
		buf_printf(out, " %s", v[i]);
	buf_puts(out, n ? "\n" : " none\n");
	free(copy);
}

/* bgpd makes /var/tmp/frr/bgpd.PID for crash logs, and -C leaves it behind:
 * hundreds of runs later a bgpd of the same PID cannot make its own. An
 * empty one is ours to remove; one holding a crash log is worth keeping. */
static void remove_bgpd_crashlog_dir(pid_t pid)
{
	char dir[64];

	snprintf(dir, sizeof(dir), "/var/tmp/frr/bgpd.%ld", (long)pid);
	rmdir(dir);
}

static bool names(const struct checker *c, const char *arg)
{
	for (int i = 0; c->argv[i]; i++)
		if (!strcmp(c->argv[i], arg))
			return true;
	return false;
}

static int prepare(struct check_ctx *cx, const struct checker *c, const struct file *f,
		   struct prepared *p, struct buf *why)
{
	char *dir = NULL;
	int rc = 0;

	p->full = xasprintf("%s/%s", cx->root, f->path);
	if (names(c, ROOT_ARG))
		rc = named_chroot(f, cx->root, cx->nprepared++, &p->croot, why);
	if (rc == 0 && names(c, STATEDIR_ARG)) {
		p->statedir = xasprintf("%s/.ifstate/%zu", cx->root, cx->nprepared++);
		if ((rc = make_dirs(p->statedir, 0755)) != 0)
			buf_printf(why, "%s: %s\n", p->statedir, strerror(errno));
	}
	if (rc == 0 && names(c, STANDIN_ARG)) {
		rc = dropin_standin(f, cx->root, cx->nprepared++, &dir, &p->standin, why);
		p->unitpath = xasprintf("SYSTEMD_UNIT_PATH=%s:", dir);
		free(dir);
	}
	if (rc == 0 && names(c, KEEPALIVED_ARG))
		rc = keepalived_copy(f, cx->root, cx->nprepared++, p, why);
	return rc;
}

static void prepared_free(struct prepared *p)
{
	free(p->keepalived);
	buf_free(&p->note);
	free(p->full);
	free(p->croot);
	free(p->unitpath);
	free(p->standin);
	free(p->statedir);
}

static char *expand(const char *arg, const struct prepared *p)
{
	return !strcmp(arg, FILE_ARG) ? p->full : !strcmp(arg, ROOT_ARG) ? p->croot :
	       !strcmp(arg, INNER_ARG) ? (char *)"/named.conf" :
	       !strcmp(arg, UNITPATH_ARG) ? p->unitpath :
	       !strcmp(arg, STANDIN_ARG) ? p->standin :
	       !strcmp(arg, STATEDIR_ARG) ? p->statedir :
	       !strcmp(arg, KEEPALIVED_ARG) ? p->keepalived : (char *)arg;
}

/* The programs c needs that are not installed, as "a, b", or NULL. */
static char *missing_programs(struct check_ctx *cx, const struct checker *c)
{
	char *missing = NULL;

	for (int i = 0; i < 2 && c->needs[i]; i++) {
		char *p = find_program(c->needs[i]);
		if (!p) {
			char *m = xasprintf("%s%s%s", missing ? missing : "", missing ? ", " : "", c->needs[i]);
			free(missing);
			missing = m;
			note_missing(cx, c->needs[i]);
		}
		free(p);
	}
	return missing;
}

/* Whether c may run here, in a namespace of its own (*wrap) if needed;
 * reported as missing or skipped when not. */
static bool may_run(struct check_ctx *cx, const struct checker *c, const struct file *f, bool *wrap)
{
	char *missing = missing_programs(cx, c), *label = NULL;
	bool ok;

	*wrap = false;
	if (missing) {
		label = xasprintf("%s (not installed: %s)", c->label, missing);
		report(cx, "missing", f->path, label, NULL);
		cx->rc->missing++;
	} else if (!cx->root_user && c->priv != PRIV_NONE) {
		*wrap = c->priv == PRIV_USERNS && userns_usable(cx);
		if (!*wrap) {
			label = xasprintf("%s (needs root%s)", c->label,
					  c->priv == PRIV_USERNS ? " or user namespaces" : "");
			report(cx, "skipped", f->path, label, NULL);
			cx->rc->skipped++;
		}
	}
	ok = label == NULL;
	free(missing);
	free(label);
	return ok;
}

static void run_one(struct check_ctx *cx, const struct checker *c, const struct file *f)
{
	char *argv[3 + 10 + 1] = { NULL };   /* unshare's three, the checker's, NULL */
	struct prepared p = { 0 };
	struct run_result r;
	struct buf why;
	bool wrap, ran;
	int i, n = 0;

	if (!may_run(cx, c, f, &wrap))
		return;
	buf_init(&why);
	buf_init(&p.note);
	cx->rc->run++;
	if (prepare(cx, c, f, &p, &why) != 0) {
		report(cx, "FAIL", f->path, c->label, &why);
		cx->rc->failed++;
		goto out;
	}
	/* in a namespace of its own: unshare --map-root-user --net [its argv] */
	if (wrap)
		argv[n++] = "unshare", argv[n++] = "--map-root-user", argv[n++] = "--net";
	for (i = wrap && !strcmp(c->argv[0], "unshare"); c->argv[i]; i++)
		argv[n++] = expand(c->argv[i], &p);
	argv[0] = find_program(argv[0]);
	ran = run_program(argv, CHECK_TIMEOUT_S, &r, &why) == 0;
	if (ran && c->judge == JUDGE_BGPD)
		remove_bgpd_crashlog_dir(r.pid);
	if (ran && judge(c->judge, &r, &why)) {
		report(cx, "pass", f->path, c->label, &p.note);
		cx->rc->passed++;
	} else {
		report(cx, "FAIL", f->path, c->label, &why);
		cx->rc->failed++;
	}
	run_result_free(&r);
	free(argv[0]);
out:
	prepared_free(&p);
	buf_free(&why);
}

void run_real_checks(const struct files *f, const char *root, struct real_checks *rc,
		     struct buf *out)
{
	struct check_ctx cx = { root, rc, out, { NULL, 0, 0 }, 0, geteuid() == 0, -1 };
	struct buf unread;

	*rc = (struct real_checks){ 0, 0, 0, 0, 0 };
	buf_init(&unread);
	for (size_t i = 0; i < f->n; i++) {
		bool any = false;

		for (size_t k = 0; k < sizeof(checkers) / sizeof(checkers[0]); k++)
			if (fnmatch(checkers[k].pattern, f->v[i].path, 0) == 0) {
				run_one(&cx, &checkers[k], &f->v[i]);
				any = true;
			}
		if (!any)
			buf_printf(&unread, "%s%s", unread.len ? ", " : "", f->v[i].path);
	}
	if (unread.len)
		buf_printf(out, "no real checker reads: %s\n", unread.data);
	put_missing(out, &cx.missing);
	buf_free(&cx.missing);
	buf_free(&unread);
}
