/* Numeric IPv4/IPv6 addresses and prefixes: parsing (no resolver), canonical
 * printing, comparison and containment. */
#ifndef LVSDNS_ADDR_H
#define LVSDNS_ADDR_H

#include <stdbool.h>
#include <stdint.h>

#define ADDR_STRLEN 46 /* INET6_ADDRSTRLEN */
#define PREFIX_STRLEN (ADDR_STRLEN + 4)

struct addr {
	int family; /* AF_INET or AF_INET6; 0 when unset */
	uint8_t bytes[16];
};

struct prefix {
	struct addr addr;
	unsigned len;
};

/* Parse a numeric address. Returns false on anything else (names included). */
bool addr_parse(const char *s, struct addr *out);
/* Parse "ADDR/LEN" (LEN optional: a host prefix). Host bits may be set:
 * "10.1.53.1/24" is an interface address; prefix_network() clears them. */
bool prefix_parse(const char *s, struct prefix *out);
void prefix_network(const struct prefix *p, struct prefix *net);
bool prefix_contains(const struct prefix *p, const struct addr *a);
unsigned addr_maxlen(const struct addr *a);
/* Whether the two networks share an address. */
bool prefix_overlaps(const struct prefix *a, const struct prefix *b);
/* Whether a is p's network address (all host bits zero: the IPv6
 * subnet-router anycast) or, for IPv4, its broadcast address: no host may
 * use it. False outside p, and for a /31 (RFC 3021), /32 or /128. */
bool prefix_reserved_host(const struct prefix *p, const struct addr *a);
/* Whether a can be a host's or a service's address: not unspecified,
 * loopback, link-local, multicast, broadcast, reserved or IPv4-mapped. */
bool addr_is_unicast(const struct addr *a);

/* Canonical text (inet_ntop form); out must hold ADDR_STRLEN/PREFIX_STRLEN. */
const char *addr_str(const struct addr *a, char *out);
const char *prefix_str(const struct prefix *p, char *out);

int addr_cmp(const struct addr *a, const struct addr *b);
bool addr_eq(const struct addr *a, const struct addr *b);
int prefix_cmp(const struct prefix *a, const struct prefix *b);
/* 4 or 6, for templates and messages. */
int addr_version(const struct addr *a);

#endif
