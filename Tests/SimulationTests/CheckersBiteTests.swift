@_spi(Testing) import RaftCore
@_spi(Testing) import Simulation
import Testing

/// Proof that the checkers bite: each deliberate bug, switched on through the test-only hook,
/// is caught by some seed of the default run.
@Suite("Simulation checkers catch deliberate bugs")
struct CheckersBiteTests {
  static let bugs: [(String, DeliberateBugs)] = [
    ("commit by counting a previous-term entry (§5.4.2)", .commitPreviousTermEntries),
    ("grant a vote without the up-to-date log check (§5.4.1)", .voteWithoutLogCheck),
    ("a follower applies an entry before it is committed", .followerCommitsUncommitted),
  ]

  @Test("a deliberate bug makes some seed of the default run fail", arguments: 0..<3)
  func bugIsCaught(_ which: Int) {
    let (name, bug) = Self.bugs[which]
    var found: SimulationResult?
    for seed in DefaultRun.seeds {
      var options = DefaultRun.options(seed: seed)
      options.deliberateBugs = bug
      let result = SimWorld(options: options).run()
      if result.failure != nil {
        found = result
        break
      }
    }
    #expect(found != nil, "no seed caught: \(name)")
    guard let found else { return }
    print("\(name): seed \(found.seed) fails: \(found.failure!)")
    // The failing seed replays with a readable trace that ends in the same failure.
    var options = DefaultRun.options(seed: found.seed)
    options.deliberateBugs = bug
    let replay = SeedRunner.run(options)
    #expect(replay.failure == found.failure)
    #expect(replay.traceHash == found.traceHash)
    #expect(replay.trace.last?.contains("FAILURE") == true)
  }
}
