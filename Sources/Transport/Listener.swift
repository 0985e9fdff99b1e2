import CLinuxShims
import Glibc

/// A listening TCP socket owned by an event loop; accepts in batches and enforces connection limits.
///
/// Loop-confined: every property and method must be used on `loop`'s thread (checked by
/// preconditions). A refused connection is accepted and closed at once, as ZooKeeper does when a
/// host passes `maxClientCnxns`.
public final class Listener {
  /// This listener's id, unique for the life of the loop.
  public let id: ListenerID
  /// The loop that owns this listener.
  public let loop: EventLoop
  /// The bound address, with the port the kernel chose when 0 was asked for.
  public let localAddress: SocketAddress
  /// The options this listener was created with.
  public let options: ListenerOptions
  /// Who decides on and hears about new connections; may be replaced (on the loop thread).
  public var handler: any ListenerHandler

  /// Connections accepted by this listener that are still open.
  public private(set) var connectionCount = 0
  /// Connections refused so far (limits or handler).
  public private(set) var refusedCount: UInt64 = 0

  var fd: Int32
  private var openByHost: [UInt32: Int] = [:]
  private var acceptPauseTimer: TimerID?

  /// How long accepting pauses when the process is out of descriptors or memory.
  static let resourcePauseMs: Int64 = 100

  init(
    id: ListenerID, loop: EventLoop, fd: Int32, localAddress: SocketAddress, options: ListenerOptions,
    handler: any ListenerHandler
  ) {
    self.id = id
    self.loop = loop
    self.fd = fd
    self.localAddress = localAddress
    self.options = options
    self.handler = handler
  }

  /// Whether the listener has been closed.
  public var isClosed: Bool {
    loop.preconditionInEventLoop()
    return fd < 0
  }

  /// Open connections accepted by this listener from `host` (an IPv4 address).
  public func openConnections(from host: UInt32) -> Int {
    loop.preconditionInEventLoop()
    return openByHost[host] ?? 0
  }

  /// Stops listening and closes the socket; connections it accepted stay open. Idempotent.
  public func close() {
    loop.preconditionInEventLoop("Listener.close")
    guard fd >= 0 else { return }
    if let acceptPauseTimer { loop.cancelTimer(acceptPauseTimer) }
    acceptPauseTimer = nil
    _ = grove_epoll_remove(loop.epollFD, fd)
    closeDescriptor(fd)
    fd = -1
    loop.state.registrations[id.rawValue] = nil
  }

  /// Accepts up to `acceptBatchMax` pending connections.
  func acceptBatch() {
    for _ in 0..<options.acceptBatchMax {
      guard fd >= 0 else { return }
      var address: UInt32 = 0
      var port: UInt16 = 0
      let accepted = grove_accept_ipv4(fd, &address, &port)
      if accepted < 0 {
        let error = currentErrno
        switch error {
        case EAGAIN, EWOULDBLOCK:
          return
        case ECONNABORTED, EPROTO, EPERM:
          // The connection died in the backlog (or a firewall refused it): try the next one.
          continue
        case EMFILE, ENFILE, ENOBUFS, ENOMEM:
          // Level-triggered epoll would report the backlog again at once: pause instead of spinning.
          pauseAccepting()
          handler.listener(self, acceptFailed: .system(call: "accept4", errno: error))
          return
        default:
          handler.listener(self, acceptFailed: .system(call: "accept4", errno: error))
          return
        }
      }
      admit(accepted, peer: SocketAddress(ipv4: address, port: port))
    }
  }

  /// Applies the limits and the handler's hook to a new socket, then registers it or closes it.
  private func admit(_ socket: Int32, peer: SocketAddress) {
    let refusal: RefusalReason?
    if let max = options.connectionsMax, connectionCount >= max {
      refusal = .listenerFull
    } else if let max = options.connectionsPerHostMax, openByHost[peer.ipv4, default: 0] >= max {
      refusal = .hostLimit
    } else if !handler.listener(self, shouldAccept: peer) {
      refusal = .rejectedByHandler
    } else {
      refusal = nil
    }
    if let refusal {
      closeDescriptor(socket)
      refusedCount += 1
      handler.listener(self, refused: peer, reason: refusal)
      return
    }
    var address: UInt32 = 0
    var port: UInt16 = 0
    let local =
      grove_local_address_ipv4(socket, &address, &port) == 0
      ? SocketAddress(ipv4: address, port: port) : localAddress
    let connectionHandler = handler.listener(self, handlerFor: peer)
    do {
      _ = try loop.register(
        socket: socket, state: .active, peer: peer, local: local, listener: self,
        options: options.connectionOptions, handler: connectionHandler)
      connectionCount += 1
      openByHost[peer.ipv4, default: 0] += 1
    } catch {
      closeDescriptor(socket)
      handler.listener(self, acceptFailed: error)
    }
  }

  /// A connection this listener accepted has closed.
  func connectionDidClose(from peer: SocketAddress) {
    connectionCount -= 1
    let remaining = openByHost[peer.ipv4, default: 0] - 1
    openByHost[peer.ipv4] = remaining > 0 ? remaining : nil
    precondition(connectionCount >= 0 && remaining >= 0, "\(id): connection counts went negative")
  }

  private func pauseAccepting() {
    guard acceptPauseTimer == nil, fd >= 0 else { return }
    _ = grove_epoll_modify(loop.epollFD, fd, 0, id.rawValue)
    acceptPauseTimer = loop.scheduleTimer(afterMs: Self.resourcePauseMs) { [self] in
      acceptPauseTimer = nil
      guard fd >= 0 else { return }
      _ = grove_epoll_modify(loop.epollFD, fd, GROVE_EPOLLIN, id.rawValue)
    }
  }
}
