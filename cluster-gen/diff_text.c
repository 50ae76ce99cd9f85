#include "diff_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

bool is_file(const struct file *f, const char *base)
{
	const char *name = strrchr(f->path, '/');

	return name && strcmp(name + 1, base) == 0;
}

char *next_line(const struct file *f, const char **p)
{
	const char *end = f->data + f->len, *nl;
	char *line;
	size_t len;

	if (*p >= end)
		return NULL;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	len = (size_t)((nl ? nl : end) - *p);
	line = xmalloc(len + 1);   /* not xasprintf: this runs for every line of a changed file */
	memcpy(line, *p, len);
	line[len] = '\0';
	*p = nl ? nl + 1 : end;
	return line;
}

const char *word_after(const char *line, const char *opt, char *out, size_t n)
{
	const char *w = strstr(line, opt);
	size_t len = w ? strcspn(w + strlen(opt), " ") : 0;

	snprintf(out, n, "%.*s", (int)len, w ? w + strlen(opt) : "");
	return out;
}

int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void keys_add(struct keys *k, char *key)
{
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 64;
		k->v = xreallocarray(k->v, k->cap, sizeof(*k->v));
	}
	k->v[k->n++] = key;
}

void keys_sort(struct keys *k)
{
	if (k->n > 1)
		qsort(k->v, k->n, sizeof(*k->v), by_string);
}

void keys_free(struct keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->v[i]);
	free(k->v);
}

bool has_key_b_lacks(const struct keys *a, const struct keys *b)
{
	size_t j = 0;

	for (size_t i = 0; i < a->n; i++) {
		int c = 1;

		while (j < b->n && (c = strcmp(b->v[j], a->v[i])) < 0)
			j++;
		if (j == b->n || c != 0)
			return true;
	}
	return false;
}

void keys_of_lines(const struct file *f, char *(*key_of)(const char *line), struct keys *out)
{
	const char *p = f->data;
	char *line, *key;

	while ((line = next_line(f, &p)) != NULL) {
		if ((key = key_of(line)) != NULL)
			keys_add(out, key);
		free(line);
	}
	keys_sort(out);
}

bool keys_has(const struct keys *k, const char *key)
{
	return k->n && bsearch(&key, k->v, k->n, sizeof(char *), by_string);
}
