#include "watch.h"

#include <stdio.h>

int watch_run(const struct opts *o, struct rng *rng)
{
	(void)o;
	(void)rng;
	fputs("dnsprobe: --watch is not built yet\n", stderr);
	return 1;
}
