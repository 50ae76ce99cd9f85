/* Unit tests of the template engine against the public Mustache
 * specification: its categories (interpolation, sections, inverted,
 * comments, standalone lines) in our own words. Our deviations (compile
 * errors for tags outside the subset, strict unknown variables) are in
 * test_template_errors.c, overrides checked against their built-in
 * template in test_template_override.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../cluster-gen/template.h"
#include "template_helpers.h"

/* ---- interpolation ---- */

static void test_no_tags(void **state)
{
	(void)state;
	assert_string_equal(run_empty("Hello from {Mustache}!\n"), "Hello from {Mustache}!\n");
	assert_string_equal(run_empty("a }} b { c"), "a }} b { c");
	assert_string_equal(run_empty(""), "");
}

static void test_basic_interpolation(void **state)
{
	struct tpl_ctx *c = tpl_ctx_new();

	(void)state;
	tpl_set(c, "subject", "world");
	tpl_setf(c, "n", "%d-%s", 85, "x");
	assert_string_equal(run("Hello, {{subject}}!\n", c), "Hello, world!\n");
	assert_string_equal(run("{{n}} {{{n}}} {{&n}}", c), "85-x 85-x 85-x");
	assert_string_equal(run("{{subject}}{{subject}}", c), "worldworld");
	tpl_ctx_free(c);
}

static void test_no_html_escaping(void **state)
{
	struct tpl_ctx *c = tpl_ctx_new();

	(void)state;
	tpl_set(c, "f", "& \" < > '");
	assert_string_equal(run("{{f}}|{{{f}}}|{{&f}}", c),
			    "& \" < > '|& \" < > '|& \" < > '");
	tpl_ctx_free(c);
}

static void test_whitespace_in_tags(void **state)
{
	struct tpl_ctx *c = tpl_ctx_new();

	(void)state;
	tpl_set(c, "s", "---");
	tpl_set_bool(c, "b", true);
	assert_string_equal(run("|{{ s }}|{{{ s }}}|{{& s }}|{{\ts\t}}|", c), "|---|---|---|---|");
	assert_string_equal(run("{{# b }}y{{/ b }}{{^ b }}n{{/ b }}", c), "y");
	assert_string_equal(run("{{ #b}}y{{ /b}}", c), "y");
	tpl_ctx_free(c);
}

static void test_interpolation_never_standalone(void **state)
{
	struct tpl_ctx *c = tpl_ctx_new();

	(void)state;
	tpl_set(c, "s", "---");
	tpl_set(c, "e", "");
	assert_string_equal(run("  {{s}}\n", c), "  ---\n");
	assert_string_equal(run("  {{{s}}}\n", c), "  ---\n");
	assert_string_equal(run("  {{&s}}\n", c), "  ---\n");
	assert_string_equal(run("a\n  {{e}}\nb", c), "a\n  \nb");
	tpl_ctx_free(c);
}

static void test_values_replace_and_bools(void **state)
{
	struct tpl_ctx *c = tpl_ctx_new();

	(void)state;
	tpl_set(c, "x", "one");
	tpl_set(c, "x", "two");
	tpl_set(c, "nul", NULL);
	tpl_set_bool(c, "t", true);
	tpl_set_bool(c, "f", false);
	assert_string_equal(run("{{x}}[{{nul}}]{{t}}/{{f}}", c), "two[]true/false");
	tpl_set_bool(c, "x", false);
	assert_string_equal(run("{{#x}}shown{{/x}}{{^x}}hidden{{/x}}", c), "hidden");
	tpl_add(c, "x");
	assert_string_equal(run("{{#x}}list{{/x}}", c), "list");
	tpl_ctx_free(c);
}

static void test_dotted_names(void **state)
{
	struct tpl_ctx *c = tpl_ctx_new();
	struct tpl_ctx *a, *b, *two;

	(void)state;
	/* A single map is a list of one map. */
	a = tpl_add(c, "a");
	b = tpl_add(a, "b");
	tpl_set(b, "c", "deep");
	tpl_set(a, "name", "Joe");
	tpl_set_bool(a, "yes", true);
	assert_string_equal(run("{{a.name}} {{{a.b.c}}} {{&a.name}}", c), "Joe deep Joe");
	assert_string_equal(run("{{#a.yes}}Y{{/a.yes}}{{^a.no}}N{{/a.no}}", c), "YN");
	assert_string_equal(run("{{#a.b}}{{c}}{{/a.b}}", c), "deep");
	/* Broken chains are missing: false in sections, errors in tags. */
	assert_string_equal(run("[{{#a.x.c}}bad{{/a.x.c}}]", c), "[]");
	assert_string_equal(run("{{a.name.x}}", c), "RENDER:t.mustache:1: unknown variable 'a.name.x'");
	/* Only the first part walks the context stack. */
	tpl_add(c, "c");
	tpl_set(tpl_add(c, "x"), "c", "outer");
	assert_string_equal(run("{{#a}}{{b.c}}|{{x.c}}{{/a}}", c), "deep|outer");
	tpl_set(tpl_add(a, "x"), "y", "");
	assert_string_equal(run("{{#a}}{{x.c}}{{/a}}", c), "RENDER:t.mustache:1: unknown variable 'x.c'");
	/* A list of several maps cannot be stepped through. */
	two = tpl_ctx_new();
	tpl_set(tpl_add(two, "l"), "v", "1");
	tpl_set(tpl_add(two, "l"), "v", "2");
	assert_string_equal(run("{{l.v}}", two), "RENDER:t.mustache:1: unknown variable 'l.v'");
	tpl_ctx_free(two);
	tpl_ctx_free(c);
}

/* ---- sections ---- */

static void test_sections_booleans_and_missing(void **state)
{
	struct tpl_ctx *c = tpl_ctx_new();

	(void)state;
	tpl_set_bool(c, "t", true);
	tpl_set_bool(c, "f", false);
	assert_string_equal(run("\"{{#t}}yes{{/t}}\"", c), "\"yes\"");
	assert_string_equal(run("\"{{#f}}yes{{/f}}\"", c), "\"\"");
	assert_string_equal(run("\"{{#missing}}yes {{undefined}}{{/missing}}\"", c), "\"\"");
	tpl_ctx_free(c);
}

static void test_sections_strings(void **state)
{
	struct tpl_ctx *c = tpl_ctx_new();

	(void)state;
	tpl_set(c, "s", "abc");
	tpl_set(c, "e", "");
	tpl_set(c, "o", "outer");
	assert_string_equal(run("{{#s}}[{{.}}|{{o}}]{{/s}}{{#e}}empty{{/e}}", c), "[abc|outer]");
	tpl_ctx_free(c);
}

static void test_sections_lists(void **state)
{
	struct tpl_ctx *c = tpl_ctx_new();

	(void)state;
	tpl_set(tpl_add(c, "list"), "item", "1");
	tpl_set(tpl_add(c, "list"), "item", "2");
	tpl_set(tpl_add(c, "list"), "item", "3");
	assert_string_equal(run("\"{{#list}}{{item}}{{/list}}\"", c), "\"123\"");
	/* An emptied list: a name set to an empty list is false. */
	tpl_add(c, "one");
	assert_string_equal(run("{{#one}}x{{/one}}", c), "x");
	tpl_set_bool(c, "none", false);
	assert_string_equal(run("\"{{#none}}x{{/none}}\"", c), "\"\"");
	tpl_ctx_free(c);
}

static void test_sections_context_stack(void **state)
{
	struct tpl_ctx *c = tpl_ctx_new();
	struct tpl_ctx *a, *b;

	(void)state;
	tpl_set(c, "name", "root");
	tpl_set(c, "site", "S");
	a = tpl_add(c, "a");
	tpl_set(a, "name", "A");
	b = tpl_add(a, "b");
	tpl_set(b, "leaf", "B");
	/* Inner names shadow outer ones; missing inner names fall through. */
	assert_string_equal(run("{{#a}}{{name}}/{{site}}{{#b}}:{{name}}{{leaf}}{{/b}}{{/a}}{{name}}", c),
			    "A/S:ABroot");
	/* A list element is not visible outside its section. */
	assert_string_equal(run("{{leaf}}", c), "RENDER:t.mustache:1: unknown variable 'leaf'");
	tpl_ctx_free(c);
}

static void test_sections_nested(void **state)
{
	struct tpl_ctx *c = tpl_ctx_new();

	(void)state;
	for (int i = 1; i <= 2; i++) {
		struct tpl_ctx *lb = tpl_add(c, "lb");

		tpl_setf(lb, "n", "lb%d", i);
		for (int j = 1; j <= 3; j++) {
			struct tpl_ctx *vs = tpl_add(lb, "vs");

			tpl_setf(vs, "vip", "192.0.2.%d", j);
			tpl_set_bool(vs, "v6", j == 2);
		}
	}
	assert_string_equal(run("{{#lb}}{{n}}:{{#vs}}{{#v6}}*{{/v6}}{{vip}},{{/vs}};{{/lb}}", c),
			    "lb1:192.0.2.1,*192.0.2.2,192.0.2.3,;lb2:192.0.2.1,*192.0.2.2,192.0.2.3,;");
	/* The same name nested in itself resolves the innermost first. */
	assert_string_equal(run("{{#lb}}{{#lb}}x{{/lb}}{{/lb}}", c), "xxxx");
	tpl_ctx_free(c);
}

static void test_implicit_iterator(void **state)
{
	struct tpl_ctx *c = tpl_ctx_new();

	(void)state;
	tpl_set(c, "s", "a & b");
	tpl_set_bool(c, "t", true);
	tpl_add(c, "m");
	assert_string_equal(run("{{#s}}({{.}}){{{.}}}{{&.}}{{/s}}", c), "(a & b)a & ba & b");
	assert_string_equal(run("{{#t}}{{.}}{{/t}}", c), "true");
	assert_string_equal(run("{{#s}}{{#.}}in{{/.}}{{/s}}", c), "in");
	assert_string_equal(run("{{.}}", c), "RENDER:t.mustache:1: '.' is a map here, not a string");
	assert_string_equal(run("{{#m}}\n{{.}}{{/m}}", c),
			    "RENDER:t.mustache:2: '.' is a map here, not a string");
	tpl_ctx_free(c);
}

/* ---- inverted ---- */

static void test_inverted(void **state)
{
	struct tpl_ctx *c = tpl_ctx_new();

	(void)state;
	tpl_set_bool(c, "t", true);
	tpl_set_bool(c, "f", false);
	tpl_set(c, "s", "x");
	tpl_set(c, "e", "");
	tpl_set(c, "o", "outer");
	tpl_set(tpl_add(c, "list"), "n", "1");
	tpl_set(tpl_add(c, "list"), "n", "2");
	assert_string_equal(run("[{{^t}}T{{/t}}{{^f}}F{{/f}}{{^missing}}M{{/missing}}]", c), "[FM]");
	assert_string_equal(run("[{{^s}}S{{/s}}{{^e}}E{{/e}}]", c), "[E]");
	/* Not iterated, and never pushes a context. */
	assert_string_equal(run("[{{^list}}L{{/list}}{{^f}}{{o}}{{/f}}]", c), "[outer]");
	/* Paired with a section of the same name. */
	assert_string_equal(run("{{#f}}yes{{/f}}{{^f}}no{{/f}}", c), "no");
	assert_string_equal(run("{{^f}}{{^missing}}nested{{/missing}}{{/f}}", c), "nested");
	tpl_ctx_free(c);
}

/* tpl_add always adds an element, so a context never holds an empty list:
 * an empty list is a name that is missing, or set false to shadow an outer
 * name (a missing name falls through to outer contexts). */
static void test_empty_list(void **state)
{
	struct tpl_ctx *c = tpl_ctx_new();
	struct tpl_ctx *lb1, *lb2;
	const char *text = "{{#lb}}{{n}}:{{#vip}}{{a}}{{/vip}}{{^vip}}none{{/vip}};{{/lb}}";

	(void)state;
	tpl_set(tpl_add(c, "vip"), "a", "outer");
	lb1 = tpl_add(c, "lb");
	tpl_set(lb1, "n", "1");
	tpl_set(tpl_add(lb1, "vip"), "a", "192.0.2.1");
	lb2 = tpl_add(c, "lb");
	tpl_set(lb2, "n", "2");
	assert_string_equal(run(text, c), "1:192.0.2.1;2:outer;");
	tpl_set_bool(lb2, "vip", false);
	assert_string_equal(run(text, c), "1:192.0.2.1;2:none;");
	tpl_ctx_free(c);
}

/* ---- comments ---- */

static void test_comments(void **state)
{
	(void)state;
	assert_string_equal(run_empty("12345{{! Comment Block! }}67890"), "1234567890");
	assert_string_equal(run_empty("12345{{!\n  This is a\n  multi-line comment...\n}}67890\n"),
			    "1234567890\n");
	assert_string_equal(run_empty("Begin.\n{{! Comment Block! }}\nEnd.\n"), "Begin.\nEnd.\n");
	assert_string_equal(run_empty("Begin.\n  {{! Indented Comment Block! }}\nEnd.\n"),
			    "Begin.\nEnd.\n");
	assert_string_equal(run_empty("Begin.\n{{!\nSomething's going on here...\n}}\nEnd.\n"),
			    "Begin.\nEnd.\n");
	assert_string_equal(run_empty("Begin.\n  {{!\n    Something's going on here...\n  }}\nEnd.\n"),
			    "Begin.\nEnd.\n");
	/* Not standalone: text on the same line stays, with its blanks. */
	assert_string_equal(run_empty("  12 {{! 34 }}\n"), "  12 \n");
	assert_string_equal(run_empty("12345 {{! Comment Block! }} 67890"), "12345  67890");
	/* A comment may contain braces and "{{#x"; it ends at the first "}}". */
	assert_string_equal(run_empty("a{{! {{#x} { }b }}c"), "ac");
	assert_string_equal(run_empty("a{{! x }} }}b"), "a }}b");
}

/* ---- standalone lines ---- */

static void test_standalone_each_tag_kind(void **state)
{
	struct tpl_ctx *c = tpl_ctx_new();

	(void)state;
	tpl_set_bool(c, "t", true);
	tpl_set_bool(c, "f", false);
	assert_string_equal(run("| This Is\n{{#t}}\n|\n{{/t}}\n| A Line\n", c),
			    "| This Is\n|\n| A Line\n");
	assert_string_equal(run("| This Is\n{{^f}}\n|\n{{/f}}\n| A Line\n", c),
			    "| This Is\n|\n| A Line\n");
	/* Indented, with blanks after the tag too. */
	assert_string_equal(run("| This Is\n  {{#t}}  \n|\n\t{{/t}}\t\n| A Line\n", c),
			    "| This Is\n|\n| A Line\n");
	assert_string_equal(run("| This Is\n  {{^f}}\n|\n  {{/f}}\n| A Line\n", c),
			    "| This Is\n|\n| A Line\n");
	/* A false section on standalone lines leaves no blank line. */
	assert_string_equal(run("a\n{{#f}}\nhidden\n{{/f}}\nb\n", c), "a\nb\n");
	tpl_ctx_free(c);
}

static void test_standalone_not_when_inline(void **state)
{
	struct tpl_ctx *c = tpl_ctx_new();

	(void)state;
	tpl_set_bool(c, "t", true);
	/* Indented inline sections keep their blanks. */
	assert_string_equal(run(" {{#t}}YES{{/t}}\n {{#t}}GOOD{{/t}}\n", c), " YES\n GOOD\n");
	assert_string_equal(run(" | {{#t}} {{! Important }} {{/t}} | \n", c), " |    | \n");
	assert_string_equal(run(" {{#t}}\n{{/t}} x\n", c), " x\n");
	/* Two tags on a line: neither is standalone. */
	assert_string_equal(run("a\n{{#t}}{{/t}}\nb", c), "a\n\nb");
	tpl_ctx_free(c);
}

static void test_standalone_file_edges(void **state)
{
	struct tpl_ctx *c = tpl_ctx_new();

	(void)state;
	tpl_set_bool(c, "t", true);
	/* First line of the file. */
	assert_string_equal(run("  {{#t}}\n#{{/t}}\n/", c), "#\n/");
	assert_string_equal(run("{{! c }}\nx", c), "x");
	/* Last line without a trailing newline, also indented. */
	assert_string_equal(run("#{{#t}}\n/\n  {{/t}}", c), "#\n/\n");
	assert_string_equal(run("x\n{{! c }}", c), "x\n");
	assert_string_equal(run("x\n  {{^t}}\n{{/t}}", c), "x\n");
	/* The whole file one standalone tag. */
	assert_string_equal(run("  {{! c }}  ", c), "");
	tpl_ctx_free(c);
}

static void test_standalone_crlf(void **state)
{
	struct tpl_ctx *c = tpl_ctx_new();

	(void)state;
	tpl_set_bool(c, "t", true);
	tpl_set_bool(c, "f", false);
	assert_string_equal(run("|\r\n{{#t}}\r\n{{/t}}\r\n|", c), "|\r\n|");
	assert_string_equal(run("|\r\n  {{^f}}\r\nin\r\n  {{/f}}\r\n|", c), "|\r\nin\r\n|");
	assert_string_equal(run("|\r\n{{! c }}\r\n|", c), "|\r\n|");
	/* A lone \r is not a line end. */
	assert_string_equal(run("|\n{{! c }}\r|", c), "|\n\r|");
	tpl_ctx_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_tags),
		cmocka_unit_test(test_basic_interpolation),
		cmocka_unit_test(test_no_html_escaping),
		cmocka_unit_test(test_whitespace_in_tags),
		cmocka_unit_test(test_interpolation_never_standalone),
		cmocka_unit_test(test_values_replace_and_bools),
		cmocka_unit_test(test_dotted_names),
		cmocka_unit_test(test_sections_booleans_and_missing),
		cmocka_unit_test(test_sections_strings),
		cmocka_unit_test(test_sections_lists),
		cmocka_unit_test(test_sections_context_stack),
		cmocka_unit_test(test_sections_nested),
		cmocka_unit_test(test_implicit_iterator),
		cmocka_unit_test(test_inverted),
		cmocka_unit_test(test_empty_list),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_standalone_each_tag_kind),
		cmocka_unit_test(test_standalone_not_when_inline),
		cmocka_unit_test(test_standalone_file_edges),
		cmocka_unit_test(test_standalone_crlf),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
