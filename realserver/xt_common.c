#include "xt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/xt_CT.h>
#include <linux/netfilter/xt_tcpudp.h>

/* The DNAT target revision we write, for both families: the one iptables
 * 1.8 itself writes (and iptables-save can print); revision 0 is IPv4-only
 * and unknown to iptables-legacy-save 1.8.9. */
#define XT_DNAT_REVISION 2

size_t xt_match_size(uint8_t proto)
{
	return XT_ALIGN(sizeof(struct xt_entry_match)) +
	       XT_ALIGN(proto == IPPROTO_UDP ? sizeof(struct xt_udp) : sizeof(struct xt_tcp));
}

size_t xt_dnat_size(int family)
{
	(void)family;
	return XT_ALIGN(sizeof(struct xt_entry_target)) +
	       XT_ALIGN(XT_DNAT_REVISION == 2 ? sizeof(struct nf_nat_range2)
					      : sizeof(struct nf_nat_range));
}

void xt_match_fill(struct xt_entry_match *m, const struct dnat_rule *r)
{
	m->u.match_size = (uint16_t)xt_match_size(r->proto);
	strcpy(m->u.user.name, r->proto == IPPROTO_UDP ? "udp" : "tcp");
	m->u.user.revision = 0;
	if (r->proto == IPPROTO_UDP) {
		struct xt_udp *u = (struct xt_udp *)m->data;
		u->spts[1] = 0xffff;
		u->dpts[0] = u->dpts[1] = r->dport;
	} else {
		struct xt_tcp *t = (struct xt_tcp *)m->data;
		t->spts[1] = 0xffff;
		t->dpts[0] = t->dpts[1] = r->dport;
	}
}

void xt_dnat_fill(struct xt_entry_target *t, int family, const struct dnat_rule *r)
{
	struct nf_nat_range *n = (void *)t->data;

	t->u.target_size = (uint16_t)xt_dnat_size(family);
	strcpy(t->u.user.name, "DNAT");
	t->u.user.revision = XT_DNAT_REVISION;
	n->flags = NF_NAT_RANGE_MAP_IPS | (r->to_port ? NF_NAT_RANGE_PROTO_SPECIFIED : 0);
	memcpy(&n->min_addr, r->to.bytes, family == AF_INET ? 4 : 16);
	memcpy(&n->max_addr, r->to.bytes, family == AF_INET ? 4 : 16);
	n->min_proto.all = n->max_proto.all = htons(r->to_port);
}

bool xt_match_read(const struct xt_entry_match *m, uint8_t proto, uint16_t *dport)
{
	const char *want = proto == IPPROTO_UDP ? "udp" : "tcp";

	if (strcmp(m->u.user.name, want) || m->u.match_size != xt_match_size(proto))
		return false;
	if (proto == IPPROTO_UDP) {
		const struct xt_udp *u = (const void *)m->data;
		if (u->spts[0] != 0 || u->spts[1] != 0xffff || u->dpts[0] != u->dpts[1] ||
		    u->invflags)
			return false;
		*dport = u->dpts[0];
	} else {
		const struct xt_tcp *t = (const void *)m->data;
		if (t->spts[0] != 0 || t->spts[1] != 0xffff || t->dpts[0] != t->dpts[1] ||
		    t->option || t->flg_mask || t->flg_cmp || t->invflags)
			return false;
		*dport = t->dpts[0];
	}
	return *dport != 0;
}

static bool range_read(unsigned flags, const void *min, const void *max, size_t alen,
		       uint16_t pmin, uint16_t pmax, int family, struct addr *to, uint16_t *port)
{
	if (!(flags & NF_NAT_RANGE_MAP_IPS) ||
	    (flags & ~(unsigned)(NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED)) ||
	    memcmp(min, max, alen) || pmin != pmax)
		return false;
	memset(to, 0, sizeof(*to));
	to->family = family;
	memcpy(to->bytes, min, alen);
	*port = flags & NF_NAT_RANGE_PROTO_SPECIFIED ? ntohs(pmin) : 0;
	return true;
}

/* iptables picks the newest DNAT revision the kernel offers, so rules added
 * by hand may carry revision 0, 1 or 2; 1 and 2 share their first fields. */
bool xt_dnat_read(const struct xt_entry_target *t, int family, struct addr *to, uint16_t *port)
{
	size_t body = t->u.target_size - XT_ALIGN(sizeof(struct xt_entry_target));
	size_t alen = family == AF_INET ? 4 : 16;

	if (strcmp(t->u.user.name, "DNAT"))
		return false;
	if (t->u.user.revision == 0 && family == AF_INET) {
		const struct nf_nat_ipv4_multi_range_compat *c = (const void *)t->data;
		if (body < sizeof(*c) || c->rangesize != 1)
			return false;
		return range_read(c->range[0].flags, &c->range[0].min_ip, &c->range[0].max_ip,
				  alen, c->range[0].min.all, c->range[0].max.all, family, to, port);
	}
	if (t->u.user.revision == 1 || t->u.user.revision == 2) {
		const struct nf_nat_range *n = (const void *)t->data;
		if (body < sizeof(*n))
			return false;
		if (t->u.user.revision == 2 &&
		    ((const struct nf_nat_range2 *)t->data)->base_proto.all != 0)
			return false;
		return range_read(n->flags, &n->min_addr, &n->max_addr, alen,
				  n->min_proto.all, n->max_proto.all, family, to, port);
	}
	return false;
}

/* iptables 1.8 writes the newest CT revision the kernel has: 2 on every
 * kernel Debian 12 runs; 1 and 2 share struct xt_ct_target_info_v1. */
#define XT_CT_REVISION 2

size_t xt_ct_size(void)
{
	return XT_ALIGN(sizeof(struct xt_entry_target)) +
	       XT_ALIGN(sizeof(struct xt_ct_target_info_v1));
}

void xt_ct_fill(struct xt_entry_target *t, uint16_t zone)
{
	struct xt_ct_target_info_v1 *ct = (void *)t->data;

	t->u.target_size = (uint16_t)xt_ct_size();
	strcpy(t->u.user.name, "CT");
	t->u.user.revision = XT_CT_REVISION;
	/* --zone-orig N: this id (not the packet's mark), for the original
	 * direction only, as libxt_CT sets it */
	ct->flags = XT_CT_ZONE_DIR_ORIG;
	ct->zone = zone;
}

/* Revision 0 has no zone directions (the kernel refuses them there); the
 * kernel-internal pointer at the end is never compared. */
bool xt_ct_read(const struct xt_entry_target *t, uint16_t *zone)
{
	const struct xt_ct_target_info_v1 *ct = (const void *)t->data;
	size_t head = XT_ALIGN(sizeof(struct xt_entry_target));
	unsigned rev = t->u.user.revision;

	if (strcmp(t->u.user.name, "CT") || (rev != 1 && rev != 2) || t->u.target_size < head ||
	    t->u.target_size - head < sizeof(struct xt_ct_target_info_v1))
		return false;
	if (ct->flags != XT_CT_ZONE_DIR_ORIG || ct->ct_events || ct->exp_events ||
	    ct->helper[0] || ct->timeout[0] || ct->zone == 0)
		return false;
	*zone = ct->zone;
	return true;
}

void xt_iface_fill(char name[IFNAMSIZ], unsigned char mask[IFNAMSIZ], const char *iface)
{
	size_t n = strlen(iface);

	memset(name, 0, IFNAMSIZ);
	memset(mask, 0, IFNAMSIZ);
	memcpy(name, iface, n);
	/* iptables masks the name and its terminating NUL: an exact match. */
	memset(mask, 0xff, n + 1 < IFNAMSIZ ? n + 1 : IFNAMSIZ);
}

bool xt_iface_read(const char name[IFNAMSIZ], const unsigned char mask[IFNAMSIZ], char out[IFNAMSIZ])
{
	size_t n = strnlen(name, IFNAMSIZ);

	if (n == 0 || n >= IFNAMSIZ)
		return false;
	for (size_t i = 0; i < IFNAMSIZ; i++)
		if (mask[i] != (i <= n ? 0xff : 0))
			return false;
	memcpy(out, name, n + 1);
	return true;
}

void xt_mask_fill(uint8_t *mask, size_t bytes, unsigned len)
{
	for (size_t i = 0; i < bytes; i++, len = len >= 8 ? len - 8 : 0)
		mask[i] = len >= 8 ? 0xff : (uint8_t)(0xff00u >> len);
}

bool xt_mask_read(const uint8_t *mask, size_t bytes, unsigned *len)
{
	uint8_t want[16];

	*len = 0;
	for (size_t i = 0; i < bytes; i++)
		for (int b = 7; b >= 0 && (mask[i] >> b) & 1; b--)
			(*len)++;
	xt_mask_fill(want, bytes, *len);
	return memcmp(want, mask, bytes) == 0;
}

int xt_lock(struct buf *err)
{
	const char *path = getenv("XTABLES_LOCKFILE");
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	int fd;

	if (!path || !*path)
		path = "/run/xtables.lock";
	fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		buf_printf(err, "cannot open the xtables lock %s: %s", path, strerror(errno));
		return -1;
	}
	for (int waited = 0; flock(fd, LOCK_EX | LOCK_NB) != 0; waited += 50) {
		if (errno != EWOULDBLOCK || waited >= XT_LOCK_WAIT_MS) {
			buf_printf(err, "cannot take the xtables lock %s: %s", path,
				   errno == EWOULDBLOCK ? "another iptables holds it" : strerror(errno));
			close(fd);
			return -1;
		}
		nanosleep(&pause, NULL);
	}
	return fd;
}

void xt_unlock(int fd)
{
	close(fd); /* releases the flock */
}

int xt_table_listed(const char *names, const char *table)
{
	FILE *f = fopen(names, "re");
	char line[64];
	int found = 0;

	/* no names file: the kernel has no x_tables table at all, unless
	 * /proc itself is missing */
	if (!f)
		return errno == ENOENT && access("/proc/self", F_OK) == 0 ? 0 : -1;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		found = !strcmp(line, table);
	}
	fclose(f);
	return found;
}

bool xt_errno_missing(int err)
{
	return err == ENOENT || err == EINVAL || err == ENOPROTOOPT;
}

static const char *table_module(const char *name, const char *table)
{
	bool v4 = !strcmp(name, "iptables");

	if (!strcmp(table, "raw"))
		return v4 ? "iptable_raw" : "ip6table_raw";
	return v4 ? "iptable_nat" : "ip6table_nat";
}

enum xt_status xt_init_error(const char *name, const char *table, int err, const char *what,
			     struct buf *out)
{
	if (err == EPERM || err == EACCES) {
		buf_printf(out, "%s %s table: %s: permission denied; rs-dnat must run as root "
			   "(CAP_NET_ADMIN)", name, table, what);
		return XT_ERROR;
	}
	if (xt_errno_missing(err) && !strcmp(table, "raw")) {
		buf_printf(out, "%s raw table not available (%s); the kernel lacks the legacy "
			   "x_tables raw table, which sets the conntrack zones: try 'modprobe %s'",
			   name, strerror(err), table_module(name, table));
		return XT_NO_TABLE;
	}
	if (xt_errno_missing(err)) {
		buf_printf(out, "%s nat table not available (%s); the kernel lacks the legacy "
			   "x_tables nat table: try 'modprobe %s', or load dnat.nft with nft instead",
			   name, strerror(err), table_module(name, table));
		return XT_NO_TABLE;
	}
	buf_printf(out, "%s %s table: %s: %s", name, table, what, strerror(err));
	return XT_ERROR;
}
