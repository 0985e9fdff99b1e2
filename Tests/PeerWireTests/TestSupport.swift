import PeerWire
import RaftCore

/// Random field values for round trips and fuzzing, from a seeded generator so a failure replays.
extension SeededRandom {
  mutating func bytes(countMax: Int) -> [UInt8] {
    (0..<int(in: 0...countMax)).map { _ in UInt8(truncatingIfNeeded: next()) }
  }

  /// A 64-bit value that is often small, sometimes at the edges of its range.
  mutating func edgyUInt64() -> UInt64 {
    switch below(4) {
    case 0: below(16)
    case 1: UInt64.max - below(4)
    default: next()
    }
  }

  mutating func nodeIDs(countMax: Int) -> [NodeID] {
    (0..<int(in: 0...countMax)).map { _ in NodeID(edgyUInt64()) }
  }

  mutating func entry() -> Entry {
    Entry(
      term: Term(edgyUInt64()), index: LogIndex(edgyUInt64()),
      kind: EntryKind.allCases[Int(below(UInt64(EntryKind.allCases.count)))], data: bytes(countMax: 40))
  }

  mutating func raftMessage(kind: MessageKind? = nil) -> Message {
    let kind = kind ?? MessageKind.allCases[Int(below(UInt64(MessageKind.allCases.count)))]
    var snapshot: SnapshotMetadata?
    if chance(0.5) {
      snapshot = SnapshotMetadata(
        index: LogIndex(edgyUInt64()), term: Term(edgyUInt64()),
        confState: ConfState(voters: nodeIDs(countMax: 7), learners: nodeIDs(countMax: 3)))
    }
    return Message(
      kind: kind, from: NodeID(edgyUInt64()), to: NodeID(edgyUInt64()), term: Term(edgyUInt64()),
      logTerm: Term(edgyUInt64()), index: LogIndex(edgyUInt64()),
      entries: (0..<int(in: 0...4)).map { _ in entry() }, commit: LogIndex(edgyUInt64()),
      reject: chance(0.5), rejectHint: LogIndex(edgyUInt64()), context: bytes(countMax: 20),
      snapshot: snapshot, snapshotOffset: edgyUInt64(), chunk: bytes(countMax: 100), snapshotDone: chance(0.5)
    )
  }

  mutating func peerMessage(kind: PeerMessageKind) -> PeerMessage {
    switch kind {
    case .hello:
      .hello(
        PeerHello(
          protocolVersion: UInt16(truncatingIfNeeded: below(0xFFFF) + 1), clusterID: edgyUInt64(),
          nodeID: NodeID(edgyUInt64())))
    case .raft: .raft(raftMessage())
    case .forward: .forward(ForwardedCommands(from: NodeID(edgyUInt64()), payload: bytes(countMax: 200)))
    case .sessionActivity:
      .sessionActivity((0..<int(in: 0...20)).map { _ in Int64(bitPattern: edgyUInt64()) })
    }
  }

  mutating func peerMessage() -> PeerMessage {
    peerMessage(kind: PeerMessageKind.allCases[Int(below(UInt64(PeerMessageKind.allCases.count)))])
  }
}

/// Lower-case hex, for fixtures.
func hex(_ bytes: [UInt8]) -> String {
  let digits = Array("0123456789abcdef")
  return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] })
}

/// Bytes from hex text; spaces and newlines are ignored.
func bytes(hex text: String) -> [UInt8] {
  let digits = text.filter { $0.isHexDigit }.map { UInt8($0.hexDigitValue!) }
  precondition(digits.count % 2 == 0, "odd number of hex digits")
  return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
}

/// Every message the decoder yields from `stream` fed in `chunks`, and the error that ended it.
func decodeAll(_ chunks: [[UInt8]], frameBytesMax: Int = PeerMessage.defaultFrameBytesMax) -> (
  messages: [PeerMessage], error: PeerWireError?
) {
  var decoder = PeerFrameDecoder(frameBytesMax: frameBytesMax)
  var messages: [PeerMessage] = []
  for chunk in chunks {
    decoder.append(chunk)
    do {
      while let message = try decoder.next() { messages.append(message) }
    } catch {
      return (messages, error)
    }
  }
  return (messages, nil)
}
