/* Rendering a compiled template (template.c) with a context stack, and
 * holding an override to its built-in template while doing so: which names
 * an override may use where is worked out once (tpl_check_against), but
 * whether a name in a section this site leaves out resolves depends on the
 * contexts around it, which only a render has. See docs/templates.md. */
#include "template_nodes.h"
#include "template_ctx.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Which names an override may use                                     */
/* ------------------------------------------------------------------ */

static bool same_name(const struct node *a, const struct node *b)
{
	return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

/* The {{#sections}} around node i of t, from the outside in, into chain
 * (at most MAX_DEPTH); returns how many. */
static size_t sections_around(const struct tpl *t, size_t i, size_t chain[MAX_DEPTH])
{
	size_t depth = 0;

	for (size_t a = t->v[i].parent; a != NO_PARENT && depth < MAX_DEPTH; a = t->v[a].parent)
		chain[depth++] = a;
	for (size_t k = 0; k < depth / 2; k++) {
		size_t x = chain[k];
		chain[k] = chain[depth - 1 - k];
		chain[depth - 1 - k] = x;
	}
	return depth;
}

/* Whether ref uses the name of t's node i where it stands, or in a section
 * around that place: a use of it whose sections, from the outside in, are
 * the first of node i's. A section stands for its list by name. */
static bool used_around(const struct tpl *ref, const struct tpl *t, size_t i)
{
	size_t here[MAX_DEPTH], there[MAX_DEPTH], nhere = sections_around(t, i, here);

	for (size_t u = 0; u < ref->n; u++) {
		size_t nthere, k;

		if (ref->v[u].kind == N_TEXT || !same_name(&ref->v[u], &t->v[i]))
			continue;
		nthere = sections_around(ref, u, there);
		for (k = 0; k < nthere && k < nhere; k++)
			if (!same_name(&ref->v[there[k]], &t->v[here[k]]))
				break;
		if (k == nthere)
			return true;
	}
	return false;
}

/* Each node's answer is worked out once: a render asks it for every
 * section it leaves out, for every map of a list. */
void tpl_check_against(struct tpl *t, struct tpl *reference)
{
	free(t->known);
	t->known = NULL;
	if (reference) {
		t->known = xcalloc(t->n ? t->n : 1, sizeof(*t->known));
		for (size_t i = 0; i < t->n; i++)
			t->known[i] = t->v[i].kind != N_TEXT && used_around(reference, t, i);
	}
	tpl_free(reference);
}

/* ------------------------------------------------------------------ */
/* Rendering                                                           */
/* ------------------------------------------------------------------ */

/* A value on the context stack or the result of a lookup: a map, or an
 * entry (string, boolean or list). Both NULL: missing. */
struct value {
	const struct tpl_ctx *map;
	const struct entry *e;
};

struct render {
	const struct tpl *t;
	struct value *stack;
	size_t n;
	struct buf *out, *err;
	const char *left_out;   /* what an unknown name's message says of where it stands */
	const struct tpl *const *others;   /* a template not rendered: the built-in ones */
	size_t nothers;
};

static int render_error(struct render *r, const struct node *nd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int render_error(struct render *r, const struct node *nd, const char *fmt, ...)
{
	va_list ap;

	buf_printf(r->err, "%s:%d: ", r->t->name, nd->line);
	va_start(ap, fmt);
	buf_vprintf(r->err, fmt, ap);
	va_end(ap);
	return -1;
}

/* A list of exactly one map is what a single object looks like in a
 * context (tpl_add once), so dotted names may step through it. */
static const struct tpl_ctx *as_map(struct value v)
{
	if (v.map)
		return v.map;
	if (v.e && v.e->kind == VAL_LIST && v.e->u.list.n == 1)
		return v.e->u.list.first;
	return NULL;
}

/* The spec's resolution: the first part of a dotted name is looked up from
 * the innermost context outwards; the other parts only inside the value
 * found so far. */
static struct value resolve(const struct render *r, const char *name, size_t len)
{
	struct value v = { 0 };
	const struct tpl_ctx *m;
	const char *end = name + len, *dot;
	size_t i;

	if (len == 1 && name[0] == '.')
		return r->stack[r->n - 1];
	dot = memchr(name, '.', len);
	if (!dot)
		dot = end;
	for (i = r->n; i-- > 0 && !v.e;)
		if (r->stack[i].map)
			v.e = tpl_find_entry(r->stack[i].map, name, (size_t)(dot - name));
	while (v.e && dot < end) {
		name = dot + 1;
		dot = memchr(name, '.', (size_t)(end - name));
		if (!dot)
			dot = end;
		m = as_map(v);
		v.e = m ? tpl_find_entry(m, name, (size_t)(dot - name)) : NULL;
	}
	return v;
}

static bool found(struct value v)
{
	return v.map || v.e;
}

/* Whether the built-in template uses node nd's name where nd stands (or
 * around it), so that the renderer gives it there. */
static bool reference_knows(const struct render *r, const struct node *nd)
{
	return r->t->known[nd - r->t->v];
}

/* An override's name that nothing gives where it stands: a typo, or a name
 * from another place, which would fail (a variable) or never render (a
 * section) once a site takes that path. */
static int unknown_name(struct render *r, const struct node *nd, const char *where)
{
	if (nd->kind == N_VAR)
		return render_error(r, nd, "unknown variable '%.*s'%s (the built-in template "
				    "has none there)", (int)nd->len, nd->s, where);
	return render_error(r, nd, "unknown section '%.*s'%s: the renderer gives none there and "
			    "the built-in template uses none there, so it would never render",
			    (int)nd->len, nd->s, where);
}

/* For a template no render asked for, with no context to give a name: one
 * at its top level that a built-in template uses at its own top level is
 * one the renderers give the files they write (site, site_file, ...). */
static bool given_everywhere(const struct render *r, const struct node *nd)
{
	if (nd->parent != NO_PARENT)
		return false;
	for (size_t k = 0; k < r->nothers; k++)
		for (size_t u = 0; u < r->others[k]->n; u++) {
			const struct node *o = &r->others[k]->v[u];

			if (o->kind == N_VAR && o->parent == NO_PARENT && same_name(o, nd))
				return true;
		}
	return false;
}

/* Nodes [i, end) of a section this render leaves out, checked as far as
 * they can be: each name must resolve in the contexts around it, or be one
 * the built-in template uses there. */
static int check_range(struct render *r, size_t i, size_t end)
{
	while (i < end) {
		const struct node *nd = &r->t->v[i];
		bool dot = nd->len == 1 && nd->s[0] == '.';

		if (nd->kind != N_TEXT && !dot && !found(resolve(r, nd->s, nd->len)) &&
		    !reference_knows(r, nd) && !given_everywhere(r, nd))
			return unknown_name(r, nd, r->left_out);
		if (nd->kind == N_SECTION || nd->kind == N_INVERTED) {
			if (check_range(r, i + 1, nd->end) < 0)
				return -1;
			i = nd->end;
		} else {
			i++;
		}
	}
	return 0;
}

static bool truthy(struct value v)
{
	if (v.map)
		return true;
	if (!v.e)
		return false;
	switch (v.e->kind) {
	case VAL_STR:
		return v.e->u.str.len > 0;
	case VAL_BOOL:
		return v.e->u.b;
	case VAL_LIST:
		return v.e->u.list.n > 0;
	}
	return false;
}

static int render_range(struct render *r, size_t i, size_t end);

static int render_var(struct render *r, const struct node *nd)
{
	struct value v = resolve(r, nd->s, nd->len);

	if (v.map)
		return render_error(r, nd, "'%.*s' is a map here, not a string",
				    (int)nd->len, nd->s);
	if (!v.e)
		return render_error(r, nd, "unknown variable '%.*s'", (int)nd->len, nd->s);
	switch (v.e->kind) {
	case VAL_STR:
		buf_append(r->out, v.e->u.str.s, v.e->u.str.len);
		return 0;
	case VAL_BOOL:
		buf_puts(r->out, v.e->u.b ? "true" : "false");
		return 0;
	case VAL_LIST:
		break;
	}
	return render_error(r, nd, "'%.*s' is a list, not a string; use it as a section "
			    "({{#%.*s}}...{{/%.*s}})", (int)nd->len, nd->s,
			    (int)nd->len, nd->s, (int)nd->len, nd->s);
}

static int render_body(struct render *r, size_t i, struct value top)
{
	int rc;

	r->stack[r->n++] = top;
	rc = render_range(r, i + 1, r->t->v[i].end);
	r->n--;
	return rc;
}

/* Only an override is checked: the built-in templates are right by
 * construction (their tests render every section). */
static int skip_body(struct render *r, size_t i)
{
	return r->t->known ? check_range(r, i + 1, r->t->v[i].end) : 0;
}

/* Lists repeat the body once per map, with that map innermost; any other
 * truthy value renders it once with the value itself innermost (so {{.}}
 * inside {{#name}} is the string). */
static int render_section(struct render *r, size_t i)
{
	const struct node *nd = &r->t->v[i];
	struct value v = resolve(r, nd->s, nd->len);

	if (r->t->known && !found(v) && !reference_knows(r, nd))
		return unknown_name(r, nd, "");
	if (nd->kind == N_INVERTED)
		return truthy(v) ? skip_body(r, i) : render_range(r, i + 1, nd->end);
	if (!truthy(v))
		return skip_body(r, i);
	if (v.e && v.e->kind == VAL_LIST) {
		for (const struct tpl_ctx *m = v.e->u.list.first; m; m = m->next)
			if (render_body(r, i, (struct value){ .map = m }) < 0)
				return -1;
		return 0;
	}
	return render_body(r, i, v);
}

static int render_range(struct render *r, size_t i, size_t end)
{
	while (i < end) {
		const struct node *nd = &r->t->v[i];

		switch (nd->kind) {
		case N_TEXT:
			buf_append(r->out, nd->s, nd->len);
			i++;
			break;
		case N_VAR:
			if (render_var(r, nd) < 0)
				return -1;
			i++;
			break;
		case N_SECTION:
		case N_INVERTED:
			if (render_section(r, i) < 0)
				return -1;
			i = nd->end;
			break;
		}
	}
	return 0;
}

/* On error out is left as it was, so a caller never writes half a file. */
int tpl_render(const struct tpl *t, const struct tpl_ctx *c, struct buf *out, struct buf *err)
{
	struct render r = { .t = t, .out = out, .err = err,
			    .left_out = " in a section this site leaves out" };
	size_t mark = out->len;
	int rc;

	r.stack = xcalloc(t->depth + 1, sizeof(*r.stack));
	r.stack[r.n++] = (struct value){ .map = c };
	rc = render_range(&r, 0, t->n);
	free(r.stack);
	if (rc < 0) {
		out->len = mark;
		if (out->data)
			out->data[mark] = '\0';
	}
	return rc;
}

/* A template the site does not render is one section it leaves out, with
 * no context around it: every name must be one the built-in uses there. */
int tpl_check_unrendered(const struct tpl *t, const struct tpl *const *builtins, size_t n,
			 struct buf *err)
{
	struct render r = { .t = t, .err = err, .others = builtins, .nothers = n,
			    .left_out = " in a template this site does not render" };
	int rc;

	if (!t->known)
		return 0;
	r.stack = xcalloc(t->depth + 1, sizeof(*r.stack));
	rc = check_range(&r, 0, t->n);
	free(r.stack);
	return rc;
}
