/* What each file's change means on its machine (diff_actions.c), for
 * cluster-gen diff (cmd_diff.c). */
#ifndef LVSDNS_DIFF_ACTIONS_H
#define LVSDNS_DIFF_ACTIONS_H

#include <stdbool.h>

#include "buf.h"
#include "render.h"

enum change_kind { ADDED, REMOVED, CHANGED };

extern const char *const change_kind_names[];   /* "added", "removed", "changed" */

/* Appends to out what the machine of path (a path in a rendered tree) has to
 * do for a change of kind (an enum change_kind): vs_removed when the change
 * is a keepalived.conf whose reload leaves a VIP withdrawn, host_gone when
 * the file's host left the site. */
void change_action(const char *path, int kind, bool vs_removed, bool host_gone,
		   struct buf *out);
/* Whether a reload from old to new keepalived.conf leaves a VIP withdrawn. */
bool drops_virtual_server(const struct file *old, const struct file *new);
/* Whether path is a real server's file and the sorted tree new has nothing
 * of its host. */
bool host_left(const char *path, const struct files *new);

#endif
