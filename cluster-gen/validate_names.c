/* Names and paths that go into generated files and command lines: what
 * may stand there unquoted, and the checks that say so at a line. */
#include "validate.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

bool safe_name(const char *s)
{
	size_t n = 0;

	if (!s || !isalnum((unsigned char)s[0]))
		return false;
	for (; s[n]; n++)
		if (!isalnum((unsigned char)s[n]) && !strchr("_.-", s[n]))
			return false;
	return n <= 63;
}

bool safe_ifname(const char *s)
{
	return safe_name(s) && strlen(s) <= 15;
}

bool safe_path(const char *s)
{
	if (!s || s[0] != '/')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("/_.-+", *s))
			return false;
	return true;
}

bool valid_qname(const char *s)
{
	size_t label = 0, total = strlen(s);

	if (strcmp(s, ".") == 0)
		return true;
	if (total == 0 || total > 254 || (total == 254 && s[253] != '.'))
		return false;
	for (; *s; s++) {
		if (*s == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
		if (++label > 63)
			return false;
	}
	return true;
}

void check_name(struct diags *d, int line, const char *what, const char *name)
{
	if (!safe_name(name))
		diag_add(d, line, "use letters, digits, '_', '.' and '-', starting with a letter or digit, at most 63",
			 "%s name '%s' is not safe in generated files and command lines", what, name);
}

bool bind_version_is_safe(const char *v)
{
	size_t n = v ? strlen(v) : 0;

	return n > 0 && n < 32 &&
	       strspn(v, "0123456789.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-+") == n;
}

/* Does the path p (its first n octets) have a part that is empty (from
 * "//"), "." or ".."? */
static bool odd_part(const char *p, size_t n)
{
	for (size_t i = 1, start = 1; i <= n; i++) {
		size_t len = i - start;

		if (i < n && p[i] != '/')
			continue;
		if (len == 0 || (len == 1 && p[start] == '.') ||
		    (len == 2 && p[start] == '.' && p[start + 1] == '.'))
			return true;
		start = i + 1;
	}
	return false;
}

const char *bind_prefix_check(char *p)
{
	size_t n = p ? strlen(p) : 0;

	while (n > 1 && p[n - 1] == '/')
		n--;
	if (n == 0 || p[0] != '/')
		return "is not an absolute path, as bind-build's --prefix and ExecStart= need";
	if (!safe_path(p))
		return "holds characters other than letters, digits and '/_.-+', which "
		       "systemd would split or expand in ExecStart=";
	if (n == 1)
		return "is the root directory, where no BIND installs its programs";
	if (odd_part(p, n))
		return "is not a plain path: it has a '.' or '..' part, or '//'";
	p[n] = '\0';
	return NULL;
}
