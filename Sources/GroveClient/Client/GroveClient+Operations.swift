import ZooKeeperWire

extension GroveClient {
  /// The largest TTL ZooKeeper accepts (2^40 - 1 ms).
  public static let ttlMsMax: Int64 = (1 << 40) - 1

  /// Creates a node at `path` in `mode` and returns its actual path and stat.
  ///
  /// Containers use createContainer; TTL modes need `ttlMs` (1 ... 2^40-1) and a server with
  /// extended types enabled. Sequential modes append the parent's 10-digit counter.
  /// - Throws: `.server(.nodeExists / .noNode / .noChildrenForEphemerals / ...)`, or before
  ///   sending `.invalidPath`, `.invalidArgument` (TTL), `.requestTooLarge`.
  @discardableResult
  public func create(
    _ path: String, data: [UInt8] = [], mode: CreateMode = .persistent, acl: [ACL] = ACL.openUnsafe,
    ttlMs: Int64? = nil
  ) async throws(ZooKeeperError) -> CreatedNode {
    let target = try serverPath(path, isSequential: mode.isSequential)
    let request: ClientRequest
    if mode.isTTL {
      guard let ttlMs, ttlMs > 0, ttlMs <= Self.ttlMsMax else {
        throw .invalidArgument("a TTL node needs a TTL between 1 and \(Self.ttlMsMax) ms")
      }
      request = .createTTL(CreateTTLRequest(path: target, data: data, acl: acl, flags: mode.rawValue, ttlMs: ttlMs))
    } else {
      guard ttlMs == nil else { throw .invalidArgument("a TTL is only valid for TTL modes") }
      let body = CreateRequest(path: target, data: data, acl: acl, mode: mode)
      request = mode == .container ? .createContainer(body) : .create2(body)
    }
    guard case .create2(let response) = try await call(request, path: path) else { throw .connectionLoss }
    return CreatedNode(path: chroot.clientPath(response.path), stat: response.stat)
  }

  /// Deletes the node at `path` if its version is `version` (-1: any).
  /// - Throws: `.server(.noNode / .notEmpty / .badVersion)`.
  public func delete(_ path: String, version: Int32 = -1) async throws(ZooKeeperError) {
    _ = try await call(.delete(DeleteRequest(path: try serverPath(path), version: version)), path: path)
  }

  /// The node's stat, or nil when it does not exist.
  public func exists(_ path: String) async throws(ZooKeeperError) -> Stat? {
    do throws(ZooKeeperError) {
      guard case .exists(let r) = try await call(.exists(ExistsRequest(path: try serverPath(path))), path: path) else {
        throw ZooKeeperError.connectionLoss
      }
      return r.stat
    } catch {
      if case .server(.noNode, _) = error { return nil }
      throw error
    }
  }

  /// The node's stat (nil if absent) and a one-shot watch that fires when it is created,
  /// deleted or its data changes (armed even when the node does not exist, as ZooKeeper).
  public func watchExists(_ path: String) async throws(ZooKeeperError) -> (stat: Stat?, watch: OneShotWatch) {
    let target = try serverPath(path)
    let watch = OneShotWatch()
    let registration = WatchRegistration(token: takeWatcherToken(), serverPath: target, kind: .exist)
    do throws(ZooKeeperError) {
      let response = try await call(
        .exists(ExistsRequest(path: target, watch: true)), path: path, watch: (registration, .oneShot(watch)))
      guard case .exists(let r) = response else { throw ZooKeeperError.connectionLoss }
      return (r.stat, watch)
    } catch {
      if case .server(.noNode, _) = error { return (nil, watch) }
      throw error
    }
  }

  /// The node's data and stat; with `watch`, also a one-shot watch that fires on the next data
  /// change or deletion.
  /// - Throws: `.server(.noNode)` when the node does not exist (no watch is then armed).
  public func getData(_ path: String, watch: Bool = false) async throws(ZooKeeperError) -> NodeData {
    let target = try serverPath(path)
    var armed: (WatchRegistration, WatchSink)?
    var oneShot: OneShotWatch?
    if watch {
      let w = OneShotWatch()
      oneShot = w
      armed = (WatchRegistration(token: takeWatcherToken(), serverPath: target, kind: .data), .oneShot(w))
    }
    let response = try await call(.getData(GetDataRequest(path: target, watch: watch)), path: path, watch: armed)
    guard case .getData(let r) = response else { throw .connectionLoss }
    return NodeData(data: r.data ?? [], stat: r.stat, watch: oneShot)
  }

  /// Replaces the node's data if its version is `version` (-1: any); returns the new stat.
  /// - Throws: `.server(.noNode / .badVersion)`; `.requestTooLarge` before sending.
  @discardableResult
  public func setData(_ path: String, data: [UInt8], version: Int32 = -1) async throws(ZooKeeperError) -> Stat {
    let response = try await call(.setData(SetDataRequest(path: try serverPath(path), data: data, version: version)), path: path)
    guard case .setData(let r) = response else { throw .connectionLoss }
    return r.stat
  }

  /// The node's children (sorted names) and stat; with `watch`, also a one-shot watch that
  /// fires when a child is created or deleted, or the node is deleted.
  public func getChildren(_ path: String, watch: Bool = false) async throws(ZooKeeperError) -> ChildList {
    let target = try serverPath(path)
    var armed: (WatchRegistration, WatchSink)?
    var oneShot: OneShotWatch?
    if watch {
      let w = OneShotWatch()
      oneShot = w
      armed = (WatchRegistration(token: takeWatcherToken(), serverPath: target, kind: .child), .oneShot(w))
    }
    let response = try await call(.getChildren2(GetChildren2Request(path: target, watch: watch)), path: path, watch: armed)
    guard case .getChildren2(let r) = response else { throw .connectionLoss }
    return ChildList(children: r.children.sorted(), stat: r.stat, watch: oneShot)
  }

  /// The number of descendants of `path` (not counting itself).
  public func getAllChildrenNumber(_ path: String) async throws(ZooKeeperError) -> Int {
    let response = try await call(.getAllChildrenNumber(GetAllChildrenNumberRequest(path: try serverPath(path))), path: path)
    guard case .getAllChildrenNumber(let r) = response else { throw .connectionLoss }
    return Int(r.totalNumber)
  }

  /// The paths of this session's ephemeral nodes under `prefix` (sorted, relative to the chroot).
  public func getEphemerals(prefix: String = "/") async throws(ZooKeeperError) -> [String] {
    let response = try await call(.getEphemerals(GetEphemeralsRequest(prefixPath: try serverPath(prefix))), path: prefix)
    guard case .getEphemerals(let r) = response else { throw .connectionLoss }
    return r.ephemerals.map { chroot.clientPath($0) }.sorted()
  }

  /// The node's ACL and stat.
  public func getACL(_ path: String) async throws(ZooKeeperError) -> (acl: [ACL], stat: Stat) {
    let response = try await call(.getACL(GetACLRequest(path: try serverPath(path))), path: path)
    guard case .getACL(let r) = response else { throw .connectionLoss }
    return (r.acl, r.stat)
  }

  /// Replaces the node's ACL if its ACL version is `version` (-1: any); returns the new stat.
  @discardableResult
  public func setACL(_ path: String, acl: [ACL], version: Int32 = -1) async throws(ZooKeeperError) -> Stat {
    let response = try await call(.setACL(SetACLRequest(path: try serverPath(path), acl: acl, version: version)), path: path)
    guard case .setACL(let r) = response else { throw .connectionLoss }
    return r.stat
  }

  /// Waits until the server this client talks to has caught up with the leader for `path`.
  public func sync(_ path: String = "/") async throws(ZooKeeperError) {
    _ = try await call(.sync(SyncRequest(path: try serverPath(path))), path: path)
  }

  /// Adds credentials to the session (e.g. scheme "digest", auth "user:password"); they are
  /// replayed on every reconnect.
  /// - Throws: `.authFailed` when the server rejects them (the session then ends).
  public func addAuth(scheme: String, auth: [UInt8]) async throws(ZooKeeperError) {
    _ = try await call(.auth(AuthPacket(scheme: scheme, auth: auth)), path: nil)
  }

  /// The identities the server associates with this session.
  public func whoAmI() async throws(ZooKeeperError) -> [ClientInfo] {
    guard case .whoAmI(let r) = try await call(.whoAmI, path: nil) else { throw .connectionLoss }
    return r.clientInfo
  }

  /// Runs reads together; each succeeds or fails on its own (ZooKeeper's multiRead is not a
  /// snapshot).
  public func multiRead(_ reads: [ReadOperation]) async throws(ZooKeeperError) -> [ReadOutcome] {
    guard !reads.isEmpty else { return [] }
    var ops: [MultiOp] = []
    for read in reads {
      switch read {
      case .getData(let p): ops.append(.getData(GetDataRequest(path: try serverPath(p))))
      case .getChildren(let p): ops.append(.getChildren(GetChildrenRequest(path: try serverPath(p))))
      }
    }
    guard case .multi(let r) = try await call(.multiRead(MultiRequest(ops: ops)), path: nil) else {
      throw .connectionLoss
    }
    return r.results.map { result in
      switch result {
      case .getData(let d): return .data(d.data ?? [], d.stat)
      case .getChildren(let c): return .children(c.children.sorted())
      case .error(let code): return .failed(code)
      default: return .failed(.marshallingError)
      }
    }
  }

  /// Sets a persistent watch on `path` (recursive: on the subtree) and returns its events as
  /// an `AsyncSequence`. It stays armed until removed, across reconnects.
  public func watch(_ path: String, recursive: Bool = false) async throws(ZooKeeperError) -> PersistentWatch {
    let target = try serverPath(path)
    let token = takeWatcherToken()
    let (stream, continuation) = AsyncThrowingStream.makeStream(of: WatchedEvent.self, throwing: (any Error).self)
    let registration = WatchRegistration(
      token: token, serverPath: target, kind: recursive ? .persistentRecursive : .persistent)
    let remove: @Sendable () -> Void = { [loop, bound = driver] in
      loop.execute { bound.value.removeWatcher(token) }
      continuation.finish()
    }
    continuation.onTermination = { _ in remove() }
    _ = try await call(
      .addWatch(AddWatchRequest(path: target, mode: recursive ? .persistentRecursive : .persistent)), path: path,
      watch: (registration, .stream(continuation)))
    return PersistentWatch(stream: stream, removal: remove)
  }

  /// Removes this session's watches of `type` on `path` at the server (removeWatches).
  /// - Throws: `.server(.noWatcher)` when there is none.
  public func removeWatches(_ path: String, type: WatcherType = .any) async throws(ZooKeeperError) {
    _ = try await call(.removeWatches(RemoveWatchesRequest(path: try serverPath(path), type: type)), path: path)
  }
}
