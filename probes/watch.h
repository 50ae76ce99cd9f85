/* Watch mode: many targets, one process, one epoll loop, keepalived track
 * files written atomically on state change. */
#ifndef DNSPROBE_WATCH_H
#define DNSPROBE_WATCH_H

#include "args.h"

/* Runs until SIGTERM/SIGINT; returns the exit code. */
int watch_run(const struct opts *o, struct rng *rng);

/* --check: parses the targets file as a start or a reload would, and sends
 * nothing. Every problem goes to stderr as FILE:LINE: message; returns 0
 * when the file is valid (its target count on stdout), 1 otherwise. */
int watch_check(const struct opts *o);

#endif
