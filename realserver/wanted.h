/* What rs-dnat is asked for, per address family: the rules of one
 * rendered dnat.rules/dnat6.rules, or those cluster-gen renders for one
 * host of a site. Problems are printed (FILE:LINE for the rules); the
 * loaders return 0 or -1. */
#ifndef LVSDNS_RS_WANTED_H
#define LVSDNS_RS_WANTED_H

#include <stdbool.h>
#include <stddef.h>

#include "rules.h"

/* The rule sets to apply or check: one file, or both families of the
 * site's host. A family the site renders no file for (its IPv6 service was
 * removed, say) wants nothing of ours: skipping it would leave the old
 * chain in the kernel while apply and check report the table in sync. */
struct wanted {
	char *label[2];           /* for messages: FILE, or SITE:realservers/HOST/dnat.rules */
	struct dnat_set set[2];
	bool none[2];             /* not rendered: our chains and jumps must go */
	size_t n;
	size_t nrendered;         /* entries parsed from a file */
};

/* family 0: taken from the file's addresses / both of the site's files. */
int wanted_from_file(const char *path, int family, struct wanted *w);
int wanted_from_site(const char *site, const char *host, int family, struct wanted *w);
void wanted_free(struct wanted *w);

#endif
