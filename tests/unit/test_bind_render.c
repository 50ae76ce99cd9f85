/* cluster-gen's render_bind: DIR/bind-build/build.env from the one table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../cluster-gen/render.h"

int render_bind(const struct site *s, struct templates *t, struct files *out, struct buf *err);

/* Renders build.env for one bind section; returns its text (static). */
static const char *prefix_wanted;  /* bind { prefix }; NULL: unset, as a site made in code */

static const char *render(const char *version, bool threads, bool internal_malloc, int *rc,
			  struct buf *err)
{
	static char text[8192];
	struct site s = { .file = "site.conf", .name = "example" };
	struct templates *t = templates_new(NULL);
	struct files out;

	s.bind = (struct bind){ .version_at = { 42 }, .version = (char *)version, .threads = threads,
				.internal_malloc = internal_malloc, .prefix = (char *)prefix_wanted };
	files_init(&out);
	*rc = render_bind(&s, t, &out, err);
	text[0] = '\0';
	if (*rc == 0) {
		assert_int_equal(out.n, 1);
		assert_string_equal(out.v[0].path, "bind-build/build.env");
		assert_true(out.v[0].len < sizeof text);
		memcpy(text, out.v[0].data, out.v[0].len);
		text[out.v[0].len] = '\0';
	}
	files_free(&out);
	templates_free(t);
	return text;
}

static void has(const char *text, const char *line)
{
	if (strstr(text, line) == NULL)
		fail_msg("missing \"%s\" in:\n%s", line, text);
}

static void test_918_default(void **state)
{
	struct buf err;
	int rc;
	const char *env;

	(void)state;
	buf_init(&err);
	env = render("9.18.49", false, true, &rc, &err);
	assert_int_equal(rc, 0);
	has(env, "BIND_VERSION='9.18.49'\n");
	has(env, "BIND_ROW='9.17.17-9.20.x'\n");
	has(env, "BIND_BUILD_SYSTEM='autoconf'\n");
	has(env, "BIND_CONFIGURE_FLAGS='--with-jemalloc=yes'\n");
	has(env, "BIND_CFLAGS_DEFINES=''\n");
	has(env, "BIND_NAMED_FLAGS='-n 1'\n");
	/* Both wishes are approximated, and build.env says so. */
	has(env, "# NOTE: threads = off: this BIND cannot be built without threads");
	has(env, "# NOTE: internal-malloc = on: this BIND has no internal allocator; jemalloc");
	buf_free(&err);
}

static void test_eras(void **state)
{
	struct buf err;
	int rc;
	const char *env;

	(void)state;
	buf_init(&err);
	env = render("9.3.6-P1", false, true, &rc, &err);
	has(env, "BIND_CONFIGURE_FLAGS='--disable-threads'\n");
	has(env, "BIND_CFLAGS_DEFINES='-DISC_MEM_USE_INTERNAL_MALLOC=1'\n");
	has(env, "BIND_NAMED_FLAGS='-n 1'\n");
	assert_null(strstr(env, "# NOTE:"));
	env = render("9.16.30", false, true, &rc, &err);
	has(env, "BIND_NAMED_FLAGS='-n 1 -M internal'\n");
	env = render("9.16.30", true, false, &rc, &err);
	has(env, "BIND_NAMED_FLAGS=''\n");
	/* 9.17.11-9.17.16 have no jemalloc option: build.env must not claim one. */
	env = render("9.17.14", false, true, &rc, &err);
	has(env, "BIND_ROW='9.17.11-9.17.16'\n");
	has(env, "BIND_CONFIGURE_FLAGS=''\n");
	has(env, "# NOTE: internal-malloc = on: this BIND has neither its internal allocator nor a jemalloc option");
	env = render("9.22.1", false, true, &rc, &err);
	has(env, "BIND_BUILD_SYSTEM='meson'\n");
	has(env, "BIND_CONFIGURE_FLAGS='-Djemalloc=enabled'\n");
	buf_free(&err);
}

/* build.env names the installation the units run, from the one site value,
 * and how to build into it; the distribution's (/usr) is not built. */
static void test_prefix(void **state)
{
	struct buf err;
	int rc;
	const char *env;

	(void)state;
	buf_init(&err);
	env = render("9.18.49", false, true, &rc, &err);
	has(env, "BIND_PREFIX='/usr/local'\n");
	has(env, "# Build with:  bind-build bind-9.18.49.tar.xz --prefix /usr/local --threads off --internal-malloc on\n");
	has(env, "/usr/local/sbin/named and /usr/local/bin/named-checkconf.\n");
	prefix_wanted = "/opt/bind";
	env = render("9.16.44", false, true, &rc, &err);
	has(env, "BIND_PREFIX='/opt/bind'\n");
	has(env, "--prefix /opt/bind --threads off");
	has(env, "/opt/bind/sbin/named and /opt/bind/sbin/named-checkconf.\n");
	prefix_wanted = "/usr";
	env = render("9.18.49", false, true, &rc, &err);
	assert_int_equal(rc, 0);
	has(env, "BIND_PREFIX='/usr'\n");
	has(env, "# Not built for this site: prefix = \"/usr\" runs the distribution's BIND\n");
	has(env, "/usr/sbin/named and /usr/bin/named-checkconf;\n");
	assert_null(strstr(env, "# Build with:"));
	/* The distribution's build chose the allocator (jemalloc) already. */
	has(env, "# NOTE: prefix = \"/usr\": this BIND chooses its allocator when it is built");
	/* Debian's 9.11 has threads: -n 1 all the same, nothing to note. */
	env = render("9.11.5-P4", false, true, &rc, &err);
	has(env, "BIND_NAMED_FLAGS='-n 1'\n");
	assert_null(strstr(env, "# NOTE:"));
	prefix_wanted = NULL;
	env = render("9.18.49", false, true, &rc, &err);
	assert_null(strstr(env, "prefix = \"/usr\": this BIND"));
	buf_free(&err);
}

static void test_refused(void **state)
{
	struct buf err;
	int rc;

	(void)state;
	buf_init(&err);
	render("9.1.3", false, true, &rc, &err);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err.data, "site.conf:42: bind version \"9.1.3\""));
	buf_reset(&err);
	render("9.18.49';reboot;'", false, true, &rc, &err);
	assert_int_equal(rc, -1);
	buf_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_918_default),
		cmocka_unit_test(test_eras),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
