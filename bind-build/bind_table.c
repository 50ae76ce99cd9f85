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
#define F_AUTOCONF_NO_ALLOCATOR \
	{ BIND_BUILD_AUTOCONF, false, BIND_MACRO_ABSENT, false, -1, false, false }
#define F_AUTOCONF_JEMALLOC \
	{ BIND_BUILD_AUTOCONF, false, BIND_MACRO_ABSENT, false, -1, true, false }
#define F_MESON_JEMALLOC \
	{ BIND_BUILD_MESON, false, BIND_MACRO_ABSENT, false, -1, true, false }

/* Each row: id, range, expected tree, configure options, defines, named
 * flags, named-checkconf's directory below the prefix, reason. */
const struct bind_row bind_rows[] = {
	{ "9.2.0-9.3.x", BIND_V(9, 2, 0), LAST_OF(9, 3), F_AUTOCONF_THREADS_MEMC,
	  "--disable-threads", "-DISC_MEM_USE_INTERNAL_MALLOC=1", "-n 1", "sbin",
	  "internal allocator in lib/isc/mem.c behind #ifndef, default 0: the CFLAGS "
	  "define equals the old edit; threads are a configure option (off on Linux), "
	  "disabled explicitly, and -n 1 for a named built with them" },
	{ "9.4.0-9.9.x", BIND_V(9, 4, 0), LAST_OF(9, 9), F_AUTOCONF_THREADS_MEMH,
	  "--disable-threads", "", "-n 1", "sbin",
	  "isc/mem.h already defaults the internal allocator to 1: nothing to patch; "
	  "threads are a configure option (default off), disabled explicitly, and -n 1 "
	  "for a named built with them" },
	{ "9.10.0-9.13.2", BIND_V(9, 10, 0), BIND_V(9, 13, 2), F_AUTOCONF_THREADS_MEMH,
	  "--disable-threads", "", "-n 1", "sbin",
	  "threads became the default but --disable-threads still works; -n 1 for a "
	  "named built with them (Debian's); mem.h defaults the internal allocator to 1" },
	{ "9.13.3-9.16.24", BIND_V(9, 13, 3), BIND_V(9, 16, 24), F_AUTOCONF_MEMH_ON,
	  "", "", "-n 1", "sbin",
	  "threads are mandatory: one worker thread per named with -n 1; mem.h "
	  "defaults the internal allocator to 1" },
	{ "9.16.25-9.16.x", BIND_V(9, 16, 25), LAST_OF(9, 16), F_AUTOCONF_MEMH_OFF,
	  "", "", "-n 1 -M internal", "sbin",
	  "threads mandatory (-n 1); mem.h flipped the default to the system "
	  "allocator, named -M internal selects the internal one at run time" },
	{ "9.17.0-9.17.1", BIND_V(9, 17, 0), BIND_V(9, 17, 1), F_AUTOCONF_MEMH_ON,
	  "", "", "-n 1", "sbin",
	  "development releases before the allocator was removed: as 9.13.3-9.16.24; "
	  "the tree's own files decide" },
	{ "9.17.2-9.17.10", BIND_V(9, 17, 2), BIND_V(9, 17, 10), F_AUTOCONF_MEMH_ON,
	  "", "", "-n 1", "bin",
	  "development releases on the rewritten (automake) build, which installs "
	  "named-checkconf in bin; otherwise as 9.17.0-9.17.1, the tree's own files decide" },
	{ "9.17.11-9.17.16", BIND_V(9, 17, 11), BIND_V(9, 17, 16), F_AUTOCONF_NO_ALLOCATOR,
	  "", "", "-n 1", "bin",
	  "development releases: internal allocator removed and no --with-jemalloc yet "
	  "(it came in 9.17.17), so the system malloc; threads mandatory (-n 1)" },
	{ "9.17.17-9.20.x", BIND_V(9, 17, 17), LAST_OF(9, 20), F_AUTOCONF_JEMALLOC,
	  "--with-jemalloc=yes", "", "-n 1", "bin",
	  "internal allocator removed; jemalloc is required so configure fails "
	  "without it; threads mandatory (-n 1, never -U: removed in 9.19.18)" },
	{ "9.21.0-9.21.9", BIND_V(9, 21, 0), BIND_V(9, 21, 9), F_AUTOCONF_JEMALLOC,
	  "--with-jemalloc=yes", "", "-n 1", "bin",
	  "development releases still on autoconf: as 9.17.17-9.20.x; the tree's own "
	  "files decide" },
	{ "9.21.10+", BIND_V(9, 21, 10), BIND_V(9, 999, 999), F_MESON_JEMALLOC,
	  "-Djemalloc=enabled", "", "-n 1", "bin",
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

const char *bind_checkconf_dir(const char *version)
{
	const struct bind_row *row = bind_row_for_version(version);

	return row != NULL ? row->checkconf_dir : NULL;
}

/* ---- the plan ---- */

static void add(const char **v, size_t *n, const char *s)
{
	if (*n < BIND_PLAN_MAX)
		v[(*n)++] = s;
}

/* threads = off: named -n 1 always, even where configure can leave threads
 * out. A distribution's named (bind { prefix = "/usr" }) of those releases
 * may well have threads (Debian builds with --enable-threads, upstream
 * defaults to them on Linux from 9.10), and every named from 9.2 on accepts
 * -n, ignoring it when built without threads. */
static void plan_threads(const struct bind_features *f, struct bind_wish w, struct bind_plan *p)
{
	bool option = f->threads_option && f->build == BIND_BUILD_AUTOCONF;

	if (option)
		add(p->configure, &p->nconfigure, w.threads ? "--enable-threads" : "--disable-threads");
	if (w.threads) {
		add(p->why, &p->nwhy, option
		    ? "threads: configure declares the threads option; --enable-threads as asked"
		    : "threads: mandatory in this BIND; named picks one worker per CPU as asked");
		return;
	}
	add(p->named, &p->nnamed, "-n");
	add(p->named, &p->nnamed, "1");
	if (option) {
		add(p->why, &p->nwhy, "threads: configure declares the threads option; --disable-threads builds a named without threads, and named -n 1 keeps one worker should the named that runs have threads (a distribution's build)");
		return;
	}
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

/* Does the plan choose the allocator when BIND is built (a define, an
 * edit, a jemalloc option) rather than when named starts (-M internal)? */
static bool allocator_at_build(const struct bind_plan *p)
{
	for (size_t i = 0; i < p->nconfigure; i++)
		if (strstr(p->configure[i], "jemalloc") != NULL)
			return true;
	return p->ndefines > 0 || p->edit_mem_c;
}

/* The site runs a distribution's named, built by someone else: what the
 * plan would do at build time does not happen, so say so. */
static void plan_distribution(struct bind_plan *p)
{
	if (allocator_at_build(p))
		add(p->notes, &p->nnotes, "prefix = \"/usr\": this BIND chooses its allocator when it is built, and the distribution's build has chosen it already; the allocator lines above apply only to a build of your own");
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
	if (wish.distribution)
		plan_distribution(out);
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
