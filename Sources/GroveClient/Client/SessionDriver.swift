import Transport
import ZooKeeperWire

/// Where a watcher's notifications go.
enum WatchSink {
  /// A one-shot watch: delivered once, then forgotten.
  case oneShot(OneShotWatch)
  /// A persistent watch's stream.
  case stream(AsyncThrowingStream<WatchedEvent, any Error>.Continuation)
}

/// The shell around a `ClientSession`: owns its connection on the event loop, feeds it the
/// loop's events with the monotonic clock, and performs its actions. Loop-confined.
final class SessionDriver: ConnectionHandler {
  let loop: EventLoop
  var session: ClientSession
  let addresses: [ServerAddress: SocketAddress]
  var connection: Connection?
  var completions: [RequestToken: (Result<ClientResponse, ZooKeeperError>) -> Void] = [:]
  var sinks: [WatcherToken: WatchSink] = [:]
  var stateListeners: [UInt64: AsyncStream<SessionState>.Continuation] = [:]
  var connectWaiters: [(Result<Void, ZooKeeperError>) -> Void] = []
  var nextToken: UInt64 = 1
  var nextListener: UInt64 = 1
  var timer: TimerID?
  let startNs: UInt64
  /// How often time is fed to the session.
  static let tickMs: Int64 = 20

  init(loop: EventLoop, session: ClientSession, addresses: [ServerAddress: SocketAddress]) {
    self.loop = loop
    self.session = session
    self.addresses = addresses
    self.startNs = EventLoop.monotonicNowNs()
  }

  var nowMs: Int64 { Int64((EventLoop.monotonicNowNs() &- startNs) / 1_000_000) }

  /// Starts the session; `connectTimeoutMs` bounds the wait of `connectWaiters`.
  func start(connectTimeoutMs: Int64) {
    timer = loop.scheduleRepeatingTimer(everyMs: Self.tickMs) { [self] in
      perform(session.tick(nowMs: nowMs))
    }
    loop.scheduleTimer(afterMs: connectTimeoutMs) { [self] in
      guard session.state == .connecting else { return }
      failConnectWaiters(.connectTimeout)
      perform(session.close(token: takeToken(), nowMs: nowMs))
    }
    perform(session.start(nowMs: nowMs))
  }

  func takeToken() -> RequestToken {
    defer { nextToken += 1 }
    return RequestToken(rawValue: nextToken)
  }

  /// Submits a request; `done` runs on the loop with its outcome.
  func submit(
    _ request: ClientRequest, watch: (WatchRegistration, WatchSink)? = nil,
    done: @escaping (Result<ClientResponse, ZooKeeperError>) -> Void
  ) {
    let token = takeToken()
    if let (registration, sink) = watch {
      sinks[registration.token] = sink
      completions[token] = { [self] result in
        // The sink is kept only if the reply armed the watch (the session's rule, see `arm`).
        // Decided from the outcome, not from the watch table: a notification handled in the
        // same batch of frames may already have fired and forgotten the watch, and its
        // delivery action comes after this completion.
        if !ClientSession.armsWatch(registration.kind, outcome: result) { sinks[registration.token] = nil }
        done(result)
      }
    } else {
      completions[token] = done
    }
    perform(session.submit(request, token: token, watch: watch?.0, nowMs: nowMs))
  }

  /// Forgets a watcher; removes the server's watches on its path when no watcher is left there.
  func removeWatcher(_ token: WatcherToken) {
    sinks[token] = nil
    guard let removed = session.removeWatcher(token) else { return }
    if !session.watches.hasWatchers(on: removed.serverPath) {
      submit(.removeWatches(RemoveWatchesRequest(path: removed.serverPath, type: .any))) { _ in }
    }
  }

  func close(done: @escaping () -> Void) {
    let token = takeToken()
    completions[token] = { _ in done() }
    perform(session.close(token: token, nowMs: nowMs))
  }

  func addStateListener(_ continuation: AsyncStream<SessionState>.Continuation) {
    continuation.yield(session.state)
    if session.state.isTerminal {
      continuation.finish()
      return
    }
    let id = nextListener
    nextListener += 1
    stateListeners[id] = continuation
    continuation.onTermination = { [loop, bound = LoopBound(self, loop: loop)] _ in
      loop.execute { bound.value.stateListeners[id] = nil }
    }
  }

  func failConnectWaiters(_ error: ZooKeeperError) {
    let waiters = connectWaiters
    connectWaiters = []
    for waiter in waiters { waiter(.failure(error)) }
  }

  // MARK: Actions

  func perform(_ actions: [SessionAction]) {
    for action in actions {
      switch action {
      case .send(let bytes):
        connection?.write(bytes)
      case .complete(let token, let result):
        completions.removeValue(forKey: token)?(result)
      case .watch(let tokens, let event):
        for token in tokens {
          switch sinks[token] {
          case .oneShot(let watch):
            sinks[token] = nil
            watch.deliver(.success(event))
          case .stream(let continuation):
            continuation.yield(event)
          case nil:
            break
          }
        }
      case .watchersEnded(let tokens, let error):
        for token in tokens {
          switch sinks.removeValue(forKey: token) {
          case .oneShot(let watch): watch.deliver(.failure(error))
          case .stream(let continuation): continuation.finish(throwing: error)
          case nil: break
          }
        }
      case .state(let state):
        for id in stateListeners.keys.sorted() { stateListeners[id]?.yield(state) }
        if state == .connected {
          let waiters = connectWaiters
          connectWaiters = []
          for waiter in waiters { waiter(.success(())) }
        }
        if state.isTerminal {
          for id in stateListeners.keys.sorted() { stateListeners[id]?.finish() }
          stateListeners = [:]
          let ending: ZooKeeperError =
            state == .authFailed ? .authFailed : state == .expired ? .sessionExpired : .sessionClosed
          failConnectWaiters(session.sessionID == .none && state == .closed ? .connectTimeout : ending)
          if let timer { loop.cancelTimer(timer) }
          timer = nil
          // Sinks of watches whose arming reply never came still end.
          for token in sinks.keys.sorted() {
            switch sinks[token] {
            case .stream(let c): c.finish(throwing: ending)
            case .oneShot(let w): w.deliver(.failure(ending))
            case nil: break
            }
          }
          sinks = [:]
        }
      case .closeConnection:
        let dropped = connection
        connection = nil
        dropped?.abort()
      case .connect(let server, let timeoutMs):
        let dropped = connection
        connection = nil
        dropped?.abort()
        guard let address = addresses[server] else {
          deferConnectionFailure()
          continue
        }
        do {
          connection = try loop.connect(to: address, timeoutMs: timeoutMs, handler: self)
        } catch {
          deferConnectionFailure()
        }
      }
    }
  }

  /// Reports a connect attempt that failed locally, on a later turn (never re-entrantly).
  private func deferConnectionFailure() {
    let bound = LoopBound(self, loop: loop)
    loop.execute { bound.value.perform(bound.value.session.connectionClosed(nowMs: bound.value.nowMs)) }
  }

  // MARK: ConnectionHandler

  func connectionActive(_ connection: Connection) {
    guard connection === self.connection else { return }
    perform(session.connectionEstablished(nowMs: nowMs))
  }

  func connection(_ connection: Connection, received bytes: [UInt8]) {
    guard connection === self.connection else { return }
    perform(session.received(bytes, nowMs: nowMs))
  }

  func connectionClosed(_ connection: Connection, reason: CloseReason) {
    guard connection === self.connection else { return }
    self.connection = nil
    perform(session.connectionClosed(nowMs: nowMs))
  }
}
