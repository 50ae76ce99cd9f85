#include "site_lex.h"

#include <string.h>

/* How libconfuse's lexer takes each byte: a table, as the walk reads every
 * byte of a file of megabytes. */
enum { C_WORD, C_SKIP, C_NEWLINE, C_PUNCT, C_PLUS, C_QUOTE, C_DOLLAR };

static const unsigned char byte_class[256] = {
	/* every other byte makes up libconfuse's unquoted strings; '#' and
	 * '*' are left of comments blanked, and the lexer eats them */
	[' '] = C_SKIP, ['\t'] = C_SKIP, ['\r'] = C_SKIP, ['#'] = C_SKIP, ['*'] = C_SKIP,
	['\n'] = C_NEWLINE, ['+'] = C_PLUS, ['"'] = C_QUOTE, ['\''] = C_QUOTE,
	['{'] = C_PUNCT, ['}'] = C_PUNCT, ['('] = C_PUNCT, [')'] = C_PUNCT, ['='] = C_PUNCT,
	[','] = C_PUNCT, ['$'] = C_DOLLAR,
};

static int class_of(char c)
{
	return byte_class[(unsigned char)c];
}

static size_t run_of(const char *p, const char *end, char lo, char hi, size_t max)
{
	size_t n = 0;

	while (p + n < end && n < max && p[n] >= lo && p[n] <= hi)
		n++;
	return n;
}

/* The escape at p (its backslash) if libconfuse refuses it: digits past an
 * octal number of at most three ("\8", "\1234") are a bad escape, an octal
 * number past 255 is invalid. Flex takes the longer of the two rules. */
static void check_escape(struct token *t, const char *p, const char *end)
{
	size_t digits = run_of(p + 1, end, '0', '9', (size_t)-1);
	size_t octal = run_of(p + 1, end, '0', '7', 3);
	unsigned value = 0;

	if (digits == 0 || t->bad_escape)
		return;
	for (size_t i = 0; i < octal; i++)
		value = value * 8 + (unsigned)(p[1 + i] - '0');
	if (digits > octal)
		t->bad_escape = p, t->bad_len = 1 + digits, t->octal = false;
	else if (value > 0xff)
		t->bad_escape = p, t->bad_len = 1 + octal, t->octal = true;
}

/* The length of a ${VAR} reference at p, or 0: "${" and the next '}'. */
static size_t env_ref(const char *p, const char *end)
{
	const char *close;

	if (end - p < 2 || p[0] != '$' || p[1] != '{')
		return 0;
	close = memchr(p + 2, '}', (size_t)(end - p - 2));
	return close ? (size_t)(close - p) + 1 : 0;
}

static void count_lines(struct lexer *lx, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		lx->line += lx->text[i] == '\n';
}

/* A quoted string not closed on its line (its body from text[from], the
 * line ending at text[eol]), cut where its closing quote was likely meant:
 * at its first blank when the rest of the line holds more statements ('='
 * or '}': an option after it, its section's close), else at the end of the
 * line (a value with blanks in it, last on its line). */
static size_t runaway_cut(const char *text, size_t from, size_t eol)
{
	size_t blank = from;

	while (blank < eol && text[blank] != ' ' && text[blank] != '\t')
		blank++;
	if (blank < eol && (memchr(text + blank, '=', eol - blank) ||
			    memchr(text + blank, '}', eol - blank)))
		return blank;
	return eol;
}

enum string_end { STRING_CLOSED, STRING_RUNAWAY, STRING_UNCLOSED };

/* Where the quoted string opening at text[at] ends, and how. A backslash
 * takes the next character with it in both kinds of string (a newline too:
 * the string goes on on the next line); a double-quoted one also takes a
 * ${VAR} reference whole, quotes in it included. libconfuse lets a string
 * run over lines, but no value of a site file holds a newline, and a string
 * that does is one whose closing quote is missing: cut (runaway_cut), it
 * leaves the lines after it to be read as they were meant. */
static size_t scan_string(const char *text, size_t len, size_t at, enum string_end *how)
{
	char quote = text[at];
	size_t i = at + 1;

	while (i < len && text[i] != quote) {
		size_t ref = quote == '"' ? env_ref(text + i, text + len) : 0;

		if (ref) {
			i += ref;
		} else if (text[i] == '\n') {
			*how = STRING_RUNAWAY;
			return runaway_cut(text, at + 1, i);
		} else {
			i += text[i] == '\\' && i + 1 < len ? 2 : 1;
		}
	}
	*how = i < len ? STRING_CLOSED : STRING_UNCLOSED;
	return i < len ? i + 1 : len;
}

size_t lex_string_end(const char *text, size_t len, size_t at)
{
	enum string_end how;

	return scan_string(text, len, at, &how);
}

/* The first escape of a double-quoted string's body libconfuse refuses. */
static void check_escapes(struct token *t, const char *end)
{
	for (const char *p = t->text; p < t->text + t->len && !t->bad_escape;) {
		size_t ref = *p == '$' ? env_ref(p, end) : 0;

		if (ref) {
			p += ref;
		} else if (*p == '\\' && p + 1 < end) {
			check_escape(t, p, end);
			p += 2;
		} else {
			p++;
		}
	}
}

static struct token quoted(struct lexer *lx)
{
	enum string_end how;
	size_t open = lx->at, end = scan_string(lx->text, lx->len, open, &how);
	struct token t = { .kind = TOK_STR, .text = lx->text + open + 1, .line = lx->line };

	count_lines(lx, open, end);
	lx->at = end;
	if (how == STRING_UNCLOSED)
		return (struct token){ .kind = TOK_UNCLOSED, .line = t.line };
	t.len = end - (open + 1) - (how == STRING_CLOSED);
	t.kind = how == STRING_RUNAWAY ? TOK_RUNAWAY : TOK_STR;
	t.to_end = how == STRING_RUNAWAY && !memchr(lx->text + end, lx->text[open], lx->len - end);
	if (lx->text[open] == '"')
		check_escapes(&t, lx->text + lx->len);
	return t;
}

static struct token word(struct lexer *lx, const char *p)
{
	struct token t = { .kind = TOK_STR, .text = p, .line = lx->line };

	while (++lx->at < lx->len) {
		int c = class_of(lx->text[lx->at]);

		if (c != C_WORD && c != C_DOLLAR)
			break;
	}
	t.len = (size_t)(lx->text + lx->at - p);
	return t;
}

/* The next token, *start set to where it begins. */
static struct token read_token(struct lexer *lx, size_t *start)
{
	const char *text = lx->text;

	while ((*start = lx->at) < lx->len) {
		const char *p = text + lx->at;
		struct token t = { .kind = *p, .text = p, .len = 1, .line = lx->line };
		size_t ref;

		switch (class_of(*p)) {
		case C_NEWLINE:
			lx->line++;
			break;
		case C_PUNCT:
			lx->at++;
			return t;
		case C_PLUS:   /* "+=", or a '+' the lexer eats */
			if (lx->at + 1 < lx->len && p[1] == '=') {
				lx->at += 2;
				return t;
			}
			break;
		case C_QUOTE:
			return quoted(lx);
		case C_DOLLAR:   /* a ${VAR} reference is longer than the word "$" */
			if ((ref = env_ref(p, text + lx->len)) != 0) {
				t.kind = TOK_STR;
				t.len = ref;
				count_lines(lx, lx->at, lx->at + ref);
				lx->at += ref;
				return t;
			}
			return word(lx, p);
		case C_WORD:
			return word(lx, p);
		}
		lx->at++;   /* blanks, and what the lexer eats unmatched */
	}
	return (struct token){ .kind = TOK_EOF, .line = lx->line };
}

struct token lex_next(struct lexer *lx)
{
	size_t start;
	struct token t = read_token(lx, &start);

	t.at = start;
	return t;
}

bool token_is(const struct token *t, const char *name)
{
	return t->len > 0 && name[0] == t->text[0] && strncmp(name, t->text, t->len) == 0 &&
	       name[t->len] == '\0';
}
