@_spi(Testing) import RaftCore
import Simulation
import Testing

@Suite("The default simulation run")
struct DefaultRunTests {
  /// 1,000 seeds with faults, in ten slices so they run in parallel. Every checker runs at every
  /// step; a failure prints the seed and the end of its trace.
  @Test("every seed of the default run passes every checker", arguments: 0..<10)
  func slice(_ slice: Int) {
    let per = DefaultRun.seedCount / 10
    let first = DefaultRun.seeds.lowerBound + UInt64(slice) * per
    var summary = SeedRunner.Summary()
    for seed in first...(first + per - 1) {
      let result = SimWorld(options: DefaultRun.options(seed: seed)).run()
      summary.add(result)
      if result.failure != nil {
        var traced = DefaultRun.options(seed: seed)
        traced.tracing = true
        let again = SimWorld(options: traced).run()
        Issue.record("seed \(seed) failed: \(again.failure ?? "?")\n\(again.trace.suffix(80).joined(separator: "\n"))")
      }
    }
    print("slice \(slice): \(summary)")
    // The run must exercise what it claims to: elections, commits, faults.
    #expect(summary.leadersElected > Int(per))
    #expect(summary.commandsCommitted > 50 * Int(per))
    #expect(summary.crashes > 0 && summary.partitions > 0)
  }

  @Test("a seed determines the whole run: same seed, same trace hash")
  func determinism() {
    for seed: UInt64 in [7, 8, 1234] {
      let a = SimWorld(options: DefaultRun.options(seed: seed)).run()
      let b = SimWorld(options: DefaultRun.options(seed: seed)).run()
      #expect(a.traceHash == b.traceHash)
      #expect(a.commandsCommitted == b.commandsCommitted)
    }
    let c = SimWorld(options: DefaultRun.options(seed: 9)).run()
    let d = SimWorld(options: DefaultRun.options(seed: 11)).run()
    #expect(c.traceHash != d.traceHash)
  }

  @Test("tracing does not change the run")
  func tracingIsPassive() {
    var options = DefaultRun.options(seed: 5)
    let plain = SimWorld(options: options).run()
    options.tracing = true
    let traced = SimWorld(options: options).run()
    #expect(plain.traceHash == traced.traceHash)
    #expect(!traced.trace.isEmpty)
  }
}
