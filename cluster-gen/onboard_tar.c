/* cluster-gen onboard --tar: the bundle as one ustar archive, written
 * whole to a temporary file renamed into place (or to stdout). */
#include "onboard.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void octal(char *field, size_t width, unsigned long long v)
{
	snprintf(field, width, "%0*llo", (int)width - 1, v);
}

/* One ustar header; names longer than 100 octets are split at a '/'. */
static int tar_header(struct buf *t, const char *name, mode_t mode, size_t size, char type,
		      unsigned long long mtime)
{
	char h[512];
	size_t n = strlen(name), sum = 0;
	const char *cut = NULL;

	memset(h, 0, sizeof(h));
	if (n > 100) {
		for (const char *p = name; (p = strchr(p, '/')); p++)
			if ((size_t)(p - name) <= 155 && n - (size_t)(p - name) - 1 <= 100)
				cut = p;
		if (!cut)
			return -1;
		memcpy(h + 345, name, (size_t)(cut - name));
		name = cut + 1;
		n = strlen(name);
	}
	memcpy(h, name, n);
	octal(h + 100, 8, mode & 07777);
	octal(h + 108, 8, 0);
	octal(h + 116, 8, 0);
	octal(h + 124, 12, size);
	octal(h + 136, 12, mtime);
	memset(h + 148, ' ', 8);
	h[156] = type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memcpy(h + 265, "root", 4);
	memcpy(h + 297, "root", 4);
	for (size_t i = 0; i < sizeof(h); i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06zo", sum);
	h[155] = ' ';
	buf_append(t, h, sizeof(h));
	return 0;
}

static void tar_pad(struct buf *t, size_t unit)
{
	static const char zero[512];

	while (t->len % unit)
		buf_append(t, zero, unit - t->len % unit > 512 ? 512 : unit - t->len % unit);
}

static int make_tar(const struct files *f, const char *top, struct buf *t)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	unsigned long long mtime = sde ? strtoull(sde, NULL, 10) : (unsigned long long)time(NULL);
	char *dir = xasprintf("%s/", top);
	struct buf seen;    /* "\nDIR/\n" for each directory entry written */
	int rc = tar_header(t, dir, 0755, 0, '5', mtime);

	buf_init(&seen);
	buf_printf(&seen, "\n%s\n", dir);

	for (size_t i = 0; i < f->n && rc == 0; i++) {
		char *name = xasprintf("%s/%s", top, f->v[i].path);
		const char *slash = strrchr(f->v[i].path, '/');
		char *d = slash ? xasprintf("\n%s/%.*s/\n", top, (int)(slash - f->v[i].path), f->v[i].path)
				: xasprintf("\n%s\n", dir);

		/* a file's directory before it, once (the bundle is one level deep) */
		if (!strstr(seen.data, d)) {
			d[strlen(d) - 1] = '\0';
			rc = tar_header(t, d + 1, 0755, 0, '5', mtime);
			buf_printf(&seen, "%s\n", d + 1);
		}
		free(d);
		if (rc == 0)
			rc = tar_header(t, name, f->v[i].mode, f->v[i].len, '0', mtime);
		if (rc == 0) {
			buf_append(t, f->v[i].data, f->v[i].len);
			tar_pad(t, 512);
		} else {
			fprintf(stderr, "cluster-gen onboard: %s: name too long for ustar\n", name);
		}
		free(name);
	}
	tar_pad(t, 512);
	buf_reserve(t, 1024);
	memset(t->data + t->len, 0, 1024);
	t->len += 1024;
	tar_pad(t, 10240);
	free(dir);
	buf_free(&seen);
	return rc;
}

int onboard_write_tar(const struct files *f, const char *top, const char *path)
{
	struct buf t;
	char *tmp = NULL;
	int fd, rc;

	buf_init(&t);
	if (make_tar(f, top, &t) != 0) {
		buf_free(&t);
		return -1;
	}
	if (!strcmp(path, "-")) {
		rc = fwrite(t.data, 1, t.len, stdout) == t.len && fflush(stdout) == 0 ? 0 : -1;
	} else {
		tmp = xasprintf("%s.tmp.XXXXXX", path);
		fd = mkstemp(tmp);
		rc = fd >= 0 && write(fd, t.data, t.len) == (ssize_t)t.len && fchmod(fd, 0644) == 0 &&
		     fsync(fd) == 0 ? 0 : -1;
		if (fd >= 0 && close(fd) != 0)
			rc = -1;
		if (rc == 0 && rename(tmp, path) != 0)
			rc = -1;
		if (rc != 0) {
			fprintf(stderr, "cluster-gen onboard: %s: %s\n", path, strerror(errno));
			if (fd >= 0)
				unlink(tmp);
		}
	}
	free(tmp);
	buf_free(&t);
	return rc;
}
