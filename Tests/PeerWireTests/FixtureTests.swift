import PeerWire
import RaftCore
import Testing

/// Version 1 bytes, recorded once and kept: a change to the encoding that would make an old node
/// misread a new one fails here. Change these only with a new protocol version.
@Suite("PeerWire version 1 fixtures")
struct FixtureTests {
  static let cases: [(name: String, message: PeerMessage, hex: String)] = [
    (
      "hello", .hello(PeerHello(protocolVersion: 1, clusterID: 0x0102_0304_0506_0708, nodeID: NodeID(3))),
      "00000017 01 47525650 0001 0102030405060708 0000000000000003"
    ),
    (
      "raft append",
      .raft(
        Message(
          kind: .append, from: NodeID(1), to: NodeID(2), term: Term(5), logTerm: Term(4), index: LogIndex(9),
          entries: [
            Entry(term: Term(5), index: LogIndex(10), data: [0xAA, 0xBB]),
            Entry(term: Term(5), index: LogIndex(11), kind: .confChange, data: [0x01]),
          ], commit: LogIndex(8))),
      """
      0000007e02000000000000000001000000000000000200000000000000050000
      0000000000040000000000000009000000020000000000000005000000000000
      000a0000000002aabb0000000000000005000000000000000b01000000010100
      0000000000000800000000000000000000000000000000000000000000000000
      0000
      """
    ),
    (
      "raft snapshot chunk",
      .raft(
        Message(
          kind: .snapshot, from: NodeID(1), to: NodeID(3), term: Term(7), reject: false,
          snapshot: SnapshotMetadata(
            index: LogIndex(100), term: Term(6),
            confState: ConfState(voters: [NodeID(1), NodeID(2)], learners: [NodeID(4)])),
          snapshotOffset: 4096, chunk: [1, 2, 3], snapshotDone: true)),
      """
      0000008402080000000000000001000000000000000300000000000000070000
      0000000000000000000000000000000000000000000000000000000000000000
      0000000000000001000000000000006400000000000000060000000200000000
      0000000100000000000000020000000100000000000000040000000000001000
      0000000301020301
      """
    ),
    (
      "raft rejected append response",
      .raft(
        Message(
          kind: .appendResponse, from: NodeID(2), to: NodeID(1), term: Term(5), logTerm: Term(3),
          index: LogIndex(9),
          reject: true, rejectHint: LogIndex(6), context: [0x63])),
      """
      0000005202010000000000000002000000000000000100000000000000050000
      0000000000030000000000000009000000000000000000000000010000000000
      00000600000001630000000000000000000000000000
      """
    ),
    (
      "forward", .forward(ForwardedCommands(from: NodeID(2), payload: [0xDE, 0xAD, 0xBE, 0xEF])),
      "00000011 03 0000000000000002 00000004 deadbeef"
    ),
    (
      "session activity", .sessionActivity([1, -1, 0x7FFF_FFFF_FFFF_FFFF]),
      "0000001d 04 00000003 0000000000000001 ffffffffffffffff 7fffffffffffffff"
    ),
  ]

  @Test("version 1 fixtures decode to their values", arguments: 0..<cases.count)
  func decodesFixture(index: Int) throws {
    let fixture = Self.cases[index]
    #expect(try PeerMessage.decodeFrame(bytes(hex: fixture.hex)) == fixture.message, "\(fixture.name)")
  }

  @Test("encoding reproduces the version 1 fixtures byte for byte", arguments: 0..<cases.count)
  func encodesFixture(index: Int) {
    let fixture = Self.cases[index]
    #expect(hex(fixture.message.encodedFrame()) == fixture.hex.filter { $0.isHexDigit }, "\(fixture.name)")
  }
}
