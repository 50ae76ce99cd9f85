/* The template store: built-in templates (embedded from templates/ at build
 * time) overridden by same-named files in --templates DIR. Each template is
 * compiled once and cached. */
#include "render.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "embedded_templates.h"
#include "spelling.h"

struct cached {
	char *name;
	struct tpl *tpl;
};

struct templates {
	char *override_dir;
	struct cached *v;
	size_t n;
	bool *asked;   /* per built-in template: asked for by a render */
};

struct templates *templates_new(const char *override_dir)
{
	struct templates *t = xcalloc(1, sizeof(*t));

	t->override_dir = override_dir ? xstrdup(override_dir) : NULL;
	t->asked = xcalloc(nembedded_templates ? nembedded_templates : 1, sizeof(*t->asked));
	return t;
}

struct templates *templates_fork(const struct templates *t)
{
	return templates_new(t->override_dir);
}

void templates_free(struct templates *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].name);
		tpl_free(t->v[i].tpl);
	}
	free(t->v);
	free(t->override_dir);
	free(t->asked);
	free(t);
}

void templates_join(struct templates *t, struct templates *fork)
{
	for (size_t i = 0; i < nembedded_templates; i++)
		t->asked[i] |= fork->asked[i];
	templates_free(fork);
}

/* 1: read into text; 0: no such file; -1: error in err. A link to nothing
 * is an error: the override it was meant to be would go unused. */
static int read_override(const char *dir, const char *name, struct buf *text, struct buf *err)
{
	char *path = xasprintf("%s/%s", dir, name);
	struct stat st;
	int rc = buf_read_file(text, path) == 0 ? 1 : errno == ENOENT ? 0 : -1;
	int read_errno = errno;

	if (rc == 0 && lstat(path, &st) == 0) {
		buf_printf(err, "%s: a symbolic link to nothing", path);
		rc = -1;
	} else if (rc < 0) {
		buf_printf(err, "%s: %s", path, strerror(read_errno));
	}
	free(path);
	return rc;
}

static const struct embedded_template *builtin(const char *name)
{
	for (size_t i = 0; i < nembedded_templates; i++)
		if (strcmp(embedded_templates[i].name, name) == 0)
			return &embedded_templates[i];
	return NULL;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The built-in template whose name is nearest to name, if within max edits. */
static const char *nearest_builtin(const char *name, size_t max)
{
	const char *best = NULL;
	size_t best_d = max + 1;

	for (size_t i = 0; i < nembedded_templates; i++) {
		size_t d = spelling_distance(name, strlen(name), embedded_templates[i].name,
					     strlen(embedded_templates[i].name));

		if (d < best_d) {
			best_d = d;
			best = embedded_templates[i].name;
		}
	}
	return best;
}

/* A file meant as an override under a name no built-in has: one named
 * *.mustache, or one a couple of edits from a built-in's name (a misspelt
 * suffix). Other files are not templates: a README, editors' files
 * (.NAME.swp, NAME~, #NAME#) and copies kept beside (NAME.mustache.1,
 * NAME.mustache.orig). */
static bool meant_as_override(const char *name)
{
	size_t len = strlen(name);
	const char *suffix = strstr(name, ".mustache");

	if (name[0] == '.' || name[0] == '#' || name[len - 1] == '~' || builtin(name))
		return false;
	if (suffix)
		return suffix[9] == '\0';
	return nearest_builtin(name, 2) != NULL;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* "DIR/NAME (did you mean B?), ..." */
static void list_unknown(const char *dir, char **unknown, size_t n, struct buf *err)
{
	for (size_t i = 0; i < n; i++) {
		const char *near = nearest_builtin(unknown[i], 3);

		buf_printf(err, "%s%s/%s", i ? ", " : "", dir, unknown[i]);
		if (near)
			buf_printf(err, " (did you mean %s?)", near);
	}
	buf_printf(err, ": no built-in template is named so, and an override of no "
		   "template is never used (renamed in an upgrade? the built-in ones are in "
		   "share/lvsdns/templates/)");
}

/* Whether the override of e, if there is one, reads and compiles; its
 * problem in err when not. */
static bool override_compiles(const struct templates *t, const struct embedded_template *e,
			      struct buf *err)
{
	struct buf text;
	struct tpl *tpl = NULL;
	int found;

	buf_init(&text);
	found = read_override(t->override_dir, e->name, &text, err);
	if (found == 1) {
		char *label = xasprintf("%s/%s", t->override_dir, e->name);

		tpl = tpl_compile(label, text.data ? text.data : "", text.len, err);
		free(label);
	}
	tpl_free(tpl);
	buf_free(&text);
	return found == 0 || tpl != NULL;
}

/* Every override compiled before anything is rendered: each one that does
 * not is named (its first error), not only the first a render would meet. */
static int check_overrides_compile(const struct templates *t, struct buf *err)
{
	struct buf one, all;
	size_t bad = 0;

	buf_init(&one);
	buf_init(&all);
	for (size_t i = 0; i < nembedded_templates; i++) {
		buf_reset(&one);
		if (!override_compiles(t, &embedded_templates[i], &one)) {
			buf_printf(&all, "\n  %s", one.data);
			bad++;
		}
	}
	if (bad == 1)
		buf_puts(err, all.data + 3);
	else if (bad > 1)
		buf_printf(err, "%zu templates are wrong:%s", bad, all.data);
	buf_free(&one);
	buf_free(&all);
	return bad ? -1 : 0;
}

/* Every file meant as an override must carry a built-in's name: a template
 * renamed by an upgrade, or misspelt, would otherwise be ignored without a
 * word. Also fails for a directory that cannot be read, and for overrides
 * that do not compile. */
int templates_check_overrides(const struct templates *t, struct buf *err)
{
	DIR *d;
	struct dirent *e;
	char **unknown = NULL;
	size_t n = 0;

	if (!t->override_dir)
		return 0;
	if (!(d = opendir(t->override_dir))) {
		buf_printf(err, "--templates %s: %s", t->override_dir, strerror(errno));
		return -1;
	}
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		if (!meant_as_override(e->d_name))
			continue;
		unknown = xreallocarray(unknown, n + 1, sizeof(*unknown));
		unknown[n++] = xstrdup(e->d_name);
	}
	if (errno != 0) {
		buf_printf(err, "--templates %s: %s", t->override_dir, strerror(errno));
		closedir(d);
		free_names(unknown, n);
		return -1;
	}
	closedir(d);
	if (n) {
		qsort(unknown, n, sizeof(*unknown), compare_names);
		list_unknown(t->override_dir, unknown, n, err);
	}
	free_names(unknown, n);
	return n ? -1 : check_overrides_compile(t, err);
}

const struct tpl *templates_get(struct templates *t, const char *name, struct buf *err)
{
	const struct embedded_template *e;
	struct buf text;
	struct tpl *tpl = NULL;
	int found = 0;

	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].name, name) == 0)
			return t->v[i].tpl;
	buf_init(&text);
	if (t->override_dir)
		found = read_override(t->override_dir, name, &text, err);
	if (found == 1) {
		char *label = xasprintf("%s/%s", t->override_dir, name);
		tpl = tpl_compile(label, text.data ? text.data : "", text.len, err);
		free(label);
		if (tpl && (e = builtin(name)) != NULL)
			tpl_check_against(tpl, tpl_compile(name, e->text, e->len, err));
	} else if (found == 0 && (e = builtin(name)) != NULL) {
		tpl = tpl_compile(name, e->text, e->len, err);
	} else if (found == 0) {
		buf_printf(err, "no template named %s", name);
	}
	buf_free(&text);
	if (!tpl)
		return NULL;
	if ((e = builtin(name)) != NULL)
		t->asked[e - embedded_templates] = true;
	t->v = xreallocarray(t->v, t->n + 1, sizeof(*t->v));
	t->v[t->n].name = xstrdup(name);
	t->v[t->n].tpl = tpl;
	return t->v[t->n++].tpl;
}

/* What every renderer gives every template, whether or not a built-in one
 * uses it: each sets both first (set_header in render_keepalived.c,
 * rs_set_header, render_frr.c, render_lbsysctl.c, render_bind.c). */
static const char GIVEN_EVERYWHERE[] = "{{site}}{{site_file}}";

/* Every built-in template, compiled, and last GIVEN_EVERYWHERE, for
 * tpl_check_unrendered: nembedded_templates + 1 of them. */
static struct tpl **compile_builtins(struct buf *err)
{
	struct tpl **v = xcalloc(nembedded_templates + 1, sizeof(*v));

	for (size_t i = 0; i < nembedded_templates; i++)
		v[i] = tpl_compile(embedded_templates[i].name, embedded_templates[i].text,
				   embedded_templates[i].len, err);
	v[nembedded_templates] = tpl_compile("given everywhere", GIVEN_EVERYWHERE,
					     sizeof(GIVEN_EVERYWHERE) - 1, err);
	return v;
}

static void free_builtins(struct tpl **v)
{
	for (size_t i = 0; v && i <= nembedded_templates; i++)
		tpl_free(v[i]);
	free(v);
}

/* One override of a template no render asked for, held to its built-in. */
static int check_one_unrendered(const struct templates *t, const struct embedded_template *e,
				struct tpl ***builtins, struct buf *err)
{
	struct buf text;
	struct tpl *tpl = NULL;
	char *label;
	int rc;

	buf_init(&text);
	rc = read_override(t->override_dir, e->name, &text, err);
	if (rc == 1) {
		label = xasprintf("%s/%s", t->override_dir, e->name);
		tpl = tpl_compile(label, text.data ? text.data : "", text.len, err);
		free(label);
		rc = -1;
	}
	if (tpl) {
		if (!*builtins)
			*builtins = compile_builtins(err);
		tpl_check_against(tpl, tpl_compile(e->name, e->text, e->len, err));
		rc = tpl_check_unrendered(tpl, (const struct tpl *const *)*builtins,
					  nembedded_templates + 1, err);
		tpl_free(tpl);
	}
	buf_free(&text);
	return rc;
}

/* An override's problems in the sections a render leaves out are found by
 * that render; one of a template the site never renders (the watch
 * checker's targets on a probe site) would otherwise wait, unchecked, for
 * the day the site first needs it. */
int templates_check_unrendered(const struct templates *t, struct buf *err)
{
	struct tpl **builtins = NULL;
	int rc = 0;

	for (size_t i = 0; i < nembedded_templates && rc == 0 && t->override_dir; i++)
		if (!t->asked[i])
			rc = check_one_unrendered(t, &embedded_templates[i], &builtins, err);
	free_builtins(builtins);
	return rc < 0 ? -1 : 0;
}
