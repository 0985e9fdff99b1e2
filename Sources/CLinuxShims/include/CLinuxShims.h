#ifndef GROVE_CLINUXSHIMS_H
#define GROVE_CLINUXSHIMS_H
// Linux system interfaces that Glibc's Swift overlay does not expose.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#endif
