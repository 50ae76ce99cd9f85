/* cluster-gen onboard SITE HOST [-o OUT] [--tar] [--probe]: everything a
 * real-server host needs, as one directory or tar: its rendered files, an
 * install script, a README with the steps, and the balancer-side diff that
 * adding the host causes (the site rendered without and with it).
 * --probe first asks each of the host's instances, from its balancer's
 * address on the instance's VLAN, and refuses when one does not answer. */
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "checkers.h"
#include "commands.h"
#include "onboard.h"
#include "outtree.h"
#include "parse_values.h"
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
	buf_puts(b, onboard_has_file(host, "dnat.rules") || onboard_has_file(host, "dnat6.rules")
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
		      "   the nftables table inet lvsdns; and, when this bundle has no rules\n"
		      "   for an address family, as for a host that lost its IPv6 instances,\n"
		      "   that family's rs-dnat rules and its installed file, dnat6.rules),\n"
		      "   installs a drop-in with which\n"
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
		      "   and disabled, their /etc/bind/named-INSTANCE.conf removed, and their\n"
		      "   directory /var/cache/bind/INSTANCE when it holds only what named\n"
		      "   makes again by itself (pid, session key, statistics, DNSSEC managed\n"
		      "   keys; with anything else, zone files or keys, it is kept, and named);\n"
		      "   of the running instances, all are restarted one after\n"
		      "   another when named@.service changed (each once the one before is\n"
		      "   back: listening on its address, and the balancer given rise + 1\n"
		      "   check periods to see it up; ROLL_WAIT=SECONDS sets that wait), and\n"
		      "   one whose named-INSTANCE.conf changed\n"
		      "   is reloaded (named keeps its cache); instances not running are\n"
		      "   started. It exits 1 when an instance did not start. When the\n"
		      "   change takes instances away, reload the balancer (step 4) first:\n"
		      "   until then it sends them queries.\n\n", o->r->name);
	/* a VLAN new to the balancer has no address there yet: nothing in
	 * the render creates it, and without it no check can be sent */
	buf_printf(b, "3. The balancer %s needs its address up on each of these VLANs (its\n"
		      "   vlan sections; then its rendered sysctl.conf, sysctl -p, for them):\n",
		   o->b->name);
	for (size_t i = 0; i < o->r->ninstances; i++) {
		const struct vlan *v = &o->b->vlans[o->r->instances[i].vlan];
		char p[PREFIX_STRLEN];

		buf_printf(b, "       %s %s (VLAN %s)\n", v->interface, prefix_str(&v->address, p), v->name);
	}
	buf_printf(b, "   From the balancer %s, before it sends the instances traffic, check\n"
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
		char *dest = onboard_destination(host->v[i].path);

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
			"refusing to onboard it (the probes ask from balancer %s's VLAN addresses, as "
			"keepalived will: run --probe there, with the host's VLANs up)\n",
			failed, o->r->ninstances, o->r->name, o->b->name);
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
	onboard_install_script(o, &mine, &text);
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
		char *known = names_hint("its real servers", s.realservers, s.nrealservers,
					 sizeof(*s.realservers), offsetof(struct realserver, name));

		fprintf(stderr, "cluster-gen onboard: %s has no real server '%s'%s%s%s; declare it "
			"first (realserver %s { balancer = ... instance ... })\n", argv[optind],
			argv[optind + 1], known ? " (" : "", known ? known : "", known ? ")" : "",
			argv[optind + 1]);
		free(known);
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
		if ((tar ? onboard_write_tar(&bundle, top, target) : write_dir(&bundle, target)) == 0) {
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
