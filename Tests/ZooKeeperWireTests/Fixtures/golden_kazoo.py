#!/usr/bin/env python3
"""The kazoo half of the golden capture: run by capture.sh against capture.py's proxy.

Usage: python3 golden_kazoo.py HOST:PORT

Exercises every request kazoo 2.11 can send (create, create2, delete, exists, getData,
setData, getACL, setACL, getChildren, getChildren2, sync, check (alone and in a multi), multi, reconfig, auth, sasl,
ping, closeSession), successful and failing replies, ZooKeeper's failed-multi layout, and
watch notifications of each event type.
"""
import sys
import threading
import time

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException
from kazoo.protocol.serialization import SASL, CheckVersion
from kazoo.security import make_digest_acl, OPEN_ACL_UNSAFE


def expect_error(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except KazooException as e:
        return type(e).__name__
    raise AssertionError("expected a ZooKeeper error from %s%r" % (fn.__name__, args))


def main():
    hosts = sys.argv[1]
    events = []
    fired = threading.Event()

    def watcher(event):
        events.append(event)
        fired.set()

    def wait_event():
        assert fired.wait(5), "watch did not fire"
        fired.clear()

    zk = KazooClient(hosts=hosts, timeout=4.0)
    zk.start(timeout=10)
    zk.add_auth("digest", "golden:secret")

    zk.create("/k", b"")
    zk.create("/k/plain", b"hello")
    zk.create("/k/eph", b"e", ephemeral=True)
    seq = zk.create("/k/seq-", b"s", sequence=True)
    zk.create("/k/eseq-", b"", ephemeral=True, sequence=True)
    zk.create("/k/with-stat", b"c2", include_data=True)
    zk.create("/k/digest", b"d", acl=[make_digest_acl("golden", "secret", all=True)])
    expect_error(zk.create, "/k/plain", b"again")  # nodeExists
    expect_error(zk.create, "/missing/child", b"")  # noNode
    expect_error(zk.create, "/k/eph/child", b"")  # noChildrenForEphemerals

    # One-shot watches: each event type once.
    zk.exists("/k/later", watch=watcher)
    zk.create("/k/later", b"")
    wait_event()  # NodeCreated
    zk.get("/k/plain", watch=watcher)
    zk.set("/k/plain", b"changed")
    wait_event()  # NodeDataChanged
    zk.get_children("/k", watch=watcher)
    zk.create("/k/child-event", b"")
    wait_event()  # NodeChildrenChanged
    zk.exists("/k/later", watch=watcher)
    zk.delete("/k/later")
    wait_event()  # NodeDeleted

    zk.exists("/k/plain")
    expect_error(zk.get, "/k/none")  # noNode
    assert zk.exists("/k/none") is None  # exists answers noNode without a body
    zk.get_children("/k")
    zk.get_children("/k", include_data=True)
    zk.set("/k/plain", b"v2", version=1)
    expect_error(zk.set, "/k/plain", b"v3", version=7)  # badVersion
    zk.get_acls("/k/digest")
    zk.set_acls("/k/plain", OPEN_ACL_UNSAFE + [make_digest_acl("golden", "secret", read=True)])
    expect_error(zk.set_acls, "/k/plain", [], version=-1)  # invalidACL
    zk.sync("/k")
    # A standalone check (op 13), outside a multi: kazoo's own record, sent directly. Only a
    # failing one: ZooKeeper 3.8 never answers a standalone check that succeeds (3.9 answers
    # it with a SetDataResponse), which kazoo then reports as an xid mismatch.
    result = zk.handler.async_result()
    zk._call(CheckVersion("/k/plain", 5), result)
    try:
        result.get(timeout=3)
    except Exception:
        pass
    expect_error(zk.delete, "/k")  # notEmpty
    expect_error(zk.delete, "/k/plain", version=9)  # badVersion

    t = zk.transaction()
    t.create("/k/tx1", b"t")
    t.set_data("/k/plain", b"tx")
    t.check(seq, 0)
    t.delete("/k/child-event")
    results = t.commit()
    assert all(not isinstance(r, Exception) for r in results), results
    t = zk.transaction()
    t.create("/k/tx2", b"t")
    t.check("/k/plain", 99)  # fails: every slot an error result
    t.delete("/k/tx1")
    t.commit()

    try:
        zk.reconfig(joining=None, leaving="2", new_members=None)
    except KazooException:
        pass  # standalone servers refuse reconfig

    time.sleep(3.0)  # idle long enough for kazoo to ping
    zk.delete("/k/tx1")
    zk.stop()
    zk.close()

    # SASL on a server without a SASL configuration: last, as it may cost the connection.
    zk = KazooClient(hosts=hosts, timeout=4.0)
    zk.start(timeout=10)
    result = zk.handler.async_result()
    zk._call(SASL(b"golden-token"), result)
    try:
        result.get(timeout=3)
    except Exception:
        pass
    zk.stop()
    zk.close()
    print("kazoo capture done: %d watch events" % len(events))


if __name__ == "__main__":
    main()
