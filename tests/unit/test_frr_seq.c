/* Unit tests of the prefix-list sequence numbers (cluster-gen/frr_seq.c):
 * the numbers are part of every rendered frr.conf, and a change of them
 * renumbers every entry at the next reload, so they are pinned here. The
 * IPv6 values were computed apart from this code (FNV-1a-32 by its
 * definition, in Python). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "../../cluster-gen/frr_seq.h"

static uint32_t seq_of(const char *text)
{
	struct addr a;

	assert_true(addr_parse(text, &a));
	return frr_vip_seq(&a);
}

static void test_ipv4_is_the_address(void **state)
{
	(void)state;
	assert_int_equal(seq_of("192.0.2.124"), 3221226108u);
	assert_int_equal(seq_of("192.0.2.125"), 3221226109u);
	/* the ends of what may be a VIP (0/8 and 240/4 may not) */
	assert_int_equal(seq_of("1.0.0.0"), 16777216u);
	assert_int_equal(seq_of("239.255.255.255"), 4026531839u);
}

static void test_ipv6_is_a_hash_of_every_bit(void **state)
{
	(void)state;
	assert_int_equal(seq_of("2001:db8:53::124"), 3778804568u);
	/* the same last 32 bits, other numbers */
	assert_int_not_equal(seq_of("2001:db8:53:1::53"), seq_of("2001:db8:53:2::53"));
	/* a pair that shares one (tests/bad/vip-seq-collision.conf) */
	assert_int_equal(seq_of("2001:db8:53:b20d::c815:fddd"), 2200763495u);
	assert_int_equal(seq_of("2001:db8:53:ec5d::851a:d0e8"), 2200763495u);
}

/* Within FRR's 1..4294967295 and below the deny's number, for a spread of
 * addresses (each byte position varied). */
static void test_ipv6_stays_below_the_deny(void **state)
{
	struct addr a = { .family = AF_INET6 };

	(void)state;
	for (int pos = 0; pos < 16; pos++)
		for (int v = 0; v < 256; v++) {
			uint32_t s;

			a.bytes[pos] = (uint8_t)v;
			s = frr_vip_seq(&a);
			assert_true(s >= 1 && s < FRR_SEQ_DENY_ANY);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_is_the_address),
		cmocka_unit_test(test_ipv6_is_a_hash_of_every_bit),
		cmocka_unit_test(test_ipv6_stays_below_the_deny),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
