/* The libconfuse schema of site.conf, declared once, top-down as the file
 * reads (the Knot model: each option with its type and default, range checks
 * in validate.c). docs/site.conf.5 documents the same defaults. */
#ifndef LVSDNS_SCHEMA_H
#define LVSDNS_SCHEMA_H

#include <confuse.h>
#include <stddef.h>

/* The hidden per-section list in which the parser records "option=line"
 * (parse_values.c). */
#define SCHEMA_LINES "__lines"

cfg_opt_t *schema_root(void);

/* How the site file's integers are read: decimal, with an optional sign,
 * no leading zero, no 0x (libconfuse's strtol base 0 would read "064512"
 * as octal). */
enum decimal { DECIMAL_OK, DECIMAL_NOT, DECIMAL_RANGE };
enum decimal schema_decimal(const char *text, size_t len, long *value);

#endif
