import ZooKeeperWire

/// The outcome of one operation of a committed transaction.
public enum TransactionResult: Hashable, Sendable {
  /// A node was created at this path (relative to the chroot), with this stat.
  case created(CreatedNode)
  /// A node was deleted.
  case deleted
  /// Data was set; the new stat.
  case set(Stat)
  /// A version check passed.
  case checked
}

/// A multi-operation transaction (ZooKeeper's `multi`): every operation applies, atomically
/// under one zxid, or none does.
///
/// Build it with `client.transaction()`, chain operations, then `commit()`:
/// ```swift
/// try await client.transaction()
///   .check("/config", version: 3)
///   .setData("/config", data: new)
///   .create("/config/history-", data: old, mode: .persistentSequential)
///   .commit()
/// ```
public struct Transaction: Sendable {
  let client: GroveClient
  var ops: [MultiOp] = []
  var paths: [String] = []
  var problem: ZooKeeperError?

  init(client: GroveClient) { self.client = client }

  private func adding(_ path: String, sequential: Bool = false, _ make: (String) throws(ZooKeeperError) -> MultiOp) -> Transaction {
    var next = self
    guard next.problem == nil else { return next }
    do {
      next.ops.append(try make(try client.serverPath(path, isSequential: sequential)))
      next.paths.append(path)
    } catch {
      next.problem = error
    }
    return next
  }

  /// Adds a create (any mode but container and TTL need their own ops: both are supported).
  public func create(
    _ path: String, data: [UInt8] = [], mode: CreateMode = .persistent, acl: [ACL] = ACL.openUnsafe,
    ttlMs: Int64? = nil
  ) -> Transaction {
    adding(path, sequential: mode.isSequential) { target throws(ZooKeeperError) in
      if mode.isTTL {
        guard let ttlMs, ttlMs > 0, ttlMs <= GroveClient.ttlMsMax else {
          throw .invalidArgument("a TTL node needs a TTL between 1 and \(GroveClient.ttlMsMax) ms")
        }
        return .createTTL(CreateTTLRequest(path: target, data: data, acl: acl, flags: mode.rawValue, ttlMs: ttlMs))
      }
      let body = CreateRequest(path: target, data: data, acl: acl, mode: mode)
      return mode == .container ? .createContainer(body) : .create2(body)
    }
  }

  /// Adds a delete of `path` at `version` (-1: any).
  public func delete(_ path: String, version: Int32 = -1) -> Transaction {
    adding(path) { .delete(DeleteRequest(path: $0, version: version)) }
  }

  /// Adds a setData of `path` at `version` (-1: any).
  public func setData(_ path: String, data: [UInt8], version: Int32 = -1) -> Transaction {
    adding(path) { .setData(SetDataRequest(path: $0, data: data, version: version)) }
  }

  /// Adds a check that `path` is at data version `version`.
  public func check(_ path: String, version: Int32) -> Transaction {
    adding(path) { .check(CheckVersionRequest(path: $0, version: version)) }
  }

  /// Commits: returns one result per operation, in order.
  /// - Throws: `.server(code, path)` naming the first operation that failed (nothing was
  ///   applied); `.invalidArgument` for an empty transaction; `.invalidPath` for a bad path.
  @discardableResult
  public func commit() async throws(ZooKeeperError) -> [TransactionResult] {
    if let problem { throw problem }
    guard !ops.isEmpty else { throw .invalidArgument("an empty transaction") }
    guard case .multi(let response) = try await client.call(.multi(MultiRequest(ops: ops)), path: nil) else {
      throw .connectionLoss
    }
    var results: [TransactionResult] = []
    for (index, result) in response.results.enumerated() {
      let path = index < paths.count ? paths[index] : nil
      switch result {
      case .create(let r): results.append(.created(CreatedNode(path: client.chroot.clientPath(r.path), stat: Stat())))
      case .create2(let r): results.append(.created(CreatedNode(path: client.chroot.clientPath(r.path), stat: r.stat)))
      case .delete: results.append(.deleted)
      case .setData(let r): results.append(.set(r.stat))
      case .check: results.append(.checked)
      case .error(let code):
        // As ZooKeeper: ops before the failing one report ok, ops after it runtimeInconsistency.
        if code != .ok && code != .runtimeInconsistency { throw .server(code, path: path) }
      case .getData, .getChildren: throw .connectionLoss
      }
    }
    if results.count != ops.count { throw .server(.runtimeInconsistency, path: nil) }
    return results
  }
}

extension GroveClient {
  /// A new, empty transaction on this client.
  public func transaction() -> Transaction { Transaction(client: self) }

  /// Creates `path` and any missing ancestors as persistent nodes (as Curator's
  /// creatingParentsIfNeeded); an existing node is fine. `data` goes to `path` only.
  public func createRecursively(_ path: String, data: [UInt8] = [], mode: CreateMode = .persistent) async throws(ZooKeeperError) {
    _ = try serverPath(path)
    var prefix = ""
    let parts = path.split(separator: "/")
    for (index, part) in parts.enumerated() {
      prefix += "/" + part
      let last = index == parts.count - 1
      do throws(ZooKeeperError) {
        try await create(prefix, data: last ? data : [], mode: last ? mode : .persistent)
      } catch {
        if case .server(.nodeExists, _) = error { continue }
        throw error
      }
    }
  }

  /// Deletes `path` and its whole subtree, children first. Nodes that vanish meanwhile are
  /// fine; nodes created meanwhile may make it fail with `notEmpty`.
  public func deleteRecursively(_ path: String) async throws(ZooKeeperError) {
    let children: [String]
    do throws(ZooKeeperError) {
      children = try await getChildren(path).children
    } catch {
      if case .server(.noNode, _) = error { return }
      throw error
    }
    for child in children {
      try await deleteRecursively(path == "/" ? "/" + child : path + "/" + child)
    }
    if path == "/" { return }
    do throws(ZooKeeperError) {
      try await delete(path)
    } catch {
      if case .server(.noNode, _) = error { return }
      throw error
    }
  }
}
