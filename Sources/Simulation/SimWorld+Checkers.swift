@_spi(Testing) import RaftCore

/// The properties checked while the world runs (Raft figure 3 and §6.4).
extension SimWorld {
  /// Records the digest and term at `index` the first time any node gets there.
  func record(index: LogIndex, term: Term, digest: UInt64) {
    let i = Int(index.rawValue)
    if digestAt.count <= i {
      digestAt.append(contentsOf: repeatElement(nil, count: i + 1 - digestAt.count))
      termAt.append(contentsOf: repeatElement(nil, count: i + 1 - termAt.count))
    }
    digestAt[i] = digest
    termAt[i] = term
  }

  /// State machine safety: every node that applied through `index` applied the same sequence,
  /// and a committed entry never changes. Returns whether this index was new.
  @discardableResult
  func checkDigest(_ node: SimNode, index: LogIndex, term: Term, digest: UInt64) throws -> Bool {
    let i = Int(index.rawValue)
    if i < digestAt.count, let known = digestAt[i] {
      guard known == digest else {
        throw SimulationFailure(message: "state machine safety: n\(node.id) applied a different sequence through \(index) (term \(term), first recorded term \(termAt[i].map(String.init(describing:)) ?? "?"))")
      }
      return false
    }
    record(index: index, term: term, digest: digest)
    return true
  }

  /// Election safety (at most one leader per term) and leader completeness (a leader's log holds
  /// every entry any node has applied).
  func checkLeader(_ node: SimNode) throws {
    let raw = node.raw!
    let term = raw.term
    guard node.checkedLeaderTerm != term else { return }
    node.checkedLeaderTerm = term
    if let other = leaders[term], other != node.id {
      throw SimulationFailure(message: "election safety: n\(other) and n\(node.id) both lead term \(term)")
    }
    leaders[term] = node.id
    result.leadersElected += 1
    trace("n\(node.id) leads term \(term)")
    if !livenessPhase && rng.chance(profile.isolateNewLeaderProbability) {
      blocked = []
      isolate([node.id], oneWay: nil)
      result.partitions += 1
      partitionHealTick = tickCount + rng.int(in: 5...max(5, profile.partitionTicksMax))
      trace("partition: isolate new leader n\(node.id)")
    }
    if !livenessPhase && rng.chance(profile.newLeaderCrashProbability) {
      queue.push(.crash(node.id, incarnation: node.incarnation), at: now + rng.int(in: 1...12))
    }
    let from = max(1, Int(raw.firstIndex.rawValue) - 1)
    let to = termAt.count - 1
    guard from <= to else { return }
    for i in from...to {
      guard let committedTerm = termAt[i] else { continue }
      let ours = raw.term(at: LogIndex(UInt64(i)))
      if ours != committedTerm {
        throw SimulationFailure(message: "leader completeness: n\(node.id) leads term \(term) but has \(ours.map(String.init(describing:)) ?? "nothing") at \(i) where term \(committedTerm) was applied")
      }
    }
  }

  /// Log matching (§5.3): two entries with the same index and term hold the same content and
  /// follow the same term.
  func checkLogMatching(_ node: SimNode, _ entries: [Entry]) throws {
    for entry in entries {
      let h = Fnv.hash(entry.data, into: Fnv.mix(0xCBF2_9CE4_8422_2325, UInt64(entry.kind.rawValue)))
      let previous = entry.index.rawValue > 1 ? try? node.storage.term(at: entry.index.previous) : nil
      let key = EntryPosition(index: entry.index, term: entry.term)
      if let known = positions[key] {
        if known.content != h {
          throw SimulationFailure(message: "log matching: n\(node.id) holds different content at \(entry.term)/\(entry.index)")
        }
        if let a = known.previousTerm, let b = previous, a != b {
          throw SimulationFailure(message: "log matching: n\(node.id) has term \(b) before \(entry.term)/\(entry.index), another node \(a)")
        }
      } else {
        positions[key] = (h, previous)
      }
    }
  }

  /// Linearizable reads (§6.4): the read point is at least the commit index any node had reached
  /// when the read was issued.
  func checkRead(_ node: SimNode, _ state: ReadState) throws {
    guard state.context.count == 8 else { return }
    var id: UInt64 = 0
    for i in 0..<8 { id |= UInt64(state.context[i]) << UInt64(8 * i) }
    guard let required = node.outstandingReads.removeValue(forKey: id) else { return }
    guard state.index >= required else {
      throw SimulationFailure(message: "linearizability: n\(node.id) read at \(state.index) but \(required) was committed when the read began")
    }
    result.readsCompleted += 1
  }
}
