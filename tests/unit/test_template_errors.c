/* Unit tests of the template engine where it goes beyond the Mustache
 * specification: compile errors for tags outside the subset, with their
 * lines, the nesting limit and strict unknown variables; and what a caller
 * of tpl_compile and tpl_render may count on (a render appends and leaves
 * the output alone when it fails, input is length-delimited, a large list). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../cluster-gen/template.h"
#include "template_helpers.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_error_lines_after_multiline_comment),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_unknown_variable_is_an_error),
		cmocka_unit_test(test_render_appends_and_repeats),
		cmocka_unit_test(test_compile_uses_len),
		cmocka_unit_test(test_large_list),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
