/* Cross-checks of the real servers: each host's instances (names,
 * addresses, weights, VLANs, client networks), instances unique in the
 * site, and what stateless NAT allows. Called by validate_site. */
#include "validate.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"

static void validate_instance(const struct site *s, const struct realserver *r,
			      const struct instance *in, struct diags *d)
{
	char a[ADDR_STRLEN], p[PREFIX_STRLEN], n[PREFIX_STRLEN], what[200];
	const struct balancer *b;
	const struct vlan *v;
	struct prefix net;

	snprintf(what, sizeof(what), "%s instance", r->name);
	check_name(d, in->at.line, what, in->name);
	if (in->interface && !safe_ifname(in->interface))
		diag_add(d, in->interface_at.line, "at most 15 characters (IFNAMSIZ) of letters, digits, '_', '.', '-'",
			 "%s instance %s: interface '%s' is not a valid interface name", r->name, in->name,
			 in->interface);
	/* a vlan resolves only where the host's balancer does */
	if (in->vlan == (size_t)-1 || !in->address.family)
		return;
	b = &s->balancers[r->balancer];
	v = &b->vlans[in->vlan];
	if (!v->address.addr.family)   /* the vlan's own error says why */
		return;
	prefix_network(&v->address, &net);
	if (v->address.addr.family != in->address.family)
		diag_add(d, in->address_at.line, "put the instance on a vlan of its address's family, or give it an address in this one's network",
			 "%s instance %s: %s is IPv%c, vlan %s's network %s is IPv%c", r->name, in->name,
			 addr_str(&in->address, a), in->address.family == AF_INET6 ? '6' : '4', v->name,
			 prefix_str(&net, n), v->address.addr.family == AF_INET6 ? '6' : '4');
	else if (!prefix_contains(&v->address, &in->address))
		diag_add(d, in->address_at.line, NULL,
			 "%s instance %s: %s is outside vlan %s's network %s; the balancer at %s could not reach it",
			 r->name, in->name, addr_str(&in->address, a), v->name, prefix_str(&net, n),
			 addr_str(&v->address.addr, p));
	else if (addr_eq(&in->address, &v->address.addr))
		diag_add(d, in->address_at.line, NULL, "%s instance %s: %s is balancer %s's own address on vlan %s",
			 r->name, in->name, addr_str(&in->address, a), b->name, v->name);
	else if (prefix_reserved_host(&v->address, &in->address))
		diag_add(d, in->address_at.line, RESERVED_HOST_HINT,
			 "%s instance %s: %s is not a host address of vlan %s's network %s",
			 r->name, in->name, addr_str(&in->address, a), v->name, prefix_str(&net, n));
}

/* The instance's address against the host's clients: named at the later of
 * the two. Whatever its vlan: an unknown one is another problem. */
static void check_client_family(const struct realserver *r, const struct instance *in,
				struct diags *d)
{
	if (!in->address.family)
		return;
	for (size_t i = 0; i < r->nclients; i++)
		if (r->clients[i].addr.family == in->address.family)
			return;
	diag_add(d, later_line(in->address_at, r->clients_at), "add a client network of the instance's family",
		 "%s instance %s is IPv%d but no client network is", r->name, in->name,
		 addr_version(&in->address));
}

struct seen {
	const struct addr *a;
	const struct realserver *r;
	const struct instance *in;
};

static int by_seen_address(const void *x, const void *y)
{
	const struct seen *a = x, *b = y;
	int c = addr_cmp(a->a, b->a);

	if (c)
		return c;
	return a->in->address_at.line < b->in->address_at.line ? -1 :
	       a->in->address_at.line > b->in->address_at.line;
}

/* Instances in and other of host r share option `what`'s value, written for
 * each at the line given: named at the later line, the earlier instance first. */
static void report_shared(struct diags *d, const struct realserver *r, const struct instance *in,
			  int in_line, const struct instance *other, int other_line,
			  const char *what, const char *value, const char *hint)
{
	if (in_line < other_line) {
		const struct instance *t = in;
		in = other;
		other = t;
		in_line = other_line;
	}
	diag_add(d, in_line, hint, "%s: instances %s and %s share %s %s", r->name, other->name,
		 in->name, what, value);
}

/* Two instances of one host cannot share an interface (DNAT is chosen by the
 * incoming one), a VLAN (policy-routing.sh gives each VLAN one routing table,
 * so the later instance's routes would replace the earlier one's) or an rndc
 * port. */
static void validate_host_instances(const struct site *s, const struct realserver *r,
				    struct diags *d)
{
	bool vlans_known = r->balancer != (size_t)-1;   /* else: an unknown balancer, said elsewhere */
	char port[12];

	for (size_t j = 0; j < r->ninstances; j++)
		for (size_t k = 0; k < j; k++) {
			const struct instance *in = &r->instances[j], *other = &r->instances[k];

			if (in->interface && other->interface && strcmp(in->interface, other->interface) == 0) {
				report_shared(d, r, in, in->interface_at.line, other, other->interface_at.line,
					      "interface", in->interface, "DNAT is chosen by incoming interface: one instance per VLAN interface");
			}
			if (vlans_known && in->vlan != (size_t)-1 && in->vlan == other->vlan)
				report_shared(d, r, in, in->at.line, other, other->at.line, "vlan",
					      s->balancers[r->balancer].vlans[in->vlan].name,
					      "one instance per VLAN: a VLAN's replies leave by one "
					      "routing table, to one interface");
			if (in->control_port && in->control_port == other->control_port) {
				snprintf(port, sizeof(port), "%u", in->control_port);
				report_shared(d, r, in, in->control_port_at.line, other,
					      other->control_port_at.line, "control-port", port,
					      "each named on a host needs its own rndc port on 127.0.0.1");
			}
		}
}

/* Instances must be unique across the site by address and per host by interface. */
static void validate_unique_instances(const struct site *s, struct diags *d)
{
	struct seen *v;
	size_t n = 0, total = 0;
	char a[ADDR_STRLEN];

	for (size_t i = 0; i < s->nrealservers; i++)
		total += s->realservers[i].ninstances;
	v = xcalloc(total, sizeof(*v));
	for (size_t i = 0; i < s->nrealservers; i++)
		for (size_t j = 0; j < s->realservers[i].ninstances; j++) {
			const struct instance *in = &s->realservers[i].instances[j];
			if (in->address.family)
				v[n++] = (struct seen){ &in->address, &s->realservers[i], in };
		}
	qsort(v, n, sizeof(*v), by_seen_address);
	for (size_t i = 1; i < n; i++)
		if (addr_eq(v[i].a, v[i - 1].a))
			diag_add(d, v[i].in->address_at.line, NULL, "%s instance %s: address %s is also %s instance %s's",
				 v[i].r->name, v[i].in->name, addr_str(v[i].a, a), v[i - 1].r->name,
				 v[i - 1].in->name);
	free(v);
	for (size_t i = 0; i < s->nrealservers; i++)
		validate_host_instances(s, &s->realservers[i], d);
}

/* Without conntrack (nat = stateless) an instance's replies are mapped back
 * to a VIP by the instance address alone, so the host's balancer may carry
 * one VIP of each family the host has instances of. render_dnat refuses
 * the rest too; here `check` says so, at a line. */
static void validate_stateless(const struct site *s, const struct realserver *r, struct diags *d)
{
	const struct balancer *b;

	if (r->nat != NAT_STATELESS || r->balancer == (size_t)-1)
		return;
	b = &s->balancers[r->balancer];
	for (int v6 = 0; v6 <= 1; v6++) {
		int family = v6 ? AF_INET6 : AF_INET;
		const char *first = NULL, *second = NULL;
		size_t nvips = 0;
		bool has = false;

		for (size_t i = 0; i < r->ninstances; i++)
			has = has || r->instances[i].address.family == family;
		for (size_t i = 0; i < b->nservices; i++) {
			const struct service *v = &s->services[b->services[i]];
			if (v->vip.family != family)
				continue;
			if (nvips == 0)
				first = v->name;
			else if (nvips == 1)
				second = v->name;
			nvips++;
		}
		if (has && nvips > 1)
			diag_add(d, later_line(r->nat_at, b->services_at),
				 "use nat = stateful, or one VIP of each family behind the balancer",
				 "realserver %s: nat = stateless, but balancer %s carries %zu IPv%d VIPs (%s, %s%s): "
				 "without conntrack a reply from an instance cannot be mapped back to the VIP it was sent to",
				 r->name, b->name, nvips, v6 ? 6 : 4, first, second, nvips > 2 ? ", ..." : "");
	}
}

void validate_realservers(const struct site *s, struct diags *d)
{
	for (size_t i = 0; i < s->nrealservers; i++) {
		const struct realserver *r = &s->realservers[i];
		check_name(d, r->at.line, "realserver", r->name);
		for (size_t j = 0; j < r->ninstances; j++) {
			validate_instance(s, r, &r->instances[j], d);
			check_client_family(r, &r->instances[j], d);
		}
		validate_stateless(s, r, d);
	}
	validate_unique_instances(s, d);
}
