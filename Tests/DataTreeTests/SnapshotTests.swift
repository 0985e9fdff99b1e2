import DataTree
import Testing
import ZooKeeperWire

@Suite("Snapshots and the tree digest")
struct SnapshotTests {
  static func populated() -> Harness {
    var h = Harness(extendedTypes: true)
    h.create("/app", "config", acl: [ACL(perms: .all, id: aliceDigest), ACL(perms: .read, id: .anyone)], ids: [aliceDigest])
    #expect(h.create("/app/e", mode: .ephemeral, ids: [aliceDigest]).createdPath == "/app/e")
    h.create("/app/s-", mode: .persistentSequential, ids: [aliceDigest])
    h.create("/c", mode: .container)
    h.create("/t", mode: .persistentWithTTL, ttlMs: 1_000)
    h.create("/ü", "unicode")
    h.run(.setData(path: "/ü", data: [1, 2], version: -1))
    h.run(.delete(path: "/app/s-0000000001", version: -1), ids: [aliceDigest])
    #expect(h.stat("/app")?.numChildren == 1)
    h.run(.create(CreateOperation(path: "/x")), xid: Xid(12))
    return h
  }

  @Test("a snapshot round trip gives the same tree, sessions, digest and bytes")
  func roundTrip() throws {
    let h = SnapshotTests.populated()
    let bytes = h.tree.snapshot()
    let restored = try DataTree(snapshot: bytes, configuration: .init(extendedTypesEnabled: true))
    restored.checkInvariants()
    #expect(restored.digest() == h.tree.digest())
    #expect(restored.snapshot() == bytes)
    #expect(restored.lastAppliedZxid == h.tree.lastAppliedZxid)
    #expect(restored.sessions == h.tree.sessions)
    #expect(restored.getEphemerals(session: alice, prefix: "/") == ["/app/e"])
    #expect(restored.getACL("/app", ids: [aliceDigest]) == h.tree.getACL("/app", ids: [aliceDigest]))
    #expect(restored.exists("/app") == h.tree.exists("/app"))
    #expect(restored.expiredTTLNodes(nowMs: Int64.max / 2) == ["/t"])
  }

  @Test("a restored tree continues exactly like the original, duplicate detection included")
  func continues() throws {
    var original = SnapshotTests.populated()
    var restored = original
    restored.tree = try DataTree(snapshot: original.tree.snapshot(), configuration: .init(extendedTypesEnabled: true))
    for h in [0, 1] {
      var harness = h == 0 ? original : restored
      #expect(harness.run(.create(CreateOperation(path: "/y")), xid: Xid(12)).reply == .duplicate)
      harness.run(.closeSession(alice), session: alice)
      harness.create("/app/s-", mode: .persistentSequential, session: bob, ids: [aliceDigest])
      if h == 0 { original = harness } else { restored = harness }
    }
    #expect(original.tree.digest() == restored.tree.digest())
  }

  @Test("the digest changes with content and is independent of insertion order")
  func digestContent() {
    var one = Harness()
    one.create("/a")
    one.create("/b")
    var two = Harness()
    two.create("/b")
    two.create("/a")
    // Same paths but different zxids: different content, different digest.
    #expect(one.tree.digest() != two.tree.digest())
    #expect(one.tree.digest() != DataTree().digest())
    #expect(DataTree().digest() == DataTree().digest())
  }

  @Test("every flipped byte is refused with a typed error")
  func corruption() {
    let bytes = SnapshotTests.populated().tree.snapshot()
    for i in stride(from: 0, to: bytes.count, by: 7) {
      var damaged = bytes
      damaged[i] ^= 0x40
      #expect(throws: DataTreeError.self) { try DataTree(snapshot: damaged) }
    }
  }

  @Test("truncated, foreign and future-version snapshots are refused")
  func refusals() {
    let bytes = SnapshotTests.populated().tree.snapshot()
    for end in [0, 3, 8, 19, bytes.count / 2, bytes.count - 1] {
      #expect(throws: DataTreeError.self) { try DataTree(snapshot: Array(bytes[0..<end])) }
    }
    var foreign = bytes
    foreign[0] = UInt8(ascii: "X")
    #expect(throws: DataTreeError.notASnapshot) { try DataTree(snapshot: foreign) }
    var future = bytes
    future[7] = 2
    #expect(throws: DataTreeError.unsupportedSnapshotVersion(2)) { try DataTree(snapshot: future) }
  }
}
