/* DNS wire format behind a bounds-checked reader and writer (the model of
 * unbound's sldns_buffer and NSD's buffer.h): every getter fails instead of
 * reading past the end, and name decompression only follows pointers that
 * point backwards (no forward tricks), counting jumps; a pointer loop fails
 * on the 255-octet name cap or the jump count (see wr_name in wire.c).
 * Nothing else in probes/ does pointer arithmetic on packets. */
#ifndef DNSPROBE_WIRE_H
#define DNSPROBE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_NAME_MAX 255  /* octets of a name in wire form, root label included */
#define WIRE_LABEL_MAX 63
#define WIRE_MAX_JUMPS 126 /* more compression pointers than a 64 KiB message needs */
#define WIRE_HEADER_LEN 12

struct wreader {
	const uint8_t *p;
	size_t len;
	size_t pos;
};

void wr_init(struct wreader *r, const uint8_t *p, size_t len);
bool wr_u8(struct wreader *r, uint8_t *v);
bool wr_u16(struct wreader *r, uint16_t *v);
bool wr_u32(struct wreader *r, uint32_t *v);
bool wr_skip(struct wreader *r, size_t n);
bool wr_bytes(struct wreader *r, void *out, size_t n);
/* Reads a (possibly compressed) name into out (uncompressed wire form, at most
 * WIRE_NAME_MAX octets) and leaves r just after the name in the message. */
bool wr_name(struct wreader *r, uint8_t *out, size_t *outlen);

struct wwriter {
	uint8_t *p;
	size_t cap;
	size_t len;
	bool overflow; /* sticky: one check at the end covers every put */
};

void ww_init(struct wwriter *w, uint8_t *p, size_t cap);
void ww_u8(struct wwriter *w, uint8_t v);
void ww_u16(struct wwriter *w, uint16_t v);
void ww_u32(struct wwriter *w, uint32_t v);
void ww_bytes(struct wwriter *w, const void *v, size_t n);

enum name_error {
	NAME_OK = 0,
	NAME_EMPTY,          /* "" */
	NAME_EMPTY_LABEL,    /* "a..b", ".a" */
	NAME_LABEL_TOO_LONG, /* over 63 octets */
	NAME_TOO_LONG,       /* over 255 octets in wire form */
	NAME_BAD_CHAR,       /* outside LDH, '_', '*', '/' : IDN must come as xn-- */
};

/* Text ("www.example.", trailing dot optional, "." is the root) to wire form.
 * Only hostname-like ASCII is accepted: a health-check name needs no escapes,
 * and anything else (UTF-8 IDN, spaces, controls) is an operator mistake. */
enum name_error name_from_text(const char *text, uint8_t *out, size_t *outlen);
const char *name_error_str(enum name_error e);
/* Wire form back to text with a trailing dot; out holds NAME_TEXT_MAX bytes
 * (every octet may need a \DDD escape). Returns out. */
#define NAME_TEXT_MAX 1024
char *name_to_text(const uint8_t *name, size_t len, char *out);
/* Equality as DNS defines it: ASCII case-insensitive. */
bool name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

#endif
