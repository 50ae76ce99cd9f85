/* bind-build: version table, tree detection on small fixture trees shaped
 * like each BIND era (written here, not copied from BIND), and the plan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../bind-build/bind_table.h"
#include "../../bind-build/tree.h"
#include "buf.h"
#include "outtree.h"

/* ---- fixture trees ---- */

static void put(const char *dir, const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", dir, rel);
	char *slash = strrchr(path, '/');
	FILE *f;

	*slash = '\0';
	assert_int_equal(make_dirs(path, 0755), 0);
	*slash = '/';
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	free(path);
}

static char *new_tree(void)
{
	char *dir = xstrdup("/tmp/test_bind_table.XXXXXX");

	assert_non_null(mkdtemp(dir));
	return dir;
}

static const char MEM_GUARD_0[] =
	"/* allocator */\n#ifndef ISC_MEM_USE_INTERNAL_MALLOC\n#define ISC_MEM_USE_INTERNAL_MALLOC 0\n#endif\n";
static const char MEM_GUARD_1[] =
	"#ifndef ISC_MEM_USE_INTERNAL_MALLOC\n#  define ISC_MEM_USE_INTERNAL_MALLOC 1\n#endif\n";

/* 9.3: version file, configure.in with the threads option, macro in mem.c. */
static char *tree_93(void)
{
	char *d = new_tree();

	put(d, "version", "# version\nMAJORVER=9\nMINORVER=3\nPATCHVER=6\nRELEASETYPE=-P\nRELEASEVER=1\n");
	put(d, "configure.in", "AC_INIT(lib/dns/name.c)\nAC_ARG_ENABLE(threads,\n"
	       "[  --enable-threads\tenable multithreading])\n");
	put(d, "lib/isc/mem.c", MEM_GUARD_0);
	put(d, "lib/isc/include/isc/mem.h", "/* ISC_MEM_USE_INTERNAL_MALLOC is in mem.c */\n");
	return d;
}

/* 9.9: macro moved to mem.h with default 1. */
static char *tree_99(void)
{
	char *d = new_tree();

	put(d, "version", "MAJORVER=9\nMINORVER=9\nPATCHVER=13\nRELEASETYPE=\nRELEASEVER=\n");
	put(d, "configure.in", "AC_INIT(lib/dns/name.c)\nAC_ARG_ENABLE(threads,\n"
	       "\t[  --enable-threads\tenable multithreading])\n");
	put(d, "lib/isc/include/isc/mem.h", MEM_GUARD_1);
	return d;
}

/* 9.11: the threads option lives in config.threads.in, included. */
static char *tree_911(void)
{
	char *d = new_tree();

	put(d, "version", "MAJORVER=9\nMINORVER=11\nPATCHVER=37\nRELEASETYPE=\nRELEASEVER=\n");
	put(d, "configure.in", "AC_INIT(BIND, [9.11], [info@isc.org], [], [https://www.isc.org/])\n"
	       "sinclude(config.threads.in)dnl\n");
	put(d, "config.threads.in", "AC_ARG_ENABLE(threads,\n"
	       "\tAS_HELP_STRING([--enable-threads], [enable multithreading]))\n");
	put(d, "lib/isc/include/isc/mem.h", MEM_GUARD_1);
	return d;
}

/* 9.16.30: config.threads.in left behind but not included; mem.h default 0;
 * named -M knows "internal". */
static char *tree_91630(void)
{
	char *d = new_tree();

	put(d, "version", "MAJORVER=9\nMINORVER=16\nPATCHVER=30\nRELEASETYPE=\nRELEASEVER=\n");
	put(d, "configure.ac", "AC_INIT(BIND, [9.16], [info@isc.org], [], [https://www.isc.org/])\n"
	       "# config.threads.in is no longer included\n"
	       "AC_CHECK_HEADERS([threads.h])\n");
	put(d, "config.threads.in", "AC_ARG_ENABLE(threads, [  --enable-threads])\n");
	put(d, "lib/isc/include/isc/mem.h", MEM_GUARD_0);
	put(d, "bin/named/main.c", "static struct flag_def mem_context_flags[] = {\n"
	       "\t{ \"external\", ISC_MEMFLAG_INTERNAL, true },\n"
	       "\t{ \"internal\", ISC_MEMFLAG_INTERNAL, false },\n};\n");
	return d;
}

/* 9.18: m4 version parts, jemalloc option, no macro (a comment mentions it). */
static char *tree_918(void)
{
	char *d = new_tree();

	put(d, "configure.ac", "# the version is kept in m4, not in a shell variable in AC_INIT()\n"
	       "m4_define([bind_VERSION_MAJOR], 9)dnl\n"
	       "m4_define([bind_VERSION_MINOR], 18)dnl\n"
	       "m4_define([bind_VERSION_PATCH], 49)dnl\n"
	       "AC_INIT([BIND], bind_PKG_VERSION, [https://example.invalid/], [], [])\n"
	       "dnl AC_ARG_ENABLE([threads], [an old comment])\n"
	       "AC_ARG_ENABLE([pthread_rwlock], [AS_HELP_STRING([--enable-pthread-rwlock])])\n"
	       "AC_ARG_WITH([jemalloc],\n  [AS_HELP_STRING([--with-jemalloc=detect])])\n"
	       "PKG_CHECK_MODULES([LIBUV], [libuv >= 1.37.0])\n");
	put(d, "lib/isc/include/isc/mem.h", "#if ISC_MEM_DEFAULTFILL\n"
	       "#define ISC_MEMFLAG_DEFAULT 4\n#else /* if !ISC_MEM_USE_INTERNAL_MALLOC */\n#endif\n");
	return d;
}

/* 9.21.10: meson. */
static char *tree_921(void)
{
	char *d = new_tree();

	put(d, "meson.build", "project(\n  'bind',\n  ['c'],\n  version: '9.21.10',\n"
	       "  meson_version: '>=0.61',\n)\nuv_dep = dependency('libuv')\n");
	put(d, "meson.options", "option('doh', type: 'feature', value: 'auto')\n"
	       "option(\n  'jemalloc',\n  type: 'feature',\n  value: 'auto',\n)\n");
	return d;
}

struct era {
	char *(*make)(void);
	const char *version, *row, *configure, *defines, *named;
	enum bind_build_system build;
};

static const struct era eras[] = {
	{ tree_93, "9.3.6-P1", "9.2.0-9.3.x", "--disable-threads",
	  "-DISC_MEM_USE_INTERNAL_MALLOC=1", "-n 1", BIND_BUILD_AUTOCONF },
	{ tree_99, "9.9.13", "9.4.0-9.9.x", "--disable-threads", "", "-n 1", BIND_BUILD_AUTOCONF },
	{ tree_911, "9.11.37", "9.10.0-9.13.2", "--disable-threads", "", "-n 1", BIND_BUILD_AUTOCONF },
	{ tree_91630, "9.16.30", "9.16.25-9.16.x", "", "", "-n 1 -M internal", BIND_BUILD_AUTOCONF },
	{ tree_918, "9.18.49", "9.17.17-9.20.x", "--with-jemalloc=yes", "", "-n 1", BIND_BUILD_AUTOCONF },
	{ tree_921, "9.21.10", "9.21.10+", "-Djemalloc=enabled", "", "-n 1", BIND_BUILD_MESON },
};

static void joined(const char *const *v, size_t n, const char *want)
{
	char s[256];

	bind_join(v, n, s, sizeof s);
	assert_string_equal(s, want);
}

static void detect(const char *dir, struct bind_tree *t, struct bind_plan *p)
{
	struct bind_needs needs;
	struct buf err;

	buf_init(&err);
	if (bind_tree_detect(dir, t, &needs, &err) != 0)
		fail_msg("%s", err.data);
	buf_free(&err);
	bind_plan_make(&t->f, bind_row_for_version(t->version), BIND_WISH_DEFAULT, p);
}

static void test_eras(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof eras / sizeof eras[0]; i++) {
		const struct era *e = &eras[i];
		char *dir = e->make();
		struct bind_tree t;
		struct bind_plan p;

		detect(dir, &t, &p);
		assert_string_equal(t.version, e->version);
		assert_int_equal(t.f.build, e->build);
		assert_non_null(p.row);
		assert_string_equal(p.row->id, e->row);
		joined(p.configure, p.nconfigure, e->configure);
		joined(p.defines, p.ndefines, e->defines);
		joined(p.named, p.nnamed, e->named);
		assert_false(p.edit_mem_c);
		assert_int_equal(remove_tree(dir), 0);
		free(dir);
	}
}

static void test_era_features(void **state)
{
	struct bind_tree t;
	struct bind_plan p;
	char *dir;

	(void)state;
	dir = tree_93();
	detect(dir, &t, &p);
	assert_string_equal(t.version_from, "version file");
	assert_int_equal(t.f.macro, BIND_MACRO_MEM_C);
	assert_true(t.f.macro_guarded);
	assert_int_equal(t.f.macro_default, 0);
	assert_true(t.f.threads_option);
	remove_tree(dir);
	free(dir);

	dir = tree_91630();  /* config.threads.in present but not included */
	detect(dir, &t, &p);
	assert_false(t.f.threads_option);
	assert_true(t.f.named_M_internal);
	assert_int_equal(t.f.macro, BIND_MACRO_MEM_H);
	remove_tree(dir);
	free(dir);

	dir = tree_918();  /* dnl comment and pthread_rwlock are not the option */
	detect(dir, &t, &p);
	assert_false(t.f.threads_option);
	assert_int_equal(t.f.macro, BIND_MACRO_ABSENT);
	assert_true(t.f.jemalloc_option);
	assert_string_equal(t.version_from, "configure.ac");
	assert_true(p.needs_jemalloc);
	remove_tree(dir);
	free(dir);

	dir = tree_921();
	detect(dir, &t, &p);
	assert_string_equal(t.version_from, "meson.build project()");
	assert_true(t.f.jemalloc_option);
	remove_tree(dir);
	free(dir);
}

/* The version says 9.16.30, the tree says mem.h defaults to 1: the tree wins. */
static void test_tree_beats_version(void **state)
{
	char *dir = tree_91630();
	struct bind_tree t;
	struct bind_plan p;
	int differs = 0;

	(void)state;
	put(dir, "lib/isc/include/isc/mem.h", MEM_GUARD_1);
	detect(dir, &t, &p);
	assert_string_equal(p.row->id, "9.16.25-9.16.x");
	joined(p.named, p.nnamed, "-n 1");
	for (size_t i = 0; i < p.nwhy; i++)
		differs += strstr(p.why[i], "differs") != NULL;
	assert_int_equal(differs, 1);
	remove_tree(dir);
	free(dir);
}

/* An unguarded #define in mem.c: only an edit of a copy works; verify it. */
static void test_unguarded_edit(void **state)
{
	char *dir = tree_93();
	struct bind_tree t;
	struct bind_plan p;
	struct buf err;
	size_t len;
	char *path, *text;

	(void)state;
	put(dir, "lib/isc/mem.c", "#include <config.h>\n#define ISC_MEM_USE_INTERNAL_MALLOC 0\n");
	detect(dir, &t, &p);
	assert_false(t.f.macro_guarded);
	assert_true(p.edit_mem_c);
	assert_int_equal(p.edit_value, 1);
	assert_int_equal(p.ndefines, 0);
	buf_init(&err);
	assert_int_equal(bind_edit_macro(dir, BIND_MACRO_MEM_C, 1, &err), 0);
	path = xasprintf("%s/lib/isc/mem.c", dir);
	text = read_text(path, &len);
	assert_string_equal(text, "#include <config.h>\n#define ISC_MEM_USE_INTERNAL_MALLOC 1\n");
	free(text);
	free(path);
	/* No line to edit: an error, not a silent success. */
	put(dir, "lib/isc/mem.c", "/* nothing */\n");
	assert_int_equal(bind_edit_macro(dir, BIND_MACRO_MEM_C, 1, &err), -1);
	assert_non_null(strstr(err.data, "no '#define"));
	buf_free(&err);
	remove_tree(dir);
	free(dir);
}

/* Guards are written in more than one way; both count. */
static void test_mem_shapes(void **state)
{
	static const char if_defined[] =
		"#if !defined(ISC_MEM_USE_INTERNAL_MALLOC) && !defined(SOME_OTHER_SWITCH)\n"
		"#define ISC_MEM_USE_INTERNAL_MALLOC 0\n#endif\n";
	static const char spaced[] = "# ifndef ISC_MEM_USE_INTERNAL_MALLOC\n"
		"#\tdefine\tISC_MEM_USE_INTERNAL_MALLOC\t1\n#endif\n";
	static const char longer_name[] = "#define ISC_MEM_USE_INTERNAL_MALLOC_X 1\n";
	struct bind_tree t;

	(void)state;
	bind_tree_init(&t);
	bind_scan_mem(&t, BIND_MACRO_MEM_H, if_defined, sizeof if_defined - 1);
	assert_int_equal(t.f.macro, BIND_MACRO_MEM_H);
	assert_true(t.f.macro_guarded);
	assert_int_equal(t.f.macro_default, 0);
	bind_tree_init(&t);
	bind_scan_mem(&t, BIND_MACRO_MEM_C, spaced, sizeof spaced - 1);
	assert_true(t.f.macro_guarded);
	assert_int_equal(t.f.macro_default, 1);
	bind_tree_init(&t);
	bind_scan_mem(&t, BIND_MACRO_MEM_H, longer_name, sizeof longer_name - 1);
	assert_int_equal(t.f.macro, BIND_MACRO_ABSENT);
}

static void test_not_bind(void **state)
{
	char *dir = new_tree();
	struct bind_tree t;
	struct bind_needs needs;
	struct buf err;

	(void)state;
	buf_init(&err);
	assert_int_equal(bind_tree_detect(dir, &t, &needs, &err), -1);
	assert_non_null(strstr(err.data, "not a BIND source tree"));
	buf_reset(&err);
	put(dir, "configure.ac", "AC_INIT([frobnicate], [9.18.1])\n");
	put(dir, "meson.build", "project('unbound', 'c', version: '9.18.1')\n");
	assert_int_equal(bind_tree_detect(dir, &t, &needs, &err), -1);
	buf_free(&err);
	remove_tree(dir);
	free(dir);
}

static void test_versions(void **state)
{
	(void)state;
	assert_int_equal(bind_version_number("9.18.49"), BIND_V(9, 18, 49));
	assert_int_equal(bind_version_number("9.11.5-P4"), BIND_V(9, 11, 5));
	assert_int_equal(bind_version_number("9.16.25-S1"), BIND_V(9, 16, 25));
	assert_int_equal(bind_version_number("9.18"), 0);
	assert_int_equal(bind_version_number("10.0.0"), 0);
	assert_int_equal(bind_version_number("9.1.2.3"), 0);
	assert_int_equal(bind_version_number("x"), 0);
	assert_int_equal(bind_version_number(NULL), 0);
	assert_null(bind_row_for_version("9.1.3"));
	assert_null(bind_row_for_version("9.18"));
	assert_null(bind_row_for_version("bind"));
	assert_string_equal(bind_row_for_version("9.2.0")->id, "9.2.0-9.3.x");
	assert_string_equal(bind_row_for_version("9.13.2")->id, "9.10.0-9.13.2");
	assert_string_equal(bind_row_for_version("9.13.3")->id, "9.13.3-9.16.24");
	assert_string_equal(bind_row_for_version("9.16.24")->id, "9.13.3-9.16.24");
	assert_string_equal(bind_row_for_version("9.16.25")->id, "9.16.25-9.16.x");
	assert_string_equal(bind_row_for_version("9.17.1")->id, "9.17.0-9.17.1");
	assert_string_equal(bind_row_for_version("9.17.2")->id, "9.17.2-9.17.10");
	assert_string_equal(bind_row_for_version("9.17.10")->id, "9.17.2-9.17.10");
	/* --with-jemalloc first appears in 9.17.17's configure.ac. */
	assert_string_equal(bind_row_for_version("9.17.11")->id, "9.17.11-9.17.16");
	assert_string_equal(bind_row_for_version("9.17.16")->id, "9.17.11-9.17.16");
	assert_string_equal(bind_row_for_version("9.17.17")->id, "9.17.17-9.20.x");
	assert_string_equal(bind_row_for_version("9.17.16")->configure, "");
	assert_string_equal(bind_row_for_version("9.20.15")->id, "9.17.17-9.20.x");
	assert_string_equal(bind_row_for_version("9.21.9")->id, "9.21.0-9.21.9");
	assert_string_equal(bind_row_for_version("9.21.10")->id, "9.21.10+");
	assert_string_equal(bind_row_for_version("9.22.0")->id, "9.21.10+");
	assert_string_equal(bind_named_flags(bind_row_for_version("9.16.30")), "-n 1 -M internal");
	assert_string_equal(bind_named_flags(NULL), "");
}

/* Checked against BIND's own install rules: bin/check/Makefile.in installs
 * named-checkconf into sbindir up to 9.17.1 (9.2.0, 9.11.0, 9.16.50 alike);
 * 9.17.2's automake build has bin_PROGRAMS = named-checkconf (9.18.x too),
 * and meson (9.21.10+) installs it without install_dir, into bindir. named
 * stays in sbin throughout. */
static void test_checkconf_dir(void **state)
{
	(void)state;
	assert_string_equal(bind_checkconf_dir("9.2.0"), "sbin");
	assert_string_equal(bind_checkconf_dir("9.11.37"), "sbin");
	assert_string_equal(bind_checkconf_dir("9.16.50"), "sbin");
	assert_string_equal(bind_checkconf_dir("9.17.1"), "sbin");
	assert_string_equal(bind_checkconf_dir("9.17.2"), "bin");
	assert_string_equal(bind_checkconf_dir("9.18.49"), "bin");
	assert_string_equal(bind_checkconf_dir("9.21.10"), "bin");
	assert_null(bind_checkconf_dir("9.1.3"));
	assert_null(bind_checkconf_dir(NULL));
	assert_string_equal(BIND_NAMED_DIR, "sbin");
}

static void test_named_flags_for(void **state)
{
	char s[64];

	(void)state;
	assert_true(bind_named_flags_for("9.16.30", false, true, s, sizeof s));
	assert_string_equal(s, "-n 1 -M internal");
	assert_true(bind_named_flags_for("9.16.30", false, false, s, sizeof s));
	assert_string_equal(s, "-n 1");
	assert_true(bind_named_flags_for("9.18.49", true, true, s, sizeof s));
	assert_string_equal(s, "");
	/* threads = off is -n 1 even where configure can leave threads out: a
	 * distribution's named of that release may have them. */
	assert_true(bind_named_flags_for("9.9.4", false, true, s, sizeof s));
	assert_string_equal(s, "-n 1");
	assert_true(bind_named_flags_for("9.2.0", false, true, s, sizeof s));
	assert_string_equal(s, "-n 1");
	assert_true(bind_named_flags_for("9.13.2", false, false, s, sizeof s));
	assert_string_equal(s, "-n 1");
	assert_true(bind_named_flags_for("9.11.37", true, true, s, sizeof s));
	assert_string_equal(s, "");
	assert_false(bind_named_flags_for("8.4.7", false, true, s, sizeof s));
	assert_string_equal(s, "");
}

/* Every row's strings are what the plan makes from its expected tree, and
 * the rows cover 9.2.0 upwards without gaps or overlaps. */
static void test_table_consistent(void **state)
{
	(void)state;
	for (size_t i = 0; i < bind_nrows; i++) {
		const struct bind_row *r = &bind_rows[i];
		struct bind_plan p;

		bind_plan_for_row(r, BIND_WISH_DEFAULT, &p);
		joined(p.configure, p.nconfigure, r->configure);
		joined(p.defines, p.ndefines, r->defines);
		joined(p.named, p.nnamed, r->named_flags);
		assert_true(r->first <= r->last);
		assert_true(strcmp(r->checkconf_dir, "sbin") == 0 || strcmp(r->checkconf_dir, "bin") == 0);
		if (i > 0 && strcmp(bind_rows[i - 1].checkconf_dir, "bin") == 0)
			assert_string_equal(r->checkconf_dir, "bin");
		if (i > 0)
			assert_int_equal(bind_rows[i - 1].last + 1 == r->first ||
					 (bind_rows[i - 1].last % 1000 == 999 &&
					  r->first == BIND_V(9, bind_rows[i - 1].last / 1000 % 1000 + 1, 0)),
					 1);
	}
}

static void test_wishes(void **state)
{
	struct bind_plan p;
	struct bind_wish threads_on = { .threads = true, .internal_malloc = true };
	struct bind_wish sys_malloc = { .threads = false, .internal_malloc = false };

	(void)state;
	bind_plan_for_row(bind_row_for_version("9.9.1"), threads_on, &p);
	joined(p.configure, p.nconfigure, "--enable-threads");
	bind_plan_for_row(bind_row_for_version("9.9.1"), sys_malloc, &p);
	joined(p.defines, p.ndefines, "-DISC_MEM_USE_INTERNAL_MALLOC=0");
	bind_plan_for_row(bind_row_for_version("9.3.2"), sys_malloc, &p);
	assert_int_equal(p.ndefines, 0);
	bind_plan_for_row(bind_row_for_version("9.16.30"), sys_malloc, &p);
	joined(p.named, p.nnamed, "-n 1");
	bind_plan_for_row(bind_row_for_version("9.18.49"), sys_malloc, &p);
	joined(p.configure, p.nconfigure, "--without-jemalloc");
	assert_false(p.needs_jemalloc);
	bind_plan_for_row(bind_row_for_version("9.21.10"), sys_malloc, &p);
	joined(p.configure, p.nconfigure, "-Djemalloc=disabled");
	bind_plan_for_row(bind_row_for_version("9.18.49"), threads_on, &p);
	assert_int_equal(p.nnamed, 0);
	assert_int_equal(p.nnotes, 1);  /* jemalloc instead of internal */
	bind_plan_for_row(bind_row_for_version("9.18.49"), BIND_WISH_DEFAULT, &p);
	assert_int_equal(p.nnotes, 2);  /* and -n 1 instead of no threads */
	bind_plan_for_row(bind_row_for_version("9.4.0"), BIND_WISH_DEFAULT, &p);
	assert_int_equal(p.nnotes, 0);
}

/* A site that runs the distribution's named: where the allocator is chosen
 * at build time the plan cannot apply it, and a note says so; -M internal
 * (run time) and "nothing to change" need no note. */
static void test_distribution(void **state)
{
	struct bind_wish dist = { .threads = false, .internal_malloc = true, .distribution = true };
	struct bind_wish dist_sys = { .threads = false, .internal_malloc = false, .distribution = true };
	struct bind_plan p;

	(void)state;
	bind_plan_for_row(bind_row_for_version("9.18.49"), dist, &p);
	assert_int_equal(p.nnotes, 3);
	assert_non_null(strstr(p.notes[2], "chooses its allocator when it is built"));
	joined(p.named, p.nnamed, "-n 1");
	bind_plan_for_row(bind_row_for_version("9.3.6"), dist, &p);  /* a define */
	assert_int_equal(p.nnotes, 1);
	bind_plan_for_row(bind_row_for_version("9.11.5"), dist_sys, &p);  /* =0 define */
	assert_int_equal(p.nnotes, 1);
	bind_plan_for_row(bind_row_for_version("9.11.5"), dist, &p);
	assert_int_equal(p.nnotes, 0);
	joined(p.named, p.nnamed, "-n 1");
	bind_plan_for_row(bind_row_for_version("9.16.44"), dist, &p);
	assert_int_equal(p.nnotes, 1);  /* only that threads are mandatory */
	assert_null(strstr(p.notes[0], "allocator"));
	joined(p.named, p.nnamed, "-n 1 -M internal");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eras),
		cmocka_unit_test(test_era_features),
		cmocka_unit_test(test_tree_beats_version),
		cmocka_unit_test(test_unguarded_edit),
		cmocka_unit_test(test_mem_shapes),
		cmocka_unit_test(test_not_bind),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_checkconf_dir),
		cmocka_unit_test(test_named_flags_for),
		cmocka_unit_test(test_table_consistent),
		cmocka_unit_test(test_wishes),
		cmocka_unit_test(test_distribution),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
