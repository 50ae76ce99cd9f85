/* The one table of BIND build recipes, and the decisions made from it.
 *
 * Linked by bind-build (which looks at a real source tree) and by
 * cluster-gen (which only knows the site's `bind { version ... }`), so the
 * named@.service flags and the build always agree. Everything here is pure:
 * no I/O, no allocation, only static strings are returned. bind-build's
 * tree.c reads the files and hands their text to the bind_scan_* functions
 * (bind_scan.c, which cluster-gen does not need).
 *
 * Rule: facts found in the tree win over what the version string promises.
 * A version only picks the row (and its explanation); the plan is made from
 * the tree's features. cluster-gen, having no tree, plans from the features
 * the row expects (row->expect). */
#ifndef LVSDNS_BIND_TABLE_H
#define LVSDNS_BIND_TABLE_H

#include <stdbool.h>
#include <stddef.h>

/* Version as one comparable number: 9.16.25 -> 9016025. */
#define BIND_V(maj, min, pat) ((unsigned)(maj) * 1000000u + (unsigned)(min) * 1000u + (unsigned)(pat))

enum bind_build_system {
	BIND_BUILD_UNKNOWN = 0,
	BIND_BUILD_AUTOCONF,      /* configure.in / configure.ac */
	BIND_BUILD_MESON,         /* meson.build + meson.options */
};

/* Where ISC_MEM_USE_INTERNAL_MALLOC is defined, if anywhere. */
enum bind_macro_where {
	BIND_MACRO_ABSENT = 0,    /* no internal allocator macro (9.17.11+) */
	BIND_MACRO_MEM_C,         /* lib/isc/mem.c (9.2-9.3) */
	BIND_MACRO_MEM_H,         /* lib/isc/include/isc/mem.h (9.4-9.16) */
};

/* What a source tree supports, found from the tree itself. */
struct bind_features {
	enum bind_build_system build;
	bool threads_option;      /* configure.{in,ac} (or the config.threads.in
				     it includes) declares --enable/--disable-threads */
	enum bind_macro_where macro;
	bool macro_guarded;       /* the default sits inside #ifndef ISC_MEM_USE_INTERNAL_MALLOC,
				     so -DISC_MEM_USE_INTERNAL_MALLOC=N overrides it (no edit) */
	int macro_default;        /* 0 or 1 as the file sets it; -1 unknown/absent */
	bool jemalloc_option;     /* configure --with-jemalloc or meson option 'jemalloc' */
	bool named_M_internal;    /* named accepts `-M internal` (mem.h default 0 era) */
};

/* Where bind-build installs unless told otherwise (--prefix), and so the
 * default of a site's bind { prefix }: the units run the BIND the site's
 * bind section describes unless the site names another installation. */
#define BIND_PREFIX_DEFAULT "/usr/local"

/* named's directory below the prefix, in every BIND 9 release. */
#define BIND_NAMED_DIR "sbin"

/* One row of the version table. */
struct bind_row {
	const char *id;           /* "9.16.25-9.16.x" */
	unsigned first, last;     /* BIND_V() range, inclusive */
	struct bind_features expect;  /* what a tree of this era looks like */
	const char *configure;    /* configure/meson options of the row (threads off,
				     internal malloc on), space separated, "" for none */
	const char *defines;      /* CFLAGS defines, space separated, "" for none */
	const char *named_flags;  /* "-n 1 -M internal", "" for none */
	const char *checkconf_dir;    /* where make install puts named-checkconf below
					 the prefix: "sbin" before 9.17.2, "bin" from
					 its new build system on (ISC #1724); Debian's
					 package follows, so /usr/bin on Debian 12 */
	const char *reason;       /* one line: why this recipe */
};

/* The whole table, in version order (for docs and tests). */
extern const struct bind_row bind_rows[];
extern const size_t bind_nrows;

/* "9.18.49", "9.11.5-P4", "9.16.25-S1" -> BIND_V(); 0 when not "9.N.N...". */
unsigned bind_version_number(const char *version);
/* NULL when not a known 9.x version (9.0/9.1, garbage, 10.x). */
const struct bind_row *bind_row_for_version(const char *version);
/* Named flags the instances run with for the site default (threads off,
 * internal malloc on) and the row's expected tree: "-n 1 -M internal", "". */
const char *bind_named_flags(const struct bind_row *row);

/* named-checkconf's directory below the prefix for a version ("sbin" or
 * "bin"); NULL when the version has no row. */
const char *bind_checkconf_dir(const char *version);

/* The named flags for a site's bind { version threads internal-malloc },
 * joined with spaces into dst (size n): what named@.service must pass.
 * Returns false (dst "") when the version has no row. */
bool bind_named_flags_for(const char *version, bool threads, bool internal_malloc,
			  char *dst, size_t n);

/* ---- Tree detection from file contents (the caller reads the files). ----
 * Each scan takes the text of one file and fills what that file tells. */
struct bind_tree {
	char version[32];         /* "9.18.49" or "" when not found */
	const char *version_from; /* "version file", "configure.ac AC_INIT", "meson.build project()" */
	struct bind_features f;
};

void bind_tree_init(struct bind_tree *t);
/* Old trees' `version` file: MAJORVER=9 MINORVER=3 PATCHVER=6 RELEASETYPE=-P RELEASEVER=1. */
bool bind_scan_version_file(struct bind_tree *t, const char *text, size_t len);
/* configure.ac / configure.in: AC_INIT version (literal or bind_VERSION_* m4
 * defines), the threads option, --with-jemalloc. `name` is "configure.ac" or
 * "configure.in" (for version_from). Returns true when it looks like BIND's. */
bool bind_scan_configure(struct bind_tree *t, const char *name, const char *text, size_t len);
/* config.threads.in, only when configure.{in,ac} includes it. */
void bind_scan_threads_include(struct bind_tree *t, const char *text, size_t len);
/* Does configure.{in,ac} include config.threads.in? */
bool bind_configure_includes_threads(const char *text, size_t len);
/* lib/isc/mem.c or lib/isc/include/isc/mem.h: the macro, its guard and default. */
void bind_scan_mem(struct bind_tree *t, enum bind_macro_where where, const char *text, size_t len);
/* bin/named/main.c: does -M take "internal"? */
void bind_scan_named_main(struct bind_tree *t, const char *text, size_t len);
/* meson.build: project('bind', ..., version: '9.21.10'). True when BIND's. */
bool bind_scan_meson_build(struct bind_tree *t, const char *text, size_t len);
/* meson.options (or meson_options.txt): option('jemalloc', ...). */
void bind_scan_meson_options(struct bind_tree *t, const char *text, size_t len);

/* ---- The plan: tree features + row + the site's wishes. ---- */
struct bind_wish {
	bool threads;             /* false: one worker (--disable-threads or -n 1) */
	bool internal_malloc;     /* true: BIND's own allocator, or the closest (jemalloc) */
	bool distribution;        /* the site runs a distribution's named (bind { prefix =
				     "/usr" }), not a build of this plan: notes say what
				     the plan cannot decide at run time */
};
#define BIND_WISH_DEFAULT ((struct bind_wish){ .threads = false, .internal_malloc = true })

#define BIND_PLAN_MAX 8
struct bind_plan {
	const struct bind_row *row;       /* may be NULL (unknown version, tree decides) */
	enum bind_build_system build;
	const char *configure[BIND_PLAN_MAX];  /* options, one per element */
	size_t nconfigure;
	const char *defines[BIND_PLAN_MAX];    /* "-DISC_MEM_USE_INTERNAL_MALLOC=1" */
	size_t ndefines;
	const char *named[BIND_PLAN_MAX];      /* named flags, one per element ("-n", "1") */
	size_t nnamed;
	bool edit_mem_c;                  /* only way: edit a copy of mem.c (unguarded macro) */
	int edit_value;                   /* the value the edit sets */
	bool needs_jemalloc;              /* libjemalloc-dev must be present */
	const char *why[BIND_PLAN_MAX];   /* one line per decision, in order */
	size_t nwhy;
	const char *notes[BIND_PLAN_MAX]; /* where the wish could not be met exactly */
	size_t nnotes;
};

/* Combines the features (from a tree, or row->expect) with the row and the
 * wish. Tree facts win: e.g. --disable-threads is planned only when the
 * tree declares the option, -M internal only when mem.h defaults to 0 and
 * named accepts it. */
void bind_plan_make(const struct bind_features *f, const struct bind_row *row,
		    struct bind_wish wish, struct bind_plan *out);
/* Plan from the version alone (cluster-gen): features = row->expect. */
void bind_plan_for_row(const struct bind_row *row, struct bind_wish wish, struct bind_plan *out);

/* Joins a plan list with spaces into dst (size n), truncating safely. */
void bind_join(const char *const *v, size_t nv, char *dst, size_t n);

#endif
