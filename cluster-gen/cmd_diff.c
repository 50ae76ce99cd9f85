/* cluster-gen diff SITE DIR [--stat]: what `render SITE -o DIR` would
 * change in DIR, as one unified diff per file, each with what the machine
 * then has to do (reload keepalived, restart a named instance, ...), which
 * diff_actions.c works out. The CI gate: exit 0 no change, 1 changes, 2 error. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "diff_actions.h"
#include "outtree.h"
#include "render.h"
#include "unified_diff.h"

static const char diff_options[] =
	"  --stat                one line per differing file and a total, no hunks\n"
	"  -U, --unified N       lines of context (default 3)\n"
	"  -t, --templates DIR   templates in DIR override built-in ones (as for render)\n"
	"Exit status: 0 DIR is what render would write, 1 it differs, 2 error.\n";

static int read_file_at(const char *path, struct buf *out, struct buf *err)
{
	if (buf_read_file(out, path) == 0)
		return 0;
	buf_printf(err, "%s: %s", path, strerror(errno));
	return -1;
}

/* Adds every regular file under dir/rel to out; anything else is an error:
 * render never writes it, so the diff could not say what it would become. */
static int read_dir(const char *dir, const char *rel, struct files *out, struct buf *err)
{
	char *path = *rel ? xasprintf("%s/%s", dir, rel) : xstrdup(dir);
	DIR *d = opendir(path);
	struct dirent *e;
	int rc = 0;

	if (!d) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	while (rc == 0 && (e = readdir(d))) {
		char *r, *full;
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		r = *rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		full = xasprintf("%s/%s", dir, r);
		if (lstat(full, &st) != 0) {
			buf_printf(err, "%s: %s", full, strerror(errno));
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			rc = read_dir(dir, r, out, err);
		} else if (S_ISREG(st.st_mode)) {
			struct buf data;

			buf_init(&data);
			rc = read_file_at(full, &data, err);
			if (rc == 0) {
				size_t len = data.len;
				files_add(out, r, buf_steal(&data), len, st.st_mode & 07777);
			} else {
				buf_free(&data);
			}
		} else {
			buf_printf(err, "%s: not a regular file or directory; render never writes one", full);
			rc = -1;
		}
		free(r);
		free(full);
	}
	closedir(d);
	free(path);
	return rc;
}

int files_read_tree(const char *dir, struct files *out, struct buf *err)
{
	files_init(out);
	if (read_dir(dir, "", out, err) != 0) {
		files_free(out);
		return -1;
	}
	files_sort(out);
	return 0;
}

void files_add_marker(struct files *f)
{
	const char *text = outtree_marker_text();

	files_add(f, OUTTREE_MARKER, xstrdup(text), strlen(text), 0644);
	files_sort(f);
}

/* ---- comparing two trees ---- */

/* One --stat line, printed once every line is known so that each column
 * (kind, path, line counts, mode change, action) starts at one place. */
struct stat_row {
	enum change_kind kind;
	struct change_facts facts;
	const char *path;
	char counts[48];      /* "+N -N" */
	char mode[24];        /* "mode 0644 -> 0755", or empty */
};

struct tree_diff_total {
	size_t added, removed, changed;
	size_t plus, minus;
	struct stat_row *rows;    /* --stat only */
	size_t nrows;
	struct diff_trees *trees;
};

static void print_stat_rows(struct buf *out, const struct stat_row *rows, size_t n)
{
	int wpath = 0, wcounts = 0, wmode = 0;
	struct buf act;

	for (size_t i = 0; i < n; i++) {
		int lp = (int)strlen(rows[i].path), lc = (int)strlen(rows[i].counts);
		int lm = (int)strlen(rows[i].mode);

		wpath = lp > wpath ? lp : wpath;
		wcounts = lc > wcounts ? lc : wcounts;
		wmode = lm > wmode ? lm : wmode;
	}
	buf_init(&act);
	for (size_t i = 0; i < n; i++) {
		buf_reset(&act);
		change_action(rows[i].path, rows[i].kind, &rows[i].facts, &act);
		buf_printf(out, "%-7s  %-*s  %-*s  ", change_kind_names[rows[i].kind], wpath, rows[i].path,
			   wcounts, rows[i].counts);
		if (wmode)
			buf_printf(out, "%-*s  ", wmode, rows[i].mode);
		buf_printf(out, "%s\n", act.data);
	}
	buf_free(&act);
}

/* Modes compare as git keeps them: executable or not. A tree checked out of
 * version control has 0644 for a rendered 0640 and the umask's group bits,
 * which no install uses (each install action names its own mode). */
static bool same_mode(unsigned a, unsigned b)
{
	return ((a & 0100) != 0) == ((b & 0100) != 0);
}

static void one_file(const struct file *old, const struct file *new, bool stat,
		     unsigned context, struct buf *out, struct tree_diff_total *t)
{
	enum change_kind k = !old ? ADDED : !new ? REMOVED : CHANGED;
	const char *path = old ? old->path : new->path;
	char *ol = old ? xasprintf("a/%s", path) : xstrdup("/dev/null");
	char *nl = new ? xasprintf("b/%s", path) : xstrdup("/dev/null");
	struct diff_stat ds;
	struct buf hunks, act;
	char mode_note[sizeof(((struct stat_row *)0)->mode)] = "";
	struct change_facts facts = change_facts_of(old, new, t->trees);

	buf_init(&hunks);
	buf_init(&act);
	if ((old && memchr(old->data, '\0', old->len)) || (new && memchr(new->data, '\0', new->len))) {
		/* render writes text only; a binary file is shown, not diffed */
		ds = (struct diff_stat){ 0, 0, 0 };
		buf_printf(&hunks, "Binary files %s and %s differ\n", ol, nl);
	} else {
		unified_diff(&hunks, ol, old ? old->data : "", old ? old->len : 0, nl,
			     new ? new->data : "", new ? new->len : 0, context, &ds);
	}
	if (old && new && !same_mode(old->mode, new->mode))
		snprintf(mode_note, sizeof(mode_note), "mode %04o -> %04o",
			 (unsigned)old->mode, (unsigned)new->mode);
	if (stat) {
		struct stat_row *r = &t->rows[t->nrows++];

		r->kind = k;
		r->facts = facts;
		r->path = path;
		snprintf(r->counts, sizeof(r->counts), "+%zu -%zu", ds.added, ds.removed);
		snprintf(r->mode, sizeof(r->mode), "%s", mode_note);
	} else {
		change_action(path, k, &facts, &act);
		buf_printf(out, "# %s %s%s%s: %s\n", change_kind_names[k], path, *mode_note ? " " : "",
			   mode_note, act.data);
		buf_append(out, hunks.data ? hunks.data : "", hunks.len);
	}
	t->added += k == ADDED;
	t->removed += k == REMOVED;
	t->changed += k == CHANGED;
	t->plus += ds.added;
	t->minus += ds.removed;
	buf_free(&hunks);
	buf_free(&act);
	free(ol);
	free(nl);
}

static bool same_file(const struct file *a, const struct file *b)
{
	return a->len == b->len && same_mode(a->mode, b->mode) && memcmp(a->data, b->data, a->len) == 0;
}

size_t tree_diff(const struct files *old, const struct files *new, bool stat,
		 unsigned context, struct buf *out)
{
	struct tree_diff_total t = { 0, 0, 0, 0, 0, NULL, 0, diff_trees_new(old, new) };
	size_t i = 0, j = 0, n;

	if (stat)
		t.rows = xmalloc((old->n + new->n + 1) * sizeof(*t.rows));
	while (i < old->n || j < new->n) {
		int c = i == old->n ? 1 : j == new->n ? -1 : strcmp(old->v[i].path, new->v[j].path);

		if (c < 0)
			one_file(&old->v[i++], NULL, stat, context, out, &t);
		else if (c > 0)
			one_file(NULL, &new->v[j++], stat, context, out, &t);
		else if (!same_file(&old->v[i], &new->v[j]))
			one_file(&old->v[i++], &new->v[j++], stat, context, out, &t);
		else
			i++, j++;
	}
	n = t.added + t.removed + t.changed;
	diff_trees_free(t.trees);
	if (stat) {
		print_stat_rows(out, t.rows, t.nrows);
		free(t.rows);
	}
	if (stat)
		buf_printf(out, "%zu file%s differ%s: %zu added, %zu removed, %zu changed; +%zu -%zu lines\n",
			   n, n == 1 ? "" : "s", n == 1 ? "s" : "", t.added, t.removed, t.changed,
			   t.plus, t.minus);
	return n;
}

static bool empty_directory(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool empty = d != NULL;

	while (d && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = false;
	if (d)
		closedir(d);
	return empty;
}

/* DIR as render would see it: missing or empty is an empty tree (render
 * creates it, or takes the empty directory), a directory without our marker
 * is refused as render refuses it. */
static int read_target(const char *dir, struct files *f)
{
	struct buf err;
	struct stat st;
	char *marker;
	int rc;

	files_init(f);
	if (lstat(dir, &st) != 0)
		st.st_mode = 0;
	if ((st.st_mode == 0 && errno == ENOENT) || (S_ISDIR(st.st_mode) && empty_directory(dir)))
		return 0;
	marker = xasprintf("%s/%s", dir, OUTTREE_MARKER);
	rc = access(marker, F_OK);
	free(marker);
	if (rc != 0) {
		fprintf(stderr, "cluster-gen: %s is not a directory written by cluster-gen render "
			"(no %s); render would refuse to replace it\n", dir, OUTTREE_MARKER);
		return -1;
	}
	buf_init(&err);
	rc = files_read_tree(dir, f, &err);
	if (rc != 0)
		fprintf(stderr, "cluster-gen: %s\n", err.data);
	buf_free(&err);
	return rc;
}

int cmd_diff(int argc, char **argv, const struct command *self)
{
	static const struct option longopts[] = {
		{ "stat", no_argument, NULL, 's' },
		{ "unified", required_argument, NULL, 'U' },
		{ "templates", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *tdir = NULL;
	bool stat = false;
	unsigned long context = 3;
	struct files rendered, current;
	struct site s;
	struct buf out;
	char *end;
	int c, rc;

	while ((c = getopt_long(argc, argv, "U:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': stat = true; break;
		case 't': tdir = optarg; break;
		case 'U':
			context = strtoul(optarg, &end, 10);
			if (*end || !*optarg || context > 1000000) {
				fprintf(stderr, "cluster-gen diff: bad context '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h': command_usage(self, stdout, diff_options); return EXIT_OK;
		default: command_usage(self, stderr, diff_options); return EXIT_USAGE;
		}
	}
	if (optind != argc - 2) {
		command_usage(self, stderr, diff_options);
		return EXIT_USAGE;
	}
	if (load_site_or_report(argv[optind], &s) != EXIT_OK)
		return EXIT_USAGE;
	if (render_to_files(&s, tdir, &rendered) != 0) {
		files_free(&rendered);
		site_free(&s);
		return EXIT_USAGE;
	}
	files_add_marker(&rendered);
	if (read_target(argv[optind + 1], &current) != 0) {
		files_free(&rendered);
		site_free(&s);
		return EXIT_USAGE;
	}
	buf_init(&out);
	rc = tree_diff(&current, &rendered, stat, (unsigned)context, &out) ? EXIT_FAIL : EXIT_OK;
	if (rc == EXIT_OK && stat)
		buf_reset(&out), buf_puts(&out, "no changes\n");
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
	buf_free(&out);
	files_free(&rendered);
	files_free(&current);
	site_free(&s);
	return rc;
}
