/* Prefix-list sequence numbers of VIPs (frr_seq.h). */
#include "frr_seq.h"

#include <sys/socket.h>

/* FNV-1a, 32 bits (offset basis and prime as Fowler, Noll and Vo publish
 * them): every address bit counts, so VIPs that share their last 32 bits
 * (::53 in several networks, a usual plan) still get numbers of their own;
 * the low 32 bits alone would make the site check refuse such a plan. */
static uint32_t fnv1a32(const uint8_t *p, size_t n)
{
	uint32_t h = UINT32_C(2166136261);

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= UINT32_C(16777619);
	}
	return h;
}

uint32_t frr_vip_seq(const struct addr *vip)
{
	const uint8_t *b = vip->bytes;

	if (vip->family == AF_INET)
		return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	/* 0 is no number to FRR and the last is the deny's */
	return 1 + fnv1a32(b, 16) % (FRR_SEQ_DENY_ANY - 1);
}
