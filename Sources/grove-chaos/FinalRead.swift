import ChaosCheck
import GroveClient
import ZooKeeperWire

/// The end of a run: after the caller healed the faults, confirm which sessions live, then read
/// everything through a fresh session (sync first, so the read is as of the leader's commit).
enum FinalRead {
  /// Confirms `live` sessions: one that answers a sync is alive, one told it expired is expired,
  /// one that cannot be reached within a few attempts is unknown.
  static func confirm(_ live: [LiveSession], recorder: Recorder, opTimeoutMs: Int) async -> Counts {
    var counts = Counts()
    for session in live {
      var end = SessionEnd.unknown
      for _ in 0..<3 {
        let attempt = await bounded(opTimeoutMs) { [client = session.client] in try await client.sync("/") }
        if case .done(.success) = attempt {
          end = .alive
          break
        }
        if case .done(.failure(let error)) = attempt, case .sessionGone(let gone) = classify(error) {
          end = gone
          break
        }
      }
      if end == .expired { counts.expired += 1 }
      recorder.endSession(session.process, end)
    }
    return counts
  }

  /// Reads every register (recorded as reads of a process of its own), the appends and the
  /// ephemerals. Retries the whole read a few times if the cluster is still recovering.
  static func read(
    hosts: [String], layout: Layout, recorder: Recorder, opTimeoutMs: Int, sessionTimeoutMs: Int
  ) async throws -> FinalState {
    var lastError: (any Error)?
    for _ in 0..<5 {
      do {
        let client = try await GroveClient.connect(
          hosts.joined(separator: ","), sessionTimeout: .milliseconds(sessionTimeoutMs),
          connectTimeout: .milliseconds(opTimeoutMs * 3))
        defer { Task { await client.close() } }
        var session = Session(
          client: client, process: recorder.newProcess(), layout: layout, recorder: recorder,
          opTimeoutMs: opTimeoutMs)
        var counts = Counts()
        for key in 0..<layout.keys { _ = await session.register(key: key, input: .read, counts: &counts) }
        try await client.sync(layout.root)
        var final = FinalState()
        for queue in (0..<layout.queues).map(layout.queue) {
          let names = try await client.getChildren(queue).children.sorted()
          for batch in stride(from: 0, to: names.count, by: 200) {
            let slice = names[batch..<min(names.count, batch + 200)]
            let outcomes = try await client.multiRead(slice.map { .getData(queue + "/" + $0) })
            for (name, outcome) in zip(slice, outcomes) {
              guard case .data(let data, let stat) = outcome else { continue }
              final.appends.append(
                FinalChild(
                  queue: queue, name: name, tag: String(decoding: data, as: UTF8.self),
                  czxid: stat.czxid.rawValue))
            }
          }
        }
        final.ephemerals = try await ephemerals(client, layout)
        return final
      } catch {
        lastError = error
        try? await Task.sleep(for: .seconds(2))
      }
    }
    throw lastError ?? ZooKeeperError.connectionLoss
  }

  /// The ephemerals present under the run's parent, with their owners.
  static func ephemerals(_ client: GroveClient, _ layout: Layout) async throws -> [FinalEphemeral] {
    try await client.sync(layout.ephemeralsParent)
    var result: [FinalEphemeral] = []
    for name in try await client.getChildren(layout.ephemeralsParent).children.sorted() {
      let path = layout.ephemeralsParent + "/" + name
      if let stat = try await client.exists(path) {
        result.append(FinalEphemeral(path: path, ephemeralOwner: stat.ephemeralOwner))
      }
    }
    return result
  }
}
