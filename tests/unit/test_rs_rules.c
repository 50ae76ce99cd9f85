/* Unit tests of rs-dnat's rules format (realserver/rules.c): parsing the
 * *nat section and the *raw section of conntrack zones, printing rules back,
 * and refusing what is not ours with file:line. The kernel-vs-wanted
 * difference is in test_rs_diff.c, the x_tables encoding in test_rs_xt.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "../../realserver/rules.h"
#include "rs_rules_helpers.h"

static const char GOOD6[] =
	"*nat\n:LVSDNS-PRE - [0:0]\n-A PREROUTING -j LVSDNS-PRE\n"
	"-A LVSDNS-PRE -s 2001:db8:1::/48 -d 2001:db8:53::124/128 -i eth1.605 -p udp -m udp --dport 53 -j DNAT --to-destination [2001:db8:105::2]:53\n"
	"COMMIT\n";

static void expect_error(const char *text, const char *needle)
{
	struct dnat_set s;
	char *msg = parse(text, 0, &s);

	if (!strstr(msg, needle))
		fail_msg("expected '%s' in: %s", needle, msg);
	free(msg);
}

static void expect_no_error_line(const char *text, const char *needle)
{
	struct dnat_set s;
	char *msg = parse(text, 0, &s);

	if (!*msg || strstr(msg, needle))
		fail_msg("expected an error, but none at '%s', in: %s", needle, msg);
	free(msg);
}

static char *format_all(const struct dnat_set *s)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < s->n; i++) {
		dnat_rule_format(&s->v[i], s->family, &b);
		buf_putc(&b, '\n');
	}
	return buf_steal(&b);
}

static void test_parse_ipv4(void **state)
{
	struct dnat_set s;
	char *msg = parse(GOOD4, 0, &s), *text;
	(void)state;

	assert_string_equal(msg, "");
	free(msg);
	assert_int_equal(s.family, AF_INET);
	assert_true(s.jump);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.v[0].iface, "eth1.105");
	assert_int_equal(s.v[0].src.len, 24);
	assert_int_equal(s.v[0].proto, IPPROTO_UDP);
	assert_int_equal(s.v[0].dport, 53);
	assert_int_equal(s.v[0].to_port, 53);
	assert_int_equal(s.v[1].src.len, 0);
	assert_int_equal(s.v[1].proto, IPPROTO_TCP);
	assert_int_equal(s.v[1].to_port, 0);
	text = format_all(&s);
	assert_string_equal(text,
		"-A LVSDNS-PRE -s 192.0.2.0/24 -d 198.51.100.53/32 -i eth1.105 -p udp -m udp --dport 53 -j DNAT --to-destination 10.1.53.2:53\n"
		"-A LVSDNS-PRE -d 198.51.100.53/32 -i eth1.109 -p tcp -m tcp --dport 53 -j DNAT --to-destination 10.3.53.2\n");
	free(text);
	dnat_set_free(&s);
}

static void test_parse_ipv6_roundtrip(void **state)
{
	struct dnat_set s;
	char *msg = parse(GOOD6, 0, &s), *text;
	(void)state;

	assert_string_equal(msg, "");
	free(msg);
	assert_int_equal(s.family, AF_INET6);
	text = format_all(&s);
	assert_non_null(strstr(GOOD6, text));
	free(text);
	dnat_set_free(&s);
}

static void test_source_is_masked(void **state)
{
	struct dnat_set s;
	char *msg = parse("*nat\n:LVSDNS-PRE - [0:0]\n-A PREROUTING -j LVSDNS-PRE\n"
			  "-A LVSDNS-PRE -s 10.1.2.3/8 -d 192.0.2.1/32 -i e -p udp --dport 53 -j DNAT --to-destination 10.0.0.2\n"
			  "COMMIT\n", 0, &s);
	char a[ADDR_STRLEN];
	(void)state;

	assert_string_equal(msg, "");
	free(msg);
	assert_string_equal(addr_str(&s.v[0].src.addr, a), "10.0.0.0");
	dnat_set_free(&s);
}

static void test_empty_rule_set_takes_family(void **state)
{
	static const char empty[] = "*nat\n:LVSDNS-PRE - [0:0]\n-A PREROUTING -j LVSDNS-PRE\nCOMMIT\n";
	struct dnat_set s;
	char *msg = parse(empty, AF_INET6, &s);
	(void)state;

	assert_string_equal(msg, "");
	free(msg);
	assert_int_equal(s.family, AF_INET6);
	assert_int_equal(s.n, 0);
	dnat_set_free(&s);
}

/* Nothing in a rule-less file says its family; an IPv4 guess once made an
 * empty dnat6.rules flush the IPv4 chain. */
static void test_empty_rule_set_needs_family(void **state)
{
	static const char empty[] = "*nat\n:LVSDNS-PRE - [0:0]\n-A PREROUTING -j LVSDNS-PRE\nCOMMIT\n";
	struct dnat_set s;
	char *msg = parse(empty, 0, &s);
	(void)state;

	assert_string_equal(msg, "t.rules: the file has no rules, so its address family is unknown\n"
				 "  hint: give -4 or -6 to say which nat table it is for\n");
	free(msg);
	msg = parse(empty, AF_INET, &s);
	assert_string_equal(msg, "");
	assert_int_equal(s.family, AF_INET);
	free(msg);
	dnat_set_free(&s);
}

static void test_refusals(void **state)
{
	(void)state;
	expect_error(HEAD RULE("-d 192.0.2.1/32 -i eth1.verylongname -p udp --dport 53 -j DNAT --to-destination 10.0.0.2"),
		     "t.rules:4: interface name 'eth1.verylongname' is longer than 15 bytes");
	expect_error(HEAD RULE("-d 192.0.2.1/32 -i eth+ -p udp --dport 53 -j DNAT --to-destination 10.0.0.2"),
		     "interface name 'eth+' has a character");
	expect_error(HEAD RULE("-d 192.0.2.1/32 -i e -p udp --dport 53 -j DNAT --to-destination 2001:db8::2"),
		     "is IPv6 in an IPv4 rule set");
	expect_error(HEAD RULE("-d 192.0.2.0/24 -i e -p udp --dport 53 -j DNAT --to-destination 10.0.0.2"),
		     "one host address");
	expect_error(HEAD RULE("-d 192.0.2.1/32 -i e -p icmp -j DNAT --to-destination 10.0.0.2"),
		     "-p must be udp or tcp");
	expect_error(HEAD RULE("-d 192.0.2.1/32 -i e -p udp -m tcp --dport 53 -j DNAT --to-destination 10.0.0.2"),
		     "-m tcp does not match -p udp");
	expect_error(HEAD RULE("-d 192.0.2.1/32 -i e -p udp --dport 53 -j ACCEPT"), "must be -j DNAT");
	expect_error(HEAD RULE("-d 192.0.2.1/32 -i e -p udp --dport 70000 -j DNAT --to-destination 10.0.0.2"),
		     "bad port '70000'");
	/* iptables would install port 43: it reads a leading 0 as octal there */
	expect_error(HEAD RULE("-d 192.0.2.1/32 -i e -p udp --dport 53 -j DNAT --to-destination 10.0.0.2:053"),
		     "t.rules:4: bad --to-destination '10.0.0.2:053'");
	expect_error(HEAD RULE("! -d 192.0.2.1/32 -i e -p udp --dport 53 -j DNAT --to-destination 10.0.0.2"),
		     "unsupported option '!'");
	expect_error(HEAD RULE("-d 192.0.2.1/32 -p udp --dport 53 -j DNAT --to-destination 10.0.0.2"),
		     "a rule needs -d, -i, --dport and --to-destination");
	expect_error(HEAD "-A INPUT -j ACCEPT\nCOMMIT\n", "t.rules:4: not a line of ours");
	/* iptables-restore: "multiple -d flags not allowed"; never last-one-wins */
	expect_error(HEAD RULE("-d 192.0.2.1/32 -d 192.0.2.2/32 -i e -p udp --dport 53 -j DNAT --to-destination 10.0.0.2"),
		     "t.rules:4: option -d given more than once");
	expect_error(HEAD RULE("-d 192.0.2.1/32 -i e -p udp --dport 53 -j DNAT --to-destination 10.0.0.2 --dport 54"),
		     "t.rules:4: option --dport given more than once");
	expect_error(HEAD RULE("-d 192.0.2.1/32 -i e -i f -p udp --dport 53 -j DNAT --to-destination 10.0.0.2"),
		     "t.rules:4: option -i given more than once");
	expect_error(HEAD, "no COMMIT line");
	expect_error("*nat\n:LVSDNS-PRE - [0:0]\nCOMMIT\n", "no '-A PREROUTING -j LVSDNS-PRE' line");
	expect_error("*filter\n", "t.rules:1: expected '*nat' (or '*raw' before it)");
	expect_error(HEAD "COMMIT\n*nat\n", "t.rules:5: text after COMMIT");
	expect_error("*nat\n:OTHER - [0:0]\n", "unexpected chain declaration ':OTHER'");
	expect_error("*nat\n-A LVSDNS-PRE -d 192.0.2.1/32 -i e -p udp --dport 53 -j DNAT --to-destination 10.0.0.2\n",
		     "rule before ':LVSDNS-PRE'");
}

static char *format_zones(const struct zone_set *z)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < z->rules.n; i++) {
		zone_rule_format(&z->rules.v[i], &b);
		buf_putc(&b, '\n');
	}
	return buf_steal(&b);
}

static void test_parse_zones(void **state)
{
	struct dnat_set s;
	char *msg = parse(GOODZ4, 0, &s), *text;
	(void)state;

	assert_string_equal(msg, "");
	free(msg);
	assert_true(s.zones.wanted);
	assert_true(s.zones.jump);
	assert_int_equal(s.zones.rules.n, 4);
	assert_string_equal(s.zones.rules.v[2].iface, "eth1.109");
	assert_int_equal(s.zones.rules.v[2].zone, 1109);
	assert_int_equal(s.zones.rules.v[1].line, 6);
	/* the nat section is read as without zones */
	assert_int_equal(s.family, AF_INET);
	assert_int_equal(s.n, 2);
	text = format_zones(&s.zones);
	assert_string_equal(text, ZONES_105_109);
	free(text);
	dnat_set_free(&s);
}

/* The options in another order (as a hand-written file may have them)
 * read the same; IPv6 prints back with /128. */
static void test_parse_zones_any_order_ipv6(void **state)
{
	static const char text[] = "*raw\n:LVSDNS-ZONE - [0:0]\n-A PREROUTING -j LVSDNS-ZONE\n"
		"-A LVSDNS-ZONE -i eth1.605 -j CT --zone-orig 1605 -d 2001:db8:53::124\n"
		"COMMIT\n" "*nat\n:LVSDNS-PRE - [0:0]\n-A PREROUTING -j LVSDNS-PRE\nCOMMIT\n";
	struct dnat_set s;
	char *msg = parse(text, 0, &s), *out;
	(void)state;

	assert_string_equal(msg, "");
	free(msg);
	assert_int_equal(s.family, AF_INET6);
	out = format_zones(&s.zones);
	assert_string_equal(out, "-A LVSDNS-ZONE -d 2001:db8:53::124/128 -i eth1.605 -j CT --zone-orig 1605\n");
	free(out);
	dnat_set_free(&s);
}

/* A file rendered before zones existed stays valid: it wants none. */
static void test_parse_without_raw_wants_no_zones(void **state)
{
	struct dnat_set s;
	char *msg = parse(GOOD4, 0, &s);
	(void)state;

	assert_string_equal(msg, "");
	free(msg);
	assert_false(s.zones.wanted);
	assert_int_equal(s.zones.rules.n, 0);
	dnat_set_free(&s);
}

/* Zones with no DNAT rules, or with no zone rules at all: still a file
 * without addresses, so the family must be given. */
static void test_parse_zones_without_rules(void **state)
{
	static const char text[] = RAW_HEAD "COMMIT\n*nat\n:LVSDNS-PRE - [0:0]\n"
				   "-A PREROUTING -j LVSDNS-PRE\nCOMMIT\n";
	struct dnat_set s;
	char *msg = parse(text, AF_INET6, &s);
	(void)state;

	assert_string_equal(msg, "");
	free(msg);
	assert_true(s.zones.wanted);
	assert_int_equal(s.zones.rules.n, 0);
	dnat_set_free(&s);
	msg = parse(text, 0, &s);
	assert_non_null(strstr(msg, "its address family is unknown"));
	free(msg);
}

#define NAT_TAIL "*nat\n:LVSDNS-PRE - [0:0]\n-A PREROUTING -j LVSDNS-PRE\n" \
	"-A LVSDNS-PRE -d 192.0.2.1/32 -i eth1.105 -p udp --dport 53 -j DNAT --to-destination 10.0.0.2\nCOMMIT\n"
/* RAW_HEAD is lines 1-3: a zone rule given here is line 4. */
#define ZRULE(x) RAW_HEAD x "\nCOMMIT\n" NAT_TAIL
#define Z105 "-A LVSDNS-ZONE -d 192.0.2.1/32 -i eth1.105 -j CT --zone-orig "

static void test_zone_refusals(void **state)
{
	(void)state;
	expect_error(ZRULE(Z105 "0"), "t.rules:4: bad zone '0' (1 to 65535)\n"
		     "  hint: zone 0 is the default zone that every interface shares");
	expect_error(ZRULE(Z105 "65536"), "t.rules:4: bad zone '65536' (1 to 65535)");
	expect_error(ZRULE(Z105 "1x"), "t.rules:4: bad zone '1x'");
	expect_error(ZRULE(Z105 "01105"), "t.rules:4: bad zone '01105' (1 to 65535)\n"
		     "  hint: iptables reads a number with a leading 0 as octal");
	expect_error(ZRULE(Z105 "0x451"), "t.rules:4: bad zone '0x451'");
	expect_error(ZRULE(Z105 "-5"), "t.rules:4: bad zone '-5'");
	/* both directions, or the replies' */
	expect_error(ZRULE("-A LVSDNS-ZONE -d 192.0.2.1/32 -i eth1.105 -j CT --zone 1105"),
		     "t.rules:4: --zone: rules in LVSDNS-ZONE set the zone of the original "
		     "direction only, with --zone-orig N\n  hint: a zone for the replies too");
	expect_error(ZRULE("-A LVSDNS-ZONE -d 192.0.2.1/32 -i eth1.105 -j CT --zone-reply 1105"),
		     "t.rules:4: --zone-reply: rules in LVSDNS-ZONE set");
	expect_error(ZRULE("-A LVSDNS-ZONE -d 192.0.2.1/32 -i eth1.105 -j CT --zone-orig 1105 --zone-reply 1105"),
		     "t.rules:4: --zone-reply: rules in LVSDNS-ZONE set");
	/* the VIP: one host address of the file's family */
	expect_error(ZRULE("-A LVSDNS-ZONE -d 192.0.2.0/24 -i eth1.105 -j CT --zone-orig 1105"),
		     "t.rules:4: bad destination '192.0.2.0/24' (a VIP: one host address)");
	expect_error(ZRULE(Z105 "1105\n-A LVSDNS-ZONE -d 2001:db8::1/128 -i eth1.109 -j CT --zone-orig 1109"),
		     "t.rules:5: 2001:db8::1/128 is IPv6 in an IPv4 rule set\n"
		     "  hint: keep IPv4 rules in dnat.rules and IPv6 rules in dnat6.rules\n"
		     "t.rules:5: bad destination '2001:db8::1/128'");
	/* the first address of the file sets its family, zones included */
	expect_error(ZRULE("-A LVSDNS-ZONE -d 2001:db8::1/128 -i eth1.105 -j CT --zone-orig 1105"),
		     "t.rules:9: 192.0.2.1/32 is IPv4 in an IPv6 rule set");
	expect_error(ZRULE("-A LVSDNS-ZONE -i eth1.105 -j CT --zone-orig 1105"),
		     "t.rules:4: a rule in LVSDNS-ZONE needs -d, -i and --zone-orig");
	expect_error(ZRULE("-A LVSDNS-ZONE -d 192.0.2.1/32 -j CT --zone-orig 1105"),
		     "t.rules:4: a rule in LVSDNS-ZONE needs -d, -i and --zone-orig");
	expect_error(ZRULE("-A LVSDNS-ZONE -d 192.0.2.1/32 -i eth+ -j CT --zone-orig 1105"),
		     "t.rules:4: interface name 'eth+' has a character other than");
	expect_error(ZRULE("-A LVSDNS-ZONE -d 192.0.2.1/32 -i eth1.verylongname -j CT --zone-orig 1105"),
		     "t.rules:4: interface name 'eth1.verylongname' is longer than 15 bytes");
	expect_error(ZRULE("-A LVSDNS-ZONE -d 192.0.2.1/32 -o eth1.105 -j CT --zone-orig 1105"),
		     "t.rules:4: unsupported option '-o'");
	expect_error(ZRULE("-A LVSDNS-ZONE -d 192.0.2.1/32 -i eth1.105 -j CT --notrack"),
		     "t.rules:4: unsupported option '--notrack'");
	expect_error(ZRULE("-A LVSDNS-ZONE -d 192.0.2.1/32 -i eth1.105 -j NOTRACK"),
		     "t.rules:4: rules in LVSDNS-ZONE must be -j CT");
	expect_error(ZRULE("-A LVSDNS-ZONE -d 192.0.2.1/32 -i eth1.105 -p udp -j CT --zone-orig 1105"),
		     "t.rules:4: unsupported option '-p'");
	expect_error(ZRULE("-A LVSDNS-ZONE ! -d 192.0.2.1/32 -i eth1.105 -j CT --zone-orig 1105"),
		     "t.rules:4: unsupported option '!'");
	expect_error(ZRULE("-A LVSDNS-ZONE -d 192.0.2.1 -d 192.0.2.2 -i eth1.105 -j CT --zone-orig 1105"),
		     "t.rules:4: option -d given more than once");
	expect_error(ZRULE("-A PREROUTING -j CT --zone-orig 7"), "t.rules:4: not a line of ours: '-A'");
	expect_error(ZRULE("-A OUTPUT -j LVSDNS-ZONE"), "t.rules:4: not a line of ours");
	expect_error(ZRULE("-A PREROUTING -j LVSDNS-ZONE"), "t.rules:4: second jump from PREROUTING");
	expect_error(ZRULE(":LVSDNS-PRE - [0:0]"), "t.rules:4: unexpected chain declaration ':LVSDNS-PRE'");
	expect_error(ZRULE(":LVSDNS-ZONE ACCEPT [0:0]"), "t.rules:4: unexpected chain declaration");
	expect_error(ZRULE("-F"), "t.rules:4: not a line of ours: '-F'");
	expect_error(ZRULE("*nat"), "t.rules:4: '*nat' before the *raw section's COMMIT");
	/* a rule before its chain's declaration, as iptables-restore refuses it */
	expect_error("*raw\n" Z105 "1105\n", "t.rules:2: rule before ':LVSDNS-ZONE'");
}

/* The section an older cluster-gen rendered (every frame of the VLAN
 * interfaces, both ways): refused once, at its first line, with what to do. */
static void test_old_zone_chains_refused(void **state)
{
	static const char old[] = "*raw\n:LVSDNS-ZONE-IN - [0:0]\n:LVSDNS-ZONE-OUT - [0:0]\n"
		"-A PREROUTING -j LVSDNS-ZONE-IN\n-A OUTPUT -j LVSDNS-ZONE-OUT\n"
		"-A LVSDNS-ZONE-IN -i eth1.105 -j CT --zone 1105\n"
		"-A LVSDNS-ZONE-OUT -o eth1.105 -j CT --zone 1105\nCOMMIT\n" NAT_TAIL;
	struct dnat_set s;
	char *msg = parse(old, 0, &s);
	(void)state;

	assert_string_equal(msg, "t.rules:2: LVSDNS-ZONE-IN is the zone chain of an older cluster-gen\n"
			    "  hint: render the rules again with this cluster-gen: zones now cover "
			    "only the flows to a VIP, in one chain LVSDNS-ZONE\n");
	free(msg);
	/* one such line among ours is refused too */
	expect_error(ZRULE("-A LVSDNS-ZONE-OUT -o eth1.105 -j CT --zone 1105"),
		     "t.rules:4: LVSDNS-ZONE-OUT is the zone chain of an older cluster-gen");
}

static void test_raw_section_refusals(void **state)
{
	(void)state;
	expect_error("*raw\n-A PREROUTING -j LVSDNS-ZONE\nCOMMIT\n" NAT_TAIL,
		     "t.rules:3: no ':LVSDNS-ZONE - [0:0]' line in the *raw section");
	expect_error("*raw\n:LVSDNS-ZONE - [0:0]\nCOMMIT\n" NAT_TAIL,
		     "t.rules:3: no '-A PREROUTING -j LVSDNS-ZONE' line in the *raw section");
	expect_error(RAW_HEAD "COMMIT\n", "t.rules: no '*nat' section after the *raw section");
	expect_error(RAW_HEAD "COMMIT\n*raw\n", "t.rules:5: expected '*nat' after the *raw section");
	expect_error(RAW_HEAD, "no COMMIT line");
	expect_error(NAT_TAIL RAW_HEAD "COMMIT\n", "t.rules:6: text after COMMIT\n"
		     "  hint: the *raw section comes before *nat, as cluster-gen writes it");
	expect_error("*mangle\n", "t.rules:1: expected '*nat' (or '*raw' before it) before any rule");
}

/* One rule per interface and VIP, one zone per interface, one interface
 * per zone. */
static void test_zone_conflicts(void **state)
{
	(void)state;
	expect_error(ZRULE(Z105 "1105\n" Z105 "1105"),
		     "t.rules:5: interface eth1.105 already has a rule for 192.0.2.1 (line 4)\n"
		     "  hint: only the first rule would count");
	expect_error(ZRULE(Z105 "1105\n-A LVSDNS-ZONE -i eth1.105 -j CT --zone-orig 1105 -d 192.0.2.1"),
		     "t.rules:5: interface eth1.105 already has a rule for 192.0.2.1 (line 4)");
	expect_error(ZRULE(Z105 "1105\n-A LVSDNS-ZONE -d 192.0.2.2/32 -i eth1.105 -j CT --zone-orig 1106"),
		     "t.rules:5: interface eth1.105 has zone 1106 here but zone 1105 on line 4\n"
		     "  hint: one zone per VLAN interface");
	expect_error(ZRULE(Z105 "1105\n-A LVSDNS-ZONE -d 192.0.2.1/32 -i eth1.109 -j CT --zone-orig 1105"),
		     "t.rules:5: zone 1105 is already interface eth1.105's (line 4), not eth1.109's\n"
		     "  hint: two VLANs must never share a zone: their conntrack entries would meet again");
	/* no pairing with an OUTPUT chain any more: one direction is all */
	expect_no_error_line(ZRULE(Z105 "1105\n" Z105 "0"), "t.rules:4");
}

/* Every problem is reported, each at its own line. */
static void test_zone_errors_collected(void **state)
{
	(void)state;
	expect_error(ZRULE(Z105 "0\n"
			   "-A LVSDNS-ZONE -d 192.0.2.1/32 -i eth1.105/x -j CT --zone-orig 1105\n"
			   "-A LVSDNS-ZONE -d 192.0.2.1/32 -i eth1.109 -j CT --zone 1109"),
		     "t.rules:4: bad zone '0' (1 to 65535)\n"
		     "  hint: zone 0 is the default zone that every interface shares\n"
		     "t.rules:5: interface name 'eth1.105/x' has a character other than letters, digits, '.', '-', '_'\n"
		     "t.rules:6: --zone: rules in LVSDNS-ZONE");
}

static void test_refuses_nul(void **state)
{
	static const char text[] = "*nat\n:LVSDNS-PRE\0 - [0:0]\nCOMMIT\n";
	struct dnat_set s;
	struct diags d;
	(void)state;

	diags_init(&d, "t.rules");
	assert_int_equal(dnat_parse(text, sizeof(text) - 1, 0, &s, &d), -1);
	assert_string_equal(d.v[0].message, "NUL byte in line");
	diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ipv4),
		cmocka_unit_test(test_parse_ipv6_roundtrip),
		cmocka_unit_test(test_source_is_masked),
		cmocka_unit_test(test_empty_rule_set_takes_family),
		cmocka_unit_test(test_empty_rule_set_needs_family),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_parse_zones),
		cmocka_unit_test(test_parse_zones_any_order_ipv6),
		cmocka_unit_test(test_parse_without_raw_wants_no_zones),
		cmocka_unit_test(test_parse_zones_without_rules),
		cmocka_unit_test(test_zone_refusals),
		cmocka_unit_test(test_old_zone_chains_refused),
		cmocka_unit_test(test_raw_section_refusals),
		cmocka_unit_test(test_zone_conflicts),
		cmocka_unit_test(test_zone_errors_collected),
		cmocka_unit_test(test_refuses_nul),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
