/* One query/answer exchange over UDP or TCP as a non-blocking state
 * machine, so the one-shot mode (poll on one fd) and the watch mode (epoll
 * over many) drive the very same code. Sockets are bound to a random source
 * port and connected, and every datagram's source is still compared with
 * the server's address and port. */
#ifndef DNSPROBE_TRANSPORT_H
#define DNSPROBE_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "addr.h"
#include "judge.h"
#include "query.h"

/* Random bytes from getrandom(), fetched in blocks to save system calls. */
struct rng {
	uint8_t buf[256];
	unsigned pos;
};
void rng_init(struct rng *r);
uint16_t rng_u16(struct rng *r);

uint64_t now_us(void); /* CLOCK_MONOTONIC */

struct endpoint {
	struct addr server;
	uint16_t port;
	struct addr source; /* family 0: let the kernel choose the address */
};

/* Everything an exchange needs to ask and to judge. */
struct check {
	struct endpoint ep;
	struct question q;
	struct query_flags flags;
	struct expect expect;
};

enum ex_state { EX_IDLE, EX_CONNECTING, EX_SENDING, EX_READING };

struct exchange {
	int fd;
	bool tcp;
	enum ex_state state;
	uint16_t id;
	uint8_t query[2 + QUERY_MAX]; /* tcp length prefix + message */
	size_t qlen, qsent;           /* qlen includes the prefix over tcp */
	uint8_t *tbuf;                /* tcp answer, allocated when needed */
	size_t thave, tneed;
	uint64_t sent_us;             /* when the query left (CLOCK_MONOTONIC) */
	bool stamp;                   /* udp: the kernel stamps arrivals (SO_TIMESTAMPNS) */
	uint64_t sent_rt_us, rx_rt_us; /* CLOCK_REALTIME at send and kernel arrival stamp */
};

/* ex_start flags */
#define EX_STAMP 1u /* watch mode reads answers late, on its timer grid: take the
		       round trip from the kernel's arrival stamp instead */

/* The system's reason for a network error err of an exchange on ep, into
 * out (len octets); for a source address the machine does not have, also
 * that: a check sent from a VLAN address not yet up fails every try. */
const char *ep_error_text(const struct endpoint *ep, int err, char *out, size_t len);

void ex_init(struct exchange *ex);
/* Opens, binds, connects and (udp) sends. Returns V_PENDING, or
 * V_DOWN_NETWORK with errno-style detail in *err. */
enum verdict ex_start(struct exchange *ex, const struct check *c, bool tcp, unsigned flags,
		      struct rng *rng, int *err);
/* Watch mode: a new query with a new id on the still-connected udp socket
 * of a finished exchange, saving socket, bind, connect and close. */
enum verdict ex_resend(struct exchange *ex, const struct check *c, struct rng *rng, int *err);
/* Reads and drops whatever arrived on an idle udp socket (late answers).
 * Returns false when the socket reported an error and should be closed. */
bool ex_drain(struct exchange *ex);
/* poll/epoll events the exchange waits for (POLLIN or POLLOUT values). */
short ex_events(const struct exchange *ex);
/* Does the I/O that is ready and judges what came. V_PENDING: wait more. */
enum verdict ex_step(struct exchange *ex, const struct check *c, struct answer_info *info,
		     int *err);
void ex_close(struct exchange *ex);
/* Round trip of the answer just judged: from the kernel's arrival stamp
 * when there is one, else up to now (CLOCK_MONOTONIC microseconds). */
uint64_t ex_rtt(const struct exchange *ex, uint64_t now);

#endif
