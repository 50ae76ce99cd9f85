/* cluster-gen: one site description in, every configuration of the site out.
 * Exit status: 0 done, 1 could not write or render, 2 bad usage or site file. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

static const struct command commands[] = {
	{ "render", cmd_render, "render SITE -o DIR [--templates DIR]",
	  "write every file of the site into DIR (atomically replaced)" },
	{ "check", cmd_check, "check SITE [--with-tools [--require-all]]",
	  "validate SITE (exit 0/2); --with-tools: also the real checkers (1: rejected)" },
	{ "diff", cmd_diff, "diff SITE DIR [--stat] [-U N]", "what render would change in DIR; exit 0 none, 1 changes" },
	{ "list", cmd_list, "list SITE [--json]", "the inventory: services, balancers, real servers, instances" },
	{ "get", cmd_get, "get SITE KEY | get --all SITE", "one resolved value of SITE (key grammar: get --help)" },
	{ "graph", cmd_graph, "graph SITE", "the topology as Graphviz DOT (| dot -Tsvg > site.svg)" },
	{ "onboard", cmd_onboard, "onboard SITE HOST [options]",
	  "a new real server's files, install.sh, README, balancer diff" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: cluster-gen COMMAND [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  cluster-gen %-40s %s\n", commands[i].synopsis, commands[i].summary);
	fprintf(out, "\n  cluster-gen COMMAND --help   options of one command\n"
		     "\nSee cluster-gen(1) and site.conf(5).\n");
}

/* What a command printed must have reached its reader: a full disk or a
 * closed pipe is a failure, not a success with the output lost. */
static int flushed(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "cluster-gen: writing the output: %s\n",
			errno ? strerror(errno) : "write error");
		return rc == EXIT_OK ? EXIT_FAIL : rc;
	}
	return rc;
}

int main(int argc, char **argv)
{
	/* libconfuse makes and frees small blocks by the hundred thousand on a
	 * large site; with glibc's fastbins on, every later request of 1 KiB or
	 * more first walks them all (malloc_consolidate: 12% of parsing). The
	 * per-thread cache still serves small blocks without them. */
	mallopt(M_MXFAST, 0);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return flushed(EXIT_OK);
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("cluster-gen %s\n", LVSDNS_VERSION);
		return flushed(EXIT_OK);
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return flushed(commands[i].run(argc - 1, argv + 1, &commands[i]));
	fprintf(stderr, "cluster-gen: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
