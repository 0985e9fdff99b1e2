import CLinuxShims

/// What an epoll token stands for.
enum Registration {
  case connection(Connection)
  case listener(Listener)
}

/// A handler callback waiting for the current callback to return (so that none is re-entrant).
enum Notification {
  case active(Connection)
  case writabilityChanged(Connection)
  case inputClosed(Connection)
  case closed(Connection, CloseReason)
}

/// Everything the loop thread owns. Loop-confined: reached only through `EventLoop.state`, whose
/// precondition traps off the loop thread.
final class LoopState {
  /// Token 0 is the wake-up eventfd; other tokens are connection and listener ids (one counter).
  static let wakeToken: UInt64 = 0
  static let readyEventsMax = 256
  static let readBufferBytes = 64 * 1024

  var registrations: [UInt64: Registration] = [:]
  var nextToken: UInt64 = 1
  var openConnectionCount = 0
  var timers = TimerQueue()
  var notifications: [Notification] = []
  /// Connections with bytes written this turn, flushed at the end of the turn.
  var dirty: [Connection] = []
  var turnEndHandlers: [() -> Void] = []
  var turnCount: UInt64 = 0
  var isStopping = false
  let readyEvents: UnsafeMutablePointer<grove_epoll_ready>
  let readBuffer: UnsafeMutableRawBufferPointer

  init() {
    readyEvents = .allocate(capacity: Self.readyEventsMax)
    readBuffer = .allocate(byteCount: Self.readBufferBytes, alignment: 16)
  }

  deinit {
    readyEvents.deallocate()
    readBuffer.deallocate()
  }

  /// A fresh token (connection or listener id); never reused.
  func takeToken() -> UInt64 {
    defer { nextToken += 1 }
    return nextToken
  }

  /// Delivers queued notifications, including any queued while delivering, in order.
  func deliverNotifications() {
    var index = 0
    while index < notifications.count {
      let notification = notifications[index]
      index += 1
      switch notification {
      case .active(let connection):
        guard !connection.isClosed else { continue }
        connection.handler.connectionActive(connection)
      case .writabilityChanged(let connection):
        // Before `connectionActive` (writes queued while connecting) it waits: `finishConnect` re-queues it.
        guard connection.state != .connecting, !connection.isClosed,
          connection.reportedWritable != connection.isWritable
        else { continue }
        connection.reportedWritable = connection.isWritable
        connection.handler.connectionWritabilityChanged(connection)
      case .inputClosed(let connection):
        guard !connection.isClosed else { continue }
        connection.handler.connectionInputClosed(connection)
      case .closed(let connection, let reason):
        connection.handler.connectionClosed(connection, reason: reason)
      }
      if index >= 1024 && index * 2 >= notifications.count {
        notifications.removeFirst(index)
        index = 0
      }
    }
    notifications.removeAll(keepingCapacity: true)
  }
}
