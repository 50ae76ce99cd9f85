/* DIR/realservers/<host>/named-<instance>.conf and named@.service: one
 * single-threaded named per instance (VLAN address), each with its own
 * listener, pid file, working directory and session key so they can run
 * side by side, and a server-id that says which one answered (NSID). */
#include "render_realserver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../bind-build/bind_table.h"

/* The ports the instance must listen on: those of the VIPs of its family
 * (the DNAT keeps the port), 53 when there are none. */
static void add_ports(const struct rs_view *v, const struct instance *in, struct tpl_ctx *c)
{
	size_t *vips = xcalloc(v->b->nservices + 1, sizeof(*vips));
	size_t nvips = rs_vips(v, in->address.family, vips);
	unsigned seen[64];
	size_t n = 0;

	for (size_t k = 0; k < nvips; k++) {
		const struct service *svc = &v->s->services[vips[k]];
		for (size_t p = 0; p < svc->nports && n < 64; p++) {
			bool dup = false;
			for (size_t j = 0; j < n; j++)
				dup = dup || seen[j] == svc->ports[p].port;
			if (!dup)
				seen[n++] = svc->ports[p].port;
		}
	}
	if (n == 0)
		seen[n++] = 53;
	for (size_t j = 0; j < n; j++)
		tpl_setf(tpl_add(c, "ports"), "port", "%u", seen[j]);
	free(vips);
}

/* Who may recurse and read the cache: the client networks, and the
 * balancer's own address on the instance's VLAN (its health checks would
 * otherwise be REFUSED and take the instance out of service). */
static void add_acl(const struct rs_view *v, const struct instance *in, struct tpl_ctx *c)
{
	char p[PREFIX_STRLEN], a[ADDR_STRLEN];
	const struct addr *lb = &rs_vlan(v, in)->address.addr;
	bool covered = false;

	for (size_t i = 0; i < v->r->nclients; i++) {
		tpl_set(tpl_add(c, "acl"), "net", prefix_str(&v->r->clients[i], p));
		covered = covered || prefix_contains(&v->r->clients[i], lb);
	}
	if (!covered)
		tpl_set(tpl_add(c, "acl"), "net", addr_str(lb, a));
}

static int render_conf(const struct rs_view *v, struct templates *t, const struct instance *in,
		       struct buf *err)
{
	struct tpl_ctx *root = tpl_ctx_new();
	char a[ADDR_STRLEN];
	char *name = xasprintf("named-%s.conf", in->name);
	int rc;

	rs_set_header(v, root);
	tpl_set(root, "instance", in->name);
	tpl_setf(root, "id", "%s-%s", v->r->name, in->name);
	tpl_set(root, "address", addr_str(&in->address, a));
	tpl_set(root, "interface", in->interface);
	tpl_set_bool(root, "ipv4", in->address.family == AF_INET);
	tpl_set_bool(root, "ipv6", in->address.family == AF_INET6);
	if (in->control_port)
		tpl_setf(root, "control_port", "%u", in->control_port);
	add_ports(v, in, root);
	add_acl(v, in, root);
	rc = rs_render(v, t, "named.conf.mustache", root, name, 0644, err);
	free(name);
	tpl_ctx_free(root);
	return rc;
}

/* The worker flags come from the BIND version table, so the unit and the
 * build (bind-build) agree; an unknown version still gets one worker
 * thread when the site asks for no threads. */
static int render_unit(const struct rs_view *v, struct templates *t, struct buf *err)
{
	const struct bind *bd = &v->s->bind;
	struct tpl_ctx *root = tpl_ctx_new();
	char flags[128];
	struct buf names;
	bool rndc_key = false;   /* an instance has a control channel */
	int rc;

	buf_init(&names);
	if (!bd->version || !bind_named_flags_for(bd->version, bd->threads, bd->internal_malloc,
						    flags, sizeof(flags)))
		snprintf(flags, sizeof(flags), "%s", bd->threads ? "" : "-n 1");
	rs_set_header(v, root);
	tpl_set(root, "flags", flags);
	tpl_set(root, "version", bd->version ? bd->version : "unknown");
	render_bind_programs(bd, root);
	tpl_set_bool(root, "xt", rs_has_xt(v));
	tpl_set_bool(root, "xt6", rs_has_xt6(v));
	for (size_t i = 0; i < v->r->ninstances; i++) {
		buf_printf(&names, "%s%s", i ? " " : "", v->r->instances[i].name);
		rndc_key = rndc_key || v->r->instances[i].control_port;
	}
	tpl_set_bool(root, "rndc_key", rndc_key);
	tpl_set(root, "instances", names.data ? names.data : "");
	buf_free(&names);
	rc = rs_render(v, t, "named@.service.mustache", root, "named@.service", 0644, err);
	tpl_ctx_free(root);
	return rc;
}

int render_named(const struct rs_view *v, struct templates *t, struct buf *err)
{
	for (size_t i = 0; i < v->r->ninstances; i++)
		if (render_conf(v, t, &v->r->instances[i], err) != 0)
			return -1;
	return render_unit(v, t, err);
}
