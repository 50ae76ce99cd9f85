/* The balancer's VIP list (DIR/balancers/<lb>/vips, installed as
 * /etc/lvsdns/vips): which addresses the VIP guard may add or remove, and on
 * which interface. One "ADDRESS INTERFACE SERVICE" per line; '#' comments. */
#ifndef LVSDNS_VIPS_FILE_H
#define LVSDNS_VIPS_FILE_H

#include <net/if.h>
#include <stddef.h>

#include "addr.h"
#include "buf.h"

struct vip_entry {
	struct addr addr;
	char interface[IF_NAMESIZE];
	char *service;
};

struct vips {
	struct vip_entry *v;
	size_t n;
};

/* Parses the text of a vips file; name is used in messages ("NAME:LINE: ...").
 * Returns 0, or -1 with every problem found in err (out is then empty). */
int vips_parse(const char *name, const char *text, struct vips *out, struct buf *err);
/* Reads and parses a file. Same contract as vips_parse. */
int vips_load(const char *path, struct vips *out, struct buf *err);
void vips_free(struct vips *v);
/* The entry for address a, or NULL when a is not in the list. */
const struct vip_entry *vips_find(const struct vips *v, const struct addr *a);

#endif
