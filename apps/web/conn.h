/* One connection: reading requests (pipelined ones too), sequencing them, writing the answers. */
#ifndef WEB_CONN_H
#define WEB_CONN_H

#include "server.h"

/* Parses and answers every complete request buffered, while the output queue has room. */
void conn_process(struct conn *c);
/* Writes queued output: 1 when all of it went, 0 when the socket is full, -1 on error. */
int conn_flush(struct conn *c);
/* Reads, answers and writes until the socket would block; false when the connection must close. */
bool conn_drive(struct conn *c);
/* Called when the connection's deadline passed, before it is closed. */
void conn_expire(struct conn *c);

#endif
