import ZooKeeperWire

/// Where a client's session stands, as reported by `GroveClient.sessionStates`.
///
/// The usual life: `connecting`, `connected`, then any number of `suspended` (the connection
/// broke; the session may still be alive on the servers) and `reconnected` (same session, new
/// connection, watches re-registered), and finally one of the terminal states.
public enum SessionState: Hashable, Sendable, CustomStringConvertible {
  /// No session yet: the first connection is being made.
  case connecting
  /// The first connection is up and the session is established.
  case connected
  /// The connection broke; the client is reconnecting. Requests that were outstanding failed
  /// with `connectionLoss`; new ones wait for the reconnection.
  case suspended
  /// The session continues on a new connection; watches have been re-registered.
  case reconnected
  /// Terminal: the servers (or the client, after 4/3 of the timeout without hearing from any
  /// server) declared the session expired; its ephemerals are gone.
  case expired
  /// Terminal: the server rejected the session's credentials.
  case authFailed
  /// Terminal: the owner closed the session.
  case closed

  /// Whether no further state follows.
  public var isTerminal: Bool { self == .expired || self == .closed || self == .authFailed }

  /// Whether requests are being sent now.
  public var isConnected: Bool { self == .connected || self == .reconnected }

  /// The state's name.
  public var description: String {
    switch self {
    case .connecting: return "connecting"
    case .connected: return "connected"
    case .suspended: return "suspended"
    case .reconnected: return "reconnected"
    case .expired: return "expired"
    case .authFailed: return "authFailed"
    case .closed: return "closed"
    }
  }
}

/// Identifies one request handed to a `ClientSession`; chosen by the caller, echoed in the
/// `complete` action.
public struct RequestToken: RawRepresentable, Hashable, Sendable {
  /// The caller's number for the request.
  public var rawValue: UInt64
  /// A token from its number.
  public init(rawValue: UInt64) { self.rawValue = rawValue }
}

/// Identifies one watcher registered with a `ClientSession`; chosen by the caller, listed in
/// the `watch` action when it fires.
public struct WatcherToken: RawRepresentable, Hashable, Comparable, Sendable {
  /// The caller's number for the watcher.
  public var rawValue: UInt64
  /// A token from its number.
  public init(rawValue: UInt64) { self.rawValue = rawValue }
  /// Orders by number, so fired watchers are listed deterministically.
  public static func < (a: WatcherToken, b: WatcherToken) -> Bool { a.rawValue < b.rawValue }
}

/// A watch notification as the client's user sees it: the path is relative to the chroot.
public struct WatchedEvent: Hashable, Sendable, CustomStringConvertible {
  /// What happened (`nodeCreated`, `nodeDeleted`, `nodeDataChanged`, `nodeChildrenChanged`, ...).
  public var type: EventType
  /// The node it happened to, relative to the chroot.
  public var path: String
  /// The zxid of the change (ZooKeeper 3.9+ and Grove); -1 when the server does not say (3.8).
  public var zxid: Zxid

  /// An event from its parts.
  public init(type: EventType, path: String, zxid: Zxid = Zxid(-1)) {
    self.type = type
    self.path = path
    self.zxid = zxid
  }

  /// "nodeDataChanged /a".
  public var description: String { "\(type) \(path)" }
}

/// The kinds of watch the server keeps for a session.
public enum WatchKind: Hashable, Sendable, CaseIterable {
  /// Set by getData: fires on data change and deletion.
  case data
  /// Set by exists on a missing node: fires on creation.
  case exist
  /// Set by getChildren: fires on child change and deletion.
  case child
  /// Set by addWatch(persistent): stays armed, fires for the node.
  case persistent
  /// Set by addWatch(persistentRecursive): stays armed, fires for the node and descendants.
  case persistentRecursive
}

/// Which watch a request arms if it succeeds, as the Java client's WatchRegistration: the watch
/// is recorded only once the reply says the server armed it.
public struct WatchRegistration: Hashable, Sendable {
  /// The watcher to notify.
  public var token: WatcherToken
  /// The server-side path.
  public var serverPath: String
  /// The request's kind of watch: `data` for getData and exists, `child` for getChildren,
  /// a persistent kind for addWatch. An exists that finds no node arms an `exist` watch.
  public var kind: WatchKind

  /// A registration from its parts.
  public init(token: WatcherToken, serverPath: String, kind: WatchKind) {
    self.token = token
    self.serverPath = serverPath
    self.kind = kind
  }
}

/// What the shell must do after feeding a `ClientSession` an input, in order.
public enum SessionAction: Hashable, Sendable {
  /// Open a TCP connection to `server` (dropping any current one), giving up after `timeoutMs`.
  case connect(ServerAddress, timeoutMs: Int64)
  /// Write these bytes (whole frames) on the current connection.
  case send([UInt8])
  /// Drop the current connection at once; the session has already accounted for it, so its
  /// close must not be fed back.
  case closeConnection
  /// The request `token` is finished with this outcome.
  case complete(RequestToken, Result<ClientResponse, ZooKeeperError>)
  /// Notify these watchers (sorted) of `event`; one-shot ones have been forgotten.
  case watch([WatcherToken], WatchedEvent)
  /// The session moved to this state.
  case state(SessionState)
  /// These watchers will never fire again (the session ended), with the reason.
  case watchersEnded([WatcherToken], ZooKeeperError)
}

/// A first-in first-out queue with O(1) amortised push and pop.
struct FIFO<Element> {
  private var items: [Element] = []
  private var head = 0

  var isEmpty: Bool { head == items.count }
  var count: Int { items.count - head }
  var first: Element? { isEmpty ? nil : items[head] }

  mutating func append(_ item: Element) { items.append(item) }

  mutating func popFirst() -> Element? {
    guard head < items.count else { return nil }
    let item = items[head]
    head += 1
    if head == items.count {
      items.removeAll(keepingCapacity: true)
      head = 0
    } else if head >= 1024 && head * 2 >= items.count {
      items.removeFirst(head)
      head = 0
    }
    return item
  }

  /// Removes and returns everything, oldest first.
  mutating func removeAll() -> [Element] {
    let rest = Array(items[head...])
    items.removeAll()
    head = 0
    return rest
  }
}

/// SplitMix64: the session's only source of randomness (host order, backoff jitter), seeded by
/// the caller so a run can be replayed.
struct SplitMix64 {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  /// A value in 0..<bound (bound > 0).
  mutating func next(below bound: UInt64) -> UInt64 { next() % bound }
}
