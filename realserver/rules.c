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

void kstate_init(struct kstate *k, int family)
{
	memset(k, 0, sizeof(*k));
	dnat_set_init(&k->rules);
	k->rules.family = family;
}

void kstate_free(struct kstate *k)
{
	dnat_set_free(&k->rules);
	for (size_t i = 0; i < k->nforeign; i++)
		free(k->foreign[i]);
	free(k->foreign);
	k->foreign = NULL;
	k->nforeign = 0;
}

void kstate_add_foreign(struct kstate *k, const char *fmt, ...)
{
	va_list ap;

	k->foreign = xreallocarray(k->foreign, k->nforeign + 1, sizeof(*k->foreign));
	va_start(ap, fmt);
	k->foreign[k->nforeign++] = xvasprintf(fmt, ap);
	va_end(ap);
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
	return !colon || parse_port(colon + 1, port);
}

struct parse_ctx {
	struct diags *d;
	int line;
	int family;
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

enum stage { BEFORE_TABLE, IN_TABLE, AFTER_COMMIT };

static void parse_line(struct parse_ctx *c, struct line *l, enum stage *st,
		       bool *chain, struct dnat_set *out)
{
	struct dnat_rule r;

	if (*st == BEFORE_TABLE) {
		if (is(l, 1, "*nat", NULL, NULL, NULL))
			*st = IN_TABLE;
		else
			diag_add(c->d, c->line, NULL, "expected '*nat' before any rule");
	} else if (*st == AFTER_COMMIT) {
		diag_add(c->d, c->line, NULL, "text after COMMIT");
	} else if (is(l, 1, "COMMIT", NULL, NULL, NULL)) {
		*st = AFTER_COMMIT;
	} else if (l->tok[0][0] == ':') {
		if (!is(l, 3, ":" RS_CHAIN, "-", "[0:0]", NULL))
			diag_add(c->d, c->line, "only our own chain is declared: ':" RS_CHAIN " - [0:0]'",
				 "unexpected chain declaration '%s'", l->tok[0]);
		*chain = true;
	} else if (is(l, 4, "-A", RS_HOOK_CHAIN, "-j", RS_CHAIN)) {
		if (out->jump)
			diag_add(c->d, c->line, NULL, "second jump from " RS_HOOK_CHAIN);
		out->jump = true;
	} else if (l->n >= 2 && !strcmp(l->tok[0], "-A") && !strcmp(l->tok[1], RS_CHAIN)) {
		if (!*chain)
			diag_add(c->d, c->line, NULL, "rule before ':" RS_CHAIN "'");
		else if (parse_rule(c, l, &r) == 0)
			dnat_set_add(out, &r);
	} else {
		diag_add(c->d, c->line, "rs-dnat reads only the rules cluster-gen writes",
			 "not a line of ours: '%s'", l->tok[0]);
	}
}

int dnat_parse(const char *text, size_t len, int family, struct dnat_set *out,
	       struct diags *d)
{
	struct parse_ctx c = { .d = d, .line = 0, .family = family };
	enum stage st = BEFORE_TABLE;
	bool chain = false;
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
			parse_line(&c, &l, &st, &chain, out);
		free(s);
	}
	if (st != AFTER_COMMIT)
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
