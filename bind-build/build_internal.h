/* What the build's parts share and main.c does not need: build.c runs the
 * phases, build_verify.c judges what they installed. */
#ifndef LVSDNS_BIND_BUILD_INTERNAL_H
#define LVSDNS_BIND_BUILD_INTERNAL_H

#include "build.h"

/* CLOCK_MONOTONIC in seconds, for the phases' and the whole build's times. */
double build_now(void);
/* The path of rel in the installed tree (DESTDIR, then PREFIX); free() it. */
char *build_installed(const struct build_job *j, const char *rel);
/* After the install: named -V runs and shows the plan, named takes the
 * instances' flags, named-checkconf is where the units run it; then
 * BUILD-REPORT, with the seconds since t0. 0, or -1 with the reason in err. */
int build_finish(const struct build_job *j, double t0, struct buf *err);

#endif
