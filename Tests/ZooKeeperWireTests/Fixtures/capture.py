#!/usr/bin/env python3
"""Recording TCP proxy for ZooKeeper's client protocol: the source of the golden fixtures.

Usage:
    python3 capture.py --listen 127.0.0.1:PORT --upstream 127.0.0.1:ZKPORT --out FILE.hex \
        [--control CONTROLPORT]

Clients connect to --listen; every byte is forwarded unchanged to the ZooKeeper server at
--upstream and back. Each complete frame (4-byte big-endian length + payload) is also written
to FILE.hex, one per line, in the order the proxy saw them:

    c2s <op> <hex of the whole frame, length prefix included>
    s2c <op> <hex ...>

<op> is the Swift `OpCode` case name: the request's op for client frames, and for server
frames the op of the request the reply answers (matched by xid), `notification` for xid -1,
and `connect` for the handshake frames. Lines starting with '#' are comments (one per TCP
connection). Connecting to --control (if given) closes every proxied connection at once, so
a client reconnects and replays its watches (setWatches / setWatches2).

Fixtures are regenerated only on purpose, with capture.sh; review the diff.
"""
import argparse
import socket
import struct
import sys
import threading

OPS = {
    0: "notification", 1: "create", 2: "delete", 3: "exists", 4: "getData", 5: "setData",
    6: "getACL", 7: "setACL", 8: "getChildren", 9: "sync", 11: "ping", 12: "getChildren2",
    13: "check", 14: "multi", 15: "create2", 16: "reconfig", 17: "checkWatches",
    18: "removeWatches", 19: "createContainer", 20: "deleteContainer", 21: "createTTL",
    22: "multiRead", 100: "auth", 101: "setWatches", 102: "sasl", 103: "getEphemerals",
    104: "getAllChildrenNumber", 105: "setWatches2", 106: "addWatch", 107: "whoAmI",
    -10: "createSession", -11: "closeSession", -1: "error",
}
FOUR_LETTER_WORDS = set(
    b"conf cons crst dirs dump envi gtmk ruok stmk srvr srst stat wchc wchp wchs mntr isro hash".split()
)


class Recorder:
    def __init__(self, path):
        self.out = open(path, "w")
        self.lock = threading.Lock()
        self.connections = 0

    def line(self, text):
        with self.lock:
            self.out.write(text + "\n")
            self.out.flush()

    def new_connection(self):
        with self.lock:
            self.connections += 1
            return self.connections


class Connection:
    """One proxied TCP connection: two pumps and the xid -> op table shared by them."""

    def __init__(self, recorder, client, upstream):
        self.recorder = recorder
        self.client = client
        self.server = socket.create_connection(upstream)
        self.pending = {}
        self.lock = threading.Lock()
        self.number = recorder.new_connection()
        recorder.line("# connection %d" % self.number)

    def start(self):
        threading.Thread(target=self.pump, args=(self.client, self.server, "c2s"), daemon=True).start()
        threading.Thread(target=self.pump, args=(self.server, self.client, "s2c"), daemon=True).start()

    def close(self):
        for s in (self.client, self.server):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def label(self, direction, index, payload):
        if index == 0:
            return "connect"
        xid = struct.unpack(">i", payload[:4])[0] if len(payload) >= 4 else None
        if direction == "c2s":
            op = struct.unpack(">i", payload[4:8])[0] if len(payload) >= 8 else None
            name = OPS.get(op, "unknown%s" % op)
            with self.lock:
                self.pending[xid] = name
            return name
        if xid == -1:
            return "notification"
        with self.lock:
            return self.pending.pop(xid, "unknown")

    def pump(self, source, sink, direction):
        buffered = b""
        index = 0
        raw = False
        try:
            while True:
                chunk = source.recv(65536)
                if not chunk:
                    break
                if not raw:
                    # Record before forwarding: a request's xid must be in the table before its
                    # reply can come back on the other pump.
                    buffered += chunk
                    if index == 0 and direction == "c2s" and buffered[:4] in FOUR_LETTER_WORDS:
                        self.recorder.line("# four-letter word %s (not a frame)" % buffered[:4].decode())
                        raw = True
                    while not raw and len(buffered) >= 4:
                        length = struct.unpack(">i", buffered[:4])[0]
                        if length < 0 or len(buffered) < 4 + length:
                            break
                        frame, buffered = buffered[: 4 + length], buffered[4 + length :]
                        name = self.label(direction, index, frame[4:])
                        self.recorder.line("%s %s %s" % (direction, name, frame.hex()))
                        index += 1
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            self.close()


def address(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", required=True, type=address)
    parser.add_argument("--upstream", required=True, type=address)
    parser.add_argument("--out", required=True)
    parser.add_argument("--control", type=address)
    args = parser.parse_args()
    recorder = Recorder(args.out)
    connections = []
    lock = threading.Lock()

    if args.control:
        control = socket.create_server(args.control)

        def drop_all():
            while True:
                conn, _ = control.accept()
                with lock:
                    for c in connections:
                        c.close()
                    connections.clear()
                recorder.line("# control: every connection dropped")
                conn.close()

        threading.Thread(target=drop_all, daemon=True).start()

    listener = socket.create_server(args.listen)
    print("capture: listening on %s:%d" % args.listen, file=sys.stderr, flush=True)
    while True:
        client, _ = listener.accept()
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = Connection(recorder, client, args.upstream)
        with lock:
            connections.append(conn)
        conn.start()


if __name__ == "__main__":
    main()
