/* One check from start to verdict: tries, deadlines, udp-to-tcp fallback,
 * and the report line for -v and --nagios. */
#ifndef DNSPROBE_ONESHOT_H
#define DNSPROBE_ONESHOT_H

#include <stdio.h>

#include "args.h"

struct outcome {
	enum verdict v;
	struct answer_info info;
	uint64_t rtt_us;     /* of the judged answer */
	uint64_t elapsed_us; /* of the whole check */
	unsigned tries;      /* tries started */
	bool tcp;            /* the judged answer came over tcp */
	int err;             /* errno of the last network error */
};

void probe_once(const struct opts *o, struct rng *rng, struct outcome *out);
void report_line(FILE *f, const struct opts *o, const struct outcome *out);
void nagios_line(FILE *f, const struct opts *o, const struct outcome *out, int code);

#endif
