/* A site text with problems in its statements, read on past them: the
 * statements the walk found a problem in (site_walk.h's repairs) blanked,
 * and a mark missing where it was plainly meant inserted, so that
 * libconfuse parses the rest and its values and cross-checks are checked in
 * the same run (site_load.c). What a blanked statement leaves missing or at
 * its default would be reported too, on the statement's lines or on its
 * section's: such reports are dropped, for they are the problem already
 * reported, not another one. */
#ifndef LVSDNS_SITE_REPAIR_H
#define LVSDNS_SITE_REPAIR_H

#include <stddef.h>

#include "diag.h"
#include "site_walk.h"

/* A copy of text[0, len) with each repair made, its newlines kept so that
 * every line keeps its number, *fixed_len bytes long (and a NUL); the
 * caller frees it. A mark is inserted after a blank, so that it joins no
 * byte before it ("+=" of a '+' libconfuse skips). */
char *site_repair_text(const char *text, size_t len, const struct site_repairs *r,
		       size_t *fixed_len);

/* Adds to d what found (the check of the repaired text) reports, but for
 * what is on a line of a statement blanked, or of the section it is in
 * (its kind's word, its '{'). */
void site_repair_merge(struct diags *d, const struct diags *found, const struct site_repairs *r);

#endif
