import DataTree
import ZooKeeperWire

/// One client connection's state inside the core: its frame decoder, where it is in the
/// handshake, its credentials, and its requests in arrival order.
struct ClientConnection {
  enum Phase: Equatable {
    /// Nothing read yet: the first four bytes may still be a four-letter word.
    case awaitingConnect
    /// A new session's createSession is in the log; the ConnectResponse waits for it.
    case creatingSession(SessionID)
    case connected(SessionID)
    /// The node decided to close it; anything more it sends is ignored.
    case closing
  }

  let id: ClientID
  /// Names this connection across the cluster in the commands it causes (`Origin.connection`).
  let identity: UInt64
  /// The peer's IP address, as the `ip` ACL scheme sees it.
  let address: String
  let port: UInt16
  var decoder: FrameDecoder
  var phase: Phase = .awaitingConnect
  /// Whether the ConnectRequest carried the trailing read-only byte; the response mirrors it.
  var readOnlyByte: Bool? = nil
  /// Ids for ACL checks: `ip:<address>` from the start, plus each successful `auth`.
  var authIds: [Id]
  /// Requests in arrival order; replies leave strictly in this order.
  var queue: [PendingRequest] = []
  var queueHead = 0
  var readingPaused = false
  let connectedAtMs: Int64
  var lastActivityMs: Int64
  var packetsReceived: UInt64 = 0
  var packetsSent: UInt64 = 0

  init(id: ClientID, identity: UInt64, address: String, port: UInt16, frameBytesMax: Int, nowMs: Int64) {
    self.id = id
    self.identity = identity
    self.address = address
    self.port = port
    self.decoder = FrameDecoder(frameBytesMax: frameBytesMax)
    self.authIds = [Id(scheme: "ip", id: address)]
    self.connectedAtMs = nowMs
    self.lastActivityMs = nowMs
  }

  var session: SessionID? {
    if case .connected(let id) = phase { return id }
    return nil
  }

  var watcher: WatcherID { WatcherID(id.rawValue) }

  var pendingCount: Int { queue.count - queueHead }

  mutating func enqueue(_ request: PendingRequest) { queue.append(request) }

  /// Index into `queue` of the request waiting for its write `xid` to apply.
  func indexOfProposedWrite(xid: Xid) -> Int? {
    var i = queueHead
    while i < queue.count {
      if case .proposed = queue[i].state, queue[i].xid == xid { return i }
      i += 1
    }
    return nil
  }

  /// Drops answered requests from the front, keeping the array from growing forever.
  mutating func compactQueue() {
    if queueHead == queue.count {
      queue.removeAll(keepingCapacity: queue.count <= 64)
      queueHead = 0
    } else if queueHead >= 64 && queueHead * 2 >= queue.count {
      queue.removeFirst(queueHead)
      queueHead = 0
    }
  }
}

/// A request waiting for its turn to be answered.
struct PendingRequest {
  enum State {
    /// Answered from the local tree when it reaches the head of the queue.
    case local
    /// A write in the log; its reply is made when it applies.
    case proposed
    /// A sync or linearizable read: waits until the read index `context` is applied.
    case awaitingReadIndex(UInt64)
    /// Answered: these bytes go out when every earlier request has gone.
    case done([UInt8])
  }

  let xid: Xid
  let request: ClientRequest
  var state: State
  let receivedAtMs: Int64
}

/// Names one client write across nodes: the connection that sent it and its xid there.
struct InFlightKey: Hashable {
  var connection: UInt64
  var xid: Int32

  /// Nil for commands without both (the leader's own, and createSession).
  init?(_ origin: Origin) {
    guard let connection = origin.connection, let xid = origin.xid else { return nil }
    self.connection = connection
    self.xid = xid.rawValue
  }
}
