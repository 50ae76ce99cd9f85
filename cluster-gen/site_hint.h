/* The hint for an option name a section of the schema does not have: the
 * section the name belongs in, a near spelling among the section's own
 * options, or else those options. */
#ifndef LVSDNS_SITE_HINT_H
#define LVSDNS_SITE_HINT_H

#include <confuse.h>
#include <stddef.h>

#include "site_lex.h"

/* The option of opts (a section of the schema) named as name is, or NULL;
 * the parser's hidden line records are none of the file's. */
cfg_opt_t *site_find_option(cfg_opt_t *opts, const struct token *name);

/* Writes the hint for name, unknown in opts, into out: "'weight' belongs
 * in an instance section", "did you mean 'address'?" or "one of ...". */
void site_hint_unknown(cfg_opt_t *root, cfg_opt_t *opts, const struct token *name, char *out,
		       size_t size);

#endif
