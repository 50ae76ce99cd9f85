/* The chroot, stand-in unit and keepalived.conf copy a checker reads
 * besides the rendered file (see checkers_prepare.h). The files are checked
 * on a machine that is not the one they are for: what they name there (the
 * options' directory, the unit a drop-in extends, the script user) is made
 * or replaced here, under the check's root, so that the verdict is about
 * the file and not about this machine. */
#include "checkers_prepare.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outtree.h"

/* The value of a line `directory "PATH";`, or NULL. */
static const char *options_directory(const char *text)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		l += strspn(l, " \t");
		if (strncmp(l, "directory", 9) == 0 && strchr(" \t", l[9])) {
			const char *q = l + 9 + strspn(l + 9, " \t");
			if (*q == '"')
				return q;
		}
	}
	return NULL;
}

static int write_file(const char *path, const char *data, size_t len, struct buf *why)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), rc = -1;

	if (fd >= 0 && write(fd, data, len) == (ssize_t)len)
		rc = 0;
	else
		buf_printf(why, "%s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

/* named-checkconf's chroot: root/.named-check/N/ with the options'
 * directory made and the file copied to /named.conf inside. */
int named_chroot(const struct file *f, const char *root, size_t n, char **chroot_dir,
		 struct buf *why)
{
	const char *d = options_directory(f->data);
	char *dir = NULL, *inner;
	int rc = -1;

	*chroot_dir = xasprintf("%s/.named-check/%zu", root, n);
	if (d) {
		d = strchr(d, '"') + 1;
		dir = xasprintf("%s/%.*s", *chroot_dir, (int)strcspn(d, "\"\n"), d);
	}
	if (dir && (strstr(dir, "..") || make_dirs(dir, 0755) != 0)) {
		buf_printf(why, "cannot make %s for named-checkconf: %s\n", dir,
			   strstr(dir, "..") ? "'..' in the directory" : strerror(errno));
		goto out;
	}
	if (make_dirs(*chroot_dir, 0755) != 0) {
		buf_printf(why, "%s: %s\n", *chroot_dir, strerror(errno));
		goto out;
	}
	inner = xasprintf("%s/named.conf", *chroot_dir);
	rc = write_file(inner, f->data, f->len, why);
	free(inner);
out:
	free(dir);
	return rc;
}

/* A drop-in (.../UNIT.d/NAME.conf) is verified through a stand-in UNIT that
 * runs /bin/true, in root/.unit-check/N/ with the drop-in beside it: verify
 * reads drop-ins only of the unit it is given, from SYSTEMD_UNIT_PATH. */
int dropin_standin(const struct file *f, const char *root, size_t n, char **dir,
		   char **standin, struct buf *why)
{
	const char *name = strrchr(f->path, '/'), *d = name;
	char *unit, *dropin_dir, *dropin;
	static const char body[] = "[Service]\nExecStart=/bin/true\n";
	int rc = -1;

	while (d > f->path && d[-1] != '/')
		d--;
	unit = xasprintf("%.*s", (int)(name - d - 2), d);   /* "keepalived.service" */
	*dir = xasprintf("%s/.unit-check/%zu", root, n);
	*standin = xasprintf("%s/%s", *dir, unit);
	dropin_dir = xasprintf("%s.d", *standin);
	dropin = xasprintf("%s%s", dropin_dir, name);
	if (make_dirs(dropin_dir, 0755) != 0)
		buf_printf(why, "%s: %s\n", dropin_dir, strerror(errno));
	else if (write_file(*standin, body, sizeof(body) - 1, why) == 0 &&
		 write_file(dropin, f->data, f->len, why) == 0)
		rc = 0;
	free(unit);
	free(dropin_dir);
	free(dropin);
	return rc;
}

/* Whether keepalived.conf has a `script_user USER [GROUP]` line: its user
 * in user, the line between *line and *end. */
static bool script_user_line(const char *text, char user[64], const char **line, const char **end)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *w = l + strspn(l, " \t");

		if (strncmp(w, "script_user", 11) == 0 && strchr(" \t", w[11]) &&
		    sscanf(w + 11, "%63s", user) == 1) {
			*line = l;
			*end = strchr(l, '\n') ? strchr(l, '\n') : l + strlen(l);
			return true;
		}
	}
	return false;
}

/* keepalived -t fails a script_user that does not exist, but the user is
 * the balancer's, not this machine's (keepalived's own test on the balancer,
 * in the preflight drop-in, checks it there). Such a file is checked as a
 * copy whose scripts run as nobody, and the pass says so. */
int keepalived_copy(const struct file *f, const char *root, size_t n,
		    struct prepared *p, struct buf *why)
{
	const char *line, *end;
	char user[64], *dir;
	struct buf copy;
	int rc;

	if (!script_user_line(f->data, user, &line, &end) || getpwnam(user)) {
		p->keepalived = xstrdup(p->full);
		return 0;
	}
	dir = xasprintf("%s/.keepalived-check/%zu", root, n);
	p->keepalived = xasprintf("%s/keepalived.conf", dir);
	buf_init(&copy);
	buf_append(&copy, f->data, (size_t)(line - f->data));
	buf_printf(&copy, "    script_user nobody");
	buf_append(&copy, end, f->len - (size_t)(end - f->data));
	rc = make_dirs(dir, 0755);
	if (rc != 0)
		buf_printf(why, "%s: %s\n", dir, strerror(errno));
	else
		rc = write_file(p->keepalived, copy.data, copy.len, why);
	buf_printf(&p->note, "script_user %s does not exist here: checked with script_user "
		   "nobody (the balancer must have %s)\n", user, user);
	buf_free(&copy);
	free(dir);
	return rc;
}
