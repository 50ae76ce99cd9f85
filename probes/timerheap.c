#include "timerheap.h"

#include <stdlib.h>

#include "buf.h"

void theap_init(struct theap *h, size_t cap)
{
	h->v = xcalloc(cap ? cap : 1, sizeof(*h->v));
	h->n = 0;
	h->cap = cap ? cap : 1;
}

void theap_free(struct theap *h)
{
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}

static void swap(struct theap *h, size_t a, size_t b)
{
	struct theap_entry e = h->v[a];
	h->v[a] = h->v[b];
	h->v[b] = e;
	*h->v[a].pos = a;
	*h->v[b].pos = b;
}

static size_t sift_up(struct theap *h, size_t i)
{
	while (i > 0 && h->v[(i - 1) / 2].when > h->v[i].when) {
		swap(h, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	return i;
}

static void sift_down(struct theap *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->n && h->v[l].when < h->v[m].when)
			m = l;
		if (r < h->n && h->v[r].when < h->v[m].when)
			m = r;
		if (m == i)
			return;
		swap(h, i, m);
		i = m;
	}
}

void theap_push(struct theap *h, uint64_t when, void *item, size_t *pos)
{
	if (h->n == h->cap)
		h->v = xreallocarray(h->v, h->cap *= 2, sizeof(*h->v));
	h->v[h->n] = (struct theap_entry){ when, item, pos };
	*pos = h->n;
	sift_up(h, h->n++);
}

void theap_set(struct theap *h, size_t pos, uint64_t when)
{
	h->v[pos].when = when;
	sift_down(h, sift_up(h, pos));
}

const struct theap_entry *theap_top(const struct theap *h)
{
	return h->n ? &h->v[0] : NULL;
}
