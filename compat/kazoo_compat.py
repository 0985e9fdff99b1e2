#!/usr/bin/env python3
"""Compatibility checks with kazoo, a real ZooKeeper client from PyPI.

Every check asserts ZooKeeper's documented behaviour, so the same script must pass against
Apache ZooKeeper 3.8 and against Grove:

    python3 compat/kazoo_compat.py --hosts 127.0.0.1:2181

Prints one line per check and a closing `compat: N passed, N failed`; exits 1 on any failure.
Every wait is bounded.
"""

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
import uuid
from collections import defaultdict, namedtuple

from kazoo.client import KazooClient
from kazoo.exceptions import BadVersionError, ConnectionClosedError, NoNodeError, NodeExistsError, NotEmptyError
from kazoo.protocol.serialization import int_struct, write_string
from kazoo.protocol.states import EventType
from kazoo.recipe.election import Election
from kazoo.recipe.lock import Lock

WAIT_S = 10.0


class AddWatch(namedtuple("AddWatch", "path mode")):
    """addWatch (op 106), which kazoo 2.11 does not send itself; 1 = persistent-recursive."""

    type = 106

    def serialize(self):
        b = bytearray(write_string(self.path))
        b.extend(int_struct.pack(self.mode))
        return b

    @classmethod
    def deserialize(cls, buffer, offset):
        return None


class PersistentWatchers(defaultdict):
    """kazoo's one-shot watcher table, also answering for persistent watches.

    kazoo routes an event by popping the path's one-shot watchers; a persistent watch must stay,
    and a recursive one covers every descendant, so `pop` adds them without removing them.
    """

    def __init__(self, existing, persistent):
        super().__init__(set, existing)
        self.persistent = persistent

    def pop(self, path, default=None):
        found = list(super().pop(path, default or []))
        for prefix, recursive, callback in self.persistent:
            if path == prefix or (recursive and path.startswith(prefix.rstrip("/") + "/")):
                found.append(callback)
        return found


def add_persistent_watch(client, path, callback, recursive):
    persistent = getattr(client, "_persistent_watches", None)
    if persistent is None:
        persistent = client._persistent_watches = []
        client._data_watchers = PersistentWatchers(client._data_watchers, persistent)
    async_result = client.handler.async_result()
    client._call(AddWatch(path, 1 if recursive else 0), async_result)
    async_result.get(timeout=WAIT_S)
    persistent.append((path, recursive, callback))


def connect(hosts, timeout=10.0):
    client = KazooClient(hosts=hosts, timeout=timeout)
    client.start(timeout=WAIT_S)
    return client


class Checks:
    def __init__(self, hosts):
        self.hosts = hosts
        self.root = "/compat-" + uuid.uuid4().hex[:8]
        self.zk = connect(hosts)
        self.zk.create(self.root)

    def close(self):
        try:
            self.zk.delete(self.root, recursive=True)
        finally:
            self.zk.stop()
            self.zk.close()

    def path(self, name):
        return self.root + "/" + name

    # -- basic operations -------------------------------------------------------------------

    def check_create_get_set_delete(self):
        p = self.path("crud")
        created = self.zk.create(p, b"v1")
        assert created == p, created
        data, stat = self.zk.get(p)
        assert data == b"v1" and stat.version == 0 and stat.dataLength == 2, (data, stat)
        assert stat.czxid == stat.mzxid == stat.pzxid, stat
        stat2 = self.zk.set(p, b"value-2")
        assert stat2.version == 1 and stat2.mzxid > stat.mzxid and stat2.czxid == stat.czxid
        try:
            self.zk.set(p, b"x", version=0)
            raise AssertionError("set with a stale version succeeded")
        except BadVersionError:
            pass
        try:
            self.zk.create(p, b"again")
            raise AssertionError("second create succeeded")
        except NodeExistsError:
            pass
        self.zk.delete(p, version=1)
        assert self.zk.exists(p) is None
        try:
            self.zk.get(p)
            raise AssertionError("get of a deleted node succeeded")
        except NoNodeError:
            pass
        try:
            self.zk.create(self.path("missing/child"))
            raise AssertionError("create under a missing parent succeeded")
        except NoNodeError:
            pass

    def check_children_and_parent_stat(self):
        p = self.path("kids")
        self.zk.create(p)
        before = self.zk.exists(p)
        for name in ("b", "a", "c"):
            self.zk.create(p + "/" + name, b"")
        kids = self.zk.get_children(p)
        assert sorted(kids) == ["a", "b", "c"], kids
        kids2, stat = self.zk.get_children(p, include_data=True)
        assert sorted(kids2) == ["a", "b", "c"]
        assert stat.numChildren == 3 and stat.cversion == before.cversion + 3, stat
        assert stat.pzxid > before.pzxid, stat
        try:
            self.zk.delete(p)
            raise AssertionError("delete of a node with children succeeded")
        except NotEmptyError:
            pass
        self.zk.delete(p + "/b")
        after = self.zk.exists(p)
        assert after.numChildren == 2 and after.pzxid > stat.pzxid, after
        assert after.cversion == stat.cversion + 1, "a delete counts in cversion: %r" % (after,)
        self.zk.delete(p, recursive=True)
        assert self.zk.exists(p) is None

    def check_sequential_nodes(self):
        p = self.path("seq")
        self.zk.create(p)
        names = [self.zk.create(p + "/item-", b"", sequence=True) for _ in range(3)]
        suffixes = [n.rsplit("-", 1)[1] for n in names]
        assert all(len(s) == 10 and s.isdigit() for s in suffixes), names
        assert [int(s) for s in suffixes] == [0, 1, 2], names
        # After a deletion the next suffix still grows. (ZooKeeper 3.8 counts creates only here,
        # while its cversion also counts deletions; recipes rely on growth alone.)
        self.zk.delete(names[0])
        n4 = self.zk.create(p + "/item-", b"", sequence=True)
        assert int(n4.rsplit("-", 1)[1]) > int(suffixes[-1]), n4

    def check_ephemeral_nodes(self):
        other = connect(self.hosts)
        try:
            p = self.path("eph")
            other.create(p, b"mine", ephemeral=True)
            # Another session's write: in an ensemble, sync first (ZooKeeper promises each
            # session its own order, not other sessions' writes at once on every server).
            self.zk.sync(p)
            stat = self.zk.exists(p)
            assert stat is not None and stat.ephemeralOwner == other.client_id[0], stat
            try:
                other.create(p + "/child")
                raise AssertionError("child of an ephemeral was created")
            except Exception as e:  # NoChildrenForEphemeralsError
                assert type(e).__name__ == "NoChildrenForEphemeralsError", repr(e)
        finally:
            other.stop()
            other.close()
        self.zk.sync(p)
        assert self.zk.exists(p) is None, "ephemeral survived its session's close"

    # -- watches ----------------------------------------------------------------------------

    def check_one_shot_watches_fire_once(self):
        p = self.path("watched")
        self.zk.create(p, b"0")
        events = []
        fired = threading.Event()

        def on_event(event):
            events.append(event)
            fired.set()

        self.zk.get(p, watch=on_event)
        self.zk.set(p, b"1")
        assert fired.wait(WAIT_S), "data watch did not fire"
        self.zk.set(p, b"2")
        self.zk.sync(p)
        self.zk.get(p)  # a read after the second change: its event would have come before this
        time.sleep(0.3)
        assert len(events) == 1, events
        assert events[0].type == EventType.CHANGED and events[0].path == p, events

        child_events = []
        child_fired = threading.Event()
        self.zk.get_children(p, watch=lambda e: (child_events.append(e), child_fired.set()))
        self.zk.create(p + "/c1")
        assert child_fired.wait(WAIT_S), "child watch did not fire"
        self.zk.create(p + "/c2")
        self.zk.get_children(p)
        time.sleep(0.3)
        assert [e.type for e in child_events] == [EventType.CHILD], child_events

        exist_events = []
        exist_fired = threading.Event()
        q = self.path("not-yet")
        assert self.zk.exists(q, watch=lambda e: (exist_events.append(e), exist_fired.set())) is None
        self.zk.create(q)
        assert exist_fired.wait(WAIT_S), "exists watch did not fire on create"
        assert exist_events[0].type == EventType.CREATED, exist_events

    def check_persistent_recursive_watch(self):
        p = self.path("tree")
        self.zk.create(p)
        events = []
        lock = threading.Condition()

        def on_event(event):
            with lock:
                events.append((event.type, event.path))
                lock.notify_all()

        add_persistent_watch(self.zk, p, on_event, recursive=True)
        self.zk.create(p + "/a")
        self.zk.create(p + "/a/b")
        self.zk.set(p + "/a/b", b"x")
        self.zk.set(p + "/a/b", b"y")
        self.zk.delete(p + "/a/b")
        expected = [
            (EventType.CREATED, p + "/a"),
            (EventType.CREATED, p + "/a/b"),
            (EventType.CHANGED, p + "/a/b"),
            (EventType.CHANGED, p + "/a/b"),
            (EventType.DELETED, p + "/a/b"),
        ]
        deadline = time.time() + WAIT_S
        with lock:
            while len(events) < len(expected) and time.time() < deadline:
                lock.wait(0.1)
        time.sleep(0.2)  # a recursive watch never sends NodeChildrenChanged; give one time to show
        assert events == expected, events

    # -- transactions -----------------------------------------------------------------------

    def check_transaction(self):
        p = self.path("txn")
        t = self.zk.transaction()
        t.create(p, b"")
        t.create(p + "/x", b"1")
        t.set_data(p + "/x", b"2")
        results = t.commit()
        assert results[0] == p and results[1] == p + "/x", results
        assert self.zk.get(p + "/x")[0] == b"2"
        s1 = self.zk.exists(p)
        s2 = self.zk.exists(p + "/x")
        assert s1.czxid == s2.czxid, "a transaction's nodes share one zxid"
        # A failing transaction applies nothing; earlier ops report ok, later ones runtime errors.
        t = self.zk.transaction()
        t.create(p + "/y", b"")
        t.check(p + "/x", version=99)
        t.create(p + "/z", b"")
        results = t.commit()
        names = [type(r).__name__ for r in results]
        assert names == ["RolledBackError", "BadVersionError", "RuntimeInconsistency"], names
        assert self.zk.exists(p + "/y") is None and self.zk.exists(p + "/z") is None

    # -- recipes ----------------------------------------------------------------------------

    def check_lock_recipe(self):
        p = self.path("lock")
        clients = [connect(self.hosts) for _ in range(3)]
        holders = []
        overlap = []
        counter = {"in": 0}
        guard = threading.Lock()

        def worker(i, client):
            lock = Lock(client, p, identifier="w%d" % i)
            for _ in range(3):
                with lock:
                    with guard:
                        counter["in"] += 1
                        if counter["in"] > 1:
                            overlap.append(i)
                        holders.append(i)
                    time.sleep(0.02)
                    with guard:
                        counter["in"] -= 1

        threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(clients)]
        try:
            for t in threads:
                t.start()
            for t in threads:
                t.join(WAIT_S * 3)
            assert not any(t.is_alive() for t in threads), "lock workers did not finish"
            assert not overlap, "two holders at once: %r" % overlap
            assert sorted(holders) == [0, 0, 0, 1, 1, 1, 2, 2, 2], holders
        finally:
            for c in clients:
                c.stop()
                c.close()

    def check_election_recipe(self):
        p = self.path("election")
        a, b = connect(self.hosts), connect(self.hosts)
        leaders = []
        a_lead = threading.Event()
        b_lead = threading.Event()
        release_a = threading.Event()

        def lead_a():
            leaders.append("a")
            a_lead.set()
            release_a.wait(WAIT_S)

        def lead_b():
            leaders.append("b")
            b_lead.set()

        ea, eb = Election(a, p, "a"), Election(b, p, "b")

        def run_a():
            try:
                ea.run(lead_a)
            except ConnectionClosedError:
                pass  # its session was closed on purpose while it led

        ta = threading.Thread(target=run_a)
        ta.start()
        assert a_lead.wait(WAIT_S), "first candidate never led"
        tb = threading.Thread(target=eb.run, args=(lead_b,))
        tb.start()
        time.sleep(0.3)
        assert not b_lead.is_set(), "second candidate led while the first still did"
        assert sorted(ea.contenders()) == ["a", "b"], ea.contenders()
        # The leader's session ends: the next candidate takes over.
        a.stop()
        a.close()
        release_a.set()
        assert b_lead.wait(WAIT_S), "leadership was not handed over"
        ta.join(WAIT_S)
        tb.join(WAIT_S)
        b.stop()
        b.close()
        assert leaders == ["a", "b"], leaders

    # -- sessions ---------------------------------------------------------------------------

    def check_session_expiry_removes_ephemerals(self):
        """A client that stops (SIGSTOP) loses its session once the timeout passes."""
        p = self.path("expiring")
        child = subprocess.Popen(
            [sys.executable, __file__, "--hosts", self.hosts, "--hold-ephemeral", p],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            line = child.stdout.readline().strip()
            assert line.startswith("holding"), "child said %r" % line
            self.zk.sync(p)
            assert self.zk.exists(p) is not None
            deleted = threading.Event()

            def on_event(event):
                if event.type == EventType.DELETED:
                    deleted.set()

            assert self.zk.exists(p, watch=on_event) is not None
            os.kill(child.pid, signal.SIGSTOP)
            # Timeout 4 s requested; the server may round it into its bounds.
            assert deleted.wait(30), "ephemeral not removed after its session expired"
            assert self.zk.exists(p) is None
        finally:
            child.kill()
            child.wait(WAIT_S)


def check_failover(hosts, kill_command):
    """kazoo connected to every host; the node it uses is killed: it moves to another node with
    its session, its ephemeral and every acknowledged write intact."""
    zk = connect(hosts, timeout=10.0)
    root = "/failover-" + uuid.uuid4().hex[:8]
    try:
        zk.create(root)
        for i in range(50):
            zk.create("%s/k%02d" % (root, i), b"v%d" % i)
        zk.create(root + "/eph", b"", ephemeral=True)
        session = zk.client_id
        host, port = zk._connection._socket.getpeername()[:2]
        lost = threading.Event()
        back = threading.Event()

        def on_state(state):
            if state != "CONNECTED":
                lost.set()
            elif lost.is_set():
                back.set()

        zk.add_listener(on_state)
        subprocess.run(kill_command.replace("{}", "%s:%d" % (host, port)), shell=True, check=True, timeout=30)
        assert lost.wait(WAIT_S), "kazoo did not notice its node die"
        assert back.wait(30), "kazoo did not reconnect to another node"
        assert zk.client_id == session, "the session changed across the failover"
        new_host = zk._connection._socket.getpeername()[0]
        assert new_host != host, "reconnected to the dead node?"
        zk.sync(root)
        children = sorted(zk.get_children(root))
        assert children == sorted(["k%02d" % i for i in range(50)] + ["eph"]), children
        assert zk.get(root + "/k49")[0] == b"v49"
        zk.create(root + "/after", b"x")
        assert zk.exists(root + "/eph").ephemeralOwner == session[0]
        print("ok    failover (killed %s:%d, now on %s)" % (host, port, new_host), flush=True)
        return True
    except Exception:
        print("FAIL  failover", flush=True)
        traceback.print_exc()
        return False
    finally:
        try:
            zk.delete(root, recursive=True)
        finally:
            zk.stop()
            zk.close()


def hold_ephemeral(hosts, path):
    client = KazooClient(hosts=hosts, timeout=4.0)
    client.start(timeout=WAIT_S)
    client.create(path, b"", ephemeral=True)
    print("holding", path, flush=True)
    time.sleep(120)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", required=True)
    parser.add_argument("--only", help="run only checks whose name contains this")
    parser.add_argument("--hold-ephemeral", help=argparse.SUPPRESS)
    parser.add_argument(
        "--failover-kill",
        help="a shell command that kills the node at HOST:PORT given as {}; adds the failover check",
    )
    args = parser.parse_args()
    if args.hold_ephemeral:
        hold_ephemeral(args.hosts, args.hold_ephemeral)
        return 0

    checks = Checks(args.hosts)
    names = [n for n in dir(checks) if n.startswith("check_")]
    names.sort(key=lambda n: Checks.__dict__[n].__code__.co_firstlineno)
    passed = failed = 0
    try:
        for name in names:
            if args.only and args.only not in name:
                continue
            started = time.time()
            try:
                getattr(checks, name)()
                passed += 1
                print("ok    %-45s %.2fs" % (name[6:], time.time() - started), flush=True)
            except Exception:
                failed += 1
                print("FAIL  %s" % name[6:], flush=True)
                traceback.print_exc()
    finally:
        checks.close()
    if args.failover_kill:
        if check_failover(args.hosts, args.failover_kill):
            passed += 1
        else:
            failed += 1
    print("compat: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
