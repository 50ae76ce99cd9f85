#include "site_hint.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "schema.h"
#include "spelling.h"

cfg_opt_t *site_find_option(cfg_opt_t *opts, const struct token *t)
{
	if (token_is(t, SCHEMA_LINES))
		return NULL;   /* the parser's own (parse_values.c), not the site file's */
	for (cfg_opt_t *o = opts; o->name; o++)
		if (token_is(t, o->name))
			return o;
	return NULL;
}

/* The option of opts spelt nearest to name, when near enough to be what
 * was meant: one edit in a short name, two in a longer one. */
static const char *nearest(cfg_opt_t *opts, const struct token *name)
{
	size_t limit = name->len >= 5 ? 2 : 1, best = limit + 1;
	const char *found = NULL;

	for (cfg_opt_t *o = opts; o->name; o++) {
		size_t d = spelling_distance(name->text, name->len, o->name, strlen(o->name));

		if (d < best && strcmp(o->name, SCHEMA_LINES) != 0)
			best = d, found = o->name;
	}
	return found;
}

/* The kinds of section that have an option (or a section) of this name. */
struct homes {
	const char *kind[8];   /* NULL: the top level */
	bool single[8];        /* a section written once: "the check section" */
	size_t n;
};

static void find_homes(cfg_opt_t *opts, const char *kind, bool single, const struct token *name,
		       struct homes *h)
{
	for (cfg_opt_t *o = opts; o->name; o++) {
		bool known = false;

		for (size_t i = 0; i < h->n; i++)
			known |= h->kind[i] == kind;
		if (!known && h->n < 8 && token_is(name, o->name) && strcmp(o->name, SCHEMA_LINES))
			h->kind[h->n] = kind, h->single[h->n++] = single;
		if (o->type == CFGT_SEC)
			find_homes(o->subopts, o->name, !(o->flags & CFGF_MULTI), name, h);
	}
}

static void append(char *out, size_t size, const char *fmt, const char *arg)
{
	size_t used = strlen(out);

	if (used < size)
		snprintf(out + used, size - used, fmt, arg);
}

/* "'address' belongs in a neighbor section, in a vlan section or in an
 * instance section", or false when no section has the name. */
static bool belongs_elsewhere(cfg_opt_t *root, const struct token *name, char *out, size_t size)
{
	struct homes h = { .n = 0 };

	find_homes(root, NULL, false, name, &h);
	if (h.n == 0)
		return false;
	snprintf(out, size, "'%.*s' belongs", (int)name->len, name->text);
	for (size_t i = 0; i < h.n; i++) {
		append(out, size, "%s", i == 0 ? " " : i + 1 < h.n ? ", " : " or ");
		if (!h.kind[i])
			append(out, size, "%s", "at the top level (is a '}' missing above it?)");
		else if (h.single[i])
			append(out, size, "in the %s section", h.kind[i]);
		else
			append(out, size, strchr("aeiou", h.kind[i][0]) ? "in an %s section" :
					  "in a %s section", h.kind[i]);
	}
	return true;
}

/* keepalived's names (and the old design sketch's) for options the site
 * file names otherwise, for those who write a site from a keepalived.conf;
 * the names that differ only in '_' for '-' are near spellings already. */
static const struct {
	const char *theirs, *ours, *keepalived;
} keepalived_names[] = {
	{ "lb_algo", "scheduler", "lb_algo" },
	{ "lb-algo", "scheduler", "lb_algo" },
	{ "lvs_sched", "scheduler", "lvs_sched" },
	{ "lb_kind", "method", "lb_kind" },
	{ "lb-kind", "method", "lb_kind" },
	{ "lvs_method", "method", "lvs_method" },
	{ "persistence_granularity", "persistence-netmask", "persistence_granularity" },
	{ "ops", "one-packet-scheduling", "ops" },
};

/* The option of opts that keepalived calls name, or NULL; *said is
 * keepalived's own spelling. */
static const char *ours_for(cfg_opt_t *opts, const struct token *name, const char **said)
{
	for (size_t i = 0; i < sizeof(keepalived_names) / sizeof(keepalived_names[0]); i++) {
		struct token ours = { .text = keepalived_names[i].ours,
				      .len = strlen(keepalived_names[i].ours) };

		if (token_is(name, keepalived_names[i].theirs) && site_find_option(opts, &ours)) {
			*said = keepalived_names[i].keepalived;
			return keepalived_names[i].ours;
		}
	}
	return NULL;
}

void site_hint_unknown(cfg_opt_t *root, cfg_opt_t *opts, const struct token *name, char *out,
		       size_t size)
{
	const char *near, *said;

	if (belongs_elsewhere(root, name, out, size))
		return;
	if ((near = ours_for(opts, name, &said)) != NULL) {
		snprintf(out, size, "did you mean '%s'? (keepalived's %s)", near, said);
		return;
	}
	if ((near = nearest(opts, name)) != NULL) {
		snprintf(out, size, "did you mean '%s'?", near);
		return;
	}
	snprintf(out, size, "one of");
	for (cfg_opt_t *o = opts; o->name; o++)
		if (strcmp(o->name, SCHEMA_LINES) != 0)
			append(out, size, " %s", o->name);
}
