/* Every option the schema does not know, found before libconfuse parses.
 * libconfuse stops at the first unknown option it meets, so a file with
 * three misspellings took three runs to fix, each with only libconfuse's
 * "no such option". This walk reads the text as libconfuse's grammar does
 * and reports them all, each with the section it is in and a hint: the
 * option meant (a near spelling in that section), the section the name
 * belongs in, or the options the section has. */
#ifndef LVSDNS_PARSE_UNKNOWN_H
#define LVSDNS_PARSE_UNKNOWN_H

#include <confuse.h>
#include <stddef.h>

#include "diag.h"

/* Adds a problem to d for each unknown option in text[0, len) (comments
 * blanked, see site_text.h) against the schema root, and returns how
 * many. The walk stops quietly at the first syntax error: libconfuse
 * reports that one when there is no unknown option before it. */
int report_unknown_options(const char *text, size_t len, cfg_opt_t *root, struct diags *d);

#endif
