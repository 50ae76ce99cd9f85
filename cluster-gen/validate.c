/* Cross-checks of a parsed site: the services, the balancers, BGP and what
 * ties them together; the check, the address plan, the real servers and
 * names have files of their own (validate_check.c, validate_addrs.c,
 * validate_realservers.c, validate_names.c). */
#include "validate.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "../bind-build/bind_table.h"

static const char *const schedulers[] = { "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh",
					  "sh", "sed", "nq", "fo", "ovf", "mh", "twos", NULL };

/* FRR names prefix-lists and route-maps "<site>-<balancer>-..." with
 * suffixes of up to 20 characters, and accepts names of 128 at most. */
#define FRR_NAME_PARTS_MAX 100

/* Two services with one VIP: named where the second VIP is written. */
static void validate_shared_vips(const struct site *s, struct diags *d)
{
	char a[ADDR_STRLEN];

	for (size_t i = 0; i < s->nservices; i++)
		for (size_t j = 0; j < i; j++) {
			const struct service *v = &s->services[i], *w = &s->services[j];
			if (!v->vip.family || !addr_eq(&v->vip, &w->vip))
				continue;
			if (w->vip_at.line > v->vip_at.line) {
				v = w;
				w = &s->services[i];
			}
			diag_add(d, v->vip_at.line, NULL, "service %s: VIP %s is also service %s's",
				 v->name, addr_str(&v->vip, a), w->name);
		}
}

static void validate_services(const struct site *s, struct diags *d)
{
	for (size_t i = 0; i < s->nservices; i++) {
		const struct service *v = &s->services[i];

		check_name(d, v->at.line, "service", v->name);
		if (!in_table(schedulers, v->scheduler))
			diag_add(d, v->scheduler_at.line, "one of rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos",
				 "service %s: scheduler '%s' is not an LVS scheduler", v->name, v->scheduler);
		if (v->vip.family && v->persistence_netmask > addr_maxlen(&v->vip))
			diag_add(d, later_line(v->persistence_netmask_at, v->vip_at), NULL,
				 "service %s: persistence-netmask /%u is longer than an IPv%d address",
				 v->name, v->persistence_netmask, addr_version(&v->vip));
		if (!v->numbers_refused && v->persistence_netmask && !v->persistence_timeout)
			diag_add(d, v->persistence_netmask_at.line, "set persistence-timeout, or leave "
				 "persistence-netmask out",
				 "service %s: persistence-netmask without persistence-timeout; keepalived "
				 "would then pin each client network to one instance for 360 s", v->name);
		if (v->method == LVS_TUN)
			diag_add(d, v->method_at.line, "use DR (or NAT)",
				 "service %s: method TUN cannot reach the instances: they take the VIP's "
				 "frames by DNAT on their VLAN interfaces, and a tunnelled frame arrives "
				 "encapsulated on tunl0", v->name);
		for (size_t j = 1; j < v->nports; j++)
			if (v->ports[j].proto == v->ports[j - 1].proto && v->ports[j].port == v->ports[j - 1].port)
				diag_add(d, v->ports_at.line, NULL, "service %s lists %s/%u twice", v->name,
					 proto_name(v->ports[j].proto), v->ports[j].port);
	}
	validate_shared_vips(s, d);
}
/* Two neighbors of one balancer with one address: named where the second
 * address is written. */
static void validate_shared_neighbors(const struct balancer *b, struct diags *d)
{
	char a[ADDR_STRLEN];

	for (size_t i = 0; i < b->nneighbors; i++)
		for (size_t j = 0; j < i; j++) {
			const struct neighbor *n = &b->neighbors[i], *m = &b->neighbors[j];
			if (!n->address.family || !addr_eq(&n->address, &m->address))
				continue;
			if (m->address_at.line > n->address_at.line) {
				n = m;
				m = &b->neighbors[i];
			}
			diag_add(d, n->address_at.line, NULL, "balancer %s: neighbors %s and %s share address %s",
				 b->name, m->name, n->name, addr_str(&n->address, a));
		}
}

/* A neighbor's description goes into frr.conf as the rest of a line: no
 * control character (libconfuse's escapes make any of them, not only \n and
 * \t), nor what frr.conf or our own quoting would read otherwise. */
static bool description_safe(const char *s)
{
	for (; *s; s++)
		if (iscntrl((unsigned char)*s) || strchr("\"\\!#", *s))
			return false;
	return true;
}

static void validate_balancer(const struct site *s, const struct balancer *b, struct diags *d)
{
	char a[ADDR_STRLEN];

	check_name(d, b->at.line, "balancer", b->name);
	if (b->router_id.family && b->router_id.family != AF_INET)
		diag_add(d, b->router_id_at.line, "BGP router ids are IPv4 dotted quads even on IPv6-only balancers",
			 "balancer %s: router-id %s is not IPv4", b->name, addr_str(&b->router_id, a));
	if (!safe_ifname(b->vip_interface))
		diag_add(d, b->vip_interface_at.line, "at most 15 characters of letters, digits, '_', '.', '-'",
			 "balancer %s: vip-interface '%s' is not a valid interface name", b->name, b->vip_interface);
	else if (strcmp(b->vip_interface, "lo") == 0)   /* its stanza adds and deletes it */
		diag_add(d, b->vip_interface_at.line, "a dummy interface of its own (lvsdns0): its "
			 "ifupdown stanza creates it, and deletes it on ifdown",
			 "balancer %s: vip-interface cannot be lo", b->name);
	/* a service a typo left out of services is not "not carried"; in
	 * anycast mode primary itself is the problem (validate_anycast) */
	for (size_t i = 0; !s->unresolved_service && s->bgp.mode != BGP_ANYCAST &&
			   i < b->nprimary; i++)
		if (!balancer_carries(b, b->primary[i]))
			diag_add(d, later_line(b->primary_at, b->services_at),
				 "add it to the balancer's services, or drop it from primary",
				 "balancer %s is primary for %s but does not carry it", b->name,
				 s->services[b->primary[i]].name);
	for (size_t i = 0; i < b->nneighbors; i++) {
		const struct neighbor *n = &b->neighbors[i];
		check_name(d, n->at.line, "neighbor", n->name);
		if (n->description && !description_safe(n->description))
			diag_add(d, n->description_at.line, "plain text on one line: it is written as it is "
				 "into frr.conf, where a command ends at the end of its line",
				 "neighbor %s: description must not contain control characters (a line break, "
				 "a tab, ...), double quotes, backslashes, '!' or '#'", n->name);
		else if (n->description && n->description[strspn(n->description, " ")] == '\0')
			diag_add(d, n->description_at.line, "leave it out, or say who the neighbor is",
				 "neighbor %s: description is empty; FRR refuses 'description' without text", n->name);
	}
	validate_shared_neighbors(b, d);
	for (size_t i = 0; i < b->nvlans; i++) {
		const struct vlan *v = &b->vlans[i];
		check_name(d, v->at.line, "vlan", v->name);
		if (v->interface && !safe_ifname(v->interface))
			diag_add(d, v->interface_at.line, "at most 15 characters of letters, digits, '_', '.', '-'",
				 "vlan %s: interface '%s' is not a valid interface name", v->name, v->interface);
	}
}

/* The instances behind one balancer, by family (0: IPv4, 1: IPv6). */
struct behind {
	size_t count[2];
	unsigned long weight[2];
	size_t weighted[2];       /* instances of weight above 0 */
	bool refused[2];          /* an instance's weight was out of range */
	int last_weight_line[2];  /* the last of their weights in the file */
};

/* One pass over the real servers for every balancer. */
static struct behind *instances_behind(const struct site *s)
{
	struct behind *bh = xcalloc(s->nbalancers ? s->nbalancers : 1, sizeof(*bh));

	for (size_t j = 0; j < s->nrealservers; j++) {
		const struct realserver *r = &s->realservers[j];
		if (r->balancer == (size_t)-1)
			continue;
		for (size_t k = 0; k < r->ninstances; k++) {
			bool v6 = r->instances[k].address.family == AF_INET6;
			bh[r->balancer].weight[v6] += r->instances[k].weight;
			bh[r->balancer].weighted[v6] += r->instances[k].weight > 0;
			bh[r->balancer].refused[v6] |= r->instances[k].weight_refused;
			bh[r->balancer].count[v6]++;
			if (r->instances[k].weight_at.line > bh[r->balancer].last_weight_line[v6])
				bh[r->balancer].last_weight_line[v6] = r->instances[k].weight_at.line;
		}
	}
	return bh;
}

/* The most an instance weighs with dynamic-weight: dnsprobe's weight is the
 * number of thresholds its answer stayed below (0 to N). */
static unsigned long thresholds(const struct site *s)
{
	unsigned long n = 1;

	for (const char *p = s->check.dynamic_weight; p && *p; p++)
		n += *p == ',';
	return n;
}

/* What keepalived needs to gain quorum: the live weight must reach quorum +
 * hysteresis (ipwrapper.c, update_quorum_state), and with dynamic weights
 * each instance weighs what its probe says, at most one per threshold. */
static void check_reachable_quorum(const struct service *v, const struct balancer *b,
				   unsigned long weight, int last_weight_line, bool dynamic,
				   struct diags *d)
{
	unsigned long need = (unsigned long)v->quorum + v->hysteresis;

	if (weight >= need)
		return;
	if (weight == 0)    /* lowering quorum cannot help: 1 is its least */
		diag_add(d, last_weight_line, "keep one of them above 0, or take the service off "
			 "this balancer (primary, services) so that another carries it",
			 "service %s: every instance behind balancer %s has weight 0 (drained); "
			 "the VIP would never be announced there", v->name, b->name);
	else if (dynamic)
		diag_add(d, v->quorum_at.line, "with dynamic-weight each instance weighs at most one "
			 "per threshold: lower quorum, or add thresholds",
			 "service %s: quorum %u%s exceeds the %lu its instances behind balancer %s "
			 "can weigh", v->name, v->quorum, v->hysteresis ? " + hysteresis" : "", weight,
			 b->name);
	else if (v->hysteresis && weight >= v->quorum)
		diag_add(d, v->quorum_at.line, "keepalived gains quorum only at quorum + hysteresis: "
			 "lower one of them, or raise the instances' weights",
			 "service %s: quorum %u + hysteresis %u exceeds the total weight %lu of its "
			 "instances behind balancer %s; its VIP would never be announced",
			 v->name, v->quorum, v->hysteresis, weight, b->name);
	else
		diag_add(d, v->quorum_at.line, "lower quorum, or raise the instances' weights",
			 "service %s: quorum %u exceeds the total weight %lu of its instances behind balancer %s",
			 v->name, v->quorum, weight, b->name);
}

/* keepalived -t refuses a virtual server whose quorum exceeds the weight of
 * its real servers, or whose hysteresis is not below its quorum. */
static void validate_quorum(const struct site *s, const struct behind *bh, struct diags *d)
{
	bool dynamic = s->check.dynamic_weight && s->check.checker == CHECKER_PROBE;

	for (size_t i = 0; i < s->nservices; i++)
		if (!s->services[i].numbers_refused && s->services[i].hysteresis >= s->services[i].quorum)
			diag_add(d, later_line(s->services[i].hysteresis_at, s->services[i].quorum_at),
				 "keepalived needs hysteresis < quorum",
				 "service %s: hysteresis %u is not below quorum %u", s->services[i].name,
				 s->services[i].hysteresis, s->services[i].quorum);
	for (size_t i = 0; i < s->nbalancers; i++) {
		const struct balancer *b = &s->balancers[i];

		for (size_t j = 0; j < b->nservices; j++) {
			const struct service *v = &s->services[b->services[j]];
			bool v6 = v->vip.family == AF_INET6;
			/* no instances at all: validate_families says so; a host
			 * whose balancer did not resolve: its weight may be missing;
			 * a number refused: its stand-in proves nothing */
			if (!v->vip.family || bh[i].count[v6] == 0 || s->unresolved_balancer ||
			    v->numbers_refused || bh[i].refused[v6])
				continue;
			check_reachable_quorum(v, b, dynamic ? bh[i].weighted[v6] * thresholds(s) :
					       bh[i].weight[v6], bh[i].last_weight_line[v6], dynamic, d);
		}
	}
}

/* A balancer tells the routers where its VIPs are over BGP and no other
 * way, so it needs a neighbor; and frr.conf activates a neighbor in its own
 * family only, so it needs one of each family of the VIPs it carries. */
static void validate_announced(const struct site *s, const struct balancer *b, struct diags *d)
{
	bool peer[2] = { false, false };

	if (b->nneighbors == 0) {
		diag_add(d, b->at.line, "add one: neighbor NAME { address = ADDRESS }",
			 "balancer %s has no BGP neighbor: the VIPs it carries would be announced to nobody",
			 b->name);
		return;   /* each family's message would only repeat it */
	}
	for (size_t i = 0; i < b->nneighbors; i++)
		peer[b->neighbors[i].address.family == AF_INET6] = true;
	for (size_t i = 0; i < b->nservices; i++) {
		const struct service *v = &s->services[b->services[i]];
		if (v->vip.family && !peer[v->vip.family == AF_INET6])
			diag_add(d, b->services_at.line,
				 "add a neighbor of the VIP's family, or leave the service out of services = { ... }",
				 "balancer %s carries service %s (IPv%d VIP) but has no IPv%d neighbor to announce it to",
				 b->name, v->name, addr_version(&v->vip), addr_version(&v->vip));
	}
}

/* Every VIP a balancer carries needs instances of its family behind it.
 * Unless a host's balancer did not resolve: its instances may be the ones
 * missing, and the unknown name is the problem to fix. */
static void validate_families(const struct site *s, const struct behind *bh, struct diags *d)
{
	for (size_t i = 0; !s->unresolved_balancer && i < s->nbalancers; i++) {
		const struct balancer *b = &s->balancers[i];

		for (size_t j = 0; j < b->nservices; j++) {
			const struct service *v = &s->services[b->services[j]];
			if (!v->vip.family || bh[i].count[v->vip.family == AF_INET6])
				continue;
			diag_add(d, b->services_at.line,
				 "list what it carries: services = { ... }, or add instances of that family",
				 "balancer %s carries service %s (IPv%d VIP) but has no IPv%d instances behind it",
				 b->name, v->name, addr_version(&v->vip), addr_version(&v->vip));
		}
	}
}

/* An instance of a family its balancer carries no VIP of gets no query: no
 * virtual server and no DNAT rule leads to it, and its named runs idle.
 * Likely a service left out; but an instance may be put in place before its
 * VIP, so this is a warning. */
static void warn_idle_instances(const struct site *s, struct diags *d)
{
	for (size_t i = 0; !s->unresolved_balancer && !s->unresolved_service &&
			   i < s->nrealservers; i++) {
		const struct realserver *r = &s->realservers[i];
		const struct balancer *b = &s->balancers[r->balancer];
		bool carried[2] = { false, false }, unknown = false;

		/* a VIP that did not parse may be of either family */
		for (size_t j = 0; j < b->nservices; j++) {
			int family = s->services[b->services[j]].vip.family;

			unknown |= family == 0;
			carried[family == AF_INET6] |= family != 0;
		}
		for (size_t k = 0; !unknown && k < r->ninstances; k++) {
			const struct instance *in = &r->instances[k];
			int v = addr_version(&in->address);

			if (in->address.family && !carried[v == 6])
				diag_warn(d, in->at.line, "add a service of that family to what the "
					  "balancer carries (primary, services), or leave the instance "
					  "out; until then its named runs idle",
					  "%s instance %s: balancer %s carries no IPv%d VIP, so no query "
					  "reaches it", r->name, in->name, b->name, v);
		}
	}
}

/* A service no balancer carries would be silently missing from every file. */
static void validate_carried(const struct site *s, struct diags *d)
{
	for (size_t i = 0; !s->unresolved_service && i < s->nservices; i++) {
		bool carried = false;
		for (size_t j = 0; j < s->nbalancers && !carried; j++)
			carried = balancer_carries(&s->balancers[j], i);
		if (!carried)
			diag_add(d, s->services[i].at.line, "name it in a balancer's services = { ... }",
				 "service %s is carried by no balancer", s->services[i].name);
	}
}

/* Service i needs one primary balancer: the first to say so in the file;
 * any other is named where its primary list is written. */
static void validate_primary(const struct site *s, size_t i, struct diags *d)
{
	const struct balancer *first = NULL;

	for (size_t j = 0; j < s->nbalancers; j++)
		if (balancer_is_primary(&s->balancers[j], i) &&
		    (!first || s->balancers[j].primary_at.line < first->primary_at.line))
			first = &s->balancers[j];
	if (!first && s->unresolved_service)
		return;   /* the primary it lacks may be the name that did not resolve */
	if (!first) {
		diag_add(d, s->services[i].at.line, "name it in one balancer's primary = { ... } (or use bgp { mode = anycast })",
			 "service %s has no primary balancer in active-standby mode", s->services[i].name);
		return;
	}
	for (size_t j = 0; j < s->nbalancers; j++)
		if (&s->balancers[j] != first && balancer_is_primary(&s->balancers[j], i))
			diag_add(d, s->balancers[j].primary_at.line, "in active-standby mode one balancer is primary per service",
				 "service %s has two primary balancers, %s and %s", s->services[i].name,
				 first->name, s->balancers[j].name);
}

/* In anycast mode every balancer announces every VIP it carries with
 * primary-metric (render_frr.c): a primary list would change nothing, and
 * an operator who wrote one expects it to. Named at the later of the list
 * and the mode. */
static void validate_anycast(const struct site *s, struct diags *d)
{
	char *why = xasprintf("primary has no meaning in anycast mode: every balancer announces "
			      "every VIP it carries with MED %u", s->bgp.primary_metric);

	for (size_t i = 0; i < s->nbalancers; i++)
		if (s->balancers[i].nprimary)
			diag_add(d, later_line(s->balancers[i].primary_at, s->bgp.mode_at),
				 "remove primary = { ... }, or use bgp { mode = active-standby }",
				 "balancer %s: %s", s->balancers[i].name, why);
	free(why);
	validate_carried(s, d);
}

static void validate_primaries(const struct site *s, struct diags *d)
{
	if (s->bgp.mode == BGP_ANYCAST) {
		validate_anycast(s, d);
		return;
	}
	if (!s->bgp.metrics_refused && s->bgp.primary_metric >= s->bgp.backup_metric)
		diag_add(d, later_line(s->bgp.primary_metric_at, s->bgp.backup_metric_at),
			 "routers prefer the lower MED: primary-metric < backup-metric",
			 "bgp: primary-metric %u is not below backup-metric %u", s->bgp.primary_metric,
			 s->bgp.backup_metric);
	for (size_t i = 0; i < s->nservices; i++)
		validate_primary(s, i, d);
}

/* FRR takes `timers bgp 5 3` without a word and sends keepalives every
 * holdtime/3 (integer division) instead: the file would not say what runs. */
static void validate_bgp_timers(const struct bgp *b, struct diags *d)
{
	char *hint;

	if (b->timers_refused || b->keepalive <= b->holdtime / 3)
		return;
	hint = xasprintf("keepalive at most holdtime/3 = %u; FRR would use that silently",
			 b->holdtime / 3);
	diag_add(d, later_line(b->keepalive_at, b->holdtime_at), hint,
		 "bgp: keepalive %u is more than a third of holdtime %u", b->keepalive, b->holdtime);
	free(hint);
}

/* Two balancers with one router-id: named where the second is written. */
static void validate_router_ids(const struct site *s, struct diags *d)
{
	char a[ADDR_STRLEN];

	for (size_t i = 0; i < s->nbalancers; i++)
		for (size_t j = 0; j < i; j++) {
			const struct balancer *b = &s->balancers[i], *c = &s->balancers[j];
			if (!b->router_id.family || !addr_eq(&b->router_id, &c->router_id))
				continue;
			if (c->router_id_at.line > b->router_id_at.line) {
				b = c;
				c = &s->balancers[i];
			}
			diag_add(d, b->router_id_at.line, NULL, "balancer %s: router-id %s is also %s's",
				 b->name, addr_str(&b->router_id, a), c->name);
		}
}

void validate_site(const struct site *s, struct diags *d)
{
	struct behind *bh;

	if (s->name)
		check_name(d, s->at.line, "site", s->name);
	for (size_t i = 0; s->name && i < s->nbalancers; i++)
		if (strlen(s->name) + strlen(s->balancers[i].name) > FRR_NAME_PARTS_MAX)
			diag_add(d, s->balancers[i].at.line, "shorten the site or the balancer name",
				 "balancer %s: the site and balancer names together exceed %d characters, "
				 "too long for FRR's prefix-list and route-map names",
				 s->balancers[i].name, FRR_NAME_PARTS_MAX);
	if (!s->name)
		return; /* no site section: the rest would only repeat that */
	if (!safe_name(s->script_user))
		diag_add(d, s->script_user_at.line, NULL, "site: script-user '%s' is not a valid user name",
			 s->script_user);
	if (!safe_path(s->vip_guard_path))
		diag_add(d, s->vip_guard_path_at.line, "keepalived runs quorum_up/quorum_down without a shell",
			 "site: vip-guard '%s' must be an absolute path without spaces or shell syntax",
			 s->vip_guard_path);
	if (!safe_path(s->script_check_path))
		diag_add(d, s->script_check_path_at.line,
			 "the full path it has on the balancers (default /usr/local/sbin/lvsdns-script-check)",
			 "site: script-check '%s' must be an absolute path without spaces or shell syntax",
			 s->script_check_path);
	if (!s->bind.version || !bind_version_is_safe(s->bind.version) ||
	    !bind_row_for_version(s->bind.version))
		diag_add(d, s->bind.version_at.line, "a release such as \"9.18.49\"; bind-build(8) lists the versions and what each needs",
			 "bind: version '%s' is not a BIND 9 release this toolkit knows (9.2.0 or later)",
			 s->bind.version ? s->bind.version : "");
	validate_check(s, d);
	validate_bgp_timers(&s->bgp, d);
	validate_services(s, d);
	for (size_t i = 0; i < s->nbalancers; i++) {
		validate_balancer(s, &s->balancers[i], d);
		validate_announced(s, &s->balancers[i], d);
	}
	validate_router_ids(s, d);
	validate_realservers(s, d);
	validate_addresses(s, d);
	bh = instances_behind(s);
	validate_families(s, bh, d);
	warn_idle_instances(s, d);
	validate_quorum(s, bh, d);
	free(bh);
	validate_watch_ids(s, d);
	validate_chaos_rate(s, d);
	validate_primaries(s, d);
}
