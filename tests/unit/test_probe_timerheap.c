/* probes/timerheap.c: order, moves in both directions, positions kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "../../probes/timerheap.h"

struct item {
	uint64_t when;
	size_t pos;
};

static void check_positions(const struct theap *h)
{
	for (size_t i = 0; i < h->n; i++) {
		assert_int_equal(*h->v[i].pos, i);
		if (i)
			assert_true(h->v[(i - 1) / 2].when <= h->v[i].when);
	}
}

/* Drains by moving the top to "never" and checks times come in order. */
static void drain_in_order(struct theap *h, size_t n)
{
	uint64_t last = 0;
	for (size_t k = 0; k < n; k++) {
		const struct theap_entry *top = theap_top(h);
		assert_non_null(top);
		assert_true(top->when >= last);
		assert_int_equal(((struct item *)top->item)->when, top->when);
		last = top->when;
		((struct item *)top->item)->when = UINT64_MAX;
		theap_set(h, 0, UINT64_MAX);
		check_positions(h);
	}
}

static void orders_and_moves(void **state)
{
	(void)state;
	enum { N = 1000 };
	static struct item it[N];
	struct theap h;

	srand(42);
	theap_init(&h, 4); /* grows */
	assert_null(theap_top(&h));
	for (size_t i = 0; i < N; i++) {
		it[i].when = (uint64_t)(rand() % 100000);
		theap_push(&h, it[i].when, &it[i], &it[i].pos);
	}
	check_positions(&h);
	for (size_t i = 0; i < N; i += 7) { /* earlier and later */
		it[i].when = (uint64_t)(rand() % 200000);
		theap_set(&h, it[i].pos, it[i].when);
		check_positions(&h);
	}
	drain_in_order(&h, N);
	theap_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(orders_and_moves),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
