/* Unit tests of overrides checked against their built-in template
 * (tpl_check_against, tpl_check_unrendered): names and sections in a
 * section this site leaves out, and in a template this site does not
 * render, are refused where the built-in template has none there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../cluster-gen/template.h"
#include "template_helpers.h"

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
		cmocka_unit_test(test_override_names_in_left_out_sections),
		cmocka_unit_test(test_override_unknown_sections),
		cmocka_unit_test(test_builtin_sections_left_out_are_not_checked),
		cmocka_unit_test(test_override_of_a_template_not_rendered),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
