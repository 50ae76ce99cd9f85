/* rs-dnat: installs, checks and removes the per-VLAN DNAT rules of one real
 * server through libiptc (the legacy x_tables nat table), each change one
 * atomic commit of the nat table. See docs/rs-dnat.8.
 *
 * Exit status: 0 done / in sync, 1 check found differences, 2 error. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "diag.h"
#include "rules.h"
#include "xt.h"

#include "../cluster-gen/parse.h"
#include "../cluster-gen/render.h"

enum { EXIT_SYNC = 0, EXIT_DIFFERS = 1, EXIT_ERR = 2 };

struct opts {
	const char *cmd;
	const char *file;
	const char *site, *host;  /* --site SITE --host HOST instead of FILE */
	int family;               /* 0: from the file (apply/check), both (remove) */
	bool dry_run;
};

/* The rule sets to apply or check: one file, or both families of the
 * site's host. A family the site renders no file for (its IPv6 service was
 * removed, say) wants nothing of ours: skipping it would leave the old
 * chain in the kernel while apply and check report the table in sync. */
struct wanted {
	char *label[2];           /* for messages: FILE, or SITE:realservers/HOST/dnat.rules */
	struct dnat_set set[2];
	bool none[2];             /* not rendered: our chain and jump must go */
	size_t n;
	size_t nrendered;         /* entries parsed from a file */
};

static void usage(FILE *out)
{
	fputs("usage: rs-dnat [-4|-6] [--dry-run] apply FILE | --site SITE --host HOST\n"
	      "       rs-dnat [-4|-6] check FILE | --site SITE --host HOST\n"
	      "       rs-dnat [-4|-6] [--dry-run] remove\n"
	      "FILE is a dnat.rules or dnat6.rules rendered by cluster-gen; --site renders\n"
	      "the host's rules from site.conf (built-in templates) for both families.\n", out);
}

static int read_whole(const char *path, struct buf *out, struct buf *err)
{
	FILE *f = fopen(path, "r");
	char chunk[8192];
	size_t n;

	if (!f) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(out, chunk, n);
	if (ferror(f)) {
		buf_printf(err, "%s: read error", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static int parse_text(const char *label, const char *text, size_t len, int family,
		      struct wanted *w)
{
	struct diags d;
	int rc;

	diags_init(&d, label);
	rc = dnat_parse(text, len, family, &w->set[w->n], &d);
	if (rc < 0) {
		diags_print(&d, stderr);
	} else {
		w->none[w->n] = false;
		w->label[w->n++] = xstrdup(label);
		w->nrendered++;
	}
	diags_free(&d);
	return rc;
}

static void want_none(const char *label, int family, struct wanted *w)
{
	dnat_set_init(&w->set[w->n]);
	w->set[w->n].family = family;
	w->none[w->n] = true;
	w->label[w->n++] = xstrdup(label);
}

static int load_file(const struct opts *o, struct wanted *w)
{
	struct buf text, err;
	int rc = -1;

	buf_init(&text);
	buf_init(&err);
	if (read_whole(o->file, &text, &err) < 0)
		fprintf(stderr, "rs-dnat: %s\n", err.data);
	else
		rc = parse_text(o->file, text.data ? text.data : "", text.len, o->family, w);
	buf_free(&text);
	buf_free(&err);
	return rc;
}

static const struct realserver *find_host(const struct site *s, const char *host)
{
	for (size_t i = 0; i < s->nrealservers; i++)
		if (!strcmp(s->realservers[i].name, host))
			return &s->realservers[i];
	fprintf(stderr, "rs-dnat: %s: no realserver '%s' (there are:", s->file, host);
	for (size_t i = 0; i < s->nrealservers; i++)
		fprintf(stderr, " %s", s->realservers[i].name);
	fputs(")\n", stderr);
	return NULL;
}

/* The rendered files of the host, exactly as cluster-gen writes them. */
static int parse_rendered(const struct opts *o, const struct files *f, struct wanted *w)
{
	static const struct { const char *name; int family; } kinds[] = {
		{ "dnat.rules", AF_INET }, { "dnat6.rules", AF_INET6 },
	};
	int rc = 0;

	for (size_t k = 0; k < 2 && rc == 0; k++) {
		char *path = xasprintf("realservers/%s/%s", o->host, kinds[k].name);
		char *label = xasprintf("%s:%s", o->site, path);
		size_t i = 0;

		while (i < f->n && strcmp(f->v[i].path, path))
			i++;
		if (o->family && o->family != kinds[k].family)
			;   /* the other family was asked for */
		else if (i < f->n)
			rc = parse_text(label, f->v[i].data, f->v[i].len, kinds[k].family, w);
		else if (!o->family)
			want_none(label, kinds[k].family, w);
		free(label);
		free(path);
	}
	return rc;
}

static int load_site(const struct opts *o, struct wanted *w)
{
	struct site s;
	struct diags d;
	struct templates *t;
	struct files f;
	struct buf err;
	int rc = -1;

	diags_init(&d, o->site);
	if (site_load(o->site, &s, &d) < 0) {
		diags_print(&d, stderr);
		diags_free(&d);
		return -1;
	}
	diags_free(&d);
	t = templates_new(NULL);
	files_init(&f);
	buf_init(&err);
	if (!find_host(&s, o->host)) {
		/* reported */
	} else if (render_realserver(&s, t, &f, &err) != 0) {
		fprintf(stderr, "rs-dnat: %s: %s\n", o->site, err.data);
	} else if ((rc = parse_rendered(o, &f, w)) == 0 && w->nrendered == 0) {
		fprintf(stderr, "rs-dnat: %s renders no iptables rules for %s%s; "
			"with nat = stateless load dnat.nft with nft\n", o->site, o->host,
			o->family ? " in that family" : "");
		rc = -1;
	}
	buf_free(&err);
	files_free(&f);
	templates_free(t);
	site_free(&s);
	return rc;
}

static void wanted_free(struct wanted *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->label[i]);
		dnat_set_free(&w->set[i]);
	}
}

static const struct xt_family *family_ops(int family)
{
	return family == AF_INET6 ? &xt_ipv6 : &xt_ipv4;
}

/* Reads the kernel's state and the difference to want into diff.
 * Returns the number of differences, or -1 (reported). */
static long compare(const struct xt_family *xf, const struct dnat_set *want, struct buf *diff)
{
	struct kstate k;
	struct buf err;
	long n = -1;

	kstate_init(&k, xf->family);
	buf_init(&err);
	if (xf->read(&k, &err) != XT_OK)
		fprintf(stderr, "rs-dnat: %s\n", err.data);
	else
		n = (long)dnat_diff(want, &k, diff);
	buf_free(&err);
	kstate_free(&k);
	return n;
}

static int cmd_check(const char *label, const struct dnat_set *want)
{
	const struct xt_family *xf = family_ops(want->family);
	struct buf diff;
	long n;

	buf_init(&diff);
	n = compare(xf, want, &diff);
	if (n > 0) {
		printf("rs-dnat: %s nat table differs from %s (+ missing, - unexpected):\n%s",
		       xf->name, label, diff.data);
	} else if (n == 0) {
		printf("rs-dnat: %s nat table matches %s (%zu rules)\n", xf->name, label, want->n);
	}
	buf_free(&diff);
	return n < 0 ? EXIT_ERR : n > 0 ? EXIT_DIFFERS : EXIT_SYNC;
}

/* What the kernel holds of ours in a family that wants nothing, into diff.
 * No nat table at all holds nothing of ours: not an error here, as the
 * host may well lack that family's table. Returns the number of
 * differences, or -1 (reported). */
static long compare_none(const struct xt_family *xf, struct buf *diff)
{
	struct kstate k;
	struct buf err;
	enum xt_status st;
	long n = -1;

	kstate_init(&k, xf->family);
	buf_init(&err);
	st = xf->read(&k, &err);
	if (st == XT_NO_TABLE)
		n = 0;
	else if (st != XT_OK)
		fprintf(stderr, "rs-dnat: %s\n", err.data);
	else
		n = (long)dnat_diff_none(&k, diff);
	buf_free(&err);
	kstate_free(&k);
	return n;
}

static int cmd_check_none(const char *label, int family)
{
	const struct xt_family *xf = family_ops(family);
	struct buf diff;
	long n;

	buf_init(&diff);
	n = compare_none(xf, &diff);
	if (n > 0)
		printf("rs-dnat: %s nat table differs: %s is not rendered, so nothing of ours "
		       "belongs there (- unexpected):\n%s", xf->name, label, diff.data);
	else if (n == 0)
		printf("rs-dnat: %s nat table holds nothing of ours, as %s is not rendered\n",
		       xf->name, label);
	buf_free(&diff);
	return n < 0 ? EXIT_ERR : n > 0 ? EXIT_DIFFERS : EXIT_SYNC;
}

static int cmd_apply_none(const struct opts *o, const char *label, int family)
{
	const struct xt_family *xf = family_ops(family);
	struct buf diff, err;
	bool removed = false;
	long n;
	int rc = EXIT_SYNC;

	buf_init(&diff);
	buf_init(&err);
	n = compare_none(xf, &diff);
	if (n < 0) {
		rc = EXIT_ERR;
	} else if (n == 0) {
		printf("rs-dnat: %s nat table already holds nothing of ours (%s is not rendered); "
		       "nothing changed\n", xf->name, label);
	} else if (o->dry_run) {
		printf("rs-dnat: dry run: would change the %s nat table (- remove):\n%s"
		       "rs-dnat: dry run: would remove " RS_CHAIN " and its jump (%s is not rendered)\n",
		       xf->name, diff.data, label);
	} else if (xf->remove(&removed, &err) != XT_OK) {
		fprintf(stderr, "rs-dnat: %s\n", err.data);
		rc = EXIT_ERR;
	} else {
		printf("rs-dnat: %s nat table: %s (%s is not rendered)\n", xf->name,
		       removed ? "removed " RS_CHAIN " and its jump" : "nothing of ours to remove", label);
	}
	buf_free(&diff);
	buf_free(&err);
	return rc;
}

static int cmd_apply(const struct opts *o, const char *label, const struct dnat_set *want)
{
	const struct xt_family *xf = family_ops(want->family);
	struct buf diff, err;
	long n;
	int rc = EXIT_SYNC;

	buf_init(&diff);
	buf_init(&err);
	n = compare(xf, want, &diff);
	if (n < 0) {
		rc = EXIT_ERR;
	} else if (n == 0) {
		/* Idempotent: no commit at all, so counters and order stay. */
		printf("rs-dnat: %s nat table already matches %s; nothing changed\n", xf->name, label);
	} else if (o->dry_run) {
		printf("rs-dnat: dry run: would change the %s nat table (+ add, - remove):\n%s"
		       "rs-dnat: dry run: would commit " RS_CHAIN " with %zu rules and one jump "
		       "from " RS_HOOK_CHAIN "\n", xf->name, diff.data, want->n);
	} else if (xf->apply(want, &err) != XT_OK) {
		fprintf(stderr, "rs-dnat: %s\n", err.data);
		rc = EXIT_ERR;
	} else {
		printf("rs-dnat: %s nat table: committed " RS_CHAIN " with %zu rules from %s\n",
		       xf->name, want->n, label);
	}
	buf_free(&diff);
	buf_free(&err);
	return rc;
}

static int remove_one(const struct xt_family *xf, bool dry_run, bool quiet_missing)
{
	struct buf err;
	struct kstate k;
	bool removed = false;
	enum xt_status st;

	buf_init(&err);
	kstate_init(&k, xf->family);
	st = dry_run ? xf->read(&k, &err) : xf->remove(&removed, &err);
	if (st == XT_NO_TABLE && quiet_missing) {
		st = XT_OK; /* no table: nothing of ours can be in it */
	} else if (st != XT_OK) {
		fprintf(stderr, "rs-dnat: %s\n", err.data);
	} else if (dry_run && (k.chain || k.plain_jumps || k.other_jumps)) {
		printf("rs-dnat: dry run: would remove %u jump(s) from " RS_HOOK_CHAIN
		       " and chain " RS_CHAIN " (%zu rules) from the %s nat table\n",
		       k.plain_jumps + k.other_jumps, k.rules.n + k.nforeign, xf->name);
	} else if (removed) {
		printf("rs-dnat: %s nat table: removed " RS_CHAIN " and its jump\n", xf->name);
	} else {
		printf("rs-dnat: %s nat table: nothing of ours to remove\n", xf->name);
	}
	kstate_free(&k);
	buf_free(&err);
	return st == XT_OK ? EXIT_SYNC : EXIT_ERR;
}

static int cmd_remove(const struct opts *o)
{
	int rc4 = EXIT_SYNC, rc6 = EXIT_SYNC;
	bool both = o->family == 0;

	if (o->family != AF_INET6)
		rc4 = remove_one(&xt_ipv4, o->dry_run, both);
	if (o->family != AF_INET)
		rc6 = remove_one(&xt_ipv6, o->dry_run, both);
	return rc4 != EXIT_SYNC ? rc4 : rc6;
}

static int run_one(const struct opts *o, const struct wanted *w, size_t i)
{
	bool check = !strcmp(o->cmd, "check");

	if (w->none[i])
		return check ? cmd_check_none(w->label[i], w->set[i].family)
			     : cmd_apply_none(o, w->label[i], w->set[i].family);
	return check ? cmd_check(w->label[i], &w->set[i]) : cmd_apply(o, w->label[i], &w->set[i]);
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

	if (parse_args(argc, argv, &o) < 0) {
		usage(stderr);
		return EXIT_ERR;
	}
	if (!strcmp(o.cmd, "remove"))
		return cmd_remove(&o);
	if ((o.site ? load_site(&o, &w) : load_file(&o, &w)) < 0) {
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
