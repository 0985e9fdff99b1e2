import DataTree
import RaftCore
import ServerCore
import ZooKeeperWire

/// Drives a one-voter `ServerNode` the way the runtime does, with an in-memory log that becomes
/// durable when the harness says so: every test is deterministic and sleeps on nothing.
struct NodeHarness {
  var node: ServerNode
  let storage: MemoryStorage
  var nowMs: Int64 = 1_000_000
  /// Bytes each client has received, not yet read by the test.
  var inbox: [ClientID: [UInt8]] = [:]
  var closed: Set<ClientID> = []
  var paused: Set<ClientID> = []
  var snapshots: [SnapshotMetadata] = []
  /// When false, persist work waits until `makeDurable()`.
  var autoPersist = true
  var pendingPersist: PersistWork?
  var nextClient: UInt64 = 1

  init(configure: (inout ServerNodeConfig) -> Void = { _ in }) {
    var config = ServerNodeConfig(nodeID: NodeID(1))
    config.tickMs = 100
    config.fourLetterWords = ["ruok", "srvr", "stat", "mntr", "cons", "wchs", "conf", "envi", "isro"]
    configure(&config)
    storage = MemoryStorage.bootstrap(ConfState(voters: [NodeID(1)]))
    var raftConfig = RaftConfig(id: NodeID(1), randomSeed: 7)
    raftConfig.applied = LogIndex(1)
    node = try! ServerNode(
      config: config, raftConfig: raftConfig, storage: storage,
      tree: DataTree(configuration: .init(extendedTypesEnabled: config.extendedTypesEnabled)), nowMs: nowMs)
    turn()
  }

  /// One loop turn's end: proposals go out, Raft's work is done.
  mutating func turn() {
    node.endOfTurn(nowMs: nowMs)
    perform()
  }

  mutating func perform() {
    var rounds = 0
    while true {
      rounds += 1
      precondition(rounds < 1000, "the node keeps asking for work")
      let actions = node.takeActions()
      if actions.isEmpty { return }
      for action in actions {
        switch action {
        case .send(let id, let bytes): inbox[id, default: []] += bytes
        case .close(let id):
          closed.insert(id)
          node.clientClosed(id, nowMs: nowMs)
        case .pauseReading(let id): paused.insert(id)
        case .resumeReading(let id): paused.remove(id)
        case .sendPeer, .forward, .sessionActivity: preconditionFailure("a one-node cluster sent a peer message")
        case .persist(let work):
          pendingPersist = work
          if autoPersist { makeDurable(performAfter: false) }
        case .saveSnapshot(let metadata, _): snapshots.append(metadata)
        case .log: break
        }
      }
    }
  }

  mutating func makeDurable(performAfter: Bool = true) {
    guard let work = pendingPersist else { return }
    pendingPersist = nil
    if let snapshot = work.snapshot { storage.applySnapshot(snapshot) }
    if !work.entries.isEmpty { storage.append(work.entries) }
    if let hardState = work.hardState { storage.setHardState(hardState) }
    node.persisted(nowMs: nowMs)
    node.endOfTurn(nowMs: nowMs)
    if performAfter { perform() }
  }

  mutating func advance(ms: Int64) {
    let ticks = ms / 100
    for _ in 0..<ticks {
      nowMs += 100
      node.tick(nowMs: nowMs)
      turn()
    }
  }

  mutating func connect() -> ClientID {
    let id = ClientID(nextClient)
    nextClient += 1
    node.clientConnected(id, address: "127.0.0.1", port: UInt16(40000 + id.rawValue), nowMs: nowMs)
    return id
  }

  mutating func send(_ id: ClientID, _ bytes: [UInt8]) {
    node.clientBytes(id, bytes, nowMs: nowMs)
    turn()
  }

  /// Opens a session on a new connection; returns the connection and the ConnectResponse.
  mutating func openSession(timeoutMs: Int32 = 10_000, lastZxid: Zxid = .zero) -> (ClientID, ConnectResponse) {
    let id = connect()
    send(id, Frame.record(ConnectRequest(protocolVersion: 0, lastZxidSeen: lastZxid, timeOutMs: timeoutMs, sessionID: .none, passwd: [UInt8](repeating: 0, count: 16), readOnly: false)))
    let frames = takeFrames(id)
    precondition(frames.count == 1, "expected one ConnectResponse, got \(frames.count) frames")
    var reader = JuteReader(frames[0])
    return (id, try! reader.read(ConnectResponse.self))
  }

  /// Sends a request frame (header and body) without waiting for anything.
  mutating func request(_ id: ClientID, xid: Int32, _ request: ClientRequest) {
    send(id, Frame.request(xid: Xid(xid), request))
  }

  /// Every complete frame the client has received, in order.
  mutating func takeFrames(_ id: ClientID) -> [[UInt8]] {
    var decoder = FrameDecoder(frameBytesMax: 1 << 24)
    decoder.append(inbox[id] ?? [])
    inbox[id] = []
    var frames: [[UInt8]] = []
    while let frame = try! decoder.nextFrame() { frames.append(frame) }
    precondition(decoder.bufferedBytes == 0, "half a frame left in the inbox")
    return frames
  }

  /// Frames received after the handshake, as (header, body reader).
  mutating func takeReplies(_ id: ClientID) -> [Reply] {
    takeFrames(id).map { frame in
      var reader = JuteReader(frame)
      let header = try! reader.read(ReplyHeader.self)
      return Reply(header: header, reader: reader)
    }
  }

  /// Sends a request and returns the replies that arrived for it (and any events before them).
  mutating func call(_ id: ClientID, xid: Int32, _ r: ClientRequest) -> [Reply] {
    request(id, xid: xid, r)
    return takeReplies(id)
  }
}

struct Reply {
  var header: ReplyHeader
  var reader: JuteReader

  var isEvent: Bool { header.xid == .notification }

  func body<T: JuteDecodable>(_ type: T.Type) -> T {
    var r = reader
    return try! r.read(T.self)
  }

  var event: WatcherEvent { body(WatcherEvent.self) }
}
