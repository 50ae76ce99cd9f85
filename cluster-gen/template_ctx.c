/* Template contexts: maps of names to strings, booleans and lists of maps,
 * allocated from one arena owned by the root. */
#include "template_ctx.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
/* ------------------------------------------------------------------ */
/* Contexts                                                            */
/* ------------------------------------------------------------------ */

/* A context tree for a 10,000-instance site holds hundreds of thousands of
 * small entries; one bump allocator freed in one go keeps that cheap.
 * Chunks start small and double: most contexts describe one small file,
 * and glibc consolidates its whole heap whenever a block of 64 KiB or more
 * is freed, which made every such context cost a heap walk. */
#define FIRST_CHUNK ((size_t)2 * 1024)
#define CHUNK_SIZE ((size_t)64 * 1024)
#define BIG_ALLOC (CHUNK_SIZE / 4)

struct chunk {
	struct chunk *next;
	max_align_t data[];
};

struct arena {
	struct chunk *chunks;
	char *p;
	size_t left;
	size_t next_size;   /* of the next chunk: FIRST_CHUNK, doubling */
	struct tpl_ctx *root;
};

static struct chunk *chunk_new(size_t size)
{
	return xmalloc(sizeof(struct chunk) + size);
}

/* align is a power of two (an _Alignof): the padding is a mask, not the
 * two divisions a modulo costs on every small allocation. */
static void *arena_alloc(struct arena *a, size_t n, size_t align)
{
	size_t pad = (size_t)(-(uintptr_t)a->p & (align - 1));
	struct chunk *c;
	void *p;

	if (a->p && pad + n <= a->left) {
		p = a->p + pad;
		a->p += pad + n;
		a->left -= pad + n;
		return p;
	}
	if (n > BIG_ALLOC) {
		/* Own chunk, linked behind the current one so that the
		 * current chunk's free space stays in use. */
		c = chunk_new(n);
		if (a->chunks) {
			c->next = a->chunks->next;
			a->chunks->next = c;
		} else {
			c->next = NULL;
			a->chunks = c;
		}
		return c->data;
	}
	if (a->next_size < FIRST_CHUNK)
		a->next_size = FIRST_CHUNK;
	while (a->next_size < n)
		a->next_size *= 2;
	c = chunk_new(a->next_size);
	c->next = a->chunks;
	a->chunks = c;
	a->p = (char *)c->data + n;
	a->left = a->next_size - n;
	if (a->next_size < CHUNK_SIZE)
		a->next_size *= 2;
	return c->data;
}

static char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1, 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

struct tpl_ctx *tpl_ctx_new(void)
{
	struct arena *a = xcalloc(1, sizeof(*a));
	struct tpl_ctx *c = arena_alloc(a, sizeof(*c), _Alignof(struct tpl_ctx));

	c->arena = a;
	c->entries = NULL;
	c->next = NULL;
	a->root = c;
	return c;
}

/* Only a root owns memory; maps returned by tpl_add die with their root. */
void tpl_ctx_free(struct tpl_ctx *root)
{
	struct arena *a;
	struct chunk *c, *next;

	if (!root || root->arena->root != root)
		return;
	a = root->arena;
	for (c = a->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

struct entry *tpl_find_entry(const struct tpl_ctx *c, const char *name, size_t len)
{
	for (struct entry *e = c->entries; e; e = e->next)
		if (e->namelen == len && memcmp(e->name, name, len) == 0)
			return e;
	return NULL;
}

/* The entry for name, created if new; setting a name again replaces it. */
static struct entry *set_entry(struct tpl_ctx *c, const char *name)
{
	size_t len = strlen(name);
	struct entry *e = tpl_find_entry(c, name, len);

	if (e)
		return e;
	e = arena_alloc(c->arena, sizeof(*e), _Alignof(struct entry));
	e->name = arena_strndup(c->arena, name, len);
	e->namelen = len;
	e->kind = VAL_BOOL;
	e->u.b = false;
	e->next = c->entries;
	c->entries = e;
	return e;
}

void tpl_set(struct tpl_ctx *c, const char *name, const char *value)
{
	struct entry *e = set_entry(c, name);
	size_t len = value ? strlen(value) : 0;

	e->kind = VAL_STR;
	e->u.str.s = arena_strndup(c->arena, value ? value : "", len);
	e->u.str.len = len;
}

/* Formats into a stack buffer first: nearly every value is short, and
 * formatting twice (measure, then write) showed in a 10k render's profile. */
void tpl_setf(struct tpl_ctx *c, const char *name, const char *fmt, ...)
{
	struct entry *e = set_entry(c, name);
	char small[128];
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	s = arena_alloc(c->arena, (size_t)n + 1, 1);
	if ((size_t)n < sizeof(small)) {
		memcpy(s, small, (size_t)n + 1);
	} else {
		va_start(ap, fmt);
		vsnprintf(s, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	e->kind = VAL_STR;
	e->u.str.s = s;
	e->u.str.len = (size_t)n;
}

void tpl_set_bool(struct tpl_ctx *c, const char *name, bool value)
{
	struct entry *e = set_entry(c, name);

	e->kind = VAL_BOOL;
	e->u.b = value;
}

struct tpl_ctx *tpl_add(struct tpl_ctx *c, const char *name)
{
	struct entry *e = set_entry(c, name);
	struct tpl_ctx *m;

	if (e->kind != VAL_LIST) {
		e->kind = VAL_LIST;
		e->u.list.first = e->u.list.last = NULL;
		e->u.list.n = 0;
	}
	m = arena_alloc(c->arena, sizeof(*m), _Alignof(struct tpl_ctx));
	m->arena = c->arena;
	m->entries = NULL;
	m->next = NULL;
	if (e->u.list.last)
		e->u.list.last->next = m;
	else
		e->u.list.first = m;
	e->u.list.last = m;
	e->u.list.n++;
	return m;
}

