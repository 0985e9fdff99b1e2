/// Limits and behaviour of one connection. Defaults suit a ZooKeeper client connection.
public struct ConnectionOptions: Sendable, Hashable {
  /// At most this many bytes are read from the connection per loop turn, so one busy peer cannot
  /// starve the others (the rest stays in the socket buffer for the next turn).
  public var readBytesPerTurnMax: Int = 64 * 1024
  /// When the write queue reaches this size, `isWritable` turns false and the handler is told:
  /// it should stop producing for this peer (and `pauseReading()` the peer's requests).
  public var writeQueueHighWatermarkBytes: Int = 1 << 20
  /// When the write queue drains to this size, `isWritable` turns true again and the handler is told.
  public var writeQueueLowWatermarkBytes: Int = 256 * 1024
  /// A write that would take the queue past this size closes the connection with
  /// `CloseReason.writeQueueOverflow`: a peer that never reads cannot grow our memory without bound.
  /// Must exceed the largest single message (for ZooKeeper, `jute.maxbuffer` plus headers).
  public var writeQueueBytesMax: Int = 8 << 20
  /// A graceful `close()` that cannot flush within this time becomes an abort (`closeTimedOut`).
  public var closeTimeoutMs: Int64 = 30_000
  /// When false (the default), the peer's end of file closes the connection after flushing what is
  /// queued (reason `peerClosed`). When true, the handler hears `connectionInputClosed` and decides.
  public var allowHalfClosure: Bool = false
  /// TCP_NODELAY: send small replies at once rather than waiting to coalesce (Nagle off).
  public var noDelay: Bool = true
  /// SO_SNDBUF, when set; nil keeps the kernel's (auto-tuned) default.
  public var sendBufferBytes: Int? = nil
  /// SO_RCVBUF, when set; nil keeps the kernel's (auto-tuned) default.
  public var receiveBufferBytes: Int? = nil

  /// The defaults above.
  public init() {}

  /// Traps when the limits contradict each other (low > high, high > max, non-positive sizes).
  public func checkInvariants() {
    precondition(readBytesPerTurnMax > 0, "readBytesPerTurnMax must be positive")
    precondition(writeQueueLowWatermarkBytes >= 0, "low watermark must not be negative")
    precondition(
      writeQueueLowWatermarkBytes <= writeQueueHighWatermarkBytes,
      "low watermark \(writeQueueLowWatermarkBytes) above high watermark \(writeQueueHighWatermarkBytes)")
    precondition(
      writeQueueHighWatermarkBytes <= writeQueueBytesMax,
      "high watermark \(writeQueueHighWatermarkBytes) above the hard cap \(writeQueueBytesMax)")
    precondition(closeTimeoutMs >= 0, "closeTimeoutMs must not be negative")
  }
}

/// Limits and behaviour of one listener.
public struct ListenerOptions: Sendable, Hashable {
  /// The listen(2) backlog.
  public var backlog: Int32 = 1024
  /// At most this many connections are accepted per loop turn, so a connection storm cannot starve
  /// established connections.
  public var acceptBatchMax: Int = 64
  /// Open connections accepted by this listener beyond which new ones are refused (closed at once);
  /// nil for no limit.
  public var connectionsMax: Int? = nil
  /// Open connections from one IPv4 address beyond which new ones from it are refused; nil for no
  /// limit. As ZooKeeper's `maxClientCnxns` (where 0 means no limit: map 0 to nil).
  public var connectionsPerHostMax: Int? = nil
  /// Options of every accepted connection.
  public var connectionOptions = ConnectionOptions()

  /// The defaults above.
  public init() {}

  /// Traps when a limit is not positive.
  public func checkInvariants() {
    precondition(backlog > 0, "backlog must be positive")
    precondition(acceptBatchMax > 0, "acceptBatchMax must be positive")
    if let connectionsMax { precondition(connectionsMax >= 0, "connectionsMax must not be negative") }
    if let connectionsPerHostMax {
      precondition(connectionsPerHostMax >= 0, "connectionsPerHostMax must not be negative")
    }
    connectionOptions.checkInvariants()
  }
}
