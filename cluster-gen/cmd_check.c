/* cluster-gen check SITE: parse and validate only. */
#include <getopt.h>
#include <stdio.h>

#include "commands.h"

static const char check_options[] = "";

int cmd_check(int argc, char **argv, const struct command *self)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct site s;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			command_usage(self, stdout, check_options);
			return EXIT_OK;
		}
		command_usage(self, stderr, check_options);
		return EXIT_USAGE;
	}
	if (optind != argc - 1) {
		command_usage(self, stderr, check_options);
		return EXIT_USAGE;
	}
	if (load_site_or_report(argv[optind], &s) != EXIT_OK)
		return EXIT_USAGE;
	printf("%s: site %s is valid (%zu services, %zu balancers, %zu real servers)\n",
	       argv[optind], s.name, s.nservices, s.nbalancers, s.nrealservers);
	site_free(&s);
	return EXIT_OK;
}
