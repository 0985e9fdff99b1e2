import DataTree
import ZooKeeperWire

let alice = SessionID(0x100)
let bob = SessionID(0x200)
let aliceDigest = Id(scheme: "digest", id: Authorization.digest("alice:secret"))
let bobDigest = Id(scheme: "digest", id: Authorization.digest("bob:pw"))

/// Drives a DataTree the way the server will: one command per zxid, time moving forward.
struct Harness {
  var tree: DataTree
  var zxid: Int64 = 0
  var timeMs: Int64 = 1_000

  init(extendedTypes: Bool = false, sessions: [SessionID] = [alice, bob]) {
    tree = DataTree(configuration: .init(extendedTypesEnabled: extendedTypes))
    for session in sessions { open(session) }
  }

  @discardableResult
  mutating func run(
    _ operation: Operation, session: SessionID = alice, ids: [Id] = [], connection: UInt64 = 77, xid: Xid? = nil
  ) -> ApplyResult {
    zxid += 1
    timeMs += 10
    let origin = Origin(session: session, connection: connection, xid: xid, authIds: ids)
    let command = Command(timeMs: timeMs, origin: origin, operation: operation)
    let result = tree.apply(command, zxid: Zxid(zxid))
    tree.checkInvariants()
    return result
  }

  @discardableResult
  mutating func open(_ session: SessionID, timeoutMs: Int32 = 30_000) -> ApplyResult {
    run(.createSession(session, password: [UInt8](repeating: 7, count: 16), timeoutMs: timeoutMs), session: .none)
  }

  @discardableResult
  mutating func create(
    _ path: String, _ data: String = "", mode: CreateMode = .persistent, acl: [ACL] = ACL.openUnsafe,
    ttlMs: Int64 = -1, session: SessionID = alice, ids: [Id] = []
  ) -> Reply {
    run(
      .create(CreateOperation(path: path, data: Array(data.utf8), acl: acl, mode: mode, ttlMs: ttlMs)),
      session: session, ids: ids
    ).reply
  }

  func stat(_ path: String) -> Stat? { tree.exists(path) }
}

extension Reply {
  /// The created path, or nil.
  var createdPath: String? {
    if case .created(let path, _) = self { return path }
    return nil
  }
  var stat: Stat? {
    switch self {
    case .created(_, let stat), .dataSet(let stat), .aclSet(let stat), .checked(let stat): return stat
    default: return nil
    }
  }
}
