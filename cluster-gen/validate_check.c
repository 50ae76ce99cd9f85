/* The check { } section: what the probe, the watcher or keepalived's own
 * DNS_CHECK would be asked to do, refused here when it could never work or
 * would quietly do something else (a type DNS_CHECK cannot ask, a state
 * directory the watcher's sandbox hides, thresholds keepalived cannot run). */
#include "validate.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const char *const qtypes[] = { "A", "AAAA", "NS", "MX", "SOA", "TXT", "PTR",
				      "SRV", "CNAME", "ANY", NULL };
static const char *const rcodes[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
				      "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
				      "NXRRSET", "NOTAUTH", "NOTZONE", NULL };

/* keepalived's DNS_CHECK knows only these types. */
static const char *const keepalived_dns_types[] = { "A", "NS", "CNAME", "SOA", "MX",
						    "TXT", "AAAA", NULL };

/* Thresholds, in characters: keepalived runs misc_path from a buffer of
 * about 1 KiB, and dnsprobe takes at most 253 thresholds. */
#define DYNAMIC_WEIGHT_MAX 200

static bool valid_thresholds(const char *s)
{
	unsigned long prev = 0, v;
	char *end;

	do {
		if (*s < '0' || *s > '9')
			return false;
		v = strtoul(s, &end, 10);
		if (v <= prev || v > 600000)
			return false;
		prev = v;
		s = end + (*end == ',');
	} while (*end == ',');
	return *end == '\0';
}

/* The watcher runs with PrivateTmp= and ProtectHome=: a state directory
 * there would be its own, not the one keepalived's FILE_CHECKs read. */
static bool sandboxed_away(const char *dir)
{
	static const char *const away[] = { "/tmp", "/var/tmp", "/home", "/root", "/run/user", NULL };

	for (const char *const *a = away; *a; a++) {
		size_t n = strlen(*a);

		if (strncmp(dir, *a, n) == 0 && (dir[n] == '\0' || dir[n] == '/'))
			return true;
	}
	return false;
}

/* What keepalived's own DNS_CHECK cannot do. Each problem is a choice of
 * checker against another option: named at the later of the two. */
static void validate_keepalived_dns(const struct check *c, struct diags *d)
{
	struct origin answers = c->checker_at;   /* or a later answer check */

	if (c->expect_address)
		answers.line = later_line(answers, c->expect_address_at);
	if (c->min_answers)
		answers.line = later_line(answers, c->min_answers_at);
	if (c->transport != TRANSPORT_UDP)
		diag_add(d, later_line(c->transport_at, c->checker_at), "use checker = probe or watch for TCP checks",
			 "check: keepalived's DNS_CHECK sends UDP only, not %s", transport_name(c->transport));
	if (c->expect_address || c->min_answers)
		diag_add(d, answers.line, "use checker = probe or watch to inspect answers",
			 "check: keepalived's DNS_CHECK never looks at the answer section");
	if (!in_table(keepalived_dns_types, c->qtype))
		diag_add(d, later_line(c->qtype_at, c->checker_at), NULL,
			 "check: keepalived's DNS_CHECK cannot ask type %s", c->qtype);
	if (c->qname && c->qname[0] && c->qname[0] != '.' && (c->qname[1] == '.' || c->qname[1] == '\0'))
		diag_add(d, later_line(c->qname_at, c->checker_at),
			 "ask a name whose first label is longer, or use checker = probe",
			 "check: keepalived 2.2.7's DNS_CHECK drops a name whose first label is one character ('%s')",
			 c->qname);
	if (strcmp(c->qclass, "IN"))
		diag_add(d, later_line(c->qclass_at, c->checker_at), NULL,
			 "check: keepalived's DNS_CHECK asks class IN only");
}

void validate_check(const struct site *s, struct diags *d)
{
	const struct check *c = &s->check;
	struct addr a;

	if (c->qname && !valid_qname(c->qname))
		diag_add(d, c->qname_at.line, "an ASCII name with labels of at most 63 octets (IDN: use the xn-- form)",
			 "check: name '%s' is not a valid DNS name", c->qname);
	if (!in_table(qtypes, c->qtype))
		diag_add(d, c->qtype_at.line, "one of A AAAA NS MX SOA TXT PTR SRV CNAME ANY",
			 "check: type '%s' is not supported", c->qtype);
	if (strcmp(c->qclass, "IN") && strcmp(c->qclass, "CH"))
		diag_add(d, c->qclass_at.line, NULL, "check: class '%s' is not IN or CH", c->qclass);
	for (size_t i = 0; i < c->nfail_rcodes; i++) {
		if (!in_table(rcodes, c->fail_rcodes[i]))
			diag_add(d, c->fail_rcodes_at.line, "rcode names such as SERVFAIL, REFUSED, NXDOMAIN",
				 "check: fail-rcodes: '%s' is not an rcode", c->fail_rcodes[i]);
		if (i > 0 && strcmp(c->fail_rcodes[i], c->fail_rcodes[i - 1]) == 0)
			diag_add(d, c->fail_rcodes_at.line, NULL, "check: fail-rcodes lists %s twice",
				 c->fail_rcodes[i]);
	}
	if (c->qname && c->qname[0] == '-')
		diag_add(d, c->qname_at.line, "a DNS name starts with a letter, a digit or '_'",
			 "check: name '%s' would be read as an option by the probe", c->qname);
	for (size_t i = 0; i < c->nfail_rcodes; i++)
		if (strcmp(c->fail_rcodes[i], "NOERROR") == 0)
			diag_add(d, c->fail_rcodes_at.line, "list the rcodes of a sick server, e.g. { SERVFAIL, REFUSED }",
				 "check: fail-rcodes holds NOERROR: every answer would mark the instance down");
	if (c->expect_address && !addr_parse(c->expect_address, &a))
		diag_add(d, c->expect_address_at.line, NULL, "check: expect-address '%s' is not an IP address",
			 c->expect_address);
	else if (c->expect_address && strcmp(c->qtype, a.family == AF_INET ? "A" : "AAAA") != 0)
		diag_add(d, later_line(c->expect_address_at, c->qtype_at),
			 a.family == AF_INET ? "type = A" : "type = AAAA",
			 "check: expect-address %s is IPv%d, but a type %s answer never holds one: every check would fail",
			 c->expect_address, addr_version(&a), c->qtype);
	if (!safe_path(c->probe_path))
		diag_add(d, c->probe_path_at.line, "keepalived splits misc_path on spaces and runs it without a shell",
			 "check: probe '%s' must be an absolute path without spaces or shell syntax",
			 c->probe_path);
	if (!safe_path(c->watch_dir))
		diag_add(d, c->watch_dir_at.line, NULL, "check: watch-dir '%s' must be an absolute plain path",
			 c->watch_dir);
	else if (sandboxed_away(c->watch_dir))
		diag_add(d, c->watch_dir_at.line, "the default /run/lvsdns, or a directory under /run or /var/lib",
			 "check: watch-dir '%s' is where lvsdns-watch.service's sandbox gives the watcher a "
			 "private or no view (PrivateTmp=, ProtectHome=): keepalived would never see its "
			 "state files", c->watch_dir);
	if (c->dynamic_weight && strlen(c->dynamic_weight) > DYNAMIC_WEIGHT_MAX)
		diag_add(d, c->dynamic_weight_at.line, "a few thresholds are enough: each step lowers the weight by one",
			 "check: dynamic-weight is longer than %d characters; keepalived cannot run so long a misc_path",
			 DYNAMIC_WEIGHT_MAX);
	else if (c->dynamic_weight && !valid_thresholds(c->dynamic_weight))
		diag_add(d, c->dynamic_weight_at.line, "rising latency thresholds in milliseconds, e.g. \"20,100,500\"",
			 "check: dynamic-weight '%s' is not a list of rising numbers", c->dynamic_weight);
	if (c->dynamic_weight && c->checker != CHECKER_PROBE)
		diag_add(d, later_line(c->dynamic_weight_at, c->checker_at), NULL,
			 "check: dynamic-weight needs checker = probe (keepalived's misc_dynamic)");
	if (c->checker == CHECKER_KEEPALIVED_DNS)
		validate_keepalived_dns(c, d);
}

/* Watch mode names each target HOST+INSTANCE+PROTO-PORT; dnsprobe takes
 * ids of at most 63 characters (probes/targets.h TARGET_ID_MAX - 1; that
 * header cannot be included here: its struct check is dnsprobe's). */
void validate_watch_ids(const struct site *s, struct diags *d)
{
	if (s->check.checker != CHECKER_WATCH)
		return;
	for (size_t i = 0; i < s->nrealservers; i++) {
		const struct realserver *r = &s->realservers[i];
		for (size_t j = 0; j < r->ninstances; j++)
			if (strlen(r->name) + strlen(r->instances[j].name) + sizeof("++tcp-65535") - 1 > 63)
				diag_add(d, r->instances[j].at.line, "shorten the host or the instance name",
					 "%s instance %s: the watch target id %s+%s+PROTO-PORT could exceed dnsprobe's 63 characters",
					 r->name, r->instances[j].name, r->name, r->instances[j].name);
	}
}

/* BIND answers class CH (id.server, hostname.bind, version.bind) from its
 * built-in "_bind" view, which answers each client network (a /24, a /56)
 * at most 3 times a second over UDP and drops the rest (rate-limit,
 * slip 0): more checks than that fail on an instance that is fine. */
#define BIND_CHAOS_PER_SECOND 3.0

/* The UDP checks a second balancer b sends each of its instances of IP
 * version v: one per UDP virtual server and delay-loop (probe), or one per
 * UDP port and interval (watch, one target per port). */
static double udp_checks_per_second(const struct site *s, const struct balancer *b, int v)
{
	const struct check *c = &s->check;
	double rate = 0;

	if (c->checker == CHECKER_WATCH) {
		size_t n, udp = 0;
		struct port_proto *pp = balancer_family_ports(s, b, v == 4 ? AF_INET : AF_INET6, &n);

		for (size_t p = 0; p < n; p++)
			udp += pp[p].proto == PROTO_UDP;
		free(pp);
		return c->interval ? (double)udp / c->interval : 0;
	}
	for (size_t i = 0; i < s->nservices; i++) {
		const struct service *sv = &s->services[i];

		if (!balancer_carries(b, i) || addr_version(&sv->vip) != v || !sv->delay_loop)
			continue;
		for (size_t p = 0; p < sv->nports; p++)
			if (sv->ports[p].proto == PROTO_UDP)
				rate += 1.0 / sv->delay_loop;
	}
	return rate;
}

/* Whether balancer lb has a real server instance of IP version v. */
static bool has_instances(const struct site *s, size_t lb, int v)
{
	for (size_t i = 0; i < s->nrealservers; i++) {
		const struct realserver *r = &s->realservers[i];

		for (size_t j = 0; r->balancer == lb && j < r->ninstances; j++)
			if (addr_version(&r->instances[j].address) == v)
				return true;
	}
	return false;
}

void validate_chaos_rate(const struct site *s, struct diags *d)
{
	const struct check *c = &s->check;

	if (strcmp(c->qclass, "CH") || c->transport == TRANSPORT_TCP || c->checker == CHECKER_KEEPALIVED_DNS)
		return;
	for (size_t lb = 0; lb < s->nbalancers; lb++)
		for (int v = 4; v <= 6; v += 2) {
			double rate = udp_checks_per_second(s, &s->balancers[lb], v);

			if (rate > BIND_CHAOS_PER_SECOND && has_instances(s, lb, v))
				diag_add(d, c->qclass_at.line,
					 "ask class IN, a name the resolvers answer (that also shows recursion "
					 "works), or check less often (delay-loop, interval, transport = tcp)",
					 "check: class CH is answered by BIND's built-in _bind view at most %.0f "
					 "times a second per client network, the rest dropped; balancer %s "
					 "would check each of its IPv%d instances %.2f times a second over UDP",
					 BIND_CHAOS_PER_SECOND, s->balancers[lb].name, v, rate);
		}
}
