/* The site model built from libconfuse's tree (parse.c); internal to the
 * parser. */
#ifndef LVSDNS_PARSE_BUILD_H
#define LVSDNS_PARSE_BUILD_H

#include <confuse.h>

#include "parse_values.h"

/* Fills p->s from root, every list sorted; problems go to p->d. */
void build_site(struct parser *p, cfg_t *root);

#endif
