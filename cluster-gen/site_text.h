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
 * C comments outside quoted strings and ${VAR} references; a quoted string
 * ends where the walk of the text (site_lex.h) ends it, so that a quote
 * left open, which it reports, does not hide the comments after it. */
void site_text_blank_comments(char *text, size_t len);

/* The offset of the next ${VAR} from *from on that libconfuse would replace
 * with the environment's value (in a double-quoted string or a bare word;
 * single quotes keep it literal), or len when there is none; *from moves
 * past the string or reference it is in (one per string is found). Call it
 * on blanked text: in comments nothing counts. */
size_t site_text_env_ref(const char *text, size_t len, size_t *from);

#endif
