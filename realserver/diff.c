/* The wanted rules against the kernel's: the picture of what the kernel
 * holds (kstate, kraw), printing a rule as iptables-save does and listing
 * the differences that check and --dry-run show. */
#include "rules.h"

#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void strs_add(char ***v, size_t *n, const char *fmt, va_list ap)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = xvasprintf(fmt, ap);
}

static void strs_free(char ***v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
	*n = 0;
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
	strs_free(&k->foreign, &k->nforeign);
}

void kstate_add_foreign(struct kstate *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strs_add(&k->foreign, &k->nforeign, fmt, ap);
	va_end(ap);
}

void kraw_init(struct kraw *k)
{
	memset(k, 0, sizeof(*k));
}

void kraw_free(struct kraw *k)
{
	zone_list_free(&k->rules);
	strs_free(&k->foreign, &k->nforeign);
}

void kraw_add_foreign(struct kraw *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strs_add(&k->foreign, &k->nforeign, fmt, ap);
	va_end(ap);
}

bool kraw_old(const struct kraw *k)
{
	for (int o = 0; o < NZONE_OLD; o++)
		if (k->old[o].chain || k->old[o].jumps)
			return true;
	return false;
}

bool kraw_any(const struct kraw *k)
{
	/* rules and foreign rules live in a chain */
	return k->chain || k->plain_jumps || k->other_jumps || kraw_old(k);
}

void dnat_rule_format(const struct dnat_rule *r, int family, struct buf *out)
{
	char a[ADDR_STRLEN], p[PREFIX_STRLEN];
	unsigned max = family == AF_INET ? 32 : 128;

	buf_puts(out, "-A " RS_CHAIN);
	if (r->src.len > 0)
		buf_printf(out, " -s %s", prefix_str(&r->src, p));
	buf_printf(out, " -d %s/%u -i %s", addr_str(&r->dst, a), max, r->iface);
	buf_printf(out, " -p %s -m %s --dport %u -j DNAT --to-destination ",
		   r->proto == IPPROTO_UDP ? "udp" : "tcp",
		   r->proto == IPPROTO_UDP ? "udp" : "tcp", r->dport);
	if (family == AF_INET6 && r->to_port)
		buf_printf(out, "[%s]:%u", addr_str(&r->to, a), r->to_port);
	else if (r->to_port)
		buf_printf(out, "%s:%u", addr_str(&r->to, a), r->to_port);
	else
		buf_puts(out, addr_str(&r->to, a));
}

bool dnat_rule_eq(const struct dnat_rule *a, const struct dnat_rule *b)
{
	return !strcmp(a->iface, b->iface) && a->src.len == b->src.len &&
	       (a->src.len == 0 || prefix_cmp(&a->src, &b->src) == 0) &&
	       addr_eq(&a->dst, &b->dst) && a->proto == b->proto &&
	       a->dport == b->dport && addr_eq(&a->to, &b->to) && a->to_port == b->to_port;
}

static bool contains(const struct dnat_set *s, const struct dnat_rule *r)
{
	for (size_t i = 0; i < s->n; i++)
		if (dnat_rule_eq(&s->v[i], r))
			return true;
	return false;
}

static size_t diff_rules(const struct dnat_set *from, const struct dnat_set *other,
			 char sign, struct buf *out)
{
	size_t n = 0;

	for (size_t i = 0; i < from->n; i++) {
		if (contains(other, &from->v[i]))
			continue;
		buf_printf(out, "%c ", sign);
		dnat_rule_format(&from->v[i], from->family, out);
		buf_putc(out, '\n');
		n++;
	}
	return n;
}

static bool has_duplicates(const struct dnat_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		for (size_t k = i + 1; k < s->n; k++)
			if (dnat_rule_eq(&s->v[i], &s->v[k]))
				return true;
	return false;
}

/* Both sides hold the same rules but not as many: one side (or each)
 * repeats some, and the admin has to know which one to fix. */
static size_t diff_duplicates(const struct dnat_set *want, const struct dnat_set *have,
			      struct buf *out)
{
	size_t n = 0;

	if (has_duplicates(want)) {
		buf_printf(out, "~ the rule file holds duplicate rules (%zu rules, " RS_CHAIN
			   " has %zu)\n", want->n, have->n);
		n++;
	}
	if (has_duplicates(have)) {
		buf_printf(out, "~ " RS_CHAIN " holds duplicate rules (%zu rules, the rule file "
			   "has %zu)\n", have->n, want->n);
		n++;
	}
	return n;
}

size_t dnat_diff(const struct dnat_set *want, const struct kstate *have, struct buf *out)
{
	size_t n = 0;

	if (!have->chain) {
		buf_puts(out, "+ :" RS_CHAIN " (chain missing)\n");
		n++;
	}
	if (have->plain_jumps == 0) {
		buf_puts(out, "+ -A " RS_HOOK_CHAIN " -j " RS_CHAIN "\n");
		n++;
	} else if (have->plain_jumps > 1) {
		buf_printf(out, "- -A " RS_HOOK_CHAIN " -j " RS_CHAIN " (%u more times)\n",
			   have->plain_jumps - 1);
		n++;
	}
	if (have->other_jumps) {
		buf_printf(out, "- %u conditional jump(s) from " RS_HOOK_CHAIN " to " RS_CHAIN "\n",
			   have->other_jumps);
		n++;
	}
	n += diff_rules(want, &have->rules, '+', out);
	n += diff_rules(&have->rules, want, '-', out);
	for (size_t i = 0; i < have->nforeign; i++) {
		buf_printf(out, "- %s\n", have->foreign[i]);
		n++;
	}
	if (n == 0 && want->n == have->rules.n) {
		for (size_t i = 0; i < want->n; i++)
			if (!dnat_rule_eq(&want->v[i], &have->rules.v[i])) {
				buf_puts(out, "~ the rules of " RS_CHAIN " are in another order\n");
				return 1;
			}
	} else if (n == 0) {
		n = diff_duplicates(want, &have->rules, out);
	}
	return n;
}

size_t dnat_diff_none(const struct kstate *have, struct buf *out)
{
	const struct dnat_set none = { .family = have->rules.family };
	size_t n = 0;

	if (have->plain_jumps > 0) {
		buf_puts(out, "- -A " RS_HOOK_CHAIN " -j " RS_CHAIN);
		if (have->plain_jumps > 1)
			buf_printf(out, " (%u times)", have->plain_jumps);
		buf_putc(out, '\n');
		n++;
	}
	if (have->other_jumps) {
		buf_printf(out, "- %u conditional jump(s) from " RS_HOOK_CHAIN " to " RS_CHAIN "\n",
			   have->other_jumps);
		n++;
	}
	if (have->chain) {
		buf_puts(out, "- :" RS_CHAIN " (the chain itself)\n");
		n++;
	}
	n += diff_rules(&have->rules, &none, '-', out);
	for (size_t i = 0; i < have->nforeign; i++) {
		buf_printf(out, "- %s\n", have->foreign[i]);
		n++;
	}
	return n;
}

/* ---- the raw table's zones ---- */

void zone_rule_format(const struct zone_rule *r, struct buf *out)
{
	char a[ADDR_STRLEN];

	buf_printf(out, "-A " RS_ZONE " -d %s/%u -i %s -j CT --zone-orig %u", addr_str(&r->dst, a),
		   addr_maxlen(&r->dst), r->iface, r->zone);
}

bool zone_rule_eq(const struct zone_rule *a, const struct zone_rule *b)
{
	return !strcmp(a->iface, b->iface) && addr_eq(&a->dst, &b->dst) && a->zone == b->zone;
}

static bool zone_contains(const struct zone_list *l, const struct zone_rule *r)
{
	for (size_t i = 0; i < l->n; i++)
		if (zone_rule_eq(&l->v[i], r))
			return true;
	return false;
}

static size_t zone_minus(const struct zone_list *from, const struct zone_list *other,
			 char sign, struct buf *out)
{
	size_t n = 0;

	for (size_t i = 0; i < from->n; i++) {
		if (zone_contains(other, &from->v[i]))
			continue;
		buf_printf(out, "%c ", sign);
		zone_rule_format(&from->v[i], out);
		buf_putc(out, '\n');
		n++;
	}
	return n;
}

/* The chain itself and the jumps to it from PREROUTING. */
static size_t zone_jumps_diff(bool wanted, const struct kraw *k, struct buf *out)
{
	size_t n = 0;

	if (wanted && !k->chain) {
		buf_puts(out, "+ :" RS_ZONE " (chain missing)\n");
		n++;
	}
	if (wanted && k->plain_jumps == 0) {
		buf_puts(out, "+ -A " RS_ZONE_HOOK " -j " RS_ZONE "\n");
		n++;
	} else if (k->plain_jumps > (wanted ? 1u : 0u)) {
		buf_puts(out, "- -A " RS_ZONE_HOOK " -j " RS_ZONE);
		if (wanted)
			buf_printf(out, " (%u more times)", k->plain_jumps - 1);
		else if (k->plain_jumps > 1)
			buf_printf(out, " (%u times)", k->plain_jumps);
		buf_putc(out, '\n');
		n++;
	}
	if (k->other_jumps) {
		buf_printf(out, "- %u conditional jump(s) from " RS_ZONE_HOOK " to " RS_ZONE "\n",
			   k->other_jumps);
		n++;
	}
	if (!wanted && k->chain) {
		buf_puts(out, "- :" RS_ZONE " (the chain itself)\n");
		n++;
	}
	return n;
}

/* The rules of the chain: missing, extra, order, duplicates (only the
 * kernel can have them: the parser refuses a repeated rule). */
static size_t zone_rules_diff(const struct zone_list *want, const struct zone_list *have,
			      struct buf *out)
{
	size_t n = zone_minus(want, have, '+', out) + zone_minus(have, want, '-', out);

	if (n > 0)
		return n;
	if (want->n != have->n) {
		buf_printf(out, "~ " RS_ZONE " holds duplicate rules (%zu rules, the rule file "
			   "has %zu)\n", have->n, want->n);
		return 1;
	}
	for (size_t i = 0; i < want->n; i++) {
		if (!zone_rule_eq(&want->v[i], &have->v[i])) {
			buf_puts(out, "~ the rules of " RS_ZONE " are in another order\n");
			return 1;
		}
	}
	return 0;
}

/* An older version's chains and jumps: leftovers, always unexpected. */
static size_t zone_old_diff(const struct kraw *k, struct buf *out)
{
	size_t n = 0;

	for (int o = 0; o < NZONE_OLD; o++) {
		if (k->old[o].jumps) {
			buf_printf(out, "- -A %s -j %s", ZONE_OLD[o].hook, ZONE_OLD[o].chain);
			if (k->old[o].jumps > 1)
				buf_printf(out, " (%u times)", k->old[o].jumps);
			buf_puts(out, " (an older rs-dnat's)\n");
			n++;
		}
		if (k->old[o].chain) {
			buf_printf(out, "- :%s and its %zu rules (an older rs-dnat's chain)\n",
				   ZONE_OLD[o].chain, k->old[o].nrules);
			n++;
		}
	}
	return n;
}

size_t zone_diff(const struct zone_set *want, const struct kraw *have, struct buf *out)
{
	static const struct zone_list none;
	size_t n = zone_jumps_diff(want->wanted, have, out);

	n += zone_rules_diff(want->wanted ? &want->rules : &none, &have->rules, out);
	for (size_t i = 0; i < have->nforeign; i++) {
		buf_printf(out, "- %s\n", have->foreign[i]);
		n++;
	}
	return n + zone_old_diff(have, out);
}
