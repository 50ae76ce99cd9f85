/* cluster-gen diff SITE DIR [--stat]: what `render SITE -o DIR` would
 * change in DIR, as one unified diff per file, each with what the machine
 * then has to do (reload keepalived, restart a named instance, ...).
 * The CI gate: exit 0 no change, 1 changes, 2 error. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "outtree.h"
#include "render.h"
#include "unified_diff.h"

static const char diff_options[] =
	"  --stat                one line per differing file and a total, no hunks\n"
	"  -U, --unified N       lines of context (default 3)\n"
	"  -t, --templates DIR   templates in DIR override built-in ones (as for render)\n"
	"Exit status: 0 DIR is what render would write, 1 it differs, 2 error.\n";

static int read_file_at(const char *path, struct buf *out, struct buf *err)
{
	if (buf_read_file(out, path) == 0)
		return 0;
	buf_printf(err, "%s: %s", path, strerror(errno));
	return -1;
}

/* Adds every regular file under dir/rel to out; anything else is an error:
 * render never writes it, so the diff could not say what it would become. */
static int read_dir(const char *dir, const char *rel, struct files *out, struct buf *err)
{
	char *path = *rel ? xasprintf("%s/%s", dir, rel) : xstrdup(dir);
	DIR *d = opendir(path);
	struct dirent *e;
	int rc = 0;

	if (!d) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	while (rc == 0 && (e = readdir(d))) {
		char *r, *full;
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		r = *rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		full = xasprintf("%s/%s", dir, r);
		if (lstat(full, &st) != 0) {
			buf_printf(err, "%s: %s", full, strerror(errno));
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			rc = read_dir(dir, r, out, err);
		} else if (S_ISREG(st.st_mode)) {
			struct buf data;

			buf_init(&data);
			rc = read_file_at(full, &data, err);
			if (rc == 0) {
				size_t len = data.len;
				files_add(out, r, buf_steal(&data), len, st.st_mode & 07777);
			} else {
				buf_free(&data);
			}
		} else {
			buf_printf(err, "%s: not a regular file or directory; render never writes one", full);
			rc = -1;
		}
		free(r);
		free(full);
	}
	closedir(d);
	free(path);
	return rc;
}

int files_read_tree(const char *dir, struct files *out, struct buf *err)
{
	files_init(out);
	if (read_dir(dir, "", out, err) != 0) {
		files_free(out);
		return -1;
	}
	files_sort(out);
	return 0;
}

void files_add_marker(struct files *f)
{
	const char *text = outtree_marker_text();

	files_add(f, OUTTREE_MARKER, xstrdup(text), strlen(text), 0644);
	files_sort(f);
}

/* ---- what each file's change means on its machine ---- */

enum change_kind { ADDED, REMOVED, CHANGED };

static const char *const kind_names[] = { "added", "removed", "changed" };

/* path component i (0-based) of a/b/c, into out (at most outlen - 1). */
static const char *component(const char *path, int i, char *out, size_t outlen)
{
	const char *p = path;
	size_t n;

	for (; i > 0 && p; i--)
		if ((p = strchr(p, '/')))
			p++;
	if (!p)
		return "";
	n = strcspn(p, "/");
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

/* A systemd unit (FILE ends in .service or .timer); false when it is not one. */
static bool unit_action(const char *file, enum change_kind k, struct buf *out)
{
	size_t len = strlen(file);
	bool unit = (len > 8 && !strcmp(file + len - 8, ".service")) ||
		    (len > 6 && !strcmp(file + len - 6, ".timer"));
	const char *at = strstr(file, "@.");   /* a template: its instances are named elsewhere */

	if (!unit || strchr(file, '/'))
		return false;
	if (at && k == REMOVED)
		buf_printf(out, "systemctl disable --now every %.*s@ instance, then remove /etc/systemd/system/%s "
			   "and systemctl daemon-reload", (int)(at - file), file, file);
	else if (at)
		/* all at once would take the host out of every balancer's pool */
		buf_printf(out, "install in /etc/systemd/system/, systemctl daemon-reload, then restart "
			   "the %.*s@ instances one at a time, each once its balancer sees the one "
			   "before up again", (int)(at - file), file);
	else if (k == REMOVED)
		buf_printf(out, "systemctl disable --now %s, then remove /etc/systemd/system/%s", file, file);
	else
		buf_printf(out, "install in /etc/systemd/system/, systemctl daemon-reload, then systemctl %s %s",
			   k == ADDED ? "enable --now" : "restart", file);
	return true;
}

/* A settings file that went away: the running kernel keeps its values. */
/* A host's rule set loads whole: the rules it gains must be there before
 * the balancer sends there, the ones it loses must stay until it no longer
 * does. */
#define DNAT_ORDER "; where it adds rules (a new instance or VIP), before its balancer's " \
		   "keepalived reload; where it drops an instance's or a VIP's rules, only after " \
		   "that reload (or the VIP's withdrawal): until then the balancer sends there"

#define SYSCTL_REMOVED "remove /etc/sysctl.d/60-lvsdns.conf (the running kernel keeps its values until " \
		       "they are set otherwise or the machine reboots)"

static void balancer_action(const char *lb, const char *file, enum change_kind k,
			    bool vs_removed, struct buf *out)
{
	buf_printf(out, "on balancer %s: ", lb);
	if (k == REMOVED && !strcmp(file, "vips"))
		buf_puts(out, "remove /etc/lvsdns/vips");
	else if (k == REMOVED && !strcmp(file, "dnsprobe.targets"))
		buf_puts(out, "remove /etc/lvsdns/dnsprobe.targets once dnsprobe --watch is stopped");
	else if (k == REMOVED && !strncmp(file, "interfaces.d/", 13))
		buf_printf(out, "ifdown %s, then remove /etc/network/interfaces.d/%s", file + 13, file + 13);
	else if (k == REMOVED && !strcmp(file, "sysctl.conf"))
		buf_puts(out, SYSCTL_REMOVED);
	else if (!strcmp(file, "keepalived.conf") && vs_removed)
		buf_puts(out, "once this balancer's other changed files are in place, install as "
			 "/etc/keepalived/keepalived.conf, then systemctl daemon-reload; systemctl restart "
			 "keepalived, not reload: a virtual server of a VIP that stays is gone, and on a "
			 "reload keepalived runs its quorum_down, which keeps the VIP withdrawn until a "
			 "restart (a restart withdraws this balancer's VIPs until its checks pass)");
	else if (!strcmp(file, "keepalived.conf"))
		/* the reload runs the preflight drop-in's checks (the new ones),
		 * among them the guard's of the vips file */
		buf_printf(out, "%s", k == REMOVED ? "systemctl disable --now keepalived" :
			   k == ADDED ? "once every other file of this balancer is in place, install as "
					"/etc/keepalived/keepalived.conf, then systemctl daemon-reload; "
					"systemctl enable --now keepalived" :
			   "once this balancer's other changed files are in place (added, changed or "
			   "removed: keepalived.service.d drop-ins, vips; with checker = watch, "
			   "lvsdns-watch running on its new targets), install as "
			   "/etc/keepalived/keepalived.conf, then systemctl daemon-reload; "
			   "systemctl reload keepalived");
	else if (!strcmp(file, "frr.conf"))
		buf_puts(out, k == REMOVED ? "systemctl disable --now frr" :
			 "install as /etc/frr/frr.conf, then /usr/lib/frr/frr-reload.py --reload /etc/frr/frr.conf");
	else if (!strcmp(file, "vips"))
		/* the guard touches only listed addresses: a VIP dropped from the
		 * list must come off while it is still listed */
		buf_puts(out, "first take off each VIP the new file no longer lists "
			 "(lvsdns-vip-guard down VIP), then install as /etc/lvsdns/vips "
			 "(lvsdns-vip-guard reads it on every call; nothing to reload)");
	else if (!strcmp(file, "dnsprobe.targets"))
		buf_puts(out, "install as /etc/lvsdns/dnsprobe.targets, then systemctl reload lvsdns-watch "
			 "(it checks the file first; when added, lvsdns-watch.service starts with it)");
	else if (!strncmp(file, "interfaces.d/", 13))
		/* the stanza raises no VIP: keepalived's quorum_up re-adds them */
		buf_printf(out, "install in /etc/network/interfaces.d/, then ifdown %s; ifup %s; "
			   "systemctl restart keepalived (the VIPs are down until its checks pass)",
			   file + 13, file + 13);
	else if (!strcmp(file, "sysctl.conf"))
		buf_puts(out, "install as /etc/sysctl.d/60-lvsdns.conf, then modprobe ip_vs; "
			 "sysctl -p /etc/sysctl.d/60-lvsdns.conf");
	else if (!strcmp(file, "modules-load.conf"))
		buf_puts(out, k == REMOVED ? "remove /etc/modules-load.d/lvsdns.conf" :
			 "install as /etc/modules-load.d/lvsdns.conf, then modprobe ip_vs");
	else if (k != REMOVED && !strcmp(file, "keepalived.service.d/lvsdns-preflight.conf"))
		buf_printf(out, "install the programs its lines run first (make install; keepalived "
			   "neither starts nor reloads without them), then install as "
			   "/etc/systemd/system/%s and systemctl daemon-reload", file);
	else if (!strncmp(file, "keepalived.service.d/", 21))
		buf_printf(out, "%s /etc/systemd/system/%s, then systemctl daemon-reload",
			   k == REMOVED ? "remove" : "install as", file);
	else if (!unit_action(file, k, out))
		buf_puts(out, "no daemon action known; install by hand");
}

/* Before the balancer's reload its instances still get queries: an
 * instance or a host taken out of the site goes first from its balancer,
 * then from the host. Stopped the other way round, its share of the
 * queries is lost until the checks notice; its DNAT rules removed first,
 * until the reload, since its checks go to the instance address, which
 * answers without them. */
#define AFTER_LB_HOST "after its balancer's keepalived.conf (in this diff) is reloaded without " \
		      "this host (until then the balancer sends it queries): "
#define AFTER_LB_INSTANCE "after its balancer's keepalived.conf (in this diff) is reloaded without " \
			  "the instance (until then the balancer sends it queries): "

static void realserver_action(const char *host, const char *file, enum change_kind k,
			      bool host_gone, struct buf *out)
{
	size_t len = strlen(file);
	bool xt = !strcmp(file, "dnat.rules") || !strcmp(file, "dnat6.rules");

	buf_printf(out, "on real server %s: ", host);
	if (!strncmp(file, "named-", 6) && len > 11 && !strcmp(file + len - 5, ".conf")) {
		int n = (int)(len - 11);
		const char *inst = file + 6;

		if (k == ADDED)
			buf_printf(out, "install as /etc/bind/%s, then systemctl enable --now named@%.*s", file, n, inst);
		else if (k == REMOVED)
			buf_printf(out, "%ssystemctl disable --now named@%.*s, then remove /etc/bind/%s",
				   host_gone ? AFTER_LB_HOST : AFTER_LB_INSTANCE, n, inst, file);
		else    /* named re-reads its configuration on SIGHUP, cache kept */
			buf_printf(out, "install as /etc/bind/%s, then systemctl reload named@%.*s", file, n, inst);
	} else if (k == REMOVED && host_gone && (xt || !strcmp(file, "dnat.nft"))) {
		/* the whole host goes: its rules after its instances */
		buf_puts(out, AFTER_LB_HOST "once its named@ instances are stopped: ");
		if (xt)
			buf_printf(out, "rs-dnat -%c remove where rs-dnat loaded the rules, then remove "
				   "/etc/lvsdns/%s", file[4] == '6' ? '6' : '4', file);
		else    /* install.sh's drop-in loads dnat.nft at every start and reload of nftables */
			buf_puts(out, "nft delete table inet lvsdns where nft loaded it (without rs-dnat, "
				      "or with nat = stateless); remove /etc/lvsdns/dnat.nft and install.sh's "
				      "drop-in /etc/systemd/system/nftables.service.d/lvsdns.conf, then "
				      "systemctl daemon-reload (while they are there, every start or reload "
				      "of nftables loads the table again)");
	} else if (k == REMOVED && host_gone && !strcmp(file, "named@.service")) {
		buf_puts(out, AFTER_LB_HOST);
		unit_action(file, k, out);
	} else if (unit_action(file, k, out)) {
		;   /* named@.service and any other unit */
	} else if (xt) {
		/* the host loads one of its two rule sets, as install.sh and
		 * named@.service do: rs-dnat's where it is installed and runs */
		buf_puts(out, "with rs-dnat: ");
		if (k == REMOVED)
			buf_printf(out, "rs-dnat -%c remove, then remove /etc/lvsdns/%s",
				   file[4] == '6' ? '6' : '4', file);
		else
			buf_printf(out, "rs-dnat -%c apply %s (one atomic commit each of the raw and nat tables)",
				   file[4] == '6' ? '6' : '4', file);
		if (k == CHANGED)
			buf_puts(out, DNAT_ORDER);
	} else if (!strcmp(file, "dnat.nft")) {
		buf_puts(out, "without rs-dnat, or with nat = stateless: ");
		buf_puts(out, k == REMOVED ? "nft delete table inet lvsdns" :
			 "nft -f dnat.nft (replaces table inet lvsdns in one transaction)");
		if (k == CHANGED)
			buf_puts(out, DNAT_ORDER);
	} else if (!strcmp(file, "sysctl.conf")) {
		buf_puts(out, k == REMOVED ? SYSCTL_REMOVED :
			 "install as /etc/sysctl.d/60-lvsdns.conf, then sysctl -p /etc/sysctl.d/60-lvsdns.conf");
	} else if (!strcmp(file, "policy-routing.sh")) {
		buf_puts(out, k == REMOVED ? "remove /etc/lvsdns/policy-routing.sh and its link "
					     "/etc/network/if-up.d/lvsdns (the rules and routes it "
					     "set stay until the machine reboots)" :
			 "run policy-routing.sh again (idempotent)");
	} else {
		buf_puts(out, "no daemon action known; install by hand");
	}
}

static void change_action(const char *path, int kind, bool vs_removed, bool host_gone,
			  struct buf *out)
{
	char top[256], name[256];
	enum change_kind k = (enum change_kind)kind;
	const char *rest;

	component(path, 0, top, sizeof(top));
	component(path, 1, name, sizeof(name));
	rest = strchr(path, '/') ? strchr(strchr(path, '/') + 1, '/') : NULL;
	if (!strcmp(path, OUTTREE_MARKER))
		buf_puts(out, "nothing to do (cluster-gen's marker file)");
	else if (!strcmp(top, "balancers") && rest)
		balancer_action(name, rest + 1, k, vs_removed, out);
	else if (!strcmp(top, "realservers") && rest)
		realserver_action(name, rest + 1, k, host_gone, out);
	else if (!strcmp(top, "bind-build"))
		buf_puts(out, "rebuild BIND with bind-build and install it on every real server (with "
			      "bind { prefix = \"/usr\" }: install the distribution's bind9 it names), "
			      "then restart the named@ instances one at a time, each once its balancer "
			      "sees the one before up again");
	else
		buf_puts(out, "no daemon action known; install by hand");
}

/* ---- comparing two trees ---- */

/* One --stat line, printed once every line is known so that each column
 * (kind, path, line counts, mode change, action) starts at one place. */
struct stat_row {
	enum change_kind kind;
	bool vs_removed;
	bool host_gone;       /* a real server's file, and the host left the site */
	const char *path;
	char counts[48];      /* "+N -N" */
	char mode[24];        /* "mode 0644 -> 0755", or empty */
};

struct tree_diff_total {
	size_t added, removed, changed;
	size_t plus, minus;
	struct stat_row *rows;    /* --stat only */
	size_t nrows;
	const struct files *new_tree;
};

static void print_stat_rows(struct buf *out, const struct stat_row *rows, size_t n)
{
	int wpath = 0, wcounts = 0, wmode = 0;
	struct buf act;

	for (size_t i = 0; i < n; i++) {
		int lp = (int)strlen(rows[i].path), lc = (int)strlen(rows[i].counts);
		int lm = (int)strlen(rows[i].mode);

		wpath = lp > wpath ? lp : wpath;
		wcounts = lc > wcounts ? lc : wcounts;
		wmode = lm > wmode ? lm : wmode;
	}
	buf_init(&act);
	for (size_t i = 0; i < n; i++) {
		buf_reset(&act);
		change_action(rows[i].path, rows[i].kind, rows[i].vs_removed, rows[i].host_gone, &act);
		buf_printf(out, "%-7s  %-*s  %-*s  ", kind_names[rows[i].kind], wpath, rows[i].path,
			   wcounts, rows[i].counts);
		if (wmode)
			buf_printf(out, "%-*s  ", wmode, rows[i].mode);
		buf_printf(out, "%s\n", act.data);
	}
	buf_free(&act);
}

/* "\nPROTO/PORT VIP" for each quorum_down command of a keepalived.conf, then
 * a last '\n': the virtual servers that report to the VIP guard, and for
 * which VIP. */
static void guard_reports(const struct file *f, struct buf *out)
{
	const char *end = f->data + f->len;

	for (const char *l = f->data; l < end;) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		size_t len = nl ? (size_t)(nl - l) : (size_t)(end - l);
		char *line = xasprintf("%.*s", (int)len, l);
		const char *vs = strstr(line, " --vs "), *q = strrchr(line, '"'), *vip = q;

		if (strstr(line, "quorum_down \"") && vs && q > vs) {
			while (vip[-1] != ' ')
				vip--;
			vs += strlen(" --vs ");
			buf_printf(out, "\n%.*s %.*s", (int)strcspn(vs, " "), vs, (int)(q - vip), vip);
		}
		free(line);
		l += len + 1;
	}
	buf_puts(out, "\n");
}

/* Whether a reload from old to new keepalived.conf leaves a VIP withdrawn:
 * keepalived runs the quorum_down of each virtual server the reload
 * removes, and the guard keeps that VIP off until its other virtual
 * servers report again, which a reload never makes them do. */
static bool drops_virtual_server(const struct file *old, const struct file *new)
{
	const char *name = strrchr(old->path, '/');
	struct buf was, now;
	bool dropped = false;

	if (!name || strcmp(name, "/keepalived.conf") != 0)
		return false;
	buf_init(&was);
	buf_init(&now);
	guard_reports(old, &was);
	guard_reports(new, &now);
	for (const char *l = was.data; !dropped && (l = strchr(l, '\n')) && l[1]; l++) {
		size_t len = strcspn(l + 1, "\n") + 2;             /* "\nVS VIP\n" */
		char *report = xasprintf("%.*s", (int)len, l);
		char *vip = strchr(report, ' ');                  /* " VIP\n" */

		dropped = !strstr(now.data, report) && strstr(now.data, vip);
		free(report);
	}
	buf_free(&was);
	buf_free(&now);
	return dropped;
}

/* Whether path is a real server's file (realservers/HOST/...) and the
 * sorted tree new has nothing of HOST: the host left the site. */
static bool host_left(const char *path, const struct files *new)
{
	const char *slash = !strncmp(path, "realservers/", 12) ? strchr(path + 12, '/') : NULL;
	size_t plen = slash ? (size_t)(slash - path) + 1 : 0, lo = 0, hi = new->n;

	if (!slash)
		return false;
	while (lo < hi) {      /* the first path not below "realservers/HOST/" */
		size_t mid = lo + (hi - lo) / 2;

		if (strncmp(new->v[mid].path, path, plen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == new->n || strncmp(new->v[lo].path, path, plen) != 0;
}

/* Modes compare as git keeps them: executable or not. A tree checked out of
 * version control has 0644 for a rendered 0640 and the umask's group bits,
 * which no install uses (each install action names its own mode). */
static bool same_mode(unsigned a, unsigned b)
{
	return ((a & 0100) != 0) == ((b & 0100) != 0);
}

static void one_file(const struct file *old, const struct file *new, bool stat,
		     unsigned context, struct buf *out, struct tree_diff_total *t)
{
	enum change_kind k = !old ? ADDED : !new ? REMOVED : CHANGED;
	const char *path = old ? old->path : new->path;
	char *ol = old ? xasprintf("a/%s", path) : xstrdup("/dev/null");
	char *nl = new ? xasprintf("b/%s", path) : xstrdup("/dev/null");
	struct diff_stat ds;
	struct buf hunks, act;
	char mode_note[sizeof(((struct stat_row *)0)->mode)] = "";
	bool vs_removed = old && new && drops_virtual_server(old, new);
	bool host_gone = !new && host_left(path, t->new_tree);

	buf_init(&hunks);
	buf_init(&act);
	if ((old && memchr(old->data, '\0', old->len)) || (new && memchr(new->data, '\0', new->len))) {
		/* render writes text only; a binary file is shown, not diffed */
		ds = (struct diff_stat){ 0, 0, 0 };
		buf_printf(&hunks, "Binary files %s and %s differ\n", ol, nl);
	} else {
		unified_diff(&hunks, ol, old ? old->data : "", old ? old->len : 0, nl,
			     new ? new->data : "", new ? new->len : 0, context, &ds);
	}
	if (old && new && !same_mode(old->mode, new->mode))
		snprintf(mode_note, sizeof(mode_note), "mode %04o -> %04o",
			 (unsigned)old->mode, (unsigned)new->mode);
	if (stat) {
		struct stat_row *r = &t->rows[t->nrows++];

		r->kind = k;
		r->vs_removed = vs_removed;
		r->host_gone = host_gone;
		r->path = path;
		snprintf(r->counts, sizeof(r->counts), "+%zu -%zu", ds.added, ds.removed);
		snprintf(r->mode, sizeof(r->mode), "%s", mode_note);
	} else {
		change_action(path, k, vs_removed, host_gone, &act);
		buf_printf(out, "# %s %s%s%s: %s\n", kind_names[k], path, *mode_note ? " " : "",
			   mode_note, act.data);
		buf_append(out, hunks.data ? hunks.data : "", hunks.len);
	}
	t->added += k == ADDED;
	t->removed += k == REMOVED;
	t->changed += k == CHANGED;
	t->plus += ds.added;
	t->minus += ds.removed;
	buf_free(&hunks);
	buf_free(&act);
	free(ol);
	free(nl);
}

static bool same_file(const struct file *a, const struct file *b)
{
	return a->len == b->len && same_mode(a->mode, b->mode) && memcmp(a->data, b->data, a->len) == 0;
}

size_t tree_diff(const struct files *old, const struct files *new, bool stat,
		 unsigned context, struct buf *out)
{
	struct tree_diff_total t = { 0, 0, 0, 0, 0, NULL, 0, new };
	size_t i = 0, j = 0, n;

	if (stat)
		t.rows = xmalloc((old->n + new->n + 1) * sizeof(*t.rows));
	while (i < old->n || j < new->n) {
		int c = i == old->n ? 1 : j == new->n ? -1 : strcmp(old->v[i].path, new->v[j].path);

		if (c < 0)
			one_file(&old->v[i++], NULL, stat, context, out, &t);
		else if (c > 0)
			one_file(NULL, &new->v[j++], stat, context, out, &t);
		else if (!same_file(&old->v[i], &new->v[j]))
			one_file(&old->v[i++], &new->v[j++], stat, context, out, &t);
		else
			i++, j++;
	}
	n = t.added + t.removed + t.changed;
	if (stat) {
		print_stat_rows(out, t.rows, t.nrows);
		free(t.rows);
	}
	if (stat)
		buf_printf(out, "%zu file%s differ%s: %zu added, %zu removed, %zu changed; +%zu -%zu lines\n",
			   n, n == 1 ? "" : "s", n == 1 ? "s" : "", t.added, t.removed, t.changed,
			   t.plus, t.minus);
	return n;
}

static bool empty_directory(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool empty = d != NULL;

	while (d && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = false;
	if (d)
		closedir(d);
	return empty;
}

/* DIR as render would see it: missing or empty is an empty tree (render
 * creates it, or takes the empty directory), a directory without our marker
 * is refused as render refuses it. */
static int read_target(const char *dir, struct files *f)
{
	struct buf err;
	struct stat st;
	char *marker;
	int rc;

	files_init(f);
	if (lstat(dir, &st) != 0)
		st.st_mode = 0;
	if ((st.st_mode == 0 && errno == ENOENT) || (S_ISDIR(st.st_mode) && empty_directory(dir)))
		return 0;
	marker = xasprintf("%s/%s", dir, OUTTREE_MARKER);
	rc = access(marker, F_OK);
	free(marker);
	if (rc != 0) {
		fprintf(stderr, "cluster-gen: %s is not a directory written by cluster-gen render "
			"(no %s); render would refuse to replace it\n", dir, OUTTREE_MARKER);
		return -1;
	}
	buf_init(&err);
	rc = files_read_tree(dir, f, &err);
	if (rc != 0)
		fprintf(stderr, "cluster-gen: %s\n", err.data);
	buf_free(&err);
	return rc;
}

int cmd_diff(int argc, char **argv, const struct command *self)
{
	static const struct option longopts[] = {
		{ "stat", no_argument, NULL, 's' },
		{ "unified", required_argument, NULL, 'U' },
		{ "templates", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *tdir = NULL;
	bool stat = false;
	unsigned long context = 3;
	struct files rendered, current;
	struct site s;
	struct buf out;
	char *end;
	int c, rc;

	while ((c = getopt_long(argc, argv, "U:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': stat = true; break;
		case 't': tdir = optarg; break;
		case 'U':
			context = strtoul(optarg, &end, 10);
			if (*end || !*optarg || context > 1000000) {
				fprintf(stderr, "cluster-gen diff: bad context '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h': command_usage(self, stdout, diff_options); return EXIT_OK;
		default: command_usage(self, stderr, diff_options); return EXIT_USAGE;
		}
	}
	if (optind != argc - 2) {
		command_usage(self, stderr, diff_options);
		return EXIT_USAGE;
	}
	if (load_site_or_report(argv[optind], &s) != EXIT_OK)
		return EXIT_USAGE;
	if (render_to_files(&s, tdir, &rendered) != 0) {
		files_free(&rendered);
		site_free(&s);
		return EXIT_USAGE;
	}
	files_add_marker(&rendered);
	if (read_target(argv[optind + 1], &current) != 0) {
		files_free(&rendered);
		site_free(&s);
		return EXIT_USAGE;
	}
	buf_init(&out);
	rc = tree_diff(&current, &rendered, stat, (unsigned)context, &out) ? EXIT_FAIL : EXIT_OK;
	if (rc == EXIT_OK && stat)
		buf_reset(&out), buf_puts(&out, "no changes\n");
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
	buf_free(&out);
	files_free(&rendered);
	files_free(&current);
	site_free(&s);
	return rc;
}
