/* The site text's structure, walked as libconfuse's grammar reads it and
 * held against the schema, before libconfuse parses. Three things libconfuse
 * itself reports badly or not at all:
 * - every option the schema does not know: libconfuse stops at the first
 *   one with only "no such option"; each is reported here with the section
 *   it is in and a hint (the option meant, a near spelling in that section;
 *   the section the name belongs in; or the options the section has);
 * - a second section of a kind that may stand once (site, check, bgp,
 *   bind): libconfuse takes it for more of the first, its values replacing
 *   the first's without a word;
 * - a section still open at the end of the file: libconfuse takes the end
 *   for its '}', so a lost '}' would silently move what follows into the
 *   section before. */
#ifndef LVSDNS_SITE_WALK_H
#define LVSDNS_SITE_WALK_H

#include <confuse.h>
#include <stddef.h>

#include "diag.h"

struct site_walk {
	int unknown;         /* unknown options, each added to the diags */
	int repeated;        /* second single sections, each added to the diags */
	int unclosed_line;   /* the '{' of the innermost section open at the end, or 0 */
};

/* Walks text[0, len) (comments blanked, see site_text.h) against the schema
 * root, adding a problem to d for each unknown option and repeated section.
 * The walk stops quietly at the first syntax error, which libconfuse then
 * reports itself; unclosed_line is known only when the walk reached the end.
 * libconfuse's own message names a lost brace's place better when the text
 * after it does not parse, so the caller reports unclosed_line only once
 * libconfuse has read the file. */
struct site_walk site_walk(const char *text, size_t len, cfg_opt_t *root, struct diags *d);

#endif
