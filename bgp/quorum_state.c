#include "quorum_state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The lock is held for microseconds; these only stop a stuck holder from
 * blocking keepalived's notify scripts forever. */
#define LOCK_MAX_TRIES 10000
#define LOCK_MAX_SECONDS 10
#define LOCK_PAUSE_NS 1000000L

#define NAME_MAX_LEN (ADDR_STRLEN + 1 + VS_STRLEN)
#define RECORD_MAX_LEN 96   /* "down BOOT-ID START PID\n" */
#define PID_MAX_LIMIT 4194304L   /* the kernel's largest pid_max */

/* Reads at most size - 1 bytes of a small file, NUL-terminated. */
static bool read_small(int dirfd, const char *path, char *text, size_t size)
{
	int fd = openat(dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, text, size - 1);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	return n > 0;
}

static bool boot_id_valid(const char *id)
{
	size_t n = strspn(id, "0123456789abcdef-");

	return n == 36 && id[n] == '\0';
}

bool fork_stamp_self(struct fork_stamp *s)
{
	char stat[1024], *paren;

	memset(s, 0, sizeof(*s));
	s->pid = (long)getpid();
	/* the command name in parentheses may hold anything: fields follow the last ')' */
	if (!read_small(AT_FDCWD, "/proc/self/stat", stat, sizeof(stat)) ||
	    !(paren = strrchr(stat, ')')) ||
	    sscanf(paren + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u"
		   " %*d %*d %*d %*d %*d %*d %llu", &s->start) != 1 ||
	    !read_small(AT_FDCWD, "/proc/sys/kernel/random/boot_id", s->boot, sizeof(s->boot))) {
		s->boot[0] = '\0';
		return false;
	}
	s->boot[strcspn(s->boot, "\n")] = '\0';
	if (!boot_id_valid(s->boot)) {
		s->boot[0] = '\0';
		return false;
	}
	return true;
}

long fork_pid_max(void)
{
	char text[32];
	long v;

	if (read_small(AT_FDCWD, "/proc/sys/kernel/pid_max", text, sizeof(text)) &&
	    sscanf(text, "%ld", &v) == 1 && v > 1 && v <= PID_MAX_LIMIT)
		return v;
	return PID_MAX_LIMIT;
}

bool fork_stamp_after(const struct fork_stamp *a, const struct fork_stamp *b, long pid_max)
{
	long d;

	if (!a->boot[0] || strcmp(a->boot, b->boot) != 0)
		return false;
	if (a->start != b->start)
		return a->start > b->start;
	d = ((a->pid - b->pid) % pid_max + pid_max) % pid_max;
	return d != 0 && d < pid_max / 2;
}

bool vs_parse(const char *text, char out[VS_STRLEN])
{
	const char *slash = strchr(text, '/');
	char *end;
	unsigned long port;

	if (!slash || slash - text != 3 ||
	    (strncmp(text, "udp", 3) != 0 && strncmp(text, "tcp", 3) != 0))
		return false;
	if (slash[1] < '0' || slash[1] > '9')
		return false;
	errno = 0;
	port = strtoul(slash + 1, &end, 10);
	if (errno || *end || port == 0 || port > 65535)
		return false;
	snprintf(out, VS_STRLEN, "%.3s-%lu", text, port);
	return true;
}

bool vs_list_parse(const char *text, struct vs_list *out)
{
	char *copy = xstrdup(text), *save = NULL, *item;
	bool ok = true;

	out->vs = NULL;
	out->n = 0;
	for (item = strtok_r(copy, ",", &save); item && ok; item = strtok_r(NULL, ",", &save)) {
		out->vs = xreallocarray(out->vs, out->n + 1, sizeof(*out->vs));
		ok = vs_parse(item, out->vs[out->n++]);
	}
	free(copy);
	if (!ok || out->n == 0) {
		vs_list_free(out);
		return false;
	}
	return true;
}

bool vs_list_has(const struct vs_list *l, const char *vs)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->vs[i], vs) == 0)
			return true;
	return false;
}

void vs_list_free(struct vs_list *l)
{
	free(l->vs);
	l->vs = NULL;
	l->n = 0;
}

static double elapsed_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
}

/* flock without LOCK_NB could wait forever; this waits a bounded time. */
static int lock_bounded(int fd)
{
	const struct timespec pause = { 0, LOCK_PAUSE_NS };
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (int i = 0; i < LOCK_MAX_TRIES; i++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return errno;
		if (elapsed_since(&start) >= LOCK_MAX_SECONDS)
			break;
		nanosleep(&pause, NULL);
	}
	return ETIMEDOUT;
}

/* The state decides whether a VIP is announced, so it must be ours alone:
 * a directory owned by our user that nobody else may write. Its fd, or -1
 * with errno (EPERM: there, but not ours alone). */
static int open_own_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd >= 0 && (fstat(fd, &st) != 0 || st.st_uid != geteuid() || (st.st_mode & 022))) {
		close(fd);
		fd = -1;
		errno = EPERM;
	}
	return fd;
}

/* open_own_dir, made when missing, with the reason in err. */
static int open_dir(const char *dir, struct buf *err)
{
	int fd;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		buf_printf(err, "state directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if ((fd = open_own_dir(dir)) < 0 && errno == EPERM)
		buf_printf(err, "state directory %s: not owned by uid %u or writable by others; refusing it",
			   dir, (unsigned)geteuid());
	else if (fd < 0)
		buf_printf(err, "state directory %s: %s", dir, strerror(errno));
	return fd;
}

int qstate_open(struct qstate *q, const char *dir, struct buf *err)
{
	int e;

	q->lockfd = -1;
	q->dirfd = open_dir(dir, err);
	if (q->dirfd < 0)
		return -1;
	q->lockfd = openat(q->dirfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	e = q->lockfd < 0 ? errno : lock_bounded(q->lockfd);
	if (e != 0) {
		buf_printf(err, "state directory %s: lock: %s", dir, strerror(e));
		qstate_close(q);
		return -1;
	}
	return 0;
}

void qstate_close(struct qstate *q)
{
	if (q->lockfd >= 0)
		close(q->lockfd);
	if (q->dirfd >= 0)
		close(q->dirfd);
	q->lockfd = q->dirfd = -1;
}

static void state_name(const struct addr *vip, const char *vs, char out[NAME_MAX_LEN])
{
	char a[ADDR_STRLEN];

	snprintf(out, NAME_MAX_LEN, "%s,%s", addr_str(vip, a), vs);
}

/* Written whole to tmp and renamed into place, so a reader never sees half. */
static int record_via(int dirfd, const char *tmp, const struct addr *vip, const char *vs, bool up,
		      const struct fork_stamp *stamp)
{
	char text[RECORD_MAX_LEN], name[NAME_MAX_LEN];
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	int len, e = 0;

	if (fd < 0)
		return errno;
	if (stamp && stamp->boot[0])
		len = snprintf(text, sizeof(text), "%s %s %llu %ld\n", up ? "up" : "down",
			       stamp->boot, stamp->start, stamp->pid);
	else
		len = snprintf(text, sizeof(text), "%s\n", up ? "up" : "down");
	if (write(fd, text, (size_t)len) != (ssize_t)len)
		e = errno ? errno : EIO;
	if (close(fd) != 0 && e == 0)
		e = errno;
	state_name(vip, vs, name);
	if (e == 0 && renameat(dirfd, tmp, dirfd, name) != 0)
		e = errno;
	if (e)
		unlinkat(dirfd, tmp, 0);
	return e;
}

int qstate_record(struct qstate *q, const struct addr *vip, const char *vs, bool up,
		  const struct fork_stamp *stamp)
{
	return record_via(q->dirfd, "new", vip, vs, up, stamp);
}

int qstate_record_unlocked(const char *dir, const struct addr *vip, const char *vs, bool up,
			   const struct fork_stamp *stamp)
{
	char tmp[32];
	int fd = open_own_dir(dir), e;

	if (fd < 0)
		return errno;
	/* a temporary name of its own: the lock holder may be writing "new" */
	snprintf(tmp, sizeof(tmp), "new.%ld", (long)getpid());
	e = record_via(fd, tmp, vip, vs, up, stamp);
	close(fd);
	return e;
}

/* A record: "up" or "down", then the reporter's stamp (none in a record of
 * an earlier release, or of a report whose stamp was unknown). */
static bool read_record(const struct qstate *q, const char *name, bool *up,
			struct fork_stamp *stamp)
{
	char text[RECORD_MAX_LEN], word[8], start[21];

	memset(stamp, 0, sizeof(*stamp));
	if (!read_small(q->dirfd, name, text, sizeof(text)) || !strchr(text, '\n') ||
	    sscanf(text, "%7s", word) != 1 || (strcmp(word, "up") != 0 && strcmp(word, "down") != 0))
		return false;
	*up = strcmp(word, "up") == 0;
	/* digits only: %llu alone would take "-1" for the largest start */
	if (sscanf(text, "%*s %39s %20[0-9] %ld", stamp->boot, start, &stamp->pid) != 3 ||
	    !boot_id_valid(stamp->boot) || stamp->pid <= 0)
		memset(stamp, 0, sizeof(*stamp));
	else
		stamp->start = strtoull(start, NULL, 10);
	return true;
}

static bool recorded_up(const struct qstate *q, const char *name)
{
	struct fork_stamp stamp;
	bool up;

	return read_record(q, name, &up, &stamp) && up;
}

bool qstate_recorded_later(struct qstate *q, const struct addr *vip, const char *vs,
			   const struct fork_stamp *stamp, long pid_max, long *pid)
{
	char name[NAME_MAX_LEN];
	struct fork_stamp recorded;
	bool up;

	state_name(vip, vs, name);
	if (!read_record(q, name, &up, &recorded) || !fork_stamp_after(&recorded, stamp, pid_max))
		return false;
	*pid = recorded.pid;
	return true;
}

/* Calls fn on each recorded virtual server of vip (the part after ','),
 * stopping when it returns false. Returns 0 or an errno value. */
static int each_recorded(const struct qstate *q, const struct addr *vip,
			 bool (*fn)(const struct qstate *, const char *name, void *), void *arg)
{
	char prefix[NAME_MAX_LEN];
	size_t plen;
	struct dirent *de;
	int fd = dup(q->dirfd);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);

	if (!d) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return e;
	}
	rewinddir(d);   /* the offset is shared with dirfd and earlier scans */
	state_name(vip, "", prefix);
	plen = strlen(prefix);
	while ((de = readdir(d)))
		if (strncmp(de->d_name, prefix, plen) == 0 && !fn(q, de->d_name, arg))
			break;
	closedir(d);
	return 0;
}

static bool unlink_one(const struct qstate *q, const char *name, void *arg)
{
	int *e = arg;

	if (unlinkat(q->dirfd, name, 0) != 0 && errno != ENOENT)
		*e = errno;
	return true;
}

int qstate_forget(struct qstate *q, const struct addr *vip)
{
	int e = 0, scan = each_recorded(q, vip, unlink_one, &e);

	return scan ? scan : e;
}

bool qstate_recorded_later_unlocked(const char *dir, const struct addr *vip, const char *vs,
				    const struct fork_stamp *stamp, long pid_max, long *pid)
{
	struct qstate q = { open_own_dir(dir), -1 };
	bool later;

	if (q.dirfd < 0)
		return false;
	later = qstate_recorded_later(&q, vip, vs, stamp, pid_max, pid);
	close(q.dirfd);
	return later;
}

static bool check_up(const struct qstate *q, const char *name, void *arg)
{
	char *missing = arg;

	if (recorded_up(q, name))
		return true;
	snprintf(missing, VS_STRLEN, "%s", strchr(name, ',') + 1);
	return false;
}

bool qstate_all_up(struct qstate *q, const struct addr *vip, const struct vs_list *of,
		   char missing[VS_STRLEN])
{
	char name[NAME_MAX_LEN];

	missing[0] = '\0';
	if (!of) {
		/* a failed scan cannot prove quorum: count it as down */
		if (each_recorded(q, vip, check_up, missing) != 0)
			snprintf(missing, VS_STRLEN, "?");
		return missing[0] == '\0';
	}
	for (size_t i = 0; i < of->n; i++) {
		state_name(vip, of->vs[i], name);
		if (!recorded_up(q, name)) {
			snprintf(missing, VS_STRLEN, "%s", of->vs[i]);
			return false;
		}
	}
	return true;
}
