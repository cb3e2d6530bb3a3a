#ifndef SINTRA_CLIBPQ_SHIM_H
#define SINTRA_CLIBPQ_SHIM_H
#if __has_include(<libpq-fe.h>)
#include <libpq-fe.h>
#else
#include <postgresql/libpq-fe.h>
#endif
#include <poll.h>

/* Swift does not import character-literal macros; these mirror PG_DIAG_* from postgres_ext.h. */
static const int SINTRA_PG_DIAG_SQLSTATE = 'C';
static const int SINTRA_PG_DIAG_MESSAGE_PRIMARY = 'M';
static const int SINTRA_PG_DIAG_MESSAGE_DETAIL = 'D';
static const int SINTRA_PG_DIAG_MESSAGE_HINT = 'H';
static const int SINTRA_PG_DIAG_CONSTRAINT_NAME = 'n';

/* Waits until the connection's socket is readable or the timeout (ms) passes. Returns poll()'s result. */
static inline int sintra_wait_readable(int socket, int timeoutMilliseconds) {
    struct pollfd descriptor = { .fd = socket, .events = POLLIN, .revents = 0 };
    return poll(&descriptor, 1, timeoutMilliseconds);
}
#endif
