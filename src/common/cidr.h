/* cidr.h - IPv4 / IPv6 addresses and prefixes for remote_addr rules.
 *
 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is IPv4 here, both in a rule
 * and in a peer address, so a dual-stack listener's IPv4 clients match IPv4
 * rules.  Matching is pure (no allocation, no syscalls): it runs in close(). */
#ifndef GC_CIDR_H
#define GC_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "192.0.2.0/24", "192.0.2.7", "2001:db8::/32", "::1".  Stores the family
 * (AF_INET or AF_INET6), the address with host bits cleared (*host_bits
 * tells whether there were any) and the prefix length; false with *why. */
bool gc_cidr_parse(const char *text, int *family, uint8_t addr[16], uint8_t *prefix,
                   bool *host_bits, const char **why);

/* "192.0.2.0/24" into buf. */
void gc_cidr_format(int family, const uint8_t addr[16], uint8_t prefix, char *buf, size_t len);

/* Rewrites a v4-mapped IPv6 address as IPv4 (first 4 bytes of addr). */
void gc_addr_unmap(int *family, uint8_t addr[16]);

/* True when the (unmapped) peer address lies inside the prefix. */
bool gc_cidr_contains(int family, const uint8_t net[16], uint8_t prefix, int peer_family,
                      const uint8_t peer[16]);

#endif
