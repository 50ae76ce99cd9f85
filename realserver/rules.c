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
	for (int d = 0; d < NZONE_DIRS; d++)
		zone_list_free(&s->zones.rules[d]);
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

const struct zone_chain_names ZONE_CHAINS[NZONE_DIRS] = {
	[ZONE_IN] = { RS_ZONE_IN, RS_ZONE_IN_HOOK, "-i" },
	[ZONE_OUT] = { RS_ZONE_OUT, RS_ZONE_OUT_HOOK, "-o" },
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
	bool zone_chain[NZONE_DIRS];      /* ':LVSDNS-ZONE-IN' / '-OUT' seen */
	size_t raw_errors;                /* problems found before *raw */
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
static int collect_options(struct parse_ctx *c, const struct line *l, const char *val[NOPTS])
{
	for (size_t i = 2; i < l->n; i += 2) {
		const char *opt = l->tok[i];
		size_t o = 0;

		while (o < NOPTS && strcmp(opt, OPT_NAMES[o]))
			o++;
		if (o == NOPTS) {
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
	if (collect_options(c, l, val) < 0 || read_values(c, val, r) < 0)
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

/* "-A HOOK -j CHAIN": which direction's jump l is, or -1. */
static int zone_jump(const struct line *l)
{
	for (int d = 0; d < NZONE_DIRS; d++)
		if (is(l, 4, "-A", ZONE_CHAINS[d].hook, "-j", ZONE_CHAINS[d].chain))
			return d;
	return -1;
}

/* "-A CHAIN ...": which zone chain l appends to, or -1. */
static int zone_rule_chain(const struct line *l)
{
	for (int d = 0; d < NZONE_DIRS; d++)
		if (l->n >= 2 && !strcmp(l->tok[0], "-A") && !strcmp(l->tok[1], ZONE_CHAINS[d].chain))
			return d;
	return -1;
}

static void declare_zone_chain(struct parse_ctx *c, const struct line *l)
{
	for (int d = 0; d < NZONE_DIRS; d++) {
		if (l->n == 3 && !strcmp(l->tok[0] + 1, ZONE_CHAINS[d].chain) &&
		    !strcmp(l->tok[1], "-") && !strcmp(l->tok[2], "[0:0]")) {
			c->zone_chain[d] = true;
			return;
		}
	}
	diag_add(c->d, c->line, "only our own chains are declared: ':" RS_ZONE_IN " - [0:0]' and ':"
		 RS_ZONE_OUT " - [0:0]'", "unexpected chain declaration '%s'", l->tok[0]);
}

/* "-A CHAIN -i|-o IFACE -j CT --zone N", exactly; into r. */
static int read_zone_rule(struct parse_ctx *c, const struct line *l, enum zone_dir d,
			  struct zone_rule *r)
{
	const struct zone_chain_names *zc = &ZONE_CHAINS[d];
	const char *why;

	if (l->n != 8 || (strcmp(l->tok[2], "-i") && strcmp(l->tok[2], "-o")) ||
	    strcmp(l->tok[4], "-j") || strcmp(l->tok[5], "CT") || strcmp(l->tok[6], "--zone")) {
		diag_add(c->d, c->line, "rs-dnat reads only the rules cluster-gen writes",
			 "a rule in %s must be '-A %s %s IFACE -j CT --zone N'", zc->chain,
			 zc->chain, zc->opt);
		return -1;
	}
	if (strcmp(l->tok[2], zc->opt)) {
		diag_add(c->d, c->line, RS_ZONE_IN " (from " RS_ZONE_IN_HOOK ") sees arriving packets, "
			 "-i; " RS_ZONE_OUT " (from " RS_ZONE_OUT_HOOK ") leaving ones, -o",
			 "%s in %s: its rules match %s IFACE", l->tok[2], zc->chain, zc->opt);
		return -1;
	}
	if ((why = iface_problem(l->tok[3])) != NULL) {
		diag_add(c->d, c->line, NULL, "interface name '%s' %s", l->tok[3], why);
		return -1;
	}
	strcpy(r->iface, l->tok[3]);
	/* a zone is 1..65535 as a port is; iptables reads "01105" as octal */
	if (!parse_port(l->tok[7], &r->zone) || l->tok[7][0] == '0') {
		diag_add(c->d, c->line, !strcmp(l->tok[7], "0") ? "zone 0 is the default zone "
			 "that every interface shares" : l->tok[7][0] == '0' ? "iptables reads a "
			 "number with a leading 0 as octal" : NULL, "bad zone '%s' (1 to 65535)",
			 l->tok[7]);
		return -1;
	}
	return 0;
}

static const struct zone_rule *find_zone(const struct zone_list *l, const char *iface)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].iface, iface))
			return &l->v[i];
	return NULL;
}

static void parse_zone_rule(struct parse_ctx *c, const struct line *l, enum zone_dir d,
			    struct zone_set *z)
{
	struct zone_rule r = { .line = c->line };
	const struct zone_rule *prev;

	if (!c->zone_chain[d]) {
		diag_add(c->d, c->line, NULL, "rule before ':%s'", ZONE_CHAINS[d].chain);
	} else if (read_zone_rule(c, l, d, &r) < 0) {
		/* reported */
	} else if ((prev = find_zone(&z->rules[d], r.iface)) != NULL) {
		/* CT leaves a packet that already has a zone alone: the
		 * first rule would win and the second mean nothing */
		diag_add(c->d, c->line, "one rule per interface and direction",
			 "interface %s already has zone %u in %s (line %d)", r.iface,
			 prev->zone, ZONE_CHAINS[d].chain, prev->line);
	} else {
		zone_list_add(&z->rules[d], &r);
	}
}

/* A zone set on one direction only (or different ones) makes the
 * replies look for their query's conntrack entry in the wrong zone. */
static void cross_check_zones(struct parse_ctx *c, const struct zone_set *z)
{
	static const char hint[] = "both directions need the same zone, or replies miss "
				   "the conntrack entry of their query";

	for (int d = 0; d < NZONE_DIRS; d++) {
		const struct zone_list *mine = &z->rules[d], *other = &z->rules[1 - d];

		for (size_t i = 0; i < mine->n; i++) {
			const struct zone_rule *r = &mine->v[i], *o = find_zone(other, r->iface);

			if (!o)
				diag_add(c->d, r->line, hint, "interface %s has zone %u in %s but no "
					 "rule in %s", r->iface, r->zone, ZONE_CHAINS[d].chain,
					 ZONE_CHAINS[1 - d].chain);
			else if (d == ZONE_OUT && o->zone != r->zone)
				diag_add(c->d, r->line, hint, "interface %s has zone %u here but zone "
					 "%u in %s (line %d)", r->iface, r->zone, o->zone,
					 ZONE_CHAINS[ZONE_IN].chain, o->line);
		}
	}
}

/* At the *raw section's COMMIT: both chains, both jumps, same zones
 * (compared only when every zone rule could be read: a refused rule
 * would show up again as a zone missing on one side). */
static void raw_complete(struct parse_ctx *c, const struct zone_set *z)
{
	bool all_read = c->d->n == c->raw_errors;

	for (int d = 0; d < NZONE_DIRS; d++) {
		if (!c->zone_chain[d])
			diag_add(c->d, c->line, NULL, "no ':%s - [0:0]' line in the *raw section",
				 ZONE_CHAINS[d].chain);
		if (!z->jump[d])
			diag_add(c->d, c->line, NULL, "no '-A %s -j %s' line in the *raw section",
				 ZONE_CHAINS[d].hook, ZONE_CHAINS[d].chain);
	}
	if (all_read)
		cross_check_zones(c, z);
}

static void parse_raw_line(struct parse_ctx *c, struct line *l, struct zone_set *z)
{
	int d;

	if (is_commit(l)) {
		raw_complete(c, z);
		c->st = AFTER_RAW;
	} else if (l->tok[0][0] == ':') {
		declare_zone_chain(c, l);
	} else if ((d = zone_jump(l)) >= 0) {
		if (z->jump[d])
			diag_add(c->d, c->line, NULL, "second jump from %s", ZONE_CHAINS[d].hook);
		z->jump[d] = true;
	} else if ((d = zone_rule_chain(l)) >= 0) {
		parse_zone_rule(c, l, (enum zone_dir)d, z);
	} else if (l->tok[0][0] == '*') {
		diag_add(c->d, c->line, NULL, "'%s' before the *raw section's COMMIT", l->tok[0]);
	} else {
		diag_add(c->d, c->line, "the *raw section holds only our two zone chains, their "
			 "jumps and '-A " RS_ZONE_IN " -i IFACE -j CT --zone N' rules",
			 "not a line of ours: '%s'", l->tok[0]);
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
		c->raw_errors = c->d->n;
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
