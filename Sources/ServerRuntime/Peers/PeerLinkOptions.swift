import PeerWire
import Transport

/// Limits and timing of a node's peer links. Defaults suit a cluster on one machine or one LAN.
public struct PeerLinkOptions: Sendable, Hashable {
  /// The largest frame sent or accepted; a peer sending a larger one is disconnected.
  public var frameBytesMax: Int = PeerMessage.defaultFrameBytesMax
  /// Past this many queued bytes a link stops taking messages: `send` returns false and the
  /// message is dropped (Raft retransmits), until the queue drains to the low watermark.
  public var writeQueueHighWatermarkBytes: Int = 8 << 20
  /// Once the queue drains to this size the link takes messages again.
  public var writeQueueLowWatermarkBytes: Int = 2 << 20
  /// The first reconnect delay after a dial fails or a link drops; it doubles on each failure.
  public var backoffInitialMs: Int64 = 25
  /// The longest reconnect delay; a link that stayed up this long starts again from the initial one.
  /// Short: only the smaller id dials, so a restarted node with a larger id hears from its
  /// leader only when the leader's next dial succeeds (with 2 s here, a restart waited up to
  /// 2 s for that). A refused dial on a LAN costs next to nothing.
  public var backoffMaxMs: Int64 = 100
  /// A dial that does not connect within this time fails (and is retried after the backoff).
  public var connectTimeoutMs: Int64 = 2_000
  /// A connection whose peer has not said hello within this time is closed.
  public var helloTimeoutMs: Int64 = 5_000
  /// Seeds the reconnect jitter (mixed with the node id), so a run can be replayed.
  public var jitterSeed: UInt64 = 0x6E0E_5EED

  /// The defaults above.
  public init() {}

  /// The options of every peer connection: the queue's hard cap leaves room for one whole frame
  /// above the high watermark, so a message accepted by `send` never overflows it.
  var connectionOptions: ConnectionOptions {
    var options = ConnectionOptions()
    options.writeQueueHighWatermarkBytes = writeQueueHighWatermarkBytes
    options.writeQueueLowWatermarkBytes = writeQueueLowWatermarkBytes
    options.writeQueueBytesMax = writeQueueHighWatermarkBytes + frameBytesMax + PeerMessage.frameHeaderBytes
    options.readBytesPerTurnMax = 256 * 1024
    options.closeTimeoutMs = 5_000
    return options
  }

  /// Traps when the options contradict each other.
  public func checkInvariants() {
    precondition(frameBytesMax > 0, "frameBytesMax must be positive")
    precondition(backoffInitialMs > 0, "backoffInitialMs must be positive")
    precondition(backoffMaxMs >= backoffInitialMs, "backoffMaxMs below backoffInitialMs")
    precondition(connectTimeoutMs > 0 && helloTimeoutMs > 0, "timeouts must be positive")
    connectionOptions.checkInvariants()
  }
}
