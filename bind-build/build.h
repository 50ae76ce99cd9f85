/* The build itself: tool checks (build_check.c), configure/meson,
 * make/ninja, install (build.c), named -V and BUILD-REPORT (build_verify.c).
 * main.c prepares the tree and the plan. */
#ifndef LVSDNS_BIND_BUILD_H
#define LVSDNS_BIND_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "bind_table.h"
#include "buf.h"
#include "tree.h"

struct build_job {
	const char *source;       /* as given */
	const char *tree;         /* the working copy to build in */
	const char *prefix;
	const char *destdir;      /* "" for none */
	const char *log;          /* build log file */
	char **extra;             /* extra configure/meson arguments (after --) */
	size_t nextra;
	const struct bind_tree *facts;
	const struct bind_needs *needs;
	const struct bind_plan *plan;
};

/* Missing compiler, tools and libraries, each with its Debian package, one
 * per line in err. 0 when all present. */
int build_check_tools(const struct build_job *j, struct buf *err);

/* Refuses extra arguments (after --) that would undo the plan: threads,
 * the allocator (jemalloc, anything malloc, ISC_MEM_* defines), the prefix,
 * or CFLAGS when the plan's defines travel in CFLAGS. configure and meson
 * take the last of repeated options while named -V lists them all, so the
 * check after the build cannot see such an override. -1 with one line per
 * argument in err. */
int build_check_extra(const struct bind_plan *p, char *const *extra, size_t nextra,
		      struct buf *err);

/* The configure (or meson setup) command line of the plan, as argv. The
 * strings belong to the returned array and to j; free with free_argv(). */
char **build_configure_argv(const struct build_job *j);
void free_argv(char **argv);
/* The "CFLAGS=..." configure's environment carries the plan's defines in
 * (autoconf trees), or NULL; free() it. */
char *build_configure_env(const struct build_job *j);
/* The configure command as a shell line, environment first:
 * CFLAGS='-g -O2 -D...' ./configure --prefix=... */
void build_configure_line(const struct build_job *j, struct buf *out);

/* Edits (where planned), configures, builds with all cores, installs,
 * runs named -V, checks it shows the chosen options, writes BUILD-REPORT.
 * Prints phase lines on stdout; on failure the message is in err and the
 * log's tail has been shown. */
int build_run(const struct build_job *j, struct buf *err);

#endif
