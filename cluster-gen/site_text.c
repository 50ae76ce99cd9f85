#include "site_text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "site_lex.h"

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

/* A left-to-right walk over the text. The next '}' is remembered, so that
 * finding where ${VAR} ends stays linear even for "${${${...". */
struct scan {
	const char *text;
	size_t len;
	size_t next_close;   /* the first '}' at or after it, or len; valid */
	size_t close_from;   /* from this index on (len + 1: not yet looked) */
};

/* ${VAR} at text[i] as libconfuse's lexer takes it: "${", then anything
 * but '}' up to a '}'. Its end, or 0 when there is none here. */
static size_t env_ref_end(struct scan *sc, size_t i)
{
	const char *close;

	if (i + 1 >= sc->len || sc->text[i] != '$' || sc->text[i + 1] != '{')
		return 0;
	if (sc->close_from > i || sc->next_close < i) {
		close = memchr(sc->text + i, '}', sc->len - i);
		sc->next_close = close ? (size_t)(close - sc->text) : sc->len;
		sc->close_from = i;
	}
	return sc->next_close < sc->len ? sc->next_close + 1 : 0;
}

enum piece { PIECE_OTHER, PIECE_STRING, PIECE_COMMENT, PIECE_ENV_REF };

/* Past the run of characters at text[i] that start no piece: most of a
 * site file, walked here without looking at each one twice. */
static size_t skip_plain(const char *text, size_t i, size_t len)
{
	while (i < len) {
		switch (text[i]) {
		case '"': case '\'': case '$': case '#': case '/':
			return i;
		default:
			i++;
		}
	}
	return i;
}

/* What starts at text[i], the way libconfuse's lexer sees it, and where it
 * ends. */
static enum piece next_piece(struct scan *sc, size_t i, size_t *end)
{
	const char *text = sc->text;
	size_t len = sc->len;
	char c = text[i], next = i + 1 < len ? text[i + 1] : '\0';

	if (c == '"' || c == '\'') {
		*end = lex_string_end(text, len, i);   /* as the walk of the text reads it */
		return PIECE_STRING;
	}
	if ((*end = env_ref_end(sc, i)) != 0)
		return PIECE_ENV_REF;   /* a '#' inside is part of it (${VAR#x}) */
	if (c == '#' || (c == '/' && next == '/')) {
		*end = end_of_line(text, i, len);
		return PIECE_COMMENT;
	}
	if (c == '/' && next == '*') {
		*end = end_of_c_comment(text, i, len);
		return PIECE_COMMENT;
	}
	*end = skip_plain(text, i + 1, len);
	return PIECE_OTHER;
}

void site_text_blank_comments(char *text, size_t len)
{
	struct scan sc = { text, len, len, len + 1 };

	for (size_t i = 0, end; i < len; i = end)
		if (next_piece(&sc, i, &end) == PIECE_COMMENT)
			blank(text, i, end);
}

/* The first ${VAR} in the double-quoted string text[i, end), or 0. Its
 * '}' may lie past the closing quote: libconfuse's pattern runs on. */
static size_t env_ref_in_string(struct scan *sc, size_t i, size_t end)
{
	if (sc->text[i] != '"')
		return 0;   /* single quotes: libconfuse takes it literally */
	for (i++; i < end; i += sc->text[i] == '\\' ? 2 : 1)
		if (env_ref_end(sc, i))
			return i;
	return 0;
}

size_t site_text_env_ref(const char *text, size_t len, size_t *from)
{
	struct scan sc = { text, len, len, len + 1 };

	for (size_t i = *from, end, at; i < len; i = end) {
		enum piece k = next_piece(&sc, i, &end);

		*from = end;
		if (k == PIECE_ENV_REF)
			return i;
		if (k == PIECE_STRING && (at = env_ref_in_string(&sc, i, end)) != 0)
			return at;
	}
	*from = len;
	return len;
}
