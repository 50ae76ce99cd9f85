#include "site.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void free_balancer(struct balancer *b)
{
	free(b->name);
	free(b->vip_interface);
	free(b->primary);
	free(b->services);
	for (size_t i = 0; i < b->nneighbors; i++) {
		free(b->neighbors[i].name);
		free(b->neighbors[i].description);
	}
	free(b->neighbors);
	for (size_t i = 0; i < b->nvlans; i++) {
		free(b->vlans[i].name);
		free(b->vlans[i].interface);
	}
	free(b->vlans);
}

static void free_realserver(struct realserver *r)
{
	free(r->name);
	free(r->clients);
	for (size_t i = 0; i < r->ninstances; i++) {
		free(r->instances[i].name);
		free(r->instances[i].interface);
	}
	free(r->instances);
}

void site_free(struct site *s)
{
	free(s->file);
	free(s->name);
	free(s->script_user);
	free(s->vip_guard_path);
	free(s->script_check_path);
	free(s->check.qname);
	free(s->check.qtype);
	free(s->check.qclass);
	free_strings(s->check.fail_rcodes, s->check.nfail_rcodes);
	free(s->check.expect_address);
	free(s->check.probe_path);
	free(s->check.dynamic_weight);
	free(s->check.watch_dir);
	free(s->bind.version);
	free(s->bind.prefix);
	for (size_t i = 0; i < s->nservices; i++) {
		free(s->services[i].name);
		free(s->services[i].ports);
		free(s->services[i].scheduler);
	}
	free(s->services);
	for (size_t i = 0; i < s->nbalancers; i++)
		free_balancer(&s->balancers[i]);
	free(s->balancers);
	for (size_t i = 0; i < s->nrealservers; i++)
		free_realserver(&s->realservers[i]);
	free(s->realservers);
	memset(s, 0, sizeof(*s));
}

const char *proto_name(enum proto p)
{
	return p == PROTO_TCP ? "tcp" : "udp";
}

const char *lvs_method_name(enum lvs_method m)
{
	static const char *const names[] = { "DR", "NAT", "TUN" };
	return names[m];
}

const char *checker_name(enum checker_kind c)
{
	static const char *const names[] = { "probe", "watch", "keepalived-dns" };
	return names[c];
}

const char *transport_name(enum transport t)
{
	static const char *const names[] = { "udp", "tcp", "udp-tcp" };
	return names[t];
}

const char *bgp_mode_name(enum bgp_mode m)
{
	return m == BGP_ANYCAST ? "anycast" : "active-standby";
}

const char *nat_mode_name(enum nat_mode m)
{
	return m == NAT_STATELESS ? "stateless" : "stateful";
}

size_t site_service_index(const struct site *s, const char *name)
{
	for (size_t i = 0; i < s->nservices; i++)
		if (strcmp(s->services[i].name, name) == 0)
			return i;
	return (size_t)-1;
}

size_t site_balancer_index(const struct site *s, const char *name)
{
	for (size_t i = 0; i < s->nbalancers; i++)
		if (strcmp(s->balancers[i].name, name) == 0)
			return i;
	return (size_t)-1;
}

static bool contains(const size_t *v, size_t n, size_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

bool balancer_is_primary(const struct balancer *b, size_t service)
{
	return contains(b->primary, b->nprimary, service);
}

bool balancer_carries(const struct balancer *b, size_t service)
{
	return contains(b->services, b->nservices, service);
}

struct port_proto *balancer_family_ports(const struct site *s, const struct balancer *b,
					 int family, size_t *n)
{
	struct port_proto *out;
	size_t cap = 0;

	*n = 0;
	for (size_t i = 0; i < b->nservices; i++)
		cap += s->services[b->services[i]].nports;
	out = xcalloc(cap ? cap : 1, sizeof(*out));
	for (size_t i = 0; i < b->nservices; i++) {
		const struct service *svc = &s->services[b->services[i]];
		for (size_t p = 0; svc->vip.family == family && p < svc->nports; p++) {
			size_t k = 0;
			while (k < *n && (out[k].proto != svc->ports[p].proto ||
					  out[k].port != svc->ports[p].port))
				k++;
			if (k == *n)
				out[(*n)++] = svc->ports[p];
		}
	}
	return out;
}

const char *site_file_name(const struct site *s)
{
	const char *slash = strrchr(s->file, '/');

	return slash ? slash + 1 : s->file;
}

bool bind_is_distribution(const struct bind *b)
{
	return b->prefix != NULL && strcmp(b->prefix, "/usr") == 0;
}
