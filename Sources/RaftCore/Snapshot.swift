/// The cluster's membership: who votes and who only receives the log.
public struct ConfState: Hashable, Sendable {
  /// Nodes whose votes and acknowledgements count toward quorum. Kept sorted.
  public var voters: [NodeID]
  /// Nodes that receive the log but neither vote nor count toward quorum. Kept sorted.
  public var learners: [NodeID]

  public init(voters: [NodeID] = [], learners: [NodeID] = []) {
    self.voters = voters.sorted()
    self.learners = learners.sorted()
  }

  public static let empty = ConfState()
}

/// Where a snapshot stands in the log.
public struct SnapshotMetadata: Hashable, Sendable {
  /// The last index the snapshot covers.
  public var index: LogIndex
  /// The term of the entry at `index`.
  public var term: Term
  /// Membership as of `index`.
  public var confState: ConfState

  public init(index: LogIndex = .zero, term: Term = .zero, confState: ConfState = .empty) {
    self.index = index
    self.term = term
    self.confState = confState
  }
}

/// The application's state as of `metadata.index`, opaque to Raft.
public struct Snapshot: Hashable, Sendable {
  public var metadata: SnapshotMetadata
  public var data: [UInt8]

  public init(metadata: SnapshotMetadata = SnapshotMetadata(), data: [UInt8] = []) {
    self.metadata = metadata
    self.data = data
  }

  public var isEmpty: Bool { metadata.index == .zero }
}
