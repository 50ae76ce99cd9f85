/* cluster-gen onboard SITE HOST [-o OUT] [--tar] [--probe]: everything a
 * real-server host needs, as one directory or tar: its rendered files, an
 * install script, a README with the steps, and the balancer-side diff that
 * adding the host causes (the site rendered without and with it).
 * --probe first asks each of the host's instances, from its balancer's
 * address on the instance's VLAN, and refuses when one does not answer. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "checkers.h"
#include "commands.h"
#include "outtree.h"
#include "render.h"

static const char onboard_options[] =
	"  -o, --output OUT      the directory (default onboard-HOST), or with --tar the\n"
	"                        tar file (default onboard-HOST.tar; '-' for stdout)\n"
	"  --tar                 write one ustar archive holding the directory onboard-HOST/\n"
	"  --probe               first run dnsprobe against each of HOST's instances from\n"
	"                        its balancer's VLAN address; refuse (exit 1) if one fails\n"
	"  --dnsprobe PATH       the dnsprobe to run (default: the site's check.probe)\n"
	"  -t, --templates DIR   templates in DIR override built-in ones (as for render)\n"
	"Exit status: 0 written, 1 a probe failed or nothing could be written,\n"
	"2 bad usage, bad site or unknown HOST.\n";

struct onboard {
	const struct site *s;
	const struct realserver *r;
	const struct balancer *b;
	const char *tdir;
	char *prefix;               /* "realservers/HOST/" */
};

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

static char *destination(const char *name)
{
	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++)
		if (fnmatch(places[i].pattern, name, 0) == 0) {
			size_t n = strlen(places[i].dest);
			return places[i].dest[n - 1] == '/' ? xasprintf("%s%s", places[i].dest, name)
							     : xstrdup(places[i].dest);
		}
	return xasprintf("/etc/lvsdns/%s", name);
}

static bool has_file(const struct files *host, const char *name)
{
	for (size_t i = 0; i < host->n; i++)
		if (!strcmp(host->v[i].path, name))
			return true;
	return false;
}

/* ---- install.sh ---- */

/* rs-dnat where it is installed and runs (one atomic commit), else nftables; without
 * iptables rules (nat = stateless) nftables is the only way. Whichever loads the
 * rules, what the other mechanism holds of ours goes: left from an earlier nat
 * mode, it would go on rewriting (a stateless table rewrites the replies' source
 * to the VIPs it was loaded with). Only our own table and chain are touched. */
static void dnat_commands(const struct files *host, struct buf *b)
{
	bool rules = has_file(host, "dnat.rules") || has_file(host, "dnat6.rules");
	bool nft = has_file(host, "dnat.nft");

	if (!rules) {
		if (nft)
			buf_puts(b, "# the DNAT rules (nftables only: no iptables rules); rs-dnat's chains\n"
				    "# (LVSDNS-PRE, the zones in raw), left from an earlier nat mode, go where\n"
				    "# rs-dnat runs (it skips a table the kernel has not set up: none is made)\n"
				    "nft -f /etc/lvsdns/dnat.nft\n"
				    "if rs-dnat --help >/dev/null 2>&1; then\n"
				    "\trs-dnat remove || echo \"install.sh: warning: rs-dnat remove failed; "
				    "its chains stay (harmless: untracked traffic never reaches them)\" >&2\nfi\n");
		return;
	}
	/* "runs", not "is installed": a copy without its libraries would fail
	 * every instance's start */
	buf_puts(b, "# the DNAT rules: rs-dnat where it is installed and runs (one atomic commit),\n"
		    "# else nftables; with rs-dnat our nftables table goes (left from an earlier\n"
		    "# nat mode, it would go on rewriting the VIPs)\n"
		    "if rs-dnat --help >/dev/null 2>&1; then\n");
	if (has_file(host, "dnat.rules"))
		buf_puts(b, "\trs-dnat -4 apply /etc/lvsdns/dnat.rules\n");
	if (has_file(host, "dnat6.rules"))
		buf_puts(b, "\trs-dnat -6 apply /etc/lvsdns/dnat6.rules\n");
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
	bool rules = has_file(host, "dnat.rules") || has_file(host, "dnat6.rules");
	/* whether nft loads the rules: rs-dnat may be installed after install.sh */
	const char *ours = rules ? "[ -f /etc/lvsdns/dnat.nft ] && ! rs-dnat --help >/dev/null 2>&1"
				 : "[ -f /etc/lvsdns/dnat.nft ]";

	if (!has_file(host, "dnat.nft"))
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

/* The host's instances after daemon-reload. A re-run must put what changed
 * into effect (enable --now does nothing to a running unit) and stop what the
 * site no longer has. */
static void start_instances(const struct onboard *o, struct buf *b)
{
	buf_puts(b, "systemctl daemon-reload\n"
		    "# named@ instances this host does not have (any more: removed from the\n"
		    "# site, or renamed) are stopped and disabled first; one might hold an\n"
		    "# address a new one needs\n"
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
		      "\t\tsystemctl disable --now \"$u\" ;;\n"
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

static void install_script(const struct onboard *o, const struct files *host, struct buf *b)
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
		char *dest = destination(name), *dir = xasprintf("\n%s", dest);

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
	if (has_file(host, "policy-routing.sh"))
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
	if (has_file(host, "sysctl.conf"))
		buf_puts(b, "sysctl -p /etc/sysctl.d/60-lvsdns.conf\n");
	if (has_file(host, "policy-routing.sh"))
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

/* ---- README ---- */

static void readme(const struct onboard *o, const struct files *host, size_t nbal, struct buf *b)
{
	const struct check *c = &o->s->check;
	char a[ADDR_STRLEN];

	buf_printf(b, "Onboarding real server %s of site %s (behind balancer %s)\n"
		   "Written by cluster-gen onboard.\n\n", o->r->name, o->s->name, o->b->name);
	buf_printf(b, "Instances (one single-threaded named each):\n");
	for (size_t i = 0; i < o->r->ninstances; i++) {
		const struct instance *in = &o->r->instances[i];
		const struct vlan *v = &o->b->vlans[in->vlan];
		char lb[ADDR_STRLEN];

		buf_printf(b, "  named@%-4s %s/%u on %s (VLAN %s; balancer %s at %s, weight %u)\n",
			   in->name, addr_str(&in->address, a), v->address.len, in->interface,
			   v->name, o->b->name, addr_str(&v->address.addr, lb), in->weight);
	}
	buf_puts(b, "\nSteps\n\n");
	if (bind_is_distribution(&o->s->bind))
		buf_printf(b, "1. On the host: Debian with its bind9 package, version %s (bind { prefix =\n"
			      "   \"/usr\" }: named@.service runs the package's /usr/sbin/named),",
			   o->s->bind.version);
	else
		buf_printf(b, "1. On the host: Debian 12 with the BIND %s that bind-build/build.env\n"
			      "   describes, installed under %s (bind { prefix }: named@.service\n"
			      "   runs %s/sbin/named), then ldconfig, and a user 'bind'\n"
			      "   (adduser --system --group bind) unless bind9 is installed too;",
			   o->s->bind.version, o->s->bind.prefix, o->s->bind.prefix);
	/* without iptables rules (nat = stateless) rs-dnat has nothing to load */
	buf_puts(b, has_file(host, "dnat.rules") || has_file(host, "dnat6.rules")
		    ? "\n   nftables or rs-dnat, and the VLAN interfaces up with the instance"
		    : "\n   nftables (nat = stateless has no rules rs-dnat could load), and the\n"
		      "   VLAN interfaces up with the instance");
	buf_puts(b, "\n   addresses, e.g. in /etc/network/interfaces.d/ (package vlan):\n\n");
	for (size_t i = 0; i < o->r->ninstances; i++) {
		const struct instance *in = &o->r->instances[i];

		buf_printf(b, "       auto %s\n       iface %s %s static\n           address %s/%u\n\n",
			   in->interface, in->interface, addr_version(&in->address) == 6 ? "inet6" : "inet",
			   addr_str(&in->address, a), o->b->vlans[in->vlan].address.len);
	}
	buf_printf(b, "2. Copy this directory to %s and run, as root:  sh install.sh\n"
		      "   It checks that every VLAN interface is there (and changes nothing\n"
		      "   when one is not), installs the files below, loads sysctl and policy\n"
		      "   routing (a VLAN that is down is only warned about: its instance\n"
		      "   starts once it is up), applies the DNAT rules (and removes what the\n"
		      "   other way of loading them left of ours: rs-dnat's chain LVSDNS-PRE or\n"
		      "   the nftables table inet lvsdns), installs a drop-in with which\n"
		      "   nftables.service loads /etc/nftables.conf (it flushes the whole\n"
		      "   ruleset) and dnat.nft in one transaction on start and reload, and\n"
		      "   flushes and loads dnat.nft in one on stop (with rs-dnat it is\n"
		      "   Debian's unit),\n"
		      "   and enables and starts\n"
		      "   named@INSTANCE for each instance. After a reboot named@INSTANCE puts\n"
		      "   them back before named starts (its route, the host's rules): an\n"
		      "   instance does not run without them. Taking a VLAN interface down\n"
		      "   deletes its routes; ifup runs /etc/network/if-up.d/lvsdns (a link\n"
		      "   to policy-routing.sh), which routes that VLAN again. Brought up\n"
		      "   another way (ip link set up, systemd-networkd), run:\n"
		      "       /etc/lvsdns/policy-routing.sh --interface IFACE\n"
		      "   Run again (the bundle of a changed site), it also puts the changes\n"
		      "   into effect: named@ instances this host no longer has are stopped\n"
		      "   and disabled; of the running instances, all are restarted one after\n"
		      "   another when named@.service changed (each once the one before is\n"
		      "   back: listening on its address, and the balancer given rise + 1\n"
		      "   check periods to see it up; ROLL_WAIT=SECONDS sets that wait), and\n"
		      "   one whose named-INSTANCE.conf changed\n"
		      "   is reloaded (named keeps its cache); instances not running are\n"
		      "   started. It exits 1 when an instance did not start.\n\n", o->r->name);
	buf_printf(b, "3. From the balancer %s, before it sends the instances traffic, check\n"
		      "   that each answers. With cluster-gen and the site file there:\n"
		      "       cluster-gen onboard SITE %s --probe\n"
		      "   (dnsprobe from the balancer's VLAN addresses, as keepalived will ask;\n"
		      "   it fails when one instance does not answer). Or by hand, from the\n"
		      "   balancer address the instance's ACL allows:\n",
		   o->b->name, o->r->name);
	for (size_t i = 0; i < o->r->ninstances; i++) {
		const struct instance *in = &o->r->instances[i];
		char lb[ADDR_STRLEN];

		buf_printf(b, "       dig -b %s @%s %s %s\n",
			   addr_str(&o->b->vlans[in->vlan].address.addr, lb), addr_str(&in->address, a),
			   c->qname ? c->qname : ".", c->qtype ? c->qtype : "A");
	}
	buf_printf(b, "\n4. Balancer side: balancer.diff is what adding %s changes (%zu file%s).\n"
		      "   Render the site as usual and install it there; `cluster-gen diff SITE DIR`\n"
		      "   says per file what to reload (keepalived reload adds the real servers).\n\n",
		   o->r->name, nbal, nbal == 1 ? "" : "s");
	buf_puts(b, "Files\n\n");
	for (size_t i = 0; i < host->n; i++) {
		char *dest = destination(host->v[i].path);

		buf_printf(b, "  files/%-20s -> %s\n", host->v[i].path, dest);
		free(dest);
	}
}

/* ---- the two renders ---- */

/* The site as it would be without the host: the same model, its real
 * servers minus one (a shallow copy; nothing in it is freed). */
static int render_without(const struct onboard *o, size_t host, struct files *out)
{
	struct site wo = *o->s;
	struct realserver *rs = xcalloc(o->s->nrealservers, sizeof(*rs));
	int rc;

	wo.nrealservers = 0;
	for (size_t i = 0; i < o->s->nrealservers; i++)
		if (i != host)
			rs[wo.nrealservers++] = o->s->realservers[i];
	wo.realservers = rs;
	rc = render_to_files(&wo, o->tdir, out);
	free(rs);
	return rc;
}

/* Moves the files under prefix out of all into host (names without it). */
static void split_host(struct files *all, const char *prefix, struct files *host)
{
	size_t keep = 0, n = strlen(prefix);

	files_init(host);
	for (size_t i = 0; i < all->n; i++) {
		if (!strncmp(all->v[i].path, prefix, n)) {
			files_add(host, all->v[i].path + n, all->v[i].data, all->v[i].len, all->v[i].mode);
			free(all->v[i].path);
		} else {
			all->v[keep++] = all->v[i];
		}
	}
	all->n = keep;
}

static void drop_prefix(struct files *all, const char *prefix)
{
	struct files gone;

	split_host(all, prefix, &gone);
	files_free(&gone);
}

/* ---- --probe ---- */

/* Prints one captured stream, indented. */
static void print_indented(const char *text)
{
	for (const char *p = text; p && *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0))
		printf("    %.*s\n", (int)strcspn(p, "\n"), p);
}

/* One instance on one virtual server's port and protocol, with the very
 * command keepalived's MISC_CHECK runs (no --dynamic-weight: its exit codes
 * above 1 also mean up), plus -v. */
static int probe_one(const struct onboard *o, const char *probe, const struct instance *in,
		     const struct port_proto *pp)
{
	const struct check *c = &o->s->check;
	char src[ADDR_STRLEN], dst[ADDR_STRLEN];
	char *command, *argv[32], *save = NULL;
	struct check mine = *c;
	struct run_result r;
	struct buf msg;
	int n = 0, ok;

	mine.probe_path = (char *)probe;
	addr_str(&o->b->vlans[in->vlan].address.addr, src);
	addr_str(&in->address, dst);
	command = probe_command(&mine, src, dst, pp, false);
	argv[n++] = strtok_r(command, " ", &save);
	argv[n++] = "-v";
	while (n < 31 && (argv[n] = strtok_r(NULL, " ", &save)) != NULL)
		n++;
	argv[n] = NULL;
	buf_init(&msg);
	ok = run_program(argv, c->timeout * c->tries * 2 + 5, &r, &msg) == 0 && r.status == 0;
	printf("probe %s/%s %s %s/%u from %s: %s", o->r->name, in->name, dst,
	       proto_name(pp->proto), pp->port, src, ok ? "up" : "DOWN");
	if (msg.len)
		printf(" (%s)", msg.data);
	else if (!ok)
		printf(" (exit %d%s)", r.status, r.timed_out ? ", timed out" : "");
	putchar('\n');
	print_indented(r.out.data);
	print_indented(r.err.data);
	run_result_free(&r);
	buf_free(&msg);
	free(command);
	return ok ? 0 : -1;
}

/* Every port and protocol the host's balancer serves the instance's family
 * on: an instance is up when it answers on all of them. */
static int probe_instance(const struct onboard *o, const char *probe, const struct instance *in)
{
	size_t n;
	struct port_proto *ports = balancer_family_ports(o->s, o->b, in->address.family, &n);
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		rc |= probe_one(o, probe, in, &ports[i]);
	free(ports);
	return rc;
}

static int probe_all(const struct onboard *o, const char *probe_opt)
{
	const char *probe = probe_opt ? probe_opt : o->s->check.probe_path;
	size_t failed = 0;

	if (!probe || access(probe, X_OK) != 0) {
		fprintf(stderr, "cluster-gen onboard: cannot run dnsprobe '%s'%s; not probed, "
			"refusing\n", probe ? probe : "", probe_opt ? "" : " (check.probe; or --dnsprobe PATH)");
		return -1;
	}
	for (size_t i = 0; i < o->r->ninstances; i++)
		failed += probe_instance(o, probe, &o->r->instances[i]) != 0;
	fflush(stdout);
	if (failed)
		fprintf(stderr, "cluster-gen onboard: %zu of %zu instances of %s did not answer; "
			"refusing to onboard it\n", failed, o->r->ninstances, o->r->name);
	return failed ? -1 : 0;
}

/* ---- output: a directory (through outtree) or a ustar archive ---- */

static int write_dir(const struct files *f, const char *dir)
{
	struct outtree t;
	struct buf err;
	size_t i;
	int rc = -1;

	buf_init(&err);
	if (outtree_begin(&t, dir, &err) == 0) {
		for (i = 0; i < f->n; i++)
			if (outtree_write(&t, f->v[i].path, f->v[i].data, f->v[i].len, f->v[i].mode, &err))
				break;
		if (i == f->n)
			rc = outtree_commit(&t, &err);
	}
	outtree_end(&t);
	if (rc == OUTTREE_LEFTOVER) {
		fprintf(stderr, "cluster-gen onboard: warning: %s written, but %s; remove it by hand\n",
			dir, err.data);
		rc = 0;
	} else if (rc != 0) {
		fprintf(stderr, "cluster-gen onboard: %s\n", err.data);
	}
	buf_free(&err);
	return rc;
}

static void octal(char *field, size_t width, unsigned long long v)
{
	snprintf(field, width, "%0*llo", (int)width - 1, v);
}

/* One ustar header; names longer than 100 octets are split at a '/'. */
static int tar_header(struct buf *t, const char *name, mode_t mode, size_t size, char type,
		      unsigned long long mtime)
{
	char h[512];
	size_t n = strlen(name), sum = 0;
	const char *cut = NULL;

	memset(h, 0, sizeof(h));
	if (n > 100) {
		for (const char *p = name; (p = strchr(p, '/')); p++)
			if ((size_t)(p - name) <= 155 && n - (size_t)(p - name) - 1 <= 100)
				cut = p;
		if (!cut)
			return -1;
		memcpy(h + 345, name, (size_t)(cut - name));
		name = cut + 1;
		n = strlen(name);
	}
	memcpy(h, name, n);
	octal(h + 100, 8, mode & 07777);
	octal(h + 108, 8, 0);
	octal(h + 116, 8, 0);
	octal(h + 124, 12, size);
	octal(h + 136, 12, mtime);
	memset(h + 148, ' ', 8);
	h[156] = type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memcpy(h + 265, "root", 4);
	memcpy(h + 297, "root", 4);
	for (size_t i = 0; i < sizeof(h); i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06zo", sum);
	h[155] = ' ';
	buf_append(t, h, sizeof(h));
	return 0;
}

static void tar_pad(struct buf *t, size_t unit)
{
	static const char zero[512];

	while (t->len % unit)
		buf_append(t, zero, unit - t->len % unit > 512 ? 512 : unit - t->len % unit);
}

static int make_tar(const struct files *f, const char *top, struct buf *t)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	unsigned long long mtime = sde ? strtoull(sde, NULL, 10) : (unsigned long long)time(NULL);
	char *dir = xasprintf("%s/", top);
	struct buf seen;    /* "\nDIR/\n" for each directory entry written */
	int rc = tar_header(t, dir, 0755, 0, '5', mtime);

	buf_init(&seen);
	buf_printf(&seen, "\n%s\n", dir);

	for (size_t i = 0; i < f->n && rc == 0; i++) {
		char *name = xasprintf("%s/%s", top, f->v[i].path);
		const char *slash = strrchr(f->v[i].path, '/');
		char *d = slash ? xasprintf("\n%s/%.*s/\n", top, (int)(slash - f->v[i].path), f->v[i].path)
				: xasprintf("\n%s\n", dir);

		/* a file's directory before it, once (the bundle is one level deep) */
		if (!strstr(seen.data, d)) {
			d[strlen(d) - 1] = '\0';
			rc = tar_header(t, d + 1, 0755, 0, '5', mtime);
			buf_printf(&seen, "%s\n", d + 1);
		}
		free(d);
		if (rc == 0)
			rc = tar_header(t, name, f->v[i].mode, f->v[i].len, '0', mtime);
		if (rc == 0) {
			buf_append(t, f->v[i].data, f->v[i].len);
			tar_pad(t, 512);
		} else {
			fprintf(stderr, "cluster-gen onboard: %s: name too long for ustar\n", name);
		}
		free(name);
	}
	tar_pad(t, 512);
	buf_reserve(t, 1024);
	memset(t->data + t->len, 0, 1024);
	t->len += 1024;
	tar_pad(t, 10240);
	free(dir);
	buf_free(&seen);
	return rc;
}

static int write_tar(const struct files *f, const char *top, const char *path)
{
	struct buf t;
	char *tmp = NULL;
	int fd, rc;

	buf_init(&t);
	if (make_tar(f, top, &t) != 0) {
		buf_free(&t);
		return -1;
	}
	if (!strcmp(path, "-")) {
		rc = fwrite(t.data, 1, t.len, stdout) == t.len && fflush(stdout) == 0 ? 0 : -1;
	} else {
		tmp = xasprintf("%s.tmp.XXXXXX", path);
		fd = mkstemp(tmp);
		rc = fd >= 0 && write(fd, t.data, t.len) == (ssize_t)t.len && fchmod(fd, 0644) == 0 &&
		     fsync(fd) == 0 ? 0 : -1;
		if (fd >= 0 && close(fd) != 0)
			rc = -1;
		if (rc == 0 && rename(tmp, path) != 0)
			rc = -1;
		if (rc != 0) {
			fprintf(stderr, "cluster-gen onboard: %s: %s\n", path, strerror(errno));
			if (fd >= 0)
				unlink(tmp);
		}
	}
	free(tmp);
	buf_free(&t);
	return rc;
}

/* ---- the command ---- */

static void add_text(struct files *f, const char *path, struct buf *text, mode_t mode)
{
	size_t len = text->len;

	files_add(f, path, buf_steal(text), len, mode);
}

/* The bundle: files/ (the host's render), install.sh, README, balancer.diff. */
static int build_bundle(const struct onboard *o, size_t host, struct files *bundle, struct buf *stat)
{
	struct files with, without, mine;
	struct buf diff, text;
	size_t nbal;

	files_init(bundle);
	files_init(&without);
	if (render_to_files(o->s, o->tdir, &with) != 0 || render_without(o, host, &without) != 0) {
		files_free(&with);
		files_free(&without);
		return -1;
	}
	split_host(&with, o->prefix, &mine);
	drop_prefix(&without, o->prefix);
	buf_init(&diff);
	nbal = tree_diff(&without, &with, false, 3, &diff);
	tree_diff(&without, &with, true, 3, stat);
	for (size_t i = 0; i < mine.n; i++) {
		char *p = xasprintf("files/%s", mine.v[i].path);

		files_add(bundle, p, mine.v[i].data, mine.v[i].len, mine.v[i].mode);
		mine.v[i].data = NULL;   /* handed over */
		free(p);
	}
	buf_init(&text);
	install_script(o, &mine, &text);
	add_text(bundle, "install.sh", &text, 0755);
	readme(o, &mine, nbal, &text);
	add_text(bundle, "README", &text, 0644);
	if (!nbal)
		buf_printf(&diff, "# adding %s changes no file outside realservers/%s/\n", o->r->name, o->r->name);
	add_text(bundle, "balancer.diff", &diff, 0644);
	files_sort(bundle);
	files_free(&mine);
	files_free(&with);
	files_free(&without);
	return 0;
}

int cmd_onboard(int argc, char **argv, const struct command *self)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "tar", no_argument, NULL, 'T' },
		{ "probe", no_argument, NULL, 'p' },
		{ "dnsprobe", required_argument, NULL, 'P' },
		{ "templates", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *probe_path = NULL;
	bool tar = false, probe = false;
	struct onboard o = { NULL, NULL, NULL, NULL, NULL };
	struct files bundle;
	struct buf stat;
	struct site s;
	size_t host;
	char *top, *target;
	int c, rc;

	while ((c = getopt_long(argc, argv, "o:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'T': tar = true; break;
		case 'p': probe = true; break;
		case 'P': probe_path = optarg; break;
		case 't': o.tdir = optarg; break;
		case 'h': command_usage(self, stdout, onboard_options); return EXIT_OK;
		default: command_usage(self, stderr, onboard_options); return EXIT_USAGE;
		}
	}
	if (optind != argc - 2) {
		command_usage(self, stderr, onboard_options);
		return EXIT_USAGE;
	}
	if (load_site_or_report(argv[optind], &s) != EXIT_OK)
		return EXIT_USAGE;
	for (host = 0; host < s.nrealservers; host++)
		if (!strcmp(s.realservers[host].name, argv[optind + 1]))
			break;
	if (host == s.nrealservers) {
		fprintf(stderr, "cluster-gen onboard: %s has no real server '%s'; declare it first "
			"(realserver %s { balancer = ... instance ... })\n", argv[optind],
			argv[optind + 1], argv[optind + 1]);
		site_free(&s);
		return EXIT_USAGE;
	}
	o.s = &s;
	o.r = &s.realservers[host];
	o.b = &s.balancers[o.r->balancer];
	o.prefix = xasprintf("realservers/%s/", o.r->name);
	top = xasprintf("onboard-%s", o.r->name);
	target = out ? xstrdup(out) : xasprintf("%s%s", top, tar ? ".tar" : "");
	rc = EXIT_FAIL;
	buf_init(&stat);
	if ((!probe || probe_all(&o, probe_path) == 0) && build_bundle(&o, host, &bundle, &stat) == 0) {
		if ((tar ? write_tar(&bundle, top, target) : write_dir(&bundle, target)) == 0) {
			rc = EXIT_OK;
			if (!tar || strcmp(target, "-"))
				printf("%s: wrote %s (files/ with %zu files, install.sh, README, balancer.diff)\n"
				       "balancer side, when %s is added:\n%s", o.r->name, target,
				       bundle.n - 3, o.r->name, stat.data);
		}
		files_free(&bundle);
	}
	buf_free(&stat);
	free(top);
	free(target);
	free(o.prefix);
	site_free(&s);
	return rc;
}
