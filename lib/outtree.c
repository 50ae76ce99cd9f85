#include "outtree.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parallel.h"

static const char marker_text[] =
	"Written by cluster-gen render. This directory is replaced whole by the next render.\n";

static int remove_entry(const char *path, const struct stat *sb, int flag,
			struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int remove_tree(const char *path)
{
	return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Paths of the entries of directory path/sub ("" for path itself). */
static void list_dir(const char *path, const char *sub, char ***v, size_t *n, size_t *cap)
{
	char *dir = *sub ? xasprintf("%s/%s", path, sub) : xstrdup(path);
	/* never through a symbolic link: its target is not ours to remove */
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (fd >= 0 && !d)
		close(fd);
	while (d && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*v = xreallocarray(*v, *cap, sizeof(**v));
		}
		(*v)[(*n)++] = *sub ? xasprintf("%s/%s", sub, e->d_name) : xstrdup(e->d_name);
	}
	if (d)
		closedir(d);
	free(dir);
}

struct removal {
	const char *root;
	char **paths;       /* relative to root */
	size_t n;
	int rc;
};

static void remove_share(void *arg)
{
	struct removal *r = arg;

	for (size_t i = 0; i < r->n; i++) {
		char *p = xasprintf("%s/%s", r->root, r->paths[i]);
		if (remove_tree(p) != 0 && errno != ENOENT)
			r->rc = -1;
		free(p);
	}
}

/* A rendered tree is wide two levels down (realservers/HOST), and unlinking
 * in different directories runs in parallel in the kernel: the entries
 * two levels down are removed by `jobs` threads, the rest after them. */
int remove_tree_jobs(const char *path, unsigned jobs)
{
	char **top = NULL, **second = NULL;
	size_t ntop = 0, ctop = 0, nsecond = 0, csecond = 0;
	struct removal *r;
	int rc = 0;

	if (jobs <= 1)
		return remove_tree(path);
	list_dir(path, "", &top, &ntop, &ctop);
	for (size_t i = 0; i < ntop; i++)
		list_dir(path, top[i], &second, &nsecond, &csecond);
	r = xcalloc(jobs, sizeof(*r));
	for (size_t j = 0; j < jobs; j++)
		r[j] = (struct removal){ path, second + nsecond * j / jobs,
					 nsecond * (j + 1) / jobs - nsecond * j / jobs, 0 };
	run_each(r, jobs, sizeof(*r), remove_share);
	for (size_t j = 0; j < jobs; j++)
		rc |= r[j].rc;
	for (size_t i = 0; i < ntop; i++)
		free(top[i]);
	for (size_t i = 0; i < nsecond; i++)
		free(second[i]);
	free(top);
	free(second);
	free(r);
	return rc == 0 ? remove_tree(path) : -1;
}

int make_dirs(const char *path, mode_t mode)
{
	char *p = xstrdup(path);
	int rc = 0;

	for (char *s = p + 1; *s && rc == 0; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) != 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (rc == 0 && mkdir(p, mode) != 0 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

static int is_replaceable(const char *target, struct buf *err)
{
	struct stat st;
	char *marker;
	int ok;

	if (lstat(target, &st) != 0)
		return errno == ENOENT ? 1 : (buf_printf(err, "%s: %s", target, strerror(errno)), 0);
	if (!S_ISDIR(st.st_mode)) {
		buf_printf(err, "%s exists and is not a directory", target);
		return 0;
	}
	marker = xasprintf("%s/%s", target, OUTTREE_MARKER);
	ok = access(marker, F_OK) == 0;
	free(marker);
	if (!ok && rmdir(target) == 0)
		return 1; /* an empty directory: take it */
	if (!ok)
		buf_printf(err, "%s exists and was not written by cluster-gen (no %s); "
			   "refusing to replace it", target, OUTTREE_MARKER);
	return ok;
}

int outtree_begin(struct outtree *t, const char *target, struct buf *err)
{
	size_t n = strlen(target);

	while (n > 1 && target[n - 1] == '/')
		n--;
	t->target = xasprintf("%.*s", (int)n, target);
	t->tmp = xasprintf("%s.tmp-XXXXXX", t->target);
	t->tmpfd = -1;
	t->jobs = 1;
	t->umask = umask(022);
	umask(t->umask);
	if (!is_replaceable(t->target, err) || !mkdtemp(t->tmp) ||
	    (t->tmpfd = open(t->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		if (err->len == 0)
			buf_printf(err, "%s: %s", t->tmp, strerror(errno));
		return -1;
	}
	fchmod(t->tmpfd, 0755);
	return outtree_write(t, OUTTREE_MARKER, marker_text, sizeof(marker_text) - 1,
			     0644, err);
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* mkdir -p of dir (modified in place, restored) inside the temporary tree,
 * deepest first: usually only the last directory is missing. Threads
 * writing side by side may race to create the same directory, so EEXIST
 * is success. */
static int mkdir_p_at(int dirfd, char *dir)
{
	char *slash;
	int rc;

	if (mkdirat(dirfd, dir, 0755) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT || (slash = strrchr(dir, '/')) == NULL)
		return -1;
	*slash = '\0';
	rc = mkdir_p_at(dirfd, dir);
	*slash = '/';
	if (rc == 0 && mkdirat(dirfd, dir, 0755) != 0 && errno != EEXIST)
		rc = -1;
	return rc;
}

/* The directories above relpath. */
static int make_parents_at(int dirfd, const char *relpath)
{
	char *p = xstrdup(relpath);
	char *slash = strrchr(p, '/');
	int rc = 0;

	if (slash) {
		*slash = '\0';
		rc = mkdir_p_at(dirfd, p);
	}
	free(p);
	return rc;
}

static int write_error(const struct outtree *t, const char *relpath, struct buf *err)
{
	char msg[128];

	buf_printf(err, "%s/%s: %s", t->tmp, relpath, strerror_r(errno, msg, sizeof(msg)));
	return -1;
}

/* Length of path's directory part (0 for a top-level file). */
static size_t dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? (size_t)(slash - path) : 0;
}

/* Writers add a directory's files one after another, so a path whose
 * directory differs from the previous one's starts a new directory: making
 * it first saves the failed open that outtree_write would need to find out. */
int outtree_write_next(const struct outtree *t, const char *prev, const char *relpath,
		       const char *data, size_t len, mode_t mode, struct buf *err)
{
	size_t n = dir_len(relpath);

	if (n > 0 && (!prev || dir_len(prev) != n || memcmp(prev, relpath, n) != 0)) {
		char *dir = xasprintf("%.*s", (int)n, relpath);
		int rc = mkdir_p_at(t->tmpfd, dir);

		free(dir);
		if (rc != 0)
			return write_error(t, relpath, err);
	}
	return outtree_write(t, relpath, data, len, mode, err);
}

/* Keeps no state of its own, so threads may write into one tree at once. */
int outtree_write(const struct outtree *t, const char *relpath, const char *data,
		  size_t len, mode_t mode, struct buf *err)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC;
	int fd = openat(t->tmpfd, relpath, flags, mode);
	int rc = 0;

	/* The first file of a directory creates it: one failed open per
	 * directory instead of a mkdir per file. */
	if (fd < 0 && errno == ENOENT && make_parents_at(t->tmpfd, relpath) == 0)
		fd = openat(t->tmpfd, relpath, flags, mode);
	if (fd < 0)
		return write_error(t, relpath, err);
	if (write_all(fd, data, len) != 0 || ((mode & t->umask) && fchmod(fd, mode) != 0))
		rc = write_error(t, relpath, err);
	if (close(fd) != 0 && rc == 0)
		rc = write_error(t, relpath, err);
	return rc;
}

int outtree_commit(struct outtree *t, struct buf *err)
{
	int rc;

	if (renameat2(AT_FDCWD, t->tmp, AT_FDCWD, t->target, RENAME_NOREPLACE) == 0) {
		free(t->tmp);
		t->tmp = NULL;
		return 0;
	}
	if (errno != EEXIST) {
		buf_printf(err, "rename %s to %s: %s", t->tmp, t->target, strerror(errno));
		return -1;
	}
	if (renameat2(AT_FDCWD, t->tmp, AT_FDCWD, t->target, RENAME_EXCHANGE) != 0) {
		buf_printf(err, "rename %s to %s: %s", t->tmp, t->target, strerror(errno));
		return -1;
	}
	/* t->tmp now holds the previous tree: the new one is in place whatever
	 * happens to it. (Its removal runs in threads: errno says nothing.) */
	rc = remove_tree_jobs(t->tmp, t->jobs) == 0 ? 0 : OUTTREE_LEFTOVER;
	if (rc)
		buf_printf(err, "the previous tree, swapped out to %s, could not be removed whole",
			   t->tmp);
	free(t->tmp);
	t->tmp = NULL;
	return rc;
}

void outtree_end(struct outtree *t)
{
	if (t->tmpfd >= 0)
		close(t->tmpfd);
	if (t->tmp)
		remove_tree(t->tmp);
	free(t->tmp);
	free(t->target);
	t->tmp = t->target = NULL;
	t->tmpfd = -1;
}

const char *outtree_marker_text(void)
{
	return marker_text;
}
