/* The command line as one value: args_parse() fills struct opts or says
 * what is wrong. No getopt (its state is global); pure, so it can be fuzzed. */
#ifndef DNSPROBE_ARGS_H
#define DNSPROBE_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "judge.h"
#include "transport.h"

enum transport_mode { TM_UDP, TM_TCP, TM_UDP_TCP };

struct opts {
	struct check check;          /* endpoint, question, flags, expectations */
	enum transport_mode transport;
	uint32_t timeout_ms;         /* per try */
	unsigned tries;
	struct exit_policy exit;
	bool compat;                 /* the nine positionals of the old wrapper */
	bool verbose;
	bool help, version;
	const char *watch_file;
	bool check_only;             /* --check: parse the targets file, run nothing */
	const char *metrics_file;
	bool use_syslog;
};

#define ARGS_ERR_MAX 256

/* Returns true when o is complete; false with a message in err otherwise.
 * argv[0] is the program name and is not looked at. */
bool args_parse(int argc, char *const argv[], struct opts *o, char *err, size_t errlen);

/* Shared with the watch targets file. */
bool parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);
bool parse_transport(const char *s, enum transport_mode *t);
const char *transport_str(enum transport_mode t);
/* "SERVFAIL,REFUSED" (',' or '|' between names; "NONE" for the empty set). */
bool parse_rcode_set(const char *s, uint32_t *set);

extern const char args_usage[];

#endif
