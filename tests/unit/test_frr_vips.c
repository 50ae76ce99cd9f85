/* Unit tests of the VIP guard's list parser (bgp/vips_file.c): what the
 * guard accepts decides which addresses it may ever touch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../bgp/vips_file.h"

static int parse(const char *text, struct vips *v, struct buf *err)
{
	buf_init(err);
	return vips_parse("vips", text, v, err);
}

static void test_entries_comments_blank_lines(void **state)
{
	struct vips v;
	struct buf err;
	struct addr a;

	(void)state;
	assert_int_equal(parse("# header\n\n192.0.2.124  lvsdns0 resolver-a\n"
			       "2001:db8:53::124\tlvsdns0\tresolver-v6   # primary\n", &v, &err), 0);
	assert_int_equal(v.n, 2);
	assert_string_equal(v.v[0].interface, "lvsdns0");
	assert_string_equal(v.v[1].service, "resolver-v6");
	assert_true(addr_parse("2001:db8:53:0::124", &a));
	assert_ptr_equal(vips_find(&v, &a), &v.v[1]);
	assert_true(addr_parse("192.0.2.125", &a));
	assert_null(vips_find(&v, &a));
	vips_free(&v);
	buf_free(&err);
}

static void test_empty_file_is_an_empty_list(void **state)
{
	struct vips v;
	struct buf err;

	(void)state;
	assert_int_equal(parse("", &v, &err), 0);
	assert_int_equal(v.n, 0);
	vips_free(&v);
	buf_free(&err);
}

/* Each bad line is reported with its line number, all of them at once. */
static void test_errors_carry_line_numbers(void **state)
{
	struct vips v;
	struct buf err;

	(void)state;
	assert_int_equal(parse("192.0.2.1 lvsdns0 a\n"
			       "vip.example lvsdns0 b\n"
			       "192.0.2.2 lvsdns0\n"
			       "192.0.2.3 this-name-is-too-long c\n"
			       "192.0.2.4 eth0:1 d\n"
			       "192.0.2.1 lvsdns0 e\n"
			       "192.0.2.5 lvsdns0 f extra\n", &v, &err), -1);
	assert_non_null(strstr(err.data, "vips:2: 'vip.example' is not a numeric"));
	assert_non_null(strstr(err.data, "vips:3: expected"));
	assert_non_null(strstr(err.data, "vips:4: 'this-name-is-too-long' is not a valid interface"));
	assert_non_null(strstr(err.data, "vips:5: 'eth0:1' is not a valid interface"));
	assert_non_null(strstr(err.data, "vips:6: 192.0.2.1 is listed twice"));
	assert_non_null(strstr(err.data, "vips:7: expected"));
	assert_null(strstr(err.data, "vips:1:"));
	assert_int_equal(v.n, 0);
	assert_null(v.v);
	buf_free(&err);
}

static void test_prefix_is_not_an_address(void **state)
{
	struct vips v;
	struct buf err;

	(void)state;
	assert_int_equal(parse("192.0.2.0/24 lvsdns0 a\n", &v, &err), -1);
	assert_non_null(strstr(err.data, "vips:1: '192.0.2.0/24' is not a numeric"));
	buf_free(&err);
}

static void test_load_missing_file(void **state)
{
	struct vips v;
	struct buf err;

	(void)state;
	buf_init(&err);
	assert_int_equal(vips_load("/nonexistent/lvsdns/vips", &v, &err), -1);
	assert_non_null(strstr(err.data, "/nonexistent/lvsdns/vips: No such file"));
	buf_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries_comments_blank_lines),
		cmocka_unit_test(test_empty_file_is_an_empty_list),
		cmocka_unit_test(test_errors_carry_line_numbers),
		cmocka_unit_test(test_prefix_is_not_an_address),
		cmocka_unit_test(test_load_missing_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
