/* The subcommands of cluster-gen, one file each (cmd_<name>.c). */
#ifndef LVSDNS_COMMANDS_H
#define LVSDNS_COMMANDS_H

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

/* Loads SITE, printing every problem as FILE:LINE: message. 0 or EXIT_USAGE. */
int load_site_or_report(const char *path, struct site *s);
void command_usage(const struct command *c, FILE *out, const char *options);

struct files;
/* Renders the whole site in memory; prints the error and returns -1 on failure. */
int render_to_files(const struct site *s, const char *templates_dir, struct files *out);

#endif
