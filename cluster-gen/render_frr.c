/* DIR/balancers/<lb>/frr.conf (FRRouting 8.4), the VIP guard's list
 * DIR/balancers/<lb>/vips, the ifupdown stanza that creates the VIP
 * interface at boot, DIR/balancers/<lb>/interfaces.d/<interface>, and
 * keepalived's systemd drop-in that withdraws the VIPs when it stops,
 * DIR/balancers/<lb>/keepalived.service.d/lvsdns-vip-guard.conf.
 *
 * Each balancer redistributes the connected routes of its VIP interface
 * through one outbound route-map: one permit clause per prefix-list, one
 * prefix-list per family and role (primary, backup; or anycast), setting
 * local-preference and MED. Anything else connected is denied by the
 * route-map's implicit final deny, and inbound everything is denied.
 * Each prefix-list entry is numbered by its VIP alone (frr_seq.h), so a
 * reload for a VIP that comes, goes or moves touches no other VIP's line.
 * The rendered frr.conf is checked for undefined references (frr_refs.c). */
#include "render.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "frr_refs.h"
#include "frr_seq.h"

enum role { ROLE_PRIMARY, ROLE_BACKUP, ROLE_ANYCAST };

static const char *const role_name[] = { "primary", "backup", "anycast" };

/* What the outbound route-map says about each role, for the comments. */
static const char *const role_doc[] = {
	"primary VIPs: announced with the low metric, so routers prefer this balancer",
	"backup VIPs: announced with the high metric, used when the primary is gone",
	"anycast VIPs: announced with one metric by every balancer (ECMP)",
};

struct frr_view {
	const struct site *s;
	const struct balancer *b;
	char *prefix;          /* "<site>-<lb>", the stem of every name */
};

static enum role role_of(const struct frr_view *v, size_t si)
{
	if (v->s->bgp.mode == BGP_ANYCAST)
		return ROLE_ANYCAST;
	return balancer_is_primary(v->b, si) ? ROLE_PRIMARY : ROLE_BACKUP;
}

static unsigned metric_of(const struct site *s, enum role r)
{
	return r == ROLE_BACKUP ? s->bgp.backup_metric : s->bgp.primary_metric;
}

/* Carried services with a VIP of this family (4 or 6) and role, in site order. */
static size_t count_vips(const struct frr_view *v, int version, enum role r)
{
	size_t n = 0;

	for (size_t i = 0; i < v->s->nservices; i++)
		if (balancer_carries(v->b, i) && addr_version(&v->s->services[i].vip) == version &&
		    role_of(v, i) == r)
			n++;
	return n;
}

/* The route-map clause of a family and role has one number whatever else
 * the balancer carries: IPv4 10 (primary, anycast) and 20 (backup), IPv6
 * 30 and 40. Numbered by position, a clause would change number when one
 * before it comes or goes (a service switching its primary balancer, the
 * last backup VIP of a family removed), and frr-reload.py applies such a
 * change line by line: its deletions first, leaving clauses with no match,
 * which permit every connected route, and a VIP matched by no clause,
 * withdrawn, until its additions run. */
static unsigned clause_seq_of(int version, enum role r)
{
	return (version == 4 ? 10u : 30u) + (r == ROLE_BACKUP ? 10u : 0u);
}

/* An entry of a prefix-list: a VIP and its own sequence number. */
struct pl_entry {
	uint32_t seq;
	struct addr vip;
};

static int by_seq(const void *x, const void *y)
{
	const struct pl_entry *a = x, *b = y;

	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return addr_cmp(&a->vip, &b->vip);   /* one number twice: refused by the check */
}

/* The entries of the list of this family and role, in the order FRR
 * evaluates them (by number), so the file reads as `show running-config`
 * prints it. The site check refuses two VIPs of one number. */
static struct pl_entry *list_entries(const struct frr_view *v, int version, enum role r,
				     size_t *n)
{
	struct pl_entry *e = xreallocarray(NULL, count_vips(v, version, r), sizeof(*e));

	*n = 0;
	for (size_t i = 0; i < v->s->nservices; i++) {
		const struct addr *vip = &v->s->services[i].vip;

		if (balancer_carries(v->b, i) && addr_version(vip) == version && role_of(v, i) == r)
			e[(*n)++] = (struct pl_entry){ frr_vip_seq(vip), *vip };
	}
	qsort(e, *n, sizeof(*e), by_seq);
	return e;
}

static void add_prefix_list(const struct frr_view *v, int version, enum role r,
			    struct tpl_ctx *root)
{
	const char *family = version == 4 ? "ip" : "ipv6";
	char *name = xasprintf("%s-%s-vips-v%d", v->prefix, role_name[r], version);
	struct tpl_ctx *pl = tpl_add(root, "prefix_lists"), *c;
	char p[PREFIX_STRLEN];
	size_t n;
	struct pl_entry *e = list_entries(v, version, r, &n);

	tpl_set(pl, "name", name);
	tpl_set(pl, "family", family);
	tpl_setf(pl, "doc", "%s", role_doc[r]);
	for (size_t i = 0; i < n; i++) {
		struct prefix host = { e[i].vip, addr_maxlen(&e[i].vip) };
		struct tpl_ctx *t = tpl_add(pl, "entries");

		tpl_setf(t, "seq", "%" PRIu32, e[i].seq);
		tpl_set(t, "prefix", prefix_str(&host, p));
	}
	tpl_setf(pl, "deny_seq", "%" PRIu32, FRR_SEQ_DENY_ANY);
	free(e);

	c = tpl_add(root, "clauses");
	tpl_setf(c, "seq", "%u", clause_seq_of(version, r));
	tpl_set(c, "family", family);
	tpl_set(c, "prefix_list", name);
	tpl_setf(c, "local_preference", "%u", v->s->bgp.local_preference);
	tpl_setf(c, "metric", "%u", metric_of(v->s, r));
	tpl_setf(c, "doc", "IPv%d %s", version, role_doc[r]);
	free(name);
}

/* The address family of this version, with the neighbors of that family
 * only: bgpd would take an IPv4 neighbor in ipv6 unicast too, but its IPv6
 * routes would carry an IPv4-mapped next hop the routers cannot use. */
static void add_address_family(const struct frr_view *v, int version, struct tpl_ctx *root)
{
	struct tpl_ctx *af = tpl_add(root, "address_families");
	char a[ADDR_STRLEN];

	tpl_set(af, "afi", version == 4 ? "ipv4" : "ipv6");
	tpl_setf(af, "version", "%d", version);
	for (size_t i = 0; i < v->b->nneighbors; i++) {
		const struct addr *n = &v->b->neighbors[i].address;

		if (addr_version(n) == version)
			tpl_set(tpl_add(af, "af_neighbors"), "address", addr_str(n, a));
	}
}

/* Prefix-lists, route-map clauses and address families, IPv4 first. */
static void add_policy(const struct frr_view *v, struct tpl_ctx *root)
{
	static const enum role as_roles[] = { ROLE_PRIMARY, ROLE_BACKUP };
	static const enum role any_roles[] = { ROLE_ANYCAST };
	bool anycast = v->s->bgp.mode == BGP_ANYCAST;
	const enum role *roles = anycast ? any_roles : as_roles;
	size_t nroles = anycast ? 1 : 2;

	for (int version = 4; version <= 6; version += 2) {
		bool any = false;
		for (size_t i = 0; i < nroles; i++) {
			if (count_vips(v, version, roles[i]) == 0)
				continue;
			add_prefix_list(v, version, roles[i], root);
			any = true;
		}
		if (any)
			add_address_family(v, version, root);
	}
}

static void add_neighbors(const struct frr_view *v, struct tpl_ctx *root)
{
	const struct bgp *g = &v->s->bgp;
	bool any_bfd = false;
	char a[ADDR_STRLEN];

	for (size_t i = 0; i < v->b->nneighbors; i++) {
		const struct neighbor *n = &v->b->neighbors[i];
		struct tpl_ctx *c = tpl_add(root, "neighbors");
		bool bfd = g->bfd && n->bfd;

		tpl_set(c, "address", addr_str(&n->address, a));
		tpl_setf(c, "remote_as", "%u", n->remote_as ? n->remote_as : v->s->asn);
		tpl_set_bool(c, "has_description", n->description && *n->description);
		tpl_set(c, "description", n->description ? n->description : "");
		tpl_set_bool(c, "bfd", bfd);
		any_bfd |= bfd;
	}
	tpl_set_bool(root, "bfd", any_bfd);
	/* one profile per file: a fixed short name stays within FRR's
	 * 64 characters whatever the site and balancer are called */
	tpl_set(root, "bfd_profile", "lvsdns");
	tpl_setf(root, "bfd_interval", "%u", g->bfd_interval_ms);
	tpl_setf(root, "bfd_multiplier", "%u", g->bfd_multiplier);
}

static struct tpl_ctx *frr_context(const struct frr_view *v)
{
	const struct site *s = v->s;
	struct tpl_ctx *root = tpl_ctx_new();
	char a[ADDR_STRLEN];

	tpl_set(root, "site", s->name);
	tpl_set(root, "site_file", site_file_name(s));
	tpl_set(root, "balancer", v->b->name);
	tpl_set(root, "mode", bgp_mode_name(s->bgp.mode));
	tpl_set(root, "mode_doc", s->bgp.mode == BGP_ANYCAST
		? "every balancer announces every VIP it carries with one metric."
		: "primary VIPs with the low metric, the others with the high one.");
	tpl_setf(root, "asn", "%u", s->asn);
	tpl_set(root, "router_id", addr_str(&v->b->router_id, a));
	tpl_setf(root, "keepalive", "%u", s->bgp.keepalive);
	tpl_setf(root, "holdtime", "%u", s->bgp.holdtime);
	tpl_setf(root, "route_map_in", "%s-accept-nothing", v->prefix);
	tpl_setf(root, "route_map_out", "%s-announce-vips", v->prefix);
	tpl_setf(root, "vty_access_list", "%s-vty-from-localhost", v->prefix);
	add_policy(v, root);
	add_neighbors(v, root);
	return root;
}

/* A template override can break references that FRR would accept silently. */
static int check_refs(const char *path, const char *text, struct buf *err)
{
	struct diags d;
	size_t n;

	diags_init(&d, path);
	n = frr_check_refs(text, &d);
	for (size_t i = 0; i < d.n; i++)
		buf_printf(err, "%s:%d: %s (%s)\n", path, d.v[i].line, d.v[i].message,
			   d.v[i].hint);
	diags_free(&d);
	return n ? -1 : 0;
}

/* The list of VIPs for the guard, and the same addresses for the boot stanza. */
static struct tpl_ctx *vips_context(const struct frr_view *v)
{
	struct tpl_ctx *root = tpl_ctx_new();
	char a[ADDR_STRLEN];

	tpl_set(root, "site", v->s->name);
	tpl_set(root, "site_file", site_file_name(v->s));
	tpl_set(root, "balancer", v->b->name);
	tpl_set(root, "interface", v->b->vip_interface);
	tpl_set(root, "vip_guard", v->s->vip_guard_path);
	for (size_t i = 0; i < v->s->nservices; i++) {
		struct tpl_ctx *e;

		if (!balancer_carries(v->b, i))
			continue;
		e = tpl_add(root, "vips");
		tpl_set(e, "address", addr_str(&v->s->services[i].vip, a));
		tpl_set(e, "service", v->s->services[i].name);
		tpl_set(e, "role", role_name[role_of(v, i)]);
	}
	return root;
}

static int render_balancer(const struct frr_view *v, struct templates *t, struct files *out,
			   struct buf *err)
{
	struct tpl_ctx *c = frr_context(v);
	char *path = xasprintf("balancers/%s/frr.conf", v->b->name);
	struct buf text;
	size_t len;
	int rc;

	/* checked before it is added: the tree may be written as files arrive */
	buf_init(&text);
	rc = render_template_text(t, "frr.conf.mustache", c, &text, err);
	if (rc == 0)
		rc = check_refs(path, text.data ? text.data : "", err);
	len = text.len;
	if (rc == 0)
		files_add(out, path, buf_steal(&text), len, 0640);
	buf_free(&text);
	tpl_ctx_free(c);
	free(path);
	if (rc != 0)
		return rc;

	c = vips_context(v);
	path = xasprintf("balancers/%s/vips", v->b->name);
	rc = render_template_file(t, "vips.mustache", c, out, path, 0644, err);
	free(path);
	path = xasprintf("balancers/%s/interfaces.d/%s", v->b->name, v->b->vip_interface);
	if (rc == 0)
		rc = render_template_file(t, "vip-interface.ifupdown.mustache", c, out, path,
					  0644, err);
	free(path);
	/* keepalived's stop hook: withdraws the VIPs whenever keepalived is gone */
	path = xasprintf("balancers/%s/keepalived.service.d/lvsdns-vip-guard.conf", v->b->name);
	if (rc == 0)
		rc = render_template_file(t, "vip-interface.keepalived-dropin.mustache", c, out,
					  path, 0644, err);
	free(path);
	tpl_ctx_free(c);
	return rc;
}

int render_frr(const struct site *s, struct templates *t, struct files *out, struct buf *err)
{
	for (size_t i = 0; i < s->nbalancers; i++) {
		struct frr_view v = { s, &s->balancers[i], NULL };
		int rc;

		v.prefix = xasprintf("%s-%s", s->name, v.b->name);
		rc = render_balancer(&v, t, out, err);
		free(v.prefix);
		if (rc != 0)
			return -1;
	}
	return 0;
}
