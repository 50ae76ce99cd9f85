/* Unit tests of keepalived's rules for the programs it runs
 * (probes/script_check.c): each builds a small tree under /tmp with the
 * owners and modes of one case and checks the verdict. Needs root (to own
 * files as other users and to look as them) and fails when not root. */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../probes/script_check.h"
#include "buf.h"

#define NOBODY 65534
#define NOGROUP 65534
#define OTHER_GID 4242 /* a group no one is in */

struct tree {
	char base[64];
	char path[4096];
};

static int setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	if (!t || geteuid() != 0) {
		fprintf(stderr, "test_script_check must run as root (it chowns files)\n");
		free(t);
		return -1;
	}
	snprintf(t->base, sizeof(t->base), "/tmp/lvsdns-sc.XXXXXX");
	if (!mkdtemp(t->base) || chmod(t->base, 0755) != 0)
		return -1;
	*state = t;
	return 0;
}

static int remove_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

static int teardown(void **state)
{
	struct tree *t = *state;

	nftw(t->base, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

/* base/REL as a directory with owner, group and mode. */
static void make_dir(struct tree *t, const char *rel, uid_t u, gid_t g, mode_t mode)
{
	snprintf(t->path, sizeof(t->path), "%s/%s", t->base, rel);
	assert_int_equal(mkdir(t->path, 0700), 0);
	assert_int_equal(chown(t->path, u, g), 0);
	assert_int_equal(chmod(t->path, mode), 0);
}

/* base/REL as a small program; leaves its full path in t->path. */
static void make_prog(struct tree *t, const char *rel, uid_t u, gid_t g, mode_t mode)
{
	FILE *f;

	snprintf(t->path, sizeof(t->path), "%s/%s", t->base, rel);
	assert_non_null(f = fopen(t->path, "w"));
	fputs("#!/bin/sh\nexit 0\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chown(t->path, u, g), 0);
	assert_int_equal(chmod(t->path, mode), 0);
}

static const char *in(struct tree *t, const char *rel)
{
	snprintf(t->path, sizeof(t->path), "%s/%s", t->base, rel);
	return t->path;
}

static enum script_fault check(struct tree *t, const char *rel, uid_t u, gid_t g,
			       struct script_problem *p)
{
	return script_check(in(t, rel), u, g, p);
}

static void test_root_owned_program_runs_as_anyone(void **state)
{
	struct tree *t = *state;
	struct script_problem p;

	make_dir(t, "sbin", 0, 0, 0755);
	make_prog(t, "sbin/probe", 0, 0, 0755);
	assert_int_equal(check(t, "sbin/probe", 0, 0, &p), SCRIPT_OK);
	assert_int_equal(check(t, "sbin/probe", NOBODY, NOGROUP, &p), SCRIPT_OK);
	assert_int_equal(geteuid(), 0); /* looking as nobody gave the ids back */
	assert_int_equal(getegid(), 0);
}

static void test_missing_or_relative(void **state)
{
	struct tree *t = *state;
	struct script_problem p;

	assert_int_equal(check(t, "nothing", 0, 0, &p), SCRIPT_UNREACHABLE);
	assert_int_equal(p.err, ENOENT);
	assert_int_equal(script_check("sbin/probe", 0, 0, &p), SCRIPT_RELATIVE);
}

static void test_directory_the_user_cannot_search(void **state)
{
	struct tree *t = *state;
	struct script_problem p;

	make_dir(t, "private", 0, 0, 0700);
	make_prog(t, "private/probe", 0, 0, 0755);
	assert_int_equal(check(t, "private/probe", NOBODY, NOGROUP, &p), SCRIPT_UNREACHABLE);
	assert_int_equal(p.err, EACCES);
	assert_int_equal(geteuid(), 0);
	assert_int_equal(check(t, "private/probe", 0, 0, &p), SCRIPT_OK);
}

/* keepalived reads the mode bits, not access(2): an owner without u+x may
 * not run a file even if its group or others may, and root needs one x. */
static void test_mode_bits_alone(void **state)
{
	struct tree *t = *state;
	struct script_problem p;

	make_prog(t, "root-only", 0, 0, 0700);
	assert_int_equal(check(t, "root-only", NOBODY, NOGROUP, &p), SCRIPT_NOT_EXECUTABLE);
	assert_int_equal(p.mode & 07777, 0700);
	assert_int_equal(check(t, "root-only", 0, 0, &p), SCRIPT_OK);
	make_prog(t, "group-x", NOBODY, NOGROUP, 0075);
	assert_int_equal(check(t, "group-x", NOBODY, NOGROUP, &p), SCRIPT_NOT_EXECUTABLE);
	make_prog(t, "group-only", 0, NOGROUP, 0750);
	assert_int_equal(check(t, "group-only", NOBODY, NOGROUP, &p), SCRIPT_OK);
	assert_int_equal(check(t, "group-only", NOBODY, OTHER_GID, &p), SCRIPT_NOT_EXECUTABLE);
	make_prog(t, "no-x", 0, 0, 0644);
	assert_int_equal(check(t, "no-x", 0, 0, &p), SCRIPT_NOT_EXECUTABLE);
	make_prog(t, "group-x-only", 0, 0, 0010);
	assert_int_equal(check(t, "group-x-only", 0, 0, &p), SCRIPT_OK);
}

/* The directories on the way are searched with the script's group as the
 * effective group. */
static void test_search_as_the_scripts_group(void **state)
{
	struct tree *t = *state;
	struct script_problem p;

	make_dir(t, "grp", 0, OTHER_GID, 0750);
	make_prog(t, "grp/probe", 0, 0, 0755);
	assert_int_equal(check(t, "grp/probe", NOBODY, OTHER_GID, &p), SCRIPT_OK);
	assert_int_equal(check(t, "grp/probe", NOBODY, NOGROUP, &p), SCRIPT_UNREACHABLE);
	assert_int_equal(p.err, EACCES);
	assert_int_equal(getegid(), 0);
}

/* Only for root's commands does the type matter: keepalived keeps a
 * directory as another user's check (which then fails when run). */
static void test_a_directory_as_the_program(void **state)
{
	struct tree *t = *state;
	struct script_problem p;

	make_dir(t, "a-dir", 0, 0, 0755);
	assert_int_equal(check(t, "a-dir", 0, 0, &p), SCRIPT_WRONG_TYPE);
	assert_string_equal(p.at, in(t, "a-dir"));
	assert_int_equal(check(t, "a-dir", NOBODY, NOGROUP, &p), SCRIPT_OK);
}

/* As root the whole path is checked; as another user it is not. */
static void test_group_writable_directory(void **state)
{
	struct tree *t = *state;
	struct script_problem p;

	make_dir(t, "local", 0, OTHER_GID, 02775);
	make_prog(t, "local/guard", 0, 0, 0755);
	assert_int_equal(check(t, "local/guard", 0, 0, &p), SCRIPT_GROUP_WRITABLE);
	assert_string_equal(p.at, in(t, "local"));
	assert_int_equal(p.group, OTHER_GID);
	assert_int_equal(check(t, "local/guard", NOBODY, NOGROUP, &p), SCRIPT_OK);
	assert_int_equal(check(t, "local/guard", NOBODY, 0, &p), SCRIPT_GROUP_WRITABLE);
	make_dir(t, "rootgroup", 0, 0, 0775);
	make_prog(t, "rootgroup/guard", 0, 0, 0755);
	assert_int_equal(check(t, "rootgroup/guard", 0, 0, &p), SCRIPT_OK);
}

static void test_group_writable_file(void **state)
{
	struct tree *t = *state;
	struct script_problem p;

	make_prog(t, "guard", 0, OTHER_GID, 0775);
	assert_int_equal(check(t, "guard", 0, 0, &p), SCRIPT_GROUP_WRITABLE);
	assert_string_equal(p.at, in(t, "guard"));
}

static void test_world_writable_unless_sticky(void **state)
{
	struct tree *t = *state;
	struct script_problem p;

	make_dir(t, "open", 0, 0, 0777);
	make_prog(t, "open/guard", 0, 0, 0755);
	assert_int_equal(check(t, "open/guard", 0, 0, &p), SCRIPT_WORLD_WRITABLE);
	make_dir(t, "sticky", 0, 0, 01777);
	make_prog(t, "sticky/guard", 0, 0, 0755);
	assert_int_equal(check(t, "sticky/guard", 0, 0, &p), SCRIPT_OK);
	make_prog(t, "sticky/open", 0, 0, 0757);
	assert_int_equal(check(t, "sticky/open", 0, 0, &p), SCRIPT_WORLD_WRITABLE);
}

static void test_owner_not_root(void **state)
{
	struct tree *t = *state;
	struct script_problem p;

	make_dir(t, "theirs", NOBODY, 0, 0755);
	make_prog(t, "theirs/guard", 0, 0, 0755);
	assert_int_equal(check(t, "theirs/guard", 0, 0, &p), SCRIPT_NOT_ROOT_OWNED);
	assert_string_equal(p.at, in(t, "theirs"));
	assert_int_equal(p.owner, NOBODY);
	make_prog(t, "their-guard", NOBODY, 0, 0755);
	assert_int_equal(check(t, "their-guard", 0, 0, &p), SCRIPT_NOT_ROOT_OWNED);
}

/* keepalived runs the resolved path: a link on the way is neither refused
 * nor checked, and the directories the path leads to are. */
static void test_symbolic_links(void **state)
{
	struct tree *t = *state;
	struct script_problem p;
	char target[4096];

	make_dir(t, "usr", 0, 0, 0755);
	make_prog(t, "usr/guard", 0, 0, 0755);
	snprintf(target, sizeof(target), "%s", in(t, "usr"));
	assert_int_equal(symlink(target, in(t, "sbin")), 0);
	assert_int_equal(check(t, "sbin/guard", 0, 0, &p), SCRIPT_OK);

	make_dir(t, "shared", 0, OTHER_GID, 0775);
	snprintf(target, sizeof(target), "%s", in(t, "usr/guard"));
	assert_int_equal(symlink(target, in(t, "shared/guard-link")), 0);
	assert_int_equal(check(t, "shared/guard-link", 0, 0, &p), SCRIPT_OK);

	make_prog(t, "shared/guard", 0, 0, 0755);
	snprintf(target, sizeof(target), "%s", in(t, "shared/guard"));
	assert_int_equal(symlink(target, in(t, "usr/shared-guard")), 0);
	assert_int_equal(check(t, "usr/shared-guard", 0, 0, &p), SCRIPT_GROUP_WRITABLE);
	assert_string_equal(p.at, in(t, "shared"));
}

/* guard -> guard-1.2 in one directory: keepalived runs "guard", so the link
 * is checked as well as the file; its owner is the link's own (lchown). */
static void test_versioned_link_must_be_roots(void **state)
{
	struct tree *t = *state;
	struct script_problem p;
	char target[4096];

	make_dir(t, "sbin", 0, 0, 0755);
	make_prog(t, "sbin/guard-1.2", 0, 0, 0755);
	assert_int_equal(symlink("guard-1.2", in(t, "sbin/guard")), 0);
	assert_int_equal(check(t, "sbin/guard", 0, 0, &p), SCRIPT_OK);
	assert_int_equal(lchown(in(t, "sbin/guard"), NOBODY, NOGROUP), 0);
	assert_int_equal(check(t, "sbin/guard", 0, 0, &p), SCRIPT_NOT_ROOT_OWNED);
	assert_string_equal(p.at, in(t, "sbin/guard"));
	assert_int_equal(check(t, "sbin/guard", NOBODY, NOGROUP, &p), SCRIPT_OK);
	/* a link from elsewhere: its name in the file's directory is that link */
	make_dir(t, "bin", 0, 0, 0755);
	snprintf(target, sizeof(target), "%s", in(t, "sbin/guard-1.2"));
	assert_int_equal(symlink(target, in(t, "bin/guard")), 0);
	assert_int_equal(check(t, "bin/guard", 0, 0, &p), SCRIPT_NOT_ROOT_OWNED);
	assert_string_equal(p.at, in(t, "sbin/guard"));
	/* where there is no such name, only the file counts, not the link */
	assert_int_equal(symlink(target, in(t, "bin/other-guard")), 0);
	assert_int_equal(lchown(in(t, "bin/other-guard"), NOBODY, NOGROUP), 0);
	assert_int_equal(check(t, "bin/other-guard", 0, 0, &p), SCRIPT_OK);
}

/* A set-uid or set-gid root program is root's, whoever starts it (set-gid
 * counts only with the group's x bit). */
static void test_setuid_root_is_checked_as_root(void **state)
{
	struct tree *t = *state;
	struct script_problem p;

	make_dir(t, "local", 0, OTHER_GID, 0775);
	make_prog(t, "local/plain", 0, 0, 0755);
	make_prog(t, "local/suid", 0, 0, 04755);
	make_prog(t, "local/sgid", 0, 0, 02755);
	make_prog(t, "local/sgid-no-x", 0, 0, 02745);
	assert_int_equal(check(t, "local/plain", NOBODY, NOGROUP, &p), SCRIPT_OK);
	assert_int_equal(check(t, "local/suid", NOBODY, NOGROUP, &p), SCRIPT_GROUP_WRITABLE);
	assert_int_equal(check(t, "local/sgid", NOBODY, NOGROUP, &p), SCRIPT_GROUP_WRITABLE);
	assert_int_equal(check(t, "local/sgid-no-x", NOBODY, NOGROUP, &p), SCRIPT_OK);
}

static void test_text_names_the_part_and_the_fix(void **state)
{
	struct tree *t = *state;
	struct script_problem p;
	struct buf msg, hint;
	char want[4200];

	make_dir(t, "local", 0, OTHER_GID, 0775);
	make_prog(t, "local/guard", 0, 0, 0755);
	check(t, "local/guard", 0, 0, &p);
	buf_init(&msg);
	buf_init(&hint);
	script_problem_text(&p, "root:root", &msg, &hint);
	snprintf(want, sizeof(want), "group 4242 may write to %s, and keepalived runs nothing as "
		 "root from a path others may change", in(t, "local"));
	assert_string_equal(msg.data, want);
	snprintf(want, sizeof(want), "chmod g-w %s, or install into a directory only root may "
		 "write (such as /usr/sbin)", in(t, "local"));
	assert_string_equal(hint.data, want);

	buf_reset(&msg);
	buf_reset(&hint);
	make_prog(t, "root-only", 0, 0, 0700);
	check(t, "root-only", NOBODY, NOGROUP, &p);
	script_problem_text(&p, "nobody", &msg, &hint);
	snprintf(want, sizeof(want), "nobody may not execute %s (mode 0700; keepalived judges by "
		 "the mode bits alone)", in(t, "root-only"));
	assert_string_equal(msg.data, want);

	buf_reset(&msg);
	buf_reset(&hint);
	make_dir(t, "theirs", NOBODY, 0, 0755);
	make_prog(t, "theirs/guard", 0, 0, 0755);
	check(t, "theirs/guard", 0, 0, &p);
	script_problem_text(&p, "root:root", &msg, &hint);
	snprintf(want, sizeof(want), "%s belongs to nobody, not root, and keepalived runs nothing "
		 "as root from a path others may change", in(t, "theirs"));
	assert_string_equal(msg.data, want);
	snprintf(want, sizeof(want), "chown root %s", in(t, "theirs"));
	assert_string_equal(hint.data, want);
	buf_free(&msg);
	buf_free(&hint);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_root_owned_program_runs_as_anyone),
		T(test_missing_or_relative),
		T(test_directory_the_user_cannot_search),
		T(test_mode_bits_alone),
		T(test_search_as_the_scripts_group),
		T(test_a_directory_as_the_program),
		T(test_versioned_link_must_be_roots),
		T(test_group_writable_directory),
		T(test_group_writable_file),
		T(test_world_writable_unless_sticky),
		T(test_owner_not_root),
		T(test_symbolic_links),
		T(test_setuid_root_is_checked_as_root),
		T(test_text_names_the_part_and_the_fix),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
