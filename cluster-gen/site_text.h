/* The site file's text as libconfuse is given it. Debian 12's libconfuse
 * (3.3, unchanged upstream since) adds two to its line count for every '#'
 * or '//' comment and one for every C comment, so each comment shifts the
 * line of every later error, and it takes a comment inside a list for a
 * value ("unexpected token"). Comments blanked out before parsing, newlines
 * kept, leave the lexer nothing to miscount: lines come out right and
 * comments may go anywhere. */
#ifndef LVSDNS_SITE_TEXT_H
#define LVSDNS_SITE_TEXT_H

#include <stddef.h>

/* Reads the whole file: the text (NUL-terminated, *len bytes before the
 * NUL), or NULL with errno set. */
char *site_text_read(const char *path, size_t *len);

/* Replaces every comment in text[0, len) by spaces, keeping its newlines.
 * Comments are found the way libconfuse's lexer finds them: '#', '//' and
 * C comments outside quoted strings and ${VAR} references. */
void site_text_blank_comments(char *text, size_t len);

/* The offset of the next ${VAR} from *from on that libconfuse would replace
 * with the environment's value (in a double-quoted string or a bare word;
 * single quotes keep it literal), or len when there is none; *from moves
 * past the string or reference it is in (one per string is found). Call it
 * on blanked text: in comments nothing counts. */
size_t site_text_env_ref(const char *text, size_t len, size_t *from);

/* libconfuse takes the end of the file for the '}' of every section still
 * open there. Returns the line of the innermost '{' still open at the end
 * (outside strings; call it on blanked text), or 0 when every one is closed. */
int site_text_unclosed_section(const char *text, size_t len);

/* A section that may stand once at the top level (names[which]) written
 * again at line; first is the line of the first. */
struct repeated {
	size_t which;
	int line, first;
};

/* libconfuse takes a second top-level section of a kind that may appear
 * once (bgp, check, ...) as more of the first, the later values replacing
 * the earlier. Fills out with each repeat (at most max; the kinds are
 * names[0, n), at most 16) and returns how many. Call it on blanked text. */
size_t site_text_repeated_sections(const char *text, size_t len, const char *const *names,
				   size_t n, struct repeated *out, size_t max);

#endif
