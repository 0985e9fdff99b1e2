/// The only door into the Raft algorithm (as etcd's `RawNode`): feed it ticks, messages and
/// requests; take `Ready` batches out; report each batch handled with `advance`.
///
/// A `RawNode` is a deterministic value: no clocks, threads or I/O. Its randomness (election
/// timeouts) comes from `RaftConfig.randomSeed`.
public struct RawNode {
  var raft: Raft
  private var lastHardState: HardState
  private var lastSoftState: SoftState
  private var readyOutstanding = false

  /// A node over `storage`, which holds everything this node has made durable.
  public init(config: RaftConfig, storage: any LogStorage) throws(RaftError) {
    raft = try Raft(config: config, storage: storage)
    lastHardState = raft.hardState
    lastSoftState = SoftState(lead: raft.lead, role: raft.role)
  }

  /// Advances logical time by one tick (election and heartbeat timers).
  public mutating func tick() { raft.tick() }

  /// Starts an election now, skipping the timeout (pre-vote first, if configured).
  public mutating func campaign() { raft.hup(transfer: false) }

  /// Delivers a message from a peer. Messages for another node are refused.
  public mutating func step(_ message: Message) throws(RaftError) {
    guard message.to == raft.id else { throw .invalidMessage("message for \(message.to) delivered to \(raft.id)") }
    if message.kind == .snapshot && message.snapshot == nil { throw .invalidMessage("snapshot chunk without metadata") }
    raft.step(message)
  }

  /// Leader only: appends `data` as a new entry; returns its index. Committed once a majority has
  /// it durable; applied when it appears in `Ready.committedEntries`.
  @discardableResult
  public mutating func propose(_ data: [UInt8]) throws(RaftError) -> LogIndex {
    try raft.propose(Entry(term: raft.term, index: .zero, data: data)).get()
  }

  /// Leader only: proposes a single-server membership change; returns its index. Refused while
  /// an earlier change is unapplied, and for a learner not yet caught up.
  @discardableResult
  public mutating func proposeMembershipChange(_ change: ConfChange) throws(RaftError) -> LogIndex {
    try raft.proposeConfChange(change).get()
  }

  /// Requests a linearizable read point tagged `context` (unique per request); it arrives later
  /// as a `ReadState` in a `Ready`. Works on followers by asking the leader. Requests can be lost
  /// (leader change, lost messages); retry after a timeout.
  public mutating func readIndex(context: [UInt8]) throws(RaftError) {
    try raft.requestReadIndex(context: context).get()
  }

  /// Leader only: forget what `peer` is known to hold and probe it again from the end of the
  /// log. For a peer that may have restarted without its disk: Raft assumes acknowledged entries
  /// stay, so without this the leader would keep sending from its recorded match, which such a
  /// peer rejects forever. Lowering a match only delays commits; it never commits anything.
  public mutating func forgetProgress(of peer: NodeID) {
    raft.forgetProgress(of: peer)
  }

  /// Leader only: hands leadership to the voter `to` once its log has caught up.
  public mutating func transferLeadership(to: NodeID) throws(RaftError) {
    try raft.transferLeadership(to: to).get()
  }

  /// Whether `ready()` would return a non-empty batch.
  public var hasReady: Bool {
    if readyOutstanding { return false }
    return raft.hardState != lastHardState || !raft.log.unstableEntries.isEmpty
      || raft.log.unstableSnapshot != nil || !raft.messagesNow.isEmpty
      || !raft.messagesAfterPersist.isEmpty || !raft.readStates.isEmpty
      || raft.log.hasNextCommittedEntries
  }

  /// Takes the next batch of work. Call `advance` with it before asking again.
  public mutating func ready() -> Ready {
    precondition(!readyOutstanding, "ready() called again before advance()")
    let hard = raft.hardState
    let soft = SoftState(lead: raft.lead, role: raft.role)
    let ready = Ready(
      hardState: hard != lastHardState ? hard : nil,
      entries: raft.log.unstableEntries,
      snapshot: raft.log.unstableSnapshot,
      messages: raft.messagesNow,
      messagesAfterPersist: raft.messagesAfterPersist,
      committedEntries: raft.log.nextCommittedEntries(maxBytes: raft.config.maxCommittedBytesPerReady),
      readStates: raft.readStates,
      softState: soft)
    raft.messagesNow = []
    raft.messagesAfterPersist = []
    raft.readStates = []
    lastHardState = hard
    lastSoftState = soft
    readyOutstanding = true
    return ready
  }

  /// Reports that `ready` was handled as its contract says: persisted, sent and applied.
  public mutating func advance(_ ready: Ready) {
    precondition(readyOutstanding, "advance() without an outstanding ready()")
    readyOutstanding = false
    if let snap = ready.snapshot {
      raft.log.stableSnapshotTo(snap.metadata.index)
      if snap.metadata.index > raft.log.applied { raft.log.applied = snap.metadata.index }
    }
    if let last = ready.entries.last { raft.log.stableTo(last.index, last.term) }
    raft.leaderPersisted()
    for entry in ready.committedEntries {
      raft.log.appliedTo(entry.index)
      if entry.kind == .confChange, let change = try? ConfChange.decode(entry.data) {
        raft.applyConfChange(change)
      }
    }
  }

  /// Observable state, for tests, status pages and checkers.
  public var status: RaftStatus {
    var matches: [NodeID: LogIndex] = [:]
    if raft.role == .leader {
      for id in raft.tracker.members { matches[id] = raft.tracker[id]?.match ?? .zero }
    }
    return RaftStatus(
      id: raft.id, term: raft.term, vote: raft.vote, lead: raft.lead, role: raft.role,
      commit: raft.log.committed, applied: raft.log.applied, lastIndex: raft.log.lastIndex(),
      firstIndex: raft.log.firstIndex(), confState: raft.tracker.confState, matches: matches,
      leadTransferee: raft.leadTransferee)
  }

  /// This node's id.
  public var id: NodeID { raft.id }
  /// This node's role now.
  public var role: RaftRole { raft.role }
  /// This node's current term.
  public var term: Term { raft.term }
  /// Who this node believes leads (`.none` if unknown).
  public var lead: NodeID { raft.lead }
  /// The highest index this node knows to be committed.
  public var commitIndex: LogIndex { raft.log.committed }
  /// The first index still in the log (one past the last compacted index).
  public var firstIndex: LogIndex { raft.log.firstIndex() }
  /// The last index in the log, durable or not.
  public var lastIndex: LogIndex { raft.log.lastIndex() }

  /// The membership as of the last applied entry.
  public var confState: ConfState { raft.tracker.confState }

  /// The term of the entry at `index` in this node's log (durable or not), or nil if compacted
  /// or beyond the end.
  public func term(at index: LogIndex) -> Term? { raft.log.term(at: index) }

  /// Traps if an internal invariant does not hold (tests and the simulator call this).
  public func checkInvariants() { raft.checkInvariants() }
}
