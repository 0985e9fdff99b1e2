#!/usr/bin/env python3
"""Memory per znode: a server's RSS growth over N znodes of B bytes, divided by N.

    python3 bench/memory_per_znode.py --hosts 127.0.0.1:2181 --pid PID [--count 200000] [--bytes 100]

Works against Grove and Apache ZooKeeper alike (kazoo, pipelined async creates). RSS is read
from /proc/PID/status after a settle pause, before and after; the znodes are removed at the end
unless --keep is given. Prints one line of figures.
"""

import argparse
import time
import uuid

from kazoo.client import KazooClient


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS for pid %d" % pid)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--bytes", type=int, default=100)
    parser.add_argument("--window", type=int, default=2000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    zk = KazooClient(hosts=args.hosts, timeout=30)
    zk.start(timeout=30)
    root = "/mem-" + uuid.uuid4().hex[:8]
    zk.create(root)
    time.sleep(2)
    before = rss_kib(args.pid)
    value = b"x" * args.bytes
    started = time.time()
    pending = []
    for i in range(args.count):
        pending.append(zk.create_async("%s/n%07d" % (root, i), value))
        if len(pending) >= args.window:
            for p in pending:
                p.get(timeout=60)
            pending = []
    for p in pending:
        p.get(timeout=60)
    elapsed = time.time() - started
    time.sleep(3)
    after = rss_kib(args.pid)
    per_znode = (after - before) * 1024 / args.count
    print(
        "znodes=%d bytes=%d rss_before_kib=%d rss_after_kib=%d bytes_per_znode=%.1f create_s=%.1f"
        % (args.count, args.bytes, before, after, per_znode, elapsed)
    )
    if not args.keep:
        zk.delete(root, recursive=True)
    zk.stop()


if __name__ == "__main__":
    main()
