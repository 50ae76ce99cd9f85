/* Unit tests of the template engine. The cases follow the categories of the
 * public Mustache specification (interpolation, sections, inverted,
 * comments, standalone lines) in our own words, plus our deviations: strict
 * unknown variables, compile errors for tags outside the subset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../cluster-gen/template.h"

/* Compiles and renders; the result (or "ERR:" + message on failure) is
 * returned in a static buffer freed by the next call or by teardown. */
static struct buf result;

static const char *run(const char *text, const struct tpl_ctx *c)
{
	struct buf err;
	struct tpl *t;

	buf_init(&err);
	buf_reset(&result);
	t = tpl_compile("t.mustache", text, strlen(text), &err);
	if (!t) {
		buf_printf(&result, "COMPILE:%s", err.data);
	} else if (tpl_render(t, c, &result, &err) < 0) {
		assert_int_equal(result.len, 0); /* out untouched on error */
		buf_printf(&result, "RENDER:%s", err.data);
	}
	tpl_free(t);
	buf_free(&err);
	return result.data ? result.data : "";
}

static const char *run_empty(const char *text)
{
	struct tpl_ctx *c = tpl_ctx_new();
	static char copy[4096];

	strncpy(copy, run(text, c), sizeof(copy) - 1);
	tpl_ctx_free(c);
	return copy;
}

static int teardown(void **state)
{
	(void)state;
	buf_free(&result);
	return 0;
}

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

/* ---- errors ---- */

static void test_compile_errors(void **state)
{
	(void)state;
	assert_string_equal(run_empty("a\n{{#x}}\nb\n"),
			    "COMPILE:t.mustache:2: unclosed section '{{#x}}'");
	assert_string_equal(run_empty("{{#a}}\n{{^b}}\n{{/b}}"),
			    "COMPILE:t.mustache:1: unclosed section '{{#a}}'");
	assert_string_equal(run_empty("{{#a}}\n{{^b}}\n{{/a}}\n{{/b}}"),
			    "COMPILE:t.mustache:3: closing tag '{{/a}}' does not match "
			    "'{{^b}}' opened on line 2");
	assert_string_equal(run_empty("x\n\n{{/a}}"),
			    "COMPILE:t.mustache:3: closing tag '{{/a}}' without an open section");
	assert_string_equal(run_empty("x\ny {{name"),
			    "COMPILE:t.mustache:2: unclosed tag: '{{' without a closing '}}'");
	assert_string_equal(run_empty("{{name\n}}"),
			    "COMPILE:t.mustache:1: unclosed tag: '{{' without '}}' on the same line");
	assert_string_equal(run_empty("{{{name}}"),
			    "COMPILE:t.mustache:1: unclosed tag: '{{{' must end with '}}}'");
	assert_string_equal(run_empty("{{! never closed\n"),
			    "COMPILE:t.mustache:1: unclosed tag: '{{' without a closing '}}'");
	assert_string_equal(run_empty("\n{{>part}}"),
			    "COMPILE:t.mustache:2: partial tag '{{>part}}' is outside the "
			    "supported template subset (no partials)");
	assert_string_equal(run_empty("{{=<% %>=}}"),
			    "COMPILE:t.mustache:1: set-delimiter tag is outside the supported "
			    "template subset (delimiters are always '{{' and '}}')");
	assert_string_equal(run_empty("{{<parent}}{{/parent}}"),
			    "COMPILE:t.mustache:1: '{{<' (template inheritance) is outside the "
			    "supported template subset");
	assert_string_equal(run_empty("{{ }}"), "COMPILE:t.mustache:1: empty tag");
	assert_string_equal(run_empty("{{#}}{{/}}"), "COMPILE:t.mustache:1: empty tag");
	assert_string_equal(run_empty("{{a b}}"), "COMPILE:t.mustache:1: invalid name 'a b'");
	assert_string_equal(run_empty("{{a..b}}"), "COMPILE:t.mustache:1: invalid name 'a..b'");
	assert_string_equal(run_empty("{{.a}}"), "COMPILE:t.mustache:1: invalid name '.a'");
}

static void test_error_lines_after_multiline_comment(void **state)
{
	(void)state;
	assert_string_equal(run_empty("{{!\n\n\n}}\n{{#x}}\n{{/y}}"),
			    "COMPILE:t.mustache:6: closing tag '{{/y}}' does not match "
			    "'{{#x}}' opened on line 5");
	assert_string_equal(run_empty("a\r\nb\r\n{{/z}}"),
			    "COMPILE:t.mustache:3: closing tag '{{/z}}' without an open section");
}

static void test_nesting_limit(void **state)
{
	struct buf text;
	struct buf err;
	struct tpl *t;

	(void)state;
	buf_init(&text);
	buf_init(&err);
	for (int i = 0; i < 64; i++)
		buf_puts(&text, "{{#a}}");
	for (int i = 0; i < 64; i++)
		buf_puts(&text, "{{/a}}");
	t = tpl_compile("deep", text.data, text.len, &err);
	assert_non_null(t);
	tpl_free(t);
	buf_reset(&text);
	for (int i = 0; i < 65; i++)
		buf_puts(&text, "{{#a}}");
	assert_null(tpl_compile("deep", text.data, text.len, &err));
	assert_string_equal(err.data, "deep:1: sections nested more than 64 deep");
	buf_free(&text);
	buf_free(&err);
}

static void test_unknown_variable_is_an_error(void **state)
{
	struct tpl_ctx *c = tpl_ctx_new();

	(void)state;
	tpl_set(c, "vip", "192.0.2.1");
	tpl_set(tpl_add(c, "list"), "n", "1");
	assert_string_equal(run("a {{vip}}\n\nb {{vpi}}\n", c),
			    "RENDER:t.mustache:3: unknown variable 'vpi'");
	assert_string_equal(run("{{#list}}\n{{n}}{{m}}\n{{/list}}", c),
			    "RENDER:t.mustache:2: unknown variable 'm'");
	assert_string_equal(run("{{list}}", c),
			    "RENDER:t.mustache:1: 'list' is a list, not a string; use it as a "
			    "section ({{#list}}...{{/list}})");
	/* Inside a false section an unknown name is never looked up. */
	assert_string_equal(run("{{#nope}}{{vpi}}{{/nope}}ok", c), "ok");
	tpl_ctx_free(c);
}

static void test_render_appends_and_repeats(void **state)
{
	struct tpl_ctx *c = tpl_ctx_new();
	struct buf out, err;
	struct tpl *t;

	(void)state;
	buf_init(&out);
	buf_init(&err);
	tpl_set(c, "x", "1");
	t = tpl_compile("t", "<{{x}}>", 7, &err);
	assert_non_null(t);
	buf_puts(&out, "head:");
	assert_int_equal(tpl_render(t, c, &out, &err), 0);
	tpl_set(c, "x", "2");
	assert_int_equal(tpl_render(t, c, &out, &err), 0);
	assert_string_equal(out.data, "head:<1><2>");
	/* A failed render leaves what was there before. */
	tpl_free(t);
	t = tpl_compile("t", "more{{y}}", 9, &err);
	assert_int_equal(tpl_render(t, c, &out, &err), -1);
	assert_string_equal(out.data, "head:<1><2>");
	assert_string_equal(err.data, "t:1: unknown variable 'y'");
	assert_int_equal(err.len, strlen(err.data));
	tpl_free(t);
	tpl_free(NULL);
	tpl_ctx_free(NULL);
	buf_free(&out);
	buf_free(&err);
	tpl_ctx_free(c);
}

/* Length-delimited input: text after len is not read. */
static void test_compile_uses_len(void **state)
{
	struct buf out, err;
	struct tpl_ctx *c = tpl_ctx_new();
	struct tpl *t;

	(void)state;
	buf_init(&out);
	buf_init(&err);
	t = tpl_compile("t", "abc{{#never", 3, &err);
	assert_non_null(t);
	assert_int_equal(tpl_render(t, c, &out, &err), 0);
	assert_string_equal(out.data, "abc");
	tpl_free(t);
	buf_free(&out);
	buf_free(&err);
	tpl_ctx_free(c);
}

static void test_large_list(void **state)
{
	enum { N = 100000 };
	struct tpl_ctx *c = tpl_ctx_new();
	struct buf out, err, want;
	struct tpl *t;
	const char *text = "{{#rs}}\n  {{^skip}}\nreal_server {{addr}} {{port}} # {{site}}\n  {{/skip}}\n{{/rs}}\n";

	(void)state;
	buf_init(&out);
	buf_init(&err);
	buf_init(&want);
	tpl_set(c, "site", "s1");
	for (int i = 0; i < N; i++) {
		struct tpl_ctx *r = tpl_add(c, "rs");

		tpl_setf(r, "addr", "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
		tpl_set(r, "port", "53");
		tpl_set_bool(r, "skip", i % 10 == 9);
		if (i % 10 != 9)
			buf_printf(&want, "real_server 10.%d.%d.%d 53 # s1\n",
				   i >> 16, (i >> 8) & 255, i & 255);
	}
	t = tpl_compile("big", text, strlen(text), &err);
	assert_non_null(t);
	assert_int_equal(tpl_render(t, c, &out, &err), 0);
	assert_int_equal(out.len, want.len);
	assert_memory_equal(out.data, want.data, want.len);
	tpl_free(t);
	buf_free(&out);
	buf_free(&err);
	buf_free(&want);
	tpl_ctx_free(c);
}

/* ---- overrides checked against their built-in template ---- */

/* Renders override text with reference text attached as its built-in. */
static const char *run_override(const char *text, const char *reference, const struct tpl_ctx *c)
{
	struct buf err;
	struct tpl *t, *ref;

	buf_init(&err);
	buf_reset(&result);
	t = tpl_compile("o.mustache", text, strlen(text), &err);
	ref = tpl_compile("b.mustache", reference, strlen(reference), &err);
	assert_non_null(t);
	assert_non_null(ref);
	tpl_check_against(t, ref);
	if (tpl_render(t, c, &result, &err) < 0) {
		assert_int_equal(result.len, 0);
		buf_printf(&result, "RENDER:%s", err.data);
	}
	tpl_free(t);
	buf_free(&err);
	return result.data ? result.data : "";
}

/* A site without BFD: bfd is false, services has one map. */
static struct tpl_ctx *site_without_bfd(void)
{
	struct tpl_ctx *c = tpl_ctx_new();

	tpl_set(c, "asn", "64512");
	tpl_set_bool(c, "bfd", false);
	tpl_set(tpl_add(c, "services"), "vip", "192.0.2.1");
	return c;
}

/* The messages, spelt out once. */
#define LEFT_OUT_VAR(line, name) "RENDER:o.mustache:" #line ": unknown variable '" name \
	"' in a section this site leaves out (the built-in template has none there)"
#define NEVER_RENDERS ": the renderer gives none there and the built-in template uses none " \
	"there, so it would never render"
#define UNKNOWN_SECTION(name) "RENDER:o.mustache:1: unknown section '" name "'" NEVER_RENDERS

static const char BUILTIN[] =
	"{{asn}}\n"
	"{{#bfd}}bfd {{profile}} {{#peers}}{{peer}}{{/peers}}\n{{/bfd}}"
	"{{#services}}{{vip}}{{#weights}}{{w}}{{/weights}}{{/services}}\n"
	"{{^quiet}}{{#notes}}{{note}}{{/notes}}{{/quiet}}";

static void test_override_names_in_left_out_sections(void **state)
{
	struct tpl_ctx *c = site_without_bfd();

	(void)state;
	/* a copy of the built-in, and reordered or repeated names, render */
	assert_string_equal(run_override(BUILTIN, BUILTIN, c), "64512\n192.0.2.1\n");
	assert_string_equal(run_override("{{#bfd}}{{profile}}/{{profile}} {{asn}}{{/bfd}}ok",
					 BUILTIN, c), "ok");
	/* a typo inside the section this site leaves out */
	assert_string_equal(run_override("x\n{{#bfd}}bfd {{profle}}{{/bfd}}", BUILTIN, c),
			    LEFT_OUT_VAR(2, "profle"));
	/* a name of another section: the built-in uses 'vip' only in services */
	assert_string_equal(run_override("{{#bfd}}{{vip}}{{/bfd}}", BUILTIN, c),
			    LEFT_OUT_VAR(1, "vip"));
	/* deeper: peers inside bfd, where the built-in has them */
	assert_string_equal(run_override("{{#bfd}}{{#peers}}{{peer}} {{profile}}{{/peers}}{{/bfd}}",
					 BUILTIN, c), "");
	assert_string_equal(run_override("{{#bfd}}{{#peers}}{{pear}}{{/peers}}{{/bfd}}", BUILTIN, c),
			    LEFT_OUT_VAR(1, "pear"));
	/* names the contexts around it give need no use in the built-in */
	assert_string_equal(run_override("{{#bfd}}{{asn}}{{/bfd}}{{#bfd}}{{services.vip}}{{/bfd}}",
					 BUILTIN, c), "");
	/* an inverted section's left-out body is checked too */
	assert_string_equal(run_override("{{^asn}}{{nope}}{{/asn}}", BUILTIN, c),
			    LEFT_OUT_VAR(1, "nope"));
	tpl_ctx_free(c);
}

static void test_override_unknown_sections(void **state)
{
	struct tpl_ctx *c = site_without_bfd();

	(void)state;
	/* optional names the built-in tests where they stand: simply false */
	assert_string_equal(run_override("{{#quiet}}q{{/quiet}}{{^quiet}}{{#notes}}n{{/notes}}"
					 "{{/quiet}}.", BUILTIN, c), ".");
	assert_string_equal(run_override("{{#services}}{{#weights}}{{w}}{{/weights}}{{/services}}.",
					 BUILTIN, c), ".");
	/* a section over a name given nowhere would never render */
	assert_string_equal(run_override("{{#bfdd}}bfd{{/bfdd}}", BUILTIN, c),
			    UNKNOWN_SECTION("bfdd"));
	assert_string_equal(run_override("{{^bfdd}}x{{/bfdd}}", BUILTIN, c),
			    UNKNOWN_SECTION("bfdd"));
	/* weights are the services', not the top level's */
	assert_string_equal(run_override("{{#weights}}w{{/weights}}", BUILTIN, c),
			    UNKNOWN_SECTION("weights"));
	assert_string_equal(run_override("{{#bfd}}{{#servces}}{{/servces}}{{/bfd}}", BUILTIN, c),
			    "RENDER:o.mustache:1: unknown section 'servces' in a section this site "
			    "leaves out" NEVER_RENDERS);
	tpl_ctx_free(c);
}

static void test_builtin_sections_left_out_are_not_checked(void **state)
{
	(void)state;
	/* without a reference (a built-in template) nothing changes */
	assert_string_equal(run_empty("{{#bfd}}{{profle}}{{/bfd}}{{#bfdd}}{{/bfdd}}ok"), "ok");
}

/* Checks override text, as a template the site does not render, against
 * reference text (NULL: none, as for a built-in template), with other
 * built-in templates' text (NULL: none). */
static const char *run_unrendered_with(const char *text, const char *reference, const char *other)
{
	struct buf err;
	struct tpl *t, *o = NULL;

	buf_init(&err);
	buf_reset(&result);
	t = tpl_compile("o.mustache", text, strlen(text), &err);
	assert_non_null(t);
	if (reference)
		tpl_check_against(t, tpl_compile("b.mustache", reference, strlen(reference), &err));
	if (other)
		assert_non_null(o = tpl_compile("h.mustache", other, strlen(other), &err));
	if (tpl_check_unrendered(t, (const struct tpl *const *)&o, o ? 1 : 0, &err) < 0)
		buf_printf(&result, "CHECK:%s", err.data);
	else
		assert_int_equal(err.len, 0);
	tpl_free(t);
	tpl_free(o);
	buf_free(&err);
	return result.data ? result.data : "";
}

static const char *run_unrendered(const char *text, const char *reference)
{
	return run_unrendered_with(text, reference, NULL);
}

#define UNRENDERED " in a template this site does not render"

static void test_override_of_a_template_not_rendered(void **state)
{
	(void)state;
	/* a copy of the built-in, or its names where it has them */
	assert_string_equal(run_unrendered(BUILTIN, BUILTIN), "");
	assert_string_equal(run_unrendered("{{asn}}{{#bfd}}{{#peers}}{{profile}}{{/peers}}{{/bfd}}"
					   "{{^services}}{{/services}}", BUILTIN), "");
	/* with no context, only the built-in's names where it has them count */
	assert_string_equal(run_unrendered("{{#bfd}}\n{{profle}}{{/bfd}}", BUILTIN),
			    "CHECK:o.mustache:2: unknown variable 'profle'" UNRENDERED
			    " (the built-in template has none there)");
	assert_string_equal(run_unrendered("{{vip}}", BUILTIN),
			    "CHECK:o.mustache:1: unknown variable 'vip'" UNRENDERED
			    " (the built-in template has none there)");
	assert_string_equal(run_unrendered("{{#bdf}}{{/bdf}}", BUILTIN),
			    "CHECK:o.mustache:1: unknown section 'bdf'" UNRENDERED NEVER_RENDERS);
	/* a built-in template itself is not held to anything */
	assert_string_equal(run_unrendered("{{#bdf}}{{profle}}{{/bdf}}", NULL), "");
	/* at the top level, the names another built-in uses at its own: the
	 * renderers give those to every file (a header) */
	static const char HEADER[] = "# {{site}}, from {{site_file}}\n{{#x}}{{inner}}{{/x}}";
	assert_string_equal(run_unrendered_with("# {{site_file}}\n{{asn}}", BUILTIN, HEADER), "");
	assert_string_equal(run_unrendered_with("{{inner}}", BUILTIN, HEADER),
			    "CHECK:o.mustache:1: unknown variable 'inner'" UNRENDERED
			    " (the built-in template has none there)");
	assert_string_equal(run_unrendered_with("{{#bfd}}{{site_file}}{{/bfd}}", BUILTIN, HEADER),
			    "CHECK:o.mustache:1: unknown variable 'site_file'" UNRENDERED
			    " (the built-in template has none there)");
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
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_error_lines_after_multiline_comment),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_unknown_variable_is_an_error),
		cmocka_unit_test(test_render_appends_and_repeats),
		cmocka_unit_test(test_compile_uses_len),
		cmocka_unit_test(test_large_list),
		cmocka_unit_test(test_override_names_in_left_out_sections),
		cmocka_unit_test(test_override_unknown_sections),
		cmocka_unit_test(test_builtin_sections_left_out_are_not_checked),
		cmocka_unit_test(test_override_of_a_template_not_rendered),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
