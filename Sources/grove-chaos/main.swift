import ChaosCheck
import Foundation
import GroveClient
import ZooKeeperWire

// grove-chaos: concurrent clients record a history against a (faulty) cluster; the ChaosCheck
// checkers judge it. See `ChaosOptions.usage`.

func fail(_ message: String, status: Int32) -> Never {
  FileHandle.standardError.write(Data("grove-chaos: \(message)\n".utf8))
  exit(status)
}

func say(_ line: String) {
  FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

let options: ChaosOptions
do {
  options = try ChaosOptions(Array(CommandLine.arguments.dropFirst()))
} catch {
  if !error.description.isEmpty { FileHandle.standardError.write(Data("grove-chaos: \(error)\n".utf8)) }
  FileHandle.standardError.write(Data((ChaosOptions.usage + "\n").utf8))
  exit(error.description.isEmpty ? 0 : 2)
}

/// Runs the checkers, prints the summary and explanations; returns whether all passed.
func check(_ history: History, historyPath: String) -> Bool {
  let startNs = nowNs()
  let stopNs = startNs + UInt64(options.checkSeconds) * 1_000_000_000
  let checker = LinearizabilityChecker(stateBudget: options.stateBudget, shouldStop: { nowNs() > stopNs })
  let results = ChaosReport.checkAll(history, checker: checker)
  let checkMs = Double(nowNs() - startNs) / 1e6
  let indeterminate =
    history.registers.filter { $0.outcome == .indeterminate }.count
    + history.appends.filter { $0.outcome == .indeterminate }.count
  say(
    "history: \(history.registers.count) register ops, \(history.appends.count) appends, "
      + "\(history.ephemerals.count) sessions, \(indeterminate) indeterminate; checked in "
      + String(format: "%.1f ms", checkMs))
  for line in ChaosReport.explanations(results) { say(line) }
  let passed = results.allSatisfy { $0.verdict == .pass }
  if !passed { say("history written to \(historyPath)") }
  say(ChaosReport.summary(results))
  return passed
}

func writeHistory(_ history: History, to path: String) {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.sortedKeys]
  do {
    try encoder.encode(history).write(to: URL(fileURLWithPath: path))
  } catch {
    FileHandle.standardError.write(Data("grove-chaos: cannot write \(path): \(error)\n".utf8))
  }
}

if let checkPath = options.checkPath {
  guard let data = FileManager.default.contents(atPath: checkPath) else {
    fail("cannot read \(checkPath)", status: 2)
  }
  let history: History
  do { history = try JSONDecoder().decode(History.self, from: data) } catch {
    fail("\(checkPath) is not a history: \(error)", status: 2)
  }
  exit(check(history, historyPath: checkPath) ? 0 : 1)
}

let seed = options.seed ?? UInt64.random(in: 0...UInt64.max)
let runID = String(seed % 0xFFFF_FFFF, radix: 16)
let layout = Layout(root: "/chaos/run-\(runID)", keys: options.keys, queues: options.queues)
let recorder = Recorder()
let settings = ChaosSettings(
  seconds: options.seconds, opTimeoutMs: options.opTimeoutMs, sessionTimeoutMs: options.sessionTimeoutMs,
  syncBeforeRead: !options.readsWithoutSync)

do {
  let setup = try await GroveClient.connect(
    options.hosts.joined(separator: ","), sessionTimeout: .milliseconds(options.sessionTimeoutMs),
    connectTimeout: .seconds(30))
  let parents = ["/chaos", layout.root, layout.root + "/reg", layout.appendsParent, layout.ephemeralsParent]
  for path in parents + (0..<options.queues).map(layout.queue) {
    do { try await setup.create(path) } catch .server(.nodeExists, _) {}
  }
  for key in 0..<options.keys {
    try await setup.create(layout.key(key), data: Array("0".utf8))
    recorder.setInitial(layout.key(key), RegisterState(value: 0, version: 0))
  }
  await setup.close()
} catch {
  fail("setup against \(options.hosts.joined(separator: ",")) failed: \(error)", status: 3)
}
say(
  "grove-chaos: seed \(seed), root \(layout.root), \(options.clients) clients, \(options.keys) keys, "
    + "\(options.queues) append queues, \(options.seconds) s")

let deadlineNs = nowNs() + UInt64(options.seconds) * 1_000_000_000
let workStartNs = nowNs()
let outcomes = await withTaskGroup(of: (Counts, LiveSession?).self) { group in
  for index in 0..<options.clients {
    let worker = Worker(
      index: index, hosts: options.hosts, layout: layout, recorder: recorder, options: settings,
      deadlineNs: deadlineNs)
    let workerSeed = seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15
    group.addTask { await worker.run(seed: workerSeed) }
  }
  var all: [(Counts, LiveSession?)] = []
  for await outcome in group { all.append(outcome) }
  return all
}
let workSeconds = Double(nowNs() - workStartNs) / 1e9
var counts = outcomes.reduce(into: Counts()) { total, next in
  total.ok += next.0.ok
  total.failed += next.0.failed
  total.indeterminate += next.0.indeterminate
  total.sessions += next.0.sessions
  total.closedOnPurpose += next.0.closedOnPurpose
  total.expired += next.0.expired
}
say(
  "workload: \(counts.ok + counts.failed + counts.indeterminate) operations in "
    + String(format: "%.1f s", workSeconds)
    + " (\(counts.ok) ok, \(counts.failed) failed, \(counts.indeterminate) indeterminate), "
    + "\(counts.sessions) sessions, \(counts.closedOnPurpose) closed on purpose, \(counts.expired) expired")

// The heal phase: the caller heals the faults; wait for its signal (or a fixed time).
if let healFile = options.healFile {
  say("waiting for \(healFile) (the caller heals the faults)")
  let limitNs = nowNs() + 600 * 1_000_000_000
  while !FileManager.default.fileExists(atPath: healFile) && nowNs() < limitNs {
    try? await Task.sleep(for: .milliseconds(200))
  }
}
try? await Task.sleep(for: .seconds(options.healSeconds))

let live = outcomes.compactMap(\.1)
let confirmed = await FinalRead.confirm(live, recorder: recorder, opTimeoutMs: options.opTimeoutMs)
counts.expired += confirmed.expired
var final: FinalState
do {
  final = try await FinalRead.read(
    hosts: options.hosts, layout: layout, recorder: recorder, opTimeoutMs: options.opTimeoutMs,
    sessionTimeoutMs: options.sessionTimeoutMs)
} catch {
  writeHistory(recorder.history, to: options.historyPath)
  fail("final read failed: \(error); history written to \(options.historyPath)", status: 1)
}
// A session whose closeSession was lost to a fault lives until it expires: give closed sessions'
// ephemerals one session timeout (and a margin) to go before judging them.
let ended = Set(
  recorder.history.ephemerals.filter { $0.sessionEnd == .closed || $0.sessionEnd == .expired }.map(\.path))
if final.ephemerals.contains(where: { ended.contains($0.path) }) {
  say("ephemerals of ended sessions still present; waiting one session timeout for their expiry")
  try? await Task.sleep(for: .milliseconds(options.sessionTimeoutMs * 2))
  if let client = try? await GroveClient.connect(
    options.hosts.joined(separator: ","), connectTimeout: .seconds(10)),
    let again = try? await FinalRead.ephemerals(client, layout)
  {
    final.ephemerals = again
    await client.close()
  }
}
recorder.setFinal(final)
for session in live { await session.client.close() }

let history = recorder.history
writeHistory(history, to: options.historyPath)
exit(check(history, historyPath: options.historyPath) ? 0 : 1)
