import Glibc
import Synchronization

/// Which thread runs an event loop: set once by that thread when it starts.
final class LoopThreadIdentity: Sendable {
  private let thread = Atomic<UInt>(0)

  /// Records the calling thread as the loop thread.
  func claim() { thread.store(UInt(pthread_self()), ordering: .releasing) }

  /// Whether the calling thread is the loop thread.
  var isCurrent: Bool {
    let owner = thread.load(ordering: .acquiring)
    return owner != 0 && pthread_equal(pthread_t(owner), pthread_self()) != 0
  }
}

/// A value that only the loop thread may touch, carried inside a `Sendable` `EventLoop`.
///
/// Why `@unchecked Sendable` is safe here: the only way to reach `unsafeValue` is `value`, whose
/// precondition traps on any thread but the loop thread. So the wrapped object is never accessed
/// concurrently, even though references to the wrapper cross threads. (Its deinit may run on any
/// thread, but only after every other reference, including the loop thread's, is gone.)
struct LoopConfined<Value: AnyObject>: @unchecked Sendable {
  private let unsafeValue: Value
  private let identity: LoopThreadIdentity

  init(_ value: Value, identity: LoopThreadIdentity) {
    self.unsafeValue = value
    self.identity = identity
  }

  /// The value; traps unless called on the loop thread.
  var value: Value {
    precondition(identity.isCurrent, "loop-confined state touched off its event-loop thread")
    return unsafeValue
  }
}
