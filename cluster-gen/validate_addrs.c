/* Cross-checks of the site's address plan: VIPs, the balancers' VLAN
 * networks and neighbors, and the real servers' client networks. Instance
 * addresses against each other are checked in validate.c. */
#include "validate.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "frr_seq.h"

/* The shortest VLAN networks we accept: anything wider is a typo (a /0
 * would make every instance "inside" it). */
#define VLAN_MIN_LEN_V4 8
#define VLAN_MIN_LEN_V6 16

enum used_kind { USED_VIP, USED_VLAN, USED_NEIGHBOR };

/* An address the site gives to a service or a balancer. */
struct used {
	const struct addr *a;
	enum used_kind kind;
	const char *owner;        /* service or balancer name */
	const char *name;         /* vlan or neighbor name; NULL for a VIP */
	int line;                 /* where the address is written */
};

static int by_address(const void *x, const void *y)
{
	const struct used *a = x, *b = y;
	int c = addr_cmp(a->a, b->a);

	if (c)
		return c;
	return a->line < b->line ? -1 : a->line > b->line;
}

static int by_address_only(const void *x, const void *y)
{
	return addr_cmp(((const struct used *)x)->a, ((const struct used *)y)->a);
}

static const char *describe(const struct used *u, char *out, size_t n)
{
	if (u->kind == USED_VIP)
		snprintf(out, n, "service %s's VIP", u->owner);
	else if (u->kind == USED_VLAN)
		snprintf(out, n, "balancer %s's address on vlan %s", u->owner, u->name);
	else
		snprintf(out, n, "balancer %s's neighbor %s", u->owner, u->name);
	return out;
}

static void add_used(struct used **v, size_t *n, size_t *cap, struct used u)
{
	if (!u.a->family)
		return;   /* unset: reported where it is parsed */
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xreallocarray(*v, *cap, sizeof(**v));
	}
	(*v)[(*n)++] = u;
}

static struct used *collect_used(const struct site *s, size_t *n)
{
	struct used *v = NULL;
	size_t cap = 0;

	*n = 0;
	for (size_t i = 0; i < s->nservices; i++)
		add_used(&v, n, &cap, (struct used){ &s->services[i].vip, USED_VIP,
			 s->services[i].name, NULL, s->services[i].vip_at.line });
	for (size_t i = 0; i < s->nbalancers; i++) {
		const struct balancer *b = &s->balancers[i];
		for (size_t j = 0; j < b->nvlans; j++)
			add_used(&v, n, &cap, (struct used){ &b->vlans[j].address.addr, USED_VLAN,
				 b->name, b->vlans[j].name, b->vlans[j].address_at.line });
		for (size_t j = 0; j < b->nneighbors; j++)
			add_used(&v, n, &cap, (struct used){ &b->neighbors[j].address, USED_NEIGHBOR,
				 b->name, b->neighbors[j].name, b->neighbors[j].address_at.line });
	}
	if (*n > 1)   /* qsort may not be given NULL, even for nothing */
		qsort(v, *n, sizeof(*v), by_address);
	return v;
}

/* Two uses of one address that cannot both be true. Balancers may share a
 * neighbor (a route reflector), and two VIPs are reported with the services. */
static bool conflict(const struct used *a, const struct used *b)
{
	return a->kind != b->kind || a->kind == USED_VLAN;
}

static void check_used_pairs(const struct used *v, size_t n, struct diags *d)
{
	char a[ADDR_STRLEN], x[200], y[200];

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n && addr_eq(v[i].a, v[j].a); j++)
			if (conflict(&v[i], &v[j]))
				diag_add(d, v[j].line, NULL, "%s %s is also %s",
					 describe(&v[j], x, sizeof(x)), addr_str(v[j].a, a),
					 describe(&v[i], y, sizeof(y)));
}

static void check_unicast(const struct used *v, size_t n, struct diags *d)
{
	char a[ADDR_STRLEN], x[200];

	for (size_t i = 0; i < n; i++)
		if (!addr_is_unicast(v[i].a))
			diag_add(d, v[i].line, "use a unicast address: not loopback, link-local, multicast or broadcast",
				 "%s %s cannot be a host's or a service's address",
				 describe(&v[i], x, sizeof(x)), addr_str(v[i].a, a));
}

/* An instance whose address is a VIP, a neighbor or another VLAN's
 * balancer address (its own balancer's is reported with the instance):
 * named at the later of the two in the file, as two VIPs are. */
static void check_instances_against(const struct site *s, const struct used *v, size_t n,
				    struct diags *d)
{
	char a[ADDR_STRLEN], x[200];

	for (size_t i = 0; i < s->nrealservers; i++) {
		const struct realserver *r = &s->realservers[i];
		for (size_t j = 0; j < r->ninstances; j++) {
			const struct instance *in = &r->instances[j];
			struct used key = { .a = &in->address };
			const struct used *u;

			if (!in->address.family || n == 0)
				continue;
			u = bsearch(&key, v, n, sizeof(*v), by_address_only);
			if (u && !(u->kind == USED_VLAN && r->balancer != (size_t)-1 &&
				   strcmp(u->owner, s->balancers[r->balancer].name) == 0))
				diag_add(d, in->address_at.line > u->line ? in->address_at.line : u->line,
					 NULL, "%s instance %s: %s is also %s", r->name,
					 in->name, addr_str(&in->address, a), describe(u, x, sizeof(x)));
		}
	}
}

/* A VLAN network wider than any a site has: a prefix length mistyped. */
static bool vlan_too_wide(const struct vlan *v)
{
	return v->address.len < (v->address.addr.family == AF_INET ? VLAN_MIN_LEN_V4 :
				 VLAN_MIN_LEN_V6);
}

static void check_vlan(const struct balancer *b, const struct vlan *v, struct diags *d)
{
	char p[PREFIX_STRLEN], n[PREFIX_STRLEN];
	struct prefix net;

	if (!v->address.addr.family)
		return;
	prefix_network(&v->address, &net);
	if (vlan_too_wide(v))
		diag_add(d, v->address_at.line, "write the balancer's address with the VLAN's prefix length, e.g. \"10.1.53.1/24\"",
			 "balancer %s: vlan %s's address %s makes its network %s, wider than /%u",
			 b->name, v->name, prefix_str(&v->address, p), prefix_str(&net, n),
			 v->address.addr.family == AF_INET ? VLAN_MIN_LEN_V4 : VLAN_MIN_LEN_V6);
	else if (v->address.len == addr_maxlen(&v->address.addr))
		diag_add(d, v->address_at.line, "write the balancer's address with the VLAN's prefix length, e.g. \"10.1.53.1/24\"",
			 "balancer %s: vlan %s's network %s holds no address but the balancer's",
			 b->name, v->name, prefix_str(&v->address, p));
	else if (prefix_reserved_host(&v->address, &v->address.addr))
		diag_add(d, v->address_at.line, RESERVED_HOST_HINT,
			 "balancer %s: vlan %s's address %s is not a host address of its network",
			 b->name, v->name, prefix_str(&v->address, p));
	if (v->interface && b->vip_interface && strcmp(v->interface, b->vip_interface) == 0)
		diag_add(d, later_line(v->interface_at, b->vip_interface_at),
			 "the VIPs live on a dummy interface of their own (vip-interface)",
			 "balancer %s: vlan %s's interface %s is also its vip-interface", b->name, v->name,
			 v->interface);
}

/* Two VLANs of a balancer that overlap: named where the second address is
 * written. One too wide is reported as such, and overlaps nothing more. */
static void check_vlans(const struct balancer *b, struct diags *d)
{
	char p[PREFIX_STRLEN];

	for (size_t i = 0; i < b->nvlans; i++) {
		check_vlan(b, &b->vlans[i], d);
		for (size_t j = 0; j < i; j++) {
			const struct vlan *v = &b->vlans[i], *w = &b->vlans[j];
			if (!v->address.addr.family || vlan_too_wide(v) || vlan_too_wide(w) ||
			    !prefix_overlaps(&w->address, &v->address))
				continue;
			if (w->address_at.line > v->address_at.line) {
				v = w;
				w = &b->vlans[i];
			}
			diag_add(d, v->address_at.line, NULL, "balancer %s: vlan %s (%s) overlaps vlan %s",
				 b->name, v->name, prefix_str(&v->address, p), w->name);
		}
	}
}

/* A VIP inside a VLAN network would be on-link for the real servers there:
 * they would ARP (or solicit) for it on the VLAN instead of leaving it to
 * the balancer's DR path. Named at the later of the VIP and the VLAN's
 * address; a VIP that is the balancer's own address there is reported as
 * an address used twice. */
static void check_vip_in_vlan(const struct service *v, const struct balancer *b,
			      const struct vlan *w, struct diags *d)
{
	char a[ADDR_STRLEN], n[PREFIX_STRLEN];
	struct prefix net;

	if (v->vip.family != w->address.addr.family || !prefix_contains(&w->address, &v->vip) ||
	    addr_eq(&v->vip, &w->address.addr))
		return;
	prefix_network(&w->address, &net);
	diag_add(d, later_line(v->vip_at, w->address_at),
		 "give the VIP an address outside every VLAN network: the balancer holds it on its vip-interface",
		 "service %s: VIP %s is inside balancer %s's vlan %s network %s; the real servers there "
		 "would reach it on the VLAN, not through the balancer", v->name,
		 addr_str(&v->vip, a), b->name, w->name, prefix_str(&net, n));
}

static void check_vips_in_vlans(const struct site *s, struct diags *d)
{
	for (size_t i = 0; i < s->nservices; i++)
		for (size_t j = 0; s->services[i].vip.family && j < s->nbalancers; j++)
			for (size_t k = 0; k < s->balancers[j].nvlans; k++)
				check_vip_in_vlan(&s->services[i], &s->balancers[j],
						  &s->balancers[j].vlans[k], d);
}

/* A service's VIP and the number of its entry in frr.conf's prefix-lists. */
struct vip_seq {
	uint32_t seq;
	size_t service;
	const struct service *v;
};

/* By family and number; within one number by line, then site order. */
static int by_family_seq(const void *x, const void *y)
{
	const struct vip_seq *a = x, *b = y;

	if (a->v->vip.family != b->v->vip.family)
		return a->v->vip.family < b->v->vip.family ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	if (a->v->vip_at.line != b->v->vip_at.line)
		return a->v->vip_at.line < b->v->vip_at.line ? -1 : 1;
	return a->service < b->service ? -1 : a->service > b->service;
}

static void report_seq_pair(const struct vip_seq *first, const struct vip_seq *later,
			    struct diags *d)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	diag_add(d, later->v->vip_at.line,
		 "an IPv6 VIP's number is a hash of its address; give one of the two another address",
		 "service %s: VIP %s would get the number of service %s's VIP %s in frr.conf's "
		 "prefix-lists (seq %" PRIu32 "); FRR would keep one of the two entries",
		 later->v->name, addr_str(&later->v->vip, a), first->v->name,
		 addr_str(&first->v->vip, b), later->seq);
}

/* Two VIPs of one family whose prefix-list entries would share a number
 * (only IPv6 VIPs can: frr_seq.h). In one list FRR keeps one entry per
 * number, and the other VIP would never be announced. Refused for the
 * whole site, not per list, so that moving a service between balancers or
 * roles never makes a site invalid. Named at the later VIP; one VIP
 * written twice is reported with the services. */
static void check_vip_seqs(const struct site *s, struct diags *d)
{
	struct vip_seq *v = xreallocarray(NULL, s->nservices + 1, sizeof(*v));
	size_t n = 0, first = 0;

	for (size_t i = 0; i < s->nservices; i++)
		if (s->services[i].vip.family)
			v[n++] = (struct vip_seq){ frr_vip_seq(&s->services[i].vip), i,
						   &s->services[i] };
	if (n > 1)
		qsort(v, n, sizeof(*v), by_family_seq);
	for (size_t i = 1; i < n; i++) {
		if (v[i].seq != v[first].seq || v[i].v->vip.family != v[first].v->vip.family)
			first = i;
		else if (!addr_eq(&v[i].v->vip, &v[first].v->vip))
			report_seq_pair(&v[first], &v[i], d);
	}
	free(v);
}

void validate_addresses(const struct site *s, struct diags *d)
{
	size_t n;
	struct used *v = collect_used(s, &n);

	check_unicast(v, n, d);
	check_used_pairs(v, n, d);
	check_instances_against(s, v, n, d);
	free(v);
	for (size_t i = 0; i < s->nbalancers; i++)
		check_vlans(&s->balancers[i], d);
	check_vips_in_vlans(s, d);
	check_vip_seqs(s, d);
}
