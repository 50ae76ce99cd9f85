/* DIR/balancers/<lb>/sysctl.conf: what the balancer's kernel needs to route
 * the real servers' answers on to the clients, and IPVS's handling of
 * connections to a real server that was removed; modules-load.conf loads
 * ip_vs at boot so that those settings apply.
 *
 * With direct routing a query reaches the instance with the VIP as its
 * destination, and the real server's policy routing sends the answer
 * (source: the VIP, after the reverse DNAT) back through the balancer's
 * address on that VLAN. The balancer holds every VIP itself (on its VIP
 * interface), so to its IPv4 stack these are packets from one of its own
 * addresses: dropped as martians unless accept_local is set, and then still
 * dropped by strict rp_filter, which finds the VIP's route on another
 * interface; loose rp_filter (2) lets them through. */
#include "render.h"

#include <stdlib.h>
#include <sys/socket.h>

/* Does balancer b carry a service whose VIP is of this family? */
static bool carries_family(const struct site *s, const struct balancer *b, int family)
{
	for (size_t i = 0; i < b->nservices; i++)
		if (s->services[b->services[i]].vip.family == family)
			return true;
	return false;
}

static struct tpl_ctx *lbsysctl_context(const struct site *s, const struct balancer *b)
{
	struct tpl_ctx *root = tpl_ctx_new();
	bool any = false;

	tpl_set(root, "site", s->name);
	tpl_set(root, "site_file", site_file_name(s));
	tpl_set(root, "balancer", b->name);
	tpl_set_bool(root, "ipv4", carries_family(s, b, AF_INET));
	tpl_set_bool(root, "ipv6", carries_family(s, b, AF_INET6));
	for (size_t i = 0; i < b->nvlans; i++) {
		const struct vlan *vl = &b->vlans[i];
		struct tpl_ctx *c;

		/* accept_local and rp_filter exist for IPv4 only */
		if (vl->address.addr.family != AF_INET)
			continue;
		c = tpl_add(root, "vlans");
		tpl_set(c, "vlan", vl->name);
		tpl_set(c, "interface", vl->interface);
		any = true;
	}
	tpl_set_bool(root, "ipv4_vlans", any);
	return root;
}

/* DIR/balancers/<lb>/NAME from template tname, with the balancer's context. */
static int render_one(const struct site *s, const struct balancer *b, struct templates *t,
		      const char *tname, const char *name, struct files *out, struct buf *err)
{
	struct tpl_ctx *c = lbsysctl_context(s, b);
	char *path = xasprintf("balancers/%s/%s", b->name, name);
	int rc = render_template_file(t, tname, c, out, path, 0644, err);

	free(path);
	tpl_ctx_free(c);
	return rc;
}

/* sysctl.conf, and modules-load.conf, which loads ip_vs at boot before
 * systemd-sysctl applies sysctl.conf's IPVS settings. */
int render_lbsysctl(const struct site *s, struct templates *t, struct files *out,
		    struct buf *err)
{
	for (size_t i = 0; i < s->nbalancers; i++) {
		const struct balancer *b = &s->balancers[i];

		if (render_one(s, b, t, "balancer-sysctl.conf.mustache", "sysctl.conf", out, err) ||
		    render_one(s, b, t, "balancer-modules-load.mustache", "modules-load.conf", out, err))
			return -1;
	}
	return 0;
}
