import Foundation
import Synchronization

/// The fsync worker of a server: a thread that flushes the log whenever writes are queued, and
/// reports each durable ticket, so the event loop never blocks on the disk.
///
/// The loop thread calls `log.append` / `log.saveHardState` (which only queue) and keeps, per
/// ticket, what it must do once that write is durable (send the messages Raft held back, advance).
/// `onDurable` runs on the worker thread after every flush with the highest durable ticket; it
/// should only hand the ticket over (an eventfd write, a queue) and return. Writes queued while a
/// flush runs form the next batch: that is the group commit. If a flush fails, `onDurable` gets
/// the error once and the worker stops (the log is failed and must be reopened).
public final class SyncWorker: Sendable {
  private let log: DurableLog
  private let onDurable: @Sendable (Result<DurabilityTicket, PersistenceError>) -> Void
  private let finished = Mutex<Bool>(false)
  private let stopped = DispatchSemaphore(value: 0)
  private let started = Mutex<Bool>(false)

  public init(
    log: DurableLog, onDurable: @escaping @Sendable (Result<DurabilityTicket, PersistenceError>) -> Void
  ) {
    self.log = log
    self.onDurable = onDurable
  }

  /// Starts the worker thread (once).
  public func start() {
    let first = started.withLock { (started) -> Bool in
      defer { started = true }
      return !started
    }
    guard first else { return }
    let thread = Thread { [self] in run() }
    thread.name = "grove-fsync"
    thread.start()
  }

  private func run() {
    defer { stopped.signal() }
    while log.waitForQueuedWrites() {
      do throws(PersistenceError) {
        onDurable(.success(try log.flush()))
      } catch .closed {
        return
      } catch {
        onDurable(.failure(error))
        return
      }
    }
  }

  /// Closes the log and waits for the worker thread to end. Writes still queued are not flushed.
  public func stop() {
    log.close()
    let wasStarted = started.withLock { $0 }
    let alreadyFinished = finished.withLock { (finished) -> Bool in
      defer { finished = true }
      return finished
    }
    if wasStarted && !alreadyFinished { stopped.wait() }
  }
}
