/* A check FRR itself does not make: every route-map, prefix-list and
 * access-list a frr.conf refers to must be defined in it. `vtysh -C` and
 * `bgpd -C` accept a reference to a missing list, and FRR then quietly denies
 * or matches nothing, so a typo in an overriding template would withdraw
 * every VIP without a word. cluster-gen runs this on each frr.conf it renders. */
#ifndef LVSDNS_FRR_REFS_H
#define LVSDNS_FRR_REFS_H

#include <stddef.h>

#include "diag.h"

/* Adds one diagnostic (at its line) per undefined reference in the FRR
 * configuration text and returns how many it added. */
size_t frr_check_refs(const char *text, struct diags *d);

#endif
