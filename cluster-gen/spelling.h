/* How far apart two spellings are, for "did you mean ...?" hints: the
 * edits (a letter added, dropped, changed, or two swapped) that make one
 * the other. One measure for every hint cluster-gen gives. */
#ifndef LVSDNS_SPELLING_H
#define LVSDNS_SPELLING_H

#include <stddef.h>

/* The longest name measured; longer ones are SPELLING_FAR from anything. */
#define SPELLING_MAX 255
#define SPELLING_FAR ((size_t)-1)

size_t spelling_distance(const char *a, size_t la, const char *b, size_t lb);

#endif
