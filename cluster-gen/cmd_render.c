/* cluster-gen render SITE -o DIR [--templates DIR] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "diag.h"
#include "outtree.h"
#include "parse.h"
#include "render.h"

static const char render_options[] =
	"  -o, --output DIR      the output tree; replaced whole, atomically\n"
	"  -t, --templates DIR   templates in DIR override built-in ones of the same name\n";

int load_site_or_report(const char *path, struct site *s)
{
	struct diags d;
	int rc;

	diags_init(&d, path);
	rc = site_load(path, s, &d);
	diags_print(&d, stderr);
	if (rc != 0)
		fprintf(stderr, "%s: %zu problem%s; nothing written\n", path, d.n, d.n == 1 ? "" : "s");
	diags_free(&d);
	return rc == 0 ? EXIT_OK : EXIT_USAGE;
}

void command_usage(const struct command *c, FILE *out, const char *options)
{
	fprintf(out, "usage: cluster-gen %s\n  %s\n\n%s", c->synopsis, c->summary, options);
}

/* Renders straight into a temporary tree, one file at a time, and swaps it
 * in only when every renderer succeeded. */
static int render_into_tree(const struct site *s, const char *templates_dir, const char *dir)
{
	struct templates *t = templates_new(templates_dir);
	struct outtree tree;
	struct files files;
	struct buf err;
	int rc = -1;

	buf_init(&err);
	files_init(&files);
	if (outtree_begin(&tree, dir, &err) == 0) {
		files.sink = &tree;
		if (render_site(s, t, &files, &err) == 0)
			rc = outtree_commit(&tree, &err);
	}
	outtree_end(&tree);
	if (rc != 0)
		fprintf(stderr, "cluster-gen: %s; %s left as it was\n", err.data, dir);
	files_free(&files);
	buf_free(&err);
	templates_free(t);
	return rc;
}

int render_to_files(const struct site *s, const char *templates_dir, struct files *out)
{
	struct templates *t = templates_new(templates_dir);
	struct buf err;
	int rc;

	buf_init(&err);
	files_init(out);
	rc = render_site(s, t, out, &err);
	if (rc != 0)
		fprintf(stderr, "cluster-gen: %s\n", err.data);
	buf_free(&err);
	templates_free(t);
	return rc;
}

int cmd_render(int argc, char **argv, const struct command *self)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "templates", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *outdir = NULL, *tdir = NULL;
	struct site s;
	int c, rc;

	while ((c = getopt_long(argc, argv, "o:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': outdir = optarg; break;
		case 't': tdir = optarg; break;
		case 'h': command_usage(self, stdout, render_options); return EXIT_OK;
		default: command_usage(self, stderr, render_options); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || !outdir) {
		command_usage(self, stderr, render_options);
		return EXIT_USAGE;
	}
	if (load_site_or_report(argv[optind], &s) != EXIT_OK)
		return EXIT_USAGE;
	rc = render_into_tree(&s, tdir, outdir) == 0 ? EXIT_OK : EXIT_FAIL;
	site_free(&s);
	return rc;
}
