@_spi(Testing) import RaftCore

/// Runs many seeds and summarizes; shared by `grove-sim` and the test suite.
public enum SeedRunner {
  /// Runs `options` for a seed; on failure, runs it again with tracing on so the result carries
  /// a readable trace (the run is deterministic, so the second run fails the same way).
  public static func run(_ options: SimulationOptions) -> SimulationResult {
    let first = SimWorld(options: options).run()
    guard first.failure != nil, !options.tracing else { return first }
    var traced = options
    traced.tracing = true
    return SimWorld(options: traced).run()
  }

  /// Totals over many runs.
  public struct Summary: Sendable, CustomStringConvertible {
    public var seeds = 0
    public var failures: [SimulationResult] = []
    public var ticks = 0
    public var leadersElected = 0
    public var commandsCommitted = 0
    public var readsCompleted = 0
    public var crashes = 0
    public var partitions = 0
    public var membershipChanges = 0
    public var snapshotsSent = 0
    public var messagesDelivered = 0

    public init() {}

    public mutating func add(_ r: SimulationResult) {
      seeds += 1
      if r.failure != nil { failures.append(r) }
      ticks += r.ticks
      leadersElected += r.leadersElected
      commandsCommitted += r.commandsCommitted
      readsCompleted += r.readsCompleted
      crashes += r.crashes
      partitions += r.partitions
      membershipChanges += r.membershipChanges
      snapshotsSent += r.snapshotsSent
      messagesDelivered += r.messagesDelivered
    }

    public var description: String {
      "\(seeds) seeds, \(failures.count) failed; \(ticks) ticks, \(leadersElected) leaders elected, "
        + "\(commandsCommitted) commands committed, \(readsCompleted) reads, \(crashes) crashes, "
        + "\(partitions) partitions, \(membershipChanges) membership changes, \(snapshotsSent) snapshots installed, "
        + "\(messagesDelivered) messages delivered"
    }
  }

  /// Runs every seed in `seeds` with `configure` applied to the default options.
  public static func runSeeds(
    _ seeds: ClosedRange<UInt64>, configure: (inout SimulationOptions) -> Void = { _ in },
    stopAtFirstFailure: Bool = false
  ) -> Summary {
    var summary = Summary()
    for seed in seeds {
      var options = SimulationOptions(seed: seed)
      configure(&options)
      let r = SimWorld(options: options).run()
      summary.add(r)
      if stopAtFirstFailure && r.failure != nil { break }
    }
    return summary
  }
}
