/* Adding and removing one host address (/32 or /128) on an interface through
 * rtnetlink, without forking `ip`: the VIP guard runs on every quorum change
 * and should cost microseconds, not a process tree. */
#ifndef LVSDNS_NL_ADDR_H
#define LVSDNS_NL_ADDR_H

#include <stdbool.h>

#include "addr.h"

enum nl_outcome {
	NL_DONE,       /* the kernel changed the address */
	NL_UNCHANGED,  /* it already was in the wanted state (idempotent case) */
	NL_FAILED,     /* see the errno value returned through *error */
};

/* A NETLINK_ROUTE socket, or -1 with errno set. */
int nl_open(void);
/* add: RTM_NEWADDR of a as a host prefix on ifindex. IPv6 addresses are
 * added with IFA_F_NODAD so they are usable (and redistributed) at once
 * instead of after duplicate address detection.
 * Otherwise remove a from ifindex at every prefix length it has there (the
 * host prefix, or one somebody added by hand), so it is surely withdrawn.
 * *prefixlen: the prefix length added, or the last one removed. */
enum nl_outcome nl_addr_change(int fd, bool add, const struct addr *a,
			       unsigned ifindex, int *error, unsigned *prefixlen);

#endif
