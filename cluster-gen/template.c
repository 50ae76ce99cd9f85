/* The template engine: contexts (an arena-backed tree of maps), a compiler
 * that turns Mustache text into a flat node array once, and a renderer that
 * walks that array with a context stack. See docs/templates.md for the
 * supported subset. */
#include "template.h"
#include "template_ctx.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Compiling                                                           */
/* ------------------------------------------------------------------ */

/* Deeper nesting is surely a mistake, and bounds the render recursion. */
#define MAX_DEPTH 64

enum node_kind { N_TEXT, N_VAR, N_SECTION, N_INVERTED };

/* The template is a flat array; a section's body is the nodes after it up
 * to (not including) index `end`. Text and names point into tpl.text. */
struct node {
	enum node_kind kind;
	int line;
	const char *s;
	size_t len;
	size_t end;
	size_t parent;    /* the innermost enclosing {{#section}}, or NO_PARENT */
};

#define NO_PARENT SIZE_MAX

struct tpl {
	char *name;
	char *text;
	struct node *v;
	size_t n, cap;
	size_t depth;   /* deepest section nesting */
	/* An override only (tpl_check_against): known[i], whether its built-in
	 * template uses node i's name in node i's section or one around it,
	 * which is where the renderer gives that name. */
	bool *known;
};

struct parser {
	struct tpl *t;
	const char *text;
	size_t len;
	size_t pos;       /* first byte not yet turned into nodes */
	size_t line_at;   /* `line` is the line number of offset line_at */
	int line;
	size_t open[MAX_DEPTH];
	size_t nopen;
	struct buf *err;
};

/* A parsed tag: [start, end) in the text, sigil, trimmed content. */
struct tag {
	size_t start, end;
	int line;
	char sigil;       /* 0 for a plain {{name}}, '{' for {{{name}}} */
	const char *name;
	size_t namelen;
};

static int line_of(struct parser *p, size_t off)
{
	for (; p->line_at < off; p->line_at++)
		if (p->text[p->line_at] == '\n')
			p->line++;
	return p->line;
}

static int parse_error(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int parse_error(struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;

	buf_printf(p->err, "%s:%d: ", p->t->name, line);
	va_start(ap, fmt);
	buf_vprintf(p->err, fmt, ap);
	va_end(ap);
	return -1;
}

/* Inverted sections push no context, so they are no level of a name's
 * path: the parent is the innermost open {{#section}}. */
static size_t innermost_section(const struct parser *p)
{
	for (size_t k = p->nopen; k-- > 0;)
		if (p->t->v[p->open[k]].kind == N_SECTION)
			return p->open[k];
	return NO_PARENT;
}

static size_t add_node(struct parser *p, enum node_kind kind, int line, const char *s, size_t len)
{
	struct tpl *t = p->t;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	t->v[t->n] = (struct node){ .kind = kind, .line = line, .s = s, .len = len,
				    .parent = innermost_section(p) };
	return t->n++;
}

static void add_text(struct parser *p, size_t from, size_t to)
{
	if (to > from)
		add_node(p, N_TEXT, 0, p->text + from, to - from);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *find2(const char *s, size_t from, size_t len, char c)
{
	const char *hit = from < len ? memmem(s + from, len - from, (char[]){ c, c }, 2) : NULL;

	return hit;
}

/* "." alone, or non-empty parts of printable non-brace characters joined by
 * single dots. */
static bool valid_name(const char *s, size_t len)
{
	bool part_empty = true;

	if (len == 1 && s[0] == '.')
		return true;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (part_empty)
				return false;
			part_empty = true;
		} else if (c <= ' ' || c == 0x7f || c == '{' || c == '}') {
			return false;
		} else {
			part_empty = false;
		}
	}
	return !part_empty;
}

/* Reads the tag starting at "{{" at g->start: its sigil, its end, its
 * trimmed content. Non-comment tags must close on their own line, so a
 * stray "{{" is reported where it is instead of swallowing text. */
static int scan_tag(struct parser *p, struct tag *g)
{
	const char *s = p->text;
	size_t i = g->start + 2, close, a, b;
	const char *hit;

	g->sigil = 0;
	if (i < p->len && s[i] == '{') {
		g->sigil = '{';
		i++;
	} else {
		while (i < p->len && is_blank(s[i]))
			i++;
		if (i < p->len && s[i] != '\0' && strchr("&#^/!>=<$", s[i]))
			g->sigil = s[i++];
	}
	hit = find2(s, i, p->len, '}');
	if (!hit)
		return parse_error(p, g->line, "unclosed tag: '{{' without a closing '}}'");
	close = (size_t)(hit - s);
	if (g->sigil != '!' && memchr(s + i, '\n', close - i))
		return parse_error(p, g->line, "unclosed tag: '{{' without '}}' on the same line");
	g->end = close + 2;
	if (g->sigil == '{') {
		if (g->end >= p->len || s[g->end] != '}')
			return parse_error(p, g->line, "unclosed tag: '{{{' must end with '}}}'");
		g->end++;
	}
	for (a = i; a < close && is_blank(s[a]); a++)
		;
	for (b = close; b > a && is_blank(s[b - 1]); b--)
		;
	g->name = s + a;
	g->namelen = b - a;
	return 0;
}

static int check_supported(struct parser *p, const struct tag *g)
{
	switch (g->sigil) {
	case '>':
		return parse_error(p, g->line, "partial tag '{{>%.*s}}' is outside the supported "
				   "template subset (no partials)", (int)g->namelen, g->name);
	case '=':
		return parse_error(p, g->line, "set-delimiter tag is outside the supported "
				   "template subset (delimiters are always '{{' and '}}')");
	case '<':
	case '$':
		return parse_error(p, g->line, "'{{%c' (template inheritance) is outside the "
				   "supported template subset", g->sigil);
	case '!':
		return 0;
	}
	if (g->namelen == 0)
		return parse_error(p, g->line, "empty tag");
	if (!valid_name(g->name, g->namelen))
		return parse_error(p, g->line, "invalid name '%.*s'", (int)g->namelen, g->name);
	return 0;
}

/* The spec's standalone rule: a section, inverted, closing or comment tag
 * alone on its line (only blanks around it) takes the whole line with it,
 * newline included. Returns the offset where the next text starts, and sets
 * *line_start to where the text before the tag ends; 0 if not standalone. */
static size_t standalone_end(const struct parser *p, const struct tag *g, size_t *line_start)
{
	const char *s = p->text;
	size_t a = g->start, e = g->end;

	if (g->sigil == 0 || !strchr("#^/!", g->sigil))
		return 0;
	while (a > 0 && is_blank(s[a - 1]))
		a--;
	if (a > 0 && s[a - 1] != '\n')
		return 0;
	while (e < p->len && is_blank(s[e]))
		e++;
	if (e < p->len && s[e] == '\n')
		e++;
	else if (e + 1 < p->len && s[e] == '\r' && s[e + 1] == '\n')
		e += 2;
	else if (e != p->len)
		return 0;
	*line_start = a;
	return e;
}

static int open_section(struct parser *p, const struct tag *g)
{
	size_t i;

	if (p->nopen == MAX_DEPTH)
		return parse_error(p, g->line, "sections nested more than %d deep", MAX_DEPTH);
	i = add_node(p, g->sigil == '#' ? N_SECTION : N_INVERTED, g->line, g->name, g->namelen);
	p->open[p->nopen++] = i;
	if (p->nopen > p->t->depth)
		p->t->depth = p->nopen;
	return 0;
}

static int close_section(struct parser *p, const struct tag *g)
{
	struct node *o;

	if (p->nopen == 0)
		return parse_error(p, g->line, "closing tag '{{/%.*s}}' without an open section",
				   (int)g->namelen, g->name);
	o = &p->t->v[p->open[p->nopen - 1]];
	if (o->len != g->namelen || memcmp(o->s, g->name, o->len) != 0)
		return parse_error(p, g->line, "closing tag '{{/%.*s}}' does not match "
				   "'{{%c%.*s}}' opened on line %d", (int)g->namelen, g->name,
				   o->kind == N_SECTION ? '#' : '^', (int)o->len, o->s, o->line);
	o->end = p->t->n;
	p->nopen--;
	return 0;
}

static int parse_one_tag(struct parser *p, size_t start)
{
	struct tag g = { .start = start };
	size_t next, line_start;

	g.line = line_of(p, start);
	if (scan_tag(p, &g) < 0 || check_supported(p, &g) < 0)
		return -1;
	next = standalone_end(p, &g, &line_start);
	if (next) {
		add_text(p, p->pos, line_start);
		p->pos = next;
	} else {
		add_text(p, p->pos, start);
		p->pos = g.end;
	}
	switch (g.sigil) {
	case '#':
	case '^':
		return open_section(p, &g);
	case '/':
		return close_section(p, &g);
	case '!':
		return 0;
	default:
		add_node(p, N_VAR, g.line, g.name, g.namelen);
		return 0;
	}
}

static int parse(struct parser *p)
{
	const char *hit;

	while ((hit = find2(p->text, p->pos, p->len, '{')) != NULL)
		if (parse_one_tag(p, (size_t)(hit - p->text)) < 0)
			return -1;
	add_text(p, p->pos, p->len);
	if (p->nopen) {
		const struct node *o = &p->t->v[p->open[p->nopen - 1]];

		return parse_error(p, o->line, "unclosed section '{{%c%.*s}}'",
				   o->kind == N_SECTION ? '#' : '^', (int)o->len, o->s);
	}
	return 0;
}

struct tpl *tpl_compile(const char *name, const char *text, size_t len, struct buf *err)
{
	struct tpl *t = xcalloc(1, sizeof(*t));
	struct parser p = { .t = t, .len = len, .line = 1, .err = err };

	t->name = xstrdup(name);
	t->text = xmalloc(len + 1);
	if (len)
		memcpy(t->text, text, len);
	t->text[len] = '\0';
	p.text = t->text;
	if (parse(&p) < 0) {
		tpl_free(t);
		return NULL;
	}
	return t;
}

void tpl_free(struct tpl *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->text);
	free(t->v);
	free(t->known);
	free(t);
}

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
