/* rs-dnat's picture of the per-VLAN DNAT rules: what a rendered dnat.rules
 * (or dnat6.rules) asks for, and what the kernel's nat table holds, in one
 * comparable form. The file format is the restricted subset of
 * iptables-restore text that cluster-gen writes (see templates/dnat.rules.mustache
 * and docs/rs-dnat.8); anything else is refused rather than guessed at. */
#ifndef LVSDNS_RS_RULES_H
#define LVSDNS_RS_RULES_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "buf.h"
#include "diag.h"

/* Our own chain in the nat table, entered by one jump from PREROUTING. */
#define RS_CHAIN "LVSDNS-PRE"
#define RS_HOOK_CHAIN "PREROUTING"

/* One DNAT rule: frames for dst:dport/proto arriving on iface from src are
 * rewritten to to:to_port. */
struct dnat_rule {
	char iface[IFNAMSIZ];
	struct prefix src;        /* len 0: any source */
	struct addr dst;          /* the VIP (a host address) */
	uint8_t proto;            /* IPPROTO_UDP or IPPROTO_TCP */
	uint16_t dport;
	struct addr to;           /* the instance address */
	uint16_t to_port;         /* 0: port unchanged */
};

struct dnat_set {
	int family;               /* AF_INET or AF_INET6; 0 while unknown */
	bool jump;                /* the PREROUTING jump is wanted / present once */
	struct dnat_rule *v;
	size_t n, cap;
};

void dnat_set_init(struct dnat_set *s);
void dnat_set_free(struct dnat_set *s);
void dnat_set_add(struct dnat_set *s, const struct dnat_rule *r);

/* Parses the restricted iptables-restore text in text (len bytes). family
 * 0 takes it from the first address (a file without rules is then an
 * error: nothing says its family); AF_INET/AF_INET6 insists on it.
 * Returns 0, or -1 with every problem in d (d->file names the input). */
int dnat_parse(const char *text, size_t len, int family, struct dnat_set *out,
	       struct diags *d);

/* Appends the iptables-save form of r ("-A LVSDNS-PRE -s ... --to-destination
 * ADDR:PORT"), without a newline. */
void dnat_rule_format(const struct dnat_rule *r, int family, struct buf *out);
bool dnat_rule_eq(const struct dnat_rule *a, const struct dnat_rule *b);

/* What the kernel holds, as read by a family's table code (xt.h). */
struct kstate {
	bool chain;               /* RS_CHAIN exists */
	unsigned plain_jumps;     /* unconditional PREROUTING -j RS_CHAIN */
	unsigned other_jumps;     /* jumps to RS_CHAIN with conditions */
	struct dnat_set rules;    /* RS_CHAIN's rules that are in our format */
	char **foreign;           /* descriptions of the rules that are not */
	size_t nforeign;
};

void kstate_init(struct kstate *k, int family);
void kstate_free(struct kstate *k);
void kstate_add_foreign(struct kstate *k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Differences between the wanted rules and the kernel's, one per line,
 * "+ " for what is missing from the kernel and "- " for what should not be
 * there. Returns the number of differences (0: identical, order included). */
size_t dnat_diff(const struct dnat_set *want, const struct kstate *have, struct buf *out);
/* The same when nothing of ours is wanted (the site renders no file for
 * the family): every jump to our chain, the chain and its rules, "- ". */
size_t dnat_diff_none(const struct kstate *have, struct buf *out);

#endif
