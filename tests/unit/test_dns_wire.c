/* The bounds-checked reader and writer and the name rules of probes/wire.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../probes/wire.h"

static void reader_stops_at_end(void **state)
{
	(void)state;
	const uint8_t p[] = { 0x12, 0x34, 0x56, 0x78, 0x9a };
	struct wreader r;
	uint16_t v16;
	uint32_t v32;
	uint8_t v8;

	wr_init(&r, p, sizeof(p));
	assert_true(wr_u16(&r, &v16));
	assert_int_equal(v16, 0x1234);
	assert_false(wr_u32(&r, &v32)); /* only 3 left */
	assert_int_equal(r.pos, 2);     /* a failed read does not move */
	assert_true(wr_u16(&r, &v16));
	assert_true(wr_u8(&r, &v8));
	assert_int_equal(v8, 0x9a);
	assert_false(wr_u8(&r, &v8));
	assert_false(wr_skip(&r, 1));
	assert_true(wr_skip(&r, 0));
	wr_init(&r, p, sizeof(p));
	assert_true(wr_u32(&r, &v32));
	assert_int_equal(v32, 0x12345678u);
	assert_false(wr_skip(&r, SIZE_MAX)); /* no overflow in the bounds check */
}

static void writer_overflow_is_sticky(void **state)
{
	(void)state;
	uint8_t b[5];
	struct wwriter w;

	ww_init(&w, b, sizeof(b));
	ww_u16(&w, 0xabcd);
	ww_u32(&w, 1); /* does not fit */
	ww_u8(&w, 7);  /* would fit, but the message is already broken */
	assert_true(w.overflow);
	assert_int_equal(w.len, 2);
	assert_int_equal(b[0], 0xab);
	assert_int_equal(b[1], 0xcd);
}

static void name_from_text_accepts(void **state)
{
	(void)state;
	uint8_t n[WIRE_NAME_MAX];
	size_t len;

	assert_int_equal(name_from_text("www.Example.", n, &len), NAME_OK);
	assert_int_equal(len, 13);
	assert_memory_equal(n, "\3www\7Example\0", 13);
	assert_int_equal(name_from_text("www.example", n, &len), NAME_OK);
	assert_int_equal(len, 13);
	assert_int_equal(name_from_text(".", n, &len), NAME_OK);
	assert_int_equal(len, 1);
	assert_int_equal(name_from_text("_dns._udp.xn--bcher-kva.example", n, &len), NAME_OK);
}

static void name_from_text_rejects(void **state)
{
	(void)state;
	uint8_t n[WIRE_NAME_MAX];
	size_t len;
	char label64[80];

	assert_int_equal(name_from_text("", n, &len), NAME_EMPTY);
	assert_int_equal(name_from_text("a..b", n, &len), NAME_EMPTY_LABEL);
	assert_int_equal(name_from_text(".a", n, &len), NAME_EMPTY_LABEL);
	assert_int_equal(name_from_text("a.b..", n, &len), NAME_EMPTY_LABEL);
	assert_int_equal(name_from_text("b\xc3\xbc" "cher.example", n, &len), NAME_BAD_CHAR);
	assert_int_equal(name_from_text("a b", n, &len), NAME_BAD_CHAR);
	assert_int_equal(name_from_text("a\\.b", n, &len), NAME_BAD_CHAR);
	memset(label64, 'a', 64);
	label64[64] = '\0';
	assert_int_equal(name_from_text(label64, n, &len), NAME_LABEL_TOO_LONG);
	label64[63] = '\0';
	assert_int_equal(name_from_text(label64, n, &len), NAME_OK);
	assert_int_equal(len, 65);
}

/* 253 characters of text is the longest name: 255 octets in wire form. */
static void name_length_limit(void **state)
{
	(void)state;
	uint8_t n[WIRE_NAME_MAX];
	size_t len;
	char s[300];

	/* 4 labels of 63 = 252 + 3 dots = 255 text -> 257 wire: too long */
	memset(s, 'a', sizeof(s));
	s[63] = s[127] = s[191] = '.';
	s[255] = '\0';
	assert_int_equal(name_from_text(s, n, &len), NAME_TOO_LONG);
	/* 3 x 63 + 61 = 250 chars + 3 dots = 253 text -> 255 wire: fits */
	s[253] = '\0';
	assert_int_equal(name_from_text(s, n, &len), NAME_OK);
	assert_int_equal(len, 255);
	s[253] = 'a';
	s[254] = '\0';
	assert_int_equal(name_from_text(s, n, &len), NAME_TOO_LONG);
}

static void name_equal_ignores_case(void **state)
{
	(void)state;
	assert_true(name_equal((const uint8_t *)"\3WwW\0", 5, (const uint8_t *)"\3www\0", 5));
	assert_false(name_equal((const uint8_t *)"\3wwx\0", 5, (const uint8_t *)"\3www\0", 5));
	assert_false(name_equal((const uint8_t *)"\2ww\0", 4, (const uint8_t *)"\3www\0", 5));
}

static void name_to_text_escapes(void **state)
{
	(void)state;
	char t[NAME_TEXT_MAX];
	assert_string_equal(name_to_text((const uint8_t *)"\3a.b\2c\1\0", 9, t), "a\\046b.c\\001.");
	assert_string_equal(name_to_text((const uint8_t *)"\0", 1, t), ".");
}

static void read_name(const uint8_t *p, size_t len, size_t start, bool ok, const char *want,
		      size_t end)
{
	struct wreader r;
	uint8_t n[WIRE_NAME_MAX];
	size_t nl = 0;
	char t[NAME_TEXT_MAX];

	wr_init(&r, p, len);
	r.pos = start;
	assert_int_equal(wr_name(&r, n, &nl), ok);
	if (!ok) {
		assert_int_equal(r.pos, start);
		return;
	}
	assert_string_equal(name_to_text(n, nl, t), want);
	assert_int_equal(r.pos, end);
}

static void name_compression(void **state)
{
	(void)state;
	/* 0: "example." 9: "www" -> ptr 0  15: ptr 9 */
	const uint8_t p[] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
			      3, 'w', 'w', 'w', 0xC0, 0,
			      0xC0, 9 };
	read_name(p, sizeof(p), 0, true, "example.", 9);
	read_name(p, sizeof(p), 9, true, "www.example.", 15);
	read_name(p, sizeof(p), 15, true, "www.example.", 17);
}

static void name_compression_attacks(void **state)
{
	(void)state;
	const uint8_t self[] = { 0xC0, 0x00 };           /* points at itself */
	const uint8_t fwd[] = { 0xC0, 0x02, 0x00 };      /* points forward */
	const uint8_t loop[] = { 1, 'a', 0xC0, 0x00 };   /* back to its own start */
	const uint8_t cut_ptr[] = { 3, 'w', 'w', 'w', 0xC0 };
	const uint8_t cut_label[] = { 5, 'a', 'b' };
	const uint8_t no_root[] = { 1, 'a' };
	const uint8_t reserved[] = { 0x40, 0 };
	const uint8_t out_of_range[] = { 0, 0xC0, 0xFF };

	read_name(self, sizeof(self), 0, false, NULL, 0);
	read_name(fwd, sizeof(fwd), 0, false, NULL, 0);
	read_name(loop, sizeof(loop), 0, false, NULL, 0);
	read_name(loop, sizeof(loop), 2, false, NULL, 0);
	read_name(cut_ptr, sizeof(cut_ptr), 0, false, NULL, 0);
	read_name(cut_label, sizeof(cut_label), 0, false, NULL, 0);
	read_name(no_root, sizeof(no_root), 0, false, NULL, 0);
	read_name(reserved, sizeof(reserved), 0, false, NULL, 0);
	read_name(out_of_range, sizeof(out_of_range), 1, false, NULL, 0);
}

/* Pointers chained backwards that assemble more than 255 octets. */
static void name_too_long_via_pointers(void **state)
{
	(void)state;
	uint8_t p[2000];
	size_t n = 0, prev = 0;

	p[n++] = 0; /* root at 0 */
	for (int i = 0; i < 70; i++) {
		size_t here = n;
		p[n++] = 3; p[n++] = 'a'; p[n++] = 'b'; p[n++] = 'c';
		p[n++] = (uint8_t)(0xC0 | prev >> 8);
		p[n++] = (uint8_t)prev;
		prev = here;
	}
	read_name(p, n, prev, false, NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reader_stops_at_end),
		cmocka_unit_test(writer_overflow_is_sticky),
		cmocka_unit_test(name_from_text_accepts),
		cmocka_unit_test(name_from_text_rejects),
		cmocka_unit_test(name_length_limit),
		cmocka_unit_test(name_equal_ignores_case),
		cmocka_unit_test(name_to_text_escapes),
		cmocka_unit_test(name_compression),
		cmocka_unit_test(name_compression_attacks),
		cmocka_unit_test(name_too_long_via_pointers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
