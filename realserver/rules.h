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

/* Conntrack zones, set in the raw table before conntrack sees a packet.
 * A conntrack entry does not record the interface, so without them a
 * client that keeps its source port while the balancer moves it to
 * another VLAN keeps hitting its first entry, DNATed to the old
 * instance, for as long as its packets keep that entry alive. A zone per
 * VLAN interface keeps each VLAN's entries apart. Only the flows to a
 * VIP are zoned, and only their original direction (--zone-orig): the
 * replies find the entry anyway, other traffic of the interface stays
 * in the default zone (the operator's own CT --notrack rules still
 * apply to it, and an asymmetric flow that leaves through a VLAN keeps
 * its entry), and there is no OUTPUT chain. */
#define RS_ZONE "LVSDNS-ZONE"
#define RS_ZONE_HOOK "PREROUTING"

/* The chains of an older rs-dnat/cluster-gen, which zoned all traffic of
 * the VLAN interfaces both ways: still ours, removed as leftovers. */
enum { ZONE_OLD_IN, ZONE_OLD_OUT, NZONE_OLD };
struct zone_old_chain {
	const char *chain, *hook;
};
extern const struct zone_old_chain ZONE_OLD[NZONE_OLD];
#define RS_ZONE_OLD_IN "LVSDNS-ZONE-IN"
#define RS_ZONE_OLD_OUT "LVSDNS-ZONE-OUT"

/* "-A LVSDNS-ZONE -d VIP/32 -i IFACE -j CT --zone-orig N". */
struct zone_rule {
	char iface[IFNAMSIZ];
	struct addr dst;          /* the VIP (a host address) */
	uint16_t zone;            /* 1..65535; 0 is every interface's default */
	int line;                 /* where the file has it, for messages; 0 from the kernel */
};

struct zone_list {
	struct zone_rule *v;
	size_t n, cap;
};

/* What a *raw section asks for. Without one (wanted false: a file
 * rendered before zones existed) nothing of ours belongs in raw. */
struct zone_set {
	bool wanted;
	bool jump;
	struct zone_list rules;
};

struct dnat_set {
	int family;               /* AF_INET or AF_INET6; 0 while unknown */
	bool jump;                /* the PREROUTING jump is wanted / present once */
	struct dnat_rule *v;
	size_t n, cap;
	struct zone_set zones;    /* the file's *raw section; unused in kstate */
};

void dnat_set_init(struct dnat_set *s);
void dnat_set_free(struct dnat_set *s);
void dnat_set_add(struct dnat_set *s, const struct dnat_rule *r);
void zone_list_add(struct zone_list *l, const struct zone_rule *r);
void zone_list_free(struct zone_list *l);

/* Parses the restricted iptables-restore text in text (len bytes): an
 * optional *raw section with the zones, then the *nat section. family
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

/* What the kernel's raw table holds of ours. */
struct kraw {
	bool chain;               /* RS_ZONE exists */
	unsigned plain_jumps;     /* unconditional PREROUTING -j RS_ZONE */
	unsigned other_jumps;     /* jumps to it with conditions */
	struct zone_list rules;   /* its rules that are in our format */
	struct {                  /* an older version's chains (ZONE_OLD) */
		bool chain;
		unsigned jumps;   /* from its hook, any */
		size_t nrules;
	} old[NZONE_OLD];
	char **foreign;           /* descriptions of the rules that are not ours */
	size_t nforeign;
};

void kraw_init(struct kraw *k);
void kraw_free(struct kraw *k);
void kraw_add_foreign(struct kraw *k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Whether k holds anything of ours (a chain, a jump or a rule); old:
 * anything of an older version's. */
bool kraw_any(const struct kraw *k);
bool kraw_old(const struct kraw *k);

/* Differences between the wanted rules and the kernel's, one per line,
 * "+ " for what is missing from the kernel and "- " for what should not be
 * there. Returns the number of differences (0: identical, order included). */
size_t dnat_diff(const struct dnat_set *want, const struct kstate *have, struct buf *out);
/* The same when nothing of ours is wanted (the site renders no file for
 * the family): every jump to our chain, the chain and its rules, "- ". */
size_t dnat_diff_none(const struct kstate *have, struct buf *out);

/* "-A LVSDNS-ZONE -d 198.51.100.53/32 -i eth1.105 -j CT --zone-orig 1105",
 * without a newline. */
void zone_rule_format(const struct zone_rule *r, struct buf *out);
bool zone_rule_eq(const struct zone_rule *a, const struct zone_rule *b);
/* Differences between the wanted zones and the raw table, as dnat_diff
 * prints them; when none are wanted, everything of ours is "- ". An
 * older version's chains are always "- ". */
size_t zone_diff(const struct zone_set *want, const struct kraw *have, struct buf *out);

#endif
