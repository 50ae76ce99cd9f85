#include "parallel.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "buf.h"

struct worker {
	void (*fn)(void *item);
	void *item;
	bool started;
	pthread_t thread;
};

static void *work(void *arg)
{
	struct worker *w = arg;

	w->fn(w->item);
	return NULL;
}

void run_each(void *items, size_t n, size_t size, void (*fn)(void *item))
{
	struct worker *w;

	if (n == 0)
		return;
	w = xcalloc(n, sizeof(*w));
	for (size_t i = 0; i < n; i++) {
		w[i].fn = fn;
		w[i].item = (char *)items + i * size;
		w[i].started = i > 0 && pthread_create(&w[i].thread, NULL, work, &w[i]) == 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (w[i].started)
			pthread_join(w[i].thread, NULL);
		else
			fn(w[i].item);
	}
	free(w);
}
