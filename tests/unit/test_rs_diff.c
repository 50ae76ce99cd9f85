/* Unit tests of rs-dnat's difference between the kernel and the wanted
 * rules (realserver/diff.c): what check prints for our nat chain and for the
 * raw table's zone chain, an older rs-dnat's zone chains included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sys/socket.h>

#include "../../realserver/rules.h"
#include "rs_rules_helpers.h"

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

static struct zone_rule zr(const char *iface, const char *vip, uint16_t zone)
{
	struct zone_rule r;

	memset(&r, 0, sizeof(r));
	strcpy(r.iface, iface);
	assert_true(addr_parse(vip, &r.dst));
	r.zone = zone;
	return r;
}

/* The kernel holding exactly the zones of want. */
static void kraw_like(struct kraw *k, const struct zone_set *want)
{
	kraw_init(k);
	k->chain = true;
	k->plain_jumps = 1;
	for (size_t i = 0; i < want->rules.n; i++)
		zone_list_add(&k->rules, &want->rules.v[i]);
}

static void test_zone_diff_in_sync_and_empty(void **state)
{
	struct dnat_set want;
	struct kraw k;
	struct buf out;
	(void)state;

	load(&want, GOODZ4);
	kraw_like(&k, &want.zones);
	buf_init(&out);
	assert_int_equal(zone_diff(&want.zones, &k, &out), 0);
	assert_int_equal(out.len, 0);
	assert_true(kraw_any(&k));
	assert_false(kraw_old(&k));
	kraw_free(&k);
	kraw_init(&k);
	assert_false(kraw_any(&k));
	assert_int_equal(zone_diff(&want.zones, &k, &out), 6);
	assert_string_equal(out.data,
		"+ :LVSDNS-ZONE (chain missing)\n"
		"+ -A PREROUTING -j LVSDNS-ZONE\n"
		"+ -A LVSDNS-ZONE -d 198.51.100.53/32 -i eth1.105 -j CT --zone-orig 1105\n"
		"+ -A LVSDNS-ZONE -d 198.51.100.54/32 -i eth1.105 -j CT --zone-orig 1105\n"
		"+ -A LVSDNS-ZONE -d 198.51.100.53/32 -i eth1.109 -j CT --zone-orig 1109\n"
		"+ -A LVSDNS-ZONE -d 198.51.100.54/32 -i eth1.109 -j CT --zone-orig 1109\n");
	buf_free(&out);
	kraw_free(&k);
	dnat_set_free(&want);
}

static void test_zone_diff_drift(void **state)
{
	struct dnat_set want;
	struct kraw k;
	struct buf out;
	struct zone_rule other = zr("eth1.110", "198.51.100.53", 1110);
	(void)state;

	load(&want, GOODZ4);
	kraw_like(&k, &want.zones);
	k.plain_jumps = 3;
	k.other_jumps = 1;
	k.rules.v[1] = k.rules.v[3];                 /* .54 on eth1.105 deleted */
	k.rules.n = 3;
	k.rules.v[2].zone = 1110;                    /* .53 on eth1.109 changed */
	zone_list_add(&k.rules, &other);
	kraw_add_foreign(&k, "rule 5 of LVSDNS-ZONE (target NOTRACK) is not one of ours");
	buf_init(&out);
	assert_int_equal(zone_diff(&want.zones, &k, &out), 7);
	assert_string_equal(out.data,
		"- -A PREROUTING -j LVSDNS-ZONE (2 more times)\n"
		"- 1 conditional jump(s) from PREROUTING to LVSDNS-ZONE\n"
		"+ -A LVSDNS-ZONE -d 198.51.100.54/32 -i eth1.105 -j CT --zone-orig 1105\n"
		"+ -A LVSDNS-ZONE -d 198.51.100.53/32 -i eth1.109 -j CT --zone-orig 1109\n"
		"- -A LVSDNS-ZONE -d 198.51.100.53/32 -i eth1.109 -j CT --zone-orig 1110\n"
		"- -A LVSDNS-ZONE -d 198.51.100.53/32 -i eth1.110 -j CT --zone-orig 1110\n"
		"- rule 5 of LVSDNS-ZONE (target NOTRACK) is not one of ours\n");
	buf_free(&out);
	kraw_free(&k);
	dnat_set_free(&want);
}

static void test_zone_diff_order_and_duplicates(void **state)
{
	struct dnat_set want;
	struct kraw k;
	struct buf out;
	struct zone_rule swap;
	(void)state;

	load(&want, GOODZ4);
	kraw_like(&k, &want.zones);
	swap = k.rules.v[0];
	k.rules.v[0] = k.rules.v[1];
	k.rules.v[1] = swap;
	buf_init(&out);
	assert_int_equal(zone_diff(&want.zones, &k, &out), 1);
	assert_string_equal(out.data, "~ the rules of LVSDNS-ZONE are in another order\n");
	zone_list_add(&k.rules, &k.rules.v[0]);
	buf_reset(&out);
	assert_int_equal(zone_diff(&want.zones, &k, &out), 1);
	assert_string_equal(out.data, "~ LVSDNS-ZONE holds duplicate rules (5 rules, the rule file has 4)\n");
	buf_free(&out);
	kraw_free(&k);
	dnat_set_free(&want);
}

/* Without a *raw section (or without a rendered file) nothing of ours
 * belongs in raw. */
static void test_zone_diff_not_wanted(void **state)
{
	struct dnat_set want, old;
	struct kraw k;
	struct buf out;
	(void)state;

	load(&want, GOODZ4);
	load(&old, GOOD4);
	kraw_like(&k, &want.zones);
	k.plain_jumps = 2;
	buf_init(&out);
	assert_int_equal(zone_diff(&old.zones, &k, &out), 6);
	assert_string_equal(out.data,
		"- -A PREROUTING -j LVSDNS-ZONE (2 times)\n"
		"- :LVSDNS-ZONE (the chain itself)\n"
		"- -A LVSDNS-ZONE -d 198.51.100.53/32 -i eth1.105 -j CT --zone-orig 1105\n"
		"- -A LVSDNS-ZONE -d 198.51.100.54/32 -i eth1.105 -j CT --zone-orig 1105\n"
		"- -A LVSDNS-ZONE -d 198.51.100.53/32 -i eth1.109 -j CT --zone-orig 1109\n"
		"- -A LVSDNS-ZONE -d 198.51.100.54/32 -i eth1.109 -j CT --zone-orig 1109\n");
	kraw_free(&k);
	kraw_init(&k);
	buf_reset(&out);
	assert_int_equal(zone_diff(&old.zones, &k, &out), 0);
	buf_free(&out);
	kraw_free(&k);
	dnat_set_free(&want);
	dnat_set_free(&old);
}

/* An older version's LVSDNS-ZONE-IN/-OUT are leftovers of ours: "-"
 * whether zones are wanted or not. */
static void test_zone_diff_old_chains(void **state)
{
	struct dnat_set want, old;
	struct kraw k;
	struct buf out;
	(void)state;

	load(&want, GOODZ4);
	load(&old, GOOD4);
	kraw_like(&k, &want.zones);
	k.old[ZONE_OLD_IN].chain = true;
	k.old[ZONE_OLD_IN].jumps = 1;
	k.old[ZONE_OLD_IN].nrules = 2;
	k.old[ZONE_OLD_OUT].jumps = 2;
	assert_true(kraw_old(&k));
	buf_init(&out);
	assert_int_equal(zone_diff(&want.zones, &k, &out), 3);
	assert_string_equal(out.data,
		"- -A PREROUTING -j LVSDNS-ZONE-IN (an older rs-dnat's)\n"
		"- :LVSDNS-ZONE-IN and its 2 rules (an older rs-dnat's chain)\n"
		"- -A OUTPUT -j LVSDNS-ZONE-OUT (2 times) (an older rs-dnat's)\n");
	kraw_free(&k);
	kraw_init(&k);
	k.old[ZONE_OLD_OUT].chain = true;
	assert_true(kraw_any(&k));
	buf_reset(&out);
	assert_int_equal(zone_diff(&old.zones, &k, &out), 1);
	assert_string_equal(out.data, "- :LVSDNS-ZONE-OUT and its 0 rules (an older rs-dnat's chain)\n");
	buf_free(&out);
	kraw_free(&k);
	dnat_set_free(&want);
	dnat_set_free(&old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_in_sync),
		cmocka_unit_test(test_diff_empty_kernel),
		cmocka_unit_test(test_diff_extra_missing_foreign_jumps),
		cmocka_unit_test(test_diff_order_and_duplicates),
		cmocka_unit_test(test_diff_none),
		cmocka_unit_test(test_zone_diff_in_sync_and_empty),
		cmocka_unit_test(test_zone_diff_drift),
		cmocka_unit_test(test_zone_diff_order_and_duplicates),
		cmocka_unit_test(test_zone_diff_not_wanted),
		cmocka_unit_test(test_zone_diff_old_chains),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
