#include "wire.h"

#include <stdio.h>
#include <string.h>

void wr_init(struct wreader *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->pos = 0;
}

static bool wr_has(const struct wreader *r, size_t n)
{
	return r->pos <= r->len && n <= r->len - r->pos;
}

bool wr_u8(struct wreader *r, uint8_t *v)
{
	if (!wr_has(r, 1))
		return false;
	*v = r->p[r->pos++];
	return true;
}

bool wr_u16(struct wreader *r, uint16_t *v)
{
	if (!wr_has(r, 2))
		return false;
	*v = (uint16_t)(r->p[r->pos] << 8 | r->p[r->pos + 1]);
	r->pos += 2;
	return true;
}

bool wr_u32(struct wreader *r, uint32_t *v)
{
	if (!wr_has(r, 4))
		return false;
	*v = (uint32_t)r->p[r->pos] << 24 | (uint32_t)r->p[r->pos + 1] << 16 |
	     (uint32_t)r->p[r->pos + 2] << 8 | r->p[r->pos + 3];
	r->pos += 4;
	return true;
}

bool wr_skip(struct wreader *r, size_t n)
{
	if (!wr_has(r, n))
		return false;
	r->pos += n;
	return true;
}

bool wr_bytes(struct wreader *r, void *out, size_t n)
{
	if (!wr_has(r, n))
		return false;
	memcpy(out, r->p + r->pos, n);
	r->pos += n;
	return true;
}

/* Follows labels from pos. A pointer must point strictly before itself, but
 * that alone does not stop loops: the labels after its target can lead back
 * to the same pointer ("\1a" then a pointer to the "\1a"). What ends every
 * loop is that each round copies at least one label (a chain of pointers
 * alone only goes backwards, so it cannot cycle) and the copy is capped at
 * WIRE_NAME_MAX octets; the jump count bounds the work as well. The reader
 * ends after the first pointer (or the root label) seen in the original
 * position. */
bool wr_name(struct wreader *r, uint8_t *out, size_t *outlen)
{
	size_t pos = r->pos, end = 0, n = 0;
	unsigned jumps = 0;

	for (;;) {
		if (pos >= r->len)
			return false;
		uint8_t c = r->p[pos];
		if ((c & 0xC0) == 0xC0) {
			if (pos + 1 >= r->len || ++jumps > WIRE_MAX_JUMPS)
				return false;
			size_t target = (size_t)(c & 0x3F) << 8 | r->p[pos + 1];
			if (target >= pos)
				return false;
			if (!end)
				end = pos + 2;
			pos = target;
			continue;
		}
		if (c & 0xC0) /* 0x40 and 0x80: obsolete or reserved label types */
			return false;
		if (c > r->len - pos - 1 || n + 1 + c > WIRE_NAME_MAX)
			return false;
		memcpy(out + n, r->p + pos, (size_t)c + 1);
		n += (size_t)c + 1;
		pos += (size_t)c + 1;
		if (c == 0)
			break;
	}
	r->pos = end ? end : pos;
	*outlen = n;
	return true;
}

void ww_init(struct wwriter *w, uint8_t *p, size_t cap)
{
	w->p = p;
	w->cap = cap;
	w->len = 0;
	w->overflow = false;
}

void ww_bytes(struct wwriter *w, const void *v, size_t n)
{
	if (w->overflow || n > w->cap - w->len) {
		w->overflow = true;
		return;
	}
	memcpy(w->p + w->len, v, n);
	w->len += n;
}

void ww_u8(struct wwriter *w, uint8_t v)
{
	ww_bytes(w, &v, 1);
}

void ww_u16(struct wwriter *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	ww_bytes(w, b, 2);
}

void ww_u32(struct wwriter *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	ww_bytes(w, b, 4);
}

static bool name_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '*' || c == '/';
}

enum name_error name_from_text(const char *text, uint8_t *out, size_t *outlen)
{
	size_t n = 0, label = 0; /* label: offset of the current length octet */
	const char *s = text;

	if (*s == '\0')
		return NAME_EMPTY;
	if (strcmp(s, ".") == 0) {
		out[0] = 0;
		*outlen = 1;
		return NAME_OK;
	}
	out[0] = 0;
	n = 1;
	for (; *s; s++) {
		if (*s == '.') {
			if (n - label == 1)
				return NAME_EMPTY_LABEL;
			if (s[1] == '\0')
				break;
			if (n >= WIRE_NAME_MAX)
				return NAME_TOO_LONG;
			label = n;
			out[n++] = 0;
			continue;
		}
		if (!name_char_ok((unsigned char)*s))
			return NAME_BAD_CHAR;
		if (n - label > WIRE_LABEL_MAX)
			return NAME_LABEL_TOO_LONG;
		if (n >= WIRE_NAME_MAX - 1) /* leave room for the root label */
			return NAME_TOO_LONG;
		out[n++] = (uint8_t)*s;
		out[label]++;
	}
	out[n++] = 0;
	*outlen = n;
	return NAME_OK;
}

const char *name_error_str(enum name_error e)
{
	switch (e) {
	case NAME_OK: return "ok";
	case NAME_EMPTY: return "empty name";
	case NAME_EMPTY_LABEL: return "empty label";
	case NAME_LABEL_TOO_LONG: return "label longer than 63 octets";
	case NAME_TOO_LONG: return "name longer than 255 octets";
	case NAME_BAD_CHAR: return "character outside letters, digits, '-', '_', '*', '/' (write IDN as xn--)";
	}
	return "?";
}

char *name_to_text(const uint8_t *name, size_t len, char *out)
{
	size_t i = 0, o = 0;

	if (len == 0 || name[0] == 0) {
		strcpy(out, ".");
		return out;
	}
	while (i < len && name[i] != 0) {
		size_t l = name[i++];
		for (size_t k = 0; k < l && i < len; k++, i++) {
			unsigned char c = name[i];
			if (c > 32 && c < 127 && c != '.' && c != '\\')
				out[o++] = (char)c;
			else
				o += (size_t)sprintf(out + o, "\\%03u", c);
		}
		out[o++] = '.';
	}
	out[o] = '\0';
	return out;
}

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* Length octets are at most 63, below 'A', so lowering every octet is safe. */
bool name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}
