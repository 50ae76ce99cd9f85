#include "spelling.h"

/* Optimal string alignment distance, over three rows of the matrix: the
 * row two back is what a swap of two letters looks at. */
size_t spelling_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t rows[3][SPELLING_MAX + 1];
	size_t *back2 = rows[0], *back = rows[1], *row = rows[2];

	if (la > SPELLING_MAX || lb > SPELLING_MAX)
		return SPELLING_FAR;
	for (size_t j = 0; j <= lb; j++)
		back[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t *done = back2;

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best = back[j - 1] + (a[i - 1] != b[j - 1]);

			if (back[j] + 1 < best)
				best = back[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    back2[j - 2] + 1 < best)
				best = back2[j - 2] + 1;
			row[j] = best;
		}
		back2 = back;
		back = row;
		row = done;
	}
	return back[lb];
}
