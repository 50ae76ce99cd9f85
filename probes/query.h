/* The question we ask and the query message that carries it; names of
 * types, classes and rcodes for the command line and the logs. */
#ifndef DNSPROBE_QUERY_H
#define DNSPROBE_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define QUERY_MAX 512 /* a question and an OPT record fit easily */

struct question {
	uint8_t name[WIRE_NAME_MAX];
	size_t name_len;
	uint16_t qtype;
	uint16_t qclass;
};

struct query_flags {
	bool rd;           /* recursion desired */
	bool cd;           /* checking disabled */
	bool dnssec_ok;    /* DO bit; implies EDNS */
	uint16_t edns_size; /* 0: no OPT record unless dnssec_ok asks for one */
};

#define EDNS_DEFAULT_SIZE 1232

/* Returns the message length, or 0 when it does not fit in cap. */
size_t query_build(const struct question *q, const struct query_flags *f, uint16_t id,
		   uint8_t *out, size_t cap);

/* Names <-> numbers; the *_from_name functions are case-insensitive and
 * return -1 for unknown names. Only what dnsprobe offers is listed, and
 * qtype_from_name() also takes RFC 3597's TYPEnnn (1-65535), as dig does. */
int qtype_from_name(const char *s);
#define QTYPE_TEXT_MAX 10 /* "TYPE65535" */
/* The mnemonic, or "TYPEnnn" written to buf for a type without one. */
const char *qtype_name(unsigned t, char buf[QTYPE_TEXT_MAX]);
int qclass_from_name(const char *s);
const char *qclass_name(unsigned c);
int rcode_from_name(const char *s);
/* BADVERS for 16, BADCOOKIE for 23; "RESERVED" for the rest beyond DSOTYPENI */
const char *rcode_name(unsigned rc);

enum { QTYPE_A = 1, QTYPE_AAAA = 28, QTYPE_OPT = 41 };
enum { QCLASS_IN = 1, QCLASS_CH = 3 };
enum { RCODE_NOERROR = 0, RCODE_FORMERR = 1, RCODE_SERVFAIL = 2, RCODE_NXDOMAIN = 3, RCODE_REFUSED = 5 };

#endif
