/* The kernel side of rs-dnat: reading and replacing our chain in the legacy
 * x_tables nat table through libiptc (IPv4) and libip6tc (IPv6). Each family
 * is one struct xt_family; xt_impl.h holds the logic both share. */
#ifndef LVSDNS_RS_XT_H
#define LVSDNS_RS_XT_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/netfilter/x_tables.h>

#include "buf.h"
#include "rules.h"

enum xt_status {
	XT_OK,
	XT_NO_TABLE,   /* the nat table is not there (module missing) */
	XT_ERROR,      /* message in err */
	XT_AGAIN,      /* the table changed between read and commit (internal) */
};

struct xt_family {
	int family;          /* AF_INET, AF_INET6 */
	const char *name;    /* "iptables" / "ip6tables" for messages */
	/* Reads our chain and the jumps to it into k (kstate_init'ed). */
	enum xt_status (*read)(struct kstate *k, struct buf *err);
	/* Makes our chain hold exactly want's rules and PREROUTING jump to it
	 * once, in one commit of the nat table. */
	enum xt_status (*apply)(const struct dnat_set *want, struct buf *err);
	/* Removes the jumps and our chain, in one commit; *removed says
	 * whether there was anything of ours. */
	enum xt_status (*remove)(bool *removed, struct buf *err);
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
/* The message for libiptc's errno, with what to do about it. */
enum xt_status xt_init_error(const char *name, int err, const char *what, struct buf *out);

#endif
