#include "site_walk.h"

#include <stdbool.h>
#include <string.h>

#include "schema.h"

/* The tokens of libconfuse's lexer (src/lexer.l of 3.3): punctuation
 * stands for itself ('+' is "+="), TOK_STR is a word or a quoted string. */
enum { TOK_EOF = 0, TOK_STR = 'S' };

struct token {
	int kind;
	const char *text;   /* a quoted string's text without its quotes */
	size_t len;
	int line;
};

struct lexer {
	const char *text;
	size_t len, at;
	int line;
};

/* How libconfuse's lexer takes each byte (comments are blanked): a table,
 * as the walk reads every byte of a file of megabytes. */
enum { C_WORD, C_SKIP, C_NEWLINE, C_PUNCT, C_PLUS, C_QUOTE };

static const unsigned char byte_class[256] = {
	/* every other byte makes up libconfuse's unquoted strings */
	['\0'] = C_SKIP, [' '] = C_SKIP, ['\t'] = C_SKIP, ['\r'] = C_SKIP, ['#'] = C_SKIP,
	['*'] = C_SKIP, ['\n'] = C_NEWLINE, ['+'] = C_PLUS, ['"'] = C_QUOTE, ['\''] = C_QUOTE,
	['{'] = C_PUNCT, ['}'] = C_PUNCT, ['('] = C_PUNCT, [')'] = C_PUNCT, ['='] = C_PUNCT,
	[','] = C_PUNCT,
};

static int class_of(char c)
{
	return byte_class[(unsigned char)c];
}

/* A quoted string from its opening quote; a backslash takes the next
 * character with it in both of libconfuse's kinds of string. */
static struct token quoted(struct lexer *lx)
{
	char quote = lx->text[lx->at++];
	struct token t = { TOK_STR, lx->text + lx->at, 0, lx->line };

	while (lx->at < lx->len && lx->text[lx->at] != quote) {
		if (lx->text[lx->at] == '\\' && lx->at + 1 < lx->len)
			lx->at++;
		lx->line += lx->text[lx->at++] == '\n';
	}
	if (lx->at >= lx->len)
		return (struct token){ TOK_EOF, NULL, 0, lx->line };   /* unterminated */
	t.len = (size_t)(lx->text + lx->at++ - t.text);
	return t;
}

static struct token next_token(struct lexer *lx)
{
	const char *text = lx->text;

	while (lx->at < lx->len) {
		const char *p = text + lx->at;
		struct token t = { *p, p, 1, lx->line };

		switch (class_of(*p)) {
		case C_NEWLINE:
			lx->line++;
			break;
		case C_PUNCT:
			lx->at++;
			return t;
		case C_PLUS:   /* "+=", or a '+' the lexer eats */
			if (lx->at + 1 < lx->len && p[1] == '=') {
				lx->at += 2;
				return t;
			}
			break;
		case C_QUOTE:
			return quoted(lx);
		case C_WORD:
			while (++lx->at < lx->len && class_of(text[lx->at]) == C_WORD)
				;
			return (struct token){ TOK_STR, p, (size_t)(text + lx->at - p), t.line };
		}
		lx->at++;   /* blanks, and what the lexer eats unmatched */
	}
	return (struct token){ TOK_EOF, NULL, 0, lx->line };
}

static bool token_is(const struct token *t, const char *name)
{
	return t->len > 0 && name[0] == t->text[0] && strncmp(name, t->text, t->len) == 0 &&
	       name[t->len] == '\0';
}

/* The section the walk is in, for messages: kind and title, and the one
 * around it. */
struct place {
	const char *kind;
	const struct token *title;   /* NULL: an untitled section */
	const struct place *up;      /* NULL: the top level */
	int opened;                  /* the line of its '{' */
};

/* The first line of each single top-level section (site, check, ...). */
struct firsts {
	const char *kind[8];
	int line[8];
	size_t n;
};

struct walk {
	struct lexer lx;
	cfg_opt_t *root;
	struct diags *d;
	struct site_walk out;
	struct firsts firsts;
};

static cfg_opt_t *find_option(cfg_opt_t *opts, const struct token *t)
{
	if (token_is(t, SCHEMA_LINES))
		return NULL;   /* parse.c's own, not the site file's */
	for (cfg_opt_t *o = opts; o->name; o++)
		if (token_is(t, o->name))
			return o;
	return NULL;
}

/* Optimal string alignment distance (a swap of two letters counts once),
 * or a large number for names too long to be anyone's misspelling. */
static size_t distance(const char *a, size_t la, const char *b, size_t lb)
{
	enum { MAX = 40 };
	size_t m[MAX + 1][MAX + 1];

	if (la > MAX || lb > MAX)
		return MAX;
	for (size_t i = 0; i <= la; i++)
		m[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		m[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t best = m[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (m[i - 1][j] + 1 < best)
				best = m[i - 1][j] + 1;
			if (m[i][j - 1] + 1 < best)
				best = m[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    m[i - 2][j - 2] + 1 < best)
				best = m[i - 2][j - 2] + 1;
			m[i][j] = best;
		}
	}
	return m[la][lb];
}

/* The option of opts spelt nearest to name, when near enough to be what
 * was meant: one edit in a short name, two in a longer one. */
static const char *nearest(cfg_opt_t *opts, const struct token *name)
{
	size_t limit = name->len >= 5 ? 2 : 1, best = limit + 1;
	const char *found = NULL;

	for (cfg_opt_t *o = opts; o->name; o++) {
		size_t d = distance(name->text, name->len, o->name, strlen(o->name));

		if (d < best && strcmp(o->name, SCHEMA_LINES) != 0)
			best = d, found = o->name;
	}
	return found;
}

/* The kinds of section that have an option (or a section) of this name. */
struct homes {
	const char *kind[8];   /* NULL: the top level */
	bool single[8];        /* a section written once: "the check section" */
	size_t n;
};

static void find_homes(cfg_opt_t *opts, const char *kind, bool single, const struct token *name,
		       struct homes *h)
{
	for (cfg_opt_t *o = opts; o->name; o++) {
		bool known = false;

		for (size_t i = 0; i < h->n; i++)
			known |= h->kind[i] == kind;
		if (!known && h->n < 8 && token_is(name, o->name) && strcmp(o->name, SCHEMA_LINES))
			h->kind[h->n] = kind, h->single[h->n++] = single;
		if (o->type == CFGT_SEC)
			find_homes(o->subopts, o->name, !(o->flags & CFGF_MULTI), name, h);
	}
}

static void append(char *out, size_t size, const char *fmt, const char *arg)
{
	size_t used = strlen(out);

	if (used < size)
		snprintf(out + used, size - used, fmt, arg);
}

/* "'address' belongs in a neighbor section, in a vlan section or in an
 * instance section", or false when no section has the name. */
static bool belongs_elsewhere(cfg_opt_t *root, const struct token *name, char *out, size_t size)
{
	struct homes h = { .n = 0 };

	find_homes(root, NULL, false, name, &h);
	if (h.n == 0)
		return false;
	snprintf(out, size, "'%.*s' belongs", (int)name->len, name->text);
	for (size_t i = 0; i < h.n; i++) {
		append(out, size, "%s", i == 0 ? " " : i + 1 < h.n ? ", " : " or ");
		if (!h.kind[i])
			append(out, size, "%s", "at the top level (is a '}' missing above it?)");
		else if (h.single[i])
			append(out, size, "in the %s section", h.kind[i]);
		else
			append(out, size, strchr("aeiou", h.kind[i][0]) ? "in an %s section" :
					  "in a %s section", h.kind[i]);
	}
	return true;
}

static void hint_for(cfg_opt_t *root, cfg_opt_t *opts, const struct token *name, char *out,
		     size_t size)
{
	const char *near;

	if (belongs_elsewhere(root, name, out, size))
		return;
	if ((near = nearest(opts, name)) != NULL) {
		snprintf(out, size, "did you mean '%s'?", near);
		return;
	}
	snprintf(out, size, "one of");
	for (cfg_opt_t *o = opts; o->name; o++)
		if (strcmp(o->name, SCHEMA_LINES) != 0)
			append(out, size, " %s", o->name);
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

static void report_unknown(struct walk *w, const struct place *at, cfg_opt_t *opts,
			   const struct token *name)
{
	char who[200], hint[400];
	int shown = name->len < 80 ? (int)name->len : 80;

	describe(at, who, sizeof(who));
	hint_for(w->root, opts, name, hint, sizeof(hint));
	diag_add(w->d, name->line, hint, "%sno such option '%.*s'", who, shown, name->text);
	w->out.unknown++;
}

/* Past the close matching an open already read. */
static int skip_past(struct walk *w, int open, int close)
{
	for (int depth = 1; depth > 0;) {
		struct token t = next_token(&w->lx);

		if (t.kind == TOK_EOF)
			return -1;
		depth += (t.kind == open) - (t.kind == close);
	}
	return 0;
}

/* An unknown option's value, list, section or titled section. */
static int skip_unknown(struct walk *w)
{
	struct token t = next_token(&w->lx);

	if (t.kind == '=' || t.kind == '+') {
		t = next_token(&w->lx);
		return t.kind == TOK_STR ? 0 : t.kind == '{' ? skip_past(w, '{', '}') : -1;
	}
	if (t.kind == TOK_STR)
		t = next_token(&w->lx);   /* a title */
	if (t.kind == '{')
		return skip_past(w, '{', '}');
	return t.kind == '(' ? skip_past(w, '(', ')') : -1;
}

/* A known option's "= value", "= { a, b }" (a list) or "+= ...". */
static int skip_value(struct walk *w, cfg_opt_t *o)
{
	bool list = o->flags & CFGF_LIST;
	struct token t = next_token(&w->lx);

	if (t.kind != '=' && !(t.kind == '+' && list))
		return -1;
	t = next_token(&w->lx);
	if (!list || t.kind != '{')
		return t.kind == TOK_STR ? 0 : -1;
	for (;;) {   /* libconfuse takes "{}" and "{ a, }" too */
		if ((t = next_token(&w->lx)).kind == '}')
			return 0;
		if (t.kind != TOK_STR)
			return -1;
		if ((t = next_token(&w->lx)).kind == '}')
			return 0;
		if (t.kind != ',')
			return -1;
	}
}

static int walk_section(struct walk *w, cfg_opt_t *opts, const struct place *at, int level);

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
		diag_add(w->d, line, "write it once: libconfuse would take the second for more of "
			 "the first, its values replacing the first's without a word",
			 "a second %s section (the first is at line %d)", o->name, f->line[i]);
		w->out.repeated++;
	}
}

static int enter_section(struct walk *w, cfg_opt_t *o, const struct token *name,
			 const struct place *at, int level)
{
	struct token title, t = next_token(&w->lx);
	struct place in = { o->name, NULL, at, 0 };

	if (level == 0 && !(o->flags & CFGF_MULTI))
		note_single(w, o, name->line);
	if (o->flags & CFGF_TITLE) {
		if (t.kind != TOK_STR)
			return -1;
		title = t;
		in.title = &title;
		t = next_token(&w->lx);
	}
	in.opened = t.line;
	return t.kind == '{' ? walk_section(w, o->subopts, &in, level + 1) : -1;
}

/* -1 at a syntax error, which the walk leaves to libconfuse. */
static int walk_section(struct walk *w, cfg_opt_t *opts, const struct place *at, int level)
{
	for (;;) {
		struct token t = next_token(&w->lx);
		cfg_opt_t *o;
		int rc;

		if (t.kind == TOK_EOF) {
			/* libconfuse closes every section still open */
			if (level > 0 && !w->out.unclosed_line)
				w->out.unclosed_line = at->opened;
			return 0;
		}
		if (t.kind == '}')
			return level > 0 ? 0 : -1;
		if (t.kind != TOK_STR)
			return -1;
		if (memchr(t.text, '\\', t.len)) {
			rc = skip_unknown(w);   /* an escaped name: libconfuse reads it */
		} else if ((o = find_option(opts, &t)) == NULL) {
			report_unknown(w, at, opts, &t);
			rc = skip_unknown(w);
		} else if (o->type == CFGT_SEC) {
			rc = enter_section(w, o, &t, at, level);
		} else {
			rc = skip_value(w, o);
		}
		if (rc != 0)
			return -1;
	}
}

struct site_walk site_walk(const char *text, size_t len, cfg_opt_t *root, struct diags *d)
{
	struct walk w = { .lx = { text, len, 0, 1 }, .root = root, .d = d };
	struct place top = { NULL, NULL, NULL, 0 };

	walk_section(&w, root, &top, 0);
	return w.out;
}
