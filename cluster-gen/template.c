/* The template engine's compiler: Mustache text turned once into a flat
 * node array, because one template is rendered for every balancer or real
 * server of a site: its syntax is read and its errors found once, and a
 * render (template_render.c) only walks the array. The contexts are
 * template_ctx.c's. See docs/templates.md for the supported subset. */
#include "template_nodes.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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
