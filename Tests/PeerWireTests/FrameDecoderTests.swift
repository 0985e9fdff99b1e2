import PeerWire
import RaftCore
import Testing

@Suite("PeerFrameDecoder")
struct FrameDecoderTests {
  /// One message of every kind, framed back to back.
  static func sampleStream() -> (messages: [PeerMessage], bytes: [UInt8]) {
    var random = SeededRandom(seed: 0x57AE)
    let messages =
      PeerMessageKind.allCases.map { random.peerMessage(kind: $0) } + [
        .raft(random.raftMessage(kind: .snapshot)), .raft(random.raftMessage(kind: .append)),
      ]
    return (messages, messages.flatMap { $0.encodedFrame() })
  }

  @Test("a stream split in two at every byte decodes to the same messages")
  func splitAtEveryByte() {
    let (messages, stream) = Self.sampleStream()
    for cut in 0...stream.count {
      let decoded = decodeAll([Array(stream[..<cut]), Array(stream[cut...])])
      #expect(decoded.error == nil)
      #expect(decoded.messages == messages, "split at byte \(cut)")
    }
  }

  @Test("a stream fed one byte at a time decodes to the same messages, holding nothing after")
  func oneByteAtATime() {
    let (messages, stream) = Self.sampleStream()
    var decoder = PeerFrameDecoder()
    var decoded: [PeerMessage] = []
    for byte in stream {
      decoder.append([byte])
      while let message = try? decoder.next() { decoded.append(message) }
    }
    #expect(decoded == messages)
    #expect(decoder.bufferedBytes == 0)
  }

  @Test("a length over the bound is refused as soon as its four bytes arrive")
  func lengthOverBound() {
    var decoder = PeerFrameDecoder(frameBytesMax: 1000)
    decoder.append([0, 0, 0x03, 0xE9])
    #expect(throws: PeerWireError.frameLengthOverBound(length: 1001, bound: 1000)) { try decoder.next() }
    var hostile = PeerFrameDecoder()
    hostile.append([0xFF, 0xFF, 0xFF, 0xFF])
    #expect(throws: PeerWireError.frameLengthOverBound(length: 0xFFFF_FFFF, bound: 64 << 20)) {
      try hostile.next()
    }
  }

  @Test("a frame of exactly the bound is accepted")
  func lengthAtBound() throws {
    let message = PeerMessage.forward(ForwardedCommands(from: NodeID(1), payload: [1, 2, 3]))
    let frame = message.encodedFrame()
    #expect(try PeerMessage.decodeFrame(frame, frameBytesMax: frame.count - 4) == message)
    #expect(
      throws: PeerWireError.frameLengthOverBound(length: UInt64(frame.count - 4), bound: frame.count - 5)
    ) {
      try PeerMessage.decodeFrame(frame, frameBytesMax: frame.count - 5)
    }
  }

  @Test("an empty frame is an error")
  func emptyFrame() {
    #expect(decodeAll([[0, 0, 0, 0]]).error == .frameEmpty)
  }

  @Test("errors are sticky: later bytes do not resynchronise a bad stream")
  func stickyError() {
    var decoder = PeerFrameDecoder()
    decoder.append([0, 0, 0, 1, 99])
    #expect(throws: PeerWireError.unknownMessageKind(99)) { try decoder.next() }
    decoder.append(PeerMessage.sessionActivity([1]).encodedFrame())
    #expect(throws: PeerWireError.unknownMessageKind(99)) { try decoder.next() }
    #expect(decoder.error == .unknownMessageKind(99))
  }

  @Test("a body shorter than its fields is truncated, a longer one has trailing bytes")
  func truncatedAndTrailing() {
    // sessionActivity promising one id but carrying 4 bytes of it.
    #expect(
      decodeAll([[0, 0, 0, 9, 4, 0, 0, 0, 1, 0, 0, 0, 0]]).error
        == .lengthOverRemaining(field: "sessionActivity", length: 1, remaining: 4))
    // forward with a from field cut short.
    #expect(decodeAll([[0, 0, 0, 3, 3, 0, 0]]).error == .truncated(needed: 8, available: 2))
    // sessionActivity of zero ids plus one stray byte.
    #expect(decodeAll([[0, 0, 0, 6, 4, 0, 0, 0, 0, 7]]).error == .trailingBytes(count: 1))
  }

  @Test("a huge element count is refused before anything is allocated for it")
  func hugeCount() {
    var writer = PeerWireWriter()
    writer.writeFrame(kind: .raft) { body in
      body.writeUInt8(MessageKind.append.rawValue)
      for _ in 0..<5 { body.writeUInt64(1) }
      body.writeUInt32(0xFFFF_FFFF)  // entries
    }
    #expect(
      decodeAll([writer.bytes]).error
        == .lengthOverRemaining(field: "entries", length: 0xFFFF_FFFF, remaining: 0))
  }

  @Test("bad field values are typed errors: booleans, Raft and entry kinds, hello magic and version")
  func badFieldValues() {
    var good = Message(kind: .append, from: NodeID(1), to: NodeID(2))
    good.entries = [Entry(term: Term(1), index: LogIndex(1))]
    let frame = PeerMessage.raft(good).encodedFrame()
    var badKind = frame
    badKind[5] = 200
    #expect(decodeAll([badKind]).error == .unknownRaftMessageKind(200))
    var badEntryKind = frame
    badEntryKind[5 + 1 + 40 + 4 + 16] = 9
    #expect(decodeAll([badEntryKind]).error == .unknownEntryKind(9))
    var badBool = frame
    badBool[badBool.count - 1] = 2  // snapshotDone
    #expect(decodeAll([badBool]).error == .invalidBoolean(2))
    var badMagic = PeerMessage.hello(PeerHello(clusterID: 1, nodeID: NodeID(1))).encodedFrame()
    badMagic[5] = UInt8(ascii: "X")
    #expect(decodeAll([badMagic]).error == .badMagic)
    var versionZero = PeerMessage.hello(PeerHello(clusterID: 1, nodeID: NodeID(1))).encodedFrame()
    versionZero[9] = 0
    versionZero[10] = 0
    #expect(decodeAll([versionZero]).error == .invalidProtocolVersion(0))
  }

  @Test("drained memory is released after a large frame")
  func releasesMemory() throws {
    var decoder = PeerFrameDecoder()
    decoder.append(
      PeerMessage.forward(ForwardedCommands(from: NodeID(1), payload: [UInt8](repeating: 1, count: 1 << 20)))
        .encodedFrame())
    #expect(try decoder.next() != nil)
    #expect(decoder.bufferedBytes == 0)
    #expect(decoder.bytesWanted == 4)
  }
}
