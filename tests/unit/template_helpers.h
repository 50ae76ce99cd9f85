/* What the template engine's unit tests share (test_template.c,
 * test_template_errors.c, test_template_override.c): run() and run_empty(),
 * which compile and render a template into one buffer, and the teardown that
 * frees it. Needs cmocka.h included before it. */
#ifndef TEMPLATE_HELPERS_H
#define TEMPLATE_HELPERS_H

#include <string.h>

#include "../../cluster-gen/template.h"

/* Compiles and renders; the result (or "ERR:" + message on failure) is
 * returned in a static buffer freed by the next call or by teardown. */
static struct buf result;

static inline const char *run(const char *text, const struct tpl_ctx *c)
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

static inline const char *run_empty(const char *text)
{
	struct tpl_ctx *c = tpl_ctx_new();
	static char copy[4096];

	strncpy(copy, run(text, c), sizeof(copy) - 1);
	tpl_ctx_free(c);
	return copy;
}

static inline int teardown(void **state)
{
	(void)state;
	buf_free(&result);
	return 0;
}

#endif
