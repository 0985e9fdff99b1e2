@_spi(Testing) import RaftCore

/// Something scheduled in simulated time.
enum SimEvent {
  case deliver(Message)
  case sync(NodeID, incarnation: Int)
  case restart(NodeID)
  case crash(NodeID, incarnation: Int)
}

/// A checker found a violated property.
struct SimulationFailure: Error {
  var message: String
}

/// A deterministic world of Raft nodes: simulated time, network, disks, crashes and clients.
/// Everything that happens follows from `SimulationOptions.seed`.
public final class SimWorld {
  let options: SimulationOptions
  var profile: FaultProfile
  var rng: SeededRandom
  /// Time units per Raft tick; messages and fsyncs take whole units, so they interleave with ticks.
  let unitsPerTick = 4
  var now = 0
  var tickCount = 0
  var nodes: [SimNode] = []
  var queue = EventQueue<SimEvent>()
  /// Blocked directed links, as `from << 32 | to`.
  var blocked: Set<UInt64> = []
  var partitionHealTick: Int?
  var nextFreshNodeID: UInt64
  let nodeIDMax: UInt64
  var nextCommandID: UInt64 = 1
  var nextReadID: UInt64 = 1
  var livenessPhase = false
  var livenessDone = false
  var livenessAttempt: (term: Term, leader: NodeID, tick: Int)?

  // Checker state.
  var leaders: [Term: NodeID] = [:]
  /// The digest of the applied sequence through each index, and the term of the entry there,
  /// as first recorded by any node.
  var digestAt: [UInt64?] = []
  var termAt: [Term?] = []
  /// Log matching: (index, term) -> content hash and the term before it.
  var positions: [EntryPosition: (content: UInt64, previousTerm: Term?)] = [:]
  var maxCommitSeen: LogIndex = .zero

  // Statistics and trace.
  var result: SimulationResult
  var traceHash: UInt64 = 0xCBF2_9CE4_8422_2325
  var traceLines: [String] = []
  let traceLinesMax = 3000

  struct EntryPosition: Hashable {
    var index: LogIndex
    var term: Term
  }

  public init(options: SimulationOptions) {
    var opts = options
    var rng = SeededRandom(seed: options.seed)
    if options.swarm {
      opts.nodeCount = [3, 3, 5, 5, 7][Int(rng.below(5))]
      opts.profile = FaultProfile.swarm(&rng)
    }
    self.options = opts
    self.profile = opts.profile
    self.rng = rng
    nextFreshNodeID = UInt64(opts.nodeCount) + 1
    nodeIDMax = UInt64(opts.nodeCount) + 4
    result = SimulationResult(
      seed: options.seed, failure: nil, traceHash: 0, trace: [], nodeCount: opts.nodeCount,
      profile: opts.profile, ticks: 0, leadersElected: 0, commandsCommitted: 0, readsCompleted: 0,
      crashes: 0, partitions: 0, membershipChanges: 0, snapshotsSent: 0, messagesDelivered: 0)
    let founders = (1...UInt64(opts.nodeCount)).map { NodeID($0) }
    let initial = SimApp.initial
    for id in founders {
      let storage = MemoryStorage.bootstrap(ConfState(voters: founders), data: initial.encoded(paddingBytes: 0))
      nodes.append(SimNode(id: id, storage: storage))
    }
    record(index: LogIndex(1), term: Term(1), digest: initial.digest)
    for node in nodes { start(node) }
  }

  /// Runs the safety phase, then the liveness phase, checking every step.
  public func run() -> SimulationResult {
    do {
      for tick in 0..<(options.safetyTicks + options.livenessTicksMax) {
        if tick == options.safetyTicks { enterLivenessPhase() }
        try runTick()
        if livenessDone { break }
      }
      if !livenessDone {
        throw SimulationFailure(message: "liveness: no proposal committed within \(options.livenessTicksMax) ticks after the faults healed")
      }
    } catch let failure as SimulationFailure {
      result.failure = failure.message
      trace("FAILURE: \(failure.message)")
    } catch {
      result.failure = "unexpected error \(error)"
    }
    result.ticks = tickCount
    result.traceHash = traceHash
    result.trace = traceLines
    return result
  }

  func runTick() throws {
    tickCount += 1
    if livenessPhase { livenessStep() } else {
      injectFaults()
    }
    clientWorkload()
    for _ in 0..<unitsPerTick {
      now += 1
      try drainEvents()
      for node in nodes where node.isUp && (now + Int(node.id.rawValue)) % unitsPerTick == 0 {
        node.raw!.tick()
      }
      for node in nodes where node.isUp { try processReady(node) }
    }
    for node in nodes where node.isUp { node.raw!.checkInvariants() }
  }

  func drainEvents() throws {
    while let event = queue.popDue(now) {
      switch event {
      case .deliver(let m):
        guard let node = node(m.to), node.isUp, !isBlocked(m.from, m.to) else { continue }
        result.messagesDelivered += 1
        hash(m, salt: 2)
        if options.tracing { trace("deliver \(m)") }
        try? node.raw!.step(m)
      case .sync(let id, let incarnation):
        guard let node = node(id), node.isUp, node.incarnation == incarnation, node.pending != nil else { continue }
        try finish(node)
      case .crash(let id, let incarnation):
        guard let node = node(id), node.isUp, node.incarnation == incarnation else { continue }
        crash(node)
      case .restart(let id):
        guard let node = node(id), !node.isUp, !node.removed else { continue }
        start(node)
      }
    }
  }

  func node(_ id: NodeID) -> SimNode? {
    let i = Int(id.rawValue) - 1
    return i >= 0 && i < nodes.count && nodes[i].id == id ? nodes[i] : nil
  }

  // MARK: Processes

  func nodeConfig(_ id: NodeID, applied: LogIndex, incarnation: Int) -> RaftConfig {
    var config = RaftConfig(id: id, randomSeed: options.seed &* 0x9E37_79B9 &+ id.rawValue &* 131 &+ UInt64(incarnation))
    config.applied = applied
    config.electionTicks = 10
    config.heartbeatTicks = 1
    config.maxInflightMessages = profile.maxInflightMessages
    config.maxMessageBytes = profile.maxMessageBytes
    config.maxUncommittedEntriesBytes = profile.maxUncommittedEntriesBytes
    config.maxCommittedBytesPerReady = 4096
    config.snapshotChunkBytes = 48
    config.deliberateBugs = options.deliberateBugs
    return config
  }

  func start(_ node: SimNode) {
    let snap = (try? node.storage.snapshot()) ?? Snapshot()
    node.app = SimApp.decode(snap.data) ?? SimApp(appliedIndex: .zero, digest: SimApp.initial.digest)
    let config = nodeConfig(node.id, applied: snap.metadata.index, incarnation: node.incarnation)
    node.raw = try? RawNode(config: config, storage: node.storage)
    precondition(node.raw != nil, "node \(node.id) failed to start from its storage")
    node.checkedLeaderTerm = .zero
    trace("start n\(node.id) applied=\(snap.metadata.index)")
  }

  func crash(_ node: SimNode) {
    guard node.isUp else { return }
    result.crashes += 1
    var kept = 0
    if let rd = node.pending, rng.chance(profile.partialSyncOnCrashProbability) {
      // The disk kept part of what was written but not synced, in write order.
      if let snap = rd.snapshot { node.storage.applySnapshot(snap) }
      kept = Int(rng.below(UInt64(rd.entries.count) + 1))
      node.storage.append(Array(rd.entries.prefix(kept)))
      if kept == rd.entries.count, let hs = rd.hardState { node.storage.setHardState(hs) }
    }
    node.raw = nil
    node.pending = nil
    node.incarnation += 1
    node.outstandingReads = [:]
    trace("crash n\(node.id) keptUnsynced=\(kept)")
    traceHash = Fnv.mix(traceHash, 0xC0 &+ node.id.rawValue)
    queue.push(.restart(node.id), at: now + unitsPerTick * rng.int(in: 1...max(1, profile.restartTicksMax)))
  }

  func stopRemoved(_ id: NodeID) {
    guard let node = node(id), !node.removed else { return }
    node.removed = true
    node.raw = nil
    node.pending = nil
    node.incarnation += 1
    trace("stop removed n\(id)")
  }

  // MARK: Ready handling

  func processReady(_ node: SimNode) throws {
    guard node.pending == nil, node.raw!.hasReady else { return }
    let rd = node.raw!.ready()
    if rd.softState.role == .leader { try checkLeader(node) }
    if rd.softState.role == .leader && !rd.committedEntries.isEmpty && !livenessPhase
      && rng.chance(profile.leaderCrashAfterApplyProbability)
    {
      // The leader persists and applies (and so answers its clients), then dies before any of
      // this batch's messages leave: the commit is known to the leader alone.
      node.pending = rd
      try finish(node, sending: false)
      crash(node)
      return
    }
    for m in rd.messages { send(m) }
    node.pending = rd
    if rd.mustSync {
      queue.push(.sync(node.id, incarnation: node.incarnation), at: now + rng.int(in: 1...max(1, profile.syncUnitsMax)))
    } else {
      try finish(node)
    }
  }

  /// The batch's writes are durable: persist, send what waited, apply, advance.
  func finish(_ node: SimNode, sending: Bool = true) throws {
    guard let rd = node.pending else { return }
    node.pending = nil
    if let snap = rd.snapshot {
      node.storage.applySnapshot(snap)
      guard let app = SimApp.decode(snap.data) else { throw SimulationFailure(message: "n\(node.id) got an undecodable snapshot") }
      node.app = app
      result.snapshotsSent += 1
      try checkDigest(node, index: app.appliedIndex, term: snap.metadata.term, digest: app.digest)
      trace("n\(node.id) restored snapshot \(snap.metadata.term)/\(snap.metadata.index)")
    }
    if !rd.entries.isEmpty {
      node.storage.append(rd.entries)
      try checkLogMatching(node, rd.entries)
    }
    if let hs = rd.hardState {
      node.storage.setHardState(hs)
      maxCommitSeen = max(maxCommitSeen, hs.commit)
    }
    if sending { for m in rd.messagesAfterPersist { send(m) } }
    var removals: [NodeID] = []
    for entry in rd.committedEntries { try apply(entry, at: node, removals: &removals) }
    for state in rd.readStates { try checkRead(node, state) }
    node.raw!.advance(rd)
    maybeCompact(node)
    for id in removals { stopRemoved(id) }
  }

  func apply(_ entry: Entry, at node: SimNode, removals: inout [NodeID]) throws {
    guard entry.index == node.app.appliedIndex.next else {
      throw SimulationFailure(message: "n\(node.id) applied \(entry.index) after \(node.app.appliedIndex)")
    }
    node.app.apply(entry)
    let isNew = try checkDigest(node, index: entry.index, term: entry.term, digest: node.app.digest)
    switch entry.kind {
    case .normal where isNew && entry.data.count >= 8:
      if entry.data[7] & 0x80 != 0 {
        if livenessPhase { livenessDone = true }
      } else {
        result.commandsCommitted += entry.data.count / 8
      }
    case .confChange:
      if let change = try? ConfChange.decode(entry.data) {
        if isNew {
          result.membershipChanges += 1
          trace("n\(node.id) applied \(change) at \(entry.index)")
        }
        if change.kind == .removeNode { removals.append(change.nodeID) }
      }
    default:
      break
    }
  }

  func maybeCompact(_ node: SimNode) {
    guard let raw = node.raw else { return }
    let applied = node.app.appliedIndex
    let first = raw.firstIndex
    guard applied >= first, Int(applied.rawValue - first.rawValue) >= profile.compactEveryEntries,
      applied <= (try? node.storage.lastIndex()) ?? .zero
    else { return }
    let padding = Int(applied.rawValue % 97)
    guard (try? node.storage.createSnapshot(at: applied, confState: raw.confState, data: node.app.encoded(paddingBytes: padding))) != nil
    else { return }
    let keep = UInt64(rng.below(4))
    let through = LogIndex(applied.rawValue - min(keep, applied.rawValue - first.rawValue))
    try? node.storage.compact(through: through)
  }

  // MARK: Network

  func isBlocked(_ from: NodeID, _ to: NodeID) -> Bool {
    !blocked.isEmpty && blocked.contains(from.rawValue << 32 | to.rawValue)
  }

  func send(_ m: Message) {
    hash(m, salt: 1)
    if isBlocked(m.from, m.to) || rng.chance(profile.dropProbability) { return }
    queue.push(.deliver(m), at: now + rng.int(in: 1...max(1, profile.delayUnitsMax)))
    if rng.chance(profile.duplicateProbability) {
      queue.push(.deliver(m), at: now + rng.int(in: 1...max(1, profile.delayUnitsMax)))
    }
  }

  func hash(_ m: Message, salt: UInt64) {
    var h = Fnv.mix(traceHash, salt &+ UInt64(m.kind.rawValue) << 8 &+ m.from.rawValue << 16 &+ m.to.rawValue << 24)
    h = Fnv.mix(h, m.term.rawValue &+ m.index.rawValue << 20 &+ m.commit.rawValue << 40)
    traceHash = Fnv.mix(h, UInt64(m.entries.count) &+ (m.reject ? 1 << 32 : 0) &+ UInt64(now) << 33)
  }

  func trace(_ line: @autoclosure () -> String) {
    guard options.tracing else { return }
    if traceLines.count >= traceLinesMax { traceLines.removeFirst(traceLinesMax / 10) }
    traceLines.append("t=\(tickCount).\(now % unitsPerTick) " + line())
  }
}
