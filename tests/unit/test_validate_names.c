/* What may stand unquoted in generated files and command lines
 * (cluster-gen/validate_names.c), held at each limit: the longest name that
 * passes and the first that does not, and the first characters that would
 * turn a name into an option or a path into something systemd splits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "validate.h"

/* n copies of c, then tail: a name of a chosen length. */
static char *repeat(char c, size_t n, const char *tail)
{
	size_t t = strlen(tail);
	char *s = malloc(n + t + 1);

	assert_non_null(s);
	memset(s, c, n);
	memcpy(s + n, tail, t + 1);
	return s;
}

static void expect_name(size_t n, bool ok)
{
	char *s = repeat('a', n, "");

	assert_int_equal(safe_name(s), ok);
	free(s);
}

static void test_safe_name(void **state)
{
	(void)state;
	assert_true(safe_name("a"));
	assert_true(safe_name("9lb.site-1_x"));
	expect_name(63, true);
	expect_name(64, false);
	assert_false(safe_name(NULL));
	assert_false(safe_name(""));
	/* A leading '-' would be read as an option wherever the name is an argument. */
	assert_false(safe_name("-lb1"));
	assert_false(safe_name(".lb1"));
	assert_false(safe_name("_lb1"));
	assert_false(safe_name("lb 1"));
	assert_false(safe_name("lb;1"));
	assert_false(safe_name("lb/1"));
	assert_false(safe_name("lb\"1"));
}

static void test_safe_ifname(void **state)
{
	(void)state;
	assert_true(safe_ifname("eth1.105"));
	assert_true(safe_ifname("abcdefghijklmno"));    /* 15: IFNAMSIZ less its NUL */
	assert_false(safe_ifname("abcdefghijklmnop"));  /* 16 */
	assert_false(safe_ifname("-eth1"));
}

static void test_safe_path(void **state)
{
	(void)state;
	assert_true(safe_path("/usr/local/bind-9.18+lvsdns"));
	assert_false(safe_path(NULL));
	assert_false(safe_path("usr/local"));
	assert_false(safe_path("/usr/local bind"));
	assert_false(safe_path("/usr/$HOME"));
	assert_false(safe_path("/usr/%h"));
}

static void expect_qname(size_t labels_of_63, const char *tail, bool ok)
{
	char *s = malloc(labels_of_63 * 64 + strlen(tail) + 1), *p = s;

	assert_non_null(s);
	for (size_t i = 0; i < labels_of_63; i++, p += 64) {
		memset(p, 'a', 63);
		p[63] = '.';
	}
	strcpy(p, tail);
	assert_int_equal(valid_qname(s), ok);
	free(s);
}

static void test_valid_qname(void **state)
{
	(void)state;
	assert_true(valid_qname("."));
	assert_true(valid_qname("resolve.test.roka.net"));
	assert_true(valid_qname("resolve.test."));
	assert_true(valid_qname("_dns.example"));
	assert_false(valid_qname(""));
	assert_false(valid_qname(".example"));
	assert_false(valid_qname("a..example"));
	assert_false(valid_qname("a*.example"));
	/* Labels: 63 octets pass, 64 do not. */
	expect_qname(1, "x", true);
	expect_qname(0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false);
	/* Names: 253 octets pass, and 254 when the last is the root's dot. */
	expect_qname(3, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true);   /* 253 */
	expect_qname(3, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.", true);  /* 254 */
	expect_qname(3, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false); /* 254 */
	expect_qname(3, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.", false); /* 255 */
}

static void test_bind_version_is_safe(void **state)
{
	char *v31 = repeat('9', 31, ""), *v32 = repeat('9', 32, "");

	(void)state;
	assert_true(bind_version_is_safe("9.18.49"));
	assert_true(bind_version_is_safe("9.9.13-P1"));
	assert_true(bind_version_is_safe(v31));
	assert_false(bind_version_is_safe(v32));
	assert_false(bind_version_is_safe(NULL));
	assert_false(bind_version_is_safe(""));
	assert_false(bind_version_is_safe("9.18 x"));
	assert_false(bind_version_is_safe("9.18;x"));
	free(v31);
	free(v32);
}

/* bind_prefix_check on a copy: NULL and the cleaned path, or a reason. */
static void expect_prefix(const char *in, const char *cleaned, const char *reason_has)
{
	char *p = strdup(in);
	const char *why = bind_prefix_check(p);

	if (cleaned) {
		assert_null(why);
		assert_string_equal(p, cleaned);
	} else {
		assert_non_null(why);
		assert_non_null(strstr(why, reason_has));
		assert_string_equal(p, in);
	}
	free(p);
}

static void test_bind_prefix_check(void **state)
{
	(void)state;
	expect_prefix("/usr/local", "/usr/local", NULL);
	expect_prefix("/usr/local/", "/usr/local", NULL);
	expect_prefix("/opt/bind//", "/opt/bind", NULL);
	expect_prefix("/opt/..bind", "/opt/..bind", NULL);
	expect_prefix("/opt/.b", "/opt/.b", NULL);
	expect_prefix("usr/local", NULL, "absolute");
	expect_prefix("", NULL, "absolute");
	expect_prefix("/", NULL, "root directory");
	expect_prefix("//", NULL, "root directory");
	expect_prefix("/opt/bind 9", NULL, "characters");
	expect_prefix("/opt//bind", NULL, "plain path");
	expect_prefix("/opt/./bind", NULL, "plain path");
	expect_prefix("/opt/../bind", NULL, "plain path");
	expect_prefix("/opt/bind/..", NULL, "plain path");
	expect_prefix("/opt/.", NULL, "plain path");
}

static void test_check_name_reports_at_its_line(void **state)
{
	struct diags d;

	(void)state;
	diags_init(&d, "site.conf");
	check_name(&d, 7, "balancer", "lb1");
	assert_int_equal(d.n, 0);
	check_name(&d, 9, "balancer", "-lb1");
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 9);
	assert_string_equal(d.v[0].message, "balancer name '-lb1' is not safe in generated files and command lines");
	assert_non_null(d.v[0].hint);
	diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_safe_name),
		cmocka_unit_test(test_safe_ifname),
		cmocka_unit_test(test_safe_path),
		cmocka_unit_test(test_valid_qname),
		cmocka_unit_test(test_bind_version_is_safe),
		cmocka_unit_test(test_bind_prefix_check),
		cmocka_unit_test(test_check_name_reports_at_its_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
