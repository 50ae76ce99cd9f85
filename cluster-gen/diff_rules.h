/* Facts from the files that steer a host's traffic, for diff_facts.c: a
 * DNAT rule set's flows (gained, lost, or sent to another address from the
 * same interface and VIP: an instance renumbered, or drained first), the
 * rules a policy-routing.sh no longer sets up, and the VIPs a balancer's vips
 * file drops. The last two files only ever add, so what they drop must be
 * undone by hand, and the advice names it. */
#ifndef LVSDNS_DIFF_RULES_H
#define LVSDNS_DIFF_RULES_H

#include "diff_actions.h"
#include "diff_text.h"

/* The old tree's real_server addresses at weight 0 (diff_facts.c). */
const struct keys *diff_trees_drained(struct diff_trees *t);

/* How a host's DNAT rule file changes its flows: it gains some and loses
 * others, or sends one to another address, from an instance its balancers
 * still send queries (renumbered) or from one they have drained. */
void dnat_changes(const struct file *old, const struct file *new, struct diff_trees *t,
		  struct change_facts *f);

/* Into f->dropped_vips, the addresses old's vips file lists and new's does
 * not: each must come off before the new file is in place, as the guard
 * touches only the addresses its file lists. */
void dropped_vips(const struct file *old, const struct file *new, struct change_facts *f);

/* Into f->stale_rules, what undoes the routing of each instance old's
 * policy-routing.sh sets up and new's (NULL: none) does not: running the
 * script again adds and replaces, it never deletes. The rule goes; the
 * table's routes too unless another instance (one renumbered on its VLAN)
 * uses that table now. */
void stale_rules(const struct file *old, const struct file *new, struct change_facts *f);

#endif
