#include "targets.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

enum { F_ID, F_SOURCE, F_SERVER, F_PORT, F_QNAME, F_QTYPE, F_TRANSPORT, F_INTERVAL,
       F_TIMEOUT, F_TRIES, F_RISE, F_FALL, F_STATE, NFIELDS };

static const char *const field_names[NFIELDS] = {
	"id", "source", "server", "port", "qname", "qtype", "transport", "interval_ms",
	"timeout_ms", "tries", "rise", "fall", "state_file",
};

/* Splits line (modified in place) into at most max fields; returns the count,
 * or max + 1 when there are more. */
static size_t split(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *save = NULL;

	for (char *t = strtok_r(line, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
		if (n == max)
			return max + 1;
		f[n++] = t;
	}
	return n;
}

static bool num(struct diags *d, int line, char **f, int i, unsigned long min,
		unsigned long max, unsigned long *v)
{
	if (parse_uint(f[i], min, max, v))
		return true;
	diag_add(d, line, NULL, "%s '%.80s' is not a number from %lu to %lu", field_names[i], f[i],
		 min, max);
	return false;
}

static bool parse_fields(char **f, const struct opts *base, struct target_conf *t, int line,
			 struct diags *d)
{
	unsigned long v;
	bool ok = true;
	int n;

	memset(t, 0, sizeof(*t));
	t->line = line;
	t->check = base->check;
	if (strlen(f[F_ID]) >= TARGET_ID_MAX) {
		diag_add(d, line, NULL, "id '%.80s' is longer than %d characters", f[F_ID], TARGET_ID_MAX - 1);
		ok = false;
	} else {
		strcpy(t->id, f[F_ID]);
	}
	memset(&t->check.ep.source, 0, sizeof(t->check.ep.source));
	if (strcmp(f[F_SOURCE], "-") != 0 && !addr_parse(f[F_SOURCE], &t->check.ep.source)) {
		diag_add(d, line, NULL, "source '%.80s' is not a numeric address or '-'", f[F_SOURCE]);
		ok = false;
	}
	if (!addr_parse(f[F_SERVER], &t->check.ep.server)) {
		diag_add(d, line, NULL, "server '%.80s' is not a numeric address", f[F_SERVER]);
		ok = false;
	} else if (t->check.ep.source.family &&
		   t->check.ep.source.family != t->check.ep.server.family) {
		diag_add(d, line, NULL, "source and server are of different address families");
		ok = false;
	}
	ok &= num(d, line, f, F_PORT, 1, 65535, &v);
	t->check.ep.port = (uint16_t)v;
	enum name_error ne = name_from_text(f[F_QNAME], t->check.q.name, &t->check.q.name_len);
	if (ne != NAME_OK) {
		diag_add(d, line, NULL, "qname '%.80s': %s", f[F_QNAME], name_error_str(ne));
		ok = false;
	}
	if ((n = qtype_from_name(f[F_QTYPE])) < 0) {
		diag_add(d, line, NULL, "qtype '%.80s' is not a known type", f[F_QTYPE]);
		ok = false;
	}
	t->check.q.qtype = (uint16_t)(n < 0 ? 0 : n);
	const char *why = n >= 0 ? expect_mismatch(t->check.q.qtype, &t->check.expect) : NULL;
	if (why) {
		diag_add(d, line, NULL, "qtype %s: %s (--expect-address)", f[F_QTYPE], why);
		ok = false;
	}
	if (!parse_transport(f[F_TRANSPORT], &t->transport)) {
		diag_add(d, line, NULL, "transport '%.80s' is not udp, tcp or udp-tcp", f[F_TRANSPORT]);
		ok = false;
	}
	t->check.expect.tcp_fallback = t->transport == TM_UDP_TCP;
	ok &= num(d, line, f, F_INTERVAL, 10, 86400000, &v);
	t->interval_ms = (uint32_t)v;
	ok &= num(d, line, f, F_TIMEOUT, 1, 3600000, &v);
	t->timeout_ms = (uint32_t)v;
	ok &= num(d, line, f, F_TRIES, 1, 100, &v);
	t->tries = (unsigned)v;
	ok &= num(d, line, f, F_RISE, 1, 1000, &v);
	t->rise = (unsigned)v;
	ok &= num(d, line, f, F_FALL, 1, 1000, &v);
	t->fall = (unsigned)v;
	t->state_file = xstrdup(f[F_STATE]);
	return ok;
}

static void check_duplicates(const struct target_conf *t, size_t n, struct diags *d)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++) {
			if (strcmp(t[i].id, t[j].id) == 0)
				diag_add(d, t[i].line, NULL, "id '%s' is already used on line %d", t[i].id, t[j].line);
			if (strcmp(t[i].state_file, t[j].state_file) == 0)
				diag_add(d, t[i].line, NULL, "state file '%s' is already used on line %d",
					 t[i].state_file, t[j].line);
		}
}

size_t targets_parse(const char *text, const struct opts *base, struct target_conf **out,
		     struct diags *d)
{
	char *copy = xstrdup(text);
	size_t n = 0, cap = 16;
	int line = 0;
	const char *p = copy;

	*out = xcalloc(cap, sizeof(**out));
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *l = copy + (p - copy), *f[NFIELDS];
		line++;
		p = nl ? nl + 1 : p + len;
		l[len] = '\0';
		char *hash = strchr(l, '#');
		if (hash)
			*hash = '\0';
		size_t nf = split(l, f, NFIELDS);
		if (nf == 0)
			continue;
		if (nf != NFIELDS) {
			diag_add(d, line, "id source server port qname qtype transport interval_ms timeout_ms tries rise fall state_file",
				 "%zu fields, expected %d", nf > NFIELDS ? (size_t)NFIELDS + 1 : nf, NFIELDS);
			continue;
		}
		if (n == cap)
			*out = xreallocarray(*out, cap *= 2, sizeof(**out));
		if (parse_fields(f, base, &(*out)[n], line, d))
			n++;
		else
			free((*out)[n].state_file);
	}
	free(copy);
	check_duplicates(*out, n, d);
	return n;
}

void targets_free(struct target_conf *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i].state_file);
	free(t);
}

bool target_conf_same(const struct target_conf *a, const struct target_conf *b)
{
	const struct check *x = &a->check, *y = &b->check;

	return strcmp(a->id, b->id) == 0 && strcmp(a->state_file, b->state_file) == 0 &&
	       addr_eq(&x->ep.server, &y->ep.server) && addr_eq(&x->ep.source, &y->ep.source) &&
	       x->ep.port == y->ep.port && x->q.qtype == y->q.qtype && x->q.qclass == y->q.qclass &&
	       name_equal(x->q.name, x->q.name_len, y->q.name, y->q.name_len) &&
	       a->transport == b->transport && a->interval_ms == b->interval_ms &&
	       a->timeout_ms == b->timeout_ms && a->tries == b->tries && a->rise == b->rise &&
	       a->fall == b->fall;
}
