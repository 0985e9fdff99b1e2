import Foundation
import Glibc
import GroveClient
import Synchronization
import Transport

// grove-bench: a pipelined load generator over GroveClient. See `BenchOptions.usage`.

let options: BenchOptions
do {
  options = try BenchOptions(Array(CommandLine.arguments.dropFirst()))
} catch {
  if !error.description.isEmpty { FileHandle.standardError.write(Data("grove-bench: \(error)\n".utf8)) }
  FileHandle.standardError.write(Data((BenchOptions.usage + "\n").utf8))
  exit(error.description.isEmpty ? 0 : 2)
}

func cpuSeconds() -> Double {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

/// Shared between the workers: operations started (for --ops) and the stop flag.
final class Budget: Sendable {
  let started = Atomic<Int>(0)
  let limit: Int?
  let deadlineNs: UInt64?
  init(limit: Int?, deadlineNs: UInt64?) {
    self.limit = limit
    self.deadlineNs = deadlineNs
  }
  /// Whether another operation may start.
  func take() -> Bool {
    if let deadlineNs, EventLoop.monotonicNowNs() >= deadlineNs { return false }
    if let limit { return started.wrappingAdd(1, ordering: .relaxed).oldValue < limit }
    return true
  }
}

let value = [UInt8](repeating: 0x61, count: options.valueBytes)
let keyRoot = options.root + "/keys"
let createRoot = options.root + "/create"
func key(_ n: Int) -> String { "\(keyRoot)/k\(n)" }

do {
  // One loop thread for every session: the benchmark should measure the client, not threads.
  let loop = try EventLoop(name: "grove-bench")
  var clients: [GroveClient] = []
  let hosts = options.hosts.split(separator: ",").map(String.init)
  for s in 0..<options.sessions {
    let connectString = options.spread ? hosts[s % hosts.count] : options.hosts
    clients.append(try await GroveClient.connect(connectString, sessionTimeout: .seconds(30), eventLoop: loop))
  }
  let setup = clients[0]
  try await setup.createRecursively(keyRoot)
  try await setup.createRecursively(createRoot)
  if options.workload != .create {
    // Populate the keys, pipelined.
    try await withThrowingTaskGroup(of: Void.self) { group in
      for lane in 0..<64 {
        group.addTask {
          var n = lane
          while n < options.keys {
            if try await setup.exists(key(n)) == nil { try await setup.create(key(n), data: value) }
            n += 64
          }
        }
      }
      try await group.waitForAll()
    }
  }

  let budget = Budget(
    limit: options.ops,
    deadlineNs: options.seconds.map { EventLoop.monotonicNowNs() + UInt64($0 * 1e9) })
  // Marks the measured window for a driver that samples the servers' CPU (bench/compare).
  print("measure: start")
  fflush(nil)
  let cpuBefore = cpuSeconds()
  let startNs = EventLoop.monotonicNowNs()
  /// What one in-flight lane measured, and the paths it created (so a create run can remove
  /// exactly those; listing a parent of 100,000s of children would exceed the 1 MB reply limit).
  struct Lane: Sendable {
    var samples: [UInt32] = []
    var created: [String] = []
  }
  let lanes: [Lane] = try await withThrowingTaskGroup(of: Lane.self) { group in
    for (s, client) in clients.enumerated() {
      for w in 0..<options.window {
        group.addTask {
          var lane = Lane()
          lane.samples.reserveCapacity(4096)
          var rng = SystemRandomNumberGenerator()
          var n = s * options.window + w
          while budget.take() {
            let t0 = EventLoop.monotonicNowNs()
            switch options.workload {
            case .get: _ = try await client.getData(key(n % options.keys))
            case .set: try await client.setData(key(n % options.keys), data: value)
            case .create:
              let node = try await client.create(createRoot + "/n-", data: value, mode: .persistentSequential)
              if !options.keep { lane.created.append(node.path) }
            case .mixed:
              if Int.random(in: 0..<10, using: &rng) == 0 {
                try await client.setData(key(n % options.keys), data: value)
              } else {
                _ = try await client.getData(key(n % options.keys))
              }
            }
            lane.samples.append(UInt32(clamping: (EventLoop.monotonicNowNs() - t0) / 1_000))
            n += 7919
          }
          return lane
        }
      }
    }
    var all: [Lane] = []
    for try await lane in group { all.append(lane) }
    return all
  }
  let elapsed = Double(EventLoop.monotonicNowNs() - startNs) / 1e9
  let cpu = cpuSeconds() - cpuBefore
  print("measure: end")
  fflush(nil)
  var sorted = lanes.flatMap(\.samples)
  sorted.sort()
  let count = sorted.count
  func percentile(_ p: Double) -> Double {
    guard count > 0 else { return 0 }
    return Double(sorted[min(count - 1, Int(Double(count) * p))]) / 1000
  }
  print(
    String(
      format: "workload=%@ sessions=%d window=%d value-bytes=%d ops=%d seconds=%.2f",
      options.workload.rawValue, options.sessions, options.window, options.valueBytes, count, elapsed))
  print(String(format: "throughput %.0f ops/s", Double(count) / elapsed))
  print(String(format: "latency ms p50 %.3f  p99 %.3f  p999 %.3f  max %.3f", percentile(0.5), percentile(0.99), percentile(0.999), percentile(1)))
  print(String(format: "client cpu %.3f s per 10k ops (%.2f cores)", cpu / Double(max(1, count)) * 10_000, cpu / elapsed))
  if options.workload == .create && !options.keep {
    // Remove what the run created, pipelined.
    let paths = lanes.flatMap(\.created)
    try await withThrowingTaskGroup(of: Void.self) { group in
      for lane in 0..<64 {
        group.addTask {
          var i = lane
          while i < paths.count {
            try? await setup.delete(paths[i])
            i += 64
          }
        }
      }
      try await group.waitForAll()
    }
  }
  for client in clients { await client.close() }
  loop.shutdownAndWait()
} catch {
  FileHandle.standardError.write(Data("grove-bench: \(error)\n".utf8))
  exit(1)
}
