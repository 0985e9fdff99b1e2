@_spi(Testing) import RaftCore

/// How hostile the simulated world is. Probabilities are per tick unless named otherwise.
public struct FaultProfile: Sendable, CustomStringConvertible {
  /// A message is lost.
  public var dropProbability = 0.02
  /// A message is delivered twice.
  public var duplicateProbability = 0.02
  /// A message arrives 1 ... this many time units after it was sent (4 units make a tick), so
  /// messages overtake each other.
  public var delayUnitsMax = 6
  /// An fsync completes 1 ... this many time units after the write.
  public var syncUnitsMax = 3
  /// A running node crashes.
  public var crashProbability = 0.003
  /// The current leader crashes (elections over divergent logs are where safety bugs hide).
  public var leaderCrashProbability = 0.02
  /// A newly elected leader is made to crash within a few time units (per election), leaving
  /// short-lived leaders with divergent log tails, as in Raft figure 8.
  public var newLeaderCrashProbability = 0.1
  /// A newly elected leader is cut off from everyone before its first message leaves (per
  /// election), so its new-term entries stay on it alone, as in Raft figure 8.
  public var isolateNewLeaderProbability = 0.1
  /// A leader that has just applied newly committed entries dies before that batch's messages
  /// leave (per such batch): only it knows of the commit.
  public var leaderCrashAfterApplyProbability = 0.03
  /// On a crash, a prefix of the unsynced writes survives anyway (as a real disk may).
  public var partialSyncOnCrashProbability = 0.5
  /// A crashed node restarts after 1 ... this many ticks.
  public var restartTicksMax = 40
  /// A partition starts (when none is active).
  public var partitionProbability = 0.01
  /// A partition heals after 1 ... this many ticks.
  public var partitionTicksMax = 60
  /// A client proposal arrives.
  public var proposalProbability = 1.0
  /// A client read arrives.
  public var readProbability = 0.2
  /// The leader is asked for a membership change.
  public var membershipProbability = 0.01
  /// The leader is asked to transfer leadership.
  public var transferProbability = 0.005
  /// A node snapshots and compacts once it has applied this many entries past its snapshot.
  public var compactEveryEntries = 25
  /// Nodes' bound on one append's bytes. The default sends one entry per append, so a lagging
  /// follower acknowledges old entries one by one, where commit-rule bugs show (swarm varies it).
  public var maxMessageBytes = 20
  /// Nodes' in-flight append window per follower.
  public var maxInflightMessages = 2
  /// Nodes' bound on uncommitted bytes; small, so a slow cluster sheds load instead of
  /// queueing more than it can commit before the liveness deadline.
  public var maxUncommittedEntriesBytes = 256

  public init() {}

  /// No faults at all (throughput and the liveness phase).
  public static var calm: FaultProfile {
    var p = FaultProfile()
    p.dropProbability = 0
    p.duplicateProbability = 0
    p.crashProbability = 0
    p.leaderCrashProbability = 0
    p.newLeaderCrashProbability = 0
    p.isolateNewLeaderProbability = 0
    p.leaderCrashAfterApplyProbability = 0
    p.partitionProbability = 0
    p.membershipProbability = 0
    p.transferProbability = 0
    return p
  }

  /// Swarm testing: each seed draws its own mix, so rare combinations get explored.
  public static func swarm(_ rng: inout SeededRandom) -> FaultProfile {
    var p = FaultProfile()
    func pick(_ values: [Double]) -> Double { values[Int(rng.below(UInt64(values.count)))] }
    p.dropProbability = pick([0, 0.01, 0.05, 0.2])
    p.duplicateProbability = pick([0, 0.02, 0.1])
    p.delayUnitsMax = rng.int(in: 1...24)
    p.syncUnitsMax = rng.int(in: 1...8)
    p.crashProbability = pick([0, 0.002, 0.01, 0.03])
    p.leaderCrashProbability = pick([0, 0.01, 0.05])
    p.newLeaderCrashProbability = pick([0, 0.05, 0.2, 0.5])
    p.isolateNewLeaderProbability = pick([0, 0.1, 0.3])
    p.leaderCrashAfterApplyProbability = pick([0, 0.01, 0.05])
    p.partialSyncOnCrashProbability = pick([0, 0.5, 1])
    p.restartTicksMax = rng.int(in: 1...80)
    p.partitionProbability = pick([0, 0.005, 0.02, 0.05])
    p.partitionTicksMax = rng.int(in: 5...120)
    p.proposalProbability = pick([0.1, 0.5, 1])
    p.readProbability = pick([0, 0.1, 0.5])
    p.membershipProbability = pick([0, 0.01, 0.05])
    p.transferProbability = pick([0, 0.005, 0.03])
    p.compactEveryEntries = rng.int(in: 3...60)
    p.maxMessageBytes = [20, 48, 128, 512, 4096][Int(rng.below(5))]
    p.maxInflightMessages = [2, 4, 16][Int(rng.below(3))]
    return p
  }

  public var description: String {
    "drop=\(dropProbability) dup=\(duplicateProbability) delay<=\(delayUnitsMax)u sync<=\(syncUnitsMax)u "
      + "crash=\(crashProbability) leaderCrash=\(leaderCrashProbability) newLeaderCrash=\(newLeaderCrashProbability) isolateNewLeader=\(isolateNewLeaderProbability) crashAfterApply=\(leaderCrashAfterApplyProbability) partial=\(partialSyncOnCrashProbability) restart<=\(restartTicksMax)t "
      + "partition=\(partitionProbability) for<=\(partitionTicksMax)t propose=\(proposalProbability) "
      + "read=\(readProbability) membership=\(membershipProbability) transfer=\(transferProbability) "
      + "compact=\(compactEveryEntries) msgBytes=\(maxMessageBytes) inflight=\(maxInflightMessages)"
  }
}

/// One simulation run. Everything that happens is determined by these options and the seed.
public struct SimulationOptions: Sendable {
  public var seed: UInt64
  /// Founding voters (3, 5 or 7).
  public var nodeCount = 3
  /// Ticks of the safety phase, with faults.
  public var safetyTicks = 400
  /// The liveness phase heals every fault; a proposal must then commit within this many ticks.
  public var livenessTicksMax = 300
  public var profile = FaultProfile()
  /// Draw `nodeCount` and `profile` from the seed.
  public var swarm = false
  /// Keep a readable trace (slower); otherwise only its hash.
  public var tracing = false
  /// Deliberate bugs switched on in every node (the checkers-bite test).
  @_spi(Testing) public var deliberateBugs: DeliberateBugs = []
  /// Commands per entry in the workload (batching); 1 is one proposal per entry.
  public var commandsPerEntry = 1

  public init(seed: UInt64) { self.seed = seed }
}

/// What one run found.
public struct SimulationResult: Sendable {
  public var seed: UInt64
  /// The first checker that failed, or nil.
  public var failure: String?
  /// A hash of everything that happened; equal seeds give equal hashes.
  public var traceHash: UInt64
  /// The readable trace, when tracing was on (the last lines only).
  public var trace: [String]
  public var nodeCount: Int
  public var profile: FaultProfile
  public var ticks: Int
  /// Distinct (term, leader) pairs seen.
  public var leadersElected: Int
  /// Client commands committed and applied.
  public var commandsCommitted: Int
  public var readsCompleted: Int
  public var crashes: Int
  public var partitions: Int
  public var membershipChanges: Int
  public var snapshotsSent: Int
  public var messagesDelivered: Int
}
