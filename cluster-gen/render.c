/* The rendered tree in memory, and the table of renderers. */
#include "render.h"

#include <stdlib.h>
#include <string.h>

#include "outtree.h"

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

int render_site(const struct site *s, struct templates *t, struct files *out,
		struct buf *err)
{
	for (size_t i = 0; i < nrenderers; i++) {
		if (renderers[i].fn(s, t, out, err) != 0)
			return -1;
		if (out->sink_err.len) {
			buf_puts(err, out->sink_err.data);
			return -1;
		}
	}
	files_sort(out);
	for (size_t i = 1; i < out->n; i++)
		if (strcmp(out->v[i].path, out->v[i - 1].path) == 0) {
			buf_printf(err, "two renderers wrote %s", out->v[i].path);
			return -1;
		}
	return 0;
}
