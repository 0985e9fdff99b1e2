import DataTree
import RaftCore
import ZooKeeperWire

/// How a request is served.
enum RequestClass {
  /// Goes through the log as this operation.
  case write(Operation)
  /// Waits for a read index, then answers from the tree (`sync`).
  case sync
  /// Answered from the local tree in its turn (or after a read index, with linearizable reads).
  case read
  /// Answered in its turn from connection state: ping, auth, watches.
  case local
  /// Refused without touching anything.
  case invalid(ErrorCode)
}

extension ServerNode {
  func classify(_ request: ClientRequest) -> RequestClass {
    switch request {
    case .create(let r): return .write(.create(createOperation(r, opCode: .create)))
    case .create2(let r): return .write(.create(createOperation(r, opCode: .create2)))
    case .createContainer(let r): return .write(.create(createOperation(r, opCode: .createContainer)))
    case .createTTL(let r):
      return .write(
        .create(
          CreateOperation(
            path: r.path, data: r.data ?? [], acl: r.acl, flags: r.flags, ttlMs: r.ttlMs, opCode: .createTTL)))
    case .delete(let r): return .write(.delete(path: r.path, version: r.version))
    case .setData(let r): return .write(.setData(path: r.path, data: r.data ?? [], version: r.version))
    case .setACL(let r): return .write(.setACL(path: r.path, acl: r.acl, version: r.version))
    case .check(let r): return .write(.check(path: r.path, version: r.version))
    case .multi(let r):
      var operations: [MultiOperation] = []
      operations.reserveCapacity(r.ops.count)
      for op in r.ops {
        switch op {
        case .create(let c): operations.append(.create(createOperation(c, opCode: .create)))
        case .create2(let c): operations.append(.create(createOperation(c, opCode: .create2)))
        case .createContainer(let c): operations.append(.create(createOperation(c, opCode: .createContainer)))
        case .createTTL(let c):
          operations.append(
            .create(
              CreateOperation(
                path: c.path, data: c.data ?? [], acl: c.acl, flags: c.flags, ttlMs: c.ttlMs, opCode: .createTTL)))
        case .delete(let d): operations.append(.delete(path: d.path, version: d.version))
        case .setData(let s): operations.append(.setData(path: s.path, data: s.data ?? [], version: s.version))
        case .check(let c): operations.append(.check(path: c.path, version: c.version))
        case .getData, .getChildren: return .invalid(.badArguments)
        }
      }
      // As ZooKeeper's client, an empty multi is a no-op; answer it without the log.
      if operations.isEmpty { return .local }
      return .write(.multi(operations))
    case .closeSession: return .write(.closeSession(.none))
    case .sync: return .sync
    case .exists, .getData, .getACL, .getChildren, .getChildren2, .getAllChildrenNumber,
      .getEphemerals, .multiRead:
      return .read
    case .ping, .auth, .setWatches, .setWatches2, .addWatch, .removeWatches, .checkWatches, .whoAmI:
      return .local
    case .reconfig: return .invalid(.reconfigDisabled)
    case .sasl: return .invalid(.unimplemented)
    }
  }

  private func createOperation(_ r: ZooKeeperWire.CreateRequest, opCode: OpCode) -> CreateOperation {
    CreateOperation(path: r.path, data: r.data ?? [], acl: r.acl, flags: r.flags, ttlMs: -1, opCode: opCode)
  }

  /// Answers a request that needs no log entry, in its turn. Nil when it cannot be answered yet.
  mutating func answerLocally(_ request: ClientRequest, xid: Xid, client id: ClientID) -> [UInt8]? {
    guard let client = clients[id] else { return nil }
    let ids = client.authIds
    let watcher = client.watcher
    switch request {
    case .ping:
      return replyFrame(xid: xid, err: .ok)
    case .multi:
      return Frame.reply(ReplyHeader(xid: xid, zxid: lastZxid), MultiResponse(results: []))
    case .auth(let packet):
      return authenticate(packet, client: id)
    case .exists(let r):
      if r.watch { watches.addDataWatch(r.path, watcher: watcher) }
      guard let stat = tree.exists(r.path) else { return replyFrame(xid: xid, err: .noNode) }
      return reply(xid, ExistsResponse(stat: stat))
    case .getData(let r):
      switch tree.getData(r.path, ids: ids) {
      case .success(let node):
        if r.watch { watches.addDataWatch(r.path, watcher: watcher) }
        return reply(xid, GetDataResponse(data: node.data, stat: node.stat))
      case .failure(let code):
        return replyFrame(xid: xid, err: code)
      }
    case .getChildren(let r):
      switch tree.getChildren(r.path, ids: ids) {
      case .success(let node):
        if r.watch { watches.addChildWatch(r.path, watcher: watcher) }
        return reply(xid, GetChildrenResponse(children: node.names))
      case .failure(let code):
        return replyFrame(xid: xid, err: code)
      }
    case .getChildren2(let r):
      switch tree.getChildren(r.path, ids: ids) {
      case .success(let node):
        if r.watch { watches.addChildWatch(r.path, watcher: watcher) }
        return reply(xid, GetChildren2Response(children: node.names, stat: node.stat))
      case .failure(let code):
        return replyFrame(xid: xid, err: code)
      }
    case .getACL(let r):
      switch tree.getACL(r.path, ids: ids) {
      case .success(let node): return reply(xid, GetACLResponse(acl: node.acl, stat: node.stat))
      case .failure(let code): return replyFrame(xid: xid, err: code)
      }
    case .getAllChildrenNumber(let r):
      switch tree.getAllChildrenNumber(r.path, ids: ids) {
      case .success(let n): return reply(xid, GetAllChildrenNumberResponse(totalNumber: n))
      case .failure(let code): return replyFrame(xid: xid, err: code)
      }
    case .getEphemerals(let r):
      guard let session = client.session else { return replyFrame(xid: xid, err: .sessionExpired) }
      return reply(xid, GetEphemeralsResponse(ephemerals: tree.getEphemerals(session: session, prefix: r.prefixPath)))
    case .multiRead(let r):
      var results: [MultiResult] = []
      results.reserveCapacity(r.ops.count)
      for op in r.ops {
        switch op {
        case .getData(let g):
          switch tree.getData(g.path, ids: ids) {
          case .success(let node):
            if g.watch { watches.addDataWatch(g.path, watcher: watcher) }
            results.append(.getData(GetDataResponse(data: node.data, stat: node.stat)))
          case .failure(let code): results.append(.error(code))
          }
        case .getChildren(let g):
          switch tree.getChildren(g.path, ids: ids) {
          case .success(let node):
            if g.watch { watches.addChildWatch(g.path, watcher: watcher) }
            results.append(.getChildren(GetChildrenResponse(children: node.names)))
          case .failure(let code): results.append(.error(code))
          }
        default:
          results.append(.error(.badArguments))
        }
      }
      return reply(xid, MultiResponse(results: results))
    case .sync(let r):
      return reply(xid, SyncResponse(path: r.path))
    case .setWatches(let r):
      return resetWatches(
        relativeZxid: r.relativeZxid, data: r.dataWatches, exist: r.existWatches, child: r.childWatches,
        persistent: [], recursive: [], xid: xid, client: id)
    case .setWatches2(let r):
      return resetWatches(
        relativeZxid: r.relativeZxid, data: r.dataWatches, exist: r.existWatches, child: r.childWatches,
        persistent: r.persistentWatches, recursive: r.persistentRecursiveWatches, xid: xid, client: id)
    case .addWatch(let r):
      watches.addWatch(r.path, watcher: watcher, mode: r.mode)
      // As ZooKeeper: the reply carries an ErrorResponse body with err 0.
      return reply(xid, ErrorResponse(err: .ok))
    case .checkWatches(let r):
      let found = watches.contains(r.path, type: r.type, watcher: watcher)
      return replyFrame(xid: xid, err: found ? .ok : .noWatcher)
    case .removeWatches(let r):
      let removed = watches.remove(r.path, type: r.type, watcher: watcher)
      return replyFrame(xid: xid, err: removed ? .ok : .noWatcher)
    case .whoAmI:
      // As ZooKeeper's providers' getUserName: a digest id shows its user name, not the hash.
      let infos = ids.map { id in
        ClientInfo(authScheme: id.scheme, user: id.scheme == "digest" ? String(id.id.prefix { $0 != ":" }) : id.id)
      }
      return reply(xid, WhoAmIResponse(clientInfo: infos))
    case .create, .create2, .createContainer, .createTTL, .delete, .setData, .setACL, .check,
      .closeSession, .reconfig, .sasl:
      preconditionFailure("\(request.opCode) is not answered locally")
    }
  }

  func reply(_ xid: Xid, _ record: some JuteEncodable) -> [UInt8] {
    Frame.reply(ReplyHeader(xid: xid, zxid: lastZxid), record)
  }

  /// `auth` packets: `digest` adds `digest:user:base64(sha1)`; other schemes fail as ZooKeeper
  /// without that provider does (AUTHFAILED, then the connection is closed).
  mutating func authenticate(_ packet: AuthPacket, client id: ClientID) -> [UInt8] {
    let header = { (err: ErrorCode) in Frame.reply(ReplyHeader(xid: .auth, zxid: .zero, err: err)) }
    guard packet.scheme == "digest", let credentials = String(validating: packet.auth, as: UTF8.self),
      credentials.contains(":")
    else {
      close(id, reason: "auth failed for scheme \(packet.scheme)")
      return header(.authFailed)
    }
    let identity = Id(scheme: "digest", id: Authorization.digest(credentials))
    if clients[id]?.authIds.contains(identity) == false { clients[id]?.authIds.append(identity) }
    return header(.ok)
  }

  /// setWatches / setWatches2 after a reconnect: events for what changed since `relativeZxid`
  /// go out first, then the reply (ZooKeeper's order).
  mutating func resetWatches(
    relativeZxid: Zxid, data: [String], exist: [String], child: [String], persistent: [String],
    recursive: [String], xid: Xid, client id: ClientID
  ) -> [UInt8] {
    guard let watcher = clients[id]?.watcher else { return [] }
    let events = watches.setWatches(
      relativeZxid: relativeZxid, dataWatches: data, existWatches: exist, childWatches: child,
      persistentWatches: persistent, persistentRecursiveWatches: recursive, watcher: watcher, tree: tree)
    for event in events {
      send(id, Frame.notification(WatcherEvent(type: event.type, path: event.path), zxid: lastZxid))
    }
    return Frame.reply(ReplyHeader(xid: xid, zxid: lastZxid))
  }
}
