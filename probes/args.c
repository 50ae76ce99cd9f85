#include "args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char args_usage[] =
	"usage: dnsprobe [options] QNAME SERVER\n"
	"       dnsprobe [options] FROM_IP CLASS QTYPE QNAME TO_IP TIME TRIES ERROR_MATCH TRANSPORT\n"
	"       dnsprobe [options] --watch TARGETS [--metrics FILE] [--syslog]\n"
	"       dnsprobe [options] --watch TARGETS --check\n"
	"options: -b/--source ADDR  -p/--port N  -c/--class IN|CH  -t/--type TYPE\n"
	"         -T/--transport udp|tcp|udp-tcp  -w/--timeout MS  -r/--tries N\n"
	"         -f/--fail-rcodes LIST  -a/--expect-address ADDR  -m/--min-answers N\n"
	"         --no-rd  --edns SIZE  --do  --cd  --dynamic-weight MS1,MS2,...\n"
	"         --nagios  --warning MS  --compat  -v/--verbose  -h/--help  -V/--version\n"
	"exit: 0 up, 1 down or usage error, 2+w up with weight w (--dynamic-weight);\n"
	"      --nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. See dnsprobe(8).\n";

enum opt_id {
	O_SOURCE, O_PORT, O_CLASS, O_TYPE, O_TRANSPORT, O_TIMEOUT, O_TRIES, O_FAIL,
	O_EXPECT, O_MIN, O_NORD, O_EDNS, O_DO, O_CD, O_WEIGHT, O_NAGIOS, O_WARN,
	O_COMPAT, O_WATCH, O_CHECK, O_METRICS, O_SYSLOG, O_VERBOSE, O_HELP, O_VERSION,
};

struct opt_spec {
	const char *lng;
	char shrt;
	bool arg;
	enum opt_id id;
};

static const struct opt_spec specs[] = {
	{ "source", 'b', true, O_SOURCE }, { "port", 'p', true, O_PORT },
	{ "class", 'c', true, O_CLASS }, { "type", 't', true, O_TYPE },
	{ "transport", 'T', true, O_TRANSPORT }, { "timeout", 'w', true, O_TIMEOUT },
	{ "tries", 'r', true, O_TRIES }, { "fail-rcodes", 'f', true, O_FAIL },
	{ "expect-address", 'a', true, O_EXPECT }, { "min-answers", 'm', true, O_MIN },
	{ "no-rd", 0, false, O_NORD }, { "edns", 0, true, O_EDNS }, { "do", 0, false, O_DO },
	{ "cd", 0, false, O_CD }, { "dynamic-weight", 0, true, O_WEIGHT },
	{ "nagios", 0, false, O_NAGIOS }, { "warning", 0, true, O_WARN },
	{ "compat", 0, false, O_COMPAT }, { "watch", 0, true, O_WATCH },
	{ "check", 0, false, O_CHECK },
	{ "metrics", 0, true, O_METRICS }, { "syslog", 0, false, O_SYSLOG },
	{ "verbose", 'v', false, O_VERBOSE }, { "help", 'h', false, O_HELP },
	{ "version", 'V', false, O_VERSION },
};
#define NSPECS (sizeof(specs) / sizeof(specs[0]))

bool parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (*s == '\0' || strlen(s) > 10)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool parse_transport(const char *s, enum transport_mode *t)
{
	if (strcasecmp(s, "udp") == 0)
		*t = TM_UDP;
	else if (strcasecmp(s, "tcp") == 0)
		*t = TM_TCP;
	else if (strcasecmp(s, "udp-tcp") == 0)
		*t = TM_UDP_TCP;
	else
		return false;
	return true;
}

const char *transport_str(enum transport_mode t)
{
	return t == TM_UDP ? "udp" : t == TM_TCP ? "tcp" : "udp-tcp";
}

/* Copies one token of a comma (or '|') list into tok; returns the rest
 * after the separator, or NULL after the last token (so "a," has an empty
 * second token, which callers reject). */
static const char *next_token(const char *s, char *tok, size_t cap, bool *ok)
{
	size_t n = strcspn(s, ",|");
	*ok = n > 0 && n < cap;
	if (*ok) {
		memcpy(tok, s, n);
		tok[n] = '\0';
	}
	return s[n] ? s + n + 1 : NULL;
}

bool parse_rcode_set(const char *s, uint32_t *set)
{
	char tok[16];
	bool ok;

	*set = 0;
	if (strcasecmp(s, "none") == 0)
		return true;
	do {
		s = next_token(s, tok, sizeof(tok), &ok);
		unsigned long num;
		/* a number names the rcodes that have no name (12 to 15) */
		int rc = !ok ? -1 : parse_uint(tok, 0, 15, &num) ? (int)num : rcode_from_name(tok);
		if (rc < 0)
			return false;
		*set |= 1u << rc;
	} while (s);
	return true;
}

static bool parse_weights(const char *s, struct exit_policy *p)
{
	char tok[16];
	bool ok;
	unsigned long v;

	p->nweights = 0;
	do {
		s = next_token(s, tok, sizeof(tok), &ok);
		if (!ok || !parse_uint(tok, 1, 3600000, &v) || p->nweights == MAX_WEIGHTS)
			return false;
		if (p->nweights && v <= p->weights_ms[p->nweights - 1])
			return false;
		p->weights_ms[p->nweights++] = (uint32_t)v;
	} while (s);
	return true;
}

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return false; } while (0)

static bool apply(struct opts *o, enum opt_id id, const char *name, const char *val,
		  char *err, size_t errlen)
{
	unsigned long v;
	int n;

	switch (id) {
	case O_SOURCE:
		if (!addr_parse(val, &o->check.ep.source))
			FAIL("--%s: '%s' is not a numeric address", name, val);
		break;
	case O_PORT:
		if (!parse_uint(val, 1, 65535, &v))
			FAIL("--%s: '%s' is not a port (1-65535)", name, val);
		o->check.ep.port = (uint16_t)v;
		break;
	case O_CLASS:
		if ((n = qclass_from_name(val)) < 0)
			FAIL("--%s: unknown class '%s' (IN, CH)", name, val);
		o->check.q.qclass = (uint16_t)n;
		break;
	case O_TYPE:
		if ((n = qtype_from_name(val)) < 0)
			FAIL("--%s: unknown type '%s' (A AAAA NS MX SOA TXT PTR SRV CNAME ANY, or TYPEnnn)",
			     name, val);
		o->check.q.qtype = (uint16_t)n;
		break;
	case O_TRANSPORT:
		if (!parse_transport(val, &o->transport))
			FAIL("--%s: '%s' is not udp, tcp or udp-tcp", name, val);
		break;
	case O_TIMEOUT:
		if (!parse_uint(val, 1, 3600000, &v))
			FAIL("--%s: '%s' is not a time in milliseconds (1-3600000)", name, val);
		o->timeout_ms = (uint32_t)v;
		break;
	case O_TRIES:
		if (!parse_uint(val, 1, 100, &v))
			FAIL("--%s: '%s' is not a number of tries (1-100)", name, val);
		o->tries = (unsigned)v;
		break;
	case O_FAIL:
		if (!parse_rcode_set(val, &o->check.expect.fail_rcodes))
			FAIL("--%s: '%s' is not a list of rcode names or numbers 0-15 (e.g. SERVFAIL,REFUSED or NONE)", name, val);
		break;
	case O_EXPECT:
		if (!addr_parse(val, &o->check.expect.address))
			FAIL("--%s: '%s' is not a numeric address", name, val);
		break;
	case O_MIN:
		if (!parse_uint(val, 0, 65535, &v))
			FAIL("--%s: '%s' is not a count (0-65535)", name, val);
		o->check.expect.min_answers = (unsigned)v;
		break;
	case O_NORD: o->check.flags.rd = false; break;
	case O_EDNS:
		if (!parse_uint(val, 512, 65535, &v))
			FAIL("--%s: '%s' is not a buffer size (512-65535)", name, val);
		o->check.flags.edns_size = (uint16_t)v;
		break;
	case O_DO: o->check.flags.dnssec_ok = true; break;
	case O_CD: o->check.flags.cd = true; break;
	case O_WEIGHT:
		if (!parse_weights(val, &o->exit))
			FAIL("--%s: '%s' is not a strictly ascending list of at most %d latencies in ms",
			     name, val, MAX_WEIGHTS);
		break;
	case O_NAGIOS: o->exit.mode = EXIT_NAGIOS; break;
	case O_WARN:
		if (!parse_uint(val, 1, 3600000, &v))
			FAIL("--%s: '%s' is not a time in milliseconds", name, val);
		o->exit.warn_ms = (uint32_t)v;
		break;
	case O_COMPAT: o->compat = true; break;
	case O_WATCH: o->watch_file = val; break;
	case O_CHECK: o->check_only = true; break;
	case O_METRICS: o->metrics_file = val; break;
	case O_SYSLOG: o->use_syslog = true; break;
	case O_VERBOSE: o->verbose = true; break;
	case O_HELP: o->help = true; break;
	case O_VERSION: o->version = true; break;
	}
	return true;
}

static const struct opt_spec *find_long(const char *s, size_t n)
{
	for (size_t i = 0; i < NSPECS; i++)
		if (strlen(specs[i].lng) == n && strncmp(specs[i].lng, s, n) == 0)
			return &specs[i];
	return NULL;
}

static const struct opt_spec *find_short(char c)
{
	for (size_t i = 0; i < NSPECS; i++)
		if (specs[i].shrt == c)
			return &specs[i];
	return NULL;
}

static void defaults(struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->check.ep.port = 53;
	o->check.q.qtype = QTYPE_A;
	o->check.q.qclass = QCLASS_IN;
	o->check.flags.rd = true;
	o->check.expect.fail_rcodes = 1u << RCODE_SERVFAIL | 1u << RCODE_REFUSED;
	o->transport = TM_UDP;
	o->timeout_ms = 1000;
	o->tries = 3;
	o->exit.mode = EXIT_KEEPALIVED;
}

static bool set_qname(struct opts *o, const char *s, char *err, size_t errlen)
{
	enum name_error e = name_from_text(s, o->check.q.name, &o->check.q.name_len);
	if (e != NAME_OK)
		FAIL("query name '%.80s': %s", s, name_error_str(e));
	return true;
}

static bool set_server(struct opts *o, const char *s, char *err, size_t errlen)
{
	if (!addr_parse(s, &o->check.ep.server))
		FAIL("server '%.80s' is not a numeric address (no names are resolved)", s);
	return true;
}

/* The old wrapper: FROM_IP CLASS QTYPE QNAME TO_IP TIME TRIES ERROR_MATCH
 * TRANSPORT, run as dig +time=TIME +tries=TRIES (+tcp|+notcp). It passed +tcp
 * for a TRANSPORT of exactly "tcp" and +notcp for anything else, so every
 * other value is udp here; and dig retries truncated udp answers over tcp,
 * so udp means udp-tcp. */
static bool apply_compat(struct opts *o, char *const p[9], char *err, size_t errlen)
{
	unsigned long v;
	int n;

	if (!addr_parse(p[0], &o->check.ep.source))
		FAIL("compat FROM_IP '%.80s' is not a numeric address", p[0]);
	if ((n = qclass_from_name(p[1])) < 0)
		FAIL("compat CLASS '%.80s' is not IN or CH", p[1]);
	o->check.q.qclass = (uint16_t)n;
	if ((n = qtype_from_name(p[2])) < 0)
		FAIL("compat QTYPE '%.80s' is not a known type or TYPEnnn", p[2]);
	o->check.q.qtype = (uint16_t)n;
	if (!set_qname(o, p[3], err, errlen) || !set_server(o, p[4], err, errlen))
		return false;
	if (!parse_uint(p[5], 0, 3600, &v))
		FAIL("compat TIME '%.80s' is not a number of seconds", p[5]);
	o->timeout_ms = (uint32_t)(v ? v : 1) * 1000; /* dig: +time=0 means 1 */
	if (!parse_uint(p[6], 0, 100, &v))
		FAIL("compat TRIES '%.80s' is not a number", p[6]);
	o->tries = v ? (unsigned)v : 1;
	if (!parse_rcode_set(p[7], &o->check.expect.fail_rcodes))
		FAIL("compat ERROR_MATCH '%.80s' is not rcode names separated by '|' or ','", p[7]);
	o->transport = strcmp(p[8], "tcp") == 0 ? TM_TCP : TM_UDP_TCP;
	return true;
}

/* Nine positionals are the old wrapper's only when they look like it. */
static bool looks_compat(char *const p[9])
{
	struct addr a;
	return addr_parse(p[0], &a) && addr_parse(p[4], &a) && qclass_from_name(p[1]) >= 0;
}

#define BIT(id) (1u << (id))
/* Options the targets file has a column for: given with --watch, they would
 * silently lose to the file, so they are refused. */
#define PER_TARGET (BIT(O_SOURCE) | BIT(O_PORT) | BIT(O_TYPE) | BIT(O_TRANSPORT) | \
		    BIT(O_TIMEOUT) | BIT(O_TRIES))
/* Options the old wrapper's nine arguments also set: given beside them, one
 * of the two would silently lose. */
#define COMPAT_SET (BIT(O_SOURCE) | BIT(O_CLASS) | BIT(O_TYPE) | BIT(O_TRANSPORT) | \
		    BIT(O_TIMEOUT) | BIT(O_TRIES) | BIT(O_FAIL))

/* seen: BIT(id) for every option given. */
static bool finish(struct opts *o, uint32_t seen, int npos, char *const pos[], char *err,
		   size_t errlen)
{
	const char *why;

	if (o->help || o->version)
		return true;
	if ((seen & BIT(O_WARN)) && o->exit.mode != EXIT_NAGIOS)
		FAIL("--warning needs --nagios (only a Nagios plugin has a WARNING state)");
	if (o->exit.nweights && o->exit.mode == EXIT_NAGIOS)
		FAIL("--dynamic-weight and --nagios are two ways to exit; give one (the weights "
		     "would be ignored)");
	if (o->watch_file) {
		if (npos != 0)
			FAIL("--watch takes no positional arguments");
		if (seen & PER_TARGET)
			FAIL("--watch takes source, port, type, transport, timeout and tries from the "
			     "targets file; -b, -p, -t, -T, -w and -r would be ignored");
		if (o->compat || o->exit.nweights || o->exit.mode == EXIT_NAGIOS)
			FAIL("--watch cannot be combined with --compat, --dynamic-weight or --nagios");
		return true;
	}
	if (o->metrics_file || o->use_syslog || o->check_only)
		FAIL("--metrics, --syslog and --check need --watch");
	if (npos == 9 && (o->compat || looks_compat(pos))) {
		o->compat = true;
		if (seen & COMPAT_SET)
			FAIL("the old wrapper's nine arguments set the source, class, type, timeout, "
			     "tries, fail rcodes and transport; -b, -c, -t, -w, -r, -f and -T beside them "
			     "would be ignored");
		if (!apply_compat(o, pos, err, errlen))
			return false;
	} else if (o->compat) {
		FAIL("--compat needs exactly nine arguments: FROM_IP CLASS QTYPE QNAME TO_IP TIME TRIES ERROR_MATCH TRANSPORT");
	} else if (npos != 2) {
		FAIL("expected QNAME SERVER (or the old wrapper's nine arguments), got %d argument%s",
		     npos, npos == 1 ? "" : "s");
	} else if (!set_qname(o, pos[0], err, errlen) || !set_server(o, pos[1], err, errlen)) {
		return false;
	}
	if (o->check.ep.source.family && o->check.ep.source.family != o->check.ep.server.family)
		FAIL("source and server addresses are of different families");
	if ((why = expect_mismatch(o->check.q.qtype, &o->check.expect)) != NULL)
		FAIL("--expect-address: %s", why);
	if (o->transport == TM_UDP_TCP)
		o->check.expect.tcp_fallback = true;
	return true;
}

bool args_parse(int argc, char *const argv[], struct opts *o, char *err, size_t errlen)
{
	char *pos[9];
	int npos = 0;
	bool only_pos = false;
	uint32_t seen = 0;

	defaults(o);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		const struct opt_spec *sp;

		if (only_pos || a[0] != '-' || a[1] == '\0') {
			if (npos == 9)
				FAIL("too many arguments");
			pos[npos++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = true;
			continue;
		}
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			if (!(sp = find_long(a + 2, n)))
				FAIL("unknown option '%.80s'", a);
			if (eq && !sp->arg)
				FAIL("option --%s takes no value", sp->lng);
			val = eq ? eq + 1 : NULL;
		} else {
			if (!(sp = find_short(a[1])))
				FAIL("unknown option '%.80s'", a);
			if (a[2] != '\0') {
				if (!sp->arg)
					FAIL("option -%c takes no value", a[1]);
				val = a + 2;
			}
		}
		if (sp->arg && !val) {
			if (i + 1 >= argc)
				FAIL("option --%s needs a value", sp->lng);
			val = argv[++i];
		}
		if (!apply(o, sp->id, sp->lng, val, err, errlen))
			return false;
		seen |= BIT(sp->id);
	}
	return finish(o, seen, npos, pos, err, errlen);
}
