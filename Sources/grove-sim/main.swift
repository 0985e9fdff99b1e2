// grove-sim: runs the deterministic Raft simulation over seeds.
//
//   grove-sim --seed N [--trace]         one seed; prints its trace on failure (or with --trace)
//   grove-sim --seeds A..B [--swarm]     a range; prints seeds/s and every failing seed
//   grove-sim --throughput [--batch K] [--per-tick P]   the core's ceiling: 3 nodes, no faults,
//                                        P entries of K commands proposed per tick
//   options: --nodes N  --ticks T  --swarm
import Foundation
import RaftCore
import Simulation

func usage() -> Never {
  print("usage: grove-sim (--seed N | --seeds A..B | --throughput) [--swarm] [--nodes N] [--ticks T] [--batch K] [--per-tick P] [--trace]")
  exit(2)
}

var arguments = Array(CommandLine.arguments.dropFirst())
var seeds: ClosedRange<UInt64>?
var swarm = false
var tracing = false
var throughput = false
var nodes: Int?
var ticks: Int?
var batch = 1
var perTick = 50
while !arguments.isEmpty {
  let arg = arguments.removeFirst()
  func value() -> String {
    guard !arguments.isEmpty else { usage() }
    return arguments.removeFirst()
  }
  switch arg {
  case "--seed":
    guard let n = UInt64(value()) else { usage() }
    seeds = n...n
  case "--seeds":
    let parts = value().components(separatedBy: "..")
    guard parts.count == 2, let a = UInt64(parts[0]), let b = UInt64(parts[1]), a <= b else { usage() }
    seeds = a...b
  case "--swarm": swarm = true
  case "--trace": tracing = true
  case "--throughput": throughput = true
  case "--nodes": nodes = Int(value()) ?? { usage() }()
  case "--ticks": ticks = Int(value()) ?? { usage() }()
  case "--batch": batch = Int(value()) ?? { usage() }()
  case "--per-tick": perTick = Int(value()) ?? { usage() }()
  default: usage()
  }
}

@MainActor func configure(_ options: inout SimulationOptions) {
  options.swarm = swarm
  options.tracing = tracing
  if let nodes { options.nodeCount = nodes }
  if let ticks { options.safetyTicks = ticks }
  options.commandsPerEntry = batch
}

if throughput {
  let report = Throughput.measure(commandsPerEntry: batch, ticks: ticks ?? 3_000, proposalsPerTick: perTick)
  print(report)
  exit(0)
}

guard let seeds else { usage() }
let clock = ContinuousClock()
let started = clock.now
var summary = SeedRunner.Summary()
var lastReport = started
for seed in seeds {
  var options = SimulationOptions(seed: seed)
  configure(&options)
  let result = SeedRunner.run(options)
  summary.add(result)
  if let failure = result.failure {
    print("seed \(seed) FAILED: \(failure)")
    print("  nodes=\(result.nodeCount) profile: \(result.profile)")
    for line in result.trace.suffix(seeds.count == 1 ? 3000 : 200) { print("  " + line) }
    print("  reproduce: grove-sim --seed \(seed)\(swarm ? " --swarm" : "")")
  } else if seeds.count == 1 {
    if tracing { for line in result.trace { print(line) } }
    print("seed \(seed) passed: trace hash \(String(result.traceHash, radix: 16)), \(result.ticks) ticks, \(result.leadersElected) leaders, \(result.commandsCommitted) commands")
  }
  if clock.now - lastReport > .seconds(30) {
    lastReport = clock.now
    let seconds = Double((clock.now - started).components.seconds) + 1e-9
    let line = "... \(summary.seeds) seeds, \(summary.failures.count) failed, \(String(format: "%.1f", Double(summary.seeds) / seconds)) seeds/s\n"
    FileHandle.standardError.write(Data(line.utf8))
  }
}
let elapsed = clock.now - started
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print(summary)
print(String(format: "%.1f seeds/s (%.1f s)", Double(summary.seeds) / seconds, seconds))
exit(summary.failures.isEmpty ? 0 : 1)
