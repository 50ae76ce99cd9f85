/* The facts about a changed file that decide what its machine must do,
 * read from the rendered text of its two versions and of the two trees: a
 * keepalived.conf whose reload leaves a VIP withdrawn or whose checks move
 * to the watcher, another check query, a host that left the site (with its
 * balancer, or its addresses going on elsewhere), new BGP timers or
 * router-id, a route-map clause matching another list; and, from
 * diff_rules.c, what a host's DNAT rules, policy routing or a balancer's
 * vips file change. diff_actions.c turns them into advice. */
#include "diff_actions.h"
#include "diff_rules.h"
#include "diff_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "\nPROTO/PORT VIP" for each quorum_down command of a keepalived.conf, then
 * a last '\n': the virtual servers that report to the VIP guard, and for
 * which VIP. */
static void guard_reports(const struct file *f, struct buf *out)
{
	const char *p = f->data;
	char *line;

	while ((line = next_line(f, &p)) != NULL) {
		const char *vs = strstr(line, " --vs "), *q = strrchr(line, '"'), *vip = q;

		if (strstr(line, "quorum_down \"") && vs && q > vs) {
			while (vip[-1] != ' ')
				vip--;
			vs += strlen(" --vs ");
			buf_printf(out, "\n%.*s %.*s", (int)strcspn(vs, " "), vs, (int)(q - vip), vip);
		}
		free(line);
	}
	buf_puts(out, "\n");
}

/* Whether a reload from old to new keepalived.conf leaves a VIP withdrawn:
 * keepalived runs the quorum_down of each virtual server the reload
 * removes, and the guard keeps that VIP off until its other virtual
 * servers report again, which a reload never makes them do. */
static bool drops_virtual_server(const struct file *old, const struct file *new)
{
	struct buf was, now;
	bool dropped = false;

	if (!is_file(old, "keepalived.conf"))
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

/* The index of the first path of the sorted tree f that does not sort
 * before the first plen octets of path: where the files below that
 * directory begin, if it has any. */
static size_t first_below(const struct files *f, const char *path, size_t plen)
{
	size_t lo = 0, hi = f->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strncmp(f->v[mid].path, path, plen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Whether path is a real server's file (realservers/HOST/...) and the
 * sorted tree new has nothing of HOST: the host left the site. */
static bool host_left(const char *path, const struct files *new)
{
	const char *slash = !strncmp(path, "realservers/", 12) ? strchr(path + 12, '/') : NULL;
	size_t plen = slash ? (size_t)(slash - path) + 1 : 0, lo;

	if (!slash)
		return false;
	lo = first_below(new, path, plen);
	return lo == new->n || strncmp(new->v[lo].path, path, plen) != 0;
}

/* The line of f that starts with start (a "\n..." prefix), to its end, or
 * "" when f has none; from, when given, where to look from. */
static char *line_from(const struct file *f, const char *from, const char *start)
{
	const char *b = from ? from : f->data, *end = f->data + f->len;
	const char *l = memmem(b, (size_t)(end - b), start, strlen(start)), *nl;

	if (!l)
		return xstrdup("");
	nl = memchr(l + 1, '\n', (size_t)(end - l - 1));
	return xasprintf("%.*s", (int)((nl ? nl : end) - l), l);
}

/* Whether a frr.conf's line that starts with start (a "\n..." prefix)
 * differs between old and new; with both, only when both have one. Its BGP
 * timers: bgpd agrees them when a session opens. Its router-id: bgpd ends
 * every established session when it changes. */
static bool frr_line_changed(const struct file *old, const struct file *new, const char *start,
			     bool both)
{
	char *was, *now;
	bool changed;

	if (!is_file(old, "frr.conf"))
		return false;
	was = line_from(old, NULL, start);
	now = line_from(new, NULL, start);
	changed = (!both || (*was && *now)) && strcmp(was, now) != 0;
	free(was);
	free(now);
	return changed;
}

/* The match line of the route-map clause whose header line (with its
 * leading newline) is header in f, "" when the clause has none, NULL when f
 * has no such clause. */
static char *clause_match(const struct file *f, const char *header)
{
	const char *end = f->data + f->len, *h = f->data;
	size_t hl = strlen(header);
	char *m;

	while ((h = memmem(h, (size_t)(end - h), header, hl)) && h + hl < end && h[hl] != '\n')
		h += hl;          /* "... permit 10" is no header of "... permit 100" */
	if (!h)
		return NULL;
	m = line_from(f, h + hl, "\n");   /* the line after the header */
	if (strncmp(m, "\n match ", strlen("\n match ")) != 0)
		m[0] = '\0';
	return m;
}

/* Whether a route-map clause of old frr.conf that new has too matches
 * something else there (bgp mode changed: primary or backup lists become
 * anycast ones, or back). frr-reload.py deletes the old match, one vtysh
 * call a line, before it adds the new one, and a clause without a match
 * permits every route. */
static bool clause_match_changed(const struct file *old, const struct file *new)
{
	const char *end = old->data + old->len;
	bool changed = false;

	if (!is_file(old, "frr.conf"))
		return false;
	for (const char *l = old->data; !changed && l && l < end;
	     l = memchr(l + 1, '\n', (size_t)(end - l - 1))) {
		char *header, *was, *now;

		if (strncmp(l, "\nroute-map ", 11) != 0)
			continue;
		header = xasprintf("%.*s", (int)strcspn(l + 1, "\n") + 1, l);
		was = clause_match(old, header);
		now = clause_match(new, header);
		changed = was && now && strcmp(was, now) != 0;
		free(header);
		free(was);
		free(now);
	}
	return changed;
}

/* Whether a keepalived.conf's checks move to the watcher: new has track
 * files (FILE_CHECK), old none. */
static bool watch_comes(const struct file *old, const struct file *new)
{
	const char *tf = "\ntrack_file ";

	return is_file(old, "keepalived.conf") &&
	       !memmem(old->data, old->len, tf, strlen(tf)) &&
	       memmem(new->data, new->len, tf, strlen(tf));
}

/* The query of a check as a line of f gives it, without what names the
 * instance: a MISC_CHECK's dnsprobe command without its -b source and
 * target, a DNS_CHECK's type and name lines, a watch target's columns from
 * qname on without its state file. NULL for any other line. */
static char *check_query(const char *line, bool targets)
{
	const char *s = line + strspn(line, " \t"), *b, *last;

	if (targets) {        /* id source server port qname ... fall state_file */
		for (int i = 0; i < 4 && *s && *s != '#'; i++)
			s += strcspn(s, " "), s += strspn(s, " ");
		last = strrchr(s, ' ');
		return *s && *s != '#' && last ? xasprintf("%.*s", (int)(last - s), s) : NULL;
	}
	if (!strncmp(s, "type ", 5) || !strncmp(s, "name ", 5))
		return xstrdup(s);
	if (strncmp(s, "misc_path ", 10) != 0 || !(b = strstr(s, " -b ")) ||
	    !(last = strrchr(s, ' ')) || last < b)
		return NULL;
	b += 4;
	return xasprintf("%.*s%.*s", (int)(b - s), s, (int)(last - b - strcspn(b, " ")),
			 b + strcspn(b, " "));
}

/* The queries of f's checks, sorted. */
static void check_queries(const struct file *f, bool targets, struct keys *out)
{
	const char *p = f->data;
	char *line, *q;

	while ((line = next_line(f, &p)) != NULL) {
		if ((q = check_query(line, targets)) != NULL)
			keys_add(out, q);
		free(line);
	}
	keys_sort(out);
}

/* Whether a keepalived.conf or dnsprobe.targets asks another query: a
 * query that old has and new lacks, or the other way round (the same
 * query for more or fewer instances is none). */
static bool check_query_changed(const struct file *old, const struct file *new)
{
	bool targets = is_file(old, "dnsprobe.targets"), changed;
	struct keys was = { 0 }, now = { 0 };

	if (!targets && !is_file(old, "keepalived.conf"))
		return false;
	check_queries(old, targets, &was);
	check_queries(new, targets, &now);
	changed = was.n && now.n && (has_key_b_lacks(&was, &now) || has_key_b_lacks(&now, &was));
	keys_free(&was);
	keys_free(&now);
	return changed;
}

struct diff_trees {
	const struct files *old, *new;
	struct keys served;      /* the new tree's real_server addresses, sorted */
	bool served_read;
	struct keys gone_hosts;  /* hosts behind a balancer the new tree lacks, sorted */
	bool gone_read;
	struct keys drained;     /* the old tree's real_server addresses at weight 0, sorted */
	bool drained_read;
};

struct diff_trees *diff_trees_new(const struct files *old, const struct files *new)
{
	struct diff_trees *t = xcalloc(1, sizeof(*t));

	t->old = old;
	t->new = new;
	return t;
}

void diff_trees_free(struct diff_trees *t)
{
	if (t) {
		keys_free(&t->served);
		keys_free(&t->gone_hosts);
		keys_free(&t->drained);
	}
	free(t);
}

/* The address every real_server line of the new tree's keepalived.conf
 * files names, read once, at the first removed instance. */
static const struct keys *served(struct diff_trees *t)
{
	for (size_t i = 0; !t->served_read && i < t->new->n; i++) {
		const struct file *f = &t->new->v[i];
		const char *p = f->data;
		char *line;

		while (is_file(f, "keepalived.conf") && (line = next_line(f, &p)) != NULL) {
			const char *s = line + strspn(line, " \t");

			if (strncmp(s, "real_server ", 12) == 0 && s[12])
				keys_add(&t->served, xasprintf("%.*s", (int)strcspn(s + 12, " "), s + 12));
			free(line);
		}
	}
	if (!t->served_read)
		keys_sort(&t->served);
	t->served_read = true;
	return &t->served;
}

/* The address of every real_server the old tree's keepalived.conf files
 * give weight 0 (drained: their balancer sends them no new query), read
 * once, at the first flow that goes to another address. */
const struct keys *diff_trees_drained(struct diff_trees *t)
{
	for (size_t i = 0; !t->drained_read && i < t->old->n; i++) {
		const struct file *f = &t->old->v[i];
		const char *p = f->data;
		char *line, *addr = NULL;

		while (is_file(f, "keepalived.conf") && (line = next_line(f, &p)) != NULL) {
			const char *s = line + strspn(line, " \t");

			if (strncmp(s, "real_server ", 12) == 0) {
				free(addr);
				addr = xasprintf("%.*s", (int)strcspn(s + 12, " "), s + 12);
			} else if (addr && strcmp(s, "weight 0") == 0) {
				keys_add(&t->drained, addr);
				addr = NULL;
			}
			free(line);
		}
		free(addr);
	}
	if (!t->drained_read)
		keys_sort(&t->drained);
	t->drained_read = true;
	return &t->drained;
}

/* Whether an instance's named.conf listens on an address the new tree's
 * balancers still have as a real server ("listen-on port 53 { ADDR; };"). */
static bool listens_on_served(const struct file *named, struct diff_trees *t)
{
	const char *p = named->data;
	char *line;
	bool found = false;

	while (!found && (line = next_line(named, &p)) != NULL) {
		const char *s = line + strspn(line, " \t"), *brace = strstr(s, "{ ");

		if (strncmp(s, "listen-on", 9) == 0 && brace) {
			const struct keys *k = served(t);
			char *addr = xasprintf("%.*s", (int)strcspn(brace + 2, "; }"), brace + 2);

			found = keys_has(k, addr);
			free(addr);
		}
		free(line);
	}
	return found;
}

static bool is_named_conf(const char *path)
{
	const char *name = strrchr(path, '/');
	size_t len = name ? strlen(name) : 0;

	return len > 12 && strncmp(name, "/named-", 7) == 0 && strcmp(name + len - 5, ".conf") == 0;
}

/* Whether a removed real-server file's instance (its named-I.conf) or, for
 * a host that left, any of the host's instances has an address the
 * balancers keep as a real server: another host or instance has it now,
 * and no reload of the balancer stops its queries. */
static bool address_stays(const struct file *old, bool host_gone, struct diff_trees *t)
{
	const char *slash = strncmp(old->path, "realservers/", 12) ? NULL : strchr(old->path + 12, '/');
	size_t plen = slash ? (size_t)(slash - old->path) + 1 : 0;

	if (!slash)
		return false;
	if (is_named_conf(old->path))
		return listens_on_served(old, t);
	if (!host_gone)
		return false;
	for (size_t i = first_below(t->old, old->path, plen); i < t->old->n &&
	     strncmp(t->old->v[i].path, old->path, plen) == 0; i++)
		if (is_named_conf(t->old->v[i].path) && listens_on_served(&t->old->v[i], t))
			return true;
	return false;
}

/* Whether the host of a real-server file that left the site was behind a
 * balancer that leaves too: a keepalived.conf of the old tree that the new
 * one lacks names the host's instances ("! HOST instance I via vlan V").
 * Nothing then reloads without them: stopping that keepalived ends their
 * queries. The hosts of the balancers that leave are read once, at the
 * first file of a host that left. */
static bool balancer_gone_too(const struct file *old, struct diff_trees *t)
{
	const char *slash = strchr(old->path + 12, '/');
	char *host = xasprintf("%.*s", (int)(slash - old->path - 12), old->path + 12);
	bool gone;

	for (size_t i = first_below(t->old, "balancers/", 10); !t->gone_read && i < t->old->n &&
	     strncmp(t->old->v[i].path, "balancers/", 10) == 0; i++) {
		const struct file *f = &t->old->v[i];
		size_t at = first_below(t->new, f->path, strlen(f->path) + 1);
		const char *p = f->data;
		char *line;

		if (!is_file(f, "keepalived.conf") ||
		    (at < t->new->n && strcmp(t->new->v[at].path, f->path) == 0))
			continue;   /* the balancer stays */
		while ((line = next_line(f, &p)) != NULL) {
			const char *s = line + strspn(line, " \t"), *sp;

			if (strncmp(s, "! ", 2) == 0 && (sp = strchr(s + 2, ' ')) &&
			    strncmp(sp, " instance ", 10) == 0)
				keys_add(&t->gone_hosts, xasprintf("%.*s", (int)(sp - s - 2), s + 2));
			free(line);
		}
	}
	if (!t->gone_read)
		keys_sort(&t->gone_hosts);
	t->gone_read = true;
	gone = keys_has(&t->gone_hosts, host);
	free(host);
	return gone;
}

/* Whether new, a balancer's sysctl.conf, forwards IPv6 and old (NULL: a
 * new balancer) did not. */
static bool starts_v6_forwarding(const struct file *old, const struct file *new)
{
	const char *key = "\nnet.ipv6.conf.all.forwarding = 1\n";

	return !strncmp(new->path, "balancers/", 10) && is_file(new, "sysctl.conf") &&
	       memmem(new->data, new->len, key, strlen(key)) &&
	       !(old && memmem(old->data, old->len, key, strlen(key)));
}

/* Whether old, a frr.conf, has the "bgp route-map delay-timer 0" of earlier
 * releases and new does not. */
static bool drops_delay_zero(const struct file *old, const struct file *new)
{
	const char *line = "\nbgp route-map delay-timer 0\n";

	return is_file(new, "frr.conf") && memmem(old->data, old->len, line, strlen(line)) &&
	       !memmem(new->data, new->len, line, strlen(line));
}

/* The next line of f at *p that is neither a comment nor an ExecStartPre=
 * line (NULL at the end of f). */
static char *next_lasting_line(const struct file *f, const char **p)
{
	char *line;

	while ((line = next_line(f, p)) && (line[0] == '#' || !strncmp(line, "ExecStartPre=", 13)))
		free(line);
	return line;
}

/* Whether old and new, a changed systemd unit, differ only in comments and
 * in ExecStartPre= lines, which run at a start and not before. */
static bool only_start_changed(const struct file *old, const struct file *new)
{
	const char *a = old->data, *b = new->data, *dot = strrchr(new->path, '.');
	char *was, *now;
	bool same, done;

	if (!dot || strcmp(dot, ".service"))
		return false;
	do {
		was = next_lasting_line(old, &a);
		now = next_lasting_line(new, &b);
		same = was && now ? !strcmp(was, now) : was == now;
		done = !was || !now;
		free(was);
		free(now);
	} while (same && !done);
	return same;
}

struct change_facts change_facts_of(const struct file *old, const struct file *new,
				    struct diff_trees *t)
{
	bool host_gone = !new && host_left(old->path, t->new);
	struct change_facts f = {
		.router_id = old && new && frr_line_changed(old, new, "\n bgp router-id ", true),
		.clause_match = old && new && clause_match_changed(old, new),
		.watch_new = old && new && watch_comes(old, new),
		.check_changed = old && new && check_query_changed(old, new),
		.vs_removed = old && new && drops_virtual_server(old, new),
		.host_gone = host_gone,
		.address_stays = !new && address_stays(old, host_gone, t),
		.balancer_gone = host_gone && balancer_gone_too(old, t),
		.bgp_timers = old && new && frr_line_changed(old, new, "\n timers bgp ", false),
		.v6_forwarding = new && starts_v6_forwarding(old, new),
		.start_only = old && new && only_start_changed(old, new),
		.delay_zero_gone = old && new && drops_delay_zero(old, new),
	};

	if (old && new) {
		dnat_changes(old, new, t, &f);
		dropped_vips(old, new, &f);
	}
	if (old)
		stale_rules(old, new, &f);
	return f;
}
