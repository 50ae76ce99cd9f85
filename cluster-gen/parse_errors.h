/* libconfuse's own messages, as it prints them, but for a duplicate section
 * title: that one names the kind of section and where the first one is.
 * Internal to the parser. */
#ifndef LVSDNS_PARSE_ERRORS_H
#define LVSDNS_PARSE_ERRORS_H

#include <confuse.h>

/* Around one cfg_parse of text (NUL-terminated, as libconfuse reads it). */
void parse_errors_begin(cfg_t *cfg, const char *text);
void parse_errors_end(void);

#endif
