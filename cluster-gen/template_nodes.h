/* The inside of a compiled template, shared by the compiler (template.c)
 * and the renderer (template_render.c), which walks what the compiler
 * made. Not for renderers: they use template.h. */
#ifndef LVSDNS_TEMPLATE_NODES_H
#define LVSDNS_TEMPLATE_NODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "template.h"

/* Deeper nesting is surely a mistake, and bounds the render recursion. */
#define MAX_DEPTH 64

enum node_kind { N_TEXT, N_VAR, N_SECTION, N_INVERTED };

/* The template is a flat array; a section's body is the nodes after it up
 * to (not including) index `end`. Text and names point into tpl.text. */
struct node {
	enum node_kind kind;
	int line;
	const char *s;
	size_t len;
	size_t end;
	size_t parent;    /* the innermost enclosing {{#section}}, or NO_PARENT */
};

#define NO_PARENT SIZE_MAX

struct tpl {
	char *name;
	char *text;
	struct node *v;
	size_t n, cap;
	size_t depth;   /* deepest section nesting */
	/* An override only (tpl_check_against): known[i], whether its built-in
	 * template uses node i's name in node i's section or one around it,
	 * which is where the renderer gives that name. */
	bool *known;
};

#endif
