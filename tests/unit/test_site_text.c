/* Blanking comments out of the site text before libconfuse reads it
 * (cluster-gen/site_text.c): what is a comment, what is not, and that every
 * newline stays where it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "site_text.h"

static void expect_blanked(const char *in, const char *want)
{
	char *text = strdup(in);

	site_text_blank_comments(text, strlen(text));
	assert_string_equal(text, want);
	free(text);
}

static void test_line_comments(void **state)
{
	(void)state;
	expect_blanked("a = 1 # x\nb = 2\n", "a = 1    \nb = 2\n");
	expect_blanked("a = 1 // x\n", "a = 1     \n");
	expect_blanked("### x", "     ");
	expect_blanked("a = 1 #", "a = 1  ");
}

static void test_c_comments_keep_newlines(void **state)
{
	(void)state;
	expect_blanked("a /* x */ b", "a         b");
	expect_blanked("a /* x\ny\n*/ b\n", "a     \n \n   b\n");
	expect_blanked("a /* never closed\nb", "a                \n ");
	expect_blanked("a /* x **/ b", "a          b");
}

static void test_strings_are_not_comments(void **state)
{
	(void)state;
	expect_blanked("a = \"x # y // z /* w */\" # c",
		       "a = \"x # y // z /* w */\"    ");
	expect_blanked("a = 'x # y' // c", "a = 'x # y'     ");
	/* an escaped quote does not end the string */
	expect_blanked("a = \"x \\\" # y\" # c", "a = \"x \\\" # y\"    ");
	expect_blanked("a = 'x \\' # y' # c", "a = 'x \\' # y'    ");
	/* a string continued on the next line by a backslash, then a comment */
	expect_blanked("a = \"x\\\n# y\" # c\n", "a = \"x\\\n# y\"    \n");
	/* a string not closed on its line ends there, as the walk of the text
	 * reads it (and reports it): a comment on the next line is one */
	expect_blanked("a = \"x\n# y\" # c\n", "a = \"x\n        \n");
	/* an unclosed string runs to the end: libconfuse reports it */
	expect_blanked("a = \"x # y", "a = \"x # y");
}

static void test_unquoted_words_and_references(void **state)
{
	(void)state;
	/* a single slash belongs to the word, two start a comment */
	expect_blanked("p = /usr/sbin/x", "p = /usr/sbin/x");
	expect_blanked("p = /usr//sbin", "p = /usr      ");
	expect_blanked("p = a/*b*/c", "p = a     c");
	/* ${VAR#x} is a reference, not a comment */
	expect_blanked("a = ${HOME#x} # c", "a = ${HOME#x}    ");
	expect_blanked("a = $ # c", "a = $    ");
}

static void test_newline_count_unchanged(void **state)
{
	const char *in = "# 1\n// 2\n/* 3\n4 */ a = \"5\\\n6\" # 6\n'7' /* 7 */\n";
	char *text = strdup(in);
	size_t before = 0, after = 0;

	(void)state;
	for (const char *p = in; *p; p++)
		before += *p == '\n';
	site_text_blank_comments(text, strlen(text));
	for (const char *p = text; *p; p++)
		after += *p == '\n';
	assert_int_equal(before, after);
	assert_int_equal(strlen(text), strlen(in));
	assert_null(strstr(text, "# 6"));               /* the comment is gone */
	assert_non_null(strstr(text, "a = \"5\\\n6\"")); /* the string is not */
	free(text);
}

/* Every ${VAR} libconfuse would expand, and none it would not. */
static void test_env_refs(void **state)
{
	const char *in = "a = ${A} b = \"x${B}y${C}\" c = '${D}' d = \"\\${E}\"\n"
			 "e = \"${F\" }\" f = $ {G} g = ${H";
	char *text = strdup(in);
	size_t len = strlen(text), from = 0, at;
	const char *found[8];
	size_t n = 0;

	(void)state;
	site_text_blank_comments(text, len);
	while ((at = site_text_env_ref(text, len, &from)) < len && n < 8)
		found[n++] = text + at;
	assert_int_equal(n, 3);
	assert_memory_equal(found[0], "${A}", 4);
	assert_memory_equal(found[1], "${B}", 4);   /* one per string: not ${C} */
	assert_memory_equal(found[2], "${F\" }", 6); /* its '}' past the quote */
	assert_int_equal(from, len);
	free(text);
}

static void test_read_whole_file(void **state)
{
	char path[] = "/tmp/test_site_text.XXXXXX";
	int fd = mkstemp(path);
	size_t len = 0;
	char *text;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "a\0b\n", 4), 4);
	close(fd);
	text = site_text_read(path, &len);
	assert_non_null(text);
	assert_int_equal(len, 4);
	assert_memory_equal(text, "a\0b\n", 5);
	free(text);
	unlink(path);
	assert_null(site_text_read(path, &len));
	assert_null(site_text_read("/", &len));   /* a directory: EISDIR */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_comments),
		cmocka_unit_test(test_c_comments_keep_newlines),
		cmocka_unit_test(test_strings_are_not_comments),
		cmocka_unit_test(test_unquoted_words_and_references),
		cmocka_unit_test(test_newline_count_unchanged),
		cmocka_unit_test(test_env_refs),
		cmocka_unit_test(test_read_whole_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
