/* Reading the rendered files a diff compares (diff_facts.c, diff_rules.c):
 * their names, lines and words, and sorted sets of strings read from them. */
#ifndef LVSDNS_DIFF_TEXT_H
#define LVSDNS_DIFF_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "render.h"

/* Whether f's file name (the last part of its path) is base. */
bool is_file(const struct file *f, const char *base);

/* A copy of the line of f at *p (without its newline), *p moved past it;
 * NULL at the end of f. */
char *next_line(const struct file *f, const char **p);

/* The word after the first " opt " of line, or "" (into out, n octets). */
const char *word_after(const char *line, const char *opt, char *out, size_t n);

/* Strings, sorted once read: a DNAT rule file's flows (one per rule or
 * element: a flow is there as often as client networks ask for it), a
 * file's check queries, the balancers' real servers. */
struct keys {
	char **v;
	size_t n, cap;
};

/* strcmp for qsort and bsearch over char * */
int by_string(const void *a, const void *b);
/* Takes key (allocated) into k. */
void keys_add(struct keys *k, char *key);
void keys_sort(struct keys *k);
void keys_free(struct keys *k);

/* Whether k (sorted) holds key. */
bool keys_has(const struct keys *k, const char *key);

/* The key key_of makes of each line of f that has one (NULL: none), added
 * to out, then sorted. */
void keys_of_lines(const struct file *f, char *(*key_of)(const char *line), struct keys *out);

/* Whether a has a key that b lacks (both sorted: one merge pass, so a host
 * of many rules costs no more than sorting them). */
bool has_key_b_lacks(const struct keys *a, const struct keys *b);

#endif
