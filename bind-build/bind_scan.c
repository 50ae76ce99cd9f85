/* Reading what a BIND source tree supports from the text of its files
 * (version, configure.{in,ac}, config.threads.in, mem.c/mem.h, named's
 * main.c, meson.build, meson.options). Pure functions like bind_table.c:
 * bind-build's tree.c reads the files and hands their text in. */
#include "bind_table.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void bind_tree_init(struct bind_tree *t)
{
	memset(t, 0, sizeof *t);
	t->version_from = "";
	t->f.macro_default = -1;
}

/* The next line of text[0..len) starting at *pos; returns false at the end. */
static bool next_line(const char *text, size_t len, size_t *pos,
		      const char **line, size_t *n)
{
	const char *nl;

	if (*pos >= len)
		return false;
	*line = text + *pos;
	nl = memchr(*line, '\n', len - *pos);
	*n = nl != NULL ? (size_t)(nl - *line) : len - *pos;
	*pos += *n + 1;
	return true;
}

static const char *skip_ws(const char *s, const char *end)
{
	while (s < end && (isspace((unsigned char)*s) || *s == '['))
		s++;
	return s;
}

static bool has_prefix(const char *s, const char *end, const char *pfx)
{
	size_t n = strlen(pfx);

	return (size_t)(end - s) >= n && memcmp(s, pfx, n) == 0;
}

static void set_version(struct bind_tree *t, const char *v, size_t n, const char *from)
{
	if (t->version[0] != '\0' || n == 0 || n >= sizeof t->version)
		return;
	memcpy(t->version, v, n);
	t->version[n] = '\0';
	t->version_from = from;
}

/* Value of "KEY=value" when the line starts with key. */
static bool kv(const char *line, size_t n, const char *key, const char **v, size_t *vn)
{
	size_t k = strlen(key);

	if (n <= k || memcmp(line, key, k) != 0 || line[k] != '=')
		return false;
	*v = line + k + 1;
	*vn = n - k - 1;
	while (*vn > 0 && isspace((unsigned char)(*v)[*vn - 1]))
		(*vn)--;
	return true;
}

bool bind_scan_version_file(struct bind_tree *t, const char *text, size_t len)
{
	const char *keys[] = { "MAJORVER", "MINORVER", "PATCHVER", "RELEASETYPE", "RELEASEVER" };
	const char *val[5] = { 0 };
	size_t vlen[5] = { 0 };
	const char *line;
	size_t n, pos = 0;
	char v[32];

	while (next_line(text, len, &pos, &line, &n))
		for (size_t k = 0; k < 5; k++)
			if (kv(line, n, keys[k], &val[k], &vlen[k]) && vlen[k] > 8)
				return false;
	if (vlen[0] == 0 || vlen[1] == 0)
		return false;
	snprintf(v, sizeof v, "%.*s.%.*s.%.*s%.*s%.*s", (int)vlen[0], val[0],
		 (int)vlen[1], val[1], vlen[2] ? (int)vlen[2] : 1, vlen[2] ? val[2] : "0",
		 (int)vlen[3], vlen[3] ? val[3] : "", (int)vlen[4], vlen[4] ? val[4] : "");
	set_version(t, v, strlen(v), "version file");
	return true;
}

/* In m4: "m4_define([bind_VERSION_MINOR], 18)" -> "18". */
static bool m4_value(const char *text, size_t len, const char *name, const char **v, size_t *vn)
{
	const char *p = memmem(text, len, name, strlen(name));
	const char *end = text + len;

	if (p == NULL)
		return false;
	p += strlen(name);
	while (p < end && (*p == ']' || *p == ',' || *p == ' ' || *p == '['))
		p++;
	*v = p;
	while (p < end && isalnum((unsigned char)*p))
		p++;
	*vn = (size_t)(p - *v);
	return *vn > 0;
}

/* A directive line, comments (# and dnl) excluded. */
static bool is_m4_comment(const char *s, const char *end)
{
	s = skip_ws(s, end);
	return (s < end && *s == '#') || has_prefix(s, end, "dnl");
}

/* "AC_ARG_ENABLE(threads," or "AC_ARG_ENABLE([threads]," on one line. */
static bool declares(const char *line, size_t n, const char *macro, const char *opt)
{
	const char *end = line + n, *p;

	if (is_m4_comment(line, end))
		return false;
	p = memmem(line, n, macro, strlen(macro));
	if (p == NULL)
		return false;
	p = skip_ws(p + strlen(macro), end);
	if (!has_prefix(p, end, opt))
		return false;
	p += strlen(opt);
	return p < end && (*p == ']' || *p == ',' || *p == ')' || *p == ' ');
}

static bool any_line_declares(const char *text, size_t len, const char *macro, const char *opt)
{
	const char *line;
	size_t n, pos = 0;

	while (next_line(text, len, &pos, &line, &n))
		if (declares(line, n, macro, opt))
			return true;
	return false;
}

/* The first AC_INIT( outside comments ("# ... AC_INIT()" is common). */
static const char *find_ac_init(const char *text, size_t len)
{
	const char *line, *p;
	size_t n, pos = 0;

	while (next_line(text, len, &pos, &line, &n))
		if (!is_m4_comment(line, line + n) && (p = memmem(line, n, "AC_INIT(", 8)) != NULL)
			return p;
	return NULL;
}

static void scan_ac_init(struct bind_tree *t, const char *name, const char *text, size_t len)
{
	const char *maj, *min, *pat, *p, *end = text + len;
	size_t nmaj, nmin, npat;
	char v[32];

	if (m4_value(text, len, "bind_VERSION_MAJOR", &maj, &nmaj) &&
	    m4_value(text, len, "bind_VERSION_MINOR", &min, &nmin) &&
	    m4_value(text, len, "bind_VERSION_PATCH", &pat, &npat) &&
	    nmaj < 8 && nmin < 8 && npat < 8) {
		snprintf(v, sizeof v, "%.*s.%.*s.%.*s", (int)nmaj, maj, (int)nmin, min, (int)npat, pat);
		set_version(t, v, strlen(v), name);
		return;
	}
	/* AC_INIT([BIND], [9.16.3], ...): only a full x.y.z counts. */
	p = find_ac_init(text, len);
	if (p == NULL)
		return;
	p = memchr(p, ',', (size_t)(end - p));
	if (p == NULL)
		return;
	p = skip_ws(p + 1, end);
	maj = p;
	while (p < end && (isdigit((unsigned char)*p) || *p == '.'))
		p++;
	snprintf(v, sizeof v, "%.*s", (int)(p - maj) < 31 ? (int)(p - maj) : 31, maj);
	if (bind_version_number(v) != 0)
		set_version(t, v, strlen(v), name);
}

bool bind_configure_includes_threads(const char *text, size_t len)
{
	const char *line;
	size_t n, pos = 0;

	while (next_line(text, len, &pos, &line, &n))
		if (!is_m4_comment(line, line + n) &&
		    memmem(line, n, "config.threads.in", 17) != NULL &&
		    memmem(line, n, "include", 7) != NULL)
			return true;
	return false;
}

bool bind_scan_configure(struct bind_tree *t, const char *name, const char *text, size_t len)
{
	const char *init = find_ac_init(text, len);
	size_t rest = init != NULL ? len - (size_t)(init - text) : 0;
	size_t n = rest < 120 ? rest : 120;

	if (init == NULL || (memmem(init, n, "BIND", 4) == NULL &&
			     memmem(init, n, "lib/dns/name.c", 14) == NULL))
		return false;
	if (t->f.build == BIND_BUILD_UNKNOWN)
		t->f.build = BIND_BUILD_AUTOCONF;
	scan_ac_init(t, name, text, len);
	if (any_line_declares(text, len, "AC_ARG_ENABLE(", "threads"))
		t->f.threads_option = true;
	if (any_line_declares(text, len, "AC_ARG_WITH(", "jemalloc"))
		t->f.jemalloc_option = true;
	return true;
}

void bind_scan_threads_include(struct bind_tree *t, const char *text, size_t len)
{
	if (any_line_declares(text, len, "AC_ARG_ENABLE(", "threads"))
		t->f.threads_option = true;
}

/* "#  define NAME" -> pointer after NAME, or NULL. */
static const char *cpp_directive(const char *line, size_t n, const char *dir, const char *name)
{
	const char *end = line + n, *p = skip_ws(line, end);

	if (p >= end || *p != '#')
		return NULL;
	p = skip_ws(p + 1, end);
	if (!has_prefix(p, end, dir))
		return NULL;
	p = skip_ws(p + strlen(dir), end);
	if (!has_prefix(p, end, name))
		return NULL;
	p += strlen(name);
	if (p < end && (isalnum((unsigned char)*p) || *p == '_'))
		return NULL;
	return p;
}

void bind_scan_mem(struct bind_tree *t, enum bind_macro_where where, const char *text, size_t len)
{
	static const char M[] = "ISC_MEM_USE_INTERNAL_MALLOC";
	const char *line, *p;
	size_t n, pos = 0;
	bool guard = false;

	if (t->f.macro != BIND_MACRO_ABSENT)
		return;
	while (next_line(text, len, &pos, &line, &n)) {
		if (cpp_directive(line, n, "ifndef", M) != NULL)
			guard = true;
		if ((p = cpp_directive(line, n, "if", "!defined")) != NULL &&
		    memmem(p, (size_t)(line + n - p), M, sizeof M - 1) != NULL)
			guard = true;
		p = cpp_directive(line, n, "define", M);
		if (p == NULL)
			continue;
		p = skip_ws(p, line + n);
		t->f.macro = where;
		t->f.macro_guarded = guard;
		t->f.macro_default = p < line + n && (*p == '0' || *p == '1') ? *p - '0' : -1;
		return;
	}
}

void bind_scan_named_main(struct bind_tree *t, const char *text, size_t len)
{
	t->f.named_M_internal = memmem(text, len, "\"internal\"", 10) != NULL &&
				memmem(text, len, "ISC_MEMFLAG_INTERNAL", 20) != NULL;
}

/* The quoted string after `key` (e.g. "version:") within text[0..len). */
static bool quoted_after(const char *text, size_t len, const char *key, const char **v, size_t *vn)
{
	const char *p = memmem(text, len, key, strlen(key)), *end = text + len, *q;

	if (p == NULL)
		return false;
	p = skip_ws(p + strlen(key), end);
	if (p >= end || (*p != '\'' && *p != '"'))
		return false;
	q = memchr(p + 1, *p, (size_t)(end - p - 1));
	if (q == NULL)
		return false;
	*v = p + 1;
	*vn = (size_t)(q - p - 1);
	return true;
}

bool bind_scan_meson_build(struct bind_tree *t, const char *text, size_t len)
{
	const char *proj = memmem(text, len, "project(", 8), *name, *v;
	size_t rest, nname, nv;

	if (proj == NULL)
		return false;
	rest = len - (size_t)(proj - text);
	if (!quoted_after(proj, rest, "project(", &name, &nname) ||
	    nname != 4 || strncasecmp(name, "bind", 4) != 0)
		return false;
	t->f.build = BIND_BUILD_MESON;
	t->f.threads_option = false;  /* meson trees have no threads option */
	if (quoted_after(proj, rest < 400 ? rest : 400, "version:", &v, &nv))
		set_version(t, v, nv, "meson.build project()");
	return true;
}

void bind_scan_meson_options(struct bind_tree *t, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *v;
	size_t nv;

	while ((p = memmem(p, (size_t)(end - p), "option(", 7)) != NULL) {
		p += 7;
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (quoted_after(p, (size_t)(end - p), "", &v, &nv) &&
		    nv == 8 && memcmp(v, "jemalloc", 8) == 0)
			t->f.jemalloc_option = true;
	}
}

