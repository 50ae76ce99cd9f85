/* The one picture of a site: plain C types, no libconfuse. The parser
 * (schema.c, parse.c) fills it, validate.c cross-checks it, and each
 * renderer reads it through `const struct site *`. The parser sorts every
 * array by name (ports by protocol then number, networks by address), so
 * output never depends on input order. */
#ifndef LVSDNS_SITE_H
#define LVSDNS_SITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

enum proto { PROTO_UDP, PROTO_TCP };

struct port_proto {
	enum proto proto;
	uint16_t port;
};

enum lvs_method { LVS_DR, LVS_NAT, LVS_TUN };
enum checker_kind { CHECKER_PROBE, CHECKER_WATCH, CHECKER_KEEPALIVED_DNS };
enum transport { TRANSPORT_UDP, TRANSPORT_TCP, TRANSPORT_UDP_TCP };
enum bgp_mode { BGP_ACTIVE_STANDBY, BGP_ANYCAST };
enum nat_mode { NAT_STATEFUL, NAT_STATELESS };

/* Where a value came from in site.conf, for messages. Each section has
 * one (`at`, where it opens); so has each option a cross-check in
 * validate.c reports on (`<field>_at`, where it was last set, or the
 * section's line when the file leaves it at its default). */
struct origin {
	int line;
};

struct service {
	char *name;
	struct origin at;
	struct addr vip;
	struct origin vip_at;
	struct port_proto *ports; /* sorted: udp before tcp, then by port */
	size_t nports;
	struct origin ports_at;
	char *scheduler;          /* lvs_sched: wrr, rr, lc, wlc, sh, mh, ... */
	struct origin scheduler_at;
	enum lvs_method method;
	struct origin method_at;
	unsigned persistence_timeout;   /* seconds; 0: no persistence */
	unsigned persistence_netmask;   /* prefix length; 0: unset */
	struct origin persistence_netmask_at;
	unsigned delay_loop;      /* seconds between checks */
	unsigned quorum;          /* sum of weights needed for the VIP to stay up */
	struct origin quorum_at;
	unsigned hysteresis;
	struct origin hysteresis_at;
	bool alpha;
	bool ops;                 /* one-packet scheduling (udp only) */
	bool numbers_refused;     /* persistence-*, quorum or hysteresis out of range */
};

struct neighbor {
	char *name;
	struct origin at;
	struct addr address;
	struct origin address_at;
	unsigned remote_as;       /* defaults to the site's ASN (iBGP) */
	char *description;
	struct origin description_at;
	bool bfd;
};

/* The balancer's own address on one real-server VLAN. */
struct vlan {
	char *name;               /* "105" */
	struct origin at;
	char *interface;          /* balancer side, e.g. "eth1.105" */
	struct origin interface_at;
	struct prefix address;    /* 10.1.53.1/24: address and network */
	struct origin address_at;
};

struct balancer {
	char *name;
	struct origin at;
	struct addr router_id;    /* IPv4 */
	struct origin router_id_at;
	char *vip_interface;      /* where the VIPs live and FRR redistributes from */
	struct origin vip_interface_at;
	size_t *primary;          /* indexes into site.services, sorted; none in
				     anycast mode, where validation refuses it */
	size_t nprimary;
	struct origin primary_at;
	size_t *services;         /* services this balancer carries (default all) */
	size_t nservices;
	struct origin services_at;
	struct neighbor *neighbors;
	size_t nneighbors;
	struct vlan *vlans;
	size_t nvlans;
};

struct instance {
	char *name;               /* unique within its host */
	struct origin at;
	char *interface;          /* host side, e.g. "eth1.105" */
	struct origin interface_at;
	struct addr address;
	struct origin address_at;
	size_t vlan;              /* index into its balancer's vlans */
	unsigned weight;
	struct origin weight_at;
	bool weight_refused;      /* out of range: the weight above stands in */
	unsigned control_port;    /* rndc control channel; 0: none */
	struct origin control_port_at;
};

struct realserver {
	char *name;               /* host name */
	struct origin at;
	size_t balancer;          /* index into site.balancers */
	struct prefix *clients;   /* networks allowed to recurse, sorted */
	size_t nclients;
	struct origin clients_at;
	enum nat_mode nat;
	struct origin nat_at;
	struct instance *instances;
	size_t ninstances;
};

struct check {
	struct origin at;
	char *qname;
	struct origin qname_at;
	char *qtype;              /* upper case: A, AAAA, SOA, ... */
	struct origin qtype_at;
	char *qclass;             /* IN or CH */
	struct origin qclass_at;
	unsigned timeout;         /* seconds per try */
	unsigned tries;
	char **fail_rcodes;       /* upper case names, sorted, unique */
	size_t nfail_rcodes;
	struct origin fail_rcodes_at;
	enum transport transport;
	struct origin transport_at;
	enum checker_kind checker;
	struct origin checker_at;
	unsigned rise, fall;      /* consecutive results needed to change state */
	unsigned interval;        /* seconds between checks in watch mode */
	char *expect_address;     /* optional: an address that must be in the answer */
	struct origin expect_address_at;
	unsigned min_answers;     /* 0: any NOERROR counts */
	struct origin min_answers_at;
	char *dynamic_weight;     /* latency thresholds "MS,MS,..." for misc_dynamic; NULL: off */
	struct origin dynamic_weight_at;
	char *probe_path;         /* dnsprobe as installed on the balancers */
	struct origin probe_path_at;
	char *watch_dir;          /* where watch mode writes the track files */
	struct origin watch_dir_at;
};

struct bgp {
	struct origin at;
	enum bgp_mode mode;
	struct origin mode_at;
	unsigned primary_metric, backup_metric;
	struct origin primary_metric_at, backup_metric_at;
	bool metrics_refused;             /* primary- or backup-metric out of range */
	unsigned local_preference;
	unsigned keepalive, holdtime;     /* seconds */
	struct origin keepalive_at, holdtime_at;
	bool timers_refused;              /* keepalive or holdtime out of range */
	bool bfd;
	unsigned bfd_interval_ms;         /* transmit and receive */
	unsigned bfd_multiplier;
};

struct bind {
	struct origin at;
	char *version;            /* "9.18.49" */
	struct origin version_at;
	bool threads;             /* false: one worker thread per named (-n 1) */
	bool internal_malloc;
	char *prefix;             /* the installation the units run: "/usr/local"
				     (bind-build's), "/usr" (the distribution's);
				     no trailing slash */
};

struct site {
	char *file;               /* as given on the command line */
	struct origin at;         /* the site section */
	char *name;
	unsigned asn;
	char *script_user;        /* keepalived script_user */
	struct origin script_user_at;
	char *vip_guard_path;     /* quorum_up/quorum_down program */
	struct origin vip_guard_path_at;
	char *script_check_path;  /* lvsdns-script-check, for keepalived's drop-ins */
	struct origin script_check_path_at;
	struct check check;
	struct bgp bgp;
	struct bind bind;
	struct service *services;
	size_t nservices;
	struct balancer *balancers;
	size_t nbalancers;
	struct realserver *realservers;
	size_t nrealservers;
	/* Names the parser reported it could not resolve. The model then lacks
	 * what the file meant, so the cross-checks that need every reference
	 * skip what they would misjudge (a host's instances missing behind the
	 * balancer it was meant for, a service without the primary a typo was
	 * meant to give it): the operator fixes the name, runs check again and
	 * gets the problems that are left, not ones the typo made up. */
	bool unresolved_balancer; /* a host's balancer unknown or missing, or a host
				     declared twice (the second is dropped) */
	bool unresolved_service;  /* an unknown service in primary or services */
};

void site_free(struct site *s);
/* The site file's base name: generated files name it without the path it was
 * given by, so renders from different directories are identical. */
const char *site_file_name(const struct site *s);

const char *proto_name(enum proto p);          /* "udp", "tcp" */
const char *lvs_method_name(enum lvs_method m); /* "DR", "NAT", "TUN" */
const char *checker_name(enum checker_kind c);
const char *transport_name(enum transport t);  /* "udp", "tcp", "udp-tcp" */
const char *bgp_mode_name(enum bgp_mode m);
const char *nat_mode_name(enum nat_mode m);

/* Does bind { prefix } name the distribution's BIND ("/usr", Debian's
 * bind9 package) rather than a bind-build install? */
bool bind_is_distribution(const struct bind *b);

/* Lookups by name; return the index or (size_t)-1. */
size_t site_service_index(const struct site *s, const char *name);
size_t site_balancer_index(const struct site *s, const char *name);
bool balancer_is_primary(const struct balancer *b, size_t service);
bool balancer_carries(const struct balancer *b, size_t service);
/* The distinct protocols and ports of the services b carries with VIPs of
 * family (AF_INET, AF_INET6), in service then port order: one virtual
 * server each. Returns *n of them, malloc'd. */
struct port_proto *balancer_family_ports(const struct site *s, const struct balancer *b,
					 int family, size_t *n);

#endif
