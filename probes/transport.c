#include "transport.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"

/* How many messages that are not the answer (strays, wrong id or question)
 * one step reads before it hands back to its caller's loop: a peer that
 * floods them fills the socket faster than they are read, and without a
 * bound the step would never return to the loop that checks the deadline
 * (and, in watch mode, every other target and the signals). */
#define STRAYS_PER_STEP 64

void rng_init(struct rng *r)
{
	r->pos = sizeof(r->buf);
}

uint16_t rng_u16(struct rng *r)
{
	if (r->pos + 2 > sizeof(r->buf)) {
		size_t got = 0;
		while (got < sizeof(r->buf)) {
			ssize_t n = getrandom(r->buf + got, sizeof(r->buf) - got, 0);
			if (n < 0 && errno != EINTR)
				abort(); /* no entropy source: nothing safe to do */
			if (n > 0)
				got += (size_t)n;
		}
		r->pos = 0;
	}
	uint16_t v = (uint16_t)(r->buf[r->pos] << 8 | r->buf[r->pos + 1]);
	r->pos += 2;
	return v;
}

static uint64_t realtime_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static socklen_t to_sockaddr(const struct addr *a, uint16_t port, int family,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		if (a->family == AF_INET)
			memcpy(&s4->sin_addr, a->bytes, 4);
		return sizeof(*s4);
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	if (a->family == AF_INET6)
		memcpy(&s6->sin6_addr, a->bytes, 16);
	return sizeof(*s6);
}

static bool same_peer(const struct sockaddr_storage *ss, const struct endpoint *ep)
{
	if (ss->ss_family == AF_INET && ep->server.family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		return ntohs(s4->sin_port) == ep->port &&
		       memcmp(&s4->sin_addr, ep->server.bytes, 4) == 0;
	}
	if (ss->ss_family == AF_INET6 && ep->server.family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		return ntohs(s6->sin6_port) == ep->port &&
		       memcmp(&s6->sin6_addr, ep->server.bytes, 16) == 0;
	}
	return false;
}

/* A random port in 1024..65535 makes the answer hard to spoof; when a few
 * draws collide with ports in use, the kernel's own (also random) choice
 * is good enough. */
static int bind_random(int fd, const struct endpoint *ep, struct rng *rng)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	for (int i = 0; i < 8; i++) {
		uint16_t port = (uint16_t)(1024 + rng_u16(rng) % (65536 - 1024));
		sl = to_sockaddr(&ep->source, port, ep->server.family, &ss);
		if (bind(fd, (struct sockaddr *)&ss, sl) == 0)
			return 0;
		if (errno != EADDRINUSE && errno != EACCES)
			return -1;
	}
	sl = to_sockaddr(&ep->source, 0, ep->server.family, &ss);
	return bind(fd, (struct sockaddr *)&ss, sl);
}

const char *ep_error_text(const struct endpoint *ep, int err, char *out, size_t len)
{
	char src[ADDR_STRLEN];

	if (err == EADDRNOTAVAIL && ep->source.family)
		snprintf(out, len, "%s (source %s is not an address of this machine)", strerror(err),
			 addr_str(&ep->source, src));
	else
		snprintf(out, len, "%s", strerror(err));
	return out;
}

void ex_init(struct exchange *ex)
{
	memset(ex, 0, sizeof(*ex));
	ex->fd = -1;
}

void ex_close(struct exchange *ex)
{
	if (ex->fd >= 0)
		close(ex->fd);
	free(ex->tbuf);
	ex_init(ex);
}

static enum verdict fail(struct exchange *ex, int *err)
{
	*err = errno;
	ex_close(ex);
	return V_DOWN_NETWORK;
}

enum verdict ex_start(struct exchange *ex, const struct check *c, bool tcp, unsigned flags,
		      struct rng *rng, int *err)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	size_t off = tcp ? 2 : 0, n;

	ex_close(ex);
	ex->tcp = tcp;
	ex->id = rng_u16(rng);
	n = query_build(&c->q, &c->flags, ex->id, ex->query + off, QUERY_MAX);
	if (n == 0) {
		errno = EMSGSIZE;
		return fail(ex, err);
	}
	if (tcp) {
		ex->query[0] = (uint8_t)(n >> 8);
		ex->query[1] = (uint8_t)n;
	}
	ex->qlen = n + off;
	int family = c->ep.server.family;
	ex->fd = socket(family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ex->fd < 0 || bind_random(ex->fd, &c->ep, rng) != 0)
		return fail(ex, err);
	ex->stamp = !tcp && (flags & EX_STAMP) &&
		    setsockopt(ex->fd, SOL_SOCKET, SO_TIMESTAMPNS, &(int){ 1 }, sizeof(int)) == 0;
	sl = to_sockaddr(&c->ep.server, c->ep.port, family, &ss);
	ex->sent_us = now_us();
	ex->sent_rt_us = ex->stamp ? realtime_us() : 0;
	if (connect(ex->fd, (struct sockaddr *)&ss, sl) != 0) {
		if (!tcp || errno != EINPROGRESS)
			return fail(ex, err);
		ex->state = EX_CONNECTING;
		return V_PENDING;
	}
	if (tcp) {
		ex->state = EX_SENDING;
		return V_PENDING;
	}
	if (send(ex->fd, ex->query, ex->qlen, 0) != (ssize_t)ex->qlen)
		return fail(ex, err);
	ex->state = EX_READING;
	return V_PENDING;
}

enum verdict ex_resend(struct exchange *ex, const struct check *c, struct rng *rng, int *err)
{
	ex->id = rng_u16(rng);
	ex->qlen = query_build(&c->q, &c->flags, ex->id, ex->query, QUERY_MAX);
	ex->sent_us = now_us();
	ex->sent_rt_us = ex->stamp ? realtime_us() : 0;
	ex->rx_rt_us = 0;
	if (ex->qlen == 0 || send(ex->fd, ex->query, ex->qlen, 0) != (ssize_t)ex->qlen)
		return fail(ex, err);
	ex->state = EX_READING;
	return V_PENDING;
}

bool ex_drain(struct exchange *ex)
{
	uint8_t pkt[512];

	/* what stays after the bound is skipped by the next check's id */
	for (int i = 0; i < STRAYS_PER_STEP; i++) {
		ssize_t n = recv(ex->fd, pkt, sizeof(pkt), MSG_TRUNC);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
	}
	return true;
}

short ex_events(const struct exchange *ex)
{
	return ex->state == EX_READING ? POLLIN : POLLOUT;
}

/* One datagram with its sender and, when asked for, the kernel's arrival
 * stamp (SCM_TIMESTAMPNS, CLOCK_REALTIME). */
static ssize_t recv_stamped(struct exchange *ex, uint8_t *pkt, size_t cap,
			    struct sockaddr_storage *from, uint64_t *rx_rt_us)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct timespec))];
	} ctl;
	struct iovec iov = { pkt, cap };
	struct msghdr mh = {
		.msg_name = from, .msg_namelen = sizeof(*from), .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ex->stamp ? ctl.buf : NULL, .msg_controllen = ex->stamp ? sizeof(ctl.buf) : 0,
	};
	ssize_t n = recvmsg(ex->fd, &mh, 0);

	*rx_rt_us = 0;
	if (n < 0 || !ex->stamp)
		return n;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;
			memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
			*rx_rt_us = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
		}
	}
	return n;
}

static enum verdict udp_read(struct exchange *ex, const struct check *c,
			     struct answer_info *info, int *err)
{
	uint8_t pkt[65536];
	struct sockaddr_storage from;

	for (int i = 0; i < STRAYS_PER_STEP; i++) {
		uint64_t rx;
		ssize_t n = recv_stamped(ex, pkt, sizeof(pkt), &from, &rx);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return V_PENDING;
			return fail(ex, err); /* ECONNREFUSED: ICMP port unreachable */
		}
		enum verdict v = same_peer(&from, &c->ep)
			? judge_packet(&c->q, ex->id, &c->expect, true, pkt, (size_t)n, info)
			: V_IGNORED_WRONG_SOURCE;
		if (!verdict_ignored(v)) {
			ex->rx_rt_us = rx;
			return v;
		}
	}
	return V_PENDING;
}

uint64_t ex_rtt(const struct exchange *ex, uint64_t now)
{
	uint64_t waited = now - ex->sent_us;

	/* The stamps are wall-clock time: a clock step between send and arrival
	 * would stretch the round trip past what has passed (and turn a timely
	 * answer into a timeout); the monotonic wait bounds it. */
	if (ex->stamp && ex->rx_rt_us && ex->sent_rt_us) {
		uint64_t rt = ex->rx_rt_us > ex->sent_rt_us ? ex->rx_rt_us - ex->sent_rt_us : 0;
		return rt < waited ? rt : waited;
	}
	return waited;
}

static enum verdict tcp_send(struct exchange *ex, int *err)
{
	if (ex->state == EX_CONNECTING) {
		int e = 0;
		socklen_t el = sizeof(e);
		if (getsockopt(ex->fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0 || e != 0) {
			errno = e ? e : errno;
			return fail(ex, err);
		}
		ex->state = EX_SENDING;
	}
	while (ex->qsent < ex->qlen) {
		ssize_t n = send(ex->fd, ex->query + ex->qsent, ex->qlen - ex->qsent, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return V_PENDING;
			return fail(ex, err);
		}
		ex->qsent += (size_t)n;
	}
	ex->state = EX_READING;
	ex->tbuf = xmalloc(2 + 65535);
	ex->tneed = 2;
	return V_PENDING;
}

/* Reads the two-octet length, then the message; a message that is not ours
 * (wrong id or question) is skipped like a stray datagram would be. */
static enum verdict tcp_read(struct exchange *ex, const struct check *c,
			     struct answer_info *info, int *err)
{
	int strays = 0;

	while (strays < STRAYS_PER_STEP) {
		ssize_t n = recv(ex->fd, ex->tbuf + ex->thave, ex->tneed - ex->thave, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return V_PENDING;
			return fail(ex, err);
		}
		if (n == 0) {
			errno = ECONNRESET;
			return fail(ex, err);
		}
		ex->thave += (size_t)n;
		if (ex->thave < ex->tneed)
			continue;
		if (ex->tneed == 2) {
			ex->tneed = 2 + (size_t)(ex->tbuf[0] << 8 | ex->tbuf[1]);
			if (ex->tneed > 2)
				continue;
		}
		enum verdict v = judge_packet(&c->q, ex->id, &c->expect, false, ex->tbuf + 2,
					      ex->thave - 2, info);
		if (!verdict_ignored(v))
			return v;
		ex->thave = 0; /* skip it: a later message may be ours */
		ex->tneed = 2;
		strays++;
	}
	return V_PENDING;
}

enum verdict ex_step(struct exchange *ex, const struct check *c, struct answer_info *info,
		     int *err)
{
	switch (ex->state) {
	case EX_READING:
		return ex->tcp ? tcp_read(ex, c, info, err) : udp_read(ex, c, info, err);
	case EX_CONNECTING:
	case EX_SENDING:
		return tcp_send(ex, err);
	default:
		return V_PENDING;
	}
}
