import ZooKeeperWire

/// The settings a `ClientSession` runs with.
public struct SessionConfiguration: Hashable, Sendable {
  /// The servers to try, in connect-string order (the session shuffles them).
  public var servers: [ServerAddress]
  /// The chroot every path is relative to.
  public var chroot: Chroot
  /// The session timeout asked for; the server clamps it to its own bounds.
  public var sessionTimeoutMs: Int32
  /// The largest frame accepted from, or sent to, the server (`jute.maxbuffer`).
  public var frameBytesMax: Int
  /// First reconnect delay after every server of the list failed once; doubles per round.
  public var backoffBaseMs: Int64
  /// The longest reconnect delay.
  public var backoffMaxMs: Int64
  /// Whether to declare the session expired after 4/3 of the negotiated timeout without
  /// hearing from any server, as ZooKeeper 3.9.3+ clients do (ZOOKEEPER-4508).
  public var expiresLocally: Bool

  /// A configuration with ZooKeeper's defaults for everything but the servers and timeout.
  public init(
    servers: [ServerAddress], chroot: Chroot = .none, sessionTimeoutMs: Int32 = 10_000,
    frameBytesMax: Int = FrameDecoder.defaultFrameBytesMax, backoffBaseMs: Int64 = 50,
    backoffMaxMs: Int64 = 1_000, expiresLocally: Bool = true
  ) {
    precondition(!servers.isEmpty, "a session needs at least one server")
    precondition(sessionTimeoutMs > 0, "session timeout must be positive")
    self.servers = servers
    self.chroot = chroot
    self.sessionTimeoutMs = sessionTimeoutMs
    self.frameBytesMax = frameBytesMax
    self.backoffBaseMs = backoffBaseMs
    self.backoffMaxMs = backoffMaxMs
    self.expiresLocally = expiresLocally
  }
}

/// The client side of a ZooKeeper session as a pure state machine: no sockets, no clock, no
/// threads. The shell feeds it inputs (`start`, `connectionEstablished`, `received`,
/// `connectionClosed`, `submit`, `tick`, `close`) with the current time in milliseconds, and
/// performs the `SessionAction`s each returns, in order.
///
/// What it keeps (as ZooKeeper's ClientCnxn): positive xids wrapping to 1; the FIFO of sent
/// requests, which replies must match in order (a mismatch is a broken server: the connection
/// is dropped); requests queued while disconnected; the watch table; credentials to replay;
/// the last zxid seen, sent on reconnect so no server takes the client back in time; the ping
/// schedule (a ping after 1/3 of the timeout without sending) and the read timeout (2/3 of the
/// timeout without receiving drops the connection). Requests outstanding on a broken
/// connection fail with `connectionLoss` and are never resent: they might have applied.
public struct ClientSession {
  /// The settings it runs with.
  public let configuration: SessionConfiguration
  /// The session's state.
  public internal(set) var state: SessionState = .connecting
  /// The session id; `.none` until the first handshake.
  public internal(set) var sessionID: SessionID = .none
  /// The timeout the server granted (the requested one until then).
  public internal(set) var negotiatedTimeoutMs: Int32
  /// The highest zxid seen in any reply.
  public internal(set) var lastZxidSeen: Zxid = .zero
  /// The server of the current (or last) connection attempt.
  public internal(set) var currentServer: ServerAddress?

  enum Link: Equatable {
    /// No connection; the next attempt is due at `retryAtMs`.
    case idle(retryAtMs: Int64)
    /// TCP connect in progress.
    case connecting
    /// ConnectRequest sent, awaiting ConnectResponse since `sinceMs`.
    case handshaking(sinceMs: Int64)
    /// Session established on this connection.
    case connected
    /// closeSession sent at `sinceMs`.
    case closing(sinceMs: Int64)
    /// Terminal.
    case finished
  }
  var link: Link = .idle(retryAtMs: 0)

  struct Sent {
    var xid: Xid
    var opCode: OpCode
    var token: RequestToken
    var watch: WatchRegistration?
  }
  struct Queued {
    var request: ClientRequest
    var token: RequestToken
    var watch: WatchRegistration?
  }
  var sent = FIFO<Sent>()
  var queued = FIFO<Queued>()
  /// Tokens of addAuth requests awaiting their xid -4 reply; nil for replayed credentials.
  var authReplies = FIFO<RequestToken?>()
  var credentials: [AuthPacket] = []
  var closeToken: RequestToken?
  var watches = WatchTable()
  var decoder: FrameDecoder
  var passwd = [UInt8](repeating: 0, count: 16)
  var nextXid: Int32 = 1
  var hosts: [ServerAddress]
  var hostCursor = 0
  var attemptsThisRound = 0
  var failedRounds = 0
  var rng: SplitMix64
  var lastSendMs: Int64 = 0
  var lastReceiveMs: Int64 = 0
  /// When a server was last heard from, for local expiry.
  var lastHeardMs: Int64 = 0

  /// A session that has not started; `seed` drives host shuffling and backoff jitter.
  public init(configuration: SessionConfiguration, seed: UInt64) {
    self.configuration = configuration
    self.negotiatedTimeoutMs = configuration.sessionTimeoutMs
    self.decoder = FrameDecoder(frameBytesMax: configuration.frameBytesMax)
    self.rng = SplitMix64(state: seed)
    var hosts = configuration.servers
    // Fisher-Yates with the session's own generator: clients spread over the servers.
    if hosts.count > 1 {
      for i in stride(from: hosts.count - 1, to: 0, by: -1) {
        let j = Int(rng.next(below: UInt64(i + 1)))
        hosts.swapAt(i, j)
      }
    }
    self.hosts = hosts
  }

  /// Sent requests awaiting their reply.
  public var outstandingCount: Int { sent.count }
  /// Requests waiting for a connection.
  public var queuedCount: Int { queued.count }

  /// Milliseconds without receiving after which the connection is dropped (2/3 of the timeout).
  public var readTimeoutMs: Int64 { Int64(negotiatedTimeoutMs) * 2 / 3 }
  /// Milliseconds without sending after which a ping goes out (1/3 of the timeout).
  public var pingIntervalMs: Int64 { Int64(negotiatedTimeoutMs) / 3 }
  /// Milliseconds allowed per TCP connect: the timeout shared among the servers, as Java.
  public var connectTimeoutMs: Int64 {
    max(100, Int64(configuration.sessionTimeoutMs) / Int64(hosts.count))
  }

  // MARK: Inputs

  /// Starts the first connection attempt.
  public mutating func start(nowMs: Int64) -> [SessionAction] {
    precondition(link == .idle(retryAtMs: 0) && state == .connecting, "start called twice")
    lastHeardMs = nowMs
    var actions: [SessionAction] = []
    beginConnect(nowMs: nowMs, into: &actions)
    return actions
  }

  /// The TCP connection asked for by the last `connect` action is up: the handshake begins.
  public mutating func connectionEstablished(nowMs: Int64) -> [SessionAction] {
    guard link == .connecting else { return [] }
    link = .handshaking(sinceMs: nowMs)
    decoder = FrameDecoder(frameBytesMax: configuration.frameBytesMax)
    lastReceiveMs = nowMs
    lastSendMs = nowMs
    let request = ConnectRequest(
      lastZxidSeen: lastZxidSeen, timeOutMs: configuration.sessionTimeoutMs, sessionID: sessionID,
      passwd: passwd, readOnly: false)
    return [.send(Frame.record(request))]
  }

  /// The current connection (or connection attempt) closed for a reason outside the session:
  /// the peer closed it, it failed, or it timed out.
  public mutating func connectionClosed(nowMs: Int64) -> [SessionAction] {
    var actions: [SessionAction] = []
    switch link {
    case .connecting, .handshaking, .connected:
      connectionLost(nowMs: nowMs, into: &actions)
    case .closing:
      finish(.closed, error: .sessionClosed, into: &actions)
    case .idle, .finished:
      break
    }
    return actions
  }

  /// Hands a request to the session: sent now if connected, else queued until the session is
  /// (re)established. `watch` is armed if the reply says the server armed it.
  public mutating func submit(
    _ request: ClientRequest, token: RequestToken, watch: WatchRegistration? = nil, nowMs: Int64
  ) -> [SessionAction] {
    switch state {
    case .expired: return [.complete(token, .failure(.sessionExpired))]
    case .closed: return [.complete(token, .failure(.sessionClosed))]
    case .authFailed: return [.complete(token, .failure(.authFailed))]
    default: break
    }
    if case .closing = link { return [.complete(token, .failure(.sessionClosed))] }
    var actions: [SessionAction] = []
    if case .auth(let packet) = request {
      // As ZooKeeper: credentials are kept and replayed on every reconnect.
      credentials.append(packet)
      if link == .connected {
        authReplies.append(token)
        send(.auth, request, nowMs: nowMs, into: &actions)
      } else {
        queued.append(Queued(request: request, token: token, watch: nil))
      }
      return actions
    }
    if link == .connected {
      sendUserRequest(request, token: token, watch: watch, nowMs: nowMs, into: &actions)
    } else {
      queued.append(Queued(request: request, token: token, watch: watch))
    }
    return actions
  }

  /// Forgets a watcher locally. Returns whether it was the last watcher of its kind on its path,
  /// with that path, so the caller can remove the server's watch (removeWatches).
  public mutating func removeWatcher(_ token: WatcherToken) -> (serverPath: String, kind: WatchKind, last: Bool)? {
    guard let removed = watches.remove(token) else { return nil }
    return (removed.path, removed.kind, removed.lastOfKind)
  }

  /// Advances time: reconnect attempts, handshake and read timeouts, pings, local expiry.
  public mutating func tick(nowMs: Int64) -> [SessionAction] {
    var actions: [SessionAction] = []
    switch link {
    case .idle(let retryAtMs):
      if expiredLocally(nowMs: nowMs) {
        finish(.expired, error: .sessionExpired, into: &actions)
      } else if nowMs >= retryAtMs {
        beginConnect(nowMs: nowMs, into: &actions)
      }
    case .connecting:
      if expiredLocally(nowMs: nowMs) { finish(.expired, error: .sessionExpired, into: &actions) }
    case .handshaking(let sinceMs):
      if expiredLocally(nowMs: nowMs) {
        actions.append(.closeConnection)
        finish(.expired, error: .sessionExpired, into: &actions)
      } else if nowMs - sinceMs >= max(connectTimeoutMs, readTimeoutMs) {
        actions.append(.closeConnection)
        connectionLost(nowMs: nowMs, into: &actions)
      }
    case .connected:
      if nowMs - lastReceiveMs >= readTimeoutMs {
        actions.append(.closeConnection)
        connectionLost(nowMs: nowMs, into: &actions)
      } else if nowMs - lastSendMs >= pingIntervalMs {
        send(.ping, .ping, nowMs: nowMs, into: &actions)
      }
    case .closing(let sinceMs):
      if nowMs - sinceMs >= readTimeoutMs {
        actions.append(.closeConnection)
        finish(.closed, error: .sessionClosed, into: &actions)
      }
    case .finished:
      break
    }
    return actions
  }

  /// Ends the session: closeSession is sent if connected (its reply completes `token`), else
  /// the session simply ends. Queued requests fail with `sessionClosed`.
  public mutating func close(token: RequestToken, nowMs: Int64) -> [SessionAction] {
    var actions: [SessionAction] = []
    guard !state.isTerminal else { return [.complete(token, .success(.empty))] }
    for item in queued.removeAll() { actions.append(.complete(item.token, .failure(.sessionClosed))) }
    if link == .connected {
      closeToken = token
      let xid = takeXid()
      sent.append(Sent(xid: xid, opCode: .closeSession, token: token, watch: nil))
      actions.append(.send(Frame.request(xid: xid, .closeSession)))
      lastSendMs = nowMs
      link = .closing(sinceMs: nowMs)
      return actions
    }
    switch link {
    case .connecting, .handshaking: actions.append(.closeConnection)
    default: break
    }
    finish(.closed, error: .sessionClosed, into: &actions)
    actions.append(.complete(token, .success(.empty)))
    return actions
  }

  /// Checks the session's invariants.
  public func checkInvariants() {
    watches.checkInvariants()
    precondition(nextXid > 0, "xids are positive")
    if link == .finished { precondition(state.isTerminal, "finished link in state \(state)") }
    if case .idle = link { precondition(sent.isEmpty, "sent requests without a connection") }
    if state.isTerminal { precondition(queued.isEmpty && sent.isEmpty, "requests left after the end") }
  }
}
