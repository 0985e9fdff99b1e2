import ZooKeeperWire

/// The write operations, each checking in ZooKeeper's order (PrepRequestProcessor) so that a
/// request breaking several rules gets the same error code as from ZooKeeper.
extension DataTree {
  /// create / create2 / createContainer / createTTL.
  mutating func create(
    _ request: CreateOperation, context: inout ApplyContext
  ) -> Result<(path: String, stat: Stat), ErrorCode> {
    guard let mode = CreateMode(rawValue: request.flags) else { return .failure(.badArguments) }
    if mode.isTTL && !configuration.extendedTypesEnabled { return .failure(.unimplemented) }
    // Only createTTL carries a TTL on the wire; ZooKeeper uses -1 for the other create ops.
    let ttlMs = request.opCode == .createTTL ? request.ttlMs : -1
    if mode.isTTL ? !NodeKind.isValidTTL(ttlMs) : ttlMs >= 0 { return .failure(.badArguments) }
    // ZooKeeper would accept createTTL with a non-TTL mode here and then fail to apply its
    // CreateTTLTxn (TTL -1); refusing it keeps every replica's tree well-formed.
    if request.opCode == .createTTL && !mode.isTTL { return .failure(.badArguments) }
    guard sessionTable[context.origin.session] != nil else { return .failure(.sessionExpired) }
    guard let parentPath = PathRules.parent(of: request.path) else { return .failure(.badArguments) }
    let acl: [ACL]
    switch Authorization.fixup(request.acl, ids: context.origin.authIds) {
    case .success(let fixed): acl = fixed
    case .failure(let code): return .failure(code)
    }
    guard let parent = header(parentPath) else { return .failure(.noNode) }
    guard Authorization.isAllowed(.create, acl: acls[parent.aclIndex], ids: context.origin.authIds) else {
      return .failure(.noAuth)
    }
    var path = request.path
    if mode.isSequential { path += sequenceSuffix(parent.cversion) }
    guard PathRules.isValid(path) else { return .failure(.badArguments) }
    if nodes[path] != nil { return .failure(.nodeExists) }
    if case .ephemeral = kind(ofOwner: parent.ephemeralOwner) { return .failure(.noChildrenForEphemerals) }

    // As ZooKeeper's transaction types: the op code, not the flags, decides container and TTL
    // (a plain create with the container flag makes a persistent node there too).
    let owner: NodeKind
    switch request.opCode {
    case .createContainer: owner = .container
    case .createTTL: owner = .ttl(ms: ttlMs)
    default: owner = mode.isEphemeral ? .ephemeral(context.origin.session) : .persistent
    }
    context.record(.created(path: path, parent: parentPath, parentCversion: parent.cversion, parentPzxid: parent.pzxid))
    let node = ZNode(
      path: path, data: request.data, aclIndex: acls.retain(acl), zxid: context.zxid, timeMs: context.timeMs,
      ephemeralOwner: owner.ephemeralOwner)
    link(path, node)
    // As ZooKeeper's createNode: the parent's cversion steps and its pzxid becomes this zxid.
    nodes[parentPath]!.cversion = parent.cversion &+ 1
    nodes[parentPath]!.pzxid = context.zxid.rawValue
    context.changes.append(.nodeCreated(path: path))
    return .success((path, node.stat))
  }

  /// delete: DELETE permission on the parent, version check, no children.
  mutating func delete(_ path: String, version: Int32, context: inout ApplyContext) -> Result<Void, ErrorCode> {
    guard sessionTable[context.origin.session] != nil else { return .failure(.sessionExpired) }
    guard let parentPath = PathRules.parent(of: path), !PathRules.isSpecial(path) else {
      return .failure(.badArguments)
    }
    guard let parent = header(parentPath) else { return .failure(.noNode) }
    guard Authorization.isAllowed(.delete, acl: acls[parent.aclIndex], ids: context.origin.authIds) else {
      return .failure(.noAuth)
    }
    guard let node = header(path) else { return .failure(.noNode) }
    guard versionMatches(expected: version, current: node.version) else { return .failure(.badVersion) }
    guard node.childCount == 0 else { return .failure(.notEmpty) }
    removeNode(path, context: &context)
    return .success(())
  }

  /// setData: WRITE permission, version check; version steps, mzxid and mtime change.
  mutating func setData(
    _ path: String, data: [UInt8], version: Int32, context: inout ApplyContext
  ) -> Result<Stat, ErrorCode> {
    guard sessionTable[context.origin.session] != nil else { return .failure(.sessionExpired) }
    guard PathRules.isValid(path) else { return .failure(.badArguments) }
    guard let node = header(path) else { return .failure(.noNode) }
    guard Authorization.isAllowed(.write, acl: acls[node.aclIndex], ids: context.origin.authIds) else {
      return .failure(.noAuth)
    }
    guard versionMatches(expected: version, current: node.version) else { return .failure(.badVersion) }
    if context.undo != nil, let old = nodes[path] {
      context.record(.dataSet(path: path, data: old.data, version: old.version, mzxid: old.mzxid, mtime: old.mtime))
    }
    replaceData(path, with: data)
    nodes[path]!.version = nextVersion(after: node.version)
    nodes[path]!.mzxid = context.zxid.rawValue
    nodes[path]!.mtime = context.timeMs
    context.changes.append(.nodeDataChanged(path: path))
    return .success(nodes[path]!.stat)
  }

  /// setACL: ACL fixed up first, ADMIN permission, aversion check; aversion steps. Fires no
  /// watch, as ZooKeeper.
  mutating func setACL(
    _ path: String, acl: [ACL], version: Int32, context: inout ApplyContext
  ) -> Result<Stat, ErrorCode> {
    guard sessionTable[context.origin.session] != nil else { return .failure(.sessionExpired) }
    guard PathRules.isValid(path) else { return .failure(.badArguments) }
    let fixed: [ACL]
    switch Authorization.fixup(acl, ids: context.origin.authIds) {
    case .success(let value): fixed = value
    case .failure(let code): return .failure(code)
    }
    guard let node = header(path) else { return .failure(.noNode) }
    guard Authorization.isAllowed(.admin, acl: acls[node.aclIndex], ids: context.origin.authIds) else {
      return .failure(.noAuth)
    }
    guard versionMatches(expected: version, current: node.aversion) else { return .failure(.badVersion) }
    precondition(context.undo == nil, "setACL is not a multi operation")
    acls.release(node.aclIndex)
    nodes[path]!.aclIndex = acls.retain(fixed)
    nodes[path]!.aversion = nextVersion(after: node.aversion)
    return .success(nodes[path]!.stat)
  }

  /// check: READ permission and the data version.
  mutating func check(_ path: String, version: Int32, context: inout ApplyContext) -> Result<Stat, ErrorCode> {
    guard sessionTable[context.origin.session] != nil else { return .failure(.sessionExpired) }
    guard PathRules.isValid(path) else { return .failure(.badArguments) }
    guard let node = nodes[path] else { return .failure(.noNode) }
    guard Authorization.isAllowed(.read, acl: acls[node.aclIndex], ids: context.origin.authIds) else {
      return .failure(.noAuth)
    }
    guard versionMatches(expected: version, current: node.version) else { return .failure(.badVersion) }
    return .success(node.stat)
  }

  /// The leader's reapers. ZooKeeper's deleteContainer refuses a node with children
  /// (NOTEMPTY) or an ordinary ephemeral (BADVERSION) and trusts the leader for the rest; here
  /// the whole condition is checked again at apply, because the tree may have changed since the
  /// leader looked: a node that no longer qualifies gets BADVERSION and stays.
  mutating func reap(_ path: String, expiredTTL: Bool, context: inout ApplyContext) -> Result<Void, ErrorCode> {
    guard PathRules.parent(of: path) != nil, !PathRules.isSpecial(path) else { return .failure(.badArguments) }
    guard let node = nodes[path] else { return .failure(.noNode) }
    guard node.children.isEmpty else { return .failure(.notEmpty) }
    let eligible: Bool
    switch kind(ofOwner: node.ephemeralOwner) {
    case .container: eligible = !expiredTTL && node.cversion > 0
    case .ttl(let ttlMs): eligible = expiredTTL && context.timeMs - node.mtime > ttlMs
    case .persistent, .ephemeral: eligible = false
    }
    guard eligible else { return .failure(.badVersion) }
    removeNode(path, context: &context)
    return .success(())
  }

  /// reconfig's effect on the tree (see `Operation.reconfig`).
  mutating func reconfig(data: [UInt8], context: inout ApplyContext) -> Result<Stat, ErrorCode> {
    let path = "/zookeeper/config"
    if context.origin.session != .none {
      guard sessionTable[context.origin.session] != nil else { return .failure(.sessionExpired) }
      guard let node = header(path), Authorization.isAllowed(.write, acl: acls[node.aclIndex], ids: context.origin.authIds)
      else { return .failure(.noAuth) }
    }
    guard nodes[path] != nil else { return .failure(.noNode) }
    replaceData(path, with: data)
    nodes[path]!.version = -1
    nodes[path]!.mzxid = context.zxid.rawValue
    nodes[path]!.mtime = context.timeMs
    context.changes.append(.nodeDataChanged(path: path))
    return .success(nodes[path]!.stat)
  }

  /// Removes a node known to exist and be childless: the parent's pzxid becomes this zxid if
  /// that is larger, and its cversion steps, as a running ZooKeeper 3.8 shows (`stat` of the
  /// parent after a delete; checked by compat/kazoo_compat.py against Apache ZooKeeper).
  mutating func removeNode(_ path: String, context: inout ApplyContext) {
    guard let parentPath = PathRules.parent(of: path), let parent = header(parentPath) else {
      preconditionFailure("\(path) removed without a parent")
    }
    let node = unlink(path)
    context.record(
      .deleted(path: path, node: node, parent: parentPath, parentCversion: parent.cversion, parentPzxid: parent.pzxid))
    nodes[parentPath]!.cversion = parent.cversion &+ 1
    if context.zxid.rawValue > parent.pzxid { nodes[parentPath]!.pzxid = context.zxid.rawValue }
    context.changes.append(.nodeDeleted(path: path))
  }

  /// The sequential suffix: the parent's cversion as `%010d` (a negative cversion gives a
  /// minus sign and nine digits, as Java's formatter).
  func sequenceSuffix(_ cversion: Int32) -> String {
    let digits = String(cversion.magnitude)
    let width = cversion < 0 ? 9 : 10
    let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
    return cversion < 0 ? "-" + padded : padded
  }
}
