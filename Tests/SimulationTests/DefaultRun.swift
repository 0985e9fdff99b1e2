import Simulation

/// The seeds `swift test` runs: half with the default fault profile, half in swarm mode.
enum DefaultRun {
  static let seedCount: UInt64 = 1000
  static let seeds: ClosedRange<UInt64> = 1...seedCount

  static func options(seed: UInt64) -> SimulationOptions {
    var options = SimulationOptions(seed: seed)
    options.swarm = seed % 2 == 0
    options.nodeCount = [3, 5, 7][Int(seed % 3)]
    options.safetyTicks = 300
    return options
  }
}
