/* What the real-server renderers share: one host's view of the site (its
 * balancer, the VIPs that balancer carries, its client networks), split by
 * job into render_dnat.c (iptables/nftables), render_named.c (BIND) and
 * render_realserver.c (the entry point, sysctl, policy routing). */
#ifndef LVSDNS_RENDER_REALSERVER_H
#define LVSDNS_RENDER_REALSERVER_H

#include "render.h"

struct rs_view {
	const struct site *s;
	const struct realserver *r;
	const struct balancer *b;
	char *dir;                /* "realservers/<host>" */
	struct files *out;        /* where rs_render() adds the files */
};

/* The VLAN an instance sits on (the balancer's side of it). */
const struct vlan *rs_vlan(const struct rs_view *v, const struct instance *in);
/* The number of an instance's VLAN on its host: its policy-routing table
 * and its conntrack zone (unique per host: no two instances share a VLAN). */
unsigned rs_vlan_number(const struct rs_view *v, const struct instance *in);
/* The services the host's balancer carries whose VIP is of `family`,
 * as indexes into s->services, in the balancer's (sorted) order. */
size_t rs_vips(const struct rs_view *v, int family, size_t *out);
/* Does the host have an instance of `family`? */
bool rs_has_family(const struct rs_view *v, int family);
/* Header values every real-server template gets: site, site_file, host,
 * balancer, nat. */
void rs_set_header(const struct rs_view *v, struct tpl_ctx *c);
/* Adds file dir/name rendered from template tname. */
int rs_render(const struct rs_view *v, struct templates *t, const char *tname,
	      const struct tpl_ctx *c, const char *name, mode_t mode, struct buf *err);

/* Whether the host gets iptables rules (dnat.rules: nat = stateful) and
 * IPv6 ones (dnat6.rules: also an IPv6 VIP behind an IPv6 instance). */
bool rs_has_xt(const struct rs_view *v);
bool rs_has_xt6(const struct rs_view *v);

int render_dnat(const struct rs_view *v, struct templates *t, struct buf *err);
int render_named(const struct rs_view *v, struct templates *t, struct buf *err);

#endif
