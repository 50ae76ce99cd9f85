/* The build itself: tool checks, configure/meson, make/ninja, install,
 * named -V and BUILD-REPORT. */
#include "build.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "outtree.h"
#include "run.h"

#define TAIL_LINES 40

static bool extra_has(const struct build_job *j, const char *arg)
{
	for (size_t i = 0; i < j->nextra; i++)
		if (strcmp(j->extra[i], arg) == 0)
			return true;
	return false;
}

/* Is arg the option name, alone or as name=value? */
static bool opt_is(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

/* Why arg would undo a decision of the plan, or NULL. Covers meson's
 * split "-D name=value" too, as the value word starts with the name. */
static const char *contradiction(const struct bind_plan *p, const char *arg)
{
	static const char *const threads[] = {
		"--enable-threads", "--disable-threads", "--with-threads", "--without-threads",
	};

	for (size_t i = 0; i < sizeof threads / sizeof threads[0]; i++)
		if (opt_is(arg, threads[i]))
			return "threads are chosen with --threads on|off";
	if (strstr(arg, "malloc") != NULL || strstr(arg, "ISC_MEM_") != NULL)
		return "the allocator is chosen with --internal-malloc on|off";
	if (opt_is(arg, "--prefix") || opt_is(arg, "-Dprefix") || opt_is(arg, "prefix"))
		return "the prefix is given with --prefix";
	if (opt_is(arg, "--libdir") || opt_is(arg, "-Dlibdir") || opt_is(arg, "libdir"))
		return "the checks after the install run named with the libraries of PREFIX/lib";
	if (opt_is(arg, "--buildtype") || opt_is(arg, "-Dbuildtype") || opt_is(arg, "buildtype"))
		return "meson builds --buildtype=release (optimised, as autoconf's -O2)";
	if (p->ndefines > 0 &&
	    (opt_is(arg, "CFLAGS") || opt_is(arg, "-Dc_args") || opt_is(arg, "c_args")))
		return "it would replace the CFLAGS that carry the plan's defines; set the CFLAGS "
		       "environment variable instead, which bind-build keeps in front of them";
	return NULL;
}

int build_check_extra(const struct bind_plan *p, char *const *extra, size_t nextra,
		      struct buf *err)
{
	size_t before = err->len;

	for (size_t i = 0; i < nextra; i++) {
		const char *why = contradiction(p, extra[i]);

		if (why != NULL)
			buf_printf(err, "%s-- %s contradicts the plan: %s",
				   err->len > before ? "\nbind-build: " : "", extra[i], why);
	}
	return err->len == before ? 0 : -1;
}

static void need_program(const char *prog, const char *pkg, struct buf *err)
{
	if (!have_program(prog))
		buf_printf(err, "missing program %s: install the Debian package %s\n", prog, pkg);
}

static void need_pkg(const char *module, const char *pkg, struct buf *err)
{
	char *argv[] = { "pkg-config", "--exists", (char *)module, NULL };

	if (run_cmd(argv, NULL, NULL, -1) != 0)
		buf_printf(err, "missing library %s (pkg-config %s): install the Debian package %s\n",
			   module, module, pkg);
}

/* Compares dotted version numbers ("1.0.1" < "1.3.0"); missing parts are 0. */
static int version_cmp(const char *a, const char *b)
{
	while (*a != '\0' || *b != '\0') {
		char *ea, *eb;
		long x = strtol(a, &ea, 10), y = strtol(b, &eb, 10);

		if (x != y)
			return x < y ? -1 : 1;
		a = *ea == '.' ? ea + 1 : ea;
		b = *eb == '.' ? eb + 1 : eb;
		if (ea == a && eb == b)
			break;  /* neither moved: not numbers */
	}
	return 0;
}

/* The ">=X" of meson.build's project(... meson_version: '>=X'), copied into
 * dst; false when the tree states none. */
static bool meson_requirement(const char *tree, char *dst, size_t n)
{
	char *path = xasprintf("%s/meson.build", tree);
	size_t len;
	char *text = read_text(path, &len);
	const char *p = text != NULL ? strstr(text, "meson_version:") : NULL;
	size_t k = 0;

	free(path);
	if (p != NULL) {
		p += strlen("meson_version:");
		p += strspn(p, " \t'\">=");
		while (k + 1 < n && (isdigit((unsigned char)p[k]) || p[k] == '.'))
			k++;
		memcpy(dst, p, k);
	}
	dst[k] = '\0';
	free(text);
	return k > 0;
}

/* BIND's meson.build names the oldest meson it works with; an older one
 * fails late or, before 1.1.0, hides the setup options from named -V. */
static void need_meson_version(const struct build_job *j, struct buf *err)
{
	char want[32], *argv[] = { "meson", "--version", NULL };
	struct buf out;

	if (!have_program("meson") || !meson_requirement(j->tree, want, sizeof want))
		return;
	buf_init(&out);
	if (run_capture(argv, NULL, NULL, &out) != 0 || out.data == NULL)
		buf_printf(err, "meson --version failed; the tree needs meson >= %s\n", want);
	else if (version_cmp(out.data, want) < 0)
		buf_printf(err, "meson %.*s is older than the tree's meson_version '>=%s' (meson.build): "
			   "install a newer meson (Debian backports, or pip install meson)\n",
			   (int)strcspn(out.data, "\n"), out.data, want);
	buf_free(&out);
}

static const char *cc_name(void)
{
	const char *cc = getenv("CC");

	return cc != NULL && *cc != '\0' ? cc : "cc";
}

int build_check_tools(const struct build_job *j, struct buf *err)
{
	const struct bind_needs *n = j->needs;
	size_t before = err->len;

	if (!have_program(cc_name()))
		buf_printf(err, "missing C compiler %s: install the Debian package build-essential (gcc)\n",
			   cc_name());
	if (j->plan->build == BIND_BUILD_MESON) {
		need_program("meson", "meson", err);
		need_program("ninja", "ninja-build", err);
		need_meson_version(j, err);
	} else {
		need_program("make", "make", err);
	}
	if (n->libuv || n->openssl || n->libcap || n->nghttp2 || n->liburcu || j->plan->needs_jemalloc) {
		need_program("pkg-config", "pkg-config", err);
		if (!have_program("pkg-config"))
			return -1;
	}
	if (n->libuv)
		need_pkg("libuv", "libuv1-dev", err);
	if (n->openssl)
		need_pkg("libssl", "libssl-dev", err);
	if (n->libcap && !extra_has(j, "--disable-linux-caps"))
		need_pkg("libcap", "libcap-dev", err);
	if (n->nghttp2 && !extra_has(j, "--disable-doh") && !extra_has(j, "-Ddoh=disabled"))
		need_pkg("libnghttp2", "libnghttp2-dev", err);
	if (n->liburcu)
		need_pkg("liburcu", "liburcu-dev", err);
	if (j->plan->needs_jemalloc)
		need_pkg("jemalloc", "libjemalloc-dev", err);
	return err->len == before ? 0 : -1;
}

static char **argv_new(size_t cap)
{
	return xcalloc(cap + 1, sizeof(char *));
}

void free_argv(char **argv)
{
	for (size_t i = 0; argv != NULL && argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

/* CFLAGS with the plan's defines; the user's CFLAGS (or autoconf's own
 * default, -g -O2) is kept so the defines do not drop optimisation. */
static char *cflags_with_defines(const struct bind_plan *p)
{
	const char *base = getenv("CFLAGS");
	char defs[256];

	bind_join(p->defines, p->ndefines, defs, sizeof defs);
	return xasprintf("%s %s", base != NULL && *base ? base : "-g -O2", defs);
}

char **build_configure_argv(const struct build_job *j)
{
	const struct bind_plan *p = j->plan;
	bool meson = p->build == BIND_BUILD_MESON;
	char **argv = argv_new(8 + p->nconfigure + j->nextra);
	size_t n = 0;

	if (meson) {
		argv[n++] = xstrdup("meson");
		argv[n++] = xstrdup("setup");
	} else {
		argv[n++] = xstrdup("./configure");
	}
	argv[n++] = xasprintf("--prefix=%s", j->prefix);
	if (meson) {
		/* meson's default libdir is lib/<multiarch> on Debian, where the
		 * checks after the install would not find the libraries, and its
		 * default buildtype is debug (-O0). */
		argv[n++] = xstrdup("--libdir=lib");
		argv[n++] = xstrdup("--buildtype=release");
	}
	for (size_t i = 0; i < p->nconfigure; i++)
		argv[n++] = xstrdup(p->configure[i]);
	if (p->ndefines > 0 && meson) {  /* autoconf: build_configure_env() */
		char *cf = cflags_with_defines(p);

		argv[n++] = xasprintf("-Dc_args=%s", cf);
		free(cf);
	}
	for (size_t i = 0; i < j->nextra; i++)
		argv[n++] = xstrdup(j->extra[i]);
	if (meson)
		argv[n++] = xstrdup("_build");
	return argv;
}

/* autoconf 2.13's configure (BIND 9.2.0-9.2.1) takes a CFLAGS=... argument
 * for a host type and drops it; every autoconf reads CFLAGS from the
 * environment, and 2.52 on record it among the arguments named -V shows. */
char *build_configure_env(const struct build_job *j)
{
	const struct bind_plan *p = j->plan;
	char *cf, *env;

	if (p->ndefines == 0 || p->build == BIND_BUILD_MESON)
		return NULL;
	cf = cflags_with_defines(p);
	env = xasprintf("CFLAGS=%s", cf);
	free(cf);
	return env;
}

/* env shown in front of the command, as a shell would take it: NAME='value'. */
static void env_argv_line(const char *env, char *const argv[], struct buf *out)
{
	if (env != NULL) {
		const char *eq = strchr(env, '=');
		char *value[] = { (char *)eq + 1, NULL };

		buf_printf(out, "%.*s=", (int)(eq - env), env);
		argv_line(value, out);
		buf_putc(out, ' ');
	}
	argv_line(argv, out);
}

void build_configure_line(const struct build_job *j, struct buf *out)
{
	char **argv = build_configure_argv(j);
	char *env = build_configure_env(j);

	env_argv_line(env, argv, out);
	free(env);
	free_argv(argv);
}

static long ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? n : 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One phase: a line on stdout, the command in the log, its output too.
 * shown: the one environment entry that belongs to the command line. */
static int phase_env(const char *name, char **argv, const char *shown, const struct build_job *j,
		     char *const env[], int logfd, struct buf *err)
{
	struct buf line;
	double t0 = now();
	int rc;

	buf_init(&line);
	env_argv_line(shown, argv, &line);
	printf("bind-build: [%s] %s\n", name, line.data);
	dprintf(logfd, "\n==== %s: %s\n", name, line.data);
	rc = run_cmd(argv, j->tree, env, logfd);
	if (rc != 0) {
		fprintf(stderr, "bind-build: %s failed (exit %d); last lines of %s:\n", name, rc, j->log);
		show_tail(j->log, TAIL_LINES, stderr);
		buf_printf(err, "%s failed (exit %d): %s; full log in %s", name, rc, line.data, j->log);
	} else {
		printf("bind-build: [%s] done in %.1f s\n", name, now() - t0);
	}
	buf_free(&line);
	return rc == 0 ? 0 : -1;
}

static int phase(const char *name, char **argv, const struct build_job *j, char *const env[],
		 int logfd, struct buf *err)
{
	return phase_env(name, argv, NULL, j, env, logfd, err);
}

/* A git checkout has configure.ac but no configure script. */
static int ensure_configure(const struct build_job *j, int logfd, struct buf *err)
{
	char *path = xasprintf("%s/configure", j->tree);
	bool have = access(path, X_OK) == 0;
	char *argv[] = { "autoreconf", "-fi", NULL };

	free(path);
	if (have)
		return 0;
	if (!have_program("autoreconf")) {
		buf_puts(err, "the tree has no configure script and autoreconf is missing: "
			 "install the Debian packages autoconf automake libtool");
		return -1;
	}
	return phase("autoreconf", argv, j, NULL, logfd, err);
}

static int configure_build_install(const struct build_job *j, int logfd, struct buf *err)
{
	bool meson = j->plan->build == BIND_BUILD_MESON;
	char jobs[32], *destdir_arg = xasprintf("DESTDIR=%s", j->destdir);
	char **conf = build_configure_argv(j);
	char *cflags = build_configure_env(j);
	char *conf_env[] = { cflags, NULL };
	char *make_argv[] = { "make", jobs, NULL };
	char *ninja_argv[] = { "ninja", "-C", "_build", jobs, NULL };
	char *install_argv[] = { "make", "install", destdir_arg, NULL };
	char *minstall_argv[] = { "meson", "install", "-C", "_build", NULL };
	char *env[] = { destdir_arg, NULL };
	int rc;

	snprintf(jobs, sizeof jobs, "-j%ld", ncpus());
	rc = (meson || ensure_configure(j, logfd, err) == 0) &&
	     phase_env("configure", conf, cflags, j, conf_env, logfd, err) == 0 &&
	     phase("build", meson ? ninja_argv : make_argv, j, NULL, logfd, err) == 0 &&
	     phase("install", meson ? minstall_argv : install_argv, j, env, logfd, err) == 0
	     ? 0 : -1;
	free_argv(conf);
	free(cflags);
	free(destdir_arg);
	return rc;
}

static char *installed(const struct build_job *j, const char *rel)
{
	return xasprintf("%s%s%s", j->destdir, j->prefix, rel);
}

/* named -V of the installed binary; libraries from the installed tree.
 * *opt is the option that worked: named before 9.6 knows only -v. */
static int named_version(const struct build_job *j, struct buf *out, const char **opt)
{
	char *named = installed(j, "/" BIND_NAMED_DIR "/named");
	char *lib = installed(j, "/lib");
	char *ld = xasprintf("LD_LIBRARY_PATH=%s", lib);
	char *argv[] = { named, "-V", NULL };
	char *env[] = { ld, NULL };
	int rc = run_capture(argv, NULL, env, out);

	*opt = "-V";
	if (rc != 0) {  /* named before 9.6 has only -v */
		argv[1] = "-v";
		*opt = "-v";
		buf_reset(out);
		buf_puts(out, "(named -V unsupported; named -v:)\n");
		rc = run_capture(argv, NULL, env, out);
	}

	free(named);
	free(lib);
	free(ld);
	return rc;
}

/* The instances' flags must be accepted by this named: it parses them
 * before -V (or -v, opt), so an unknown -M value fails here rather than
 * at boot. */
static int named_takes_flags(const struct build_job *j, const char *opt, struct buf *err)
{
	const struct bind_plan *p = j->plan;
	char *named = installed(j, "/" BIND_NAMED_DIR "/named");
	char *lib = installed(j, "/lib");
	char *ld = xasprintf("LD_LIBRARY_PATH=%s", lib);
	char **argv = xcalloc(p->nnamed + 3, sizeof(char *));
	char *env[] = { ld, NULL };
	struct buf out;
	int rc;

	argv[0] = named;
	for (size_t i = 0; i < p->nnamed; i++)
		argv[i + 1] = (char *)p->named[i];
	argv[p->nnamed + 1] = (char *)opt;
	buf_init(&out);
	rc = p->nnamed == 0 ? 0 : run_capture(argv, NULL, env, &out);
	if (rc != 0) {
		char flags[256];

		bind_join(p->named, p->nnamed, flags, sizeof flags);
		buf_printf(err, "the built named rejects the instance flags '%s' (exit %d): %s",
			   flags, rc, out.data ? out.data : "");
	}
	buf_free(&out);
	free(argv);
	free(ld);
	free(lib);
	free(named);
	return rc == 0 ? 0 : -1;
}

/* named-checkconf where the row says, which is where cluster-gen's
 * named@.service runs it (ExecStartPre=): a build that put it elsewhere
 * would leave units that never start. Without a row nothing was promised. */
static int checkconf_installed(const struct build_job *j, struct buf *err)
{
	const struct bind_row *row = j->plan->row;
	char *rel, *path;
	int rc = 0;

	if (row == NULL)
		return 0;
	rel = xasprintf("/%s/named-checkconf", row->checkconf_dir);
	path = installed(j, rel);
	if (access(path, X_OK) != 0) {
		buf_printf(err, "%s: %s; row %s puts named-checkconf in %s%s, where the "
			   "named@.service units run it", path, strerror(errno), row->id, j->prefix, rel);
		rc = -1;
	}
	free(path);
	free(rel);
	return rc;
}

/* Does named -V list no setup arguments? meson.build writes 'default' when
 * there were none and, with meson before 1.1.0 (Debian 12 has 1.0.1),
 * 'unprobed' in 9.21.10-9.21.14, as it cannot ask meson for them. */
static bool args_unlisted(const char *v)
{
	const char *with = strstr(v, "built by meson with ");
	size_t n;

	if (with == NULL)
		return false;
	with += strlen("built by meson with ");
	n = strcspn(with, "\r\n");
	return (n == 8 && strncmp(with, "unprobed", n) == 0) ||
	       (n == 7 && strncmp(with, "default", n) == 0);
}

/* Without the arguments, what named -V says about jemalloc ("compiled with
 * jemalloc version") is the one check of the allocator left. */
static int verify_jemalloc(const struct build_job *j, const char *v, struct buf *err)
{
	bool has = strstr(v, "jemalloc version") != NULL;

	printf("bind-build: named -V lists no meson setup arguments; checking its jemalloc line instead\n");
	if (j->plan->needs_jemalloc && !has) {
		buf_puts(err, "named -V lists no meson setup arguments and no jemalloc version: "
			 "the build did not take -Djemalloc=enabled");
		return -1;
	}
	return 0;
}

/* Every planned option must appear in named -V's "built with" line. */
static int verify_named(const struct build_job *j, const char *v, struct buf *err)
{
	const struct bind_plan *p = j->plan;

	if (strstr(v, "built by") == NULL && strstr(v, "built with") == NULL)
		return 0;  /* older named: -V lists no configure arguments */
	if (args_unlisted(v))
		return verify_jemalloc(j, v, err);
	for (size_t i = 0; i < p->nconfigure; i++)
		if (strstr(v, p->configure[i]) == NULL) {
			buf_printf(err, "named -V does not show %s: the build did not take the plan", p->configure[i]);
			return -1;
		}
	for (size_t i = 0; i < p->ndefines; i++)
		if (strstr(v, p->defines[i]) == NULL) {
			buf_printf(err, "named -V does not show %s: the build did not take the plan", p->defines[i]);
			return -1;
		}
	return 0;
}

/* Apparent size of the files under the directory fd dir (closed here). */
static long long dir_bytes(int dir)
{
	DIR *d = fdopendir(dir);
	struct dirent *e;
	long long sum = 0;

	if (d == NULL) {
		close(dir);
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		int sub;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (S_ISREG(st.st_mode))
			sum += st.st_size;
		else if (S_ISDIR(st.st_mode) &&
			 (sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
			sum += dir_bytes(sub);
	}
	closedir(d);
	return sum;
}

static long long installed_bytes(const struct build_job *j)
{
	char *root = installed(j, "");
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	free(root);
	return fd >= 0 ? dir_bytes(fd) : 0;
}

static void report_lists(FILE *f, const struct build_job *j)
{
	const struct bind_plan *p = j->plan;
	char s[512];

	bind_join(p->defines, p->ndefines, s, sizeof s);
	fprintf(f, "defines: %s\n", p->ndefines ? s : "(none)");
	fprintf(f, "edit: %s\n", p->edit_mem_c ? bind_macro_file(j->facts->f.macro) : "(none)");
	bind_join(p->named, p->nnamed, s, sizeof s);
	fprintf(f, "named flags: %s\n", s);
	fprintf(f, "named: %s/" BIND_NAMED_DIR "/named\n", j->prefix);
	if (p->row != NULL)
		fprintf(f, "named-checkconf: %s/%s/named-checkconf\n", j->prefix, p->row->checkconf_dir);
	for (size_t i = 0; i < p->nwhy; i++)
		fprintf(f, "why: %s\n", p->why[i]);
	for (size_t i = 0; i < p->nnotes; i++)
		fprintf(f, "note: %s\n", p->notes[i]);
}

static int write_report(const struct build_job *j, const char *named_v, double secs,
			struct buf *err)
{
	char *path = installed(j, "/BUILD-REPORT");
	struct buf line;
	FILE *f = fopen(path, "w");

	buf_init(&line);
	build_configure_line(j, &line);
	if (f != NULL) {
		fprintf(f, "source: %s\nversion: %s (from %s)\n", j->source, j->facts->version,
			j->facts->version_from);
		fprintf(f, "row: %s\nreason: %s\n", j->plan->row ? j->plan->row->id : "(none)",
			j->plan->row ? j->plan->row->reason : "no row for this version");
		fprintf(f, "configure: %s\n", line.data);
		report_lists(f, j);
		fprintf(f, "build seconds: %.0f\ninstalled bytes: %lld\n", secs, installed_bytes(j));
		fprintf(f, "named -V:\n%s", named_v);
	}
	if (f == NULL || fclose(f) != 0)
		buf_printf(err, "%s: %s", path, strerror(errno));
	else
		printf("bind-build: report: %s\n", path);
	buf_free(&line);
	free(path);
	return err->len ? -1 : 0;
}

static int apply_edit(const struct build_job *j, struct buf *err)
{
	const struct bind_plan *p = j->plan;

	if (!p->edit_mem_c)
		return 0;
	if (bind_edit_macro(j->tree, j->facts->f.macro, p->edit_value, err) != 0)
		return -1;
	printf("bind-build: edit: %s in the working copy now sets ISC_MEM_USE_INTERNAL_MALLOC %d (verified)\n",
	       bind_macro_file(j->facts->f.macro), p->edit_value);
	return 0;
}

static int finish(const struct build_job *j, double t0, struct buf *err)
{
	struct buf v;
	const char *opt;
	int rc;

	buf_init(&v);
	rc = named_version(j, &v, &opt);
	if (rc != 0) {
		buf_printf(err, "the installed named does not run (named -V exit %d): %s", rc,
			   v.data ? v.data : "");
		buf_free(&v);
		return -1;
	}
	printf("bind-build: named -V:\n%s", v.data ? v.data : "");
	rc = verify_named(j, v.data ? v.data : "", err) == 0 && named_takes_flags(j, opt, err) == 0 &&
	     checkconf_installed(j, err) == 0 &&
	     write_report(j, v.data ? v.data : "", now() - t0, err) == 0 ? 0 : -1;
	buf_free(&v);
	return rc;
}

int build_run(const struct build_job *j, struct buf *err)
{
	char *root = installed(j, "");
	double t0 = now();
	int logfd, rc;

	if (make_dirs(root, 0755) != 0) {
		buf_printf(err, "%s: %s", root, strerror(errno));
		free(root);
		return -1;
	}
	free(root);
	logfd = open(j->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (logfd < 0) {
		buf_printf(err, "%s: %s", j->log, strerror(errno));
		return -1;
	}
	printf("bind-build: log: %s\n", j->log);
	rc = apply_edit(j, err) == 0 && configure_build_install(j, logfd, err) == 0 &&
	     finish(j, t0, err) == 0 ? 0 : -1;
	close(logfd);
	if (rc == 0)
		printf("bind-build: done in %.0f s\n", now() - t0);
	return rc;
}
