/* The subcommands of cluster-gen, one file each (cmd_<name>.c). */
#ifndef LVSDNS_COMMANDS_H
#define LVSDNS_COMMANDS_H

#include <stdbool.h>
#include <stdio.h>

#include "site.h"

#define LVSDNS_VERSION "0.1.0"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct command {
	const char *name;
	int (*run)(int argc, char **argv, const struct command *self);
	const char *synopsis;
	const char *summary;
};

int cmd_render(int argc, char **argv, const struct command *self);
int cmd_check(int argc, char **argv, const struct command *self);
int cmd_diff(int argc, char **argv, const struct command *self);     /* cmd_diff.c */
int cmd_onboard(int argc, char **argv, const struct command *self);  /* cmd_onboard.c */
int cmd_list(int argc, char **argv, const struct command *self);     /* cmd_list.c */
int cmd_get(int argc, char **argv, const struct command *self);      /* cmd_get.c */
int cmd_graph(int argc, char **argv, const struct command *self);    /* cmd_graph.c */

/* Loads SITE, printing every problem as FILE:LINE: message. 0 or EXIT_USAGE. */
int load_site_or_report(const char *path, struct site *s);
void command_usage(const struct command *c, FILE *out, const char *options);

struct files;
/* Renders the whole site in memory; prints the error and returns -1 on failure. */
/* Threads a render uses unless told: the online CPUs, at most 8. */
unsigned default_jobs(void);
int render_to_files(const struct site *s, const char *templates_dir, struct files *out);

/* Trees as files in memory (cmd_diff.c), for diff and onboard. */
struct buf;
/* Reads every regular file under dir, sorted; -1 with a message in err. */
int files_read_tree(const char *dir, struct files *out, struct buf *err);
/* Adds the marker file render writes (OUTTREE_MARKER) to a rendered set. */
void files_add_marker(struct files *f);
/* Appends what turns tree old into new: per file a "# KIND PATH: action"
 * line and its unified diff, or with stat one summary line per file and a
 * total. Returns the number of files that differ. */
size_t tree_diff(const struct files *old, const struct files *new, bool stat,
		 unsigned context, struct buf *out);

#endif
