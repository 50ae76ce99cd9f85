/* IPv4: the raw and nat tables through libip4tc. The shared logic is in xt_impl.h. */
#include "xt.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <libiptc/libiptc.h>

#define XT_ENTRY struct ipt_entry
#define XT_(fn) iptc_##fn
#define XT_GET_TARGET ipt_get_target
#define XT_FAMILY AF_INET
#define XT_NAME "iptables"
#define XT_SYMBOL xt_ipv4
#define XT_NAMES "/proc/net/ip_tables_names"

static void ip_fill(struct ipt_entry *e, const struct dnat_rule *r)
{
	memcpy(&e->ip.src, r->src.addr.bytes, 4);
	xt_mask_fill((uint8_t *)&e->ip.smsk, 4, r->src.len);
	memcpy(&e->ip.dst, r->dst.bytes, 4);
	xt_mask_fill((uint8_t *)&e->ip.dmsk, 4, 32);
	xt_iface_fill(e->ip.iniface, e->ip.iniface_mask, r->iface);
	e->ip.proto = r->proto;
}

static bool ip_read(const struct ipt_entry *e, struct dnat_rule *r)
{
	unsigned dlen;
	static const char none[IFNAMSIZ];

	if (e->ip.invflags || e->ip.flags || memcmp(e->ip.outiface, none, IFNAMSIZ) ||
	    (e->ip.proto != IPPROTO_UDP && e->ip.proto != IPPROTO_TCP))
		return false;
	r->proto = (uint8_t)e->ip.proto;
	if (!xt_iface_read(e->ip.iniface, e->ip.iniface_mask, r->iface))
		return false;
	if (!xt_mask_read((const uint8_t *)&e->ip.smsk, 4, &r->src.len) ||
	    !xt_mask_read((const uint8_t *)&e->ip.dmsk, 4, &dlen) || dlen != 32)
		return false;
	r->src.addr.family = r->dst.family = AF_INET;
	memcpy(r->src.addr.bytes, &e->ip.src, 4);
	memcpy(r->dst.bytes, &e->ip.dst, 4);
	return true;
}

static bool ip_is_plain(const struct ipt_entry *e)
{
	static const struct ipt_ip zero;

	return memcmp(&e->ip, &zero, sizeof(zero)) == 0;
}

static void ip_zone_fill(struct ipt_entry *e, const struct zone_rule *r)
{
	memcpy(&e->ip.dst, r->dst.bytes, 4);
	xt_mask_fill((uint8_t *)&e->ip.dmsk, 4, 32);
	xt_iface_fill(e->ip.iniface, e->ip.iniface_mask, r->iface);
}

/* The VIP and interface of a zone rule, which matches on nothing else. */
static bool ip_zone_read(const struct ipt_entry *e, struct zone_rule *r)
{
	struct ipt_entry want;

	if (!xt_iface_read(e->ip.iniface, e->ip.iniface_mask, r->iface))
		return false;
	r->dst.family = AF_INET;
	memcpy(r->dst.bytes, &e->ip.dst, 4);
	memset(&want, 0, sizeof(want));
	ip_zone_fill(&want, r);
	return memcmp(&want.ip, &e->ip, sizeof(want.ip)) == 0;
}

#include "xt_impl.h"
