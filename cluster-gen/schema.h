/* The libconfuse schema of site.conf, declared once, top-down as the file
 * reads (the Knot model: each option with its type and default, range checks
 * in validate.c). docs/site.conf.5 documents the same defaults. */
#ifndef LVSDNS_SCHEMA_H
#define LVSDNS_SCHEMA_H

#include <confuse.h>

/* The hidden per-section list in which parse.c records "option=line". */
#define SCHEMA_LINES "__lines"

cfg_opt_t *schema_root(void);

#endif
