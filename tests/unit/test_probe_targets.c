/* The watch-mode targets file (probes/targets.c): fields, comments, every
 * error with its line, and what SIGHUP counts as "unchanged"; and what a
 * target's state file may say at start-up (probes/statefile.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "../../probes/statefile.h"
#include "../../probes/targets.h"

static struct opts base;

static int setup(void **state)
{
	char err[ARGS_ERR_MAX];
	char *argv[] = { "dnsprobe", "--watch", "t", "-f", "SERVFAIL", "-m", "1", NULL };
	(void)state;
	return args_parse(7, argv, &base, err, sizeof(err)) ? 0 : -1;
}

static void parses_lines(void **state)
{
	(void)state;
	const char *text =
		"# id source server port qname qtype transport interval timeout tries rise fall state\n"
		"\n"
		"kai-a 10.1.53.1 10.1.53.2 53 resolve.test.example A udp 6000 1000 5 2 3 /run/a # trailing\n"
		"  kai-b\t-\t2001:db8::2 5353 Resolve.Test.Example. aaaa udp-tcp 100 50 2 1 1 /run/b\r\n";
	struct target_conf *t;
	struct diags d;
	char a[ADDR_STRLEN];

	diags_init(&d, "targets");
	size_t n = targets_parse(text, &base, &t, &d);
	assert_int_equal(d.n, 0);
	assert_int_equal(n, 2);
	assert_string_equal(t[0].id, "kai-a");
	assert_string_equal(addr_str(&t[0].check.ep.source, a), "10.1.53.1");
	assert_string_equal(addr_str(&t[0].check.ep.server, a), "10.1.53.2");
	assert_int_equal(t[0].check.ep.port, 53);
	assert_int_equal(t[0].check.q.qtype, QTYPE_A);
	assert_int_equal(t[0].transport, TM_UDP);
	assert_false(t[0].check.expect.tcp_fallback);
	assert_int_equal(t[0].interval_ms, 6000);
	assert_int_equal(t[0].timeout_ms, 1000);
	assert_int_equal(t[0].tries, 5);
	assert_int_equal(t[0].rise, 2);
	assert_int_equal(t[0].fall, 3);
	assert_string_equal(t[0].state_file, "/run/a");
	assert_int_equal(t[0].line, 3);
	/* options from the command line apply to every target */
	assert_int_equal(t[0].check.expect.fail_rcodes, 1u << RCODE_SERVFAIL);
	assert_int_equal(t[0].check.expect.min_answers, 1);
	assert_int_equal(t[1].check.ep.source.family, 0);
	assert_int_equal(t[1].check.ep.server.family, AF_INET6);
	assert_int_equal(t[1].check.q.qtype, QTYPE_AAAA);
	assert_true(t[1].check.expect.tcp_fallback);
	assert_string_equal(t[1].state_file, "/run/b");
	assert_false(target_conf_same(&t[0], &t[1]));
	targets_free(t, n);
	diags_free(&d);
}

static void reports_every_error_with_its_line(void **state)
{
	(void)state;
	const char *text =
		"a - 127.0.0.1 53 x.test A udp 100 50 2 1 1 /s/a\n"
		"a - 127.0.0.1 53 x.test A udp 100 50 2 1 1 /s/a\n"
		"b - 127.0.0.1 53 x.test A udp 100 50 2 1 1\n"
		"c - 127.0.0.1 53 x.test A udp 100 50 2 1 1 /s/c extra\n"
		"d ::1 127.0.0.1 53 x.test A udp 100 50 2 1 1 /s/d\n"
		"e - host 0 -x- BOGUS quic 9 0 101 0 1001 /s/e\n";
	struct target_conf *t;
	struct diags d;

	diags_init(&d, "targets");
	size_t n = targets_parse(text, &base, &t, &d);
	assert_int_equal(n, 2); /* both a lines parse; the duplicate is an error */
	/* a twice (id, state file), b short, c long, d families, e: 9 fields wrong
	 * (server, port, qtype, transport, interval, timeout, tries, rise, fall) */
	assert_int_equal(d.n, 2 + 1 + 1 + 1 + 9);
	int lines[7] = { 0 };
	for (size_t i = 0; i < d.n; i++)
		lines[d.v[i].line]++;
	assert_int_equal(lines[1], 0);
	assert_int_equal(lines[2], 2);
	assert_int_equal(lines[3], 1);
	assert_int_equal(lines[4], 1);
	assert_int_equal(lines[5], 1);
	assert_int_equal(lines[6], 9);
	targets_free(t, n);
	diags_free(&d);
}

static void overlong_fields(void **state)
{
	(void)state;
	char text[600];
	struct target_conf *t;
	struct diags d;
	char id[100];

	memset(id, 'i', 80);
	id[80] = '\0';
	snprintf(text, sizeof(text), "%s - 127.0.0.1 53 x.test A udp 100 50 2 1 1 /s\n", id);
	diags_init(&d, "targets");
	size_t n = targets_parse(text, &base, &t, &d);
	assert_int_equal(n, 0);
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.v[0].message, "longer than 63"));
	targets_free(t, n);
	diags_free(&d);
}

static void same_means_every_field(void **state)
{
	(void)state;
	const char *text =
		"a - 127.0.0.1 53 x.test A udp 100 50 2 1 1 /s/a\n"
		"a - 127.0.0.1 53 X.TEST. A udp 100 50 2 1 1 /s/b\n"
		"a - 127.0.0.1 53 x.test A udp 100 50 2 1 2 /s/c\n"
		"a - 127.0.0.1 54 x.test A udp 100 50 2 1 1 /s/d\n"
		"a - 127.0.0.1 53 x.test A udp 100 50 2 1 1 /s/a\n";
	struct target_conf *t;
	struct diags d;

	diags_init(&d, "targets");
	size_t n = targets_parse(text, &base, &t, &d); /* duplicates are errors, parsing goes on */
	assert_int_equal(n, 5);
	assert_false(target_conf_same(&t[0], &t[1])); /* state file differs */
	strcpy(t[1].state_file, "/s/a");
	assert_true(target_conf_same(&t[0], &t[1])); /* name case does not matter */
	assert_false(target_conf_same(&t[0], &t[2]));
	assert_false(target_conf_same(&t[0], &t[3]));
	assert_true(target_conf_same(&t[0], &t[4]));
	targets_free(t, n);
	diags_free(&d);
}

static void state_file_contents(void **state)
{
	(void)state;
	bool up = false;

	assert_true(state_from_text("0\n", 2, &up));
	assert_true(up);
	assert_true(state_from_text("1\n", 2, &up));
	assert_false(up);
	assert_true(state_from_text("0", 1, &up)); /* written by hand, no newline */
	assert_true(up);
	up = true;
	assert_false(state_from_text("", 0, &up));
	assert_false(state_from_text("2\n", 2, &up));
	assert_false(state_from_text("0x", 2, &up));
	assert_false(state_from_text("01\n", 3, &up));
	assert_false(state_from_text(" 0", 2, &up));
	assert_true(up); /* untouched when the text is not a state */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_lines),
		cmocka_unit_test(reports_every_error_with_its_line),
		cmocka_unit_test(overlong_fields),
		cmocka_unit_test(same_means_every_field),
		cmocka_unit_test(state_file_contents),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
