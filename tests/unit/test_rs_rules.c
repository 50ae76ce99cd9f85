/* Unit tests of rs-dnat's pure parts: the restricted rules format (parse,
 * print, refuse), the kernel-vs-wanted difference, and the x_tables
 * encoding of matches, DNAT targets, interfaces and masks (no kernel). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "../../realserver/rules.h"
#include "../../realserver/xt.h"

static const char GOOD4[] =
	"# comment\n"
	"*nat\n"
	":LVSDNS-PRE - [0:0]\n"
	"-A PREROUTING -j LVSDNS-PRE\n"
	"-A LVSDNS-PRE -s 192.0.2.0/24 -d 198.51.100.53/32 -i eth1.105 -p udp -m udp --dport 53 -j DNAT --to-destination 10.1.53.2:53\n"
	"\n"
	"-A LVSDNS-PRE -d 198.51.100.53/32 -i eth1.109 -p tcp -m tcp --dport 53 -j DNAT --to-destination 10.3.53.2\n"
	"COMMIT\n";

static const char GOOD6[] =
	"*nat\n:LVSDNS-PRE - [0:0]\n-A PREROUTING -j LVSDNS-PRE\n"
	"-A LVSDNS-PRE -s 2001:db8:1::/48 -d 2001:db8:53::124/128 -i eth1.605 -p udp -m udp --dport 53 -j DNAT --to-destination [2001:db8:105::2]:53\n"
	"COMMIT\n";

/* Parses text; returns the printed diagnostics ("" when it parsed). */
static char *parse(const char *text, int family, struct dnat_set *out)
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

static void expect_error(const char *text, const char *needle)
{
	struct dnat_set s;
	char *msg = parse(text, 0, &s);

	if (!strstr(msg, needle))
		fail_msg("expected '%s' in: %s", needle, msg);
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

#define HEAD "*nat\n:LVSDNS-PRE - [0:0]\n-A PREROUTING -j LVSDNS-PRE\n"
#define RULE(x) "-A LVSDNS-PRE " x "\nCOMMIT\n"

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
	expect_error("*filter\n", "t.rules:1: expected '*nat'");
	expect_error(HEAD "COMMIT\n*nat\n", "t.rules:5: text after COMMIT");
	expect_error("*nat\n:OTHER - [0:0]\n", "unexpected chain declaration ':OTHER'");
	expect_error("*nat\n-A LVSDNS-PRE -d 192.0.2.1/32 -i e -p udp --dport 53 -j DNAT --to-destination 10.0.0.2\n",
		     "rule before ':LVSDNS-PRE'");
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

/* ---- differences ---- */

static void load(struct dnat_set *s, const char *text)
{
	char *msg = parse(text, 0, s);
	assert_string_equal(msg, "");
	free(msg);
}

static void copy_rules(struct kstate *k, const struct dnat_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		dnat_set_add(&k->rules, &s->v[i]);
}

static void test_diff_in_sync(void **state)
{
	struct dnat_set want;
	struct kstate k;
	struct buf out;
	(void)state;

	load(&want, GOOD4);
	kstate_init(&k, AF_INET);
	k.chain = true;
	k.plain_jumps = 1;
	copy_rules(&k, &want);
	buf_init(&out);
	assert_int_equal(dnat_diff(&want, &k, &out), 0);
	assert_int_equal(out.len, 0);
	buf_free(&out);
	kstate_free(&k);
	dnat_set_free(&want);
}

static void test_diff_empty_kernel(void **state)
{
	struct dnat_set want;
	struct kstate k;
	struct buf out;
	(void)state;

	load(&want, GOOD4);
	kstate_init(&k, AF_INET);
	buf_init(&out);
	assert_int_equal(dnat_diff(&want, &k, &out), 4);
	assert_string_equal(out.data,
		"+ :LVSDNS-PRE (chain missing)\n"
		"+ -A PREROUTING -j LVSDNS-PRE\n"
		"+ -A LVSDNS-PRE -s 192.0.2.0/24 -d 198.51.100.53/32 -i eth1.105 -p udp -m udp --dport 53 -j DNAT --to-destination 10.1.53.2:53\n"
		"+ -A LVSDNS-PRE -d 198.51.100.53/32 -i eth1.109 -p tcp -m tcp --dport 53 -j DNAT --to-destination 10.3.53.2\n");
	buf_free(&out);
	kstate_free(&k);
	dnat_set_free(&want);
}

static void test_diff_extra_missing_foreign_jumps(void **state)
{
	struct dnat_set want, other;
	struct kstate k;
	struct buf out;
	(void)state;

	load(&want, GOOD4);
	load(&other, HEAD RULE("-d 192.0.2.9/32 -i eth1.105 -p udp --dport 53 -j DNAT --to-destination 10.1.53.9:53"));
	kstate_init(&k, AF_INET);
	k.chain = true;
	k.plain_jumps = 3;
	k.other_jumps = 1;
	dnat_set_add(&k.rules, &want.v[1]);
	dnat_set_add(&k.rules, &other.v[0]);
	kstate_add_foreign(&k, "rule 3 of LVSDNS-PRE (target RETURN) is not one of ours");
	buf_init(&out);
	assert_int_equal(dnat_diff(&want, &k, &out), 5);
	assert_string_equal(out.data,
		"- -A PREROUTING -j LVSDNS-PRE (2 more times)\n"
		"- 1 conditional jump(s) from PREROUTING to LVSDNS-PRE\n"
		"+ -A LVSDNS-PRE -s 192.0.2.0/24 -d 198.51.100.53/32 -i eth1.105 -p udp -m udp --dport 53 -j DNAT --to-destination 10.1.53.2:53\n"
		"- -A LVSDNS-PRE -d 192.0.2.9/32 -i eth1.105 -p udp -m udp --dport 53 -j DNAT --to-destination 10.1.53.9:53\n"
		"- rule 3 of LVSDNS-PRE (target RETURN) is not one of ours\n");
	buf_free(&out);
	kstate_free(&k);
	dnat_set_free(&want);
	dnat_set_free(&other);
}

static void test_diff_order_and_duplicates(void **state)
{
	struct dnat_set want;
	struct kstate k;
	struct buf out;
	(void)state;

	load(&want, GOOD4);
	kstate_init(&k, AF_INET);
	k.chain = true;
	k.plain_jumps = 1;
	dnat_set_add(&k.rules, &want.v[1]);
	dnat_set_add(&k.rules, &want.v[0]);
	buf_init(&out);
	assert_int_equal(dnat_diff(&want, &k, &out), 1);
	assert_string_equal(out.data, "~ the rules of LVSDNS-PRE are in another order\n");
	dnat_set_add(&k.rules, &want.v[0]);
	buf_reset(&out);
	assert_int_equal(dnat_diff(&want, &k, &out), 1);
	assert_string_equal(out.data, "~ LVSDNS-PRE holds duplicate rules (3 rules, the rule file has 2)\n");
	/* The other way round: the file repeats a rule the kernel holds once. */
	k.rules.n = 2;
	dnat_set_add(&want, &want.v[0]);
	buf_reset(&out);
	assert_int_equal(dnat_diff(&want, &k, &out), 1);
	assert_string_equal(out.data, "~ the rule file holds duplicate rules (3 rules, LVSDNS-PRE has 2)\n");
	buf_free(&out);
	kstate_free(&k);
	dnat_set_free(&want);
}

/* A family the site renders no file for wants nothing of ours. */
static void test_diff_none(void **state)
{
	struct dnat_set want;
	struct kstate k;
	struct buf out;
	(void)state;

	load(&want, GOOD4);
	kstate_init(&k, AF_INET);
	buf_init(&out);
	assert_int_equal(dnat_diff_none(&k, &out), 0);
	assert_int_equal(out.len, 0);
	k.chain = true;
	k.plain_jumps = 2;
	k.other_jumps = 1;
	dnat_set_add(&k.rules, &want.v[1]);
	kstate_add_foreign(&k, "rule 2 of LVSDNS-PRE (target RETURN) is not one of ours");
	assert_int_equal(dnat_diff_none(&k, &out), 5);
	assert_string_equal(out.data,
		"- -A PREROUTING -j LVSDNS-PRE (2 times)\n"
		"- 1 conditional jump(s) from PREROUTING to LVSDNS-PRE\n"
		"- :LVSDNS-PRE (the chain itself)\n"
		"- -A LVSDNS-PRE -d 198.51.100.53/32 -i eth1.109 -p tcp -m tcp --dport 53 -j DNAT --to-destination 10.3.53.2\n"
		"- rule 2 of LVSDNS-PRE (target RETURN) is not one of ours\n");
	buf_free(&out);
	kstate_free(&k);
	dnat_set_free(&want);
}

/* ---- x_tables encoding ---- */

static void test_masks(void **state)
{
	uint8_t m[16];
	unsigned len;
	(void)state;

	for (unsigned l = 0; l <= 128; l++) {
		xt_mask_fill(m, 16, l);
		assert_true(xt_mask_read(m, 16, &len));
		assert_int_equal(len, l);
	}
	xt_mask_fill(m, 4, 20);
	assert_int_equal(m[2], 0xf0);
	m[3] = 1; /* not contiguous */
	assert_false(xt_mask_read(m, 4, &len));
}

static void test_iface(void **state)
{
	char name[IFNAMSIZ], out[IFNAMSIZ];
	unsigned char mask[IFNAMSIZ];
	(void)state;

	xt_iface_fill(name, mask, "eth1.105");
	assert_int_equal(mask[8], 0xff); /* the NUL is matched too: exact name */
	assert_int_equal(mask[9], 0);
	assert_true(xt_iface_read(name, mask, out));
	assert_string_equal(out, "eth1.105");
	mask[8] = 0; /* "eth1.105+" as iptables writes a wildcard */
	assert_false(xt_iface_read(name, mask, out));
}

static struct dnat_rule rule(int family, const char *to, uint16_t port, uint8_t proto)
{
	struct dnat_rule r;

	memset(&r, 0, sizeof(r));
	assert_true(addr_parse(to, &r.to));
	assert_int_equal(r.to.family, family);
	r.to_port = port;
	r.proto = proto;
	r.dport = 53;
	return r;
}

static void test_dnat_roundtrip(void **state)
{
	const struct { int family; const char *to; uint16_t port; } cases[] = {
		{ AF_INET, "10.1.53.2", 53 }, { AF_INET, "10.1.53.2", 0 },
		{ AF_INET6, "2001:db8:105::2", 5353 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dnat_rule r = rule(cases[i].family, cases[i].to, cases[i].port, IPPROTO_UDP);
		struct xt_entry_target *t = calloc(1, xt_dnat_size(cases[i].family));
		struct addr got;
		uint16_t port;

		xt_dnat_fill(t, cases[i].family, &r);
		assert_true(xt_dnat_read(t, cases[i].family, &got, &port));
		assert_true(addr_eq(&got, &r.to));
		assert_int_equal(port, cases[i].port);
		strcpy(t->u.user.name, "SNAT");
		assert_false(xt_dnat_read(t, cases[i].family, &got, &port));
		free(t);
	}
}

static void test_match_roundtrip(void **state)
{
	const uint8_t protos[] = { IPPROTO_UDP, IPPROTO_TCP };
	(void)state;

	for (size_t i = 0; i < 2; i++) {
		struct dnat_rule r = rule(AF_INET, "10.0.0.1", 0, protos[i]);
		struct xt_entry_match *m = calloc(1, xt_match_size(protos[i]));
		uint16_t dport = 0;

		xt_match_fill(m, &r);
		assert_true(xt_match_read(m, protos[i], &dport));
		assert_int_equal(dport, 53);
		assert_false(xt_match_read(m, protos[1 - i], &dport));
		free(m);
	}
}

static void test_init_errors(void **state)
{
	struct buf b;
	(void)state;

	buf_init(&b);
	assert_int_equal(xt_init_error("iptables", EPERM, "cannot read it", &b), XT_ERROR);
	assert_non_null(strstr(b.data, "must run as root"));
	buf_reset(&b);
	assert_int_equal(xt_init_error("ip6tables", ENOENT, "cannot read it", &b), XT_NO_TABLE);
	assert_non_null(strstr(b.data, "modprobe ip6table_nat"));
	buf_free(&b);
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
		cmocka_unit_test(test_refuses_nul),
		cmocka_unit_test(test_diff_in_sync),
		cmocka_unit_test(test_diff_empty_kernel),
		cmocka_unit_test(test_diff_extra_missing_foreign_jumps),
		cmocka_unit_test(test_diff_order_and_duplicates),
		cmocka_unit_test(test_diff_none),
		cmocka_unit_test(test_masks),
		cmocka_unit_test(test_iface),
		cmocka_unit_test(test_dnat_roundtrip),
		cmocka_unit_test(test_match_roundtrip),
		cmocka_unit_test(test_init_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
