#include "nl_addr.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct addr_request {
	struct nlmsghdr nh;
	struct ifaddrmsg ifa;
	char attrs[2 * RTA_SPACE(16)];
};

int nl_open(void)
{
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&local, sizeof(local)) != 0) {
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
			  unsigned ifindex)
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
	r->ifa.ifa_prefixlen = (unsigned char)(alen * 8);
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

	for (;;) {
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
}

enum nl_outcome nl_addr_change(int fd, bool add, const struct addr *a,
			       unsigned ifindex, int *error)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct addr_request r;
	int e;

	build_request(&r, add, a, ifindex);
	if (sendto(fd, &r, r.nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		*error = errno;
		return NL_FAILED;
	}
	e = read_ack(fd);
	*error = e;
	if (e == 0)
		return NL_DONE;
	/* The idempotent cases: already there, already gone. */
	if ((add && e == EEXIST) || (!add && e == EADDRNOTAVAIL))
		return NL_UNCHANGED;
	return NL_FAILED;
}
