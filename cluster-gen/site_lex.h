/* The tokens of a site file as libconfuse's lexer (src/lexer.l of 3.3)
 * makes them, for the walk of site_walk.c: punctuation stands for itself
 * ('+' is "+="), TOK_STR is a word, a quoted string or a ${VAR} reference.
 * The text has its comments blanked (site_text.h) and no NUL byte. */
#ifndef LVSDNS_SITE_LEX_H
#define LVSDNS_SITE_LEX_H

#include <stdbool.h>
#include <stddef.h>

enum {
	TOK_EOF = 0,
	TOK_STR = 'S',
	TOK_UNCLOSED = 'U',   /* a quoted string the file ends in */
	TOK_RUNAWAY = 'R',    /* a quoted string not closed on its line, cut there */
};

struct token {
	int kind;
	const char *text;   /* a quoted string's text without its quotes */
	size_t len;
	int line;           /* where it starts */
	size_t at;          /* its first byte's offset (a quoted string's quote; the end: len) */
	bool to_end;        /* TOK_RUNAWAY: libconfuse would read it to the file's end */
	/* The first escape libconfuse refuses in a double-quoted string
	 * ("\9", "\400"), or NULL; octal: a number past 255 ("\400"). */
	const char *bad_escape;
	size_t bad_len;
	bool octal;
	bool flawed;   /* the walk's: it reported the token itself (site_walk_read.c) */
};

struct lexer {
	const char *text;
	size_t len, at;
	int line;
};

struct token lex_next(struct lexer *lx);

/* Where the quoted string opening at text[at] ends as lex_next reads it:
 * past its closing quote, where it is cut when not closed on its line, or
 * at len. site_text.c blanks comments by it, so that the two agree on what
 * is inside a string. */
size_t lex_string_end(const char *text, size_t len, size_t at);

/* Whether the token is the word name (as written: no escape undone). */
bool token_is(const struct token *t, const char *name);

#endif
