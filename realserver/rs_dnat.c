/* rs-dnat: installs, checks and removes the per-VLAN DNAT rules of one real
 * server, and the conntrack zones of its VLAN interfaces, through libiptc
 * (the legacy x_tables raw and nat tables), each change one atomic commit
 * per table. See docs/rs-dnat.8.
 *
 * Exit status: 0 done / in sync, 1 check found differences, 2 error. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "rules.h"
#include "wanted.h"
#include "xt.h"

enum { EXIT_SYNC = 0, EXIT_DIFFERS = 1, EXIT_ERR = 2 };

struct opts {
	const char *cmd;
	const char *file;
	const char *site, *host;  /* --site SITE --host HOST instead of FILE */
	int family;               /* 0: from the file (apply/check), both (remove) */
	bool dry_run;
};

static void usage(FILE *out)
{
	fputs("usage: rs-dnat [-4|-6] [--dry-run] apply FILE | --site SITE --host HOST\n"
	      "       rs-dnat [-4|-6] check FILE | --site SITE --host HOST\n"
	      "       rs-dnat [-4|-6] [--dry-run] remove\n"
	      "FILE is a dnat.rules or dnat6.rules rendered by cluster-gen; --site renders\n"
	      "the host's rules from site.conf (built-in templates) for both families.\n", out);
}

static const struct xt_family *family_ops(int family)
{
	return family == AF_INET6 ? &xt_ipv6 : &xt_ipv4;
}

/* One family's wanted rules (or nothing, when not rendered) against the
 * kernel's raw and nat tables. */
enum { T_RAW, T_NAT, NTABLES };

struct job {
	const struct xt_family *xf;
	const char *label;
	const struct dnat_set *want;
	bool none;                    /* not rendered: nothing of ours belongs anywhere */
	long n[NTABLES];              /* differences per table */
	struct buf diff[NTABLES];
};

/* Why nothing of ours belongs in the raw table. */
static const char *no_zones_why(const struct job *j)
{
	return j->none ? "is not rendered" : "has no *raw section";
}

static int job_read_raw(struct job *j, struct buf *err)
{
	struct kraw k;
	int rc = -1;

	kraw_init(&k);
	/* a missing raw table is an error only when zones are wanted */
	if (j->xf->read_raw(&k, j->want->zones.wanted, err) == XT_OK) {
		j->n[T_RAW] = (long)zone_diff(&j->want->zones, &k, &j->diff[T_RAW]);
		rc = 0;
	}
	kraw_free(&k);
	return rc;
}

static int job_read_nat(struct job *j, struct buf *err)
{
	struct kstate k;
	int rc = -1;

	kstate_init(&k, j->xf->family);
	/* not rendered: the host may well lack that family's nat table */
	if (j->xf->read(&k, !j->none, err) == XT_OK) {
		j->n[T_NAT] = (long)(j->none ? dnat_diff_none(&k, &j->diff[T_NAT])
					     : dnat_diff(j->want, &k, &j->diff[T_NAT]));
		rc = 0;
	}
	kstate_free(&k);
	return rc;
}

/* Fills j's differences; -1 on a kernel error (reported). */
static int job_compare(struct job *j)
{
	struct buf err;
	int rc;

	buf_init(&err);
	rc = job_read_raw(j, &err) < 0 || job_read_nat(j, &err) < 0 ? -1 : 0;
	if (rc < 0)
		fprintf(stderr, "rs-dnat: %s\n", err.data);
	buf_free(&err);
	return rc;
}

static void job_init(struct job *j, const struct wanted *w, size_t i)
{
	memset(j, 0, sizeof(*j));
	j->xf = family_ops(w->set[i].family);
	j->label = w->label[i];
	j->want = &w->set[i];
	j->none = w->none[i];
	for (int t = 0; t < NTABLES; t++)
		buf_init(&j->diff[t]);
}

static void job_free(struct job *j)
{
	for (int t = 0; t < NTABLES; t++)
		buf_free(&j->diff[t]);
}

/* ---- check ---- */

static void check_raw(const struct job *j)
{
	const char *name = j->xf->name;

	if (j->n[T_RAW] > 0 && j->want->zones.wanted)
		printf("rs-dnat: %s raw table differs from %s (+ missing, - unexpected):\n%s", name,
		       j->label, j->diff[T_RAW].data);
	else if (j->n[T_RAW] > 0)
		printf("rs-dnat: %s raw table differs: %s %s, so nothing of ours belongs there "
		       "(- unexpected):\n%s", name, j->label, no_zones_why(j), j->diff[T_RAW].data);
	else if (j->want->zones.wanted)
		printf("rs-dnat: %s raw table matches %s (%zu zone rules)\n", name, j->label,
		       j->want->zones.rules.n);
}

static void check_nat(const struct job *j)
{
	const char *name = j->xf->name;

	if (j->n[T_NAT] > 0 && !j->none)
		printf("rs-dnat: %s nat table differs from %s (+ missing, - unexpected):\n%s", name,
		       j->label, j->diff[T_NAT].data);
	else if (j->n[T_NAT] > 0)
		printf("rs-dnat: %s nat table differs: %s is not rendered, so nothing of ours "
		       "belongs there (- unexpected):\n%s", name, j->label, j->diff[T_NAT].data);
	else if (!j->none)
		printf("rs-dnat: %s nat table matches %s (%zu rules)\n", name, j->label, j->want->n);
	else
		printf("rs-dnat: %s nat table holds nothing of ours, as %s is not rendered\n",
		       name, j->label);
}

/* nat first: the DNAT rules, then the zones they rely on (and a script
 * that reads check's first lines sees what it saw before zones). */
static int cmd_check(struct job *j)
{
	if (job_compare(j) < 0)
		return EXIT_ERR;
	check_nat(j);
	check_raw(j);
	return j->n[T_RAW] + j->n[T_NAT] > 0 ? EXIT_DIFFERS : EXIT_SYNC;
}

/* ---- apply ---- */

static void dry_run_raw(const struct job *j)
{
	const struct zone_set *z = &j->want->zones;

	if (j->n[T_RAW] == 0) {
		if (z->wanted)
			printf("rs-dnat: %s raw table already matches %s; nothing changed\n",
			       j->xf->name, j->label);
		return;
	}
	printf("rs-dnat: dry run: would change the %s raw table (+ add, - remove):\n%s",
	       j->xf->name, j->diff[T_RAW].data);
	if (z->wanted)
		printf("rs-dnat: dry run: would commit " RS_ZONE " with %zu zone rules and one "
		       "jump from " RS_ZONE_HOOK "\n", z->rules.n);
	else
		printf("rs-dnat: dry run: would remove our zone chains and their jumps (%s %s)\n",
		       j->label, no_zones_why(j));
}

/* Says so when the nat table needs no change (no commit at all, so its
 * counters and order stay); true then. */
static bool said_nat_unchanged(const struct job *j)
{
	if (j->n[T_NAT] != 0)
		return false;
	if (!j->none)
		printf("rs-dnat: %s nat table already matches %s; nothing changed\n", j->xf->name,
		       j->label);
	else
		printf("rs-dnat: %s nat table already holds nothing of ours (%s is not rendered); "
		       "nothing changed\n", j->xf->name, j->label);
	return true;
}

static void dry_run_nat(const struct job *j)
{
	if (said_nat_unchanged(j))
		return;
	if (!j->none)
		printf("rs-dnat: dry run: would change the %s nat table (+ add, - remove):\n%s"
		       "rs-dnat: dry run: would commit " RS_CHAIN " with %zu rules and one jump "
		       "from " RS_HOOK_CHAIN "\n", j->xf->name, j->diff[T_NAT].data, j->want->n);
	else
		printf("rs-dnat: dry run: would change the %s nat table (- remove):\n%s"
		       "rs-dnat: dry run: would remove " RS_CHAIN " and its jump (%s is not "
		       "rendered)\n", j->xf->name, j->diff[T_NAT].data, j->label);
}

/* The line for an older version's zone chains, when the raw commit
 * took them out (done: XT_RAW_OLD). */
static void old_removed(const struct xt_family *xf, unsigned done)
{
	if (done & XT_RAW_OLD)
		printf("rs-dnat: %s raw table: removed an older rs-dnat's " RS_ZONE_OLD_IN
		       "/-OUT and their jumps\n", xf->name);
}

/* What a table that differed has become; done: the XT_RAW and
 * XT_RAW_OLD bits of what was committed. */
static void applied_raw(const struct job *j, unsigned done)
{
	const struct zone_set *z = &j->want->zones;

	if (j->n[T_RAW] == 0 && z->wanted)
		printf("rs-dnat: %s raw table already matches %s; nothing changed\n", j->xf->name,
		       j->label);
	else if ((done & XT_RAW) && z->wanted)
		printf("rs-dnat: %s raw table: committed " RS_ZONE " with %zu zone rules from %s\n",
		       j->xf->name, z->rules.n, j->label);
	else if (done & XT_RAW)
		printf("rs-dnat: %s raw table: removed " RS_ZONE " and its jump (%s %s)\n",
		       j->xf->name, j->label, no_zones_why(j));
	old_removed(j->xf, done);
}

static void applied_nat(const struct job *j, bool done)
{
	if (said_nat_unchanged(j))
		return;
	if (done && !j->none)
		printf("rs-dnat: %s nat table: committed " RS_CHAIN " with %zu rules from %s\n",
		       j->xf->name, j->want->n, j->label);
	else if (done)
		printf("rs-dnat: %s nat table: removed " RS_CHAIN " and its jump (%s is not "
		       "rendered)\n", j->xf->name, j->label);
}

/* Commits only the tables that differ. Not rendered: remove does it all,
 * nat first; otherwise apply, raw first. Each line says what became of
 * its table, in the order of the commits. */
static int cmd_apply(struct job *j)
{
	unsigned tables = (j->n[T_RAW] ? XT_RAW : 0) | (j->n[T_NAT] ? XT_NAT : 0), done = 0;
	enum xt_status st = XT_OK;
	struct buf err;

	buf_init(&err);
	if (tables && j->none)
		st = j->xf->remove(&done, &err);
	else if (tables)
		st = j->xf->apply(j->want, tables, &done, &err);
	if (j->none) {
		applied_nat(j, done & XT_NAT);
		applied_raw(j, done);
	} else {
		applied_raw(j, done);
		applied_nat(j, done & XT_NAT);
	}
	if (st != XT_OK)
		fprintf(stderr, "rs-dnat: %s\n", err.data);
	buf_free(&err);
	return st == XT_OK ? EXIT_SYNC : EXIT_ERR;
}

/* In the order the commits would happen. */
static int cmd_dry_run(const struct job *j)
{
	if (j->none) {
		dry_run_nat(j);
		dry_run_raw(j);
	} else {
		dry_run_raw(j);
		dry_run_nat(j);
	}
	return EXIT_SYNC;
}

/* ---- remove ---- */

static void dry_run_remove(const struct xt_family *xf, const struct kstate *k,
			   const struct kraw *r)
{
	size_t old = 0;

	if (k->chain || k->plain_jumps || k->other_jumps)
		printf("rs-dnat: dry run: would remove %u jump(s) from " RS_HOOK_CHAIN
		       " and chain " RS_CHAIN " (%zu rules) from the %s nat table\n",
		       k->plain_jumps + k->other_jumps, k->rules.n + k->nforeign, xf->name);
	if (r->chain || r->plain_jumps || r->other_jumps)
		printf("rs-dnat: dry run: would remove %u jump(s) from " RS_ZONE_HOOK " and chain "
		       RS_ZONE " (%zu rules) from the %s raw table\n", r->plain_jumps +
		       r->other_jumps, r->rules.n + r->nforeign, xf->name);
	for (int o = 0; o < NZONE_OLD; o++)
		old += r->old[o].nrules;
	if (kraw_old(r))
		printf("rs-dnat: dry run: would remove an older rs-dnat's " RS_ZONE_OLD_IN "/-OUT, "
		       "their jumps and %zu rules from the %s raw table\n", old, xf->name);
	if (!kraw_any(r) && !(k->chain || k->plain_jumps || k->other_jumps))
		printf("rs-dnat: %s nat and raw tables: nothing of ours to remove\n", xf->name);
}

static void removed(const struct xt_family *xf, unsigned done)
{
	if (done & XT_NAT)
		printf("rs-dnat: %s nat table: removed " RS_CHAIN " and its jump\n", xf->name);
	if (done & XT_RAW)
		printf("rs-dnat: %s raw table: removed " RS_ZONE " and its jump\n", xf->name);
	old_removed(xf, done);
	if (!done)
		printf("rs-dnat: %s nat and raw tables: nothing of ours to remove\n", xf->name);
}

/* A table that is not there holds nothing of ours: remove then works
 * with only one of the two tables, or none. */
static int remove_one(const struct xt_family *xf, bool dry_run)
{
	struct buf err;
	struct kstate k;
	struct kraw r;
	unsigned done = 0;
	enum xt_status st;

	buf_init(&err);
	kstate_init(&k, xf->family);
	kraw_init(&r);
	if (!dry_run)
		st = xf->remove(&done, &err);
	else if ((st = xf->read(&k, false, &err)) == XT_OK)
		st = xf->read_raw(&r, false, &err);
	if (st == XT_OK && dry_run)
		dry_run_remove(xf, &k, &r);
	else if (st == XT_OK || done)
		removed(xf, done);   /* nat may be gone when raw failed */
	if (st != XT_OK)
		fprintf(stderr, "rs-dnat: %s\n", err.data);
	kraw_free(&r);
	kstate_free(&k);
	buf_free(&err);
	return st == XT_OK ? EXIT_SYNC : EXIT_ERR;
}

static int cmd_remove(const struct opts *o)
{
	int rc4 = EXIT_SYNC, rc6 = EXIT_SYNC;

	if (o->family != AF_INET6)
		rc4 = remove_one(&xt_ipv4, o->dry_run);
	if (o->family != AF_INET)
		rc6 = remove_one(&xt_ipv6, o->dry_run);
	return rc4 != EXIT_SYNC ? rc4 : rc6;
}

static int run_one(const struct opts *o, const struct wanted *w, size_t i)
{
	struct job j;
	int rc;

	job_init(&j, w, i);
	if (!strcmp(o->cmd, "check"))
		rc = cmd_check(&j);
	else if (job_compare(&j) < 0)
		rc = EXIT_ERR;
	else if (o->dry_run)
		rc = cmd_dry_run(&j);
	else
		rc = cmd_apply(&j);
	job_free(&j);
	return rc;
}

enum { OPT_SITE = 256, OPT_HOST };

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "site", required_argument, NULL, OPT_SITE },
		{ "host", required_argument, NULL, OPT_HOST },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "46nh", longopts, NULL)) != -1) {
		switch (c) {
		case '4': o->family = AF_INET; break;
		case '6': o->family = AF_INET6; break;
		case 'n': o->dry_run = true; break;
		case OPT_SITE: o->site = optarg; break;
		case OPT_HOST: o->host = optarg; break;
		case 'h': usage(stdout); exit(EXIT_SYNC);
		default: return -1;
		}
	}
	if (optind >= argc || !o->site != !o->host)
		return -1;
	o->cmd = argv[optind++];
	if (!strcmp(o->cmd, "apply") || !strcmp(o->cmd, "check")) {
		if (o->site)
			return optind == argc ? 0 : -1;
		if (optind + 1 != argc)
			return -1;
		o->file = argv[optind];
		return 0;
	}
	return !strcmp(o->cmd, "remove") && optind == argc && !o->site ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct wanted w = { .n = 0 };
	int rc = EXIT_SYNC;

	/* what was committed (stdout) and what failed after it (stderr) stay
	 * in order in a pipe or the journal too */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_args(argc, argv, &o) < 0) {
		usage(stderr);
		return EXIT_ERR;
	}
	if (!strcmp(o.cmd, "remove"))
		return cmd_remove(&o);
	if ((o.site ? wanted_from_site(o.site, o.host, o.family, &w)
		    : wanted_from_file(o.file, o.family, &w)) < 0) {
		wanted_free(&w);
		return EXIT_ERR;
	}
	/* Each family is its own table and commit; the worst outcome wins. */
	for (size_t i = 0; i < w.n; i++) {
		int r = run_one(&o, &w, i);
		rc = r > rc ? r : rc;
	}
	wanted_free(&w);
	return rc;
}
