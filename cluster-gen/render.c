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
			outtree_write(f->sink, path, data, len, mode, &f->sink_err);
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
	{ "realserver", render_realserver },
	{ "bind", render_bind },
};
const size_t nrenderers = sizeof(renderers) / sizeof(renderers[0]);

/* One renderer's run when the renderers run side by side: its own
 * templates, files and error message. */
struct task {
	renderer_fn fn;
	const struct site *s;
	struct templates *t;
	struct files out;
	struct buf err;
	int rc;
};

static void run_task(void *arg)
{
	struct task *k = arg;

	k->rc = k->fn(k->s, k->t, &k->out, &k->err);
	if (k->rc == 0 && k->out.sink_err.len) {
		buf_puts(&k->err, k->out.sink_err.data);
		k->rc = -1;
	}
}

/* With more than one job, every renderer runs in a thread of its own (the
 * real-server renderer then starts more); results are taken in table order,
 * so the first failing renderer's error is reported, as in a serial run. */
static int run_renderers(const struct site *s, struct templates *t, struct files *out,
			 struct buf *err)
{
	struct task k[sizeof(renderers) / sizeof(renderers[0])];
	int rc = 0;

	for (size_t i = 0; i < nrenderers; i++) {
		k[i].fn = renderers[i].fn;
		k[i].s = s;
		k[i].t = i == 0 ? t : templates_fork(t);
		k[i].rc = 0;
		files_init(&k[i].out);
		k[i].out.sink = out->sink;
		k[i].out.jobs = out->jobs;
		buf_init(&k[i].err);
	}
	if (out->jobs > 1) {
		run_each(k, nrenderers, sizeof(k[0]), run_task);
	} else {
		for (size_t i = 0; i < nrenderers && (i == 0 || k[i - 1].rc == 0); i++)
			run_task(&k[i]);
	}
	for (size_t i = 0; i < nrenderers; i++) {
		if (k[i].rc != 0 && rc == 0) {
			buf_puts(err, k[i].err.data);
			rc = -1;
		}
		files_move(out, &k[i].out);
		buf_free(&k[i].err);
		if (i > 0)
			templates_free(k[i].t);
	}
	return rc;
}

int render_site(const struct site *s, struct templates *t, struct files *out,
		struct buf *err)
{
	if (run_renderers(s, t, out, err) != 0)
		return -1;
	files_sort(out);
	for (size_t i = 1; i < out->n; i++)
		if (strcmp(out->v[i].path, out->v[i - 1].path) == 0) {
			buf_printf(err, "two renderers wrote %s", out->v[i].path);
			return -1;
		}
	return 0;
}
