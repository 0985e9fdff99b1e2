@_spi(Testing) import RaftCore

/// Faults, client workload and the liveness phase.
extension SimWorld {
  var liveNodes: [SimNode] { nodes.filter { $0.isUp } }

  /// The up node that leads in the highest term, if any.
  func currentLeader() -> SimNode? {
    var best: SimNode?
    for node in nodes where node.isUp && node.raw!.role == .leader {
      if best == nil || node.raw!.term > best!.raw!.term { best = node }
    }
    return best
  }

  func injectFaults() {
    if let heal = partitionHealTick, tickCount >= heal {
      blocked = []
      partitionHealTick = nil
      trace("heal partition")
    }
    for node in nodes where node.isUp && rng.chance(profile.crashProbability) { crash(node) }
    if rng.chance(profile.leaderCrashProbability), let leader = currentLeader() { crash(leader) }
    if partitionHealTick == nil && rng.chance(profile.partitionProbability) { startPartition() }
  }

  func startPartition() {
    let members = nodes.filter { !$0.removed }.map(\.id)
    guard members.count > 1 else { return }
    let victim = members[Int(rng.below(UInt64(members.count)))]
    var description: String
    switch rng.below(5) {
    case 0:
      isolate([victim], oneWay: nil)
      description = "isolate n\(victim)"
    case 1:
      let leader = currentLeader()?.id ?? victim
      isolate([leader], oneWay: nil)
      description = "isolate leader n\(leader)"
    case 2:
      let size = rng.int(in: 1...max(1, members.count / 2))
      var shuffled = members
      for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, Int(rng.below(UInt64(i + 1)))) }
      let side = Array(shuffled.prefix(size))
      isolate(side, oneWay: nil)
      description = "split \(side.map { "n\($0)" }.joined(separator: ","))"
    case 3:
      isolate([victim], oneWay: .outgoing)
      description = "n\(victim) cannot send"
    default:
      isolate([victim], oneWay: .incoming)
      description = "n\(victim) cannot receive"
    }
    result.partitions += 1
    partitionHealTick = tickCount + rng.int(in: 1...max(1, profile.partitionTicksMax))
    trace("partition: \(description)")
    traceHash = Fnv.mix(traceHash, 0xBA &+ UInt64(blocked.count))
  }

  enum Direction { case outgoing, incoming }

  /// Blocks every link between `side` and the other nodes (or only one direction).
  func isolate(_ side: [NodeID], oneWay: Direction?) {
    let all = (1...nodeIDMax).map { NodeID($0) }
    for a in side {
      for b in all where !side.contains(b) {
        if oneWay != .incoming { blocked.insert(a.rawValue << 32 | b.rawValue) }
        if oneWay != .outgoing { blocked.insert(b.rawValue << 32 | a.rawValue) }
      }
    }
  }

  func clientWorkload() {
    if rng.chance(profile.proposalProbability) { propose() }
    if rng.chance(profile.readProbability) { read() }
    if !livenessPhase && rng.chance(profile.membershipProbability) { changeMembership() }
    if !livenessPhase && rng.chance(profile.transferProbability) { transfer() }
  }

  /// A client sends a command to a random node, which forwards it to the leader it knows.
  func propose() {
    let live = liveNodes
    guard !live.isEmpty else { return }
    var target = live[Int(rng.below(UInt64(live.count)))]
    if target.raw!.role != .leader {
      guard let lead = node(target.raw!.lead), lead.isUp, lead.raw!.role == .leader else { return }
      target = lead
    }
    var data: [UInt8] = []
    data.reserveCapacity(8 * options.commandsPerEntry)
    for _ in 0..<options.commandsPerEntry {
      let id = nextCommandID
      nextCommandID += 1
      for shift in stride(from: 0, to: 64, by: 8) { data.append(UInt8(truncatingIfNeeded: id >> UInt64(shift))) }
    }
    _ = try? target.raw!.propose(data)
  }

  /// The highest commit index any node has reached: a linearizable read issued now must be
  /// answered at or after it.
  func clusterCommitIndex() -> LogIndex {
    var c = maxCommitSeen
    for node in nodes where node.isUp { c = max(c, node.raw!.commitIndex) }
    return c
  }

  func read() {
    let live = liveNodes
    guard !live.isEmpty else { return }
    let target = live[Int(rng.below(UInt64(live.count)))]
    let id = nextReadID
    nextReadID += 1
    var context: [UInt8] = []
    for shift in stride(from: 0, to: 64, by: 8) { context.append(UInt8(truncatingIfNeeded: id >> UInt64(shift))) }
    let required = clusterCommitIndex()
    if (try? target.raw!.readIndex(context: context)) != nil {
      target.outstandingReads[id] = required
    }
  }

  func changeMembership() {
    guard let leader = currentLeader() else { return }
    let conf = leader.raw!.confState
    var options: [ConfChange] = []
    if nextFreshNodeID <= nodeIDMax && conf.learners.count < 2 { options.append(ConfChange(.addLearner, NodeID(nextFreshNodeID))) }
    for learner in conf.learners {
      options.append(ConfChange(.addVoter, learner))
      options.append(ConfChange(.removeNode, learner))
    }
    if conf.voters.count > 3 {
      for voter in conf.voters { options.append(ConfChange(.removeNode, voter)) }
    }
    guard !options.isEmpty else { return }
    let change = options[Int(rng.below(UInt64(options.count)))]
    guard (try? leader.raw!.proposeMembershipChange(change)) != nil else { return }
    trace("n\(leader.id) proposed \(change)")
    if change.kind == .addLearner {
      let node = SimNode(id: change.nodeID, storage: MemoryStorage())
      precondition(Int(change.nodeID.rawValue) == nodes.count + 1, "fresh node ids are dense")
      nodes.append(node)
      nextFreshNodeID += 1
      start(node)
    }
  }

  func transfer() {
    guard let leader = currentLeader() else { return }
    let voters = leader.raw!.confState.voters.filter { $0 != leader.id }
    guard !voters.isEmpty else { return }
    let to = voters[Int(rng.below(UInt64(voters.count)))]
    if (try? leader.raw!.transferLeadership(to: to)) != nil { trace("n\(leader.id) transfers to n\(to)") }
  }

  // MARK: Liveness

  /// Heals every fault: partitions end, crashed nodes restart, the network stops losing and
  /// duplicating. From here a leader must emerge and commit a proposal.
  func enterLivenessPhase() {
    livenessPhase = true
    var calm = FaultProfile.calm
    calm.delayUnitsMax = min(profile.delayUnitsMax, 8)
    calm.syncUnitsMax = profile.syncUnitsMax
    calm.compactEveryEntries = profile.compactEveryEntries
    calm.proposalProbability = 0
    calm.readProbability = 0
    profile = calm
    blocked = []
    partitionHealTick = nil
    for node in nodes where !node.isUp && !node.removed { start(node) }
    trace("liveness phase: faults healed")
  }

  func livenessStep() {
    guard let leader = currentLeader() else { return }
    let term = leader.raw!.term
    if let attempt = livenessAttempt, attempt.term == term, attempt.leader == leader.id,
      tickCount - attempt.tick < 30
    {
      return
    }
    var marker = [UInt8](repeating: 0, count: 8)
    marker[0] = UInt8(truncatingIfNeeded: tickCount)
    marker[7] = 0x80
    if (try? leader.raw!.propose(marker)) != nil {
      livenessAttempt = (term, leader.id, tickCount)
    }
  }
}
