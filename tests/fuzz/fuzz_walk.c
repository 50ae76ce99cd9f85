/* libFuzzer target: the walk of the site text (cluster-gen/site_walk.c)
 * held to libconfuse itself, on any text. What the walk calls a syntax
 * error, a bad value or a duplicate title, libconfuse refuses too (no false
 * alarm), unless a quote was left open (the walk cuts such a string at its
 * line's end, libconfuse reads on to the next quote). Text the walk finds
 * nothing in, libconfuse parses (nothing missed), but for what the walk
 * leaves to libconfuse: escapes and ${VAR} references (reported apart). A
 * disagreement aborts, with the text as the crash input. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "parse_values.h"
#include "schema.h"
#include "site_text.h"
#include "site_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(cfg_t *cfg, const char *fmt, va_list ap)
{
	(void)cfg;
	(void)fmt;
	(void)ap;
}

static bool libconfuse_parses(char *text, size_t len)
{
	cfg_t *cfg = cfg_init(schema_root(), CFGF_NO_TITLE_DUPES);
	FILE *f = len ? fmemopen(text, len, "r") : NULL;
	int rc = CFG_SUCCESS;

	register_line_recorders(cfg, schema_root(), "");
	cfg_set_error_function(cfg, quiet);
	if (f) {
		rc = cfg_parse_fp(cfg, f);
		fclose(f);
	}
	cfg_free(cfg);
	return rc == CFG_SUCCESS;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct site_walk walk;
	struct diags d;
	bool parsed, left_to_libconfuse;

	if (!text || memchr(data, '\0', size)) {   /* parse.c refuses a NUL first */
		free(text);
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	site_text_blank_comments(text, size);
	diags_init(&d, "fuzz.conf");
	walk = site_walk(text, size, schema_root(), &d);
	parsed = libconfuse_parses(text, size);
	left_to_libconfuse = memchr(text, '\\', size) || strstr(text, "${");
	if ((walk.syntax || walk.values || walk.duplicates) && !walk.unclosed_quotes &&
	    parsed) {
		fprintf(stderr, "fuzz_walk: the walk refused what libconfuse parses\n");
		diags_print(&d, stderr);
		abort();
	}
	if (walk.problems == 0 && !parsed && !left_to_libconfuse) {
		fprintf(stderr, "fuzz_walk: libconfuse refused what the walk found nothing in\n");
		abort();
	}
	diags_free(&d);
	free(text);
	return 0;
}
