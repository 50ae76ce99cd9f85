/* What parse.c's section builders share: where an option was written, and
 * typed access to libconfuse values with file:line problems. Internal to
 * the parser; nothing else sees libconfuse. */
#ifndef LVSDNS_PARSE_VALUES_H
#define LVSDNS_PARSE_VALUES_H

#include <confuse.h>
#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "site.h"

struct parser {
	struct diags *d;
	struct site *s;
	char *text;      /* the site file, comments blanked, newlines made NULs */
	char **lines;    /* its lines, to find where sections open */
	size_t nlines;
	const char *host; /* while an instance is built: its real server, which
			     its messages name ("kai instance b: ...") */
};

/* Takes the site text (comments blanked) and splits it into p->lines. */
void parser_split_lines(struct parser *p, char *text);
void parser_free_lines(struct parser *p);

/* Every option records "name=line" in its section while libconfuse parses. */
void register_line_recorders(cfg_t *cfg, cfg_opt_t *opts, const char *prefix);
/* The last line at which `name` was set in sec (the value in effect), or 0. */
int option_line(cfg_t *sec, const char *name);
/* A section's own line: where it opens (libconfuse keeps the closing line). */
int section_line(const struct parser *p, cfg_t *sec);
/* Where section `name` ["title"] opens: at or a little above line `first`
 * (the first line any of its options was recorded at); 0 when it does not. */
int opening_line(const struct parser *p, const char *name, const char *title, int first);
/* The option's line, else the section's. */
int line_of(const struct parser *p, cfg_t *sec, const char *name);
/* The line of one value of a list that is set at line `from`: the first
 * line from there to the list's end holding it as a word or quoted, else
 * `from`. */
int list_value_line(const struct parser *p, int from, const char *value);

/* An option, and where to note the line it was last set at. */
struct option_at {
	const char *name;
	struct origin *at;
};
/* The section's own line, as section_line, and for the cross-checks (which
 * run on the model after parsing) where each of n options was last set; an
 * option the file leaves at its default gets the section's line. One pass
 * over the section's records: line_of per option would search them again
 * each time, and for a default find the section's line again. */
struct origin section_at(const struct parser *p, cfg_t *sec, const struct option_at *want,
			 size_t n);

/* "service resolver-a" or "check": what a message is about. */
const char *owner(cfg_t *sec, char *out, size_t size);
/* The same, with an instance's host in front ("kai instance b"). */
const char *section_owner(const struct parser *p, cfg_t *sec, char *out, size_t size);
char *opt_str(cfg_t *sec, const char *name);
unsigned opt_uint(struct parser *p, cfg_t *sec, const char *name,
		  unsigned long min, unsigned long max);
/* opt_uint, and *refused set when the number is out of range (and so
 * reported, min standing in for it): checks between numbers then skip the
 * stand-in instead of reporting what it, not the file, says. */
unsigned opt_uint_noting(struct parser *p, cfg_t *sec, const char *name,
			 unsigned long min, unsigned long max, bool *refused);
bool opt_addr(struct parser *p, cfg_t *sec, const char *name, struct addr *out);
/* The index of the option's value in a NULL-terminated table, or -1 (reported). */
int keyword(struct parser *p, cfg_t *sec, const char *name,
	    const char *const *table, bool nocase);
/* The sections named `name` in parent, sorted by title. Caller frees. */
cfg_t **sorted_sections(cfg_t *parent, const char *name, size_t *n);

#define NAMES_HINT_MAX 8

/* For a name that resolves to nothing, the names there are, as a hint:
 * "WHAT: a, b, ..." (at most NAMES_HINT_MAX); base holds n structs of size octets
 * with the name (a char *) at offset. NULL when n is 0. The caller frees. */
char *names_hint(const char *what, const void *base, size_t n, size_t size, size_t offset);

#endif
