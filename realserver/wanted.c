/* What rs-dnat is asked for: one rendered rule file, or the files
 * cluster-gen renders for one host of a site. */
#include "wanted.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../cluster-gen/parse.h"
#include "../cluster-gen/render.h"

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

int wanted_from_file(const char *path, int family, struct wanted *w)
{
	struct buf text, err;
	int rc = -1;

	buf_init(&text);
	buf_init(&err);
	if (read_whole(path, &text, &err) < 0)
		fprintf(stderr, "rs-dnat: %s\n", err.data);
	else
		rc = parse_text(path, text.data ? text.data : "", text.len, family, w);
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
static int parse_rendered(const char *site, const char *host, int family,
			  const struct files *f, struct wanted *w)
{
	static const struct { const char *name; int family; } kinds[] = {
		{ "dnat.rules", AF_INET }, { "dnat6.rules", AF_INET6 },
	};
	int rc = 0;

	for (size_t k = 0; k < 2 && rc == 0; k++) {
		char *path = xasprintf("realservers/%s/%s", host, kinds[k].name);
		char *label = xasprintf("%s:%s", site, path);
		size_t i = 0;

		while (i < f->n && strcmp(f->v[i].path, path))
			i++;
		if (family && family != kinds[k].family)
			;   /* the other family was asked for */
		else if (i < f->n)
			rc = parse_text(label, f->v[i].data, f->v[i].len, kinds[k].family, w);
		else if (!family)
			want_none(label, kinds[k].family, w);
		free(label);
		free(path);
	}
	return rc;
}

int wanted_from_site(const char *site, const char *host, int family, struct wanted *w)
{
	struct site s;
	struct diags d;
	struct templates *t;
	struct files f;
	struct buf err;
	int rc = -1;

	diags_init(&d, site);
	if (site_load(site, &s, &d) < 0) {
		diags_print(&d, stderr);
		diags_free(&d);
		return -1;
	}
	diags_free(&d);
	t = templates_new(NULL);
	files_init(&f);
	buf_init(&err);
	if (!find_host(&s, host)) {
		/* reported */
	} else if (render_realserver(&s, t, &f, &err) != 0) {
		fprintf(stderr, "rs-dnat: %s: %s\n", site, err.data);
	} else if ((rc = parse_rendered(site, host, family, &f, w)) == 0 && w->nrendered == 0) {
		fprintf(stderr, "rs-dnat: %s renders no iptables rules for %s%s; "
			"with nat = stateless load dnat.nft with nft\n", site, host,
			family ? " in that family" : "");
		rc = -1;
	}
	buf_free(&err);
	files_free(&f);
	templates_free(t);
	site_free(&s);
	return rc;
}

void wanted_free(struct wanted *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->label[i]);
		dnat_set_free(&w->set[i]);
	}
}
