import DataTree
import RaftCore
import ZooKeeperWire

extension ServerNode {
  /// Proposes this turn's commands as one entry. Returns false when Raft refused them (not the
  /// leader, or too much uncommitted): their requesters get `connectionLoss` and the
  /// connections close, as the outcome is then unknown to them.
  @discardableResult
  mutating func flushProposals() -> Bool {
    guard !proposalBuffer.isEmpty else { return true }
    let commands = proposalBuffer
    proposalBuffer.removeAll(keepingCapacity: true)
    do {
      let index = try raft.propose(CommandBatch.encode(commands))
      noteHandedOver(commands)
      if proposed.count < 100_000 { proposed[index] = Proposal(atMs: clockMs, term: raft.term, commands: commands) }
      stats.proposals += 1
      stats.commandsProposed += UInt64(commands.count)
      return true
    } catch {
      log(.warn, "proposal of \(commands.count) commands refused: \(error)")
      for command in commands { failProposal(command) }
      return false
    }
  }

  /// A command that never made it into the log: its connection is closed so the client learns
  /// the outcome is unknown and retries elsewhere.
  mutating func failProposal(_ command: Command) {
    let session = command.origin.session
    if let id = sessionClients[session] ?? sessionCreations[session] {
      close(id, reason: "proposal refused")
    }
    if case .closeSession(let target) = command.operation { sessionsClosing.remove(target) }
  }

  /// Takes Raft's next batch of work, if any and if none is being persisted.
  mutating func processReady() {
    while readyInFlight == nil && raft.hasReady {
      let ready = raft.ready()
      noteSoftState(ready.softState)
      for message in ready.messages { actions.append(.sendPeer(message)) }
      if let snapshot = ready.snapshot { restore(from: snapshot) }
      for entry in ready.committedEntries { apply(entry) }
      for state in ready.readStates { readIndexArrived(state) }
      if !ready.committedEntries.isEmpty { serveReadIndexes() }
      if ready.mustSync {
        readyInFlight = ready
        actions.append(.persist(PersistWork(snapshot: ready.snapshot, entries: ready.entries, hardState: ready.hardState)))
      } else {
        for message in ready.messagesAfterPersist { actions.append(.sendPeer(message)) }
        raft.advance(ready)
      }
    }
    maybeSnapshot()
  }

  mutating func noteSoftState(_ soft: SoftState) {
    // A pre-candidate keeps its old leader's id but has stopped hearing from it: leaderless too.
    if soft.lead == .none || soft.role == .preCandidate || soft.role == .candidate {
      if leaderlessSinceMs == nil { leaderlessSinceMs = clockMs }
    } else {
      leaderlessSinceMs = nil
    }
    guard soft.role != role || soft.lead != leader else { return }
    let wasLeader = role == .leader
    let newLeader = soft.lead != leader && soft.lead != .none
    role = soft.role
    leader = soft.lead
    log(.info, "raft role \(soft.role), leader \(soft.lead), term \(raft.term)")
    if role == .leader && !wasLeader {
      stats.leaderElections += 1
      grantFreshSessionTimeouts()
    } else if wasLeader && role != .leader {
      proposed.removeAll()
      sessionDeadlines.removeAll()
      sessionsClosing.removeAll()
    }
    if newLeader || (wasLeader && role != .leader) {
      abandonHandedOver()
    }
    if newLeader {
      retryAllReadIndexes()
    }
  }

  /// Applies one committed entry: every command in it, in order, each at its own zxid.
  mutating func apply(_ entry: Entry) {
    defer { appliedIndex = entry.index }
    bytesSinceSnapshot += entry.sizeBytes
    // One transaction per command, as ZooKeeper counts them (each further command of the batch
    // adds one below); an entry without commands (no-op, membership change) counts as one.
    transactionsSinceSnapshot += 1
    let own = proposed.removeValue(forKey: entry.index)
    if let own { stats.recordCommitLatency(clockMs - own.atMs) }
    guard entry.kind == .normal else {
      lastZxid = CommandBatch.zxid(index: entry.index.rawValue, position: 0)
      return
    }
    let commands: [Command]
    do {
      // A leader never overwrites its own entries, so an entry of the term it proposed in holds
      // exactly the commands it encoded.
      if let own, own.term == entry.term {
        commands = own.commands
      } else {
        commands = try CommandBatch.decode(entry.data)
      }
    } catch {
      // Every replica has the same bytes here; going on would apply something else than they do.
      preconditionFailure("committed entry \(entry.index) does not decode: \(error)")
    }
    if commands.isEmpty {
      lastZxid = CommandBatch.zxid(index: entry.index.rawValue, position: 0)
      return
    }
    for (position, command) in commands.enumerated() {
      let zxid = CommandBatch.zxid(index: entry.index.rawValue, position: position)
      lastZxid = zxid
      let result = tree.apply(command, zxid: zxid)
      stats.commandsApplied += 1
      if position > 0 { transactionsSinceSnapshot += 1 }
      if !handedOver.isEmpty, let key = InFlightKey(command.origin) { handedOver[key] = nil }
      deliverEvents(for: result)
      complete(command, result)
    }
  }

  /// Watch events go out at once, so they precede any later reply on the same connection.
  mutating func deliverEvents(for result: ApplyResult) {
    guard !result.changes.isEmpty else { return }
    for event in watches.trigger(result.changes) {
      let id = ClientID(event.watcher.rawValue)
      guard clients[id] != nil else { continue }
      send(id, Frame.notification(WatcherEvent(type: event.type, path: event.path), zxid: result.zxid))
    }
  }

  /// Answers the requester of an applied command if it is connected here.
  mutating func complete(_ command: Command, _ result: ApplyResult) {
    switch result.reply {
    case .sessionCreated(let session):
      guard let id = sessionCreations.removeValue(forKey: session), let info = tree.session(session) else { return }
      if clients[id] != nil {
        attach(session, timeoutMs: info.timeoutMs, password: info.password, client: id)
      }
      return
    case .sessionClosed(let session):
      sessionsClosing.remove(session)

      sessionDeadlines[session] = nil
      let requester = ownRequester(command)
      if let id = sessionClients.removeValue(forKey: session) {
        if let (client, xid) = requester, client == id {
          finishWrite(client: id, xid: xid, bytes: Frame.reply(ReplyHeader(xid: xid, zxid: result.zxid)))
        } else {
          close(id, reason: "session \(session) expired")
        }
      }
      return
    default:
      break
    }
    guard let (id, xid) = ownRequester(command) else { return }
    guard case .duplicate = result.reply else {
      finishWrite(client: id, xid: xid, bytes: replyBytes(for: command, result, xid: xid))
      return
    }
  }

  /// The local connection and xid that asked for `command`, if that connection is still open
  /// here. Matched by connection identity, never reused, since clients reuse xids after a
  /// reconnect.
  func ownRequester(_ command: Command) -> (ClientID, Xid)? {
    guard let connection = command.origin.connection, let xid = command.origin.xid,
      let id = connectionsByIdentity[connection]
    else { return nil }
    return (id, xid)
  }

  mutating func finishWrite(client id: ClientID, xid: Xid, bytes: [UInt8]) {
    guard let index = clients[id]?.indexOfProposedWrite(xid: xid) else { return }
    clients[id]?.queue[index].state = .done(bytes)
    drain(id)
  }

  /// The wire reply for an applied write.
  func replyBytes(for command: Command, _ result: ApplyResult, xid: Xid) -> [UInt8] {
    let header = ReplyHeader(xid: xid, zxid: result.zxid)
    switch result.reply {
    case .failed(let code):
      return Frame.reply(ReplyHeader(xid: xid, zxid: result.zxid, err: code))
    case .created(let path, let stat):
      if case .create(let request) = command.operation, request.opCode == .create {
        return Frame.reply(header, CreateResponse(path: path))
      }
      return Frame.reply(header, Create2Response(path: path, stat: stat))
    case .deleted:
      return Frame.reply(header)
    case .dataSet(let stat), .checked(let stat):
      return Frame.reply(header, SetDataResponse(stat: stat))
    case .aclSet(let stat):
      return Frame.reply(header, SetACLResponse(stat: stat))
    case .multi(let outcomes):
      guard case .multi(let operations) = command.operation else { return Frame.reply(header) }
      var results: [MultiResult] = []
      results.reserveCapacity(outcomes.count)
      for (operation, outcome) in zip(operations, outcomes) {
        switch outcome {
        case .created(let path, let stat):
          if case .create(let request) = operation, request.opCode == .create {
            results.append(.create(CreateResponse(path: path)))
          } else {
            results.append(.create2(Create2Response(path: path, stat: stat)))
          }
        case .deleted: results.append(.delete)
        case .dataSet(let stat): results.append(.setData(SetDataResponse(stat: stat)))
        case .checked: results.append(.check)
        case .error(let code): results.append(.error(code))
        }
      }
      return Frame.reply(header, MultiResponse(results: results))
    case .sessionCreated, .sessionClosed, .duplicate:
      return Frame.reply(header)
    }
  }

  /// Replaces the tree with a snapshot from the leader. Watches cannot be carried across such a
  /// jump, so local clients are disconnected: they reconnect and re-send their watches, and
  /// setWatches fires whatever changed (ZooKeeper's clients do this on any reconnect).
  mutating func restore(from snapshot: Snapshot) {
    do {
      tree =
        snapshot.data.isEmpty
        ? DataTree(configuration: tree.configuration)
        : try DataTree(snapshot: snapshot.data, configuration: tree.configuration)
    } catch {
      preconditionFailure("snapshot at \(snapshot.metadata.index) from the leader does not decode: \(error)")
    }
    appliedIndex = snapshot.metadata.index
    lastSnapshotIndex = snapshot.metadata.index
    bytesSinceSnapshot = 0
    transactionsSinceSnapshot = 0
    lastZxid = CommandBatch.zxid(index: snapshot.metadata.index.rawValue, position: CommandBatch.commandsMax - 1)
    for id in clients.keys.sorted() { close(id, reason: "state replaced by a snapshot") }
    log(.info, "restored snapshot at index \(snapshot.metadata.index)")
  }

  /// After `snapshotTransactions` applied commands or `snapshotBytes` of entries, asks the shell
  /// to save the tree as a snapshot.
  mutating func maybeSnapshot() {
    guard transactionsSinceSnapshot >= snapshotTransactions || bytesSinceSnapshot >= snapshotBytes,
      appliedIndex > lastSnapshotIndex,
      let term = raft.term(at: appliedIndex)
    else { return }
    lastSnapshotIndex = appliedIndex
    bytesSinceSnapshot = 0
    transactionsSinceSnapshot = 0
    let metadata = SnapshotMetadata(index: appliedIndex, term: term, confState: raft.confState)
    actions.append(.saveSnapshot(metadata, tree))
  }
}

/// An entry this node proposed as leader.
struct Proposal {
  var atMs: Int64
  var term: Term
  var commands: [Command]
}
