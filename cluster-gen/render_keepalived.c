/* DIR/balancers/<lb>/keepalived.conf: one virtual_server per VIP and port,
 * one real_server per BIND instance behind the balancer, checked the site's
 * way; and, in watch mode, the dnsprobe.targets file behind the FILE_CHECKs. */
#include "render.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct lb_view {
	const struct site *s;
	size_t lb;
};

static const struct vlan *instance_vlan(const struct site *s, const struct realserver *r,
					const struct instance *in)
{
	return &s->balancers[r->balancer].vlans[in->vlan];
}

/* "kai+a+udp-53": what watch mode checks, one instance on one protocol and
 * port, as named in track files, targets and state files. '+' cannot occur
 * in host or instance names ("a-b"/"c" and "a"/"b-c" stay apart) and is
 * plain in keepalived's words and in file names. */
static char *check_id(const struct realserver *r, const struct instance *in,
		      const struct port_proto *pp)
{
	return xasprintf("%s+%s+%s-%u", r->name, in->name, proto_name(pp->proto), pp->port);
}

/* A TCP virtual server is checked over TCP; a UDP one the site's way (udp,
 * or udp-tcp to retry truncated answers over TCP). */
static enum transport check_transport(const struct check *c, const struct port_proto *pp)
{
	return pp->proto == PROTO_TCP ? TRANSPORT_TCP : c->transport;
}

/* How an answer is judged, the same for every target: " -f RCODES" (down
 * on these), then the expectations. Both checkers that run dnsprobe take
 * them, so probe and watch judge alike. */
static void append_answer_rules(const struct check *c, struct buf *b)
{
	buf_puts(b, " -f ");
	if (c->nfail_rcodes == 0)
		buf_puts(b, "NONE");
	for (size_t i = 0; i < c->nfail_rcodes; i++)
		buf_printf(b, "%s%s", i ? "," : "", c->fail_rcodes[i]);
	if (c->expect_address)
		buf_printf(b, " -a %s", c->expect_address);
	if (c->min_answers)
		buf_printf(b, " -m %u", c->min_answers);
}

char *probe_command(const struct check *c, const char *source, const char *server,
		    const struct port_proto *pp, bool dynamic)
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "%s -b %s -p %u -c %s -t %s -T %s -w %u -r %u", c->probe_path,
		   source, pp->port, c->qclass, c->qtype, transport_name(check_transport(c, pp)),
		   c->timeout * 1000, c->tries);
	append_answer_rules(c, &b);
	if (c->dynamic_weight && dynamic)
		buf_printf(&b, " --dynamic-weight %s", c->dynamic_weight);
	buf_printf(&b, " %s %s", c->qname, server);
	return buf_steal(&b);
}

/* The options of dnsprobe --watch: what the targets file has no column for
 * (the class and the answer rules) applies to every target. */
static char *watch_options(const struct check *c)
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "-c %s", c->qclass);
	append_answer_rules(c, &b);
	return buf_steal(&b);
}

static void add_checker(const struct site *s, const struct realserver *r,
			const struct instance *in, const struct port_proto *pp, struct tpl_ctx *rs)
{
	const struct check *c = &s->check;
	char src[ADDR_STRLEN], dst[ADDR_STRLEN];
	const char *source = addr_str(&instance_vlan(s, r, in)->address.addr, src);
	struct tpl_ctx *k;
	char *id, *command;

	switch (c->checker) {
	case CHECKER_PROBE:
		k = tpl_add(rs, "misc_check");
		/* misc_dynamic replaces the weight by the probe's: an instance
		 * drained with weight 0 keeps it */
		command = probe_command(c, source, addr_str(&in->address, dst), pp, in->weight > 0);
		tpl_set(k, "command", command);
		free(command);
		/* the probe's own tries, plus a second of slack for exec */
		tpl_setf(k, "timeout", "%u", c->timeout * c->tries + 1);
		tpl_set_bool(k, "dynamic", c->dynamic_weight != NULL && in->weight > 0);
		if (c->fall > 1)
			tpl_setf(k, "retry", "%u", c->fall - 1);
		break;
	case CHECKER_WATCH:
		k = tpl_add(rs, "file_check");
		id = check_id(r, in, pp);
		tpl_setf(k, "track_file", "lvsdns-%s", id);
		free(id);
		break;
	case CHECKER_KEEPALIVED_DNS:
		/* DNS_CHECK asks over UDP only, whatever the virtual server's
		 * protocol; the port is the virtual server's, said outright */
		k = tpl_add(rs, "dns_check");
		tpl_set_bool(k, "tcp", pp->proto == PROTO_TCP);
		tpl_setf(k, "port", "%u", pp->port);
		tpl_set(k, "source", source);
		tpl_setf(k, "timeout", "%u", c->timeout);
		tpl_setf(k, "retry", "%u", c->tries - 1 + c->fall - 1);
		tpl_set(k, "qtype", c->qtype);
		tpl_set(k, "qname", c->qname);
		break;
	}
}

static void add_real_servers(const struct lb_view *v, const struct service *svc,
			     const struct port_proto *pp, struct tpl_ctx *vs)
{
	const struct site *s = v->s;
	char a[ADDR_STRLEN];

	for (size_t i = 0; i < s->nrealservers; i++) {
		const struct realserver *r = &s->realservers[i];
		if (r->balancer != v->lb)
			continue;
		for (size_t j = 0; j < r->ninstances; j++) {
			const struct instance *in = &r->instances[j];
			struct tpl_ctx *rs;

			if (in->address.family != svc->vip.family)
				continue;
			rs = tpl_add(vs, "real_servers");
			tpl_set(rs, "host", r->name);
			tpl_set(rs, "instance", in->name);
			tpl_set(rs, "vlan", instance_vlan(s, r, in)->name);
			tpl_set(rs, "address", addr_str(&in->address, a));
			tpl_setf(rs, "port", "%u", pp->port);
			tpl_setf(rs, "weight", "%u", in->weight);
			add_checker(s, r, in, pp, rs);
		}
	}
}

/* IPv4 granularity is a netmask, IPv6 a prefix length (keepalived's syntax). */
static void set_granularity(struct tpl_ctx *vs, const struct service *svc)
{
	struct prefix p = { { 0 }, svc->persistence_netmask };
	char mask[ADDR_STRLEN];

	if (!svc->persistence_netmask)
		return;
	if (svc->vip.family == AF_INET6) {
		tpl_setf(vs, "persistence_granularity", "%u", svc->persistence_netmask);
		return;
	}
	p.addr.family = AF_INET;
	memset(p.addr.bytes, 0xff, 4);
	prefix_network(&p, &p);
	tpl_set(vs, "persistence_granularity", addr_str(&p.addr, mask));
}

/* keepalived runs the quorum commands of the udp and the tcp virtual server
 * of a VIP independently and concurrently. Each names its own virtual
 * server (--vs) and all of the VIP's (--of), so the guard puts the VIP on
 * only when every one has quorum, even one that never reported because
 * alpha started it down (bgp/README.md). */
static void set_quorum_commands(const struct site *s, const struct service *svc,
				const struct port_proto *pp, struct tpl_ctx *vs)
{
	char a[ADDR_STRLEN];
	struct buf of;

	buf_init(&of);
	for (size_t i = 0; i < svc->nports; i++)
		buf_printf(&of, "%s%s/%u", i ? "," : "", proto_name(svc->ports[i].proto),
			   svc->ports[i].port);
	addr_str(&svc->vip, a);
	tpl_setf(vs, "quorum_up", "%s up --vs %s/%u --of %s %s", s->vip_guard_path,
		 proto_name(pp->proto), pp->port, of.data, a);
	tpl_setf(vs, "quorum_down", "%s down --vs %s/%u --of %s %s", s->vip_guard_path,
		 proto_name(pp->proto), pp->port, of.data, a);
	buf_free(&of);
}

static void add_virtual_server(const struct lb_view *v, size_t si, const struct port_proto *pp,
			       struct tpl_ctx *root)
{
	const struct service *svc = &v->s->services[si];
	const struct balancer *b = &v->s->balancers[v->lb];
	struct tpl_ctx *vs = tpl_add(root, "virtual_servers");
	char a[ADDR_STRLEN];

	addr_str(&svc->vip, a);
	tpl_set(vs, "service", svc->name);
	tpl_set(vs, "role", v->s->bgp.mode == BGP_ANYCAST ? "anycast" :
		balancer_is_primary(b, si) ? "primary" : "backup");
	tpl_set(vs, "vip", a);
	tpl_setf(vs, "port", "%u", pp->port);
	tpl_setf(vs, "delay_loop", "%u", svc->delay_loop);
	tpl_set(vs, "scheduler", svc->scheduler);
	tpl_set(vs, "method", lvs_method_name(svc->method));
	tpl_set(vs, "protocol", pp->proto == PROTO_UDP ? "UDP" : "TCP");
	tpl_set_bool(vs, "ops", svc->ops && pp->proto == PROTO_UDP);
	if (svc->persistence_timeout)
		tpl_setf(vs, "persistence_timeout", "%u", svc->persistence_timeout);
	set_granularity(vs, svc);
	tpl_setf(vs, "quorum", "%u", svc->quorum);
	tpl_setf(vs, "hysteresis", "%u", svc->hysteresis);
	tpl_set_bool(vs, "alpha", svc->alpha);
	set_quorum_commands(v->s, svc, pp, vs);
	add_real_servers(v, svc, pp, vs);
}

/* One track file and one dnsprobe target per instance, protocol and port. */
static void add_target(const struct lb_view *v, const struct realserver *r,
		       const struct instance *in, const struct port_proto *pp,
		       struct tpl_ctx *root, struct tpl_ctx *targets)
{
	const struct site *s = v->s;
	const struct check *c = &s->check;
	char src[ADDR_STRLEN], dst[ADDR_STRLEN];
	char *id = check_id(r, in, pp);
	struct tpl_ctx *tf = tpl_add(root, "track_files");
	struct tpl_ctx *t = tpl_add(targets, "targets");

	tpl_setf(tf, "name", "lvsdns-%s", id);
	tpl_setf(tf, "path", "%s/%s.state", c->watch_dir, id);
	tpl_set(t, "id", id);
	tpl_set(t, "source", addr_str(&instance_vlan(s, r, in)->address.addr, src));
	tpl_set(t, "server", addr_str(&in->address, dst));
	tpl_setf(t, "port", "%u", pp->port);
	tpl_set(t, "qname", c->qname);
	tpl_set(t, "qtype", c->qtype);
	tpl_set(t, "transport", transport_name(check_transport(c, pp)));
	tpl_setf(t, "interval_ms", "%u", 1000 * c->interval);
	tpl_setf(t, "timeout_ms", "%u", 1000 * c->timeout);
	tpl_setf(t, "tries", "%u", c->tries);
	tpl_setf(t, "rise", "%u", c->rise);
	tpl_setf(t, "fall", "%u", c->fall);
	tpl_setf(t, "state_file", "%s/%s.state", c->watch_dir, id);
	free(id);
}

static void add_track_files(const struct lb_view *v, struct tpl_ctx *root, struct tpl_ctx *targets)
{
	const struct site *s = v->s;
	size_t n4, n6;
	const struct balancer *b = &s->balancers[v->lb];
	struct port_proto *p4 = balancer_family_ports(s, b, AF_INET, &n4);
	struct port_proto *p6 = balancer_family_ports(s, b, AF_INET6, &n6);

	for (size_t i = 0; i < s->nrealservers; i++) {
		const struct realserver *r = &s->realservers[i];
		for (size_t j = 0; r->balancer == v->lb && j < r->ninstances; j++) {
			const struct instance *in = &r->instances[j];
			bool v4 = in->address.family == AF_INET;

			for (size_t k = 0; k < (v4 ? n4 : n6); k++)
				add_target(v, r, in, v4 ? &p4[k] : &p6[k], root, targets);
		}
	}
	free(p4);
	free(p6);
}

static void set_header(const struct lb_view *v, struct tpl_ctx *c)
{
	char a[ADDR_STRLEN];

	tpl_set(c, "site", v->s->name);
	tpl_set(c, "balancer", v->s->balancers[v->lb].name);
	tpl_set(c, "site_file", site_file_name(v->s));
	tpl_set(c, "router_id", addr_str(&v->s->balancers[v->lb].router_id, a));
	tpl_set(c, "script_user", v->s->script_user);
	tpl_set(c, "checker", checker_name(v->s->check.checker));
}

/* Watch mode's own files: the targets, the unit that runs dnsprobe --watch
 * on them (and makes the directory of the state files), and keepalived's
 * drop-in that makes that directory too and pulls the watcher in. */
static int render_watch(const struct lb_view *v, struct tpl_ctx *targets, struct templates *t,
			struct files *out, struct buf *err)
{
	const char *lb = v->s->balancers[v->lb].name;
	char *options, *path = xasprintf("balancers/%s/dnsprobe.targets", lb);
	int rc = render_template_file(t, "dnsprobe.targets.mustache", targets, out, path, 0644, err);

	free(path);
	if (rc != 0)
		return rc;
	tpl_set(targets, "probe", v->s->check.probe_path);
	options = watch_options(&v->s->check);
	tpl_set(targets, "probe_options", options);
	free(options);
	tpl_set(targets, "watch_dir", v->s->check.watch_dir);
	path = xasprintf("balancers/%s/lvsdns-watch.service", lb);
	rc = render_template_file(t, "lvsdns-watch.service.mustache", targets, out, path, 0644, err);
	free(path);
	if (rc != 0)
		return rc;
	path = xasprintf("balancers/%s/keepalived.service.d/lvsdns-watch.conf", lb);
	rc = render_template_file(t, "keepalived-watch-dropin.mustache", targets, out, path, 0644, err);
	free(path);
	return rc;
}

/* keepalived's preflight drop-in: its config test, and the programs it will
 * run (the VIP guard; dnsprobe in probe mode), checked before it starts or
 * reloads, since keepalived runs on with what it could parse and without the
 * programs it will not run, serving unchecked or announcing nothing. */
static int render_preflight_dropin(const struct lb_view *v, struct templates *t, struct files *out,
				 struct buf *err)
{
	struct tpl_ctx *c = tpl_ctx_new();
	char *path = xasprintf("balancers/%s/keepalived.service.d/lvsdns-preflight.conf",
			       v->s->balancers[v->lb].name);
	int rc;

	set_header(v, c);
	tpl_set(c, "script_check", v->s->script_check_path);
	tpl_set(c, "vip_guard", v->s->vip_guard_path);
	if (v->s->check.checker == CHECKER_PROBE)
		tpl_set(tpl_add(c, "probe"), "probe", v->s->check.probe_path);
	if (v->s->check.checker == CHECKER_WATCH)
		tpl_set(tpl_add(c, "watch"), "watch_dir", v->s->check.watch_dir);
	rc = render_template_file(t, "keepalived-preflight-dropin.mustache", c, out, path, 0644, err);
	tpl_ctx_free(c);
	free(path);
	return rc;
}

static int render_balancer(const struct lb_view *v, struct templates *t, struct files *out,
			   struct buf *err)
{
	const struct balancer *b = &v->s->balancers[v->lb];
	struct tpl_ctx *root = tpl_ctx_new(), *targets = tpl_ctx_new();
	char *path;
	int rc;

	set_header(v, root);
	set_header(v, targets);
	if (v->s->check.checker == CHECKER_WATCH)
		add_track_files(v, root, targets);
	for (size_t i = 0; i < b->nservices; i++) {
		const struct service *svc = &v->s->services[b->services[i]];
		for (size_t p = 0; p < svc->nports; p++)
			add_virtual_server(v, b->services[i], &svc->ports[p], root);
	}
	path = xasprintf("balancers/%s/keepalived.conf", b->name);
	rc = render_template_file(t, "keepalived.conf.mustache", root, out, path, 0644, err);
	free(path);
	if (rc == 0 && v->s->check.checker == CHECKER_WATCH)
		rc = render_watch(v, targets, t, out, err);
	if (rc == 0)
		rc = render_preflight_dropin(v, t, out, err);
	tpl_ctx_free(root);
	tpl_ctx_free(targets);
	return rc;
}

int render_keepalived(const struct site *s, struct templates *t, struct files *out,
		      struct buf *err)
{
	for (size_t i = 0; i < s->nbalancers; i++) {
		struct lb_view v = { s, i };

		if (render_balancer(&v, t, out, err) != 0)
			return -1;
	}
	return 0;
}
