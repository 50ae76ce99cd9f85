/* The judgement of one exchange as a single enum (in the spirit of relayd's
 * enum host_error): pure functions decide it, and verdict_exit() is the one
 * place that turns it into an exit code. */
#ifndef DNSPROBE_JUDGE_H
#define DNSPROBE_JUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "query.h"

enum verdict {
	V_PENDING = 0,          /* nothing decided yet: keep waiting */
	V_UP,
	V_DOWN_TIMEOUT,         /* no acceptable answer before the deadline */
	V_DOWN_NETWORK,         /* send/connect failed, port unreachable, tcp closed */
	V_DOWN_RCODE,           /* rcode in the fail set, or an extended one (> 15) */
	V_DOWN_NO_ANSWER,       /* NOERROR with fewer answers than required */
	V_DOWN_NO_ADDRESS,      /* the expected address is not in the answer */
	V_DOWN_TRUNCATED,       /* TC over udp and no tcp fallback allowed */
	V_DOWN_MALFORMED,       /* our answer (id and question match) is broken */
	V_RETRY_TCP,            /* TC over udp: ask again over tcp */
	V_IGNORED_SHORT,        /* shorter than a header */
	V_IGNORED_NOT_RESPONSE, /* QR clear */
	V_IGNORED_WRONG_ID,
	V_IGNORED_WRONG_OPCODE, /* not an answer to a standard QUERY */
	V_IGNORED_WRONG_QUESTION,
	V_IGNORED_WRONG_SOURCE, /* not from the queried address and port */
	V_USAGE,                /* the command line or targets file is wrong */
	V_COUNT
};

/* What the answer must show to count as up. */
struct expect {
	uint32_t fail_rcodes;   /* bit n set: rcode n means down */
	unsigned min_answers;   /* for NOERROR */
	struct addr address;    /* family 0: none required */
	bool tcp_fallback;      /* TC over udp gives V_RETRY_TCP, else V_DOWN_TRUNCATED */
};

struct answer_info {
	unsigned rcode;         /* 12 bits: the header's 4 and an OPT record's 8 above them */
	unsigned answers;       /* answer RRs parsed */
	uint16_t flags;
};

/* NULL, or why the expected address can never be in an answer to qtype
 * (an IPv6 address for an A query, an IPv4 one for AAAA): such a check
 * would be down whatever the server does. */
const char *expect_mismatch(uint16_t qtype, const struct expect *e);

enum verdict judge_packet(const struct question *q, uint16_t id, const struct expect *e,
			  bool over_udp, const uint8_t *pkt, size_t len,
			  struct answer_info *info);

/* Ignored verdicts mean "not our answer"; the wait goes on. */
bool verdict_ignored(enum verdict v);
/* Answers decide the check; timeouts and network errors leave tries. */
bool verdict_final(enum verdict v);
const char *verdict_str(enum verdict v);
/* An answer (a final verdict or V_RETRY_TCP) that arrived after the try's
 * deadline is a timeout, however soon it was read; anything else is kept.
 * Times in microseconds of one clock. */
enum verdict verdict_in_time(enum verdict v, uint64_t arrived_us, uint64_t deadline_us);

enum exit_mode { EXIT_KEEPALIVED, EXIT_NAGIOS };

#define MAX_WEIGHTS 253

struct exit_policy {
	enum exit_mode mode;
	unsigned nweights;                 /* 0: plain 0/1 */
	uint32_t weights_ms[MAX_WEIGHTS];  /* strictly ascending latency thresholds */
	uint32_t warn_ms;                  /* nagios: WARNING at or above; 0 off */
};

/* The one mapping from verdict to exit code (see dnsprobe.8, EXIT STATUS).
 * keepalived: 0 up, 1 down or usage; with weights 2+w when up, where w is
 * the number of thresholds the round trip time stays strictly below.
 * nagios: 0 OK, 1 WARNING (rtt >= warn), 2 CRITICAL, 3 UNKNOWN (usage). */
int verdict_exit(enum verdict v, const struct exit_policy *p, uint64_t rtt_us);
unsigned dynamic_weight(const struct exit_policy *p, uint64_t rtt_us);

#endif
