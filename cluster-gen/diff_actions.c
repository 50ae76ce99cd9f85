/* What a changed file of a render asks of the machine it belongs to (reload
 * keepalived, restart named instances one at a time, load rules before or
 * after the balancer's reload, ...), given the facts diff_facts.c reads
 * from the change. cmd_diff.c compares the trees and prints. */
#include "diff_actions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outtree.h"

const char *const change_kind_names[] = { "added", "removed", "changed" };

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

/* A unit's ExecStartPre= lines run before its program starts, never
 * while it runs: a change of those alone (or of comments) needs no restart. */
#define START_ONLY "install in /etc/systemd/system/, then systemctl daemon-reload; only its " \
		   "comments or ExecStartPre= lines changed, which run at the next start: no restart"

/* A systemd unit (FILE ends in .service or .timer), start_only when only
 * its comments or ExecStartPre= lines changed; false when it is not one. */
static bool unit_action(const char *file, enum change_kind k, bool start_only, struct buf *out)
{
	size_t len = strlen(file);
	bool unit = (len > 8 && !strcmp(file + len - 8, ".service")) ||
		    (len > 6 && !strcmp(file + len - 6, ".timer"));
	const char *at = strstr(file, "@.");   /* a template: its instances are named elsewhere */

	if (!unit || strchr(file, '/'))
		return false;
	if (k == CHANGED && start_only)
		buf_puts(out, START_ONLY);
	else if (at && k == REMOVED)
		buf_printf(out, "systemctl disable --now every %.*s@ instance, then remove /etc/systemd/system/%s "
			   "and systemctl daemon-reload", (int)(at - file), file, file);
	else if (at && k == ADDED)
		buf_printf(out, "install in /etc/systemd/system/, then systemctl daemon-reload (the "
			   "%.*s@ instances start with their configurations)", (int)(at - file), file);
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

/* A host's rule set loads whole: the rules it gains must be there before
 * the balancer sends there, the ones it loses must stay until it no longer
 * does. */
#define DNAT_ORDER "; where it adds rules (a new instance or VIP), before its balancer's " \
		   "keepalived reload; where it drops an instance's or a VIP's rules, only after " \
		   "that reload (or the VIP's withdrawal): until then the balancer sends there"

/* A rule file that comes (a new host, a host's first instance of a family,
 * an IPv6 VIP on an IPv4 site) carries the rules of instances or a VIP the
 * balancer does not send to yet. */
#define ADDED_ORDER "; before its balancer's keepalived reload that adds the instances or VIP it " \
		    "has rules for: their checks go to the instance addresses, which answer without " \
		    "the rules, so the balancer would send the VIP's queries there, to be dropped"

/* A rule file that goes while its host stays: its instances of that family
 * left (their balancer sends them queries until its reload), or the host
 * turned to nat = stateless (dnat.nft takes over). */
#define XT_REMOVED_ORDER "; where the host's instances of that family leave the site, only after " \
			 "their balancer's keepalived.conf (in this diff) is reloaded without them (until " \
			 "then it sends them queries); where the host turns to nat = stateless, after " \
			 "nft -f dnat.nft"

/* A rule set loads whole, so one that gains rules and loses others has no
 * safe moment: before the reload the lost ones' instances still get
 * queries, after it the gained ones' already do. */
#define DNAT_BOTH "; this change both adds rules and drops others, which belong on opposite " \
		  "sides of the balancer's reload: make it two changes, first the site with the " \
		  "new instances or VIPs added, then with the old ones removed"

/* A flow that keeps its interface and VIP and goes to another address: the
 * old rules must stay until the balancer's reload and the new ones be there
 * before it, and the two cannot be two changes (one instance per VLAN
 * interface on a host). A drained instance gets no new query: its rules can
 * change before the reload. */
#define DNAT_RENUMBER "; a flow here keeps its interface and VIP and goes to another address (an " \
		      "instance renumbered): that has no safe order in one change and cannot be " \
		      "made two (a host has one instance per VLAN interface), so drain the instance " \
		      "first: render and apply the site with it at weight = 0 (its balancers' " \
		      "reload sends it no new queries), then, once ipvsadm -Ln on each balancer " \
		      "shows no connection left to it, this change, its weight back as well"
#define DNAT_DRAINED "; the instance whose flows go to another address here is at weight = 0 " \
		     "(drained: its balancers send it no new queries), so apply this before its " \
		     "balancers' keepalived reload, once ipvsadm -Ln on each balancer shows no " \
		     "connection left to it (ActiveConn and InActConn 0): a query still on one " \
		     "would be lost"

/* An interface's keys exist only while it does: sysctl -p reports those
 * of a VLAN not yet up and sets the rest. At boot systemd's udev rule sets
 * them as each interface appears. */
#define SYSCTL_IFACES " once the VLAN interfaces it names are up (sysctl -p reports the keys of " \
		      "one that is not and sets the rest; at boot systemd sets an interface's keys " \
		      "when it appears)"

/* A new query goes to every instance behind every balancer at once: one
 * that no instance answers as the check wants withdraws every VIP. */
#define CHECK_CHANGED "; the health check's query changed (name, type, class, port, transport, " \
		      "fail-rcodes or timing): one every instance fails withdraws every VIP, so try " \
		      "it first from this balancer (cluster-gen onboard SITE HOST --probe runs it " \
		      "against a host's instances) and change one balancer at a time"

/* A host that forwards IPv6 ignores router advertisements where accept_ra
 * is 1 (the default): a default route learned from them is not renewed and
 * goes when its lifetime ends, long after the change looked fine. */
#define V6_FORWARDING "; it turns IPv6 forwarding on, and a forwarding host ignores router " \
		      "advertisements on interfaces with accept_ra = 1: where this balancer learns " \
		      "its IPv6 default route that way (ip -6 route show default: proto ra), set " \
		      "accept_ra = 2 on that interface first, or the route goes when its lifetime ends"

/* Under "bgp route-map delay-timer 0", which earlier releases rendered,
 * bgpd never applied a reload's route-map or prefix-list changes to what it
 * already announced: a VIP that changed lists since kept its old MED. */
#define DELAY_ZERO_GONE "; this frr.conf drops bgp route-map delay-timer 0, under which bgpd " \
			"applied no reload's route-map or prefix-list changes to the routes it already " \
			"announced (a VIP whose primary moved kept its old metric): after this reload, " \
			"vtysh -c 'clear bgp * soft out' (no session is reset) announces every VIP as " \
			"frr.conf says now"

/* A bgp mode change gives a route-map clause that stays another list to
 * match. bgpd's route-map delay timer restarts at every change, so the
 * reload's deletion of the old match and addition of the new one reach the
 * routers as one (bgp-failover.bats records the core throughout). */
#define CLAUSE_MATCH "; bgp mode changed, so a route-map clause that stays matches another " \
		     "prefix-list now: frr-reload.py deletes the old match before it adds the new " \
		     "one, and bgpd applies both as one change about 5 s after the reload's last " \
		     "line (its route-map delay timer), so the routers never see the clause " \
		     "without a match, which would permit every connected route; vtysh -c 'show " \
		     "bgp ipv4 unicast neighbors NEIGHBOR advertised-routes' (ipv6 for IPv6 VIPs) " \
		     "then lists the VIPs only"

/* A settings file that went away: the running kernel keeps its values. */
#define SYSCTL_REMOVED "remove /etc/sysctl.d/60-lvsdns.conf (the running kernel keeps its values until " \
		       "they are set otherwise or the machine reboots)"

static void dnat_order(const struct change_facts *f, struct buf *out)
{
	buf_puts(out, f->dnat_renumbered ? DNAT_RENUMBER : f->dnat_both ? DNAT_BOTH :
		      f->dnat_drained_moved ? DNAT_DRAINED : DNAT_ORDER);
}

static void balancer_action(const char *lb, const char *file, enum change_kind k,
			    const struct change_facts *f, struct buf *out)
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
	else if (!strcmp(file, "keepalived.conf") && f->vs_removed)
		buf_puts(out, "once this balancer's other changed files are in place, install as "
			 "/etc/keepalived/keepalived.conf, then systemctl daemon-reload; systemctl restart "
			 "keepalived, not reload: a virtual server of a VIP that stays is gone, and on a "
			 "reload keepalived runs its quorum_down, which keeps the VIP withdrawn until a "
			 "restart (a restart withdraws this balancer's VIPs until its checks pass: one "
			 "balancer at a time, each once the one before has its VIPs back, or the VIPs "
			 "are withdrawn everywhere at once)");
	else if (!strcmp(file, "keepalived.conf"))
		/* the reload runs the preflight drop-in's checks (the new ones),
		 * among them the guard's of the vips file */
		buf_printf(out, "%s%s%s", k == REMOVED ? "systemctl disable --now keepalived" :
			   k == ADDED ? "once every other file of this balancer is in place, install as "
					"/etc/keepalived/keepalived.conf, then systemctl daemon-reload; "
					"systemctl enable --now keepalived" :
			   "once this balancer's other changed files are in place (added, changed or "
			   "removed: keepalived.service.d drop-ins, vips; with checker = watch, "
			   "lvsdns-watch running on its new targets), install as "
			   "/etc/keepalived/keepalived.conf, then systemctl daemon-reload; "
			   "systemctl reload keepalived",
			   f->watch_new ? "; its checks move to lvsdns-watch: reload only once that has "
			   "checked every target, the state file in /run/lvsdns of each instance that "
			   "answers saying 0 (its first start writes them all 1, down, and spreads the "
			   "first checks over one interval: up to rise intervals), or the instances "
			   "still at 1 leave LVS at the reload, and a VIP with none left is withdrawn" : "",
			   f->check_changed ? CHECK_CHANGED : "");
	else if (!strcmp(file, "frr.conf"))
		buf_printf(out, "%s%s%s%s%s", k == REMOVED ? "systemctl disable --now frr" :
			   "install as /etc/frr/frr.conf, then /usr/lib/frr/frr-reload.py --reload /etc/frr/frr.conf",
			   f->router_id ? "; the new bgp router-id makes bgpd end every session of this "
			   "balancer and open it again: its VIPs move to the other balancers until its "
			   "sessions are back, so one balancer at a time, each once the one before has "
			   "its sessions back" : "",
			   f->bgp_timers ? "; bgpd agrees the hold time with a peer only when their session "
			   "opens, so the new timers bgp hold once it opens again: then vtysh -c 'clear bgp *' "
			   "on one balancer at a time, each once the one before has its sessions back (its "
			   "VIPs move to the other balancers meanwhile), and check 'Hold time is' in vtysh -c "
			   "'show bgp neighbors'" : "",
			   f->delay_zero_gone ? DELAY_ZERO_GONE : "",
			   f->clause_match ? CLAUSE_MATCH : "");
	else if (k == ADDED && !strcmp(file, "vips"))
		buf_puts(out, "install as /etc/lvsdns/vips before keepalived starts "
			 "(lvsdns-vip-guard reads it on every call)");
	else if (!strcmp(file, "vips") && f->dropped_vips[0])
		/* the guard touches only listed addresses: a VIP dropped from the
		 * list must come off while it is still listed */
		buf_printf(out, "first take off each VIP the new file no longer lists "
			   "(lvsdns-vip-guard down VIP, for %s), then install as /etc/lvsdns/vips "
			   "(lvsdns-vip-guard reads it on every call; nothing to reload)",
			   f->dropped_vips);
	else if (!strcmp(file, "vips"))
		buf_puts(out, "install as /etc/lvsdns/vips (lvsdns-vip-guard reads it on every "
			 "call; nothing to reload)");
	else if (k == ADDED && !strcmp(file, "dnsprobe.targets"))
		buf_puts(out, "install as /etc/lvsdns/dnsprobe.targets before lvsdns-watch.service "
			 "(added too) starts: it reads the file then");
	else if (!strcmp(file, "dnsprobe.targets"))
		buf_printf(out, "install as /etc/lvsdns/dnsprobe.targets, then systemctl reload lvsdns-watch "
			   "(it checks the file first)%s", f->check_changed ? CHECK_CHANGED : "");
	else if (k == ADDED && !strncmp(file, "interfaces.d/", 13))
		buf_printf(out, "install in /etc/network/interfaces.d/, then ifup %s before keepalived "
			   "starts (the stanza raises no VIP: keepalived's quorum_up does)", file + 13);
	else if (!strncmp(file, "interfaces.d/", 13))
		/* the stanza raises no VIP: keepalived's quorum_up re-adds them */
		buf_printf(out, "install in /etc/network/interfaces.d/, then ifdown %s; ifup %s; "
			   "systemctl restart keepalived (the VIPs are down until its checks pass)",
			   file + 13, file + 13);
	else if (!strcmp(file, "sysctl.conf"))
		buf_printf(out, "install as /etc/sysctl.d/60-lvsdns.conf, then modprobe ip_vs; "
			   "sysctl -p /etc/sysctl.d/60-lvsdns.conf" SYSCTL_IFACES "%s",
			   f->v6_forwarding ? V6_FORWARDING : "");
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
	else if (!unit_action(file, k, f->start_only, out))
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

/* An address that moved (a host replaced by another with its addresses, an
 * instance renamed) stays a real server: no reload stops its queries, and
 * the old and the new holder cannot have it at once. */
#define MOVED_INSTANCE "its address stays a real server of its balancer (another host or instance " \
		       "has it now: no keepalived.conf change stops its queries), so do this just " \
		       "before the new holder takes the address over; queries to it are lost in between: "
#define MOVED_HOST "addresses of its instances stay real servers of its balancer (another host " \
		   "has them now: no keepalived.conf change stops their queries), so do this just " \
		   "before the new host takes them over; queries to them are lost in between: "

/* A host that leaves with its balancer: no keepalived.conf is reloaded
 * without it; stopping that balancer's keepalived ends its queries. */
#define LB_GONE_HOST "after keepalived is stopped on its balancer, which this diff removes too " \
		     "(nothing reloads without this host; the stop ends its queries and withdraws " \
		     "that balancer's VIPs): "

static void realserver_action(const char *host, const char *file, enum change_kind k,
			      const struct change_facts *f, struct buf *out)
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
			buf_printf(out, "%ssystemctl disable --now named@%.*s, then remove /etc/bind/%s and "
				   "/var/cache/bind/%.*s (unless it holds zone files or keys of your own; "
				   "install.sh does both)",
				   f->address_stays ? MOVED_INSTANCE : f->balancer_gone ? LB_GONE_HOST :
				   f->host_gone ? AFTER_LB_HOST : AFTER_LB_INSTANCE, n, inst, file, n, inst);
		else    /* named re-reads its configuration on SIGHUP, cache kept */
			buf_printf(out, "install as /etc/bind/%s, then systemctl reload named@%.*s", file, n, inst);
	} else if (k == REMOVED && f->host_gone && (xt || !strcmp(file, "dnat.nft"))) {
		/* the whole host goes: its rules after its instances */
		buf_puts(out, f->address_stays ? MOVED_HOST : f->balancer_gone ? LB_GONE_HOST :
			 AFTER_LB_HOST);
		buf_puts(out, "once its named@ instances are stopped: ");
		if (xt)
			buf_printf(out, "rs-dnat -%c remove where rs-dnat loaded the rules, then remove "
				   "/etc/lvsdns/%s", file[4] == '6' ? '6' : '4', file);
		else    /* install.sh's drop-in loads dnat.nft at every start and reload of nftables */
			buf_puts(out, "nft delete table inet lvsdns where nft loaded it (without rs-dnat, "
				      "or with nat = stateless); remove /etc/lvsdns/dnat.nft and install.sh's "
				      "drop-in /etc/systemd/system/nftables.service.d/lvsdns.conf, then "
				      "systemctl daemon-reload (while they are there, every start or reload "
				      "of nftables loads the table again)");
	} else if (k == REMOVED && f->host_gone && !strcmp(file, "named@.service")) {
		buf_puts(out, f->address_stays ? MOVED_HOST : f->balancer_gone ? LB_GONE_HOST :
			 AFTER_LB_HOST);
		unit_action(file, k, f->start_only, out);
	} else if (unit_action(file, k, f->start_only, out)) {
		;   /* named@.service and any other unit */
	} else if (xt) {
		/* the host loads one of its two rule sets, as install.sh and
		 * named@.service do: rs-dnat's where it is installed and runs */
		buf_puts(out, "with rs-dnat: ");
		if (k == REMOVED)
			buf_printf(out, "rs-dnat -%c remove, then remove /etc/lvsdns/%s" XT_REMOVED_ORDER,
				   file[4] == '6' ? '6' : '4', file);
		else
			buf_printf(out, "rs-dnat -%c apply %s (one atomic commit each of the raw and nat tables)",
				   file[4] == '6' ? '6' : '4', file);
		if (k == CHANGED)
			dnat_order(f, out);
		else if (k == ADDED)
			buf_puts(out, ADDED_ORDER);
	} else if (!strcmp(file, "dnat.nft")) {
		buf_puts(out, "without rs-dnat, or with nat = stateless: ");
		buf_puts(out, k == REMOVED ? "nft delete table inet lvsdns" :
			 "nft -f dnat.nft (replaces table inet lvsdns in one transaction)");
		if (k == CHANGED)
			dnat_order(f, out);
		else if (k == ADDED)
			buf_puts(out, ADDED_ORDER);
	} else if (!strcmp(file, "sysctl.conf")) {
		buf_puts(out, k == REMOVED ? SYSCTL_REMOVED :
			 "install as /etc/sysctl.d/60-lvsdns.conf, then sysctl -p /etc/sysctl.d/60-lvsdns.conf"
			 SYSCTL_IFACES);
	} else if (!strcmp(file, "policy-routing.sh")) {
		buf_puts(out, k == REMOVED ? "remove /etc/lvsdns/policy-routing.sh and its link "
					     "/etc/network/if-up.d/lvsdns (the rules and routes it "
					     "set stay until the machine reboots)" :
			 "run policy-routing.sh again (idempotent)");
		if (f->stale_rules[0] && k == REMOVED)
			buf_printf(out, "; to take them away once its instances are stopped: %s",
				   f->stale_rules);
		else if (f->stale_rules[0])
			buf_printf(out, "; it adds and replaces but never deletes, so once the instances "
				   "it no longer routes are stopped or renumbered: %s", f->stale_rules);
	} else {
		buf_puts(out, "no daemon action known; install by hand");
	}
}

void change_action(const char *path, int kind, const struct change_facts *f, struct buf *out)
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
		balancer_action(name, rest + 1, k, f, out);
	else if (!strcmp(top, "realservers") && rest)
		realserver_action(name, rest + 1, k, f, out);
	else if (!strcmp(top, "bind-build"))
		buf_puts(out, "rebuild BIND with bind-build and install it on every real server (with "
			      "bind { prefix = \"/usr\" }: install the distribution's bind9 it names), "
			      "then restart the named@ instances one at a time, each once its balancer "
			      "sees the one before up again");
	else
		buf_puts(out, "no daemon action known; install by hand");
}
