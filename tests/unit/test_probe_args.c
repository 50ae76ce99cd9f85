/* The command-line contract of dnsprobe (probes/args.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "../../probes/args.h"

static struct opts o;
static char err[ARGS_ERR_MAX];

#define PARSE(...) parse((char *[]){ "dnsprobe", __VA_ARGS__, NULL })

static bool parse(char **argv)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	err[0] = '\0';
	return args_parse(argc, argv, &o, err, sizeof(err));
}

static void defaults(void **state)
{
	(void)state;
	char a[ADDR_STRLEN];
	assert_true(PARSE("www.example", "192.0.2.1"));
	assert_int_equal(o.check.ep.port, 53);
	assert_int_equal(o.check.q.qtype, QTYPE_A);
	assert_int_equal(o.check.q.qclass, QCLASS_IN);
	assert_int_equal(o.transport, TM_UDP);
	assert_int_equal(o.timeout_ms, 1000);
	assert_int_equal(o.tries, 3);
	assert_int_equal(o.check.expect.fail_rcodes, 1u << 2 | 1u << 5);
	assert_true(o.check.flags.rd);
	assert_int_equal(o.check.flags.edns_size, 0);
	assert_int_equal(o.check.ep.source.family, 0);
	assert_int_equal(o.exit.mode, EXIT_KEEPALIVED);
	assert_string_equal(addr_str(&o.check.ep.server, a), "192.0.2.1");
}

static void every_option(void **state)
{
	(void)state;
	assert_true(PARSE("-b", "2001:db8::2", "-p", "5353", "-c", "ch", "-t", "TXT", "-T",
			  "udp-tcp", "-w", "250", "-r", "5", "-f", "SERVFAIL,NXDOMAIN", "-a",
			  "2001:db8::53", "-m", "2", "--no-rd", "--edns", "4096", "--do", "--cd",
			  "--dynamic-weight", "5,20", "version.bind", "2001:db8::1"));
	assert_int_equal(o.check.ep.source.family, AF_INET6);
	assert_int_equal(o.check.ep.port, 5353);
	assert_int_equal(o.check.q.qclass, QCLASS_CH);
	assert_int_equal(o.check.q.qtype, 16);
	assert_int_equal(o.transport, TM_UDP_TCP);
	assert_true(o.check.expect.tcp_fallback);
	assert_int_equal(o.timeout_ms, 250);
	assert_int_equal(o.tries, 5);
	assert_int_equal(o.check.expect.fail_rcodes, 1u << 2 | 1u << 3);
	assert_int_equal(o.check.expect.address.family, AF_INET6);
	assert_int_equal(o.check.expect.min_answers, 2);
	assert_false(o.check.flags.rd);
	assert_int_equal(o.check.flags.edns_size, 4096);
	assert_true(o.check.flags.dnssec_ok);
	assert_true(o.check.flags.cd);
	assert_int_equal(o.exit.nweights, 2);
	assert_int_equal(o.exit.weights_ms[1], 20);
}

static void long_forms(void **state)
{
	(void)state;
	assert_true(PARSE("--source=192.0.2.9", "--port=54", "--class=IN", "--type=aaaa",
			  "--transport=tcp", "--timeout=9", "--tries=1", "--fail-rcodes=none",
			  "--expect-address=2001:db8::7", "--min-answers=0", "--nagios",
			  "--warning=7", "x.example", "192.0.2.1"));
	assert_int_equal(o.check.ep.port, 54);
	assert_int_equal(o.check.q.qtype, QTYPE_AAAA);
	assert_int_equal(o.transport, TM_TCP);
	assert_int_equal(o.check.expect.fail_rcodes, 0);
	assert_int_equal(o.exit.mode, EXIT_NAGIOS);
	assert_int_equal(o.exit.warn_ms, 7);
	assert_false(PARSE("--nagios", "--dynamic-weight", "5,20", "x.example", "192.0.2.1"));
	/* rcodes without a name by number, up to 15 */
	assert_true(PARSE("-f", "servfail,12,DSOTYPENI", "x.example", "192.0.2.1"));
	assert_int_equal(o.check.expect.fail_rcodes, 1u << 2 | 1u << 12 | 1u << 11);
	assert_false(PARSE("-f", "16", "x.example", "192.0.2.1"));
	/* an address an AAAA answer cannot hold */
	assert_false(PARSE("--type=aaaa", "--expect-address=192.0.2.7", "x.example", "192.0.2.1"));
	/* attached short values, options after positionals, "--" */
	assert_true(PARSE("x.example", "-p5353", "192.0.2.1", "-w", "10"));
	assert_int_equal(o.check.ep.port, 5353);
	assert_true(PARSE("-r", "2", "--", "x.example", "192.0.2.1"));
}

static void rejects(void **state)
{
	(void)state;
	assert_false(PARSE("x.example"));
	assert_false(PARSE("x.example", "ns.example"));          /* no names resolved */
	assert_false(PARSE("x.example", "192.0.2.1", "extra"));
	assert_false(PARSE("-p", "0", "x.example", "192.0.2.1"));
	assert_false(PARSE("-p", "65536", "x.example", "192.0.2.1"));
	assert_false(PARSE("-p", "-1", "x.example", "192.0.2.1"));
	assert_false(PARSE("-c", "HS", "x.example", "192.0.2.1"));
	assert_false(PARSE("-t", "NAPTR", "x.example", "192.0.2.1"));
	assert_false(PARSE("-T", "quic", "x.example", "192.0.2.1"));
	assert_false(PARSE("-w", "0", "x.example", "192.0.2.1"));
	assert_false(PARSE("-r", "0", "x.example", "192.0.2.1"));
	assert_false(PARSE("-f", "SERVFAIL,BOGUS", "x.example", "192.0.2.1"));
	assert_false(PARSE("-f", "SERVFAIL,", "x.example", "192.0.2.1"));
	assert_false(PARSE("-a", "www", "x.example", "192.0.2.1"));
	assert_false(PARSE("--edns", "100", "x.example", "192.0.2.1"));
	assert_false(PARSE("--dynamic-weight", "20,5", "x.example", "192.0.2.1"));
	assert_false(PARSE("--dynamic-weight", "5,5", "x.example", "192.0.2.1"));
	assert_false(PARSE("--bogus", "x.example", "192.0.2.1"));
	assert_false(PARSE("--do=1", "x.example", "192.0.2.1"));
	assert_false(PARSE("x.example", "192.0.2.1", "-w"));
	assert_false(PARSE("-b", "2001:db8::1", "x.example", "192.0.2.1"));
	assert_false(PARSE("b\xc3\xbc" "cher.example", "192.0.2.1"));
	assert_false(PARSE("a..example", "192.0.2.1"));
	assert_false(PARSE("--metrics", "/tmp/m", "x.example", "192.0.2.1"));
	assert_non_null(strstr(err, "--watch"));
	assert_false(PARSE("--watch", "t", "x.example"));
	assert_false(PARSE("--watch", "t", "--nagios"));
	/* --warning means something only to --nagios */
	assert_false(PARSE("--warning", "50", "x.example", "192.0.2.1"));
	assert_non_null(strstr(err, "--nagios"));
	assert_true(PARSE("--warning", "50", "--nagios", "x.example", "192.0.2.1"));
}

static void compat(void **state)
{
	(void)state;
	char a[ADDR_STRLEN];
	/* with and without the flag */
	assert_true(PARSE("10.1.53.1", "IN", "A", "resolve.test.example", "10.1.53.2", "2", "4",
			  "SERVFAIL|REFUSED", "udp"));
	assert_true(o.compat);
	assert_string_equal(addr_str(&o.check.ep.source, a), "10.1.53.1");
	assert_string_equal(addr_str(&o.check.ep.server, a), "10.1.53.2");
	assert_int_equal(o.timeout_ms, 2000);
	assert_int_equal(o.tries, 4);
	assert_int_equal(o.check.expect.fail_rcodes, 1u << 2 | 1u << 5);
	assert_int_equal(o.transport, TM_UDP_TCP);
	assert_true(PARSE("--compat", "10.1.53.1", "CH", "TXT", "version.bind", "10.1.53.2", "0",
			  "0", "SERVFAIL", "tcp"));
	assert_int_equal(o.timeout_ms, 1000);
	assert_int_equal(o.tries, 1);
	assert_int_equal(o.transport, TM_TCP);
	assert_int_equal(o.check.q.qclass, QCLASS_CH);
	/* nine arguments that do not look like the wrapper's */
	assert_false(PARSE("a", "b", "c", "d", "e", "f", "g", "h", "i"));
	assert_false(PARSE("--compat", "x.example", "192.0.2.1"));
	/* TRANSPORT: the old wrapper passed +tcp to dig for exactly "tcp" and
	 * +notcp for anything else */
	const char *udp_like[] = { "udp", "notcp", "+notcp", "sctp", "TCP", "+tcp", "" };
	for (size_t i = 0; i < sizeof(udp_like) / sizeof(udp_like[0]); i++) {
		assert_true(PARSE("10.1.53.1", "IN", "A", "x.example", "10.1.53.2", "2", "4",
				  "SERVFAIL", (char *)udp_like[i]));
		assert_int_equal(o.transport, TM_UDP_TCP);
	}
	/* QTYPE: dig's generic TYPEnnn */
	assert_true(PARSE("10.1.53.1", "IN", "TYPE65", "x.example", "10.1.53.2", "2", "4",
			  "SERVFAIL", "udp"));
	assert_int_equal(o.check.q.qtype, 65);
	assert_false(PARSE("10.1.53.1", "IN", "NAPTR", "x.example", "10.1.53.2", "2", "4",
			   "SERVFAIL", "udp"));
	assert_false(PARSE("10.1.53.1", "IN", "A", "x.example", "10.1.53.2", "two", "4",
			   "SERVFAIL", "udp"));
	/* what the nine arguments set is refused beside them, not overridden */
	const char *also_set[][2] = { { "-b", "10.1.53.9" }, { "-c", "CH" }, { "-t", "AAAA" },
				      { "-T", "tcp" }, { "-w", "100" }, { "-r", "2" },
				      { "-f", "REFUSED" }, { "--fail-rcodes", "REFUSED" } };
	for (size_t i = 0; i < sizeof(also_set) / sizeof(also_set[0]); i++) {
		assert_false(PARSE((char *)also_set[i][0], (char *)also_set[i][1], "10.1.53.1", "IN",
				   "A", "x.example", "10.1.53.2", "2", "4", "SERVFAIL", "udp"));
		assert_non_null(strstr(err, "nine arguments"));
	}
	/* the port and the checks the wrapper had no argument for still apply */
	assert_true(PARSE("-p", "5353", "-a", "192.0.2.1", "--nagios", "10.1.53.1", "IN", "A",
			  "x.example", "10.1.53.2", "2", "4", "SERVFAIL", "udp"));
	assert_int_equal(o.check.ep.port, 5353);
}

static void watch(void **state)
{
	(void)state;
	assert_true(PARSE("--watch", "targets", "--metrics", "m.prom", "--syslog", "-f", "SERVFAIL"));
	assert_string_equal(o.watch_file, "targets");
	assert_string_equal(o.metrics_file, "m.prom");
	assert_true(o.use_syslog);
	/* what applies to every target */
	assert_true(PARSE("--watch", "t", "-c", "CH", "-a", "192.0.2.1", "-m", "1", "--edns",
			  "1400", "--do", "--cd", "--no-rd", "-v"));
	/* what the targets file has a column for is refused, not ignored */
	const char *per_target[][2] = { { "-b", "192.0.2.9" }, { "-p", "5353" }, { "-t", "AAAA" },
					{ "-T", "tcp" }, { "-w", "100" }, { "-r", "2" },
					{ "--timeout", "100" } };
	for (size_t i = 0; i < sizeof(per_target) / sizeof(per_target[0]); i++) {
		assert_false(PARSE("--watch", "t", (char *)per_target[i][0], (char *)per_target[i][1]));
		assert_non_null(strstr(err, "targets file"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(every_option),
		cmocka_unit_test(long_forms),
		cmocka_unit_test(rejects),
		cmocka_unit_test(compat),
		cmocka_unit_test(watch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
