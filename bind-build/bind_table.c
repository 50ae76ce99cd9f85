/* The BIND version table and the decisions made from it. Pure functions:
 * no I/O, no allocation. See bind_table.h and docs/bind-build.8. */
#include "bind_table.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define LAST_OF(maj, min) BIND_V(maj, min, 999)

/* Tree shapes of each era, used as row->expect. */
#define F_AUTOCONF_THREADS_MEMC \
	{ BIND_BUILD_AUTOCONF, true, BIND_MACRO_MEM_C, true, 0, false, false }
#define F_AUTOCONF_THREADS_MEMH \
	{ BIND_BUILD_AUTOCONF, true, BIND_MACRO_MEM_H, true, 1, false, false }
#define F_AUTOCONF_MEMH_ON \
	{ BIND_BUILD_AUTOCONF, false, BIND_MACRO_MEM_H, true, 1, false, false }
#define F_AUTOCONF_MEMH_OFF \
	{ BIND_BUILD_AUTOCONF, false, BIND_MACRO_MEM_H, true, 0, false, true }
#define F_AUTOCONF_JEMALLOC \
	{ BIND_BUILD_AUTOCONF, false, BIND_MACRO_ABSENT, false, -1, true, false }
#define F_MESON_JEMALLOC \
	{ BIND_BUILD_MESON, false, BIND_MACRO_ABSENT, false, -1, true, false }

const struct bind_row bind_rows[] = {
	{ "9.2.0-9.3.x", BIND_V(9, 2, 0), LAST_OF(9, 3), F_AUTOCONF_THREADS_MEMC,
	  "--disable-threads", "-DISC_MEM_USE_INTERNAL_MALLOC=1", "",
	  "internal allocator in lib/isc/mem.c behind #ifndef, default 0: the CFLAGS "
	  "define equals the old edit; threads are a configure option (off on Linux), "
	  "disabled explicitly" },
	{ "9.4.0-9.9.x", BIND_V(9, 4, 0), LAST_OF(9, 9), F_AUTOCONF_THREADS_MEMH,
	  "--disable-threads", "", "",
	  "isc/mem.h already defaults the internal allocator to 1: nothing to patch; "
	  "threads are a configure option (default off), disabled explicitly" },
	{ "9.10.0-9.13.2", BIND_V(9, 10, 0), BIND_V(9, 13, 2), F_AUTOCONF_THREADS_MEMH,
	  "--disable-threads", "", "",
	  "threads became the default but --disable-threads still works; mem.h "
	  "defaults the internal allocator to 1" },
	{ "9.13.3-9.16.24", BIND_V(9, 13, 3), BIND_V(9, 16, 24), F_AUTOCONF_MEMH_ON,
	  "", "", "-n 1",
	  "threads are mandatory: one worker thread per named with -n 1; mem.h "
	  "defaults the internal allocator to 1" },
	{ "9.16.25-9.16.x", BIND_V(9, 16, 25), LAST_OF(9, 16), F_AUTOCONF_MEMH_OFF,
	  "", "", "-n 1 -M internal",
	  "threads mandatory (-n 1); mem.h flipped the default to the system "
	  "allocator, named -M internal selects the internal one at run time" },
	{ "9.17.0-9.17.10", BIND_V(9, 17, 0), BIND_V(9, 17, 10), F_AUTOCONF_MEMH_ON,
	  "", "", "-n 1",
	  "development releases before the allocator was removed: as 9.13.3-9.16.24; "
	  "the tree's own files decide" },
	{ "9.17.11-9.20.x", BIND_V(9, 17, 11), LAST_OF(9, 20), F_AUTOCONF_JEMALLOC,
	  "--with-jemalloc=yes", "", "-n 1",
	  "internal allocator removed; jemalloc (configure option from 9.17.17) is "
	  "required so configure fails without it; threads mandatory (-n 1, never -U: "
	  "removed in 9.19.18)" },
	{ "9.21.0-9.21.9", BIND_V(9, 21, 0), BIND_V(9, 21, 9), F_AUTOCONF_JEMALLOC,
	  "--with-jemalloc=yes", "", "-n 1",
	  "development releases still on autoconf: as 9.17.11-9.20.x; the tree's own "
	  "files decide" },
	{ "9.21.10+", BIND_V(9, 21, 10), BIND_V(9, 999, 999), F_MESON_JEMALLOC,
	  "-Djemalloc=enabled", "", "-n 1",
	  "meson build: -Djemalloc=enabled makes jemalloc required; no internal "
	  "allocator; threads mandatory (-n 1)" },
};
const size_t bind_nrows = sizeof bind_rows / sizeof bind_rows[0];

/* Reads a decimal number of at most 3 digits at *p; -1 if none. */
static int read_small(const char **p)
{
	int n = 0, digits = 0;

	while (isdigit((unsigned char)**p) && digits < 4) {
		n = n * 10 + (**p - '0');
		(*p)++;
		digits++;
	}
	return digits == 0 || digits > 3 ? -1 : n;
}

unsigned bind_version_number(const char *version)
{
	const char *p = version;
	int maj, min, pat;

	if (p == NULL)
		return 0;
	maj = read_small(&p);
	if (maj != 9 || *p++ != '.')
		return 0;
	min = read_small(&p);
	if (min < 0 || *p++ != '.')
		return 0;
	pat = read_small(&p);
	if (pat < 0 || isdigit((unsigned char)*p) || *p == '.')
		return 0;
	return BIND_V(maj, min, pat);
}

const struct bind_row *bind_row_for_version(const char *version)
{
	unsigned v = bind_version_number(version);

	for (size_t i = 0; v != 0 && i < bind_nrows; i++)
		if (v >= bind_rows[i].first && v <= bind_rows[i].last)
			return &bind_rows[i];
	return NULL;
}

const char *bind_named_flags(const struct bind_row *row)
{
	return row != NULL ? row->named_flags : "";
}

/* ---- scanning file contents ---- */

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

/* ---- the plan ---- */

static void add(const char **v, size_t *n, const char *s)
{
	if (*n < BIND_PLAN_MAX)
		v[(*n)++] = s;
}

static void plan_threads(const struct bind_features *f, struct bind_wish w, struct bind_plan *p)
{
	if (f->threads_option && f->build == BIND_BUILD_AUTOCONF) {
		add(p->configure, &p->nconfigure, w.threads ? "--enable-threads" : "--disable-threads");
		add(p->why, &p->nwhy, w.threads
		    ? "threads: configure declares the threads option; --enable-threads as asked"
		    : "threads: configure declares the threads option; --disable-threads builds a named without threads");
		return;
	}
	if (w.threads) {
		add(p->why, &p->nwhy, "threads: mandatory in this BIND; named picks one worker per CPU as asked");
		return;
	}
	add(p->named, &p->nnamed, "-n");
	add(p->named, &p->nnamed, "1");
	add(p->why, &p->nwhy, "threads: mandatory in this BIND (its configure has no threads option); named -n 1 runs one worker thread");
	add(p->notes, &p->nnotes, "threads = off: this BIND cannot be built without threads; -n 1 (one worker, plus BIND's helper threads) is the closest equivalent");
}

static const char *define_for(int value)
{
	return value ? "-DISC_MEM_USE_INTERNAL_MALLOC=1" : "-DISC_MEM_USE_INTERNAL_MALLOC=0";
}

static void plan_macro(const struct bind_features *f, struct bind_wish w, struct bind_plan *p)
{
	int want = w.internal_malloc ? 1 : 0;
	bool in_c = f->macro == BIND_MACRO_MEM_C;

	if (f->macro_default == want) {
		add(p->why, &p->nwhy, in_c
		    ? "allocator: lib/isc/mem.c already sets ISC_MEM_USE_INTERNAL_MALLOC as asked; nothing to change"
		    : "allocator: isc/mem.h already sets ISC_MEM_USE_INTERNAL_MALLOC as asked; nothing to change");
		return;
	}
	if (want && f->macro_default == 0 && f->named_M_internal) {
		add(p->named, &p->nnamed, "-M");
		add(p->named, &p->nnamed, "internal");
		add(p->why, &p->nwhy, "allocator: mem.h defaults to the system allocator and named accepts -M internal; the instances select it at run time");
		return;
	}
	if (f->macro_guarded) {
		add(p->defines, &p->ndefines, define_for(want));
		add(p->why, &p->nwhy, "allocator: the default sits inside #ifndef ISC_MEM_USE_INTERNAL_MALLOC, so a CFLAGS define is equivalent to editing the file");
		return;
	}
	p->edit_mem_c = true;
	p->edit_value = want;
	add(p->why, &p->nwhy, in_c
	    ? "allocator: lib/isc/mem.c defines ISC_MEM_USE_INTERNAL_MALLOC without #ifndef; the only way is to edit a copy, then verify it"
	    : "allocator: isc/mem.h defines ISC_MEM_USE_INTERNAL_MALLOC without #ifndef; the only way is to edit a copy, then verify it");
}

static void plan_no_macro(const struct bind_features *f, struct bind_wish w, struct bind_plan *p)
{
	bool meson = f->build == BIND_BUILD_MESON;

	if (!f->jemalloc_option) {
		add(p->why, &p->nwhy, "allocator: no internal allocator and no jemalloc option in this BIND; the system malloc is used");
		if (w.internal_malloc)
			add(p->notes, &p->nnotes, "internal-malloc = on: this BIND has neither its internal allocator nor a jemalloc option; the system malloc is used");
		return;
	}
	if (!w.internal_malloc) {
		add(p->configure, &p->nconfigure, meson ? "-Djemalloc=disabled" : "--without-jemalloc");
		add(p->why, &p->nwhy, "allocator: internal-malloc = off; jemalloc disabled, the system malloc is used");
		return;
	}
	add(p->configure, &p->nconfigure, meson ? "-Djemalloc=enabled" : "--with-jemalloc=yes");
	p->needs_jemalloc = true;
	add(p->why, &p->nwhy, meson
	    ? "allocator: no internal allocator; -Djemalloc=enabled makes jemalloc required (meson fails without it)"
	    : "allocator: no internal allocator; --with-jemalloc=yes makes jemalloc required (configure fails without it)");
	add(p->notes, &p->nnotes, "internal-malloc = on: this BIND has no internal allocator; jemalloc, BIND's recommended allocator, is the closest equivalent");
}

static void plan_features(const struct bind_features *f, const struct bind_row *row,
			  struct bind_wish wish, struct bind_plan *out)
{
	memset(out, 0, sizeof *out);
	out->row = row;
	out->build = f->build;
	plan_threads(f, wish, out);
	if (f->macro != BIND_MACRO_ABSENT)
		plan_macro(f, wish, out);
	else
		plan_no_macro(f, wish, out);
}

static bool same_list(const char *const *a, size_t na, const char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

void bind_plan_make(const struct bind_features *f, const struct bind_row *row,
		    struct bind_wish wish, struct bind_plan *out)
{
	struct bind_plan expect;

	plan_features(f, row, wish, out);
	if (row == NULL) {
		add(out->why, &out->nwhy, "no row for this version: the plan follows the tree's own files alone");
		return;
	}
	plan_features(&row->expect, row, wish, &expect);
	if (!same_list(out->configure, out->nconfigure, expect.configure, expect.nconfigure) ||
	    !same_list(out->defines, out->ndefines, expect.defines, expect.ndefines) ||
	    !same_list(out->named, out->nnamed, expect.named, expect.nnamed) ||
	    out->edit_mem_c != expect.edit_mem_c)
		add(out->why, &out->nwhy, "the tree differs from what its version's row expects; the tree's own files decided");
}

void bind_plan_for_row(const struct bind_row *row, struct bind_wish wish, struct bind_plan *out)
{
	plan_features(&row->expect, row, wish, out);
}

void bind_join(const char *const *v, size_t nv, char *dst, size_t n)
{
	size_t used = 0;

	if (n == 0)
		return;
	dst[0] = '\0';
	for (size_t i = 0; i < nv; i++) {
		int w = snprintf(dst + used, n - used, "%s%s", i ? " " : "", v[i]);
		if (w < 0 || (size_t)w >= n - used)
			return;
		used += (size_t)w;
	}
}

bool bind_named_flags_for(const char *version, bool threads, bool internal_malloc,
			  char *dst, size_t n)
{
	const struct bind_row *row = bind_row_for_version(version);
	struct bind_wish wish = { .threads = threads, .internal_malloc = internal_malloc };
	struct bind_plan p;

	if (n > 0)
		dst[0] = '\0';
	if (row == NULL)
		return false;
	bind_plan_for_row(row, wish, &p);
	bind_join(p.named, p.nnamed, dst, n);
	return true;
}
