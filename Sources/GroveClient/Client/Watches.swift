import Synchronization
import ZooKeeperWire

/// A one-shot watch set by a read (`getData(_:watch:)`, `getChildren(_:watch:)`,
/// `watchExists(_:)`): it fires at most once, as ZooKeeper's watches do.
///
/// Await `event()` to get the notification. If the session ends first, `event()` throws
/// `sessionExpired` or `sessionClosed`. A broken connection does not end it: the watch is
/// re-registered on the next server, which fires it at once if the node changed meanwhile.
public final class OneShotWatch: Sendable {
  private typealias Waiter = CheckedContinuation<Result<WatchedEvent, ZooKeeperError>, Never>
  private struct State {
    var result: Result<WatchedEvent, ZooKeeperError>?
    var waiters: [UInt64: Waiter] = [:]
    var cancelled: Set<UInt64> = []
    var nextWaiter: UInt64 = 0
  }
  private let state = Mutex(State())

  init() {}

  /// Waits for the notification (returns at once if it already came).
  /// - Throws: `sessionExpired` / `sessionClosed` when the session ended first; `cancelled`
  ///   when the waiting task is cancelled (the watch itself stays armed).
  public func event() async throws(ZooKeeperError) -> WatchedEvent {
    let id = state.withLock { state in
      defer { state.nextWaiter += 1 }
      return state.nextWaiter
    }
    return try await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: Waiter) in
        let ready: Result<WatchedEvent, ZooKeeperError>? = state.withLock { state in
          if let result = state.result { return result }
          if state.cancelled.remove(id) != nil { return .failure(.cancelled) }
          state.waiters[id] = continuation
          return nil
        }
        if let ready { continuation.resume(returning: ready) }
      }
    } onCancel: {
      let waiter = state.withLock { state -> Waiter? in
        if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
        if state.result == nil { state.cancelled.insert(id) }
        return nil
      }
      waiter?.resume(returning: .failure(.cancelled))
    }.get()
  }

  /// Whether the watch has fired (or ended).
  public var hasFired: Bool { state.withLock { $0.result != nil } }

  /// Fires the watch: called once, on the loop thread.
  func deliver(_ result: Result<WatchedEvent, ZooKeeperError>) {
    let waiters = state.withLock { state -> [Waiter] in
      guard state.result == nil else { return [] }
      state.result = result
      defer { state.waiters = [:] }
      return state.waiters.keys.sorted().compactMap { state.waiters[$0] }
    }
    for waiter in waiters { waiter.resume(returning: result) }
  }
}

/// A persistent (or persistent-recursive) watch as an `AsyncSequence` of events, from
/// `GroveClient.watch(_:recursive:)`.
///
/// It stays armed across reconnects (re-registered with setWatches2) and delivers every
/// notification for the node (recursive: for the node and all descendants, without
/// `nodeChildrenChanged`). Iteration ends with an error when the session ends. Dropping the
/// iterator, or calling `remove()`, removes the watch from the server.
public struct PersistentWatch: AsyncSequence, Sendable {
  /// Each element is one notification.
  public typealias Element = WatchedEvent
  /// Iteration fails with a `ZooKeeperError` when the session ends.
  public typealias Failure = any Error

  let stream: AsyncThrowingStream<WatchedEvent, any Error>
  let removal: @Sendable () -> Void

  /// The iterator over the events.
  public struct AsyncIterator: AsyncIteratorProtocol {
    var base: AsyncThrowingStream<WatchedEvent, any Error>.AsyncIterator
    /// The next event; nil after `remove()`; throws a `ZooKeeperError` when the session ends.
    public mutating func next() async throws -> WatchedEvent? { try await base.next() }
  }

  /// An iterator over the events (iterate once).
  public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: stream.makeAsyncIterator()) }

  /// Removes the watch: iteration ends, and the server forgets it once no other watcher of
  /// this client needs that path.
  public func remove() { removal() }
}
