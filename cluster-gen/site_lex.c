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

	if (end - p < 2 || p[1] != '{')
		return 0;
	close = memchr(p + 2, '}', (size_t)(end - p - 2));
	return close ? (size_t)(close - p) + 1 : 0;
}

static void count_lines(struct lexer *lx, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		lx->line += lx->text[i] == '\n';
}

/* A quoted string not closed on its line, cut where its closing quote was
 * likely meant: at its first blank when the rest of the line holds more
 * statements ('=' or '}': an option after it, its section's close), else at
 * the end of the line (a value with blanks in it, last on its line). */
static struct token runaway(struct lexer *lx, struct token t)
{
	const char *eol = lx->text + lx->at, *blank = t.text;

	while (blank < eol && *blank != ' ' && *blank != '\t')
		blank++;
	if (blank < eol && (memchr(blank, '=', (size_t)(eol - blank)) ||
			    memchr(blank, '}', (size_t)(eol - blank))))
		eol = blank;
	lx->at = (size_t)(eol - lx->text);
	t.len = (size_t)(eol - t.text);
	if (t.bad_escape && t.bad_escape >= eol)
		t.bad_escape = NULL;   /* read again as what follows the string */
	return t;
}

/* A quoted string from its opening quote. A backslash takes the next
 * character with it in both kinds of string (a newline too: the string
 * goes on on the next line); a double-quoted one also takes a ${VAR}
 * reference whole, quotes in it included. libconfuse lets a string run
 * over lines, but no value of a site file holds a newline, and a string
 * that does is one whose closing quote is missing: cut at its line's end,
 * it leaves the lines after it to be read as they were meant. */
static struct token quoted(struct lexer *lx)
{
	const char *end = lx->text + lx->len;
	char quote = lx->text[lx->at++];
	struct token t = { .kind = TOK_STR, .text = lx->text + lx->at, .line = lx->line,
			   .quoted = true };

	while (lx->at < lx->len && lx->text[lx->at] != quote) {
		const char *p = lx->text + lx->at;
		size_t ref = quote == '"' && *p == '$' ? env_ref(p, end) : 0;

		if (ref) {
			count_lines(lx, lx->at, lx->at + ref);
			lx->at += ref;
			continue;
		}
		if (*p == '\n') {
			t.kind = TOK_RUNAWAY;
			break;
		}
		if (*p == '\\' && lx->at + 1 < lx->len) {
			if (quote == '"')
				check_escape(&t, p, end);
			lx->at++;
		}
		lx->line += lx->text[lx->at++] == '\n';
	}
	if (t.kind == TOK_RUNAWAY)
		return runaway(lx, t);
	if (lx->at >= lx->len)
		return (struct token){ .kind = TOK_UNCLOSED, .line = t.line };
	t.len = (size_t)(lx->text + lx->at++ - t.text);
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

struct token lex_next(struct lexer *lx)
{
	const char *text = lx->text;

	while (lx->at < lx->len) {
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

bool token_is(const struct token *t, const char *name)
{
	return t->len > 0 && name[0] == t->text[0] && strncmp(name, t->text, t->len) == 0 &&
	       name[t->len] == '\0';
}
