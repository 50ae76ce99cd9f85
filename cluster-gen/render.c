/* The rendered tree in memory, and the table of renderers. */
#include "render.h"

#include <stdlib.h>
#include <string.h>

#include "outtree.h"
#include "parallel.h"

void files_init(struct files *f)
{
	f->v = NULL;
	f->n = f->cap = 0;
	f->sink = NULL;
	f->jobs = 1;
	buf_init(&f->sink_err);
}

void files_free(struct files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].path);
		free(f->v[i].data);
	}
	free(f->v);
	buf_free(&f->sink_err);
	files_init(f);
}

void files_add(struct files *f, const char *path, char *data, size_t len, mode_t mode)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 32;
		f->v = xreallocarray(f->v, f->cap, sizeof(*f->v));
	}
	if (f->sink) {
		if (f->sink_err.len == 0)
			outtree_write_next(f->sink, f->n ? f->v[f->n - 1].path : NULL, path,
					   data, len, mode, &f->sink_err);
		free(data);
		data = NULL;
	}
	f->v[f->n++] = (struct file){ xstrdup(path), data, len, mode };
}

void files_move(struct files *to, struct files *from)
{
	for (size_t i = 0; i < from->n; i++) {
		if (to->n == to->cap) {
			to->cap = to->cap ? to->cap * 2 : 32;
			to->v = xreallocarray(to->v, to->cap, sizeof(*to->v));
		}
		to->v[to->n++] = from->v[i];
	}
	from->n = 0;
	if (from->sink_err.len && to->sink_err.len == 0)
		buf_puts(&to->sink_err, from->sink_err.data);
	files_free(from);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct file *)a)->path, ((const struct file *)b)->path);
}

void files_sort(struct files *f)
{
	qsort(f->v, f->n, sizeof(*f->v), by_path);
}

int render_template_text(struct templates *t, const char *name,
			 const struct tpl_ctx *ctx, struct buf *text, struct buf *err)
{
	const struct tpl *tpl = templates_get(t, name, err);

	return tpl ? tpl_render(tpl, ctx, text, err) : -1;
}

int render_template_file(struct templates *t, const char *name,
			 const struct tpl_ctx *ctx, struct files *out,
			 const char *path, mode_t mode, struct buf *err)
{
	struct buf text;
	size_t len;

	buf_init(&text);
	if (render_template_text(t, name, ctx, &text, err) != 0) {
		buf_free(&text);
		return -1;
	}
	len = text.len;
	files_add(out, path, buf_steal(&text), len, mode);
	return 0;
}

const struct renderer renderers[] = {
	{ "keepalived", render_keepalived },
	{ "frr", render_frr },
	{ "balancer-sysctl", render_lbsysctl },
	{ "realserver", render_realserver },
	{ "bind", render_bind },
};
const size_t nrenderers = sizeof(renderers) / sizeof(renderers[0]);

/* One job of render_jobs: everything it writes is its own (templates
 * cache what they compile), so jobs can run side by side. */
struct job {
	render_job_fn fn;
	size_t index;
	const void *arg;
	struct templates *t;
	struct files out;
	struct buf err;
	int rc;
};

static void run_job(void *arg)
{
	struct job *j = arg;

	j->rc = j->fn(j->index, j->arg, j->t, &j->out, &j->err);
	if (j->rc == 0 && j->out.sink_err.len) {
		buf_puts(&j->err, j->out.sink_err.data);
		j->rc = -1;
	}
}

int render_jobs(size_t n, bool side_by_side, render_job_fn fn, const void *arg,
		struct templates *t, struct files *out, struct buf *err)
{
	struct job *j = xcalloc(n, sizeof(*j));
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		j[i].fn = fn;
		j[i].index = i;
		j[i].arg = arg;
		j[i].t = i == 0 ? t : templates_fork(t);
		files_init(&j[i].out);
		j[i].out.sink = out->sink;
		j[i].out.jobs = out->jobs;
		buf_init(&j[i].err);
	}
	if (side_by_side) {
		run_each(j, n, sizeof(*j), run_job);
	} else {
		for (size_t i = 0; i < n && (i == 0 || j[i - 1].rc == 0); i++)
			run_job(&j[i]);
	}
	for (size_t i = 0; i < n; i++) {
		if (j[i].rc != 0 && rc == 0) {
			buf_puts(err, j[i].err.len ? j[i].err.data : "rendering failed");
			rc = -1;
		}
		files_move(out, &j[i].out);
		buf_free(&j[i].err);
		if (i > 0)
			templates_join(t, j[i].t);
	}
	free(j);
	return rc;
}

static int run_renderer(size_t i, const void *site, struct templates *t, struct files *out,
			struct buf *err)
{
	return renderers[i].fn(site, t, out, err);
}

int render_site(const struct site *s, struct templates *t, struct files *out,
		struct buf *err)
{
	/* with more than one job, every renderer runs in a thread of its own
	 * (the real-server renderer then starts more) */
	if (render_jobs(nrenderers, out->jobs > 1, run_renderer, s, t, out, err) != 0)
		return -1;
	files_sort(out);
	for (size_t i = 1; i < out->n; i++)
		if (strcmp(out->v[i].path, out->v[i - 1].path) == 0) {
			buf_printf(err, "two renderers wrote %s", out->v[i].path);
			return -1;
		}
	return templates_check_unrendered(t, err);
}
