/* libFuzzer target: the walk of the site text (cluster-gen/site_walk.c)
 * held to libconfuse itself, on any text. What the walk calls a syntax
 * error, a bad value or a duplicate title, libconfuse refuses too (no false
 * alarm), unless a quote was left open (the walk cuts such a string at its
 * line's end, libconfuse reads on to the next quote); and it says a quote
 * was left open only where libconfuse read a string over lines or refused
 * the text. Text the walk finds
 * nothing in, libconfuse parses (nothing missed), but for what the walk
 * leaves to libconfuse: escapes and ${VAR} references (reported apart).
 * And what the walk repairs (site_repair.h) without leaving out a section
 * is text it finds nothing more in, but a section open at the end, and
 * that libconfuse parses. A disagreement aborts, with the text as the
 * crash input. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "parse_values.h"
#include "schema.h"
#include "site_repair.h"
#include "site_text.h"
#include "site_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(cfg_t *cfg, const char *fmt, va_list ap)
{
	(void)cfg;
	(void)fmt;
	(void)ap;
}

/* Whether a string value or section title in sec holds a newline. */
static bool newline_in(cfg_t *sec)
{
	if (cfg_title(sec) && strchr(cfg_title(sec), '\n'))
		return true;
	for (cfg_opt_t *o = sec->opts; o && o->name; o++)
		for (unsigned i = 0; i < cfg_opt_size(o); i++)
			if ((o->type == CFGT_STR && cfg_opt_getnstr(o, i) &&
			     strchr(cfg_opt_getnstr(o, i), '\n')) ||
			    (o->type == CFGT_SEC && newline_in(cfg_opt_getnsec(o, i))))
				return true;
	return false;
}

/* Whether libconfuse parses text; *newline: whether a value it read holds
 * a newline (a string running over lines). */
static bool libconfuse_parses(char *text, size_t len, bool *newline)
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
	*newline = rc == CFG_SUCCESS && newline_in(cfg);
	cfg_free(cfg);
	return rc == CFG_SUCCESS;
}

/* The text with the walk's repairs blanked: whether the walk finds
 * nothing more in it but a section open at the end, and libconfuse parses
 * it. */
static bool repairs_hold(const char *text, size_t len, const struct site_repairs *r)
{
	size_t fixed_len;
	char *fixed = site_repair_text(text, len, r, &fixed_len);
	struct diags d;
	struct site_walk again;
	bool newline, ok;

	diags_init(&d, "fuzz.conf");
	again = site_walk(fixed, fixed_len, schema_root(), &d, NULL);
	ok = again.problems == (again.unclosed_line != 0) &&
	     libconfuse_parses(fixed, fixed_len, &newline);
	if (!ok)
		diags_print(&d, stderr);
	diags_free(&d);
	free(fixed);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct site_repairs repairs = { NULL, 0, 0 };
	char *text = malloc(size + 1);
	struct site_walk walk;
	struct diags d;
	bool parsed, newline, left_to_libconfuse;

	if (!text || memchr(data, '\0', size)) {   /* site_load.c refuses a NUL first */
		free(text);
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	site_text_blank_comments(text, size);
	diags_init(&d, "fuzz.conf");
	walk = site_walk(text, size, schema_root(), &d, &repairs);
	parsed = libconfuse_parses(text, size, &newline);
	left_to_libconfuse = memchr(text, '\\', size) || strstr(text, "${");
	if ((walk.syntax || walk.values || walk.duplicates) && !walk.unclosed_quotes &&
	    parsed) {
		fprintf(stderr, "fuzz_walk: the walk refused what libconfuse parses\n");
		diags_print(&d, stderr);
		abort();
	}
	/* (a string the file ends in, libconfuse may drop without a word; a
	 * second single section's values replace the first's, strings too) */
	if (walk.unclosed_quotes && !walk.quote_to_end && !walk.repeated && parsed && !newline &&
	    !left_to_libconfuse) {
		fprintf(stderr, "fuzz_walk: a quote left open where libconfuse read no string "
			"over lines\n");
		diags_print(&d, stderr);
		abort();
	}
	if (walk.problems == 0 && !parsed && !left_to_libconfuse) {
		fprintf(stderr, "fuzz_walk: libconfuse refused what the walk found nothing in\n");
		abort();
	}
	if (walk.problems && !walk.drops_text && !left_to_libconfuse &&
	    !repairs_hold(text, size, &repairs)) {
		fprintf(stderr, "fuzz_walk: the repaired text still has a problem\n");
		abort();
	}
	free(repairs.v);
	diags_free(&d);
	free(text);
	return 0;
}
