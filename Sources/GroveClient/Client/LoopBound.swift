import Transport

/// A reference that only its event loop's thread may use, carried in `Sendable` values.
///
/// Why `@unchecked Sendable` is safe: the wrapped object is reachable only through `value`,
/// which traps (precondition) on any thread but the loop's. So it is never touched by two
/// threads, even though the wrapper itself crosses threads. Its deinit may run on any thread,
/// but only once no other reference, the loop's included, remains.
struct LoopBound<Value: AnyObject>: @unchecked Sendable {
  let loop: EventLoop
  private let unsafeValue: Value

  init(_ value: Value, loop: EventLoop) {
    self.unsafeValue = value
    self.loop = loop
  }

  /// The object; traps unless called on the loop thread.
  var value: Value {
    loop.preconditionInEventLoop("GroveClient session state")
    return unsafeValue
  }
}
