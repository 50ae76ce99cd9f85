/* lvsdns-script-check USER[:GROUP] PATH...: exits 0 when keepalived would run
 * every PATH as USER (script_check.h has the rules), else names each one it
 * would drop and why. keepalived's preflight drop-in runs it before keepalived
 * starts or reloads, because keepalived itself only logs the programs it drops
 * and runs on without them. See docs/lvsdns-script-check.8. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "script_check.h"

enum exit_code { EXIT_RUNS = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2 };

static const char *const PROG = "lvsdns-script-check";

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s USER[:GROUP] PATH...\n"
		"Checks, as keepalived 2.2.7 does before it runs a script, that each PATH\n"
		"would be run as USER (GROUP: USER's own group unless given). Run it as\n"
		"root. Exit 0 when every PATH would run, 1 when keepalived would drop one,\n"
		"2 on a usage error or when it cannot look as USER.\n",
		PROG);
}

/* "USER" or "USER:GROUP", looked up as keepalived's script_user does. */
static bool resolve_ids(const char *spec, uid_t *uid, gid_t *gid)
{
	char *user = xstrdup(spec), *group = strchr(user, ':');
	struct passwd *pw;
	struct group *gr = NULL;
	bool ok = false;

	if (group)
		*group++ = '\0';
	if (!(pw = getpwnam(user)))
		fprintf(stderr, "%s: no user '%s'\n", PROG, user);
	else if (group && !(gr = getgrnam(group)))
		fprintf(stderr, "%s: no group '%s'\n", PROG, group);
	else {
		*uid = pw->pw_uid;
		*gid = gr ? gr->gr_gid : pw->pw_gid;
		ok = true;
	}
	free(user);
	return ok;
}

/* EXIT_RUNS, EXIT_REFUSED, or EXIT_USAGE when it could not look at all. */
static enum exit_code check_one(const char *path, const char *who, uid_t uid, gid_t gid)
{
	struct script_problem p;
	struct buf msg, hint;
	enum exit_code rc;

	if (script_check(path, uid, gid, &p) == SCRIPT_OK)
		return EXIT_RUNS;
	rc = p.fault == SCRIPT_IDENTITY ? EXIT_USAGE : EXIT_REFUSED;
	buf_init(&msg);
	buf_init(&hint);
	script_problem_text(&p, who, &msg, &hint);
	fprintf(stderr, "%s: %s: keepalived would not run it as %s: %s\n", PROG, path, who, msg.data);
	if (hint.len)
		fprintf(stderr, "  hint: %s\n", hint.data);
	buf_free(&msg);
	buf_free(&hint);
	return rc;
}

int main(int argc, char **argv)
{
	uid_t uid;
	gid_t gid;
	enum exit_code worst = EXIT_RUNS;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return EXIT_RUNS;
	}
	if (argc < 3 || argv[1][0] == '-') {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!resolve_ids(argv[1], &uid, &gid))
		return EXIT_USAGE;
	/* keepalived looks with the supplementary groups it runs with, which
	 * under systemd are none: so do we, also when run by hand from a shell
	 * whose root has group 0. */
	if (geteuid() == 0 && setgroups(0, NULL) != 0) {
		fprintf(stderr, "%s: cannot drop supplementary groups: %s\n", PROG, strerror(errno));
		return EXIT_USAGE;
	}
	for (int i = 2; i < argc; i++) {
		enum exit_code rc = check_one(argv[i], argv[1], uid, gid);

		if (rc > worst)
			worst = rc;
	}
	return worst;
}
