/* Reading on past the problems of a site text (cluster-gen/site_repair.c
 * and the walk's repairs, site_walk.c): each statement with a problem is
 * blanked whole, lines kept, and a mark plainly missing put in, so that the
 * rest walks clean and libconfuse parses it; a problem passed over only by
 * leaving out a section says so; what the rest's check reports on the lines
 * of a statement blanked, or of its section, is dropped as the same
 * problem. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "schema.h"
#include "site_repair.h"
#include "site_walk.h"

struct walked {
	struct site_walk walk;
	struct site_repairs repairs;
	char *fixed;   /* the text repaired */
};

static struct walked walk(const char *text)
{
	struct walked w = { .repairs = { NULL, 0, 0 } };
	struct diags d;
	size_t fixed_len;

	diags_init(&d, "site.conf");
	w.walk = site_walk(text, strlen(text), schema_root(), &d, &w.repairs);
	assert_int_equal((size_t)w.walk.problems, d.n);
	w.fixed = site_repair_text(text, strlen(text), &w.repairs, &fixed_len);
	assert_int_equal(fixed_len, strlen(w.fixed));
	diags_free(&d);
	return w;
}

static void walked_free(struct walked *w)
{
	free(w->repairs.v);
	free(w->fixed);
}

/* The problems the walk finds in text. */
static int problems(const char *text)
{
	struct diags d;
	int n;

	diags_init(&d, "site.conf");
	n = site_walk(text, strlen(text), schema_root(), &d, NULL).problems;
	diags_free(&d);
	return n;
}

/* text repaired is want, and walks clean. */
static void expect_repaired(const char *text, const char *want)
{
	struct walked w = walk(text);

	assert_true(w.walk.problems > 0);
	assert_false(w.walk.drops_text);
	assert_string_equal(w.fixed, want);
	assert_int_equal(problems(w.fixed), 0);
	walked_free(&w);
}

static void test_a_statement_in_error_is_blanked_whole(void **state)
{
	(void)state;
	/* an unknown option, with its value */
	expect_repaired("check { timout = 2 transport = tcp }",
			"check {            transport = tcp }");
	/* a value libconfuse refuses, and a ';' habit */
	expect_repaired("check {\n timeout = 2s\n tries = 3;\n}\n",
			"check {\n             \n           \n}\n");
	/* a list whose '}' is missing and a bad value in it, up to the next
	 * statement, lines kept */
	expect_repaired("realserver kai {\n clients = { = \"192.0.2.0/24\"\n balancer = lb\n}\n",
			"realserver kai {\n                             \n balancer = lb\n}\n");
	/* a '}' that closes nothing, and a mark where a statement starts */
	expect_repaired("}\ncheck { = tries = 3 }\n", " \ncheck {   tries = 3 }\n");
}

static void test_a_mark_plainly_missing_is_put_in(void **state)
{
	(void)state;
	/* a '=' */
	expect_repaired("service a {\n delay-loop 6\n ports {udp/53}\n}\n",
			"service a {\n delay-loop  =6\n ports  ={udp/53}\n}\n");
	/* a ',', and a list's '}' before the next statement or the end */
	expect_repaired("balancer lb {\n primary = { a b \"c\"\n router-id = 192.0.2.1\n}\n",
			"balancer lb {\n primary = { a  ,b  ,\"c\"\n  }router-id = 192.0.2.1\n}\n");
	{
		struct walked w = walk("balancer lb { primary = { a, b");

		assert_false(w.walk.drops_text);
		assert_string_equal(w.fixed, "balancer lb { primary = { a, b }");
		/* the section left open, for libconfuse to close */
		assert_int_equal(problems(w.fixed), 1);
		walked_free(&w);
	}
	/* apart from a '+' libconfuse skips, which would make "+=" */
	expect_repaired("bgp { backup-metric+429 }", "bgp { backup-metric+ =429 }");
	/* not in a statement blanked for another problem, nor after it */
	expect_repaired("balancer lb {\n primary = { a b , ,\n router-id = 192.0.2.1\n}\n",
			"balancer lb {\n                    \n router-id = 192.0.2.1\n}\n");
	/* but before the next statement, blanked or not */
	expect_repaired("balancer lb {\n services = { a\n primary = { , b }\n}\n",
			"balancer lb {\n services = { a\n  }                 \n}\n");
}

static void test_a_quote_left_open_is_blanked(void **state)
{
	(void)state;
	/* cut at the end of its line: the next line is read as written */
	expect_repaired("check {\n name = \"a.example\n tries = 3\n}\n",
			"check {\n                  \n tries = 3\n}\n");
	/* the file ends in it: the section is left open, for libconfuse to close */
	{
		struct walked w = walk("check { tries = 3 name = \"a.example");

		assert_false(w.walk.drops_text);
		assert_string_equal(w.fixed, "check { tries = 3                  ");
		walked_free(&w);
	}
	/* read in a statement blanked for another problem */
	expect_repaired("nope 'a.example\n", "               \n");
}

static void test_the_section_of_a_repair(void **state)
{
	struct walked w = walk("realserver kai {\n instance a\n {\n wieght = 2\n }\n}\n}\n");

	(void)state;
	assert_int_equal(w.repairs.n, 2);
	/* in instance a: its word on line 2, its '{' on line 3 */
	assert_int_equal(w.repairs.v[0].section[0], 2);
	assert_int_equal(w.repairs.v[0].section[1], 3);
	/* a '}' at the top level is in no section */
	assert_int_equal(w.repairs.v[1].section[0], 0);
	assert_int_equal(w.repairs.v[1].section[1], 0);
	walked_free(&w);
}

/* Problems the walk passes over only by leaving out a whole section. */
static void expect_drops(const char *text)
{
	struct walked w = walk(text);

	assert_true(w.walk.problems > 0);
	assert_true(w.walk.drops_text);
	walked_free(&w);
}

static void test_leaving_out_a_section_is_said(void **state)
{
	(void)state;
	expect_drops("balancr lb1 { router-id = 192.0.2.1 }");         /* an unknown kind */
	expect_drops("balancer lb1 { }\nbalancer lb1 { }\n");          /* a duplicate */
	expect_drops("balancer { router-id = 192.0.2.1 }");           /* no title */
	expect_drops("check = { name = a }");                         /* '=' after a kind */
	expect_drops("check { }\ncheck { }\n");                       /* a second single */
	expect_drops("{ check { } }");                                /* a block without a name */
	/* 20 syntax errors: the rest of the file is not read */
	expect_drops("} } } } } } } } } } } } } } } } } } } } check { }");
	/* a list left out is no section */
	{
		struct walked w = walk("service a { ports = { udp/53 tcp/53 } }");

		assert_false(w.walk.drops_text);
		walked_free(&w);
	}
}

static void test_the_rest_is_merged_without_the_same_problems(void **state)
{
	struct site_repairs r = { NULL, 0, 0 };
	struct site_repair in_instance = { 10, 20, NULL, { 9, 10 }, { 7, 8 } };
	struct diags d, found;

	(void)state;
	r.v = &in_instance;
	r.n = 1;
	diags_init(&d, "site.conf");
	diags_init(&found, "site.conf");
	diag_add(&d, 9, "did you mean 'address'?", "kai instance a: no such option 'adress'");
	diag_add(&found, 9, NULL, "on the line in error");
	diag_add(&found, 10, NULL, "on the next line the statement runs over");
	diag_add(&found, 7, NULL, "kai instance a: 'address' is required");
	diag_add(&found, 8, NULL, "on the line of the section's '{'");
	diag_add(&found, 12, "a hint", "service b: VIP 192.0.2.1 is also service a's");
	diag_warn(&found, 14, NULL, "an instance no service reaches");
	diag_add(&found, 0, NULL, "of the file as a whole");
	site_repair_merge(&d, &found, &r);
	assert_int_equal(d.n, 4);
	assert_int_equal(d.v[1].line, 12);
	assert_string_equal(d.v[1].message, "service b: VIP 192.0.2.1 is also service a's");
	assert_string_equal(d.v[1].hint, "a hint");
	assert_int_equal(d.v[2].line, 14);
	assert_true(d.v[2].warning);
	assert_int_equal(d.nwarnings, 1);
	assert_int_equal(d.v[3].line, 0);
	diags_free(&d);
	diags_free(&found);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_statement_in_error_is_blanked_whole),
		cmocka_unit_test(test_a_mark_plainly_missing_is_put_in),
		cmocka_unit_test(test_a_quote_left_open_is_blanked),
		cmocka_unit_test(test_the_section_of_a_repair),
		cmocka_unit_test(test_leaving_out_a_section_is_said),
		cmocka_unit_test(test_the_rest_is_merged_without_the_same_problems),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
