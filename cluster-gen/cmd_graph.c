/* cluster-gen graph SITE: the topology as Graphviz DOT, in the direction
 * queries flow: core routers (the balancers' BGP neighbors) -> balancers
 * (with the VIPs they announce and the metric of each) -> the balancers'
 * VLANs -> the BIND instances, grouped by real-server host.
 * `cluster-gen graph site.conf | dot -Tsvg > site.svg`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "commands.h"

/* Text inside a DOT double-quoted string: quotes and backslashes escaped;
 * our own line breaks are added by the callers as \n or \l. */
static void dq(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(b, '\\');
		if (*s == '\n')
			buf_puts(b, "\\n");
		else
			buf_putc(b, *s);
	}
}

static const char *role_of(const struct site *s, const struct balancer *b, size_t service,
			   unsigned *metric)
{
	if (s->bgp.mode == BGP_ANYCAST) {
		*metric = s->bgp.primary_metric;
		return "anycast";
	}
	if (balancer_is_primary(b, service)) {
		*metric = s->bgp.primary_metric;
		return "primary";
	}
	*metric = s->bgp.backup_metric;
	return "backup";
}

/* Routers are the neighbors' addresses: two balancers peering with one
 * router share its node. */
static void routers(const struct site *s, struct buf *b)
{
	buf_puts(b, "\n\t// core routers: the balancers' BGP neighbors\n");
	for (size_t i = 0; i < s->nbalancers; i++)
		for (size_t j = 0; j < s->balancers[i].nneighbors; j++) {
			const struct neighbor *n = &s->balancers[i].neighbors[j];
			char a[ADDR_STRLEN];
			bool seen = false;

			addr_str(&n->address, a);
			for (size_t k = 0; k <= i && !seen; k++)
				for (size_t l = 0; l < (k < i ? s->balancers[k].nneighbors : j); l++)
					if (addr_eq(&s->balancers[k].neighbors[l].address, &n->address))
						seen = true;
			if (seen)
				continue;
			buf_printf(b, "\t\"router %s\" [shape=ellipse, style=filled, fillcolor=\"#e8eef7\", label=\"", a);
			dq(b, n->description ? n->description : n->name);
			buf_printf(b, "\\n%s\\nAS %u\"];\n", a, n->remote_as);
		}
}

static void balancers(const struct site *s, struct buf *b)
{
	buf_puts(b, "\n\t// balancers: keepalived + LVS + FRR; VIPs with the metric they are announced with\n");
	for (size_t i = 0; i < s->nbalancers; i++) {
		const struct balancer *lb = &s->balancers[i];
		char a[ADDR_STRLEN];

		buf_printf(b, "\t\"balancer %s\" [shape=box, style=\"rounded,filled\", fillcolor=\"#fdf3e1\", label=\"balancer %s\\nrouter-id %s\\n",
			   lb->name, lb->name, addr_str(&lb->router_id, a));
		for (size_t k = 0; k < lb->nservices; k++) {
			const struct service *sv = &s->services[lb->services[k]];
			unsigned metric;
			const char *role = role_of(s, lb, lb->services[k], &metric);

			buf_printf(b, "%s %s: %s, MED %u\\l", sv->name, addr_str(&sv->vip, a), role, metric);
		}
		buf_puts(b, "\"];\n");
		for (size_t j = 0; j < lb->nneighbors; j++) {
			const struct neighbor *n = &lb->neighbors[j];

			buf_printf(b, "\t\"router %s\" -> \"balancer %s\" [dir=both, label=\"%s%s\"];\n",
				   addr_str(&n->address, a), lb->name,
				   n->remote_as == s->asn ? "iBGP" : "eBGP", s->bgp.bfd && n->bfd ? " + BFD" : "");
		}
	}
}

static void vlans(const struct site *s, struct buf *b)
{
	buf_puts(b, "\n\t// VLANs: the balancer's address on each real-server network\n");
	for (size_t i = 0; i < s->nbalancers; i++) {
		const struct balancer *lb = &s->balancers[i];

		for (size_t j = 0; j < lb->nvlans; j++) {
			const struct vlan *v = &lb->vlans[j];
			char p[PREFIX_STRLEN];

			buf_printf(b, "\t\"vlan %s/%s\" [shape=note, label=\"VLAN %s\\n%s %s\"];\n",
				   lb->name, v->name, v->name, v->interface, prefix_str(&v->address, p));
			buf_printf(b, "\t\"balancer %s\" -> \"vlan %s/%s\";\n", lb->name, lb->name, v->name);
		}
	}
}

static void hosts(const struct site *s, struct buf *b)
{
	buf_puts(b, "\n\t// real servers: one single-threaded named per VLAN, reached through DNAT\n");
	for (size_t i = 0; i < s->nrealservers; i++) {
		const struct realserver *r = &s->realservers[i];
		const struct balancer *lb = &s->balancers[r->balancer];

		buf_printf(b, "\tsubgraph \"cluster_%s\" {\n\t\tlabel=\"real server %s (nat %s)\";\n"
			   "\t\tstyle=\"rounded\";\n", r->name, r->name, nat_mode_name(r->nat));
		for (size_t j = 0; j < r->ninstances; j++) {
			const struct instance *in = &r->instances[j];
			char a[ADDR_STRLEN];

			buf_printf(b, "\t\t\"instance %s/%s\" [shape=box, style=filled, fillcolor=\"#e6f4e6\", "
				   "label=\"named %s\\n%s on %s\\nweight %u\"];\n", r->name, in->name,
				   in->name, addr_str(&in->address, a), in->interface, in->weight);
		}
		buf_puts(b, "\t}\n");
		for (size_t j = 0; j < r->ninstances; j++)
			buf_printf(b, "\t\"vlan %s/%s\" -> \"instance %s/%s\";\n", lb->name,
				   lb->vlans[r->instances[j].vlan].name, r->name, r->instances[j].name);
	}
}

static const char graph_options[] =
	"Prints the topology as Graphviz DOT on stdout, e.g.\n"
	"  cluster-gen graph site.conf | dot -Tsvg > site.svg\n"
	"Exit status: 0 printed, 2 bad usage or bad site.\n";

int cmd_graph(int argc, char **argv, const struct command *self)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct site s;
	struct buf b;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			command_usage(self, stdout, graph_options);
			return EXIT_OK;
		}
		command_usage(self, stderr, graph_options);
		return EXIT_USAGE;
	}
	if (optind != argc - 1) {
		command_usage(self, stderr, graph_options);
		return EXIT_USAGE;
	}
	if (load_site_or_report(argv[optind], &s) != EXIT_OK)
		return EXIT_USAGE;
	buf_init(&b);
	buf_puts(&b, "// the topology of a site; render with: dot -Tsvg\ndigraph \"");
	dq(&b, s.name);
	buf_puts(&b, "\" {\n\tgraph [rankdir=TB, fontname=\"Helvetica\", fontsize=12, labelloc=t, label=\"site ");
	dq(&b, s.name);
	buf_printf(&b, ": AS %u, BGP %s, ", s.asn, bgp_mode_name(s.bgp.mode));
	if (s.bgp.mode == BGP_ANYCAST)   /* no roles: one MED, as frr.conf has it */
		buf_printf(&b, "MED %u on every balancer\"];\n", s.bgp.primary_metric);
	else
		buf_printf(&b, "MED %u primary / %u backup\"];\n", s.bgp.primary_metric,
			   s.bgp.backup_metric);
	buf_puts(&b, "\tnode [fontname=\"Helvetica\", fontsize=10];\n"
		     "\tedge [fontname=\"Helvetica\", fontsize=9];\n");
	routers(&s, &b);
	balancers(&s, &b);
	vlans(&s, &b);
	hosts(&s, &b);
	buf_puts(&b, "}\n");
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
	site_free(&s);
	return EXIT_OK;
}
