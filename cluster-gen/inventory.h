/* What cluster-gen list (cmd_list.c) and get (cmd_get.c) both print of a
 * site (inventory.c). */
#ifndef LVSDNS_INVENTORY_H
#define LVSDNS_INVENTORY_H

#include <stddef.h>

#include "site.h"

/* A copy of s, or "" for NULL. Caller frees. */
char *s_or_empty(const char *s);
/* The address as text, "" when unset. Caller frees. */
char *addr_dup(const struct addr *a);

enum lb_role { ROLE_PRIMARY, ROLE_BACKUP, ROLE_ANY };

/* Space-separated names of the balancers that carry service in role. Caller frees. */
char *balancers_where(const struct site *s, size_t service, enum lb_role role);
/* Space-separated names of the services s->services[idx[0..n)]. Caller frees. */
char *service_names(const struct site *s, const size_t *idx, size_t n);
/* "udp/53 tcp/53": the service's ports. Caller frees. */
char *ports_str(const struct service *sv);

#endif
