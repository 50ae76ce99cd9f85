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
