/* What tests/unit/test_rs_rules.c (the rules format) and test_rs_diff.c
 * (the kernel-vs-wanted difference) share: the rule texts both read, and
 * parse(), which reads one as rs-dnat does. */
#ifndef RS_RULES_HELPERS_H
#define RS_RULES_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../realserver/rules.h"

static const char GOOD4[] =
	"# comment\n"
	"*nat\n"
	":LVSDNS-PRE - [0:0]\n"
	"-A PREROUTING -j LVSDNS-PRE\n"
	"-A LVSDNS-PRE -s 192.0.2.0/24 -d 198.51.100.53/32 -i eth1.105 -p udp -m udp --dport 53 -j DNAT --to-destination 10.1.53.2:53\n"
	"\n"
	"-A LVSDNS-PRE -d 198.51.100.53/32 -i eth1.109 -p tcp -m tcp --dport 53 -j DNAT --to-destination 10.3.53.2\n"
	"COMMIT\n";

/* The *raw section cluster-gen writes before *nat: one rule per VLAN
 * interface and VIP, the original direction only, one zone per interface. */
#define RAW_HEAD "*raw\n:LVSDNS-ZONE - [0:0]\n-A PREROUTING -j LVSDNS-ZONE\n"
#define ZONES_105_109 \
	"-A LVSDNS-ZONE -d 198.51.100.53/32 -i eth1.105 -j CT --zone-orig 1105\n" \
	"-A LVSDNS-ZONE -d 198.51.100.54/32 -i eth1.105 -j CT --zone-orig 1105\n" \
	"-A LVSDNS-ZONE -d 198.51.100.53/32 -i eth1.109 -j CT --zone-orig 1109\n" \
	"-A LVSDNS-ZONE -d 198.51.100.54/32 -i eth1.109 -j CT --zone-orig 1109\n"

static const char GOODZ4[] =
	"# rendered by cluster-gen\n"
	RAW_HEAD ZONES_105_109
	"COMMIT\n"
	"*nat\n"
	":LVSDNS-PRE - [0:0]\n"
	"-A PREROUTING -j LVSDNS-PRE\n"
	"-A LVSDNS-PRE -s 192.0.2.0/24 -d 198.51.100.53/32 -i eth1.105 -p udp -m udp --dport 53 -j DNAT --to-destination 10.1.53.2:53\n"
	"-A LVSDNS-PRE -d 198.51.100.53/32 -i eth1.109 -p tcp -m tcp --dport 53 -j DNAT --to-destination 10.3.53.2\n"
	"COMMIT\n";

/* Parses text; returns the printed diagnostics ("" when it parsed). */
static inline char *parse(const char *text, int family, struct dnat_set *out)
{
	struct diags d;
	char *msg;
	FILE *f;
	size_t len;

	diags_init(&d, "t.rules");
	if (dnat_parse(text, strlen(text), family, out, &d) == 0) {
		diags_free(&d);
		return xstrdup("");
	}
	f = open_memstream(&msg, &len);
	diags_print(&d, f);
	fclose(f);
	diags_free(&d);
	return msg;
}

#define HEAD "*nat\n:LVSDNS-PRE - [0:0]\n-A PREROUTING -j LVSDNS-PRE\n"
#define RULE(x) "-A LVSDNS-PRE " x "\nCOMMIT\n"

#endif
