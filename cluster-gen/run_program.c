/* Running a program the way the checks and onboard --probe need it: by
 * path with an argv array, never through a shell, its output collected and
 * a deadline that kills what it started, so a hung checker cannot hang
 * cluster-gen (declared in checkers.h). */
#include "checkers.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

char *find_program(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *found = NULL;

	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? xstrdup(name) : NULL;
	copy = xstrdup(path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", *dir ? dir : ".", name);
		struct stat st;

		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0)
			found = p;
		else
			free(p);
	}
	free(copy);
	return found;
}

void run_result_free(struct run_result *r)
{
	buf_free(&r->out);
	buf_free(&r->err);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void child(char *const argv[], int out[2], int err[2])
{
	int null = open("/dev/null", O_RDONLY);

	setpgid(0, 0);   /* its own group: a timeout kills what it started too */
	if (null < 0 || dup2(null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
		_exit(127);
	close(out[0]);
	close(err[0]);
	execv(argv[0], argv);
	dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Reads both pipes until both close or the deadline passes. */
static bool collect(int fdo, int fde, struct run_result *r, long deadline)
{
	struct pollfd p[2] = { { fdo, POLLIN, 0 }, { fde, POLLIN, 0 } };
	struct buf *dst[2] = { &r->out, &r->err };
	char chunk[4096];
	int open_fds = 2;

	while (open_fds > 0) {
		long left = deadline - now_ms();
		int n;

		if (left <= 0)
			return false;
		n = poll(p, 2, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		for (int i = 0; i < 2 && n > 0; i++) {
			ssize_t got;

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			got = read(p[i].fd, chunk, sizeof(chunk));
			if (got > 0) {
				buf_append(dst[i], chunk, (size_t)got);
			} else if (got == 0 || errno != EINTR) {
				p[i].fd = -1;
				open_fds--;
			}
		}
	}
	return true;
}

int run_program(char *const argv[], unsigned timeout_s, struct run_result *r, struct buf *msg)
{
	int out[2], err[2], ws = 0;
	long deadline;
	pid_t pid;

	r->pid = -1;
	r->status = -1;
	r->timed_out = false;
	buf_init(&r->out);
	buf_init(&r->err);
	if (pipe2(out, O_CLOEXEC) != 0)
		goto fail;
	if (pipe2(err, O_CLOEXEC) != 0) {
		close(out[0]);
		close(out[1]);
		goto fail;
	}
	pid = fork();
	if (pid == 0)
		child(argv, out, err);
	close(out[1]);
	close(err[1]);
	if (pid < 0) {
		close(out[0]);
		close(err[0]);
		goto fail;
	}
	r->pid = pid;
	deadline = now_ms() + 1000L * timeout_s;
	if (!collect(out[0], err[0], r, deadline))
		r->timed_out = true;
	close(out[0]);
	close(err[0]);
	/* a child that closed its output may still run: the deadline holds */
	for (;;) {
		pid_t w = r->timed_out ? 0 : waitpid(pid, &ws, WNOHANG);

		if (w == pid || (w < 0 && errno != EINTR))
			break;
		if (r->timed_out || now_ms() >= deadline) {
			r->timed_out = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
				;
			break;
		}
		if (w == 0)
			usleep(10000);
	}
	r->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	return 0;
fail:
	buf_printf(msg, "cannot run %s: %s", argv[0], strerror(errno));
	return -1;
}
