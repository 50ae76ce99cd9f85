#include "site_text.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
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
		*end = skip_string(text, i, len);
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

int site_text_unclosed_section(const char *text, size_t len)
{
	struct scan sc = { text, len, len, len + 1 };
	int line = 1, open_at[64], depth = 0;   /* sections nest a few deep */

	for (size_t i = 0, end; i < len; i = end) {
		enum piece k = next_piece(&sc, i, &end);

		for (size_t j = i; j < end; j++) {
			char c = text[j];

			if (c == '\n')
				line++;
			else if (k != PIECE_OTHER)
				continue;
			else if (c == '{' && depth++ < 64)
				open_at[depth - 1] = line;
			else if (c == '}' && depth > 0)
				depth--;
		}
	}
	return depth == 0 ? 0 : open_at[(depth < 64 ? depth : 64) - 1];
}

static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/* Whether text[i, end) is one of names: its index, or n. */
static size_t name_index(const char *text, size_t i, size_t end, const char *const *names, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (strlen(names[k]) == end - i && memcmp(text + i, names[k], end - i) == 0)
			return k;
	return n;
}

/* Keyword idx (n: none of them) at line: its first line noted, or a repeat. */
static void note_keyword(size_t idx, size_t n, int line, int first[16], struct repeated *out,
			 size_t max, size_t *found)
{
	if (idx >= n)
		return;
	if (!first[idx])
		first[idx] = line;
	else if (*found < max)
		out[(*found)++] = (struct repeated){ idx, line, first[idx] };
}

/* Walks the top level as a sequence of "KEYWORD [TITLE] { ... }": a word
 * stands where a keyword may only after the start or a closing '}', so a
 * section titled like one of names (balancer bgp) is not taken for it. */
size_t site_text_repeated_sections(const char *text, size_t len, const char *const *names,
				   size_t n, struct repeated *out, size_t max)
{
	struct scan sc = { text, len, len, len + 1 };
	int line = 1, depth = 0, first[16] = { 0 };
	bool keyword_here = true;
	size_t found = 0;

	for (size_t i = 0, end; i < len; i = end) {
		enum piece k = next_piece(&sc, i, &end);
		int at = line;

		for (size_t j = i; j < end; j++) {
			char c = text[j];
			size_t w = j;

			if (c == '\n')
				line++;
			if (k != PIECE_OTHER || c == '\n' || isspace((unsigned char)c))
				continue;
			if (c == '{' || c == '}') {
				depth += c == '{' ? 1 : depth > 0 ? -1 : 0;
				keyword_here = depth == 0 && c == '}';
				continue;
			}
			while (w < end && word_char(text[w]))
				w++;
			if (depth == 0 && keyword_here && w > j)
				note_keyword(name_index(text, j, w, names, n < 16 ? n : 16), n, line,
					     first, out, max, &found);
			keyword_here = false;
			j = w > j ? w - 1 : j;
		}
		/* libconfuse takes a quoted keyword too: "bgp" { ... } */
		if (k == PIECE_STRING && depth == 0 && keyword_here && end - i >= 2)
			note_keyword(name_index(text, i + 1, end - 1, names, n < 16 ? n : 16), n, at,
				     first, out, max, &found);
		if (k == PIECE_STRING && depth == 0)
			keyword_here = false;
	}
	return found;
}
