@_spi(Testing) import RaftCore

/// The core's ceiling: how many client commands three nodes commit per second of wall time in
/// the simulator, with no faults. Measures RaftCore plus the simulator's own overhead.
public enum Throughput {
  /// Runs `ticks` ticks of a calm three-node world with the leader proposing every tick
  /// (`proposalsPerTick` entries of `commandsPerEntry` commands each).
  public static func measure(commandsPerEntry: Int, ticks: Int, proposalsPerTick: Int = 50) -> String {
    var options = SimulationOptions(seed: 1)
    options.nodeCount = 3
    options.profile = .calm
    options.profile.delayUnitsMax = 1
    options.profile.syncUnitsMax = 1
    options.profile.proposalProbability = 0
    options.profile.compactEveryEntries = 1000
    options.profile.maxMessageBytes = 1 << 20
    options.profile.maxInflightMessages = 256
    options.profile.maxUncommittedEntriesBytes = 64 << 20
    options.safetyTicks = ticks
    options.commandsPerEntry = commandsPerEntry
    let world = SimWorld(options: options)
    let clock = ContinuousClock()
    let start = clock.now
    world.runCalm(ticks: ticks, proposalsPerTick: proposalsPerTick)
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let committed = world.result.commandsCommitted
    return "throughput: 3 nodes, no faults, \(commandsPerEntry) command(s) per entry, \(proposalsPerTick) entries proposed per tick: "
      + "\(committed) commands committed in \(ticks) ticks, \(Double(Int(seconds * 100)) / 100) s wall: "
      + "\(Int(Double(committed) / seconds)) commands/s, \(Int(Double(committed) / Double(commandsPerEntry) / seconds)) entries/s"
  }
}

extension SimWorld {
  /// Runs without faults, proposing `proposalsPerTick` entries at the leader each tick.
  func runCalm(ticks: Int, proposalsPerTick: Int) {
    for _ in 0..<ticks {
      if let leader = currentLeader() {
        for _ in 0..<proposalsPerTick {
          var data: [UInt8] = []
          for _ in 0..<options.commandsPerEntry {
            let id = nextCommandID
            nextCommandID += 1
            for shift in stride(from: 0, to: 64, by: 8) { data.append(UInt8(truncatingIfNeeded: id >> UInt64(shift))) }
          }
          if (try? leader.raw!.propose(data)) == nil { break }
        }
      }
      do { try runTick() } catch { result.failure = "\(error)"; return }
    }
  }
}
