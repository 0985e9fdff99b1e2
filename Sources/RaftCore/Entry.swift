/// What an entry carries.
public enum EntryKind: UInt8, Sendable, CaseIterable {
  /// Application data (Grove: a batch of commands); empty data is a leader's no-op.
  case normal = 0
  /// A membership change, encoded as a `ConfChange`.
  case confChange = 1
}

/// One entry of the replicated log.
public struct Entry: Hashable, Sendable {
  public var term: Term
  public var index: LogIndex
  public var kind: EntryKind
  public var data: [UInt8]

  public init(term: Term, index: LogIndex, kind: EntryKind = .normal, data: [UInt8] = []) {
    self.term = term
    self.index = index
    self.kind = kind
    self.data = data
  }

  /// Bytes counted against message-size and uncommitted-size bounds.
  public var sizeBytes: Int { data.count + 17 }
}
