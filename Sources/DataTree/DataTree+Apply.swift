import ZooKeeperWire

extension DataTree {
  /// Applies one committed command at `zxid` and returns the reply and the tree changes.
  ///
  /// Deterministic: the same tree and command give the same result on every replica. Outcomes
  /// such as NODEEXISTS are replies, not errors, decided here exactly as ZooKeeper's
  /// PrepRequestProcessor and DataTree decide them. Several commands may share a zxid (one log
  /// entry may carry many), so `zxid` must not be below `lastAppliedZxid`.
  ///
  /// A command whose connection is the one of its session's last applied request and whose xid
  /// is not after that request's xid is a duplicate (a re-proposal): it changes nothing and
  /// replies `.duplicate`. A command from another connection is never a duplicate (clients
  /// restart xids on reconnect), so the server must not re-propose a closed connection's
  /// requests once the session has moved on.
  public mutating func apply(_ command: Command, zxid: Zxid) -> ApplyResult {
    precondition(zxid >= lastAppliedZxid, "zxid \(zxid) applied after \(lastAppliedZxid)")
    lastAppliedZxid = zxid
    if isDuplicate(command.origin) {
      return ApplyResult(zxid: zxid, reply: .duplicate, changes: [])
    }
    var context = ApplyContext(zxid: zxid, timeMs: command.timeMs, origin: command.origin)
    let reply: Reply
    switch command.operation {
    case .createSession(let id, let password, let timeoutMs):
      // 0, the container marker and (with extended types) TTL-shaped ids cannot own
      // ephemerals: ephemeralOwner could not tell them apart.
      guard case .ephemeral = kind(ofOwner: id.rawValue) else {
        return ApplyResult(zxid: zxid, reply: .failed(.badArguments), changes: [])
      }
      if sessionTable[id] == nil {
        sessionTable[id] = SessionRecord(timeoutMs: timeoutMs, password: password, ephemerals: [], lastRequest: nil)
      }
      reply = .sessionCreated(id)
    case .closeSession(let id):
      closeSession(id, context: &context)
      reply = .sessionClosed(id)
    case .create(let request):
      reply = DataTree.reply(create(request, context: &context)) { .created(path: $0.path, stat: $0.stat) }
    case .delete(let path, let version):
      reply = DataTree.reply(delete(path, version: version, context: &context)) { .deleted }
    case .setData(let path, let data, let version):
      reply = DataTree.reply(setData(path, data: data, version: version, context: &context)) { .dataSet($0) }
    case .setACL(let path, let acl, let version):
      reply = DataTree.reply(setACL(path, acl: acl, version: version, context: &context)) { .aclSet($0) }
    case .check(let path, let version):
      reply = DataTree.reply(check(path, version: version, context: &context)) { .checked($0) }
    case .multi(let operations):
      reply = .multi(multi(operations, context: &context))
    case .deleteContainer(let path):
      reply = DataTree.reply(reap(path, expiredTTL: false, context: &context)) { .deleted }
    case .deleteExpiredTTL(let path):
      reply = DataTree.reply(reap(path, expiredTTL: true, context: &context)) { .deleted }
    case .reconfig(let data):
      reply = DataTree.reply(reconfig(data: data, context: &context)) { .dataSet($0) }
    }
    recordXid(command.origin)
    acls.collect()
    return ApplyResult(zxid: zxid, reply: reply, changes: context.changes)
  }

  /// Static on purpose: calling an instance method with a mutating call in its arguments would
  /// retain `self` first, and the mutation would then copy the whole tree (copy-on-write).
  private static func reply<T>(_ result: Result<T, ErrorCode>, _ success: (T) -> Reply) -> Reply {
    switch result {
    case .success(let value): return success(value)
    case .failure(let code): return .failed(code)
    }
  }

  // MARK: Sessions

  /// Closes `id`: deletes its ephemerals (in path order, so every replica fires the same
  /// events in the same order), then forgets the session. An unknown session is a no-op.
  private mutating func closeSession(_ id: SessionID, context: inout ApplyContext) {
    // Sort into a separate array rather than holding the record: holding it would make every
    // removal below copy the session's ephemeral set.
    guard let paths = sessionTable[id]?.ephemerals.sorted(by: PathRules.precedes) else { return }
    for path in paths {
      removeNode(path, context: &context)
    }
    sessionTable[id] = nil
  }

  /// Whether `origin` repeats a request its session already applied on the same connection
  /// (serial-number order over ZooKeeper's xid range 1...Int32.max, which the Java client wraps
  /// around).
  private func isDuplicate(_ origin: Origin) -> Bool {
    guard let connection = origin.connection, let xid = origin.xid?.rawValue,
      let last = sessionTable[origin.session]?.lastRequest, last.connection == connection
    else { return false }
    let ring = Int64(Int32.max)
    let distance = ((Int64(xid) - Int64(last.xid)) % ring + ring) % ring
    return distance == 0 || distance > ring / 2
  }

  private mutating func recordXid(_ origin: Origin) {
    guard let connection = origin.connection, let xid = origin.xid, sessionTable[origin.session] != nil else { return }
    sessionTable[origin.session]!.lastRequest = AppliedRequest(connection: connection, xid: xid.rawValue)
  }

  // MARK: Multi

  /// ZooKeeper's multi: operations run in order under one zxid, each seeing the earlier ones'
  /// effects. On the first failure everything is rolled back and the results are: OK for the
  /// operations before, the failing code, RUNTIMEINCONSISTENCY for the ones after.
  private mutating func multi(_ operations: [MultiOperation], context: inout ApplyContext) -> [MultiOutcome] {
    context.undo = []
    defer { context.undo = nil }
    var results: [MultiOutcome] = []
    results.reserveCapacity(operations.count)
    for (index, operation) in operations.enumerated() {
      let outcome: Result<MultiOutcome, ErrorCode>
      switch operation {
      case .create(let request):
        outcome = create(request, context: &context).map { .created(path: $0.path, stat: $0.stat) }
      case .delete(let path, let version):
        outcome = delete(path, version: version, context: &context).map { .deleted }
      case .setData(let path, let data, let version):
        outcome = setData(path, data: data, version: version, context: &context).map { .dataSet($0) }
      case .check(let path, let version):
        outcome = check(path, version: version, context: &context).map { _ in .checked }
      }
      switch outcome {
      case .success(let result):
        results.append(result)
      case .failure(let code):
        rollBack(context.undo ?? [])
        context.changes = []
        return operations.indices.map { i in
          i < index ? .error(.ok) : i == index ? .error(code) : .error(.runtimeInconsistency)
        }
      }
    }
    return results
  }

  /// Undoes the steps of a failed multi, newest first.
  private mutating func rollBack(_ steps: [UndoStep]) {
    for step in steps.reversed() {
      switch step {
      case .created(let path, let parentPath, let cversion, let pzxid):
        unlink(path)
        nodes[parentPath]!.cversion = cversion
        nodes[parentPath]!.pzxid = pzxid
      case .deleted(let path, let node, let parentPath, let cversion, let pzxid):
        acls.retain(index: node.aclIndex)
        link(path, node)
        nodes[parentPath]!.cversion = cversion
        nodes[parentPath]!.pzxid = pzxid
      case .dataSet(let path, let data, let version, let mzxid, let mtime):
        replaceData(path, with: data)
        nodes[path]!.version = version
        nodes[path]!.mzxid = mzxid
        nodes[path]!.mtime = mtime
      }
    }
  }
}

/// The state one apply threads through its operations.
struct ApplyContext {
  let zxid: Zxid
  let timeMs: Int64
  let origin: Origin
  var changes: [TreeChange] = []
  /// Non-nil inside a multi: how to undo each step taken so far.
  var undo: [UndoStep]?

  init(zxid: Zxid, timeMs: Int64, origin: Origin) {
    self.zxid = zxid
    self.timeMs = timeMs
    self.origin = origin
  }

  mutating func record(_ step: @autoclosure () -> UndoStep) {
    if undo != nil { undo!.append(step()) }
  }
}

/// How to undo one step of a multi.
enum UndoStep {
  case created(path: String, parent: String, parentCversion: Int32, parentPzxid: Int64)
  case deleted(path: String, node: ZNode, parent: String, parentCversion: Int32, parentPzxid: Int64)
  case dataSet(path: String, data: [UInt8], version: Int32, mzxid: Int64, mtime: Int64)
}
