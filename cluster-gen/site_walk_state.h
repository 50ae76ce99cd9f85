/* The state of the walk of the site text (site_walk.h), shared by its
 * files: site_walk.c (sections and statements), site_walk_value.c (an
 * option's value) and site_walk_read.c (tokens and reports). */
#ifndef LVSDNS_SITE_WALK_STATE_H
#define LVSDNS_SITE_WALK_STATE_H

#include <confuse.h>
#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "site_lex.h"
#include "site_walk.h"

/* The syntax errors the walk reports before it gives up on the text. */
#define WALK_MAX_SYNTAX 20

struct titles;   /* site_walk.c's */

/* The section the walk is in, for messages: kind and title, and the one
 * around it. */
struct place {
	const char *kind;            /* NULL: the top level */
	const struct token *title;   /* NULL: an untitled section */
	const struct place *up;
	cfg_opt_t *opts;             /* what the section may hold */
	int named;                   /* the line of its kind's word */
	int opened;                  /* the line of its '{' */
	struct titles *titles;       /* of the sections in it */
};

/* The first line of each single top-level section (site, check, ...). */
struct firsts {
	const char *kind[8];
	int line[8];
	size_t n;
};

struct walk {
	struct lexer lx;
	struct token ahead[2];   /* tokens read and given back, the next one last */
	size_t nahead;
	bool cut_short;          /* the file ended inside a statement or a string */
	cfg_opt_t *root;
	struct diags *d;
	struct site_walk out;
	struct site_repairs *repairs;   /* NULL: none wanted */
	int flawed;                     /* tokens reported themselves, read and not given back */
	int mended;                     /* problems mended by a mark inserted */
	struct firsts firsts;
};

/* The next token, from those given back first; each one read from the text
 * is looked at for lexical errors once. */
struct token walk_next(struct walk *w);
/* t, read last, to be read again; at most two at a time. */
void walk_give_back(struct walk *w, const struct token *t);
/* Past the close matching an open already read, or at the end. */
void walk_skip_block(struct walk *w, int open, int close);
/* After a token out of place: a block it opens is passed over whole; a
 * '}' is left to close its section and a word to start the next
 * statement; any other mark is dropped. Whether a '{' block was passed
 * over: it may have held sections. */
bool walk_recover(struct walk *w, const struct token *t);

/* The problems found so far, and the tokens in error read: a statement
 * has one when either grows while it is read. */
struct mark {
	int problems, flawed, mended;
	size_t repairs;   /* noted so far */
};
struct mark walk_mark(const struct walk *w);
bool walk_in_error_since(const struct walk *w, struct mark since);

/* Where the next token to be read begins. */
size_t walk_pos(const struct walk *w);
/* Notes text[from, walk_pos()) as a repair, from line on, in section at
 * (NULL: none): a statement read since, the marks to insert in it noted
 * since dropped. */
void walk_repair(struct walk *w, const struct place *at, size_t from, int line,
		 struct mark since);
/* Notes the problem just reported as mended by mark inserted at text[at]
 * (a static string): not one that puts its statement in error. */
void walk_mend(struct walk *w, size_t at, const char *mark);

/* The end of the file met inside a statement: whether it is still to be
 * said (the first time), the walk noting it was cut short. */
bool walk_cut_short(struct walk *w);

/* A problem in section at (NULL: none named), counted in *count too
 * unless count is NULL. */
void walk_report(struct walk *w, int *count, const struct place *at, int line, const char *hint,
		 const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* A token as a message shows it: a word or string (cut at 40 bytes) or a
 * punctuation mark, quoted; the end of the file as such. */
const char *walk_shown(const struct token *t, char *out, size_t size);

/* The hint for a ';' after a statement, a habit of other formats. */
#define SEMICOLON_HINT "remove the ';': a statement ends with its value"

/* A known option's value after its '=' (or "+="): one value, or a list. */
void walk_value(struct walk *w, cfg_opt_t *o, const struct place *at, const struct token *name);
/* A known option that is not a section, past its name: its '=' and its
 * value or list. */
void walk_option(struct walk *w, cfg_opt_t *o, const struct place *at, const struct token *name);

#endif
