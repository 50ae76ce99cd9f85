/* Typed access to libconfuse values, and where each option was written. */
#include "parse_values.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "schema.h"

/* ---- where things are: every option records "name=line" while parsed ---- */

/* Formatted by hand: snprintf was half the cost of recording (every option
 * of a 10,000-instance site, some 40,000). */
static int record_line(cfg_t *cfg, cfg_opt_t *opt)
{
	char entry[96], digits[12];
	size_t n = strlen(opt->name), nd = 0;
	unsigned line = cfg->line > 0 ? (unsigned)cfg->line : 0;

	do
		digits[nd++] = (char)('0' + line % 10);
	while ((line /= 10) != 0);
	if (n + 1 + nd >= sizeof(entry))
		n = sizeof(entry) - 2 - nd;   /* schema names are short; never taken */
	memcpy(entry, opt->name, n);
	entry[n++] = '=';
	while (nd)
		entry[n++] = digits[--nd];
	entry[n] = '\0';
	cfg_addlist(cfg, SCHEMA_LINES, 1, entry);
	return 0;
}

/* The hidden list is ours: libconfuse would take it from the file too, and
 * the line records it holds would then be whatever the file says. Only the
 * parser calls this (our own cfg_addlist does not). */
static int refuse_lines(cfg_t *cfg, cfg_opt_t *opt)
{
	cfg_error(cfg, "no such option '%s'", opt->name);
	return -1;
}

void register_line_recorders(cfg_t *cfg, cfg_opt_t *opts, const char *prefix)
{
	for (cfg_opt_t *o = opts; o->name; o++) {
		char path[128];

		snprintf(path, sizeof(path), "%s%s", prefix, o->name);
		if (strcmp(o->name, SCHEMA_LINES) == 0) {
			cfg_set_validate_func(cfg, path, refuse_lines);
			continue;
		}
		if (o->type == CFGT_SEC) {
			char sub[136];
			snprintf(sub, sizeof(sub), "%s|", path);
			register_line_recorders(cfg, o->subopts, sub);
		} else {
			cfg_set_validate_func(cfg, path, record_line);
		}
	}
}

/* The last line at which `name` was set in sec (the value in effect), or 0.
 * A list's default ("ports") is parsed with the callbacks on as its section
 * opens, so a record made then, at the section's line, comes first and any
 * line the file sets comes after it. */
int option_line(cfg_t *sec, const char *name)
{
	/* looked up once: every lookup by name is a search of the section */
	cfg_opt_t *lines = cfg_getopt(sec, SCHEMA_LINES);
	unsigned count = lines ? cfg_opt_size(lines) : 0;
	size_t n = strlen(name);
	int line = 0;

	for (unsigned i = 0; i < count; i++) {
		const char *e = cfg_opt_getnstr(lines, i);
		if (strncmp(e, name, n) == 0 && e[n] == '=')
			line = atoi(e + n + 1);
	}
	return line;
}

/* A section's own line: its first option (libconfuse keeps the closing line).
 * The text is split in place: a line at a time cost a realloc and a copy
 * per line (a 10,000-instance site has 40,000). */
void parser_split_lines(struct parser *p, char *text)
{
	size_t cap = 0;

	p->text = text;
	p->lines = NULL;
	p->nlines = 0;
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		if (p->nlines == cap) {
			cap = cap ? cap * 2 : 1024;
			p->lines = xreallocarray(p->lines, cap, sizeof(char *));
		}
		p->lines[p->nlines++] = line;
		if (!nl)
			break;
		*nl = '\0';
		line = nl + 1;
	}
}

void parser_free_lines(struct parser *p)
{
	free(p->lines);
	free(p->text);
	p->lines = NULL;
	p->text = NULL;
	p->nlines = 0;
}

/* Does text open section `name` ["title"] here: the keyword as a word, then
 * the title (quoted or not) or the brace? */
static bool opens_section(const char *text, const char *name, const char *title)
{
	size_t n = strlen(name), t = title ? strlen(title) : 0;

	for (const char *s = strstr(text, name); s; s = strstr(s + 1, name)) {
		const char *q = s + n;
		if (s > text && !strchr(" \t{}", s[-1]))
			continue;
		while (*q == ' ' || *q == '\t')
			q++;
		if (!title)
			return *q == '{' || *q == '\n' || *q == '\0';
		q += *q == '"';
		if (strncmp(q, title, t) == 0 && strchr(" \t\"{\n", q[t] ? q[t] : '\n'))
			return true;
	}
	return false;
}

enum line_kind { SETS_IT, OPENS, ASSIGNS, NO_SETTING };

static bool word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* Whether text sets option name[0, n) ("name =" or "name +=", outside
 * quotes), else opens something ('{' outside quotes: a section or another
 * list), else sets something else ('='), or none of these (a line of list
 * values, a closing brace, a blank). */
static enum line_kind line_sets(const char *text, const char *name, size_t n)
{
	enum line_kind kind = NO_SETTING;
	char quote = 0;

	for (const char *c = text; *c; c++) {
		if (quote) {
			if (*c == '\\' && c[1])
				c++;
			else if (*c == quote)
				quote = 0;
		} else if (*c == '"' || *c == '\'') {
			quote = *c;
		} else if (*c == '{') {
			kind = OPENS;
		} else if (*c == '=' && kind != OPENS) {
			kind = ASSIGNS;
		} else if ((c == text || !word_char(c[-1])) && strncmp(c, name, n) == 0 &&
			   !word_char(c[n])) {
			const char *q = c + n + strspn(c + n, " \t");
			if (*q == '=' || (q[0] == '+' && q[1] == '='))
				return SETS_IT;
		}
	}
	return kind;
}

/* The first place at or after `from` in text where w[0, n) stands as a
 * whole word (w need not end at n), or NULL. */
static const char *find_word(const char *text, const char *from, const char *w, size_t n)
{
	size_t left = strlen(from);

	for (const char *c = memmem(from, left, w, n); c;
	     c = memmem(c + 1, left - (size_t)(c + 1 - from), w, n))
		if ((c == text || !word_char(c[-1])) && !word_char(c[n]))
			return c;
	return NULL;
}

/* Whether "name =" or "name +=" occurs in text (quotes not considered: for
 * the line an option was recorded at, the first look). */
static bool sets_on(const char *text, const char *name, size_t n)
{
	for (const char *c = find_word(text, text, name, n); c; c = find_word(text, c + 1, name, n)) {
		const char *q = c + n + strspn(c + n, " \t");
		if (*q == '=' || (q[0] == '+' && q[1] == '='))
			return true;
	}
	return false;
}

/* libconfuse records a list when it ends: one written over several lines
 * ("clients = {", the values, "}") at its closing line. The line that sets
 * it is the nearest at or above, with only list values in between; when
 * there is none (a default, recorded where its section opens), `line`. */
static int written_line(const struct parser *p, const char *name, size_t n, int line)
{
	if (line > 0 && (size_t)line <= p->nlines && sets_on(p->lines[line - 1], name, n))
		return line;   /* nearly always: no list, or a list on one line */
	for (int l = line; l > 0 && (size_t)l <= p->nlines; l--) {
		enum line_kind k = line_sets(p->lines[l - 1], name, n);
		if (k == SETS_IT)
			return l;
		/* the closing line may set something after the brace */
		if (k == OPENS || (k == ASSIGNS && l != line))
			break;
	}
	return line;
}

int list_value_line(const struct parser *p, int from, const char *value)
{
	size_t n = strlen(value);

	for (int l = from; n > 0 && l > 0 && (size_t)l <= p->nlines; l++) {
		const char *text = p->lines[l - 1];
		if (find_word(text, text, value, n))
			return l;
		if (strchr(text, '}'))   /* the list ends here */
			break;
	}
	return from;
}

int opening_line(const struct parser *p, const char *name, const char *title, int first)
{
	for (int l = first; l > 0 && l > first - 8 && (size_t)l <= p->nlines; l--)
		if (opens_section(p->lines[l - 1], name, title))
			return l;
	return 0;
}

/* One pass over the section's records, "name=line" each, finds both its
 * first line and the last line of each option wanted (the value in effect).
 * A record at line 0 is a default set before there was a file. */
struct origin section_at(const struct parser *p, cfg_t *sec, const struct option_at *want,
			 size_t n)
{
	cfg_opt_t *lines = cfg_getopt(sec, SCHEMA_LINES);
	unsigned count = lines ? cfg_opt_size(lines) : 0;
	struct origin at = { 0 };
	const char *first = NULL;   /* the record of at.line */
	int opened;

	for (size_t k = 0; k < n; k++)
		want[k].at->line = 0;
	for (unsigned i = 0; i < count; i++) {
		const char *e = cfg_opt_getnstr(lines, i), *eq = strchr(e, '=');
		int line = eq ? atoi(eq + 1) : 0;

		if (line <= 0)
			continue;
		if (at.line == 0 || line < at.line)
			at.line = line, first = e;
		for (size_t k = 0; k < n; k++)
			if (strncmp(e, want[k].name, (size_t)(eq - e)) == 0 &&
			    want[k].name[eq - e] == '\0')
				want[k].at->line = line;
	}
	if (at.line == 0)
		at.line = sec->line;
	/* a long list first, recorded at its end: from the line that sets it */
	if ((opened = opening_line(p, sec->name, sec->title, at.line)) == 0 && first)
		opened = opening_line(p, sec->name, sec->title,
				      written_line(p, first, strcspn(first, "="), at.line));
	if (opened)
		at.line = opened;
	for (size_t k = 0; k < n; k++)
		if (want[k].at->line == 0)
			*want[k].at = at;
		else
			want[k].at->line = written_line(p, want[k].name, strlen(want[k].name),
							want[k].at->line);
	return at;
}

int section_line(const struct parser *p, cfg_t *sec)
{
	return section_at(p, sec, NULL, 0).line;
}

int line_of(const struct parser *p, cfg_t *sec, const char *name)
{
	int line = option_line(sec, name);
	return line ? written_line(p, name, strlen(name), line) : section_line(p, sec);
}

/* ---- value conversion ---- */

char *opt_str(cfg_t *sec, const char *name)
{
	const char *v = cfg_getstr(sec, name);
	return v ? xstrdup(v) : NULL;
}

/* "service resolver-a" or "check": what a message is about. */
const char *owner(cfg_t *sec, char *out, size_t size)
{
	if (sec->title)
		snprintf(out, size, "%s %s", sec->name, sec->title);
	else
		snprintf(out, size, "%s", sec->name);
	return out;
}

/* An instance's name is unique only within its host: the host comes first,
 * as in the cross-checks' messages. */
const char *section_owner(const struct parser *p, cfg_t *sec, char *out, size_t size)
{
	char who[160];

	if (!p->host)
		return owner(sec, out, size);
	snprintf(out, size, "%s %s", p->host, owner(sec, who, sizeof(who)));
	return out;
}

unsigned opt_uint_noting(struct parser *p, cfg_t *sec, const char *name,
			 unsigned long min, unsigned long max, bool *refused)
{
	long v = cfg_getint(sec, name);
	char who[240];

	if (v < 0 || (unsigned long)v < min || (unsigned long)v > max) {
		diag_add(p->d, line_of(p, sec, name), NULL,
			 "%s: %s %ld is out of range (%lu..%lu)", section_owner(p, sec, who, sizeof(who)),
			 name, v, min, max);
		*refused = true;
		return (unsigned)min;
	}
	return (unsigned)v;
}

unsigned opt_uint(struct parser *p, cfg_t *sec, const char *name,
		  unsigned long min, unsigned long max)
{
	bool refused = false;

	return opt_uint_noting(p, sec, name, min, max, &refused);
}

bool opt_addr(struct parser *p, cfg_t *sec, const char *name, struct addr *out)
{
	const char *v = cfg_getstr(sec, name);
	char who[240];

	if (!v) {
		diag_add(p->d, section_line(p, sec), NULL, "%s: '%s' is required",
			 section_owner(p, sec, who, sizeof(who)), name);
		return false;
	}
	if (!addr_parse(v, out)) {
		diag_add(p->d, line_of(p, sec, name), "write a numeric IPv4 or IPv6 address; names are not resolved",
			 "%s: %s '%s' is not an IP address", section_owner(p, sec, who, sizeof(who)), name, v);
		return false;
	}
	return true;
}

/* Looks up `v` in a NULL-terminated table of names; -1 if absent. */
int keyword(struct parser *p, cfg_t *sec, const char *name,
		   const char *const *table, bool nocase)
{
	const char *v = cfg_getstr(sec, name);
	struct buf choices;
	char who[240];

	for (int i = 0; table[i]; i++)
		if (nocase ? strcasecmp(v, table[i]) == 0 : strcmp(v, table[i]) == 0)
			return i;
	buf_init(&choices);
	for (int i = 0; table[i]; i++)
		buf_printf(&choices, "%s%s", i ? ", " : "", table[i]);
	diag_add(p->d, line_of(p, sec, name), NULL, "%s: %s '%s' is not one of %s",
		 section_owner(p, sec, who, sizeof(who)), name, v, choices.data);
	buf_free(&choices);
	return -1;
}

static int by_title(const void *a, const void *b)
{
	return strcmp(cfg_title(*(cfg_t *const *)a), cfg_title(*(cfg_t *const *)b));
}

/* The sections named `name` in parent, sorted by title. Caller frees. */
cfg_t **sorted_sections(cfg_t *parent, const char *name, size_t *n)
{
	cfg_t **v;

	*n = cfg_size(parent, name);
	v = xcalloc(*n, sizeof(*v));
	for (size_t i = 0; i < *n; i++)
		v[i] = cfg_getnsec(parent, name, (unsigned)i);
	qsort(v, *n, sizeof(*v), by_title);
	return v;
}

/* For a name that resolves to nothing, the names there are: "the site's
 * balancers: dus2, ffm4", in their sorted order and at most NAMES_HINT_MAX
 * of them, so that the hint stays one short line. `base` holds n structs
 * of `size` octets with the name at `offset`; NULL when n is 0 (the
 * caller's own hint says how to declare one). The caller frees. */
char *names_hint(const char *what, const void *base, size_t n, size_t size, size_t offset)
{
	struct buf b;

	if (n == 0)
		return NULL;
	buf_init(&b);
	buf_printf(&b, "%s: ", what);
	for (size_t i = 0; i < n && i < NAMES_HINT_MAX; i++)
		buf_printf(&b, "%s%s", i ? ", " : "",
			   *(char *const *)((const char *)base + i * size + offset));
	if (n > NAMES_HINT_MAX)
		buf_puts(&b, ", ...");
	return buf_steal(&b);
}
