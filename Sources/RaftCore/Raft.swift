/// The Raft state machine of one node. Internal: `RawNode` is the only door in.
///
/// Outputs accumulate in `messagesNow` (a leader's appends, heartbeats, snapshot chunks and
/// TimeoutNow, which depend on nothing this node has not yet persisted, §10.2.1) and
/// `messagesAfterPersist` (votes, responses and campaign requests, which describe state that must
/// be durable before anyone hears of it).
struct Raft {
  let id: NodeID
  let config: RaftConfig
  var term: Term = .zero
  var vote: NodeID = .none
  var lead: NodeID = .none
  var role: RaftRole = .follower
  var log: RaftLog
  var tracker: ProgressTracker
  var electionElapsed = 0
  var heartbeatElapsed = 0
  var randomizedElectionTimeout = 0
  var rng: SeededRandom
  var messagesNow: [Message] = []
  var messagesAfterPersist: [Message] = []
  var readStates: [ReadState] = []
  var readOnly = ReadOnly()
  /// ReadIndex requests that arrived before this leader committed an entry of its term.
  var pendingReadIndex: [(context: [UInt8], from: NodeID)] = []
  /// The index of the last membership change the leader appended; a new one waits until it is applied.
  var pendingConfIndex: LogIndex = .zero
  var uncommittedBytes = 0
  var leadTransferee: NodeID = .none
  /// A follower's partly received snapshot.
  var snapshotBuffer: (metadata: SnapshotMetadata, data: [UInt8])?

  var bugs: DeliberateBugs { config.deliberateBugs }

  init(config: RaftConfig, storage: any LogStorage) throws(RaftError) {
    config.validate()
    self.id = config.id
    self.config = config
    self.rng = SeededRandom(seed: config.randomSeed)
    let hardState: HardState
    let confState: ConfState
    do {
      (hardState, confState) = try storage.initialState()
      log = try RaftLog(storage: storage)
    } catch { throw .storage(error) }
    tracker = ProgressTracker(confState: confState, inflightCapacity: config.maxInflightMessages)
    tracker.setConfState(confState, next: log.lastIndex().next)
    if !hardState.isEmpty {
      precondition(hardState.commit <= log.lastIndex(), "hard state commit \(hardState.commit) beyond log \(log.lastIndex())")
      log.commitTo(hardState.commit)
      term = hardState.term
      vote = hardState.vote
    }
    if config.applied > log.applied { log.appliedTo(min(config.applied, log.committed)) }
    becomeFollower(term, lead: .none)
  }

  var hardState: HardState { HardState(term: term, vote: vote, commit: log.committed) }

  /// A node may campaign only as a voter of the membership it knows.
  var isPromotable: Bool { tracker.isVoter(id) }

  // MARK: Role changes

  mutating func reset(_ newTerm: Term) {
    if term != newTerm {
      term = newTerm
      vote = .none
    }
    lead = .none
    electionElapsed = 0
    heartbeatElapsed = 0
    randomizedElectionTimeout = config.electionTicks + Int(rng.below(UInt64(config.electionTicks)))
    leadTransferee = .none
    tracker.resetVotes()
    tracker.resetProgress(next: log.lastIndex().next)
    pendingConfIndex = .zero
    uncommittedBytes = 0
    readOnly.reset()
    pendingReadIndex = []
    snapshotBuffer = nil
  }

  mutating func becomeFollower(_ newTerm: Term, lead newLead: NodeID) {
    reset(newTerm)
    lead = newLead
    role = .follower
  }

  mutating func becomePreCandidate() {
    precondition(role != .leader, "a leader cannot become a pre-candidate")
    // Pre-vote changes neither term nor vote (§9.6).
    tracker.resetVotes()
    lead = .none
    role = .preCandidate
  }

  mutating func becomeCandidate() {
    precondition(role != .leader, "a leader cannot become a candidate")
    reset(term.next)
    vote = id
    role = .candidate
  }

  mutating func becomeLeader() {
    precondition(role == .candidate, "only a candidate becomes leader")
    reset(term)
    lead = id
    role = .leader
    var me = tracker[id]!
    me.becomeReplicate()
    me.match = log.stableLastIndex
    me.next = log.lastIndex().next
    tracker[id] = me
    // Conservatively treat everything in the log as a possible membership change, so none is
    // proposed before this term's no-op is applied.
    pendingConfIndex = log.lastIndex()
    // Raft §5.4.2 / §8: a no-op of the new term lets earlier entries commit.
    _ = appendEntries([Entry(term: term, index: .zero)], counting: false)
  }

  // MARK: Ticks

  mutating func tick() {
    if role == .leader { tickHeartbeat() } else { tickElection() }
  }

  private mutating func tickElection() {
    electionElapsed += 1
    if isPromotable && electionElapsed >= randomizedElectionTimeout {
      electionElapsed = 0
      hup(transfer: false)
    }
  }

  private mutating func tickHeartbeat() {
    heartbeatElapsed += 1
    electionElapsed += 1
    if electionElapsed >= config.electionTicks {
      electionElapsed = 0
      if config.checkQuorum {
        if !tracker.quorumActive(me: id) {
          // §6.2: a leader cut off from a majority steps down, so clients can find the real one.
          becomeFollower(term, lead: .none)
          return
        }
        tracker.resetRecentActive(me: id)
      }
      if leadTransferee != .none { leadTransferee = .none }
    }
    if heartbeatElapsed >= config.heartbeatTicks {
      heartbeatElapsed = 0
      broadcastHeartbeat(context: readOnly.lastContext ?? [])
    }
  }

  // MARK: Sending

  mutating func send(_ message: Message) {
    var m = message
    m.from = id
    switch m.kind {
    case .vote, .preVote, .voteResponse, .preVoteResponse:
      precondition(m.term != .zero, "vote messages carry their term explicitly")
    default:
      m.term = term
    }
    switch m.kind {
    case .append, .heartbeat, .snapshot, .timeoutNow:
      messagesNow.append(m)
    default:
      messagesAfterPersist.append(m)
    }
  }

  // MARK: Stepping

  mutating func step(_ m: Message) {
    if m.term > term {
      if m.kind == .vote || m.kind == .preVote {
        let force = m.context == Message.campaignTransfer
        let inLease = config.checkQuorum && lead != .none && electionElapsed < config.electionTicks
        // §6 (disruptive servers): while we hear from a leader, ignore campaigns.
        if !force && inLease { return }
      }
      switch m.kind {
      case .preVote:
        break  // A pre-vote never changes our term.
      case .preVoteResponse where !m.reject:
        break  // Granted for the term we would campaign in; not a newer term.
      case .append, .heartbeat, .snapshot:
        becomeFollower(m.term, lead: m.from)
      default:
        becomeFollower(m.term, lead: .none)
      }
    } else if m.term < term {
      if (config.checkQuorum || config.preVote) && (m.kind == .append || m.kind == .heartbeat) {
        // A stale leader learns the newer term and steps down; without this, a node whose term
        // grew while partitioned could leave it leading forever.
        send(Message(kind: .appendResponse, from: id, to: m.from))
      } else if m.kind == .preVote {
        send(Message(kind: .preVoteResponse, from: id, to: m.from, term: term, reject: true))
      }
      return
    }

    switch m.kind {
    case .vote, .preVote:
      handleVoteRequest(m)
    default:
      switch role {
      case .leader: stepLeader(m)
      case .candidate, .preCandidate: stepCandidate(m)
      case .follower: stepFollower(m)
      }
    }
  }

  mutating func stepFollower(_ m: Message) {
    switch m.kind {
    case .append:
      electionElapsed = 0
      lead = m.from
      handleAppend(m)
    case .heartbeat:
      electionElapsed = 0
      lead = m.from
      handleHeartbeat(m)
    case .snapshot:
      electionElapsed = 0
      lead = m.from
      handleSnapshotChunk(m)
    case .timeoutNow:
      // §3.10: the leader chose us; campaign at once, past the voters' lease.
      hup(transfer: true)
    case .readIndexResponse:
      readStates.append(ReadState(index: m.index, context: m.context))
    default:
      break
    }
  }

  mutating func stepCandidate(_ m: Message) {
    switch m.kind {
    case .append:
      becomeFollower(m.term, lead: m.from)
      handleAppend(m)
    case .heartbeat:
      becomeFollower(m.term, lead: m.from)
      handleHeartbeat(m)
    case .snapshot:
      becomeFollower(m.term, lead: m.from)
      handleSnapshotChunk(m)
    case .voteResponse where role == .candidate, .preVoteResponse where role == .preCandidate:
      handleVoteResponse(m)
    default:
      break
    }
  }

  func checkInvariants() {
    log.checkInvariants()
    if role == .leader {
      precondition(lead == id, "leader \(id) thinks \(lead) leads")
      precondition(vote == id, "leader \(id) did not vote for itself")
      tracker.checkInvariants(lastIndex: log.lastIndex())
    }
    precondition(vote == .none || term > .zero, "vote without a term")
  }
}
