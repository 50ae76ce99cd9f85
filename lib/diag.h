/* Problems found in an input file, collected as values and reported from one
 * place: "FILE:LINE: message" and, where it helps, "  hint: ...". */
#ifndef LVSDNS_DIAG_H
#define LVSDNS_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct diag_entry {
	int line;      /* 0: the file as a whole */
	size_t seq;    /* order of detection, to keep the sort stable */
	bool warning;  /* said, but the file is used */
	char *message;
	char *hint;    /* may be NULL */
};

struct diags {
	const char *file;
	struct diag_entry *v;
	size_t n, cap;
	size_t nwarnings;   /* of the n */
	/* Set when the problems stopped the check early, what was left out
	 * (said after the count); NULL when the file was checked whole. */
	const char *left_out;
};

void diags_init(struct diags *d, const char *file);
void diags_free(struct diags *d);
void diag_add(struct diags *d, int line, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Something likely unintended that breaks nothing: printed with
 * "warning: ", and not counted by diags_errors. */
void diag_warn(struct diags *d, int line, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The problems that are not warnings: the file is refused when there is one. */
size_t diags_errors(const struct diags *d);
/* Sorted by line (then detection order), one problem per line of output. */
void diags_print(struct diags *d, FILE *out);

#endif
