/* Unit tests of the VIP guard's quorum state (bgp/quorum_state.c): which
 * virtual server names it accepts, and when a VIP may be on. Runs in a
 * temporary directory of its own; needs no privileges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../bgp/quorum_state.h"
#include "outtree.h"

static void test_vs_names(void **state)
{
	char vs[VS_STRLEN];

	(void)state;
	assert_true(vs_parse("udp/53", vs));
	assert_string_equal(vs, "udp-53");
	assert_true(vs_parse("tcp/65535", vs));
	assert_string_equal(vs, "tcp-65535");
	const char *bad[] = { "udp", "udp/", "udp/0", "udp/65536", "udp/53x", "udp/-1",
			      "udp/+53", "sctp/53", "UDP/53", "udpx/53", "/53", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(vs_parse(bad[i], vs));
}

static void test_vs_lists(void **state)
{
	struct vs_list l;

	(void)state;
	assert_true(vs_list_parse("udp/53,tcp/53", &l));
	assert_int_equal(l.n, 2);
	assert_true(vs_list_has(&l, "tcp-53"));
	assert_false(vs_list_has(&l, "tcp-54"));
	vs_list_free(&l);
	assert_false(vs_list_parse("udp/53,bogus", &l));
	assert_int_equal(l.n, 0);
	assert_null(l.vs);
	assert_false(vs_list_parse(",", &l));
	assert_false(vs_list_parse("", &l));
}

struct fixture {
	char parent[32];
	char dir[48];
	struct qstate q;
	struct addr vip, other;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct buf err;
	int rc;

	if (!f)
		return -1;
	snprintf(f->parent, sizeof(f->parent), "/tmp/lvsdns-qstate-XXXXXX");
	if (!mkdtemp(f->parent))
		return -1;
	/* a missing directory: qstate_open makes it */
	snprintf(f->dir, sizeof(f->dir), "%s/state", f->parent);
	buf_init(&err);
	rc = qstate_open(&f->q, f->dir, &err);
	buf_free(&err);
	if (rc != 0)
		return -1;
	addr_parse("192.0.2.1", &f->vip);
	addr_parse("192.0.2.10", &f->other);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	qstate_close(&f->q);
	remove_tree(f->parent);
	free(f);
	return 0;
}

static void test_directory_is_private(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	assert_int_equal(stat(f->dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
}

static void test_every_listed_vs_must_be_up(void **state)
{
	struct fixture *f = *state;
	struct vs_list of;
	char missing[VS_STRLEN];

	assert_true(vs_list_parse("udp/53,tcp/53", &of));
	assert_int_equal(qstate_record(&f->q, &f->vip, "udp-53", true, NULL), 0);
	/* tcp never reported: down */
	assert_false(qstate_all_up(&f->q, &f->vip, &of, missing));
	assert_string_equal(missing, "tcp-53");
	assert_int_equal(qstate_record(&f->q, &f->vip, "tcp-53", true, NULL), 0);
	assert_true(qstate_all_up(&f->q, &f->vip, &of, missing));
	assert_int_equal(qstate_record(&f->q, &f->vip, "udp-53", false, NULL), 0);
	assert_false(qstate_all_up(&f->q, &f->vip, &of, missing));
	assert_string_equal(missing, "udp-53");
	vs_list_free(&of);
}

static void test_without_list_the_reported_ones_count(void **state)
{
	struct fixture *f = *state;
	char missing[VS_STRLEN];

	assert_int_equal(qstate_record(&f->q, &f->vip, "udp-53", true, NULL), 0);
	assert_true(qstate_all_up(&f->q, &f->vip, NULL, missing));
	assert_int_equal(qstate_record(&f->q, &f->vip, "tcp-53", false, NULL), 0);
	assert_false(qstate_all_up(&f->q, &f->vip, NULL, missing));
	assert_string_equal(missing, "tcp-53");
	/* 192.0.2.10 shares a prefix with 192.0.2.1 but not its reports */
	assert_int_equal(qstate_record(&f->q, &f->other, "udp-53", true, NULL), 0);
	assert_true(qstate_all_up(&f->q, &f->other, NULL, missing));
}

static void test_forget_drops_one_vip(void **state)
{
	struct fixture *f = *state;
	char missing[VS_STRLEN];

	assert_int_equal(qstate_record(&f->q, &f->vip, "tcp-53", false, NULL), 0);
	assert_int_equal(qstate_record(&f->q, &f->other, "tcp-53", false, NULL), 0);
	assert_int_equal(qstate_forget(&f->q, &f->vip), 0);
	assert_int_equal(qstate_record(&f->q, &f->vip, "udp-53", true, NULL), 0);
	assert_true(qstate_all_up(&f->q, &f->vip, NULL, missing));
	assert_int_equal(qstate_record(&f->q, &f->other, "udp-53", true, NULL), 0);
	assert_false(qstate_all_up(&f->q, &f->other, NULL, missing));
}

static void test_refuses_a_directory_others_may_write(void **state)
{
	char dir[32] = "/tmp/lvsdns-qstate-XXXXXX";
	struct qstate q;
	struct buf err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0777), 0);
	buf_init(&err);
	assert_int_equal(qstate_open(&q, dir, &err), -1);
	assert_non_null(strstr(err.data, "writable by others; refusing it"));
	buf_free(&err);
	rmdir(dir);
}

/* ---- putting reports back in keepalived's fork order ---- */

#define BOOT "0f6c3a52-9c1e-4c2b-8a8e-2d1f1a7e0b11"

static struct fork_stamp stamp(const char *boot, unsigned long long start, long pid)
{
	struct fork_stamp s = { .start = start, .pid = pid };

	snprintf(s.boot, sizeof(s.boot), "%s", boot);
	return s;
}

static void test_stamps_order_forks(void **state)
{
	struct fork_stamp a = stamp(BOOT, 500, 100), b = stamp(BOOT, 501, 90);
	struct fork_stamp wrapped = stamp(BOOT, 500, 5), late = stamp(BOOT, 500, 32760);
	struct fork_stamp other_boot = stamp("1f6c3a52-9c1e-4c2b-8a8e-2d1f1a7e0b11", 900, 1);
	struct fork_stamp unknown = stamp("", 900, 1);

	(void)state;
	/* a later tick wins over a smaller pid */
	assert_true(fork_stamp_after(&b, &a, 32768));
	assert_false(fork_stamp_after(&a, &b, 32768));
	/* one tick: by pid, round pid_max */
	b = stamp(BOOT, 500, 101);
	assert_true(fork_stamp_after(&b, &a, 32768));
	assert_false(fork_stamp_after(&a, &b, 32768));
	assert_true(fork_stamp_after(&wrapped, &late, 32768));
	assert_false(fork_stamp_after(&late, &wrapped, 32768));
	assert_false(fork_stamp_after(&a, &a, 32768));
	/* another boot, or an unknown stamp, orders nothing either way */
	assert_false(fork_stamp_after(&other_boot, &a, 32768));
	assert_false(fork_stamp_after(&a, &other_boot, 32768));
	assert_false(fork_stamp_after(&unknown, &a, 32768));
	assert_false(fork_stamp_after(&a, &unknown, 32768));
}

/* A child's stamp, as /proc tells it, is after its parent's. */
static void test_own_stamp_from_proc(void **state)
{
	struct fork_stamp parent, child;
	int fds[2];
	pid_t pid;

	(void)state;
	assert_true(fork_stamp_self(&parent));
	assert_int_equal(parent.pid, getpid());
	assert_int_equal(strlen(parent.boot), 36);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		bool ok = fork_stamp_self(&child);

		_exit(ok && write(fds[1], &child, sizeof(child)) == (ssize_t)sizeof(child) ? 0 : 1);
	}
	assert_int_equal(read(fds[0], &child, sizeof(child)), (ssize_t)sizeof(child));
	waitpid(pid, NULL, 0);
	close(fds[0]);
	close(fds[1]);
	assert_int_equal(child.pid, pid);
	assert_string_equal(child.boot, parent.boot);
	assert_true(fork_stamp_after(&child, &parent, fork_pid_max()));
	assert_false(fork_stamp_after(&parent, &child, fork_pid_max()));
	assert_true(fork_pid_max() > 1);
}

static void test_recorded_later_report(void **state)
{
	struct fixture *f = *state;
	struct fork_stamp first = stamp(BOOT, 700, 200), second = stamp(BOOT, 700, 201);
	struct fork_stamp third = stamp(BOOT, 703, 150);
	char missing[VS_STRLEN], path[96];
	long pid = 0;
	FILE *old;

	/* the second fork ran first and is recorded: the first comes late */
	assert_int_equal(qstate_record(&f->q, &f->vip, "udp-53", true, &second), 0);
	assert_true(qstate_recorded_later(&f->q, &f->vip, "udp-53", &first, 32768, &pid));
	assert_int_equal(pid, 201);
	assert_false(qstate_recorded_later(&f->q, &f->vip, "udp-53", &third, 32768, &pid));
	/* other virtual servers and VIPs have their own order */
	assert_false(qstate_recorded_later(&f->q, &f->vip, "tcp-53", &first, 32768, &pid));
	assert_false(qstate_recorded_later(&f->q, &f->other, "udp-53", &first, 32768, &pid));
	/* a stamped record still reads as its quorum */
	assert_true(qstate_all_up(&f->q, &f->vip, NULL, missing));
	assert_int_equal(qstate_record(&f->q, &f->vip, "udp-53", false, &third), 0);
	assert_false(qstate_all_up(&f->q, &f->vip, NULL, missing));
	/* a record without a stamp (an unknown one, or an earlier release's) orders nothing */
	assert_int_equal(qstate_record(&f->q, &f->vip, "udp-53", true, NULL), 0);
	assert_false(qstate_recorded_later(&f->q, &f->vip, "udp-53", &first, 32768, &pid));
	assert_true(qstate_all_up(&f->q, &f->vip, NULL, missing));
	snprintf(path, sizeof(path), "%s/192.0.2.1,udp-53", f->dir);
	assert_non_null(old = fopen(path, "w"));
	fputs("down\n", old);
	fclose(old);
	assert_false(qstate_all_up(&f->q, &f->vip, NULL, missing));
	assert_false(qstate_recorded_later(&f->q, &f->vip, "udp-53", &first, 32768, &pid));
	/* a start that is not digits orders nothing (not "-1", the largest) */
	assert_non_null(old = fopen(path, "w"));
	fputs("up " BOOT " -1 300\n", old);
	fclose(old);
	assert_true(qstate_all_up(&f->q, &f->vip, NULL, missing));
	assert_false(qstate_recorded_later(&f->q, &f->vip, "udp-53", &first, 32768, &pid));
	/* and the same record written right orders */
	assert_non_null(old = fopen(path, "w"));
	fputs("up " BOOT " 900 300\n", old);
	fclose(old);
	assert_true(qstate_recorded_later(&f->q, &f->vip, "udp-53", &first, 32768, &pid));
	assert_false(qstate_recorded_later_unlocked("/nonexistent", &f->vip, "udp-53", &first,
						    32768, &pid));
	assert_true(qstate_recorded_later_unlocked(f->dir, &f->vip, "udp-53", &first, 32768, &pid));
	/* written without the lock (as the lock is held here): it reads as any record */
	assert_int_equal(qstate_record_unlocked(f->dir, &f->vip, "udp-53", false, &third), 0);
	assert_false(qstate_all_up(&f->q, &f->vip, NULL, missing));
	assert_true(qstate_recorded_later(&f->q, &f->vip, "udp-53", &first, 32768, &pid));
	assert_int_equal(pid, 150);
	snprintf(path, sizeof(path), "%s/new.%ld", f->dir, (long)getpid());
	assert_int_equal(access(path, F_OK), -1);
	assert_int_not_equal(qstate_record_unlocked("/nonexistent", &f->vip, "udp-53", false, &third), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vs_names),
		cmocka_unit_test(test_vs_lists),
		cmocka_unit_test_setup_teardown(test_directory_is_private, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_listed_vs_must_be_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_without_list_the_reported_ones_count, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_forget_drops_one_vip, setup, teardown),
		cmocka_unit_test(test_refuses_a_directory_others_may_write),
		cmocka_unit_test(test_stamps_order_forks),
		cmocka_unit_test(test_own_stamp_from_proc),
		cmocka_unit_test_setup_teardown(test_recorded_later_report, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
