#include "rules.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void dnat_set_init(struct dnat_set *s)
{
	memset(s, 0, sizeof(*s));
}

void dnat_set_free(struct dnat_set *s)
{
	free(s->v);
	zone_list_free(&s->zones.rules);
	dnat_set_init(s);
}

void dnat_set_add(struct dnat_set *s, const struct dnat_rule *r)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->v[s->n++] = *r;
}

const struct zone_old_chain ZONE_OLD[NZONE_OLD] = {
	[ZONE_OLD_IN] = { RS_ZONE_OLD_IN, "PREROUTING" },
	[ZONE_OLD_OUT] = { RS_ZONE_OLD_OUT, "OUTPUT" },
};

void zone_list_add(struct zone_list *l, const struct zone_rule *r)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = *r;
}

void zone_list_free(struct zone_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---- parsing ---- */

#define MAX_TOKENS 32

struct line {
	char *tok[MAX_TOKENS];
	size_t n;
};

static bool split(char *s, struct line *l)
{
	char *save = NULL;

	l->n = 0;
	for (char *t = strtok_r(s, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
		if (l->n == MAX_TOKENS)
			return false;
		l->tok[l->n++] = t;
	}
	return true;
}

/* Only names the kernel can match exactly: no wildcard '+', no '/' and at
 * most IFNAMSIZ-1 bytes (the kernel's buffer keeps one for the NUL). */
static const char *iface_problem(const char *name)
{
	if (*name == '\0')
		return "is empty";
	if (strlen(name) > IFNAMSIZ - 1)
		return "is longer than 15 bytes (IFNAMSIZ-1); the kernel cannot have such an interface";
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_'))
			return "has a character other than letters, digits, '.', '-', '_'";
	return NULL;
}

static bool parse_port(const char *s, uint16_t *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return false;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v == 0 || v > 65535)
		return false;
	*out = (uint16_t)v;
	return true;
}

/* "10.1.53.2", "10.1.53.2:53", "[2001:db8::2]:53" or "2001:db8::2". */
static bool parse_to(const char *s, struct addr *a, uint16_t *port)
{
	char host[ADDR_STRLEN + 1];
	const char *colon = NULL, *start = s;
	size_t n;

	*port = 0;
	if (*s == '[') {
		const char *close = strchr(s, ']');
		if (!close || (close[1] != '\0' && close[1] != ':'))
			return false;
		start = s + 1;
		n = (size_t)(close - start);
		colon = close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL; /* a bare IPv6 address */
		n = colon ? (size_t)(colon - s) : strlen(s);
	}
	if (n == 0 || n > ADDR_STRLEN)
		return false;
	memcpy(host, start, n);
	host[n] = '\0';
	if (!addr_parse(host, a))
		return false;
	/* iptables reads the port after the address as octal when it starts
	 * with 0 (":053" is 43), though --dport 053 is 53 */
	return !colon || (colon[1] != '0' && parse_port(colon + 1, port));
}

/* Where the parser is: an optional *raw section, then the *nat section. */
enum stage { START, IN_RAW, AFTER_RAW, IN_NAT, DONE };

struct parse_ctx {
	struct diags *d;
	int line;
	int family;
	enum stage st;
	bool nat_chain;                   /* ':LVSDNS-PRE' seen */
	bool zone_chain;                  /* ':LVSDNS-ZONE' seen */
	bool old_zones;                   /* an older render's zone chains seen */
};

static bool family_ok(struct parse_ctx *c, const struct addr *a, const char *what)
{
	if (c->family == 0)
		c->family = a->family;
	if (a->family == c->family)
		return true;
	diag_add(c->d, c->line, "keep IPv4 rules in dnat.rules and IPv6 rules in dnat6.rules",
		 "%s is IPv%d in an IPv%d rule set", what, addr_version(a),
		 c->family == AF_INET ? 4 : 6);
	return false;
}

/* The options of a rule after "-A LVSDNS-PRE", in any order. */
enum opt { O_SRC, O_DST, O_IFACE, O_PROTO, O_MATCH, O_DPORT, O_JUMP, O_TO, NOPTS };
static const char *const OPT_NAMES[NOPTS] = {
	"-s", "-d", "-i", "-p", "-m", "--dport", "-j", "--to-destination",
};

/* Each option's value (NULL: not given). A repeat is refused as
 * iptables-restore refuses it ("multiple -d flags not allowed"): taking the
 * last one would make rs-dnat install what the file's own loader rejects. */
static int collect_options(struct parse_ctx *c, const struct line *l, const char *const names[],
			   size_t nnames, const char *val[])
{
	for (size_t i = 2; i < l->n; i += 2) {
		const char *opt = l->tok[i];
		size_t o = 0;

		while (o < nnames && strcmp(opt, names[o]))
			o++;
		if (o == nnames) {
			diag_add(c->d, c->line, "rs-dnat reads only the rules cluster-gen writes",
				 "unsupported option '%s'", opt);
			return -1;
		}
		if (i + 1 >= l->n) {
			diag_add(c->d, c->line, NULL, "option %s has no value", opt);
			return -1;
		}
		if (val[o]) {
			diag_add(c->d, c->line, "iptables-restore refuses a repeated option too",
				 "option %s given more than once", opt);
			return -1;
		}
		val[o] = l->tok[i + 1];
	}
	return 0;
}

/* -s and -d, those given. */
static int read_addresses(struct parse_ctx *c, const char *const val[NOPTS], struct dnat_rule *r)
{
	struct prefix d;

	if (val[O_SRC]) {
		if (!prefix_parse(val[O_SRC], &r->src) || !family_ok(c, &r->src.addr, val[O_SRC])) {
			diag_add(c->d, c->line, NULL, "bad source network '%s'", val[O_SRC]);
			return -1;
		}
		prefix_network(&r->src, &r->src); /* the kernel keeps it masked */
	}
	if (val[O_DST]) {
		if (!prefix_parse(val[O_DST], &d) || d.len != addr_maxlen(&d.addr) ||
		    !family_ok(c, &d.addr, val[O_DST])) {
			diag_add(c->d, c->line, NULL, "bad destination '%s' (a VIP: one host address)",
				 val[O_DST]);
			return -1;
		}
		r->dst = d.addr;
	}
	return 0;
}

/* -i, --dport and --to-destination, those given. */
static int read_values(struct parse_ctx *c, const char *const val[NOPTS], struct dnat_rule *r)
{
	const char *why;

	if (read_addresses(c, val, r) < 0)
		return -1;
	if (val[O_IFACE] && (why = iface_problem(val[O_IFACE])) != NULL) {
		diag_add(c->d, c->line, NULL, "interface name '%s' %s", val[O_IFACE], why);
		return -1;
	}
	if (val[O_IFACE])
		strcpy(r->iface, val[O_IFACE]);
	if (val[O_DPORT] && !parse_port(val[O_DPORT], &r->dport)) {
		diag_add(c->d, c->line, NULL, "bad port '%s'", val[O_DPORT]);
		return -1;
	}
	if (val[O_TO] && (!parse_to(val[O_TO], &r->to, &r->to_port) ||
			  !family_ok(c, &r->to, val[O_TO]))) {
		diag_add(c->d, c->line, NULL, "bad --to-destination '%s'", val[O_TO]);
		return -1;
	}
	return 0;
}

/* -p, -m and -j, and that nothing a rule needs is missing. */
static int read_kind(struct parse_ctx *c, const char *const val[NOPTS], struct dnat_rule *r)
{
	const char *p = val[O_PROTO], *m = val[O_MATCH], *j = val[O_JUMP];

	if (!p || (strcmp(p, "udp") && strcmp(p, "tcp"))) {
		diag_add(c->d, c->line, NULL, "-p must be udp or tcp");
		return -1;
	}
	r->proto = !strcmp(p, "udp") ? IPPROTO_UDP : IPPROTO_TCP;
	if (m && strcmp(m, p)) {
		diag_add(c->d, c->line, NULL, "-m %s does not match -p %s", m, p);
		return -1;
	}
	if (!j || strcmp(j, "DNAT")) {
		diag_add(c->d, c->line, NULL, "rules in %s must be -j DNAT", RS_CHAIN);
		return -1;
	}
	if (!val[O_DST] || !val[O_IFACE] || !val[O_DPORT] || !val[O_TO]) {
		diag_add(c->d, c->line, NULL, "a rule needs -d, -i, --dport and --to-destination");
		return -1;
	}
	return 0;
}

/* Options after "-A LVSDNS-PRE", in any order; each at most once. */
static int parse_rule(struct parse_ctx *c, struct line *l, struct dnat_rule *r)
{
	const char *val[NOPTS] = { NULL };

	memset(r, 0, sizeof(*r));
	if (collect_options(c, l, OPT_NAMES, NOPTS, val) < 0 || read_values(c, val, r) < 0)
		return -1;
	return read_kind(c, val, r);
}

static bool is(const struct line *l, size_t n, const char *a, const char *b,
	       const char *c4, const char *d4)
{
	const char *want[4] = { a, b, c4, d4 };

	if (l->n != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(l->tok[i], want[i]))
			return false;
	return true;
}

static bool is_commit(const struct line *l)
{
	return is(l, 1, "COMMIT", NULL, NULL, NULL);
}

/* ---- the *raw section: conntrack zones ---- */

/* The options of a rule after "-A LVSDNS-ZONE", in any order; those
 * after --zone-orig are refused with a reason. */
enum zopt { Z_DST, Z_IFACE, Z_JUMP, Z_ZONE_ORIG, Z_ZONE, Z_ZONE_REPLY, NZOPTS };
static const char *const ZOPT_NAMES[NZOPTS] = {
	"-d", "-i", "-j", "--zone-orig", "--zone", "--zone-reply",
};

/* Whether l names a zone chain of an older cluster-gen; the name. */
static const char *old_zone_name(const struct line *l)
{
	for (size_t i = 0; i < l->n; i++)
		for (int o = 0; o < NZONE_OLD; o++)
			if (!strcmp(l->tok[i] + (l->tok[i][0] == ':'), ZONE_OLD[o].chain))
				return ZONE_OLD[o].chain;
	return NULL;
}

/* -d VIP and -i IFACE into r. */
static int read_zone_match(struct parse_ctx *c, const char *const val[NZOPTS],
			   struct zone_rule *r)
{
	struct prefix d;
	const char *why;

	if (!prefix_parse(val[Z_DST], &d) || d.len != addr_maxlen(&d.addr) ||
	    !family_ok(c, &d.addr, val[Z_DST])) {
		diag_add(c->d, c->line, NULL, "bad destination '%s' (a VIP: one host address)",
			 val[Z_DST]);
		return -1;
	}
	r->dst = d.addr;
	if ((why = iface_problem(val[Z_IFACE])) != NULL) {
		diag_add(c->d, c->line, NULL, "interface name '%s' %s", val[Z_IFACE], why);
		return -1;
	}
	strcpy(r->iface, val[Z_IFACE]);
	return 0;
}

/* "-A LVSDNS-ZONE -d VIP/32 -i IFACE -j CT --zone-orig N", options in any
 * order; into r. */
static int read_zone_rule(struct parse_ctx *c, const struct line *l, struct zone_rule *r)
{
	const char *val[NZOPTS] = { NULL }, *z;

	if (collect_options(c, l, ZOPT_NAMES, NZOPTS, val) < 0)
		return -1;
	if (val[Z_ZONE] || val[Z_ZONE_REPLY]) {
		diag_add(c->d, c->line, "a zone for the replies too would take the host's own "
			 "flows out through a VLAN away from the default zone, where the firewall "
			 "has their entries", "%s: rules in " RS_ZONE " set the zone of the "
			 "original direction only, with --zone-orig N",
			 val[Z_ZONE] ? "--zone" : "--zone-reply");
		return -1;
	}
	if (!val[Z_JUMP] || strcmp(val[Z_JUMP], "CT")) {
		diag_add(c->d, c->line, NULL, "rules in " RS_ZONE " must be -j CT");
		return -1;
	}
	if (!val[Z_DST] || !val[Z_IFACE] || !val[Z_ZONE_ORIG]) {
		diag_add(c->d, c->line, "'-A " RS_ZONE " -d VIP -i IFACE -j CT --zone-orig N'",
			 "a rule in " RS_ZONE " needs -d, -i and --zone-orig");
		return -1;
	}
	if (read_zone_match(c, val, r) < 0)
		return -1;
	/* a zone is 1..65535 as a port is; iptables reads "01105" as octal */
	z = val[Z_ZONE_ORIG];
	if (!parse_port(z, &r->zone) || z[0] == '0') {
		diag_add(c->d, c->line, !strcmp(z, "0") ? "zone 0 is the default zone "
			 "that every interface shares" : z[0] == '0' ? "iptables reads a "
			 "number with a leading 0 as octal" : NULL, "bad zone '%s' (1 to 65535)", z);
		return -1;
	}
	return 0;
}

/* The first rule before r that r cannot stand beside, reported: the same
 * interface and VIP again, another zone for the interface, or its zone
 * on another interface. */
static bool zone_conflict(struct parse_ctx *c, const struct zone_list *l,
			  const struct zone_rule *r)
{
	char a[ADDR_STRLEN];

	for (size_t i = 0; i < l->n; i++) {
		const struct zone_rule *p = &l->v[i];
		bool same_if = !strcmp(p->iface, r->iface);

		if (same_if && addr_eq(&p->dst, &r->dst)) {
			/* CT leaves a packet that already has a zone alone */
			diag_add(c->d, c->line, "only the first rule would count",
				 "interface %s already has a rule for %s (line %d)", r->iface,
				 addr_str(&r->dst, a), p->line);
		} else if (same_if && p->zone != r->zone) {
			diag_add(c->d, c->line, "one zone per VLAN interface",
				 "interface %s has zone %u here but zone %u on line %d", r->iface,
				 r->zone, p->zone, p->line);
		} else if (!same_if && p->zone == r->zone) {
			diag_add(c->d, c->line, "two VLANs must never share a zone: their "
				 "conntrack entries would meet again", "zone %u is already "
				 "interface %s's (line %d), not %s's", r->zone, p->iface, p->line,
				 r->iface);
		} else {
			continue;
		}
		return true;
	}
	return false;
}

static void parse_zone_rule(struct parse_ctx *c, const struct line *l, struct zone_set *z)
{
	struct zone_rule r = { .line = c->line };

	if (!c->zone_chain)
		diag_add(c->d, c->line, NULL, "rule before ':" RS_ZONE "'");
	else if (read_zone_rule(c, l, &r) == 0 && !zone_conflict(c, &z->rules, &r))
		zone_list_add(&z->rules, &r);
}

/* At the *raw section's COMMIT: the chain and its jump (not asked for
 * when the section is an older render's, refused as a whole). */
static void raw_complete(struct parse_ctx *c, const struct zone_set *z)
{
	if (c->old_zones)
		return;
	if (!c->zone_chain)
		diag_add(c->d, c->line, NULL, "no ':" RS_ZONE " - [0:0]' line in the *raw section");
	if (!z->jump)
		diag_add(c->d, c->line, NULL, "no '-A " RS_ZONE_HOOK " -j " RS_ZONE "' line in "
			 "the *raw section");
}

static void parse_raw_line(struct parse_ctx *c, struct line *l, struct zone_set *z)
{
	const char *old;

	if (is_commit(l)) {
		raw_complete(c, z);
		c->st = AFTER_RAW;
	} else if ((old = old_zone_name(l)) != NULL) {
		/* once: the whole section is an older render's */
		if (!c->old_zones)
			diag_add(c->d, c->line, "render the rules again with this cluster-gen: "
				 "zones now cover only the flows to a VIP, in one chain " RS_ZONE,
				 "%s is the zone chain of an older cluster-gen", old);
		c->old_zones = true;
	} else if (l->tok[0][0] == ':') {
		if (!is(l, 3, ":" RS_ZONE, "-", "[0:0]", NULL))
			diag_add(c->d, c->line, "only our own chain is declared: ':" RS_ZONE
				 " - [0:0]'", "unexpected chain declaration '%s'", l->tok[0]);
		c->zone_chain = true;
	} else if (is(l, 4, "-A", RS_ZONE_HOOK, "-j", RS_ZONE)) {
		if (z->jump)
			diag_add(c->d, c->line, NULL, "second jump from " RS_ZONE_HOOK);
		z->jump = true;
	} else if (l->n >= 2 && !strcmp(l->tok[0], "-A") && !strcmp(l->tok[1], RS_ZONE)) {
		parse_zone_rule(c, l, z);
	} else if (l->tok[0][0] == '*') {
		diag_add(c->d, c->line, NULL, "'%s' before the *raw section's COMMIT", l->tok[0]);
	} else {
		diag_add(c->d, c->line, "the *raw section holds only ':" RS_ZONE " - [0:0]', '-A "
			 RS_ZONE_HOOK " -j " RS_ZONE "' and '-A " RS_ZONE " -d VIP -i IFACE -j CT "
			 "--zone-orig N' rules", "not a line of ours: '%s'", l->tok[0]);
	}
}

/* ---- the sections and the file ---- */

static void parse_nat_line(struct parse_ctx *c, struct line *l, struct dnat_set *out)
{
	struct dnat_rule r;

	if (is_commit(l)) {
		c->st = DONE;
	} else if (l->tok[0][0] == ':') {
		if (!is(l, 3, ":" RS_CHAIN, "-", "[0:0]", NULL))
			diag_add(c->d, c->line, "only our own chain is declared: ':" RS_CHAIN " - [0:0]'",
				 "unexpected chain declaration '%s'", l->tok[0]);
		c->nat_chain = true;
	} else if (is(l, 4, "-A", RS_HOOK_CHAIN, "-j", RS_CHAIN)) {
		if (out->jump)
			diag_add(c->d, c->line, NULL, "second jump from " RS_HOOK_CHAIN);
		out->jump = true;
	} else if (l->n >= 2 && !strcmp(l->tok[0], "-A") && !strcmp(l->tok[1], RS_CHAIN)) {
		if (!c->nat_chain)
			diag_add(c->d, c->line, NULL, "rule before ':" RS_CHAIN "'");
		else if (parse_rule(c, l, &r) == 0)
			dnat_set_add(out, &r);
	} else {
		diag_add(c->d, c->line, "rs-dnat reads only the rules cluster-gen writes",
			 "not a line of ours: '%s'", l->tok[0]);
	}
}

/* "*raw" (only first) or "*nat". */
static void parse_table_start(struct parse_ctx *c, struct line *l, struct dnat_set *out)
{
	if (is(l, 1, "*nat", NULL, NULL, NULL)) {
		c->st = IN_NAT;
	} else if (c->st == START && is(l, 1, "*raw", NULL, NULL, NULL)) {
		c->st = IN_RAW;
		out->zones.wanted = true;
	} else if (c->st == START) {
		diag_add(c->d, c->line, NULL, "expected '*nat' (or '*raw' before it) before any rule");
	} else {
		diag_add(c->d, c->line, NULL, "expected '*nat' after the *raw section");
	}
}

static void parse_line(struct parse_ctx *c, struct line *l, struct dnat_set *out)
{
	switch (c->st) {
	case START:
	case AFTER_RAW:
		parse_table_start(c, l, out);
		break;
	case IN_RAW:
		parse_raw_line(c, l, &out->zones);
		break;
	case IN_NAT:
		parse_nat_line(c, l, out);
		break;
	case DONE:
		diag_add(c->d, c->line, is(l, 1, "*raw", NULL, NULL, NULL)
			 ? "the *raw section comes before *nat, as cluster-gen writes it" : NULL,
			 "text after COMMIT");
		break;
	}
}

int dnat_parse(const char *text, size_t len, int family, struct dnat_set *out,
	       struct diags *d)
{
	struct parse_ctx c = { .d = d, .line = 0, .family = family, .st = START };
	size_t start = 0, before = d->n;

	dnat_set_init(out);
	while (start < len) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t n = end - start;
		char *s = xmalloc(n + 1);
		struct line l;

		memcpy(s, text + start, n);
		s[n] = '\0';
		c.line++;
		start = end + 1;
		if (strlen(s) != n)
			diag_add(d, c.line, NULL, "NUL byte in line");
		else if (!split(s, &l))
			diag_add(d, c.line, NULL, "too many words");
		else if (l.n > 0 && l.tok[0][0] != '#')
			parse_line(&c, &l, out);
		free(s);
	}
	if (c.st == AFTER_RAW)
		diag_add(d, 0, NULL, "no '*nat' section after the *raw section");
	else if (c.st != DONE)
		diag_add(d, 0, NULL, "no COMMIT line: the file is cut short or not ours");
	if (!out->jump && d->n == before)
		diag_add(d, 0, NULL, "no '-A " RS_HOOK_CHAIN " -j " RS_CHAIN "' line");
	/* A file without rules names no address, so nothing says which table
	 * it is for; guessing IPv4 once flushed the IPv4 chain with an empty
	 * dnat6.rules. */
	if (c.family == 0 && d->n == before)
		diag_add(d, 0, "give -4 or -6 to say which nat table it is for",
			 "the file has no rules, so its address family is unknown");
	out->family = c.family;
	if (d->n != before) {
		dnat_set_free(out);
		return -1;
	}
	return 0;
}
