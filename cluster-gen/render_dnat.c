/* DIR/realservers/<host>/dnat.rules, dnat6.rules and dnat.nft: per VLAN
 * interface, per client network, per VIP and port, frames for the VIP are
 * rewritten to the instance on that VLAN. dnat.rules/dnat6.rules are the
 * restricted iptables-restore text rs-dnat reads; dnat.nft is one table of
 * our own, conntrack dnat (nat = stateful) or notrack address rewriting in
 * both directions (nat = stateless). */
#include "render_realserver.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define RS_CHAIN "LVSDNS-PRE"
#define RS_ZONE "LVSDNS-ZONE"
#define MAX_ZONE 65535u         /* conntrack zones are 16 bits */

struct fam {
	int family;
	const char *v;            /* "4", "6" */
	const char *ip;           /* nft: "ip", "ip6" */
	const char *addr_type;    /* nft: "ipv4_addr", "ipv6_addr" */
	unsigned max;             /* 32, 128 */
};

static const struct fam FAMS[2] = {
	{ AF_INET, "4", "ip", "ipv4_addr", 32 },
	{ AF_INET6, "6", "ip6", "ipv6_addr", 128 },
};

static size_t clients_of(const struct rs_view *v, int family, const struct prefix **out)
{
	size_t n = 0;

	for (size_t i = 0; i < v->r->nclients; i++)
		if (v->r->clients[i].addr.family == family)
			out[n++] = &v->r->clients[i];
	return n;
}

/* "10.1.53.2:53" / "[2001:db8::2]:53", as iptables-save prints it. */
static void set_to(struct tpl_ctx *c, const struct addr *a, unsigned port)
{
	char s[ADDR_STRLEN];

	addr_str(a, s);
	if (a->family == AF_INET6)
		tpl_setf(c, "to", "[%s]:%u", s, port);
	else
		tpl_setf(c, "to", "%s:%u", s, port);
}

/* One iptables rule per instance x VIP x port x client network. */
static void add_xt_rules(const struct rs_view *v, const struct fam *f, struct tpl_ctx *root,
			 const size_t *vips, size_t nvips, const struct prefix **cl, size_t ncl)
{
	char a[ADDR_STRLEN], p[PREFIX_STRLEN];

	for (size_t i = 0; i < v->r->ninstances; i++) {
		const struct instance *in = &v->r->instances[i];
		for (size_t k = 0; in->address.family == f->family && k < nvips; k++) {
			const struct service *svc = &v->s->services[vips[k]];
			for (size_t pi = 0; pi < svc->nports; pi++) {
				for (size_t ci = 0; ci < ncl; ci++) {
					struct tpl_ctx *c = tpl_add(root, "rules");
					tpl_set(c, "instance", in->name);
					tpl_set(c, "service", svc->name);
					/* iptables-save omits a match on any source */
					tpl_set(c, "src", cl[ci]->len ? prefix_str(cl[ci], p) : "");
					tpl_setf(c, "dst", "%s/%u", addr_str(&svc->vip, a), f->max);
					tpl_set(c, "iface", in->interface);
					tpl_set(c, "proto", proto_name(svc->ports[pi].proto));
					tpl_setf(c, "port", "%u", svc->ports[pi].port);
					set_to(c, &in->address, svc->ports[pi].port);
				}
			}
		}
	}
}

/* A conntrack zone per VLAN interface, for the VIPs' flows only and in
 * their original direction: an entry does not record the interface a query
 * came in on, so without zones a client that keeps its source port would
 * stay with its first instance after the balancer moves it to another VLAN.
 * Zoning anything more would override the admin's own notrack rules and
 * split asymmetric flows between zones. One entry per interface and VIP. */
static int add_zones(const struct rs_view *v, const struct fam *f, struct tpl_ctx *c,
		     const size_t *vips, size_t nvips, struct buf *err)
{
	char a[ADDR_STRLEN];

	for (size_t i = 0; i < v->r->ninstances; i++) {
		const struct instance *in = &v->r->instances[i];
		unsigned zone = rs_vlan_number(v, in);

		if (in->address.family != f->family)
			continue;
		if (zone > MAX_ZONE) {
			buf_printf(err, "realserver %s: instance %s: VLAN %s would need conntrack "
				   "zone %u, above %u; give the balancer's VLANs numeric names "
				   "(the VLAN id)", v->r->name, in->name, rs_vlan(v, in)->name,
				   zone, MAX_ZONE);
			return -1;
		}
		for (size_t k = 0; k < nvips; k++) {
			struct tpl_ctx *z = tpl_add(c, "zones");
			addr_str(&v->s->services[vips[k]].vip, a);
			tpl_set(z, "iface", in->interface);
			tpl_set(z, "vip", a);
			tpl_setf(z, "dst", "%s/%u", a, f->max);
			tpl_setf(z, "zone", "%u", zone);
		}
	}
	return 0;
}

static int render_xt(const struct rs_view *v, struct templates *t, const struct fam *f,
		     struct buf *err)
{
	const struct prefix **cl = xcalloc(v->r->nclients + 1, sizeof(*cl));
	size_t *vips = xcalloc(v->b->nservices + 1, sizeof(*vips));
	size_t nvips = rs_vips(v, f->family, vips), ncl = clients_of(v, f->family, cl);
	struct tpl_ctx *root = tpl_ctx_new();
	int rc = 0;

	rs_set_header(v, root);
	tpl_set(root, "chain", RS_CHAIN);
	tpl_set(root, "zone_chain", RS_ZONE);
	tpl_set(root, "v", f->v);
	tpl_set(root, "tool", f->family == AF_INET ? "iptables" : "ip6tables");
	tpl_set_bool(root, "no_clients", ncl == 0 && nvips > 0 && rs_has_family(v, f->family));
	add_xt_rules(v, f, root, vips, nvips, cl, ncl);
	if (nvips > 0 && ncl > 0)
		rc = add_zones(v, f, root, vips, nvips, err);
	if (rc == 0)
		rc = rs_render(v, t, f->family == AF_INET ? "dnat.rules.mustache"
							  : "dnat6.rules.mustache",
			       root, f->family == AF_INET ? "dnat.rules" : "dnat6.rules", 0644, err);
	tpl_ctx_free(root);
	free(cl);
	free(vips);
	return rc;
}

/* ---- nftables ---- */

static void add_nets(struct tpl_ctx *c, const char *list, const struct prefix *const *nets, size_t n)
{
	char p[PREFIX_STRLEN];

	for (size_t i = 0; i < n; i++)
		tpl_set(tpl_add(c, list), "net", prefix_str(nets[i], p));
}

/* Stateless replies are mapped back by (instance address, protocol, port)
 * alone, so an instance can stand for one VIP per family only. */
static int check_stateless(const struct rs_view *v, const struct fam *f, size_t nvips,
			   const size_t *vips, struct buf *err)
{
	if (v->r->nat != NAT_STATELESS || nvips <= 1 || !rs_has_family(v, f->family))
		return 0;
	buf_printf(err, "realserver %s: nat = stateless, but balancer %s carries %zu IPv%s VIPs "
		   "(%s, %s%s): without conntrack a reply from an instance cannot be mapped back to "
		   "the VIP it was sent to; use nat = stateful or one VIP per family",
		   v->r->name, v->b->name, nvips, f->v, v->s->services[vips[0]].name,
		   v->s->services[vips[1]].name, nvips > 2 ? ", ..." : "");
	return -1;
}

static void add_nft_elements(const struct rs_view *v, const struct fam *f, struct tpl_ctx *fc,
			     const size_t *vips, size_t nvips)
{
	char a[ADDR_STRLEN], to[ADDR_STRLEN];

	for (size_t i = 0; i < v->r->ninstances; i++) {
		const struct instance *in = &v->r->instances[i];
		for (size_t k = 0; in->address.family == f->family && k < nvips; k++) {
			const struct service *svc = &v->s->services[vips[k]];
			for (size_t pi = 0; pi < svc->nports; pi++) {
				struct tpl_ctx *c = tpl_add(fc, "rules");
				tpl_set(c, "instance", in->name);
				tpl_set(c, "iface", in->interface);
				tpl_set(c, "vip", addr_str(&svc->vip, a));
				tpl_set(c, "proto", proto_name(svc->ports[pi].proto));
				tpl_setf(c, "port", "%u", svc->ports[pi].port);
				tpl_set(c, "to", addr_str(&in->address, to));
			}
		}
	}
}

/* The networks of the VLANs the host's instances sit on: their peers (the
 * balancer's health checks) talk to the instance address directly, so in
 * stateless mode their replies must keep it. */
static void add_direct(const struct rs_view *v, const struct fam *f, struct tpl_ctx *fc)
{
	char p[PREFIX_STRLEN];
	struct prefix *seen = xcalloc(v->r->ninstances + 1, sizeof(*seen));
	size_t n = 0;

	for (size_t i = 0; i < v->r->ninstances; i++) {
		const struct instance *in = &v->r->instances[i];
		struct prefix net;
		bool dup = false;
		if (in->address.family != f->family)
			continue;
		prefix_network(&rs_vlan(v, in)->address, &net);
		for (size_t j = 0; j < n; j++)
			dup = dup || prefix_cmp(&seen[j], &net) == 0;
		if (!dup) {
			seen[n++] = net;
			tpl_set(tpl_add(fc, "direct"), "net", prefix_str(&net, p));
		}
	}
	free(seen);
}

/* One entry of `families` per address family that has rules. */
static int add_nft_family(const struct rs_view *v, const struct fam *f, struct tpl_ctx *root,
			  struct buf *err)
{
	const struct prefix **cl = xcalloc(v->r->nclients + 1, sizeof(*cl));
	size_t *vips = xcalloc(v->b->nservices + 1, sizeof(*vips));
	size_t nvips = rs_vips(v, f->family, vips), ncl = clients_of(v, f->family, cl);
	int rc = check_stateless(v, f, nvips, vips, err);

	if (rc == 0 && nvips > 0 && ncl > 0 && rs_has_family(v, f->family)) {
		struct tpl_ctx *fc = tpl_add(root, "families");
		tpl_set(fc, "v", f->v);
		tpl_set(fc, "ip", f->ip);
		tpl_set(fc, "addr_type", f->addr_type);
		add_nets(fc, "clients", cl, ncl);
		add_direct(v, f, fc);
		add_nft_elements(v, f, fc, vips, nvips);
		if (v->r->nat == NAT_STATEFUL) {
			tpl_set_bool(root, "zoned", true);
			rc = add_zones(v, f, fc, vips, nvips, err);
		}
	}
	free(cl);
	free(vips);
	return rc;
}

static int render_nft(const struct rs_view *v, struct templates *t, struct buf *err)
{
	struct tpl_ctx *root = tpl_ctx_new();
	int rc = 0;

	rs_set_header(v, root);
	tpl_set(root, "table", "lvsdns");
	tpl_set_bool(root, "stateless", v->r->nat == NAT_STATELESS);
	for (size_t i = 0; i < 2 && rc == 0; i++)
		rc = add_nft_family(v, &FAMS[i], root, err);
	if (rc == 0)
		rc = rs_render(v, t, "dnat.nft.mustache", root, "dnat.nft", 0644, err);
	tpl_ctx_free(root);
	return rc;
}

/* iptables cannot rewrite without conntrack: in stateless mode only
 * dnat.nft is made, so nobody loads the stateful rules by mistake. */
bool rs_has_xt(const struct rs_view *v)
{
	return v->r->nat == NAT_STATEFUL;
}

bool rs_has_xt6(const struct rs_view *v)
{
	size_t *vips = xcalloc(v->b->nservices + 1, sizeof(*vips));
	bool v6 = rs_has_xt(v) && rs_vips(v, AF_INET6, vips) > 0 && rs_has_family(v, AF_INET6);

	free(vips);
	return v6;
}

int render_dnat(const struct rs_view *v, struct templates *t, struct buf *err)
{
	if (render_nft(v, t, err) != 0)
		return -1;
	if (rs_has_xt(v) && render_xt(v, t, &FAMS[0], err) != 0)
		return -1;
	return rs_has_xt6(v) ? render_xt(v, t, &FAMS[1], err) : 0;
}
