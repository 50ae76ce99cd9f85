/* libFuzzer target: the answer parser (probes/judge.c on top of the
 * bounds-checked reader in probes/wire.c). The expected id and question are
 * taken from the input itself, so most inputs get past the header and
 * question checks and exercise the answer section and name decompression. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "../../probes/judge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct question q = { .qtype = QTYPE_A, .qclass = QCLASS_IN };
	struct expect e = { .fail_rcodes = 1u << RCODE_SERVFAIL, .min_answers = 1 };
	struct answer_info info;
	struct wreader r;
	uint16_t id = 0;

	name_from_text("www.probe.test", q.name, &q.name_len);
	addr_parse("192.0.2.53", &e.address);
	judge_packet(&q, 0x4242, &e, true, data, size, &info);

	/* the packet's own id and question */
	wr_init(&r, data, size);
	if (wr_u16(&r, &id) && wr_skip(&r, 10) && wr_name(&r, q.name, &q.name_len) &&
	    wr_u16(&r, &q.qtype) && wr_u16(&r, &q.qclass)) {
		judge_packet(&q, id, &e, true, data, size, &info);
		e.tcp_fallback = true;
		addr_parse("2001:db8::53", &e.address);
		judge_packet(&q, id, &e, false, data, size, &info);
	}

	/* every offset as the start of a name */
	for (size_t i = 0; i < size && i < 512; i++) {
		uint8_t name[WIRE_NAME_MAX];
		char text[NAME_TEXT_MAX];
		size_t len;
		wr_init(&r, data, size);
		r.pos = i;
		if (wr_name(&r, name, &len))
			name_to_text(name, len, text);
	}
	return 0;
}
