/* A binary min-heap of timers for watch mode: each entry carries its own
 * time (so sifting walks one compact array instead of the items) and a
 * pointer to where its item keeps its position, updated on every move. */
#ifndef DNSPROBE_TIMERHEAP_H
#define DNSPROBE_TIMERHEAP_H

#include <stddef.h>
#include <stdint.h>

struct theap_entry {
	uint64_t when;
	void *item;
	size_t *pos; /* the item's index in the heap, kept current */
};

struct theap {
	struct theap_entry *v;
	size_t n, cap;
};

void theap_init(struct theap *h, size_t cap);
void theap_free(struct theap *h);
void theap_push(struct theap *h, uint64_t when, void *item, size_t *pos);
/* Moves the entry at pos to its new time. */
void theap_set(struct theap *h, size_t pos, uint64_t when);
/* The earliest entry, or NULL when empty. */
const struct theap_entry *theap_top(const struct theap *h);

#endif
