/// The leader's bookkeeping for the whole membership: per-node progress, votes in an election,
/// and the quorum arithmetic (as etcd's `tracker` and `quorum` packages, for a single majority).
struct ProgressTracker {
  private(set) var confState: ConfState
  private(set) var progress: [NodeID: Progress] = [:]
  /// Votes received in the current (pre-)election: true granted, false rejected.
  private(set) var votes: [NodeID: Bool] = [:]
  let inflightCapacity: Int

  init(confState: ConfState, inflightCapacity: Int) {
    self.confState = confState
    self.inflightCapacity = inflightCapacity
  }

  var voters: [NodeID] { confState.voters }
  var learners: [NodeID] { confState.learners }
  /// Every member in ascending id order: the only order in which members are visited.
  var members: [NodeID] { (confState.voters + confState.learners).sorted() }
  var quorum: Int { confState.voters.count / 2 + 1 }

  func isVoter(_ id: NodeID) -> Bool { confState.voters.contains(id) }

  subscript(id: NodeID) -> Progress? {
    get { progress[id] }
    set { progress[id] = newValue }
  }

  /// Installs a membership, keeping the progress of nodes that stay and starting new ones at
  /// `next` in probe state (recently active, so check-quorum gives them a round to answer).
  mutating func setConfState(_ conf: ConfState, next: LogIndex) {
    confState = conf
    var fresh: [NodeID: Progress] = [:]
    for id in conf.voters + conf.learners {
      var p = progress[id] ?? Progress(next: next, inflightCapacity: inflightCapacity, isLearner: false)
      if progress[id] == nil { p.recentActive = true }
      p.isLearner = conf.learners.contains(id)
      fresh[id] = p
    }
    progress = fresh
  }

  /// Resets every progress for a new leader term (Raft figure 2: nextIndex = last + 1, match 0).
  mutating func resetProgress(next: LogIndex) {
    for id in members {
      var p = Progress(next: next, inflightCapacity: inflightCapacity, isLearner: confState.learners.contains(id))
      p.recentActive = true
      progress[id] = p
    }
  }

  /// Raft §5.3: the largest index stored on a majority of voters.
  func committedIndex() -> LogIndex {
    let matches = confState.voters.map { progress[$0]?.match ?? .zero }.sorted(by: >)
    guard !matches.isEmpty else { return .zero }
    return matches[quorum - 1]
  }

  mutating func resetVotes() { votes = [:] }

  mutating func recordVote(_ id: NodeID, granted: Bool) {
    if votes[id] == nil { votes[id] = granted }
  }

  enum VoteResult { case won, lost, pending }

  /// Tallies votes among voters only; learners' answers never count.
  func voteResult() -> VoteResult {
    var granted = 0
    var rejected = 0
    for id in confState.voters {
      switch votes[id] {
      case true?: granted += 1
      case false?: rejected += 1
      case nil: break
      }
    }
    if granted >= quorum { return .won }
    if rejected > confState.voters.count - quorum { return .lost }
    return .pending
  }

  /// Check-quorum (§6.2): a majority of voters (counting `me`) was heard from recently.
  func quorumActive(me: NodeID) -> Bool {
    var active = 0
    for id in confState.voters where id == me || progress[id]?.recentActive == true { active += 1 }
    return active >= quorum
  }

  mutating func resetRecentActive(me: NodeID) {
    for id in members { progress[id]?.recentActive = (id == me) }
  }

  /// Traps unless every member has a progress, and each progress is consistent with a leader
  /// whose log ends at `lastIndex`.
  func checkInvariants(lastIndex: LogIndex) {
    let ids = members
    precondition(Set(ids) == Set(progress.keys), "progress \(progress.keys.sorted()) does not match members \(ids)")
    for id in ids {
      let p = progress[id]!
      precondition(p.match <= lastIndex, "n\(id) matches \(p.match) beyond last index \(lastIndex)")
      precondition(p.next > p.match, "n\(id) next \(p.next) not past match \(p.match)")
      precondition(p.inflights.count <= p.inflights.capacity, "n\(id) in-flight window overfull")
      precondition(p.isLearner == confState.learners.contains(id), "n\(id) learner flag disagrees with membership")
    }
  }
}
