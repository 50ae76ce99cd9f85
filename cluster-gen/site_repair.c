#include "site_repair.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

char *site_repair_text(const char *text, size_t len, const struct site_repairs *r)
{
	char *fixed = xmalloc(len + 1);

	memcpy(fixed, text, len);
	fixed[len] = '\0';
	for (size_t i = 0; i < r->n; i++)
		for (size_t at = r->v[i].from; at < r->v[i].to && at < len; at++)
			if (fixed[at] != '\n')
				fixed[at] = ' ';
	return fixed;
}

static int by_value(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* The lines whose reports are the problems already found, sorted: those of
 * d's reports and of the repairs' sections. */
static int *lines_taken(const struct diags *d, const struct site_repairs *r, size_t *n)
{
	int *v = xreallocarray(NULL, d->n + 2 * r->n + 1, sizeof(*v));

	*n = 0;
	for (size_t i = 0; i < d->n; i++)
		v[(*n)++] = d->v[i].line;
	for (size_t i = 0; i < r->n; i++)
		for (size_t k = 0; k < 2; k++)
			if (r->v[i].section[k] > 0)
				v[(*n)++] = r->v[i].section[k];
	qsort(v, *n, sizeof(*v), by_value);
	return v;
}

void site_repair_merge(struct diags *d, const struct diags *found, const struct site_repairs *r)
{
	size_t n;
	int *taken = lines_taken(d, r, &n);

	for (size_t i = 0; i < found->n; i++) {
		const struct diag_entry *e = &found->v[i];

		if (e->line > 0 && bsearch(&e->line, taken, n, sizeof(*taken), by_value))
			continue;
		if (e->warning)
			diag_warn(d, e->line, e->hint, "%s", e->message);
		else
			diag_add(d, e->line, e->hint, "%s", e->message);
	}
	free(taken);
}
