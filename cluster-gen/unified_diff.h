/* A line diff (Myers' O(ND) algorithm, linear-space variant) and its
 * printing in unified format, as `diff -u` prints it: hunks with context,
 * "@@ -start,count +start,count @@" and "\ No newline at end of file".
 * Used by `cluster-gen diff` (CI gate) and `cluster-gen onboard`. */
#ifndef LVSDNS_UNIFIED_DIFF_H
#define LVSDNS_UNIFIED_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct diff_stat {
	size_t added;     /* lines only in the new text */
	size_t removed;   /* lines only in the old text */
	size_t hunks;
};

/* Appends to out the unified diff that turns old into new, with `context`
 * lines of context, under the headers "--- OLD_LABEL" and "+++ NEW_LABEL".
 * Appends nothing when the texts are equal. Lines are compared whole,
 * including their newline, so a missing final newline is a change.
 * The edit script is minimal (a longest common subsequence is kept) unless
 * the texts differ in more than DIFF_MAX_COST lines, where a valid but
 * possibly longer script is printed in bounded time. st may be NULL. */
void unified_diff(struct buf *out, const char *old_label, const char *old, size_t oldlen,
		  const char *new_label, const char *new, size_t newlen,
		  unsigned context, struct diff_stat *st);

/* The edit script itself, for callers and tests: del[i] is set for every
 * line i of old that is not kept, ins[j] for every line j of new that is
 * not kept (arrays of the texts' line counts, from diff_count_lines). */
size_t diff_count_lines(const char *text, size_t len);
void diff_lines(const char *old, size_t oldlen, const char *new, size_t newlen,
		bool *del, bool *ins);

#define DIFF_MAX_COST 4096

#endif
