#!/usr/bin/env python3
"""Holds N idle ZooKeeper sessions open against one server while timing requests on another.

    python3 bench/idle_sessions.py --host 127.0.0.1 --port 2181 --sessions 10000 [--pid PID]

Each idle session is a raw socket: ConnectRequest, ConnectResponse, then a ping every third of
its timeout (as ZooKeeper's clients do), nothing else. Meanwhile a kazoo client creates, reads
and deletes nodes, and the script prints its latency percentiles, how many sessions are still
alive, and (with --pid) the server's RSS. Every wait is bounded.
"""

import argparse
import resource
import selectors
import socket
import struct
import time

from kazoo.client import KazooClient


def connect_request(timeout_ms):
    body = struct.pack(">iqiq", 0, 0, timeout_ms, 0) + struct.pack(">i", 16) + b"\0" * 16
    return struct.pack(">i", len(body)) + body


PING = struct.pack(">iii", 8, -2, 11)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--sessions", type=int, default=10000)
    parser.add_argument("--timeout-ms", type=int, default=30000)
    parser.add_argument("--hold-seconds", type=float, default=20)
    parser.add_argument("--pid", type=int)
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, args.sessions + 1000)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    rss_before = rss_kib(args.pid) if args.pid else 0
    sel = selectors.DefaultSelector()
    pending = {}
    started = time.time()
    opened = 0
    for i in range(args.sessions):
        s = socket.create_connection((args.host, args.port), timeout=10)
        s.sendall(connect_request(args.timeout_ms))
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        pending[s] = b""
        # Keep the handshakes flowing: read answers as they come.
        if i % 200 == 199:
            opened += drain(sel, pending, 0)
    deadline = time.time() + 60
    while opened < args.sessions and time.time() < deadline:
        opened += drain(sel, pending, 0.2)
    connect_s = time.time() - started
    print("sessions established: %d of %d in %.1f s" % (opened, args.sessions, connect_s), flush=True)

    zk = KazooClient(hosts="%s:%d" % (args.host, args.port), timeout=30)
    zk.start(timeout=30)
    root = "/idle-probe-%d" % int(time.time())
    zk.create(root)
    latencies = []
    hold_until = time.time() + args.hold_seconds
    next_ping = time.time() + args.timeout_ms / 3000.0
    i = 0
    while time.time() < hold_until:
        t0 = time.time()
        zk.create("%s/n%d" % (root, i), b"x" * 100)
        zk.get("%s/n%d" % (root, i))
        latencies.append((time.time() - t0) * 1000 / 2)
        i += 1
        if time.time() >= next_ping:
            for key in list(sel.get_map().values()):
                try:
                    key.fileobj.send(PING)
                except OSError:
                    pass
            next_ping = time.time() + args.timeout_ms / 3000.0
        drain(sel, {}, 0)
    alive = 0
    for key in list(sel.get_map().values()):
        try:
            key.fileobj.send(PING)
            alive += 1
        except OSError:
            pass
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
    rss_after = rss_kib(args.pid) if args.pid else 0
    print(
        "idle_sessions=%d alive_after_hold=%d requests=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f"
        % (opened, alive, len(latencies) * 2, p(0.5), p(0.99), latencies[-1])
    )
    if args.pid:
        print(
            "server_rss_before_kib=%d server_rss_after_kib=%d per_session_bytes=%.0f"
            % (rss_before, rss_after, (rss_after - rss_before) * 1024 / max(1, opened))
        )
    zk.delete(root, recursive=True)
    zk.stop()


def drain(sel, pending, wait):
    """Reads whatever arrived; returns how many handshakes completed."""
    done = 0
    for key, _ in sel.select(timeout=wait):
        s = key.fileobj
        try:
            data = s.recv(65536)
        except BlockingIOError:
            continue
        except OSError:
            sel.unregister(s)
            continue
        if not data:
            sel.unregister(s)
            s.close()
            pending.pop(s, None)
            continue
        if s in pending:
            buf = pending[s] + data
            if len(buf) >= 4 + 36:
                pending.pop(s)
                done += 1
            else:
                pending[s] = buf
    return done


if __name__ == "__main__":
    main()
