/* The walk of the site text (site_walk.h): an option's '=' and its value
 * or list, each value of a typed option held to what libconfuse takes. */
#include <stdio.h>
#include <string.h>

#include "schema.h"
#include "site_hint.h"
#include "site_walk_state.h"

#define LIST_HINT "a list is { VALUE, VALUE, ... }"

/* "write weight = VALUE", or for a list "write clients = { VALUE, ... }". */
static const char *value_hint(cfg_opt_t *o, char *out, size_t size)
{
	snprintf(out, size, "write %s = %s", o->name,
		 o->flags & CFGF_LIST ? "{ VALUE, ... }" : "VALUE");
	return out;
}

static bool has_env_ref(const struct token *t)
{
	for (size_t i = 0; i + 1 < t->len; i++)
		if (t->text[i] == '$' && t->text[i + 1] == '{')
			return true;
	return false;
}

/* Reports an integer or boolean value libconfuse would refuse as it
 * parses, with schema.c's reading of integers (decimal only). A value with
 * an escape or a ${VAR} in it is libconfuse's to read (site_load.c reports
 * the latter). */
static void check_value(struct walk *w, cfg_opt_t *o, const struct place *at,
			const struct token *v)
{
	bool semicolon = v->len > 1 && v->text[v->len - 1] == ';';
	char text[8];

	if ((o->type != CFGT_INT && o->type != CFGT_BOOL) || memchr(v->text, '\\', v->len) ||
	    has_env_ref(v))
		return;
	if (o->type == CFGT_INT) {
		switch (schema_decimal(v->text, v->len, NULL)) {
		case DECIMAL_OK:
			return;
		case DECIMAL_RANGE:
			walk_report(w, &w->out.values, at, v->line, NULL, "%s %.*s is out of range",
				    o->name, (int)v->len, v->text);
			return;
		case DECIMAL_NOT:
			walk_report(w, &w->out.values, at, v->line,
				    semicolon	      ? SEMICOLON_HINT :
				    v->text[0] == '0' ? "write it without leading zeros or 0x" :
							"write digits only, without a unit or a point",
				    "%s '%.*s' is not a decimal number", o->name,
				    v->len < 40 ? (int)v->len : 40, v->text);
			return;
		}
	}
	if (v->len < sizeof(text)) {
		memcpy(text, v->text, v->len);
		text[v->len] = '\0';
		if (cfg_parse_boolean(text) != CFG_FAIL)
			return;
	}
	walk_report(w, &w->out.values, at, v->line,
		    semicolon ? SEMICOLON_HINT : "write true or false (or yes/no, on/off)",
		    "%s '%.*s' is neither true nor false", o->name, v->len < 40 ? (int)v->len : 40,
		    v->text);
}

/* Whether the word t, met in a list where ',' or '}' should be, starts the
 * next statement of the section the list is in: the list's '}' is missing
 * then, not a ','. */
static bool starts_statement(struct walk *w, const struct place *at, const struct token *t)
{
	cfg_opt_t *o = site_find_option(at->opts, t);
	struct token after;

	if (!o)
		return false;
	after = walk_next(w);
	walk_give_back(w, &after);
	if (o->type == CFGT_SEC)
		return after.kind == TOK_STR || after.kind == '{';
	return after.kind == '=' || after.kind == '+';
}

/* Whether the list of o (opened at line opened) ends at t: at its '}', or
 * with its '}' missing (reported) at the end of the file or at the next
 * statement (given back to be read as one). */
static bool list_ends(struct walk *w, cfg_opt_t *o, const struct place *at, int opened,
		      const struct token *t)
{
	char a[64];

	if (t->kind == '}')
		return true;
	if (t->kind == TOK_EOF) {
		if (walk_cut_short(w)) {
			walk_report(w, &w->out.syntax, at, opened,
				    "close it with '}' after its last value",
				    "the list of '%s' is not closed before the end of the file",
				    o->name);
			walk_mend(w, t->at, "}");
		}
		return true;
	}
	if (t->kind != TOK_STR || !starts_statement(w, at, t))
		return false;
	walk_give_back(w, t);
	walk_report(w, &w->out.syntax, at, opened, "add the '}' after its last value",
		    "the list of '%s' is not closed: %s on line %d starts the next statement",
		    o->name, walk_shown(t, a, sizeof(a)), t->line);
	walk_mend(w, t->at, "}");
	return true;
}

/* A list's values, from past its '{' to its '}'. */
static void read_list(struct walk *w, cfg_opt_t *o, const struct place *at, int opened)
{
	char a[64], b[64];
	bool want_value = true;   /* after '{' or ',' */
	struct token last = { .kind = TOK_EOF };

	for (;;) {
		struct token t = walk_next(w);

		if (list_ends(w, o, at, opened, &t))
			return;
		if (want_value && t.kind == TOK_STR) {
			want_value = false;
			last = t;
		} else if (want_value) {
			walk_report(w, &w->out.syntax, at, t.line, LIST_HINT,
				    "%s where a value of '%s' should be",
				    walk_shown(&t, a, sizeof(a)), o->name);
			if (t.kind == '{')
				walk_skip_block(w, '{', '}');
		} else if (t.kind == ',') {
			want_value = true;
		} else if (t.kind == TOK_STR) {
			walk_report(w, &w->out.syntax, at, t.line,
				    "separate a list's values with ','",
				    "',' missing between %s and %s in the list of '%s'",
				    walk_shown(&last, a, sizeof(a)), walk_shown(&t, b, sizeof(b)),
				    o->name);
			walk_mend(w, t.at, ",");
			last = t;
		} else {
			walk_report(w, &w->out.syntax, at, t.line, LIST_HINT,
				    "%s in the list of '%s', where ',' or '}' should be",
				    walk_shown(&t, a, sizeof(a)), o->name);
			if (t.kind == '{')
				walk_skip_block(w, '{', '}');
		}
	}
}

void walk_value(struct walk *w, cfg_opt_t *o, const struct place *at,
		const struct token *name)
{
	bool list = o->flags & CFGF_LIST;
	char a[64], hint[80];

	for (;;) {
		struct token t = walk_next(w);

		if (t.kind == TOK_STR) {
			if (!list)
				check_value(w, o, at, &t);
			return;
		}
		if (t.kind == '{' && list) {
			read_list(w, o, at, t.line);
			return;
		}
		if (t.kind == TOK_EOF) {
			if (walk_cut_short(w))
				walk_report(w, &w->out.syntax, at, name->line,
					    value_hint(o, hint, sizeof(hint)),
					    "the file ends before the value of '%s'", o->name);
			return;
		}
		if (t.kind == '{') {
			walk_report(w, &w->out.syntax, at, t.line,
				    value_hint(o, hint, sizeof(hint)),
				    "'%s' takes one value, not a list", o->name);
			walk_skip_block(w, '{', '}');
			return;
		}
		if (t.kind == '}') {
			walk_report(w, &w->out.syntax, at, name->line,
				    value_hint(o, hint, sizeof(hint)), "'%s' has no value",
				    o->name);
			walk_give_back(w, &t);
			return;
		}
		/* a stray mark ("= =", "= ,"): the value may still follow */
		walk_report(w, &w->out.syntax, at, t.line, value_hint(o, hint, sizeof(hint)),
			    "%s where the value of '%s' should be", walk_shown(&t, a, sizeof(a)),
			    o->name);
		if (t.kind == '(')
			walk_skip_block(w, '(', ')');
	}
}

void walk_option(struct walk *w, cfg_opt_t *o, const struct place *at,
		 const struct token *name)
{
	bool list = o->flags & CFGF_LIST;
	struct token t = walk_next(w);
	char a[64], hint[80];

	if (t.kind == '=' || (t.kind == '+' && list)) {
		walk_value(w, o, at, name);
	} else if (t.kind == '+') {
		walk_report(w, &w->out.syntax, at, t.line, value_hint(o, hint, sizeof(hint)),
			    "'+=' adds to a list, and '%s' takes one value", o->name);
		walk_value(w, o, at, name);
	} else if (t.kind == TOK_STR && t.line > name->line && starts_statement(w, at, &t)) {
		walk_report(w, &w->out.syntax, at, name->line, value_hint(o, hint, sizeof(hint)),
			    "'%s' has no value", o->name);
		walk_give_back(w, &t);
	} else if (t.kind == TOK_STR || t.kind == '{') {
		walk_report(w, &w->out.syntax, at, name->line, value_hint(o, hint, sizeof(hint)),
			    "'=' missing between '%s' and its value", o->name);
		walk_mend(w, t.at, "=");
		walk_give_back(w, &t);
		walk_value(w, o, at, name);
	} else if (t.kind == TOK_EOF) {
		if (walk_cut_short(w))
			walk_report(w, &w->out.syntax, at, name->line,
				    value_hint(o, hint, sizeof(hint)),
				    "the file ends after '%s', before its value", o->name);
	} else {
		walk_report(w, &w->out.syntax, at, t.kind == '}' ? name->line : t.line,
			    value_hint(o, hint, sizeof(hint)), "%s where '=' should follow '%s'",
			    walk_shown(&t, a, sizeof(a)), o->name);
		walk_recover(w, &t);
	}
}
