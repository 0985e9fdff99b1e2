import ChaosCheck
import GroveClient
import ZooKeeperWire

/// Where a run keeps its nodes: a fresh subtree per run, so runs on one cluster never mix.
struct Layout: Sendable {
  let root: String
  let keys: Int
  /// Parents the appends spread over: one parent's child list must fit in a reply (1 MB), so a
  /// long run needs several.
  let queues: Int
  func key(_ n: Int) -> String { "\(root)/reg/k\(n)" }
  var appendsParent: String { "\(root)/appends" }
  func queue(_ n: Int) -> String { "\(appendsParent)/q\(n)" }
  var ephemeralsParent: String { "\(root)/eph" }
  func ephemeral(_ process: ProcessID) -> String { "\(ephemeralsParent)/s\(process.rawValue)" }
}

/// How an operation's error maps onto the history.
enum Classified {
  /// The server refused it: it did not take effect.
  case failed(ErrorCode)
  /// The outcome is unknown (connection loss, timeout, or the session ended while it was out).
  case indeterminate
  /// The session is gone (expired): the op is indeterminate and the session ends.
  case sessionGone(SessionEnd)
}

func classify(_ error: any Error) -> Classified {
  guard let error = error as? ZooKeeperError else { return .indeterminate }
  switch error {
  case .server(let code, _): return .failed(code)
  case .sessionExpired: return .sessionGone(.expired)
  case .sessionClosed: return .sessionGone(.unknown)
  default: return .indeterminate
  }
}

/// Operation counts of one run, for the report.
struct Counts: Sendable {
  var ok = 0
  var failed = 0
  var indeterminate = 0
  var sessions = 0
  var closedOnPurpose = 0
  var expired = 0
}

/// A session still open when the workload ends, to be confirmed alive after the heal.
struct LiveSession: Sendable {
  let client: GroveClient
  let process: ProcessID
}

/// One worker: a sequence of sessions, each doing random operations until the deadline.
struct Worker: Sendable {
  let index: Int
  let hosts: [String]
  let layout: Layout
  let recorder: Recorder
  let options: ChaosSettings
  let deadlineNs: UInt64

  /// The connect string rotated so worker i starts at host i: clients spread over the nodes.
  var connectString: String {
    let shift = index % hosts.count
    return (Array(hosts[shift...]) + Array(hosts[..<shift])).joined(separator: ",")
  }

  func run(seed: UInt64) async -> (Counts, LiveSession?) {
    var random = SplitMix64(state: seed)
    var counts = Counts()
    while nowNs() < deadlineNs {
      let connected = await bounded(options.opTimeoutMs * 2) { [connectString, options] in
        try await GroveClient.connect(
          connectString, sessionTimeout: .milliseconds(options.sessionTimeoutMs),
          connectTimeout: .milliseconds(options.opTimeoutMs))
      }
      guard case .done(.success(let client)) = connected else {
        try? await Task.sleep(for: .milliseconds(200))
        continue
      }
      counts.sessions += 1
      let process = recorder.newProcess()
      let sessionID = await client.sessionInfo()?.id.rawValue ?? 0
      var session = Session(
        client: client, process: process, layout: layout, recorder: recorder, opTimeoutMs: options.opTimeoutMs
      )
      session.syncBeforeRead = options.syncBeforeRead
      await session.createEphemeral(sessionID: sessionID, counts: &counts)
      // About a third of the sessions close themselves on purpose part way.
      let closeAtNs: UInt64? =
        Int.random(in: 0..<3, using: &random) == 0
        ? nowNs()
          + UInt64.random(
            in: 1_000_000_000...max(1_000_000_001, UInt64(options.seconds) * 500_000_000), using: &random)
        : nil
      var ended: SessionEnd?
      while nowNs() < deadlineNs {
        if let closeAtNs, nowNs() >= closeAtNs {
          await client.close()
          ended = .closed
          counts.closedOnPurpose += 1
          break
        }
        if let end = await session.randomOperation(&random, counts: &counts) {
          ended = end
          if end == .expired { counts.expired += 1 }
          break
        }
      }
      if let ended {
        recorder.endSession(process, ended)
        await client.close()
        continue
      }
      return (counts, LiveSession(client: client, process: process))
    }
    return (counts, nil)
  }
}

/// Settings the workers share.
struct ChaosSettings: Sendable {
  let seconds: Int
  let opTimeoutMs: Int
  let sessionTimeoutMs: Int
  let syncBeforeRead: Bool
}

/// SplitMix64: a seeded generator, so a run's choices are reproducible from its seed.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
