/* Reading a BIND source tree from disk: which files exist and what they say.
 * The text is handed to the pure bind_scan_* functions of bind_table.c. */
#ifndef LVSDNS_BIND_TREE_H
#define LVSDNS_BIND_TREE_H

#include <stdbool.h>

#include "bind_table.h"
#include "buf.h"

/* Libraries a tree's build will look for, and whether the tree names them. */
struct bind_needs {
	bool libuv, openssl, libcap, nghttp2, liburcu;
};

/* Fills t from the files under dir. Returns 0, or -1 with a message in err
 * when dir is not a BIND source tree. */
int bind_tree_detect(const char *dir, struct bind_tree *t, struct bind_needs *needs,
		     struct buf *err);

/* The file that defines ISC_MEM_USE_INTERNAL_MALLOC, relative to the tree. */
const char *bind_macro_file(enum bind_macro_where where);

/* Rewrites the macro's #define in dir's copy to value and verifies the
 * result by scanning it again. 0, or -1 with a message in err. */
int bind_edit_macro(const char *dir, enum bind_macro_where where, int value, struct buf *err);

/* Reads a whole file (at most 4 MiB); NULL when missing or unreadable. */
char *read_text(const char *path, size_t *len);

#endif
