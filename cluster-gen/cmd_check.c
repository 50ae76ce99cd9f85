/* cluster-gen check SITE [--with-tools [--require-all]]: parse and
 * validate; with --with-tools also render into a temporary directory and
 * run every real checker that is installed on each file it reads
 * (checkers.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checkers.h"
#include "commands.h"
#include "outtree.h"
#include "render.h"

static const char check_options[] =
	"  --with-tools          also render into a temporary directory and run the real\n"
	"                        checkers (keepalived -t, vtysh -C, bgpd -C, named-checkconf,\n"
	"                        iptables-restore --test, ip6tables-restore --test, nft -c,\n"
	"                        sh -n) on the files they read; report which ran and which\n"
	"                        are not installed\n"
	"  --require-all         with --with-tools: a check that did not run (its\n"
	"                        checker missing, or it needs root) fails too\n"
	"  -t, --templates DIR   templates in DIR override built-in ones (as for render)\n"
	"Exit status: 0 valid (and every checker that ran accepted its file),\n"
	"1 a real checker rejected a file or the render failed (with --require-all:\n"
	"or a check did not run), 2 bad usage or site.\n";

/* The rendered tree in a fresh directory the checkers can read: bgpd -C
 * drops to the frr user, so every file is made readable by all (frr.conf
 * itself is rendered 0640). Returns the directory, or NULL after a message. */
static char *write_temp_tree(const struct files *f, char **tree)
{
	const char *base = getenv("TMPDIR");
	char *dir = xasprintf("%s/cluster-gen-check.XXXXXX", base && *base ? base : "/tmp");
	struct outtree t;
	struct buf err;
	size_t i;
	int rc = -1;

	if (!mkdtemp(dir)) {
		perror(dir);
		free(dir);
		return NULL;
	}
	chmod(dir, 0755);
	*tree = xasprintf("%s/tree", dir);
	buf_init(&err);
	if (outtree_begin(&t, *tree, &err) == 0) {
		for (i = 0; i < f->n; i++)
			if (outtree_write(&t, f->v[i].path, f->v[i].data, f->v[i].len,
					  f->v[i].mode | 0444, &err))
				break;
		if (i == f->n)
			rc = outtree_commit(&t, &err);
	}
	outtree_end(&t);
	if (rc != 0) {
		fprintf(stderr, "cluster-gen: %s\n", err.data);
		remove_tree(dir);
		free(dir);
		free(*tree);
		dir = NULL;
	}
	buf_free(&err);
	return dir;
}

static int check_with_tools(const struct site *s, const char *tdir, bool require_all)
{
	struct files f;
	struct real_checks rc;
	struct buf out;
	char *dir, *tree = NULL;

	if (render_to_files(s, tdir, &f) != 0) {
		files_free(&f);
		return EXIT_FAIL;
	}
	dir = write_temp_tree(&f, &tree);
	if (!dir) {
		files_free(&f);
		return EXIT_FAIL;
	}
	buf_init(&out);
	run_real_checks(&f, tree, &rc, &out);
	printf("real checks of the render:\n%s", out.data ? out.data : "");
	printf("%zu checks run: %zu passed, %zu failed; %zu not run (checker missing)",
	       rc.run, rc.passed, rc.failed, rc.missing);
	if (rc.skipped)
		printf(", %zu skipped (needs root)", rc.skipped);
	putchar('\n');
	if (require_all && (rc.missing || rc.skipped))
		printf("--require-all: %zu checks did not run, so the render is not proven\n",
		       rc.missing + rc.skipped);
	remove_tree(dir);
	buf_free(&out);
	free(tree);
	free(dir);
	files_free(&f);
	return rc.failed || (require_all && (rc.missing || rc.skipped)) ? EXIT_FAIL : EXIT_OK;
}

/* --templates without --with-tools: the site renders with them, in memory,
 * so check fails wherever render would (render_to_files reports why). */
static int check_templates(const struct site *s, const char *tdir)
{
	struct files files;
	int rc = render_to_files(s, tdir, &files) == 0 ? EXIT_OK : EXIT_FAIL;

	files_free(&files);
	return rc;
}

int cmd_check(int argc, char **argv, const struct command *self)
{
	static const struct option longopts[] = {
		{ "with-tools", no_argument, NULL, 'w' },
		{ "require-all", no_argument, NULL, 'r' },
		{ "templates", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *tdir = NULL;
	bool tools = false, require_all = false;
	struct site s;
	int c, rc = EXIT_OK;

	while ((c = getopt_long(argc, argv, "t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'w': tools = true; break;
		case 'r': require_all = true; break;
		case 't': tdir = optarg; break;
		case 'h': command_usage(self, stdout, check_options); return EXIT_OK;
		default: command_usage(self, stderr, check_options); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || (require_all && !tools)) {
		if (require_all && !tools)
			fprintf(stderr, "cluster-gen check: --require-all needs --with-tools\n");
		command_usage(self, stderr, check_options);
		return EXIT_USAGE;
	}
	if (load_site_or_report(argv[optind], &s) != EXIT_OK)
		return EXIT_USAGE;
	/* the templates first: "valid" then a template's error read as both */
	if (!tools && tdir)
		rc = check_templates(&s, tdir);
	if (rc == EXIT_OK)
		printf("%s: site %s is valid (%zu services, %zu balancers, %zu real servers)%s\n",
		       argv[optind], s.name, s.nservices, s.nbalancers, s.nrealservers,
		       !tools && tdir ? ", and renders with its templates" : "");
	fflush(stdout);
	if (tools)
		rc = check_with_tools(&s, tdir, require_all);
	site_free(&s);
	return rc;
}
