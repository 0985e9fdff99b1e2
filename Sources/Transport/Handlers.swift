/// What a connection's owner hears. The loop calls every method on its own thread, never
/// re-entrantly from inside a call on the same connection's `write`/`close`/`abort`: those queue
/// their notifications, which are delivered once the current callback returns.
///
/// Order for one connection: `connectionActive` at most once, then any number of `received`
/// and `connectionWritabilityChanged`, `connectionInputClosed` at most once, and `connectionClosed`
/// exactly once, last. A failed outgoing connection hears only `connectionClosed`.
public protocol ConnectionHandler: AnyObject {
  /// The connection is established (accepted, or an outgoing connect completed).
  func connectionActive(_ connection: Connection)
  /// Bytes arrived, in order. Chunk boundaries are arbitrary: framing is the handler's job.
  func connection(_ connection: Connection, received bytes: [UInt8])
  /// `connection.isWritable` changed (the write queue crossed a watermark).
  func connectionWritabilityChanged(_ connection: Connection)
  /// The peer ended its output (end of file) while `allowHalfClosure` is set. The handler may still
  /// write; it must `close()` eventually. Without `allowHalfClosure` the connection closes by itself.
  func connectionInputClosed(_ connection: Connection)
  /// The connection closed; nothing more will be delivered. Its `ConnectionID` is never reused.
  func connectionClosed(_ connection: Connection, reason: CloseReason)
}

extension ConnectionHandler {
  /// Default: nothing to do.
  public func connectionActive(_ connection: Connection) {}
  /// Default: nothing to do.
  public func connectionWritabilityChanged(_ connection: Connection) {}
  /// Default: close after flushing what is queued.
  public func connectionInputClosed(_ connection: Connection) { connection.close() }
}

/// Why a listener refused a connection (it accepted the socket and closed it at once).
public enum RefusalReason: Hashable, Sendable {
  /// `ListenerOptions.connectionsMax` connections are open.
  case listenerFull
  /// `ListenerOptions.connectionsPerHostMax` connections from the peer's address are open.
  case hostLimit
  /// `ListenerHandler.listener(_:shouldAccept:)` said no.
  case rejectedByHandler
}

/// What a listener's owner hears; called on the loop thread.
public protocol ListenerHandler: AnyObject {
  /// An admission hook run after the listener's own limits; `listener.openConnections(from:)`
  /// gives the per-address count. Default: accept.
  func listener(_ listener: Listener, shouldAccept peer: SocketAddress) -> Bool
  /// The handler of a newly accepted connection from `peer` (it then hears `connectionActive`).
  func listener(_ listener: Listener, handlerFor peer: SocketAddress) -> any ConnectionHandler
  /// A connection from `peer` was refused. Default: nothing.
  func listener(_ listener: Listener, refused peer: SocketAddress, reason: RefusalReason)
  /// accept(2) failed with an error other than a transient one; the listener keeps listening
  /// (after a pause when out of descriptors). Default: nothing.
  func listener(_ listener: Listener, acceptFailed error: TransportError)
}

extension ListenerHandler {
  /// Default: accept.
  public func listener(_ listener: Listener, shouldAccept peer: SocketAddress) -> Bool { true }
  /// Default: nothing.
  public func listener(_ listener: Listener, refused peer: SocketAddress, reason: RefusalReason) {}
  /// Default: nothing.
  public func listener(_ listener: Listener, acceptFailed error: TransportError) {}
}
