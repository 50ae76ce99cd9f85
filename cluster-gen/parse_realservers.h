/* The real servers of the site being parsed (parse_realservers.c);
 * internal to the parser. */
#ifndef LVSDNS_PARSE_REALSERVERS_H
#define LVSDNS_PARSE_REALSERVERS_H

#include <confuse.h>

#include "parse_values.h"

/* Fills p->s's real servers from root's realserver sections, top-level
 * and nested in their balancers, sorted by name. */
void build_realservers(struct parser *p, cfg_t *root);

#endif
