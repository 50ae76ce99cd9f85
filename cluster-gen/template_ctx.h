/* The inside of template contexts, shared by template_ctx.c (building them)
 * and template_render.c (rendering with them). Not for renderers: they use
 * template.h. */
#ifndef LVSDNS_TEMPLATE_CTX_H
#define LVSDNS_TEMPLATE_CTX_H

#include <stdbool.h>
#include <stddef.h>

#include "template.h"

struct arena;

enum val_kind { VAL_STR, VAL_BOOL, VAL_LIST };

struct entry {
	struct entry *next;
	const char *name;
	size_t namelen;
	enum val_kind kind;
	union {
		struct {
			const char *s;
			size_t len;
		} str;
		bool b;
		struct {
			struct tpl_ctx *first, *last;
			size_t n;
		} list;
	} u;
};

struct tpl_ctx {
	struct arena *arena;
	struct entry *entries;
	struct tpl_ctx *next;   /* next map of the list that holds this one */
};

/* The entry named by the first len octets of name in map c, or NULL. */
struct entry *tpl_find_entry(const struct tpl_ctx *c, const char *name, size_t len);

#endif
