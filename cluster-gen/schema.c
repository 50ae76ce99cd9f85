#include "schema.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "../bind-build/bind_table.h"

enum decimal schema_decimal(const char *text, size_t len, long *value)
{
	bool minus = len > 0 && text[0] == '-';
	size_t i = len > 0 && (text[0] == '-' || text[0] == '+');
	unsigned long v = 0, limit = minus ? (unsigned long)LONG_MAX + 1 : LONG_MAX;
	bool over = false;

	if (i == len || (text[i] == '0' && i + 1 < len))
		return DECIMAL_NOT;
	for (; i < len; i++) {
		unsigned digit = (unsigned)(text[i] - '0');

		if (digit > 9)
			return DECIMAL_NOT;
		over |= v > (limit - digit) / 10;
		if (!over)
			v = v * 10 + digit;
	}
	if (over)
		return DECIMAL_RANGE;
	if (value)
		*value = minus ? (long)(0 - v) : (long)v;
	return DECIMAL_OK;
}

/* libconfuse's callback for the schema's integers. The walk of the text
 * (site_walk.c) reports a bad one before libconfuse parses; this stays
 * for what the walk leaves to libconfuse, a value with an escape in it. */
static int parse_decimal(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	switch (schema_decimal(value, strlen(value), result)) {
	case DECIMAL_OK:
		return 0;
	case DECIMAL_RANGE:
		cfg_error(cfg, "option '%s': %s is out of range", opt->name, value);
		return -1;
	default:
		cfg_error(cfg, "option '%s': '%s' is not a decimal number "
			  "(write it without leading zeros or 0x)", opt->name, value);
		return -1;
	}
}

#define DECIMAL(name, def, flags) CFG_INT_CB(name, def, flags, parse_decimal)

/* Every section carries SCHEMA_LINES so that the line of each option can be
 * recorded while libconfuse parses (it keeps only section lines). */
#define LINES CFG_STR_LIST(SCHEMA_LINES, 0, CFGF_NONE)

static cfg_opt_t site_opts[] = {
	DECIMAL("asn", 0, CFGF_NODEFAULT),
	CFG_STR("script-user", "nobody", CFGF_NONE),
	CFG_STR("vip-guard", "/usr/local/sbin/lvsdns-vip-guard", CFGF_NONE),
	CFG_STR("script-check", "/usr/local/sbin/lvsdns-script-check", CFGF_NONE),
	LINES,
	CFG_END()
};

static cfg_opt_t check_opts[] = {
	CFG_STR("name", 0, CFGF_NODEFAULT),
	CFG_STR("type", "A", CFGF_NONE),
	CFG_STR("class", "IN", CFGF_NONE),
	DECIMAL("timeout", 1, CFGF_NONE),
	DECIMAL("tries", 3, CFGF_NONE),
	CFG_STR_LIST("fail-rcodes", "{SERVFAIL,REFUSED}", CFGF_NONE),
	CFG_STR("transport", "udp", CFGF_NONE),
	CFG_STR("checker", "probe", CFGF_NONE),
	DECIMAL("rise", 1, CFGF_NONE),
	DECIMAL("fall", 1, CFGF_NONE),
	DECIMAL("interval", 6, CFGF_NONE),
	CFG_STR("expect-address", 0, CFGF_NONE),
	DECIMAL("min-answers", 0, CFGF_NONE),
	CFG_STR("dynamic-weight", 0, CFGF_NONE),
	CFG_STR("probe", "/usr/local/sbin/dnsprobe", CFGF_NONE),
	CFG_STR("watch-dir", "/run/lvsdns", CFGF_NONE),
	LINES,
	CFG_END()
};

static cfg_opt_t bgp_opts[] = {
	CFG_STR("mode", "active-standby", CFGF_NONE),
	DECIMAL("primary-metric", 0, CFGF_NONE),
	DECIMAL("backup-metric", 100, CFGF_NONE),
	DECIMAL("local-preference", 100, CFGF_NONE),
	DECIMAL("keepalive", 1, CFGF_NONE),
	DECIMAL("holdtime", 3, CFGF_NONE),
	CFG_BOOL("bfd", cfg_true, CFGF_NONE),
	DECIMAL("bfd-interval", 300, CFGF_NONE),
	DECIMAL("bfd-multiplier", 3, CFGF_NONE),
	LINES,
	CFG_END()
};

static cfg_opt_t bind_opts[] = {
	CFG_STR("version", "9.18.49", CFGF_NONE),
	CFG_BOOL("threads", cfg_false, CFGF_NONE),
	CFG_BOOL("internal-malloc", cfg_true, CFGF_NONE),
	/* bind-build's own default: the units run the build the bind
	 * section describes unless the site names another ("/usr"). */
	CFG_STR("prefix", BIND_PREFIX_DEFAULT, CFGF_NONE),
	LINES,
	CFG_END()
};

static cfg_opt_t service_opts[] = {
	CFG_STR("vip", 0, CFGF_NODEFAULT),
	CFG_STR_LIST("ports", "{udp/53,tcp/53}", CFGF_NONE),
	CFG_STR("scheduler", "wrr", CFGF_NONE),
	CFG_STR("method", "DR", CFGF_NONE),
	DECIMAL("persistence-timeout", 0, CFGF_NONE),
	DECIMAL("persistence-netmask", 0, CFGF_NONE),
	DECIMAL("delay-loop", 6, CFGF_NONE),
	DECIMAL("quorum", 1, CFGF_NONE),
	DECIMAL("hysteresis", 0, CFGF_NONE),
	CFG_BOOL("alpha", cfg_true, CFGF_NONE),
	CFG_BOOL("one-packet-scheduling", cfg_false, CFGF_NONE),
	LINES,
	CFG_END()
};

static cfg_opt_t neighbor_opts[] = {
	CFG_STR("address", 0, CFGF_NODEFAULT),
	DECIMAL("remote-as", 0, CFGF_NONE),
	CFG_STR("description", 0, CFGF_NONE),
	CFG_BOOL("bfd", cfg_true, CFGF_NONE),
	LINES,
	CFG_END()
};

static cfg_opt_t vlan_opts[] = {
	CFG_STR("interface", 0, CFGF_NODEFAULT),
	CFG_STR("address", 0, CFGF_NODEFAULT),
	LINES,
	CFG_END()
};

static cfg_opt_t instance_opts[] = {
	CFG_STR("vlan", 0, CFGF_NODEFAULT),
	CFG_STR("lb-address", 0, CFGF_NODEFAULT),
	CFG_STR("interface", 0, CFGF_NODEFAULT),
	CFG_STR("address", 0, CFGF_NODEFAULT),
	DECIMAL("weight", 1, CFGF_NONE),
	DECIMAL("control-port", 0, CFGF_NONE),
	LINES,
	CFG_END()
};

static cfg_opt_t realserver_opts[] = {
	CFG_STR("balancer", 0, CFGF_NODEFAULT),
	CFG_STR_LIST("clients", 0, CFGF_NODEFAULT),
	CFG_STR("nat", "stateful", CFGF_NONE),
	CFG_SEC("instance", instance_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	LINES,
	CFG_END()
};

static cfg_opt_t balancer_opts[] = {
	CFG_STR("router-id", 0, CFGF_NODEFAULT),
	CFG_STR("vip-interface", "lvsdns0", CFGF_NONE),
	CFG_STR_LIST("primary", "{}", CFGF_NONE),
	CFG_STR_LIST("services", 0, CFGF_NODEFAULT),
	CFG_SEC("neighbor", neighbor_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_SEC("vlan", vlan_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	/* Real servers may also be declared inside their balancer: libconfuse
	 * finds sibling sections by a linear title search, so thousands of
	 * top-level hosts parse in quadratic time; nesting keeps lists short. */
	CFG_SEC("realserver", realserver_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	LINES,
	CFG_END()
};

static cfg_opt_t root_opts[] = {
	CFG_SEC("site", site_opts, CFGF_TITLE | CFGF_NODEFAULT),
	CFG_SEC("check", check_opts, CFGF_NONE),
	CFG_SEC("bgp", bgp_opts, CFGF_NONE),
	CFG_SEC("bind", bind_opts, CFGF_NONE),
	CFG_SEC("service", service_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_SEC("balancer", balancer_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_SEC("realserver", realserver_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	LINES,
	CFG_END()
};

cfg_opt_t *schema_root(void)
{
	return root_opts;
}
