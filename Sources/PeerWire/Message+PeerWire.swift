import RaftCore

/// Version 1 encoding of a Raft `Message` body, field by field in declaration order:
///
///     kind u8, from u64, to u64, term u64, logTerm u64, index u64,
///     entries: count u32, then each (term u64, index u64, kind u8, data: length u32 + bytes),
///     commit u64, reject bool, rejectHint u64, context: length u32 + bytes,
///     snapshot: present bool, then (index u64, term u64,
///       voters: count u32 + u64 each, learners: count u32 + u64 each),
///     snapshotOffset u64, chunk: length u32 + bytes, snapshotDone bool
///
/// Every field is always present (no per-kind layouts), so a field that a kind does not use still
/// round-trips and a later kind needs no new layout.
extension Message {
  /// Bytes of an entry without its data: term, index, kind, data length.
  static let entryHeaderBytes = 8 + 8 + 1 + 4

  func encodePeerWireBody(into writer: inout PeerWireWriter) {
    writer.writeUInt8(kind.rawValue)
    writer.writeUInt64(from.rawValue)
    writer.writeUInt64(to.rawValue)
    writer.writeUInt64(term.rawValue)
    writer.writeUInt64(logTerm.rawValue)
    writer.writeUInt64(index.rawValue)
    writer.writeCount(entries.count)
    for entry in entries {
      writer.writeUInt64(entry.term.rawValue)
      writer.writeUInt64(entry.index.rawValue)
      writer.writeUInt8(entry.kind.rawValue)
      writer.writeBytes(entry.data)
    }
    writer.writeUInt64(commit.rawValue)
    writer.writeBool(reject)
    writer.writeUInt64(rejectHint.rawValue)
    writer.writeBytes(context)
    writer.writeBool(snapshot != nil)
    if let snapshot {
      writer.writeUInt64(snapshot.index.rawValue)
      writer.writeUInt64(snapshot.term.rawValue)
      writer.writeCount(snapshot.confState.voters.count)
      for voter in snapshot.confState.voters { writer.writeUInt64(voter.rawValue) }
      writer.writeCount(snapshot.confState.learners.count)
      for learner in snapshot.confState.learners { writer.writeUInt64(learner.rawValue) }
    }
    writer.writeUInt64(snapshotOffset)
    writer.writeBytes(chunk)
    writer.writeBool(snapshotDone)
  }

  init(decodingPeerWireBody reader: inout PeerWireReader) throws(PeerWireError) {
    let kindByte = try reader.readUInt8()
    guard let kind = MessageKind(rawValue: kindByte) else { throw .unknownRaftMessageKind(kindByte) }
    let from = NodeID(try reader.readUInt64())
    let to = NodeID(try reader.readUInt64())
    let term = Term(try reader.readUInt64())
    let logTerm = Term(try reader.readUInt64())
    let index = LogIndex(try reader.readUInt64())
    let entryCount = try reader.readCount(elementBytesMin: Message.entryHeaderBytes, field: "entries")
    var entries: [Entry] = []
    entries.reserveCapacity(entryCount)
    for _ in 0..<entryCount {
      let entryTerm = Term(try reader.readUInt64())
      let entryIndex = LogIndex(try reader.readUInt64())
      let entryKindByte = try reader.readUInt8()
      guard let entryKind = EntryKind(rawValue: entryKindByte) else { throw .unknownEntryKind(entryKindByte) }
      let data = try reader.readBytes(field: "entry data")
      entries.append(Entry(term: entryTerm, index: entryIndex, kind: entryKind, data: data))
    }
    let commit = LogIndex(try reader.readUInt64())
    let reject = try reader.readBool()
    let rejectHint = LogIndex(try reader.readUInt64())
    let context = try reader.readBytes(field: "context")
    var snapshot: SnapshotMetadata?
    if try reader.readBool() {
      let snapshotIndex = LogIndex(try reader.readUInt64())
      let snapshotTerm = Term(try reader.readUInt64())
      let voters = try Message.readNodeIDs(&reader, field: "voters")
      let learners = try Message.readNodeIDs(&reader, field: "learners")
      snapshot = SnapshotMetadata(
        index: snapshotIndex, term: snapshotTerm, confState: ConfState(voters: voters, learners: learners))
    }
    let snapshotOffset = try reader.readUInt64()
    let chunk = try reader.readBytes(field: "chunk")
    let snapshotDone = try reader.readBool()
    self.init(
      kind: kind, from: from, to: to, term: term, logTerm: logTerm, index: index, entries: entries,
      commit: commit, reject: reject, rejectHint: rejectHint, context: context, snapshot: snapshot,
      snapshotOffset: snapshotOffset, chunk: chunk, snapshotDone: snapshotDone)
  }

  private static func readNodeIDs(
    _ reader: inout PeerWireReader, field: StaticString
  ) throws(PeerWireError) -> [NodeID] {
    let count = try reader.readCount(elementBytesMin: 8, field: field)
    var ids: [NodeID] = []
    ids.reserveCapacity(count)
    for _ in 0..<count { ids.append(NodeID(try reader.readUInt64())) }
    return ids
  }
}
