/* keepalived's rules for the programs it runs; script_check.h states them. */
#include "script_check.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"

static enum script_fault fault(struct script_problem *p, enum script_fault f, const char *at,
			       const struct stat *st, int err)
{
	p->fault = f;
	snprintf(p->at, sizeof(p->at), "%s", at);
	p->err = err;
	if (st) {
		p->mode = (unsigned)st->st_mode;
		p->owner = st->st_uid;
		p->group = st->st_gid;
	}
	return f;
}

/* realpath() with uid:gid as the effective ids, as keepalived looks before it
 * runs a script; the effective ids are switched back before returning. On
 * failure returns NULL and sets p (SCRIPT_IDENTITY or SCRIPT_UNREACHABLE). */
static char *reach_as(const char *path, uid_t uid, gid_t gid, struct script_problem *p)
{
	uid_t our_uid = geteuid();
	gid_t our_gid = getegid();
	char *real;

	if ((gid != our_gid && setegid(gid) != 0) || (uid != our_uid && seteuid(uid) != 0)) {
		fault(p, SCRIPT_IDENTITY, path, NULL, errno);
		if (getegid() != our_gid && setegid(our_gid) != 0)
			abort(); /* we could not take back what we held */
		return NULL;
	}
	real = realpath(path, NULL);
	if (!real)
		fault(p, SCRIPT_UNREACHABLE, path, NULL, errno);
	if ((uid != our_uid && seteuid(our_uid) != 0) || (gid != our_gid && setegid(our_gid) != 0))
		abort(); /* running on with another identity would be worse */
	return real;
}

/* keepalived's own test: the mode bits alone, not access(2). */
static bool executable_by(const struct stat *st, uid_t uid, gid_t gid)
{
	if (uid == 0)
		return st->st_mode & (S_IXUSR | S_IXGRP | S_IXOTH);
	if (uid == st->st_uid)
		return st->st_mode & S_IXUSR;
	if (gid == st->st_gid)
		return st->st_mode & S_IXGRP;
	return st->st_mode & S_IXOTH;
}

/* A script that runs with root's ids, or is set-id root, gets its whole path
 * checked: anyone who may change a part of it could run code as root. */
static bool needs_protection(const struct stat *st, uid_t uid, gid_t gid)
{
	return uid == 0 || gid == 0 ||
	       (st->st_uid == 0 && (st->st_mode & S_IXUSR) && (st->st_mode & S_ISUID)) ||
	       (st->st_gid == 0 && (st->st_mode & S_IXGRP) && (st->st_mode & S_ISGID));
}

/* One part of a path: a directory, or (last) the file itself, which may be a
 * symbolic link (the alias_of entry). */
static enum script_fault check_part(const char *part, bool last, struct script_problem *p)
{
	struct stat st;
	bool writable_shared;

	if (lstat(part, &st) != 0)
		return fault(p, SCRIPT_UNREACHABLE, part, NULL, errno);
	if (last ? !(S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) : !S_ISDIR(st.st_mode))
		return fault(p, SCRIPT_WRONG_TYPE, part, &st, 0);
	if (st.st_uid != 0)
		return fault(p, SCRIPT_NOT_ROOT_OWNED, part, &st, 0);
	writable_shared = S_ISREG(st.st_mode) || (S_ISDIR(st.st_mode) && !(st.st_mode & S_ISVTX));
	if (writable_shared && st.st_gid != 0 && (st.st_mode & S_IWGRP))
		return fault(p, SCRIPT_GROUP_WRITABLE, part, &st, 0);
	if (writable_shared && (st.st_mode & S_IWOTH))
		return fault(p, SCRIPT_WORLD_WRITABLE, part, &st, 0);
	return SCRIPT_OK;
}

/* Every prefix of a path up to each '/', "/" first, then the whole. */
static enum script_fault check_path_parts(const char *path, struct script_problem *p)
{
	char part[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(part))
		return fault(p, SCRIPT_UNREACHABLE, path, NULL, ENAMETOOLONG);
	for (size_t i = 0; i <= n; i++) {
		if (i < n && path[i] != '/')
			continue;
		memcpy(part, path, i ? i : 1);
		part[i ? i : 1] = '\0';
		if (check_part(part, i == n, p) != SCRIPT_OK)
			return p->fault;
	}
	return SCRIPT_OK;
}

/* A program reached through a link of another name (guard -> guard-1.2):
 * where that name, in the directory of the file it leads to, is the same
 * file, keepalived runs it by that name and checks that entry too. Writes the
 * entry's path to out and returns true in that case. */
static bool alias_of(const char *path, const char *real, const struct stat *real_st, char *out,
		     size_t n)
{
	const char *name = strrchr(path, '/') + 1, *real_name = strrchr(real, '/') + 1;
	struct stat st;

	if (!strcmp(path, real) || !strcmp(name, real_name) ||
	    snprintf(out, n, "%.*s%s", (int)(real_name - real), real, name) >= (int)n)
		return false;
	return stat(out, &st) == 0 && st.st_dev == real_st->st_dev && st.st_ino == real_st->st_ino;
}

enum script_fault script_check(const char *path, uid_t uid, gid_t gid, struct script_problem *p)
{
	struct stat st;
	char *real, alias[PATH_MAX];

	memset(p, 0, sizeof(*p));
	if (path[0] != '/')
		return fault(p, SCRIPT_RELATIVE, path, NULL, 0);
	if (!(real = reach_as(path, uid, gid, p)))
		return p->fault;
	if (stat(real, &st) != 0)
		fault(p, SCRIPT_UNREACHABLE, real, NULL, errno);
	else if (!executable_by(&st, uid, gid))
		fault(p, SCRIPT_NOT_EXECUTABLE, real, &st, 0);
	else if (needs_protection(&st, uid, gid) &&
		 (!alias_of(path, real, &st, alias, sizeof(alias)) ||
		  check_path_parts(alias, p) == SCRIPT_OK))
		check_path_parts(real, p);
	free(real);
	return p->fault;
}

/* A user's or group's name, or its number where it has none. */
static void name_or_number(const char *name, unsigned id, char *out, size_t n)
{
	if (name)
		snprintf(out, n, "%s", name);
	else
		snprintf(out, n, "%u", id);
}

void script_problem_text(const struct script_problem *p, const char *who, struct buf *msg,
			 struct buf *hint)
{
	char name[256];
	struct passwd *pw;
	struct group *gr;
	const char *as_root = "and keepalived runs nothing as root from a path others may change";

	switch (p->fault) {
	case SCRIPT_OK:
		break;
	case SCRIPT_RELATIVE:
		buf_puts(msg, "not an absolute path");
		buf_puts(hint, "keepalived would look for it in its own PATH; give the full path");
		break;
	case SCRIPT_IDENTITY:
		buf_printf(msg, "cannot take on the ids of %s to look: %s", who, strerror(p->err));
		buf_puts(hint, "run this check as root, as keepalived's preflight drop-in does");
		break;
	case SCRIPT_UNREACHABLE:
		buf_printf(msg, "%s cannot reach %s: %s", who, p->at, strerror(p->err));
		if (p->err == EACCES)
			buf_printf(hint, "every directory on the way must be searchable (x) by %s", who);
		else if (p->err == ENOENT)
			buf_puts(hint, "install it there, or correct its path in the site file");
		break;
	case SCRIPT_WRONG_TYPE:
		/* the parts on the way are a resolved path's: directories */
		buf_printf(msg, "%s is %s, and keepalived runs as root only a regular file", p->at,
			   S_ISDIR(p->mode) ? "a directory" : "neither a directory nor a regular file");
		break;
	case SCRIPT_NOT_EXECUTABLE:
		buf_printf(msg, "%s may not execute %s (mode %04o; keepalived judges by the mode bits alone)",
			   who, p->at, p->mode & 07777u);
		buf_printf(hint, "chmod 0755 %s", p->at);
		break;
	case SCRIPT_NOT_ROOT_OWNED:
		pw = getpwuid(p->owner);
		name_or_number(pw ? pw->pw_name : NULL, (unsigned)p->owner, name, sizeof(name));
		buf_printf(msg, "%s belongs to %s, not root, %s", p->at, name, as_root);
		buf_printf(hint, "chown root %s", p->at);
		break;
	case SCRIPT_GROUP_WRITABLE:
		gr = getgrgid(p->group);
		name_or_number(gr ? gr->gr_name : NULL, (unsigned)p->group, name, sizeof(name));
		buf_printf(msg, "group %s may write to %s, %s", name, p->at, as_root);
		buf_printf(hint, "chmod g-w %s, or install into a directory only root may write "
			   "(such as /usr/sbin)", p->at);
		break;
	case SCRIPT_WORLD_WRITABLE:
		buf_printf(msg, "everyone may write to %s, %s", p->at, as_root);
		buf_printf(hint, "chmod o-w %s", p->at);
		break;
	}
}
