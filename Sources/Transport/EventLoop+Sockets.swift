import CLinuxShims
import Glibc

extension EventLoop {
  /// Listens on `address` (IPv4: `0.0.0.0` or a `127.0.0.0/8` address; port 0 for an ephemeral port,
  /// reported in `Listener.localAddress`), with SO_REUSEADDR. Loop-confined.
  /// - Throws: `TransportError.system` when the socket cannot be bound (EADDRINUSE, EADDRNOTAVAIL) or
  ///   listened on; `.loopShutDown` while the loop shuts down.
  public func listen(
    on address: SocketAddress, options: ListenerOptions = ListenerOptions(), handler: any ListenerHandler
  ) throws(TransportError) -> Listener {
    preconditionInEventLoop("EventLoop.listen")
    options.checkInvariants()
    let state = self.state
    guard !state.isStopping else { throw .loopShutDown }
    let fd = grove_tcp_socket()
    try check(fd, "socket")
    var listener: Listener?
    defer { if listener == nil { closeDescriptor(fd) } }
    try check(grove_set_reuse_address(fd), "setsockopt(SO_REUSEADDR)")
    try check(grove_bind_ipv4(fd, address.ipv4, address.port), "bind(\(address))")
    try check(grove_listen(fd, options.backlog), "listen(\(address))")
    var boundAddress: UInt32 = 0
    var boundPort: UInt16 = 0
    try check(grove_local_address_ipv4(fd, &boundAddress, &boundPort), "getsockname")
    let id = ListenerID(rawValue: state.takeToken())
    try check(grove_epoll_add(epollFD, fd, GROVE_EPOLLIN, id.rawValue), "epoll_ctl(ADD)")
    let created = Listener(
      id: id, loop: self, fd: fd, localAddress: SocketAddress(ipv4: boundAddress, port: boundPort),
      options: options, handler: handler)
    state.registrations[id.rawValue] = .listener(created)
    listener = created
    return created
  }

  /// Opens an outgoing connection to `peer`, optionally bound first to `source` (an address such as
  /// `127.0.0.12`, port 0 for any). Returns at once with the connection in its connecting state;
  /// bytes written before it connects are sent once it does. Success is reported to the handler as
  /// `connectionActive`; failure (refused, unreachable, no answer within `timeoutMs`) as
  /// `connectionClosed` with `.connectFailed` or `.connectTimedOut`. Loop-confined.
  /// - Throws: `TransportError.system` for local failures (no descriptors, `source` not bindable);
  ///   `.loopShutDown` while the loop shuts down.
  @discardableResult
  public func connect(
    to peer: SocketAddress, from source: SocketAddress? = nil, timeoutMs: Int64 = 10_000,
    options: ConnectionOptions = ConnectionOptions(), handler: any ConnectionHandler
  ) throws(TransportError) -> Connection {
    preconditionInEventLoop("EventLoop.connect")
    precondition(timeoutMs > 0, "connect timeout must be positive")
    options.checkInvariants()
    guard !state.isStopping else { throw .loopShutDown }
    let fd = grove_tcp_socket()
    try check(fd, "socket")
    var registered = false
    defer { if !registered { closeDescriptor(fd) } }
    if let source {
      try check(grove_bind_ipv4(fd, source.ipv4, source.port), "bind(\(source))")
    }
    let connectResult = grove_connect_ipv4(fd, peer.ipv4, peer.port)
    let connectError = connectResult == 0 ? 0 : currentErrno
    let connection = try register(
      socket: fd, state: .connecting, peer: peer, local: source ?? .any(port: 0), listener: nil,
      options: options, handler: handler)
    registered = true
    if connectError != 0 && connectError != EINPROGRESS {
      // Refused at once (possible on loopback): still reported through the handler, after this call.
      connection.closeNow(.connectFailed(errno: connectError))
      return connection
    }
    // Completion (or immediate success) is seen as EPOLLOUT and checked with SO_ERROR.
    connection.timer = scheduleTimer(afterMs: timeoutMs) { [connection] in
      connection.timer = nil
      if connection.state == .connecting { connection.closeNow(.connectTimedOut) }
    }
    return connection
  }

  /// Wraps a connected (or connecting) socket in a `Connection` registered with epoll.
  func register(
    socket fd: Int32, state connectionState: Connection.State, peer: SocketAddress, local: SocketAddress,
    listener: Listener?, options: ConnectionOptions, handler: any ConnectionHandler
  ) throws(TransportError) -> Connection {
    let state = self.state
    if options.noDelay { try check(grove_set_tcp_nodelay(fd), "setsockopt(TCP_NODELAY)") }
    if let bytes = options.sendBufferBytes {
      try check(grove_set_send_buffer(fd, Int32(clamping: bytes)), "setsockopt(SO_SNDBUF)")
    }
    if let bytes = options.receiveBufferBytes {
      try check(grove_set_receive_buffer(fd, Int32(clamping: bytes)), "setsockopt(SO_RCVBUF)")
    }
    let id = ConnectionID(rawValue: state.takeToken())
    let events = connectionState == .connecting ? GROVE_EPOLLOUT : GROVE_EPOLLIN
    try check(grove_epoll_add(epollFD, fd, events, id.rawValue), "epoll_ctl(ADD)")
    let connection = Connection(
      id: id, loop: self, fd: fd, state: connectionState, peer: peer, local: local, listener: listener,
      options: options, handler: handler)
    connection.registeredEvents = events
    state.registrations[id.rawValue] = .connection(connection)
    state.openConnectionCount += 1
    if connectionState == .active { state.notifications.append(.active(connection)) }
    return connection
  }
}
