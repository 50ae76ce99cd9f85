#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>

#include "buf.h"

void diags_init(struct diags *d, const char *file)
{
	d->file = file;
	d->v = NULL;
	d->n = d->cap = d->nwarnings = 0;
	d->left_out = NULL;
}

void diags_free(struct diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].message);
		free(d->v[i].hint);
	}
	free(d->v);
	d->v = NULL;
	d->n = d->cap = d->nwarnings = 0;
	d->left_out = NULL;
}

static void add(struct diags *d, bool warning, int line, const char *hint, const char *fmt,
		va_list ap)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->v = xreallocarray(d->v, d->cap, sizeof(*d->v));
	}
	d->v[d->n].message = xvasprintf(fmt, ap);
	d->v[d->n].line = line;
	d->v[d->n].seq = d->n;
	d->v[d->n].warning = warning;
	d->v[d->n].hint = hint ? xstrdup(hint) : NULL;
	d->n++;
	d->nwarnings += warning;
}

void diag_add(struct diags *d, int line, const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(d, false, line, hint, fmt, ap);
	va_end(ap);
}

void diag_warn(struct diags *d, int line, const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(d, true, line, hint, fmt, ap);
	va_end(ap);
}

size_t diags_errors(const struct diags *d)
{
	return d->n - d->nwarnings;
}

static int by_line(const void *pa, const void *pb)
{
	const struct diag_entry *a = pa, *b = pb;

	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void diags_print(struct diags *d, FILE *out)
{
	if (d->n == 0)
		return;
	qsort(d->v, d->n, sizeof(*d->v), by_line);
	for (size_t i = 0; i < d->n; i++) {
		const char *kind = d->v[i].warning ? "warning: " : "";

		if (d->v[i].line > 0)
			fprintf(out, "%s:%d: %s%s\n", d->file, d->v[i].line, kind, d->v[i].message);
		else
			fprintf(out, "%s: %s%s\n", d->file, kind, d->v[i].message);
		if (d->v[i].hint)
			fprintf(out, "  hint: %s\n", d->v[i].hint);
	}
}
