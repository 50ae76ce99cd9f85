/* Walking the site text before libconfuse parses (cluster-gen/site_walk.c):
 * every unknown option with its line, its section and a hint, nothing
 * reported from inside an unknown section; every syntax error, the walk
 * going on past each; integers and booleans libconfuse would refuse; a
 * second single section; the innermost section left open. */
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
	CFG_SEC("instance", instance_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
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
	CFG_SEC("host", host_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_END()
};

/* Walks text; d is left for the test to read and free. The number of
 * unknown options. */
static int walk(const char *text, struct diags *d)
{
	diags_init(d, "site.conf");
	return site_walk(text, strlen(text), root_opts, d, NULL).unknown;
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
			      "host kai {\n balancer = lb1\n colour = \"a\\\nb\"\n"
			      " instance a { adress = 10.0.0.2 }\n}\n"
			      "extra = 1\n", &d), 4);
	assert_int_equal(d.v[0].line, 2);
	assert_string_equal(d.v[0].message, "check: no such option 'timout'");
	assert_int_equal(d.v[1].line, 6);
	assert_string_equal(d.v[1].message, "host kai: no such option 'colour'");
	/* the newline a string goes on past counts */
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

/* Every problem the walk finds in text, as "LINE: MESSAGE|...". */
static const char *problems(const char *text)
{
	static char out[2048];
	struct diags d;
	size_t used = 0;

	diags_init(&d, "site.conf");
	site_walk(text, strlen(text), root_opts, &d, NULL);
	out[0] = '\0';
	for (size_t i = 0; i < d.n && used < sizeof(out); i++)
		used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%d: %s", used ? "|" : "",
					 d.v[i].line, d.v[i].message);
	diags_free(&d);
	return out;
}

static void test_every_syntax_error_in_one_run(void **state)
{
	(void)state;
	assert_string_equal(problems("check { timeout 5 }\n"
				     "host kai {\n"
				     " clients = { a b }\n"
				     " balancer = }\n"
				     "}\n"
				     "nope = 1\n"),
			    "1: check: '=' missing between 'timeout' and its value|"
			    "3: host kai: ',' missing between 'a' and 'b' in the list of 'clients'|"
			    "4: host kai: 'balancer' has no value|"
			    "5: a '}' that closes no section|"
			    "6: no such option 'nope'");
}

static void test_the_walk_goes_on_past_each_syntax_error(void **state)
{
	(void)state;
	assert_string_equal(problems("check { timeout += 5 }\nnope = 1\n"),
			    "1: check: '+=' adds to a list, and 'timeout' takes one value|"
			    "2: no such option 'nope'");
	assert_string_equal(problems("host { balancer = x }\nnope = 1\n"),
			    "1: this host section has no name|2: no such option 'nope'");
	assert_string_equal(problems("check foo { timeout = 1 }\nnope = 1\n"),
			    "1: the check section takes no name|2: no such option 'nope'");
	assert_string_equal(problems("check = { timeout = 1 }\n"),
			    "1: 'check' is a section, written without '='");
	/* a '{' missing before the section's first option: the section is
	 * read as if it were there */
	assert_string_equal(problems("host kai\n balancer = x\n}\nnope = 1\n"),
			    "2: 'balancer' where this host section's '{' should be|"
			    "4: no such option 'nope'");
	assert_string_equal(problems("}\nnope = 1\n"),
			    "1: a '}' that closes no section|2: no such option 'nope'");
	assert_string_equal(problems("check { timeout = = 5 }\nnope = 1\n"),
			    "1: check: '=' where the value of 'timeout' should be|"
			    "2: no such option 'nope'");
	assert_string_equal(problems("check { timeout = { 5 } }\nnope = 1\n"),
			    "1: check: 'timeout' takes one value, not a list|2: no such option 'nope'");
	/* a value missing at the end of a line, the next option below */
	assert_string_equal(problems("check { timeout\n transport = tcp }\nnope = 1\n"),
			    "1: check: 'timeout' has no value|3: no such option 'nope'");
	/* an unknown name alone on its line: the next line is read as meant */
	assert_string_equal(problems("check { colour\n timeout = 1 }\n"),
			    "1: check: no such option 'colour'");
	assert_string_equal(problems("= 5\ncheck { }\n"),
			    "1: '=' where a statement should start|1: no such option '5'");
}

static void test_habits_of_other_formats(void **state)
{
	struct diags d;

	(void)state;
	/* a ';' after a statement, or in a bare value; ':' for '=': one
	 * problem each, and nothing after them taken amiss */
	assert_string_equal(problems("check { transport = \"tcp\"; timeout = 5; }\n"
				     "bgp { bfd: on }\nnope = 1\n"),
			    "1: check: a ';', which ends no statement in a site file|"
			    "1: check: timeout '5;' is not a decimal number|"
			    "2: bgp: no such option 'bfd:'|"
			    "3: no such option 'nope'");
	diags_init(&d, "site.conf");
	site_walk("bgp { bfd: on; }", 16, root_opts, &d, NULL);
	assert_string_equal(d.v[0].hint, "write bfd = VALUE: ':' is no '='");
	assert_string_equal(d.v[1].hint, "remove the ';': a statement ends with its value");
	diags_free(&d);
}

static void test_a_quote_missing(void **state)
{
	(void)state;
	/* cut at its first blank when statements follow it on its line, or at
	 * the end of its line: the next lines are read as meant */
	assert_string_equal(problems("host kai {\n"
				     " instance a { address = \"10.0.0.2  weight = 1 }\n"
				     " instance b { address = \"10.0.0.3\" }\n"
				     " balancer = \"lb 1\n"
				     "}\nnope = 1\n"),
			    "2: this quoted string is not closed on its line|"
			    "4: this quoted string is not closed on its line|"
			    "6: no such option 'nope'");
	/* a backslash at the end of a line goes on on the next */
	assert_string_equal(problems("bgp { description = \"a\\\nb\" }\n"), "");
}

static void test_lists(void **state)
{
	(void)state;
	/* a list's '}' missing: named at the list, once */
	assert_string_equal(problems("host kai { clients = { a, b\n balancer = x }\nnope = 1\n"),
			    "1: host kai: the list of 'clients' is not closed: 'balancer' on line 2 "
			    "starts the next statement|3: no such option 'nope'");
	/* ... after a ',' or before any value too */
	assert_string_equal(problems("host kai { clients = { a,\n balancer = x }\n"
				     "host lou { clients = {\n instance a { } }\n"),
			    "1: host kai: the list of 'clients' is not closed: 'balancer' on line 2 "
			    "starts the next statement|"
			    "3: host lou: the list of 'clients' is not closed: 'instance' on line 4 "
			    "starts the next statement");
	assert_string_equal(problems("host kai { clients = { a, = } }\nnope = 1\n"),
			    "1: host kai: '=' where a value of 'clients' should be|"
			    "2: no such option 'nope'");
	assert_string_equal(problems("host kai { clients = { a = } }\n"),
			    "1: host kai: '=' in the list of 'clients', where ',' or '}' should be");
	/* one value per line, no commas: each is named */
	assert_string_equal(problems("host kai { clients = {\n a\n b\n c\n} }\n"),
			    "3: host kai: ',' missing between 'a' and 'b' in the list of 'clients'|"
			    "4: host kai: ',' missing between 'b' and 'c' in the list of 'clients'");
	assert_string_equal(problems("host kai { clients = { a,\n"),
			    "1: host kai: the list of 'clients' is not closed before the end of the file");
	/* libconfuse takes "{}", "{ a, }" and one value without braces */
	assert_string_equal(problems("host kai { clients = {} clients = { a, } clients = a }\n"), "");
}

static void test_the_end_of_the_file_inside_a_statement(void **state)
{
	(void)state;
	/* said once, with no section left open said after it */
	assert_string_equal(problems("bgp { bfd = on }\ncheck { transport = \"udp }"),
			    "2: this quoted string is not closed");
	assert_string_equal(problems("check { timeout =\n"),
			    "1: check: the file ends before the value of 'timeout'");
	assert_string_equal(problems("check { timeout\n"),
			    "1: check: the file ends after 'timeout', before its value");
	assert_string_equal(problems("host kai\n"),
			    "1: the file ends before this host section's '{'");
	assert_string_equal(problems("check { timeout = 1\n"),
			    "1: this section is not closed before the end of the file");
}

static void test_escapes_libconfuse_refuses(void **state)
{
	(void)state;
	assert_string_equal(problems("bgp { description = \"a\\9\" }\n"),
			    "1: bad escape sequence '\\9' in a quoted string");
	assert_string_equal(problems("bgp { description = \"\\1234\" }\n"),
			    "1: bad escape sequence '\\1234' in a quoted string");
	assert_string_equal(problems("bgp {\n description = \"\\400\" }\n"),
			    "2: '\\400' in a quoted string is past the largest byte");
	/* an octal byte, other escapes, and single quotes, which keep a
	 * backslash as it is */
	assert_string_equal(problems("bgp { description = \"\\377\\12\\x4g\\q\" "
				     "description = 'a\\9' }\n"), "");
	/* a '{' in a string is text, a quote after it ends the string */
	assert_string_equal(problems("bgp { description = \"a{\" }\nnope = 1\n"),
			    "2: no such option 'nope'");
	/* a ${VAR} reference is taken whole, a quote in it too */
	assert_string_equal(problems("bgp { description = \"${A\"B}\" }\n"), "");
	assert_string_equal(problems("check { timeout = ${T} }\n"), "");
}

static void test_integers_and_booleans(void **state)
{
	(void)state;
	assert_string_equal(problems("check { timeout = 05\n timeout = 99999999999999999999\n"
				     " timeout = 0x10 }\nbgp { bfd = maybe }\n"),
			    "1: check: timeout '05' is not a decimal number|"
			    "2: check: timeout 99999999999999999999 is out of range|"
			    "3: check: timeout '0x10' is not a decimal number|"
			    "4: bgp: bfd 'maybe' is neither true nor false");
	/* what libconfuse takes: a sign, quotes, any case of yes/no/on/off */
	assert_string_equal(problems("check { timeout = -0 timeout = \"7\" timeout = +3 }\n"
				     "bgp { bfd = YES bfd = off bfd = 'True' }\n"), "");
	/* a range is the site check's (validate.c), not the walk's */
	assert_string_equal(problems("check { timeout = -9223372036854775808 }\n"), "");
	assert_string_equal(problems("check { timeout = 9223372036854775808 }\n"),
			    "1: check: timeout 9223372036854775808 is out of range");
}

static void test_gives_up_after_twenty_syntax_errors(void **state)
{
	char text[200] = "";
	struct diags d;

	(void)state;
	/* not a site file: 30 stray '}', the unknown option after them unread */
	for (int i = 0; i < 30; i++)
		strcat(text, "}\n");
	strcat(text, "nope = 1\n");
	diags_init(&d, "site.conf");
	assert_int_equal(site_walk(text, strlen(text), root_opts, &d, NULL).syntax, 20);
	assert_int_equal(d.n, 21);
	assert_int_equal(d.v[20].line, 20);
	assert_string_equal(d.v[20].message, "20 syntax errors: the rest of the file is not read");
	diags_free(&d);
}

static void test_duplicate_titles(void **state)
{
	(void)state;
	/* each one, in its own section, with the first one's line; the same
	 * title in another section, or quoted, is the same title */
	assert_string_equal(problems("host kai {\n instance a { }\n instance b { }\n"
				     " instance \"a\" { }\n instance a { }\n}\n"
				     "host lou { instance a { } }\n"
				     "host\n'kai'\n{ }\n"),
			    "4: host kai: duplicate instance 'a' (first at line 2)|"
			    "5: host kai: duplicate instance 'a' (first at line 2)|"
			    "8: duplicate host 'kai' (first at line 1)");
	/* an escaped title is libconfuse's to read */
	assert_string_equal(problems("host kai { }\nhost \"k\\x61i\" { }\n"), "");
}

static int unclosed(const char *text)
{
	struct diags d;
	int line;

	diags_init(&d, "site.conf");
	line = site_walk(text, strlen(text), root_opts, &d, NULL).unclosed_line;
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
	site_walk(text, strlen(text), root_opts, &d, NULL);
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
		cmocka_unit_test(test_every_syntax_error_in_one_run),
		cmocka_unit_test(test_the_walk_goes_on_past_each_syntax_error),
		cmocka_unit_test(test_habits_of_other_formats),
		cmocka_unit_test(test_a_quote_missing),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_the_end_of_the_file_inside_a_statement),
		cmocka_unit_test(test_escapes_libconfuse_refuses),
		cmocka_unit_test(test_integers_and_booleans),
		cmocka_unit_test(test_duplicate_titles),
		cmocka_unit_test(test_gives_up_after_twenty_syntax_errors),
		cmocka_unit_test(test_unclosed_sections),
		cmocka_unit_test(test_repeated_single_sections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
