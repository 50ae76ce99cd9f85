/* bench-exec: CPU (user+sys, the process and its waited-for children, from
 * wait4) and peak RSS of commands exec'd directly, no shell, N rounds,
 * the commands interleaved round by round so drift hits all alike.
 *
 * usage: bench-exec N LABEL CMD [ARGS...] [::: LABEL CMD [ARGS...]]...
 * prints one markdown table row per command:
 *   | label | median cpu us | p10 | p90 | median wall us | max rss KiB | exit codes seen |
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 16

struct cmd {
	const char *label;
	char **argv;
	double *cpu, *wall;
	long maxrss;
	unsigned codes; /* bit n: exit code n seen (0..31) */
};

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void run(struct cmd *c, int round)
{
	struct rusage ru;
	int st;
	double t0 = now_us();
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1); /* dig prints its answer; the table must stay clean */
		dup2(null, 2);
		execv(c->argv[0], c->argv);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &st, 0, &ru) != pid) {
		perror("bench-exec");
		exit(2);
	}
	c->wall[round] = now_us() - t0;
	c->cpu[round] = ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1e6 +
			ru.ru_stime.tv_usec;
	if (ru.ru_maxrss > c->maxrss)
		c->maxrss = ru.ru_maxrss;
	if (WIFEXITED(st) && WEXITSTATUS(st) < 32)
		c->codes |= 1u << WEXITSTATUS(st);
	else
		c->codes |= 1u << 31;
}

int main(int argc, char **argv)
{
	struct cmd cmds[MAX_CMDS];
	int n = 0, rounds;

	if (argc < 4 || (rounds = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: bench-exec N LABEL CMD [ARGS...] [::: LABEL CMD...]...\n");
		return 2;
	}
	for (int i = 2; i < argc && n < MAX_CMDS;) {
		struct cmd *c = &cmds[n++];
		memset(c, 0, sizeof(*c));
		c->label = argv[i++];
		c->argv = &argv[i];
		while (i < argc && strcmp(argv[i], ":::") != 0)
			i++;
		if (i < argc)
			argv[i++] = NULL;
		c->cpu = calloc((size_t)rounds, sizeof(double));
		c->wall = calloc((size_t)rounds, sizeof(double));
	}
	for (int r = 0; r < rounds; r++)
		for (int k = 0; k < n; k++)
			run(&cmds[k], r);
	for (int k = 0; k < n; k++) {
		struct cmd *c = &cmds[k];
		qsort(c->cpu, (size_t)rounds, sizeof(double), cmp);
		qsort(c->wall, (size_t)rounds, sizeof(double), cmp);
		printf("| %s | %.0f | %.0f | %.0f | %.0f | %ld | ", c->label, c->cpu[rounds / 2],
		       c->cpu[rounds / 10], c->cpu[rounds * 9 / 10], c->wall[rounds / 2], c->maxrss);
		for (int e = 0; e < 32; e++)
			if (c->codes & (1u << e))
				printf(e == 31 ? "signal " : "%d ", e);
		printf("|\n");
	}
	return 0;
}
