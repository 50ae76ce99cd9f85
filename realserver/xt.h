/* The kernel side of rs-dnat: reading and replacing our chains in the
 * legacy x_tables raw and nat tables through libiptc (IPv4) and libip6tc
 * (IPv6). Each family is one struct xt_family; xt_impl.h holds the logic
 * both share. */
#ifndef LVSDNS_RS_XT_H
#define LVSDNS_RS_XT_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/netfilter/x_tables.h>

#include "buf.h"
#include "rules.h"

enum xt_status {
	XT_OK,
	XT_NO_TABLE,   /* a table that is needed is not there (module missing) */
	XT_ERROR,      /* message in err */
	XT_AGAIN,      /* the table changed between read and commit (internal) */
};

/* The tables we keep chains in, as bits. */
enum xt_table { XT_RAW = 1, XT_NAT = 2 };
/* In apply's and remove's *done besides XT_RAW: the raw commit also took
 * out an older version's LVSDNS-ZONE-IN/-OUT. */
#define XT_RAW_OLD 4u

struct xt_family {
	int family;          /* AF_INET, AF_INET6 */
	const char *name;    /* "iptables" / "ip6tables" for messages */
	/* Read our nat chain and the jumps to it into k (kstate_init'ed), or
	 * our raw chains and theirs into r (kraw_init'ed). need: a missing
	 * table is XT_NO_TABLE (with the message); otherwise it holds
	 * nothing of ours, and a table the kernel has not set up is not
	 * opened (which would load and set it up). */
	enum xt_status (*read)(struct kstate *k, bool need, struct buf *err);
	enum xt_status (*read_raw)(struct kraw *r, bool need, struct buf *err);
	/* Under the xtables lock, one commit per table in tables (xt_table
	 * bits): raw first, so that the zones are in place before DNAT is
	 * (zones without DNAT are harmless, DNAT without zones is the
	 * bug), then nat; stops at the first failure. In raw LVSDNS-ZONE
	 * then holds exactly want's zones, or is gone when it has no *raw
	 * section, and an older version's zone chains are gone; in nat
	 * LVSDNS-PRE holds want's rules. *done: the tables committed, and
	 * XT_RAW_OLD when older chains were removed. */
	enum xt_status (*apply)(const struct dnat_set *want, unsigned tables, unsigned *done,
				struct buf *err);
	/* Under the lock: our jumps and chains out of nat, then raw, one
	 * commit each; a missing table holds nothing of ours. *removed: the
	 * tables that held something (and XT_RAW_OLD as for apply). */
	enum xt_status (*remove)(unsigned *removed, struct buf *err);
};

extern const struct xt_family xt_ipv4, xt_ipv6;

/* ---- pieces shared by both families (xt_common.c) ---- */

/* Size of the udp/tcp match and of the DNAT target we write, aligned. */
size_t xt_match_size(uint8_t proto);
size_t xt_dnat_size(int family);
/* Fills a zeroed match of xt_match_size() bytes. */
void xt_match_fill(struct xt_entry_match *m, const struct dnat_rule *r);
/* Fills a zeroed target of xt_dnat_size() bytes (revision 2, nf_nat_range2,
 * as iptables 1.8 writes it for both families). */
void xt_dnat_fill(struct xt_entry_target *t, int family, const struct dnat_rule *r);
/* Reads one match back; false when it is not a plain udp/tcp --dport. */
bool xt_match_read(const struct xt_entry_match *m, uint8_t proto, uint16_t *dport);
/* Reads a DNAT target of any revision; false when it is not a single
 * address (and optional single port). */
bool xt_dnat_read(const struct xt_entry_target *t, int family, struct addr *to, uint16_t *port);
/* Size of the CT target we write, aligned. */
size_t xt_ct_size(void);
/* Fills a zeroed target of xt_ct_size() bytes as iptables 1.8 writes
 * "-j CT --zone-orig N" (revision 2, struct xt_ct_target_info_v1, flags
 * XT_CT_ZONE_DIR_ORIG). */
void xt_ct_fill(struct xt_entry_target *t, uint16_t zone);
/* Reads a CT target of revision 1 or 2; false unless it sets a zone (a
 * fixed id, the original direction only) and nothing else. */
bool xt_ct_read(const struct xt_entry_target *t, uint16_t *zone);
/* Interface name and mask as iptables writes them for an exact name. */
void xt_iface_fill(char name[IFNAMSIZ], unsigned char mask[IFNAMSIZ], const char *iface);
bool xt_iface_read(const char name[IFNAMSIZ], const unsigned char mask[IFNAMSIZ], char out[IFNAMSIZ]);
/* Netmask bytes <-> prefix length; false for a non-contiguous mask. */
void xt_mask_fill(uint8_t *mask, size_t bytes, unsigned len);
bool xt_mask_read(const uint8_t *mask, size_t bytes, unsigned *len);
/* The lock iptables takes around every change (XTABLES_LOCKFILE, default
 * /run/xtables.lock), so rs-dnat and iptables never interleave a
 * read-modify-commit. Waits up to XT_LOCK_WAIT_MS; returns the fd, or -1
 * with a message in err. */
#define XT_LOCK_WAIT_MS 10000
int xt_lock(struct buf *err);
void xt_unlock(int fd);
/* Whether the kernel has set up table in this network namespace, from
 * names (/proc/net/ip_tables_names or ip6_tables_names): 1 yes, 0 no, -1
 * cannot tell. */
int xt_table_listed(const char *names, const char *table);
/* Whether libiptc's errno from opening a table means it is not there. */
bool xt_errno_missing(int err);
/* The message for libiptc's errno on opening table ("nat", "raw"), with
 * what to do about it. */
enum xt_status xt_init_error(const char *name, const char *table, int err, const char *what,
			     struct buf *out);

#endif
