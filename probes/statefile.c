#include "statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "buf.h"

/* keepalived's FILE_CHECK must never see a half-written file: write a
 * sibling, then rename over. No fsync: after a crash a state file holds the
 * old state, the new one or nothing readable, which start-up takes as down. */
int file_write_atomic(const char *path, const char *data, size_t len)
{
	char *tmp = xasprintf("%s.dnsprobe-tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), e = 0;

	ssize_t w = fd < 0 ? -1 : write(fd, data, len);

	if (w < 0)
		e = errno;
	else if ((size_t)w != len)   /* a short write sets no errno */
		e = EIO;
	if (fd >= 0 && close(fd) != 0 && !e)
		e = errno;
	if (!e && rename(tmp, path) != 0)
		e = errno;
	if (e)
		unlink(tmp);
	free(tmp);
	return e;
}

bool state_from_text(const char *text, size_t len, bool *up)
{
	if (len == 2 && text[1] != '\n')
		return false;
	if ((len != 1 && len != 2) || (text[0] != '0' && text[0] != '1'))
		return false;
	*up = text[0] == '0';
	return true;
}

/* What the file holds now: left by the last run, or by this one before a
 * SIGHUP changed the target's line. */
bool state_file_read(const char *path, bool *up)
{
	char b[8];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	ssize_t n = read(fd, b, sizeof(b));
	close(fd);
	return n > 0 && state_from_text(b, (size_t)n, up);
}
