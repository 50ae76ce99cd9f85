/* Running independent pieces of work side by side: one thread per piece,
 * joined before returning. Callers keep each piece's results in the piece
 * itself and combine them in order afterwards, so what they produce does not
 * depend on which thread finished first. */
#ifndef LVSDNS_PARALLEL_H
#define LVSDNS_PARALLEL_H

#include <stddef.h>

/* Calls fn on each of the n items of `items` (each `size` bytes): item 0 in
 * the calling thread, the others in threads of their own (or here, one after
 * another, when no thread can be started). Returns when every call has. */
void run_each(void *items, size_t n, size_t size, void (*fn)(void *item));

#endif
