/* A growable byte buffer for building text (in the spirit of redis' sds):
 * always NUL-terminated, growth is checked, out-of-memory aborts because no
 * caller can do anything useful about it. */
#ifndef LVSDNS_BUF_H
#define LVSDNS_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Returns the contents and leaves b empty; the caller frees the result. */
char *buf_steal(struct buf *b);
/* Appends the whole of file `path` to b (which stays NUL-terminated, also
 * for an empty file). Returns 0, or -1 with errno set. */
int buf_read_file(struct buf *b, const char *path);

/* Allocation helpers that abort on exhaustion. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
