import DataTree
import RaftCore
import ServerCore
import ZooKeeperWire

/// Three (or more) `ServerNode`s joined by an in-memory network, driven by ticks: the real core,
/// deterministic, with nodes that can be cut off and brought back.
struct ClusterHarness {
  var nodes: [NodeID: ServerNode] = [:]
  var storages: [NodeID: MemoryStorage] = [:]
  var nowMs: Int64 = 5_000_000
  var inbox: [NodeID: [ClientID: [UInt8]]] = [:]
  var closed: [NodeID: Set<ClientID>] = [:]
  /// Nodes whose messages (both ways) are dropped.
  var isolated: Set<NodeID> = []
  var nextClient: UInt64 = 1
  let ids: [NodeID]

  init(size: Int = 3, configure: (inout ServerNodeConfig) -> Void = { _ in }) {
    ids = (1...size).map { NodeID(UInt64($0)) }
    for id in ids {
      var config = ServerNodeConfig(nodeID: id)
      config.tickMs = 100
      config.electionTicks = 10
      configure(&config)
      let storage = MemoryStorage.bootstrap(ConfState(voters: ids))
      var raftConfig = RaftConfig(id: id, randomSeed: 100 + id.rawValue)
      raftConfig.electionTicks = 10
      raftConfig.applied = LogIndex(1)
      storages[id] = storage
      nodes[id] = try! ServerNode(config: config, raftConfig: raftConfig, storage: storage, tree: DataTree(), nowMs: nowMs)
    }
  }

  var leader: NodeID? { ids.first { nodes[$0]!.isLeader && !isolated.contains($0) } }

  /// Runs `ms` of simulated time in ticks, delivering everything between ticks.
  mutating func run(ms: Int64) {
    for _ in 0..<(ms / 100) {
      nowMs += 100
      for id in ids { nodes[id]!.tick(nowMs: nowMs) }
      settle()
    }
  }

  /// Runs until some node leads (bounded).
  mutating func electLeader() -> NodeID {
    for _ in 0..<100 {
      if let leader { return leader }
      run(ms: 100)
    }
    preconditionFailure("no leader after 10 s of simulated time")
  }

  /// Delivers messages and completes persistence until no node has anything left to do.
  mutating func settle() {
    for _ in 0..<10_000 {
      var progressed = false
      for id in ids {
        nodes[id]!.endOfTurn(nowMs: nowMs)
        let actions = nodes[id]!.takeActions()
        if !actions.isEmpty { progressed = true }
        for action in actions { perform(action, at: id) }
      }
      if !progressed { return }
    }
    preconditionFailure("the cluster never settles")
  }

  mutating func perform(_ action: ServerAction, at id: NodeID) {
    switch action {
    case .send(let client, let bytes): inbox[id, default: [:]][client, default: []] += bytes
    case .close(let client):
      closed[id, default: []].insert(client)
      nodes[id]!.clientClosed(client, nowMs: nowMs)
    case .pauseReading, .resumeReading, .log, .saveSnapshot: break
    case .sendPeer(let message):
      guard deliverable(from: id, to: message.to) else { return }
      nodes[message.to]!.peerMessage(message, nowMs: nowMs)
    case .forward(let to, let payload):
      // As the shell: a forward that cannot be queued on the link goes back to the node.
      guard deliverable(from: id, to: to) else {
        nodes[id]!.forwardUndelivered(payload: payload, nowMs: nowMs)
        return
      }
      nodes[to]!.peerForwarded(from: id, payload: payload, nowMs: nowMs)
    case .sessionActivity(let to, let sessions):
      guard deliverable(from: id, to: to) else { return }
      nodes[to]!.peerSessionActivity(from: id, sessions: sessions, nowMs: nowMs)
    case .persist(let work):
      let storage = storages[id]!
      if let snapshot = work.snapshot { storage.applySnapshot(snapshot) }
      if !work.entries.isEmpty { storage.append(work.entries) }
      if let hardState = work.hardState { storage.setHardState(hardState) }
      nodes[id]!.persisted(nowMs: nowMs)
    }
  }

  func deliverable(from: NodeID, to: NodeID) -> Bool {
    !isolated.contains(from) && !isolated.contains(to) && nodes[to] != nil
  }

  mutating func connect(to node: NodeID) -> ClientID {
    let id = ClientID(nextClient)
    nextClient += 1
    nodes[node]!.clientConnected(id, address: "127.0.0.1", port: UInt16(30000 + id.rawValue), nowMs: nowMs)
    return id
  }

  mutating func send(_ node: NodeID, _ client: ClientID, _ bytes: [UInt8]) {
    nodes[node]!.clientBytes(client, bytes, nowMs: nowMs)
    settle()
  }

  mutating func openSession(on node: NodeID, timeoutMs: Int32 = 10_000) -> (ClientID, ConnectResponse)? {
    let (client, frames) = reconnect(to: node, timeoutMs: timeoutMs)
    guard let frame = frames.first else { return nil }
    var reader = JuteReader(frame)
    return (client, try! reader.read(ConnectResponse.self))
  }

  /// A new connection to `node` that sends a ConnectRequest (resuming `session` when given) and
  /// returns the connection with the frames that came back.
  mutating func reconnect(
    to node: NodeID, session: SessionID = .none, password: [UInt8] = [UInt8](repeating: 0, count: 16),
    lastZxid: Zxid = .zero, timeoutMs: Int32 = 10_000
  ) -> (ClientID, [[UInt8]]) {
    let client = connect(to: node)
    send(
      node, client,
      Frame.record(
        ConnectRequest(protocolVersion: 0, lastZxidSeen: lastZxid, timeOutMs: timeoutMs, sessionID: session, passwd: password, readOnly: nil)))
    return (client, takeFrames(node, client))
  }

  /// Pings `client` on `node` every 100 ms of `ms` simulated ms; returns the xids of every reply.
  mutating func pingAndCollect(_ node: NodeID, _ client: ClientID, ms: Int64) -> [Xid] {
    var xids: [Xid] = []
    for _ in 0..<(ms / 100) {
      run(ms: 100)
      send(node, client, Frame.request(xid: .ping, .ping))
      xids += takeFrames(node, client).map { frame in
        var r = JuteReader(frame)
        return try! r.read(ReplyHeader.self).xid
      }
    }
    return xids
  }

  mutating func takeFrames(_ node: NodeID, _ client: ClientID) -> [[UInt8]] {
    var decoder = FrameDecoder(frameBytesMax: 1 << 24)
    decoder.append(inbox[node]?[client] ?? [])
    inbox[node]?[client] = []
    var frames: [[UInt8]] = []
    while let frame = try! decoder.nextFrame() { frames.append(frame) }
    return frames
  }

  mutating func call(_ node: NodeID, _ client: ClientID, xid: Int32, _ request: ClientRequest) -> [Reply] {
    send(node, client, Frame.request(xid: Xid(xid), request))
    return takeFrames(node, client).map { frame in
      var reader = JuteReader(frame)
      let header = try! reader.read(ReplyHeader.self)
      return Reply(header: header, reader: reader)
    }
  }
}
