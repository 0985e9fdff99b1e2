#define _GNU_SOURCE
#include "CLinuxShims.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

const uint32_t GROVE_EPOLLIN = EPOLLIN;
const uint32_t GROVE_EPOLLOUT = EPOLLOUT;
const uint32_t GROVE_EPOLLERR = EPOLLERR;
const uint32_t GROVE_EPOLLHUP = EPOLLHUP;
const uint32_t GROVE_EPOLLRDHUP = EPOLLRDHUP;

int grove_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

static int grove_epoll_control(int epfd, int op, int fd, uint32_t events, uint64_t token) {
  struct epoll_event event;
  memset(&event, 0, sizeof event);
  event.events = events;
  event.data.u64 = token;
  return epoll_ctl(epfd, op, fd, &event);
}

int grove_epoll_add(int epfd, int fd, uint32_t events, uint64_t token) {
  return grove_epoll_control(epfd, EPOLL_CTL_ADD, fd, events, token);
}

int grove_epoll_modify(int epfd, int fd, uint32_t events, uint64_t token) {
  return grove_epoll_control(epfd, EPOLL_CTL_MOD, fd, events, token);
}

int grove_epoll_remove(int epfd, int fd) {
  struct epoll_event unused;  // kernels before 2.6.9 required a non-null pointer
  memset(&unused, 0, sizeof unused);
  return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &unused);
}

int grove_epoll_wait(int epfd, grove_epoll_ready *ready, int capacity, int timeout_ms) {
  // The kernel writes packed epoll_event records; copy them out into an unpacked layout.
  struct epoll_event events[1024];
  if (capacity > 1024) capacity = 1024;
  if (capacity < 1) capacity = 1;
  int count = epoll_wait(epfd, events, capacity, timeout_ms);
  for (int i = 0; i < count; i++) {
    ready[i].events = events[i].events;
    ready[i].token = events[i].data.u64;
  }
  return count;
}

int grove_eventfd_create(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

int grove_eventfd_signal(int fd) {
  uint64_t one = 1;
  for (;;) {
    ssize_t n = write(fd, &one, sizeof one);
    if (n == (ssize_t)sizeof one) return 0;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return 0;  // counter saturated: the reader wakes anyway
    return -1;
  }
}

int grove_eventfd_drain(int fd) {
  uint64_t value;
  for (;;) {
    ssize_t n = read(fd, &value, sizeof value);
    if (n == (ssize_t)sizeof value) return 0;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return 0;
    return -1;
  }
}

int grove_tcp_socket(void) { return socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0); }

static int grove_set_int_option(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof value);
}

int grove_set_reuse_address(int fd) { return grove_set_int_option(fd, SOL_SOCKET, SO_REUSEADDR, 1); }
int grove_set_tcp_nodelay(int fd) { return grove_set_int_option(fd, IPPROTO_TCP, TCP_NODELAY, 1); }
int grove_set_send_buffer(int fd, int bytes) { return grove_set_int_option(fd, SOL_SOCKET, SO_SNDBUF, bytes); }
int grove_set_receive_buffer(int fd, int bytes) {
  return grove_set_int_option(fd, SOL_SOCKET, SO_RCVBUF, bytes);
}

int grove_set_linger_zero(int fd) {
  struct linger linger = {.l_onoff = 1, .l_linger = 0};
  return setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
}

int grove_socket_error(int fd) {
  int value = 0;
  socklen_t length = sizeof value;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) != 0) return -1;
  return value;
}

static struct sockaddr_in grove_sockaddr(uint32_t address, uint16_t port) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(address);
  sa.sin_port = htons(port);
  return sa;
}

int grove_bind_ipv4(int fd, uint32_t address, uint16_t port) {
  struct sockaddr_in sa = grove_sockaddr(address, port);
  return bind(fd, (struct sockaddr *)&sa, sizeof sa);
}

int grove_listen(int fd, int backlog) { return listen(fd, backlog); }

int grove_connect_ipv4(int fd, uint32_t address, uint16_t port) {
  struct sockaddr_in sa = grove_sockaddr(address, port);
  int result;
  do {
    result = connect(fd, (struct sockaddr *)&sa, sizeof sa);
  } while (result != 0 && errno == EINTR);
  return result;
}

static void grove_unpack(const struct sockaddr_in *sa, uint32_t *address, uint16_t *port) {
  *address = ntohl(sa->sin_addr.s_addr);
  *port = ntohs(sa->sin_port);
}

int grove_accept_ipv4(int fd, uint32_t *address, uint16_t *port) {
  struct sockaddr_in sa;
  socklen_t length = sizeof sa;
  memset(&sa, 0, sizeof sa);
  int result;
  do {
    result = accept4(fd, (struct sockaddr *)&sa, &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
  } while (result < 0 && errno == EINTR);
  if (result >= 0) grove_unpack(&sa, address, port);
  return result;
}

int grove_local_address_ipv4(int fd, uint32_t *address, uint16_t *port) {
  struct sockaddr_in sa;
  socklen_t length = sizeof sa;
  memset(&sa, 0, sizeof sa);
  if (getsockname(fd, (struct sockaddr *)&sa, &length) != 0) return -1;
  grove_unpack(&sa, address, port);
  return 0;
}

int grove_peer_address_ipv4(int fd, uint32_t *address, uint16_t *port) {
  struct sockaddr_in sa;
  socklen_t length = sizeof sa;
  memset(&sa, 0, sizeof sa);
  if (getpeername(fd, (struct sockaddr *)&sa, &length) != 0) return -1;
  grove_unpack(&sa, address, port);
  return 0;
}

ssize_t grove_send_iovecs(int fd, const struct iovec *buffers, int count) {
  struct msghdr message;
  memset(&message, 0, sizeof message);
  message.msg_iov = (struct iovec *)buffers;
  message.msg_iovlen = (size_t)count;
  ssize_t result;
  do {
    result = sendmsg(fd, &message, MSG_NOSIGNAL);
  } while (result < 0 && errno == EINTR);
  return result;
}

int grove_shutdown_write(int fd) { return shutdown(fd, SHUT_WR); }

int grove_parse_ipv4(const char *text, uint32_t *address) {
  struct in_addr parsed;
  if (inet_pton(AF_INET, text, &parsed) != 1) return 0;
  *address = ntohl(parsed.s_addr);
  return 1;
}

int grove_resolve_ipv4(const char *host, uint32_t *address) {
  struct addrinfo hints;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  struct addrinfo *found = NULL;
  int status = getaddrinfo(host, NULL, &hints, &found);
  if (status != 0) return status;
  if (found == NULL) return EAI_NONAME;
  *address = ntohl(((struct sockaddr_in *)found->ai_addr)->sin_addr.s_addr);
  freeaddrinfo(found);
  return 0;
}

uint64_t grove_monotonic_ns(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
}

void grove_set_thread_name(const char *name) {
  char truncated[16];
  strncpy(truncated, name, sizeof truncated - 1);
  truncated[sizeof truncated - 1] = '\0';
  pthread_setname_np(pthread_self(), truncated);
}

int grove_set_thread_nice(int nice) {
  return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
}
