/* The logic both families share, written once over libiptc's two spellings
 * (iptc_* for IPv4, ip6tc_* for IPv6). Included by xt4.c and xt6.c, which
 * define first:
 *   XT_ENTRY        struct ipt_entry / struct ip6t_entry
 *   XT_(fn)         iptc_##fn / ip6tc_##fn
 *   XT_GET_TARGET   ipt_get_target / ip6t_get_target
 *   XT_FAMILY, XT_NAME, XT_SYMBOL
 *   ip_fill(), ip_read(), ip_is_plain()  (the address part of an entry)
 * Not a general header: nothing else includes it. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define XT_ENTRY_SIZE XT_ALIGN(sizeof(XT_ENTRY))

/* libiptc reads chain names as whole xt_chainlabel arrays. */
static const xt_chainlabel OURS = RS_CHAIN, HOOK = RS_HOOK_CHAIN;

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

/* "-A PREROUTING -j LVSDNS-PRE": libiptc turns a chain name into a jump. */
static XT_ENTRY *jump_entry(void)
{
	size_t ts = XT_ALIGN(sizeof(struct xt_standard_target));
	XT_ENTRY *e = xcalloc(1, XT_ENTRY_SIZE + ts);
	struct xt_entry_target *t = (struct xt_entry_target *)e->elems;

	e->target_offset = (uint16_t)XT_ENTRY_SIZE;
	e->next_offset = (uint16_t)(XT_ENTRY_SIZE + ts);
	t->u.target_size = (uint16_t)ts;
	strcpy(t->u.user.name, RS_CHAIN);
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

static enum xt_status lib_error(const char *what, struct buf *err)
{
	buf_printf(err, "%s nat table: %s: %s", XT_NAME, what, XT_(strerror)(errno));
	return XT_ERROR;
}

static void read_jumps(struct xtc_handle *h, struct kstate *k)
{
	for (const XT_ENTRY *e = XT_(first_rule)(HOOK, h); e; e = XT_(next_rule)(e, h)) {
		if (strcmp(XT_(get_target)(e, h), RS_CHAIN))
			continue;
		if (ip_is_plain(e) && e->target_offset == XT_ENTRY_SIZE)
			k->plain_jumps++;
		else
			k->other_jumps++;
	}
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

static struct xtc_handle *open_nat(enum xt_status *st, struct buf *err)
{
	struct xtc_handle *h = XT_(init)("nat");

	if (!h)
		*st = xt_init_error(XT_NAME, errno, "cannot read it", err);
	return h;
}

static enum xt_status xt_read(struct kstate *k, struct buf *err)
{
	enum xt_status st = XT_OK;
	struct xtc_handle *h = open_nat(&st, err);

	if (!h)
		return st;
	read_jumps(h, k);
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

/* Deletes every jump to our chain from PREROUTING except a single plain one
 * (kept where the admin may have moved it); returns whether one is left. */
static bool prune_jumps(struct xtc_handle *h, bool keep_plain, bool *ok)
{
	unsigned n = 0, cap = 0, *del = NULL;
	bool kept = false;
	unsigned pos = 0;

	*ok = true;
	for (const XT_ENTRY *e = XT_(first_rule)(HOOK, h); e;
	     e = XT_(next_rule)(e, h), pos++) {
		if (strcmp(XT_(get_target)(e, h), RS_CHAIN))
			continue;
		if (keep_plain && !kept && ip_is_plain(e) && e->target_offset == XT_ENTRY_SIZE) {
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
		*ok = XT_(delete_num_entry)(HOOK, del[--n], h) != 0;
	free(del);
	return kept;
}

static enum xt_status apply_once(const struct dnat_set *want, struct buf *err)
{
	enum xt_status st = XT_OK;
	struct xtc_handle *h = open_nat(&st, err);
	bool ok = true;

	if (!h)
		return st;
	if (XT_(is_chain)(OURS, h) ? !XT_(flush_entries)(OURS, h)
				       : !XT_(create_chain)(OURS, h))
		st = lib_error("preparing chain " RS_CHAIN, err);
	else if (!append_rules(h, want))
		st = lib_error("adding a rule to " RS_CHAIN, err);
	else if (!prune_jumps(h, true, &ok) && ok) {
		XT_ENTRY *j = jump_entry();
		if (!XT_(insert_entry)(HOOK, j, 0, h))
			st = lib_error("adding the jump from " RS_HOOK_CHAIN, err);
		free(j);
	}
	if (st == XT_OK && !ok)
		st = lib_error("removing a stray jump from " RS_HOOK_CHAIN, err);
	/* The one commit: the kernel swaps the whole nat table at once. */
	if (st == XT_OK && !XT_(commit)(h))
		st = errno == EAGAIN ? XT_AGAIN : lib_error("commit", err);
	XT_(free)(h);
	return st;
}

/* Under the xtables lock, as iptables itself; a commit the kernel refuses
 * because the table changed after we read it (EAGAIN) is redone from a
 * fresh read. */
static enum xt_status xt_apply(const struct dnat_set *want, struct buf *err)
{
	enum xt_status st = XT_AGAIN;
	int lock = xt_lock(err);

	if (lock < 0)
		return XT_ERROR;
	for (int i = 0; i < 3 && st == XT_AGAIN; i++)
		st = apply_once(want, err);
	if (st == XT_AGAIN) {
		buf_printf(err, "%s nat table: commit: the table kept changing under us", XT_NAME);
		st = XT_ERROR;
	}
	xt_unlock(lock);
	return st;
}

/* The chains that still jump to ours, ", "-separated into out. */
static void referrers(struct xtc_handle *h, struct buf *out)
{
	for (const char *c = XT_(first_chain)(h); c; c = XT_(next_chain)(h)) {
		for (const XT_ENTRY *e = XT_(first_rule)(c, h); e; e = XT_(next_rule)(e, h)) {
			if (!strcmp(XT_(get_target)(e, h), RS_CHAIN)) {
				buf_printf(out, "%s%s", out->len ? ", " : "", c);
				break;
			}
		}
	}
}

/* Flushes and deletes our chain in h. The kernel keeps a chain that is
 * still jumped to, and libiptc says so with EMLINK, which strerror turns
 * into "Too many links": name the chains that jump to it instead. */
static enum xt_status delete_ours(struct xtc_handle *h, struct buf *err)
{
	struct buf from;

	if (!XT_(flush_entries)(OURS, h))
		return lib_error("flushing chain " RS_CHAIN, err);
	if (XT_(delete_chain)(OURS, h))
		return XT_OK;
	if (errno != EMLINK)
		return lib_error("deleting chain " RS_CHAIN, err);
	buf_init(&from);
	referrers(h, &from);
	buf_printf(err, "%s nat table: chain " RS_CHAIN " is still referenced (from %s); "
		   "delete those jumps, then remove again; nothing was changed", XT_NAME,
		   from.len ? from.data : "another chain");
	buf_free(&from);
	return XT_ERROR;
}

static enum xt_status remove_locked(bool *removed, struct buf *err)
{
	enum xt_status st = XT_OK;
	struct xtc_handle *h = open_nat(&st, err);
	struct kstate k;
	bool ok;

	*removed = false;
	if (!h)
		return st;
	kstate_init(&k, XT_FAMILY);
	read_jumps(h, &k);
	k.chain = XT_(is_chain)(OURS, h);
	if (k.plain_jumps + k.other_jumps == 0 && !k.chain) {
		XT_(free)(h);
		return XT_OK;
	}
	prune_jumps(h, false, &ok);
	if (!ok)
		st = lib_error("removing the jump from " RS_HOOK_CHAIN, err);
	else if (k.chain && (st = delete_ours(h, err)) != XT_OK)
		;   /* reported in err */
	else if (!XT_(commit)(h))
		st = lib_error("commit", err);
	else
		*removed = true;
	kstate_free(&k);
	XT_(free)(h);
	return st;
}

static enum xt_status xt_remove(bool *removed, struct buf *err)
{
	int lock = xt_lock(err);
	enum xt_status st;

	*removed = false;
	if (lock < 0)
		return XT_ERROR;
	st = remove_locked(removed, err);
	xt_unlock(lock);
	return st;
}

const struct xt_family XT_SYMBOL = {
	.family = XT_FAMILY,
	.name = XT_NAME,
	.read = xt_read,
	.apply = xt_apply,
	.remove = xt_remove,
};
