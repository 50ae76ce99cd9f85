/* Reading site.conf (site_load.c): the text walked (site_walk.h), the
 * libconfuse schema (schema.c) -> typed model (site.h, parse.c), checked
 * (validate.c). Nothing outside the parser sees libconfuse. */
#ifndef LVSDNS_PARSE_H
#define LVSDNS_PARSE_H

#include <stddef.h>

#include "diag.h"
#include "site.h"

/* Parses and validates PATH into out. Returns 0, or -1 with every problem
 * found in d (d->file must be PATH). On -1, out is freed. */
int site_load(const char *path, struct site *out, struct diags *d);
/* The same for a site file already read: text (len bytes, NUL-terminated)
 * is taken over and freed; path names it in messages. */
int site_load_text(const char *path, char *text, size_t len, struct site *out,
		   struct diags *d);

#endif
