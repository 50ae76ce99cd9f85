/* The wanted rules against the kernel's: printing a rule as iptables-save
 * does and listing the differences that check and --dry-run show. */
#include "rules.h"

#include <netinet/in.h>
#include <string.h>

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
