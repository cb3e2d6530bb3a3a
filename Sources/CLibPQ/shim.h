#ifndef SINTRA_CLIBPQ_SHIM_H
#define SINTRA_CLIBPQ_SHIM_H
#if __has_include(<libpq-fe.h>)
#include <libpq-fe.h>
#else
#include <postgresql/libpq-fe.h>
#endif
#include <sys/epoll.h>
#include <errno.h>

/* Swift does not import character-literal macros; these mirror PG_DIAG_* from postgres_ext.h. */
static const int SINTRA_PG_DIAG_SQLSTATE = 'C';
static const int SINTRA_PG_DIAG_MESSAGE_PRIMARY = 'M';
static const int SINTRA_PG_DIAG_MESSAGE_DETAIL = 'D';
static const int SINTRA_PG_DIAG_MESSAGE_HINT = 'H';
static const int SINTRA_PG_DIAG_CONSTRAINT_NAME = 'n';

/* Arms `socket` once (EPOLLONESHOT) in `epoll` for reading, or writing when `writable`: modified
   when the set knows it already, added otherwise. Returns 0, or the errno of the failure. */
static inline int sintra_epoll_arm(int epoll, int socket, int writable) {
    struct epoll_event event = { .events = (writable ? EPOLLOUT : EPOLLIN) | EPOLLONESHOT, .data.fd = socket };
    if (epoll_ctl(epoll, EPOLL_CTL_MOD, socket, &event) == 0) return 0;
    if (errno != ENOENT) return errno;
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, socket, &event) == 0) return 0;
    return errno;
}

/* Waits for ready sockets (at most 64) and writes their descriptors into `sockets`. Returns how
   many, 0 on timeout, or -1 with errno set (EINTR included). */
static inline int sintra_epoll_wait(int epoll, int *sockets, int capacity, int timeoutMilliseconds) {
    struct epoll_event events[64];
    if (capacity > 64) capacity = 64;
    int count = epoll_wait(epoll, events, capacity, timeoutMilliseconds);
    for (int i = 0; i < count; i++) sockets[i] = events[i].data.fd;
    return count;
}
#endif
