/* DIR/bind-build/build.env: the build recipe of the site's BIND version,
 * from the one version table (bind-build/bind_table.c) that bind-build and
 * the named@.service units use too. Where the site asks for something its
 * version cannot do (threads = off on a BIND with mandatory threads,
 * internal-malloc = on after the allocator was removed), the closest honest
 * equivalent is rendered and a "# NOTE:" line says so. */
#include "render.h"
#include "validate.h"

#include <stdlib.h>
#include <string.h>

#include "../bind-build/bind_table.h"

/* The version goes into shell-quoted values: allow only what BIND versions
 * are made of ("9.18.49", "9.11.5-P4", "9.16.25-S1"). */
static const char *on_off(bool b)
{
	return b ? "on" : "off";
}

static void set_joined(struct tpl_ctx *c, const char *name, const char *const *v, size_t n)
{
	char s[256];

	bind_join(v, n, s, sizeof s);
	tpl_set(c, name, s);
}

/* The programs of the installation the site names (bind { prefix }):
 * named in PREFIX/sbin, named-checkconf where the version table says its
 * release installs it (PREFIX/bin from 9.17.2 on, PREFIX/sbin before).
 * Validation refuses versions without a row; were one to get here, the
 * layout of current releases is the better guess. */
struct bind_paths bind_programs(const struct bind *bd)
{
	const char *dir = bind_checkconf_dir(bd->version);
	/* a site made in code (tests) may leave it unset, as the schema would */
	const char *prefix = bd->prefix ? bd->prefix : BIND_PREFIX_DEFAULT;

	return (struct bind_paths){
		.prefix = prefix,
		.named = xasprintf("%s/" BIND_NAMED_DIR "/named", prefix),
		.checkconf = xasprintf("%s/%s/named-checkconf", prefix, dir ? dir : "bin"),
		.rndc_confgen = xasprintf("%s/" BIND_NAMED_DIR "/rndc-confgen", prefix),
	};
}

void bind_paths_free(struct bind_paths *p)
{
	free(p->named);
	free(p->checkconf);
	free(p->rndc_confgen);
}

void render_bind_programs(const struct bind *bd, struct tpl_ctx *c)
{
	struct bind_paths p = bind_programs(bd);

	tpl_set(c, "prefix", p.prefix);
	tpl_set_bool(c, "distribution", bind_is_distribution(bd));
	tpl_set(c, "named", p.named);
	tpl_set(c, "checkconf", p.checkconf);
	tpl_set(c, "rndc_confgen", p.rndc_confgen);
	bind_paths_free(&p);
}

static void fill(struct tpl_ctx *c, const struct site *s, const struct bind_plan *p)
{
	tpl_set(c, "site", s->name);
	tpl_set(c, "site_file", site_file_name(s));
	tpl_set(c, "version", s->bind.version);
	tpl_set(c, "threads", on_off(s->bind.threads));
	tpl_set(c, "internal_malloc", on_off(s->bind.internal_malloc));
	render_bind_programs(&s->bind, c);
	tpl_set(c, "row", p->row->id);
	tpl_set(c, "reason", p->row->reason);
	tpl_set(c, "build_system", p->build == BIND_BUILD_MESON ? "meson" : "autoconf");
	set_joined(c, "configure", p->configure, p->nconfigure);
	set_joined(c, "defines", p->defines, p->ndefines);
	set_joined(c, "named_flags", p->named, p->nnamed);
	for (size_t i = 0; i < p->nwhy; i++)
		tpl_set(tpl_add(c, "why"), "line", p->why[i]);
	for (size_t i = 0; i < p->nnotes; i++)
		tpl_set(tpl_add(c, "notes"), "line", p->notes[i]);
}

int render_bind(const struct site *s, struct templates *t, struct files *out, struct buf *err)
{
	const struct bind_row *row = bind_row_for_version(s->bind.version);
	struct bind_wish wish = { .threads = s->bind.threads,
				  .internal_malloc = s->bind.internal_malloc,
				  .distribution = bind_is_distribution(&s->bind) };
	struct bind_plan plan;
	struct tpl_ctx *c;
	int rc;

	if (row == NULL || !bind_version_is_safe(s->bind.version)) {
		buf_printf(err, "%s:%d: bind version \"%s\" is not a BIND 9 release this "
			   "toolkit knows (9.2.0 or later, e.g. \"9.18.49\"); no build recipe exists for it",
			   s->file, s->bind.version_at.line, s->bind.version ? s->bind.version : "");
		return -1;
	}
	bind_plan_for_row(row, wish, &plan);
	c = tpl_ctx_new();
	fill(c, s, &plan);
	rc = render_template_file(t, "build.env.mustache", c, out, "bind-build/build.env", 0644, err);
	tpl_ctx_free(c);
	return rc;
}
