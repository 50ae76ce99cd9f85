/* The real programs that read our files, run on a rendered tree
 * (`cluster-gen check --with-tools`; checkers.c), and the small process
 * runner they share with `onboard --probe` (run_program.c): fork/exec with
 * an argv array, never a shell. */
#ifndef LVSDNS_CHECKERS_H
#define LVSDNS_CHECKERS_H

#include <stdbool.h>
#include <stddef.h>

#include <sys/types.h>

#include "buf.h"
#include "render.h"

/* NAME as execvp would find it: NAME itself when it holds a '/', else the
 * first executable NAME in $PATH. NULL when there is none. Caller frees. */
char *find_program(const char *name);

struct run_result {
	pid_t pid;          /* the child's, once it ran */
	int status;         /* exit status; 128 + signal when killed */
	bool timed_out;
	struct buf out;     /* what it wrote to stdout */
	struct buf err;     /* and to stderr */
};

/* Runs argv[0] (a path) with argv, stdin from /dev/null, collecting its
 * output; kills it after timeout_s seconds. Returns 0, or -1 with a message
 * in msg when it could not be started. r is initialised either way; free
 * with run_result_free. */
int run_program(char *const argv[], unsigned timeout_s, struct run_result *r, struct buf *msg);
void run_result_free(struct run_result *r);

struct real_checks {
	size_t run, passed, failed;
	size_t missing;     /* checks not run: their program is not installed */
	size_t skipped;     /* checks not run: not root, and no namespace would do */
};

/* Runs every real checker that applies to a file of f, whose copy lies
 * under root, and appends a human report to out: each check run with pass
 * or FAIL (and the checker's words on failure), the programs that are
 * missing and the files no checker reads. Run by a user other than root,
 * checks that need privileges get a user and network namespace of their
 * own, or are skipped (bgpd -C, or where user namespaces are not allowed). */
void run_real_checks(const struct files *f, const char *root, struct real_checks *rc,
		     struct buf *out);

#endif
