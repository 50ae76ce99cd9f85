/* Unit tests of the FRR reference check (cluster-gen/frr_refs.c): every
 * kind of reference FRR would accept without its definition is caught at
 * its line, and a complete configuration passes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../cluster-gen/frr_refs.h"
#include "buf.h"

/* Runs the check; returns "LINE: message" lines joined, "" when clean. */
static struct buf result;

static const char *check(const char *text)
{
	struct diags d;
	size_t n;

	buf_reset(&result);
	diags_init(&d, "frr.conf");
	n = frr_check_refs(text, &d);
	assert_int_equal(n, d.n);
	for (size_t i = 0; i < d.n; i++)
		buf_printf(&result, "%d: %s\n", d.v[i].line, d.v[i].message);
	diags_free(&d);
	return result.data ? result.data : "";
}

static const char complete[] =
	"! a complete configuration\n"
	"ip prefix-list pl-v4 seq 10 permit 192.0.2.1/32\n"
	"ip prefix-list pl-v4 seq 20 deny any\n"
	"ipv6 prefix-list pl-v6 seq 10 permit 2001:db8::1/128\n"
	"route-map in deny 10\n"
	"exit\n"
	"route-map out permit 10\n"
	" match ip address prefix-list pl-v4\n"
	"exit\n"
	"route-map out permit 20\n"
	" match ipv6 address prefix-list pl-v6\n"
	" call helper\n"
	"exit\n"
	"route-map helper permit 10\n"
	"exit\n"
	"bgp route-map delay-timer 0\n"
	"router bgp 64512\n"
	" neighbor 10.0.0.1 remote-as 64512\n"
	" address-family ipv4 unicast\n"
	"  redistribute connected route-map out\n"
	"  neighbor 10.0.0.1 route-map in in\n"
	"  neighbor 10.0.0.1 route-map out out\n"
	"  neighbor 10.0.0.1 prefix-list pl-v4 out\n"
	" exit-address-family\n"
	" address-family ipv6 unicast\n"
	"  neighbor 10.0.0.1 prefix-list pl-v6 out\n"
	" exit-address-family\n"
	"exit\n"
	"access-list vty seq 10 permit 127.0.0.1/32\n"
	"ipv6 access-list vty6 seq 10 deny any\n"
	"line vty\n"
	" access-class vty\n"
	" ipv6 access-class vty6\n"
	"exit\n";

static void test_complete_config_is_clean(void **state)
{
	(void)state;
	assert_string_equal(check(complete), "");
}

static void test_undefined_route_maps(void **state)
{
	(void)state;
	assert_string_equal(check("route-map out permit 10\n"
				  " call missing-helper\n"
				  "router bgp 1\n"
				  " address-family ipv4 unicast\n"
				  "  redistribute connected route-map typo-out\n"
				  "  neighbor 10.0.0.1 route-map nothing-in in\n"
				  "  neighbor 10.0.0.1 route-map out out\n"
				  "  neighbor 10.0.0.1 default-originate route-map dflt\n"),
			    "2: route-map 'missing-helper' is referenced but never defined\n"
			    "5: route-map 'typo-out' is referenced but never defined\n"
			    "6: route-map 'nothing-in' is referenced but never defined\n"
			    "8: route-map 'dflt' is referenced but never defined\n");
}

/* A prefix-list of the other family does not count: FRR keeps them apart. */
static void test_prefix_lists_per_family(void **state)
{
	(void)state;
	assert_string_equal(check("ip prefix-list vips seq 10 permit 192.0.2.1/32\n"
				  "route-map out permit 10\n"
				  " match ipv6 address prefix-list vips\n"
				  " match ip address prefix-list vips\n"
				  " match ip address prefix-list vipz\n"
				  "router bgp 1\n"
				  " address-family ipv6 unicast\n"
				  "  neighbor 10.0.0.1 prefix-list vips out\n"
				  " exit-address-family\n"
				  " address-family ipv4 unicast\n"
				  "  neighbor 10.0.0.1 prefix-list vips out\n"),
			    "3: ipv6 prefix-list 'vips' is referenced but never defined\n"
			    "5: ip prefix-list 'vipz' is referenced but never defined\n"
			    "8: ipv6 prefix-list 'vips' is referenced but never defined\n");
}

static void test_access_lists(void **state)
{
	(void)state;
	assert_string_equal(check("access-list vty seq 10 permit 127.0.0.1/32\n"
				  "line vty\n"
				  " access-class vtty\n"
				  " ipv6 access-class vty\n"
				  "route-map x permit 10\n"
				  " match ip address acl-nope\n"
				  " match ip address vty\n"
				  "router bgp 1\n"
				  " neighbor 10.0.0.1 distribute-list dl in\n"),
			    "3: access-list 'vtty' is referenced but never defined\n"
			    "4: ipv6 access-list 'vty' is referenced but never defined\n"
			    "6: access-list 'acl-nope' is referenced but never defined\n"
			    "9: access-list 'dl' is referenced but never defined\n");
}

/* Definitions may follow their use; comments, "no" lines and the global
 * delay timer are not references. */
static void test_order_comments_and_non_references(void **state)
{
	(void)state;
	assert_string_equal(check("! route-map ghost is only mentioned here\n"
				  "bgp route-map delay-timer 0\n"
				  "no route-map gone\n"
				  "router bgp 1\n"
				  " address-family ipv4 unicast\n"
				  "  redistribute connected route-map later\n"
				  " exit-address-family\n"
				  "exit\n"
				  "route-map later permit 10\n"),
			    "");
}

static int teardown(void **state)
{
	(void)state;
	buf_free(&result);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_complete_config_is_clean),
		cmocka_unit_test(test_undefined_route_maps),
		cmocka_unit_test(test_prefix_lists_per_family),
		cmocka_unit_test(test_access_lists),
		cmocka_unit_test(test_order_comments_and_non_references),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
