/* cluster-gen render SITE -o DIR [--templates DIR] */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "diag.h"
#include "outtree.h"
#include "parse.h"
#include "render.h"

static const char render_options[] =
	"  -o, --output DIR      the output tree; replaced whole, atomically\n"
	"  -t, --templates DIR   templates in DIR override built-in ones of the same name\n"
	"  -j, --jobs N          render with N threads (default: online CPUs, at most\n"
	"                        8); the output is the same for every N\n"
	"  -T, --timings         print to stderr where the time went: load (parse and\n"
	"                        validate), render (and write), swap, free\n";

int load_site_or_report(const char *path, struct site *s)
{
	struct diags d;
	int rc;

	diags_init(&d, path);
	rc = site_load(path, s, &d);
	diags_print(&d, stderr);
	if (rc != 0) {
		size_t errors = diags_errors(&d);

		fprintf(stderr, "%s: %zu problem%s", path, errors, errors == 1 ? "" : "s");
		if (d.nwarnings)
			fprintf(stderr, ", %zu warning%s", d.nwarnings, d.nwarnings == 1 ? "" : "s");
		fputs("; nothing written", stderr);
		if (d.left_out)
			fprintf(stderr, "; %s", d.left_out);
		fputc('\n', stderr);
	}
	diags_free(&d);
	return rc == 0 ? EXIT_OK : EXIT_USAGE;
}

void command_usage(const struct command *c, FILE *out, const char *options)
{
	fprintf(out, "usage: cluster-gen %s\n  %s\n\n%s", c->synopsis, c->summary, options);
}

/* Threads for rendering: the online CPUs, at most MAX_JOBS; creating
 * files is the kernel's work, and it stops scaling before long. */
#define MAX_JOBS 8

unsigned default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > MAX_JOBS ? MAX_JOBS : (unsigned)n;
}

struct render_opts {
	const char *outdir, *tdir;
	unsigned jobs;
	bool timings;           /* print where the time went, to stderr */
};

/* Milliseconds on the monotonic clock, for --timings. */
static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Renders straight into a temporary tree, one file at a time, and swaps it
 * in only when every renderer succeeded. */
static int render_into_tree(const struct site *s, const struct render_opts *o, double *ms)
{
	struct templates *t = templates_new(o->tdir);
	struct outtree tree = { .tmpfd = -1 };   /* outtree_end is safe before any begin */
	struct files files;
	struct buf err;
	int rc = -1;

	buf_init(&err);
	files_init(&files);
	ms[0] = now_ms();
	if (templates_check_overrides(t, &err) == 0 && outtree_begin(&tree, o->outdir, &err) == 0) {
		files.sink = &tree;
		files.jobs = tree.jobs = o->jobs;
		if (render_site(s, t, &files, &err) == 0) {
			ms[1] = now_ms();
			rc = outtree_commit(&tree, &err);
		}
	}
	ms[2] = now_ms();
	outtree_end(&tree);
	if (rc == OUTTREE_LEFTOVER) {
		fprintf(stderr, "cluster-gen: warning: %s rendered, but %s; remove it by hand\n",
			o->outdir, err.data);
		rc = 0;
	} else if (rc != 0) {
		fprintf(stderr, "cluster-gen: %s; %s left as it was\n", err.data, o->outdir);
	}
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
	out->jobs = default_jobs();
	rc = templates_check_overrides(t, &err) == 0 ? render_site(s, t, out, &err) : -1;
	if (rc != 0)
		fprintf(stderr, "cluster-gen: %s\n", err.data);
	buf_free(&err);
	templates_free(t);
	return rc;
}

static int parse_jobs(const char *arg, unsigned *jobs)
{
	char *end;
	unsigned long n = strtoul(arg, &end, 10);

	if (*arg < '1' || *arg > '9' || *end != '\0' || n > 256) {
		fprintf(stderr, "cluster-gen render: --jobs '%s': give a number from 1 to 256\n", arg);
		return -1;
	}
	*jobs = (unsigned)n;
	return 0;
}

int cmd_render(int argc, char **argv, const struct command *self)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "templates", required_argument, NULL, 't' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "timings", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct render_opts o = { NULL, NULL, default_jobs(), false };
	double ms[4] = { 0 }, start = now_ms();
	struct site s;
	int c, rc;

	while ((c = getopt_long(argc, argv, "o:t:j:Th", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o.outdir = optarg; break;
		case 't': o.tdir = optarg; break;
		case 'T': o.timings = true; break;
		case 'j':
			if (parse_jobs(optarg, &o.jobs) != 0)
				return EXIT_USAGE;
			break;
		case 'h': command_usage(self, stdout, render_options); return EXIT_OK;
		default: command_usage(self, stderr, render_options); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || !o.outdir) {
		command_usage(self, stderr, render_options);
		return EXIT_USAGE;
	}
	if (load_site_or_report(argv[optind], &s) != EXIT_OK)
		return EXIT_USAGE;
	rc = render_into_tree(&s, &o, ms) == 0 ? EXIT_OK : EXIT_FAIL;
	site_free(&s);
	ms[3] = now_ms();
	if (o.timings && rc == EXIT_OK)
		fprintf(stderr, "cluster-gen: timings (ms): load %.1f, render %.1f, swap %.1f, "
			"free %.1f, total %.1f; %u job%s\n", ms[0] - start, ms[1] - ms[0],
			ms[2] - ms[1], ms[3] - ms[2], ms[3] - start, o.jobs, o.jobs == 1 ? "" : "s");
	return rc;
}
