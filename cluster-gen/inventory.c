/* The site's values as list and get both print them, in one place so that
 * a table, the JSON and a key give a service's ports or balancers in the
 * same words. */
#include "inventory.h"

#include "buf.h"

char *s_or_empty(const char *s)
{
	return xstrdup(s ? s : "");
}

char *addr_dup(const struct addr *a)
{
	char t[ADDR_STRLEN];

	return xstrdup(a->family ? addr_str(a, t) : "");
}

/* Space-separated names of the balancers that carry the service in the
 * role: primary, backup (active-standby only: in anycast mode there are no
 * roles, every balancer announces the VIP with one MED), or either. */
char *balancers_where(const struct site *s, size_t service, enum lb_role role)
{
	bool anycast = s->bgp.mode == BGP_ANYCAST;
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < s->nbalancers; i++) {
		const struct balancer *lb = &s->balancers[i];
		bool carries = balancer_carries(lb, service), primary = balancer_is_primary(lb, service);

		if (role == ROLE_PRIMARY ? primary :
		    role == ROLE_BACKUP ? carries && !primary && !anycast : carries)
			buf_printf(&b, "%s%s", b.len ? " " : "", lb->name);
	}
	return buf_steal(&b);
}

char *service_names(const struct site *s, const size_t *idx, size_t n)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", s->services[idx[i]].name);
	return buf_steal(&b);
}

char *ports_str(const struct service *sv)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < sv->nports; i++)
		buf_printf(&b, "%s%s/%u", i ? " " : "", proto_name(sv->ports[i].proto), sv->ports[i].port);
	return buf_steal(&b);
}
