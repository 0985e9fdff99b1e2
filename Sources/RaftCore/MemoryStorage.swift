/// An in-memory `LogStorage` (as etcd's `MemoryStorage`), for tests and the simulator.
///
/// Everything written here counts as durable; callers that model unsynced writes keep them
/// elsewhere until their simulated sync. It is a reference type because the application writes
/// it while the `RawNode` reads it, as with a real write-ahead log.
public final class MemoryStorage: LogStorage {
  /// The persisted hard state.
  public private(set) var hardState = HardState()
  private var snap = Snapshot()
  /// `entries[0]` is a dummy standing for the snapshot's index and term.
  private var log: [Entry] = [Entry(term: .zero, index: .zero)]

  /// An empty storage: a node that joins later and waits for the leader to contact it.
  public init() {}

  /// Storage of a founding member: a snapshot at index 1, term 1, holding the first membership
  /// and the application's initial state. Every founder starts identical, and a node that joins
  /// later is caught up by InstallSnapshot, so it learns the founding membership too.
  public static func bootstrap(_ confState: ConfState, data: [UInt8] = []) -> MemoryStorage {
    let storage = MemoryStorage()
    storage.applySnapshot(Snapshot(metadata: SnapshotMetadata(index: LogIndex(1), term: Term(1), confState: confState), data: data))
    storage.setHardState(HardState(term: Term(1), vote: .none, commit: LogIndex(1)))
    return storage
  }

  public func initialState() throws(StorageError) -> (HardState, ConfState) {
    (hardState, snap.metadata.confState)
  }

  public func entries(_ range: Range<LogIndex>, maxBytes: Int) throws(StorageError) -> [Entry] {
    let offset = log[0].index
    if range.lowerBound <= offset { throw .compacted }
    if range.upperBound > lastIndexValue.next { throw .unavailable }
    if range.isEmpty { return [] }
    let lo = Int(range.lowerBound.rawValue - offset.rawValue)
    let hi = Int(range.upperBound.rawValue - offset.rawValue)
    var result: [Entry] = []
    var size = 0
    for i in lo..<hi {
      size += log[i].sizeBytes
      if !result.isEmpty && size > maxBytes { break }
      result.append(log[i])
    }
    return result
  }

  public func term(at index: LogIndex) throws(StorageError) -> Term {
    let offset = log[0].index
    if index < offset { throw .compacted }
    if index > lastIndexValue { throw .unavailable }
    return log[Int(index.rawValue - offset.rawValue)].term
  }

  public func firstIndex() throws(StorageError) -> LogIndex { log[0].index.next }
  public func lastIndex() throws(StorageError) -> LogIndex { lastIndexValue }
  public func snapshot() throws(StorageError) -> Snapshot { snap }

  private var lastIndexValue: LogIndex { log[0].index.advanced(by: Int64(log.count - 1)) }

  /// Records the hard state.
  public func setHardState(_ state: HardState) { hardState = state }

  /// Replaces the whole log with `snapshot` (a follower restoring InstallSnapshot). Ignored if
  /// older than the current snapshot.
  public func applySnapshot(_ snapshot: Snapshot) {
    guard snapshot.metadata.index >= snap.metadata.index else { return }
    snap = snapshot
    log = [Entry(term: snapshot.metadata.term, index: snapshot.metadata.index)]
  }

  /// Records a snapshot the application took at `index` (which must be in the log), keeping the
  /// log; call `compact` afterwards to drop the entries it covers.
  public func createSnapshot(at index: LogIndex, confState: ConfState, data: [UInt8]) throws(StorageError) -> Snapshot {
    if index <= snap.metadata.index { throw .compacted }
    precondition(index <= lastIndexValue, "snapshot at \(index) beyond last index \(lastIndexValue)")
    let term = try term(at: index)
    snap = Snapshot(metadata: SnapshotMetadata(index: index, term: term, confState: confState), data: data)
    return snap
  }

  /// Drops every entry up to and including `index`, which must be covered by the snapshot, so
  /// that a follower needing them can be sent the snapshot instead. Only `index`'s term is kept.
  public func compact(through index: LogIndex) throws(StorageError) {
    let offset = log[0].index
    if index <= offset { throw .compacted }
    precondition(index <= lastIndexValue, "compact \(index) beyond last index \(lastIndexValue)")
    precondition(index <= snap.metadata.index, "compact \(index) beyond snapshot \(snap.metadata.index)")
    let cut = Int(index.rawValue - offset.rawValue)
    let keepTerm = log[cut].term
    log.removeSubrange(0..<cut)
    log[0] = Entry(term: keepTerm, index: index)
  }

  /// Appends entries, replacing any conflicting suffix (the entries must be contiguous and start
  /// no later than one past the last index). Entries already compacted are skipped.
  public func append(_ entries: [Entry]) {
    guard let first = entries.first else { return }
    let offset = log[0].index
    var incoming = entries[...]
    if first.index <= offset {
      incoming = incoming.drop { $0.index <= offset }
      guard !incoming.isEmpty else { return }
    }
    let start = incoming.first!.index
    precondition(start <= lastIndexValue.next, "gap: appending \(start) after \(lastIndexValue)")
    let keep = Int(start.rawValue - offset.rawValue)
    if keep < log.count { log.removeSubrange(keep...) }
    log.append(contentsOf: incoming)
  }
}
