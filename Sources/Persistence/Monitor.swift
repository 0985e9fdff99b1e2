#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A value guarded by a mutex, with condition variables to wait for it to change.
///
/// `Synchronization.Mutex` has no condition variable, and group commit needs appenders to sleep
/// until the fsync that covers them is done, so this wraps pthread directly.
///
/// `@unchecked Sendable` is sound: `state` is only reached inside `withLock` / `wait`, which hold
/// `mutex`; the pthread objects live at stable heap addresses for the monitor's lifetime and are
/// themselves made for cross-thread use.
final class Monitor<State>: @unchecked Sendable {
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>
  private let conditions: UnsafeMutablePointer<pthread_cond_t>
  private let conditionCount: Int
  private var state: State

  /// `conditions` separate kinds of waiters, so a broadcast wakes only those it concerns.
  init(_ state: State, conditions: Int = 1) {
    self.state = state
    mutex = .allocate(capacity: 1)
    mutex.initialize(to: pthread_mutex_t())
    pthread_mutex_init(mutex, nil)
    conditionCount = conditions
    self.conditions = .allocate(capacity: conditions)
    self.conditions.initialize(repeating: pthread_cond_t(), count: conditions)
    var attributes = pthread_condattr_t()
    pthread_condattr_init(&attributes)
    #if canImport(Glibc)
      pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
    #endif
    for k in 0..<conditions { pthread_cond_init(self.conditions + k, &attributes) }
    pthread_condattr_destroy(&attributes)
  }

  deinit {
    for k in 0..<conditionCount { pthread_cond_destroy(conditions + k) }
    pthread_mutex_destroy(mutex)
    conditions.deallocate()
    mutex.deallocate()
  }

  /// Runs `body` with exclusive access to the state.
  func withLock<Result, Failure: Error>(
    _ body: (inout State) throws(Failure) -> Result
  ) throws(Failure) -> Result {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return try body(&state)
  }

  /// Runs `body` under the lock until it returns a value, sleeping between tries until the next
  /// `broadcast` (the lock is released while asleep, and no access to the state is open then).
  /// With a `deadline` (CLOCK_MONOTONIC nanoseconds), returns nil once it has passed.
  func waitFor<Result, Failure: Error>(
    condition: Int = 0, deadline: UInt64? = nil, _ body: (inout State) throws(Failure) -> Result?
  ) throws(Failure) -> Result? {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    while true {
      if let result = try body(&state) { return result }
      if let deadline {
        if monotonicNanoseconds() >= deadline { return nil }
        var time = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        _ = pthread_cond_timedwait(conditions + condition, mutex, &time)
      } else {
        pthread_cond_wait(conditions + condition, mutex)
      }
    }
  }

  /// Wakes every waiter on `condition`.
  func broadcast(condition: Int = 0) {
    pthread_cond_broadcast(conditions + condition)
  }
}

/// CLOCK_MONOTONIC in nanoseconds: only for bounded waits, never for decisions that must replay.
func monotonicNanoseconds() -> UInt64 {
  var time = timespec()
  clock_gettime(CLOCK_MONOTONIC, &time)
  return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// Sleeps the calling thread (only the snapshot writer's pacing does).
func sleepNanoseconds(_ nanoseconds: UInt64) {
  var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
  var remaining = timespec()
  while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}
