/* cluster-gen get SITE KEY: one resolved value, for scripts (like
 * nsd-checkconf -o), read from the validated model with the defaults
 * filled in, so that a script never parses the site file or list's tables. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "commands.h"
#include "inventory.h"

struct kv {
	char *key, *value;
};

struct kvs {
	struct kv *v;
	size_t n, cap;
};

static void put(struct kvs *k, char *key, char *value)
{
	if (k->n == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 256;
		k->v = xreallocarray(k->v, k->cap, sizeof(*k->v));
	}
	k->v[k->n++] = (struct kv){ key, value };
}

#define PUTF(k, key, ...) put((k), (key), xasprintf(__VA_ARGS__))

static const char *yesno(bool b)
{
	return b ? "true" : "false";
}

static char *prefix_dup(const struct prefix *p)
{
	char t[PREFIX_STRLEN];

	return xstrdup(prefix_str(p, t));
}

static void site_keys(const struct site *s, struct kvs *k)
{
	const struct check *c = &s->check;
	struct buf b;

	PUTF(k, xstrdup("site.name"), "%s", s->name);
	PUTF(k, xstrdup("site.asn"), "%u", s->asn);
	put(k, xstrdup("site.script-user"), s_or_empty(s->script_user));
	put(k, xstrdup("site.vip-guard"), s_or_empty(s->vip_guard_path));
	put(k, xstrdup("site.script-check"), s_or_empty(s->script_check_path));
	put(k, xstrdup("check.name"), s_or_empty(c->qname));
	put(k, xstrdup("check.type"), s_or_empty(c->qtype));
	put(k, xstrdup("check.class"), s_or_empty(c->qclass));
	PUTF(k, xstrdup("check.timeout"), "%u", c->timeout);
	PUTF(k, xstrdup("check.tries"), "%u", c->tries);
	buf_init(&b);
	for (size_t i = 0; i < c->nfail_rcodes; i++)
		buf_printf(&b, "%s%s", i ? " " : "", c->fail_rcodes[i]);
	put(k, xstrdup("check.fail-rcodes"), buf_steal(&b));
	PUTF(k, xstrdup("check.transport"), "%s", transport_name(c->transport));
	PUTF(k, xstrdup("check.checker"), "%s", checker_name(c->checker));
	PUTF(k, xstrdup("check.rise"), "%u", c->rise);
	PUTF(k, xstrdup("check.fall"), "%u", c->fall);
	PUTF(k, xstrdup("check.interval"), "%u", c->interval);
	put(k, xstrdup("check.expect-address"), s_or_empty(c->expect_address));
	PUTF(k, xstrdup("check.min-answers"), "%u", c->min_answers);
	put(k, xstrdup("check.dynamic-weight"), s_or_empty(c->dynamic_weight));
	put(k, xstrdup("check.probe"), s_or_empty(c->probe_path));
	put(k, xstrdup("check.watch-dir"), s_or_empty(c->watch_dir));
	PUTF(k, xstrdup("bgp.mode"), "%s", bgp_mode_name(s->bgp.mode));
	PUTF(k, xstrdup("bgp.primary-metric"), "%u", s->bgp.primary_metric);
	PUTF(k, xstrdup("bgp.backup-metric"), "%u", s->bgp.backup_metric);
	PUTF(k, xstrdup("bgp.local-preference"), "%u", s->bgp.local_preference);
	PUTF(k, xstrdup("bgp.keepalive"), "%u", s->bgp.keepalive);
	PUTF(k, xstrdup("bgp.holdtime"), "%u", s->bgp.holdtime);
	PUTF(k, xstrdup("bgp.bfd"), "%s", yesno(s->bgp.bfd));
	PUTF(k, xstrdup("bgp.bfd-interval"), "%u", s->bgp.bfd_interval_ms);
	PUTF(k, xstrdup("bgp.bfd-multiplier"), "%u", s->bgp.bfd_multiplier);
	put(k, xstrdup("bind.version"), s_or_empty(s->bind.version));
	PUTF(k, xstrdup("bind.threads"), "%s", yesno(s->bind.threads));
	PUTF(k, xstrdup("bind.internal-malloc"), "%s", yesno(s->bind.internal_malloc));
	put(k, xstrdup("bind.prefix"), s_or_empty(s->bind.prefix));
}

static void service_keys(const struct site *s, struct kvs *k)
{
	struct buf names;

	buf_init(&names);
	for (size_t i = 0; i < s->nservices; i++) {
		const struct service *sv = &s->services[i];
		const char *n = sv->name;

		buf_printf(&names, "%s%s", i ? " " : "", n);
		put(k, xasprintf("service.%s.vip", n), addr_dup(&sv->vip));
		put(k, xasprintf("service.%s.ports", n), ports_str(sv));
		put(k, xasprintf("service.%s.scheduler", n), s_or_empty(sv->scheduler));
		PUTF(k, xasprintf("service.%s.method", n), "%s", lvs_method_name(sv->method));
		PUTF(k, xasprintf("service.%s.persistence-timeout", n), "%u", sv->persistence_timeout);
		PUTF(k, xasprintf("service.%s.persistence-netmask", n), "%u", sv->persistence_netmask);
		PUTF(k, xasprintf("service.%s.delay-loop", n), "%u", sv->delay_loop);
		PUTF(k, xasprintf("service.%s.quorum", n), "%u", sv->quorum);
		PUTF(k, xasprintf("service.%s.hysteresis", n), "%u", sv->hysteresis);
		PUTF(k, xasprintf("service.%s.alpha", n), "%s", yesno(sv->alpha));
		PUTF(k, xasprintf("service.%s.one-packet-scheduling", n), "%s", yesno(sv->ops));
		put(k, xasprintf("service.%s.primary", n), balancers_where(s, i, ROLE_PRIMARY));
		put(k, xasprintf("service.%s.backup", n), balancers_where(s, i, ROLE_BACKUP));
		put(k, xasprintf("service.%s.balancers", n), balancers_where(s, i, ROLE_ANY));
	}
	put(k, xstrdup("services"), buf_steal(&names));
}

static void balancer_keys(const struct site *s, struct kvs *k)
{
	struct buf names, sub;

	buf_init(&names);
	for (size_t i = 0; i < s->nbalancers; i++) {
		const struct balancer *b = &s->balancers[i];
		const char *n = b->name;

		buf_printf(&names, "%s%s", i ? " " : "", n);
		put(k, xasprintf("balancer.%s.router-id", n), addr_dup(&b->router_id));
		put(k, xasprintf("balancer.%s.vip-interface", n), s_or_empty(b->vip_interface));
		put(k, xasprintf("balancer.%s.primary", n), service_names(s, b->primary, b->nprimary));
		put(k, xasprintf("balancer.%s.services", n), service_names(s, b->services, b->nservices));
		buf_init(&sub);
		for (size_t j = 0; j < b->nneighbors; j++) {
			const struct neighbor *nb = &b->neighbors[j];

			buf_printf(&sub, "%s%s", j ? " " : "", nb->name);
			put(k, xasprintf("balancer.%s.neighbor.%s.address", n, nb->name), addr_dup(&nb->address));
			PUTF(k, xasprintf("balancer.%s.neighbor.%s.remote-as", n, nb->name), "%u", nb->remote_as);
			put(k, xasprintf("balancer.%s.neighbor.%s.description", n, nb->name), s_or_empty(nb->description));
			PUTF(k, xasprintf("balancer.%s.neighbor.%s.bfd", n, nb->name), "%s", yesno(nb->bfd));
		}
		put(k, xasprintf("balancer.%s.neighbors", n), buf_steal(&sub));
		buf_init(&sub);
		for (size_t j = 0; j < b->nvlans; j++) {
			const struct vlan *v = &b->vlans[j];

			buf_printf(&sub, "%s%s", j ? " " : "", v->name);
			put(k, xasprintf("balancer.%s.vlan.%s.interface", n, v->name), s_or_empty(v->interface));
			put(k, xasprintf("balancer.%s.vlan.%s.address", n, v->name), prefix_dup(&v->address));
		}
		put(k, xasprintf("balancer.%s.vlans", n), buf_steal(&sub));
		buf_init(&sub);
		for (size_t j = 0; j < s->nrealservers; j++)
			if (s->realservers[j].balancer == i)
				buf_printf(&sub, "%s%s", sub.len ? " " : "", s->realservers[j].name);
		put(k, xasprintf("balancer.%s.realservers", n), buf_steal(&sub));
	}
	put(k, xstrdup("balancers"), buf_steal(&names));
}

static void realserver_keys(const struct site *s, struct kvs *k)
{
	struct buf names, sub;

	buf_init(&names);
	for (size_t i = 0; i < s->nrealservers; i++) {
		const struct realserver *r = &s->realservers[i];
		const struct balancer *b = &s->balancers[r->balancer];
		const char *n = r->name;

		buf_printf(&names, "%s%s", i ? " " : "", n);
		put(k, xasprintf("realserver.%s.balancer", n), xstrdup(b->name));
		PUTF(k, xasprintf("realserver.%s.nat", n), "%s", nat_mode_name(r->nat));
		buf_init(&sub);
		for (size_t j = 0; j < r->nclients; j++) {
			char t[PREFIX_STRLEN];
			buf_printf(&sub, "%s%s", j ? " " : "", prefix_str(&r->clients[j], t));
		}
		put(k, xasprintf("realserver.%s.clients", n), buf_steal(&sub));
		buf_init(&sub);
		for (size_t j = 0; j < r->ninstances; j++) {
			const struct instance *in = &r->instances[j];
			const struct vlan *v = &b->vlans[in->vlan];
			const char *m = in->name;

			buf_printf(&sub, "%s%s", j ? " " : "", m);
			put(k, xasprintf("realserver.%s.instance.%s.vlan", n, m), xstrdup(v->name));
			put(k, xasprintf("realserver.%s.instance.%s.interface", n, m), s_or_empty(in->interface));
			put(k, xasprintf("realserver.%s.instance.%s.address", n, m), addr_dup(&in->address));
			put(k, xasprintf("realserver.%s.instance.%s.lb-address", n, m), addr_dup(&v->address.addr));
			put(k, xasprintf("realserver.%s.instance.%s.lb-interface", n, m), s_or_empty(v->interface));
			PUTF(k, xasprintf("realserver.%s.instance.%s.weight", n, m), "%u", in->weight);
			PUTF(k, xasprintf("realserver.%s.instance.%s.control-port", n, m), "%u", in->control_port);
		}
		put(k, xasprintf("realserver.%s.instances", n), buf_steal(&sub));
	}
	put(k, xstrdup("realservers"), buf_steal(&names));
}

static void all_keys(const struct site *s, struct kvs *k)
{
	k->v = NULL;
	k->n = k->cap = 0;
	site_keys(s, k);
	service_keys(s, k);
	balancer_keys(s, k);
	realserver_keys(s, k);
}

static void kvs_free(struct kvs *k)
{
	for (size_t i = 0; i < k->n; i++) {
		free(k->v[i].key);
		free(k->v[i].value);
	}
	free(k->v);
}

static const char get_options[] =
	"  -a, --all             print every key as KEY = VALUE instead of one value\n"
	"Keys (names are the site file's; lists are space-separated):\n"
	"  site.{name,asn,script-user,vip-guard,script-check}\n"
	"  check.{name,type,class,timeout,tries,fail-rcodes,transport,checker,rise,fall,\n"
	"        interval,expect-address,min-answers,dynamic-weight,probe,watch-dir}\n"
	"  bgp.{mode,primary-metric,backup-metric,local-preference,keepalive,holdtime,\n"
	"      bfd,bfd-interval,bfd-multiplier}\n"
	"  bind.{version,threads,internal-malloc,prefix}\n"
	"  services  balancers  realservers\n"
	"  service.NAME.{vip,ports,scheduler,method,persistence-timeout,persistence-netmask,\n"
	"               delay-loop,quorum,hysteresis,alpha,one-packet-scheduling,\n"
	"               primary,backup,balancers}\n"
	"  balancer.NAME.{router-id,vip-interface,primary,services,neighbors,vlans,realservers}\n"
	"  balancer.NAME.neighbor.NAME.{address,remote-as,description,bfd}\n"
	"  balancer.NAME.vlan.NAME.{interface,address}\n"
	"  realserver.NAME.{balancer,nat,clients,instances}\n"
	"  realserver.NAME.instance.NAME.{vlan,interface,address,lb-address,lb-interface,\n"
	"                                 weight,control-port}\n"
	"Exit status: 0 printed, 2 unknown key, bad usage or bad site.\n";

int cmd_get(int argc, char **argv, const struct command *self)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool all = false;
	struct site s;
	struct kvs k;
	int c, rc = EXIT_USAGE;

	while ((c = getopt_long(argc, argv, "ah", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': all = true; break;
		case 'h': command_usage(self, stdout, get_options); return EXIT_OK;
		default: command_usage(self, stderr, get_options); return EXIT_USAGE;
		}
	}
	if (optind != argc - (all ? 1 : 2)) {
		command_usage(self, stderr, get_options);
		return EXIT_USAGE;
	}
	if (load_site_or_report(argv[optind], &s) != EXIT_OK)
		return EXIT_USAGE;
	all_keys(&s, &k);
	for (size_t i = 0; i < k.n; i++) {
		if (all) {
			printf("%s = %s\n", k.v[i].key, k.v[i].value);
			rc = EXIT_OK;
		} else if (!strcmp(k.v[i].key, argv[optind + 1])) {
			printf("%s\n", k.v[i].value);
			rc = EXIT_OK;
			break;
		}
	}
	if (rc != EXIT_OK)
		fprintf(stderr, "cluster-gen get: %s has no key '%s'; "
			"'cluster-gen get --all %s' lists every key\n",
			argv[optind], argv[optind + 1], argv[optind]);
	kvs_free(&k);
	site_free(&s);
	return rc;
}
