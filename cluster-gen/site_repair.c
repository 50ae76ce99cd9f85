#include "site_repair.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* In the order of the text; a mark first where a statement blanked starts
 * (it ends the statement before). */
static int by_place(const void *a, const void *b)
{
	const struct site_repair *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return (y->insert != NULL) - (x->insert != NULL);
}

char *site_repair_text(const char *text, size_t len, const struct site_repairs *r,
		       size_t *fixed_len)
{
	struct site_repair *v = xreallocarray(NULL, r->n + 1, sizeof(*v));
	size_t n = 0, blank_to = 0, k = 0, inserted = 0;
	char *fixed;

	for (size_t i = 0; i < r->n; i++)
		inserted += r->v[i].insert ? 1 + strlen(r->v[i].insert) : 0;
	fixed = xmalloc(len + inserted + 1);
	if (r->n)
		memcpy(v, r->v, r->n * sizeof(*v));
	qsort(v, r->n, sizeof(*v), by_place);
	for (size_t at = 0; at <= len; at++) {
		for (; k < r->n && v[k].from == at; k++) {
			if (v[k].insert)
				n += (size_t)sprintf(fixed + n, " %s", v[k].insert);
			else if (v[k].to > blank_to)
				blank_to = v[k].to;
		}
		if (at < len)
			fixed[n++] = at < blank_to && text[at] != '\n' ? ' ' : text[at];
	}
	fixed[n] = '\0';
	*fixed_len = n;
	free(v);
	return fixed;
}

static int by_value(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* The lines whose reports are the problems already found, sorted: those of
 * the statements blanked and of the sections they are in. */
static int *lines_taken(const struct site_repairs *r, size_t *n)
{
	size_t cap = 16;
	int *v = xreallocarray(NULL, cap, sizeof(*v));

	*n = 0;
	for (size_t i = 0; i < r->n; i++) {
		const struct site_repair *b = &r->v[i];
		int span = b->insert ? 0 : b->lines[1] - b->lines[0] + 1;

		if (*n + (size_t)span + 2 > cap) {
			cap = 2 * (*n + (size_t)span + 2);
			v = xreallocarray(v, cap, sizeof(*v));
		}
		for (int line = 0; line < span; line++)
			v[(*n)++] = b->lines[0] + line;
		for (size_t k = 0; k < 2; k++)
			if (b->section[k] > 0)
				v[(*n)++] = b->section[k];
	}
	qsort(v, *n, sizeof(*v), by_value);
	return v;
}

void site_repair_merge(struct diags *d, const struct diags *found, const struct site_repairs *r)
{
	size_t n;
	int *taken = lines_taken(r, &n);

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
