/* The watch-mode targets file: one target per line, whitespace-separated,
 * '#' starts a comment, blank lines are ignored:
 *   id source server port qname qtype transport interval_ms timeout_ms tries rise fall state_file
 * source is a numeric address or "-" (the kernel chooses). Every problem is
 * collected with its line number (lib/diag.h). */
#ifndef DNSPROBE_TARGETS_H
#define DNSPROBE_TARGETS_H

#include <stdbool.h>
#include <stddef.h>

#include "args.h"
#include "diag.h"

#define TARGET_ID_MAX 64

struct target_conf {
	char id[TARGET_ID_MAX];
	struct check check;
	enum transport_mode transport;
	uint32_t interval_ms, timeout_ms;
	unsigned tries, rise, fall;
	char *state_file;
	int line;
};

/* Parses text (NUL-terminated). Options from the command line that the file
 * has no column for (class, fail rcodes, expectations, query flags) come
 * from base. Returns the number of targets; *out is allocated even when
 * empty. Problems go to d; the caller treats any as fatal. */
size_t targets_parse(const char *text, const struct opts *base, struct target_conf **out,
		     struct diags *d);
void targets_free(struct target_conf *t, size_t n);
/* Same check, same schedule, same file: SIGHUP keeps such a target's state. */
bool target_conf_same(const struct target_conf *a, const struct target_conf *b);

#endif
