/* Unit tests of the line diff behind `cluster-gen diff` and `onboard`:
 * exact unified output for known cases (checked against GNU diff -u), and
 * on random texts that the edit script is valid (kept lines of both sides
 * are the same sequence), minimal (as long as a dynamic-programming LCS),
 * and that the printed hunks, applied to the old text, give the new one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unified_diff.h"

static char *udiff(const char *a, const char *b, unsigned ctx, struct diff_stat *st)
{
	struct buf out;

	buf_init(&out);
	unified_diff(&out, "a/f", a, strlen(a), "b/f", b, strlen(b), ctx, st);
	return buf_steal(&out);
}

static void test_equal_texts_print_nothing(void **state)
{
	struct diff_stat st;
	char *d;

	(void)state;
	d = udiff("one\ntwo\n", "one\ntwo\n", 3, &st);
	assert_string_equal(d, "");
	assert_int_equal(st.added + st.removed + st.hunks, 0);
	free(d);
	d = udiff("", "", 3, &st);
	assert_string_equal(d, "");
	free(d);
}

/* Expected texts are what GNU diff -u prints for the same files. */
static void test_one_changed_line_with_context(void **state)
{
	struct diff_stat st;
	char *d;

	(void)state;
	d = udiff("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nfive\n6\n7\n8\n9\n", 3, &st);
	assert_string_equal(d, "--- a/f\n+++ b/f\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
	assert_int_equal(st.added, 1);
	assert_int_equal(st.removed, 1);
	assert_int_equal(st.hunks, 1);
	free(d);
}

static void test_far_changes_make_two_hunks_near_ones_one(void **state)
{
	struct diff_stat st;
	char *d;
	const char *a = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\n";

	(void)state;
	/* b and k changed: 7 equal lines between them > 2 * 1 context */
	d = udiff(a, "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nK\nl\n", 1, &st);
	assert_string_equal(d, "--- a/f\n+++ b/f\n"
			       "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
			       "@@ -10,3 +10,3 @@\n j\n-k\n+K\n l\n");
	assert_int_equal(st.hunks, 2);
	free(d);
	/* d and f changed: one equal line between them, one hunk */
	d = udiff(a, "a\nb\nc\nD\ne\nF\ng\nh\ni\nj\nk\nl\n", 1, &st);
	assert_string_equal(d, "--- a/f\n+++ b/f\n"
			       "@@ -3,5 +3,5 @@\n c\n-d\n+D\n e\n-f\n+F\n g\n");
	assert_int_equal(st.hunks, 1);
	free(d);
}

static void test_added_and_removed_files(void **state)
{
	char *d;

	(void)state;
	d = udiff("", "x\ny\n", 3, NULL);
	assert_string_equal(d, "--- a/f\n+++ b/f\n@@ -0,0 +1,2 @@\n+x\n+y\n");
	free(d);
	d = udiff("x\n", "", 3, NULL);
	assert_string_equal(d, "--- a/f\n+++ b/f\n@@ -1 +0,0 @@\n-x\n");
	free(d);
}

static void test_missing_final_newline_is_a_change(void **state)
{
	char *d;

	(void)state;
	d = udiff("x\ny\n", "x\ny", 3, NULL);
	assert_string_equal(d, "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n x\n-y\n+y\n"
			       "\\ No newline at end of file\n");
	free(d);
}

static void test_insertion_at_start_and_end(void **state)
{
	char *d;

	(void)state;
	d = udiff("b\nc\n", "a\nb\nc\nd\n", 0, NULL);
	assert_string_equal(d, "--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+a\n@@ -2,0 +4 @@\n+d\n");
	free(d);
}

/* ---- random texts ---- */

static size_t lines_of(const char *t, const char ***out)
{
	size_t n = diff_count_lines(t, strlen(t)), i = 0;
	const char **v = calloc(n + 1, sizeof(*v));

	for (const char *p = t; *p; i++) {
		v[i] = p;
		p = strchr(p, '\n') + 1;
	}
	*out = v;
	return n;
}

static size_t line_len(const char *l)
{
	return (size_t)(strchr(l, '\n') - l) + 1;
}

static bool same_line(const char *x, const char *y)
{
	return line_len(x) == line_len(y) && memcmp(x, y, line_len(x)) == 0;
}

static size_t lcs(const char **a, size_t na, const char **b, size_t nb)
{
	size_t *t = calloc((na + 1) * (nb + 1), sizeof(size_t)), r;

	for (size_t i = 1; i <= na; i++)
		for (size_t j = 1; j <= nb; j++) {
			size_t *c = &t[i * (nb + 1) + j];
			if (same_line(a[i - 1], b[j - 1]))
				*c = t[(i - 1) * (nb + 1) + j - 1] + 1;
			else
				*c = t[(i - 1) * (nb + 1) + j] > t[i * (nb + 1) + j - 1] ?
					t[(i - 1) * (nb + 1) + j] : t[i * (nb + 1) + j - 1];
		}
	r = t[na * (nb + 1) + nb];
	free(t);
	return r;
}

/* Applies a unified diff (as printed above, text ending in newlines) to a. */
static char *apply(const char *a, const char *diff)
{
	const char **la;
	size_t na = lines_of(a, &la), i = 0;
	struct buf out;
	const char *p = diff;

	buf_init(&out);
	if (*p) {
		p = strchr(p, '\n') + 1;   /* --- */
		p = strchr(p, '\n') + 1;   /* +++ */
	}
	while (*p) {
		const char *eol = strchr(p, '\n') + 1;

		if (p[0] == '@') {
			unsigned long start = strtoul(p + 4, NULL, 10);
			const char *comma = strchr(p + 4, ',');
			const char *space = strchr(p + 4, ' ');
			/* an empty range names the line before: copy through it */
			size_t upto = comma && comma < space && strtoul(comma + 1, NULL, 10) == 0 ?
				start : start - 1;

			while (i < upto)
				buf_append(&out, la[i], line_len(la[i])), i++;
		} else if (p[0] == ' ' || p[0] == '-') {
			assert_true(i < na);
			assert_memory_equal(la[i], p + 1, line_len(la[i]));
			if (p[0] == ' ')
				buf_append(&out, la[i], line_len(la[i]));
			i++;
		} else if (p[0] == '+') {
			buf_append(&out, p + 1, (size_t)(eol - p - 1));
		} else {
			fail_msg("unexpected diff line: %.*s", (int)(eol - p), p);
		}
		p = eol;
	}
	while (i < na)
		buf_append(&out, la[i], line_len(la[i])), i++;
	free(la);
	return buf_steal(&out);
}

static char *random_text(unsigned *seed, size_t maxlines, unsigned alphabet)
{
	size_t n = (size_t)rand_r(seed) % (maxlines + 1);
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%c\n", 'a' + rand_r(seed) % alphabet);
	buf_putc(&b, '\0');
	b.len--;
	return buf_steal(&b);
}

/* Valid edit script and applicable hunks, without the minimality check. */
static void check_pair_valid(const char *a, const char *b)
{
	const char **la, **lb;
	size_t na = lines_of(a, &la), nb = lines_of(b, &lb), i = 0, j = 0;
	bool *del = calloc(na + 1, 1), *ins = calloc(nb + 1, 1);
	char *d, *patched;

	diff_lines(a, strlen(a), b, strlen(b), del, ins);
	for (;;) {
		while (i < na && del[i])
			i++;
		while (j < nb && ins[j])
			j++;
		if (i == na || j == nb)
			break;
		assert_true(same_line(la[i], lb[j]));
		i++, j++;
	}
	while (i < na)
		assert_true(del[i++]);
	while (j < nb)
		assert_true(ins[j++]);
	for (size_t k = 0; k < 50; k++) {   /* the equal head and tail stay */
		assert_false(del[k]);
		assert_false(del[na - 1 - k]);
	}
	d = udiff(a, b, 3, NULL);
	patched = apply(a, d);
	assert_string_equal(patched, b);
	free(patched);
	free(d);
	free(del);
	free(ins);
	free(la);
	free(lb);
}

static void check_pair(const char *a, const char *b)
{
	const char **la, **lb;
	size_t na = lines_of(a, &la), nb = lines_of(b, &lb), kept = 0, i = 0, j = 0;
	bool *del = calloc(na + 1, 1), *ins = calloc(nb + 1, 1);
	struct diff_stat st;
	char *d, *patched;

	diff_lines(a, strlen(a), b, strlen(b), del, ins);
	/* valid: the kept lines of a and of b are the same sequence */
	for (;;) {
		while (i < na && del[i])
			i++;
		while (j < nb && ins[j])
			j++;
		if (i == na || j == nb)
			break;
		assert_true(same_line(la[i], lb[j]));
		i++, j++, kept++;
	}
	while (i < na)
		assert_true(del[i++]);
	while (j < nb)
		assert_true(ins[j++]);
	/* minimal */
	assert_int_equal(kept, lcs(la, na, lb, nb));
	/* printed: applying the hunks to a gives b, for several contexts */
	for (unsigned ctx = 0; ctx < 4; ctx++) {
		d = udiff(a, b, ctx, &st);
		assert_int_equal(st.removed, na - kept);
		assert_int_equal(st.added, nb - kept);
		patched = apply(a, d);
		assert_string_equal(patched, b);
		free(patched);
		free(d);
	}
	free(del);
	free(ins);
	free(la);
	free(lb);
}

static void test_random_texts_valid_minimal_applicable(void **state)
{
	unsigned seed = 12345;

	(void)state;
	for (int round = 0; round < 3000; round++) {
		unsigned alphabet = 2 + (unsigned)round % 6;
		char *a = random_text(&seed, 1 + (size_t)round % 40, alphabet);
		char *b = random_text(&seed, 1 + (size_t)round % 40, alphabet);

		check_pair(a, b);
		free(a);
		free(b);
	}
}

/* A text with small edits of itself: the common case in CI. */
static void test_random_edits_of_one_text(void **state)
{
	unsigned seed = 777;

	(void)state;
	for (int round = 0; round < 500; round++) {
		char *a = random_text(&seed, 120, 26);
		struct buf b;
		const char *p = a;

		buf_init(&b);
		while (*p) {
			size_t len = line_len(p);
			int r = rand_r(&seed) % 20;

			if (r == 0)
				;                                 /* delete */
			else if (r == 1)
				buf_puts(&b, "new\n");            /* replace */
			else
				buf_append(&b, p, len);
			if (r == 2)
				buf_puts(&b, "inserted\n");
			p += len;
		}
		buf_putc(&b, '\0');
		check_pair(a, b.data);
		buf_free(&b);
		free(a);
	}
}

/* Beyond the cost budget the script stays valid and the run stays short. */
static void test_completely_different_big_texts(void **state)
{
	struct buf a, b;
	bool *del, *ins;
	size_t n = 3 * DIFF_MAX_COST;

	(void)state;
	buf_init(&a);
	buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		buf_printf(&a, "old %zu\n", i);
		buf_printf(&b, "new %zu\n", i);
	}
	del = calloc(n, 1);
	ins = calloc(n, 1);
	diff_lines(a.data, a.len, b.data, b.len, del, ins);
	for (size_t i = 0; i < n; i++) {
		assert_true(del[i]);
		assert_true(ins[i]);
	}
	free(del);
	free(ins);
	buf_free(&a);
	buf_free(&b);
}

/* Over budget inside otherwise equal texts: still valid, and the equal
 * lines around the expensive region are kept. */
static void test_expensive_region_between_equal_lines(void **state)
{
	struct buf a, b;
	size_t n = 2 * DIFF_MAX_COST;

	(void)state;
	buf_init(&a);
	buf_init(&b);
	for (size_t i = 0; i < 50; i++) {
		buf_printf(&a, "head %zu\n", i);
		buf_printf(&b, "head %zu\n", i);
	}
	for (size_t i = 0; i < n; i++) {
		buf_printf(&a, "%zu\n", i % 3);
		buf_printf(&b, "%zu\n", (i * 7 + 1) % 5);
	}
	for (size_t i = 0; i < 50; i++) {
		buf_printf(&a, "tail %zu\n", i);
		buf_printf(&b, "tail %zu\n", i);
	}
	check_pair_valid(a.data, b.data);
	buf_free(&a);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal_texts_print_nothing),
		cmocka_unit_test(test_one_changed_line_with_context),
		cmocka_unit_test(test_far_changes_make_two_hunks_near_ones_one),
		cmocka_unit_test(test_added_and_removed_files),
		cmocka_unit_test(test_missing_final_newline_is_a_change),
		cmocka_unit_test(test_insertion_at_start_and_end),
		cmocka_unit_test(test_random_texts_valid_minimal_applicable),
		cmocka_unit_test(test_random_edits_of_one_text),
		cmocka_unit_test(test_completely_different_big_texts),
		cmocka_unit_test(test_expensive_region_between_equal_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
