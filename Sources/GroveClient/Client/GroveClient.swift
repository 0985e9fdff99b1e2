import Synchronization
import Transport
import ZooKeeperWire

/// An asynchronous ZooKeeper client: works against Grove and Apache ZooKeeper alike.
///
/// One client is one session. It runs on an event loop thread of its own (or one shared with
/// other clients), keeps many requests in flight on one connection, reconnects to another
/// server of its list when the connection breaks (keeping the session and re-registering its
/// watches), and reports its state as an `AsyncSequence` (`sessionStates()`).
///
/// Errors are `ZooKeeperError`: `.server(code, path)` for the server's answers,
/// `.connectionLoss` when the outcome is unknown (never retried silently), `.sessionExpired`
/// once the session is gone. Invalid paths and oversize requests are rejected before sending.
///
/// ```swift
/// let client = try await GroveClient.connect("127.0.0.1:2181/app", sessionTimeout: .seconds(10))
/// try await client.create("/config", data: Array("v1".utf8))
/// let node = try await client.getData("/config", watch: true)
/// let change = try await node.watch!.event()
/// ```
public final class GroveClient: Sendable {
  let loop: EventLoop
  let ownsLoop: Bool
  let driver: LoopBound<SessionDriver>
  /// The subtree paths are relative to.
  public let chroot: Chroot
  let frameBytesMax: Int
  private let nextWatcher = Atomic<UInt64>(1)
  private let isClosed = Atomic<Bool>(false)

  private init(loop: EventLoop, ownsLoop: Bool, driver: SessionDriver, chroot: Chroot, frameBytesMax: Int) {
    self.loop = loop
    self.ownsLoop = ownsLoop
    self.driver = LoopBound(driver, loop: loop)
    self.chroot = chroot
    self.frameBytesMax = frameBytesMax
  }

  /// Connects to one of the servers of `connectString` (`"h1:p1,h2:p2/chroot"`) and creates a
  /// session with (at most) `sessionTimeout`; returns once the session is established.
  ///
  /// - Parameters:
  ///   - connectTimeout: how long to keep trying the servers before giving up (default: the
  ///     session timeout).
  ///   - eventLoop: a loop to share with other clients; by default the client starts its own
  ///     thread and stops it on `close()`.
  ///   - seed: seeds host shuffling and backoff jitter (random by default).
  /// - Throws: `ZooKeeperError.connectTimeout` when no server answered in time,
  ///   `.invalidArgument` for a malformed connect string or an unresolvable host.
  public static func connect(
    _ connectString: String, sessionTimeout: Duration = .seconds(10), connectTimeout: Duration? = nil,
    eventLoop: EventLoop? = nil, seed: UInt64? = nil
  ) async throws(ZooKeeperError) -> GroveClient {
    let parsed = try ConnectString(connectString)
    var addresses: [ServerAddress: SocketAddress] = [:]
    for server in parsed.servers {
      do {
        addresses[server] = try SocketAddress.resolve(host: server.host, port: server.port)
      } catch {
        throw .invalidArgument("cannot resolve \(server.host): \(error)")
      }
    }
    let timeoutMs = Int32(clamping: sessionTimeout.milliseconds)
    let configuration = SessionConfiguration(
      servers: parsed.servers, chroot: parsed.chroot, sessionTimeoutMs: max(1, timeoutMs))
    let session = ClientSession(configuration: configuration, seed: seed ?? UInt64.random(in: 0...UInt64.max))
    let loop: EventLoop
    if let eventLoop {
      loop = eventLoop
    } else {
      do { loop = try EventLoop(name: "grove-client") } catch {
        throw .invalidArgument("cannot start the client's event loop: \(error)")
      }
    }
    let driver = SessionDriver(loop: loop, session: session, addresses: addresses)
    let client = GroveClient(
      loop: loop, ownsLoop: eventLoop == nil, driver: driver, chroot: parsed.chroot,
      frameBytesMax: configuration.frameBytesMax)
    let waitMs = (connectTimeout ?? sessionTimeout).milliseconds
    let outcome: Result<Void, ZooKeeperError> = await withCheckedContinuation { continuation in
      let accepted = loop.execute { [bound = client.driver] in
        let driver = bound.value
        driver.connectWaiters.append { continuation.resume(returning: $0) }
        driver.start(connectTimeoutMs: max(1, waitMs))
      }
      if !accepted { continuation.resume(returning: .failure(.sessionClosed)) }
    }
    if case .failure(let error) = outcome {
      await client.close()
      throw error
    }
    return client
  }

  deinit {
    // A client dropped without `close()` closes its session (ephemerals go at once, watch
    // streams end) rather than leaving it to expire; its own loop then stops after running
    // that task and flushing the closeSession request.
    if !isClosed.load(ordering: .acquiring) {
      loop.execute { [bound = driver] in bound.value.close {} }
    }
    if ownsLoop { loop.shutdown() }
  }

  /// Closes the session (the server deletes its ephemerals at once) and, if the client owns
  /// its event loop, stops it. Requests still queued fail with `sessionClosed`. Idempotent.
  public func close() async {
    guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      let accepted = loop.execute { [bound = driver] in
        bound.value.close { continuation.resume() }
      }
      if !accepted { continuation.resume() }
    }
    if ownsLoop { loop.shutdown() }
  }

  /// The session's states from now on: the current state first, then every change; the
  /// sequence finishes after a terminal state (`expired`, `closed`, `authFailed`).
  public func sessionStates() -> AsyncStream<SessionState> {
    let (stream, continuation) = AsyncStream.makeStream(of: SessionState.self, bufferingPolicy: .bufferingNewest(64))
    let accepted = loop.execute { [bound = driver] in bound.value.addStateListener(continuation) }
    if !accepted {
      continuation.yield(.closed)
      continuation.finish()
    }
    return stream
  }

  /// The session's id and negotiated timeout (ms), or nil once the loop has stopped.
  public func sessionInfo() async -> (id: SessionID, timeoutMs: Int32, state: SessionState)? {
    try? await loop.submit { [bound = driver] in
      let session = bound.value.session
      return (session.sessionID, session.negotiatedTimeoutMs, session.state)
    }
  }

  // MARK: Plumbing for the operations

  func takeWatcherToken() -> WatcherToken {
    WatcherToken(rawValue: nextWatcher.wrappingAdd(1, ordering: .relaxed).oldValue)
  }

  /// Sends `request` and waits for its reply; errors name `path`.
  func call(
    _ request: ClientRequest, path: String?, watch: (WatchRegistration, WatchSink)? = nil
  ) async throws(ZooKeeperError) -> ClientResponse {
    let result: Result<ClientResponse, ZooKeeperError> = await withCheckedContinuation { continuation in
      let accepted = loop.execute { [bound = driver] in
        bound.value.submit(request, watch: watch) { continuation.resume(returning: $0) }
      }
      if !accepted { continuation.resume(returning: .failure(.sessionClosed)) }
    }
    switch result {
    case .success(let response): return response
    case .failure(let error): throw path.map { error.naming($0) } ?? error
    }
  }

  /// Checks a client path and maps it to the server's.
  func serverPath(_ path: String, isSequential: Bool = false) throws(ZooKeeperError) -> String {
    do {
      try validatePath(path, isSequential: isSequential)
    } catch {
      if case .invalidPath(let p, let reason) = error { throw .invalidPath(path: p, reason: reason) }
      throw .invalidPath(path: path, reason: "\(error)")
    }
    return chroot.serverPath(path)
  }
}

extension Duration {
  /// Whole milliseconds (rounded down).
  var milliseconds: Int64 {
    let (seconds, attoseconds) = components
    return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
  }
}
