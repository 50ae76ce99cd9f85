/* The site text's structure, walked as libconfuse's grammar reads it and
 * held against the schema, before libconfuse parses. libconfuse stops at
 * the first problem it meets, with a terse message; the walk reports every
 * one of these in one run, each with the section it is in and a hint, and
 * goes on past it:
 * - every option the schema does not know, with the option meant (a near
 *   spelling in that section), the section the name belongs in, or the
 *   options the section has; a ';' ending a statement and "name:" for
 *   "name =", habits of other formats, are told as such;
 * - every syntax error: a token out of place (a missing '=', ',' or '{'; a
 *   '}' that closes nothing), a list never closed, an escape libconfuse
 *   refuses; 20 of them and the walk gives up (site_walk_state.h);
 * - a quoted string not closed on its line: libconfuse reads on to the next
 *   quote, but no value of a site file runs over lines, so the string is
 *   cut where its quote was likely meant (site_lex.c) and the walk goes on;
 *   one the file ends in, libconfuse drops without a word when it opens
 *   where a statement would;
 * - every integer that is not a plain decimal and every boolean that is
 *   not one, values libconfuse would refuse as it parses;
 * - every section titled as one before it of its kind in the same section
 *   (two instances a on one host), with the first one's line;
 * - a second section of a kind that may stand once (site, check, bgp,
 *   bind): libconfuse takes it for more of the first, its values replacing
 *   the first's without a word;
 * - a section still open at the end of the file: libconfuse takes the end
 *   for its '}', so a lost '}' would silently move what follows into the
 *   section before.
 * Text the walk finds nothing in is text libconfuse parses, but for what
 * escapes hide (an escaped name, title or value is libconfuse's to read);
 * tests/fuzz/fuzz_walk.c holds the two to that.
 *
 * Each statement a problem is found in is noted as a repair: the bytes to
 * blank so that the rest of the text can still be parsed and cross-checked
 * (site_repair.h); but a statement whose only problem is a mark missing
 * where it was plainly meant is kept, the mark inserted, for what it says
 * is needed to check the rest (a list of the services a balancer is
 * primary for). A problem passed over only by leaving out a whole
 * section (in its header, a duplicate, an unknown kind) or the rest of the
 * file is noted as such instead: what refers to it cannot be checked
 * fairly without it. */
#ifndef LVSDNS_SITE_WALK_H
#define LVSDNS_SITE_WALK_H

#include <confuse.h>
#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

struct site_walk {
	int problems;        /* all of them, each added to the diags */
	int unknown;         /* unknown options */
	int syntax;          /* syntax errors: text libconfuse refuses */
	int values;          /* integers and booleans libconfuse would refuse */
	int duplicates;      /* sections titled as one before them */
	int unclosed_quotes; /* quoted strings not closed on their line */
	bool quote_to_end;   /* one of them runs, as libconfuse reads it, to the end */
	int repeated;        /* second single sections */
	int unclosed_line;   /* the '{' of the innermost section open at the end, or 0 */
	bool drops_text;     /* a problem passed over only by leaving out a section or the rest */
};

/* A statement with a problem in it, as bytes to blank; or a mark missing
 * where it was plainly meant (a ',' between two values of a list, the '='
 * of "delay-loop 6", a list's '}' before the next statement), to insert. */
struct site_repair {
	size_t from, to;   /* text[from, to): the statement, and what it ran into */
	const char *insert; /* or this mark, at from (to == from), a blank before it */
	int lines[2];      /* the first and the last line blanked */
	int section[2];    /* the lines of the section it is in: its kind's word and its '{' (0: none) */
};

struct site_repairs {
	struct site_repair *v;
	size_t n, cap;
};

/* Walks text[0, len) (comments blanked, see site_text.h; no NUL byte)
 * against the schema root, adding a problem to d for each one found, and
 * a repair for it to *repairs unless that is NULL (the caller frees v). */
struct site_walk site_walk(const char *text, size_t len, cfg_opt_t *root, struct diags *d,
			   struct site_repairs *repairs);

#endif
