/* Watch mode: many targets, one process, one epoll loop, keepalived track
 * files written atomically on state change. */
#ifndef DNSPROBE_WATCH_H
#define DNSPROBE_WATCH_H

#include "args.h"

/* Runs until SIGTERM/SIGINT; returns the exit code. */
int watch_run(const struct opts *o, struct rng *rng);

#endif
