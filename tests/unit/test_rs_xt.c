/* Unit tests of rs-dnat's x_tables encoding (realserver/xt_common.c), no
 * kernel: masks, interface names, the udp/tcp matches and the DNAT and CT
 * targets as iptables builds them, and the errors when a table is missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/netfilter/xt_CT.h>

#include "../../realserver/rules.h"
#include "../../realserver/xt.h"

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

/* As iptables 1.8.9 builds "-j CT --zone-orig N": revision 2, the v1
 * struct, flags XT_CT_ZONE_DIR_ORIG (the id itself, not the mark). */
static void test_ct_target(void **state)
{
	struct xt_entry_target *t = calloc(1, xt_ct_size());
	struct xt_ct_target_info_v1 *ct = (void *)t->data;
	uint16_t zone = 0;
	(void)state;

	assert_int_equal(xt_ct_size(), 104);
	xt_ct_fill(t, 1105);
	assert_string_equal(t->u.user.name, "CT");
	assert_int_equal(t->u.user.revision, 2);
	assert_int_equal(t->u.target_size, 104);
	assert_int_equal(ct->flags, XT_CT_ZONE_DIR_ORIG);
	assert_true(xt_ct_read(t, &zone));
	assert_int_equal(zone, 1105);
	t->u.user.revision = 1;                 /* same struct, read alike */
	assert_true(xt_ct_read(t, &zone));
	ct->flags = 0;                           /* --zone: both directions, not ours */
	assert_false(xt_ct_read(t, &zone));
	ct->flags = XT_CT_ZONE_DIR_REPL;         /* --zone-reply */
	assert_false(xt_ct_read(t, &zone));
	ct->flags = XT_CT_ZONE_DIR_ORIG | XT_CT_ZONE_MARK;
	assert_false(xt_ct_read(t, &zone));
	ct->flags = XT_CT_ZONE_DIR_ORIG;
	strcpy(ct->timeout, "t");
	assert_false(xt_ct_read(t, &zone));
	ct->timeout[0] = '\0';
	ct->zone = 0;                            /* a CT without a zone */
	assert_false(xt_ct_read(t, &zone));
	ct->zone = 7;
	t->u.user.revision = 3;
	assert_false(xt_ct_read(t, &zone));
	t->u.user.revision = 0;                 /* has no directions */
	assert_false(xt_ct_read(t, &zone));
	t->u.user.revision = 2;
	t->u.target_size = 16;
	assert_false(xt_ct_read(t, &zone));
	free(t);
}

static void test_init_errors(void **state)
{
	struct buf b;
	(void)state;

	buf_init(&b);
	assert_int_equal(xt_init_error("iptables", "nat", EPERM, "cannot read it", &b), XT_ERROR);
	assert_non_null(strstr(b.data, "must run as root"));
	buf_reset(&b);
	assert_int_equal(xt_init_error("ip6tables", "nat", ENOENT, "cannot read it", &b), XT_NO_TABLE);
	assert_non_null(strstr(b.data, "modprobe ip6table_nat"));
	buf_reset(&b);
	assert_int_equal(xt_init_error("iptables", "raw", ENOENT, "cannot read it", &b), XT_NO_TABLE);
	assert_string_equal(b.data, "iptables raw table not available (No such file or directory); "
			    "the kernel lacks the legacy x_tables raw table, which sets the conntrack "
			    "zones: try 'modprobe iptable_raw'");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_masks),
		cmocka_unit_test(test_iface),
		cmocka_unit_test(test_dnat_roundtrip),
		cmocka_unit_test(test_match_roundtrip),
		cmocka_unit_test(test_ct_target),
		cmocka_unit_test(test_init_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
