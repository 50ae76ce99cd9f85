/* IPv6: the raw and nat tables through libip6tc. The shared logic is in xt_impl.h. */
#include "xt.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <libiptc/libip6tc.h>

#define XT_ENTRY struct ip6t_entry
#define XT_(fn) ip6tc_##fn
#define XT_GET_TARGET ip6t_get_target
#define XT_FAMILY AF_INET6
#define XT_NAME "ip6tables"
#define XT_SYMBOL xt_ipv6
#define XT_NAMES "/proc/net/ip6_tables_names"

static void ip_fill(struct ip6t_entry *e, const struct dnat_rule *r)
{
	memcpy(&e->ipv6.src, r->src.addr.bytes, 16);
	xt_mask_fill((uint8_t *)&e->ipv6.smsk, 16, r->src.len);
	memcpy(&e->ipv6.dst, r->dst.bytes, 16);
	xt_mask_fill((uint8_t *)&e->ipv6.dmsk, 16, 128);
	xt_iface_fill(e->ipv6.iniface, e->ipv6.iniface_mask, r->iface);
	e->ipv6.proto = r->proto;
	e->ipv6.flags = IP6T_F_PROTO; /* ip6tables matches proto only with this */
}

static bool ip_read(const struct ip6t_entry *e, struct dnat_rule *r)
{
	unsigned dlen;
	static const char none[IFNAMSIZ];

	if (e->ipv6.invflags || e->ipv6.flags != IP6T_F_PROTO || e->ipv6.tos ||
	    memcmp(e->ipv6.outiface, none, IFNAMSIZ) ||
	    (e->ipv6.proto != IPPROTO_UDP && e->ipv6.proto != IPPROTO_TCP))
		return false;
	r->proto = (uint8_t)e->ipv6.proto;
	if (!xt_iface_read(e->ipv6.iniface, e->ipv6.iniface_mask, r->iface))
		return false;
	if (!xt_mask_read((const uint8_t *)&e->ipv6.smsk, 16, &r->src.len) ||
	    !xt_mask_read((const uint8_t *)&e->ipv6.dmsk, 16, &dlen) || dlen != 128)
		return false;
	r->src.addr.family = r->dst.family = AF_INET6;
	memcpy(r->src.addr.bytes, &e->ipv6.src, 16);
	memcpy(r->dst.bytes, &e->ipv6.dst, 16);
	return true;
}

static bool ip_is_plain(const struct ip6t_entry *e)
{
	static const struct ip6t_ip6 zero;

	return memcmp(&e->ipv6, &zero, sizeof(zero)) == 0;
}

static void ip_zone_fill(struct ip6t_entry *e, const struct zone_rule *r)
{
	memcpy(&e->ipv6.dst, r->dst.bytes, 16);
	xt_mask_fill((uint8_t *)&e->ipv6.dmsk, 16, 128);
	xt_iface_fill(e->ipv6.iniface, e->ipv6.iniface_mask, r->iface);
}

/* The VIP and interface of a zone rule, which matches on nothing else. */
static bool ip_zone_read(const struct ip6t_entry *e, struct zone_rule *r)
{
	struct ip6t_entry want;

	if (!xt_iface_read(e->ipv6.iniface, e->ipv6.iniface_mask, r->iface))
		return false;
	r->dst.family = AF_INET6;
	memcpy(r->dst.bytes, &e->ipv6.dst, 16);
	memset(&want, 0, sizeof(want));
	ip_zone_fill(&want, r);
	return memcmp(&want.ipv6, &e->ipv6, sizeof(want.ipv6)) == 0;
}

#include "xt_impl.h"
