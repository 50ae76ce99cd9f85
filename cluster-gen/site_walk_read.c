/* The walk of the site text (site_walk.h): its tokens, read once from the
 * lexer or again when given back, and its reports. */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "site_walk_state.h"

void walk_give_back(struct walk *w, const struct token *t)
{
	assert(w->nahead < 2);   /* each follows a walk_next(), at most two deep */
	w->ahead[w->nahead++] = *t;
	w->flawed -= t->flawed;
}

/* "kai instance a: " (the host first, as in the site check's messages),
 * "service resolver-a: ", "check: ", or nothing at the top level. */
static void describe(const struct place *at, char *out, size_t size)
{
	const struct token *up = at->up ? at->up->title : NULL;

	if (!at->kind)
		out[0] = '\0';
	else if (strcmp(at->kind, "instance") == 0 && up && at->title)
		snprintf(out, size, "%.*s instance %.*s: ", (int)up->len, up->text,
			 (int)at->title->len, at->title->text);
	else if (at->title)
		snprintf(out, size, "%s %.*s: ", at->kind, (int)at->title->len, at->title->text);
	else
		snprintf(out, size, "%s: ", at->kind);
}

/* Past so many syntax errors the text is likely not a site file at all
 * (a rendered keepalived.conf given by mistake), and what the walk would
 * say of the rest is noise: it reads no further. */
static void give_up(struct walk *w, int line)
{
	diag_add(w->d, line, "is it a site file? Fix these and check it again",
		 "%d syntax errors: the rest of the file is not read", WALK_MAX_SYNTAX);
	w->out.problems++;
	w->out.drops_text = true;
	w->cut_short = true;
	w->nahead = 0;
	w->lx.at = w->lx.len;
}

void walk_report(struct walk *w, int *count, const struct place *at, int line, const char *hint,
		 const char *fmt, ...)
{
	char who[200] = "", what[400];
	va_list ap;

	if (at)
		describe(at, who, sizeof(who));
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	diag_add(w->d, line, hint, "%s%s", who, what);
	if (count)
		(*count)++;
	w->out.problems++;
	if (count == &w->out.syntax && w->out.syntax == WALK_MAX_SYNTAX)
		give_up(w, line);
}

bool walk_cut_short(struct walk *w)
{
	bool first = !w->cut_short;

	w->cut_short = true;
	return first;
}

const char *walk_shown(const struct token *t, char *out, size_t size)
{
	if (t->kind == TOK_EOF || t->kind == TOK_UNCLOSED)
		snprintf(out, size, "the end of the file");
	else if (t->kind == TOK_STR)
		snprintf(out, size, "'%.*s'", t->len < 40 ? (int)t->len : 40, t->text);
	else
		snprintf(out, size, "'%s'", t->kind == '+' ? "+=" : (char[]){ (char)t->kind, 0 });
	return out;
}

struct token walk_next(struct walk *w)
{
	struct token t;

	if (w->nahead) {
		t = w->ahead[--w->nahead];
		w->flawed += t.flawed;
		return t;
	}
	t = lex_next(&w->lx);
	if (t.kind == TOK_UNCLOSED) {
		/* not syntax: where a statement would start, libconfuse
		 * drops the string and parses on */
		walk_report(w, &w->out.unclosed_quotes, NULL, t.line,
			    "close it with the quote it opens with",
			    "this quoted string is not closed");
		w->out.quote_to_end = true;
		w->cut_short = true;
		walk_repair(w, NULL, t.at, t.line, walk_mark(w));   /* the string, to the end */
		t.kind = TOK_EOF;
	} else if (t.kind == TOK_RUNAWAY) {
		/* not syntax: libconfuse reads on to the next quote */
		walk_report(w, &w->out.unclosed_quotes, NULL, t.line,
			    "close it on its line: no value runs over lines",
			    "this quoted string is not closed on its line");
		w->out.quote_to_end |= t.to_end;
		t.kind = TOK_STR;
		t.flawed = true;
	}
	if (t.bad_escape && t.octal) {
		walk_report(w, &w->out.syntax, NULL, t.line,
			    "the largest octal escape is \\377; write '\\\\' for a backslash "
			    "itself, or use single quotes",
			    "'%.*s' in a quoted string is past the largest byte", (int)t.bad_len,
			    t.bad_escape);
	} else if (t.bad_escape) {
		walk_report(w, &w->out.syntax, NULL, t.line,
			    "a backslash before digits is an octal byte (\\0 to \\377); write "
			    "'\\\\' for a backslash itself, or use single quotes",
			    "bad escape sequence '%.*s' in a quoted string", (int)t.bad_len,
			    t.bad_escape);
	}
	t.flawed |= t.bad_escape != NULL;
	w->flawed += t.flawed;
	return t;
}

struct mark walk_mark(const struct walk *w)
{
	return (struct mark){ w->out.problems, w->flawed, w->mended,
			      w->repairs ? w->repairs->n : 0 };
}

bool walk_in_error_since(const struct walk *w, struct mark since)
{
	return w->out.problems - w->mended > since.problems - since.mended ||
	       w->flawed > since.flawed;
}

void walk_skip_block(struct walk *w, int open, int close)
{
	for (int depth = 1; depth > 0;) {
		struct token t = walk_next(w);

		if (t.kind == TOK_EOF)
			return;
		depth += (t.kind == open) - (t.kind == close);
	}
}

bool walk_recover(struct walk *w, const struct token *t)
{
	if (t->kind == '{')
		walk_skip_block(w, '{', '}');
	else if (t->kind == '(')
		walk_skip_block(w, '(', ')');
	else if (t->kind == '}' || t->kind == TOK_STR || t->kind == TOK_EOF)
		walk_give_back(w, t);   /* the section's close, the next statement's name */
	return t->kind == '{';
}

size_t walk_pos(const struct walk *w)
{
	return w->nahead ? w->ahead[w->nahead - 1].at : w->lx.at;
}

static void add_repair(struct walk *w, struct site_repair repair)
{
	struct site_repairs *r = w->repairs;

	if (!r)
		return;
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->v = xreallocarray(r->v, r->cap, sizeof(*r->v));
	}
	r->v[r->n++] = repair;
}

/* The marks to insert noted from r->v[from] on. */
static void drop_marks(struct site_repairs *r, size_t from)
{
	size_t kept = from;

	for (size_t i = from; i < r->n; i++)
		if (!r->v[i].insert)
			r->v[kept++] = r->v[i];
	r->n = kept;
}

void walk_repair(struct walk *w, const struct place *at, size_t from, int line,
		 struct mark since)
{
	size_t to = walk_pos(w);
	int last = line;

	if (to <= from)
		return;
	if (w->repairs)
		drop_marks(w->repairs, since.repairs);   /* it is blanked whole */
	for (size_t i = from; i < to; i++)
		last += w->lx.text[i] == '\n';
	add_repair(w, (struct site_repair){ from, to, NULL, { line, last },
					    { at ? at->named : 0, at ? at->opened : 0 } });
}

void walk_mend(struct walk *w, size_t at, const char *mark)
{
	w->mended++;
	add_repair(w, (struct site_repair){ at, at, mark, { 0, 0 }, { 0, 0 } });
}
