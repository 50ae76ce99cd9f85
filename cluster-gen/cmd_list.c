/* cluster-gen list SITE [--json]: the inventory as aligned tables or JSON.
 * cluster-gen get SITE KEY: one resolved value, for scripts (like
 * nsd-checkconf -o). Both read the validated model, defaults filled in. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "commands.h"

/* ---- the resolved values as key = value pairs ---- */

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

static char *s_or_empty(const char *s)
{
	return xstrdup(s ? s : "");
}

static const char *yesno(bool b)
{
	return b ? "true" : "false";
}

static char *addr_dup(const struct addr *a)
{
	char t[ADDR_STRLEN];

	return xstrdup(a->family ? addr_str(a, t) : "");
}

static char *prefix_dup(const struct prefix *p)
{
	char t[PREFIX_STRLEN];

	return xstrdup(prefix_str(p, t));
}

enum lb_role { ROLE_PRIMARY, ROLE_BACKUP, ROLE_ANY };

/* Space-separated names of the balancers that carry the service in the
 * role: primary, backup (active-standby only: in anycast mode there are no
 * roles, every balancer announces the VIP with one MED), or either. */
static char *balancers_where(const struct site *s, size_t service, enum lb_role role)
{
	bool anycast = s->bgp.mode == BGP_ANYCAST;
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < s->nbalancers; i++) {
		const struct balancer *lb = &s->balancers[i];
		bool carries = balancer_carries(lb, service), primary = balancer_is_primary(lb, service);

		if (role == ROLE_PRIMARY ? primary :
		    role == ROLE_BACKUP ? carries && !primary && !anycast : carries)
			buf_printf(&b, "%s%s", b.len ? " " : "", lb->name);
	}
	return buf_steal(&b);
}

static char *service_names(const struct site *s, const size_t *idx, size_t n)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", s->services[idx[i]].name);
	return buf_steal(&b);
}

static char *ports_str(const struct service *sv)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < sv->nports; i++)
		buf_printf(&b, "%s%s/%u", i ? " " : "", proto_name(sv->ports[i].proto), sv->ports[i].port);
	return buf_steal(&b);
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
	"  site.{name,asn,script-user,vip-guard}\n"
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

/* ---- list: aligned tables ---- */

struct table {
	size_t ncols;
	char **cells;   /* row-major, header first */
	size_t n, cap;
};

static void row(struct table *t, char **cells)
{
	for (size_t i = 0; i < t->ncols; i++) {
		if (t->n == t->cap) {
			t->cap = t->cap ? 2 * t->cap : 64;
			t->cells = xreallocarray(t->cells, t->cap, sizeof(char *));
		}
		t->cells[t->n++] = cells[i];
	}
}

static void table_print(struct table *t, FILE *out)
{
	size_t w[16] = { 0 };

	for (size_t i = 0; i < t->n; i++)
		if (strlen(t->cells[i]) > w[i % t->ncols])
			w[i % t->ncols] = strlen(t->cells[i]);
	for (size_t i = 0; i < t->n; i++) {
		size_t col = i % t->ncols;
		const char *cell = *t->cells[i] ? t->cells[i] : "-";

		if (col + 1 == t->ncols)
			fprintf(out, "%s\n", cell);
		else
			fprintf(out, "%-*s  ", (int)w[col], cell);
		free(t->cells[i]);
	}
	free(t->cells);
}

/* The site line: in anycast mode one MED for every balancer, no roles. */
static void list_site(const struct site *s)
{
	printf("site %s (%s): ASN %u, bgp %s, ", s->name, site_file_name(s), s->asn,
	       bgp_mode_name(s->bgp.mode));
	if (s->bgp.mode == BGP_ANYCAST)
		printf("metric %u on every balancer", s->bgp.primary_metric);
	else
		printf("metric %u primary / %u backup", s->bgp.primary_metric, s->bgp.backup_metric);
	printf(", checker %s\n\n", checker_name(s->check.checker));
}

/* Who announces each VIP: PRIMARY and BACKUP in active-standby mode; in
 * anycast mode the BALANCERS that carry it, all alike. */
static void list_services(const struct site *s)
{
	bool anycast = s->bgp.mode == BGP_ANYCAST;
	struct table t = { anycast ? 6 : 7, NULL, 0, 0 };

	/* row() takes t.ncols cells: the last one is left out in anycast mode */
	row(&t, (char *[]){ xstrdup("SERVICE"), xstrdup("VIP"), xstrdup("PORTS"), xstrdup("SCHEDULER"),
			    xstrdup("METHOD"), xstrdup(anycast ? "BALANCERS" : "PRIMARY"),
			    anycast ? NULL : xstrdup("BACKUP") });
	for (size_t i = 0; i < s->nservices; i++) {
		const struct service *sv = &s->services[i];
		row(&t, (char *[]){ xstrdup(sv->name), addr_dup(&sv->vip), ports_str(sv),
				    s_or_empty(sv->scheduler), xstrdup(lvs_method_name(sv->method)),
				    balancers_where(s, i, anycast ? ROLE_ANY : ROLE_PRIMARY),
				    anycast ? NULL : balancers_where(s, i, ROLE_BACKUP) });
	}
	table_print(&t, stdout);
}

/* PRIMARY FOR only in active-standby mode: anycast has no primaries. */
static void list_balancers(const struct site *s)
{
	bool anycast = s->bgp.mode == BGP_ANYCAST;
	struct table t = { anycast ? 5 : 6, NULL, 0, 0 };

	if (anycast)
		row(&t, (char *[]){ xstrdup("BALANCER"), xstrdup("ROUTER-ID"), xstrdup("VIP-IF"),
				    xstrdup("CARRIES"), xstrdup("NEIGHBORS") });
	else
		row(&t, (char *[]){ xstrdup("BALANCER"), xstrdup("ROUTER-ID"), xstrdup("VIP-IF"),
				    xstrdup("PRIMARY FOR"), xstrdup("CARRIES"), xstrdup("NEIGHBORS") });
	for (size_t i = 0; i < s->nbalancers; i++) {
		const struct balancer *b = &s->balancers[i];
		char *carries = service_names(s, b->services, b->nservices);
		struct buf nb;

		buf_init(&nb);
		for (size_t j = 0; j < b->nneighbors; j++) {
			char a[ADDR_STRLEN];
			buf_printf(&nb, "%s%s %s", j ? ", " : "", b->neighbors[j].name,
				   addr_str(&b->neighbors[j].address, a));
		}
		if (anycast)
			row(&t, (char *[]){ xstrdup(b->name), addr_dup(&b->router_id),
					    s_or_empty(b->vip_interface), carries, buf_steal(&nb) });
		else
			row(&t, (char *[]){ xstrdup(b->name), addr_dup(&b->router_id),
					    s_or_empty(b->vip_interface),
					    service_names(s, b->primary, b->nprimary), carries,
					    buf_steal(&nb) });
	}
	table_print(&t, stdout);
}

static void list_instances(const struct site *s)
{
	struct table t = { 9, NULL, 0, 0 };

	row(&t, (char *[]){ xstrdup("REAL SERVER"), xstrdup("INSTANCE"), xstrdup("BALANCER"),
			    xstrdup("VLAN"), xstrdup("INTERFACE"), xstrdup("ADDRESS"),
			    xstrdup("LB-ADDRESS"), xstrdup("WEIGHT"), xstrdup("NAT") });
	for (size_t i = 0; i < s->nrealservers; i++) {
		const struct realserver *r = &s->realservers[i];
		const struct balancer *b = &s->balancers[r->balancer];

		for (size_t j = 0; j < r->ninstances; j++) {
			const struct instance *in = &r->instances[j];
			const struct vlan *v = &b->vlans[in->vlan];
			row(&t, (char *[]){ xstrdup(r->name), xstrdup(in->name), xstrdup(b->name),
					    xstrdup(v->name), s_or_empty(in->interface), addr_dup(&in->address),
					    addr_dup(&v->address.addr), xasprintf("%u", in->weight),
					    xstrdup(nat_mode_name(r->nat)) });
		}
	}
	table_print(&t, stdout);
}

static void list_tables(const struct site *s)
{
	list_site(s);
	list_services(s);
	putchar('\n');
	list_balancers(s);
	putchar('\n');
	list_instances(s);
}

/* ---- list --json ---- */

static void jstr(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			buf_printf(b, "\\%c", ch);
		else if (ch < 0x20)
			buf_printf(b, "\\u%04x", ch);
		else
			buf_putc(b, (char)ch);
	}
	buf_putc(b, '"');
}

/* A JSON array of the space-separated words of a (consumed). */
static void jwords(struct buf *b, char *words)
{
	char *save = NULL;
	bool first = true;

	buf_putc(b, '[');
	for (char *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (!first)
			buf_putc(b, ',');
		jstr(b, w);
		first = false;
	}
	buf_putc(b, ']');
	free(words);
}

static void jkey(struct buf *b, const char *key, const char *value, bool comma)
{
	jstr(b, key);
	buf_putc(b, ':');
	jstr(b, value);
	if (comma)
		buf_putc(b, ',');
}

static void json_services(const struct site *s, struct buf *b)
{
	buf_puts(b, "\"services\":[");
	for (size_t i = 0; i < s->nservices; i++) {
		const struct service *sv = &s->services[i];
		char a[ADDR_STRLEN];

		buf_puts(b, i ? ",\n {" : "\n {");
		jkey(b, "name", sv->name, true);
		jkey(b, "vip", addr_str(&sv->vip, a), true);
		buf_puts(b, "\"ports\":");
		jwords(b, ports_str(sv));
		buf_putc(b, ',');
		jkey(b, "scheduler", sv->scheduler ? sv->scheduler : "", true);
		jkey(b, "method", lvs_method_name(sv->method), true);
		buf_puts(b, "\"primary\":");
		jwords(b, balancers_where(s, i, ROLE_PRIMARY));
		buf_puts(b, ",\"backup\":");
		jwords(b, balancers_where(s, i, ROLE_BACKUP));
		buf_puts(b, ",\"balancers\":");
		jwords(b, balancers_where(s, i, ROLE_ANY));
		buf_putc(b, '}');
	}
	buf_puts(b, "],\n");
}

static void json_balancers(const struct site *s, struct buf *b)
{
	buf_puts(b, "\"balancers\":[");
	for (size_t i = 0; i < s->nbalancers; i++) {
		const struct balancer *lb = &s->balancers[i];
		char a[PREFIX_STRLEN];

		buf_puts(b, i ? ",\n {" : "\n {");
		jkey(b, "name", lb->name, true);
		jkey(b, "router-id", addr_str(&lb->router_id, a), true);
		jkey(b, "vip-interface", lb->vip_interface ? lb->vip_interface : "", true);
		buf_puts(b, "\"primary\":");
		jwords(b, service_names(s, lb->primary, lb->nprimary));
		buf_puts(b, ",\"services\":");
		jwords(b, service_names(s, lb->services, lb->nservices));
		buf_puts(b, ",\"neighbors\":[");
		for (size_t j = 0; j < lb->nneighbors; j++) {
			buf_puts(b, j ? ",{" : "{");
			jkey(b, "name", lb->neighbors[j].name, true);
			jkey(b, "address", addr_str(&lb->neighbors[j].address, a), true);
			buf_printf(b, "\"remote-as\":%u}", lb->neighbors[j].remote_as);
		}
		buf_puts(b, "],\"vlans\":[");
		for (size_t j = 0; j < lb->nvlans; j++) {
			buf_puts(b, j ? ",{" : "{");
			jkey(b, "name", lb->vlans[j].name, true);
			jkey(b, "interface", lb->vlans[j].interface, true);
			jkey(b, "address", prefix_str(&lb->vlans[j].address, a), false);
			buf_putc(b, '}');
		}
		buf_puts(b, "]}");
	}
	buf_puts(b, "],\n");
}

static void json_realservers(const struct site *s, struct buf *b)
{
	buf_puts(b, "\"realservers\":[");
	for (size_t i = 0; i < s->nrealservers; i++) {
		const struct realserver *r = &s->realservers[i];
		const struct balancer *lb = &s->balancers[r->balancer];
		char a[PREFIX_STRLEN];

		buf_puts(b, i ? ",\n {" : "\n {");
		jkey(b, "name", r->name, true);
		jkey(b, "balancer", lb->name, true);
		jkey(b, "nat", nat_mode_name(r->nat), true);
		buf_puts(b, "\"clients\":[");
		for (size_t j = 0; j < r->nclients; j++) {
			if (j)
				buf_putc(b, ',');
			jstr(b, prefix_str(&r->clients[j], a));
		}
		buf_puts(b, "],\"instances\":[");
		for (size_t j = 0; j < r->ninstances; j++) {
			const struct instance *in = &r->instances[j];
			const struct vlan *v = &lb->vlans[in->vlan];

			buf_puts(b, j ? ",{" : "{");
			jkey(b, "name", in->name, true);
			jkey(b, "vlan", v->name, true);
			jkey(b, "interface", in->interface, true);
			jkey(b, "address", addr_str(&in->address, a), true);
			jkey(b, "lb-address", addr_str(&v->address.addr, a), true);
			buf_printf(b, "\"weight\":%u}", in->weight);
		}
		buf_puts(b, "]}");
	}
	buf_puts(b, "]\n");
}

static void list_json(const struct site *s)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "{\"site\":{");
	jkey(&b, "name", s->name, true);
	jkey(&b, "file", site_file_name(s), true);
	buf_printf(&b, "\"asn\":%u},\n\"bgp\":{", s->asn);
	jkey(&b, "mode", bgp_mode_name(s->bgp.mode), true);
	buf_printf(&b, "\"primary-metric\":%u,\"backup-metric\":%u,\"local-preference\":%u},\n",
		   s->bgp.primary_metric, s->bgp.backup_metric, s->bgp.local_preference);
	json_services(s, &b);
	json_balancers(s, &b);
	json_realservers(s, &b);
	buf_puts(&b, "}\n");
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
}

static const char list_options[] =
	"  --json                one JSON object (site, bgp, services, balancers, realservers)\n"
	"Exit status: 0 printed, 2 bad usage or bad site.\n";

int cmd_list(int argc, char **argv, const struct command *self)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	struct site s;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'h': command_usage(self, stdout, list_options); return EXIT_OK;
		default: command_usage(self, stderr, list_options); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		command_usage(self, stderr, list_options);
		return EXIT_USAGE;
	}
	if (load_site_or_report(argv[optind], &s) != EXIT_OK)
		return EXIT_USAGE;
	if (json)
		list_json(&s);
	else
		list_tables(&s);
	site_free(&s);
	return EXIT_OK;
}
