import DataTree
import Testing
import ZooKeeperWire

let sampleCommands: [Command] = [
  Command(timeMs: 1, origin: .leader, operation: .createSession(alice, password: Array(0..<16), timeoutMs: 4000)),
  Command(timeMs: 2, origin: Origin(session: alice, connection: UInt64.max, xid: Xid(9)), operation: .closeSession(alice)),
  Command(
    timeMs: 3, origin: Origin(session: alice, xid: Xid(1), authIds: [aliceDigest, Id(scheme: "ip", id: "127.0.0.1")]),
    operation: .create(CreateOperation(path: "/a", data: [1, 2, 3], acl: ACL.creatorAll, flags: 5, ttlMs: 100, opCode: .createTTL))),
  Command(timeMs: 4, origin: Origin(session: bob, xid: nil), operation: .delete(path: "/a", version: 3)),
  Command(timeMs: 5, origin: Origin(session: bob, xid: Xid(-4)), operation: .setData(path: "/ü", data: [], version: -1)),
  Command(timeMs: 6, origin: Origin(session: bob, xid: Xid(2)), operation: .setACL(path: "/a", acl: ACL.readUnsafe, version: 0)),
  Command(timeMs: 7, origin: Origin(session: bob, xid: Xid(3)), operation: .check(path: "/a", version: 7)),
  Command(
    timeMs: 8, origin: Origin(session: bob, xid: Xid(4)),
    operation: .multi([
      .create(CreateOperation(path: "/m", mode: .ephemeralSequential)), .delete(path: "/m", version: -1),
      .setData(path: "/m", data: [0xFF], version: 2), .check(path: "/", version: 0),
    ])),
  Command(timeMs: 9, origin: .leader, operation: .deleteContainer(path: "/c")),
  Command(timeMs: -10, origin: .leader, operation: .deleteExpiredTTL(path: "/t")),
  Command(timeMs: 11, origin: .leader, operation: .reconfig(data: Array("server.1=127.0.0.1:2888:3888;2181".utf8))),
]

@Suite("Command encoding")
struct CommandCodecTests {
  @Test("every operation survives an encode/decode round trip", arguments: sampleCommands.indices)
  func roundTrip(index: Int) throws {
    let command = sampleCommands[index]
    #expect(try Command(decoding: command.encoded()) == command)
  }

  @Test("commands can be concatenated in one buffer and read back in order")
  func concatenated() throws {
    var writer = JuteWriter()
    for command in sampleCommands { command.encode(to: &writer) }
    var reader = JuteReader(writer.bytes)
    var decoded: [Command] = []
    while !reader.isAtEnd { decoded.append(try Command(from: &reader)) }
    #expect(decoded == sampleCommands)
  }

  @Test("an unknown version and an unknown tag are refused with typed errors")
  func refusals() {
    var bytes = sampleCommands[3].encoded()
    bytes[0] = 2
    #expect(throws: DataTreeError.unsupportedCommandVersion(2)) { try Command(decoding: bytes) }
    bytes = sampleCommands[9].encoded()
    let tagOffset = 1 + 8 + 8 + 1 + 8 + 1 + 4 + 4
    bytes[tagOffset] = 77
    #expect(throws: DataTreeError.unknownOperationTag(77)) { try Command(decoding: bytes) }
    #expect(throws: DataTreeError.trailingBytes(1)) { try Command(decoding: sampleCommands[1].encoded() + [0]) }
  }

  @Test("every truncation of every sample is refused, never trapping")
  func truncations() {
    for command in sampleCommands {
      let bytes = command.encoded()
      for end in 0..<bytes.count {
        #expect(throws: DataTreeError.self) { try Command(decoding: Array(bytes[0..<end])) }
      }
    }
  }

  @Test("100,000 mutated and random buffers never trap the decoder")
  func fuzz() {
    var rng = SplitMix64(seed: 0x5EED)
    var decodedCount = 0
    for round in 0..<100_000 {
      var bytes: [UInt8]
      if round % 4 == 0 {
        bytes = (0..<Int(rng.next() % 96)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
      } else {
        bytes = sampleCommands[Int(rng.next() % UInt64(sampleCommands.count))].encoded()
        for _ in 0..<(1 + Int(rng.next() % 4)) where !bytes.isEmpty {
          let i = Int(rng.next() % UInt64(bytes.count))
          bytes[i] = UInt8(truncatingIfNeeded: rng.next())
        }
      }
      if let command = try? Command(decoding: bytes) {
        decodedCount += 1
        #expect(try! Command(decoding: command.encoded()) == command)
      }
    }
    #expect(decodedCount > 0)
  }
}

/// A small deterministic generator for tests (SplitMix64).
struct SplitMix64 {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

@Suite("Large values")
struct LargeValueTests {
  @Test("a command and a snapshot carrying 2.2 MB of data, over the default jute bound, decode")
  func largeData() throws {
    let big = [UInt8](repeating: 0x5A, count: 2_200_000)
    let command = Command(timeMs: 1, origin: Origin(session: alice, xid: nil), operation: .setData(path: "/big", data: big, version: -1))
    #expect(try Command(decoding: command.encoded()) == command)
    var h = Harness()
    h.create("/big")
    h.run(command.operation)
    let restored = try DataTree(snapshot: h.tree.snapshot())
    #expect(restored.getData("/big", ids: []).map(\.data.count) == .success(2_200_000))
  }
}
