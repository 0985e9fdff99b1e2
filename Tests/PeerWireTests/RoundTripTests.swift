import PeerWire
import RaftCore
import Testing

@Suite("PeerWire round trips")
struct RoundTripTests {
  @Test(
    "every kind of peer message decodes to the value it was encoded from", arguments: PeerMessageKind.allCases
  )
  func roundTripEachKind(kind: PeerMessageKind) throws {
    var random = SeededRandom(seed: 0x5EED_0000 + UInt64(kind.rawValue))
    for _ in 0..<500 {
      let message = random.peerMessage(kind: kind)
      let frame = message.encodedFrame()
      #expect(try PeerMessage.decodeFrame(frame) == message)
    }
  }

  @Test(
    "every Raft message kind keeps all its fields, entries and snapshot metadata",
    arguments: MessageKind.allCases)
  func roundTripEachRaftKind(kind: MessageKind) throws {
    var random = SeededRandom(seed: 0xAF7 + UInt64(kind.rawValue))
    for _ in 0..<200 {
      let message = random.raftMessage(kind: kind)
      guard case .raft(let decoded) = try PeerMessage.decodeFrame(PeerMessage.raft(message).encodedFrame())
      else {
        Issue.record("not decoded as a Raft message")
        return
      }
      #expect(decoded == message)
      #expect(decoded.entries.map(\.data) == message.entries.map(\.data))
      #expect(decoded.snapshot?.confState == message.snapshot?.confState)
    }
  }

  @Test("a large snapshot chunk and many entries survive the round trip")
  func largeFields() throws {
    var random = SeededRandom(seed: 99)
    let chunk = (0..<(1 << 20)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    let entries = (1...1000).map {
      Entry(term: Term(3), index: LogIndex(UInt64($0)), data: [UInt8($0 & 0xFF)])
    }
    let message = Message(
      kind: .snapshot, from: NodeID(1), to: NodeID(2), term: Term(3), entries: entries,
      snapshot: SnapshotMetadata(
        index: LogIndex(10), term: Term(2), confState: ConfState(voters: [NodeID(1)])),
      snapshotOffset: 1 << 40, chunk: chunk, snapshotDone: true)
    #expect(try PeerMessage.decodeFrame(PeerMessage.raft(message).encodedFrame()) == .raft(message))
  }

  @Test("frames written back to back into one writer decode in order")
  func manyFramesInOneWriter() {
    var random = SeededRandom(seed: 7)
    let messages = (0..<50).map { _ in random.peerMessage() }
    var writer = PeerWireWriter()
    for message in messages { message.encode(into: &writer) }
    let decoded = decodeAll([writer.bytes])
    #expect(decoded.error == nil)
    #expect(decoded.messages == messages)
  }

  @Test("a hello of a later version is read for its ids, its extra fields skipped")
  func laterHelloVersion() throws {
    var writer = PeerWireWriter()
    writer.writeFrame(kind: .hello) { body in
      for byte in PeerHello.magic { body.writeUInt8(byte) }
      body.writeUInt16(2)
      body.writeUInt64(42)
      body.writeUInt64(3)
      body.writeUInt64(0xDEAD)  // a field version 2 might add
    }
    #expect(
      try PeerMessage.decodeFrame(writer.bytes)
        == .hello(PeerHello(protocolVersion: 2, clusterID: 42, nodeID: NodeID(3))))
  }
}
