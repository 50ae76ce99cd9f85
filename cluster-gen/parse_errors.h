/* libconfuse's own messages, as it prints them, but for a duplicate section
 * title: that one names the kind of section and where the first one is.
 * Internal to the parser. */
#ifndef LVSDNS_PARSE_ERRORS_H
#define LVSDNS_PARSE_ERRORS_H

#include <confuse.h>

/* Before cfg_parse. An error function gets no pointer of ours, so a
 * duplicate title's message reads the site file again (cfg's file name),
 * as site_load does, to find the sections' lines; where that cannot be
 * read (a text parsed from memory alone) libconfuse's message stands. */
void parse_errors_begin(cfg_t *cfg);

#endif
