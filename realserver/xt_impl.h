/* The logic both families share, written once over libiptc's two spellings
 * (iptc_* for IPv4, ip6tc_* for IPv6). Included by xt4.c and xt6.c, which
 * define first:
 *   XT_ENTRY        struct ipt_entry / struct ip6t_entry
 *   XT_(fn)         iptc_##fn / ip6tc_##fn
 *   XT_GET_TARGET   ipt_get_target / ip6t_get_target
 *   XT_FAMILY, XT_NAME, XT_SYMBOL
 *   XT_NAMES        /proc/net/ip_tables_names / ip6_tables_names
 *   ip_fill(), ip_read(), ip_is_plain()  (the address part of a DNAT rule)
 *   ip_zone_fill(), ip_zone_read()       (the VIP and interface of a zone rule)
 * Not a general header: nothing else includes it. The pieces for any chain
 * of ours come first, then the nat table, the raw table, and both. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define XT_ENTRY_SIZE XT_ALIGN(sizeof(XT_ENTRY))

/* libiptc reads chain names as whole xt_chainlabel arrays: every chain
 * name handed to it below is one of these. */
static const xt_chainlabel OURS = RS_CHAIN, HOOK = RS_HOOK_CHAIN;
static const xt_chainlabel ZONE = RS_ZONE, ZONE_HOOK = RS_ZONE_HOOK;
/* an older version's zone chains and their hooks (ZONE_OLD) */
static const xt_chainlabel OLD_CHAIN[NZONE_OLD] = { RS_ZONE_OLD_IN, RS_ZONE_OLD_OUT };
static const xt_chainlabel OLD_HOOK[NZONE_OLD] = { "PREROUTING", "OUTPUT" };

/* ---- any chain of ours ---- */

/* "iptables nat table: WHAT CHAIN: libiptc's reason" */
static enum xt_status lib_error(const char *table, const char *what, const char *chain,
				struct buf *err)
{
	buf_printf(err, "%s %s table: %s %s: %s", XT_NAME, table, what, chain,
		   XT_(strerror)(errno));
	return XT_ERROR;
}

/* need: see struct xt_family's read. NULL with *st XT_NO_TABLE and no
 * message when the table is not needed and not there. */
static struct xtc_handle *open_table(const char *table, bool need, enum xt_status *st,
				     struct buf *err)
{
	struct xtc_handle *h;

	/* asking libiptc would load the module and set the table up, hooks
	 * and all, only to find nothing of ours in it */
	if (!need && xt_table_listed(XT_NAMES, table) == 0) {
		*st = XT_NO_TABLE;
		return NULL;
	}
	h = XT_(init)(table);
	if (h)
		*st = XT_OK;
	else if (!need && xt_errno_missing(errno))
		*st = XT_NO_TABLE;
	else
		*st = xt_init_error(XT_NAME, table, errno, "cannot read it", err);
	return h;
}

/* "-A HOOK -j CHAIN" with no condition: libiptc turns the name into a jump. */
static bool is_plain_jump(const XT_ENTRY *e)
{
	return ip_is_plain(e) && e->target_offset == XT_ENTRY_SIZE;
}

static XT_ENTRY *jump_entry(const char *chain)
{
	size_t ts = XT_ALIGN(sizeof(struct xt_standard_target));
	XT_ENTRY *e = xcalloc(1, XT_ENTRY_SIZE + ts);
	struct xt_entry_target *t = (struct xt_entry_target *)e->elems;

	e->target_offset = (uint16_t)XT_ENTRY_SIZE;
	e->next_offset = (uint16_t)(XT_ENTRY_SIZE + ts);
	t->u.target_size = (uint16_t)ts;
	strcpy(t->u.user.name, chain);
	return e;
}

static void count_jumps(struct xtc_handle *h, const char *hook, const char *chain,
			unsigned *plain, unsigned *other)
{
	for (const XT_ENTRY *e = XT_(first_rule)(hook, h); e; e = XT_(next_rule)(e, h)) {
		if (strcmp(XT_(get_target)(e, h), chain))
			continue;
		if (is_plain_jump(e))
			(*plain)++;
		else
			(*other)++;
	}
}

/* Deletes every jump to chain from hook except a single plain one (kept
 * where the admin may have moved it); returns whether one is left. */
static bool prune_jumps(struct xtc_handle *h, const char *hook, const char *chain,
			bool keep_plain, bool *ok)
{
	unsigned n = 0, cap = 0, *del = NULL;
	bool kept = false;
	unsigned pos = 0;

	*ok = true;
	for (const XT_ENTRY *e = XT_(first_rule)(hook, h); e;
	     e = XT_(next_rule)(e, h), pos++) {
		if (strcmp(XT_(get_target)(e, h), chain))
			continue;
		if (keep_plain && !kept && is_plain_jump(e)) {
			kept = true;
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			del = xreallocarray(del, cap, sizeof(*del));
		}
		del[n++] = pos;
	}
	while (n > 0 && *ok)
		*ok = XT_(delete_num_entry)(hook, del[--n], h) != 0;
	free(del);
	return kept;
}

/* Leaves one plain jump from hook to chain (at the top when there was
 * none) and no other. */
static enum xt_status one_jump(struct xtc_handle *h, const char *table, const char *hook,
			       const char *chain, struct buf *err)
{
	enum xt_status st = XT_OK;
	bool ok = true, kept = prune_jumps(h, hook, chain, true, &ok);
	XT_ENTRY *j;

	if (!ok)
		return lib_error(table, "removing a stray jump to", chain, err);
	if (kept)
		return XT_OK;
	j = jump_entry(chain);
	if (!XT_(insert_entry)(hook, j, 0, h))
		st = lib_error(table, "adding the jump to", chain, err);
	free(j);
	return st;
}

/* Our chain, created or flushed. */
static enum xt_status empty_chain(struct xtc_handle *h, const char *table, const char *chain,
				  struct buf *err)
{
	if (XT_(is_chain)(chain, h) ? XT_(flush_entries)(chain, h) : XT_(create_chain)(chain, h))
		return XT_OK;
	return lib_error(table, "preparing chain", chain, err);
}

/* The chains that still jump to chain, ", "-separated into out. */
static void referrers(struct xtc_handle *h, const char *chain, struct buf *out)
{
	for (const char *c = XT_(first_chain)(h); c; c = XT_(next_chain)(h)) {
		for (const XT_ENTRY *e = XT_(first_rule)(c, h); e; e = XT_(next_rule)(e, h)) {
			if (!strcmp(XT_(get_target)(e, h), chain)) {
				buf_printf(out, "%s%s", out->len ? ", " : "", c);
				break;
			}
		}
	}
}

/* Flushes and deletes chain in h. The kernel keeps a chain that is still
 * jumped to, and libiptc says so with EMLINK, which strerror turns into
 * "Too many links": name the chains that jump to it instead. */
static enum xt_status delete_chain(struct xtc_handle *h, const char *table, const char *chain,
				   struct buf *err)
{
	struct buf from;

	if (!XT_(flush_entries)(chain, h))
		return lib_error(table, "flushing chain", chain, err);
	if (XT_(delete_chain)(chain, h))
		return XT_OK;
	if (errno != EMLINK)
		return lib_error(table, "deleting chain", chain, err);
	buf_init(&from);
	referrers(h, chain, &from);
	buf_printf(err, "%s %s table: chain %s is still referenced (from %s); delete those "
		   "jumps, then remove again; the %s table was not changed", XT_NAME, table, chain,
		   from.len ? from.data : "another chain", table);
	buf_free(&from);
	return XT_ERROR;
}

/* The one commit: the kernel swaps the whole table at once. EAGAIN: it
 * changed after we read it. */
static enum xt_status commit(struct xtc_handle *h, const char *table, struct buf *err)
{
	if (XT_(commit)(h))
		return XT_OK;
	if (errno == EAGAIN)
		return XT_AGAIN;
	buf_printf(err, "%s %s table: commit: %s", XT_NAME, table, XT_(strerror)(errno));
	return XT_ERROR;
}

/* One read-modify-commit of a table, redone from a fresh read when the
 * kernel refuses the commit because the table changed under us (a writer
 * that does not take the xtables lock). */
typedef enum xt_status (*change_fn)(const struct dnat_set *want, unsigned *done,
				    struct buf *err);

/* *done: the xt_table bits (and XT_RAW_OLD) of what was committed. */
static enum xt_status retried(change_fn once, const char *table, const struct dnat_set *want,
			      unsigned *done, struct buf *err)
{
	enum xt_status st = XT_AGAIN;

	for (int i = 0; i < 3 && st == XT_AGAIN; i++) {
		*done = 0;
		st = once(want, done, err);
	}
	if (st == XT_AGAIN) {
		buf_printf(err, "%s %s table: commit: the table kept changing under us", XT_NAME,
			   table);
		st = XT_ERROR;
	}
	return st;
}

/* ---- the nat table: LVSDNS-PRE ---- */

static XT_ENTRY *rule_entry(const struct dnat_rule *r)
{
	size_t ms = xt_match_size(r->proto), ts = xt_dnat_size(XT_FAMILY);
	size_t size = XT_ENTRY_SIZE + ms + ts;
	XT_ENTRY *e = xcalloc(1, size);

	ip_fill(e, r);
	e->target_offset = (uint16_t)(XT_ENTRY_SIZE + ms);
	e->next_offset = (uint16_t)size;
	xt_match_fill((struct xt_entry_match *)e->elems, r);
	xt_dnat_fill((struct xt_entry_target *)((char *)e + e->target_offset), XT_FAMILY, r);
	return e;
}

static bool rule_read(const XT_ENTRY *e, struct dnat_rule *r)
{
	memset(r, 0, sizeof(*r));
	if (!ip_read(e, r) || e->target_offset != XT_ENTRY_SIZE + xt_match_size(r->proto))
		return false;
	if (!xt_match_read((const struct xt_entry_match *)e->elems, r->proto, &r->dport))
		return false;
	return xt_dnat_read(XT_GET_TARGET((XT_ENTRY *)e), XT_FAMILY, &r->to, &r->to_port);
}

static void read_chain(struct xtc_handle *h, struct kstate *k)
{
	size_t n = 0;
	struct dnat_rule r;

	k->chain = XT_(is_chain)(OURS, h);
	if (!k->chain)
		return;
	for (const XT_ENTRY *e = XT_(first_rule)(OURS, h); e; e = XT_(next_rule)(e, h)) {
		n++;
		if (rule_read(e, &r))
			dnat_set_add(&k->rules, &r);
		else
			kstate_add_foreign(k, "rule %zu of " RS_CHAIN " (target %s) is not one of ours",
					   n, XT_(get_target)(e, h));
	}
}

static enum xt_status xt_read(struct kstate *k, bool need, struct buf *err)
{
	enum xt_status st;
	struct xtc_handle *h = open_table("nat", need, &st, err);

	if (!h)
		return st == XT_NO_TABLE && !need ? XT_OK : st;
	count_jumps(h, HOOK, OURS, &k->plain_jumps, &k->other_jumps);
	read_chain(h, k);
	XT_(free)(h);
	return XT_OK;
}

static bool append_rules(struct xtc_handle *h, const struct dnat_set *want)
{
	for (size_t i = 0; i < want->n; i++) {
		XT_ENTRY *e = rule_entry(&want->v[i]);
		int ok = XT_(append_entry)(OURS, e, h);
		free(e);
		if (!ok)
			return false;
	}
	return true;
}

static enum xt_status nat_apply_once(const struct dnat_set *want, unsigned *done,
				     struct buf *err)
{
	enum xt_status st;
	struct xtc_handle *h = open_table("nat", true, &st, err);

	if (!h)
		return st;
	st = empty_chain(h, "nat", OURS, err);
	if (st == XT_OK && !append_rules(h, want))
		st = lib_error("nat", "adding a rule to", RS_CHAIN, err);
	if (st == XT_OK)
		st = one_jump(h, "nat", HOOK, OURS, err);
	if (st == XT_OK && (st = commit(h, "nat", err)) == XT_OK)
		*done = XT_NAT;
	XT_(free)(h);
	return st;
}

static enum xt_status nat_remove_once(const struct dnat_set *unused, unsigned *removed,
				      struct buf *err)
{
	enum xt_status st;
	struct xtc_handle *h = open_table("nat", false, &st, err);
	unsigned plain = 0, other = 0;
	bool chain, ok;

	(void)unused;
	if (!h)
		return st == XT_NO_TABLE ? XT_OK : st;
	count_jumps(h, HOOK, OURS, &plain, &other);
	chain = XT_(is_chain)(OURS, h);
	if (plain + other > 0 || chain) {
		prune_jumps(h, HOOK, OURS, false, &ok);
		if (!ok)
			st = lib_error("nat", "removing a jump to", RS_CHAIN, err);
		else if (chain)
			st = delete_chain(h, "nat", OURS, err);
		if (st == XT_OK && (st = commit(h, "nat", err)) == XT_OK)
			*removed = XT_NAT;
	}
	XT_(free)(h);
	return st;
}

/* ---- the raw table: LVSDNS-ZONE (and an older version's chains) ---- */

static XT_ENTRY *zone_entry(const struct zone_rule *r)
{
	size_t size = XT_ENTRY_SIZE + xt_ct_size();
	XT_ENTRY *e = xcalloc(1, size);

	ip_zone_fill(e, r);
	e->target_offset = (uint16_t)XT_ENTRY_SIZE;
	e->next_offset = (uint16_t)size;
	xt_ct_fill((struct xt_entry_target *)e->elems, r->zone);
	return e;
}

static bool zone_read(const XT_ENTRY *e, struct zone_rule *r)
{
	memset(r, 0, sizeof(*r));
	return e->target_offset == XT_ENTRY_SIZE && ip_zone_read(e, r) &&
	       xt_ct_read(XT_GET_TARGET((XT_ENTRY *)e), &r->zone);
}

static void read_zone_chain(struct xtc_handle *h, struct kraw *k)
{
	struct zone_rule r;
	size_t n = 0;

	count_jumps(h, ZONE_HOOK, ZONE, &k->plain_jumps, &k->other_jumps);
	k->chain = XT_(is_chain)(ZONE, h);
	if (!k->chain)
		return;
	for (const XT_ENTRY *e = XT_(first_rule)(ZONE, h); e; e = XT_(next_rule)(e, h)) {
		n++;
		if (zone_read(e, &r))
			zone_list_add(&k->rules, &r);
		else
			kraw_add_foreign(k, "rule %zu of " RS_ZONE " (target %s) is not one of ours",
					 n, XT_(get_target)(e, h));
	}
}

/* An older version's chains: only how much of them there is. */
static void read_old_chains(struct xtc_handle *h, struct kraw *k)
{
	for (int o = 0; o < NZONE_OLD; o++) {
		unsigned plain = 0, other = 0;

		count_jumps(h, OLD_HOOK[o], OLD_CHAIN[o], &plain, &other);
		k->old[o].jumps = plain + other;
		k->old[o].chain = XT_(is_chain)(OLD_CHAIN[o], h);
		if (!k->old[o].chain)
			continue;
		for (const XT_ENTRY *e = XT_(first_rule)(OLD_CHAIN[o], h); e;
		     e = XT_(next_rule)(e, h))
			k->old[o].nrules++;
	}
}

static enum xt_status xt_read_raw(struct kraw *k, bool need, struct buf *err)
{
	enum xt_status st;
	struct xtc_handle *h = open_table("raw", need, &st, err);

	if (!h)
		return st == XT_NO_TABLE && !need ? XT_OK : st;
	read_zone_chain(h, k);
	read_old_chains(h, k);
	XT_(free)(h);
	return XT_OK;
}

/* LVSDNS-ZONE holds exactly want's zones, entered by one jump. */
static enum xt_status raw_fill(struct xtc_handle *h, const struct zone_set *want,
			       struct buf *err)
{
	enum xt_status st = empty_chain(h, "raw", ZONE, err);

	for (size_t i = 0; i < want->rules.n && st == XT_OK; i++) {
		XT_ENTRY *e = zone_entry(&want->rules.v[i]);
		if (!XT_(append_entry)(ZONE, e, h))
			st = lib_error("raw", "adding a rule to", RS_ZONE, err);
		free(e);
	}
	if (st == XT_OK)
		st = one_jump(h, "raw", ZONE_HOOK, ZONE, err);
	return st;
}

/* The jumps from hook to chain and chain itself out of h; *any: there
 * was one of them. */
static enum xt_status chain_clear(struct xtc_handle *h, const char *hook, const char *chain,
				  bool *any, struct buf *err)
{
	unsigned plain = 0, other = 0;
	bool ok = true;

	count_jumps(h, hook, chain, &plain, &other);
	*any = plain + other > 0;
	prune_jumps(h, hook, chain, false, &ok);
	if (!ok)
		return lib_error("raw", "removing a jump to", chain, err);
	if (!XT_(is_chain)(chain, h))
		return XT_OK;
	*any = true;
	return delete_chain(h, "raw", chain, err);
}

/* want's zones into raw; without a *raw section, ours out of it (the
 * table is then not needed: if it is not there, nothing of ours is).
 * Either way an older version's chains go. */
static enum xt_status raw_apply_once(const struct dnat_set *want, unsigned *done,
				     struct buf *err)
{
	bool wanted = want && want->zones.wanted, any = true, old = false;
	enum xt_status st;
	struct xtc_handle *h = open_table("raw", wanted, &st, err);

	if (!h)
		return st == XT_NO_TABLE && !wanted ? XT_OK : st;
	for (int o = 0; o < NZONE_OLD && st == XT_OK; o++) {
		bool had;
		st = chain_clear(h, OLD_HOOK[o], OLD_CHAIN[o], &had, err);
		old = old || had;
	}
	if (st == XT_OK)
		st = wanted ? raw_fill(h, &want->zones, err)
			    : chain_clear(h, ZONE_HOOK, ZONE, &any, err);
	if (st == XT_OK && (any || old) && (st = commit(h, "raw", err)) == XT_OK)
		*done = (any ? XT_RAW : 0) | (old ? XT_RAW_OLD : 0);
	XT_(free)(h);
	return st;
}

/* ---- both tables, under the xtables lock ---- */

static enum xt_status xt_apply(const struct dnat_set *want, unsigned tables, unsigned *done,
			       struct buf *err)
{
	enum xt_status st = XT_OK;
	int lock = xt_lock(err);
	unsigned d = 0;

	*done = 0;
	if (lock < 0)
		return XT_ERROR;
	if (tables & XT_RAW) {
		st = retried(raw_apply_once, "raw", want, &d, err);
		*done |= st == XT_OK ? d : 0;
	}
	if (st == XT_OK && (tables & XT_NAT)) {
		st = retried(nat_apply_once, "nat", want, &d, err);
		*done |= st == XT_OK ? d : 0;
	}
	xt_unlock(lock);
	return st;
}

/* nat first, so that no DNAT is left without its zones. */
static enum xt_status xt_remove(unsigned *removed, struct buf *err)
{
	enum xt_status st;
	int lock = xt_lock(err);
	unsigned d = 0;

	*removed = 0;
	if (lock < 0)
		return XT_ERROR;
	st = retried(nat_remove_once, "nat", NULL, &d, err);
	*removed |= st == XT_OK ? d : 0;
	if (st == XT_OK) {
		st = retried(raw_apply_once, "raw", NULL, &d, err);
		*removed |= st == XT_OK ? d : 0;
	}
	xt_unlock(lock);
	return st;
}

const struct xt_family XT_SYMBOL = {
	.family = XT_FAMILY,
	.name = XT_NAME,
	.read = xt_read,
	.read_raw = xt_read_raw,
	.apply = xt_apply,
	.remove = xt_remove,
};
