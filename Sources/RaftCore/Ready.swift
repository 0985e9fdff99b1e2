/// A batch of work Raft hands to the application. Handle it in this order, then call
/// `RawNode.advance(_:)` with it:
///
/// 1. Send `messages` at any time, even before persisting (they are a leader's appends and
///    heartbeats, which depend on nothing this node has yet to persist; Raft §10.2.1).
/// 2. Persist `snapshot` (if any), then `entries` (replacing any conflicting suffix), then
///    `hardState` (if any), and make them durable (fsync).
/// 3. Only then send `messagesAfterPersist` (votes and acknowledgements that promise durable state).
/// 4. Apply `snapshot` (if any), then `committedEntries` in order; answer `readStates` once their
///    index is applied.
///
/// Until `advance` is called, `RawNode.hasReady` is false and no further batch is handed out.
public struct Ready: Sendable {
  /// The hard state to persist, if it changed since the last batch.
  public var hardState: HardState?
  /// Entries to append to stable storage; the first may overwrite a conflicting suffix.
  public var entries: [Entry]
  /// A snapshot received from the leader: persist it, then restore the application from it.
  public var snapshot: Snapshot?
  /// Messages that may be sent at once.
  public var messages: [Message]
  /// Messages that may be sent only after `snapshot`, `entries` and `hardState` are durable.
  public var messagesAfterPersist: [Message]
  /// Committed entries to apply, in order.
  public var committedEntries: [Entry]
  /// Linearizable read points that became available.
  public var readStates: [ReadState]
  /// The role and leader now, for the application's information.
  public var softState: SoftState

  /// Whether the batch asks for nothing.
  public var isEmpty: Bool {
    hardState == nil && entries.isEmpty && snapshot == nil && messages.isEmpty
      && messagesAfterPersist.isEmpty && committedEntries.isEmpty && readStates.isEmpty
  }

  /// Whether anything must be made durable before `messagesAfterPersist` may go.
  public var mustSync: Bool { hardState != nil || !entries.isEmpty || snapshot != nil }
}

/// Volatile facts about a node: who leads and in what role this node is.
public struct SoftState: Hashable, Sendable {
  /// Who this node believes leads (`.none` if unknown).
  public var lead: NodeID
  /// This node's role.
  public var role: RaftRole
  /// A soft state value.
  public init(lead: NodeID, role: RaftRole) {
    self.lead = lead
    self.role = role
  }
}

/// A snapshot of a node's state for observers (tests, status pages, the simulator's checkers).
public struct RaftStatus: Hashable, Sendable {
  /// Fields mirror the node's state at the moment `RawNode.status` was read.
  public var id: NodeID
  public var term: Term
  public var vote: NodeID
  public var lead: NodeID
  public var role: RaftRole
  public var commit: LogIndex
  public var applied: LogIndex
  public var lastIndex: LogIndex
  public var firstIndex: LogIndex
  public var confState: ConfState
  /// The leader's view of each member's match index (empty unless leader), by ascending id.
  public var matches: [NodeID: LogIndex]
  public var leadTransferee: NodeID
}
