#include "oneshot.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>

/* Drives one exchange until a verdict or the deadline. */
static enum verdict run_exchange(const struct check *c, bool tcp, uint64_t deadline,
				 struct rng *rng, struct outcome *out)
{
	struct exchange ex;
	enum verdict v;

	ex_init(&ex);
	v = ex_start(&ex, c, tcp, 0, rng, &out->err);
	while (v == V_PENDING) {
		uint64_t now = now_us();
		if (now >= deadline) {
			v = V_DOWN_TIMEOUT;
			break;
		}
		uint64_t left = deadline - now;
		struct timespec ts = { (time_t)(left / 1000000), (long)(left % 1000000) * 1000 };
		struct pollfd pfd = { ex.fd, ex_events(&ex), 0 };
		int n = ppoll(&pfd, 1, &ts, NULL);
		if (n < 0 && errno != EINTR) {
			out->err = errno;
			v = V_DOWN_NETWORK;
			break;
		}
		if (n > 0)
			v = ex_step(&ex, c, &out->info, &out->err);
	}
	out->rtt_us = ex_rtt(&ex, now_us());
	out->tcp = tcp;
	ex_close(&ex);
	return v;
}

/* Each try gets the timeout, and all of them together never more than
 * timeout x tries; a tcp retry after TC runs in what is left of its try. */
void probe_once(const struct opts *o, struct rng *rng, struct outcome *out)
{
	uint64_t start = now_us();
	uint64_t overall = start + (uint64_t)o->timeout_ms * 1000 * o->tries;
	bool tcp = o->transport == TM_TCP;
	enum verdict v = V_DOWN_TIMEOUT;

	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < o->tries; i++) {
		uint64_t t0 = now_us();
		if (t0 >= overall)
			break;
		uint64_t dl = t0 + (uint64_t)o->timeout_ms * 1000;
		if (dl > overall)
			dl = overall;
		out->tries++;
		out->err = 0; /* the reason printed is the last try's own */
		v = run_exchange(&o->check, tcp, dl, rng, out);
		if (v == V_RETRY_TCP) {
			tcp = true;
			v = run_exchange(&o->check, true, dl, rng, out);
		}
		if (verdict_final(v))
			break;
	}
	out->v = v;
	out->elapsed_us = now_us() - start;
}

static void describe(FILE *f, const struct opts *o, const struct outcome *out)
{
	char srv[ADDR_STRLEN], name[NAME_TEXT_MAX], type[QTYPE_TEXT_MAX], why[160];

	addr_str(&o->check.ep.server, srv);
	name_to_text(o->check.q.name, o->check.q.name_len, name);
	fprintf(f, "%s#%u %s %s %s: ", srv, o->check.ep.port, name,
		qclass_name(o->check.q.qclass), qtype_name(o->check.q.qtype, type));
	if (verdict_final(out->v) && out->v != V_USAGE)
		fprintf(f, "%s, %s, %u answer%s in %.3f ms over %s", verdict_str(out->v),
			rcode_name(out->info.rcode), out->info.answers,
			out->info.answers == 1 ? "" : "s", (double)out->rtt_us / 1000.0,
			out->tcp ? "tcp" : "udp");
	else
		fprintf(f, "%s after %u tr%s in %.3f ms%s%s", verdict_str(out->v), out->tries,
			out->tries == 1 ? "y" : "ies", (double)out->elapsed_us / 1000.0,
			out->err ? ": " : "",
			out->err ? ep_error_text(&o->check.ep, out->err, why, sizeof(why)) : "");
}

void report_line(FILE *f, const struct opts *o, const struct outcome *out)
{
	describe(f, o, out);
	fputc('\n', f);
}

void nagios_line(FILE *f, const struct opts *o, const struct outcome *out, int code)
{
	static const char *const word[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
	bool answered = verdict_final(out->v);

	fprintf(f, "DNS %s - ", word[code & 3]);
	describe(f, o, out);
	/* Without an answer there is nothing to measure: the plugin guidelines'
	 * "U" (undetermined), not a 0 that graphs as a fast NOERROR. */
	if (answered)
		fprintf(f, "|rtt=%.6fs;", (double)out->rtt_us / 1e6);
	else
		fputs("|rtt=U;", f);
	if (o->exit.warn_ms)
		fprintf(f, "%.3f", o->exit.warn_ms / 1000.0);
	if (answered)
		fprintf(f, ";;0 rcode=%u answers=%u\n", out->info.rcode, out->info.answers);
	else
		fputs(";;0 rcode=U answers=U\n", f);
}
