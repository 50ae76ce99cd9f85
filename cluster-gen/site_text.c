#include "site_text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

char *site_text_read(const char *path, size_t *len)
{
	struct buf text;

	buf_init(&text);
	if (buf_read_file(&text, path) != 0) {
		int saved = errno;
		buf_free(&text);
		errno = saved;
		return NULL;
	}
	*len = text.len;
	return buf_steal(&text);
}

/* Blanks text[from, to), keeping newlines. */
static void blank(char *text, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (text[i] != '\n')
			text[i] = ' ';
}

/* The index just past the quoted string opening at text[i]; a backslash
 * takes the next character with it, as in both of libconfuse's string
 * kinds. An unclosed string runs to the end (libconfuse reports it). */
static size_t skip_string(const char *text, size_t i, size_t len)
{
	char quote = text[i++];

	while (i < len && text[i] != quote)
		i += text[i] == '\\' && i + 1 < len ? 2 : 1;
	return i < len ? i + 1 : len;
}

static size_t end_of_line(const char *text, size_t i, size_t len)
{
	const char *nl = memchr(text + i, '\n', len - i);

	return nl ? (size_t)(nl - text) : len;
}

/* Past the closing star-slash of the C comment opening at text[i]. */
static size_t end_of_c_comment(const char *text, size_t i, size_t len)
{
	for (i += 2; i + 1 < len; i++)
		if (text[i] == '*' && text[i + 1] == '/')
			return i + 2;
	return len;
}

void site_text_blank_comments(char *text, size_t len)
{
	size_t i = 0;

	while (i < len) {
		char c = text[i], next = i + 1 < len ? text[i + 1] : '\0';
		size_t end;

		if (c == '"' || c == '\'') {
			i = skip_string(text, i, len);
		} else if (c == '$' && next == '{' && memchr(text + i, '}', len - i)) {
			/* ${VAR}: a '#' inside is part of it (${VAR#x}) */
			i = (size_t)((char *)memchr(text + i, '}', len - i) - text) + 1;
		} else if (c == '#' || (c == '/' && next == '/')) {
			end = end_of_line(text, i, len);
			blank(text, i, end);
			i = end;
		} else if (c == '/' && next == '*') {
			end = end_of_c_comment(text, i, len);
			blank(text, i, end);
			i = end;
		} else {
			i++;
		}
	}
}
