/* libconfuse's tree -> struct site: this file converts values, resolves
 * names to indexes and sorts every list; site_load.c runs the whole load,
 * and the cross-checks live in validate.c. */
#include "parse_build.h"

#include <confuse.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "parse_realservers.h"
#include "parse_values.h"
#include "validate.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- sections ---- */

static const char *const checker_words[] = { "probe", "watch", "keepalived-dns", NULL };
static const char *const transport_words[] = { "udp", "tcp", "udp-tcp", NULL };
static const char *const mode_words[] = { "active-standby", "anycast", NULL };
static const char *const method_words[] = { "DR", "NAT", "TUN", NULL };

static void upcase(char *s)
{
	for (; s && *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

static void build_site_section(struct parser *p, cfg_t *root)
{
	cfg_t *sec = cfg_size(root, "site") ? cfg_getsec(root, "site") : NULL;
	struct option_at want[] = {
		{ "script-user", &p->s->script_user_at },
		{ "vip-guard", &p->s->vip_guard_path_at },
		{ "script-check", &p->s->script_check_path_at },
	};

	if (!sec) {
		diag_add(p->d, 1, "start the file with: site \"NAME\" { asn = 64512 }",
			 "no site section: the site needs a name and an AS number");
		return;
	}
	p->s->name = xstrdup(cfg_title(sec));
	p->s->at = section_at(p, sec, want, NELEM(want));
	if (cfg_size(sec, "asn") == 0)
		diag_add(p->d, p->s->at.line, "add asn = 64512 (or your AS)",
			 "site %s: 'asn' is required", p->s->name);
	else
		p->s->asn = opt_uint(p, sec, "asn", 1, 4294967295UL);
	p->s->script_user = opt_str(sec, "script-user");
	p->s->vip_guard_path = opt_str(sec, "vip-guard");
	p->s->script_check_path = opt_str(sec, "script-check");
}

static char **rcode_list(cfg_t *sec, size_t *n)
{
	char **v;

	*n = cfg_size(sec, "fail-rcodes");
	v = xcalloc(*n, sizeof(*v));
	for (size_t i = 0; i < *n; i++) {
		v[i] = xstrdup(cfg_getnstr(sec, "fail-rcodes", (unsigned)i));
		upcase(v[i]);
	}
	return v;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void build_check(struct parser *p, cfg_t *root)
{
	cfg_t *sec = cfg_getsec(root, "check");
	struct check *c = &p->s->check;
	struct option_at want[] = {
		{ "name", &c->qname_at }, { "type", &c->qtype_at }, { "class", &c->qclass_at },
		{ "fail-rcodes", &c->fail_rcodes_at }, { "transport", &c->transport_at },
		{ "checker", &c->checker_at }, { "expect-address", &c->expect_address_at },
		{ "min-answers", &c->min_answers_at }, { "dynamic-weight", &c->dynamic_weight_at },
		{ "probe", &c->probe_path_at }, { "watch-dir", &c->watch_dir_at },
	};
	int k;

	c->at = section_at(p, sec, want, NELEM(want));
	c->qname = opt_str(sec, "name");
	c->qtype = opt_str(sec, "type");
	c->qclass = opt_str(sec, "class");
	upcase(c->qtype);
	upcase(c->qclass);
	c->timeout = opt_uint(p, sec, "timeout", 1, 60);
	c->tries = opt_uint(p, sec, "tries", 1, 10);
	c->fail_rcodes = rcode_list(sec, &c->nfail_rcodes);
	qsort(c->fail_rcodes, c->nfail_rcodes, sizeof(char *), by_string);
	k = keyword(p, sec, "transport", transport_words, true);
	c->transport = k < 0 ? TRANSPORT_UDP : (enum transport)k;
	k = keyword(p, sec, "checker", checker_words, true);
	c->checker = k < 0 ? CHECKER_PROBE : (enum checker_kind)k;
	c->rise = opt_uint(p, sec, "rise", 1, 100);
	c->fall = opt_uint(p, sec, "fall", 1, 100);
	c->interval = opt_uint(p, sec, "interval", 1, 3600);
	c->expect_address = opt_str(sec, "expect-address");
	c->min_answers = opt_uint(p, sec, "min-answers", 0, 100);
	c->dynamic_weight = opt_str(sec, "dynamic-weight");
	c->probe_path = opt_str(sec, "probe");
	c->watch_dir = opt_str(sec, "watch-dir");
	if (!c->qname)
		diag_add(p->d, c->at.line, "check { name = \"resolve.test.example\" } names what to ask",
			 "check: 'name' is required");
}

static void build_bgp(struct parser *p, cfg_t *root)
{
	cfg_t *sec = cfg_getsec(root, "bgp");
	struct bgp *b = &p->s->bgp;
	struct option_at want[] = {
		{ "primary-metric", &b->primary_metric_at },
		{ "backup-metric", &b->backup_metric_at },
		{ "keepalive", &b->keepalive_at }, { "holdtime", &b->holdtime_at },
		{ "mode", &b->mode_at },
	};
	int k = keyword(p, sec, "mode", mode_words, true);

	b->at = section_at(p, sec, want, NELEM(want));
	b->mode = k < 0 ? BGP_ACTIVE_STANDBY : (enum bgp_mode)k;
	b->primary_metric = opt_uint_noting(p, sec, "primary-metric", 0, 4294967295UL,
					    &b->metrics_refused);
	b->backup_metric = opt_uint_noting(p, sec, "backup-metric", 0, 4294967295UL,
					   &b->metrics_refused);
	b->local_preference = opt_uint(p, sec, "local-preference", 0, 4294967295UL);
	b->keepalive = opt_uint_noting(p, sec, "keepalive", 1, 21845, &b->timers_refused);
	b->holdtime = opt_uint_noting(p, sec, "holdtime", 3, 65535, &b->timers_refused);
	b->bfd = cfg_getbool(sec, "bfd");
	b->bfd_interval_ms = opt_uint(p, sec, "bfd-interval", 10, 60000);
	b->bfd_multiplier = opt_uint(p, sec, "bfd-multiplier", 2, 255);
}

static void build_bind(struct parser *p, cfg_t *root)
{
	cfg_t *sec = cfg_getsec(root, "bind");
	struct bind *b = &p->s->bind;
	struct option_at want[] = { { "version", &b->version_at } };
	const char *why;

	b->at = section_at(p, sec, want, NELEM(want));
	b->version = opt_str(sec, "version");
	b->threads = cfg_getbool(sec, "threads");
	b->internal_malloc = cfg_getbool(sec, "internal-malloc");
	b->prefix = opt_str(sec, "prefix");
	why = bind_prefix_check(b->prefix);
	if (why)
		diag_add(p->d, line_of(p, sec, "prefix"), "\"/usr/local\" runs what bind-build installs by default, \"/usr\" Debian's bind9 package",
			 "bind: prefix '%s' %s", b->prefix, why);
}

static bool parse_port(const char *s, struct port_proto *out)
{
	char *end;
	unsigned long port;

	if (strncasecmp(s, "udp/", 4) == 0)
		out->proto = PROTO_UDP;
	else if (strncasecmp(s, "tcp/", 4) == 0)
		out->proto = PROTO_TCP;
	else
		return false;
	if (s[4] < '0' || s[4] > '9')
		return false;
	port = strtoul(s + 4, &end, 10);
	if (*end || port == 0 || port > 65535)
		return false;
	out->port = (uint16_t)port;
	return true;
}

static int by_port(const void *pa, const void *pb)
{
	const struct port_proto *a = pa, *b = pb;

	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return a->port < b->port ? -1 : a->port > b->port;
}

static void build_ports(struct parser *p, cfg_t *sec, struct service *svc)
{
	size_t n = cfg_size(sec, "ports");

	svc->ports = xcalloc(n, sizeof(*svc->ports));
	for (size_t i = 0; i < n; i++) {
		const char *v = cfg_getnstr(sec, "ports", (unsigned)i);
		if (!parse_port(v, &svc->ports[svc->nports])) {
			diag_add(p->d, list_value_line(p, svc->ports_at.line, v),
				 "write ports as \"udp/53\" or \"tcp/53\"",
				 "service %s: port '%s' is not PROTO/PORT", svc->name, v);
			continue;
		}
		svc->nports++;
	}
	qsort(svc->ports, svc->nports, sizeof(*svc->ports), by_port);
	if (n == 0)
		diag_add(p->d, svc->ports_at.line, NULL, "service %s: 'ports' is empty", svc->name);
}

static void build_service(struct parser *p, cfg_t *sec, struct service *svc)
{
	struct option_at want[] = {
		{ "vip", &svc->vip_at }, { "ports", &svc->ports_at },
		{ "scheduler", &svc->scheduler_at }, { "method", &svc->method_at },
		{ "persistence-netmask", &svc->persistence_netmask_at },
		{ "quorum", &svc->quorum_at }, { "hysteresis", &svc->hysteresis_at },
	};
	int k;

	svc->name = xstrdup(cfg_title(sec));
	svc->at = section_at(p, sec, want, NELEM(want));
	opt_addr(p, sec, "vip", &svc->vip);
	build_ports(p, sec, svc);
	svc->scheduler = opt_str(sec, "scheduler");
	k = keyword(p, sec, "method", method_words, true);
	svc->method = k < 0 ? LVS_DR : (enum lvs_method)k;
	/* keepalived's limit: 31 days */
	svc->persistence_timeout = opt_uint_noting(p, sec, "persistence-timeout", 0, 2678400,
						   &svc->numbers_refused);
	svc->persistence_netmask = opt_uint_noting(p, sec, "persistence-netmask", 0, 128,
						   &svc->numbers_refused);
	svc->delay_loop = opt_uint(p, sec, "delay-loop", 1, 3600);
	svc->quorum = opt_uint_noting(p, sec, "quorum", 1, 65535, &svc->numbers_refused);
	svc->hysteresis = opt_uint_noting(p, sec, "hysteresis", 0, 65535, &svc->numbers_refused);
	svc->alpha = cfg_getbool(sec, "alpha");
	svc->ops = cfg_getbool(sec, "one-packet-scheduling");
}

/* Resolves a list of service names into sorted, unique indexes. */
static size_t *service_refs(struct parser *p, cfg_t *sec, const char *opt,
			    const char *owner, size_t *n)
{
	size_t count = cfg_size(sec, opt), *v = xcalloc(count, sizeof(size_t));

	*n = 0;
	for (size_t i = 0; i < count; i++) {
		const char *name = cfg_getnstr(sec, opt, (unsigned)i);
		size_t idx = site_service_index(p->s, name);
		if (idx == (size_t)-1) {
			char *known = names_hint("the site's services", p->s->services, p->s->nservices,
						 sizeof(struct service), offsetof(struct service, name));
			p->s->unresolved_service = true;
			diag_add(p->d, list_value_line(p, line_of(p, sec, opt), name),
				 known ? known : "services are declared with: service NAME { vip = ... }",
				 "%s: %s names unknown service '%s'", owner, opt, name);
			free(known);
			continue;
		}
		v[(*n)++] = idx;
	}
	return v;
}

static int by_index(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

static void sort_refs(struct parser *p, size_t *v, size_t *n, int line, const char *owner,
		      const char *opt)
{
	size_t out = 0;

	qsort(v, *n, sizeof(*v), by_index);
	for (size_t i = 0; i < *n; i++) {
		if (i > 0 && v[i] == v[i - 1]) {
			diag_add(p->d, line, NULL, "%s: %s lists service '%s' twice", owner, opt,
				 p->s->services[v[i]].name);
			continue;
		}
		v[out++] = v[i];
	}
	*n = out;
}

static void build_neighbor(struct parser *p, cfg_t *sec, struct neighbor *nb)
{
	struct option_at want[] = {
		{ "address", &nb->address_at }, { "description", &nb->description_at },
	};

	nb->name = xstrdup(cfg_title(sec));
	nb->at = section_at(p, sec, want, NELEM(want));
	opt_addr(p, sec, "address", &nb->address);
	nb->remote_as = cfg_getint(sec, "remote-as") == 0 ? p->s->asn :
		opt_uint(p, sec, "remote-as", 1, 4294967295UL);
	nb->description = opt_str(sec, "description");
	nb->bfd = cfg_getbool(sec, "bfd");
}

static void build_vlan(struct parser *p, cfg_t *sec, struct vlan *v)
{
	const char *a = cfg_getstr(sec, "address");
	struct option_at want[] = {
		{ "interface", &v->interface_at }, { "address", &v->address_at },
	};

	v->name = xstrdup(cfg_title(sec));
	v->at = section_at(p, sec, want, NELEM(want));
	v->interface = opt_str(sec, "interface");
	if (!v->interface)
		diag_add(p->d, v->at.line, NULL, "vlan %s: 'interface' is required", v->name);
	if (!a)
		diag_add(p->d, v->at.line, "the balancer's own address with the VLAN's prefix length, e.g. \"10.1.53.1/24\"",
			 "vlan %s: 'address' is required", v->name);
	else if (!prefix_parse(a, &v->address) || !strchr(a, '/')) {
		diag_add(p->d, v->address_at.line, "write the address with its prefix length, e.g. \"10.1.53.1/24\"",
			 "vlan %s: '%s' is not ADDRESS/PREFIXLEN", v->name, a);
		/* unset, as a missing one: no check guesses at a /32 it never had */
		memset(&v->address, 0, sizeof(v->address));
	}
}

static void build_balancer(struct parser *p, cfg_t *sec, struct balancer *b)
{
	size_t n;
	cfg_t **subs;
	char who[160];
	struct option_at want[] = {
		{ "router-id", &b->router_id_at }, { "vip-interface", &b->vip_interface_at },
		{ "primary", &b->primary_at }, { "services", &b->services_at },
	};

	owner(sec, who, sizeof(who));
	b->name = xstrdup(cfg_title(sec));
	b->at = section_at(p, sec, want, NELEM(want));
	opt_addr(p, sec, "router-id", &b->router_id);
	b->vip_interface = opt_str(sec, "vip-interface");
	b->primary = service_refs(p, sec, "primary", who, &b->nprimary);
	sort_refs(p, b->primary, &b->nprimary, b->primary_at.line, who, "primary");
	if (cfg_size(sec, "services") > 0) {
		b->services = service_refs(p, sec, "services", who, &b->nservices);
	} else {
		b->nservices = p->s->nservices;
		b->services = xcalloc(b->nservices, sizeof(size_t));
		for (size_t i = 0; i < b->nservices; i++)
			b->services[i] = i;
	}
	sort_refs(p, b->services, &b->nservices, b->services_at.line, who, "services");

	subs = sorted_sections(sec, "neighbor", &n);
	b->neighbors = xcalloc(n, sizeof(*b->neighbors));
	for (b->nneighbors = 0; b->nneighbors < n; b->nneighbors++)
		build_neighbor(p, subs[b->nneighbors], &b->neighbors[b->nneighbors]);
	free(subs);

	subs = sorted_sections(sec, "vlan", &n);
	b->vlans = xcalloc(n, sizeof(*b->vlans));
	for (b->nvlans = 0; b->nvlans < n; b->nvlans++)
		build_vlan(p, subs[b->nvlans], &b->vlans[b->nvlans]);
	free(subs);
}

void build_site(struct parser *p, cfg_t *root)
{
	struct site *s = p->s;
	cfg_t **subs;
	size_t n;

	build_site_section(p, root);
	build_check(p, root);
	build_bgp(p, root);
	build_bind(p, root);

	subs = sorted_sections(root, "service", &n);
	s->services = xcalloc(n, sizeof(*s->services));
	for (s->nservices = 0; s->nservices < n; s->nservices++)
		build_service(p, subs[s->nservices], &s->services[s->nservices]);
	free(subs);

	subs = sorted_sections(root, "balancer", &n);
	s->balancers = xcalloc(n, sizeof(*s->balancers));
	for (s->nbalancers = 0; s->nbalancers < n; s->nbalancers++)
		build_balancer(p, subs[s->nbalancers], &s->balancers[s->nbalancers]);
	free(subs);

	build_realservers(p, root);
}
