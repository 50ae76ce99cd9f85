#include "frr_refs.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* Kinds of named objects; prefix-lists and access-lists exist per family. */
enum kind { ROUTE_MAP, PREFIX_LIST_V4, PREFIX_LIST_V6, ACCESS_LIST_V4, ACCESS_LIST_V6, NKINDS };

static const char *const kind_name[NKINDS] = {
	"route-map", "ip prefix-list", "ipv6 prefix-list", "access-list", "ipv6 access-list",
};

static const char *const kind_hint[NKINDS] = {
	"FRR accepts the reference and then denies every route through it",
	"FRR accepts the reference and the match then never succeeds",
	"FRR accepts the reference and the match then never succeeds",
	"FRR accepts the reference and the missing list then matches nothing",
	"FRR accepts the reference and the missing list then matches nothing",
};

struct name_ref {
	enum kind kind;
	char *name;
	int line;
};

struct refs {
	struct name_ref *defs, *uses;
	size_t ndefs, nuses;
	bool in_ipv6_af;      /* inside "address-family ipv6 ..." */
};

#define MAX_TOKENS 16

static void add(struct name_ref **v, size_t *n, enum kind k, const char *name, int line)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = (struct name_ref){ k, xstrdup(name), line };
}

static void def(struct refs *r, enum kind k, const char *name, int line)
{
	add(&r->defs, &r->ndefs, k, name, line);
}

static void use(struct refs *r, enum kind k, const char *name, int line)
{
	add(&r->uses, &r->nuses, k, name, line);
}

static bool is(const char *tok, const char *word)
{
	return tok && strcmp(tok, word) == 0;
}

/* Top-level definitions: route-map NAME ..., [ip|ipv6] prefix-list NAME ...,
 * access-list NAME ..., ip/ipv6 access-list NAME ... */
static bool definition(struct refs *r, char **t, int n, int line)
{
	if (is(t[0], "route-map") && n >= 3) {
		def(r, ROUTE_MAP, t[1], line);
		return true;
	}
	if (is(t[0], "access-list") && n >= 2) {
		def(r, ACCESS_LIST_V4, t[1], line);
		return true;
	}
	if ((is(t[0], "ip") || is(t[0], "ipv6")) && n >= 3) {
		bool v6 = is(t[0], "ipv6");
		if (is(t[1], "prefix-list")) {
			def(r, v6 ? PREFIX_LIST_V6 : PREFIX_LIST_V4, t[2], line);
			return true;
		}
		if (is(t[1], "access-list")) {
			def(r, v6 ? ACCESS_LIST_V6 : ACCESS_LIST_V4, t[2], line);
			return true;
		}
	}
	return false;
}

/* match ip|ipv6 address [prefix-list] NAME, match ip next-hop prefix-list NAME */
static void match_uses(struct refs *r, char **t, int n, int line)
{
	bool v6;

	if (n < 4 || !(is(t[1], "ip") || is(t[1], "ipv6")))
		return;
	v6 = is(t[1], "ipv6");
	if (is(t[3], "prefix-list") && n >= 5)
		use(r, v6 ? PREFIX_LIST_V6 : PREFIX_LIST_V4, t[4], line);
	else if (is(t[2], "address"))
		use(r, v6 ? ACCESS_LIST_V6 : ACCESS_LIST_V4, t[3], line);
}

/* neighbor X prefix-list NAME in|out, neighbor X distribute-list NAME in|out:
 * the family is the enclosing address-family's. */
static void neighbor_uses(struct refs *r, char **t, int n, int line)
{
	if (n < 4)
		return;
	if (is(t[2], "prefix-list"))
		use(r, r->in_ipv6_af ? PREFIX_LIST_V6 : PREFIX_LIST_V4, t[3], line);
	else if (is(t[2], "distribute-list"))
		use(r, r->in_ipv6_af ? ACCESS_LIST_V6 : ACCESS_LIST_V4, t[3], line);
}

static void references(struct refs *r, char **t, int n, int line)
{
	if (is(t[0], "no") || is(t[0], "debug") || (is(t[0], "bgp") && is(t[1], "route-map")))
		return;
	if (is(t[0], "address-family"))
		r->in_ipv6_af = n >= 2 && is(t[1], "ipv6");
	else if (is(t[0], "exit-address-family") || is(t[0], "router"))
		r->in_ipv6_af = false;
	else if (is(t[0], "match"))
		match_uses(r, t, n, line);
	else if (is(t[0], "neighbor"))
		neighbor_uses(r, t, n, line);
	else if (is(t[0], "access-class") && n >= 2)
		use(r, ACCESS_LIST_V4, t[1], line);
	else if (is(t[0], "ipv6") && is(t[1], "access-class") && n >= 3)
		use(r, ACCESS_LIST_V6, t[2], line);
	else if ((is(t[0], "call") || is(t[0], "table-map")) && n >= 2)
		use(r, ROUTE_MAP, t[1], line);
	/* redistribute ..., neighbor X route-map NAME, network P route-map NAME,
	 * default-originate route-map NAME, ip protocol P route-map NAME ... */
	for (int i = 0; i + 1 < n; i++)
		if (is(t[i], "route-map"))
			use(r, ROUTE_MAP, t[i + 1], line);
}

static void scan_line(struct refs *r, char *line, int lineno)
{
	char *t[MAX_TOKENS + 1] = { 0 }, *save = NULL, *tok;
	int n = 0;

	for (tok = strtok_r(line, " \t\r", &save); tok && n < MAX_TOKENS;
	     tok = strtok_r(NULL, " \t\r", &save))
		t[n++] = tok;
	if (n == 0 || t[0][0] == '!' || t[0][0] == '#')
		return;
	if (!definition(r, t, n, lineno))
		references(r, t, n, lineno);
}

static bool defined(const struct refs *r, const struct name_ref *u)
{
	for (size_t i = 0; i < r->ndefs; i++)
		if (r->defs[i].kind == u->kind && strcmp(r->defs[i].name, u->name) == 0)
			return true;
	return false;
}

static void free_refs(struct refs *r)
{
	for (size_t i = 0; i < r->ndefs; i++)
		free(r->defs[i].name);
	for (size_t i = 0; i < r->nuses; i++)
		free(r->uses[i].name);
	free(r->defs);
	free(r->uses);
}

size_t frr_check_refs(const char *text, struct diags *d)
{
	struct refs r = { 0 };
	char *copy = xstrdup(text), *line, *next;
	int lineno = 0;
	size_t problems = 0;

	for (line = copy; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		scan_line(&r, line, ++lineno);
	}
	for (size_t i = 0; i < r.nuses; i++) {
		const struct name_ref *u = &r.uses[i];
		if (defined(&r, u))
			continue;
		diag_add(d, u->line, kind_hint[u->kind], "%s '%s' is referenced but never defined",
			 kind_name[u->kind], u->name);
		problems++;
	}
	free_refs(&r);
	free(copy);
	return problems;
}
