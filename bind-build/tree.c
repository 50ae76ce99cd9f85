/* Reading a BIND source tree from disk; the judging is in bind_table.c. */
#include "tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TEXT (4u << 20)

char *read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[65536];
	size_t n;

	if (f == NULL)
		return NULL;
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < MAX_TEXT)
		buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return b.data != NULL ? buf_steal(&b) : xstrdup("");
}

/* Reads dir/rel; NULL when absent. */
static char *read_rel(const char *dir, const char *rel, size_t *len)
{
	char *path = xasprintf("%s/%s", dir, rel);
	char *text = read_text(path, len);

	free(path);
	return text;
}

const char *bind_macro_file(enum bind_macro_where where)
{
	return where == BIND_MACRO_MEM_C ? "lib/isc/mem.c" : "lib/isc/include/isc/mem.h";
}

static bool mentions(const char *text, size_t len, const char *word)
{
	return text != NULL && memmem(text, len, word, strlen(word)) != NULL;
}

static void find_needs(const char *text, size_t len, struct bind_needs *n)
{
	n->libuv |= mentions(text, len, "libuv");
	n->openssl |= mentions(text, len, "[OPENSSL]") || mentions(text, len, "'openssl'") ||
		      mentions(text, len, "'libssl'");
	n->libcap |= mentions(text, len, "linux-caps") || mentions(text, len, "'libcap'");
	n->nghttp2 |= mentions(text, len, "libnghttp2");
	n->liburcu |= mentions(text, len, "liburcu");
}

/* configure.ac (or configure.in) and the config.threads.in it may include. */
static bool detect_configure(const char *dir, struct bind_tree *t, struct bind_needs *needs)
{
	static const char *const names[] = { "configure.ac", "configure.in" };
	bool is_bind = false;

	for (size_t i = 0; i < 2 && !is_bind; i++) {
		size_t len;
		char *text = read_rel(dir, names[i], &len);

		if (text == NULL)
			continue;
		is_bind = bind_scan_configure(t, names[i], text, len);
		if (is_bind && bind_configure_includes_threads(text, len)) {
			size_t tlen;
			char *th = read_rel(dir, "config.threads.in", &tlen);

			if (th != NULL)
				bind_scan_threads_include(t, th, tlen);
			free(th);
		}
		if (is_bind)
			find_needs(text, len, needs);
		free(text);
	}
	return is_bind;
}

static bool detect_meson(const char *dir, struct bind_tree *t, struct bind_needs *needs)
{
	static const char *const opts[] = { "meson.options", "meson_options.txt" };
	size_t len;
	char *text = read_rel(dir, "meson.build", &len);
	bool is_bind = text != NULL && bind_scan_meson_build(t, text, len);

	if (is_bind)
		find_needs(text, len, needs);
	free(text);
	for (size_t i = 0; is_bind && i < 2; i++) {
		text = read_rel(dir, opts[i], &len);
		if (text != NULL)
			bind_scan_meson_options(t, text, len);
		free(text);
	}
	return is_bind;
}

static void scan_rel(const char *dir, const char *rel, struct bind_tree *t,
		     void (*scan)(struct bind_tree *, const char *, size_t))
{
	size_t len;
	char *text = read_rel(dir, rel, &len);

	if (text != NULL)
		scan(t, text, len);
	free(text);
}

static void scan_mem(const char *dir, enum bind_macro_where where, struct bind_tree *t)
{
	size_t len;
	char *text = read_rel(dir, bind_macro_file(where), &len);

	if (text != NULL)
		bind_scan_mem(t, where, text, len);
	free(text);
}

static void scan_version_file(struct bind_tree *t, const char *text, size_t len)
{
	bind_scan_version_file(t, text, len);
}

int bind_tree_detect(const char *dir, struct bind_tree *t, struct bind_needs *needs,
		     struct buf *err)
{
	bool ac, meson;

	bind_tree_init(t);
	memset(needs, 0, sizeof *needs);
	/* The version file of old trees carries the patch level that their
	 * AC_INIT lacks, so it is read first. */
	scan_rel(dir, "version", t, scan_version_file);
	ac = detect_configure(dir, t, needs);
	meson = detect_meson(dir, t, needs);  /* meson wins where both exist */
	if (!ac && !meson) {
		buf_printf(err, "%s: not a BIND source tree (no configure.ac, configure.in "
			   "or meson.build that names BIND)", dir);
		return -1;
	}
	scan_mem(dir, BIND_MACRO_MEM_H, t);
	scan_mem(dir, BIND_MACRO_MEM_C, t);
	scan_rel(dir, "bin/named/main.c", t, bind_scan_named_main);
	return 0;
}

/* Replaces the value of the first "#define ISC_MEM_USE_INTERNAL_MALLOC" line. */
static int rewrite_define(char *text, size_t len, int value)
{
	static const char M[] = "ISC_MEM_USE_INTERNAL_MALLOC";
	char *p = text, *end = text + len;

	while ((p = memmem(p, (size_t)(end - p), M, sizeof M - 1)) != NULL) {
		char *line = p, *v = p + sizeof M - 1;

		while (line > text && line[-1] != '\n')
			line--;
		p = v;
		if (memmem(line, (size_t)(v - line), "define", 6) == NULL || *line != '#')
			continue;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		if (v < end && (*v == '0' || *v == '1')) {
			*v = value ? '1' : '0';
			return 0;
		}
	}
	return -1;
}

static int write_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");
	int rc;

	if (f == NULL)
		return -1;
	rc = fwrite(text, 1, len, f) == len ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

int bind_edit_macro(const char *dir, enum bind_macro_where where, int value, struct buf *err)
{
	char *path = xasprintf("%s/%s", dir, bind_macro_file(where));
	size_t len;
	char *text = read_text(path, &len);
	struct bind_tree check;
	int rc = -1;

	if (text == NULL || rewrite_define(text, len, value) != 0) {
		buf_printf(err, "%s: no '#define ISC_MEM_USE_INTERNAL_MALLOC 0|1' line to edit", path);
	} else if (write_text(path, text, len) != 0) {
		buf_printf(err, "%s: %s", path, strerror(errno));
	} else {
		bind_tree_init(&check);
		free(text);
		text = read_text(path, &len);
		if (text != NULL)
			bind_scan_mem(&check, where, text, len);
		if (check.f.macro_default == value)
			rc = 0;
		else
			buf_printf(err, "%s: the edit did not take: the macro still reads %d",
				   path, check.f.macro_default);
	}
	free(text);
	free(path);
	return rc;
}
