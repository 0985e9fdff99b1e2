import ZooKeeperWire

/// The replicated input: what the leader proposes and every replica applies in log order.
///
/// It carries everything `DataTree.apply` needs, so apply reads no clock and no connection
/// state: the leader's wall-clock time, who asked (session, xid and the connection's
/// authenticated ids, which ZooKeeper keeps per connection), and the operation itself.
public struct Command: Hashable, Sendable {
  /// Leader's wall-clock milliseconds when it proposed the command (never decreasing);
  /// becomes ctime/mtime of what the command creates or changes.
  public var timeMs: Int64
  /// Who asked.
  public var origin: Origin
  /// What to do.
  public var operation: Operation

  /// A command as the leader stamps it.
  public init(timeMs: Int64, origin: Origin, operation: Operation) {
    self.timeMs = timeMs
    self.origin = origin
    self.operation = operation
  }
}

/// The requester of a command.
public struct Origin: Hashable, Sendable {
  /// The client session, or `.none` for commands the leader issues itself (expiry, reaping).
  public var session: SessionID
  /// A cluster-unique id of the client connection that sent the request (for example the node
  /// id in the top bits and a node-local counter below), stamped by the node holding it. With
  /// `xid` it lets apply recognise a re-proposed request (see `DataTree.apply`). Nil for
  /// commands the leader issues itself.
  public var connection: UInt64?
  /// The request's xid on that connection. Clients restart xids on a new connection (kazoo
  /// does), so xids are only compared within one connection. Nil for the leader's commands.
  public var xid: Xid?
  /// The connection's authenticated ids at proposal time (`ip:addr`, `digest:user:hash`,
  /// `super:`), used for ACL checks and `auth` expansion.
  public var authIds: [Id]

  /// A client origin; `authIds` are the connection's ids when the leader proposes.
  public init(session: SessionID, connection: UInt64? = nil, xid: Xid?, authIds: [Id] = []) {
    self.session = session
    self.connection = connection
    self.xid = xid
    self.authIds = authIds
  }

  /// The leader itself: no session, no xid, no ids.
  public static let leader = Origin(session: .none, xid: nil, authIds: [])
}

/// A create request as the client sent it (op create, create2, createContainer or createTTL).
public struct CreateOperation: Hashable, Sendable {
  /// Requested path; for sequential modes the suffix is appended at apply.
  public var path: String
  /// The initial data.
  public var data: [UInt8]
  /// The ACL as sent; `auth` entries are expanded at apply.
  public var acl: [ACL]
  /// `CreateOperation.flags` as sent: any value that is not a `CreateMode` is BADARGUMENTS.
  public var flags: Int32
  /// The TTL in ms for createTTL; -1 for the other create ops (as ZooKeeper).
  public var ttlMs: Int64
  /// The op code the client used (create, create2, createContainer, createTTL): it decides the
  /// reply record (CreateResponse or Create2Response).
  public var opCode: OpCode

  /// A create exactly as received: raw flags, TTL and op code.
  public init(
    path: String, data: [UInt8] = [], acl: [ACL] = ACL.openUnsafe, flags: Int32 = 0,
    ttlMs: Int64 = -1, opCode: OpCode = .create2
  ) {
    self.path = path
    self.data = data
    self.acl = acl
    self.flags = flags
    self.ttlMs = ttlMs
    self.opCode = opCode
  }

  /// A create with a known mode.
  public init(
    path: String, data: [UInt8] = [], acl: [ACL] = ACL.openUnsafe, mode: CreateMode,
    ttlMs: Int64 = -1, opCode: OpCode? = nil
  ) {
    let op: OpCode = opCode ?? (mode.isTTL ? .createTTL : mode.isContainer ? .createContainer : .create2)
    self.init(path: path, data: data, acl: acl, flags: mode.rawValue, ttlMs: ttlMs, opCode: op)
  }
}

/// One operation of a `multi` (ZooKeeper allows create, delete, setData and check).
public enum MultiOperation: Hashable, Sendable {
  case create(CreateOperation)
  case delete(path: String, version: Int32)
  case setData(path: String, data: [UInt8], version: Int32)
  case check(path: String, version: Int32)

  /// The path the operation names (before any sequential suffix).
  public var path: String {
    switch self {
    case .create(let request): return request.path
    case .delete(let path, _), .setData(let path, _, _), .check(let path, _): return path
    }
  }
}

/// What a command does: every change ZooKeeper replicates.
public enum Operation: Hashable, Sendable {
  /// Opens a session with the id and password the leader chose and the negotiated timeout.
  /// An id that `ephemeralOwner` cannot represent (0, `Int64.min`, or a TTL-shaped id when
  /// extended types are enabled) is BADARGUMENTS; opening an open session changes nothing.
  case createSession(SessionID, password: [UInt8], timeoutMs: Int32)
  /// Closes a session (client request or leader's expiry) and deletes its ephemerals.
  case closeSession(SessionID)
  case create(CreateOperation)
  /// `version` -1 = any.
  case delete(path: String, version: Int32)
  case setData(path: String, data: [UInt8], version: Int32)
  /// `version` is the expected aversion; -1 = any.
  case setACL(path: String, acl: [ACL], version: Int32)
  /// Standalone check (op 13): compares the data version.
  case check(path: String, version: Int32)
  /// Atomic: all operations or none, under one zxid.
  case multi([MultiOperation])
  /// The leader's container reaper: deletes the container if it is still empty and has had
  /// children (ZooKeeper's internal deleteContainer, op 20).
  case deleteContainer(path: String)
  /// Writes the cluster configuration into `/zookeeper/config`, as ZooKeeper's reconfig
  /// transaction: data replaced, version set to -1 (as ZooKeeper does), mzxid and mtime
  /// updated. A client origin needs WRITE on the node; the leader's own origin does not.
  case reconfig(data: [UInt8])
  /// The leader's TTL reaper: deletes the TTL node if it is still empty and its TTL has passed
  /// at the command's time (ZooKeeper issues this as deleteContainer too).
  case deleteExpiredTTL(path: String)
}
