/* site.conf's real servers -> struct site: each host, its client networks
 * and its instances, the balancer and VLAN names resolved to indexes (the
 * rest of the site is parse.c's). */
#include "parse_realservers.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "schema.h"
#include "validate.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const nat_words[] = { "stateful", "stateless", NULL };

/* lb-address names no vlan of b: the addresses b has, as names_hint. */
static void unknown_lb_address(struct parser *p, cfg_t *sec, const struct balancer *b,
			       const char *owner, const char *lb)
{
	struct buf known;

	buf_init(&known);
	for (size_t i = 0; i < b->nvlans && i < NAMES_HINT_MAX; i++) {
		char a[ADDR_STRLEN];
		buf_printf(&known, "%s%s (vlan %s)", i ? ", " : "its vlan addresses: ",
			   addr_str(&b->vlans[i].address.addr, a), b->vlans[i].name);
	}
	if (b->nvlans > NAMES_HINT_MAX)
		buf_puts(&known, ", ...");
	diag_add(p->d, line_of(p, sec, "lb-address"), b->nvlans ? known.data :
		 "declare it in the balancer: vlan NAME { interface = ... address = \"ADDR/LEN\" }",
		 "%s: lb-address %s is not an address of balancer %s on any vlan", owner, lb, b->name);
	buf_free(&known);
}

/* An instance names its VLAN directly (vlan = 105) or by the balancer's
 * address on it (lb-address = 10.1.53.1, the old article's way). */
static size_t resolve_vlan(struct parser *p, cfg_t *sec, const struct balancer *b,
			   const char *owner)
{
	const char *name = cfg_getstr(sec, "vlan"), *lb = cfg_getstr(sec, "lb-address");
	struct addr lba;

	if (!name && !lb) {
		diag_add(p->d, section_line(p, sec), "add vlan = NAME (a vlan of the balancer) or lb-address = ADDRESS",
			 "%s: the instance names no VLAN", owner);
		return (size_t)-1;
	}
	for (size_t i = 0; name && i < b->nvlans; i++)
		if (strcmp(b->vlans[i].name, name) == 0)
			return i;
	if (name) {
		char *known = names_hint("its vlans", b->vlans, b->nvlans, sizeof(struct vlan),
					 offsetof(struct vlan, name));
		diag_add(p->d, line_of(p, sec, "vlan"), known ? known :
			 "declare it in the balancer: vlan NAME { interface = ... address = \"ADDR/LEN\" }",
			 "%s: balancer %s has no vlan '%s'", owner, b->name, name);
		free(known);
		return (size_t)-1;
	}
	if (!addr_parse(lb, &lba)) {
		diag_add(p->d, line_of(p, sec, "lb-address"), NULL, "%s: lb-address '%s' is not an IP address",
			 owner, lb);
		return (size_t)-1;
	}
	for (size_t i = 0; i < b->nvlans; i++)
		if (addr_eq(&b->vlans[i].address.addr, &lba))
			return i;
	unknown_lb_address(p, sec, b, owner, lb);
	return (size_t)-1;
}

static void build_instance(struct parser *p, cfg_t *sec, const struct realserver *rs,
			   struct instance *in)
{
	char owner[256];
	struct option_at want[] = {
		{ "interface", &in->interface_at }, { "address", &in->address_at },
		{ "control-port", &in->control_port_at }, { "weight", &in->weight_at },
	};

	in->name = xstrdup(cfg_title(sec));
	in->at = section_at(p, sec, want, NELEM(want));
	snprintf(owner, sizeof(owner), "%s instance %s", rs->name, in->name);
	in->interface = opt_str(sec, "interface");
	if (!in->interface)
		diag_add(p->d, in->at.line, "the host's interface on that VLAN, e.g. \"eth1.105\"",
			 "%s: 'interface' is required", owner);
	p->host = rs->name;
	opt_addr(p, sec, "address", &in->address);
	in->weight = opt_uint_noting(p, sec, "weight", 0, 65535, &in->weight_refused);
	in->control_port = opt_uint(p, sec, "control-port", 0, 65535);
	p->host = NULL;
	in->vlan = rs->balancer == (size_t)-1 ? (size_t)-1 :
		resolve_vlan(p, sec, &p->s->balancers[rs->balancer], owner);
	if (in->vlan != (size_t)-1 && cfg_getstr(sec, "vlan") && cfg_getstr(sec, "lb-address")) {
		struct addr lba;
		const struct vlan *v = &p->s->balancers[rs->balancer].vlans[in->vlan];
		if (addr_parse(cfg_getstr(sec, "lb-address"), &lba) && !addr_eq(&lba, &v->address.addr))
			diag_add(p->d, line_of(p, sec, "lb-address"), NULL,
				 "%s: lb-address %s is not balancer %s's address on vlan %s",
				 owner, cfg_getstr(sec, "lb-address"),
				 p->s->balancers[rs->balancer].name, v->name);
	}
}

/* A client network and its text in the site file (libconfuse's, while it
 * parses), whose line is looked up only for an error. */
struct client_at {
	struct prefix net;
	const char *text;
};

static int by_network(const void *a, const void *b)
{
	return prefix_cmp(&((const struct client_at *)a)->net, &((const struct client_at *)b)->net);
}

/* nft refuses a set of overlapping intervals, and iptables would match the
 * wider network first anyway: one network per range of clients. Named at
 * the later of the two in the file. */
static void check_overlaps(struct parser *p, const struct realserver *rs,
			   const struct client_at *c, size_t n)
{
	char a[PREFIX_STRLEN], b[PREFIX_STRLEN];

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++) {
			int li, lj;

			if (!prefix_overlaps(&c[j].net, &c[i].net))
				continue;
			li = list_value_line(p, rs->clients_at.line, c[i].text);
			lj = list_value_line(p, rs->clients_at.line, c[j].text);
			diag_add(p->d, li > lj ? li : lj,
				 "list each client network once; the wider one already covers the other",
				 "%s: client networks %s and %s overlap", rs->name,
				 prefix_str(&c[j].net, a), prefix_str(&c[i].net, b));
		}
}

static void build_clients(struct parser *p, cfg_t *sec, struct realserver *rs)
{
	size_t n = cfg_size(sec, "clients"), k = 0;
	struct client_at *c = xcalloc(n ? n : 1, sizeof(*c));

	for (size_t i = 0; i < n; i++) {
		const char *v = cfg_getnstr(sec, "clients", (unsigned)i);

		if (!prefix_parse(v, &c[k].net)) {
			diag_add(p->d, list_value_line(p, rs->clients_at.line, v),
				 "write networks as \"192.0.2.0/24\"",
				 "realserver %s: client network '%s' is not ADDRESS/PREFIXLEN", rs->name, v);
			continue;
		}
		prefix_network(&c[k].net, &c[k].net);
		c[k++].text = v;
	}
	qsort(c, k, sizeof(*c), by_network);
	check_overlaps(p, rs, c, k);
	rs->clients = xcalloc(k ? k : 1, sizeof(*rs->clients));
	for (rs->nclients = 0; rs->nclients < k; rs->nclients++)
		rs->clients[rs->nclients] = c[rs->nclients].net;
	free(c);
	if (n == 0)
		diag_add(p->d, rs->at.line, "list the networks whose queries this server answers, your customers' (an open resolver, 0.0.0.0/0, serves amplification attacks)",
			 "realserver %s: 'clients' is required", rs->name);
}

static void unknown_balancer(struct parser *p, cfg_t *sec, const struct realserver *rs,
			     const char *lb)
{
	char *known = names_hint("the site's balancers", p->s->balancers, p->s->nbalancers,
				 sizeof(struct balancer), offsetof(struct balancer, name));

	diag_add(p->d, line_of(p, sec, "balancer"),
		 known ? known : "balancers are declared with: balancer NAME { ... }",
		 "realserver %s: unknown balancer '%s'", rs->name, lb);
	free(known);
}

/* A real server declared inside a balancer belongs to it (`within`). */
static void build_realserver(struct parser *p, cfg_t *sec, const char *within,
			     struct realserver *rs)
{
	const char *lb = cfg_getstr(sec, "balancer");
	cfg_t **subs;
	size_t n;
	struct option_at want[] = { { "clients", &rs->clients_at }, { "nat", &rs->nat_at } };
	int k;

	rs->name = xstrdup(cfg_title(sec));
	rs->at = section_at(p, sec, want, NELEM(want));
	if (within && lb && strcmp(lb, within) != 0)
		diag_add(p->d, line_of(p, sec, "balancer"), NULL,
			 "realserver %s is declared inside balancer %s but names balancer %s",
			 rs->name, within, lb);
	if (within)
		lb = within;
	rs->balancer = lb ? site_balancer_index(p->s, lb) : (size_t)-1;
	p->s->unresolved_balancer |= rs->balancer == (size_t)-1;
	if (!lb)
		diag_add(p->d, rs->at.line, NULL, "realserver %s: 'balancer' is required", rs->name);
	else if (rs->balancer == (size_t)-1)
		unknown_balancer(p, sec, rs, lb);
	build_clients(p, sec, rs);
	k = keyword(p, sec, "nat", nat_words, true);
	rs->nat = k < 0 ? NAT_STATEFUL : (enum nat_mode)k;
	subs = sorted_sections(sec, "instance", &n);
	rs->instances = xcalloc(n, sizeof(*rs->instances));
	for (rs->ninstances = 0; rs->ninstances < n; rs->ninstances++)
		build_instance(p, subs[rs->ninstances], rs, &rs->instances[rs->ninstances]);
	free(subs);
	if (n == 0)
		diag_add(p->d, rs->at.line, "add instance NAME { vlan = ... interface = ... address = ... }",
			 "realserver %s has no instances", rs->name);
}

struct rs_section {
	cfg_t *sec;
	const char *within; /* the enclosing balancer, or NULL at top level */
};

static int by_rs_title(const void *a, const void *b)
{
	const struct rs_section *x = a, *y = b;
	int c = strcmp(cfg_title(x->sec), cfg_title(y->sec));

	return c ? c : x->sec->line - y->sec->line;
}

/* Real servers come from the top level and from inside balancers; all are
 * sorted together by name, and a name used twice is an error. */
void build_realservers(struct parser *p, cfg_t *root)
{
	struct site *s = p->s;
	size_t n = cfg_size(root, "realserver"), k = 0, nb = cfg_size(root, "balancer");
	struct rs_section *v;

	for (size_t i = 0; i < nb; i++)
		n += cfg_size(cfg_getnsec(root, "balancer", (unsigned)i), "realserver");
	v = xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < cfg_size(root, "realserver"); i++)
		v[k++] = (struct rs_section){ cfg_getnsec(root, "realserver", (unsigned)i), NULL };
	for (size_t i = 0; i < nb; i++) {
		cfg_t *b = cfg_getnsec(root, "balancer", (unsigned)i);
		for (size_t j = 0; j < cfg_size(b, "realserver"); j++)
			v[k++] = (struct rs_section){ cfg_getnsec(b, "realserver", (unsigned)j), cfg_title(b) };
	}
	qsort(v, n, sizeof(*v), by_rs_title);
	s->realservers = xcalloc(n, sizeof(*s->realservers));
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(cfg_title(v[i].sec), cfg_title(v[i - 1].sec)) == 0) {
			s->unresolved_balancer = true;   /* its instances are missing */
			diag_add(p->d, section_line(p, v[i].sec), "real server names are host names: unique in the site",
				 "duplicate realserver '%s' (first at line %d)", cfg_title(v[i].sec),
				 section_line(p, v[i - 1].sec));
			continue;
		}
		build_realserver(p, v[i].sec, v[i].within, &s->realservers[s->nrealservers++]);
	}
	free(v);
}
