/// A bounded window of in-flight append messages to one follower, identified by the last index
/// each carried (as etcd's `tracker.Inflights`). Full means: stop sending until acknowledgements
/// free a slot, so a slow follower cannot make the leader buffer without bound.
struct Inflights: Hashable {
  let capacity: Int
  private(set) var lastIndexes: [LogIndex] = []

  init(capacity: Int) {
    precondition(capacity > 0, "in-flight window must hold at least one message")
    self.capacity = capacity
  }

  var isFull: Bool { lastIndexes.count >= capacity }
  var count: Int { lastIndexes.count }

  mutating func add(_ last: LogIndex) {
    precondition(!isFull, "adding to a full in-flight window")
    lastIndexes.append(last)
  }

  /// Frees every message whose last index is at or below `index` (acknowledged).
  mutating func freeLE(_ index: LogIndex) {
    var n = 0
    while n < lastIndexes.count && lastIndexes[n] <= index { n += 1 }
    if n > 0 { lastIndexes.removeFirst(n) }
  }

  mutating func freeFirstOne() { if !lastIndexes.isEmpty { lastIndexes.removeFirst() } }
  mutating func reset() { lastIndexes.removeAll(keepingCapacity: true) }
}

/// The leader's view of one follower (Raft figure 2: nextIndex, matchIndex) plus flow control.
struct Progress: Hashable {
  /// How the leader sends to this follower.
  enum State: Hashable, CustomStringConvertible {
    /// One append at a time until the follower's match is found.
    case probe
    /// Optimistically streaming appends, bounded by the in-flight window.
    case replicate
    /// Sending a snapshot; appends wait until it is installed.
    case snapshot
    var description: String {
      switch self {
      case .probe: "probe"
      case .replicate: "replicate"
      case .snapshot: "snapshot"
      }
    }
  }

  var match: LogIndex = .zero
  var next: LogIndex
  var state: State = .probe
  /// In probe state: an append is out, wait for its answer (or a heartbeat response).
  var probeSent = false
  /// The snapshot index being sent, in snapshot state.
  var pendingSnapshot: LogIndex = .zero
  /// How many bytes of the pending snapshot the follower has acknowledged.
  var snapshotOffset: UInt64 = 0
  /// Heard from since the last check-quorum round (§6.2).
  var recentActive = false
  var isLearner = false
  var inflights: Inflights

  init(next: LogIndex, inflightCapacity: Int, isLearner: Bool) {
    self.next = next
    self.inflights = Inflights(capacity: inflightCapacity)
    self.isLearner = isLearner
  }

  mutating func becomeProbe() {
    if state == .snapshot {
      next = max(match.next, pendingSnapshot.next)
    } else {
      next = match.next
    }
    state = .probe
    probeSent = false
    pendingSnapshot = .zero
    snapshotOffset = 0
    inflights.reset()
  }

  mutating func becomeReplicate() {
    state = .replicate
    probeSent = false
    next = match.next
    pendingSnapshot = .zero
    inflights.reset()
  }

  mutating func becomeSnapshot(_ index: LogIndex) {
    state = .snapshot
    probeSent = false
    pendingSnapshot = index
    snapshotOffset = 0
    inflights.reset()
  }

  /// The follower acknowledged entries through `index`; false if that was old news.
  mutating func maybeUpdate(_ index: LogIndex) -> Bool {
    var updated = false
    if match < index {
      match = index
      updated = true
      probeSent = false
    }
    next = max(next, index.next)
    return updated
  }

  /// The follower rejected an append at `rejected`; move `next` back to `hint + 1` (fast
  /// backtracking). False when the rejection is stale.
  mutating func maybeDecrease(rejected: LogIndex, hint: LogIndex) -> Bool {
    if state == .replicate {
      // Stale unless it rejects exactly the entry after our match.
      if rejected <= match { return false }
      next = match.next
      return true
    }
    // Probe: only the rejection of the probe we sent counts.
    if next.previous != rejected { return false }
    next = max(min(rejected, hint.next), match.next)
    probeSent = false
    return true
  }

  /// Whether sending another append to this follower must wait.
  var isPaused: Bool {
    switch state {
    case .probe: probeSent
    case .replicate: inflights.isFull
    case .snapshot: true
    }
  }
}
