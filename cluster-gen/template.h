/* A small logic-less template engine: the subset of Mustache that our
 * generated files need. Supported: {{name}} and {{{name}}}/{{&name}}
 * (identical: there is no HTML escaping), dotted names, {{#section}} over
 * lists, maps and booleans, {{^inverted}}, {{! comments}}, {{.}} for the
 * current string, and the spec's standalone-line rule for section, inverted
 * and comment tags. Outside the subset: partials, lambdas, set-delimiter
 * tags, HTML escaping. See docs/templates.md. */
#ifndef LVSDNS_TEMPLATE_H
#define LVSDNS_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* A context is a map from names to values: strings, booleans, or lists of
 * maps. All memory of a context tree belongs to its root. */
struct tpl_ctx;

struct tpl_ctx *tpl_ctx_new(void);
void tpl_ctx_free(struct tpl_ctx *root);
void tpl_set(struct tpl_ctx *c, const char *name, const char *value);
void tpl_setf(struct tpl_ctx *c, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tpl_set_bool(struct tpl_ctx *c, const char *name, bool value);
/* Appends a new map to the list `name` (creating the list) and returns it. */
struct tpl_ctx *tpl_add(struct tpl_ctx *c, const char *name);

/* A compiled template. `name` is used in error messages ("NAME:LINE: ..."). */
struct tpl;

struct tpl *tpl_compile(const char *name, const char *text, size_t len, struct buf *err);
void tpl_free(struct tpl *t);
/* Makes t (an override) answer for the names in the sections a render
 * leaves out, and for sections over names that are given nowhere: each must
 * be one the reference (the built-in template of that name; freed here)
 * uses in the same section or one around it. Otherwise rendering fails
 * with "unknown variable" or "unknown section", so a typo there is found
 * before a site first takes that path. */
void tpl_check_against(struct tpl *t, struct tpl *reference);
/* For an override checked against its built-in template whose template a
 * site does not render at all: the whole of t is held to the reference as
 * a left-out section is, with no context to give a name, but for names at
 * its top level that one of builtins[0, n) uses at its own (the names the
 * renderers give every file). 0, or -1 with "NAME:LINE: unknown variable
 * 'x' in a template this site does not render ..." in err. Without a
 * reference there is nothing to hold it to. */
int tpl_check_unrendered(const struct tpl *t, const struct tpl *const *builtins, size_t n,
			 struct buf *err);
/* Appends the rendering to out. An interpolated name that resolves to nothing
 * is an error (a typo in an overriding template must not silently vanish):
 * returns -1 with "NAME:LINE: unknown variable 'x'" in err. Sections over
 * missing names are simply false. */
int tpl_render(const struct tpl *t, const struct tpl_ctx *c, struct buf *out, struct buf *err);

#endif
