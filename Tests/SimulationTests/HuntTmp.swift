@_spi(Testing) import RaftCore
@_spi(Testing) import Simulation
import Testing

@Test func huntTmp() {
  var found = 0
  for seed in UInt64(1)...3000 {
    var options = SimulationOptions(seed: seed)
    options.swarm = true
    options.safetyTicks = 300
    options.deliberateBugs = .commitPreviousTermEntries

    let r = SimWorld(options: options).run()
    if let f = r.failure { print("seed \(seed) n=\(r.nodeCount): \(f) | \(r.profile)"); found += 1; if found > 5 { break } }
  }
}
