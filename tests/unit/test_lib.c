/* lib/ units: addresses and prefixes, diagnostics order, atomic output trees,
 * and the validation predicates that guard generated files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "buf.h"
#include "diag.h"
#include "outtree.h"
#include "parallel.h"
#include "validate.h"

static void test_addr_parse_numeric_only(void **state)
{
	struct addr a;
	char s[ADDR_STRLEN];

	(void)state;
	assert_true(addr_parse("192.0.2.124", &a));
	assert_int_equal(a.family, AF_INET);
	assert_string_equal(addr_str(&a, s), "192.0.2.124");
	assert_true(addr_parse("2001:DB8:0:0::1", &a));
	assert_string_equal(addr_str(&a, s), "2001:db8::1");
	assert_false(addr_parse("localhost", &a));
	assert_false(addr_parse("192.0.2.300", &a));
	assert_false(addr_parse("", &a));
	assert_int_equal(a.family, 0);
}

/* addr_str formats IPv4 by hand: the same text as inet_ntop for every
 * value of every octet (0, one, two and three digits). */
static void test_addr_str_ipv4_as_inet_ntop(void **state)
{
	struct addr a = { .family = AF_INET };
	char mine[ADDR_STRLEN], theirs[ADDR_STRLEN];

	(void)state;
	for (int pos = 0; pos < 4; pos++)
		for (int v = 0; v < 256; v++) {
			memcpy(a.bytes, (unsigned char[4]){ 10, 0, 99, 255 }, 4);
			a.bytes[pos] = (unsigned char)v;
			assert_non_null(inet_ntop(AF_INET, a.bytes, theirs, sizeof(theirs)));
			assert_string_equal(addr_str(&a, mine), theirs);
		}
}

static void test_prefix_parse_and_contains(void **state)
{
	struct prefix p, net;
	struct addr a;
	char s[PREFIX_STRLEN];

	(void)state;
	assert_true(prefix_parse("10.1.53.1/24", &p));
	prefix_network(&p, &net);
	assert_string_equal(prefix_str(&net, s), "10.1.53.0/24");
	assert_true(addr_parse("10.1.53.200", &a));
	assert_true(prefix_contains(&p, &a));
	assert_true(addr_parse("10.1.54.1", &a));
	assert_false(prefix_contains(&p, &a));
	assert_true(addr_parse("::ffff:10.1.53.2", &a));
	assert_false(prefix_contains(&p, &a)); /* other family */
	assert_true(prefix_parse("2001:db8:105::1/64", &p));
	assert_true(addr_parse("2001:db8:105::2", &a));
	assert_true(prefix_contains(&p, &a));
	assert_true(prefix_parse("10.0.0.0/9", &p));
	assert_true(addr_parse("10.127.255.255", &a));
	assert_true(prefix_contains(&p, &a));
	assert_true(addr_parse("10.128.0.0", &a));
	assert_false(prefix_contains(&p, &a));
	assert_true(prefix_parse("192.0.2.1", &p));
	assert_int_equal(p.len, 32);
	assert_false(prefix_parse("192.0.2.0/33", &p));
	assert_false(prefix_parse("192.0.2.0/", &p));
	assert_false(prefix_parse("192.0.2.0/024", &p));
	assert_false(prefix_parse("192.0.2.0/2x", &p));
	assert_true(prefix_parse("0.0.0.0/0", &p));
	assert_true(prefix_contains(&p, &a));
}

static struct prefix pfx(const char *s)
{
	struct prefix p;

	assert_true(prefix_parse(s, &p));
	return p;
}

static struct addr ad(const char *s)
{
	struct addr a;

	assert_true(addr_parse(s, &a));
	return a;
}

static void test_prefix_overlaps_either_way(void **state)
{
	struct prefix a = pfx("10.1.0.1/16"), b = pfx("10.1.53.1/24"), c = pfx("10.3.53.1/24");
	struct prefix v6 = pfx("2001:db8::1/64");

	(void)state;
	assert_true(prefix_overlaps(&a, &b));
	assert_true(prefix_overlaps(&b, &a));
	assert_false(prefix_overlaps(&b, &c));
	assert_false(prefix_overlaps(&a, &v6));
}

static void test_prefix_reserved_host(void **state)
{
	struct prefix n24 = pfx("10.1.53.1/24"), n31 = pfx("10.1.53.0/31"), n64 = pfx("2001:db8::1/64");
	struct addr net = ad("10.1.53.0"), bcast = ad("10.1.53.255"), host = ad("10.1.53.2");
	struct addr anycast = ad("2001:db8::"), host6 = ad("2001:db8::ffff:ffff:ffff:ffff");

	(void)state;
	assert_true(prefix_reserved_host(&n24, &net));
	assert_true(prefix_reserved_host(&n24, &bcast));
	assert_false(prefix_reserved_host(&n24, &host));
	assert_false(prefix_reserved_host(&n31, &net));
	assert_true(prefix_reserved_host(&n64, &anycast));
	assert_false(prefix_reserved_host(&n64, &host6));   /* no broadcast in IPv6 */
	assert_false(prefix_reserved_host(&n24, &anycast));
}

static void test_addr_is_unicast(void **state)
{
	const char *yes[] = { "192.0.2.124", "10.1.53.2", "1.0.0.1", "223.255.255.254",
			      "2001:db8::53", "fc00::1", "::ffff:0:0:1" };
	const char *no[] = { "0.0.0.0", "0.1.2.3", "127.0.0.1", "169.254.1.1", "224.0.0.5",
			     "239.255.255.255", "255.255.255.255", "240.0.0.1", "::", "::1",
			     "::ffff:192.0.2.1", "fe80::1", "febf::1", "ff02::1" };

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		struct addr a = ad(yes[i]);
		if (!addr_is_unicast(&a))
			fail_msg("%s should count as unicast", yes[i]);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		struct addr a = ad(no[i]);
		if (addr_is_unicast(&a))
			fail_msg("%s should not count as unicast", no[i]);
	}
}

static void test_addr_order(void **state)
{
	struct addr a, b, c;

	(void)state;
	addr_parse("10.0.0.2", &a);
	addr_parse("10.0.0.10", &b);
	addr_parse("::1", &c);
	assert_true(addr_cmp(&a, &b) < 0);
	assert_true(addr_cmp(&b, &c) < 0); /* IPv4 before IPv6 */
	assert_true(addr_eq(&a, &a));
}

static void test_diags_sorted_by_line_then_order(void **state)
{
	struct diags d;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	diags_init(&d, "site.conf");
	diag_add(&d, 9, NULL, "second %d", 2);
	diag_add(&d, 3, "a hint", "first");
	diag_add(&d, 9, NULL, "third");
	diag_add(&d, 0, NULL, "whole file");
	diags_print(&d, f);
	fclose(f);
	assert_string_equal(text, "site.conf: whole file\n"
				  "site.conf:3: first\n  hint: a hint\n"
				  "site.conf:9: second 2\n"
				  "site.conf:9: third\n");
	free(text);
	diags_free(&d);
}

static void test_warnings_are_said_but_not_errors(void **state)
{
	struct diags d;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	diags_init(&d, "site.conf");
	diag_warn(&d, 7, "a hint", "idle %s", "c");
	assert_int_equal(d.n, 1);
	assert_int_equal(diags_errors(&d), 0);
	diag_add(&d, 2, NULL, "wrong");
	assert_int_equal(diags_errors(&d), 1);
	diags_print(&d, f);
	fclose(f);
	assert_string_equal(text, "site.conf:2: wrong\n"
				  "site.conf:7: warning: idle c\n  hint: a hint\n");
	free(text);
	diags_free(&d);
	assert_int_equal(d.nwarnings, 0);
}

static void test_names_and_paths(void **state)
{
	(void)state;
	assert_true(safe_name("resolver-a"));
	assert_true(safe_name("eth1.105"));
	assert_false(safe_name("-x"));
	assert_false(safe_name("a b"));
	assert_false(safe_name("a;b"));
	assert_false(safe_name(""));
	assert_true(safe_ifname("eth1.105"));
	assert_false(safe_ifname("verylonginterface"));
	assert_true(safe_path("/usr/local/sbin/dnsprobe"));
	assert_false(safe_path("usr/sbin/x"));
	assert_false(safe_path("/usr/sbin/x >/dev/null"));
	assert_false(safe_path("/a$(b)"));
}

/* bind_prefix_check on a writable copy; returns the copy (static). */
static const char *prefix_after(const char *in, bool *ok)
{
	static char s[64];

	snprintf(s, sizeof s, "%s", in);
	*ok = bind_prefix_check(s) == NULL;
	return s;
}

static void test_bind_prefix(void **state)
{
	bool ok;

	(void)state;
	assert_string_equal(prefix_after("/usr/local", &ok), "/usr/local");
	assert_true(ok);
	assert_string_equal(prefix_after("/usr", &ok), "/usr");
	assert_true(ok);
	assert_string_equal(prefix_after("/opt/bind-9.18.49+jemalloc", &ok), "/opt/bind-9.18.49+jemalloc");
	assert_true(ok);
	assert_string_equal(prefix_after("/usr/local/", &ok), "/usr/local");
	assert_true(ok);
	assert_string_equal(prefix_after("/opt/.bind/", &ok), "/opt/.bind");  /* a dot file is a name */
	assert_true(ok);
	assert_string_equal(prefix_after("/usr//", &ok), "/usr");
	assert_true(ok);
	/* refused ones stay as written, for the message */
	assert_string_equal(prefix_after("usr/local/", &ok), "usr/local/");
	assert_false(ok);
	prefix_after("", &ok);
	assert_false(ok);
	prefix_after("/", &ok);
	assert_false(ok);
	prefix_after("//", &ok);
	assert_false(ok);
	prefix_after("/opt/bind 9", &ok);
	assert_false(ok);
	prefix_after("/opt/bind-%i", &ok);
	assert_false(ok);
	prefix_after("/opt/$BIND", &ok);
	assert_false(ok);
	prefix_after("/usr//local", &ok);
	assert_false(ok);
	prefix_after("/usr/./local", &ok);
	assert_false(ok);
	prefix_after("/usr/local/..", &ok);
	assert_false(ok);
	prefix_after("/usr/local/../", &ok);
	assert_false(ok);
	prefix_after("/./", &ok);
	assert_false(ok);
	assert_non_null(bind_prefix_check(NULL));
}

static void test_qnames(void **state)
{
	char label[80], name[300];

	(void)state;
	assert_true(valid_qname("resolve.test.example"));
	assert_true(valid_qname("resolve.test.example."));
	assert_true(valid_qname("."));
	assert_true(valid_qname("_dns.xn--bcher-kva.example"));
	assert_false(valid_qname("a..b"));
	assert_false(valid_qname(".a"));
	assert_false(valid_qname("b\xc3\xbc" "cher.example"));
	memset(label, 'a', 63);
	label[63] = '\0';
	assert_true(valid_qname(label));
	label[63] = 'a';
	label[64] = '\0';
	assert_false(valid_qname(label));
	/* 4 x 63 + 3 dots = 255 octets: one too many */
	snprintf(name, sizeof(name), "%.63s.%.63s.%.63s.%.63s", label, label, label, label);
	assert_false(valid_qname(name));
	snprintf(name, sizeof(name), "%.63s.%.63s.%.63s.%.61s", label, label, label, label);
	assert_true(valid_qname(name));
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = xcalloc(1, 4096);

	if (!f)
		return s;
	if (fread(s, 1, 4095, f) == 0)
		s[0] = '\0';
	fclose(f);
	return s;
}

/* Reads relpath of the committed tree target. */
/* A temporary directory for one test (its state), made by the setup and
 * removed by the teardown, also when an assert ended the test early. */
static int tmpdir_setup(void **state)
{
	char *dir = xstrdup("/tmp/lvsdns-test_lib-XXXXXX");

	if (!mkdtemp(dir)) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

static int tmpdir_teardown(void **state)
{
	char *dir = *state;
	int rc = remove_tree(dir);

	free(dir);
	return rc == 0 ? 0 : -1;
}

static char *slurp_in(const char *target, const char *relpath)
{
	char *p = xasprintf("%s/%s", target, relpath);
	char *s = slurp(p);

	free(p);
	return s;
}

static void test_outtree_write_next_makes_directories(void **state)
{
	const char *dir = *state;
	struct outtree t;
	struct buf err;
	char *target, *got;

	target = xasprintf("%s/out", dir);
	buf_init(&err);
	assert_int_equal(outtree_begin(&t, target, &err), 0);
	/* a new nested directory, then files in the same one, then a sibling
	 * directory and one that an earlier series already made */
	assert_int_equal(outtree_write_next(&t, NULL, "r/h1/a.conf", "1", 1, 0644, &err), 0);
	assert_int_equal(outtree_write_next(&t, "r/h1/a.conf", "r/h1/b.conf", "2", 1, 0644, &err), 0);
	assert_int_equal(outtree_write_next(&t, "r/h1/b.conf", "r/h2/a.conf", "3", 1, 0644, &err), 0);
	assert_int_equal(outtree_write_next(&t, NULL, "r/h1/c.conf", "4", 1, 0644, &err), 0);
	assert_int_equal(outtree_write_next(&t, "r/h1/c.conf", "top.conf", "5", 1, 0644, &err), 0);
	/* r/h2 is a directory "r/h2/a.conf/x" cannot be made under */
	assert_int_equal(outtree_write_next(&t, "top.conf", "r/h2/a.conf/x", "6", 1, 0644, &err), -1);
	assert_non_null(strstr(err.data, "r/h2/a.conf/x: "));
	assert_int_equal(outtree_commit(&t, &err), 0);
	outtree_end(&t);
	const char *want[][2] = { { "r/h1/a.conf", "1" }, { "r/h1/b.conf", "2" },
				  { "r/h2/a.conf", "3" }, { "r/h1/c.conf", "4" },
				  { "top.conf", "5" } };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		got = slurp_in(target, want[i][0]);
		assert_non_null(got);
		assert_string_equal(got, want[i][1]);
		free(got);
	}
	free(target);
	buf_free(&err);
}

static void test_outtree_replaces_atomically(void **state)
{
	const char *dir = *state;
	struct outtree t;
	struct buf err;
	char *target, *p, *got;
	struct stat st;

	target = xasprintf("%s/out", dir);
	buf_init(&err);

	assert_int_equal(outtree_begin(&t, target, &err), 0);
	assert_int_equal(outtree_write(&t, "a/b/c.conf", "one\n", 4, 0644, &err), 0);
	assert_int_equal(outtree_commit(&t, &err), 0);
	outtree_end(&t);
	p = xasprintf("%s/a/b/c.conf", target);
	got = slurp(p);
	assert_string_equal(got, "one\n");
	free(got);

	/* a second tree replaces the first; an aborted third leaves it */
	assert_int_equal(outtree_begin(&t, target, &err), 0);
	assert_int_equal(outtree_write(&t, "d.conf", "two\n", 4, 0600, &err), 0);
	assert_int_equal(outtree_commit(&t, &err), 0);
	outtree_end(&t);
	assert_int_not_equal(stat(p, &st), 0);
	free(p);
	p = xasprintf("%s/d.conf", target);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(outtree_begin(&t, target, &err), 0);
	assert_int_equal(outtree_write(&t, "e.conf", "x", 1, 0644, &err), 0);
	outtree_end(&t);
	assert_int_equal(stat(p, &st), 0);
	free(p);

	/* a directory we did not write is never replaced */
	p = xasprintf("%s/theirs", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	free(target);
	target = xasprintf("%s/theirs/file", dir);
	{
		FILE *f = fopen(target, "w");
		assert_non_null(f);
		fclose(f);
	}
	assert_int_equal(outtree_begin(&t, p, &err), -1);
	assert_non_null(strstr(err.data, "was not written by cluster-gen"));
	outtree_end(&t);

	free(p);
	free(target);
	buf_free(&err);
}

static void test_buf_grows(void **state)
{
	struct buf b;
	char *s;

	(void)state;
	buf_init(&b);
	for (int i = 0; i < 10000; i++)
		buf_printf(&b, "%d,", i % 10);
	assert_int_equal(b.len, 20000);
	assert_int_equal(b.data[b.len], '\0');
	s = buf_steal(&b);
	assert_int_equal(strlen(s), 20000);
	assert_null(b.data);
	free(s);
}

/* buf_read_file appends the file and keeps the buffer a C string; errors
 * come back as errno. */
static void test_buf_read_file(void **state)
{
	char *path = xasprintf("%s/read", (const char *)*state);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	struct buf b;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "two\nlines\n", 10), 10);
	close(fd);
	buf_init(&b);
	buf_puts(&b, "> ");
	assert_int_equal(buf_read_file(&b, path), 0);
	assert_string_equal(b.data, "> two\nlines\n");
	assert_int_equal(b.len, 12);
	unlink(path);
	assert_int_equal(buf_read_file(&b, path), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(buf_read_file(&b, "/"), -1);
	assert_int_equal(errno, EISDIR);
	assert_int_equal(b.len, 12);
	buf_free(&b);
	buf_init(&b);
	assert_int_equal(buf_read_file(&b, "/dev/null"), 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	buf_free(&b);
	free(path);
}

struct piece {
	int calls;
	unsigned long sum;
	unsigned from;
};

static void sum_piece(void *arg)
{
	struct piece *p = arg;

	p->calls++;
	for (unsigned i = p->from; i < p->from + 100000; i++)
		p->sum += i;
}

/* Every item is worked on exactly once, with its own result, for any n. */
static void test_run_each_runs_every_item_once(void **state)
{
	struct piece p[9];

	(void)state;
	run_each(p, 0, sizeof(p[0]), sum_piece);   /* nothing to do, no crash */
	for (size_t n = 1; n <= 9; n += 4) {
		memset(p, 0, sizeof(p));
		for (size_t i = 0; i < n; i++)
			p[i].from = (unsigned)i * 100000;
		run_each(p, n, sizeof(p[0]), sum_piece);
		for (size_t i = 0; i < n; i++) {
			unsigned long a = i * 100000UL, b = a + 99999;
			assert_int_equal(p[i].calls, 1);
			assert_int_equal(p[i].sum, (a + b) * 100000 / 2);
		}
		for (size_t i = n; i < 9; i++)
			assert_int_equal(p[i].calls, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_parse_numeric_only),
		cmocka_unit_test(test_addr_str_ipv4_as_inet_ntop),
		cmocka_unit_test(test_run_each_runs_every_item_once),
		cmocka_unit_test_setup_teardown(test_buf_read_file, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(test_prefix_parse_and_contains),
		cmocka_unit_test(test_prefix_overlaps_either_way),
		cmocka_unit_test(test_prefix_reserved_host),
		cmocka_unit_test(test_addr_is_unicast),
		cmocka_unit_test(test_addr_order),
		cmocka_unit_test(test_diags_sorted_by_line_then_order),
		cmocka_unit_test(test_warnings_are_said_but_not_errors),
		cmocka_unit_test(test_names_and_paths),
		cmocka_unit_test(test_qnames),
		cmocka_unit_test(test_bind_prefix),
		cmocka_unit_test_setup_teardown(test_outtree_replaces_atomically, tmpdir_setup,
						tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_outtree_write_next_makes_directories,
						tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(test_buf_grows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
