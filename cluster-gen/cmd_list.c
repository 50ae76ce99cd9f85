/* cluster-gen list SITE [--json]: the inventory as aligned tables for a
 * person or as JSON for a program, read from the validated model with the
 * defaults filled in (one value for a script: cluster-gen get, cmd_get.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "commands.h"
#include "inventory.h"

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

/* The check every balancer runs, as site.conf(5) names its options; the
 * optional ones only when set. */
static void json_check(const struct check *c, struct buf *b)
{
	buf_puts(b, "\"check\":{");
	jkey(b, "name", c->qname, true);
	jkey(b, "type", c->qtype, true);
	jkey(b, "class", c->qclass, true);
	buf_printf(b, "\"timeout\":%u,\"tries\":%u,\"fail-rcodes\":[", c->timeout, c->tries);
	for (size_t i = 0; i < c->nfail_rcodes; i++) {
		jstr(b, c->fail_rcodes[i]);
		if (i + 1 < c->nfail_rcodes)
			buf_putc(b, ',');
	}
	buf_puts(b, "],");
	jkey(b, "transport", transport_name(c->transport), true);
	jkey(b, "checker", checker_name(c->checker), true);
	buf_printf(b, "\"rise\":%u,\"fall\":%u,\"interval\":%u,", c->rise, c->fall, c->interval);
	if (c->expect_address)
		jkey(b, "expect-address", c->expect_address, true);
	if (c->min_answers)
		buf_printf(b, "\"min-answers\":%u,", c->min_answers);
	if (c->dynamic_weight)
		jkey(b, "dynamic-weight", c->dynamic_weight, true);
	jkey(b, "probe", c->probe_path, true);
	jkey(b, "watch-dir", c->watch_dir, false);
	buf_puts(b, "},\n");
}

static void json_bgp_bind(const struct site *s, struct buf *b)
{
	buf_puts(b, "\"bgp\":{");
	jkey(b, "mode", bgp_mode_name(s->bgp.mode), true);
	buf_printf(b, "\"primary-metric\":%u,\"backup-metric\":%u,\"local-preference\":%u,"
		   "\"keepalive\":%u,\"holdtime\":%u,\"bfd\":%s,\"bfd-interval\":%u,"
		   "\"bfd-multiplier\":%u},\n\"bind\":{", s->bgp.primary_metric,
		   s->bgp.backup_metric, s->bgp.local_preference, s->bgp.keepalive, s->bgp.holdtime,
		   s->bgp.bfd ? "true" : "false", s->bgp.bfd_interval_ms, s->bgp.bfd_multiplier);
	jkey(b, "version", s->bind.version, true);
	buf_printf(b, "\"threads\":%s,\"internal-malloc\":%s,", s->bind.threads ? "true" : "false",
		   s->bind.internal_malloc ? "true" : "false");
	jkey(b, "prefix", s->bind.prefix, false);
	buf_puts(b, "},\n");
}

static void list_json(const struct site *s)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "{\"site\":{");
	jkey(&b, "name", s->name, true);
	jkey(&b, "file", site_file_name(s), true);
	buf_printf(&b, "\"asn\":%u},\n", s->asn);
	json_check(&s->check, &b);
	json_bgp_bind(s, &b);
	json_services(s, &b);
	json_balancers(s, &b);
	json_realservers(s, &b);
	buf_puts(&b, "}\n");
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
}

static const char list_options[] =
	"  --json                one JSON object (site, check, bgp, bind, services, balancers, realservers)\n"
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
