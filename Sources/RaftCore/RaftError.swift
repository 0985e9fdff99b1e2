/// Why RaftCore refused a request. One enum for the module; every case is a value the caller can
/// act on (retry elsewhere, retry later, fix the request).
public enum RaftError: Error, Equatable, Sendable {
  /// Only the leader accepts this; `leader` is the node believed to lead (`.none` if unknown).
  case notLeader(leader: NodeID)
  /// The proposal was not appended: the uncommitted-bytes bound is full or a leadership transfer
  /// is in progress. Retry later.
  case proposalDropped
  /// A membership change is still waiting to be applied; changes go one at a time.
  case confChangePending
  /// The membership change makes no sense against the current configuration.
  case invalidConfChange(String)
  /// A learner may be promoted only once its log has caught up with the leader's commit index.
  case learnerNotCaughtUp
  /// The message is malformed or addressed elsewhere.
  case invalidMessage(String)
  /// The storage failed underneath.
  case storage(StorageError)
}
