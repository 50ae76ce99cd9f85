/* Rendering: every output kind is one renderer, a function of the site model
 * and its templates that adds files to a struct files. Nothing here touches
 * the disk; cluster-gen's main writes the collected files through outtree. */
#ifndef LVSDNS_RENDER_H
#define LVSDNS_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "site.h"
#include "template.h"

/* The rendered tree: relative path -> content, kept sorted by path. */
struct file {
	char *path;
	char *data;
	size_t len;
	mode_t mode;
};

struct outtree;

struct files {
	struct file *v;
	size_t n, cap;
	/* When set, each file goes to the tree as it is added and only its path
	 * stays in memory (data NULL): render keeps one file at a time instead
	 * of the whole tree. The first write error is kept in sink_err. */
	const struct outtree *sink;
	struct buf sink_err;
	/* How many threads a renderer may use to fill this (files_init: 1). */
	unsigned jobs;
};

void files_init(struct files *f);
void files_free(struct files *f);
/* Takes ownership of data (from buf_steal). */
void files_add(struct files *f, const char *path, char *data, size_t len, mode_t mode);
void files_sort(struct files *f);
/* Appends from's files to `to` (with from's first write error, unless `to`
 * has one), then frees from. */
void files_move(struct files *to, struct files *from);

/* The dnsprobe command that checks one instance on one virtual server's
 * port and protocol (TCP over TCP, UDP the site's way), as keepalived's
 * MISC_CHECK runs it: split on spaces, no shell. dynamic: with the site's
 * --dynamic-weight, whose exit codes mean "up" too. */
char *probe_command(const struct check *c, const char *source, const char *server,
		    const struct port_proto *pp, bool dynamic);

/* Templates: built in (templates/NAME.mustache, embedded at build time),
 * each overridable by a file of the same name in an override directory. */
struct templates;

struct templates *templates_new(const char *override_dir);
void templates_free(struct templates *t);
/* An empty store with t's override directory, for another thread: a store
 * caches what it compiles, so each thread needs its own. */
struct templates *templates_fork(const struct templates *t);
/* Frees fork, a store of templates_fork(t) whose thread has ended, after
 * noting in t the templates it rendered. */
void templates_join(struct templates *t, struct templates *fork);
/* Compiles on first use and caches. NULL with a message in err. */
const struct tpl *templates_get(struct templates *t, const char *name, struct buf *err);
/* -1 with a message when the override directory cannot be read or holds a
 * NAME.mustache that is no built-in template's name. */
int templates_check_overrides(const struct templates *t, struct buf *err);
/* After a render with t (and its forks joined): each override of a template
 * the render never asked for is compiled and held, as a whole, to its
 * built-in template (tpl_check_unrendered). -1 with the first problem in
 * err. */
int templates_check_unrendered(const struct templates *t, struct buf *err);

/* Renders template `name` with ctx, appending to text; 0 or -1 with err. */
int render_template_text(struct templates *t, const char *name,
			 const struct tpl_ctx *ctx, struct buf *text, struct buf *err);

/* Renders template `name` with ctx and adds it as file `path`.
 * Returns 0, or -1 with a message in err. */
int render_template_file(struct templates *t, const char *name,
			 const struct tpl_ctx *ctx, struct files *out,
			 const char *path, mode_t mode, struct buf *err);

typedef int (*renderer_fn)(const struct site *s, struct templates *t,
			   struct files *out, struct buf *err);

struct renderer {
	const char *name;   /* "keepalived", "frr", "realserver", ... */
	renderer_fn fn;
};

/* The table of renderers (render.c), run in order by render_site(). */
extern const struct renderer renderers[];
extern const size_t nrenderers;

int render_site(const struct site *s, struct templates *t, struct files *out,
		struct buf *err);

/* Job i of render_jobs: renders into out with templates t. */
typedef int (*render_job_fn)(size_t i, const void *arg, struct templates *t,
			     struct files *out, struct buf *err);
/* Runs fn for i = 0..n-1, each with templates, files and error of its own:
 * side by side, one thread each, or else in order until one fails. The
 * files then join out in job order and the first failing job's error is
 * the one reported, so the result is the same either way. */
int render_jobs(size_t n, bool side_by_side, render_job_fn fn, const void *arg,
		struct templates *t, struct files *out, struct buf *err);

/* One renderer per output kind, each in its own render_<kind>.c. */
int render_keepalived(const struct site *s, struct templates *t, struct files *out,
		      struct buf *err);
int render_frr(const struct site *s, struct templates *t, struct files *out,
	       struct buf *err);
int render_lbsysctl(const struct site *s, struct templates *t, struct files *out,
		    struct buf *err);
int render_realserver(const struct site *s, struct templates *t, struct files *out,
		      struct buf *err);
int render_bind(const struct site *s, struct templates *t, struct files *out,
		struct buf *err);
/* The BIND installation the units run (render_bind.c): its prefix and the
 * paths of its programs for the site's version (bind_paths_free frees). */
struct bind_paths {
	const char *prefix;
	char *named, *checkconf, *rndc_confgen;
};
struct bind_paths bind_programs(const struct bind *bd);
void bind_paths_free(struct bind_paths *p);
/* The same for build.env and named@.service alike: prefix, distribution
 * (prefix "/usr"), named, checkconf and rndc_confgen. */
void render_bind_programs(const struct bind *bd, struct tpl_ctx *c);

#endif
