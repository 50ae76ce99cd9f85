/* Will keepalived run this program? keepalived 2.2.7 (Debian 12) checks every
 * script it is given when it starts (MISC_CHECK's misc_path, quorum_up and
 * quorum_down) and silently drops the ones it will not run. A dropped
 * MISC_CHECK leaves its real server with no checker, which keepalived counts
 * as up; a dropped quorum_down never takes a VIP off. script_check applies
 * the same rules beforehand, so that keepalived's unit can refuse to start
 * instead. The rules, as keepalived's lib/notify.c applies them:
 *  - the path is resolved (realpath) with the script's uid and gid as the
 *    effective ids, so every directory on the way must be searchable by them;
 *    from then on keepalived runs the resolved path, so symbolic links on the
 *    way are neither refused nor checked;
 *  - the file is executable by that uid:gid, judged on the mode bits alone
 *    (owner, else group, else other; uid 0 needs any x bit);
 *  - when the script runs as uid 0 or gid 0 (or is set-uid/gid root), every
 *    part of the resolved path must be owned by root, be a directory (the
 *    file itself a regular file), and none may be writable by a group other
 *    than root or by everyone (a sticky directory may be). Where the path's
 *    last part is a link of another name to a file in its own directory
 *    (guard -> guard-1.2), keepalived runs that name, and the link itself
 *    must be root's too. */
#ifndef LVSDNS_SCRIPT_CHECK_H
#define LVSDNS_SCRIPT_CHECK_H

#include <sys/types.h>

enum script_fault {
	SCRIPT_OK = 0,
	SCRIPT_RELATIVE,        /* not an absolute path */
	SCRIPT_UNREACHABLE,     /* at = the path, or a part of it, that failed (err) */
	SCRIPT_WRONG_TYPE,      /* at = a part that is not a directory (the file: not regular) */
	SCRIPT_NOT_EXECUTABLE,  /* mode bits say no for uid:gid */
	SCRIPT_NOT_ROOT_OWNED,  /* at = a part owned by st_uid */
	SCRIPT_GROUP_WRITABLE,  /* at = a part writable by group st_gid */
	SCRIPT_WORLD_WRITABLE,  /* at = a part writable by everyone */
	SCRIPT_IDENTITY,        /* could not take on uid:gid to look (err) */
};

struct script_problem {
	enum script_fault fault;
	char at[4096];          /* the path, or the part of the resolved path, at fault */
	int err;                /* errno, for SCRIPT_UNREACHABLE and SCRIPT_IDENTITY */
	unsigned mode;          /* st_mode of `at` (or of the file) */
	uid_t owner;
	gid_t group;
};

/* Checks `path` as keepalived would before running it as uid:gid. Taking on
 * those ids to reach the path needs root unless they are the caller's own;
 * the caller's ids are restored before returning. Returns p->fault. */
enum script_fault script_check(const char *path, uid_t uid, gid_t gid, struct script_problem *p);

struct buf;
/* What is wrong, for a person: appends one sentence to msg and, where one
 * helps, a fix to hint. `who` names the ids checked, e.g. "nobody". */
void script_problem_text(const struct script_problem *p, const char *who, struct buf *msg,
			 struct buf *hint);

#endif
