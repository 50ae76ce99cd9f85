/* Running the build's tools: fork/exec with argv arrays, never a shell. */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* In the child: cwd, environment and output, then exec; never returns. */
static void child(char *const argv[], const char *cwd, char *const env[], int outfd)
{
	int devnull = open("/dev/null", O_RDONLY);

	if (devnull >= 0)
		dup2(devnull, STDIN_FILENO);
	dup2(outfd, STDOUT_FILENO);
	dup2(outfd, STDERR_FILENO);
	/* A make that runs us (make check) must not pass its jobserver or its
	 * command-line variables down into BIND's own make. */
	unsetenv("MAKEFLAGS");
	unsetenv("MFLAGS");
	unsetenv("MAKELEVEL");
	unsetenv("MAKEOVERRIDES");
	for (size_t i = 0; env != NULL && env[i] != NULL; i++)
		putenv(env[i]);
	if (cwd != NULL && chdir(cwd) != 0) {
		dprintf(STDERR_FILENO, "bind-build: cannot enter %s: %s\n", cwd, strerror(errno));
		_exit(127);
	}
	execvp(argv[0], argv);
	dprintf(STDERR_FILENO, "bind-build: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int wait_status(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 127;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 127;
}

int run_cmd(char *const argv[], const char *cwd, char *const env[], int logfd)
{
	int fd = logfd >= 0 ? logfd : open("/dev/null", O_WRONLY);
	pid_t pid;
	int rc;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		child(argv, cwd, env, fd);
	rc = pid < 0 ? 127 : wait_status(pid);
	if (logfd < 0 && fd >= 0)
		close(fd);
	return rc;
}

int run_capture(char *const argv[], const char *cwd, char *const env[], struct buf *out)
{
	int p[2];
	pid_t pid;
	char chunk[4096];
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) != 0)
		return 127;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		child(argv, cwd, env, p[1]);
	}
	close(p[1]);
	while ((n = read(p[0], chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			buf_append(out, chunk, (size_t)n);
	close(p[0]);
	return pid < 0 ? 127 : wait_status(pid);
}

bool have_program(const char *name)
{
	const char *path = getenv("PATH");
	struct buf b;
	bool found = false;

	if (strchr(name, '/') != NULL)
		return access(name, X_OK) == 0;
	buf_init(&b);
	for (const char *p = path != NULL ? path : "/usr/bin:/bin"; !found; p++) {
		const char *end = strchr(p, ':');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);

		buf_reset(&b);
		buf_printf(&b, "%.*s/%s", (int)n, n ? p : ".", name);
		found = access(b.data, X_OK) == 0;
		if (end == NULL)
			break;
		p = end;
	}
	buf_free(&b);
	return found;
}

void show_tail(const char *path, int lines, FILE *to)
{
	FILE *f = fopen(path, "rb");
	long size, pos;
	int seen = 0;
	char c;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) <= 0) {
		if (f != NULL)
			fclose(f);
		return;
	}
	/* Walk back from the end to the start of the wanted lines. */
	for (pos = size - 1; pos > 0; pos--) {
		if (fseek(f, pos - 1, SEEK_SET) != 0 || fread(&c, 1, 1, f) != 1)
			break;
		if (c == '\n' && ++seen > lines)
			break;
	}
	fseek(f, pos, SEEK_SET);
	while (fread(&c, 1, 1, f) == 1)
		fputc(c, to);
	fclose(f);
}

static bool needs_quotes(const char *s)
{
	return *s == '\0' || strpbrk(s, " \t\n'\"\\$`*?[]{}()<>|&;#~") != NULL;
}

void argv_line(char *const argv[], struct buf *out)
{
	for (size_t i = 0; argv[i] != NULL; i++) {
		if (i > 0)
			buf_putc(out, ' ');
		if (!needs_quotes(argv[i])) {
			buf_puts(out, argv[i]);
			continue;
		}
		buf_putc(out, '\'');
		for (const char *p = argv[i]; *p; p++)
			buf_puts(out, *p == '\'' ? "'\\''" : (char[2]){ *p, 0 });
		buf_putc(out, '\'');
	}
}
