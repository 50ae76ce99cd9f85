/* cluster-gen onboard, in parts: the command (cmd_onboard.c), the install
 * script (onboard_install.c) and the tar archive (onboard_tar.c). */
#ifndef LVSDNS_ONBOARD_H
#define LVSDNS_ONBOARD_H

#include <stdbool.h>

#include "buf.h"
#include "render.h"

struct onboard {
	const struct site *s;
	const struct realserver *r;
	const struct balancer *b;
	const char *tdir;
	char *prefix;               /* "realservers/HOST/" */
};

/* Where the host's file name goes on it (/etc/bind/named-a.conf, ...). */
char *onboard_destination(const char *name);
bool onboard_has_file(const struct files *host, const char *name);
/* install.sh for the host's files (host: its part of the render). */
void onboard_install_script(const struct onboard *o, const struct files *host, struct buf *b);
/* The bundle f as a ustar archive with everything below top/, to path
 * ("-": stdout). 0, or -1 with the reason said on stderr. */
int onboard_write_tar(const struct files *f, const char *top, const char *path);

#endif
