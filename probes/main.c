/* dnsprobe: a DNS health check for keepalived (MISC_CHECK, misc_dynamic,
 * FILE_CHECK through --watch) and Nagios/Icinga. See docs/dnsprobe.8. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "oneshot.h"
#include "watch.h"

#define DNSPROBE_VERSION "1.0"

/* --nagios changes what a usage error exits with, so it is found before
 * parsing, which may stop at an earlier argument. */
static enum exit_mode exit_mode_of(int argc, char *argv[])
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--nagios") == 0)
			return EXIT_NAGIOS;
	return EXIT_KEEPALIVED;
}

int main(int argc, char *argv[])
{
	static struct opts o; /* owned by main; static keeps the large struct off the stack */
	char err[ARGS_ERR_MAX];
	struct rng rng;
	struct outcome out;

	if (!args_parse(argc, argv, &o, err, sizeof(err))) {
		struct exit_policy p = { .mode = exit_mode_of(argc, argv) };
		if (p.mode == EXIT_NAGIOS)
			printf("DNS UNKNOWN - %s\n", err);
		fprintf(stderr, "dnsprobe: %s\n%s", err, args_usage);
		return verdict_exit(V_USAGE, &p, 0);
	}
	if (o.help) {
		fputs(args_usage, stdout);
		return 0;
	}
	if (o.version) {
		puts("dnsprobe " DNSPROBE_VERSION);
		return 0;
	}
	if (o.watch_file && o.check_only)
		return watch_check(&o);
	rng_init(&rng);
	if (o.watch_file)
		return watch_run(&o, &rng);
	probe_once(&o, &rng, &out);
	int code = verdict_exit(out.v, &o.exit, out.rtt_us);
	if (o.exit.mode == EXIT_NAGIOS)
		nagios_line(stdout, &o, &out, code);
	else if (o.verbose)
		report_line(stdout, &o, &out);
	return code;
}
