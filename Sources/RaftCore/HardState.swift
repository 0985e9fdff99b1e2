/// The state a node must persist before it answers anything that depends on it (Raft figure 2:
/// currentTerm, votedFor; plus the commit index, so a restart does not re-apply from zero).
public struct HardState: Hashable, Sendable {
  public var term: Term
  public var vote: NodeID
  public var commit: LogIndex

  public init(term: Term = .zero, vote: NodeID = .none, commit: LogIndex = .zero) {
    self.term = term
    self.vote = vote
    self.commit = commit
  }

  public static let empty = HardState()
  public var isEmpty: Bool { self == .empty }
}
