/* The distance behind every "did you mean ...?" (cluster-gen/spelling.c):
 * each edit counts one, a swap of two neighbours too, and names past the
 * longest measured are far from everything. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "spelling.h"

static size_t dist(const char *a, const char *b)
{
	return spelling_distance(a, strlen(a), b, strlen(b));
}

static void test_each_edit_counts_one(void **state)
{
	(void)state;
	assert_int_equal(dist("address", "address"), 0);
	assert_int_equal(dist("adress", "address"), 1);          /* a letter dropped */
	assert_int_equal(dist("addresss", "address"), 1);        /* one added */
	assert_int_equal(dist("adsress", "address"), 1);         /* one changed */
	assert_int_equal(dist("adrdess", "address"), 1);         /* two swapped */
	assert_int_equal(dist("transprot", "transport"), 1);
	assert_int_equal(dist("", "vip"), 3);
	assert_int_equal(dist("vip", ""), 3);
	assert_int_equal(dist("frr.cnf.mustache", "frr.conf.mustache"), 1);
	/* a swap is one edit, not a letter moved across others */
	assert_int_equal(dist("ab", "ba"), 1);
	assert_int_equal(dist("abc", "cab"), 2);
}

static void test_long_names_are_far(void **state)
{
	char a[SPELLING_MAX + 2];

	(void)state;
	memset(a, 'x', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	assert_int_equal(spelling_distance(a, SPELLING_MAX, a, SPELLING_MAX), 0);
	assert_true(spelling_distance(a, SPELLING_MAX + 1, a, 1) == SPELLING_FAR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_edit_counts_one),
		cmocka_unit_test(test_long_names_are_far),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
