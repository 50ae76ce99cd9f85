#include "vips_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Interface names end up in netlink requests: the kernel's own rule
 * (1..15 bytes, no '/', ':' or white space). */
static int valid_ifname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= IF_NAMESIZE || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	return strpbrk(s, "/:") == NULL;
}

static void add_entry(struct vips *out, const struct addr *a, const char *ifname,
		      const char *service)
{
	struct vip_entry *e;

	out->v = xreallocarray(out->v, out->n + 1, sizeof(*out->v));
	e = &out->v[out->n++];
	e->addr = *a;
	snprintf(e->interface, sizeof(e->interface), "%s", ifname);
	e->service = xstrdup(service);
}

/* One line, already stripped of its comment. Returns 0 or -1 (message in err). */
static int parse_line(const char *name, int lineno, char *line, struct vips *out,
		      struct buf *err)
{
	char *field[4] = { 0 };
	char *save = NULL, *tok;
	int n = 0;
	struct addr a;

	for (tok = strtok_r(line, " \t\r", &save); tok; tok = strtok_r(NULL, " \t\r", &save)) {
		if (n == 4)
			break;
		field[n++] = tok;
	}
	if (n == 0)
		return 0;
	if (n != 3) {
		buf_printf(err, "%s:%d: expected \"ADDRESS INTERFACE SERVICE\"\n", name, lineno);
		return -1;
	}
	if (!addr_parse(field[0], &a)) {
		buf_printf(err, "%s:%d: '%s' is not a numeric IPv4 or IPv6 address\n",
			   name, lineno, field[0]);
		return -1;
	}
	if (!valid_ifname(field[1])) {
		buf_printf(err, "%s:%d: '%s' is not a valid interface name\n", name, lineno, field[1]);
		return -1;
	}
	if (vips_find(out, &a)) {
		buf_printf(err, "%s:%d: %s is listed twice\n", name, lineno, field[0]);
		return -1;
	}
	add_entry(out, &a, field[1], field[2]);
	return 0;
}

int vips_parse(const char *name, const char *text, struct vips *out, struct buf *err)
{
	char *copy = xstrdup(text), *line, *next, *hash;
	int lineno = 0, rc = 0;

	out->v = NULL;
	out->n = 0;
	for (line = copy; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		if (parse_line(name, lineno, line, out, err) != 0)
			rc = -1;
	}
	free(copy);
	if (rc != 0)
		vips_free(out);
	return rc;
}

int vips_load(const char *path, struct vips *out, struct buf *err)
{
	FILE *f = fopen(path, "re");
	struct buf text;
	char chunk[4096];
	size_t n;
	int rc;

	out->v = NULL;
	out->n = 0;
	if (!f) {
		buf_printf(err, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	buf_init(&text);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&text, chunk, n);
	if (ferror(f)) {
		buf_printf(err, "%s: read error\n", path);
		rc = -1;
	} else {
		rc = vips_parse(path, text.data ? text.data : "", out, err);
	}
	fclose(f);
	buf_free(&text);
	return rc;
}

void vips_free(struct vips *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i].service);
	free(v->v);
	v->v = NULL;
	v->n = 0;
}

const struct vip_entry *vips_find(const struct vips *v, const struct addr *a)
{
	for (size_t i = 0; i < v->n; i++)
		if (addr_eq(&v->v[i].addr, a))
			return &v->v[i];
	return NULL;
}
