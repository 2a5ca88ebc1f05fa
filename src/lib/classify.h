/* classify.h - what state is a TCP socket in, and what would a close lose? */
#ifndef GC_CLASSIFY_H
#define GC_CLASSIFY_H

#include <stdbool.h>
#include <stdint.h>

/* One TCP_INFO call's worth of facts. */
struct gc_tcp_probe {
    int state;                /* TCP state, or -1: not a TCP socket */
    uint32_t since_data_ms;   /* since the peer last sent data (or connected) */
    uint32_t unacked_segs;    /* segments sent and not yet acknowledged */
    uint32_t notsent_bytes;   /* written but not yet sent (0 if the kernel does not say) */
};

/* Fills p with one getsockopt(TCP_INFO).  False for no TCP socket. */
bool gc_tcp_probe(int fd, struct gc_tcp_probe *p);

/* TCP state of a socket, or -1 for no TCP socket. */
int gc_tcp_state(int fd);

/* The connection exists and a close can lose data. */
bool gc_state_connected(int state);

/* The peer's FIN has arrived (nothing more can come), and our write side
 * is shut (our FIN is queued or sent), by TCP state. */
bool gc_state_peer_finished(int state);
bool gc_state_write_shut(int state);

/* Bytes received but unread (SIOCINQ) and bytes sent but not yet
 * acknowledged (SIOCOUTQ; after SHUT_WR the FIN counts one), or -1. */
int gc_unread_bytes(int fd);
int gc_unacked_bytes(int fd);

#endif
