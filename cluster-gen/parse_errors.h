/* libconfuse's own messages, as it prints them. Internal to the parser. */
#ifndef LVSDNS_PARSE_ERRORS_H
#define LVSDNS_PARSE_ERRORS_H

#include <confuse.h>

/* Before cfg_parse. */
void parse_errors_begin(cfg_t *cfg);
/* Before cfg_parse, for a parse whose errors are not said: that of a
 * text repaired after its problems were reported (site_repair.h). */
void parse_errors_quiet(cfg_t *cfg);

#endif
