/* libconfuse's own messages, written as libconfuse writes them: "FILE:LINE:
 * message" on stderr. The walk of the text (site_walk.c) reports what it
 * finds before libconfuse parses, so these are left for what the walk
 * leaves to libconfuse, what escapes hide (an escaped title, say). */
#include "parse_errors.h"

#include <stdarg.h>
#include <stdio.h>

__attribute__((format(printf, 2, 0)))
static void report(cfg_t *cfg, const char *fmt, va_list ap)
{
	if (cfg && cfg->filename && cfg->line)
		fprintf(stderr, "%s:%d: ", cfg->filename, cfg->line);
	else if (cfg && cfg->filename)
		fprintf(stderr, "%s: ", cfg->filename);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void parse_errors_begin(cfg_t *cfg)
{
	cfg_set_error_function(cfg, report);
}

__attribute__((format(printf, 2, 0)))
static void ignore(cfg_t *cfg, const char *fmt, va_list ap)
{
	(void)cfg;
	(void)fmt;
	(void)ap;
}

void parse_errors_quiet(cfg_t *cfg)
{
	cfg_set_error_function(cfg, ignore);
}
