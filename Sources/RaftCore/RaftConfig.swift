/// How one Raft node behaves. Values are in ticks and bytes; the application decides how long a
/// tick is (Grove: ZooKeeper's `tickTime`).
public struct RaftConfig: Sendable {
  /// This node's id; never `.none`.
  public var id: NodeID
  /// Followers wait a random time in `electionTicks ..< 2 * electionTicks` without hearing from a
  /// leader before they campaign (Raft §5.2); a check-quorum leader steps down after this many
  /// ticks without hearing from a majority; a leadership transfer is abandoned after it.
  public var electionTicks: Int = 10
  /// The leader sends heartbeats every this many ticks; must be well below `electionTicks`.
  public var heartbeatTicks: Int = 1
  /// The index the application has already applied (its state at restart); committed entries
  /// after it are handed out again.
  public var applied: LogIndex = .zero
  /// An append carries entries up to this many bytes (at least one entry).
  public var maxMessageBytes: Int = 1 << 20
  /// At most this many appends may be in flight to one follower in replicate state.
  public var maxInflightMessages: Int = 64
  /// The leader refuses proposals while this many bytes of its log are uncommitted (0: no bound).
  public var maxUncommittedEntriesBytes: Int = 64 << 20
  /// A `Ready` hands out committed entries up to this many bytes (at least one).
  public var maxCommittedBytesPerReady: Int = 8 << 20
  /// Snapshots travel in chunks of this many bytes.
  public var snapshotChunkBytes: Int = 1 << 20
  /// Pre-vote (§9.6): a node campaigns only after a majority says it could win, so a node that
  /// rejoins from a partition does not disrupt a working leader.
  public var preVote: Bool = true
  /// Check-quorum (§6.2): a leader steps down when it has not heard from a majority within an
  /// election timeout, and voters ignore vote requests while they hear from a leader.
  public var checkQuorum: Bool = true
  /// Seeds the randomized election timeouts; distinct nodes should use distinct seeds.
  public var randomSeed: UInt64

  /// Deliberate bugs, only for the test that proves the simulator's checkers catch them.
  /// Reachable only through `@_spi(Testing) import RaftCore`.
  @_spi(Testing) public var deliberateBugs: DeliberateBugs = []

  public init(id: NodeID, randomSeed: UInt64? = nil) {
    precondition(id != .none, "a node needs a non-zero id")
    self.id = id
    self.randomSeed = randomSeed ?? id.rawValue
  }

  func validate() {
    precondition(heartbeatTicks > 0 && electionTicks > heartbeatTicks, "need 0 < heartbeatTicks < electionTicks")
    precondition(maxInflightMessages > 0, "maxInflightMessages must be positive")
    precondition(snapshotChunkBytes > 0, "snapshotChunkBytes must be positive")
  }
}

/// Deliberate violations of Raft's rules, switched on only by tests (see `RaftConfig`).
@_spi(Testing) public struct DeliberateBugs: OptionSet, Sendable, Hashable {
  public let rawValue: UInt8
  public init(rawValue: UInt8) { self.rawValue = rawValue }
  /// Commit by counting replicas of an entry from a previous term (violates Raft §5.4.2).
  public static let commitPreviousTermEntries = DeliberateBugs(rawValue: 1 << 0)
  /// Grant votes without checking that the candidate's log is up to date (violates §5.4.1).
  public static let voteWithoutLogCheck = DeliberateBugs(rawValue: 1 << 1)
  /// A follower commits (and so applies) appended entries before the leader says they commit.
  public static let followerCommitsUncommitted = DeliberateBugs(rawValue: 1 << 2)
}

/// A node's role in its current term.
public enum RaftRole: UInt8, Sendable, CustomStringConvertible {
  case follower, preCandidate, candidate, leader
  public var description: String {
    switch self {
    case .follower: "follower"
    case .preCandidate: "pre-candidate"
    case .candidate: "candidate"
    case .leader: "leader"
    }
  }
}

/// A linearizable read point: once the application has applied `index`, a read tagged `context`
/// may be served from its state (Raft dissertation §6.4).
public struct ReadState: Hashable, Sendable {
  public var index: LogIndex
  public var context: [UInt8]
  public init(index: LogIndex, context: [UInt8]) {
    self.index = index
    self.context = context
  }
}
