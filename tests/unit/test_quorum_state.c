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
	assert_int_equal(qstate_record(&f->q, &f->vip, "udp-53", true), 0);
	/* tcp never reported: down */
	assert_false(qstate_all_up(&f->q, &f->vip, &of, missing));
	assert_string_equal(missing, "tcp-53");
	assert_int_equal(qstate_record(&f->q, &f->vip, "tcp-53", true), 0);
	assert_true(qstate_all_up(&f->q, &f->vip, &of, missing));
	assert_int_equal(qstate_record(&f->q, &f->vip, "udp-53", false), 0);
	assert_false(qstate_all_up(&f->q, &f->vip, &of, missing));
	assert_string_equal(missing, "udp-53");
	vs_list_free(&of);
}

static void test_without_list_the_reported_ones_count(void **state)
{
	struct fixture *f = *state;
	char missing[VS_STRLEN];

	assert_int_equal(qstate_record(&f->q, &f->vip, "udp-53", true), 0);
	assert_true(qstate_all_up(&f->q, &f->vip, NULL, missing));
	assert_int_equal(qstate_record(&f->q, &f->vip, "tcp-53", false), 0);
	assert_false(qstate_all_up(&f->q, &f->vip, NULL, missing));
	assert_string_equal(missing, "tcp-53");
	/* 192.0.2.10 shares a prefix with 192.0.2.1 but not its reports */
	assert_int_equal(qstate_record(&f->q, &f->other, "udp-53", true), 0);
	assert_true(qstate_all_up(&f->q, &f->other, NULL, missing));
}

static void test_forget_drops_one_vip(void **state)
{
	struct fixture *f = *state;
	char missing[VS_STRLEN];

	assert_int_equal(qstate_record(&f->q, &f->vip, "tcp-53", false), 0);
	assert_int_equal(qstate_record(&f->q, &f->other, "tcp-53", false), 0);
	assert_int_equal(qstate_forget(&f->q, &f->vip), 0);
	assert_int_equal(qstate_record(&f->q, &f->vip, "udp-53", true), 0);
	assert_true(qstate_all_up(&f->q, &f->vip, NULL, missing));
	assert_int_equal(qstate_record(&f->q, &f->other, "udp-53", true), 0);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
