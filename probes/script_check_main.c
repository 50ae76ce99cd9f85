/* lvsdns-script-check USER[:GROUP] PATH...: exits 0 when keepalived would run
 * every PATH as USER (script_check.h has the rules), else names each one it
 * would drop and why. keepalived's systemd drop-ins run it before keepalived
 * starts, because keepalived itself only logs the programs it drops and runs
 * on without them. See docs/lvsdns-script-check.8. */
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "script_check.h"

enum exit_code { EXIT_RUNS = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2 };

static const char *const PROG = "lvsdns-script-check";

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s USER[:GROUP] PATH...\n"
		"Checks, as keepalived 2.2.7 does before it runs a script, that each PATH\n"
		"would be run as USER (GROUP: USER's own group unless given). Exit 0 when\n"
		"every PATH would run, 1 when keepalived would drop one, 2 on a usage error.\n",
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

static bool check_one(const char *path, const char *who, uid_t uid, gid_t gid)
{
	struct script_problem p;
	struct buf msg, hint;

	if (script_check(path, uid, gid, &p) == SCRIPT_OK)
		return true;
	buf_init(&msg);
	buf_init(&hint);
	script_problem_text(&p, who, &msg, &hint);
	fprintf(stderr, "%s: %s: keepalived would not run it as %s: %s\n", PROG, path, who, msg.data);
	if (hint.len)
		fprintf(stderr, "  hint: %s\n", hint.data);
	buf_free(&msg);
	buf_free(&hint);
	return false;
}

int main(int argc, char **argv)
{
	uid_t uid;
	gid_t gid;
	bool all_run = true;

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
	for (int i = 2; i < argc; i++)
		all_run &= check_one(argv[i], argv[1], uid, gid);
	return all_run ? EXIT_RUNS : EXIT_REFUSED;
}
