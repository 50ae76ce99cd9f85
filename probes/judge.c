#include "judge.h"

#include <string.h>
#include <sys/socket.h>

enum { FLAG_QR = 0x8000, FLAG_OPCODE = 0x7800, FLAG_TC = 0x0200 };

static bool question_matches(struct wreader *r, const struct question *q)
{
	uint8_t name[WIRE_NAME_MAX];
	size_t len;
	uint16_t qtype, qclass;

	return wr_name(r, name, &len) && wr_u16(r, &qtype) && wr_u16(r, &qclass) &&
	       qtype == q->qtype && qclass == q->qclass &&
	       name_equal(name, len, q->name, q->name_len);
}

/* Counts answer RRs and looks for the expected address in A/AAAA rdata of
 * the queried class; any owner name counts, since CNAME chains end elsewhere. */
static bool read_answers(struct wreader *r, unsigned ancount, const struct question *q,
			 const struct expect *e, unsigned *count, bool *found)
{
	*count = 0;
	*found = false;
	for (unsigned i = 0; i < ancount; i++) {
		uint8_t name[WIRE_NAME_MAX];
		size_t len;
		uint16_t type, class, rdlen;
		uint32_t ttl;

		if (!wr_name(r, name, &len) || !wr_u16(r, &type) || !wr_u16(r, &class) ||
		    !wr_u32(r, &ttl) || !wr_u16(r, &rdlen))
			return false;
		size_t want = e->address.family == 0 ? 0 : e->address.family == AF_INET6 ? 16 : 4;
		uint16_t want_type = want == 16 ? QTYPE_AAAA : QTYPE_A;
		if (want && type == want_type && class == q->qclass && rdlen == want) {
			uint8_t rd[16];
			if (!wr_bytes(r, rd, want))
				return false;
			if (memcmp(rd, e->address.bytes, want) == 0)
				*found = true;
		} else if (!wr_skip(r, rdlen)) {
			return false;
		}
		(*count)++;
	}
	return true;
}

/* Skips count records; false when one is cut short. */
static bool skip_records(struct wreader *r, unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		uint8_t name[WIRE_NAME_MAX];
		size_t len;
		uint16_t rdlen;

		if (!wr_name(r, name, &len) || !wr_skip(r, 8) || !wr_u16(r, &rdlen) ||
		    !wr_skip(r, rdlen))
			return false;
	}
	return true;
}

/* The upper eight bits of the rcode (RFC 6891 6.1.3), from the first OPT
 * record of the additional section; 0 without one. r stands after the
 * answer section. Sections that cannot be read are taken as holding none:
 * the header's rcode then stands, as it would without EDNS. */
static unsigned extended_rcode(struct wreader *r, unsigned nscount, unsigned arcount)
{
	if (!skip_records(r, nscount))
		return 0;
	for (unsigned i = 0; i < arcount; i++) {
		uint8_t name[WIRE_NAME_MAX];
		size_t len;
		uint16_t type, class, rdlen;
		uint32_t ttl;

		if (!wr_name(r, name, &len) || !wr_u16(r, &type) || !wr_u16(r, &class) ||
		    !wr_u32(r, &ttl) || !wr_u16(r, &rdlen) || !wr_skip(r, rdlen))
			return 0;
		if (type == QTYPE_OPT)
			return ttl >> 24;
	}
	return 0;
}

enum verdict judge_packet(const struct question *q, uint16_t id, const struct expect *e,
			  bool over_udp, const uint8_t *pkt, size_t len,
			  struct answer_info *info)
{
	struct wreader r;
	uint16_t rid, flags, qd, an, ns, ar;
	bool found;

	memset(info, 0, sizeof(*info));
	wr_init(&r, pkt, len);
	if (!wr_u16(&r, &rid) || !wr_u16(&r, &flags) || !wr_u16(&r, &qd) ||
	    !wr_u16(&r, &an) || !wr_u16(&r, &ns) || !wr_u16(&r, &ar))
		return V_IGNORED_SHORT;
	if (!(flags & FLAG_QR))
		return V_IGNORED_NOT_RESPONSE;
	if (rid != id)
		return V_IGNORED_WRONG_ID;
	if (flags & FLAG_OPCODE) /* we only ask QUERY (0); anything else answers someone else */
		return V_IGNORED_WRONG_OPCODE;
	/* An error may come without the question (RFC 6891 7: a FORMERR to an
	 * EDNS query the server cannot parse); our id, on our connected socket,
	 * makes it ours, and its rcode is judged like any other. */
	bool bare_error = qd == 0 && (flags & 0x000F) != 0;
	if (!bare_error && (qd != 1 || !question_matches(&r, q)))
		return V_IGNORED_WRONG_QUESTION;
	info->flags = flags;
	info->rcode = flags & 0x000F;
	if (over_udp && (flags & FLAG_TC))
		return e->tcp_fallback ? V_RETRY_TCP : V_DOWN_TRUNCATED;
	found = false;
	bool readable = bare_error ? skip_records(&r, an) :
				     read_answers(&r, an, q, e, &info->answers, &found);
	if (readable)
		info->rcode |= extended_rcode(&r, ns, ar) << 4;
	/* An extended rcode (BADVERS and up) means the server did not answer
	 * the question; a failing rcode wins even when the answers are broken. */
	if (info->rcode > 15 || (e->fail_rcodes & (1u << info->rcode)))
		return V_DOWN_RCODE;
	if (!readable)
		return V_DOWN_MALFORMED;
	if (e->address.family && !found)
		return V_DOWN_NO_ADDRESS;
	if (info->rcode == RCODE_NOERROR && info->answers < e->min_answers)
		return V_DOWN_NO_ANSWER;
	return V_UP;
}

bool verdict_ignored(enum verdict v)
{
	return v >= V_IGNORED_SHORT && v <= V_IGNORED_WRONG_SOURCE;
}

bool verdict_final(enum verdict v)
{
	switch (v) {
	case V_UP: case V_DOWN_RCODE: case V_DOWN_NO_ANSWER: case V_DOWN_NO_ADDRESS:
	case V_DOWN_TRUNCATED: case V_DOWN_MALFORMED: case V_USAGE:
		return true;
	default:
		return false;
	}
}

enum verdict verdict_in_time(enum verdict v, uint64_t arrived_us, uint64_t deadline_us)
{
	bool answer = (verdict_final(v) && v != V_USAGE) || v == V_RETRY_TCP;

	return answer && arrived_us > deadline_us ? V_DOWN_TIMEOUT : v;
}

const char *verdict_str(enum verdict v)
{
	static const char *const s[V_COUNT] = {
		[V_PENDING] = "pending",
		[V_UP] = "up",
		[V_DOWN_TIMEOUT] = "timeout",
		[V_DOWN_NETWORK] = "network error",
		[V_DOWN_RCODE] = "failing rcode",
		[V_DOWN_NO_ANSWER] = "too few answers",
		[V_DOWN_NO_ADDRESS] = "expected address missing",
		[V_DOWN_TRUNCATED] = "truncated over udp",
		[V_DOWN_MALFORMED] = "malformed answer",
		[V_RETRY_TCP] = "truncated, retrying over tcp",
		[V_IGNORED_SHORT] = "ignored: short packet",
		[V_IGNORED_NOT_RESPONSE] = "ignored: not a response",
		[V_IGNORED_WRONG_ID] = "ignored: wrong id",
		[V_IGNORED_WRONG_OPCODE] = "ignored: wrong opcode",
		[V_IGNORED_WRONG_QUESTION] = "ignored: wrong question",
		[V_IGNORED_WRONG_SOURCE] = "ignored: wrong source",
		[V_USAGE] = "usage error",
	};
	return (unsigned)v < V_COUNT ? s[v] : "?";
}

unsigned dynamic_weight(const struct exit_policy *p, uint64_t rtt_us)
{
	unsigned w = 0;

	for (unsigned i = 0; i < p->nweights; i++)
		if (rtt_us < (uint64_t)p->weights_ms[i] * 1000)
			w++;
	return w;
}

int verdict_exit(enum verdict v, const struct exit_policy *p, uint64_t rtt_us)
{
	if (p->mode == EXIT_NAGIOS) {
		if (v == V_USAGE)
			return 3;
		if (v != V_UP)
			return 2;
		return p->warn_ms && rtt_us >= (uint64_t)p->warn_ms * 1000 ? 1 : 0;
	}
	if (v != V_UP)
		return 1;
	return p->nweights ? 2 + (int)dynamic_weight(p, rtt_us) : 0;
}

const char *expect_mismatch(uint16_t qtype, const struct expect *e)
{
	if (qtype == QTYPE_A && e->address.family == AF_INET6)
		return "the expected address is IPv6, and an A answer holds only IPv4 addresses";
	if (qtype == QTYPE_AAAA && e->address.family == AF_INET)
		return "the expected address is IPv4, and an AAAA answer holds only IPv6 addresses";
	return NULL;
}
