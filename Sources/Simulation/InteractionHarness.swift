@_spi(Testing) import RaftCore

/// A hand-driven cluster for interaction tests (as etcd's `rafttest` interaction scripts): every
/// message and batch is handled in a fixed order, storage is always synced, and what happens is
/// written to a readable transcript, so a golden file can pin the exact behaviour.
public final class InteractionHarness {
  public struct Node {
    public var raw: RawNode
    public let storage: MemoryStorage
    var soft: SoftState
  }

  public private(set) var nodes: [NodeID: Node] = [:]
  /// Messages sent and not yet delivered, in send order.
  public private(set) var inFlight: [Message] = []
  /// Nodes whose links are all cut.
  public var isolated: Set<NodeID> = []
  /// Read states handed out, per node, in order.
  public private(set) var readStates: [NodeID: [ReadState]] = [:]
  /// Entries applied, per node, in order.
  public private(set) var applied: [NodeID: [Entry]] = [:]
  var output: [String] = []
  public var preVote = true
  public var checkQuorum = true
  public var snapshotChunkBytes = 8
  public var maxInflightMessages = 256
  public var maxUncommittedEntriesBytes = 1 << 20

  public init() {}

  var sortedIDs: [NodeID] { nodes.keys.sorted() }

  func config(_ id: NodeID, applied: LogIndex) -> RaftConfig {
    var c = RaftConfig(id: id, randomSeed: id.rawValue)
    c.applied = applied
    c.preVote = preVote
    c.checkQuorum = checkQuorum
    c.snapshotChunkBytes = snapshotChunkBytes
    c.maxInflightMessages = maxInflightMessages
    c.maxUncommittedEntriesBytes = maxUncommittedEntriesBytes
    return c
  }

  /// Founding voters 1...count, each bootstrapped with the same membership.
  public func addFounders(_ count: Int) {
    let ids = (1...UInt64(count)).map { NodeID($0) }
    for id in ids { addNode(id, storage: MemoryStorage.bootstrap(ConfState(voters: ids), data: Array("init".utf8))) }
  }

  /// A node with `storage` (empty for a node that joins later).
  public func addNode(_ id: NodeID, storage: MemoryStorage = MemoryStorage()) {
    let snapIndex = (try? storage.snapshot().metadata.index) ?? .zero
    let raw = try! RawNode(config: config(id, applied: snapIndex), storage: storage)
    nodes[id] = Node(raw: raw, storage: storage, soft: SoftState(lead: raw.lead, role: raw.role))
  }

  /// Runs `body` on node `id`'s RawNode.
  public func with<T>(_ id: NodeID, _ body: (inout RawNode) throws -> T) rethrows -> T {
    try body(&nodes[id]!.raw)
  }

  public func status(_ id: NodeID) -> RaftStatus { nodes[id]!.raw.status }

  func log(_ line: String) { output.append(line) }

  /// Handles every node's batches and delivers every message until nothing is left.
  public func stabilize(maxRounds: Int = 1000) {
    for _ in 0..<maxRounds {
      var progressed = false
      for id in sortedIDs where nodes[id]!.raw.hasReady {
        handleReady(id)
        progressed = true
      }
      if !inFlight.isEmpty {
        deliverAll()
        progressed = true
      }
      if !progressed { return }
    }
    preconditionFailure("stabilize did not settle")
  }

  /// Handles pending batches without delivering messages.
  public func processReady() {
    for id in sortedIDs { while nodes[id]!.raw.hasReady { handleReady(id) } }
  }

  func handleReady(_ id: NodeID) {
    var node = nodes[id]!
    let rd = node.raw.ready()
    if rd.softState != node.soft {
      log("n\(id) is \(rd.softState.role) at term \(node.raw.term)" + (rd.softState.lead == .none ? "" : ", leader n\(rd.softState.lead)"))
      node.soft = rd.softState
    }
    if let snap = rd.snapshot {
      node.storage.applySnapshot(snap)
      log("n\(id) installed snapshot \(snap.metadata.term)/\(snap.metadata.index) (\(snap.data.count) bytes) voters=\(snap.metadata.confState.voters) learners=\(snap.metadata.confState.learners)")
    }
    node.storage.append(rd.entries)
    if let hs = rd.hardState { node.storage.setHardState(hs) }
    inFlight.append(contentsOf: rd.messages)
    inFlight.append(contentsOf: rd.messagesAfterPersist)
    for entry in rd.committedEntries {
      applied[id, default: []].append(entry)
      switch entry.kind {
      case .confChange:
        let change = (try? ConfChange.decode(entry.data)).map(String.init(describing:)) ?? "?"
        log("n\(id) applied \(entry.term)/\(entry.index) conf: \(change)")
      case .normal:
        log("n\(id) applied \(entry.term)/\(entry.index) " + (entry.data.isEmpty ? "noop" : "\"\(String(decoding: entry.data, as: UTF8.self))\""))
      }
    }
    for state in rd.readStates {
      readStates[id, default: []].append(state)
      log("n\(id) read state: index \(state.index) context \"\(String(decoding: state.context, as: UTF8.self))\"")
    }
    node.raw.advance(rd)
    nodes[id] = node
  }

  /// Delivers every message in flight now, in order (answers go out in the next round).
  public func deliverAll() {
    let batch = inFlight
    inFlight = []
    for m in batch {
      if isolated.contains(m.from) || isolated.contains(m.to) || nodes[m.to] == nil {
        log("dropped \(m)")
        continue
      }
      log("\(m)")
      try? nodes[m.to]!.raw.step(m)
    }
  }

  /// Takes the transcript written since the last call.
  public func takeOutput() -> [String] {
    defer { output = [] }
    return output
  }

  /// A snapshot of `id`'s application at its applied index, then compaction of its log.
  public func compact(_ id: NodeID) {
    let node = nodes[id]!
    let applied = node.raw.status.applied
    let data = Array("state@\(applied) ........................".utf8)
    _ = try? node.storage.createSnapshot(at: applied, confState: node.raw.confState, data: data)
    try? node.storage.compact(through: applied)
    log("n\(id) compacted through \(applied)")
  }

  /// Restarts `id` from its storage (volatile state lost).
  public func restart(_ id: NodeID) {
    let storage = nodes[id]!.storage
    inFlight.removeAll { $0.to == id }
    applied[id] = nil  // The application restarts from the snapshot and re-applies after it.
    readStates[id] = nil
    addNode(id, storage: storage)
    log("n\(id) restarted")
  }

  /// One line per node: role, term, leader, commit, applied, membership.
  public func describeCluster() -> [String] {
    sortedIDs.map { id in
      let s = nodes[id]!.raw.status
      return "n\(id): \(s.role) term=\(s.term) lead=\(s.lead) commit=\(s.commit) applied=\(s.applied) last=\(s.lastIndex) voters=\(s.confState.voters) learners=\(s.confState.learners)"
    }
  }
}
