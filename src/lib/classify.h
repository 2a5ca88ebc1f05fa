/* classify.h - stage 1 of the close path: what is this descriptor? */
#ifndef GC_CLASSIFY_H
#define GC_CLASSIFY_H

#include <stdbool.h>

#include "record.h"

/* For a descriptor the table tracks: reads its TCP state into the record.
 * Returns true for a TCP socket in a connected state; otherwise sets
 * rec->verdict and returns false. */
bool gc_classify(int fd, struct gc_close_record *rec);

/* TCP state of a socket (TCP_INFO), or -1 for no TCP socket. */
int gc_tcp_state(int fd);

/* The peer's FIN has arrived (nothing more can come), and our write side
 * is shut (our FIN is queued or sent), by TCP state. */
bool gc_state_peer_finished(int state);
bool gc_state_write_shut(int state);

/* Bytes received but unread (SIOCINQ) and bytes sent but not yet
 * acknowledged (SIOCOUTQ; after SHUT_WR the FIN counts one), or -1. */
int gc_unread_bytes(int fd);
int gc_unacked_bytes(int fd);

#endif
