/* lvsdns-vip-guard: keepalived's quorum_up/quorum_down command. Puts a
 * balancer's VIPs on (up) or takes them off (down) the interface FRR
 * redistributes from, so BGP announces or withdraws them. It touches only
 * addresses listed in the rendered vips file. See bgp/README.md and
 * docs/lvsdns-vip-guard.8 for the command-line contract. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "addr.h"
#include "buf.h"
#include "nl_addr.h"
#include "vips_file.h"

#define DEFAULT_VIPS_FILE "/etc/lvsdns/vips"

enum exit_code { EXIT_DONE = 0, EXIT_KERNEL = 1, EXIT_USAGE = 2 };

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lvsdns-vip-guard [-f VIPS_FILE] up|down VIP...\n"
		"       lvsdns-vip-guard [-f VIPS_FILE] check\n"
		"Adds (up) or removes (down) VIPs listed in VIPS_FILE (default "
		DEFAULT_VIPS_FILE ")\non the interface named there. Exit 0 done, "
		"1 kernel error, 2 usage or list error.\n");
}

/* Every message of the vips parser, one syslog line each. */
static void log_lines(int prio, const char *text)
{
	char *copy = xstrdup(text), *save = NULL, *line;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		syslog(prio, "%s", line);
	free(copy);
}

/* Resolves every argument to its list entry before anything changes, so a
 * bad argument never leaves the VIPs half moved. */
static int resolve(const struct vips *list, const char *path, int n, char **args,
		   const struct vip_entry **out)
{
	int rc = 0;

	for (int i = 0; i < n; i++) {
		struct addr a;

		if (!addr_parse(args[i], &a)) {
			syslog(LOG_ERR, "'%s' is not a numeric IP address", args[i]);
			rc = -1;
		} else if (!(out[i] = vips_find(list, &a))) {
			syslog(LOG_ERR, "%s is not listed in %s; refusing to touch it",
			       args[i], path);
			rc = -1;
		}
	}
	return rc;
}

/* " (it was /24)": a removed address that was not a host prefix. */
static const char *prefix_note(unsigned len)
{
	static char note[32];

	snprintf(note, sizeof(note), " (it was /%u)", len);
	return note;
}

static enum exit_code apply_one(int fd, bool up, const struct vip_entry *e)
{
	char text[ADDR_STRLEN];
	unsigned ifindex = if_nametoindex(e->interface);
	enum nl_outcome o;
	unsigned len = 0;
	int error = 0;

	addr_str(&e->addr, text);
	if (ifindex == 0) {
		syslog(LOG_ERR, "%s %s (%s): interface %s: %s", up ? "up" : "down", text,
		       e->service, e->interface, strerror(errno));
		return EXIT_KERNEL;
	}
	o = nl_addr_change(fd, up, &e->addr, ifindex, &error, &len);
	if (o == NL_FAILED) {
		syslog(LOG_ERR, "%s %s (%s) on %s: %s", up ? "up" : "down", text, e->service,
		       e->interface, strerror(error));
		return EXIT_KERNEL;
	}
	syslog(LOG_NOTICE, "%s %s (%s) on %s: %s%s", up ? "up" : "down", text, e->service,
	       e->interface, o == NL_DONE ? (up ? "added" : "removed")
					  : (up ? "already present" : "already absent"),
	       o == NL_DONE && len != addr_maxlen(&e->addr) ? prefix_note(len) : "");
	return EXIT_DONE;
}

static enum exit_code apply(bool up, const struct vips *list, const char *path, int n,
			    char **args)
{
	const struct vip_entry **entries = xcalloc((size_t)n, sizeof(*entries));
	enum exit_code rc = EXIT_DONE;
	int fd;

	if (resolve(list, path, n, args, entries) != 0) {
		free(entries);
		return EXIT_USAGE;
	}
	fd = nl_open();
	if (fd < 0) {
		syslog(LOG_ERR, "netlink socket: %s", strerror(errno));
		free(entries);
		return EXIT_KERNEL;
	}
	/* Keep going after a failure: each VIP is independent. */
	for (int i = 0; i < n; i++)
		if (apply_one(fd, up, entries[i]) != EXIT_DONE)
			rc = EXIT_KERNEL;
	close(fd);
	free(entries);
	return rc;
}

int main(int argc, char **argv)
{
	const char *path = DEFAULT_VIPS_FILE, *cmd;
	struct vips list;
	struct buf err;
	enum exit_code rc;
	int opt;

	openlog("lvsdns-vip-guard", LOG_PID | LOG_PERROR,
		LOG_DAEMON);
	while ((opt = getopt(argc, argv, "+f:h")) != -1) {
		switch (opt) {
		case 'f': path = optarg; break;
		case 'h': usage(stdout); return EXIT_DONE;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[optind++];
	if (strcmp(cmd, "check") != 0 && strcmp(cmd, "up") != 0 && strcmp(cmd, "down") != 0) {
		syslog(LOG_ERR, "unknown command '%s'", cmd);
		usage(stderr);
		return EXIT_USAGE;
	}
	if ((strcmp(cmd, "check") == 0) != (optind == argc)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	buf_init(&err);
	if (vips_load(path, &list, &err) != 0) {
		log_lines(LOG_ERR, err.data);
		buf_free(&err);
		return EXIT_USAGE;
	}
	buf_free(&err);
	if (strcmp(cmd, "check") == 0)
		rc = EXIT_DONE;
	else
		rc = apply(strcmp(cmd, "up") == 0, &list, path, argc - optind, argv + optind);
	vips_free(&list);
	closelog();
	return rc;
}
