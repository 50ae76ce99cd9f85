/* What checkers.c's prepare makes for a checker besides the file's own
 * path (checkers_prepare.c). Each returns 0, or -1 with the reason in why. */
#ifndef LVSDNS_CHECKERS_PREPARE_H
#define LVSDNS_CHECKERS_PREPARE_H

#include <stddef.h>

#include "buf.h"
#include "render.h"

/* What a checker's argv names beyond the file: a chroot for
 * named-checkconf, a stand-in unit for a drop-in. */
struct prepared {
	char *full;               /* the file's path */
	char *croot;              /* ROOT_ARG */
	char *unitpath;           /* UNITPATH_ARG: "SYSTEMD_UNIT_PATH=DIR:" */
	char *standin;            /* STANDIN_ARG */
	char *statedir;           /* STATEDIR_ARG */
	char *keepalived;         /* KEEPALIVED_ARG */
	struct buf note;          /* said beside a pass: what was checked otherwise */
};

/* named-checkconf's chroot, root/.named-check/N/, in *chroot_dir. */
int named_chroot(const struct file *f, const char *root, size_t n, char **chroot_dir,
		 struct buf *why);
/* A drop-in's stand-in unit in *standin, in the directory *dir. */
int dropin_standin(const struct file *f, const char *root, size_t n, char **dir,
		   char **standin, struct buf *why);
/* The keepalived.conf to check, in p->keepalived: the file itself, or a
 * copy whose script_user exists here (said in p->note). */
int keepalived_copy(const struct file *f, const char *root, size_t n,
		    struct prepared *p, struct buf *why);

#endif
