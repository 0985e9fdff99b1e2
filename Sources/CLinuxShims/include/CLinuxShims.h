#ifndef GROVE_CLINUXSHIMS_H
#define GROVE_CLINUXSHIMS_H
// Linux system interfaces that Glibc's Swift overlay does not expose, or exposes awkwardly:
// epoll (whose `struct epoll_event` is packed on x86_64, a layout Swift cannot import faithfully),
// eventfd, accept4 and the SOCK_NONBLOCK/SOCK_CLOEXEC flags, MSG_NOSIGNAL, TCP_NODELAY.
// Every function returns -1 and leaves errno set on failure, as the system call it wraps.
// Addresses cross this boundary as an IPv4 address and a port in host byte order.
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

/// One ready event, unpacked: `events` is an EPOLL* mask, `token` the caller's registration token.
typedef struct grove_epoll_ready {
  uint32_t events;
  uint64_t token;
} grove_epoll_ready;

// epoll event bits, as constants Swift can import.
extern const uint32_t GROVE_EPOLLIN;
extern const uint32_t GROVE_EPOLLOUT;
extern const uint32_t GROVE_EPOLLERR;
extern const uint32_t GROVE_EPOLLHUP;
extern const uint32_t GROVE_EPOLLRDHUP;

/// epoll_create1(EPOLL_CLOEXEC).
int grove_epoll_create(void);
/// epoll_ctl(EPOLL_CTL_ADD) of `fd` with interest `events` and data `token`.
int grove_epoll_add(int epfd, int fd, uint32_t events, uint64_t token);
/// epoll_ctl(EPOLL_CTL_MOD).
int grove_epoll_modify(int epfd, int fd, uint32_t events, uint64_t token);
/// epoll_ctl(EPOLL_CTL_DEL).
int grove_epoll_remove(int epfd, int fd);
/// epoll_wait into `ready` (at most `capacity`, at most 1024); returns the count, or -1.
int grove_epoll_wait(int epfd, grove_epoll_ready *ready, int capacity, int timeout_ms);

/// eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC).
int grove_eventfd_create(void);
/// Adds one to the eventfd counter; EAGAIN (counter saturated) counts as success.
int grove_eventfd_signal(int fd);
/// Reads and resets the eventfd counter; EAGAIN (nothing pending) counts as success.
int grove_eventfd_drain(int fd);

/// socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0).
int grove_tcp_socket(void);
/// Sets SO_REUSEADDR.
int grove_set_reuse_address(int fd);
/// Sets TCP_NODELAY (Nagle off: replies are small and latency-bound).
int grove_set_tcp_nodelay(int fd);
/// Sets SO_LINGER {on, 0}, so that close() sends a reset instead of a FIN.
int grove_set_linger_zero(int fd);
/// Sets SO_SNDBUF / SO_RCVBUF (the kernel may round).
int grove_set_send_buffer(int fd, int bytes);
int grove_set_receive_buffer(int fd, int bytes);
/// The pending socket error (SO_ERROR), or -1 when getsockopt itself fails.
int grove_socket_error(int fd);
/// bind() to an IPv4 address and port.
int grove_bind_ipv4(int fd, uint32_t address, uint16_t port);
/// listen().
int grove_listen(int fd, int backlog);
/// connect() to an IPv4 address and port (non-blocking sockets give EINPROGRESS).
int grove_connect_ipv4(int fd, uint32_t address, uint16_t port);
/// accept4(SOCK_NONBLOCK | SOCK_CLOEXEC); stores the peer's address and port.
int grove_accept_ipv4(int fd, uint32_t *address, uint16_t *port);
/// getsockname() / getpeername() of an IPv4 socket.
int grove_local_address_ipv4(int fd, uint32_t *address, uint16_t *port);
int grove_peer_address_ipv4(int fd, uint32_t *address, uint16_t *port);
/// sendmsg() of `count` buffers with MSG_NOSIGNAL: a gathered write that never raises SIGPIPE.
ssize_t grove_send_iovecs(int fd, const struct iovec *buffers, int count);
/// shutdown(SHUT_WR): sends a FIN, keeps reading.
int grove_shutdown_write(int fd);
/// inet_pton(AF_INET); returns 1 and stores the address in host byte order, 0 when not dotted quad.
int grove_parse_ipv4(const char *text, uint32_t *address);
/// Resolves a host name to its first IPv4 address (blocking getaddrinfo); 0 on success.
int grove_resolve_ipv4(const char *host, uint32_t *address);
/// CLOCK_MONOTONIC in nanoseconds.
uint64_t grove_monotonic_ns(void);
/// Sets the calling thread's name (at most 15 bytes are kept).
void grove_set_thread_name(const char *name);

/// setpriority() of the calling thread alone (Linux niceness is per thread): 19 lets a
/// background thread run only on CPU nobody else wants.
int grove_set_thread_nice(int nice);

#endif
