/* cluster-gen onboard's install.sh: where each of a host's files goes, and
 * the script that puts them there and into effect (see docs/guide.md). */
#include "onboard.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ---- where each file goes on the host ---- */

struct place {
	const char *pattern;        /* fnmatch over the file's name */
	const char *dest;           /* a directory when it ends in '/' */
};

static const struct place places[] = {
	{ "named-*.conf", "/etc/bind/" },
	{ "*.service", "/etc/systemd/system/" },
	{ "*.timer", "/etc/systemd/system/" },
	{ "sysctl.conf", "/etc/sysctl.d/60-lvsdns.conf" },
	{ "*", "/etc/lvsdns/" },    /* dnat.rules, dnat6.rules, dnat.nft, policy-routing.sh, ... */
};

char *onboard_destination(const char *name)
{
	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++)
		if (fnmatch(places[i].pattern, name, 0) == 0) {
			size_t n = strlen(places[i].dest);
			return places[i].dest[n - 1] == '/' ? xasprintf("%s%s", places[i].dest, name)
							     : xstrdup(places[i].dest);
		}
	return xasprintf("/etc/lvsdns/%s", name);
}

bool onboard_has_file(const struct files *host, const char *name)
{
	for (size_t i = 0; i < host->n; i++)
		if (!strcmp(host->v[i].path, name))
			return true;
	return false;
}

/* The iptables rule files and the family rs-dnat loads each into. */
static const struct {
	const char *file, *family, *name;
} xt_files[] = {
	{ "dnat.rules", "-4", "IPv4" },
	{ "dnat6.rules", "-6", "IPv6" },
};

/* An iptables rule file the bundle does not have (a host without IPv6
 * instances, any more; with nat = stateless, neither) may be installed from
 * an earlier bundle: it goes, before the rules (an instance restarted under
 * the old named@.service, before the daemon-reload, then fails to load them
 * instead of loading them again). */
static void old_rule_files(const struct files *host, struct buf *b)
{
	bool any = false;

	for (size_t i = 0; i < sizeof(xt_files) / sizeof(xt_files[0]); i++)
		if (!onboard_has_file(host, xt_files[i].file)) {
			buf_printf(b, "%s/etc/lvsdns/%s", any ? " " : "rm -f ", xt_files[i].file);
			any = true;
		}
	if (any)
		buf_puts(b, "\n");
}

/* rs-dnat where it is installed and runs (one atomic commit), else nftables; without
 * iptables rules (nat = stateless) nftables is the only way. Whichever loads the
 * rules, what the other mechanism holds of ours goes: left from an earlier nat
 * mode, it would go on rewriting (a stateless table rewrites the replies' source
 * to the VIPs it was loaded with). Only our own table and chain are touched.
 * A family the bundle has no iptables rules for (dnat6.rules: no IPv6 VIP or
 * instance, any more) loses what an earlier bundle loaded: rs-dnat's rules
 * are per family ("rs-dnat -6 remove"); dnat.nft replaces its table whole,
 * so a family it no longer has goes with the load. A host without IPv4
 * instances still has dnat.rules (our chains, empty): the apply empties them. */
static void dnat_commands(const struct files *host, struct buf *b)
{
	bool rules = onboard_has_file(host, "dnat.rules") || onboard_has_file(host, "dnat6.rules");
	bool nft = onboard_has_file(host, "dnat.nft");

	if (!rules) {
		if (nft) {
			buf_puts(b, "# the DNAT rules (nftables only: no iptables rules); rs-dnat's chains\n"
				    "# (LVSDNS-PRE, the zones in raw) and rule files, left from an earlier nat\n"
				    "# mode, go: the chains where rs-dnat runs (it skips a table the kernel\n"
				    "# has not set up: none is made)\n");
			old_rule_files(host, b);
			buf_puts(b, "nft -f /etc/lvsdns/dnat.nft\n"
				    "if rs-dnat --help >/dev/null 2>&1; then\n"
				    "\trs-dnat remove || echo \"install.sh: warning: rs-dnat remove failed; "
				    "its chains stay (harmless: untracked traffic never reaches them)\" >&2\nfi\n");
		}
		return;
	}
	/* "runs", not "is installed": a copy without its libraries would fail
	 * every instance's start */
	buf_puts(b, "# the DNAT rules: rs-dnat where it is installed and runs (one atomic commit),\n"
		    "# else nftables; with rs-dnat our nftables table goes (left from an earlier\n"
		    "# nat mode, it would go on rewriting the VIPs)\n");
	for (size_t i = 0; i < sizeof(xt_files) / sizeof(xt_files[0]); i++)
		if (!onboard_has_file(host, xt_files[i].file))
			buf_printf(b, "# no %s in this bundle (no %s VIP or instance): the one an earlier\n"
				      "# bundle installed goes, and where rs-dnat runs, the rules loaded from it\n",
				   xt_files[i].file, xt_files[i].name);
	old_rule_files(host, b);
	buf_puts(b, "if rs-dnat --help >/dev/null 2>&1; then\n");
	for (size_t i = 0; i < sizeof(xt_files) / sizeof(xt_files[0]); i++)
		if (onboard_has_file(host, xt_files[i].file))
			buf_printf(b, "\trs-dnat %s apply /etc/lvsdns/%s\n", xt_files[i].family,
				   xt_files[i].file);
	for (size_t i = 0; i < sizeof(xt_files) / sizeof(xt_files[0]); i++)
		if (!onboard_has_file(host, xt_files[i].file))
			buf_printf(b, "\trs-dnat %s remove || echo \"install.sh: warning: rs-dnat %s remove "
				      "failed: the %s rules an earlier bundle loaded stay (the next run tries "
				      "again)\" >&2\n",
				   xt_files[i].family, xt_files[i].family, xt_files[i].name);
	buf_puts(b, "\tif nft list table inet lvsdns >/dev/null 2>&1; then\n"
		    "\t\tnft delete table inet lvsdns\n\tfi\n");
	buf_puts(b, nft ? "else\n\tnft -f /etc/lvsdns/dnat.nft\nfi\n" : "fi\n");
}

/* The drop-in's KEY (ExecStart or ExecReload), Debian's line reset first:
 * where OURS (a shell test) holds, nftables.conf and dnat.nft through one
 * nft -f (the unit has StandardInput=null: the pipe is sh's), else Debian's
 * load. systemd unquotes the outer "..." and its \"; no % or $ (its
 * specifiers and variables) may appear. */
static void load_line(struct buf *b, const char *key, const char *ours)
{
	buf_printf(b, "%s=\n%s=/bin/sh -c \"if %s; then \\\n", key, key, ours);
	buf_puts(b, "\techo 'include \\\"/etc/nftables.conf\\\"; include \\\"/etc/lvsdns/dnat.nft\\\"'"
		    " | /usr/sbin/nft -f - && exit 0; \\\n"
		    "\techo 'lvsdns: nft refused /etc/nftables.conf with /etc/lvsdns/dnat.nft;"
		    " loading /etc/nftables.conf alone' >&2; \\\n"
		    "\t/usr/sbin/nft -f /etc/nftables.conf || exit; \\\n"
		    "\techo 'lvsdns: the firewall is loaded, the DNAT table inet lvsdns is not:"
		    " the VIPs go unanswered until /etc/lvsdns/dnat.nft loads"
		    " (fix it, then: systemctl restart nftables)' >&2; \\\n"
		    "\texit 1; \\\n"
		    "fi; exec /usr/sbin/nft -f /etc/nftables.conf\"\n");
}

/* Debian's stop flushes the ruleset; ours flushes it and loads dnat.nft in
 * one transaction, so a stop (and a restart's stop) never leaves the VIPs
 * without the table. Should nft refuse dnat.nft, it is Debian's flush, and
 * ExecStopPost= says why when it tries dnat.nft again. */
static void stop_line(struct buf *b, const char *ours)
{
	buf_printf(b, "ExecStop=\nExecStop=/bin/sh -c \"if %s; then \\\n", ours);
	buf_puts(b, "\techo 'flush ruleset; include \\\"/etc/lvsdns/dnat.nft\\\"'"
		    " | /usr/sbin/nft -f - && exit 0; \\\n"
		    "\techo 'lvsdns: nft refused /etc/lvsdns/dnat.nft; flushing the ruleset alone' >&2; \\\n"
		    "fi; exec /usr/sbin/nft flush ruleset\"\n");
}

/* Debian's /etc/nftables.conf begins with "flush ruleset", and
 * nftables.service loads it on start and reload and flushes on stop: our
 * table inet lvsdns would go with it where nft loads the rules, and the VIPs
 * would go unanswered while the health checks (to the instance addresses)
 * pass. So the drop-in's start and reload load nftables.conf and dnat.nft in
 * one nft transaction, which takes effect whole or not at all: the flush and
 * the table's re-creation come together (a second load after the first, as
 * an ExecStartPost= would do, left the VIPs unanswered in between). Stop
 * flushes the ruleset and loads dnat.nft in one transaction too, and
 * ExecStopPost= loads dnat.nft again after a failed start. Where rs-dnat loads
 * the rules (legacy iptables, untouched by the flush) it is Debian's unit.
 *
 * When nft refuses the two together, nftables.conf is loaded alone, so our
 * file never costs the host its firewall, and the unit fails even so: the
 * VIPs are then lost while every health check passes, and a failed start or
 * reload is what the admin running systemctl, systemctl --failed and the
 * monitoring see (the firewall is loaded either way; a failed start runs no
 * ExecStop=, so it stays). A broken nftables.conf fails as in Debian's. */
static void nftables_dropin(const struct files *host, struct buf *b)
{
	bool rules = onboard_has_file(host, "dnat.rules") || onboard_has_file(host, "dnat6.rules");
	/* whether nft loads the rules: rs-dnat may be installed after install.sh */
	const char *ours = rules ? "[ -f /etc/lvsdns/dnat.nft ] && ! rs-dnat --help >/dev/null 2>&1"
				 : "[ -f /etc/lvsdns/dnat.nft ]";

	if (!onboard_has_file(host, "dnat.nft"))
		return;
	buf_puts(b, "# nftables.service's start, reload and stop flush the whole ruleset, our\n"
		    "# DNAT table too where nft loads it: its drop-in loads that with\n"
		    "# nftables.conf in one transaction, and with a stop's flush\n"
		    "install -d -m 0755 \"$D/etc/systemd/system/nftables.service.d\"\n"
		    "cat >\"$D/etc/systemd/system/nftables.service.d/lvsdns.conf\" <<'EOF'\n"
		    "# Written by lvsdns' install.sh. /etc/nftables.conf begins with \"flush\n"
		    "# ruleset\", which deletes this host's DNAT table (inet lvsdns) where nft\n"
		    "# loads it. Start and reload load nftables.conf and /etc/lvsdns/dnat.nft\n"
		    "# in one nft transaction, so the VIPs are never without the table. If nft\n"
		    "# refuses the two, nftables.conf is loaded alone (the firewall comes up)\n"
		    "# and the unit fails: the log says why. Stop flushes the ruleset and\n"
		    "# loads dnat.nft in one transaction too (Debian's flush alone if nft\n"
		    "# refuses dnat.nft); after a failed start dnat.nft is loaded again.\n");
	if (rules)
		buf_puts(b, "# Where rs-dnat loads the rules (legacy iptables, untouched by the\n"
			    "# flush), this is Debian's unit.\n");
	buf_puts(b, "[Service]\n");
	load_line(b, "ExecStart", ours);
	load_line(b, "ExecReload", ours);
	stop_line(b, ours);
	buf_printf(b, "ExecStopPost=-/bin/sh -c 'if %s; then nft -f /etc/lvsdns/dnat.nft; fi'\n"
		      "EOF\n", ours);
}

/* sysctl -p and the policy routing fail on a VLAN interface that is not
 * there, and set -e would stop the script halfway, Debian's named already
 * disabled: so nothing is touched until every VLAN interface is there. */
static void vlan_check(const struct onboard *o, struct buf *b)
{
	buf_puts(b, "# every VLAN interface must be there before anything changes\n"
		    "if [ -z \"$D\" ]; then\n\tfor ifc in");
	for (size_t i = 0; i < o->r->ninstances; i++) {
		const char *ifc = o->r->instances[i].interface;
		bool seen = false;

		for (size_t j = 0; j < i; j++)
			seen |= strcmp(o->r->instances[j].interface, ifc) == 0;
		if (!seen)
			buf_printf(b, " %s", ifc);
	}
	buf_puts(b, "; do\n\t\tip link show dev \"$ifc\" >/dev/null 2>&1 || {\n"
		    "\t\t\techo \"install.sh: VLAN interface $ifc is not there: create it and bring it up "
		    "with its address first (README, step 1); nothing was changed\" >&2\n"
		    "\t\t\texit 1\n\t\t}\n\tdone\nfi\n\n");
}

/* named starts without an address it is to listen on, and picks it up
 * when it comes (its interface scan): not fatal, but the balancer sees the
 * instance down until then, so it is said. */
static void address_check(const struct onboard *o, struct buf *b)
{
	char a[ADDR_STRLEN];

	buf_puts(b, "# each instance's address on its VLAN interface (named listens on it once it is)\n"
		    "if [ -z \"$D\" ]; then\n");
	for (size_t i = 0; i < o->r->ninstances; i++) {
		const struct instance *in = &o->r->instances[i];

		addr_str(&in->address, a);
		buf_printf(b, "\tip -o addr show dev %s 2>/dev/null | grep -q ' %s/' ||\n"
			      "\t\techo \"install.sh: warning: %s is not on %s: named@%s answers "
			      "there once it is (README, step 1)\" >&2\n",
			   in->interface, a, a, in->interface, in->name);
	}
	buf_puts(b, "fi\n\n");
}

/* Debian's named is stopped below and every instance's unit runs the
 * site's BIND as user bind: so nothing is touched unless that BIND is
 * there and runs, and the user is there, or the host would stop answering
 * with nothing to take over. */
static void bind_check(const struct onboard *o, struct buf *b)
{
	struct bind_paths p = bind_programs(&o->s->bind);
	char *install = bind_is_distribution(&o->s->bind)
				? xasprintf("install Debian's bind9 package")
				: xasprintf("install BIND %s under %s", o->s->bind.version, p.prefix);

	buf_printf(b, "# the BIND the units run must be there, and run, before Debian's named stops\n"
		      "if [ -z \"$D\" ]; then\n"
		      "\tfor prog in %s %s; do\n"
		      "\t\t[ -x \"$prog\" ] || {\n"
		      "\t\t\techo \"install.sh: $prog is not there: %s first (README, step 1); "
		      "nothing was changed\" >&2\n"
		      "\t\t\texit 1\n\t\t}\n\tdone\n"
		      "\t%s -V >/dev/null 2>&1 || {\n"
		      "\t\techo \"install.sh: %s -V fails (its libraries? run ldconfig); "
		      "nothing was changed\" >&2\n"
		      "\t\texit 1\n\t}\n"
		      "\tid -u bind >/dev/null 2>&1 || {\n"
		      "\t\techo \"install.sh: no user 'bind' for named -u bind: adduser --system "
		      "--group bind (README, step 1); nothing was changed\" >&2\n"
		      "\t\texit 1\n\t}\n"
		      "fi\n\n",
		   p.named, p.checkconf, install, p.named, p.named);
	free(install);
	bind_paths_free(&p);
}

/* Whether install.sh notes a change of name (its named@.service or an
 * instance's named-INSTANCE.conf): a running instance must take it up. */
static bool watched(const char *name)
{
	return !strcmp(name, "named@.service") || fnmatch("named-*.conf", name, 0) == 0;
}

/* Seconds the balancer may need to see a restarted instance up again once
 * it answers: `rise` good checks a period apart, and one period more for
 * where the first check falls. */
static unsigned balancer_rise_seconds(const struct onboard *o)
{
	unsigned period = o->s->check.interval;

	if (o->s->check.checker != CHECKER_WATCH) {
		period = 0;
		for (size_t i = 0; i < o->b->nservices; i++) {
			unsigned d = o->s->services[o->b->services[i]].delay_loop;
			period = d > period ? d : period;
		}
	}
	return (o->s->check.rise + 1) * period;
}

/* back_up INSTANCE: a restarted instance listens on its address and port
 * again (bounded) and the balancer has had time to see it up, before the
 * next one goes down; otherwise a rolling restart could leave the balancer
 * with every instance of the host down at once. */
static void back_up_function(const struct onboard *o, struct buf *b)
{
	char a[ADDR_STRLEN];

	buf_printf(b, "# a restarted instance is back when it listens on its address again (at\n"
		      "# most 60 s) and the balancer has had time to see it up: rise = %u good\n"
		      "# checks, %s apart, and one period more: %u s (ROLL_WAIT=SECONDS overrides)\n"
		      "roll_wait=${ROLL_WAIT:-%u}\n"
		      "back_up() {\n"
		      "\tcase $1 in\n",
		      o->s->check.rise, o->s->check.checker == CHECKER_WATCH ? "interval" : "delay_loop",
		      balancer_rise_seconds(o), balancer_rise_seconds(o));
	for (size_t i = 0; i < o->r->ninstances; i++) {
		const struct instance *in = &o->r->instances[i];
		size_t n;
		struct port_proto *pp = balancer_family_ports(o->s, o->b, in->address.family, &n);

		/* named's first listener (render_named.c: the VIPs' first port, else 53) */
		addr_str(&in->address, a);
		buf_printf(b, in->address.family == AF_INET6 ? "\t%s) src='[%s]:%u' ;;\n"
							     : "\t%s) src=%s:%u ;;\n",
			   in->name, a, n ? pp[0].port : 53u);
		free(pp);
	}
	buf_puts(b, "\tesac\n"
		    "\tn=0\n"
		    "\tuntil [ -n \"$(ss -Hlntu src \"$src\" 2>/dev/null)\" ]; do\n"
		    "\t\tn=$((n + 1))\n"
		    "\t\t[ \"$n\" -le 120 ] || {\n"
		    "\t\t\techo \"install.sh: named@$1 does not listen on $src after 60 s\" >&2\n"
		    "\t\t\treturn 1\n\t\t}\n"
		    "\t\tsleep 0.5\n"
		    "\tdone\n"
		    "\techo \"install.sh: named@$1 listens again; giving the balancer $roll_wait s to see it up\"\n"
		    "\tsleep \"$roll_wait\"\n"
		    "}\n");
}

/* What named makes again by itself in an instance's directory: the files
 * named.conf.mustache names (a pid file, the session key of nsupdate -l,
 * new at each start, dump and statistics files), those of rndc secroots and
 * rndc recursing, and the RFC 5011 state of DNSSEC validation's trust
 * anchors (managed-keys.bind, VIEW.mkeys: begun again from named's built-in
 * root key). Zone files, DNSSEC keys (key-directory is named's directory by
 * default) and zones added with rndc addzone (.nzf, .nzd) are not. */
static const char *const remade[] = {
	"named.pid", "session.key", "named_dump.db", "named.stats", "named.memstats",
	"named.secroots", "named.recursing", "managed-keys.bind", "managed-keys.bind.jnl",
	"*.mkeys", "*.mkeys.jnl",
};

/* forget INSTANCE, for an instance install.sh has just stopped and disabled:
 * its configuration goes (named@.service reads none other), and its
 * directory (named@.service makes /var/cache/bind/INSTANCE, named-%i.conf
 * points named there) when what it holds is only what named makes again.
 * Anything else there (a site's own template may add zones, or keys) stays
 * with the directory, and is named: the admin decides. The name comes from
 * the host's units: only one a site could declare is taken (starts with a
 * letter or digit: never "." or ".."). */
static void forget_function(struct buf *b)
{
	char *conf = onboard_destination("named-$1.conf"), *doc = onboard_destination("named-INSTANCE.conf");

	buf_printf(b, "# forget INSTANCE: the files of an instance stopped and disabled below:\n"
		      "# its %s, and its directory\n"
		      "# /var/cache/bind/INSTANCE when that holds only what named makes again by\n"
		      "# itself (pid file, session key, dump and statistics files, the managed-keys\n"
		      "# state of DNSSEC validation); anything else there (zone files, keys) is\n"
		      "# kept with the directory, and named\n"
		      "forget() {\n"
		      "\tcase $1 in\n"
		      "\t[A-Za-z0-9]*) ;;\n"
		      "\t*) return 0 ;;\n"
		      "\tesac\n"
		      "\tcase $1 in *[!A-Za-z0-9_.-]*) return 0 ;; esac\n"
		      "\tif [ -e \"%s\" ]; then\n"
		      "\t\trm -f \"%s\" || return 1\n"
		      "\t\techo \"install.sh: removed %s\"\n"
		      "\tfi\n"
		      "\tcache=/var/cache/bind/$1\n"
		      "\t[ -d \"$cache\" ] || return 0\n"
		      "\trm -f",
		   doc, conf, conf, conf);
	for (size_t i = 0; i < sizeof(remade) / sizeof(remade[0]); i++)
		buf_printf(b, strchr(remade[i], '*') ? "%s\"$cache\"/%s" : "%s\"$cache/%s\"",
			   i && i % 4 == 0 ? " \\\n\t\t" : " ", remade[i]);
	buf_puts(b, " || return 1\n"
		    "\tif rmdir \"$cache\" 2>/dev/null; then\n"
		    "\t\techo \"install.sh: removed $cache\"\n"
		    "\telse\n"
		    "\t\tleft=$(find \"$cache\" -mindepth 1 -maxdepth 1 -printf ' %f')\n"
		    "\t\techo \"install.sh: warning: kept $cache: it holds what named does not make "
		    "again by itself:$left; remove it by hand once none of that is needed\" >&2\n"
		    "\tfi\n"
		    "}\n");
	free(conf);
	free(doc);
}

/* The host's instances after daemon-reload. A re-run must put what changed
 * into effect (enable --now does nothing to a running unit) and stop what the
 * site no longer has. */
static void start_instances(const struct onboard *o, struct buf *b)
{
	forget_function(b);
	buf_puts(b, "systemctl daemon-reload\n"
		    "# named@ instances this host does not have (any more: removed from the\n"
		    "# site, or renamed) are stopped and disabled first; one might hold an\n"
		    "# address a new one needs. Their files go (forget); one that cannot be\n"
		    "# removed keeps none of the others from going, nor the rest from running\n"
		    "# (each word of the lists that names one, once)\n"
		    "seen=\n"
		    "for u in $(systemctl list-units 'named@*' --all --plain --no-legend 2>/dev/null; "
		    "ls /etc/systemd/system/*.wants 2>/dev/null); do\n"
		    "\tcase \" $seen \" in *\" $u \"*) continue ;; esac\n"
		    "\tseen=\"$seen $u\"\n"
		    "\tcase $u in\n\t");
	for (size_t i = 0; i < o->r->ninstances; i++)
		buf_printf(b, "%snamed@%s.service", i ? "|" : "", o->r->instances[i].name);
	buf_printf(b, ") ;;\n"
		      "\tnamed@?*.service)\n"
		      "\t\techo \"install.sh: $u is not an instance of %s: stopping and disabling it\"\n"
		      "\t\tsystemctl disable --now \"$u\"\n"
		      "\t\ti=${u#named@}\n"
		      "\t\tforget \"${i%%.service}\" ||\n"
		      "\t\t\techo \"install.sh: warning: not every file of $u could be removed\" >&2 ;;\n"
		      "\tesac\ndone\n", o->r->name);
	back_up_function(o, b);
	buf_puts(b, "# this host's instances, enabled. Those not running start, all in one\n"
		    "# command: one that fails to start keeps none of the others from starting\n"
		    "# (its unit tries again every 5 s). Running ones take up what changed: a\n"
		    "# changed named@.service restarts them one at a time, each once the one\n"
		    "# before is back (back_up); a changed named-INSTANCE.conf reloads that named\n"
		    "# (it keeps its cache)\n"
		    "systemctl enable --quiet");
	for (size_t i = 0; i < o->r->ninstances; i++)
		buf_printf(b, " named@%s", o->r->instances[i].name);
	buf_puts(b, "\n# a rolling restart that stopped halfway (an instance not back) is\n"
		    "# finished by the next run, although the unit file is in place by then\n"
		    "pending=/etc/lvsdns/restart-pending\n"
		    "[ ! -e \"$pending\" ] || unit_changed=1\n"
		    "[ -z \"$unit_changed\" ] || : >\"$pending\"\n"
		    "start=\nnot_reloaded=\nfor i in");
	for (size_t i = 0; i < o->r->ninstances; i++)
		buf_printf(b, " %s", o->r->instances[i].name);
	buf_puts(b, "; do\n"
		    "\tif ! systemctl is-active --quiet \"named@$i\"; then\n"
		    "\t\tstart=\"$start named@$i\"\n"
		    "\telif [ -n \"$unit_changed\" ]; then\n"
		    "\t\techo \"install.sh: restarting named@$i (named@.service changed)\"\n"
		    "\t\tsystemctl restart \"named@$i\" && back_up \"$i\" || {\n"
		    "\t\t\techo \"install.sh: named@$i is not back (systemctl status named@$i); "
		    "the instances after it were not restarted\" >&2\n"
		    "\t\t\texit 1\n\t\t}\n"
		    "\telse\n"
		    "\t\tcase \" $conf_changed \" in\n"
		    "\t\t*\" $i \"*)\n"
		    "\t\t\techo \"install.sh: reloading named@$i (named-$i.conf changed)\"\n"
		    "\t\t\tsystemctl reload \"named@$i\" || {\n"
		    "\t\t\t\techo \"install.sh: reloading named@$i failed (systemctl status named@$i; "
		    "does named-checkconf refuse named-$i.conf?): it runs on with the configuration "
		    "before\" >&2\n"
		    "\t\t\t\tnot_reloaded=\"$not_reloaded named@$i\"\n"
		    "\t\t\t} ;;\n"
		    "\t\tesac\n\tfi\ndone\n"
		    "rm -f \"$pending\"\n"
		    "if [ -n \"$start\" ]; then\n"
		    "\techo \"install.sh: starting$start\"\n"
		    "\t# shellcheck disable=SC2086 # the unit names are words\n"
		    "\tsystemctl start $start || {\n");
	buf_printf(b, "\t\techo \"%s: installed, but not every instance started (systemctl status$start); "
		      "each tries again every 5 s\" >&2\n"
		      "\t\texit 1\n\t}\nfi\n", o->r->name);
	buf_printf(b, "if [ -n \"$not_reloaded\" ]; then\n"
		      "\techo \"%s: installed, but$not_reloaded kept the configuration before\" >&2\n"
		      "\texit 1\nfi\n", o->r->name);
}

void onboard_install_script(const struct onboard *o, const struct files *host, struct buf *b)
{
	struct buf dirs;

	buf_printf(b, "#!/bin/sh\n"
		   "# Installs real server %s of site %s. Written by cluster-gen onboard.\n"
		   "# Run as root on %s, from this directory:  sh install.sh\n"
		   "# DESTDIR=/some/root sh install.sh only copies the files below /some/root\n"
		   "# and changes nothing on the running system. Run again after a change of\n"
		   "# the site: it puts the new files into effect (see the README).\n"
		   "set -eu\ncd \"$(dirname \"$0\")\"\nD=${DESTDIR:-}\n\n",
		   o->r->name, o->s->name, o->r->name);
	buf_puts(b, "case ${ROLL_WAIT:-0} in\n*[!0-9]*)\n"
		    "\techo \"install.sh: ROLL_WAIT must be a whole number of seconds, not '$ROLL_WAIT'; "
		    "nothing was changed\" >&2\n\texit 2 ;;\nesac\n");
	vlan_check(o, b);
	bind_check(o, b);
	address_check(o, b);
	buf_puts(b, "# the files, each where the program that reads it looks; what running\n"
		    "# instances must take up is noted\n"
		    "unit_changed=\nconf_changed=\n");
	buf_init(&dirs);
	for (size_t i = 0; i < host->n; i++) {
		const char *name = host->v[i].path;
		char *dest = onboard_destination(name), *dir = xasprintf("\n%s", dest);

		*strrchr(dir, '/') = '\0';
		if (!dirs.data || !strstr(dirs.data, dir)) {   /* each directory once */
			buf_printf(b, "install -d -m 0755 \"$D%s\"\n", dir + 1);
			buf_printf(&dirs, "%s\n", dir);
		}
		if (watched(name) && !strcmp(name, "named@.service"))
			buf_printf(b, "cmp -s files/%s \"$D%s\" || unit_changed=1\n", name, dest);
		else if (watched(name))
			buf_printf(b, "cmp -s files/%s \"$D%s\" || conf_changed=\"$conf_changed %.*s\"\n",
				   name, dest, (int)(strlen(name) - strlen("named-.conf")),
				   name + strlen("named-"));
		buf_printf(b, "install -m %04o files/%s \"$D%s\"\n", (unsigned)host->v[i].mode,
			   name, dest);
		free(dest);
		free(dir);
	}
	buf_free(&dirs);
	if (onboard_has_file(host, "policy-routing.sh"))
		buf_puts(b, "# ifup runs it for each interface that comes up: the routes of a VLAN\n"
			    "# taken down and up again come back\n"
			    "install -d -m 0755 \"$D/etc/network/if-up.d\"\n"
			    "ln -sfn /etc/lvsdns/policy-routing.sh \"$D/etc/network/if-up.d/lvsdns\"\n");
	nftables_dropin(host, b);
	buf_puts(b, "\nif [ -n \"$D\" ]; then\n\techo \"installed below $D; nothing started\"\n"
		    "\texit 0\nfi\n\n");
	buf_puts(b, "# Debian's own named listens on every address, port 53 of the instances too\n"
		    "if systemctl is-enabled --quiet named 2>/dev/null; then\n"
		    "\tsystemctl disable --now named\nfi\n");
	if (onboard_has_file(host, "sysctl.conf"))
		buf_puts(b, "sysctl -p /etc/sysctl.d/60-lvsdns.conf\n");
	if (onboard_has_file(host, "policy-routing.sh"))
		buf_puts(b, "# replies leave through the VLAN their query came in on. A VLAN that is\n"
			    "# down stops neither the others nor this script: its instance's unit runs\n"
			    "# this again for it before named starts\n"
			    "if ! /etc/lvsdns/policy-routing.sh; then\n"
			    "\techo \"install.sh: warning: policy routing failed for the instances named above: "
			    "they do not start until their VLANs are up (their units try again every 5 s)\" >&2\n"
			    "fi\n");
	dnat_commands(host, b);
	start_instances(o, b);
	buf_printf(b, "echo \"%s: installed; now apply balancer.diff on balancer %s (see README)\"\n",
		   o->r->name, o->b->name);
}
