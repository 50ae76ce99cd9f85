/* After the install, proof that the installed named is the plan's: it
 * runs, its -V shows every planned option, it takes the instances' flags,
 * and named-checkconf is where the named@.service units look for it. Only
 * then is BUILD-REPORT written beside it. */
#include "build_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"

char *build_installed(const struct build_job *j, const char *rel)
{
	return xasprintf("%s%s%s", j->destdir, j->prefix, rel);
}

/* named -V of the installed binary; libraries from the installed tree.
 * *opt is the option that worked: named before 9.6 knows only -v. */
static int named_version(const struct build_job *j, struct buf *out, const char **opt)
{
	char *named = build_installed(j, "/" BIND_NAMED_DIR "/named");
	char *lib = build_installed(j, "/lib");
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
	char *named = build_installed(j, "/" BIND_NAMED_DIR "/named");
	char *lib = build_installed(j, "/lib");
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
	path = build_installed(j, rel);
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
	char *root = build_installed(j, "");
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
	char *path = build_installed(j, "/BUILD-REPORT");
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

int build_finish(const struct build_job *j, double t0, struct buf *err)
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
	     write_report(j, v.data ? v.data : "", build_now() - t0, err) == 0 ? 0 : -1;
	buf_free(&v);
	return rc;
}
