/* The sequence number of a VIP's entry in its frr.conf prefix-list.
 *
 * Each entry's number depends on its own VIP alone, so that adding, removing
 * or moving one VIP between the primary and the backup list changes that
 * VIP's lines only. Numbered by position, every entry after a new one was
 * renumbered; frr-reload.py applies such a change as "seq N permit OTHER"
 * over the old entry N and then "no ... seq N ..." (which FRR takes by
 * number alone), and until its second pass an unchanged VIP was matched by
 * no entry, and withdrawn. */
#ifndef LVSDNS_FRR_SEQ_H
#define LVSDNS_FRR_SEQ_H

#include <stdint.h>

#include "addr.h"

/* FRR 8.4 takes seq 1..4294967295; the list's final "deny any" has the
 * last, which no VIP gets. */
#define FRR_SEQ_DENY_ANY UINT32_C(4294967295)

/* IPv4: the address as a 32-bit number (0/8 and 240/4 are no VIPs, so it
 * is never 0 nor the deny's). IPv6: 1 + FNV-1a-32 of its 16 bytes modulo
 * 4294967294, within 1..4294967294; two VIPs may then share a number,
 * which the site check refuses (validate_addrs.c). */
uint32_t frr_vip_seq(const struct addr *vip);

#endif
