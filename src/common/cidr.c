/* cidr.c - parse, print and match address prefixes (see cidr.h). */
#include "cidr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

void gc_addr_unmap(int *family, uint8_t addr[16])
{
    if (*family == AF_INET6 && memcmp(addr, v4mapped, sizeof v4mapped) == 0) {
        memmove(addr, addr + 12, 4);
        memset(addr + 4, 0, 12);
        *family = AF_INET;
    }
}

/* Clears the bits after 'prefix'; true if any was set. */
static bool clear_host_bits(uint8_t addr[16], unsigned bytes, unsigned prefix)
{
    bool had = false;

    for (unsigned i = 0; i < bytes; i++) {
        unsigned keep = prefix >= 8 * (i + 1) ? 8 : prefix > 8 * i ? prefix - 8 * i : 0;
        uint8_t mask = (uint8_t)(keep ? 0xffu << (8 - keep) : 0);
        if (addr[i] & ~mask)
            had = true;
        addr[i] &= mask;
    }
    return had;
}

bool gc_cidr_parse(const char *text, int *family, uint8_t addr[16], uint8_t *prefix,
                   bool *host_bits, const char **why)
{
    char host[INET6_ADDRSTRLEN + 1];
    const char *slash = strchr(text, '/');
    size_t n = slash ? (size_t)(slash - text) : strlen(text);
    unsigned long plen = 0;
    uint8_t a[16] = {0};
    int fam;

    if (n == 0 || n >= sizeof host) {
        *why = "is not an address or CIDR (like 192.0.2.0/24 or 2001:db8::/32)";
        return false;
    }
    memcpy(host, text, n);
    host[n] = '\0';
    if (inet_pton(AF_INET, host, a) == 1)
        fam = AF_INET;
    else if (inet_pton(AF_INET6, host, a) == 1)
        fam = AF_INET6;
    else {
        *why = "is not an address or CIDR (like 192.0.2.0/24 or 2001:db8::/32)";
        return false;
    }
    unsigned max = fam == AF_INET ? 32 : 128;
    if (slash) {
        const char *d = slash + 1;
        int digits = 0;
        while (*d >= '0' && *d <= '9' && digits < 4)
            plen = plen * 10 + (unsigned long)(*d++ - '0'), digits++;
        if (!digits || *d) {
            *why = "has a bad prefix length (a number after '/', like /24)";
            return false;
        }
        if (plen > max) {
            *why = fam == AF_INET ? "can never match: an IPv4 prefix is at most /32"
                                  : "can never match: an IPv6 prefix is at most /128";
            return false;
        }
    } else {
        plen = max;
    }
    /* ::ffff:a.b.c.d/N (N >= 96) is the IPv4 prefix a.b.c.d/(N-96). */
    if (fam == AF_INET6 && plen >= 96 && memcmp(a, v4mapped, sizeof v4mapped) == 0) {
        gc_addr_unmap(&fam, a);
        plen -= 96;
    }
    *host_bits = clear_host_bits(a, fam == AF_INET ? 4 : 16, (unsigned)plen);
    *family = fam;
    memcpy(addr, a, 16);
    *prefix = (uint8_t)plen;
    return true;
}

void gc_cidr_format(int family, const uint8_t addr[16], uint8_t prefix, char *buf, size_t len)
{
    char host[INET6_ADDRSTRLEN];

    if (!inet_ntop(family, addr, host, sizeof host))
        snprintf(host, sizeof host, "?");
    snprintf(buf, len, "%s/%u", host, (unsigned)prefix);
}

bool gc_cidr_contains(int family, const uint8_t net[16], uint8_t prefix, int peer_family,
                      const uint8_t peer[16])
{
    unsigned full = prefix / 8u, rest = prefix % 8u;

    if (family != peer_family)
        return false;
    for (unsigned i = 0; i < full; i++)
        if (net[i] != peer[i])
            return false;
    if (rest) {
        uint8_t mask = (uint8_t)(0xffu << (8 - rest));
        if ((peer[full] & mask) != net[full])
            return false;
    }
    return true;
}
