import CLinuxShims
import Dispatch
import Glibc
import Synchronization

/// One thread running epoll over non-blocking sockets: every listener, connection and timer
/// registered with a loop is owned by its thread, with no thread per connection.
///
/// Thread rules:
/// - `execute(_:)`, `submit(_:)`, `runAndWait(_:)`, `shutdown()`, `waitUntilStopped()` and
///   `inEventLoop` may be called from any thread.
/// - Everything else (`listen`, `connect`, `connection(_:)`, timers, turn-end handlers) and every
///   method of `Connection` and `Listener` is loop-confined: callable only on the loop thread,
///   which is checked with a precondition. Other threads reach the loop with `execute { }`.
///
/// A loop turn: wait for events (or the next timer); handle ready sockets (reads are delivered to
/// handlers, bounded per connection); fire due timers; run tasks from other threads; call the
/// turn-end handlers; flush every connection written during the turn (gathered `sendmsg`).
///
/// A loop runs until `shutdown()`: its thread holds it, so dropping every other reference does not
/// stop it.
public final class EventLoop: Sendable {
  /// The thread's name, for debuggers and `top -H`.
  public let name: String
  let epollFD: Int32
  let wakeFD: Int32
  let identity = LoopThreadIdentity()
  let confined: LoopConfined<LoopState>
  private let inbox = Mutex(Inbox())
  private let stopped = DispatchGroup()

  /// Tasks handed in by other threads. `isClosed` once shutdown starts: later tasks are refused.
  struct Inbox {
    var tasks: [@Sendable () -> Void] = []
    var wakePending = false
    var isClosed = false
  }

  /// Creates the loop and starts its thread.
  /// - Throws: `TransportError.system` when epoll, eventfd or the thread cannot be created.
  public init(name: String = "grove-loop") throws(TransportError) {
    self.name = name
    let epollFD = grove_epoll_create()
    try check(epollFD, "epoll_create1")
    let wakeFD = grove_eventfd_create()
    if wakeFD < 0 {
      let error = currentErrno
      closeDescriptor(epollFD)
      throw .system(call: "eventfd", errno: error)
    }
    if grove_epoll_add(epollFD, wakeFD, GROVE_EPOLLIN, LoopState.wakeToken) != 0 {
      let error = currentErrno
      closeDescriptor(wakeFD)
      closeDescriptor(epollFD)
      throw .system(call: "epoll_ctl", errno: error)
    }
    self.epollFD = epollFD
    self.wakeFD = wakeFD
    self.confined = LoopConfined(LoopState(), identity: identity)
    stopped.enter()
    let started = startThread { [self] in
      identity.claim()
      grove_set_thread_name(name)
      run()
      stopped.leave()
    }
    if let error = started {
      closeDescriptor(wakeFD)
      closeDescriptor(epollFD)
      stopped.leave()
      throw .system(call: "pthread_create", errno: error)
    }
  }

  /// Whether the calling thread is this loop's thread.
  public var inEventLoop: Bool { identity.isCurrent }

  /// Traps unless called on the loop thread; loop-confined entry points call it.
  public func preconditionInEventLoop(
    _ what: StaticString = "loop-confined call",
    file: StaticString = #fileID, line: UInt = #line
  ) {
    precondition(identity.isCurrent, "\(what) off the event-loop thread '\(name)'", file: file, line: line)
  }

  /// The loop-confined state; traps off the loop thread.
  var state: LoopState { confined.value }

  // MARK: Any thread

  /// Runs `task` on the loop thread during a later turn (also when called on the loop thread).
  /// Tasks run in the order they were handed in. Wakes the loop through its eventfd.
  /// - Returns: false when the loop is shutting down or stopped: the task was dropped.
  @discardableResult
  public func execute(_ task: @escaping @Sendable () -> Void) -> Bool {
    inbox.withLock { inbox in
      guard !inbox.isClosed else { return false }
      inbox.tasks.append(task)
      if !inbox.wakePending {
        inbox.wakePending = true
        // Signalled under the lock: the loop closes the eventfd only after it has seen `isClosed`
        // under this lock, so a signal never reaches a closed (or reused) descriptor.
        let signalled = grove_eventfd_signal(wakeFD)
        precondition(signalled == 0, "eventfd write failed: \(describe(errno: currentErrno))")
      }
      return true
    }
  }

  /// Runs `body` on the loop thread and returns its result to the awaiting task.
  /// - Throws: what `body` throws, or `TransportError.loopShutDown` when the loop refused the task.
  @discardableResult
  public func submit<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      let accepted = execute { continuation.resume(with: Result { try body() }) }
      if !accepted { continuation.resume(throwing: TransportError.loopShutDown) }
    }
  }

  /// Runs `body` on the loop thread and blocks the calling thread until it returns.
  /// Must not be called on the loop thread (it would wait for itself).
  /// - Throws: what `body` throws, or `TransportError.loopShutDown` when the loop refused the task.
  @discardableResult
  public func runAndWait<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
    precondition(!inEventLoop, "runAndWait on the loop thread would deadlock")
    let slot = ResultSlot<T>()
    let done = DispatchSemaphore(value: 0)
    let accepted = execute {
      let outcome = Result { try body() }
      slot.result.withLock { $0 = outcome }
      done.signal()
    }
    guard accepted else { throw TransportError.loopShutDown }
    done.wait()
    return try slot.result.withLock { $0! }.get()
  }

  /// Starts a clean shutdown: tasks already handed in still run, then every connection is flushed
  /// once (as far as the socket takes without blocking) and closed (`CloseReason.loopShutDown`),
  /// every listener is closed, timers are dropped, and the thread exits. Later tasks are refused.
  /// Idempotent.
  public func shutdown() {
    inbox.withLock { inbox in
      guard !inbox.isClosed else { return }
      inbox.isClosed = true
      let signalled = grove_eventfd_signal(wakeFD)
      precondition(signalled == 0, "eventfd write failed: \(describe(errno: currentErrno))")
    }
  }

  /// Blocks until the loop thread has exited. Must not be called on the loop thread.
  public func waitUntilStopped() {
    precondition(!inEventLoop, "waitUntilStopped on the loop thread would deadlock")
    stopped.wait()
  }

  /// `shutdown()` then `waitUntilStopped()`.
  public func shutdownAndWait() {
    shutdown()
    waitUntilStopped()
  }

  /// Takes the queued tasks; reports whether shutdown has been requested.
  func takeTasks() -> (tasks: [@Sendable () -> Void], isClosed: Bool) {
    inbox.withLock { inbox in
      let tasks = inbox.tasks
      inbox.tasks.removeAll()
      inbox.wakePending = false
      return (tasks, inbox.isClosed)
    }
  }

  // MARK: Loop-confined

  /// The open connection with this id, if any. Loop-confined.
  public func connection(_ id: ConnectionID) -> Connection? {
    guard case .connection(let connection) = state.registrations[id.rawValue] else { return nil }
    return connection
  }

  /// Open connections (accepted and outgoing). Loop-confined.
  public var connectionCount: Int { state.openConnectionCount }

  /// Turns completed so far. Loop-confined.
  public var turnCount: UInt64 { state.turnCount }

  /// Registers `body` to run at the end of every loop turn, after all ready events, due timers and
  /// tasks of the turn were handled and before written connections are flushed: the place to
  /// batch (feed a core many frames, then act once). Handlers run in registration order for the
  /// life of the loop. Loop-confined.
  public func addTurnEndHandler(_ body: @escaping () -> Void) {
    state.turnEndHandlers.append(body)
  }

  /// Runs `body` on the loop thread after at least `delayMs` milliseconds of the monotonic clock.
  /// Timers fire in deadline order, equal deadlines in scheduling order. Loop-confined.
  @discardableResult
  public func scheduleTimer(afterMs delayMs: Int64, _ body: @escaping () -> Void) -> TimerID {
    precondition(delayMs >= 0, "negative timer delay \(delayMs) ms")
    let deadlineNs = readMonotonicClockNs() &+ UInt64(delayMs) &* 1_000_000
    return state.timers.schedule(atNs: deadlineNs, body)
  }

  /// Runs `body` on the loop thread every `periodMs` milliseconds (the first time after `periodMs`),
  /// until cancelled with `cancelTimer(_:)`. Deadlines follow the period without drift; periods
  /// missed while the loop was busy are skipped, not fired in a burst. Loop-confined.
  @discardableResult
  public func scheduleRepeatingTimer(everyMs periodMs: Int64, _ body: @escaping () -> Void) -> TimerID {
    precondition(periodMs > 0, "repeating timer period must be positive, got \(periodMs) ms")
    let periodNs = UInt64(periodMs) * 1_000_000
    return state.timers.schedule(atNs: readMonotonicClockNs() &+ periodNs, periodNs: periodNs, body)
  }

  /// The monotonic clock, in nanoseconds (CLOCK_MONOTONIC), as timers measure it. Any thread.
  public static func monotonicNowNs() -> UInt64 { readMonotonicClockNs() }

  /// Cancels a timer. Returns false when it already fired, was cancelled, or never existed.
  /// Loop-confined.
  @discardableResult
  public func cancelTimer(_ id: TimerID) -> Bool {
    state.timers.cancel(id)
  }

  /// Live timers. Loop-confined.
  public var timerCount: Int { state.timers.count }
}

/// Carries a result from the loop thread to a thread blocked in `runAndWait`.
private final class ResultSlot<T: Sendable>: Sendable {
  let result = Mutex<Result<T, any Error>?>(nil)
}

/// A thread body, retained across pthread_create.
private final class ThreadBody {
  let body: @Sendable () -> Void
  init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

/// Starts a detached thread running `body`; returns the error number when it cannot.
private func startThread(_ body: @escaping @Sendable () -> Void) -> Int32? {
  let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
  var thread = pthread_t()
  let result = pthread_create(
    &thread, nil,
    { context in
      Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().body()
      return nil
    }, context)
  guard result == 0 else {
    Unmanaged<ThreadBody>.fromOpaque(context).release()
    return result
  }
  pthread_detach(thread)
  return nil
}
