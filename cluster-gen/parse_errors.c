/* libconfuse's own messages (syntax, unknown options, duplicate titles),
 * written as libconfuse writes them: "FILE:LINE: message" on stderr. One
 * is said better: a duplicate section title, which libconfuse reports as
 * "found duplicate title 'a'", without the kind of section, the section it
 * is in, or where the first one is. */
#include "parse_errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "parse_values.h"
#include "site_text.h"

/* libconfuse 3.3's text (src/confuse.c, cfg_setopt); untranslated, as
 * cluster-gen never calls setlocale. Any other text is passed on as it is. */
#define DUPLICATE_TITLE "found duplicate title '%s'"


struct titled {
	cfg_opt_t *opt;   /* the kind of section: "instance", "vlan", ... */
	cfg_t *first;     /* the one already there with the title */
};

/* The sections of parent titled `title`, one per kind (a kind holds one
 * section per title), at most max of them. */
static size_t find_titled(cfg_t *parent, const char *title, struct titled *v, size_t max)
{
	size_t n = 0;

	for (cfg_opt_t *o = parent->opts; o && o->name && n < max; o++) {
		if (o->type != CFGT_SEC || !(o->flags & CFGF_TITLE))
			continue;
		for (unsigned i = 0; i < cfg_opt_size(o); i++) {
			cfg_t *sec = cfg_opt_getnsec(o, i);
			if (sec && cfg_title(sec) && strcmp(cfg_title(sec), title) == 0) {
				v[n++] = (struct titled){ o, sec };
				break;
			}
		}
	}
	return n;
}

/* "realserver kai: duplicate instance 'a' (first at line 52)", or NULL
 * when no kind of section in parent has the title. libconfuse stops at
 * the duplicate's '{', on *line: the kind is the one whose word opens a
 * section so titled nearest above (a vlan and a neighbor may share a
 * title), and *line becomes that word's line. The first section's line is
 * found as for any section. */
static char *duplicate_message(cfg_t *parent, const char *title, int *line)
{
	struct titled v[8];
	size_t n = find_titled(parent, title, v, 8), k = 0;
	struct parser p = { 0 };
	char who[200], in[160], *text;
	size_t len;
	int first, opened = 0;

	if (n == 0 || !(text = site_text_read(parent->filename, &len)))
		return NULL;
	site_text_blank_comments(text, len);
	parser_split_lines(&p, text);
	for (size_t i = 0; i < n; i++) {
		int l = opening_line(&p, v[i].opt->name, title, *line);
		if (l > opened)
			opened = l, k = i;
	}
	first = section_line(&p, v[k].first);
	parser_free_lines(&p);
	/* an opening found no later than the first section is the first's own
	 * (the duplicate's word, title and brace on lines of their own): the
	 * duplicate is then named at libconfuse's line, its brace */
	if (opened && opened > first)
		*line = opened;
	if (strcmp(parent->name, "root") == 0)
		who[0] = '\0';
	else
		snprintf(who, sizeof(who), "%s: ", owner(parent, in, sizeof(in)));
	if (first > 0 && first != *line)
		return xasprintf("%sduplicate %s '%s' (first at line %d)", who, v[k].opt->name,
				 title, first);
	return xasprintf("%sduplicate %s '%s'", who, v[k].opt->name, title);
}

/* libconfuse's cfg_error with its own output, but for a duplicate title. */
__attribute__((format(printf, 2, 0)))
static void report(cfg_t *cfg, const char *fmt, va_list ap)
{
	char *dup = NULL;
	int line = cfg ? cfg->line : 0;

	if (cfg && cfg->filename && strcmp(fmt, DUPLICATE_TITLE) == 0) {
		va_list copy;
		va_copy(copy, ap);
		dup = duplicate_message(cfg, va_arg(copy, const char *), &line);
		va_end(copy);
	}
	if (cfg && cfg->filename && line)
		fprintf(stderr, "%s:%d: ", cfg->filename, line);
	else if (cfg && cfg->filename)
		fprintf(stderr, "%s: ", cfg->filename);
	if (dup)
		fputs(dup, stderr);
	else
		vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	free(dup);
}

void parse_errors_begin(cfg_t *cfg)
{
	cfg_set_error_function(cfg, report);
}
