/* Every verdict of judge_packet() and the one verdict-to-exit-code mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "../../probes/judge.h"

#define ID 0x4242

struct fixture {
	struct question q;
	struct expect e;
};

static struct fixture fx(void)
{
	struct fixture f;
	memset(&f, 0, sizeof(f));
	name_from_text("www.probe.test", f.q.name, &f.q.name_len);
	f.q.qtype = QTYPE_A;
	f.q.qclass = QCLASS_IN;
	f.e.fail_rcodes = 1u << RCODE_SERVFAIL | 1u << RCODE_REFUSED;
	return f;
}

/* A response: header, question (name as given), and n A records 192.0.2.(10+i)
 * whose owner is a compression pointer to the question name. */
static size_t response(uint8_t *out, uint16_t id, uint16_t flags, const char *qname,
		       uint16_t qtype, unsigned n)
{
	struct wwriter w;
	uint8_t name[WIRE_NAME_MAX];
	size_t len;

	name_from_text(qname, name, &len);
	ww_init(&w, out, 1024);
	ww_u16(&w, id);
	ww_u16(&w, flags);
	ww_u16(&w, 1);
	ww_u16(&w, (uint16_t)n);
	ww_u16(&w, 0);
	ww_u16(&w, 0);
	ww_bytes(&w, name, len);
	ww_u16(&w, qtype);
	ww_u16(&w, QCLASS_IN);
	for (unsigned i = 0; i < n; i++) {
		ww_u16(&w, 0xC00C);
		ww_u16(&w, QTYPE_A);
		ww_u16(&w, QCLASS_IN);
		ww_u32(&w, 1);
		ww_u16(&w, 4);
		ww_u32(&w, 0xC0000200u + 10 + i);
	}
	return w.len;
}

static enum verdict judge(struct fixture *f, const uint8_t *p, size_t len, bool udp)
{
	struct answer_info info;
	return judge_packet(&f->q, ID, &f->e, udp, p, len, &info);
}

static void up_and_counts(void **state)
{
	(void)state;
	struct fixture f = fx();
	uint8_t p[1024];
	struct answer_info info;
	size_t n = response(p, ID, 0x8180, "WWW.Probe.TEST", QTYPE_A, 2);

	assert_int_equal(judge_packet(&f.q, ID, &f.e, true, p, n, &info), V_UP);
	assert_int_equal(info.answers, 2);
	assert_int_equal(info.rcode, 0);
}

static void ignored_cases(void **state)
{
	(void)state;
	struct fixture f = fx();
	uint8_t p[1024];
	size_t n;

	n = response(p, ID, 0x8180, "www.probe.test", QTYPE_A, 1);
	assert_int_equal(judge(&f, p, 11, true), V_IGNORED_SHORT);
	n = response(p, ID, 0x0100, "www.probe.test", QTYPE_A, 1);
	assert_int_equal(judge(&f, p, n, true), V_IGNORED_NOT_RESPONSE);
	n = response(p, ID + 1, 0x8180, "www.probe.test", QTYPE_A, 1);
	assert_int_equal(judge(&f, p, n, true), V_IGNORED_WRONG_ID);
	n = response(p, ID, 0x8180, "wwx.probe.test", QTYPE_A, 1);
	assert_int_equal(judge(&f, p, n, true), V_IGNORED_WRONG_QUESTION);
	n = response(p, ID, 0x8980, "www.probe.test", QTYPE_A, 1); /* opcode 1 (IQUERY) */
	assert_int_equal(judge(&f, p, n, true), V_IGNORED_WRONG_OPCODE);
	n = response(p, ID, 0xA180, "www.probe.test", QTYPE_A, 1); /* opcode 4 (NOTIFY) */
	assert_int_equal(judge(&f, p, n, true), V_IGNORED_WRONG_OPCODE);
	n = response(p, ID, 0xA980, "www.probe.test", QTYPE_A, 1); /* opcode 5 (UPDATE) */
	assert_int_equal(judge(&f, p, n, true), V_IGNORED_WRONG_OPCODE);
	assert_true(verdict_ignored(V_IGNORED_WRONG_OPCODE));
	n = response(p, ID, 0x8180, "www.probe.test", QTYPE_AAAA, 1);
	assert_int_equal(judge(&f, p, n, true), V_IGNORED_WRONG_QUESTION);
	n = response(p, ID, 0x8180, "www.probe.test", QTYPE_A, 1);
	p[5] = 0; /* QDCOUNT 0 */
	assert_int_equal(judge(&f, p, n, true), V_IGNORED_WRONG_QUESTION);
	n = response(p, ID, 0x8180, "www.probe.test", QTYPE_A, 0);
	assert_int_equal(judge(&f, p, n - 1, true), V_IGNORED_WRONG_QUESTION); /* cut question */
	p[n - 1] = QCLASS_CH;
	assert_int_equal(judge(&f, p, n, true), V_IGNORED_WRONG_QUESTION);
	assert_true(verdict_ignored(V_IGNORED_WRONG_SOURCE));
	assert_false(verdict_ignored(V_DOWN_TIMEOUT));
}

/* A header alone, as a server that cannot parse the query sends it. */
static size_t bare_header(uint8_t *out, uint16_t id, uint16_t flags)
{
	struct wwriter w;

	ww_init(&w, out, 1024);
	ww_u16(&w, id);
	ww_u16(&w, flags);
	for (int i = 0; i < 4; i++)
		ww_u16(&w, 0);
	return w.len;
}

static void error_without_question(void **state)
{
	(void)state;
	struct fixture f = fx();
	uint8_t p[1024];
	struct answer_info info;
	size_t n;

	/* FORMERR with no question is our answer, judged by its rcode */
	n = bare_header(p, ID, 0x8101);
	assert_int_equal(judge_packet(&f.q, ID, &f.e, true, p, n, &info), V_UP);
	assert_int_equal(info.rcode, RCODE_FORMERR);
	f.e.fail_rcodes |= 1u << RCODE_FORMERR;
	assert_int_equal(judge(&f, p, n, true), V_DOWN_RCODE);
	n = bare_header(p, ID, 0x8182); /* SERVFAIL */
	assert_int_equal(judge(&f, p, n, true), V_DOWN_RCODE);
	/* an expected address is never in it */
	f = fx();
	addr_parse("192.0.2.10", &f.e.address);
	n = bare_header(p, ID, 0x8101);
	assert_int_equal(judge(&f, p, n, true), V_DOWN_NO_ADDRESS);
	/* but a NOERROR without the question, or another id, is not ours */
	n = bare_header(p, ID, 0x8180);
	assert_int_equal(judge(&f, p, n, true), V_IGNORED_WRONG_QUESTION);
	n = bare_header(p, ID + 1, 0x8101);
	assert_int_equal(judge(&f, p, n, true), V_IGNORED_WRONG_ID);
}

static void rcodes(void **state)
{
	(void)state;
	struct fixture f = fx();
	uint8_t p[1024];
	size_t n;

	n = response(p, ID, 0x8182, "www.probe.test", QTYPE_A, 0); /* SERVFAIL */
	assert_int_equal(judge(&f, p, n, true), V_DOWN_RCODE);
	n = response(p, ID, 0x8185, "www.probe.test", QTYPE_A, 0); /* REFUSED */
	assert_int_equal(judge(&f, p, n, true), V_DOWN_RCODE);
	n = response(p, ID, 0x8183, "www.probe.test", QTYPE_A, 0); /* NXDOMAIN */
	assert_int_equal(judge(&f, p, n, true), V_UP);
	f.e.fail_rcodes |= 1u << RCODE_NXDOMAIN;
	assert_int_equal(judge(&f, p, n, true), V_DOWN_RCODE);
	f.e.min_answers = 1; /* counts only for NOERROR */
	f.e.fail_rcodes = 0;
	assert_int_equal(judge(&f, p, n, true), V_UP);
}

/* Appends a record to the additional section of the message m of length n:
 * an OPT record carrying ext as the upper rcode bits, or an A record. */
static size_t add_additional(uint8_t *m, size_t n, bool opt, uint8_t ext)
{
	struct wwriter w;

	ww_init(&w, m + n, 1024 - n);
	ww_u8(&w, 0); /* owner: root */
	ww_u16(&w, opt ? QTYPE_OPT : QTYPE_A);
	ww_u16(&w, opt ? 1232 : QCLASS_IN);
	ww_u32(&w, opt ? (uint32_t)ext << 24 : 1);
	ww_u16(&w, opt ? 0 : 4);
	if (!opt)
		ww_u32(&w, 0xC0000201u);
	m[11]++; /* ARCOUNT */
	return n + w.len;
}

static void extended_rcodes(void **state)
{
	(void)state;
	struct fixture f = fx();
	uint8_t p[1024];
	struct answer_info info;
	size_t n;

	/* NOERROR in the header, BADVERS (16) with the OPT record's bits */
	n = add_additional(p, response(p, ID, 0x8180, "www.probe.test", QTYPE_A, 1), true, 1);
	assert_int_equal(judge_packet(&f.q, ID, &f.e, true, p, n, &info), V_DOWN_RCODE);
	assert_int_equal(info.rcode, 16);
	/* an extended rcode is down even with an empty fail set */
	f.e.fail_rcodes = 0;
	assert_int_equal(judge(&f, p, n, true), V_DOWN_RCODE);
	/* the OPT record after another additional record is still found */
	n = response(p, ID, 0x8183, "www.probe.test", QTYPE_A, 1); /* NXDOMAIN */
	n = add_additional(p, add_additional(p, n, false, 0), true, 2);
	assert_int_equal(judge_packet(&f.q, ID, &f.e, true, p, n, &info), V_DOWN_RCODE);
	assert_int_equal(info.rcode, 2 << 4 | 3);
	/* extended bits 0: the header's rcode stands */
	f = fx();
	n = add_additional(p, response(p, ID, 0x8180, "www.probe.test", QTYPE_A, 1), true, 0);
	assert_int_equal(judge_packet(&f.q, ID, &f.e, true, p, n, &info), V_UP);
	assert_int_equal(info.rcode, 0);
	n = add_additional(p, response(p, ID, 0x8182, "www.probe.test", QTYPE_A, 1), true, 0);
	assert_int_equal(judge_packet(&f.q, ID, &f.e, true, p, n, &info), V_DOWN_RCODE);
	assert_int_equal(info.rcode, 2);
	/* a cut OPT record cannot be read: the header's rcode stands */
	n = add_additional(p, response(p, ID, 0x8180, "www.probe.test", QTYPE_A, 1), true, 1);
	assert_int_equal(judge(&f, p, n - 1, true), V_UP);
	assert_string_equal(rcode_name(16), "BADVERS");
}

static void answers_required(void **state)
{
	(void)state;
	struct fixture f = fx();
	uint8_t p[1024];
	size_t n;

	f.e.min_answers = 1;
	n = response(p, ID, 0x8180, "www.probe.test", QTYPE_A, 0);
	assert_int_equal(judge(&f, p, n, true), V_DOWN_NO_ANSWER);
	f.e.min_answers = 3;
	n = response(p, ID, 0x8180, "www.probe.test", QTYPE_A, 2);
	assert_int_equal(judge(&f, p, n, true), V_DOWN_NO_ANSWER);
	f.e.min_answers = 2;
	assert_int_equal(judge(&f, p, n, true), V_UP);
}

static void expected_address(void **state)
{
	(void)state;
	struct fixture f = fx();
	uint8_t p[1024];
	size_t n = response(p, ID, 0x8180, "www.probe.test", QTYPE_A, 2);

	assert_true(addr_parse("192.0.2.11", &f.e.address));
	assert_int_equal(judge(&f, p, n, true), V_UP);
	assert_true(addr_parse("192.0.2.12", &f.e.address));
	assert_int_equal(judge(&f, p, n, true), V_DOWN_NO_ADDRESS);
	assert_true(addr_parse("2001:db8::1", &f.e.address));
	assert_int_equal(judge(&f, p, n, true), V_DOWN_NO_ADDRESS);
}

static void truncation(void **state)
{
	(void)state;
	struct fixture f = fx();
	uint8_t p[1024];
	size_t n = response(p, ID, 0x8380, "www.probe.test", QTYPE_A, 0);

	assert_int_equal(judge(&f, p, n, true), V_DOWN_TRUNCATED);
	f.e.tcp_fallback = true;
	assert_int_equal(judge(&f, p, n, true), V_RETRY_TCP);
	assert_int_equal(judge(&f, p, n, false), V_UP); /* TC over tcp: judged as is */
}

static void malformed_answers(void **state)
{
	(void)state;
	struct fixture f = fx();
	uint8_t p[1024];
	size_t n = response(p, ID, 0x8180, "www.probe.test", QTYPE_A, 2);

	assert_int_equal(judge(&f, p, n - 1, true), V_DOWN_MALFORMED); /* cut rdata */
	p[7] = 3; /* ANCOUNT 3, two present */
	assert_int_equal(judge(&f, p, n, true), V_DOWN_MALFORMED);
	p[7] = 2;
	p[12 + 16 + 4] = 0xC0; /* owner pointer -> itself */
	p[12 + 16 + 5] = 32;
	assert_int_equal(judge(&f, p, n, true), V_DOWN_MALFORMED);
	/* a failing rcode wins even when the rest is broken */
	p[3] = 0x82;
	assert_int_equal(judge(&f, p, n, true), V_DOWN_RCODE);
}

static void verdict_classes(void **state)
{
	(void)state;
	assert_true(verdict_final(V_UP));
	assert_true(verdict_final(V_DOWN_RCODE));
	assert_false(verdict_final(V_DOWN_TIMEOUT));
	assert_false(verdict_final(V_DOWN_NETWORK));
	assert_false(verdict_final(V_RETRY_TCP));
	for (int v = 0; v < V_COUNT; v++)
		assert_non_null(verdict_str((enum verdict)v));
}

static void late_answers_are_timeouts(void **state)
{
	(void)state;
	/* by the deadline, or at it: judged as it is */
	assert_int_equal(verdict_in_time(V_UP, 999, 1000), V_UP);
	assert_int_equal(verdict_in_time(V_UP, 1000, 1000), V_UP);
	assert_int_equal(verdict_in_time(V_DOWN_RCODE, 1000, 1000), V_DOWN_RCODE);
	/* after it: a timeout, whatever the answer said */
	assert_int_equal(verdict_in_time(V_UP, 1001, 1000), V_DOWN_TIMEOUT);
	assert_int_equal(verdict_in_time(V_DOWN_RCODE, 1001, 1000), V_DOWN_TIMEOUT);
	assert_int_equal(verdict_in_time(V_DOWN_MALFORMED, 1001, 1000), V_DOWN_TIMEOUT);
	assert_int_equal(verdict_in_time(V_RETRY_TCP, 1001, 1000), V_DOWN_TIMEOUT);
	/* not answers: kept */
	assert_int_equal(verdict_in_time(V_DOWN_NETWORK, 1001, 1000), V_DOWN_NETWORK);
	assert_int_equal(verdict_in_time(V_PENDING, 1001, 1000), V_PENDING);
	assert_int_equal(verdict_in_time(V_IGNORED_WRONG_ID, 1001, 1000), V_IGNORED_WRONG_ID);
}

static void exit_codes(void **state)
{
	(void)state;
	struct exit_policy p = { .mode = EXIT_KEEPALIVED };

	assert_int_equal(verdict_exit(V_UP, &p, 500), 0);
	for (int v = V_DOWN_TIMEOUT; v < V_COUNT; v++)
		if (v != V_UP)
			assert_int_equal(verdict_exit((enum verdict)v, &p, 0), 1);
	assert_int_equal(verdict_exit(V_USAGE, &p, 0), 1);

	p.nweights = 3; /* 5,20,100 ms */
	p.weights_ms[0] = 5;
	p.weights_ms[1] = 20;
	p.weights_ms[2] = 100;
	assert_int_equal(verdict_exit(V_UP, &p, 4999), 5);
	assert_int_equal(verdict_exit(V_UP, &p, 5000), 4);
	assert_int_equal(verdict_exit(V_UP, &p, 19999), 4);
	assert_int_equal(verdict_exit(V_UP, &p, 20000), 3);
	assert_int_equal(verdict_exit(V_UP, &p, 99999), 3);
	assert_int_equal(verdict_exit(V_UP, &p, 100000), 2);
	assert_int_equal(verdict_exit(V_DOWN_TIMEOUT, &p, 0), 1);
	assert_int_equal(verdict_exit(V_USAGE, &p, 0), 1);

	struct exit_policy n = { .mode = EXIT_NAGIOS, .warn_ms = 10 };
	assert_int_equal(verdict_exit(V_UP, &n, 9999), 0);
	assert_int_equal(verdict_exit(V_UP, &n, 10000), 1);
	assert_int_equal(verdict_exit(V_DOWN_RCODE, &n, 0), 2);
	assert_int_equal(verdict_exit(V_DOWN_TIMEOUT, &n, 0), 2);
	assert_int_equal(verdict_exit(V_USAGE, &n, 0), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(up_and_counts),
		cmocka_unit_test(ignored_cases),
		cmocka_unit_test(error_without_question),
		cmocka_unit_test(rcodes),
		cmocka_unit_test(extended_rcodes),
		cmocka_unit_test(answers_required),
		cmocka_unit_test(expected_address),
		cmocka_unit_test(truncation),
		cmocka_unit_test(malformed_answers),
		cmocka_unit_test(verdict_classes),
		cmocka_unit_test(late_answers_are_timeouts),
		cmocka_unit_test(exit_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
