/// The errors of the Transport module: setup failures reported synchronously.
///
/// What happens to an established or connecting connection is not an error thrown to a caller but a
/// `CloseReason` delivered to its handler.
public enum TransportError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The text is not an IPv4 address (or `host:port`), or the name does not resolve.
  case invalidAddress(String)
  /// A system call failed; `call` names it, `errno` is its error number.
  case system(call: String, errno: Int32)
  /// The event loop has shut down (or is shutting down) and runs no more tasks.
  case loopShutDown

  public var description: String {
    switch self {
    case .invalidAddress(let text): return "invalid IPv4 address '\(text)'"
    case .system(let call, let errno): return "\(call) failed: \(describe(errno: errno))"
    case .loopShutDown: return "the event loop has shut down"
    }
  }
}

/// Why a connection closed; delivered once to `ConnectionHandler.connectionClosed(_:reason:)`.
public enum CloseReason: Hashable, Sendable, CustomStringConvertible {
  /// `close()` was called and the write queue was flushed (or had nothing left).
  case closedLocally
  /// `abort()` was called: queued bytes were dropped and a reset was sent.
  case aborted
  /// The peer closed its side (end of file) and the connection was closed after flushing.
  case peerClosed
  /// The peer reset the connection (ECONNRESET), or writing found it gone (EPIPE).
  case reset
  /// The write queue went past `ConnectionOptions.writeQueueBytesMax`: the peer does not read
  /// fast enough, and holding more for it would grow memory without bound.
  case writeQueueOverflow
  /// A graceful `close()` could not flush within `ConnectionOptions.closeTimeoutMs`.
  case closeTimedOut
  /// An outgoing connection failed (`errno` from connect, e.g. ECONNREFUSED).
  case connectFailed(errno: Int32)
  /// An outgoing connection did not complete within its connect timeout.
  case connectTimedOut
  /// Another read or write error.
  case ioError(call: String, errno: Int32)
  /// The event loop shut down.
  case loopShutDown

  public var description: String {
    switch self {
    case .closedLocally: return "closed locally"
    case .aborted: return "aborted"
    case .peerClosed: return "peer closed"
    case .reset: return "connection reset"
    case .writeQueueOverflow: return "write queue overflow"
    case .closeTimedOut: return "close timed out"
    case .connectFailed(let errno): return "connect failed: \(describe(errno: errno))"
    case .connectTimedOut: return "connect timed out"
    case .ioError(let call, let errno): return "\(call) failed: \(describe(errno: errno))"
    case .loopShutDown: return "event loop shut down"
    }
  }
}
