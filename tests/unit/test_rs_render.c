/* Unit tests of the real-server renderer through its C interface: a site
 * is loaded from text with the real parser, render_realserver() fills a
 * struct files with the built-in templates, and the cases check what the
 * bats golden and real-tool tests do not single out: routing table
 * numbers, the health-check address in the named ACL, listener ports per
 * VIP port, which files a host gets, and the stateless refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../cluster-gen/parse.h"
#include "../../cluster-gen/render.h"

static const char SITE[] =
	"check { name = \"id.server\" }\n"
	"site \"u\" { asn = 64512 }\n"
	"service dns { vip = 198.51.100.53  ports = { \"udp/53\", \"tcp/53\", \"udp/5353\" } }\n"
	"service dns6 { vip = \"2001:db8:53::53\"  ports = { \"udp/53\" } }\n"
	"balancer lb {\n"
	"  router-id = 10.255.0.1\n"
	"  primary = { dns, dns6 }\n"
	"  neighbor core { address = 198.51.100.254 }\n"
	"  neighbor core6 { address = \"2001:db8:ffff::fe\" }\n"
	"  vlan blue { interface = \"eth1.105\"  address = \"10.1.53.1/24\" }\n"
	"  vlan 4094 { interface = \"eth2\"  address = \"2001:db8:605::1/64\" }\n"
	"  vlan 109 { interface = \"eth1.109\"  address = \"10.3.53.1/24\" }\n"
	"}\n"
	"realserver h {\n"
	"  balancer = lb\n"
	"  clients = { \"192.0.2.0/24\", \"10.3.0.0/16\", \"2001:db8:1::/64\" }\n"
	"  nat = %s\n"
	"  instance a { vlan = blue  interface = \"eth1.105\"  address = 10.1.53.2  control-port = 9531 }\n"
	"  instance b { vlan = 109  interface = \"eth1.109\"  address = 10.3.53.2 }\n"
	"  instance v { vlan = 4094  interface = \"eth2\"  address = \"2001:db8:605::2\" }\n"
	"}\n"
	"realserver four {\n"
	"  balancer = lb\n"
	"  clients = { \"192.0.2.0/24\" }\n"
	"  instance a { vlan = 109  interface = \"eth1.109\"  address = 10.3.53.3 }\n"
	"}\n";

struct rendered {
	struct files files;
	char err[1024];
	int rc;
};

/* Loads SITE with the given extra text and nat mode into s; d holds what
 * the parser and validation found. Returns site_load's result. */
static int load(const char *nat, const char *extra, struct site *s, struct diags *d)
{
	char path[] = "/tmp/test_rs_render.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	int rc;

	assert_non_null(f);
	fprintf(f, SITE, nat);
	fputs(extra, f);
	fclose(f);
	diags_init(d, path);
	rc = site_load(path, s, d);
	unlink(path);
	return rc;
}

/* Renders the real servers of the loaded site s into r (0 or -1, message
 * in r->err), and frees s. */
static void render_loaded(struct site *s, struct rendered *r)
{
	struct templates *t = templates_new(NULL);
	struct buf err;

	files_init(&r->files);
	buf_init(&err);
	r->rc = render_realserver(s, t, &r->files, &err);
	snprintf(r->err, sizeof(r->err), "%s", err.data ? err.data : "");
	files_sort(&r->files);
	buf_free(&err);
	templates_free(t);
	site_free(s);
}

/* Loads SITE with the given extra text and nat mode, renders the real
 * servers. Returns 0 or -1 (message in r->err). */
static void render(const char *nat, const char *extra, struct rendered *r)
{
	struct site s;
	struct diags d;

	if (load(nat, extra, &s, &d) != 0) {
		diags_print(&d, stderr);
		diags_free(&d);
		fail_msg("site did not load");
	}
	diags_free(&d);
	render_loaded(&s, r);
}

/* Does one of d's problems hold text? */
static bool diag_has(const struct diags *d, const char *text)
{
	for (size_t i = 0; i < d->n; i++)
		if (strstr(d->v[i].message, text))
			return true;
	return false;
}

static const char *file(const struct rendered *r, const char *path)
{
	for (size_t i = 0; i < r->files.n; i++)
		if (!strcmp(r->files.v[i].path, path))
			return r->files.v[i].data;
	return NULL;
}

static void has(const char *text, const char *needle)
{
	assert_non_null(text);
	if (!strstr(text, needle))
		fail_msg("missing '%s' in:\n%s", needle, text);
}

static void lacks(const char *text, const char *needle)
{
	assert_non_null(text);
	if (strstr(text, needle))
		fail_msg("unexpected '%s' in:\n%s", needle, text);
}

static void test_files_of_each_host(void **state)
{
	struct rendered r;
	static const char *const want[] = {
		"realservers/four/dnat.nft", "realservers/four/dnat.rules",
		"realservers/four/named-a.conf", "realservers/four/named@.service",
		"realservers/four/policy-routing.sh", "realservers/four/sysctl.conf",
		"realservers/h/dnat.nft", "realservers/h/dnat.rules", "realservers/h/dnat6.rules",
		"realservers/h/named-a.conf", "realservers/h/named-b.conf", "realservers/h/named-v.conf",
		"realservers/h/named@.service", "realservers/h/policy-routing.sh",
		"realservers/h/sysctl.conf",
	};
	(void)state;

	render("stateful", "", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.files.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < r.files.n; i++)
		assert_string_equal(r.files.v[i].path, want[i]);
	assert_int_equal(r.files.v[11].mode, 0644);
	assert_int_equal(r.files.v[13].mode, 0755); /* policy-routing.sh */
	files_free(&r.files);
}

static void test_routing_tables(void **state)
{
	struct rendered r;
	const char *p;
	(void)state;

	render("stateful", "", &r);
	p = file(&r, "realservers/h/policy-routing.sh");
	/* numeric VLAN names: 1000 + id; others: 10000 + index (sorted: 109, 4094, blue) */
	/* route FAMILY ADDRESS NETWORK INTERFACE GATEWAY TABLE */
	has(p, "\nif want b eth1.109; then\n\troute 4 10.3.53.2 10.3.53.0/24 eth1.109 10.3.53.1 1109 ||\n"
	       "\t\tfailed=\"$failed b\"\nfi\n");
	has(p, "\n\troute 6 2001:db8:605::2 2001:db8:605::/64 eth2 2001:db8:605::1 5094 ||\n");
	has(p, "\n\troute 4 10.1.53.2 10.1.53.0/24 eth1.105 10.1.53.1 10002 ||\n");
	files_free(&r.files);
}

/* "0105" is not VLAN id 105: beside "105" it would share its routing table
 * and conntrack zone. The zones go to the VIP flows of each interface. */
static void test_leading_zero_and_zones(void **state)
{
	static const char EXTRA[] =
		"balancer lb2 {\n"
		"  router-id = 10.255.0.2  services = { dns }\n"
		"  neighbor core { address = 198.51.100.254 }\n"
		"  vlan 105 { interface = \"eth1.105\"  address = \"10.5.53.1/24\" }\n"
		"  vlan 0105 { interface = \"eth1.0105\"  address = \"10.6.53.1/24\" }\n"
		"}\n"
		"realserver z {\n"
		"  balancer = lb2\n"
		"  clients = { \"192.0.2.0/24\" }\n"
		"  instance a { vlan = 105  interface = \"eth1.105\"  address = 10.5.53.2 }\n"
		"  instance b { vlan = 0105  interface = \"eth1.0105\"  address = 10.6.53.2 }\n"
		"}\n";
	struct rendered r;
	const char *p;
	(void)state;

	render("stateful", EXTRA, &r);
	if (r.rc != 0)
		fail_msg("%s", r.err);
	p = file(&r, "realservers/z/policy-routing.sh");
	has(p, " eth1.105 10.5.53.1 1105 ||");
	has(p, " eth1.0105 10.6.53.1 10000 ||");
	p = file(&r, "realservers/z/dnat.rules");
	has(p, "\n-A LVSDNS-ZONE -d 198.51.100.53/32 -i eth1.105 -j CT --zone-orig 1105\n");
	has(p, "\n-A LVSDNS-ZONE -d 198.51.100.53/32 -i eth1.0105 -j CT --zone-orig 10000\n");
	lacks(p, "OUTPUT");
	p = file(&r, "realservers/z/dnat.nft");
	has(p, "\t\t\t\"eth1.0105\" . 198.51.100.53 : 10000,\n");
	has(p, "\t\tct original zone set iifname . ip daddr map @zone4\n");
	files_free(&r.files);
}

static void test_named_acl_ports_control(void **state)
{
	struct rendered r;
	const char *a, *b, *v;
	(void)state;

	render("stateful", "", &r);
	a = file(&r, "realservers/h/named-a.conf");
	b = file(&r, "realservers/h/named-b.conf");
	v = file(&r, "realservers/h/named-v.conf");
	/* the balancer's VLAN address is added unless a client network covers it */
	has(a, "\t10.1.53.1;\n");
	lacks(b, "10.3.53.1;");
	has(b, "\t10.3.0.0/16;\n");
	/* one listener per distinct port of the family's VIPs */
	has(a, "\tlisten-on port 53 { 10.1.53.2; };\n\tlisten-on port 5353 { 10.1.53.2; };\n");
	has(v, "\tlisten-on-v6 port 53 { 2001:db8:605::2; };\n");
	lacks(v, "5353");
	has(a, "inet 127.0.0.1 port 9531 allow");
	has(b, "controls { };");
	has(v, "server-id \"h-v\";");
	files_free(&r.files);
}

static void test_rules_per_family(void **state)
{
	struct rendered r;
	const char *x4, *x6, *nft;
	(void)state;

	render("stateful", "", &r);
	x4 = file(&r, "realservers/h/dnat.rules");
	x6 = file(&r, "realservers/h/dnat6.rules");
	nft = file(&r, "realservers/h/dnat.nft");
	has(x4, "-A LVSDNS-PRE -s 10.3.0.0/16 -d 198.51.100.53/32 -i eth1.105 -p udp -m udp --dport 5353 -j DNAT --to-destination 10.1.53.2:5353\n");
	lacks(x4, "2001:");
	has(x6, "-A LVSDNS-PRE -s 2001:db8:1::/64 -d 2001:db8:53::53/128 -i eth2 -p udp -m udp --dport 53 -j DNAT --to-destination [2001:db8:605::2]:53\n");
	lacks(x6, "eth1.");
	has(nft, "\"eth2\" . 2001:db8:53::53 . udp . 53 : 2001:db8:605::2 . 53,\n");
	has(nft, "ip6 saddr @clients6 dnat ip6 to");
	/* host four: IPv4 only, though its balancer carries an IPv6 VIP */
	assert_null(file(&r, "realservers/four/dnat6.rules"));
	lacks(file(&r, "realservers/four/dnat.nft"), "clients6");
	files_free(&r.files);
}

static void test_stateless(void **state)
{
	struct rendered r;
	struct site s;
	struct diags d;
	(void)state;

	render("stateless", "", &r);
	/* three IPv4 ports but one IPv4 VIP: allowed */
	assert_int_equal(r.rc, 0);
	assert_null(file(&r, "realservers/h/dnat.rules"));
	has(file(&r, "realservers/h/dnat.nft"), "10.1.53.2 . udp . 5353 : 198.51.100.53,\n");
	files_free(&r.files);

	/* two IPv4 VIPs: the site is refused when it is loaded (check says so,
	 * at a line), not only when it is rendered */
	assert_int_not_equal(load("stateless", "bgp { mode = anycast }\n"
				  "service more { vip = 198.51.100.54  ports = { \"udp/53\" } }\n", &s, &d), 0);
	assert_true(diag_has(&d, "realserver h: nat = stateless, but balancer lb carries 2 IPv4 VIPs (dns, more)"));
	assert_false(diag_has(&d, "realserver four"));   /* stateful */
	diags_free(&d);
	site_free(&s);

	/* and the renderer still refuses a model that was never validated:
	 * dns6's VIP made IPv4 behind the parser's back */
	assert_int_equal(load("stateless", "", &s, &d), 0);
	diags_free(&d);
	assert_true(addr_parse("198.51.100.54", &s.services[site_service_index(&s, "dns6")].vip));
	render_loaded(&s, &r);
	assert_int_equal(r.rc, -1);
	assert_non_null(strstr(r.err, "realserver h: nat = stateless, but balancer lb carries 2 IPv4 VIPs (dns, dns6)"));
	files_free(&r.files);
}

/* named@.service runs the installation bind { prefix } names, with
 * named-checkconf where the site's version installs it: sbin before BIND
 * 9.17.2, bin after (the version table). */
static void test_unit_programs(void **state)
{
	static const struct {
		const char *bind, *checkconf, *named;
	} cases[] = {
		{ "", "/usr/local/bin/named-checkconf", "/usr/local/sbin/named -f -u bind -n 1 -c" },
		{ "bind { prefix = \"/usr\" }\n", "/usr/bin/named-checkconf",
		  "/usr/sbin/named -f -u bind -n 1 -c" },
		{ "bind { version = \"9.16.44\"  prefix = \"/usr\" }\n", "/usr/sbin/named-checkconf",
		  "/usr/sbin/named -f -u bind -n 1 -M internal -c" },
		{ "bind { version = \"9.16.44\" }\n", "/usr/local/sbin/named-checkconf",
		  "/usr/local/sbin/named -f -u bind -n 1 -M internal -c" },
		{ "bind { version = \"9.11.37\"  prefix = \"/opt/bind-9.11/\" }\n",
		  "/opt/bind-9.11/sbin/named-checkconf", "/opt/bind-9.11/sbin/named -f -u bind -n 1 -c" },
		/* Debian's 9.11 has threads (--enable-threads): -n 1 keeps one worker. */
		{ "bind { version = \"9.11.5-P4\"  prefix = \"/usr\" }\n", "/usr/sbin/named-checkconf",
		  "/usr/sbin/named -f -u bind -n 1 -c" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct rendered r;
		char pre[128], start[128];
		const char *u;

		render("stateful", cases[i].bind, &r);
		assert_int_equal(r.rc, 0);
		u = file(&r, "realservers/h/named@.service");
		snprintf(pre, sizeof pre, "\nExecStartPre=%s /etc/bind/named-%%i.conf\n", cases[i].checkconf);
		snprintf(start, sizeof start, "\nExecStart=%s /etc/bind/named-%%i.conf\n", cases[i].named);
		has(u, pre);
		has(u, start);
		has(u, strstr(cases[i].bind, "/usr\"") ? "the distribution's package" : "as bind-build installs it");
		files_free(&r.files);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files_of_each_host),
		cmocka_unit_test(test_routing_tables),
		cmocka_unit_test(test_leading_zero_and_zones),
		cmocka_unit_test(test_named_acl_ports_control),
		cmocka_unit_test(test_rules_per_family),
		cmocka_unit_test(test_stateless),
		cmocka_unit_test(test_unit_programs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
