/* Line diff: Myers, "An O(ND) Difference Algorithm and Its Variations"
 * (1986), the linear-space variant: find the middle snake of an optimal
 * path by running the search from both ends, split there, recurse. Lines
 * are interned to integers first so the search compares numbers. */
#include "unified_diff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct line {
	const char *p;
	size_t len;       /* with its newline, when it has one */
};

static size_t split_lines(const char *text, size_t len, struct line *out)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n') {
			if (out)
				out[n] = (struct line){ text + start, i + 1 - start };
			n++;
			start = i + 1;
		}
	if (start < len) {
		if (out)
			out[n] = (struct line){ text + start, len - start };
		n++;
	}
	return n;
}

size_t diff_count_lines(const char *text, size_t len)
{
	return split_lines(text, len, NULL);
}

static uint64_t hash_line(const struct line *l)
{
	uint64_t h = 1469598103934665603u;   /* FNV-1a */

	for (size_t i = 0; i < l->len; i++)
		h = (h ^ (unsigned char)l->p[i]) * 1099511628211u;
	return h;
}

/* Gives equal lines equal ids: open addressing over the lines themselves. */
static void intern(const struct line *a, size_t na, const struct line *b, size_t nb,
		   int *ida, int *idb)
{
	size_t cap = 16, n = na + nb;
	const struct line **slot;
	int *slot_id, next = 0;

	while (cap < 2 * n)
		cap *= 2;
	slot = xcalloc(cap, sizeof(*slot));
	slot_id = xcalloc(cap, sizeof(*slot_id));
	for (size_t i = 0; i < n; i++) {
		const struct line *l = i < na ? &a[i] : &b[i - na];
		size_t h = hash_line(l) & (cap - 1);

		while (slot[h] && (slot[h]->len != l->len || memcmp(slot[h]->p, l->p, l->len) != 0))
			h = (h + 1) & (cap - 1);
		if (!slot[h]) {
			slot[h] = l;
			slot_id[h] = next++;
		}
		if (i < na)
			ida[i] = slot_id[h];
		else
			idb[i - na] = slot_id[h];
	}
	free(slot);
	free(slot_id);
}

struct search {
	const int *a, *b;
	bool *del, *ins;
	long *vf, *vb;    /* furthest x per diagonal k: forward at k + off,
			   * reverse at k - delta + off (d never exceeds the budget) */
	long off;
};

static void mark(bool *v, long from, long to)
{
	for (long i = from; i < to; i++)
		v[i] = true;
}

/* Unreached diagonals: below any x (forward), above any x (reverse). */
#define NEG (-1L - (1L << 40))
#define POS (1L << 40)

/* Finds a point (x, y) on an optimal path through the box a[ao..al) x
 * b[bo..bl) (both non-empty, first and last lines differing), in box
 * coordinates. Returns false when the box costs more than the budget.
 * Every move is checked against the box's edges, so no diagonal ever
 * holds a point outside it. */
static bool middle_snake(struct search *s, long ao, long al, long bo, long bl,
			 long *sx, long *sy)
{
	const int *a = s->a + ao, *b = s->b + bo;
	long n = al - ao, m = bl - bo, delta = n - m;
	long *vf = s->vf + s->off, *rb = s->vb + s->off;
#define VB(k) rb[(k) - delta]
	bool odd = delta & 1;

	for (long d = 0; d <= (n + m + 1) / 2; d++) {
		if (d > DIFF_MAX_COST / 2)
			return false;
		/* forward: furthest x reached with d edits on diagonal k = x - y */
		vf[-d - 1] = NEG;
		vf[d + 1] = d == 0 ? 0 : NEG;   /* the virtual start above (0,0) */
		for (long k = -d; k <= d; k += 2) {
			long x = NEG, y;

			if (vf[k + 1] != NEG && vf[k + 1] - (k + 1) < m)
				x = vf[k + 1];                  /* down: take b's line */
			if (vf[k - 1] != NEG && vf[k - 1] < n && vf[k - 1] + 1 > x)
				x = vf[k - 1] + 1;              /* right: drop a's line */
			vf[k] = x;
			if (x == NEG)
				continue;
			y = x - k;
			while (x < n && y < m && a[x] == b[y])
				x++, y++;
			vf[k] = x;
			if (odd && k >= delta - (d - 1) && k <= delta + (d - 1) && x >= VB(k)) {
				*sx = x, *sy = y;
				return true;
			}
		}
		/* reverse: smallest x reached from (n, m) with d edits */
		VB(delta - d - 1) = d == 0 ? n : POS;   /* the virtual start below (n,m) */
		VB(delta + d + 1) = POS;
		for (long k = delta - d; k <= delta + d; k += 2) {
			long x = POS, y;

			if (VB(k - 1) != POS && VB(k - 1) - (k - 1) > 0)
				x = VB(k - 1);                  /* up */
			if (VB(k + 1) != POS && VB(k + 1) > 0 && VB(k + 1) - 1 < x)
				x = VB(k + 1) - 1;              /* left */
			VB(k) = x;
			if (x == POS)
				continue;
			y = x - k;
			while (x > 0 && y > 0 && a[x - 1] == b[y - 1])
				x--, y--;
			VB(k) = x;
			if (!odd && k >= -d && k <= d && vf[k] != NEG && vf[k] >= x) {
				*sx = vf[k], *sy = vf[k] - k;
				return true;
			}
		}
	}
	return false;   /* not reached for boxes as described */
#undef VB
}

static void compare(struct search *s, long ao, long al, long bo, long bl)
{
	long x, y;

	while (ao < al && bo < bl && s->a[ao] == s->b[bo])
		ao++, bo++;
	while (ao < al && bo < bl && s->a[al - 1] == s->b[bl - 1])
		al--, bl--;
	if (ao == al) {
		mark(s->ins, bo, bl);
		return;
	}
	if (bo == bl) {
		mark(s->del, ao, al);
		return;
	}
	/* too expensive, or a split that would not shrink the box (cannot
	 * happen; guarded so a bug can never loop): replace the whole box */
	if (!middle_snake(s, ao, al, bo, bl, &x, &y) || (x == 0 && y == 0) ||
	    (x == al - ao && y == bl - bo)) {
		mark(s->del, ao, al);
		mark(s->ins, bo, bl);
		return;
	}
	compare(s, ao, ao + x, bo, bo + y);
	compare(s, ao + x, al, bo + y, bl);
}

static void diff_split(const struct line *la, size_t na, const struct line *lb, size_t nb,
		       bool *del, bool *ins)
{
	int *ida = xcalloc(na + 1, sizeof(int)), *idb = xcalloc(nb + 1, sizeof(int));
	size_t span = 2 * (DIFF_MAX_COST / 2 + 4) + 1;
	struct search s = { ida, idb, del, ins, xcalloc(span, sizeof(long)),
			    xcalloc(span, sizeof(long)), DIFF_MAX_COST / 2 + 4 };

	memset(del, 0, na * sizeof(bool));
	memset(ins, 0, nb * sizeof(bool));
	intern(la, na, lb, nb, ida, idb);
	compare(&s, 0, (long)na, 0, (long)nb);
	free(s.vf);
	free(s.vb);
	free(ida);
	free(idb);
}

void diff_lines(const char *old, size_t oldlen, const char *new, size_t newlen,
		bool *del, bool *ins)
{
	size_t na = split_lines(old, oldlen, NULL), nb = split_lines(new, newlen, NULL);
	struct line *la = xcalloc(na + 1, sizeof(*la)), *lb = xcalloc(nb + 1, sizeof(*lb));

	split_lines(old, oldlen, la);
	split_lines(new, newlen, lb);
	diff_split(la, na, lb, nb, del, ins);
	free(la);
	free(lb);
}

/* ---- printing ---- */

static void put_line(struct buf *out, char tag, const struct line *l)
{
	buf_putc(out, tag);
	buf_append(out, l->p, l->len);
	if (l->len == 0 || l->p[l->len - 1] != '\n')
		buf_puts(out, "\n\\ No newline at end of file\n");
}

/* "start,count" as diff -u prints it: an empty range names the line before
 * it, a count of one is left out. */
static void put_range(struct buf *out, size_t start, size_t count)
{
	if (count == 1)
		buf_printf(out, "%zu", start + 1);
	else
		buf_printf(out, "%zu,%zu", count ? start + 1 : start, count);
}

struct change {
	size_t a0, a1, b0, b1;   /* old lines [a0, a1) replaced by new lines [b0, b1) */
};

static size_t collect_changes(const bool *del, size_t na, const bool *ins, size_t nb,
			      struct change *out)
{
	size_t i = 0, j = 0, n = 0;

	while (i < na || j < nb) {
		if ((i < na && del[i]) || (j < nb && ins[j])) {
			struct change c = { i, i, j, j };

			while (i < na && del[i])
				i++;
			while (j < nb && ins[j])
				j++;
			c.a1 = i, c.b1 = j;
			out[n++] = c;
		} else {
			i++, j++;
		}
	}
	return n;
}

/* One hunk: changes[first..last] with context around and between them. */
static void put_hunk(struct buf *out, const struct line *la, size_t na, const struct line *lb,
		     const struct change *c, size_t first, size_t last, size_t ctx)
{
	size_t a0 = c[first].a0 > ctx ? c[first].a0 - ctx : 0;
	size_t b0 = c[first].b0 - (c[first].a0 - a0);
	size_t a1 = c[last].a1 + ctx < na ? c[last].a1 + ctx : na;
	size_t b1 = c[last].b1 + (a1 - c[last].a1);
	size_t i = a0;

	buf_puts(out, "@@ -");
	put_range(out, a0, a1 - a0);
	buf_puts(out, " +");
	put_range(out, b0, b1 - b0);
	buf_puts(out, " @@\n");
	for (size_t k = first; k <= last; k++) {
		for (; i < c[k].a0; i++)
			put_line(out, ' ', &la[i]);
		for (; i < c[k].a1; i++)
			put_line(out, '-', &la[i]);
		for (size_t j = c[k].b0; j < c[k].b1; j++)
			put_line(out, '+', &lb[j]);
	}
	for (; i < a1; i++)
		put_line(out, ' ', &la[i]);
}

void unified_diff(struct buf *out, const char *old_label, const char *old, size_t oldlen,
		  const char *new_label, const char *new, size_t newlen,
		  unsigned context, struct diff_stat *st)
{
	size_t na = split_lines(old, oldlen, NULL), nb = split_lines(new, newlen, NULL);
	struct line *la = xcalloc(na + 1, sizeof(*la)), *lb = xcalloc(nb + 1, sizeof(*lb));
	bool *del = xcalloc(na + 1, sizeof(bool)), *ins = xcalloc(nb + 1, sizeof(bool));
	struct change *c = xcalloc(na + nb + 1, sizeof(*c));
	struct diff_stat local = { 0, 0, 0 };
	size_t nc;

	split_lines(old, oldlen, la);
	split_lines(new, newlen, lb);
	diff_split(la, na, lb, nb, del, ins);
	nc = collect_changes(del, na, ins, nb, c);
	if (nc)
		buf_printf(out, "--- %s\n+++ %s\n", old_label, new_label);
	for (size_t k = 0; k < nc; k++) {
		size_t last = k;

		/* changes closer than twice the context share one hunk */
		while (last + 1 < nc && c[last + 1].a0 - c[last].a1 <= 2 * (size_t)context)
			last++;
		put_hunk(out, la, na, lb, c, k, last, context);
		local.hunks++;
		k = last;
	}
	for (size_t i = 0; i < na; i++)
		local.removed += del[i];
	for (size_t j = 0; j < nb; j++)
		local.added += ins[j];
	if (st)
		*st = local;
	free(c);
	free(del);
	free(ins);
	free(la);
	free(lb);
}
