/// Raft's view of the log: the durable part in `LogStorage`, plus an unstable tail (entries and
/// possibly a snapshot) that the application has been handed but has not yet reported durable.
///
/// Invariant: `applied <= committed <= lastIndex`, and entries at or below `committed` are never
/// replaced (Raft §5.3: a follower truncates only a conflicting, hence uncommitted, suffix).
struct RaftLog {
  let storage: any LogStorage
  /// A snapshot received from the leader and not yet persisted.
  var unstableSnapshot: Snapshot?
  /// Entries not yet persisted, starting at `unstableOffset`.
  var unstableEntries: [Entry] = []
  var unstableOffset: LogIndex
  var committed: LogIndex
  var applied: LogIndex

  init(storage: any LogStorage) throws(StorageError) {
    self.storage = storage
    let first = try storage.firstIndex()
    let last = try storage.lastIndex()
    unstableOffset = last.next
    committed = first.previous
    applied = first.previous
  }

  func firstIndex() -> LogIndex {
    if let snap = unstableSnapshot { return snap.metadata.index.next }
    return (try? storage.firstIndex()) ?? .zero
  }

  func lastIndex() -> LogIndex {
    if let last = unstableEntries.last { return last.index }
    if let snap = unstableSnapshot { return snap.metadata.index }
    return (try? storage.lastIndex()) ?? .zero
  }

  /// The last index that is durable (the leader counts only this toward its own match).
  var stableLastIndex: LogIndex { unstableOffset.previous }

  /// The term at `index`, or nil when it is compacted away or beyond the log.
  func term(at index: LogIndex) -> Term? {
    if let snap = unstableSnapshot, index == snap.metadata.index { return snap.metadata.term }
    if index >= unstableOffset {
      let i = Int(index.rawValue - unstableOffset.rawValue)
      return i < unstableEntries.count ? unstableEntries[i].term : nil
    }
    if unstableSnapshot != nil { return nil }
    return try? storage.term(at: index)
  }

  var lastTerm: Term { term(at: lastIndex()) ?? .zero }

  func matchTerm(_ index: LogIndex, _ term: Term) -> Bool { self.term(at: index) == term }

  /// Raft §5.4.1: a candidate's log is at least as up to date as ours.
  func isUpToDate(lastIndex index: LogIndex, term: Term) -> Bool {
    let ourTerm = lastTerm
    return term > ourTerm || (term == ourTerm && index >= lastIndex())
  }

  /// The index of the first entry whose term differs from ours (or that we lack), or zero.
  func findConflict(_ entries: [Entry]) -> LogIndex {
    for entry in entries where !matchTerm(entry.index, entry.term) { return entry.index }
    return .zero
  }

  /// Fast backtracking (as etcd's `findConflictByTerm`): the largest index at or below `index`
  /// whose term is at most `term`, with that term; every entry between cannot match the caller.
  func findConflictByTerm(_ index: LogIndex, _ term: Term) -> (LogIndex, Term) {
    var i = min(index, lastIndex())
    while true {
      guard let t = self.term(at: i) else { return (i, .zero) }
      if t <= term || i == .zero { return (i, t) }
      i = i.previous
    }
  }

  /// Raft figure 2, AppendEntries receiver rules 2–5. Returns the index of the last new entry,
  /// or nil when the entry before `entries` does not match.
  mutating func maybeAppend(
    index: LogIndex, logTerm: Term, committed leaderCommit: LogIndex, entries: [Entry],
    commitUncommitted: Bool = false, toleratesViolations: Bool = false
  ) -> LogIndex? {
    guard matchTerm(index, logTerm) else { return nil }
    let lastNew = index.advanced(by: Int64(entries.count))
    let conflict = findConflict(entries)
    if conflict != .zero {
      if conflict <= committed {
        // Raft §5.4 makes this impossible; only a deliberate bug gets here, and then the node
        // refuses the append so the simulator's checkers, not a trap, report the damage.
        precondition(commitUncommitted || toleratesViolations, "entry \(conflict) conflicts with committed \(committed)")
        return nil
      }
      let start = Int(conflict.rawValue - entries[0].index.rawValue)
      append(Array(entries[start...]))
    }
    // The deliberate bug `followerCommitsUncommitted` commits whatever arrived.
    commitTo(commitUncommitted ? lastNew : min(leaderCommit, lastNew))
    return lastNew
  }

  /// Appends to the unstable tail, truncating any suffix from the first new index on.
  mutating func append(_ entries: [Entry]) {
    guard let first = entries.first else { return }
    precondition(first.index > committed, "appending \(first.index) over committed \(committed)")
    let after = first.index
    let unstableEnd = unstableOffset.advanced(by: Int64(unstableEntries.count))
    if after == unstableEnd {
      unstableEntries.append(contentsOf: entries)
    } else if after <= unstableOffset {
      // Replaces durable entries too; the application overwrites them when it persists these.
      unstableOffset = after
      unstableEntries = entries
    } else {
      unstableEntries.removeSubrange(Int(after.rawValue - unstableOffset.rawValue)...)
      unstableEntries.append(contentsOf: entries)
    }
  }

  /// Entries in `lo..<hi`, as many as fit in `maxBytes` (at least one).
  func slice(_ lo: LogIndex, _ hi: LogIndex, maxBytes: Int) throws(StorageError) -> [Entry] {
    if lo >= hi { return [] }
    if lo < firstIndex() { throw .compacted }
    precondition(hi <= lastIndex().next, "slice \(lo)..<\(hi) beyond \(lastIndex())")
    var result: [Entry] = []
    if lo < unstableOffset {
      result = try storage.entries(lo..<min(hi, unstableOffset), maxBytes: maxBytes)
      if result.count < Int(min(hi, unstableOffset).rawValue - lo.rawValue) { return result }
    }
    if hi > unstableOffset {
      var size = result.reduce(0) { $0 + $1.sizeBytes }
      let from = max(lo, unstableOffset)
      for i in Int(from.rawValue - unstableOffset.rawValue)..<Int(hi.rawValue - unstableOffset.rawValue) {
        size += unstableEntries[i].sizeBytes
        if !result.isEmpty && size > maxBytes { break }
        result.append(unstableEntries[i])
      }
    }
    return result
  }

  /// Committed entries not yet handed to the application.
  func nextCommittedEntries(maxBytes: Int) -> [Entry] {
    let lo = max(applied.next, firstIndex())
    guard committed >= lo else { return [] }
    return (try? slice(lo, committed.next, maxBytes: maxBytes)) ?? []
  }

  var hasNextCommittedEntries: Bool { committed >= max(applied.next, firstIndex()) }

  mutating func commitTo(_ index: LogIndex) {
    guard index > committed else { return }
    precondition(index <= lastIndex(), "commit \(index) beyond last index \(lastIndex())")
    committed = index
  }

  mutating func appliedTo(_ index: LogIndex) {
    guard index > applied else { return }
    precondition(index <= committed, "applied \(index) beyond committed \(committed)")
    applied = index
  }

  /// The application made entries through `index` (of `term`) durable.
  mutating func stableTo(_ index: LogIndex, _ term: Term) {
    guard index >= unstableOffset, self.term(at: index) == term,
      Int(index.rawValue - unstableOffset.rawValue) < unstableEntries.count
    else { return }
    let n = Int(index.rawValue - unstableOffset.rawValue) + 1
    unstableEntries.removeFirst(n)
    unstableOffset = index.next
  }

  mutating func stableSnapshotTo(_ index: LogIndex) {
    if unstableSnapshot?.metadata.index == index { unstableSnapshot = nil }
  }

  /// Replaces the log with a snapshot received from the leader (Raft §7).
  mutating func restore(_ snapshot: Snapshot) {
    committed = snapshot.metadata.index
    unstableSnapshot = snapshot
    unstableEntries = []
    unstableOffset = snapshot.metadata.index.next
  }

  func checkInvariants() {
    precondition(applied <= committed, "applied \(applied) > committed \(committed)")
    precondition(committed <= lastIndex(), "committed \(committed) > last \(lastIndex())")
    for (i, e) in unstableEntries.enumerated() {
      precondition(e.index == unstableOffset.advanced(by: Int64(i)), "unstable entries not contiguous")
    }
  }
}
