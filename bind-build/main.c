/* bind-build SOURCE [--prefix P] [--destdir D] [--log FILE] [--plan]
 *            [--threads on|off] [--internal-malloc on|off] [-- CONFIGURE-ARGS...]
 *
 * Builds BIND from a source tarball or directory with the recipe of the
 * version table (bind_table.c), chosen from what the tree itself says. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bind_table.h"
#include "build.h"
#include "outtree.h"
#include "run.h"
#include "tree.h"

#define EXIT_FAIL 1
#define EXIT_USAGE 2

struct opts {
	const char *source, *prefix, *destdir, *log;
	char *own_destdir, *own_log;   /* absolute forms, when given relative */
	bool plan;
	struct bind_wish wish;
	char **extra;
	size_t nextra;
};

static void usage(FILE *f)
{
	fputs("usage: bind-build SOURCE [--prefix P] [--destdir D] [--log FILE] [--plan]\n"
	      "                  [--threads on|off] [--internal-malloc on|off] [-- CONFIGURE-ARGS...]\n"
	      "       bind-build --table\n"
	      "SOURCE is a BIND source tarball (.tar.gz, .tar.xz) or directory.\n", f);
}

/* The version table, one row per line, tab-separated. */
static void print_table(void)
{
	printf("row\tconfigure\tdefines\tnamed flags\tnamed-checkconf in\treason\n");
	for (size_t i = 0; i < bind_nrows; i++) {
		const struct bind_row *r = &bind_rows[i];

		printf("%s\t%s\t%s\t%s\t%s\t%s\n", r->id, r->configure, r->defines,
		       r->named_flags, r->checkconf_dir, r->reason);
	}
}

static int on_off(const char *opt, const char *v, bool *out)
{
	if (v != NULL && strcmp(v, "on") == 0)
		*out = true;
	else if (v != NULL && strcmp(v, "off") == 0)
		*out = false;
	else {
		fprintf(stderr, "bind-build: %s takes on or off\n", opt);
		return -1;
	}
	return 0;
}

/* The directory an absolute path names, read as the kernel reads it but
 * without looking at the file system: empty and "." parts dropped, ".."
 * taking the previous part away. Returns how many parts remain; *first is
 * the first of them (its text, up to the next '/'). */
static size_t path_parts(const char *p, const char **first)
{
	const char *part[64];
	size_t n = 0;

	*first = NULL;
	while (*p) {
		size_t len;

		p += strspn(p, "/");
		len = strcspn(p, "/");
		if (len == 0 || (len == 1 && p[0] == '.')) {
			/* nothing */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			n -= n > 0;
		} else if (n < sizeof(part) / sizeof(part[0])) {
			part[n++] = p;
		} else {
			n++;   /* deeper than any system directory: counted only */
		}
		p += len;
	}
	if (n > 0)
		*first = part[0];
	return n;
}

/* Is an absolute path / (usr false) or / or /usr (usr true), however
 * written ("//usr", "/usr/.", "/opt/../usr")? */
static bool is_system_dir(const char *p, bool usr)
{
	const char *first;
	size_t n = path_parts(p, &first);

	return n == 0 || (usr && n == 1 && strncmp(first, "usr", 3) == 0 &&
			  (first[3] == '/' || first[3] == '\0'));
}

/* make install into / or /usr, on this machine, would overwrite the files
 * of the distribution's bind9 behind dpkg's back (a site that runs those
 * says bind { prefix = "/usr" } and builds nothing). Into --destdir, for a
 * package, any prefix is fine; a --destdir of / itself is no staging
 * directory. */
static int system_prefix_refused(const struct opts *o)
{
	bool staged = o->destdir[0] != '\0' && !(o->destdir[0] == '/' && is_system_dir(o->destdir, false));

	if (staged || !is_system_dir(o->prefix, true))
		return 0;
	fprintf(stderr, "bind-build: --prefix %s would install over the distribution's BIND "
		"(dpkg's files); build under /usr/local (the default), or into --destdir to "
		"make a package\n", o->prefix);
	return -1;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	*o = (struct opts){ .prefix = BIND_PREFIX_DEFAULT, .destdir = "", .wish = BIND_WISH_DEFAULT };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--") == 0) {
			o->extra = argv + i + 1;
			o->nextra = (size_t)(argc - i - 1);
			break;
		} else if (strcmp(a, "--plan") == 0) {
			o->plan = true;
			continue;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(0);
		} else if (strcmp(a, "--table") == 0) {
			print_table();
			exit(0);
		} else if (a[0] == '-' && v == NULL) {
			fprintf(stderr, "bind-build: %s needs a value\n", a);
			return -1;
		} else if (strcmp(a, "--prefix") == 0) {
			o->prefix = v;
		} else if (strcmp(a, "--destdir") == 0) {
			o->destdir = v;
		} else if (strcmp(a, "--log") == 0) {
			o->log = v;
		} else if (strcmp(a, "--threads") == 0) {
			if (on_off(a, v, &o->wish.threads) != 0)
				return -1;
		} else if (strcmp(a, "--internal-malloc") == 0) {
			if (on_off(a, v, &o->wish.internal_malloc) != 0)
				return -1;
		} else if (a[0] == '-' || o->source != NULL) {
			fprintf(stderr, "bind-build: unexpected argument %s\n", a);
			return -1;
		} else {
			o->source = a;
			continue;
		}
		i++;
	}
	if (o->source == NULL || o->prefix[0] != '/') {
		fputs(o->source == NULL ? "bind-build: no SOURCE given\n"
		      : "bind-build: --prefix must be an absolute path\n", stderr);
		return -1;
	}
	return system_prefix_refused(o);
}

/* path made absolute against the caller's directory. make install runs
 * inside the working copy, so a relative --destdir would install there
 * (and vanish with it) while named -V and the report looked here. */
static int anchor(const char *opt, const char **path, char **own, struct buf *err)
{
	char *cwd;

	if (*path == NULL || (*path)[0] == '\0' || (*path)[0] == '/')
		return 0;
	cwd = getcwd(NULL, 0);
	if (cwd == NULL) {
		buf_printf(err, "%s %s: cannot find the current directory: %s", opt, *path,
			   strerror(errno));
		return -1;
	}
	*own = xasprintf("%s/%s", strcmp(cwd, "/") ? cwd : "", *path);
	*path = *own;
	free(cwd);
	return 0;
}

/* A fresh private directory for unpacking and building. */
static char *make_workdir(struct buf *err)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/bind-build.XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");

	if (mkdtemp(dir) == NULL) {
		buf_printf(err, "cannot create a work directory %s: %s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	return dir;
}

/* The single top directory a tarball unpacked into, else dir itself. */
static char *top_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *only = NULL;
	size_t n = 0;
	struct stat st;

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n++ == 0)
			only = xasprintf("%s/%s", dir, e->d_name);
	}
	if (d != NULL)
		closedir(d);
	if (n == 1 && stat(only, &st) == 0 && S_ISDIR(st.st_mode))
		return only;
	free(only);
	return xstrdup(dir);
}

/* Unpacks a tarball, or copies a directory when a build will write to it. */
static char *prepare_tree(const struct opts *o, const char *work, bool is_dir, struct buf *err)
{
	char *dest = xasprintf("%s/src", work);
	char *tar_argv[] = { "tar", "-xf", (char *)o->source, "-C", dest, NULL };
	char *from = xasprintf("%s/.", o->source);
	char *cp_argv[] = { "cp", "-a", from, dest, NULL };
	char *tree = NULL;

	if (make_dirs(dest, 0755) != 0) {
		buf_printf(err, "%s: %s", dest, strerror(errno));
	} else if (is_dir) {
		printf("bind-build: copy: %s -> %s (the source stays untouched)\n", o->source, dest);
		if (run_cmd(cp_argv, NULL, NULL, STDERR_FILENO) != 0)
			buf_printf(err, "%s: copying the tree failed", o->source);
		else
			tree = xstrdup(dest);
	} else {
		printf("bind-build: unpack: %s\n", o->source);
		if (run_cmd(tar_argv, NULL, NULL, -1) != 0)
			buf_printf(err, "%s: tar cannot unpack it (not a .tar.gz/.tar.xz tarball?)",
				   o->source);
		else
			tree = top_dir(dest);
	}
	free(from);
	free(dest);
	return tree;
}

static void print_features(const struct bind_tree *t)
{
	static const char *const bs[] = { "unknown", "autoconf", "meson" };
	static const char *const where[] = { "absent", "lib/isc/mem.c", "isc/mem.h" };
	const struct bind_features *f = &t->f;

	printf("bind-build: tree: build=%s threads-option=%s internal-malloc-macro=%s",
	       bs[f->build], f->threads_option ? "yes" : "no", where[f->macro]);
	if (f->macro != BIND_MACRO_ABSENT)
		printf(" (default %d, %s)", f->macro_default,
		       f->macro_guarded ? "inside #ifndef" : "not guarded");
	printf(" jemalloc-option=%s named-M-internal=%s\n", f->jemalloc_option ? "yes" : "no",
	       f->named_M_internal ? "yes" : "no");
}

static void print_plan(const struct bind_tree *t, const struct bind_plan *p, const struct opts *o,
		       const char *tree)
{
	struct build_job j = { .source = o->source, .tree = tree, .prefix = o->prefix,
			       .destdir = o->destdir, .extra = o->extra, .nextra = o->nextra,
			       .facts = t, .plan = p };
	struct buf line;
	char s[512];

	buf_init(&line);
	build_configure_line(&j, &line);
	printf("bind-build: row: %s\n", p->row ? p->row->id : "(none)");
	printf("bind-build: reason: %s\n", p->row ? p->row->reason : "no row for this version");
	for (size_t i = 0; i < p->nwhy; i++)
		printf("bind-build: why: %s\n", p->why[i]);
	for (size_t i = 0; i < p->nnotes; i++)
		printf("bind-build: note: %s\n", p->notes[i]);
	printf("bind-build: configure: %s\n", line.data);
	bind_join(p->defines, p->ndefines, s, sizeof s);
	printf("bind-build: defines: %s\n", p->ndefines ? s : "(none)");
	printf("bind-build: edit: %s\n", p->edit_mem_c ? bind_macro_file(t->f.macro) : "(none)");
	bind_join(p->named, p->nnamed, s, sizeof s);
	printf("bind-build: named flags: %s\n", p->nnamed ? s : "(none)");
	printf("bind-build: named: %s/" BIND_NAMED_DIR "/named\n", o->prefix);
	if (p->row != NULL)
		printf("bind-build: named-checkconf: %s/%s/named-checkconf\n", o->prefix,
		       p->row->checkconf_dir);
	else
		printf("bind-build: named-checkconf: (no row for this version: sbin or bin)\n");
	buf_free(&line);
}

/* Detects and plans; prints both. -1 with err when the tree is not BIND. */
static int detect_and_plan(const struct opts *o, const char *tree, bool tarball,
			   struct bind_tree *t, struct bind_needs *needs, struct bind_plan *p,
			   struct buf *err)
{
	if (bind_tree_detect(tree, t, needs, err) != 0) {
		if (tarball) {
			buf_reset(err);
			buf_printf(err, "%s: this tarball is not a BIND source (no configure.ac, "
				   "configure.in or meson.build that names BIND)", o->source);
		}
		return -1;
	}
	printf("bind-build: version: %s (from %s)\n", t->version[0] ? t->version : "unknown",
	       t->version_from[0] ? t->version_from : "nowhere");
	print_features(t);
	bind_plan_make(&t->f, bind_row_for_version(t->version), o->wish, p);
	if (build_check_extra(p, o->extra, o->nextra, err) != 0)
		return -1;
	print_plan(t, p, o, tree);
	return 0;
}

static int build(const struct opts *o, const char *tree, const struct bind_tree *t,
		 const struct bind_needs *needs, const struct bind_plan *p, struct buf *err)
{
	char *log = o->log != NULL ? xstrdup(o->log)
				   : xasprintf("%s%s/BUILD-LOG", o->destdir, o->prefix);
	struct build_job j = { .source = o->source, .tree = tree, .prefix = o->prefix,
			       .destdir = o->destdir, .log = log, .extra = o->extra,
			       .nextra = o->nextra, .facts = t, .needs = needs, .plan = p };
	int rc = build_check_tools(&j, err);

	if (rc == 0)
		rc = build_run(&j, err);
	free(log);
	return rc;
}

/* *built: a build was started, so its working copy is worth keeping. */
static int run(struct opts *o, struct buf *err, char **work, bool *built)
{
	struct stat st;
	struct bind_tree t;
	struct bind_needs needs;
	struct bind_plan p;
	char *tree;
	int rc;

	if (anchor("--destdir", &o->destdir, &o->own_destdir, err) != 0 ||
	    anchor("--log", &o->log, &o->own_log, err) != 0)
		return -1;
	if (stat(o->source, &st) != 0) {
		buf_printf(err, "%s: %s", o->source, strerror(errno));
		return -1;
	}
	bool is_dir = S_ISDIR(st.st_mode);
	if (is_dir && o->plan) {
		tree = xstrdup(o->source);  /* reading only */
	} else {
		if ((*work = make_workdir(err)) == NULL ||
		    (tree = prepare_tree(o, *work, is_dir, err)) == NULL)
			return -1;
	}
	rc = detect_and_plan(o, tree, !is_dir, &t, &needs, &p, err);
	if (rc == 0 && !o->plan) {
		*built = true;
		rc = build(o, tree, &t, &needs, &p, err);
	}
	free(tree);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct buf err;
	char *work = NULL;
	bool built = false;
	int rc;

	if (parse_args(argc, argv, &o) != 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	buf_init(&err);
	rc = run(&o, &err, &work, &built);
	if (rc != 0)
		fprintf(stderr, "bind-build: %s\n", err.data ? err.data : "failed");
	if (work != NULL && (rc == 0 || !built))
		remove_tree(work);
	else if (work != NULL)
		fprintf(stderr, "bind-build: the working copy is kept for inspection: %s\n", work);
	free(work);
	free(o.own_destdir);
	free(o.own_log);
	buf_free(&err);
	return rc == 0 ? 0 : EXIT_FAIL;
}
