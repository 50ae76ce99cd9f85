/* DIR/realservers/<host>/: everything a real-server host needs. This file
 * holds the entry point and the host's network settings (sysctl.conf,
 * policy-routing.sh); the DNAT rules are made in render_dnat.c, the BIND
 * configuration in render_named.c. */
#include "render_realserver.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Below this many hosts per thread, starting threads costs more than it
 * saves. */
#define HOSTS_PER_THREAD_MIN 64

const struct vlan *rs_vlan(const struct rs_view *v, const struct instance *in)
{
	return &v->b->vlans[in->vlan];
}

/* 1000 + the VLAN id when the name is one (readable: VLAN 105 -> 1105, at
 * most 5094), else 10000 + its index on the balancer; both ranges stay
 * apart, clear of the kernel's routing tables 253-255 and of the small
 * numbers admins use by hand for tables and conntrack zones. A leading 0
 * makes a name not an id: "0105" beside "105" would share 1105. */
unsigned rs_vlan_number(const struct rs_view *v, const struct instance *in)
{
	const char *name = rs_vlan(v, in)->name;
	char *end;
	unsigned long id = strtoul(name, &end, 10);

	if (*name >= '1' && *name <= '9' && *end == '\0' && id <= 4094)
		return 1000 + (unsigned)id;
	return 10000 + (unsigned)in->vlan;
}

size_t rs_vips(const struct rs_view *v, int family, size_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < v->b->nservices; i++)
		if (v->s->services[v->b->services[i]].vip.family == family)
			out[n++] = v->b->services[i];
	return n;
}

bool rs_has_family(const struct rs_view *v, int family)
{
	for (size_t i = 0; i < v->r->ninstances; i++)
		if (v->r->instances[i].address.family == family)
			return true;
	return false;
}

void rs_set_header(const struct rs_view *v, struct tpl_ctx *c)
{
	tpl_set(c, "site", v->s->name);
	tpl_set(c, "site_file", site_file_name(v->s));
	tpl_set(c, "host", v->r->name);
	tpl_set(c, "balancer", v->b->name);
	tpl_set(c, "nat", nat_mode_name(v->r->nat));
}

int rs_render(const struct rs_view *v, struct templates *t, const char *tname,
	      const struct tpl_ctx *c, const char *name, mode_t mode, struct buf *err)
{
	char *path = xasprintf("%s/%s", v->dir, name);
	int rc = render_template_file(t, tname, c, v->out, path, mode, err);

	free(path);
	return rc;
}

/* ---- sysctl.conf ---- */

/* Interfaces in sysctl keys: a VLAN interface "eth1.105" contains the
 * key separator. sysctl.d(5): when the first separator is '/', the rest of
 * the key is taken literally, so "net/ipv4/conf/eth1.105/rp_filter" names
 * the interface "eth1.105"; the dotted form would read "eth1" "105". */
static int render_sysctl(const struct rs_view *v, struct templates *t, struct buf *err)
{
	struct tpl_ctx *root = tpl_ctx_new();
	int rc;

	rs_set_header(v, root);
	for (size_t i = 0; i < v->r->ninstances; i++) {
		const struct instance *in = &v->r->instances[i];
		struct tpl_ctx *c = tpl_add(root, "interfaces");
		tpl_set(c, "interface", in->interface);
		tpl_set(c, "instance", in->name);
		tpl_set_bool(c, "ipv4", in->address.family == AF_INET);
		tpl_set_bool(c, "ipv6", in->address.family == AF_INET6);
	}
	rc = rs_render(v, t, "sysctl.conf.mustache", root, "sysctl.conf", 0644, err);
	tpl_ctx_free(root);
	return rc;
}

/* ---- policy-routing.sh ---- */

static int render_policy_routing(const struct rs_view *v, struct templates *t, struct buf *err)
{
	struct tpl_ctx *root = tpl_ctx_new();
	char a[ADDR_STRLEN], p[PREFIX_STRLEN];
	int rc;

	rs_set_header(v, root);
	for (size_t i = 0; i < v->r->ninstances; i++) {
		const struct instance *in = &v->r->instances[i];
		const struct vlan *vl = rs_vlan(v, in);
		struct tpl_ctx *c = tpl_add(root, "instances");
		struct prefix net;

		prefix_network(&vl->address, &net);
		tpl_set(c, "instance", in->name);
		tpl_set(c, "vlan", vl->name);
		tpl_set(c, "interface", in->interface);
		tpl_set(c, "address", addr_str(&in->address, a));
		tpl_set(c, "network", prefix_str(&net, p));
		tpl_set(c, "gateway", addr_str(&vl->address.addr, a));
		tpl_setf(c, "table", "%u", rs_vlan_number(v, in));
		tpl_set(c, "family", in->address.family == AF_INET ? "4" : "6");
	}
	rc = rs_render(v, t, "policy-routing.sh.mustache", root, "policy-routing.sh", 0755, err);
	tpl_ctx_free(root);
	return rc;
}

static int render_host(const struct rs_view *v, struct templates *t, struct buf *err)
{
	if (render_dnat(v, t, err) != 0 || render_named(v, t, err) != 0 ||
	    render_sysctl(v, t, err) != 0 || render_policy_routing(v, t, err) != 0)
		return -1;
	return 0;
}

/* Hosts s->realservers[first, end), in order, into out. */
static int render_hosts(const struct site *s, size_t first, size_t end,
			struct templates *t, struct files *out, struct buf *err)
{
	for (size_t i = first; i < end; i++) {
		const struct realserver *r = &s->realservers[i];
		struct rs_view v = { s, r, &s->balancers[r->balancer], NULL, out };
		int rc;

		v.dir = xasprintf("realservers/%s", r->name);
		rc = render_host(&v, t, err);
		free(v.dir);
		if (rc != 0)
			return -1;
	}
	return 0;
}

struct shares {
	const struct site *s;
	size_t n;           /* of them */
};

/* Share i of the hosts: a contiguous run of them. */
static int render_share(size_t i, const void *arg, struct templates *t, struct files *out,
			struct buf *err)
{
	const struct shares *sh = arg;
	size_t hosts = sh->s->nrealservers;

	return render_hosts(sh->s, hosts * i / sh->n, hosts * (i + 1) / sh->n, t, out, err);
}

/* Hosts share nothing they write, so up to out->jobs threads render
 * contiguous shares of them (render_jobs keeps the result the same for
 * any number of threads). */
int render_realserver(const struct site *s, struct templates *t, struct files *out,
		      struct buf *err)
{
	size_t n = s->nrealservers, jobs = out->jobs < 1 ? 1 : out->jobs;
	struct shares sh = { s, jobs };

	if (jobs > n / HOSTS_PER_THREAD_MIN)
		sh.n = n / HOSTS_PER_THREAD_MIN;
	if (sh.n <= 1)
		return render_hosts(s, 0, n, t, out, err);
	return render_jobs(sh.n, true, render_share, &sh, t, out, err);
}
