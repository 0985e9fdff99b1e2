import ZooKeeperWire

/// The znode tree and the session table: ZooKeeper's data model as a deterministic value.
///
/// Everything that changes it goes through `apply(_:zxid:)` with a `Command`; reads take the
/// reader's authenticated ids. No clock, no I/O, no randomness; no dictionary order reaches an
/// output (every list it returns is sorted by path bytes or session id).
///
/// How a node uses it: for each committed command in log order, `let result =
/// tree.apply(command, zxid: entryIndex)`; then `watches.trigger(result.changes)` gives the
/// events to queue (before the reply, as ZooKeeper orders them); then `result.reply` goes to
/// the requester if its connection is on this node (nothing for `.duplicate`). Reads call the
/// read methods with the connection's ids and arm watches on the node's `WatchRegistry`.
///
/// Storage (chosen for memory, see `ZNode` and `NodeTable`): packed node values in dense
/// chunks with a 4-byte hash index over their paths, each node's path and data in a single
/// buffer, each node keeping its children's names; ACL lists interned in a reference-counted
/// table; ephemerals indexed per session, containers and TTL nodes in small side sets. About
/// 280 bytes per znode of 100 data bytes (`grove-tree-bench --znodes 1000000`, release build).
public struct DataTree: Sendable {
  /// Settings that change the semantics of apply; the same on every replica.
  public struct Configuration: Hashable, Sendable {
    /// ZooKeeper's `zookeeper.extendedTypesEnabled`: TTL nodes are allowed only when true
    /// (createTTL is UNIMPLEMENTED otherwise).
    public var extendedTypesEnabled: Bool

    /// Defaults as ZooKeeper: extended types off.
    public init(extendedTypesEnabled: Bool = false) {
      self.extendedTypesEnabled = extendedTypesEnabled
    }
  }

  /// The semantics settings this tree applies commands with.
  public let configuration: Configuration
  /// The zxid of the last applied command (0 for a new tree).
  public internal(set) var lastAppliedZxid: Zxid

  var nodes: NodeTable
  var acls: ACLTable
  var sessionTable: [SessionID: SessionRecord]
  var containers: PathSet
  var ttlNodes: PathSet
  /// ZooKeeper's `approximateDataSize`: the sum over nodes of path bytes plus data bytes,
  /// kept up to date by `link`, `unlink` and `replaceData`.
  public internal(set) var approximateDataSize: Int = 0

  /// A new tree holding what a fresh ZooKeeper holds: `/`, `/zookeeper`, `/zookeeper/quota`
  /// (ACL open, all Stat fields 0) and `/zookeeper/config` (ACL read-only for anyone and aversion
  /// -1, as ZooKeeper's `addConfigNode` sets it with version -1).
  public init(configuration: Configuration = Configuration()) {
    self.configuration = configuration
    lastAppliedZxid = .zero
    nodes = NodeTable()
    acls = ACLTable()
    sessionTable = [:]
    containers = []
    ttlNodes = []
    let open = acls.retain(ACL.openUnsafe)
    for _ in 0..<2 { acls.retain(index: open) }
    let readOnly = acls.retain(ACL.readUnsafe)
    func system(_ path: String, _ aclIndex: UInt32) -> ZNode {
      ZNode(path: path, data: [], aclIndex: aclIndex, zxid: .zero, timeMs: 0, ephemeralOwner: 0)
    }
    var root = system("/", open)
    root.children = ["zookeeper"]
    var proc = system("/zookeeper", open)
    proc.children = ["quota", "config"]
    var config = system("/zookeeper/config", readOnly)
    config.aversion = -1
    nodes["/"] = root
    nodes["/zookeeper"] = proc
    nodes["/zookeeper/quota"] = system("/zookeeper/quota", open)
    nodes["/zookeeper/config"] = config
    approximateDataSize = ["/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"].reduce(0) { $0 + $1.utf8.count }
  }

  /// Number of znodes, the root and `/zookeeper` nodes included.
  public var nodeCount: Int { nodes.count }

  /// Number of ephemeral znodes over all sessions (`zk_ephemerals_count`).
  public var ephemeralCount: Int { sessionTable.values.reduce(0) { $0 + $1.ephemerals.count } }

  /// The kind of node an `ephemeralOwner` denotes under this tree's configuration.
  public func kind(ofOwner owner: Int64) -> NodeKind {
    NodeKind(ephemeralOwner: owner, extendedTypesEnabled: configuration.extendedTypesEnabled)
  }

  /// What kind of node is at `path` (clients see 0 as the owner of containers and TTL nodes, so
  /// their `Stat` cannot tell).
  public func nodeKind(at path: String) -> NodeKind? {
    guard let owner = header(path)?.ephemeralOwner else { return nil }
    return kind(ofOwner: owner)
  }

  /// Checks every structural invariant; traps with context on the first violation. For tests
  /// and the simulator.
  public func checkInvariants() {
    nodes.checkInvariants()
    precondition(nodes["/"] != nil, "the root is missing")
    var aclUsers = [Int32](repeating: 0, count: acls.counts.count)
    var ephemeralCount = 0
    var dataSize = 0
    for (path, node) in nodes {
      dataSize += path.utf8.count + node.dataCount
      precondition(Int(node.aclIndex) < aclUsers.count, "\(path): ACL slot out of range")
      aclUsers[Int(node.aclIndex)] += 1
      if path != "/" {
        guard let parentPath = PathRules.parent(of: path), let parent = nodes[parentPath] else {
          preconditionFailure("\(path): parent missing")
        }
        precondition(parent.children.contains(String(PathRules.name(of: path))), "\(path): not listed in its parent")
      }
      for child in node.children {
        precondition(nodes[PathRules.join(path, child)] != nil, "\(path): lists missing child \(child)")
      }
      switch kind(ofOwner: node.ephemeralOwner) {
      case .ephemeral(let session):
        ephemeralCount += 1
        precondition(node.children.isEmpty, "\(path): ephemeral with children")
        precondition(sessionTable[session]?.ephemerals.contains(path) == true, "\(path): owner \(session) does not list it")
      case .container: precondition(containers.contains(path), "\(path): container not indexed")
      case .ttl: precondition(ttlNodes.contains(path), "\(path): TTL node not indexed")
      case .persistent: break
      }
    }
    precondition(aclUsers == acls.counts, "ACL reference counts disagree with the nodes")
    precondition(dataSize == approximateDataSize, "approximate data size \(approximateDataSize), actual \(dataSize)")
    precondition(sessionTable.values.reduce(0) { $0 + $1.ephemerals.count } == ephemeralCount, "stale ephemeral index")
    precondition(containers.allSatisfy { nodes[$0] != nil }, "stale container index")
    precondition(ttlNodes.allSatisfy { nodes[$0] != nil }, "stale TTL index")
  }
}

/// One open session as replicated: its negotiated timeout, password and the ephemerals it owns.
struct SessionRecord: Sendable, Equatable {
  var timeoutMs: Int32
  var password: [UInt8]
  var ephemerals: PathSet
  /// The connection and xid of the last applied command of this session that carried both
  /// (duplicate detection).
  var lastRequest: AppliedRequest?
}

/// Where the last applied request of a session came from.
struct AppliedRequest: Sendable, Equatable {
  var connection: UInt64
  var xid: Int32
}

/// A session as the tree knows it.
public struct SessionInfo: Hashable, Sendable {
  /// The session id.
  public var id: SessionID
  /// The negotiated timeout in ms.
  public var timeoutMs: Int32
  /// The 16-byte password chosen when the session was created.
  public var password: [UInt8]
  /// How many ephemerals it owns.
  public var ephemeralCount: Int
}

// MARK: - Linking primitives (used by apply and its rollback)

extension DataTree {
  /// Adds `node` at `path`: the parent lists it, side indexes learn it. Parent Stat fields and
  /// ACL reference counts are the caller's business.
  mutating func link(_ path: String, _ node: ZNode) {
    // Checked in debug builds only: both cost a lookup or a string per create, and every
    // caller has established them.
    assert(nodes[path] == nil, "\(path) linked twice")
    assert(node.path.utf8.elementsEqual(path.utf8), "\(node.path) linked at \(path)")
    guard let parentPath = PathRules.parent(of: path) else { preconditionFailure("\(path) has no parent") }
    nodes[path] = node
    nodes[parentPath]!.children.insert(String(PathRules.name(of: path)))
    approximateDataSize += path.utf8.count + node.dataCount
    switch kind(ofOwner: node.ephemeralOwner) {
    case .ephemeral(let session): sessionTable[session]?.ephemerals.insert(path)
    case .container: containers.insert(path)
    case .ttl: ttlNodes.insert(path)
    case .persistent: break
    }
  }

  /// Removes the node at `path` from the tree and every index, and returns it. Its ACL slot
  /// is released; parent Stat fields are the caller's business.
  @discardableResult
  mutating func unlink(_ path: String) -> ZNode {
    guard let node = nodes.removeValue(forKey: path), let parentPath = PathRules.parent(of: path) else {
      preconditionFailure("\(path) unlinked but absent")
    }
    nodes[parentPath]!.children.remove(String(PathRules.name(of: path)))
    acls.release(node.aclIndex)
    approximateDataSize -= path.utf8.count + node.dataCount
    switch kind(ofOwner: node.ephemeralOwner) {
    case .ephemeral(let session): sessionTable[session]?.ephemerals.remove(path)
    case .container: containers.remove(path)
    case .ttl: ttlNodes.remove(path)
    case .persistent: break
    }
    return node
  }

  /// Replaces a node's data, keeping the data size up to date; returns the old data.
  @discardableResult
  mutating func replaceData(_ path: String, with data: [UInt8]) -> [UInt8] {
    guard let old = nodes[path]?.data else { preconditionFailure("\(path) absent") }
    nodes[path]!.setData(data)
    approximateDataSize += data.count - old.count
    return old
  }
}
