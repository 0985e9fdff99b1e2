/// InstallSnapshot in chunks (Raft §7): a follower whose next entry the leader has compacted
/// away receives the leader's latest snapshot one chunk at a time, each acknowledged before the
/// next goes; a lost chunk is resent when the follower's heartbeat response arrives.
extension Raft {
  /// Leader: switch `to` to snapshot state and send the first chunk. False if no snapshot can go.
  mutating func startSnapshot(to: NodeID) -> Bool {
    guard var pr = tracker[to], pr.recentActive else { return false }
    guard let metadata = try? log.storage.snapshotMetadata(), metadata.index > .zero else { return false }
    pr.becomeSnapshot(metadata.index)
    tracker[to] = pr
    sendSnapshotChunk(to: to)
    return true
  }

  /// Leader: sends the chunk at the follower's acknowledged offset.
  mutating func sendSnapshotChunk(to: NodeID) {
    guard var pr = tracker[to], pr.state == .snapshot,
      var chunk = try? log.storage.snapshotChunk(from: pr.snapshotOffset, maxBytes: config.snapshotChunkBytes),
      chunk.metadata.index > .zero
    else { return }
    if chunk.metadata.index != pr.pendingSnapshot {
      // Compacted again meanwhile: start over with the newer snapshot.
      pr.becomeSnapshot(chunk.metadata.index)
      tracker[to] = pr
      guard let first = try? log.storage.snapshotChunk(from: 0, maxBytes: config.snapshotChunkBytes),
        first.metadata.index == chunk.metadata.index
      else { return }
      chunk = first
    }
    let start = min(pr.snapshotOffset, chunk.totalBytes)
    let end = start + UInt64(chunk.bytes.count)
    send(Message(
      kind: .snapshot, from: id, to: to, snapshot: chunk.metadata, snapshotOffset: start,
      chunk: chunk.bytes, snapshotDone: end == chunk.totalBytes))
  }

  /// Leader: a follower reported how many bytes of the snapshot it holds.
  mutating func snapshotChunkAcknowledged(_ m: Message) {
    guard var pr = tracker[m.from], pr.state == .snapshot, m.index == pr.pendingSnapshot else { return }
    if m.reject || m.snapshotOffset > pr.snapshotOffset {
      // Progress, or the follower lost its buffer (restart) and asks to start over.
      pr.snapshotOffset = m.snapshotOffset
      tracker[m.from] = pr
      sendSnapshotChunk(to: m.from)
    }
    // An acknowledgement that is not news (duplicate, reordered) sends nothing, so duplicated
    // messages cannot multiply the chunks in flight.
  }

  /// Follower: one chunk of InstallSnapshot.
  mutating func handleSnapshotChunk(_ m: Message) {
    guard let meta = m.snapshot else { return }
    if meta.index <= log.committed {
      snapshotBuffer = nil
      send(Message(kind: .appendResponse, from: id, to: m.from, index: log.committed))
      return
    }
    if m.snapshotOffset == 0 { snapshotBuffer = (meta, []) }
    guard var buffer = snapshotBuffer, buffer.metadata == meta else {
      send(Message(kind: .snapshotResponse, from: id, to: m.from, index: meta.index, reject: true, snapshotOffset: 0))
      return
    }
    let have = UInt64(buffer.data.count)
    if m.snapshotOffset > have {
      send(Message(kind: .snapshotResponse, from: id, to: m.from, index: meta.index, reject: true, snapshotOffset: have))
      return
    }
    if m.snapshotOffset < have {
      send(Message(kind: .snapshotResponse, from: id, to: m.from, index: meta.index, snapshotOffset: have))
      return
    }
    buffer.data.append(contentsOf: m.chunk)
    guard m.snapshotDone else {
      snapshotBuffer = buffer
      send(Message(kind: .snapshotResponse, from: id, to: m.from, index: meta.index, snapshotOffset: UInt64(buffer.data.count)))
      return
    }
    snapshotBuffer = nil
    // After a real restore our log ends at the snapshot; after a fast-forward, entries past the
    // snapshot may not match the leader's, so we vouch only for the commit index.
    let restored = restore(Snapshot(metadata: meta, data: buffer.data))
    send(Message(kind: .appendResponse, from: id, to: m.from, index: restored ? log.lastIndex() : log.committed))
  }

  /// Follower: installs a complete snapshot, unless the log already holds its last entry (then
  /// the entries after it stay, and only the commit index moves).
  /// Returns whether the log was replaced.
  mutating func restore(_ snapshot: Snapshot) -> Bool {
    let meta = snapshot.metadata
    guard meta.index > log.committed else { return false }
    if log.matchTerm(meta.index, meta.term) {
      log.commitTo(meta.index)
      return false
    }
    log.restore(snapshot)
    tracker.setConfState(meta.confState, next: log.lastIndex().next)
    return true
  }
}
