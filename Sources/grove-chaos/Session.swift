import ChaosCheck
import GroveClient
import ZooKeeperWire

/// One session's operations, each recorded with its invoke and completion times.
struct Session {
  let client: GroveClient
  let process: ProcessID
  let layout: Layout
  let recorder: Recorder
  let opTimeoutMs: Int
  var syncBeforeRead = true
  /// The last data version this session saw per key: what its compare-and-sets expect.
  var versions: [Int: Int32] = [:]
  var writes: UInt64 = 0
  var appends = 0

  /// A value no other write of the run uses: the process id in the high half.
  mutating func nextValue() -> UInt64 {
    writes += 1
    return UInt64(process.rawValue) << 32 | writes
  }

  mutating func createEphemeral(sessionID: Int64, counts: inout Counts) async {
    let path = layout.ephemeral(process)
    let data = Array("\(process)".utf8)
    let attempt = await bounded(opTimeoutMs) { [client] in
      try await client.create(path, data: data, mode: .ephemeral)
    }
    let creation: Outcome<Bool>
    switch attempt {
    case .done(.success): creation = .ok(true)
    case .done(.failure(let error)):
      if case .failed = classify(error) { creation = .failed } else { creation = .indeterminate }
    case .timedOut: creation = .indeterminate
    }
    tally(creation.output != nil ? .ok : (creation == .failed ? .failed : .indeterminate), &counts)
    recorder.record(
      EphemeralRecord(
        process: process, sessionID: sessionID, path: path, creation: creation, sessionEnd: .unknown))
  }

  enum Tally { case ok, failed, indeterminate }
  func tally(_ tally: Tally, _ counts: inout Counts) {
    switch tally {
    case .ok: counts.ok += 1
    case .failed: counts.failed += 1
    case .indeterminate: counts.indeterminate += 1
    }
  }

  /// Runs one random operation; returns how the session ended if it did.
  mutating func randomOperation(_ random: inout SplitMix64, counts: inout Counts) async -> SessionEnd? {
    let roll = Int.random(in: 0..<100, using: &random)
    if roll >= 85 {
      return await append(queue: Int.random(in: 0..<layout.queues, using: &random), counts: &counts)
    }
    let key = Int.random(in: 0..<layout.keys, using: &random)
    let input: RegisterInput
    if roll < 30 {
      input = .write(nextValue())
    } else if roll < 60 {
      input = .read
    } else {
      input = .compareAndSet(expectedVersion: versions[key] ?? 0, value: nextValue())
    }
    return await register(key: key, input: input, counts: &counts)
  }

  /// One register operation on key `key`.
  mutating func register(key: Int, input: RegisterInput, counts: inout Counts) async -> SessionEnd? {
    let path = layout.key(key)
    let invokeNs = nowNs()
    let attempt: Attempt<(RegisterOutput, Int64)> = await bounded(opTimeoutMs) { [client, syncBeforeRead] in
      switch input {
      case .write(let value):
        let stat = try await client.setData(path, data: Array(String(value).utf8))
        return (.written(version: stat.version), stat.mzxid.rawValue)
      case .compareAndSet(let expected, let value):
        do {
          let stat = try await client.setData(path, data: Array(String(value).utf8), version: expected)
          return (.written(version: stat.version), stat.mzxid.rawValue)
        } catch let error as ZooKeeperError {
          if case .server(.badVersion, _) = error { return (.badVersion, 0) }
          throw error
        }
      case .read:
        if syncBeforeRead { try await client.sync(path) }
        let node = try await client.getData(path)
        guard let value = UInt64(String(decoding: node.data, as: UTF8.self)) else {
          throw ZooKeeperError.invalidArgument("\(path) holds \(node.data.count) bytes that are not a number")
        }
        return (.read(value: value, version: node.stat.version), node.stat.mzxid.rawValue)
      }
    }
    let completeNs = nowNs()
    var outcome: Outcome<RegisterOutput> = .indeterminate
    var zxid: Int64?
    var ended: SessionEnd?
    switch attempt {
    case .done(.success(let (output, observed))):
      outcome = .ok(output)
      switch output {
      case .written(let version):
        versions[key] = version
        zxid = observed
      case .read(_, let version):
        versions[key] = version
        zxid = observed
      case .badVersion:
        versions[key] = nil  // re-learn it on the next read
      }
      tally(.ok, &counts)
    case .done(.failure(let error)):
      switch classify(error) {
      case .failed:
        outcome = .failed
        tally(.failed, &counts)
      case .indeterminate: tally(.indeterminate, &counts)
      case .sessionGone(let end):
        ended = end
        tally(.indeterminate, &counts)
      }
    case .timedOut:
      tally(.indeterminate, &counts)
    }
    recorder.record(
      RegisterOperation(
        process: process, key: path, input: input, outcome: outcome, invokeNs: invokeNs,
        completeNs: completeNs,
        zxid: zxid))
    return ended
  }

  /// One sequential append, tagged uniquely.
  mutating func append(queue: Int, counts: inout Counts) async -> SessionEnd? {
    appends += 1
    let tag = "\(process)-\(appends)"
    let parent = layout.queue(queue)
    let invokeNs = nowNs()
    let attempt = await bounded(opTimeoutMs) { [client] in
      try await client.create(parent + "/a-", data: Array(tag.utf8), mode: .persistentSequential)
    }
    let completeNs = nowNs()
    var outcome: Outcome<AppendResult> = .indeterminate
    var ended: SessionEnd?
    switch attempt {
    case .done(.success(let created)):
      let name = String(created.path.split(separator: "/").last ?? "")
      outcome = .ok(AppendResult(name: name, czxid: created.stat.czxid.rawValue))
      tally(.ok, &counts)
    case .done(.failure(let error)):
      switch classify(error) {
      case .failed:
        outcome = .failed
        tally(.failed, &counts)
      case .indeterminate: tally(.indeterminate, &counts)
      case .sessionGone(let end):
        ended = end
        tally(.indeterminate, &counts)
      }
    case .timedOut:
      tally(.indeterminate, &counts)
    }
    recorder.record(
      AppendOperation(
        process: process, queue: parent, tag: tag, outcome: outcome, invokeNs: invokeNs,
        completeNs: completeNs))
    return ended
  }
}
