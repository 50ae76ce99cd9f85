/* The build itself: the configure (or meson setup) command the plan makes,
 * then edit, configure, make/ninja and install as logged phases. What is
 * checked before it starts is in build_check.c, what is checked after the
 * install (and BUILD-REPORT) in build_verify.c. */
#include "build.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "build_internal.h"
#include "outtree.h"
#include "run.h"

#define TAIL_LINES 40

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

double build_now(void)
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
	double t0 = build_now();
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
		printf("bind-build: [%s] done in %.1f s\n", name, build_now() - t0);
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

int build_run(const struct build_job *j, struct buf *err)
{
	char *root = build_installed(j, "");
	double t0 = build_now();
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
	     build_finish(j, t0, err) == 0 ? 0 : -1;
	close(logfd);
	if (rc == 0)
		printf("bind-build: done in %.0f s\n", build_now() - t0);
	return rc;
}
