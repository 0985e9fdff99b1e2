import CLinuxShims
import Glibc

/// A non-blocking TCP connection owned by an event loop.
///
/// Loop-confined: every property and method must be used on `loop`'s thread (checked by
/// preconditions). The type is deliberately not `Sendable`; other threads name a connection by its
/// `id` and reach it with `loop.execute { loop.connection(id)?.write(bytes) }`.
///
/// Writing never blocks: `write` copies the bytes into a bounded queue that the loop flushes with
/// `sendmsg` (gathered, MSG_NOSIGNAL so a vanished peer gives EPIPE, never SIGPIPE) at the end of
/// the turn. Back-pressure: past `writeQueueHighWatermarkBytes` the connection reports
/// `isWritable == false` (the handler should stop producing and `pauseReading()`); back under
/// `writeQueueLowWatermarkBytes` it reports writable again; past `writeQueueBytesMax` it closes.
public final class Connection {
  /// Where the connection is in its life.
  enum State: Equatable {
    /// Outgoing, waiting for connect(2) to complete.
    case connecting
    case active
    /// `close()` was called: flushing, then closing with `reason`.
    case closing(CloseReason)
    case closed
  }

  /// This connection's id, unique for the life of the loop.
  public let id: ConnectionID
  /// The loop that owns this connection.
  public let loop: EventLoop
  /// The peer's address.
  public let peerAddress: SocketAddress
  /// The local address; for an outgoing connection it is known once connected.
  public internal(set) var localAddress: SocketAddress
  /// The listener that accepted this connection; nil for an outgoing one.
  public let listenerID: ListenerID?
  /// The options this connection was created with.
  public let options: ConnectionOptions
  /// Who hears this connection's events; may be replaced (on the loop thread).
  public var handler: any ConnectionHandler

  /// Bytes received so far (delivered to the handler).
  public internal(set) var bytesReceived: UInt64 = 0
  /// Bytes sent so far (accepted by the kernel).
  public internal(set) var bytesSent: UInt64 = 0

  var fd: Int32
  var state: State
  var inputClosed = false
  var readingPaused = false
  var writeQueue = WriteQueue()
  /// The socket refused more bytes (EAGAIN): EPOLLOUT is wanted.
  var waitingForWritable = false
  var isDirty = false
  var registeredEvents: UInt32 = 0
  /// `isWritable` as last reported to the handler, so that flip-flops within a turn coalesce.
  var reportedWritable = true
  /// The connect or close timeout, while one runs.
  var timer: TimerID?
  weak var listener: Listener?

  /// Whether the queue is under the high watermark (see the type's documentation).
  public internal(set) var isWritable = true

  init(
    id: ConnectionID, loop: EventLoop, fd: Int32, state: State, peer: SocketAddress, local: SocketAddress,
    listener: Listener?, options: ConnectionOptions, handler: any ConnectionHandler
  ) {
    self.id = id
    self.loop = loop
    self.fd = fd
    self.state = state
    self.peerAddress = peer
    self.localAddress = local
    self.listener = listener
    self.listenerID = listener?.id
    self.options = options
    self.handler = handler
  }

  /// True once connected (accepted, or an outgoing connect completed) and until closed or closing.
  public var isActive: Bool {
    loop.preconditionInEventLoop()
    return state == .active
  }

  /// True once the connection has closed (the handler heard, or is about to hear, `connectionClosed`).
  public var isClosed: Bool {
    loop.preconditionInEventLoop()
    return state == .closed
  }

  /// True after `close()` until the queue is flushed and the connection closes.
  public var isClosing: Bool {
    loop.preconditionInEventLoop()
    if case .closing = state { return true }
    return false
  }

  /// True while reading is paused by `pauseReading()`.
  public var isReadingPaused: Bool {
    loop.preconditionInEventLoop()
    return readingPaused
  }

  /// True once the peer ended its output (end of file).
  public var isInputClosed: Bool {
    loop.preconditionInEventLoop()
    return inputClosed
  }

  /// Bytes waiting in the write queue.
  public var queuedBytes: Int {
    loop.preconditionInEventLoop()
    return writeQueue.queuedBytes
  }

  /// Queues a copy of `bytes` for sending at the end of this loop turn (or once connected).
  /// - Returns: false when the bytes were not queued: the connection is closing or closed, or they
  ///   would take the queue past `writeQueueBytesMax`, which closes it (`writeQueueOverflow`).
  @discardableResult
  public func write(_ bytes: some Collection<UInt8>) -> Bool {
    loop.preconditionInEventLoop("Connection.write")
    guard state == .connecting || state == .active else { return false }
    if bytes.isEmpty { return true }
    guard writeQueue.queuedBytes + bytes.count <= options.writeQueueBytesMax else {
      closeNow(.writeQueueOverflow)
      return false
    }
    let copied: Void? = bytes.withContiguousStorageIfAvailable { buffer in
      writeQueue.append(UnsafeRawBufferPointer(buffer))
    }
    if copied == nil {
      Array(bytes).withUnsafeBytes { writeQueue.append($0) }
    }
    if isWritable && writeQueue.queuedBytes >= options.writeQueueHighWatermarkBytes {
      isWritable = false
      loop.state.notifications.append(.writabilityChanged(self))
    }
    if !isDirty && state == .active {
      isDirty = true
      loop.state.dirty.append(self)
    }
    return true
  }

  /// Sends queued bytes now instead of at the end of the turn (as far as the socket takes them).
  public func flush() {
    loop.preconditionInEventLoop("Connection.flush")
    flushQueue()
  }

  /// Closes gracefully: stops reading, flushes the queue, then closes (`closedLocally`). If the
  /// queue cannot be flushed within `closeTimeoutMs`, aborts (`closeTimedOut`). Idempotent.
  public func close() {
    loop.preconditionInEventLoop("Connection.close")
    beginClose(.closedLocally)
  }

  /// Closes at once, dropping queued bytes, with a reset to the peer (`aborted`). Idempotent.
  public func abort() {
    loop.preconditionInEventLoop("Connection.abort")
    closeNow(.aborted)
  }

  /// Stops reading from the socket: the peer's bytes wait in the kernel buffers and, once those
  /// fill, TCP flow control stops the peer. Idempotent.
  public func pauseReading() {
    loop.preconditionInEventLoop("Connection.pauseReading")
    readingPaused = true
    updateInterest()
  }

  /// Resumes reading after `pauseReading()`. Idempotent.
  public func resumeReading() {
    loop.preconditionInEventLoop("Connection.resumeReading")
    readingPaused = false
    updateInterest()
  }

  /// Traps unless the connection's bookkeeping is consistent.
  public func checkInvariants() {
    loop.preconditionInEventLoop()
    writeQueue.checkInvariants()
    precondition((state == .closed) == (fd < 0), "\(id): descriptor \(fd) in state \(state)")
    precondition(
      isWritable || writeQueue.queuedBytes > options.writeQueueLowWatermarkBytes || state == .closed,
      "\(id): not writable with only \(writeQueue.queuedBytes) bytes queued")
    precondition(writeQueue.queuedBytes <= options.writeQueueBytesMax, "\(id): write queue past its cap")
  }
}

extension Connection: CustomStringConvertible {
  /// `"conn#7 127.0.0.1:2181<-127.0.0.1:51234"`.
  public var description: String {
    listenerID == nil ? "\(id) \(localAddress)->\(peerAddress)" : "\(id) \(localAddress)<-\(peerAddress)"
  }
}
