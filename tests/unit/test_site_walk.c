/* Walking the site text before libconfuse parses (cluster-gen/site_walk.c):
 * every unknown option with its line, its section and a hint, nothing
 * reported from inside an unknown section; a second single section; the
 * innermost section left open; and the walk stopping, silent, where
 * libconfuse would report a syntax error itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "diag.h"
#include "site_walk.h"
#include "schema.h"

static cfg_opt_t instance_opts[] = {
	CFG_STR("address", 0, CFGF_NONE),
	CFG_INT("weight", 1, CFGF_NONE),
	CFG_STR_LIST(SCHEMA_LINES, 0, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t host_opts[] = {
	CFG_STR("balancer", 0, CFGF_NONE),
	CFG_STR_LIST("clients", 0, CFGF_NONE),
	CFG_SEC("instance", instance_opts, CFGF_MULTI | CFGF_TITLE),
	CFG_END()
};

static cfg_opt_t check_opts[] = {
	CFG_INT("timeout", 1, CFGF_NONE),
	CFG_STR("transport", "udp", CFGF_NONE),
	CFG_END()
};

static cfg_opt_t bgp_opts[] = {
	CFG_BOOL("bfd", cfg_true, CFGF_NONE),
	CFG_STR("description", 0, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t root_opts[] = {
	CFG_SEC("check", check_opts, CFGF_NONE),
	CFG_SEC("bgp", bgp_opts, CFGF_NONE),
	CFG_SEC("host", host_opts, CFGF_MULTI | CFGF_TITLE),
	CFG_END()
};

/* Walks text; d is left for the test to read and free. The number of
 * unknown options. */
static int walk(const char *text, struct diags *d)
{
	diags_init(d, "site.conf");
	return site_walk(text, strlen(text), root_opts, d).unknown;
}

static void expect_one(const char *text, int line, const char *message, const char *hint)
{
	struct diags d;

	assert_int_equal(walk(text, &d), 1);
	assert_int_equal(d.v[0].line, line);
	assert_string_equal(d.v[0].message, message);
	assert_string_equal(d.v[0].hint, hint);
	diags_free(&d);
}

static void expect_none(const char *text)
{
	struct diags d;

	assert_int_equal(walk(text, &d), 0);
	assert_int_equal(d.n, 0);
	diags_free(&d);
}

static void test_every_unknown_option_with_its_line(void **state)
{
	struct diags d;

	(void)state;
	assert_int_equal(walk("check {\n timout = 2\n}\n"
			      "host kai {\n balancer = lb1\n colour = \"a\nb\"\n"
			      " instance a { adress = 10.0.0.2 }\n}\n"
			      "extra = 1\n", &d), 4);
	assert_int_equal(d.v[0].line, 2);
	assert_string_equal(d.v[0].message, "check: no such option 'timout'");
	assert_int_equal(d.v[1].line, 6);
	assert_string_equal(d.v[1].message, "host kai: no such option 'colour'");
	/* the string's newline counts */
	assert_int_equal(d.v[2].line, 8);
	assert_string_equal(d.v[2].message, "kai instance a: no such option 'adress'");
	assert_int_equal(d.v[3].line, 10);
	assert_string_equal(d.v[3].message, "no such option 'extra'");
	diags_free(&d);
}

static void test_hints(void **state)
{
	(void)state;
	expect_one("check { timout = 2 }", 1, "check: no such option 'timout'",
		   "did you mean 'timeout'?");
	expect_one("check { transprot = tcp }", 1, "check: no such option 'transprot'",
		   "did you mean 'transport'?");
	expect_one("host kai { weight = 2 }", 1, "host kai: no such option 'weight'",
		   "'weight' belongs in an instance section");
	expect_one("check { balancer = x }", 1, "check: no such option 'balancer'",
		   "'balancer' belongs in a host section");
	expect_one("host kai { timeout = 1 }", 1, "host kai: no such option 'timeout'",
		   "'timeout' belongs in the check section");
	expect_one("host kai { host lou { } }", 1, "host kai: no such option 'host'",
		   "'host' belongs at the top level (is a '}' missing above it?)");
	expect_one("check { colour = blue }", 1, "check: no such option 'colour'",
		   "one of timeout transport");
	/* one letter off a short name only: "tim" is not "timeout" */
	expect_one("check { tim = 1 }", 1, "check: no such option 'tim'", "one of timeout transport");
}

static void test_escaped_names_are_libconfuses_to_read(void **state)
{
	(void)state;
	/* "time\x6fut" is timeout to libconfuse: not reported, and the walk
	 * goes on past its value */
	expect_one("check { \"time\\x6fut\" = 5 }\nnope = 1\n", 2, "no such option 'nope'",
		   "one of check bgp host");
}

static void test_hidden_lines_option_is_unknown(void **state)
{
	(void)state;
	expect_one("host kai { instance a { __lines = { \"weight=1\" } } }", 1,
		   "kai instance a: no such option '__lines'", "one of address weight");
}

static void test_unknown_values_sections_and_calls_are_skipped(void **state)
{
	struct diags d;

	(void)state;
	/* nothing inside an unknown section is reported, and the walk goes on
	 * past each kind of unknown value */
	assert_int_equal(walk("graphs { cpu = 1 nested x { y = 2 } }\n"
			      "tags += { a, b }\n"
			      "place \"x\" { z = 1 }\n"
			      "call(a, b)\n"
			      "last = { }\n", &d), 5);
	assert_int_equal(d.v[4].line, 5);
	assert_string_equal(d.v[4].message, "no such option 'last'");
	diags_free(&d);
}

static void test_known_values_in_every_form(void **state)
{
	(void)state;
	expect_none("host kai { clients = { \"10.0.0.0/8\", } clients += { a } }\n"
		    "host lou { clients = { } clients = one instance \"a b\" { weight = 3 } }\n"
		    "\"check\" { 'timeout' = 5 }\n");
}

static void test_stops_where_libconfuse_reports_a_syntax_error(void **state)
{
	(void)state;
	/* a '}' with nothing open, "+=" on a single value, a missing '=', a
	 * title missing: nothing after them is looked at */
	expect_none("}\nnope = 1\n");
	expect_none("check { timeout += 5 }\nnope = 1\n");
	expect_none("check { timeout 5 }\nnope = 1\n");
	expect_none("host { balancer = x }\nnope = 1\n");
	expect_none("check { transport = \"udp }\nnope = 1\n");
	/* what came before the error is reported */
	expect_one("nope = 1\n}\nnope2 = 2\n", 1, "no such option 'nope'",
		   "one of check bgp host");
}

static int unclosed(const char *text)
{
	struct diags d;
	int line;

	diags_init(&d, "site.conf");
	line = site_walk(text, strlen(text), root_opts, &d).unclosed_line;
	diags_free(&d);
	return line;
}

static void test_unclosed_sections(void **state)
{
	(void)state;
	assert_int_equal(unclosed("bgp { bfd = true }\ncheck { timeout = 1 }\n"), 0);
	assert_int_equal(unclosed("bgp { bfd = true }\ncheck { timeout = 1\n"), 2);
	/* a and b are closed, kai is not: kai's brace's line */
	assert_int_equal(unclosed("host kai\n{\n instance a {\n }\n instance b {\n weight = 1\n}\n"),
			 2);
	assert_int_equal(unclosed("host kai {\n instance a {\n  weight = 1\n"), 2);
	/* braces in strings do not count, in either quotes */
	assert_int_equal(unclosed("bgp { description = \"a{b\"  description = 'c{' }\n"), 0);
	assert_int_equal(unclosed("bgp { description = \"a}b\"\n"), 1);
	/* an extra '}' is libconfuse's to report */
	assert_int_equal(unclosed("bgp { }\n}\n"), 0);
	assert_int_equal(unclosed(""), 0);
}

/* The repeats of single sections in text, as "LINE: MESSAGE|..." */
static const char *repeats(const char *text)
{
	static char out[512];
	struct diags d;
	size_t used = 0;

	diags_init(&d, "site.conf");
	site_walk(text, strlen(text), root_opts, &d);
	out[0] = '\0';
	for (size_t i = 0; i < d.n; i++)
		if (strstr(d.v[i].message, "a second "))
			used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%d: %s",
						 used ? "|" : "", d.v[i].line, d.v[i].message);
	diags_free(&d);
	return out;
}

static void test_repeated_single_sections(void **state)
{
	(void)state;
	assert_string_equal(repeats("bgp { }\ncheck { }\nbgp { bfd = true }\n"),
			    "3: a second bgp section (the first is at line 1)");
	assert_string_equal(repeats("check { }\ncheck\n{ }\nbgp {}\nbgp{}bgp{}"),
			    "2: a second check section (the first is at line 1)|"
			    "5: a second bgp section (the first is at line 4)|"
			    "5: a second bgp section (the first is at line 4)");
	/* a title, an option or a section inside another, a string is none */
	assert_string_equal(repeats("bgp { }\nhost bgp { balancer = bgp }\nhost \"x\" { bgp { } }\n"),
			    "");
	assert_string_equal(repeats("bgp { description = \"} bgp {\" }\n"), "");
	/* libconfuse takes a quoted keyword as well */
	assert_string_equal(repeats("bgp { }\n\"bgp\" { }\n'check' {}\ncheck {}\n"),
			    "2: a second bgp section (the first is at line 1)|"
			    "4: a second check section (the first is at line 3)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_unknown_option_with_its_line),
		cmocka_unit_test(test_hints),
		cmocka_unit_test(test_hidden_lines_option_is_unknown),
		cmocka_unit_test(test_escaped_names_are_libconfuses_to_read),
		cmocka_unit_test(test_unknown_values_sections_and_calls_are_skipped),
		cmocka_unit_test(test_known_values_in_every_form),
		cmocka_unit_test(test_stops_where_libconfuse_reports_a_syntax_error),
		cmocka_unit_test(test_unclosed_sections),
		cmocka_unit_test(test_repeated_single_sections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
