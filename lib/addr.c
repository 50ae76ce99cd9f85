#include "addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

bool addr_parse(const char *s, struct addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->bytes) == 1) {
		out->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, out->bytes) == 1) {
		out->family = AF_INET6;
		return true;
	}
	memset(out, 0, sizeof(*out));
	return false;
}

unsigned addr_maxlen(const struct addr *a)
{
	return a->family == AF_INET ? 32 : 128;
}

bool prefix_parse(const char *s, struct prefix *out)
{
	char host[ADDR_STRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	char *end;
	unsigned long len;

	memset(out, 0, sizeof(*out));
	if (n == 0 || n > ADDR_STRLEN)
		return false;
	memcpy(host, s, n);
	host[n] = '\0';
	if (!addr_parse(host, &out->addr))
		return false;
	if (!slash) {
		out->len = addr_maxlen(&out->addr);
		return true;
	}
	if (slash[1] < '0' || slash[1] > '9')
		return false;
	len = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || len > addr_maxlen(&out->addr) ||
	    (slash[1] == '0' && slash[2] != '\0'))
		return false;
	out->len = (unsigned)len;
	return true;
}

void prefix_network(const struct prefix *p, struct prefix *net)
{
	unsigned i, bits = p->len;

	*net = *p;
	for (i = 0; i < 16; i++) {
		if (bits >= 8) {
			bits -= 8;
			continue;
		}
		net->addr.bytes[i] &= (uint8_t)(0xff00u >> bits);
		bits = 0;
	}
}

bool prefix_contains(const struct prefix *p, const struct addr *a)
{
	struct prefix pn, an = { *a, p->len };

	if (a->family != p->addr.family)
		return false;
	prefix_network(p, &pn);
	prefix_network(&an, &an);
	return addr_eq(&pn.addr, &an.addr);
}

bool prefix_overlaps(const struct prefix *a, const struct prefix *b)
{
	/* the shorter of two overlapping networks contains the longer one */
	return a->len <= b->len ? prefix_contains(a, &b->addr) : prefix_contains(b, &a->addr);
}

/* Whether every host bit of a under p (from bit p->len on) equals `one`. */
static bool host_bits_all(const struct prefix *p, const struct addr *a, bool one)
{
	unsigned max = addr_maxlen(a);

	for (unsigned bit = p->len; bit < max; bit++)
		if (((a->bytes[bit / 8] >> (7 - bit % 8)) & 1) != one)
			return false;
	return p->len < max;
}

bool prefix_reserved_host(const struct prefix *p, const struct addr *a)
{
	if (!prefix_contains(p, a))
		return false;
	if (a->family == AF_INET && p->len >= 31)
		return false;   /* RFC 3021: both addresses of a /31 are hosts */
	return host_bits_all(p, a, false) || (a->family == AF_INET && host_bits_all(p, a, true));
}

bool addr_is_unicast(const struct addr *a)
{
	static const struct prefix not_unicast[] = {
		{ { AF_INET, { 0 } }, 8 },                 /* "this network" */
		{ { AF_INET, { 127 } }, 8 },               /* loopback */
		{ { AF_INET, { 169, 254 } }, 16 },         /* link-local */
		{ { AF_INET, { 224 } }, 4 },               /* multicast */
		{ { AF_INET, { 240 } }, 4 },               /* reserved, and broadcast */
		{ { AF_INET6, { 0 } }, 128 },              /* unspecified */
		{ { AF_INET6, { [15] = 1 } }, 128 },       /* loopback */
		{ { AF_INET6, { [10] = 0xff, [11] = 0xff } }, 96 },  /* IPv4-mapped */
		{ { AF_INET6, { 0xfe, 0x80 } }, 10 },      /* link-local */
		{ { AF_INET6, { 0xff } }, 8 },             /* multicast */
	};

	for (size_t i = 0; i < sizeof(not_unicast) / sizeof(not_unicast[0]); i++)
		if (prefix_contains(&not_unicast[i], a))
			return false;
	return a->family == AF_INET || a->family == AF_INET6;
}

/* inet_ntop formats IPv4 with sprintf, which a large render does a
 * hundred thousand times; four small numbers are quicker by hand. */
static void ipv4_str(const unsigned char *b, char *out)
{
	for (int i = 0; i < 4; i++) {
		unsigned v = b[i];
		if (v >= 100)
			*out++ = (char)('0' + v / 100);
		if (v >= 10)
			*out++ = (char)('0' + v / 10 % 10);
		*out++ = (char)('0' + v % 10);
		*out++ = i < 3 ? '.' : '\0';
	}
}

const char *addr_str(const struct addr *a, char *out)
{
	if (a->family == AF_INET)
		ipv4_str(a->bytes, out);
	else if (!a->family || !inet_ntop(a->family, a->bytes, out, ADDR_STRLEN))
		strcpy(out, "?");
	return out;
}

const char *prefix_str(const struct prefix *p, char *out)
{
	char a[ADDR_STRLEN];

	snprintf(out, PREFIX_STRLEN, "%s/%u", addr_str(&p->addr, a), p->len);
	return out;
}

int addr_cmp(const struct addr *a, const struct addr *b)
{
	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	return memcmp(a->bytes, b->bytes, sizeof(a->bytes));
}

bool addr_eq(const struct addr *a, const struct addr *b)
{
	return addr_cmp(a, b) == 0;
}

int prefix_cmp(const struct prefix *a, const struct prefix *b)
{
	int c = addr_cmp(&a->addr, &b->addr);

	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

int addr_version(const struct addr *a)
{
	return a->family == AF_INET6 ? 6 : 4;
}
