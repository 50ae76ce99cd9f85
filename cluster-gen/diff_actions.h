/* What each file's change means on its machine, for cluster-gen diff
 * (cmd_diff.c): the facts read from the change (diff_facts.c) and the
 * advice they lead to (diff_actions.c). */
#ifndef LVSDNS_DIFF_ACTIONS_H
#define LVSDNS_DIFF_ACTIONS_H

#include <stdbool.h>

#include "buf.h"
#include "render.h"

enum change_kind { ADDED, REMOVED, CHANGED };

extern const char *const change_kind_names[];   /* "added", "removed", "changed" */

/* What comparing a file's two versions found that changes what to do. */
struct change_facts {
	bool vs_removed;   /* a keepalived.conf whose reload leaves a VIP withdrawn */
	bool host_gone;    /* a real server's file, and the host left the site */
	bool address_stays; /* a removed instance's address (or one of a host that left)
			     * is a real server still: another host or instance has it */
	bool balancer_gone; /* a host that left was behind a balancer that leaves too */
	bool bgp_timers;   /* a frr.conf whose timers bgp changed */
	bool dnat_both;    /* a host's DNAT rule file that gains rules and loses others */
	bool dnat_renumbered; /* one whose flow goes to another address, from a live instance */
	bool dnat_drained_moved; /* ... from a drained one (weight 0), and no other change */
	bool router_id;    /* a frr.conf whose bgp router-id changed */
	bool clause_match; /* a frr.conf route-map clause that stays but matches another list */
	bool watch_new;    /* a keepalived.conf whose checks move to lvsdns-watch (FILE_CHECK) */
	bool check_changed; /* a keepalived.conf or dnsprobe.targets that asks another query */
	bool v6_forwarding; /* a balancer's sysctl.conf that starts forwarding IPv6 */
	bool start_only;   /* a unit whose ExecStartPre= lines or comments alone changed */
	bool delay_zero_gone; /* a frr.conf that drops "bgp route-map delay-timer 0" */
	char dropped_vips[160]; /* a vips file's addresses the new one lacks, space-separated
				 * ("..." at the end when more did not fit); "" when none */
	char stale_rules[400];  /* a policy-routing.sh's commands that undo what the new one
				 * (or none) no longer sets up, "; "-separated; "" when none */
};

/* The two trees a diff compares (sorted), and what is read from them once. */
struct diff_trees;
struct diff_trees *diff_trees_new(const struct files *old, const struct files *new);
void diff_trees_free(struct diff_trees *t);
/* The facts of the change from old to new (NULL: added or removed), two
 * files of t's trees (diff_facts.c). */
struct change_facts change_facts_of(const struct file *old, const struct file *new,
				    struct diff_trees *t);
/* Appends to out what the machine of path (a path in a rendered tree) has to
 * do for a change of kind (an enum change_kind) with facts f. */
void change_action(const char *path, int kind, const struct change_facts *f, struct buf *out);

#endif
