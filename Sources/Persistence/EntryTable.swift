import RaftCore

/// Where an entry's record lies on disk: the segment's sequence number and the byte offset of the
/// record header inside it, packed in one word (segments are smaller than 4 GiB).
struct RecordLocation: Equatable {
  var packed: UInt64

  init(segment: UInt64, offset: Int) {
    precondition(
      segment <= UInt64(UInt32.max) && offset >= 0 && offset <= Int(UInt32.max), "location out of range")
    packed = segment << 32 | UInt64(offset)
  }

  init(packed: UInt64) { self.packed = packed }

  var segment: UInt64 { packed >> 32 }
  var offset: Int { Int(packed & 0xFFFF_FFFF) }
}

/// The term and disk location of every entry in the log, in index order: 16 bytes per entry,
/// enough to answer `term(at:)` and find any entry without reading the disk.
///
/// Invariant: entries are exactly `base + 1 ... base + count`.
struct EntryTable {
  /// The index just before the first entry.
  private(set) var base: LogIndex
  private var terms: [UInt64] = []
  private var locations: [UInt64] = []

  init(base: LogIndex) { self.base = base }

  var count: Int { terms.count }
  var lastIndex: LogIndex { LogIndex(base.rawValue + UInt64(terms.count)) }

  /// The term of the entry at `index`, which must be in the table.
  func term(at index: LogIndex) -> Term {
    Term(terms[slot(index)])
  }

  func location(at index: LogIndex) -> RecordLocation {
    RecordLocation(packed: locations[slot(index)])
  }

  func contains(_ index: LogIndex) -> Bool { index > base && index <= lastIndex }

  private func slot(_ index: LogIndex) -> Int {
    precondition(contains(index), "index \(index) outside the table (\(base), \(lastIndex)]")
    return Int(index.rawValue - base.rawValue - 1)
  }

  /// Appends the entry at `index`, dropping every entry at `index` and after first (Raft §5.3:
  /// a conflicting entry and all that follow it are deleted). `index` must be at most last + 1
  /// and after `base`.
  mutating func append(index: LogIndex, term: Term, location: RecordLocation) {
    precondition(
      index > base && index <= lastIndex.next, "append at \(index) to table (\(base), \(lastIndex)]")
    if index <= lastIndex { truncate(from: index) }
    terms.append(term.rawValue)
    locations.append(location.packed)
  }

  /// Drops entries at `index` and after.
  mutating func truncate(from index: LogIndex) {
    guard index <= lastIndex else { return }
    let keep = index > base ? Int(index.rawValue - base.rawValue - 1) : 0
    terms.removeSubrange(keep...)
    locations.removeSubrange(keep...)
  }

  /// Drops entries up to and including `index`; the table then starts after it.
  mutating func compact(through index: LogIndex) {
    guard index > base else { return }
    if index >= lastIndex {
      reset(base: index)
      return
    }
    let drop = Int(index.rawValue - base.rawValue)
    terms.removeFirst(drop)
    locations.removeFirst(drop)
    base = index
  }

  /// Empties the table so the next entry is `base + 1`.
  mutating func reset(base: LogIndex) {
    self.base = base
    terms.removeAll(keepingCapacity: true)
    locations.removeAll(keepingCapacity: true)
  }

  func checkInvariants() {
    precondition(terms.count == locations.count, "table columns differ in length")
  }
}

/// The most recent entries, in memory, so Raft's hot path (replicating to followers that keep up,
/// applying committed entries) never reads the disk. Holds a contiguous suffix of the log up to a
/// byte budget; older entries are read back from their segment on demand.
struct EntryCache {
  private var entries: [Entry] = []
  private var head = 0
  private(set) var bytes = 0
  let bytesMax: Int

  init(bytesMax: Int) { self.bytesMax = bytesMax }

  var firstIndex: LogIndex? { head < entries.count ? entries[head].index : nil }
  var lastIndex: LogIndex? { entries.last?.index }

  func entry(at index: LogIndex) -> Entry? {
    guard let first = firstIndex, index >= first, let last = lastIndex, index <= last else { return nil }
    return entries[head + Int(index.rawValue - first.rawValue)]
  }

  /// Adds `entry`, dropping cached entries at its index and after; if it does not follow the
  /// cached ones, the cache restarts at it.
  mutating func append(_ entry: Entry) {
    if let last = lastIndex, let first = firstIndex, entry.index <= last.next, entry.index >= first {
      truncate(from: entry.index)
    } else if lastIndex != nil {
      clear()
    }
    entries.append(entry)
    bytes += entry.sizeBytes
    while bytes > bytesMax, head < entries.count - 1 { dropFirst() }
    if head > 1024, head * 2 > entries.count {
      entries.removeFirst(head)
      head = 0
    }
  }

  mutating func truncate(from index: LogIndex) {
    while let last = lastIndex, last >= index {
      bytes -= entries.removeLast().sizeBytes
    }
    if head >= entries.count { clear() }
  }

  mutating func compact(through index: LogIndex) {
    while let first = firstIndex, first <= index { dropFirst() }
    if head >= entries.count { clear() }
  }

  mutating func clear() {
    entries.removeAll(keepingCapacity: false)
    head = 0
    bytes = 0
  }

  private mutating func dropFirst() {
    bytes -= entries[head].sizeBytes
    entries[head] = Entry(term: .zero, index: .zero)
    head += 1
  }
}
