#include "query.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

size_t query_build(const struct question *q, const struct query_flags *f, uint16_t id,
		   uint8_t *out, size_t cap)
{
	struct wwriter w;
	bool edns = f->edns_size || f->dnssec_ok;
	uint16_t flags = (uint16_t)((f->rd ? 0x0100 : 0) | (f->cd ? 0x0010 : 0));

	ww_init(&w, out, cap);
	ww_u16(&w, id);
	ww_u16(&w, flags);
	ww_u16(&w, 1);          /* QDCOUNT */
	ww_u16(&w, 0);          /* ANCOUNT */
	ww_u16(&w, 0);          /* NSCOUNT */
	ww_u16(&w, edns ? 1 : 0);
	ww_bytes(&w, q->name, q->name_len);
	ww_u16(&w, q->qtype);
	ww_u16(&w, q->qclass);
	if (edns) {
		ww_u8(&w, 0);   /* owner: root */
		ww_u16(&w, QTYPE_OPT);
		ww_u16(&w, f->edns_size ? f->edns_size : EDNS_DEFAULT_SIZE);
		ww_u32(&w, f->dnssec_ok ? 0x8000u : 0); /* ext-rcode 0, version 0, DO */
		ww_u16(&w, 0);  /* RDLENGTH */
	}
	return w.overflow ? 0 : w.len;
}

struct name_num {
	const char *name;
	unsigned num;
};

static const struct name_num qtypes[] = {
	{ "A", 1 }, { "NS", 2 }, { "CNAME", 5 }, { "SOA", 6 }, { "PTR", 12 }, { "MX", 15 },
	{ "TXT", 16 }, { "AAAA", 28 }, { "SRV", 33 }, { "ANY", 255 },
};
static const struct name_num qclasses[] = { { "IN", 1 }, { "CH", 3 } };
/* Index = rcode, as dig prints them in "status:". */
static const char *const rcodes[] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI",
};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int lookup(const struct name_num *t, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(t[i].name, s) == 0)
			return (int)t[i].num;
	return -1;
}

static const char *rlookup(const struct name_num *t, size_t n, unsigned v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].num == v)
			return t[i].name;
	return "?";
}

/* "TYPE" and 1-65535 in decimal; -1 otherwise. */
static int generic_type(const char *s)
{
	unsigned long v = 0;

	if (strncasecmp(s, "TYPE", 4) != 0 || s[4] == '\0' || strlen(s + 4) > 5)
		return -1;
	for (s += 4; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	return v >= 1 && v <= 65535 ? (int)v : -1;
}

int qtype_from_name(const char *s)
{
	int t = lookup(qtypes, NELEM(qtypes), s);
	return t >= 0 ? t : generic_type(s);
}

const char *qtype_name(unsigned t, char buf[QTYPE_TEXT_MAX])
{
	const char *n = rlookup(qtypes, NELEM(qtypes), t);

	if (n[0] != '?')
		return n;
	snprintf(buf, QTYPE_TEXT_MAX, "TYPE%u", t & 0xFFFFu);
	return buf;
}
int qclass_from_name(const char *s) { return lookup(qclasses, NELEM(qclasses), s); }
const char *qclass_name(unsigned c) { return rlookup(qclasses, NELEM(qclasses), c); }

int rcode_from_name(const char *s)
{
	for (size_t i = 0; i < NELEM(rcodes); i++)
		if (strcasecmp(rcodes[i], s) == 0)
			return (int)i;
	return -1;
}

const char *rcode_name(unsigned rc)
{
	if (rc == 16) /* the extended rcodes an answer to our query can carry */
		return "BADVERS";
	if (rc == 23)
		return "BADCOOKIE";
	return rc < NELEM(rcodes) ? rcodes[rc] : "RESERVED";
}
