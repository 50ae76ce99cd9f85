/* Loading a site file: the text looked at first (a NUL byte, ${VAR}
 * references, the walk of site_walk.h), then libconfuse's parse, the model
 * (parse.c) and the cross-checks (validate.c). When the text has problems,
 * the rest of it is parsed and cross-checked without the statements they
 * are in (site_repair.h), so that one run reports them all. */
#include "parse.h"

#include <confuse.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "parse_build.h"
#include "parse_errors.h"
#include "schema.h"
#include "site_repair.h"
#include "site_text.h"
#include "site_walk.h"
#include "validate.h"

/* libconfuse reads the text with its comments blanked (see site_text.h);
 * quiet, its own messages are not printed. */
static int parse_text(cfg_t *cfg, const char *path, char *text, size_t len, bool quiet)
{
	FILE *f;
	int rc;

	/* For libconfuse's own "FILE:LINE: ..." messages; a single section
	 * (check, bgp, bind) exists from cfg_init on, made before there was a
	 * file name to copy, and without one its errors would name no place. */
	cfg->filename = xstrdup(path);
	for (cfg_opt_t *o = cfg->opts; o->name; o++) {
		cfg_t *sec = o->type == CFGT_SEC && !(o->flags & CFGF_MULTI) &&
			     cfg_opt_size(o) > 0 ? cfg_opt_getnsec(o, 0) : NULL;
		if (sec && !sec->filename)
			sec->filename = xstrdup(path);
	}
	if (len == 0)
		return CFG_SUCCESS;
	f = fmemopen(text, len, "r");
	if (!f)
		return CFG_FILE_ERROR;
	if (quiet)
		parse_errors_quiet(cfg);
	else
		parse_errors_begin(cfg);
	rc = cfg_parse_fp(cfg, f);
	fclose(f);
	return rc;
}

/* libconfuse puts the value of an environment variable in place of ${VAR}
 * (bare or in double quotes): the files rendered would then depend on the
 * shell that runs cluster-gen, not on the site file. Each is an error. */
static int report_env_refs(const char *text, size_t len, struct diags *d)
{
	size_t done = 0, from = 0;
	int line = 1, n = 0;

	for (size_t at; (at = site_text_env_ref(text, len, &from)) < len; n++) {
		const char *close = memchr(text + at, '}', len - at);

		for (; done < at; done++)
			line += text[done] == '\n';
		diag_add(d, line, "write the value itself; in single quotes '${...}' stays as it is",
			 "'%.*s' would be replaced by an environment variable's value, so the "
			 "output would depend on the shell that runs cluster-gen",
			 (int)(close - (text + at)) + 1, text + at);
	}
	return n;
}

/* libconfuse's lexer reads a NUL byte as part of a word, and its value
 * ends there: a site file is text, and has none. */
static bool report_nul(const char *text, size_t len, struct diags *d)
{
	const char *nul = memchr(text, '\0', len);
	int line = 1;

	if (!nul)
		return false;
	for (const char *p = text; p < nul; p++)
		line += *p == '\n';
	diag_add(d, line, "is it the site file? Save it as plain text",
		 "a NUL byte: the site file is not text");
	return true;
}

/* A UTF-8 byte order mark, which some editors write first: libconfuse
 * would read it as part of the first word, an option no one can see.
 * Blanked, it is nothing. */
static void blank_bom(char *text, size_t len)
{
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		memset(text, ' ', 3);
}

/* What the text shows before libconfuse reads it, each added to d (see
 * site_walk.h): how many problems, the statements they are in added to
 * repairs. libconfuse is given only text with none, for it stops at the
 * first, and with its comments (and a byte order mark) blanked. Whether the
 * repairs leave a text fair to cross-check goes to *repairable: not when a
 * whole section is left out, for what names it would be wrongly refused,
 * nor with a ${VAR} in it, which libconfuse would replace (a section's
 * title too). */
static int text_problems(char *text, size_t len, struct diags *d, struct site_repairs *repairs,
			 bool *repairable)
{
	struct site_walk walk;
	int env_refs;

	*repairable = false;
	if (report_nul(text, len, d))
		return 1;
	blank_bom(text, len);
	site_text_blank_comments(text, len);
	walk = site_walk(text, len, schema_root(), d, repairs);
	env_refs = report_env_refs(text, len, d);
	*repairable = !walk.drops_text && env_refs == 0;
	return walk.problems + env_refs;
}

/* libconfuse's parse of text (taken), then the model built into out and
 * cross-checked, problems added to d: libconfuse's result. */
static int parse_and_check(const char *path, char *text, size_t len, struct site *out,
			   struct diags *d, bool quiet)
{
	struct parser p = { d, out, NULL, NULL, 0, NULL };
	cfg_t *cfg = cfg_init(schema_root(), CFGF_NO_TITLE_DUPES);
	int rc;

	memset(out, 0, sizeof(*out));
	out->file = xstrdup(path);
	register_line_recorders(cfg, schema_root(), "");
	rc = parse_text(cfg, path, text, len, quiet);
	if (rc == CFG_SUCCESS) {
		parser_split_lines(&p, text);
		text = NULL;   /* p owns it now */
		build_site(&p, cfg);
		parser_free_lines(&p);
		validate_site(out, d);
	}
	free(text);
	cfg_free(cfg);
	return rc;
}

/* The rest of a text with problems (reported in d), checked without the
 * statements they are in: whether it could be. It cannot when the text
 * without them still has a problem the walk or libconfuse sees (what an
 * escape hides, a string libconfuse reads over lines otherwise). */
static bool check_the_rest(const char *path, const char *text, size_t len,
			   const struct site_repairs *repairs, struct diags *d)
{
	size_t fixed_len;
	char *fixed = site_repair_text(text, len, repairs, &fixed_len);
	struct diags found;
	struct site rest;
	struct site_walk again;
	bool checked = false;

	diags_init(&found, path);
	again = site_walk(fixed, fixed_len, schema_root(), &found, NULL);
	/* a section open at the end is libconfuse's to close */
	if (again.problems == (again.unclosed_line != 0)) {
		diags_free(&found);
		diags_init(&found, path);
		checked = parse_and_check(path, fixed, fixed_len, &rest, &found, true) ==
			  CFG_SUCCESS;
		fixed = NULL;   /* taken */
		site_free(&rest);
	}
	if (checked)
		site_repair_merge(d, &found, repairs);
	free(fixed);
	diags_free(&found);
	return checked;
}

int site_load_text(const char *path, char *text, size_t len, struct site *out,
		   struct diags *d)
{
	struct site_repairs repairs = { NULL, 0, 0 };
	bool repairable;
	int rc = CFG_SUCCESS;

	memset(out, 0, sizeof(*out));
	if (text_problems(text, len, d, &repairs, &repairable)) {
		if (repairable && check_the_rest(path, text, len, &repairs, d))
			d->left_out = "the rest was checked without the statements in error";
		else
			d->left_out = "fix these first: the values and cross-checks are checked after";
		free(text);
	} else {
		rc = parse_and_check(path, text, len, out, d, false);
	}
	free(repairs.v);
	if (diags_errors(d)) {
		/* reported above */
	} else if (rc == CFG_FILE_ERROR) {
		diag_add(d, 0, NULL, "cannot read the site file: %s", strerror(errno));
	} else if (rc == CFG_PARSE_ERROR) {
		/* libconfuse has printed "FILE:LINE: ..." itself; stop here,
		 * the rest of the tree is unreliable. */
		diag_add(d, 0, "fix the problem above first", "the file could not be parsed");
	}
	if (diags_errors(d) == 0)
		return 0;
	site_free(out);
	return -1;
}

int site_load(const char *path, struct site *out, struct diags *d)
{
	size_t len = 0;
	char *text = site_text_read(path, &len);

	if (!text) {
		memset(out, 0, sizeof(*out));
		diag_add(d, 0, NULL, "cannot read the site file: %s", strerror(errno));
		return -1;
	}
	return site_load_text(path, text, len, out, d);
}
