import RaftCore
import ZooKeeperWire

extension ServerNode {
  /// Asks Raft for a linearizable read point for a request of `client`; returns the context
  /// that tags it. `sync` (and every read with `linearizableReads`) waits for it.
  mutating func requestReadIndex(for client: ClientID) -> UInt64 {
    let context = nextReadIndexContext
    nextReadIndexContext += 1
    readIndexWaiters[context] = ReadIndexWaiter(client: client, index: nil, requestedAtMs: clockMs)
    askReadIndex(context)
    return context
  }

  mutating func askReadIndex(_ context: UInt64) {
    do {
      try raft.readIndex(context: Self.contextBytes(context))
    } catch {
      // No leader known yet: the tick retries it.
    }
  }

  /// Raft confirmed a read point: the request may be answered once that index is applied.
  mutating func readIndexArrived(_ state: ReadState) {
    guard let context = Self.context(from: state.context), readIndexWaiters[context] != nil else { return }
    readIndexWaiters[context]?.index = state.index
    serveReadIndexes()
  }

  /// Answers every waiting request whose read point is applied.
  mutating func serveReadIndexes() {
    var ready: [(UInt64, ClientID)] = []
    for (context, waiter) in readIndexWaiters {
      if let index = waiter.index, index <= appliedIndex { ready.append((context, waiter.client)) }
    }
    for (context, client) in ready.sorted(by: { $0.0 < $1.0 }) {
      readIndexWaiters[context] = nil
      guard var connection = clients[client] else { continue }
      var i = connection.queueHead
      while i < connection.queue.count {
        if case .awaitingReadIndex(let waiting) = connection.queue[i].state, waiting == context {
          connection.queue[i].state = .local
          break
        }
        i += 1
      }
      clients[client] = connection
      drain(client)
    }
  }

  /// Read-index requests can be lost with a leader change; ask again after an election timeout.
  mutating func retryStaleReadIndexes() {
    let staleMs = config.tickMs * Int64(config.electionTicks)
    for context in readIndexWaiters.keys.sorted() {
      guard let waiter = readIndexWaiters[context], waiter.index == nil,
        clockMs - waiter.requestedAtMs >= staleMs
      else { continue }
      readIndexWaiters[context]?.requestedAtMs = clockMs
      askReadIndex(context)
    }
  }

  /// A new leader: every read point not yet confirmed is asked for again now.
  mutating func retryAllReadIndexes() {
    for context in readIndexWaiters.keys.sorted() where readIndexWaiters[context]?.index == nil {
      readIndexWaiters[context]?.requestedAtMs = clockMs
      askReadIndex(context)
    }
  }

  static func contextBytes(_ context: UInt64) -> [UInt8] {
    (0..<8).map { UInt8(truncatingIfNeeded: context >> (56 - 8 * UInt64($0))) }
  }

  static func context(from bytes: [UInt8]) -> UInt64? {
    guard bytes.count == 8 else { return nil }
    return bytes.reduce(0) { $0 << 8 | UInt64($1) }
  }
}
