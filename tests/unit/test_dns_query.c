/* The query message (probes/query.c) byte by byte, and the name tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../probes/query.h"

static struct question question(const char *name, uint16_t type, uint16_t class)
{
	struct question q = { .qtype = type, .qclass = class };
	assert_int_equal(name_from_text(name, q.name, &q.name_len), NAME_OK);
	return q;
}

static void plain_query(void **state)
{
	(void)state;
	struct question q = question("www.example", QTYPE_A, QCLASS_IN);
	struct query_flags f = { .rd = true };
	uint8_t m[QUERY_MAX];
	const uint8_t want[] = {
		0xbe, 0xef, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1,
	};

	assert_int_equal(query_build(&q, &f, 0xbeef, m, sizeof(m)), sizeof(want));
	assert_memory_equal(m, want, sizeof(want));
}

static void flags_and_edns(void **state)
{
	(void)state;
	struct question q = question("version.bind", 16, QCLASS_CH);
	struct query_flags f = { .rd = false, .cd = true, .dnssec_ok = true };
	uint8_t m[QUERY_MAX];
	size_t n = query_build(&q, &f, 1, m, sizeof(m));
	size_t opt = 12 + 14 + 4;

	assert_int_equal(n, opt + 11);
	assert_int_equal(m[2], 0x00);  /* RD clear */
	assert_int_equal(m[3], 0x10);  /* CD */
	assert_int_equal(m[11], 1);    /* ARCOUNT */
	assert_int_equal(m[opt - 1], QCLASS_CH);
	assert_int_equal(m[opt], 0);   /* root owner */
	assert_int_equal(m[opt + 2], QTYPE_OPT);
	assert_int_equal(m[opt + 3] << 8 | m[opt + 4], EDNS_DEFAULT_SIZE);
	assert_int_equal(m[opt + 7], 0x80); /* DO */
	f.dnssec_ok = false;
	f.edns_size = 4096;
	n = query_build(&q, &f, 1, m, sizeof(m));
	assert_int_equal(m[opt + 3] << 8 | m[opt + 4], 4096);
	assert_int_equal(m[opt + 7], 0x00);
	f.edns_size = 0;
	assert_int_equal(query_build(&q, &f, 1, m, sizeof(m)), opt); /* no OPT */
	assert_int_equal(m[11], 0);
}

static void too_small_buffer(void **state)
{
	(void)state;
	struct question q = question("www.example", QTYPE_A, QCLASS_IN);
	struct query_flags f = { .rd = true };
	uint8_t m[QUERY_MAX];
	assert_int_equal(query_build(&q, &f, 1, m, 28), 0);
	assert_int_equal(query_build(&q, &f, 1, m, 29), 29);
}

static void name_tables(void **state)
{
	(void)state;
	assert_int_equal(qtype_from_name("aaaa"), 28);
	assert_int_equal(qtype_from_name("ANY"), 255);
	assert_int_equal(qtype_from_name("SRV"), 33);
	assert_int_equal(qtype_from_name("DNSKEY"), -1);
	char b[QTYPE_TEXT_MAX];
	assert_string_equal(qtype_name(15, b), "MX");
	/* RFC 3597's generic form, as dig takes it */
	assert_int_equal(qtype_from_name("TYPE48"), 48);
	assert_int_equal(qtype_from_name("type1"), 1);
	assert_int_equal(qtype_from_name("TYPE65535"), 65535);
	assert_int_equal(qtype_from_name("TYPE0"), -1);
	assert_int_equal(qtype_from_name("TYPE65536"), -1);
	assert_int_equal(qtype_from_name("TYPE100000"), -1);
	assert_int_equal(qtype_from_name("TYPE"), -1);
	assert_int_equal(qtype_from_name("TYPE1x"), -1);
	assert_int_equal(qtype_from_name("TYPE+1"), -1);
	assert_string_equal(qtype_name(48, b), "TYPE48");
	assert_string_equal(qtype_name(65535, b), "TYPE65535");
	assert_int_equal(qclass_from_name("ch"), 3);
	assert_int_equal(qclass_from_name("HS"), -1);
	assert_int_equal(rcode_from_name("servfail"), 2);
	assert_int_equal(rcode_from_name("NOTZONE"), 10);
	assert_int_equal(rcode_from_name("BADVERS"), -1);
	assert_string_equal(rcode_name(5), "REFUSED");
	assert_string_equal(rcode_name(15), "RESERVED");
	assert_string_equal(rcode_name(11), "DSOTYPENI");
	assert_string_equal(rcode_name(23), "BADCOOKIE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_query),
		cmocka_unit_test(flags_and_edns),
		cmocka_unit_test(too_small_buffer),
		cmocka_unit_test(name_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
