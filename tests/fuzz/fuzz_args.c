/* libFuzzer target: the argument parser (probes/args.c) and the watch
 * targets file parser (probes/targets.c). The input is split on NUL bytes
 * into argv; it is also parsed whole as a targets file. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../probes/args.h"
#include "../../probes/targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 40

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *argv[MAX_ARGS + 1];
	static struct opts o;
	char err[ARGS_ERR_MAX];
	int argc = 1;

	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[0] = "dnsprobe";
	for (size_t i = 0; i < size && argc < MAX_ARGS; ) {
		argv[argc++] = copy + i;
		i += strlen(copy + i) + 1;
	}
	argv[argc] = NULL;
	args_parse(argc, argv, &o, err, sizeof(err));

	/* the same bytes as a targets file (up to the first NUL) */
	struct target_conf *tc;
	struct diags d;
	struct opts base;
	char *pos[] = { "dnsprobe", "--watch", "t", NULL };
	args_parse(3, pos, &base, err, sizeof(err));
	diags_init(&d, "targets");
	size_t n = targets_parse(copy, &base, &tc, &d);
	if (n >= 2)
		(void)target_conf_same(&tc[0], &tc[1]);
	targets_free(tc, n);
	diags_free(&d);
	free(copy);
	return 0;
}
