/* Writing a whole output tree so that readers see either the old tree or the
 * new one, never a mix: files go to a temporary sibling directory, which then
 * replaces the target with one atomic rename (renameat2 RENAME_EXCHANGE). */
#ifndef LVSDNS_OUTTREE_H
#define LVSDNS_OUTTREE_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

/* A file in every tree we write; a directory without it is not replaced. */
#define OUTTREE_MARKER ".lvsdns-render"
/* Its text (mode 0644), for callers comparing a tree with a render. */
const char *outtree_marker_text(void);

struct outtree {
	char *target;
	char *tmp;
	int tmpfd;          /* the temporary tree, for *at() calls */
	mode_t umask;       /* to know when open()'s mode needs an fchmod */
	unsigned jobs;      /* threads removing the previous tree (begin: 1) */
};

/* Each returns 0, or -1 with a message in err. */
int outtree_begin(struct outtree *t, const char *target, struct buf *err);
/* Safe to call from several threads at once (for different paths). */
int outtree_write(const struct outtree *t, const char *relpath, const char *data,
		  size_t len, mode_t mode, struct buf *err);
/* The same for the next of a series of files written in directory order
 * (prev: the series' previous path, or NULL): makes relpath's directory
 * first when it differs from prev's, instead of after a failed open. */
int outtree_write_next(const struct outtree *t, const char *prev, const char *relpath,
		       const char *data, size_t len, mode_t mode, struct buf *err);
/* 0: the new tree is in place; -1 (err says why): nothing changed;
 * OUTTREE_LEFTOVER: the new tree is in place, but the previous one, swapped
 * out, could not be removed (err says where it is). */
#define OUTTREE_LEFTOVER 1
int outtree_commit(struct outtree *t, struct buf *err);
/* Call once at the end, committed or not: removes any temporary tree, frees. */
void outtree_end(struct outtree *t);

/* rm -rf of a tree we created; used for temporary directories. */
int remove_tree(const char *path);
/* The same with up to `jobs` threads, for wide trees. */
int remove_tree_jobs(const char *path, unsigned jobs);
/* mkdir -p; 0 or -1 with errno. */
int make_dirs(const char *path, mode_t mode);

#endif
