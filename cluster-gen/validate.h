/* Cross-checks of a parsed site: what libconfuse's types cannot see. Each
 * problem says what would go wrong and is added to d. */
#ifndef LVSDNS_VALIDATE_H
#define LVSDNS_VALIDATE_H

#include <stdbool.h>
#include <string.h>

#include "diag.h"
#include "site.h"

void validate_site(const struct site *s, struct diags *d);
/* The address plan (validate_addrs.c): VIPs, VLAN networks, neighbors and
 * client networks; called by validate_site. */
void validate_addresses(const struct site *s, struct diags *d);
/* The real servers (validate_realservers.c); called by validate_site. */
void validate_realservers(const struct site *s, struct diags *d);
/* The check { } section (validate_check.c); called by validate_site. */
void validate_check(const struct site *s, struct diags *d);
/* Watch mode's target ids against dnsprobe's limit (validate_check.c). */
void validate_watch_ids(const struct site *s, struct diags *d);
/* A CH check more frequent than BIND's _bind view answers (validate_check.c). */
void validate_chaos_rate(const struct site *s, struct diags *d);
/* "WHAT name 'NAME' is not safe ..." unless safe_name(name). */
void check_name(struct diags *d, int line, const char *what, const char *name);

/* Problems name the line of the option that is wrong. When two options
 * disagree, the later in the file is where the disagreement begins. */
static inline int later_line(struct origin a, struct origin b)
{
	return a.line > b.line ? a.line : b.line;
}

/* Is s one of the names in the NULL-ended table t? */
static inline bool in_table(const char *const *t, const char *s)
{
	for (; *t; t++)
		if (strcmp(*t, s) == 0)
			return true;
	return false;
}

#define RESERVED_HOST_HINT "a network's first address names it, and an IPv4 network's last is its broadcast"

/* Names that may appear unquoted in any generated file, unit name or
 * command line: [A-Za-z0-9][A-Za-z0-9_.-]*, at most 63 octets. */
bool safe_name(const char *s);
/* Linux interface names we accept: safe_name and at most 15 octets. */
bool safe_ifname(const char *s);
/* An absolute path without whitespace, quotes or shell metacharacters. */
bool safe_path(const char *s);
/* A DNS name in presentation form: LDH/underscore labels of 1..63 octets,
 * at most 253 octets, optional final dot. */
bool valid_qname(const char *s);
/* A bind { prefix } as written: NULL when it may go into named@.service's
 * ExecStart= and bind-build's --prefix as it is, its trailing slashes then
 * dropped ("/usr/local/" is "/usr/local"); else why not, p untouched. */
const char *bind_prefix_check(char *p);
/* A BIND version string safe to write into build.env and messages:
 * letters, digits, '.', '-', '+', under 32 octets ("9.18.49", "9.9.13-P1"). */
bool bind_version_is_safe(const char *v);

#endif
