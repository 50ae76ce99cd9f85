/* The facts about a changed file that decide what its machine must do,
 * read from the rendered text of its two versions: a keepalived.conf whose
 * reload leaves a VIP withdrawn, a host that left the site, new BGP timers,
 * a DNAT rule set that gains flows and loses others. diff_actions.c turns
 * them into advice. */
#include "diff_actions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The word after the first " opt " of line, or "" (into out, n octets). */
static const char *word_after(const char *line, const char *opt, char *out, size_t n)
{
	const char *w = strstr(line, opt);
	size_t len = w ? strcspn(w + strlen(opt), " ") : 0;

	snprintf(out, n, "%.*s", (int)len, w ? w + strlen(opt) : "");
	return out;
}

/* Whether line is an element of an nft map: a concatenated key, then " : "
 * and its value ("IF . VIP . PROTO . PORT : ADDR . PORT,"; stateless mode's
 * "... : ADDR," and "ADDR . PROTO . PORT : VIP,"; a zone map's ": ZONE,").
 * A map's comment and its type line read alike and are no flow. */
static bool nft_element(const char *line)
{
	const char *s = line + strspn(line, " \t"), *colon = strstr(s, " : ");

	return colon && memmem(s, (size_t)(colon - s), " . ", 3) && *s != '#' &&
	       strncmp(s, "type", 4) != 0;
}

/* The flows a DNAT rule file sends, sorted (one key per rule or element:
 * a flow is there as often as client networks ask for it). */
struct flows {
	char **v;
	size_t n, cap;
};

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Each flow from a VIP to an instance that f sends: an iptables rule's
 * "VIP PROTO PORT>TARGET" (its client network left out: a new client
 * network is no new flow to order against the balancer's reload), an nft
 * map's element as it stands (nft_element). */
static void dnat_flows(const struct file *f, struct flows *out)
{
	for (const char *p = f->data, *end = f->data + f->len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char *line = xasprintf("%.*s", (int)(nl ? nl - p : end - p), p);
		char vip[64], proto[16], port[16], to[80], *key = NULL;

		if (strstr(line, " --to-destination "))
			key = xasprintf("%s %s %s>%s", word_after(line, " -d ", vip, sizeof(vip)),
					word_after(line, " -p ", proto, sizeof(proto)),
					word_after(line, " --dport ", port, sizeof(port)),
					word_after(line, " --to-destination ", to, sizeof(to)));
		else if (nft_element(line))
			key = xstrdup(line + strspn(line, " \t"));
		if (key) {
			if (out->n == out->cap) {
				out->cap = out->cap ? out->cap * 2 : 64;
				out->v = xreallocarray(out->v, out->cap, sizeof(*out->v));
			}
			out->v[out->n++] = key;
		}
		p += strlen(line) + 1;
		free(line);
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), by_string);
}

static void flows_free(struct flows *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
}

/* Whether a has a flow that b lacks (both sorted: one merge pass, so a host
 * of many rules costs no more than sorting them). */
static bool has_flow_b_lacks(const struct flows *a, const struct flows *b)
{
	size_t j = 0;

	for (size_t i = 0; i < a->n; i++) {
		int c = 1;

		while (j < b->n && (c = strcmp(b->v[j], a->v[i])) < 0)
			j++;
		if (j == b->n || c != 0)
			return true;
	}
	return false;
}

/* Whether a host's DNAT rule file gains flows and loses others. */
static bool dnat_gains_and_loses(const struct file *old, const struct file *new)
{
	const char *name = strrchr(old->path, '/');
	struct flows was = { 0 }, now = { 0 };
	bool both;

	if (!name || (strcmp(name, "/dnat.rules") && strcmp(name, "/dnat6.rules") &&
		      strcmp(name, "/dnat.nft")))
		return false;
	dnat_flows(old, &was);
	dnat_flows(new, &now);
	both = has_flow_b_lacks(&was, &now) && has_flow_b_lacks(&now, &was);
	flows_free(&was);
	flows_free(&now);
	return both;
}

/* The `timers bgp` line of a frr.conf, or "" when it has none. */
static char *timers_line(const struct file *f)
{
	const char *l = memmem(f->data, f->len, "\n timers bgp ", strlen("\n timers bgp "));
	const char *end = f->data + f->len, *nl;

	if (!l)
		return xstrdup("");
	nl = memchr(l + 1, '\n', (size_t)(end - l - 1));
	return xasprintf("%.*s", (int)((nl ? nl : end) - l), l);
}

/* Whether a frr.conf's BGP timers differ between old and new. */
static bool bgp_timers_changed(const struct file *old, const struct file *new)
{
	const char *name = strrchr(old->path, '/');
	char *was, *now;
	bool changed;

	if (!name || strcmp(name, "/frr.conf") != 0)
		return false;
	was = timers_line(old);
	now = timers_line(new);
	changed = strcmp(was, now) != 0;
	free(was);
	free(now);
	return changed;
}

struct change_facts change_facts_of(const struct file *old, const struct file *new,
				    const struct files *new_tree)
{
	return (struct change_facts){
		.vs_removed = old && new && drops_virtual_server(old, new),
		.host_gone = !new && host_left(old->path, new_tree),
		.bgp_timers = old && new && bgp_timers_changed(old, new),
		.dnat_both = old && new && dnat_gains_and_loses(old, new),
	};
}
