import ZooKeeperWire

/// A node's data and Stat (GetDataResponse).
public struct NodeData: Hashable, Sendable {
  /// The node's data.
  public var data: [UInt8]
  public var stat: Stat
  public init(data: [UInt8], stat: Stat) {
    self.data = data
    self.stat = stat
  }
}

/// A node's children names, sorted by bytes, and its Stat (GetChildren2Response).
public struct NodeChildren: Hashable, Sendable {
  /// Child names (not paths), sorted by bytes.
  public var names: [String]
  public var stat: Stat
  public init(names: [String], stat: Stat) {
    self.names = names
    self.stat = stat
  }
}

/// A node's ACL and Stat (GetACLResponse).
public struct NodeACL: Hashable, Sendable {
  /// The ACL as the reader may see it.
  public var acl: [ACL]
  public var stat: Stat
  public init(acl: [ACL], stat: Stat) {
    self.acl = acl
    self.stat = stat
  }
}

/// Reads, with the permission checks ZooKeeper's FinalRequestProcessor makes. `ids` are the
/// reader connection's authenticated ids. Registering a watch is the caller's business (see
/// `WatchRegistry`): ZooKeeper arms getData and getChildren watches only when the read
/// succeeds, and exists watches also when the node is absent.
extension DataTree {
  /// The Stat of `path`, or nil; exists checks no ACL, as ZooKeeper.
  public func exists(_ path: String) -> Stat? { nodes[path]?.stat }

  /// The exists request as ZooKeeper answers it: BADARGUMENTS for a path holding NUL (checked
  /// before a watch is armed), NONODE when absent (the exist watch is still armed), else the
  /// Stat. No ACL check.
  public func statNode(_ path: String) -> Result<Stat, ErrorCode> {
    if path.utf8.contains(0) { return .failure(.badArguments) }
    guard let node = nodes[path] else { return .failure(.noNode) }
    return .success(node.stat)
  }

  /// getData: NONODE, or NOAUTH without READ.
  public func getData(_ path: String, ids: [Id]) -> Result<NodeData, ErrorCode> {
    guard let node = nodes[path] else { return .failure(.noNode) }
    guard Authorization.isAllowed(.read, acl: acls[node.aclIndex], ids: ids) else { return .failure(.noAuth) }
    return .success(NodeData(data: node.data, stat: node.stat))
  }

  /// getChildren / getChildren2: NONODE, or NOAUTH without READ. Names sorted by bytes (ZooKeeper
  /// leaves the order unspecified; a fixed order keeps replicas and tests deterministic).
  public func getChildren(_ path: String, ids: [Id]) -> Result<NodeChildren, ErrorCode> {
    guard let node = nodes[path] else { return .failure(.noNode) }
    guard Authorization.isAllowed(.read, acl: acls[node.aclIndex], ids: ids) else { return .failure(.noAuth) }
    return .success(NodeChildren(names: node.children.sorted(by: PathRules.precedes), stat: node.stat))
  }

  /// getACL: NONODE, or NOAUTH without READ or ADMIN (either suffices, as ZooKeeper 3.8+); a
  /// reader without ADMIN sees digest ids as `user:x`.
  public func getACL(_ path: String, ids: [Id]) -> Result<NodeACL, ErrorCode> {
    guard let node = nodes[path] else { return .failure(.noNode) }
    let acl = acls[node.aclIndex]
    guard Authorization.isAllowed([.read, .admin], acl: acl, ids: ids) else { return .failure(.noAuth) }
    let shown = Authorization.isAllowed(.admin, acl: acl, ids: ids) ? acl : Authorization.redacted(acl)
    return .success(NodeACL(acl: shown, stat: node.stat))
  }

  /// getAllChildrenNumber: the number of descendants of `path` (for `/`, every node but the
  /// root, `/zookeeper` included, as ZooKeeper). NONODE, or NOAUTH without READ.
  public func getAllChildrenNumber(_ path: String, ids: [Id]) -> Result<Int32, ErrorCode> {
    guard let node = nodes[path] else { return .failure(.noNode) }
    guard Authorization.isAllowed(.read, acl: acls[node.aclIndex], ids: ids) else { return .failure(.noAuth) }
    return .success(Int32(truncatingIfNeeded: descendantCount(path)))
  }

  /// getEphemerals: the session's ephemerals whose path starts with `prefix` byte for byte
  /// (all of them for a blank or `/` prefix, as ZooKeeper), sorted. No ACL check, as ZooKeeper.
  public func getEphemerals(session: SessionID, prefix: String) -> [String] {
    guard let owned = sessionTable[session]?.ephemerals else { return [] }
    // Java's trim(): drops leading and trailing characters up to U+0020.
    let trimmed = prefix.unicodeScalars.drop { $0.value <= 0x20 }.reversed().drop { $0.value <= 0x20 }
    let all = trimmed.isEmpty || (trimmed.count == 1 && trimmed.first == "/")
    return owned.filter { all || $0.utf8.starts(with: prefix.utf8) }.sorted(by: PathRules.precedes)
  }

  private func descendantCount(_ path: String) -> Int {
    var count = 0
    var stack = [path]
    while let current = stack.popLast() {
      guard let node = nodes[current] else { continue }
      count += node.children.count
      for child in node.children { stack.append(PathRules.join(current, child)) }
    }
    return count
  }
}

/// What the leader needs to drive sessions and reapers.
extension DataTree {
  /// Every open session, by id.
  public var sessions: [SessionInfo] {
    sessionTable.map { id, record in
      SessionInfo(id: id, timeoutMs: record.timeoutMs, password: record.password, ephemeralCount: record.ephemerals.count)
    }.sorted { $0.id < $1.id }
  }

  /// One session, or nil when it is not open.
  public func session(_ id: SessionID) -> SessionInfo? {
    sessionTable[id].map {
      SessionInfo(id: id, timeoutMs: $0.timeoutMs, password: $0.password, ephemeralCount: $0.ephemerals.count)
    }
  }

  /// Containers the reaper should delete: no children and cversion > 0 (they once had a
  /// child), as ZooKeeper's ContainerManager. Sorted.
  public func containersEligibleForDeletion() -> [String] {
    containers.filter { path in
      let node = nodes[path]!
      return node.children.isEmpty && node.cversion > 0
    }.sorted(by: PathRules.precedes)
  }

  /// TTL nodes the reaper should delete at `nowMs`: no children and not modified for more than
  /// their TTL (`now - mtime > ttl`), as ZooKeeper's ContainerManager. Sorted.
  public func expiredTTLNodes(nowMs: Int64) -> [String] {
    ttlNodes.filter { path in
      let node = nodes[path]!
      guard node.children.isEmpty, case .ttl(let ttlMs) = kind(ofOwner: node.ephemeralOwner) else { return false }
      return nowMs - node.mtime > ttlMs
    }.sorted(by: PathRules.precedes)
  }
}
