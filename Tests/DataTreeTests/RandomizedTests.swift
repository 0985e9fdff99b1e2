@testable import DataTree
import Checksums
import Testing
import ZooKeeperWire

/// Seeded random workloads: every rule at once, checked through invariants, snapshots and
/// the all-or-nothing property of multi.
@Suite("Randomized workloads")
struct RandomizedTests {
  static let paths = ["/a", "/b", "/a/x", "/a/y", "/b/x", "/a/x/deep", "/c", "/c/s-"]

  static func randomCreate(_ rng: inout SplitMix64) -> CreateOperation {
    let modes: [CreateMode] = [.persistent, .ephemeral, .persistentSequential, .ephemeralSequential, .container, .persistentWithTTL]
    let mode = modes[Int(rng.next() % UInt64(modes.count))]
    return CreateOperation(
      path: paths[Int(rng.next() % UInt64(paths.count))], data: [UInt8(truncatingIfNeeded: rng.next())],
      acl: rng.next() % 5 == 0 ? ACL.creatorAll : ACL.openUnsafe, mode: mode, ttlMs: mode.isTTL ? 50 : -1)
  }

  static func randomMultiOperation(_ rng: inout SplitMix64) -> MultiOperation {
    let path = paths[Int(rng.next() % UInt64(paths.count))]
    let version = Int32(rng.next() % 3) - 1
    switch rng.next() % 4 {
    case 0: return .create(randomCreate(&rng))
    case 1: return .delete(path: path, version: version)
    case 2: return .setData(path: path, data: [1], version: version)
    default: return .check(path: path, version: version)
    }
  }

  static func randomOperation(_ rng: inout SplitMix64) -> Operation {
    let path = paths[Int(rng.next() % UInt64(paths.count))]
    switch rng.next() % 10 {
    case 0, 1, 2: return .create(randomCreate(&rng))
    case 3: return .delete(path: path, version: -1)
    case 4: return .setData(path: path, data: [2, 3], version: Int32(rng.next() % 2) - 1)
    case 5: return .setACL(path: path, acl: ACL.openUnsafe, version: -1)
    case 6: return .multi((0..<Int(rng.next() % 4)).map { _ in randomMultiOperation(&rng) })
    case 7: return .deleteContainer(path: path)
    case 8: return .deleteExpiredTTL(path: path)
    default: return rng.next() % 2 == 0 ? .closeSession(bob) : .createSession(bob, password: [], timeoutMs: 10)
    }
  }

  @Test("random commands keep every invariant; a failed multi changes nothing", arguments: [1, 2, 3, 4, 5] as [UInt64])
  func invariantsHold(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    var h = Harness(extendedTypes: true)
    var watches = WatchRegistry()
    for step in 0..<600 {
      let operation = RandomizedTests.randomOperation(&rng)
      let session = rng.next() % 2 == 0 ? alice : bob
      let before = h.tree.digest()
      if rng.next() % 3 == 0 { watches.addWatch("/", watcher: w1, mode: .persistentRecursive) }
      let result = h.run(operation, session: session, ids: [aliceDigest])
      if case .multi(let results) = result.reply, results.contains(where: { $0 != .error(.ok) && !$0.isSuccess }) {
        #expect(h.tree.digest() == before, "step \(step): a failed multi changed the tree")
        #expect(result.changes.isEmpty)
      }
      if case .failed = result.reply { #expect(h.tree.digest() == before, "step \(step): a failed op changed the tree") }
      // Every change is seen by the recursive watch on / (when armed), in order.
      if rng.next() % 4 == 0 { watches.addDataWatch(RandomizedTests.paths[Int(rng.next() % 8)], watcher: w2) }
      if rng.next() % 5 == 0 { watches.addChildWatch(RandomizedTests.paths[Int(rng.next() % 8)], watcher: w2) }
      if rng.next() % 7 == 0 { watches.addWatch(RandomizedTests.paths[Int(rng.next() % 8)], watcher: w2, mode: .persistent) }
      if rng.next() % 11 == 0 { _ = watches.remove(RandomizedTests.paths[Int(rng.next() % 8)], type: .any, watcher: w2) }
      if rng.next() % 13 == 0 { watches.removeAll(watcher: w1) }
      let events = watches.trigger(result.changes)
      watches.checkInvariants()
      #expect(events.count <= result.changes.count * 4)
      if step % 100 == 99 {
        let restored = try DataTree(snapshot: h.tree.snapshot(), configuration: .init(extendedTypesEnabled: true))
        restored.checkInvariants()
        #expect(restored.digest() == h.tree.digest())
      }
    }
  }

  @Test("two trees fed the same commands end with the same digest and snapshot")
  func deterministic() {
    var rng = SplitMix64(seed: 99)
    var commands: [Command] = []
    for i in 0..<500 {
      let session = i % 2 == 0 ? alice : bob
      commands.append(Command(timeMs: Int64(i), origin: Origin(session: session, xid: nil, authIds: [aliceDigest]), operation: RandomizedTests.randomOperation(&rng)))
    }
    var one = Harness(extendedTypes: true)
    var two = Harness(extendedTypes: true)
    for (i, command) in commands.enumerated() {
      let a = one.tree.apply(command, zxid: Zxid(Int64(100 + i)))
      let b = two.tree.apply(command, zxid: Zxid(Int64(100 + i)))
      #expect(a == b)
    }
    #expect(one.tree.snapshot() == two.tree.snapshot())
  }

  @Test("4,000 mutated snapshots are refused or decode to a consistent tree, never trapping")
  func snapshotFuzz() {
    var h = Harness(extendedTypes: true)
    var rng = SplitMix64(seed: 7)
    for _ in 0..<60 { h.run(RandomizedTests.randomOperation(&rng), ids: [aliceDigest]) }
    let bytes = h.tree.snapshot()
    for _ in 0..<4_000 {
      var damaged = bytes
      for _ in 0..<(1 + Int(rng.next() % 3)) {
        damaged[Int(rng.next() % UInt64(damaged.count))] = UInt8(truncatingIfNeeded: rng.next())
      }
      if rng.next() % 4 == 0 { damaged.removeLast(Int(rng.next() % UInt64(damaged.count))) }
      if let tree = try? DataTree(snapshot: damaged) { tree.checkInvariants() }
    }
  }

  @Test("4,000 mutated snapshots with a recomputed checksum are refused or consistent, never trapping")
  func structuralFuzz() {
    var h = Harness(extendedTypes: true)
    var rng = SplitMix64(seed: 8)
    for _ in 0..<60 { h.run(RandomizedTests.randomOperation(&rng), ids: [aliceDigest]) }
    let bytes = Array(h.tree.snapshot().dropLast(4))
    var refused = 0
    for _ in 0..<4_000 {
      var damaged = bytes
      for _ in 0..<(1 + Int(rng.next() % 3)) {
        let i = 8 + Int(rng.next() % UInt64(damaged.count - 8))
        damaged[i] = rng.next() % 2 == 0 ? UInt8(truncatingIfNeeded: rng.next()) : damaged[i] ^ 1
      }
      let crc = CRC32C.checksum(damaged)
      damaged += [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
      do {
        let tree = try DataTree(snapshot: damaged, configuration: .init(extendedTypesEnabled: true))
        tree.checkInvariants()
      } catch {
        refused += 1
      }
    }
    #expect(refused > 200)
  }
}

extension MultiOutcome {
  var isSuccess: Bool {
    if case .error = self { return false }
    return true
  }
}

@Suite("Snapshot consistency checks")
struct SnapshotConsistencyTests {
  static func resealed(_ body: [UInt8]) -> [UInt8] {
    let crc = CRC32C.checksum(body)
    return body + [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
  }

  @Test("a well-sealed snapshot whose node has an empty ACL list is refused")
  func emptyACL() {
    var body = Array(DataTree().snapshot().dropLast(4))
    // magic, version, zxid, ACL list count, then the first list: count 1, perms, "world", "anyone".
    #expect(Array(body[20..<24]) == [0, 0, 0, 1])
    body[23] = 0
    body.removeSubrange(24..<(24 + 4 + 4 + 5 + 4 + 6))
    #expect(throws: DataTreeError.inconsistentSnapshot("/: empty ACL")) {
      try DataTree(snapshot: SnapshotConsistencyTests.resealed(body))
    }
  }
}
