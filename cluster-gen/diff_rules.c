#include "diff_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether line is an element of an nft map: a concatenated key, then " : "
 * and its value ("IF . VIP . PROTO . PORT : ADDR . PORT,"; stateless mode's
 * "... : ADDR," and "ADDR . PROTO . PORT : VIP,"; a zone map's ": ZONE,").
 * A map's comment and its type line read alike and are no flow. */
static bool nft_element(const char *line)
{
	const char *s = line + strspn(line, " \t"), *colon = strstr(s, " : ");

	return colon && memmem(s, (size_t)(colon - s), " . ", 3) && *s != '#' &&
	       strncmp(s, "type", 4) != 0;
}

/* The flow an nft map element sends, into a new string, or NULL for an
 * element that sends none of its own. A flow is an element of the map from
 * "IF . VIP . PROTO . PORT" to the instance: stateful mode's dnat map
 * (": ADDR . PORT", the port the VIP's) or stateless mode's in map
 * (": ADDR"), both "IF . VIP . PROTO . PORT>ADDR", so that a host turning
 * from one mode to the other, whose instances stay, gains and loses no
 * flow. The zone map's elements ("IF . VIP : ZONE") and stateless mode's
 * out map ("ADDR . PROTO . PORT : VIP") follow from those. */
static char *nft_flow(const char *line)
{
	const char *s = line + strspn(line, " \t"), *colon = strstr(s, " : "), *v = colon + 3;
	int parts = 1;

	for (const char *p = s; (p = memmem(p, (size_t)(colon - p), " . ", 3)); p += 3)
		parts++;
	if (parts != 4)
		return NULL;
	return xasprintf("%.*s>%.*s", (int)(colon - s), s, (int)strcspn(v, " ,"), v);
}

/* Each flow from a VIP to an instance that f sends: an iptables rule's
 * "IF VIP PROTO PORT>TARGET" (its client network left out: a new client
 * network is no new flow to order against the balancer's reload), an nft
 * map's as nft_flow gives it; NULL for any other line. */
static char *dnat_flow(const char *line)
{
	char iface[32], vip[64], proto[16], port[16], to[80];

	if (strstr(line, " --to-destination "))
		return xasprintf("%s %s %s %s>%s", word_after(line, " -i ", iface, sizeof(iface)),
				 word_after(line, " -d ", vip, sizeof(vip)),
				 word_after(line, " -p ", proto, sizeof(proto)),
				 word_after(line, " --dport ", port, sizeof(port)),
				 word_after(line, " --to-destination ", to, sizeof(to)));
	return nft_element(line) ? nft_flow(line) : NULL;
}

/* What became of a flow of the old rules ("...>TARGET", see dnat_flow) in
 * the new ones (sorted): there still, gone, or sent to another address from
 * the same interface and VIP (an instance that kept its VLAN renumbered).
 * The keys sharing a "...>" are next to each other. */
enum flow_fate { FLOW_KEPT, FLOW_LOST, FLOW_RETARGETED };

static enum flow_fate fate_of(const char *key, const struct keys *now)
{
	const char *arrow = strchr(key, '>');
	size_t plen = arrow ? (size_t)(arrow - key) + 1 : strlen(key), lo = 0, hi = now->n;
	bool other = false;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strncmp(now->v[mid], key, plen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < now->n && strncmp(now->v[lo], key, plen) == 0; lo++) {
		if (strcmp(now->v[lo], key) == 0)
			return FLOW_KEPT;
		other = true;
	}
	return other ? FLOW_RETARGETED : FLOW_LOST;
}

/* Whether the address a flow goes to ("...>ADDR", "...>ADDR:PORT" or
 * "...>[ADDR]:PORT") is drained in the old tree. */
static bool target_drained(const char *key, struct diff_trees *t)
{
	const char *to = strchr(key, '>') + 1;
	const struct keys *k = diff_trees_drained(t);
	char *addr;
	bool found;

	if (*to == '[')
		addr = xasprintf("%.*s", (int)strcspn(to + 1, "]"), to + 1);
	else
		addr = xasprintf("%.*s", (int)strcspn(to, ":"), to);
	found = keys_has(k, addr);
	free(addr);
	return found;
}

void dnat_changes(const struct file *old, const struct file *new, struct diff_trees *t,
		  struct change_facts *f)
{
	struct keys was = { 0 }, now = { 0 };
	bool lost = false, moved = false, moved_drained = false;

	if (!is_file(old, "dnat.rules") && !is_file(old, "dnat6.rules") && !is_file(old, "dnat.nft"))
		return;
	keys_of_lines(old, dnat_flow, &was);
	keys_of_lines(new, dnat_flow, &now);
	for (size_t i = 0; i < was.n; i++) {
		enum flow_fate fate = fate_of(was.v[i], &now);

		lost |= fate == FLOW_LOST;
		if (fate == FLOW_RETARGETED && target_drained(was.v[i], t))
			moved_drained = true;
		else if (fate == FLOW_RETARGETED)
			moved = true;
	}
	f->dnat_renumbered = moved;
	f->dnat_both = has_key_b_lacks(&now, &was) && (lost || moved);
	f->dnat_drained_moved = moved_drained && !f->dnat_both;
	keys_free(&was);
	keys_free(&now);
}

/* The address a line of a balancer's vips file lists ("ADDRESS INTERFACE
 * SERVICE # role"; '#' starts a comment), or NULL. */
static char *vip_address(const char *line)
{
	const char *s = line + strspn(line, " \t");
	size_t len = strcspn(s, " \t#");

	return len > 0 ? xasprintf("%.*s", (int)len, s) : NULL;
}

/* Appends item to buf[0, size), after sep unless it is the first, or when
 * it and a closing sep "..." would not fit, that "..." instead: false. */
static bool add_listed(char *buf, size_t size, size_t *used, const char *sep, const char *item)
{
	size_t room = strlen(sep) + strlen(item) + strlen(sep) + 3 + 1;

	if (*used + room > size) {
		snprintf(buf + *used, size - *used, "%s...", *used ? sep : "");
		return false;
	}
	*used += (size_t)snprintf(buf + *used, size - *used, "%s%s", *used ? sep : "", item);
	return true;
}

void dropped_vips(const struct file *old, const struct file *new, struct change_facts *f)
{
	struct keys was = { 0 }, now = { 0 };
	size_t used = 0;

	if (!is_file(old, "vips"))
		return;
	keys_of_lines(old, vip_address, &was);
	keys_of_lines(new, vip_address, &now);
	for (size_t i = 0; i < was.n; i++)
		if (!keys_has(&now, was.v[i]) &&
		    !add_listed(f->dropped_vips, sizeof(f->dropped_vips), &used, " ", was.v[i]))
			break;
	keys_free(&was);
	keys_free(&now);
}

/* The instance a line of a policy-routing.sh routes, as "FAMILY ADDRESS
 * TABLE" from its "route 4 ADDR NET DEV GATEWAY TABLE" call, or NULL. */
static char *routed(const char *line)
{
	char family[2], addr[64], table[16];

	if (sscanf(line, " route %1[46] %63s %*s %*s %*s %15[0-9]", family, addr, table) != 3)
		return NULL;
	return xasprintf("%s %s %s", family, addr, table);
}

/* Whether keys ("FAMILY ADDRESS TABLE") route anything through table of
 * family. */
static bool table_used(const struct keys *k, const char *family, const char *table)
{
	for (size_t i = 0; i < k->n; i++) {
		const char *t = strrchr(k->v[i], ' ') + 1;

		if (k->v[i][0] == family[0] && strcmp(t, table) == 0)
			return true;
	}
	return false;
}

void stale_rules(const struct file *old, const struct file *new, struct change_facts *f)
{
	struct keys was = { 0 }, now = { 0 };
	size_t used = 0;

	if (!is_file(old, "policy-routing.sh"))
		return;
	keys_of_lines(old, routed, &was);
	if (new)
		keys_of_lines(new, routed, &now);
	for (size_t i = 0; i < was.n; i++) {
		char family[2], addr[64], table[16], cmd[200];
		int n;

		if (keys_has(&now, was.v[i]) ||
		    sscanf(was.v[i], "%1s %63s %15s", family, addr, table) != 3)
			continue;
		n = snprintf(cmd, sizeof(cmd), "ip -%s rule del from %s table %s priority %s",
			     family, addr, table, table);
		if (!table_used(&now, family, table))
			snprintf(cmd + n, sizeof(cmd) - (size_t)n, "; ip -%s route flush table %s",
				 family, table);
		if (!add_listed(f->stale_rules, sizeof(f->stale_rules), &used, "; ", cmd))
			break;
	}
	keys_free(&was);
	keys_free(&now);
}
