#include "site_walk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "site_hint.h"
#include "site_walk_state.h"

#define STATEMENT_HINT "a statement is NAME = VALUE, NAME = { VALUE, ... } or KIND [NAME] { ... }"

/* The titled sections in a section, to find two of a kind with one title:
 * libconfuse (CFGF_NO_TITLE_DUPES) stops at the first such. */
struct titled {
	const char *kind;
	struct token title;
	int line;   /* of its kind's word */
};

struct titles {
	struct titled *v;
	size_t n, cap;
};

static void report_unknown(struct walk *w, const struct place *at, const struct token *name)
{
	char hint[400];
	int shown_len = name->len < 80 ? (int)name->len : 80;

	site_hint_unknown(w->root, at->opts, name, hint, sizeof(hint));
	walk_report(w, &w->out.unknown, at, name->line, hint, "no such option '%.*s'", shown_len,
		    name->text);
}

/* An unknown option's value, list, section or titled section, passed over
 * without a word: its name is reported, and what it holds is unknown. A
 * word on a later line is the next statement's (a name without a value).
 * Whether it was written as a section (a block not after '='). */
static bool skip_unknown(struct walk *w, const struct token *name)
{
	struct token t = walk_next(w);

	if (t.kind == TOK_STR && t.line > name->line) {
		walk_give_back(w, &t);
		return false;
	}

	if (t.kind == '=' || t.kind == '+') {
		t = walk_next(w);
		if (t.kind != TOK_STR)
			walk_recover(w, &t);
		return false;
	}
	if (t.kind == TOK_STR) {   /* a title */
		t = walk_next(w);
		if (t.kind != '{')
			return walk_recover(w, &t);
		walk_skip_block(w, '{', '}');
		return true;
	}
	return walk_recover(w, &t);
}

/* A second top-level section of a kind written once, at line. */
static void note_single(struct walk *w, cfg_opt_t *o, int line)
{
	struct firsts *f = &w->firsts;
	size_t i = 0;

	while (i < f->n && f->kind[i] != o->name)
		i++;
	if (i == f->n && f->n < 8) {
		f->kind[f->n] = o->name;
		f->line[f->n++] = line;
	} else if (i < f->n) {
		walk_report(w, &w->out.repeated, NULL, line,
			    "write it once: libconfuse would take the second for more of the "
			    "first, its values replacing the first's without a word",
			    "a second %s section (the first is at line %d)", o->name, f->line[i]);
	}
}

static void walk_section(struct walk *w, struct place *in, int level);
static void walk_statements(struct walk *w, const struct place *in, int level);

static void note_title(struct titles *t, const char *kind, const struct token *title, int line)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	t->v[t->n++] = (struct titled){ kind, *title, line };
}

static int by_kind_title_line(const void *a, const void *b)
{
	const struct titled *x = a, *y = b;
	size_t len = x->title.len < y->title.len ? x->title.len : y->title.len;
	int c = strcmp(x->kind, y->kind);

	if (c == 0)
		c = memcmp(x->title.text, y->title.text, len);
	if (c == 0 && x->title.len != y->title.len)
		c = x->title.len < y->title.len ? -1 : 1;
	return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

/* Each section titled as one before it of its kind in the section at. */
static void report_duplicates(struct walk *w, const struct place *at, struct titles *t)
{
	char hint[80];

	if (t->n < 2)
		return;
	qsort(t->v, t->n, sizeof(*t->v), by_kind_title_line);
	for (size_t i = 1, first = 0; i < t->n; i++) {
		const struct titled *a = &t->v[first], *b = &t->v[i];

		if (by_kind_title_line(&(struct titled){ a->kind, a->title, b->line }, b) != 0) {
			first = i;
			continue;
		}
		snprintf(hint, sizeof(hint), "give each %s a name of its own", b->kind);
		walk_report(w, &w->out.duplicates, at, b->line, hint,
			    "duplicate %s '%.*s' (first at line %d)", b->kind, (int)b->title.len,
			    b->title.text, a->line);
		w->out.drops_text = true;
	}
}

/* "write instance NAME { ... }", or for an untitled kind "write check { ... }". */
static const char *section_hint(cfg_opt_t *o, char *out, size_t size)
{
	snprintf(out, size, "write %s%s { ... }", o->name, o->flags & CFGF_TITLE ? " NAME" : "");
	return out;
}

/* A section's title, when its kind has one: the title, or NULL when it is
 * missing (reported). */
static const struct token *read_title(struct walk *w, cfg_opt_t *o, const struct place *at,
				      const struct token *name, struct token *title)
{
	char hint[80];

	*title = walk_next(w);
	if (title->kind == TOK_STR)
		return title;
	walk_give_back(w, title);
	if (title->kind != TOK_EOF)
		walk_report(w, &w->out.syntax, at, name->line, section_hint(o, hint, sizeof(hint)),
			    "this %s section has no name", o->name);
	return NULL;
}

/* A section's '{', past its name and title: whether its body follows (the
 * '{' found, at *opened, or taken as there before an option of the section,
 * or past a stray '=' or a name given to a kind that takes none). */
static bool read_brace(struct walk *w, cfg_opt_t *o, const struct place *at,
		       const struct token *name, int *opened)
{
	struct token t = walk_next(w);
	char a[64], hint[80];

	if (t.kind == '=') {
		walk_report(w, &w->out.syntax, at, t.line, section_hint(o, hint, sizeof(hint)),
			    "'%s' is a section, written without '='", o->name);
		t = walk_next(w);
	}
	if (t.kind == TOK_STR && !(o->flags & CFGF_TITLE)) {
		struct token brace = walk_next(w);

		if (brace.kind == '{') {
			walk_report(w, &w->out.syntax, at, t.line,
				    section_hint(o, hint, sizeof(hint)),
				    "the %s section takes no name", o->name);
			t = brace;
		} else {
			walk_give_back(w, &brace);
		}
	}
	*opened = t.kind == '{' ? t.line : name->line;
	if (t.kind == '{')
		return true;
	if (t.kind == TOK_EOF) {
		if (walk_cut_short(w))
			walk_report(w, &w->out.syntax, at, name->line,
				    section_hint(o, hint, sizeof(hint)),
				    "the file ends before this %s section's '{'", o->name);
		return false;
	}
	walk_report(w, &w->out.syntax, at, t.line, section_hint(o, hint, sizeof(hint)),
		    "%s where this %s section's '{' should be", walk_shown(&t, a, sizeof(a)),
		    o->name);
	if (t.kind == TOK_STR && site_find_option(o->subopts, &t)) {
		walk_give_back(w, &t);
		return true;
	}
	walk_recover(w, &t);
	return false;
}

/* A section of kind o, past its name: its title, its '{' and its body. A
 * problem before the body leaves the whole section out of a repair. */
static void enter_section(struct walk *w, cfg_opt_t *o, const struct token *name,
			  const struct place *at, int level)
{
	struct token title = { 0 };
	struct place in = { o->name, NULL, at, o->subopts, name->line, name->line, NULL };
	struct mark before = walk_mark(w);
	bool body;

	if (level == 0 && !(o->flags & CFGF_MULTI))
		note_single(w, o, name->line);
	if (o->flags & CFGF_TITLE)
		in.title = read_title(w, o, at, name, &title);
	if (in.title && (o->flags & CFGF_NO_TITLE_DUPES) && !memchr(title.text, '\\', title.len))
		note_title(at->titles, o->name, &title, name->line);
	body = read_brace(w, o, at, name, &in.opened);
	if (walk_in_error_since(w, before))
		w->out.drops_text = true;
	if (body)
		walk_section(w, &in, level + 1);
}

/* The option a word such as "weight:" names, the habit of other formats
 * (YAML, keepalived's own) for "weight =", or NULL. */
static cfg_opt_t *colon_for_equals(const struct place *at, const struct token *name)
{
	struct token bare = *name;
	cfg_opt_t *o;

	if (name->len < 2 || name->text[name->len - 1] != ':')
		return NULL;
	bare.len--;
	o = site_find_option(at->opts, &bare);
	return o && o->type != CFGT_SEC ? o : NULL;
}

/* One statement of a section, past its first word: whether it was a
 * section, which notes its own repairs (enter_section). */
static bool walk_statement(struct walk *w, const struct place *at, int level,
			   const struct token *name)
{
	char hint[80];
	cfg_opt_t *o;

	if (memchr(name->text, '\\', name->len)) {
		skip_unknown(w, name);   /* an escaped name: libconfuse reads it */
	} else if (token_is(name, ";")) {
		walk_report(w, &w->out.unknown, at, name->line, SEMICOLON_HINT,
			    "a ';', which ends no statement in a site file");
	} else if ((o = colon_for_equals(at, name)) != NULL) {
		snprintf(hint, sizeof(hint), "write %s = VALUE: ':' is no '='", o->name);
		walk_report(w, &w->out.unknown, at, name->line, hint, "no such option '%.*s'",
			    (int)name->len, name->text);
		walk_value(w, o, at, name);
	} else if ((o = site_find_option(at->opts, name)) == NULL) {
		report_unknown(w, at, name);
		w->out.drops_text |= skip_unknown(w, name);
	} else if (o->type == CFGT_SEC) {
		enter_section(w, o, name, at, level);
		return true;
	} else {
		walk_option(w, o, at, name);
	}
	return false;
}

/* A section (the top level is 0), up to its '}'. */
static void walk_section(struct walk *w, struct place *in, int level)
{
	struct titles titles = { NULL, 0, 0 };

	in->titles = &titles;
	walk_statements(w, in, level);
	report_duplicates(w, in, &titles);
	free(titles.v);
	in->titles = NULL;   /* its own, gone when it returns */
}

/* The statements of a section up to its '}' (or the end), each with a
 * problem in it noted as a repair. */
static void walk_statements(struct walk *w, const struct place *in, int level)
{
	char a[64];

	for (;;) {
		struct mark before = walk_mark(w);
		struct token t = walk_next(w);
		bool section = false;

		if (t.kind == TOK_EOF) {
			/* libconfuse closes every section still open */
			if (level > 0 && !w->cut_short && !w->out.unclosed_line) {
				w->out.unclosed_line = in->opened;
				walk_report(w, NULL, NULL, in->opened,
					    "add the '}' that closes it, or the one missing "
					    "inside it",
					    "this section is not closed before the end of the "
					    "file");
			}
			return;
		}
		if (t.kind == '}' && level > 0)
			return;
		if (t.kind == '}')
			walk_report(w, &w->out.syntax, NULL, t.line,
				    "remove it, or add the section's '{' it was meant to close",
				    "a '}' that closes no section");
		else if (t.kind != TOK_STR)
			walk_report(w, &w->out.syntax, in, t.line, STATEMENT_HINT,
				    "%s where a statement should start",
				    walk_shown(&t, a, sizeof(a)));
		if (t.kind == TOK_STR)
			section = walk_statement(w, in, level, &t);
		else if (t.kind != '}')
			w->out.drops_text |= walk_recover(w, &t);
		if (section && t.flawed)
			w->out.drops_text = true;   /* a section's word in error */
		else if (!section && walk_in_error_since(w, before))
			walk_repair(w, level > 0 ? in : NULL, t.at, t.line, before);
	}
}

struct site_walk site_walk(const char *text, size_t len, cfg_opt_t *root, struct diags *d,
			   struct site_repairs *repairs)
{
	struct walk w = { .lx = { text, len, 0, 1 }, .root = root, .d = d, .repairs = repairs };
	struct place top = { NULL, NULL, NULL, root, 0, 0, NULL };

	walk_section(&w, &top, 0);
	return w.out;
}
