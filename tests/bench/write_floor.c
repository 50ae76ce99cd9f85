/* tests/bench/write-floor -j N LIST DIR: the floor under cluster-gen render.
 * Writes the files LIST names ("SIZE PATH" per line, as a render made them)
 * into the new tree DIR through the same outtree code and the same thread
 * split as cluster-gen, with no parsing or templating, and prints the
 * milliseconds from creating the temporary tree to swapping it in. What a
 * render takes beyond this is cluster-gen's own work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "outtree.h"
#include "parallel.h"

struct entry {
	char *path;
	size_t size;
};

struct share {
	const struct outtree *tree;
	const struct entry *v;
	size_t n;
	const char *fill;
	int rc;
};

static void write_share(void *arg)
{
	struct share *sh = arg;
	struct buf err;

	buf_init(&err);
	for (size_t i = 0; i < sh->n && sh->rc == 0; i++)
		sh->rc = outtree_write_next(sh->tree, i ? sh->v[i - 1].path : NULL, sh->v[i].path,
					    sh->fill, sh->v[i].size, 0644, &err);
	if (sh->rc != 0)
		fprintf(stderr, "write-floor: %s\n", err.data);
	buf_free(&err);
}

static struct entry *read_list(const char *file, size_t *n, size_t *largest)
{
	FILE *f = fopen(file, "r");
	struct entry *v = NULL;
	size_t cap = 0, size;
	char path[4096];

	*n = *largest = 0;
	while (f && fscanf(f, "%zu %4095s", &size, path) == 2) {
		if (strcmp(path, OUTTREE_MARKER) == 0)
			continue;   /* outtree_begin writes it */
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[(*n)++] = (struct entry){ xstrdup(path), size };
		if (size > *largest)
			*largest = size;
	}
	if (f)
		fclose(f);
	return v;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	size_t n, largest, jobs;
	struct entry *v;
	struct outtree tree;
	struct share *sh;
	struct buf err;
	char *fill;
	double t0;
	int rc = 0;

	if (argc != 5 || strcmp(argv[1], "-j") != 0 || (jobs = strtoul(argv[2], NULL, 10)) < 1) {
		fprintf(stderr, "usage: write-floor -j N LIST DIR\n");
		return 2;
	}
	v = read_list(argv[3], &n, &largest);
	fill = xmalloc(largest + 1);
	memset(fill, 'x', largest + 1);
	sh = xcalloc(jobs, sizeof(*sh));
	buf_init(&err);
	t0 = now_ms();
	if (outtree_begin(&tree, argv[4], &err) == 0) {
		tree.jobs = (unsigned)jobs;
		for (size_t j = 0; j < jobs; j++)
			sh[j] = (struct share){ &tree, v + n * j / jobs,
						n * (j + 1) / jobs - n * j / jobs, fill, 0 };
		run_each(sh, jobs, sizeof(*sh), write_share);
		for (size_t j = 0; j < jobs; j++)
			rc |= sh[j].rc;
		if (rc == 0 && outtree_commit(&tree, &err) != 0)
			rc = -1;
	} else {
		rc = -1;
	}
	outtree_end(&tree);
	if (rc == 0)
		printf("%.1f\n", now_ms() - t0);
	else if (err.len)
		fprintf(stderr, "write-floor: %s\n", err.data);
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
	free(fill);
	free(sh);
	buf_free(&err);
	return rc == 0 ? 0 : 1;
}
