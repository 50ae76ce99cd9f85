/* Before anything is built: extra arguments that would quietly undo the
 * plan are refused, and every missing compiler, tool and library is named
 * with its Debian package, all at once, so that a build does not fail
 * minutes into configure for a reason known at the start. */
#include "build.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

static bool extra_has(const struct build_job *j, const char *arg)
{
	for (size_t i = 0; i < j->nextra; i++)
		if (strcmp(j->extra[i], arg) == 0)
			return true;
	return false;
}

/* Is arg the option name, alone or as name=value? */
static bool opt_is(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

/* Why arg would undo a decision of the plan, or NULL. Covers meson's
 * split "-D name=value" too, as the value word starts with the name. */
static const char *contradiction(const struct bind_plan *p, const char *arg)
{
	static const char *const threads[] = {
		"--enable-threads", "--disable-threads", "--with-threads", "--without-threads",
	};

	for (size_t i = 0; i < sizeof threads / sizeof threads[0]; i++)
		if (opt_is(arg, threads[i]))
			return "threads are chosen with --threads on|off";
	if (strstr(arg, "malloc") != NULL || strstr(arg, "ISC_MEM_") != NULL)
		return "the allocator is chosen with --internal-malloc on|off";
	if (opt_is(arg, "--prefix") || opt_is(arg, "-Dprefix") || opt_is(arg, "prefix"))
		return "the prefix is given with --prefix";
	if (opt_is(arg, "--libdir") || opt_is(arg, "-Dlibdir") || opt_is(arg, "libdir"))
		return "the checks after the install run named with the libraries of PREFIX/lib";
	if (opt_is(arg, "--buildtype") || opt_is(arg, "-Dbuildtype") || opt_is(arg, "buildtype"))
		return "meson builds --buildtype=release (optimised, as autoconf's -O2)";
	if (p->ndefines > 0 &&
	    (opt_is(arg, "CFLAGS") || opt_is(arg, "-Dc_args") || opt_is(arg, "c_args")))
		return "it would replace the CFLAGS that carry the plan's defines; set the CFLAGS "
		       "environment variable instead, which bind-build keeps in front of them";
	return NULL;
}

int build_check_extra(const struct bind_plan *p, char *const *extra, size_t nextra,
		      struct buf *err)
{
	size_t before = err->len;

	for (size_t i = 0; i < nextra; i++) {
		const char *why = contradiction(p, extra[i]);

		if (why != NULL)
			buf_printf(err, "%s-- %s contradicts the plan: %s",
				   err->len > before ? "\nbind-build: " : "", extra[i], why);
	}
	return err->len == before ? 0 : -1;
}

static void need_program(const char *prog, const char *pkg, struct buf *err)
{
	if (!have_program(prog))
		buf_printf(err, "missing program %s: install the Debian package %s\n", prog, pkg);
}

static void need_pkg(const char *module, const char *pkg, struct buf *err)
{
	char *argv[] = { "pkg-config", "--exists", (char *)module, NULL };

	if (run_cmd(argv, NULL, NULL, -1) != 0)
		buf_printf(err, "missing library %s (pkg-config %s): install the Debian package %s\n",
			   module, module, pkg);
}

/* Compares dotted version numbers ("1.0.1" < "1.3.0"); missing parts are 0. */
static int version_cmp(const char *a, const char *b)
{
	while (*a != '\0' || *b != '\0') {
		char *ea, *eb;
		long x = strtol(a, &ea, 10), y = strtol(b, &eb, 10);

		if (x != y)
			return x < y ? -1 : 1;
		a = *ea == '.' ? ea + 1 : ea;
		b = *eb == '.' ? eb + 1 : eb;
		if (ea == a && eb == b)
			break;  /* neither moved: not numbers */
	}
	return 0;
}

/* The ">=X" of meson.build's project(... meson_version: '>=X'), copied into
 * dst; false when the tree states none. */
static bool meson_requirement(const char *tree, char *dst, size_t n)
{
	char *path = xasprintf("%s/meson.build", tree);
	size_t len;
	char *text = read_text(path, &len);
	const char *p = text != NULL ? strstr(text, "meson_version:") : NULL;
	size_t k = 0;

	free(path);
	if (p != NULL) {
		p += strlen("meson_version:");
		p += strspn(p, " \t'\">=");
		while (k + 1 < n && (isdigit((unsigned char)p[k]) || p[k] == '.'))
			k++;
		memcpy(dst, p, k);
	}
	dst[k] = '\0';
	free(text);
	return k > 0;
}

/* BIND's meson.build names the oldest meson it works with; an older one
 * fails late or, before 1.1.0, hides the setup options from named -V. */
static void need_meson_version(const struct build_job *j, struct buf *err)
{
	char want[32], *argv[] = { "meson", "--version", NULL };
	struct buf out;

	if (!have_program("meson") || !meson_requirement(j->tree, want, sizeof want))
		return;
	buf_init(&out);
	if (run_capture(argv, NULL, NULL, &out) != 0 || out.data == NULL)
		buf_printf(err, "meson --version failed; the tree needs meson >= %s\n", want);
	else if (version_cmp(out.data, want) < 0)
		buf_printf(err, "meson %.*s is older than the tree's meson_version '>=%s' (meson.build): "
			   "install a newer meson (Debian backports, or pip install meson)\n",
			   (int)strcspn(out.data, "\n"), out.data, want);
	buf_free(&out);
}

static const char *cc_name(void)
{
	const char *cc = getenv("CC");

	return cc != NULL && *cc != '\0' ? cc : "cc";
}

int build_check_tools(const struct build_job *j, struct buf *err)
{
	const struct bind_needs *n = j->needs;
	size_t before = err->len;

	if (!have_program(cc_name()))
		buf_printf(err, "missing C compiler %s: install the Debian package build-essential (gcc)\n",
			   cc_name());
	if (j->plan->build == BIND_BUILD_MESON) {
		need_program("meson", "meson", err);
		need_program("ninja", "ninja-build", err);
		need_meson_version(j, err);
	} else {
		need_program("make", "make", err);
	}
	if (n->libuv || n->openssl || n->libcap || n->nghttp2 || n->liburcu || j->plan->needs_jemalloc) {
		need_program("pkg-config", "pkg-config", err);
		if (!have_program("pkg-config"))
			return -1;
	}
	if (n->libuv)
		need_pkg("libuv", "libuv1-dev", err);
	if (n->openssl)
		need_pkg("libssl", "libssl-dev", err);
	if (n->libcap && !extra_has(j, "--disable-linux-caps"))
		need_pkg("libcap", "libcap-dev", err);
	if (n->nghttp2 && !extra_has(j, "--disable-doh") && !extra_has(j, "-Ddoh=disabled"))
		need_pkg("libnghttp2", "libnghttp2-dev", err);
	if (n->liburcu)
		need_pkg("liburcu", "liburcu-dev", err);
	if (j->plan->needs_jemalloc)
		need_pkg("jemalloc", "libjemalloc-dev", err);
	return err->len == before ? 0 : -1;
}
