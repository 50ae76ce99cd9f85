/* Generated at build time by tools/embed-templates from the templates folder. */
#ifndef LVSDNS_EMBEDDED_TEMPLATES_H
#define LVSDNS_EMBEDDED_TEMPLATES_H

#include <stddef.h>

struct embedded_template {
	const char *name;
	const char *text;
	size_t len;
};

extern const struct embedded_template embedded_templates[];
extern const size_t nembedded_templates;

#endif
