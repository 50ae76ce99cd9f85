#include "nl_addr.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* How many datagrams an address dump may take before we give up: a
 * balancer has a handful of addresses, so this only stops a runaway. */
#define DUMP_MAX_DATAGRAMS 4096

struct addr_request {
	struct nlmsghdr nh;
	struct ifaddrmsg ifa;
	char attrs[2 * RTA_SPACE(16)];
};

int nl_open(void)
{
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };
	/* The kernel answers at once; the timeout only bounds every wait. */
	struct timeval timeout = { .tv_sec = 5 };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) != 0 ||
	    bind(fd, (struct sockaddr *)&local, sizeof(local)) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void put_attr(struct addr_request *r, unsigned short type, const void *data,
		     size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static void build_request(struct addr_request *r, bool add, const struct addr *a,
			  unsigned ifindex, unsigned prefixlen)
{
	size_t alen = a->family == AF_INET ? 4 : 16;

	memset(r, 0, sizeof(*r));
	r->nh.nlmsg_len = NLMSG_LENGTH(sizeof(r->ifa));
	r->nh.nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	r->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (add)
		r->nh.nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	r->nh.nlmsg_seq = 1;
	r->ifa.ifa_family = (unsigned char)a->family;
	r->ifa.ifa_prefixlen = (unsigned char)prefixlen;
	r->ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	r->ifa.ifa_index = ifindex;
	if (a->family == AF_INET6)
		r->ifa.ifa_flags = IFA_F_NODAD;
	put_attr(r, IFA_LOCAL, a->bytes, alen);
	put_attr(r, IFA_ADDRESS, a->bytes, alen);
}

/* Reads the kernel's acknowledgement: 0 or a positive errno value. */
static int read_ack(int fd)
{
	char reply[8192] __attribute__((aligned(NLMSG_ALIGNTO)));

	for (int tries = 0; tries < DUMP_MAX_DATAGRAMS; tries++) {
		ssize_t n = recv(fd, reply, sizeof(reply), 0);
		struct nlmsghdr *nh;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		for (nh = (struct nlmsghdr *)reply; NLMSG_OK(nh, (size_t)n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);
				return -e->error;
			}
		}
	}
	return ETIMEDOUT;
}

static int send_to_kernel(int fd, const void *msg, size_t len)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	if (sendto(fd, msg, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return errno;
	return 0;
}

/* One RTM_NEWADDR/RTM_DELADDR: 0 or a positive errno value. */
static int change(int fd, bool add, const struct addr *a, unsigned ifindex,
		  unsigned prefixlen)
{
	struct addr_request r;
	int e;

	build_request(&r, add, a, ifindex, prefixlen);
	e = send_to_kernel(fd, &r, r.nh.nlmsg_len);
	return e ? e : read_ack(fd);
}

/* The address bytes of a dumped entry: IFA_LOCAL for IPv4 (IFA_ADDRESS is
 * the peer there), IFA_ADDRESS for IPv6. NULL when absent. */
static const void *entry_address(const struct nlmsghdr *nh, int family)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(nh);
	const struct rtattr *rta = IFA_RTA(ifa);
	unsigned short want = family == AF_INET ? IFA_LOCAL : IFA_ADDRESS;
	int len = (int)IFA_PAYLOAD(nh);

	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == want)
			return RTA_DATA(rta);
	return NULL;
}

/* Scans one datagram of a dump for a on ifindex. Returns 1 at the end of
 * the dump, a negative errno on a kernel error, else 0. */
static int scan_dump(const char *reply, ssize_t n, const struct addr *a,
		     unsigned ifindex, int *found)
{
	size_t alen = a->family == AF_INET ? 4 : 16;
	const struct nlmsghdr *nh;

	for (nh = (const struct nlmsghdr *)reply; NLMSG_OK(nh, (size_t)n);
	     nh = NLMSG_NEXT(nh, n)) {
		const struct ifaddrmsg *ifa = NLMSG_DATA(nh);
		const void *bytes;

		if (nh->nlmsg_type == NLMSG_DONE)
			return 1;
		if (nh->nlmsg_type == NLMSG_ERROR)
			return ((const struct nlmsgerr *)NLMSG_DATA(nh))->error;
		if (nh->nlmsg_type != RTM_NEWADDR || ifa->ifa_index != ifindex ||
		    ifa->ifa_family != a->family || *found >= 0)
			continue;
		bytes = entry_address(nh, a->family);
		if (bytes && memcmp(bytes, a->bytes, alen) == 0)
			*found = ifa->ifa_prefixlen;
	}
	return 0;
}

/* The prefix length a is on ifindex with (the first one found), -1 when
 * it is not there, or -2 with *error set. The whole dump is read, so the
 * socket is clean for the next request. */
static int find_prefixlen(int fd, const struct addr *a, unsigned ifindex, int *error)
{
	struct { struct nlmsghdr nh; struct ifaddrmsg ifa; } req = {
		.nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)),
			.nlmsg_type = RTM_GETADDR, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 2 },
		.ifa = { .ifa_family = (unsigned char)a->family },
	};
	char reply[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	int found = -1;

	if ((*error = send_to_kernel(fd, &req, req.nh.nlmsg_len)) != 0)
		return -2;
	for (int tries = 0; tries < DUMP_MAX_DATAGRAMS; tries++) {
		ssize_t n = recv(fd, reply, sizeof(reply), 0);
		int r;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*error = errno;
			return -2;
		}
		r = scan_dump(reply, n, a, ifindex, &found);
		if (r < 0)
			*error = -r;
		if (r != 0)
			return r < 0 ? -2 : found;
	}
	*error = ETIMEDOUT;
	return -2;
}

/* RTM_DELADDR matches the prefix length too: an address someone put on the
 * interface as, say, /24 is not removed by deleting the /32 and would stay
 * announced. So remove the host prefix, then whatever prefix length is
 * left, until the address is gone (bounded: an address can be on one
 * interface at a few prefix lengths at most). */
static enum nl_outcome remove_any(int fd, const struct addr *a, unsigned ifindex,
				  int *error, unsigned *prefixlen)
{
	unsigned host = a->family == AF_INET ? 32 : 128;
	int e = change(fd, false, a, ifindex, host);
	bool removed = e == 0;

	*prefixlen = host;
	if (e != 0 && e != EADDRNOTAVAIL)
		return *error = e, NL_FAILED;
	for (int i = 0; i < 16; i++) {
		int len = find_prefixlen(fd, a, ifindex, error);

		if (len == -2)
			return NL_FAILED;
		if (len == -1)
			return *error = 0, removed ? NL_DONE : NL_UNCHANGED;
		if ((e = change(fd, false, a, ifindex, (unsigned)len)) != 0 && e != EADDRNOTAVAIL)
			return *error = e, NL_FAILED;
		removed = true;
		*prefixlen = (unsigned)len;
	}
	*error = EBUSY;
	return NL_FAILED;
}

enum nl_outcome nl_addr_change(int fd, bool add, const struct addr *a,
			       unsigned ifindex, int *error, unsigned *prefixlen)
{
	int e;

	if (!add)
		return remove_any(fd, a, ifindex, error, prefixlen);
	*prefixlen = a->family == AF_INET ? 32 : 128;
	e = change(fd, true, a, ifindex, *prefixlen);
	*error = e;
	if (e == 0)
		return NL_DONE;
	/* The idempotent case: already there. */
	return e == EEXIST ? NL_UNCHANGED : NL_FAILED;
}
